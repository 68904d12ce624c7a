package sentinel

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

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
// What is modelled of a user: on/off, passwords (kept as SHA-256, as
// Redis keeps them), nopass, key patterns (kept and shown, unused: no
// sentinel command has keys), channel patterns (checked for PUBLISH,
// SUBSCRIBE and PSUBSCRIBE), command permissions by command, subcommand,
// first argument and category, and the sanitize-payload flags. Not
// modelled: selectors ("(…)" rules are refused as a syntax error), the ACL
// log (ACL LOG is always empty), ACL files. Known difference: ACL LIST and
// ACL GETUSER show the command rules as "+@all" or "-@all" followed by the
// rules given since (each command or category once, its latest rule);
// 7.0.15 recomputes a description from the permission bits over the full
// Redis command table instead, so a category rule may show differently
// there ("+@admin -sentinel" shows as a list of single commands). Rules
// that are only commands, "+@all" or "-@all" show the same.

// aclUser is one ACL user.
type aclUser struct {
	name        string
	enabled     bool
	nopass      bool
	sanitize    string   // "", "sanitize-payload" or "skip-sanitize-payload"
	passwords   []string // SHA-256, hex
	allKeys     bool
	keys        []string // "~pat", "%R~pat", …
	allChannels bool
	channels    []string // patterns, without the '&'
	allCommands bool     // +@all/allcommands: the ALLCOMMANDS flag
	allowed     []bool   // by cmdSpec.id
	firstArgs   map[int][]string
	rules       []string // command rules since the last +@all/-@all
}

// newACLUser is a user as ACL SETUSER creates it: off, no password, no
// keys, no channels (acl-pubsub-default resetchannels), no commands.
func newACLUser(name string) *aclUser {
	return &aclUser{name: name, allowed: make([]bool, len(cmdByID))}
}

func (u *aclUser) clone() *aclUser {
	n := *u
	n.passwords = slices.Clone(u.passwords)
	n.keys = slices.Clone(u.keys)
	n.channels = slices.Clone(u.channels)
	n.allowed = slices.Clone(u.allowed)
	n.rules = slices.Clone(u.rules)
	n.firstArgs = map[int][]string{}
	for id, a := range u.firstArgs {
		n.firstArgs[id] = slices.Clone(a)
	}
	return &n
}

func hashPassword(p string) string {
	sum := sha256.Sum256([]byte(p))
	return hex.EncodeToString(sum[:])
}

// aclError is a rule ACL SETUSER refuses, with Redis's reason.
type aclError string

// setRule applies one ACL rule (ACLSetUser in 7.0.15).
func (u *aclUser) setRule(op string) aclError {
	lop := strings.ToLower(op)
	switch {
	case op == "":
		return "Syntax error"
	case lop == "on":
		u.enabled = true
	case lop == "off":
		u.enabled = false
	case lop == "skip-sanitize-payload", lop == "sanitize-payload":
		u.sanitize = lop
	case lop == "nopass":
		u.nopass, u.passwords = true, nil
	case lop == "resetpass":
		u.nopass, u.passwords = false, nil
	case op[0] == '>' || op[0] == '#':
		h := hashPassword(op[1:])
		if op[0] == '#' {
			if !validHash(op[1:]) {
				return "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
			}
			h = op[1:]
		}
		if !slices.Contains(u.passwords, h) {
			u.passwords = append(u.passwords, h)
		}
		u.nopass = false
	case op[0] == '<' || op[0] == '!':
		h := hashPassword(op[1:])
		if op[0] == '!' {
			if !validHash(op[1:]) {
				return "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
			}
			h = op[1:]
		}
		i := slices.Index(u.passwords, h)
		if i < 0 {
			return "The password you are trying to remove from the user does not exist"
		}
		u.passwords = slices.Delete(u.passwords, i, i+1)
	case lop == "allkeys" || op == "~*":
		u.allKeys, u.keys = true, nil
	case lop == "resetkeys":
		u.allKeys, u.keys = false, nil
	case op[0] == '~' || op[0] == '%':
		if u.allKeys {
			return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"
		}
		if op[0] == '%' {
			perm, _, ok := strings.Cut(op[1:], "~")
			if !ok || perm == "" || strings.Trim(strings.ToUpper(perm), "RW") != "" {
				return "Syntax error"
			}
		}
		if !slices.Contains(u.keys, op) {
			u.keys = append(u.keys, op)
		}
	case lop == "allchannels" || op == "&*":
		u.allChannels, u.channels = true, nil
	case lop == "resetchannels":
		u.allChannels, u.channels = false, nil
	case op[0] == '&':
		if u.allChannels {
			return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"
		}
		if !slices.Contains(u.channels, op[1:]) {
			u.channels = append(u.channels, op[1:])
		}
	case lop == "allcommands" || lop == "+@all":
		u.allCommands, u.rules, u.firstArgs = true, nil, nil
		for i := range u.allowed {
			u.allowed[i] = true
		}
	case lop == "nocommands" || lop == "-@all":
		u.allCommands, u.rules, u.firstArgs = false, nil, nil
		for i := range u.allowed {
			u.allowed[i] = false
		}
	case op[0] == '+' || op[0] == '-':
		return u.commandRule(op)
	case lop == "reset":
		for _, r := range []string{"resetpass", "resetkeys", "resetchannels", "off", "-@all"} {
			u.setRule(r)
		}
		u.sanitize = "sanitize-payload"
	default:
		return "Syntax error"
	}
	return ""
}

func validHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if !(h[i] >= '0' && h[i] <= '9' || h[i] >= 'a' && h[i] <= 'f') {
			return false
		}
	}
	return true
}

// commandRule is +<command>, -<command>, +<container>|<sub>,
// +<command>|<first-arg> and ±@<category>.
func (u *aclUser) commandRule(op string) aclError {
	allow := op[0] == '+'
	target := strings.ToLower(op[1:])
	var set []*cmdSpec
	if cat, ok := strings.CutPrefix(target, "@"); ok {
		if !slices.Contains(aclCategories, cat) {
			return "Unknown command or category name in ACL"
		}
		for _, c := range cmdByID {
			if c.inCategory(cat) {
				set = append(set, c)
			}
		}
	} else if c := cmdName[target]; c != nil {
		set = append(set, c)
		set = append(set, c.subs...)
	} else {
		name, arg, ok := strings.Cut(target, "|")
		c := cmdName[name]
		switch {
		case !ok || c == nil:
			return "Unknown command or category name in ACL"
		case c.parent != nil || strings.Contains(arg, "|"):
			return "Allowing first-arg of a subcommand is not supported"
		case len(c.subs) > 0:
			return "Unknown command or category name in ACL"
		case !allow:
			return "Unknown command or category name in ACL" // no -<command>|<first-arg> (7.0.15)
		}
		if u.firstArgs == nil {
			u.firstArgs = map[int][]string{}
		}
		if !slices.Contains(u.firstArgs[c.id], arg) {
			u.firstArgs[c.id] = append(u.firstArgs[c.id], arg)
		}
		u.addRule(op)
		return ""
	}
	for _, c := range set {
		u.allowed[c.id] = allow
		delete(u.firstArgs, c.id)
	}
	u.addRule(op)
	return ""
}

// addRule records a command rule for ACL LIST, replacing an earlier rule
// for the same command or category (ACLUpdateCommandRules).
func (u *aclUser) addRule(op string) {
	u.rules = slices.DeleteFunc(u.rules, func(r string) bool { return strings.EqualFold(r[1:], op[1:]) })
	u.rules = append(u.rules, strings.ToLower(op[:1])+strings.ToLower(op[1:]))
}

// canRun reports whether the user may run the command (args: the whole
// argv; c: the command or subcommand looked up).
func (u *aclUser) canRun(c *cmdSpec, args []string) bool {
	if c.hasFlag("no_auth") || u.allowed[c.id] {
		return true
	}
	if c.topLevel && len(args) > 1 {
		for _, a := range u.firstArgs[c.id] {
			if strings.EqualFold(a, args[1]) {
				return true
			}
		}
	}
	return false
}

// canUseChannel is the channel check of PUBLISH and SUBSCRIBE (glob match)
// and PSUBSCRIBE (the pattern must be one of the user's, literally).
func (u *aclUser) canUseChannel(ch string, isPattern bool) bool {
	if u.allChannels {
		return true
	}
	for _, p := range u.channels {
		if isPattern && p == ch || !isPattern && stringMatch(p, ch, false) {
			return true
		}
	}
	return false
}

// flagWords are the user's flags as ACL GETUSER lists them.
func (u *aclUser) flagWords() []string {
	f := []string{"off"}
	if u.enabled {
		f[0] = "on"
	}
	if u.nopass {
		f = append(f, "nopass")
	}
	if u.sanitize != "" {
		f = append(f, u.sanitize)
	}
	return f
}

func (u *aclUser) commandsText() string {
	head := "-@all"
	if u.allCommands {
		head = "+@all"
	}
	return strings.Join(append([]string{head}, u.rules...), " ")
}

func (u *aclUser) keysText() string {
	if u.allKeys {
		return "~*"
	}
	return strings.Join(u.keys, " ")
}

func (u *aclUser) channelsText() string {
	if u.allChannels {
		return "&*"
	}
	var cs []string
	for _, c := range u.channels {
		cs = append(cs, "&"+c)
	}
	return strings.Join(cs, " ")
}

// line is the user as ACL LIST and the config file show it.
func (u *aclUser) line() string {
	w := append([]string{"user", u.name}, u.flagWords()...)
	for _, p := range u.passwords {
		w = append(w, "#"+p)
	}
	if k := u.keysText(); k != "" {
		w = append(w, k)
	}
	if !u.allChannels {
		w = append(w, "resetchannels")
	}
	if c := u.channelsText(); c != "" {
		w = append(w, c)
	}
	w = append(w, u.commandsText())
	return strings.Join(w, " ")
}

// aclState is the sentinel's users, sorted by name (Redis keeps them in a
// radix tree).
type aclState struct {
	users []*aclUser
}

func (a *aclState) user(name string) *aclUser {
	for _, u := range a.users {
		if u.name == name {
			return u
		}
	}
	return nil
}

func (a *aclState) put(u *aclUser) {
	i, found := slices.BinarySearchFunc(a.users, u.name, func(x *aclUser, n string) int { return strings.Compare(x.name, n) })
	if found {
		a.users[i] = u
		return
	}
	a.users = slices.Insert(a.users, i, u)
}

// newACL builds the users from the configuration: the default user (on,
// every key, channel and command; requirepass its password, else nopass),
// then the file's user directives in name order.
func newACL(c *conf.Config) *aclState {
	a := &aclState{}
	def := newACLUser("default")
	for _, r := range []string{"on", "~*", "&*", "+@all"} {
		def.setRule(r)
	}
	if c.RequirePass != "" {
		def.setRule(">" + c.RequirePass)
	} else {
		def.setRule("nopass")
	}
	a.put(def)
	for _, l := range c.UserLines() {
		f := strings.Fields(l)
		u := a.user(f[1])
		if u == nil {
			u = newACLUser(f[1])
		}
		u = u.clone()
		for _, r := range f[2:] {
			u.setRule(r) // conf.Parse validated the line
		}
		a.put(u)
	}
	return a
}

// authRequired is 7.0.15's authRequired: the default user has a password
// or is off, and the connection has not authenticated.
func (s *Sentinel) authRequired(cl *client) bool {
	d := s.acl.user("default")
	return (!d.nopass || !d.enabled) && !cl.authenticated
}

// authenticate is ACLAuthenticateUser: the user exists, is on, and has no
// password or this one.
func (s *Sentinel) authenticate(cl *client, user, pass string) bool {
	u := s.acl.user(user)
	if u == nil || !u.enabled || !(u.nopass || slices.Contains(u.passwords, hashPassword(pass))) {
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
	} else if d := s.acl.user("default"); d.nopass {
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
		out := make([]wire.Value, len(s.acl.users))
		for i, u := range s.acl.users {
			out[i] = wire.Bulk(u.name)
		}
		return wire.Array(out...)
	case "list":
		out := make([]wire.Value, len(s.acl.users))
		for i, u := range s.acl.users {
			out[i] = wire.Bulk(u.line())
		}
		return wire.Array(out...)
	case "getuser":
		u := s.acl.user(args[2])
		if u == nil {
			return wire.Nil()
		}
		var flags, pw []wire.Value
		for _, f := range u.flagWords() {
			flags = append(flags, wire.Bulk(f))
		}
		for _, p := range u.passwords {
			pw = append(pw, wire.Bulk(p))
		}
		return wire.Array(wire.Bulk("flags"), wire.Array(flags...), wire.Bulk("passwords"), wire.Array(pw...),
			wire.Bulk("commands"), wire.Bulk(u.commandsText()), wire.Bulk("keys"), wire.Bulk(u.keysText()),
			wire.Bulk("channels"), wire.Bulk(u.channelsText()), wire.Bulk("selectors"), wire.Array())
	case "setuser":
		u := s.acl.user(args[2])
		if u == nil {
			u = newACLUser(args[2])
		}
		u = u.clone() // all or nothing
		for _, op := range args[3:] {
			if op != "" && (op[0] == '(' || op[len(op)-1] == ')') || strings.EqualFold(op, "clearselectors") {
				return wire.Error("ERR Error in ACL SETUSER modifier '" + op + "': Syntax error")
			}
			if e := u.setRule(op); e != "" {
				return wire.Error("ERR Error in ACL SETUSER modifier '" + op + "': " + string(e))
			}
		}
		s.acl.put(u)
		s.syncUsers()
		return wire.OK()
	case "deluser":
		n := 0
		for _, name := range args[2:] {
			if name == "default" {
				return wire.Error("ERR The 'default' user cannot be removed")
			}
		}
		for _, name := range args[2:] {
			i := slices.IndexFunc(s.acl.users, func(u *aclUser) bool { return u.name == name })
			if i < 0 {
				continue
			}
			s.acl.users = slices.Delete(s.acl.users, i, i+1)
			// ACLFreeUserAndKillClients: the caller's own connection
			// closes after the reply.
			s.killClients(func(_ clientKey, c *client) bool { return c.user == name }, k)
			n++
		}
		s.syncUsers()
		return wire.Int(int64(n))
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
		u := s.acl.user(args[2])
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
		if !u.canRun(c, args[3:]) {
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
	lines := make([]string, 0, len(s.acl.users))
	for _, u := range s.acl.users {
		lines = append(lines, u.line())
	}
	c.SetUserLines(lines)
	s.conf = c
}
