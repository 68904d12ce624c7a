package model

import (
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/acl"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/model/keyspace"
)

// ACL users on the node (Redis 7.0's acl.c, the part Sentinel deployments
// use; internal/acl has the users and the rules).

// knownCommand is the command table ACL SETUSER checks +cmd and
// +cmd|sub against: the node's own commands with their subcommands, and
// every Redis 7.0 command the keyspace knows.
func knownCommand(cmd, sub string) (found, container bool) {
	up := upper(cmd)
	if c, ok := nodeCommands[up]; ok {
		if sub == "" {
			return true, c.subs != nil
		}
		_, ok := c.subs[upper(sub)]
		return ok, c.subs != nil
	}
	return sub == "" && keyspace.IsRedisCommand(up), false
}

// authRequired is authRequired(): the default user needs a password or is
// off, and the connection has not authenticated.
func (n *Node) authRequired(cn *conn) bool {
	def := n.users.Default()
	return (!def.NoPass || !def.On) && !cn.authed
}

// ACL denials (ACL_DENIED_*).
const (
	aclOK = iota
	aclDeniedCmd
	aclDeniedKey
	aclDeniedChannel
)

// aclDenied is processCommand's ACL check: the NOPERM error, or "".
func (n *Node) aclDenied(cn *conn, name, fullname string, args []string) string {
	switch n.aclCheck(cn, name, fullname, args) {
	case aclDeniedCmd:
		return "NOPERM this user has no permissions to run the '" + fullname + "' command"
	case aclDeniedKey:
		return "NOPERM this user has no permissions to access one of the keys used as arguments"
	case aclDeniedChannel:
		return "NOPERM this user has no permissions to access one of the channels used as arguments"
	}
	return ""
}

// aclExecDenied is execCommand's check of each queued command against the
// ACLs as they are at EXEC: the error that replaces the command's reply,
// or "".
func (n *Node) aclExecDenied(cn *conn, args []string) string {
	_, fullname, _ := spec(args[0], args)
	reason := ""
	switch n.aclCheck(cn, args[0], fullname, args) {
	case aclDeniedCmd:
		reason = "no permission to execute the command or subcommand"
	case aclDeniedKey:
		reason = "no permission to touch the specified keys"
	case aclDeniedChannel:
		reason = "no permission to access one of the channels used as arguments"
	default:
		return ""
	}
	return "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: " + reason
}

// aclCheck is ACLCheckAllPerm for a command that passed the lookup: the
// command (or subcommand), then its keys, then its channels.
func (n *Node) aclCheck(cn *conn, name, fullname string, args []string) int {
	u := cn.user
	if u == nil || u.Unrestricted() {
		return aclOK // the node's own checks (a PING it runs on itself), or a user allowed everything
	}
	// Commands allowed before authentication (AUTH, QUIT; HELLO in Redis)
	// need no command permission either (ACLSelectorCheckCmd).
	_, sub, _ := strings.Cut(fullname, "|")
	if nodeCommands[name].flags&fNoAuth == 0 && !u.CanRunArgs(strings.ToLower(name), sub, args) {
		return aclDeniedCmd
	}
	for _, k := range commandKeys(name, args) {
		if !u.CanKey(k) {
			return aclDeniedKey
		}
	}
	var channels []string
	switch name {
	case "SUBSCRIBE":
		channels = args[1:]
	case "PUBLISH":
		channels = args[1:2]
	}
	for _, ch := range channels {
		if !u.CanChannel(ch, false) {
			return aclDeniedChannel
		}
	}
	return aclOK
}

// commandKeys returns the key arguments of a data command, after its key
// specs in Redis 7.0.15's command table.
func commandKeys(name string, args []string) []string {
	if _, isNode := nodeCommands[name]; isNode || len(args) < 2 {
		return nil
	}
	// numkeys: keys counted by the argument at position at, starting after
	// it (dest: one key before the count).
	numkeys := func(at int, dest bool) []string {
		var keys []string
		if dest {
			keys = append(keys, args[1])
		}
		if at >= len(args) {
			return keys
		}
		count, ok := string2ll(args[at])
		if !ok || count < 0 {
			return keys
		}
		for i := at + 1; i < len(args) && int64(i-at) <= count; i++ {
			keys = append(keys, args[i])
		}
		return keys
	}
	switch name {
	case "DBSIZE", "FLUSHALL", "FLUSHDB", "KEYS", "RANDOMKEY", "SCAN":
		return nil
	case "MGET", "DEL", "EXISTS", "TOUCH", "UNLINK", "SDIFF", "SINTER", "SUNION",
		"SDIFFSTORE", "SINTERSTORE", "SUNIONSTORE":
		return args[1:]
	case "MSET", "MSETNX":
		var keys []string
		for i := 1; i < len(args); i += 2 {
			keys = append(keys, args[i])
		}
		return keys
	case "RENAME", "RENAMENX", "RPOPLPUSH", "LMOVE", "SMOVE", "COPY":
		return args[1:min(3, len(args))]
	case "BITOP":
		if len(args) < 3 {
			return nil
		}
		return args[2:]
	case "ZINTERSTORE", "ZUNIONSTORE":
		return numkeys(2, true)
	case "ZINTER", "ZUNION", "SINTERCARD", "LMPOP", "ZMPOP":
		return numkeys(1, false)
	}
	return args[1:2]
}

// userLines are the current users as redis.conf user directives (without
// "user "), or nil when there is only the default user requirepass makes.
func (n *Node) userLines() []string {
	lines := n.users.List()
	if len(lines) == 1 {
		fresh := acl.New(nil, nil)
		fresh.SetDefaultPassword(n.cfg.RequirePass)
		if lines[0] == fresh.Default().Describe() {
			return nil
		}
	}
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "user ")
	}
	return lines
}

// aclCommand is ACL SETUSER / DELUSER / WHOAMI / LIST / USERS (arity
// checked by the command table).
func (n *Node) aclCommand(env wire.Env, cn *conn, args []string) wire.Value {
	switch upper(args[1]) {
	case "SETUSER":
		if err := n.users.SetUser(args[2], args[3:]); err != nil {
			return wire.Error("ERR " + err.Error())
		}
		return wire.OK()
	case "DELUSER":
		gone, err := n.users.DelUser(args[2:])
		if err != nil {
			return wire.Error("ERR " + err.Error())
		}
		// ACLFreeUserAndKillClients: the users' clients are disconnected,
		// the caller after its reply.
		for _, u := range gone {
			n.killUserClients(env, cn, u, false)
		}
		return wire.Int(int64(len(gone)))
	case "WHOAMI":
		return wire.Bulk(cn.user.Name)
	case "USERS":
		return wire.BulkArray(n.users.Names()...)
	}
	return wire.BulkArray(n.users.List()...) // LIST
}

// killUserClients disconnects every client running as u — connections
// (itself after its reply, unless skipMe) and replicas that authenticated
// as u — and returns how many.
func (n *Node) killUserClients(env wire.Env, self *conn, u *acl.User, skipMe bool) int {
	killed := 0
	for _, c := range n.sortedConns() {
		if c.user != u || (c == self && skipMe) {
			continue
		}
		killed++
		if c == self {
			c.closeAfterReply = "killed"
			continue
		}
		n.closeConn(env, c, "killed")
	}
	return killed + n.repl.dropReplicasOf(env, u.Name, "killed")
}
