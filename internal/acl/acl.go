// Package acl is the part of Redis 7.0's access control lists that
// Sentinel deployments use, shared by the simulated data nodes (model) and
// the sentinels' own servers (sentinel): users with passwords, on/off,
// key and channel patterns and command rules; ACL SETUSER's modifiers with
// Redis 7.0.15's error texts; ACL LIST's description; authentication.
//
// Modelled modifiers: on, off, nopass, resetpass, >pass, <pass, #hash,
// !hash, ~pattern, allkeys, resetkeys, &pattern, allchannels,
// resetchannels, +@all, -@all, allcommands, nocommands, +cmd, -cmd,
// +cmd|sub, -cmd|sub, reset, sanitize-payload, skip-sanitize-payload.
// Not modelled (refused with an error that says so): command categories
// other than @all, %R~/%W~ key permissions, selectors, first-arg rules.
//
// Known differences from Redis: ACL LIST lists a user's command rules
// after +@all/-@all sorted by name, where Redis walks its command table
// (the same set of rules, possibly in another order).
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

// User is one ACL user.
type User struct {
	Name        string
	On          bool
	NoPass      bool
	passwords   []string // SHA-256 hex digests, in the order added
	AllKeys     bool
	keys        []string
	AllChannels bool
	channels    []string
	allCommands bool // the base: +@all or -@all
	rules       []rule
	sanitize    string // "", "sanitize-payload" or "skip-sanitize-payload"
}

// rule allows or denies one command (sub == "") or one subcommand.
type rule struct {
	cmd, sub string
	allow    bool
}

func (r rule) name() string {
	if r.sub == "" {
		return r.cmd
	}
	return r.cmd + "|" + r.sub
}

// Users is a server's users, kept sorted by name (Redis's radix tree).
type Users struct {
	list  []*User
	known Known
}

// New returns the users of a server just started: only the default user,
// "on nopass ~* &* +@all". known validates command names in rules.
func New(known Known) *Users {
	return &Users{list: []*User{defaultUser()}, known: known}
}

func defaultUser() *User {
	return &User{Name: "default", On: true, NoPass: true, AllKeys: true, AllChannels: true, allCommands: true}
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
	u := &User{Name: name}
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
		*u = User{Name: u.Name, sanitize: "sanitize-payload"}
	case "clearselectors":
		// No selectors are modelled, so there are none to clear.
	default:
		return us.applyArg(u, op)
	}
	return ""
}

// applyArg applies a modifier that carries an argument.
func (us *Users) applyArg(u *User, op string) string {
	arg := op[1:]
	switch op[0] {
	case '>':
		u.addPassword(hash(arg))
	case '#':
		if !isHash(arg) {
			return "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
		}
		u.addPassword(arg)
	case '<', '!':
		h := arg
		if op[0] == '<' {
			h = hash(arg)
		} else if !isHash(arg) {
			return "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
		}
		if !slices.Contains(u.passwords, h) {
			return "The password you are trying to remove from the user does not exist"
		}
		u.passwords = slices.DeleteFunc(u.passwords, func(p string) bool { return p == h })
	case '~':
		if u.AllKeys {
			return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"
		}
		if !slices.Contains(u.keys, arg) {
			u.keys = append(u.keys, arg)
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
	case '%', '(':
		return "not modelled by the simulation (key permissions %R~/%W~ and selectors)"
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

// commandRule is +cmd, -cmd, +cmd|sub, -cmd|sub, +@category.
func (us *Users) commandRule(u *User, allow bool, name string) string {
	const unknown = "Unknown command or category name in ACL"
	name = strings.ToLower(name)
	if strings.HasPrefix(name, "@") {
		return unknown // @all is handled by apply; other categories are not modelled
	}
	cmd, sub, hasSub := strings.Cut(name, "|")
	if hasSub && (sub == "" || strings.Contains(sub, "|")) {
		return unknown
	}
	if us.known != nil {
		found, container := us.known(cmd, "")
		if found && hasSub {
			if !container {
				// +cmd|arg on a command without subcommands is a first-arg
				// rule (allowed, not modelled); -cmd|arg is refused.
				if allow {
					return "not modelled by the simulation (first-arg rules)"
				}
				return unknown
			}
			found, _ = us.known(cmd, sub)
		}
		if !found {
			return unknown
		}
	}
	r := rule{cmd: cmd, sub: sub, allow: allow}
	// A later rule overrides earlier ones on the same command or
	// subcommand; a whole-command rule overrides its subcommands' rules.
	u.rules = slices.DeleteFunc(u.rules, func(x rule) bool { return x.cmd == cmd && (sub == "" || x.sub == sub) })
	u.rules = append(u.rules, r)
	return ""
}

// CanRun reports whether u may run cmd (lower case), or cmd's subcommand
// sub (ACLSelectorCheckCmd's command bits).
func (u *User) CanRun(cmd, sub string) bool {
	ok := u.allCommands
	for _, r := range u.rules {
		if r.cmd == cmd && (r.sub == "" || r.sub == sub) {
			ok = r.allow
		}
	}
	return ok
}

// CanKey reports whether u may access key.
func (u *User) CanKey(key string) bool {
	if u.AllKeys {
		return true
	}
	for _, p := range u.keys {
		if Match(p, key) {
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

// Describe is the user's ACL LIST line (ACLDescribeUser).
func (u *User) Describe() string {
	var b strings.Builder
	b.WriteString("user " + u.Name)
	if u.On {
		b.WriteString(" on")
	} else {
		b.WriteString(" off")
	}
	if u.NoPass {
		b.WriteString(" nopass")
	}
	if u.sanitize != "" {
		b.WriteString(" " + u.sanitize)
	}
	for _, p := range u.passwords {
		b.WriteString(" #" + p)
	}
	if u.AllKeys {
		b.WriteString(" ~*")
	}
	for _, k := range u.keys {
		b.WriteString(" ~" + k)
	}
	if u.AllChannels {
		b.WriteString(" &*")
	} else {
		b.WriteString(" resetchannels")
		for _, c := range u.channels {
			b.WriteString(" &" + c)
		}
	}
	if u.allCommands {
		b.WriteString(" +@all")
	} else {
		b.WriteString(" -@all")
	}
	rules := slices.Clone(u.rules)
	slices.SortFunc(rules, func(a, b rule) int { return strings.Compare(a.name(), b.name()) })
	for _, r := range rules {
		// A rule that only repeats what the base or its command's rule
		// says is not shown (+@all +get is +@all).
		parent := u.allCommands
		if r.sub != "" {
			parent = u.CanRun(r.cmd, "")
		}
		if r.allow == parent {
			continue
		}
		if r.allow {
			b.WriteString(" +" + r.name())
		} else {
			b.WriteString(" -" + r.name())
		}
	}
	return b.String()
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
