package sentinel

import (
	"cmp"
	"slices"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/acl"
	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// ACL users on the sentinel's own server (Redis 7.0's acl.c, which a
// sentinel runs like any Redis server; spec §25.1 for how sentinels
// authenticate to each other, reference redis-sentinel-tests.md §3.9).
// The users come from requirepass and the user directives of
// sentinel.conf; ACL SETUSER changes them in memory, and the next flush of
// sentinel.conf writes them (persist).

// clientSubcommands are the subcommands of the container commands a
// sentinel has, as ACL rules may name them (7.0.15's command table).
var clientSubcommands = map[string][]string{
	"client": {"caching", "getname", "getredir", "help", "id", "info", "kill", "list", "no-evict",
		"pause", "reply", "setname", "tracking", "trackinginfo", "unblock", "unpause"},
	"acl": {"cat", "deluser", "dryrun", "genpass", "getuser", "help", "list", "load", "log",
		"save", "setuser", "users", "whoami"},
}

// sentinelKnown is the command table ACL SETUSER checks rules against: a
// sentinel knows only its own commands (+get is an unknown command there).
func sentinelKnown(cmd, sub string) (found, container bool) {
	if _, ok := commandArity[cmd]; !ok {
		return false, false
	}
	if cmd == "sentinel" {
		_, ok := sentinelArity[sub]
		return sub == "" || ok, true
	}
	if subs, ok := clientSubcommands[cmd]; ok {
		return sub == "" || slices.Contains(subs, sub), true
	}
	return sub == "", false
}

// loadUsers builds the users the configuration gives: requirepass is the
// default user's password, then the user directives apply, the default
// user's from reset (ACLLoadConfiguredUsers).
func (s *Sentinel) loadUsers() {
	s.users = acl.New(sentinelKnown)
	s.users.SetDefaultPassword(s.conf.RequirePass)
	for _, args := range s.conf.Users() {
		ops := args[1:]
		if args[0] == "default" {
			ops = append([]string{"reset"}, ops...)
		}
		if err := s.users.SetUser(args[0], ops); err != nil {
			// conf.Parse checked the syntax; a rule naming a command the
			// sentinel lacks is only found here (Redis refuses to start).
			s.log(Warning, "Error in user declaration '"+args[0]+"': "+err.Error())
		}
	}
}

// newClient is createClient: the default user, authenticated if it needs
// no password and is on.
func (s *Sentinel) newClient() *client {
	def := s.users.Default()
	return &client{user: def, authed: def.NoPass && def.On}
}

// aclCheck is the NOAUTH check then ACLCheckAllPerm (processCommand's
// order) for a command that passed the lookup; it returns the error, or
// nil.
func (s *Sentinel) aclCheck(cl *client, fullname string, args []string) *wire.Value {
	def := s.users.Default()
	name, sub, _ := strings.Cut(fullname, "|")
	if (!def.NoPass || !def.On) && !cl.authed && name != "auth" {
		v := wire.Error("NOAUTH Authentication required.")
		return &v
	}
	// AUTH needs no command permission (CMD_NO_AUTH, ACLSelectorCheckCmd).
	if name != "auth" && !cl.user.CanRun(name, sub) {
		v := wire.Error("NOPERM this user has no permissions to run the '" + fullname + "' command")
		return &v
	}
	var channels []string
	literal := false
	switch name {
	case "publish":
		channels = args[1:2]
	case "subscribe":
		channels = args[1:]
	case "psubscribe":
		channels, literal = args[1:], true
	}
	for _, ch := range channels {
		if !cl.user.CanChannel(ch, literal) {
			v := wire.Error("NOPERM this user has no permissions to access one of the channels used as arguments")
			return &v
		}
	}
	return nil
}

// authCommand is AUTH [user] pass, as on a Redis server (authCommand).
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
	u := s.users.Authenticate(user, pass)
	if u == nil {
		return wire.Error("WRONGPASS invalid username-password pair or user is disabled.")
	}
	cl.user, cl.authed = u, true
	return wire.OK()
}

// aclCommand is ACL SETUSER / DELUSER / WHOAMI / LIST / USERS.
func (s *Sentinel) aclCommand(k clientKey, cl *client, args []string) wire.Value {
	sub := strings.ToLower(args[1])
	arity, ok := map[string]int{"setuser": -3, "deluser": -3, "whoami": 2, "list": 2, "users": 2}[sub]
	switch {
	case !ok:
		return wire.Error("ERR unknown subcommand '" + trunc(args[1], 128) + "'. Try ACL HELP.")
	case !arityOK(arity, len(args)):
		return wire.Error("ERR wrong number of arguments for 'acl|" + sub + "' command")
	}
	switch sub {
	case "setuser":
		if err := s.users.SetUser(args[2], args[3:]); err != nil {
			return wire.Error("ERR " + err.Error())
		}
		return wire.OK()
	case "deluser":
		gone, err := s.users.DelUser(args[2:])
		if err != nil {
			return wire.Error("ERR " + err.Error())
		}
		for _, u := range gone {
			s.killClients(k, u, false)
		}
		return wire.Int(int64(len(gone)))
	case "whoami":
		return wire.Bulk(cl.user.Name)
	case "users":
		return wire.BulkArray(s.users.Names()...)
	}
	return wire.BulkArray(s.users.List()...)
}

// clientKill is CLIENT KILL with the USER and SKIPME filters (the other
// CLIENT subcommands, SETNAME …, answer OK in command).
func (s *Sentinel) clientKill(k clientKey, args []string) wire.Value {
	if len(args) == 3 {
		return wire.Error("ERR No such client") // no client has an address here
	}
	if len(args)%2 != 0 {
		return wire.Error("ERR syntax error")
	}
	var user *acl.User
	skipMe := true
	for i := 2; i < len(args); i += 2 {
		v := args[i+1]
		switch upper(args[i]) {
		case "USER":
			if user = s.users.Lookup(v); user == nil {
				return wire.Error("ERR No such user '" + v + "'")
			}
		case "SKIPME":
			switch strings.ToLower(v) {
			case "yes":
				skipMe = true
			case "no":
				skipMe = false
			default:
				return wire.Error("ERR syntax error")
			}
		case "ID", "TYPE", "ADDR", "LADDR":
			return wire.Error("ERR simulated sentinel: CLIENT KILL filters other than USER and SKIPME are not modelled")
		default:
			return wire.Error("ERR syntax error")
		}
	}
	if user == nil {
		return wire.Error("ERR simulated sentinel: CLIENT KILL needs a USER filter")
	}
	return wire.Int(int64(s.killClients(k, user, skipMe)))
}

// killClients disconnects the clients running as u, in a fixed order; the
// caller k after its reply (unless skipMe). It returns how many.
func (s *Sentinel) killClients(self clientKey, u *acl.User, skipMe bool) int {
	keys := make([]clientKey, 0, len(s.clients))
	for k, c := range s.clients {
		if c.user == u && (k != self || !skipMe) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b clientKey) int {
		return cmp.Or(cmp.Compare(a.node, b.node), cmp.Compare(a.id, b.id))
	})
	for _, k := range keys {
		if k == self {
			s.clients[k].closeAfterReply = true
			continue
		}
		delete(s.clients, k)
		s.env.Send(k.node, &wire.Closed{Conn: k.id, Reason: "killed"})
	}
	return len(keys)
}
