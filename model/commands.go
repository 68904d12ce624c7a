package model

import (
	"path"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/info"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/model/keyspace"
)

// Error replies exactly as Redis 7.0 words them.
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
	errExecAbort  = "EXECABORT Transaction discarded because of previous errors."
	errNotBusy    = "NOTBUSY No scripts in execution right now."
	errNoConfFile = "ERR The server is running without a config file"
	errSyntax     = "ERR syntax error"
)

// cmdFlags are the command-table flags that decide what a command may do in
// each node state (Redis's CMD_WRITE, CMD_STALE, CMD_LOADING, CMD_NO_AUTH,
// CMD_ALLOW_BUSY, and whether a subscribed RESP2 client may call it).
type cmdFlags uint8

const (
	fWrite   cmdFlags = 1 << iota
	fStale            // allowed on a replica whose link is down with serve-stale-data no
	fLoading          // allowed while loading
	fNoAuth           // allowed before AUTH
	fBusy             // allowed while a script is busy
	fPubSub           // allowed for a subscribed RESP2 client
	fNoMulti          // executed at once, not queued, inside MULTI
)

type nodeCmd struct {
	arity int // Redis arity: n exact, -n at least n (the name counts)
	flags cmdFlags
}

// nodeCommands are the commands the node implements itself; data commands
// go to the keyspace.
var nodeCommands = map[string]nodeCmd{
	"PING":        {-1, fPubSub},
	"ECHO":        {2, 0},
	"AUTH":        {-2, fNoAuth | fStale | fLoading | fBusy | fNoMulti},
	"SELECT":      {2, fLoading | fStale},
	"QUIT":        {-1, fNoAuth | fStale | fLoading | fBusy | fPubSub | fNoMulti},
	"INFO":        {-1, fStale | fLoading},
	"ROLE":        {1, fStale | fLoading | fNoAuth},
	"REPLICAOF":   {3, fStale | fNoAuth},
	"SLAVEOF":     {3, fStale | fNoAuth},
	"CONFIG":      {-2, fStale | fLoading},
	"CLIENT":      {-2, fStale | fLoading},
	"MULTI":       {1, fStale | fLoading | fNoMulti},
	"EXEC":        {1, fStale | fLoading | fNoMulti},
	"DISCARD":     {1, fStale | fLoading | fNoMulti},
	"SUBSCRIBE":   {-2, fPubSub | fStale | fLoading},
	"UNSUBSCRIBE": {-1, fPubSub | fStale | fLoading},
	"PUBLISH":     {3, fStale | fLoading},
	"WAIT":        {3, 0},
	"DEBUG":       {-2, fStale | fLoading | fBusy},
	"SHUTDOWN":    {-1, fStale | fLoading | fBusy | fNoAuth},
	"SCRIPT":      {-2, fBusy},
	"EVAL":        {-3, 0},
	"SAVE":        {1, 0},
	"BGSAVE":      {-1, 0},
	"LASTSAVE":    {1, fStale | fLoading},
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

func unknownCommand(args []string) string {
	var b strings.Builder
	b.WriteString("ERR unknown command '")
	b.WriteString(args[0])
	b.WriteString("', with args beginning with: ")
	for _, a := range args[1:] {
		b.WriteString("'" + a + "' ")
	}
	return b.String()
}

func wrongArity(name string) wire.Value {
	return wire.Error("ERR wrong number of arguments for '" + strings.ToLower(name) + "' command")
}

func arityOK(arity, n int) bool {
	if arity >= 0 {
		return n == arity
	}
	return n >= -arity
}

func (n *Node) isReplica() bool { return n.repl.master != nil }

// command runs one command from a client connection, with Redis's checks in
// processCommand's order. reply is false when the reply comes later (WAIT,
// DEBUG SLEEP, a busy script) or never (the connection closed).
func (n *Node) command(env wire.Env, cn *conn, seq uint64, args []string) (v wire.Value, reply bool) {
	if len(args) == 0 {
		return wire.Error("ERR empty command"), true
	}
	name, ok := n.lookup(args[0])
	if !ok {
		cn.multiErr = cn.inMulti
		return wire.Error(unknownCommand(args)), true
	}
	nc, isNode := nodeCommands[name]
	write := keyspace.IsWrite(name)
	if isNode {
		write = nc.flags&fWrite != 0
		if !arityOK(nc.arity, len(args)) {
			cn.multiErr = cn.inMulti
			return wrongArity(name), true
		}
	}
	switch {
	case !cn.authed && nc.flags&fNoAuth == 0:
		cn.multiErr = cn.inMulti
		return wire.Error(errNoAuth), true
	case n.bgsaveError && n.cfg.StopWritesOnBgsaveError && !n.isReplica() && (write || name == "PING"):
		cn.multiErr = cn.inMulti
		return wire.Error(errMisconf), true
	case write && !n.isReplica() && n.cfg.MinReplicasToWrite > 0 && n.goodReplicas(env) < n.cfg.MinReplicasToWrite:
		cn.multiErr = cn.inMulti
		return wire.Error(errNoReplicas), true
	case write && n.isReplica() && n.cfg.ReplicaReadOnly:
		cn.multiErr = cn.inMulti
		return wire.Error(errReadOnly), true
	case cn.pubsub() && nc.flags&fPubSub == 0:
		return wire.Error("ERR Can't execute '" + strings.ToLower(name) + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"), true
	case n.isReplica() && !n.repl.linkUp() && !n.cfg.ReplicaServeStaleData && nc.flags&fStale == 0:
		return wire.Error(errMasterDown), true
	case n.loading(env) && nc.flags&fLoading == 0:
		return wire.Error(errLoading), true
	case n.busyScript && nc.flags&fBusy == 0:
		return wire.Error(errBusy), true
	case cn.inMulti && nc.flags&fNoMulti == 0:
		cn.queued = append(cn.queued, append([]string{name}, args[1:]...))
		return wire.Status("QUEUED"), true
	}
	return n.execute(env, cn, seq, name, args, false)
}

func (n *Node) loading(env wire.Env) bool {
	return n.loadingUntil > 0 && env.Mono() < n.loadingUntil
}

// execute runs a command that passed the checks. inExec is true inside EXEC.
func (n *Node) execute(env wire.Env, cn *conn, seq uint64, name string, args []string, inExec bool) (wire.Value, bool) {
	if _, isNode := nodeCommands[name]; !isNode {
		return n.dataCommand(env, name, args), true
	}
	switch name {
	case "PING":
		if cn.pubsub() {
			msg := ""
			if len(args) > 1 {
				msg = args[1]
			}
			return wire.BulkArray("pong", msg), true
		}
		if len(args) > 2 {
			return wrongArity(name), true
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
		if args[1] != "0" {
			return wire.Error("ERR DB index is out of range"), true
		}
		return wire.OK(), true
	case "QUIT":
		env.Send(cn.key.node, &wire.Reply{Conn: cn.key.id, Seq: seq, Value: wire.OK()})
		n.closeConn(env, cn, "quit")
		return wire.Value{}, false
	case "INFO":
		return wire.Bulk(info.Format(n.info(env), args[1:]...)), true
	case "ROLE":
		return info.Role(n.info(env), n.repl.roleState()), true
	case "REPLICAOF", "SLAVEOF":
		return n.replicaOf(env, args), true
	case "CONFIG":
		return n.config(env, args), true
	case "CLIENT":
		return n.client(env, cn, args), true
	case "MULTI":
		if cn.inMulti {
			return wire.Error("ERR MULTI calls can not be nested"), true
		}
		cn.inMulti, cn.multiErr, cn.queued = true, false, nil
		return wire.OK(), true
	case "DISCARD":
		if !cn.inMulti {
			return wire.Error("ERR DISCARD without MULTI"), true
		}
		cn.inMulti, cn.multiErr, cn.queued = false, false, nil
		return wire.OK(), true
	case "EXEC":
		return n.exec(env, cn, seq)
	case "SUBSCRIBE":
		return n.subscribe(env, cn, args[1:]), true
	case "UNSUBSCRIBE":
		return n.unsubscribe(env, cn, args[1:]), true
	case "PUBLISH":
		count := n.publish(env, args[1], args[2])
		if !n.isReplica() {
			n.repl.append(n, env, []string{"PUBLISH", args[1], args[2]})
		}
		return wire.Int(int64(count)), true
	case "WAIT":
		return n.waitCommand(env, cn, seq, args, inExec)
	case "DEBUG":
		return n.debug(env, cn, seq, args, inExec)
	case "SHUTDOWN":
		return n.shutdown(env, cn, args)
	case "SCRIPT":
		if upper(args[1]) != "KILL" || len(args) != 2 {
			return wire.Error("ERR unknown subcommand or wrong number of arguments for '" + args[1] + "'. Try SCRIPT HELP."), true
		}
		if !n.busyScript {
			return wire.Error(errNotBusy), true
		}
		n.busyScript = false
		env.Emit("# Script killed by user with SCRIPT KILL")
		return wire.OK(), true
	case "EVAL":
		// Only the script that never ends is modelled: it makes the node
		// answer -BUSY until SCRIPT KILL (spec §7.1, §26.1).
		if strings.Contains(args[1], "while true") {
			n.busyScript = true
			env.Emit("# Lua slow script detected: still in execution after 5000 milliseconds")
			return wire.Value{}, false
		}
		return wire.Error("ERR simulated node: EVAL runs only the busy-loop script ('while true do end')"), true
	case "SAVE":
		n.save(env)
		return wire.OK(), true
	case "BGSAVE":
		n.save(env)
		return wire.Status("Background saving started"), true
	case "LASTSAVE":
		return wire.Int(int64(n.lastSave) / 1000), true
	}
	return wire.Error(unknownCommand(args)), true
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

func (n *Node) auth(cn *conn, args []string) wire.Value {
	pass := args[len(args)-1]
	switch {
	case len(args) > 3:
		return wrongArity("AUTH")
	case len(args) == 3 && args[1] != "default":
		return wire.Error(errWrongPass)
	case n.cfg.RequirePass == "" && len(args) == 2:
		return wire.Error(errNoPassword)
	case pass != n.cfg.RequirePass:
		return wire.Error(errWrongPass)
	}
	cn.authed = true
	return wire.OK()
}

func (n *Node) exec(env wire.Env, cn *conn, seq uint64) (wire.Value, bool) {
	if !cn.inMulti {
		return wire.Error("ERR EXEC without MULTI"), true
	}
	queued, failed := cn.queued, cn.multiErr
	cn.inMulti, cn.multiErr, cn.queued = false, false, nil
	if failed {
		return wire.Error(errExecAbort), true
	}
	out := make([]wire.Value, 0, len(queued))
	for _, args := range queued {
		v, ok := n.execute(env, cn, seq, args[0], args, true)
		if !ok {
			return wire.Value{}, false // the transaction closed its own connection
		}
		out = append(out, v)
	}
	return wire.Array(out...), true
}

func (n *Node) subscribe(env wire.Env, cn *conn, channels []string) wire.Value {
	var first wire.Value
	for i, ch := range channels {
		if !contains(cn.channels, ch) {
			cn.channels = append(cn.channels, ch)
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
	count := 0
	for _, c := range n.sortedConns() {
		if contains(c.channels, channel) {
			count++
			env.Send(c.key.node, &wire.Push{Conn: c.key.id, Value: wire.BulkArray("message", channel, msg)})
		}
	}
	return count
}

func (n *Node) replicaOf(env wire.Env, args []string) wire.Value {
	if upper(args[1]) == "NO" && upper(args[2]) == "ONE" {
		if n.isReplica() {
			n.repl.becomeMaster(n, env)
			env.Emit("* MASTER MODE enabled (user request from 'id=?')")
		}
		return wire.OK()
	}
	port, err := strconv.Atoi(args[2])
	if err != nil || port <= 0 || port > 65535 {
		return wire.Error("ERR Invalid master port")
	}
	addr := wire.Addr{Host: args[1], Port: port}
	if n.isReplica() && n.repl.master.addr == addr {
		return wire.Status("OK Already connected to specified master")
	}
	n.repl.becomeReplica(n, env, addr)
	n.cfg.ReplicaOf = addr
	env.Emit("* REPLICAOF " + addr.Host + ":" + strconv.Itoa(port) + " enabled (user request from 'id=?')")
	return wire.OK()
}

// configParams maps CONFIG GET/SET names to the fields they read and write.
var configParams = []string{
	"masterauth", "min-replicas-max-lag", "min-replicas-to-write", "repl-backlog-size",
	"repl-ping-replica-period", "repl-timeout", "replica-announce-ip", "replica-announce-port",
	"replica-announced", "replica-priority", "replica-read-only", "replica-serve-stale-data",
	"replicaof", "requirepass", "stop-writes-on-bgsave-error",
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (n *Node) configGet(name string) string {
	c := &n.cfg
	switch name {
	case "masterauth":
		return c.MasterAuth
	case "min-replicas-max-lag":
		return strconv.Itoa(c.MinReplicasMaxLag)
	case "min-replicas-to-write":
		return strconv.Itoa(c.MinReplicasToWrite)
	case "repl-backlog-size":
		return strconv.FormatInt(c.BacklogSize, 10)
	case "repl-ping-replica-period":
		return strconv.FormatInt(int64(c.ReplPingPeriod/wire.Second), 10)
	case "repl-timeout":
		return strconv.FormatInt(int64(c.ReplTimeout/wire.Second), 10)
	case "replica-announce-ip":
		return c.ReplicaAnnounceIP
	case "replica-announce-port":
		return strconv.Itoa(c.ReplicaAnnouncePort)
	case "replica-announced":
		return yesNo(c.ReplicaAnnounced)
	case "replica-priority":
		return strconv.Itoa(c.ReplicaPriority)
	case "replica-read-only":
		return yesNo(c.ReplicaReadOnly)
	case "replica-serve-stale-data":
		return yesNo(c.ReplicaServeStaleData)
	case "replicaof":
		if c.ReplicaOf.IsZero() {
			return ""
		}
		return c.ReplicaOf.Host + " " + strconv.Itoa(c.ReplicaOf.Port)
	case "requirepass":
		return c.RequirePass
	case "stop-writes-on-bgsave-error":
		return yesNo(c.StopWritesOnBgsaveError)
	}
	return ""
}

func (n *Node) configSet(name, value string) bool {
	c := &n.cfg
	num := func(min int) (int, bool) {
		v, err := strconv.Atoi(value)
		return v, err == nil && v >= min
	}
	flag := func() (bool, bool) {
		switch strings.ToLower(value) {
		case "yes":
			return true, true
		case "no":
			return false, true
		}
		return false, false
	}
	var ok bool
	switch name {
	case "masterauth":
		c.MasterAuth, ok = value, true
	case "min-replicas-max-lag":
		c.MinReplicasMaxLag, ok = num(0)
	case "min-replicas-to-write":
		c.MinReplicasToWrite, ok = num(0)
	case "repl-backlog-size":
		var v int
		if v, ok = num(16384); ok {
			c.BacklogSize = int64(v)
			n.repl.trimBacklog(c.BacklogSize)
		}
	case "repl-ping-replica-period":
		var v int
		if v, ok = num(1); ok {
			c.ReplPingPeriod = wire.Duration(v) * wire.Second
		}
	case "repl-timeout":
		var v int
		if v, ok = num(1); ok {
			c.ReplTimeout = wire.Duration(v) * wire.Second
		}
	case "replica-announce-ip":
		c.ReplicaAnnounceIP, ok = value, true
	case "replica-announce-port":
		c.ReplicaAnnouncePort, ok = num(0)
	case "replica-announced":
		c.ReplicaAnnounced, ok = flag()
	case "replica-priority":
		c.ReplicaPriority, ok = num(0)
	case "replica-read-only":
		c.ReplicaReadOnly, ok = flag()
	case "replica-serve-stale-data":
		c.ReplicaServeStaleData, ok = flag()
	case "requirepass":
		c.RequirePass, ok = value, true
	case "stop-writes-on-bgsave-error":
		c.StopWritesOnBgsaveError, ok = flag()
	}
	return ok
}

func (n *Node) config(env wire.Env, args []string) wire.Value {
	switch sub := upper(args[1]); {
	case sub == "GET" && len(args) == 3:
		var out []string
		for _, p := range configParams {
			if ok, _ := path.Match(strings.ToLower(args[2]), p); ok {
				out = append(out, p, n.configGet(p))
			}
		}
		return wire.BulkArray(out...)
	case sub == "SET" && len(args) >= 4 && len(args)%2 == 0:
		for i := 2; i < len(args); i += 2 {
			name := strings.ToLower(args[i])
			if !contains(configParams, name) || name == "replicaof" {
				return wire.Error("ERR Unknown option or number of arguments for CONFIG SET - '" + args[i] + "'")
			}
			if !n.configSet(name, args[i+1]) {
				return wire.Error("ERR CONFIG SET failed (possibly related to argument '" + args[i] + "') - argument couldn't be parsed into an integer")
			}
		}
		return wire.OK()
	case sub == "REWRITE" && len(args) == 2:
		if !n.cfg.HasConfigFile {
			return wire.Error(errNoConfFile)
		}
		c := n.cfg
		n.diskConf = &c
		n.save(env)
		env.Emit("* CONFIG REWRITE executed with success.")
		return wire.OK()
	case sub == "RESETSTAT" && len(args) == 2:
		return wire.OK()
	}
	return wire.Error("ERR unknown subcommand or wrong number of arguments for '" + args[1] + "'. Try CONFIG HELP.")
}

func (n *Node) client(env wire.Env, cn *conn, args []string) wire.Value {
	switch sub := upper(args[1]); {
	case sub == "SETNAME" && len(args) == 3:
		if strings.ContainsAny(args[2], " \n") {
			return wire.Error("ERR Client names cannot contain spaces, newlines or special characters.")
		}
		cn.name = args[2]
		return wire.OK()
	case sub == "GETNAME" && len(args) == 2:
		if cn.name == "" {
			return wire.Nil()
		}
		return wire.Bulk(cn.name)
	case sub == "ID" && len(args) == 2:
		return wire.Int(int64(cn.order))
	case sub == "KILL" && len(args) >= 4 && len(args)%2 == 0:
		return n.clientKill(env, cn, args[2:])
	case sub == "KILL":
		return wire.Error(errSyntax)
	}
	return wire.Error("ERR unknown subcommand or wrong number of arguments for '" + args[1] + "'. Try CLIENT HELP.")
}

// clientKill implements CLIENT KILL TYPE normal|pubsub|master|replica
// [SKIPME yes|no]: it really drops the victims' connections (spec §26.5).
func (n *Node) clientKill(env wire.Env, self *conn, filters []string) wire.Value {
	kind, skipMe := "", true
	for i := 0; i < len(filters); i += 2 {
		switch upper(filters[i]) {
		case "TYPE":
			kind = strings.ToLower(filters[i+1])
			switch kind {
			case "normal", "pubsub", "master", "replica", "slave":
			default:
				return wire.Error("ERR Unknown client type '" + filters[i+1] + "'")
			}
		case "SKIPME":
			switch strings.ToLower(filters[i+1]) {
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
	switch kind {
	case "master":
		if n.isReplica() && n.repl.linkUp() {
			n.repl.dropMasterLink(env, "killed")
			killed = 1
		}
	case "replica", "slave":
		killed = n.repl.dropReplicas(env, "killed")
	default:
		for _, c := range n.sortedConns() {
			if (skipMe && c == self) || (kind == "pubsub") != c.pubsub() {
				continue
			}
			n.closeConn(env, c, "killed")
			killed++
		}
	}
	return wire.Int(int64(killed))
}

func (n *Node) debug(env wire.Env, cn *conn, seq uint64, args []string, inExec bool) (wire.Value, bool) {
	switch sub := upper(args[1]); {
	case sub == "SLEEP" && len(args) == 3:
		secs, err := strconv.ParseFloat(args[2], 64)
		if err != nil || secs < 0 {
			return wire.Error("ERR value is not a valid float"), true
		}
		// DEBUG SLEEP blocks the event loop: nothing is handled, not even
		// timers, until it ends; then its reply goes out first.
		d := wire.Duration(secs * 1000)
		if d == 0 || inExec {
			return wire.OK(), true
		}
		n.blockedUntil = env.Mono().Add(d)
		n.sleepReply = wire.Message{To: cn.key.node, Payload: &wire.Reply{Conn: cn.key.id, Seq: seq, Value: wire.OK()}}
		env.After(d, tagWake)
		return wire.Value{}, false
	case sub == "SIMULATE-BGSAVE-ERROR" && len(args) == 3:
		// Not in Redis: lets a scenario make background saves fail, which
		// is what makes a real node answer -MISCONF (spec §26.1).
		n.bgsaveError = args[2] == "1"
		return wire.OK(), true
	}
	return wire.Error("ERR unknown subcommand or wrong number of arguments for '" + args[1] + "'. Try DEBUG HELP."), true
}

func (n *Node) shutdown(env wire.Env, cn *conn, args []string) (wire.Value, bool) {
	save := n.cfg.Persistence != PersistNone
	for _, a := range args[1:] {
		switch upper(a) {
		case "NOSAVE":
			save = false
		case "SAVE":
			save = true
		case "NOW", "FORCE", "ABORT":
		default:
			return wire.Error(errSyntax), true
		}
	}
	if n.busyScript && save {
		return wire.Error("ERR Errors trying to SHUTDOWN. Check logs."), true
	}
	if save {
		n.save(env)
	}
	env.Emit("# User requested shutdown...")
	for _, c := range n.sortedConns() {
		n.closeConn(env, c, "shutdown")
	}
	n.repl.shutdown(env)
	env.Emit("# Redis is now ready to exit, bye bye...")
	n.dead = true
	return wire.Value{}, false
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
