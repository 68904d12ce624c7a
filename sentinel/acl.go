package sentinel

import (
	"slices"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/acl"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sentinel/conf"
)

// ACL users on a sentinel (spec §22.1, §25.1): the default user (its
// password is requirepass), the config file's "user" directives, and
// ACL SETUSER / DELUSER at run time. Connections authenticate with AUTH or
// HELLO … AUTH; commands are refused with -NOAUTH before that when the
// default user has a password or is off, and with -NOPERM when the user may
// not run the command or use the channel. Replies and error texts were
// checked against redis-sentinel 7.0.15 (port 27000/27001, 2026-11-23).
//
// The users, their rules and permissions are internal/acl's, shared with
// the data nodes; the sentinel gives it its command table and ACL
// categories (the captured table, cmdtable.go), so rules by command,
// subcommand, first argument and category are checked against what
// redis-sentinel 7.0.15 knows (+get is an unknown command here). Key
// patterns are kept and shown, unused: no sentinel command has keys.
// Channel patterns are checked for PUBLISH, SUBSCRIBE and PSUBSCRIBE. Not
// modelled: selectors (refused), the ACL log (ACL LOG is always empty),
// ACL files. internal/acl's package comment says how ACL LIST's command
// rules differ from 7.0.15's.

// sentinelKnown is the command table ACL SETUSER checks rules against.
func sentinelKnown(cmd, sub string) (found, container bool) {
	c := cmdName[cmd]
	if c == nil || c.parent != nil {
		return false, false
	}
	if sub == "" {
		return true, len(c.subs) > 0
	}
	return cmdName[cmd+"|"+sub] != nil, len(c.subs) > 0
}

// sentinelCategories are the ACL categories of the captured table.
var sentinelCategories = &acl.Categories{
	Names: aclCategories,
	In: func(cmd, sub, cat string) bool {
		name := cmd
		if sub != "" {
			name += "|" + sub
		}
		c := cmdName[name]
		return c != nil && c.inCategory(cat)
	},
}

// newUsers builds the users from the configuration: the default user (on,
// every key, channel and command; requirepass its password, else nopass),
// then the file's user directives in name order, the default user's from
// reset (ACLLoadConfiguredUsers).
func newUsers(c *conf.Config) *acl.Users {
	us := acl.New(sentinelKnown, sentinelCategories)
	us.SetDefaultPassword(c.RequirePass)
	for _, l := range c.UserLines() {
		f := strings.Fields(l)
		ops := f[2:]
		if f[1] == "default" {
			ops = append([]string{"reset"}, ops...)
		}
		_ = us.SetUser(f[1], ops) // conf.Parse validated the line
	}
	return us
}

// canRun is ACLSelectorCheckCmd for the command or subcommand c looked up
// from args (a no_auth command needs no permission).
func canRun(u *acl.User, c *cmdSpec, args []string) bool {
	if c.noAuth {
		return true
	}
	return u.CanRunArgs(c.aclName, c.aclSub, args)
}

// authRequired is 7.0.15's authRequired: the default user has a password
// or is off, and the connection has not authenticated.
func (s *Sentinel) authRequired(cl *client) bool {
	d := s.users.Default()
	return (!d.NoPass || !d.On) && !cl.authenticated
}

// authenticate is ACLAuthenticateUser: the user exists, is on, and has no
// password or this one.
func (s *Sentinel) authenticate(cl *client, user, pass string) bool {
	if s.users.Authenticate(user, pass) == nil {
		return false
	}
	cl.user, cl.authenticated = user, true
	return true
}

var errWrongPass = wire.Error("WRONGPASS invalid username-password pair or user is disabled.")

// authCommand is AUTH [user] password.
func (s *Sentinel) authCommand(cl *client, args []string) wire.Value {
	if len(args) > 3 {
		return wire.Error("ERR syntax error")
	}
	user, pass := "default", args[1]
	if len(args) == 3 {
		user, pass = args[1], args[2]
	} else if s.users.Default().NoPass {
		return wire.Error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
	}
	if !s.authenticate(cl, user, pass) {
		return errWrongPass
	}
	return wire.OK()
}

// helloCommand is HELLO [protover [AUTH user pass] [SETNAME name]]. The
// wire carries RESP2 only, so protocol 3 is refused as an unknown version
// would be (a known difference: 7.0.15 switches to RESP3 and replies with
// a map).
func (s *Sentinel) helloCommand(cl *client, args []string) wire.Value {
	if len(args) >= 2 {
		ver, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil {
			return wire.Error("ERR Protocol version is not an integer or out of range")
		}
		if ver != 2 {
			return wire.Error("NOPROTO unsupported protocol version")
		}
	}
	var user, pass, name *string
	for j := 2; j < len(args); j++ {
		more := len(args) - 1 - j
		switch opt := args[j]; {
		case strings.EqualFold(opt, "AUTH") && more >= 2:
			user, pass = &args[j+1], &args[j+2]
			j += 2
		case strings.EqualFold(opt, "SETNAME") && more >= 1:
			if !validClientName(args[j+1]) {
				return errClientName
			}
			name = &args[j+1]
			j++
		default:
			return wire.Error("ERR Syntax error in HELLO option '" + opt + "'")
		}
	}
	if user != nil && !s.authenticate(cl, *user, *pass) {
		return errWrongPass
	}
	if !cl.authenticated {
		return wire.Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
	}
	if name != nil {
		cl.name = *name
	}
	return wire.Array(wire.Bulk("server"), wire.Bulk("redis"), wire.Bulk("version"), wire.Bulk("7.0.15"),
		wire.Bulk("proto"), wire.Int(2), wire.Bulk("id"), wire.Int(int64(cl.id)),
		wire.Bulk("mode"), wire.Bulk("sentinel"), wire.Bulk("modules"), wire.Array())
}

var errClientName = wire.Error("ERR Client names cannot contain spaces, newlines or special characters.")

// validClientName: printable ASCII without spaces ('!' to '~').
func validClientName(n string) bool {
	for i := 0; i < len(n); i++ {
		if n[i] < '!' || n[i] > '~' {
			return false
		}
	}
	return true
}

// aclCommand is ACL <subcommand> (the arity was checked).
func (s *Sentinel) aclCommand(k clientKey, cl *client, args []string) wire.Value {
	switch sub := strings.ToLower(args[1]); sub {
	case "whoami":
		return wire.Bulk(cl.user)
	case "users":
		return wire.BulkArray(s.users.Names()...)
	case "list":
		return wire.BulkArray(s.users.List()...)
	case "getuser":
		u := s.users.Lookup(args[2])
		if u == nil {
			return wire.Nil()
		}
		return wire.Array(wire.Bulk("flags"), wire.BulkArray(u.Flags()...), wire.Bulk("passwords"), wire.BulkArray(u.Passwords()...),
			wire.Bulk("commands"), wire.Bulk(u.CommandsText()), wire.Bulk("keys"), wire.Bulk(u.KeysText()),
			wire.Bulk("channels"), wire.Bulk(u.ChannelsText()), wire.Bulk("selectors"), wire.Array())
	case "setuser":
		// All or nothing (internal/acl applies the rules to a copy).
		if err := s.users.SetUser(args[2], args[3:]); err != nil {
			return wire.Error("ERR " + err.Error())
		}
		s.syncUsers()
		return wire.OK()
	case "deluser":
		gone, err := s.users.DelUser(args[2:])
		if err != nil {
			return wire.Error("ERR " + err.Error())
		}
		for _, u := range gone {
			// ACLFreeUserAndKillClients: the caller's own connection
			// closes after the reply.
			s.killClients(func(_ clientKey, c *client) bool { return c.user == u.Name }, k)
		}
		s.syncUsers()
		return wire.Int(int64(len(gone)))
	case "cat":
		if len(args) == 2 {
			return wire.BulkArray(aclCategories...)
		}
		cat := strings.ToLower(args[2])
		if !slices.Contains(aclCategories, cat) {
			return wire.Error("ERR Unknown category '" + args[2] + "'")
		}
		var out []wire.Value
		for _, c := range cmdByID {
			if c.inCategory(cat) {
				out = append(out, wire.Bulk(c.name))
			}
		}
		return wire.Array(out...)
	case "dryrun":
		u := s.users.Lookup(args[2])
		if u == nil {
			return wire.Error("ERR User '" + args[2] + "' not found")
		}
		c, unknown := lookupCommand(args[3:])
		if c == nil || unknown {
			return wire.Error("ERR Command '" + args[3] + "' not found")
		}
		if !arityOK(c.arity, len(args)-3) {
			return wire.Error("ERR wrong number of arguments for '" + c.name + "' command")
		}
		if !canRun(u, c, args[3:]) {
			return wire.Bulk("This user has no permissions to run the '" + c.name + "' command")
		}
		return wire.OK()
	case "genpass":
		bits := int64(256)
		if len(args) > 2 {
			var err error
			bits, err = strconv.ParseInt(args[2], 10, 64)
			if err != nil {
				return wire.Error("ERR value is not an integer or out of range")
			}
			if bits <= 0 || bits > 4096 {
				return wire.Error("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096")
			}
		}
		chars := (bits + 3) / 4
		var b strings.Builder
		for range chars {
			b.WriteByte("0123456789abcdef"[s.env.Rand().IntN(16)])
		}
		return wire.Bulk(b.String())
	case "log":
		if len(args) > 2 && !strings.EqualFold(args[2], "reset") {
			if _, err := strconv.ParseInt(args[2], 10, 64); err != nil {
				return wire.Error("ERR value is not an integer or out of range")
			}
		}
		if len(args) > 2 && strings.EqualFold(args[2], "reset") {
			return wire.OK()
		}
		return wire.Array() // the ACL log is not kept
	case "load", "save":
		return wire.Error("ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.")
	case "help":
		return statusLines(aclHelp)
	}
	return wire.Error("ERR unknown subcommand '" + trunc(args[1], 128) + "'. Try ACL HELP.")
}

// syncUsers copies the users into the configuration. As in 7.0.15, ACL
// SETUSER and DELUSER do not save sentinel.conf themselves; the next save
// (any config flush) writes the users as they are then.
func (s *Sentinel) syncUsers() {
	c := cloneConf(s.conf)
	c.SetUserLines(s.users.List())
	s.conf = c
}
