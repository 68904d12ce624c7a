package model

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/acl"
	"github.com/sentinelsim/sentinelsim/internal/info"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/model/keyspace"
)

// Error replies exactly as Redis 7.0.15 words them.
const (
	errNoAuth     = "NOAUTH Authentication required."
	errWrongPass  = "WRONGPASS invalid username-password pair or user is disabled."
	errNoPassword = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
	errReadOnly   = "READONLY You can't write against a read only replica."
	errNoReplicas = "NOREPLICAS Not enough good replicas to write."
	errMasterDown = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."
	errLoading    = "LOADING Redis is loading the dataset in memory"
	errBusy       = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
	errMisconf    = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error."
	// errMisconfAOF is what a failed AOF write gives (strerror of ENOSPC).
	errMisconfAOF  = "MISCONF Errors writing to the AOF file: No space left on device"
	errExecAbort   = "EXECABORT Transaction discarded because of previous errors."
	errExecAbortOf = "EXECABORT Transaction discarded because of: "
	errNoMulti     = "ERR Command not allowed inside a transaction"
	errNotBusy     = "NOTBUSY No scripts in execution right now."
	errNoConfFile  = "ERR The server is running without a config file"
	errSyntax      = "ERR syntax error"
	errNotInteger  = "ERR value is not an integer or out of range"
	errUnblocked   = "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)"
)

// cmdFlags are the command-table flags that decide what a command may do in
// each node state: Redis's CMD_WRITE, CMD_STALE, CMD_LOADING, CMD_NO_AUTH,
// CMD_ALLOW_BUSY, CMD_NO_MULTI, whether a subscribed RESP2 client may call
// it, and whether it runs at once inside MULTI instead of being queued.
type cmdFlags uint16

const (
	fWrite   cmdFlags = 1 << iota
	fStale            // allowed on a replica whose link is down with serve-stale-data no
	fLoading          // allowed while loading
	fNoAuth           // allowed before AUTH
	fBusy             // allowed while a script is busy
	fPubSub           // allowed for a subscribed RESP2 client
	fNoMulti          // refused inside MULTI
	fNow              // runs at once inside MULTI (MULTI, EXEC, DISCARD, QUIT)
)

// nodeCmd is a command-table entry: Redis arity (n exact, -n at least n,
// the name counts), flags, and for container commands their subcommands.
type nodeCmd struct {
	arity int
	flags cmdFlags
	subs  map[string]nodeCmd
}

const fLS = fLoading | fStale

// nodeCommands are the commands the node implements itself, with the arity
// and flags of Redis 7.0.15's COMMAND INFO; data commands go to the
// keyspace.
var nodeCommands = map[string]nodeCmd{
	"PING":      {-1, fPubSub, nil},
	"ECHO":      {2, fLS, nil},
	"AUTH":      {-2, fNoAuth | fLS | fBusy, nil},
	"SELECT":    {2, fLS, nil},
	"QUIT":      {-1, fNoAuth | fLS | fBusy | fPubSub | fNow, nil},
	"INFO":      {-1, fLS, nil},
	"ROLE":      {1, fLS, nil},
	"REPLICAOF": {3, fStale, nil},
	"SLAVEOF":   {3, fStale, nil},
	"CONFIG": {-2, 0, map[string]nodeCmd{
		"GET": {-3, fLS, nil}, "SET": {-4, fLS, nil}, "REWRITE": {2, fLS, nil}, "RESETSTAT": {2, fLS, nil},
	}},
	"CLIENT": {-2, 0, map[string]nodeCmd{
		"SETNAME": {3, fLS, nil}, "GETNAME": {2, fLS, nil}, "ID": {2, fLS, nil}, "KILL": {-3, fLS, nil},
	}},
	"MULTI":       {1, fLS | fBusy | fNow, nil},
	"EXEC":        {1, fLS | fNow, nil},
	"DISCARD":     {1, fLS | fBusy | fNow, nil},
	"SUBSCRIBE":   {-2, fPubSub | fLS, nil},
	"UNSUBSCRIBE": {-1, fPubSub | fLS, nil},
	"PUBLISH":     {3, fLS, nil},
	"WAIT":        {3, 0, nil},
	"DEBUG":       {-2, fLS, nil},
	"SHUTDOWN":    {-1, fLS | fBusy | fNoMulti, nil},
	"SCRIPT":      {-2, 0, map[string]nodeCmd{"KILL": {2, fBusy, nil}}},
	"EVAL":        {-3, fStale, nil},
	"SAVE":        {1, fNoMulti, nil},
	"BGSAVE":      {-1, 0, nil},
	"LASTSAVE":    {1, fLS, nil},
	"ACL": {-2, 0, map[string]nodeCmd{
		"SETUSER": {-3, fLS, nil}, "DELUSER": {-3, fLS, nil}, "WHOAMI": {2, fLS, nil},
		"LIST": {2, fLS, nil}, "USERS": {2, fLS, nil},
	}},
}

// lookup resolves a command name through rename-command. ok is false for an
// unknown (or renamed-away) command.
func (n *Node) lookup(name string) (string, bool) {
	up := upper(name)
	if orig, ok := n.alias[up]; ok {
		return orig, true
	}
	if n.gone[up] {
		return "", false
	}
	if _, ok := nodeCommands[up]; ok || keyspace.Supported(up) {
		return up, true
	}
	return "", false
}

// resolve is lookup and then spec: the command's real name, its table
// entry and full name, and the existence or arity error; ok is false for
// an unknown command. A command name is found by where its text is first:
// senders spell a command with the same string every time (a sentinel's
// PING, INFO and PUBLISH), so most are found without case-folding or
// hashing. Containers are not kept: their entry depends on the subcommand.
func (n *Node) resolve(args []string) (name string, c nodeCmd, fullname, errText string, ok bool) {
	text := args[0]
	if n.cmdMemo == nil {
		n.cmdMemo = new([cmdMemoSlots]cmdMemo)
	}
	slot := &n.cmdMemo[wire.TextSlot(text, cmdMemoBits)]
	if slot.name != "" && wire.SameText(slot.text, text) {
		if slot.c.arity != 0 && !arityOK(slot.c.arity, len(args)) {
			return slot.name, slot.c, slot.fullname, "ERR wrong number of arguments for '" + slot.fullname + "' command", true
		}
		return slot.name, slot.c, slot.fullname, "", true
	}
	if name, ok = n.lookup(text); !ok {
		return "", nodeCmd{}, "", "", false
	}
	c, fullname, errText = spec(name, args)
	if nodeCommands[name].subs == nil {
		*slot = cmdMemo{text: text, name: name, c: c, fullname: fullname}
	}
	return name, c, fullname, errText, true
}

// cmdMemo is a command name resolved before (its slot keeps the text
// alive: wire.SameText).
type cmdMemo struct {
	text, name, fullname string
	c                    nodeCmd
}

// cmdMemoSlots is the size of Node.cmdMemo (a power of two): a few times
// the names a steady state sends.
const (
	cmdMemoBits  = 6
	cmdMemoSlots = 1 << cmdMemoBits
)

// lowerNames maps the upper-case names of the known commands to lower case,
// so that the usual spelling needs no allocation per command.
var lowerNames = func() map[string]string {
	m := map[string]string{}
	for name := range nodeCommands {
		m[name] = strings.ToLower(name)
	}
	for name := range dataArity {
		m[name] = strings.ToLower(name)
	}
	return m
}()

func lowerName(name string) string {
	if l, ok := lowerNames[name]; ok {
		return l
	}
	return strings.ToLower(name)
}

// spec finds a command's table entry (the subcommand's, for a container)
// and its full name ("config|get"); errText is the existence or arity error
// processCommand rejects it with.
func spec(name string, args []string) (c nodeCmd, fullname, errText string) {
	c, isNode := nodeCommands[name]
	if !isNode {
		c = nodeCmd{arity: dataArity[name]}
		if keyspace.IsWrite(name) {
			c.flags |= fWrite
		}
	}
	fullname = lowerName(name)
	if c.subs != nil && len(args) >= 2 {
		sub, ok := c.subs[upper(args[1])]
		if !ok {
			return c, fullname, "ERR unknown subcommand '" + trunc(args[1], 128) + "'. Try " + upper(args[0]) + " HELP."
		}
		c, fullname = sub, fullname+"|"+strings.ToLower(args[1])
	}
	if c.arity != 0 && !arityOK(c.arity, len(args)) {
		return c, fullname, "ERR wrong number of arguments for '" + fullname + "' command"
	}
	return c, fullname, ""
}

func arityOK(arity, n int) bool {
	if arity >= 0 {
		return n == arity
	}
	return n >= -arity
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (n *Node) isReplica() bool { return n.repl.master != nil }

func (n *Node) busy() bool { return n.script != nil }

// command runs one command from a client connection, with the checks of
// processCommand in its order. reply is false when the reply comes later
// (WAIT, DEBUG SLEEP, a busy script) or never (the connection closed).
func (n *Node) command(env wire.Env, cn *conn, seq uint64, args []string) (v wire.Value, reply bool) {
	if len(args) == 0 {
		return wire.Error("ERR empty command"), true
	}
	name, c, fullname, errText, ok := n.resolve(args)
	if !ok {
		return n.reject(cn, false, keyspace.UnknownCommand(args).Str), true
	}
	isExec := name == "EXEC"
	if errText != "" {
		return n.reject(cn, isExec, errText), true
	}
	flags := c.flags
	if isExec && cn.inMulti {
		// EXEC is checked as the transaction: a write if anything queued
		// writes, stale-ok and loading-ok only if everything queued is.
		for _, q := range cn.queued {
			flags |= q.flags & fWrite
			flags &^= (fStale | fLoading) &^ q.flags
		}
	}
	if e := n.check(env, cn, name, fullname, args, flags); e != "" {
		return n.reject(cn, isExec, e), true
	}
	if cn.inMulti && flags&fNow == 0 {
		cn.queued = append(cn.queued, queuedCmd{args: append([]string{name}, args[1:]...), flags: c.flags})
		return wire.Status("QUEUED"), true
	}
	return n.execute(env, cn, seq, name, args, false)
}

// check is processCommand's state checks, in its order, for the command
// name (its real name) with flags: it returns the error the command is
// rejected with, or "".
func (n *Node) check(env wire.Env, cn *conn, name, fullname string, args []string, flags cmdFlags) string {
	write, ping := flags&fWrite != 0, name == "PING"
	switch {
	case n.authRequired(cn) && flags&fNoAuth == 0:
		return errNoAuth
	case cn.inMulti && flags&fNoMulti != 0:
		return errNoMulti
	}
	// ACLCheckAllPerm comes right after the NOAUTH and no-MULTI checks.
	if e := n.aclDenied(cn, name, fullname, args); e != "" {
		return e
	}
	switch {
	case (write || ping) && n.diskError() != "":
		return n.diskError()
	case write && !n.goodReplicasOK(env):
		return errNoReplicas
	case write && n.isReplica() && n.cfg.ReplicaReadOnly:
		return errReadOnly
	case cn.pubsub() && flags&fPubSub == 0:
		return "ERR Can't execute '" + fullname + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
	case n.isReplica() && !n.repl.linkUp() && !n.cfg.ReplicaServeStaleData && flags&fStale == 0:
		return errMasterDown
	case n.loading(env) && flags&fLoading == 0:
		return errLoading
	case n.busy() && flags&fBusy == 0:
		return errBusy
	}
	return ""
}

// reject is rejectCommand: the error flags the connection's transaction,
// so its EXEC aborts; an EXEC rejected itself discards the transaction and
// says why (execCommandAbort, which quotes the error without a leading
// "ERR ").
func (n *Node) reject(cn *conn, isExec bool, text string) wire.Value {
	text = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, text)
	if cn.inMulti {
		cn.multiErr = true
	}
	if isExec {
		cn.discardTx()
		return wire.Error(errExecAbortOf + strings.TrimPrefix(text, "ERR "))
	}
	return wire.Error(text)
}

func (n *Node) loading(env wire.Env) bool {
	return n.loadingUntil > 0 && env.Mono() < n.loadingUntil
}

// execute runs a command that passed the checks. inExec is true inside EXEC.
func (n *Node) execute(env wire.Env, cn *conn, seq uint64, name string, args []string, inExec bool) (wire.Value, bool) {
	switch name {
	case "PING", "PUBLISH", "INFO": // what sentinels send all the time, found without hashing the name
	default:
		if _, isNode := nodeCommands[name]; !isNode {
			return n.dataCommand(env, name, args), true
		}
	}
	switch name {
	case "PING":
		if len(args) > 2 {
			return wire.Error("ERR wrong number of arguments for 'ping' command"), true
		}
		if cn.pubsub() {
			msg := ""
			if len(args) > 1 {
				msg = args[1]
			}
			return wire.BulkArray("pong", msg), true
		}
		if len(args) == 2 {
			return wire.Bulk(args[1]), true
		}
		return wire.Status("PONG"), true
	case "ECHO":
		return wire.Bulk(args[1]), true
	case "AUTH":
		return n.auth(cn, args), true
	case "SELECT":
		return selectDB(cn, args[1]), true
	case "QUIT":
		cn.closeAfterReply = "quit"
		return wire.OK(), true
	case "INFO":
		return wire.Bulk(n.infos.Format(n.info(env), args[1:]...)), true
	case "ROLE":
		return info.Role(n.info(env), n.repl.roleState()), true
	case "REPLICAOF", "SLAVEOF":
		return n.replicaOf(env, cn, args), true
	case "CONFIG":
		return n.config(env, args), true
	case "CLIENT":
		return n.client(env, cn, args), true
	case "ACL":
		return n.aclCommand(env, cn, args), true
	case "MULTI":
		if cn.inMulti {
			return wire.Error("ERR MULTI calls can not be nested"), true
		}
		cn.discardTx()
		cn.inMulti = true
		return wire.OK(), true
	case "DISCARD":
		if !cn.inMulti {
			return wire.Error("ERR DISCARD without MULTI"), true
		}
		cn.discardTx()
		return wire.OK(), true
	case "EXEC":
		return n.exec(env, cn, seq)
	case "SUBSCRIBE":
		return n.subscribe(env, cn, args[1:]), true
	case "UNSUBSCRIBE":
		return n.unsubscribe(env, cn, args[1:]), true
	case "PUBLISH":
		count := n.publish(env, args[1], args[2])
		if !n.isReplica() && n.repl.streams() { // (the slice only when it is kept)
			n.repl.append(n, env, []string{"PUBLISH", args[1], args[2]})
		}
		return wire.Int(int64(count)), true
	case "WAIT":
		return n.waitCommand(env, cn, seq, args, inExec)
	case "DEBUG":
		return n.debug(env, cn, seq, args, inExec)
	case "SHUTDOWN":
		return n.shutdown(env, args)
	case "SCRIPT": // only KILL is in the table
		return n.scriptKill(env), true
	case "EVAL":
		return n.eval(env, cn, seq, args, inExec)
	case "SAVE":
		if !n.saveDataset(env) {
			return wire.Error("ERR"), true
		}
		return wire.OK(), true
	case "BGSAVE":
		n.saveDataset(env)
		return wire.Status("Background saving started"), true
	case "LASTSAVE":
		return wire.Int(int64(n.lastSaveWall) / 1000), true
	}
	return keyspace.UnknownCommand(args), true
}

// dataCommand runs a data command on the keyspace and, on a master,
// propagates a successful write to the replicas in the form Redis does
// (absolute expiry times, SPOP as SREM, float increments as their result),
// so that replicas compute exactly what the master did.
func (n *Node) dataCommand(env wire.Env, name string, args []string) wire.Value {
	now := env.Now()
	v := n.ks.Exec(now, args)
	if keyspace.IsWrite(name) && !v.IsError() {
		n.dirty = true
		if !n.isReplica() {
			for _, cmd := range keyspace.Propagate(now, args, v) {
				n.repl.append(n, env, cmd)
			}
		}
	}
	return v
}

// selectDB is SELECT: databases 0 to 15 exist. The node has one keyspace,
// which every database index shares.
func selectDB(cn *conn, arg string) wire.Value {
	id, ok := string2ll(arg)
	switch {
	case !ok:
		return wire.Error(errNotInteger)
	case id < math.MinInt32 || id > math.MaxInt32:
		return wire.Error("ERR value is out of range, value must between -2147483648 and 2147483647")
	case id < 0 || id > 15:
		return wire.Error("ERR DB index is out of range")
	}
	cn.db = int(id)
	return wire.OK()
}

// auth is AUTH [user] pass (authCommand): AUTH pass is AUTH default pass,
// refused outright while the default user needs no password. A failed AUTH
// leaves the connection as it was.
func (n *Node) auth(cn *conn, args []string) wire.Value {
	if len(args) > 3 {
		return wire.Error(errSyntax)
	}
	user, pass := "default", args[1]
	if len(args) == 3 {
		user, pass = args[1], args[2]
	} else if n.users.Default().NoPass {
		return wire.Error(errNoPassword)
	}
	u := n.users.Authenticate(user, pass)
	if u == nil {
		return wire.Error(errWrongPass)
	}
	cn.user, cn.authed = u, true
	return wire.OK()
}

// execRun is a transaction being executed; it can be suspended by a DEBUG
// SLEEP or a busy script among its commands, and resumed.
type execRun struct {
	cn   *conn
	seq  uint64
	cmds []queuedCmd
	out  []wire.Value
}

func (n *Node) exec(env wire.Env, cn *conn, seq uint64) (wire.Value, bool) {
	if !cn.inMulti {
		return wire.Error("ERR EXEC without MULTI"), true
	}
	cmds, failed := cn.queued, cn.multiErr
	cn.discardTx()
	if failed {
		return wire.Error(errExecAbort), true
	}
	return n.runExec(env, &execRun{cn: cn, seq: seq, cmds: cmds, out: make([]wire.Value, 0, len(cmds))})
}

// runExec runs the rest of a transaction. A DEBUG SLEEP in it blocks the
// node, and the commands after it run at the wake; a busy script blocks
// the connection, and the rest runs after SCRIPT KILL. The reply goes out
// when the last command has run.
func (n *Node) runExec(env wire.Env, x *execRun) (wire.Value, bool) {
	finish := func(env wire.Env) {
		before := n.repl.offset
		v, ok := n.runExec(env, x)
		if n.repl.offset != before {
			x.cn.woff = n.repl.offset
		}
		if ok {
			n.reply(env, x.cn, x.seq, v)
		}
	}
	for len(x.cmds) > 0 {
		args := x.cmds[0].args
		x.cmds = x.cmds[1:]
		if e := n.aclExecDenied(x.cn, args); e != "" {
			x.out = append(x.out, wire.Error(e))
			continue
		}
		v, ok := n.execute(env, x.cn, x.seq, args[0], args, true)
		if !ok { // a busy script: its result comes with SCRIPT KILL
			if s := n.script; s != nil && s.conn == x.cn {
				s.done = func(env wire.Env, v wire.Value) {
					x.out = append(x.out, v)
					finish(env)
				}
			}
			return wire.Value{}, false
		}
		x.out = append(x.out, v)
		if n.blockedUntil > 0 {
			n.resume = finish
			return wire.Value{}, false
		}
	}
	return wire.Array(x.out...), true
}

func (n *Node) subscribe(env wire.Env, cn *conn, channels []string) wire.Value {
	var first wire.Value
	for i, ch := range channels {
		if !contains(cn.channels, ch) {
			cn.channels = append(cn.channels, ch)
			n.subsValid = false
		}
		v := wire.Array(wire.Bulk("subscribe"), wire.Bulk(ch), wire.Int(int64(len(cn.channels))))
		if i == 0 {
			first = v
		} else {
			env.Send(cn.key.node, &wire.Push{Conn: cn.key.id, Value: v})
		}
	}
	return first
}

func (n *Node) unsubscribe(env wire.Env, cn *conn, channels []string) wire.Value {
	if len(channels) == 0 {
		channels = append([]string(nil), cn.channels...)
	}
	if len(channels) == 0 {
		return wire.Array(wire.Bulk("unsubscribe"), wire.Nil(), wire.Int(0))
	}
	var first wire.Value
	for i, ch := range channels {
		cn.channels = remove(cn.channels, ch)
		n.subsValid = false
		v := wire.Array(wire.Bulk("unsubscribe"), wire.Bulk(ch), wire.Int(int64(len(cn.channels))))
		if i == 0 {
			first = v
		} else {
			env.Send(cn.key.node, &wire.Push{Conn: cn.key.id, Value: v})
		}
	}
	return first
}

// publish delivers a message to this node's subscribers of channel.
func (n *Node) publish(env wire.Env, channel, msg string) int {
	subs := n.subscribers(channel)
	if len(subs) == 0 {
		return 0
	}
	a := n.messages.New() // one value for every subscriber: receivers only read it
	*a = [3]wire.Value{wire.Bulk("message"), wire.Bulk(channel), wire.Bulk(msg)}
	v := wire.Array(a[:]...)
	for _, c := range subs {
		p := n.pushes.New()
		*p = wire.Push{Conn: c.key.id, Value: v}
		env.Send(c.key.node, p)
	}
	return len(subs)
}

// subscribers returns the connections subscribed to channel, in connection
// order: kept for the last channel asked about until a subscription or a
// connection changes (every sentinel publishes its hellos on one channel
// every 2 s; looking through every connection's channels each time was
// most of a PUBLISH).
func (n *Node) subscribers(channel string) []*conn {
	if n.subsValid && n.subsChannel == channel {
		return n.subs
	}
	var subs []*conn // a new list: never changed in place, like sorted
	for _, c := range n.sortedConns() {
		if contains(c.channels, channel) {
			subs = append(subs, c)
		}
	}
	n.subs, n.subsChannel, n.subsValid = subs, channel, true
	return subs
}

// replicaOf is REPLICAOF / SLAVEOF (replicaofCommand).
func (n *Node) replicaOf(env wire.Env, cn *conn, args []string) wire.Value {
	who := " (user request from 'id=" + strconv.FormatUint(cn.order, 10) + "')"
	if strings.EqualFold(args[1], "no") && strings.EqualFold(args[2], "one") {
		if n.isReplica() {
			n.repl.becomeMaster(n, env)
			env.Emit("* MASTER MODE enabled" + who)
		}
		return wire.OK()
	}
	port, ok := string2ll(args[2])
	if !ok || port < 0 || port > 65535 {
		return wire.Error("ERR Invalid master port")
	}
	addr := wire.Addr{Host: args[1], Port: int(port)}
	if m := n.repl.master; m != nil && strings.EqualFold(m.addr.Host, addr.Host) && m.addr.Port == addr.Port {
		env.Emit("* REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.")
		return wire.Status("OK Already connected to specified master")
	}
	n.repl.becomeReplica(n, env, addr)
	env.Emit("* REPLICAOF " + addr.String() + " enabled" + who)
	return wire.OK()
}

// client is CLIENT SETNAME / GETNAME / ID / KILL.
func (n *Node) client(env wire.Env, cn *conn, args []string) wire.Value {
	switch upper(args[1]) {
	case "SETNAME":
		for i := 0; i < len(args[2]); i++ {
			if args[2][i] < '!' || args[2][i] > '~' {
				return wire.Error("ERR Client names cannot contain spaces, newlines or special characters.")
			}
		}
		cn.name = args[2]
		return wire.OK()
	case "GETNAME":
		if cn.name == "" {
			return wire.Nil()
		}
		return wire.Bulk(cn.name)
	case "ID":
		return wire.Int(int64(cn.order))
	}
	return n.clientKill(env, cn, args)
}

// clientKill is CLIENT KILL, old form (an address) and filter form (ID,
// TYPE normal|pubsub|master|replica|slave, ADDR, LADDR, USER, SKIPME). It
// really drops the victims' connections (spec §26.5): client connections,
// replicas, the link to the master. Killing itself (SKIPME no) closes the
// caller after its reply.
func (n *Node) clientKill(env wire.Env, self *conn, args []string) wire.Value {
	if len(args) == 3 {
		// Old form: the client at that address. Client connections have no
		// addresses in the simulation, so none matches.
		return wire.Error("ERR No such client")
	}
	if len(args)%2 != 0 {
		return wire.Error(errSyntax)
	}
	kind, id, skipMe, matchNone := "", int64(0), true, false
	var user *acl.User
	for i := 2; i < len(args); i += 2 {
		v := args[i+1]
		switch upper(args[i]) {
		case "ID":
			x, ok := string2ll(v)
			if !ok || x < 1 {
				return wire.Error("ERR client-id should be greater than 0")
			}
			id = x
		case "TYPE":
			kind = strings.ToLower(v)
			switch kind {
			case "normal", "pubsub", "master", "replica":
			case "slave":
				kind = "replica"
			default:
				return wire.Error("ERR Unknown client type '" + v + "'")
			}
		case "ADDR", "LADDR":
			matchNone = true
		case "USER":
			if user = n.users.Lookup(v); user == nil {
				return wire.Error("ERR No such user '" + v + "'")
			}
		case "SKIPME":
			switch strings.ToLower(v) {
			case "yes":
				skipMe = true
			case "no":
				skipMe = false
			default:
				return wire.Error(errSyntax)
			}
		default:
			return wire.Error(errSyntax)
		}
	}
	killed := 0
	if matchNone {
		return wire.Int(0)
	}
	if user != nil && kind == "" && id == 0 {
		// Only connections and replicas run as a user: the link to our
		// master (server.master, no user) never matches.
		return wire.Int(int64(n.killUserClients(env, self, user, skipMe)))
	}
	if user != nil {
		return wire.Error("ERR simulated node: CLIENT KILL USER combined with ID or TYPE is not modelled")
	}
	for _, c := range n.sortedConns() {
		switch {
		case kind != "" && kind != "normal" && kind != "pubsub",
			kind == "pubsub" && !c.pubsub(), kind == "normal" && c.pubsub(),
			id != 0 && c.order != uint64(id),
			c == self && skipMe:
			continue
		}
		killed++
		if c == self {
			c.closeAfterReply = "killed"
			continue
		}
		n.closeConn(env, c, "killed")
	}
	if id == 0 && (kind == "" || kind == "replica") {
		killed += n.repl.dropReplicas(env, "killed")
	}
	if id == 0 && (kind == "" || kind == "master") && n.repl.linkUp() {
		n.repl.dropMasterLink(env, "killed", true)
		killed++
	}
	return wire.Int(int64(killed))
}

// maxDebugSleep bounds DEBUG SLEEP, which Redis does not bound.
const maxDebugSleep = 24 * wire.Hour

// sleepDuration is what DEBUG SLEEP sleeps for arg: Redis reads it with
// strtod, multiplies by 10^6 into a long long and nanosleeps that many
// microseconds, so a negative, NaN, infinite or out-of-range value does not
// sleep at all (the conversion gives LLONG_MIN on x86-64). The result is
// rounded up to whole milliseconds and capped at maxDebugSleep.
func sleepDuration(arg string) wire.Duration {
	secs := strtod(arg)
	us := secs * 1e6
	if math.IsNaN(us) || us <= 0 || us >= math.MaxInt64 {
		return 0
	}
	ms := wire.Duration(math.Ceil(float64(int64(us)) / 1000))
	return min(ms, maxDebugSleep)
}

// strtod reads the longest prefix of s that is a floating-point number, as
// C's strtod does (leading white space skipped, out of range gives ±Inf);
// 0 if there is none. Unlike strtod it reads hexadecimal only with a
// binary exponent ("0x1p4").
func strtod(s string) float64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	if len(s) > 400 {
		s = s[:400] // longer prefixes do not change a double
	}
	for end := len(s); end > 0; end-- {
		v, err := strconv.ParseFloat(s[:end], 64)
		if err == nil || errors.Is(err, strconv.ErrRange) {
			return v
		}
	}
	return 0
}

func (n *Node) debug(env wire.Env, cn *conn, seq uint64, args []string, inExec bool) (wire.Value, bool) {
	switch sub := upper(args[1]); {
	case sub == "SLEEP" && len(args) == 3:
		// DEBUG SLEEP blocks the event loop, inside EXEC too: nothing is
		// handled, not even timers, until it ends; then its reply goes out
		// first (or the rest of its transaction runs).
		d := sleepDuration(args[2])
		if d == 0 {
			return wire.OK(), true
		}
		if inExec {
			n.sleep(env, d, nil) // runExec takes it from here
			return wire.OK(), true
		}
		n.sleep(env, d, func(env wire.Env) { n.reply(env, cn, seq, wire.OK()) })
		return wire.Value{}, false
	case sub == "SIMULATE-BGSAVE-ERROR" && len(args) == 3:
		// Not in Redis: makes the disk fail, so background saves (or AOF
		// writes) fail, which is what makes a real node answer -MISCONF
		// (spec §26.1).
		n.bgsaveError = args[2] == "1"
		return wire.OK(), true
	}
	return wire.Error("ERR unknown subcommand or wrong number of arguments for '" + trunc(args[1], 128) + "'. Try " + upper(args[0]) + " HELP."), true
}

// shutdown is SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. The node stops
// at once: Redis 7.0's wait for lagging replicas (shutdown-timeout) is not
// modelled, so there is never a shutdown in progress to abort.
func (n *Node) shutdown(env wire.Env, args []string) (wire.Value, bool) {
	var nosave, save, force, abort, other bool
	for _, a := range args[1:] {
		switch upper(a) {
		case "NOSAVE":
			nosave = true
		case "SAVE":
			save = true
		case "NOW":
			other = true
		case "FORCE":
			force, other = true, true
		case "ABORT":
			abort = true
		default:
			return wire.Error(errSyntax), true
		}
	}
	switch {
	case (abort && (nosave || save || other)) || (nosave && save):
		return wire.Error(errSyntax), true
	case abort:
		return wire.Error("ERR No shutdown in progress."), true
	case !nosave && n.busy():
		return wire.Error(errBusy), true
	}
	// An RDB is written with SAVE or with save points unless NOSAVE; the
	// AOF is always flushed.
	rdb := save || (!nosave && n.cfg.Persistence == PersistRDB)
	if (rdb || n.cfg.Persistence == PersistAOF) && !n.saveDataset(env) && rdb && !force {
		env.Emit("# Error trying to save the DB, can't exit.")
		return wire.Error("ERR Errors trying to SHUTDOWN. Check logs."), true
	}
	env.Emit("# User requested shutdown...")
	for _, c := range n.sortedConns() {
		n.closeConn(env, c, "shutdown")
	}
	n.repl.shutdown(env)
	n.script = nil
	env.Emit("# Redis is now ready to exit, bye bye...")
	n.dead = true
	return wire.Value{}, false
}

// eval models only the script that never ends: it makes the node answer
// -BUSY until SCRIPT KILL (spec §7.1, §26.1). Its caller is blocked; the
// kill error is its reply.
func (n *Node) eval(env wire.Env, cn *conn, seq uint64, args []string, inExec bool) (wire.Value, bool) {
	if !strings.Contains(args[1], "while true") {
		return wire.Error("ERR simulated node: EVAL runs only the busy-loop script ('while true do end')"), true
	}
	sum := sha1.Sum([]byte(args[1]))
	s := &busyScript{conn: cn, sha: hex.EncodeToString(sum[:])}
	if !inExec {
		s.done = func(env wire.Env, v wire.Value) { n.reply(env, cn, seq, v) }
	}
	n.script = s
	cn.blocked = true
	env.Emit("# Lua slow script detected: still in execution after 5000 milliseconds")
	return wire.Value{}, false
}

// scriptKill is SCRIPT KILL: the script's caller gets the error Redis
// gives, then its held commands run.
func (n *Node) scriptKill(env wire.Env) wire.Value {
	s := n.script
	if s == nil {
		return wire.Error(errNotBusy)
	}
	n.script = nil
	env.Emit("# Script killed by user with SCRIPT KILL...")
	if s.done != nil && n.alive(s.conn) {
		s.done(env, wire.Error("ERR Script killed by user with SCRIPT KILL... script: "+s.sha+", on @user_script:1."))
	}
	if n.script == nil || n.script.conn != s.conn {
		n.release(env, s.conn)
	}
	return wire.OK()
}

// string2ll parses an integer as Redis's string2ll does: an optional
// minus, no plus, no leading zeros, no spaces, within int64.
func string2ll(s string) (int64, bool) {
	if s == "0" {
		return 0, true
	}
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	if s == "" || s[0] < '1' || s[0] > '9' || len(s) > 19 {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + uint64(s[i]-'0')
	}
	switch {
	case neg && v <= 1<<63:
		return -int64(v-1) - 1, true
	case !neg && v <= math.MaxInt64:
		return int64(v), true
	}
	return 0, false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func remove(list []string, s string) []string {
	out := list[:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}
