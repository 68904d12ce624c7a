// Package acl is the part of Redis 7.0's access control lists that
// Sentinel deployments use, shared by the simulated data nodes (model) and
// the sentinels' own servers (sentinel): users with passwords, on/off,
// key and channel patterns and command rules; ACL SETUSER's modifiers with
// Redis 7.0.15's error texts; ACL LIST's description; authentication and
// the permission checks of ACLCheckAllPerm. Each server gives its own
// command table (Known) and, when it has them, its ACL categories.
//
// Modelled modifiers: on, off, nopass, resetpass, >pass, <pass, #hash,
// !hash, ~pattern, %R~/%W~/%RW~pattern, allkeys, resetkeys, &pattern,
// allchannels, resetchannels, +@all, -@all, allcommands, nocommands,
// +@category, -@category (where the server gives its command table's
// categories, as a sentinel does; on a data node a category other than
// @all is refused with an error that says it is not modelled), +cmd, -cmd,
// +cmd|sub, -cmd|sub, +cmd|first-arg, reset, clearselectors,
// sanitize-payload, skip-sanitize-payload. Not modelled (refused with an
// error that says so): selectors "(…)", categories where the server gives
// none. Key patterns with only %R or %W
// are kept and shown but grant no access in CanKey (no command's key
// specs say whether it reads or writes).
//
// Known differences from Redis: 7.0.15 recomputes ACL LIST's command
// rules from the permission bits over its command table, choosing
// categories by best fit and single commands in dictionary order. Here
// the description is +@all or -@all, then the category rules in the
// order given (each once, its latest rule), then the command, subcommand
// and first-arg rules that change the outcome, sorted by name. Rules that
// are only commands, "+@all" or "-@all" show as Redis shows them up to
// the order of the single commands.
package acl

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
)

// Known looks a command up in the server's table: found reports whether
// cmd (lower case) exists, or, with sub != "", whether cmd has that
// subcommand; container whether cmd has subcommands at all.
type Known func(cmd, sub string) (found, container bool)

// RedisCategories are the ACL categories of Redis 7.0.15 (ACL CAT, the
// same on redis-server and redis-sentinel), besides "all".
var RedisCategories = []string{"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
	"hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection",
	"transaction", "scripting"}

// Categories are a server's ACL categories (besides "all").
type Categories struct {
	Names []string // lower case, without the '@'
	// In reports whether cmd (sub == "") or its subcommand sub is in the
	// category cat.
	In func(cmd, sub, cat string) bool
}

// User is one ACL user.
type User struct {
	Name        string
	On          bool
	NoPass      bool
	passwords   []string // SHA-256 hex digests, in the order added
	AllKeys     bool
	keys        []string // "~pat", "%R~pat", …
	AllChannels bool
	channels    []string // patterns, without the '&'
	allCommands bool     // the base: +@all or -@all
	rules       []rule   // since the base, each name once (its latest rule)
	sanitize    string   // "", "sanitize-payload" or "skip-sanitize-payload"
	cats        *Categories
}

// rule allows or denies one category, command or subcommand, or allows
// a command with one first argument.
type rule struct {
	cat      string // a category rule
	cmd, sub string // a command rule (sub == "") or a subcommand rule
	arg      string // a first-arg rule (+cmd|arg)
	firstArg bool
	allow    bool
}

func (r rule) name() string {
	switch {
	case r.cat != "":
		return "@" + r.cat
	case r.firstArg:
		return r.cmd + "|" + r.arg
	case r.sub != "":
		return r.cmd + "|" + r.sub
	}
	return r.cmd
}

func (r rule) text() string {
	if r.allow {
		return "+" + r.name()
	}
	return "-" + r.name()
}

// Users is a server's users, kept sorted by name (Redis's radix tree).
type Users struct {
	list  []*User
	known Known
	cats  *Categories
}

// New returns the users of a server just started: only the default user,
// "on nopass ~* &* +@all". known validates command names in rules; cats
// (nil: only @all) the category rules.
func New(known Known, cats *Categories) *Users {
	us := &Users{known: known, cats: cats}
	us.list = []*User{us.defaultUser()}
	return us
}

func (us *Users) defaultUser() *User {
	return &User{Name: "default", On: true, NoPass: true, AllKeys: true, AllChannels: true, allCommands: true, cats: us.cats}
}

// Lookup returns the user called name, or nil.
func (us *Users) Lookup(name string) *User {
	for _, u := range us.list {
		if u.Name == name {
			return u
		}
	}
	return nil
}

// Default returns the default user.
func (us *Users) Default() *User { return us.Lookup("default") }

// All returns the users in name order.
func (us *Users) All() []*User { return slices.Clone(us.list) }

// Names returns the user names in order.
func (us *Users) Names() []string {
	out := make([]string, len(us.list))
	for i, u := range us.list {
		out[i] = u.Name
	}
	return out
}

// Error is an ACL SETUSER failure; its text is Redis's, without "ERR ".
type Error struct{ Text string }

func (e *Error) Error() string { return e.Text }

// SetUser is ACL SETUSER name ops...: the user is created if missing (off,
// no passwords, no keys, no channels — acl-pubsub-default resetchannels —,
// -@all) and every modifier applied to a copy; on the first bad modifier
// nothing changes and the error names it.
func (us *Users) SetUser(name string, ops []string) error {
	old := us.Lookup(name)
	u := &User{Name: name, cats: us.cats}
	if old != nil {
		u = old.clone()
	}
	for _, op := range ops {
		if msg := us.apply(u, op); msg != "" {
			return &Error{"Error in ACL SETUSER modifier '" + op + "': " + msg}
		}
	}
	if old != nil {
		*old = *u
		return nil
	}
	i, _ := slices.BinarySearchFunc(us.list, name, func(x *User, n string) int { return strings.Compare(x.Name, n) })
	us.list = slices.Insert(us.list, i, u)
	return nil
}

// DelUser is ACL DELUSER: it removes the named users that exist and
// returns them (the caller disconnects their clients). The default user
// cannot be removed: that error comes before anything is deleted.
func (us *Users) DelUser(names []string) ([]*User, error) {
	if slices.Contains(names, "default") {
		return nil, &Error{"The 'default' user cannot be removed"}
	}
	var gone []*User
	for _, n := range names {
		if u := us.Lookup(n); u != nil {
			gone = append(gone, u)
			us.list = slices.DeleteFunc(us.list, func(x *User) bool { return x == u })
		}
	}
	return gone, nil
}

// SetDefaultPassword is what requirepass does to the default user
// (ACLUpdateDefaultUserPassword): resetpass, then >pass, or nopass for "".
func (us *Users) SetDefaultPassword(pass string) {
	u := us.Default()
	u.passwords, u.NoPass = nil, false
	if pass == "" {
		u.NoPass = true
		return
	}
	u.passwords = []string{hash(pass)}
}

// Authenticate is ACLCheckUserCredentials: the user exists, is on, and
// either has nopass or has pass among its passwords. It returns the user,
// or nil (WRONGPASS).
func (us *Users) Authenticate(name, pass string) *User {
	u := us.Lookup(name)
	if u == nil || !u.On {
		return nil
	}
	if u.NoPass || slices.Contains(u.passwords, hash(pass)) {
		return u
	}
	return nil
}

// List is ACL LIST: one description per user, in name order.
func (us *Users) List() []string {
	out := make([]string, len(us.list))
	for i, u := range us.list {
		out[i] = u.Describe()
	}
	return out
}

func hash(pass string) string {
	sum := sha256.Sum256([]byte(pass))
	return hex.EncodeToString(sum[:])
}

func (u *User) clone() *User {
	c := *u
	c.passwords = slices.Clone(u.passwords)
	c.keys = slices.Clone(u.keys)
	c.channels = slices.Clone(u.channels)
	c.rules = slices.Clone(u.rules)
	return &c
}

// apply applies one modifier (ACLSetUser); it returns the reason it is
// refused, or "".
func (us *Users) apply(u *User, op string) string {
	if op == "" {
		return "Syntax error"
	}
	switch strings.ToLower(op) {
	case "on":
		u.On = true
	case "off":
		u.On = false
	case "sanitize-payload", "skip-sanitize-payload":
		u.sanitize = strings.ToLower(op)
	case "nopass":
		u.NoPass, u.passwords = true, nil
	case "resetpass":
		u.NoPass, u.passwords = false, nil
	case "allkeys", "~*":
		u.AllKeys, u.keys = true, nil
	case "resetkeys":
		u.AllKeys, u.keys = false, nil
	case "allchannels", "&*":
		u.AllChannels, u.channels = true, nil
	case "resetchannels":
		u.AllChannels, u.channels = false, nil
	case "allcommands", "+@all":
		u.allCommands, u.rules = true, nil
	case "nocommands", "-@all":
		u.allCommands, u.rules = false, nil
	case "reset":
		*u = User{Name: u.Name, sanitize: "sanitize-payload", cats: u.cats}
	case "clearselectors":
		// No selectors are modelled, so there are none to clear.
	default:
		return us.applyArg(u, op)
	}
	return ""
}

// SyntaxError is the part of ACLSetUser's check of one modifier that
// needs neither the command table nor the user (what a config file's user
// directive is checked for when it is read): Redis's reason, or "".
func SyntaxError(op string) string {
	switch {
	case op == "":
		return "Syntax error"
	case op[0] == '#' || op[0] == '!':
		if !isHash(op[1:]) {
			return errHash
		}
	case strings.ContainsRune("><~%&+-(", rune(op[0])) || op[len(op)-1] == ')':
	case slices.Contains(flagModifiers, strings.ToLower(op)):
	default:
		return "Syntax error"
	}
	return ""
}

// flagModifiers are the modifiers without an argument.
var flagModifiers = []string{"on", "off", "skip-sanitize-payload", "sanitize-payload", "nopass", "resetpass",
	"allkeys", "resetkeys", "allchannels", "resetchannels", "allcommands", "nocommands", "reset", "clearselectors"}

const errHash = "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"

// applyArg applies a modifier that carries an argument.
func (us *Users) applyArg(u *User, op string) string {
	arg := op[1:]
	switch op[0] {
	case '>':
		u.addPassword(hash(arg))
	case '#':
		if !isHash(arg) {
			return errHash
		}
		u.addPassword(arg)
	case '<', '!':
		h := arg
		if op[0] == '<' {
			h = hash(arg)
		} else if !isHash(arg) {
			return errHash
		}
		if !slices.Contains(u.passwords, h) {
			return "The password you are trying to remove from the user does not exist"
		}
		u.passwords = slices.DeleteFunc(u.passwords, func(p string) bool { return p == h })
	case '~', '%':
		if u.AllKeys {
			return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"
		}
		if op[0] == '%' {
			perm, _, ok := strings.Cut(arg, "~")
			if !ok || perm == "" || strings.Trim(strings.ToUpper(perm), "RW") != "" {
				return "Syntax error"
			}
		}
		if !slices.Contains(u.keys, op) {
			u.keys = append(u.keys, op)
		}
	case '&':
		if u.AllChannels {
			return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"
		}
		if !slices.Contains(u.channels, arg) {
			u.channels = append(u.channels, arg)
		}
	case '+', '-':
		return us.commandRule(u, op[0] == '+', arg)
	case '(':
		return "not modelled by the simulation (selectors)"
	default:
		return "Syntax error"
	}
	return ""
}

func (u *User) addPassword(h string) {
	if !slices.Contains(u.passwords, h) {
		u.passwords = append(u.passwords, h)
	}
	u.NoPass = false
}

func isHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if (h[i] < '0' || h[i] > '9') && (h[i] < 'a' || h[i] > 'f') {
			return false
		}
	}
	return true
}

// commandRule is ±@category, ±cmd, ±cmd|sub and +cmd|first-arg, with the
// checks of ACLSetSelector in 7.0.15's order.
func (us *Users) commandRule(u *User, allow bool, name string) string {
	const unknown = "Unknown command or category name in ACL"
	name = strings.ToLower(name)
	if cat, ok := strings.CutPrefix(name, "@"); ok {
		switch {
		case !slices.Contains(RedisCategories, cat):
			return unknown
		case us.cats == nil:
			return "not modelled by the simulation (command categories other than @all)"
		case !slices.Contains(us.cats.Names, cat):
			return unknown
		}
		u.addRule(rule{cat: cat, allow: allow})
		return ""
	}
	known := func(cmd, sub string) (bool, bool) {
		if us.known == nil {
			return true, false
		}
		return us.known(cmd, sub)
	}
	// lookup is ACLLookupCommand: a command, or a container's subcommand.
	lookup := func(name string) bool {
		cmd, sub, hasSub := strings.Cut(name, "|")
		found, container := known(cmd, "")
		switch {
		case !found || !hasSub:
			return found
		case !container || sub == "" || strings.Contains(sub, "|"):
			return false
		}
		ok, _ := known(cmd, sub)
		return ok
	}
	i := strings.LastIndexByte(name, '|')
	switch {
	case i < 0:
		if !lookup(name) {
			return unknown
		}
		u.addRule(rule{cmd: name, allow: allow})
		return ""
	case !allow:
		// -cmd|sub: the subcommand must exist; there is no
		// -<command>|<first-arg> in 7.0.15.
		if !lookup(name) {
			return unknown
		}
		cmd, sub, _ := strings.Cut(name, "|")
		u.addRule(rule{cmd: cmd, sub: sub})
		return ""
	}
	cmd, sub := name[:i], name[i+1:]
	if !lookup(cmd) {
		return unknown
	}
	if strings.Contains(cmd, "|") {
		return "Allowing first-arg of a subcommand is not supported"
	}
	if sub == "" {
		return "Syntax error"
	}
	if _, container := known(cmd, ""); container {
		if ok, _ := known(cmd, sub); !ok {
			return unknown
		}
		u.addRule(rule{cmd: cmd, sub: sub, allow: true})
		return ""
	}
	u.addRule(rule{cmd: cmd, arg: sub, firstArg: true, allow: true})
	return ""
}

// addRule records a rule, dropping the earlier rules it overrides (the
// same category, command, subcommand or first-arg; a whole-command rule
// overrides its subcommands' and first arguments' rules).
func (u *User) addRule(r rule) {
	u.rules = slices.DeleteFunc(u.rules, func(x rule) bool {
		if r.cat != "" || x.cat != "" {
			return x.cat == r.cat
		}
		if x.cmd != r.cmd {
			return false
		}
		if r.sub == "" && !r.firstArg {
			return true
		}
		return x.sub == r.sub && x.firstArg == r.firstArg && x.arg == r.arg
	})
	u.rules = append(u.rules, r)
}

// eval is the permission bit of cmd (or its subcommand sub) and the
// first arguments it is allowed with, after the rules keep allows.
func (u *User) eval(cmd, sub string, keep func(rule) bool) (bool, []string) {
	ok := u.allCommands
	var args []string
	for _, r := range u.rules {
		if keep != nil && !keep(r) {
			continue
		}
		switch {
		case r.cat != "":
			if u.cats != nil && u.cats.In(cmd, sub, r.cat) {
				ok, args = r.allow, nil
			}
		case r.cmd != cmd:
		case r.firstArg:
			if sub == "" {
				args = append(args, r.arg)
			}
		case r.sub == "" || r.sub == sub:
			ok, args = r.allow, nil
		}
	}
	return ok, args
}

// Unrestricted reports whether u may run every command on every key and
// channel (+@all ~* &* and no rule since): nothing to check per command.
func (u *User) Unrestricted() bool {
	return u.allCommands && len(u.rules) == 0 && u.AllKeys && u.AllChannels
}

// CanRun reports whether u may run cmd (lower case), or cmd's subcommand
// sub, whatever its arguments (ACLSelectorCheckCmd's command bits).
func (u *User) CanRun(cmd, sub string) bool {
	ok, _ := u.eval(cmd, sub, nil)
	return ok
}

// CanRunArgs is ACLSelectorCheckCmd: whether u may run cmd (or its
// subcommand sub) with the arguments args (the whole argv): by its
// permission bit, or for a command without subcommands by a first-arg
// rule matching args[1] (case-insensitive).
func (u *User) CanRunArgs(cmd, sub string, args []string) bool {
	ok, first := u.eval(cmd, sub, nil)
	if ok {
		return true
	}
	if sub == "" && len(args) > 1 {
		for _, a := range first {
			if strings.EqualFold(a, args[1]) {
				return true
			}
		}
	}
	return false
}

// CanKey reports whether u may read and write key.
func (u *User) CanKey(key string) bool {
	if u.AllKeys {
		return true
	}
	for _, p := range u.keys {
		perm, pat, _ := strings.Cut(p, "~")
		if perm != "" && !(strings.ContainsAny(perm, "Rr") && strings.ContainsAny(perm, "Ww")) {
			continue
		}
		if Match(pat, key) {
			return true
		}
	}
	return false
}

// CanChannel reports whether u may use channel; literal is true for a
// pattern subscription, where the pattern must equal one of the user's
// (ACLCheckChannelAgainstList).
func (u *User) CanChannel(channel string, literal bool) bool {
	if u.AllChannels {
		return true
	}
	for _, p := range u.channels {
		if (literal && p == channel) || (!literal && Match(p, channel)) {
			return true
		}
	}
	return false
}

// Flags are the user's flags as ACL GETUSER lists them.
func (u *User) Flags() []string {
	f := []string{"off"}
	if u.On {
		f[0] = "on"
	}
	if u.NoPass {
		f = append(f, "nopass")
	}
	if u.sanitize != "" {
		f = append(f, u.sanitize)
	}
	return f
}

// Passwords are the SHA-256 digests of the user's passwords.
func (u *User) Passwords() []string { return slices.Clone(u.passwords) }

// KeysText is the key part of the description ("~*", "~a %R~b", "").
func (u *User) KeysText() string {
	if u.AllKeys {
		return "~*"
	}
	return strings.Join(u.keys, " ")
}

// ChannelsText is the channel part as ACL GETUSER shows it ("&*",
// "&a &b", "").
func (u *User) ChannelsText() string {
	if u.AllChannels {
		return "&*"
	}
	cs := make([]string, len(u.channels))
	for i, c := range u.channels {
		cs[i] = "&" + c
	}
	return strings.Join(cs, " ")
}

// CommandsText is the command rules of the description (see the package
// comment for how it differs from 7.0.15's).
func (u *User) CommandsText() string {
	out := []string{"-@all"}
	if u.allCommands {
		out[0] = "+@all"
	}
	var named []rule
	for _, r := range u.rules {
		if r.cat != "" {
			out = append(out, r.text())
		} else {
			named = append(named, r)
		}
	}
	slices.SortStableFunc(named, func(a, b rule) int { return strings.Compare(a.name(), b.name()) })
	catsOnly := func(x rule) bool { return x.cat != "" }
	noSubs := func(x rule) bool { return x.sub == "" && !x.firstArg }
	for _, r := range named {
		switch {
		case r.firstArg:
			// Shown while the command itself stays denied.
			if ok, first := u.eval(r.cmd, "", nil); ok || !slices.Contains(first, r.arg) {
				continue
			}
		case r.sub != "":
			// Shown when it changes what its command's rules give.
			if ok, _ := u.eval(r.cmd, r.sub, noSubs); ok == r.allow {
				continue
			}
			if ok, _ := u.eval(r.cmd, r.sub, nil); ok != r.allow {
				continue // a later category rule overrode it
			}
		default:
			// Shown when it changes what the base and categories give.
			if ok, _ := u.eval(r.cmd, "", catsOnly); ok == r.allow {
				continue
			}
			if ok, _ := u.eval(r.cmd, "", nil); ok != r.allow {
				continue // a later category rule overrode it
			}
		}
		out = append(out, r.text())
	}
	return strings.Join(out, " ")
}

// Describe is the user's ACL LIST line (ACLDescribeUser).
func (u *User) Describe() string {
	w := append([]string{"user", u.Name}, u.Flags()...)
	for _, p := range u.passwords {
		w = append(w, "#"+p)
	}
	if k := u.KeysText(); k != "" {
		w = append(w, k)
	}
	if !u.AllChannels {
		w = append(w, "resetchannels")
	}
	if c := u.ChannelsText(); c != "" {
		w = append(w, c)
	}
	w = append(w, u.CommandsText())
	return strings.Join(w, " ")
}

// Match is Redis's stringmatchlen, case-sensitive: *, ?, [...] with ^ and
// ranges, and \ escapes.
func Match(pattern, s string) bool {
	for len(pattern) > 0 {
		switch pattern[0] {
		case '*':
			for len(pattern) > 1 && pattern[1] == '*' {
				pattern = pattern[1:]
			}
			if len(pattern) == 1 {
				return true
			}
			for i := 0; i <= len(s); i++ {
				if Match(pattern[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if len(s) == 0 {
				return false
			}
			s = s[1:]
		case '[':
			if len(s) == 0 {
				return false
			}
			p := pattern[1:]
			not := len(p) > 0 && p[0] == '^'
			if not {
				p = p[1:]
			}
			match := false
			for len(p) > 0 && p[0] != ']' {
				switch {
				case p[0] == '\\' && len(p) >= 2:
					match = match || p[1] == s[0]
					p = p[2:]
				case len(p) >= 3 && p[1] == '-':
					lo, hi := p[0], p[2]
					if lo > hi {
						lo, hi = hi, lo
					}
					match = match || (s[0] >= lo && s[0] <= hi)
					p = p[3:]
				default:
					match = match || p[0] == s[0]
					p = p[1:]
				}
			}
			if not {
				match = !match
			}
			if !match {
				return false
			}
			s = s[1:]
			if len(p) == 0 { // no closing bracket: the pattern ends here
				pattern = "]"
			} else {
				pattern = p
			}
		case '\\':
			if len(pattern) >= 2 {
				pattern = pattern[1:]
			}
			fallthrough
		default:
			if len(s) == 0 || pattern[0] != s[0] {
				return false
			}
			s = s[1:]
		}
		pattern = pattern[1:]
	}
	return len(s) == 0
}
