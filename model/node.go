package model

import (
	"cmp"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/acl"
	"github.com/sentinelsim/sentinelsim/internal/info"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/model/keyspace"
)

// Timer tags: the kind in the high byte, an id below.
const (
	tagCron    uint64 = 1 << 56 // replicationCron and persistence, every second
	tagWake    uint64 = 2 << 56 // the end of DEBUG SLEEP
	tagLoaded  uint64 = 3 << 56 // the end of LOADING
	tagWait    uint64 = 4 << 56 // a WAIT timeout; low bits: the wait id
	tagMask    uint64 = 0xff << 56
	cronPeriod        = wire.Second
	// maxQueued bounds the messages and timers a sleeping node holds
	// (DEBUG SLEEP).
	maxQueued = 100_000
	// maxConns bounds the client connections a node keeps (maxclients).
	maxConns = 10_000
	// maxHeld bounds the commands a blocked client may pipeline behind the
	// blocking one (client-query-buffer-limit): beyond it the connection is
	// closed.
	maxHeld = 10_000
)

// connKey names a client connection: the client's node and its number.
type connKey struct {
	node wire.NodeID
	id   wire.ConnID
}

// conn is one client connection.
type conn struct {
	key      connKey
	order    uint64 // accept order, for deterministic iteration; CLIENT ID
	openMsg  uint64 // the id of the message that opened it
	lastSeq  uint64
	authed   bool
	user     *acl.User // the user it runs as (default until AUTH)
	name     string
	db       int
	woff     int64 // the replication offset after its last write (WAIT)
	inMulti  bool
	multiErr bool // a command was rejected while queuing: EXEC aborts
	queued   []queuedCmd
	channels []string // subscribed channels; non-empty makes it a pub/sub client
	// blocked: in WAIT or in a busy script; its next commands are held, in
	// order, until it is released (Redis does not read a blocked client's
	// query buffer).
	blocked bool
	held    []*wire.Command
	// closeAfterReply: the connection closes once its current reply is
	// out (CLIENT KILL of itself, QUIT, -UNBLOCKED).
	closeAfterReply string
}

// queuedCmd is a command queued inside MULTI, with the flags EXEC's checks
// combine.
type queuedCmd struct {
	args  []string // args[0] is the command's real (not renamed) name
	flags cmdFlags
}

func (c *conn) pubsub() bool { return len(c.channels) > 0 }

func (c *conn) discardTx() { c.inMulti, c.multiErr, c.queued = false, false, nil }

// Node is a simulated Redis 7.0 data node. It implements the simulator's
// process interface (Boot, Receive, Fire) through wire.Env.
type Node struct {
	cfg     Config // the running configuration (CONFIG SET changes it)
	initial Config // the redis.conf the node was started with
	// Replies and pub/sub messages, allocated a slab at a time (a node
	// answers every PING, INFO and PUBLISH of every sentinel).
	replies wire.Slab[wire.Reply]
	pushes  wire.Slab[wire.Push]
	// messages are pub/sub messages' ["message", channel, payload] arrays.
	messages wire.Slab[[3]wire.Value]
	// infos formats INFO replies from the previous one when only the
	// uptime moved (each sentinel asks every 10 s).
	infos   info.Cache
	disk    persisted
	alias   map[string]string
	gone    map[string]bool
	cmdMemo *[cmdMemoSlots]cmdMemo // resolved command names (resolve); reset with alias and gone
	seed    int64
	users   *acl.Users

	runID   string
	startMs wire.Time // wall clock at boot, for uptime
	ks      *keyspace.Keyspace
	dirty   bool // writes since the last save

	conns map[connKey]*conn
	// sorted caches sortedConns until a connection comes or goes; never
	// changed in place, so a caller ranging over it may drop connections.
	sorted []*conn
	// subs caches the subscribers of subsChannel, in connection order
	// (publish), until a subscription or a connection changes (subsValid:
	// a channel may have none).
	subs        []*conn
	subsChannel string
	subsValid   bool
	connOrder   uint64
	closedOpen  map[connKey]uint64 // the opening message of closed connections

	repl replication

	dead         bool      // after SHUTDOWN: refuses everything until restarted
	blockedUntil wire.Time // DEBUG SLEEP: messages and timers queue until then
	resume       func(wire.Env)
	queued       []wire.Message
	heldTimers   []uint64
	cronMissed   bool
	drainLater   []*conn   // connections whose held commands wait for the wake
	loadingUntil wire.Time // -LOADING until then (0: not loading)
	script       *busyScript
	bgsaveError  bool      // the disk fails: background saves fail (MISCONF)
	lastSave     wire.Time // mono, for the save interval
	lastSaveWall wire.Time // wall, for LASTSAVE

	waits  []*wait
	waitID uint64
}

// busyScript is the script that never ends (EVAL "while true do end"): the
// node answers -BUSY until SCRIPT KILL.
type busyScript struct {
	conn *conn
	sha  string
	// done delivers the script's result (the kill error) to its caller.
	done func(wire.Env, wire.Value)
}

// NewNode returns a node that will start with cfg. seed seeds its
// keyspace's randomness (SPOP, RANDOMKEY); the node's own choices (run ids,
// replication ids) come from the Env's stream.
func NewNode(cfg Config, seed int64) (*Node, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Node{initial: cfg, seed: seed}, nil
}

// Config returns the running configuration.
func (n *Node) Config() Config { return n.cfg }

// RunID returns the run id of the current process.
func (n *Node) RunID() string { return n.runID }

// persisted is what a node keeps on disk: its config file and its dataset
// (dump.rdb, or the AOF) with, for an RDB file, the replication id and
// offset it belongs to (Redis stores them in the RDB so a restarted
// replica can partially resync).
type persisted struct {
	Config  *Config `json:"config,omitempty"`
	Dataset []byte  `json:"dataset,omitempty"`
	ReplID  string  `json:"repl_id,omitempty"`
	Offset  int64   `json:"offset,omitempty"`
}

// Boot starts (or restarts) the node from its config file and its dataset.
func (n *Node) Boot(env wire.Env, state []byte) {
	n.cfg = n.initial
	if len(state) > 0 {
		if err := json.Unmarshal(state, &n.disk); err != nil {
			env.Emit("# Fatal error loading the DB: " + err.Error())
			n.dead = true
			return
		}
	}
	if n.disk.Config != nil {
		// The config file; what is not a redis.conf directive comes from
		// the simulation.
		c := *n.disk.Config
		c.Directory, c.LoadingTime = n.initial.Directory, n.initial.LoadingTime
		n.cfg = c
	}
	n.alias, n.gone = n.cfg.renameTable()
	n.cmdMemo = nil
	users, err := n.cfg.loadUsers()
	if err != nil {
		env.Emit("# Fatal error loading the ACL users: " + err.Error())
		n.dead = true
		return
	}
	n.users = users
	n.runID = randomID(env)
	n.startMs = env.Now()
	n.lastSave, n.lastSaveWall = env.Mono(), env.Now()
	n.ks = keyspace.New(n.seed)
	n.conns, n.sorted = map[connKey]*conn{}, nil
	n.closedOpen = map[connKey]uint64{}
	n.repl = newReplication(env)
	if len(n.disk.Dataset) > 0 {
		snap, err := keyspace.Decode(n.disk.Dataset)
		if err != nil {
			env.Emit("# Short read or OOM loading DB: " + err.Error())
			n.dead = true
			return
		}
		n.ks.Restore(env.Now(), snap)
		// The AOF carries no replication history; an RDB file does
		// (loadDataFromDisk).
		if n.cfg.Persistence != PersistAOF {
			n.repl.restore(n.disk.ReplID, n.disk.Offset, !n.cfg.ReplicaOf.IsZero())
		}
		if n.cfg.LoadingTime > 0 {
			n.loadingUntil = env.Mono().Add(n.cfg.LoadingTime)
			env.After(n.cfg.LoadingTime, tagLoaded)
		}
		env.Emit("* DB loaded from disk")
	}
	env.Emit("* Ready to accept connections")
	if !n.cfg.ReplicaOf.IsZero() {
		n.repl.bootReplica(n, env, n.cfg.ReplicaOf)
	}
	env.After(cronPeriod, tagCron)
}

// randomID draws a 40-hex-character id, like run ids and replication ids.
func randomID(env wire.Env) string {
	var b [20]byte
	r := env.Rand()
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return hex.EncodeToString(b[:])
}

// Receive handles a message: a client command, a hang-up, a reset, or
// replication traffic.
func (n *Node) Receive(env wire.Env, m wire.Message) {
	if n.dead {
		// The process has exited; the host refuses the connection.
		if _, isReset := m.Payload.(*wire.Reset); !isReset {
			env.Send(m.From, &wire.Reset{Payload: m.Payload})
		}
		return
	}
	if n.blockedUntil > 0 {
		if len(n.queued) < maxQueued {
			n.queued = append(n.queued, m)
		}
		return
	}
	switch p := m.Payload.(type) {
	case *wire.Command:
		n.onCommand(env, m.ID, m.From, p)
	case *wire.Hangup:
		if c := n.conns[connKey{m.From, p.Conn}]; c != nil {
			n.dropConn(c)
		}
	case *wire.Reset:
		n.onReset(env, m.From, p.Payload)
	default:
		n.repl.receive(n, env, m)
	}
}

// onReset handles a message of ours that was refused: the process it went
// to is gone (crashed or restarted), so the connection it travelled on is
// gone too, as after a TCP reset.
func (n *Node) onReset(env wire.Env, from wire.NodeID, p wire.Payload) {
	var id wire.ConnID
	switch q := p.(type) {
	case *wire.Reply:
		id = q.Conn
	case *wire.Push:
		id = q.Conn
	case *wire.Closed:
		return
	default:
		n.repl.reset(n, env, from, p)
		return
	}
	if c := n.conns[connKey{from, id}]; c != nil {
		n.dropConn(c)
	}
}

// Fire runs the node's timers.
func (n *Node) Fire(env wire.Env, tag uint64) {
	if n.dead {
		return
	}
	kind := tag & tagMask
	switch {
	case kind == tagWake:
		if n.blockedUntil > 0 {
			n.wake(env)
		}
		return
	case kind == tagCron:
		env.After(cronPeriod, tagCron)
	}
	if n.blockedUntil > 0 {
		// The event loop is blocked: the timer runs late, after the wake
		// (serverCron once, however many periods it missed).
		if kind == tagCron {
			if n.cronMissed {
				return
			}
			n.cronMissed = true
		}
		if len(n.heldTimers) < maxQueued {
			n.heldTimers = append(n.heldTimers, tag)
		}
		return
	}
	n.fire(env, tag)
}

func (n *Node) fire(env wire.Env, tag uint64) {
	switch tag & tagMask {
	case tagCron:
		n.cronMissed = false
		n.cron(env)
	case tagLoaded:
		if n.loadingUntil == 0 {
			return
		}
		n.loadingUntil = 0
		env.Emit("* Done loading RDB")
		n.repl.connect(n, env) // the event loop starts: replicationCron connects
	case tagWait:
		n.expireWait(env, tag&^tagMask)
	}
}

// sleep blocks the event loop for d (DEBUG SLEEP); resume runs at the wake,
// before anything that queued.
func (n *Node) sleep(env wire.Env, d wire.Duration, resume func(wire.Env)) {
	n.blockedUntil = env.Mono().Add(d)
	n.resume = resume
	env.After(d, tagWake)
}

// wake ends DEBUG SLEEP: what the sleeping command had left to do first
// (its reply, the rest of its transaction), then the held commands of a
// connection it interrupted, then every message that queued, in order,
// then the timers that fired meanwhile. Another DEBUG SLEEP among them
// stops the rest until its own wake.
func (n *Node) wake(env wire.Env) {
	n.blockedUntil = 0
	if r := n.resume; r != nil {
		n.resume = nil
		r(env)
	}
	for len(n.drainLater) > 0 && n.blockedUntil == 0 && !n.dead {
		c := n.drainLater[0]
		n.drainLater = n.drainLater[1:]
		n.drain(env, c)
	}
	for len(n.queued) > 0 && n.blockedUntil == 0 && !n.dead {
		m := n.queued[0]
		n.queued = n.queued[1:]
		n.Receive(env, m)
	}
	for len(n.heldTimers) > 0 && n.blockedUntil == 0 && !n.dead {
		tag := n.heldTimers[0]
		n.heldTimers = n.heldTimers[1:]
		n.fire(env, tag)
	}
}

// cron is replicationCron plus persistence, once a second. Nothing of it
// runs while loading (Redis loads before its event loop starts).
func (n *Node) cron(env wire.Env) {
	if n.loading(env) {
		return
	}
	n.repl.cron(n, env)
	switch n.cfg.Persistence {
	case PersistAOF:
		if n.dirty {
			n.saveDataset(env)
		}
	case PersistRDB:
		if n.dirty && env.Mono().Sub(n.lastSave) >= n.cfg.SaveInterval {
			n.saveDataset(env)
		}
	}
}

// diskError is the MISCONF error writes (and PING) get when the disk
// fails, or "" (writeCommandsDeniedByDiskError): with save points (rdb) a
// failed background save, if stop-writes-on-bgsave-error; with AOF a
// failed write of the AOF, always. Without persistence nothing is written,
// so nothing fails.
func (n *Node) diskError() string {
	if !n.bgsaveError {
		return ""
	}
	switch n.cfg.Persistence {
	case PersistRDB:
		if n.cfg.StopWritesOnBgsaveError {
			return errMisconf
		}
	case PersistAOF:
		return errMisconfAOF
	}
	return ""
}

// saveDataset writes the dataset (SAVE, BGSAVE, SHUTDOWN, the save points,
// the AOF): with the replication history it belongs to, as
// rdbPopulateSaveInfo records it. It fails while the disk fails.
func (n *Node) saveDataset(env wire.Env) bool {
	if n.bgsaveError {
		env.Emit("# Background saving error")
		return false
	}
	n.disk.Dataset = n.ks.Snapshot(env.Now()).Encode()
	n.disk.ReplID, n.disk.Offset = n.repl.id, n.repl.offset
	if n.repl.master == nil && !n.repl.active {
		// rdbPopulateSaveInfo: a master without a backlog is in no
		// replication chain; its file records no history.
		n.disk.ReplID, n.disk.Offset = "", 0
	}
	n.persist(env)
	n.dirty = false
	n.lastSave, n.lastSaveWall = env.Mono(), env.Now()
	return true
}

// saveSnapshot writes an RDB file received from the master on a full sync
// (a disk-based load keeps it as dump.rdb), with the master's history.
func (n *Node) saveSnapshot(env wire.Env, snapshot []byte, id string, offset int64) {
	if n.bgsaveError {
		return
	}
	n.disk.Dataset, n.disk.ReplID, n.disk.Offset = snapshot, id, offset
	n.persist(env)
}

// saveConfig writes the config file (CONFIG REWRITE).
func (n *Node) saveConfig(env wire.Env) {
	c := n.cfg
	c.Users = n.userLines()
	n.disk.Config = &c
	n.persist(env)
}

func (n *Node) persist(env wire.Env) {
	b, err := json.Marshal(n.disk)
	if err != nil {
		panic("model: cannot encode persisted state: " + err.Error()) // a bug, not input
	}
	env.Persist(b)
}

// connFor finds or opens the connection a command arrives on. It returns
// nil when the command must not be processed: a duplicate, or a connection
// the node does not know, which gets Closed like a TCP reset. A command with
// Open on a known connection opens a new one in its place (the client
// restarted and reused the id): the old connection's state is dropped.
func (n *Node) connFor(env wire.Env, msgID uint64, from wire.NodeID, c *wire.Command) *conn {
	k := connKey{from, c.Conn}
	cn := n.conns[k]
	switch {
	case c.Open && cn != nil && cn.openMsg == msgID:
		return nil // a duplicated delivery of the opening command
	case c.Open && cn == nil && n.wasClosed(k, msgID):
		return nil // a late copy of the opening of a connection since closed
	case c.Open:
		if cn != nil {
			n.dropConn(cn)
		}
		if len(n.conns) >= maxConns {
			env.Send(from, &wire.Reply{Conn: c.Conn, Seq: c.Seq, Value: wire.Error("ERR max number of clients reached")})
			env.Send(from, &wire.Closed{Conn: c.Conn, Reason: "max clients"})
			return nil
		}
		n.connOrder++
		// createClient: the default user, authenticated if it needs no
		// password and is on.
		def := n.users.Default()
		cn = &conn{key: k, order: n.connOrder, openMsg: msgID, user: def, authed: def.NoPass && def.On}
		n.conns[k] = cn
		n.sorted = nil
		delete(n.closedOpen, k)
	case cn == nil:
		env.Send(from, &wire.Closed{Conn: c.Conn, Reason: "unknown connection"})
		return nil
	case c.Seq <= cn.lastSeq:
		return nil // a duplicated delivery
	}
	cn.lastSeq = c.Seq
	return cn
}

// wasClosed reports whether msgID opened connection k, since closed.
func (n *Node) wasClosed(k connKey, msgID uint64) bool {
	id, ok := n.closedOpen[k]
	return ok && id == msgID
}

// onCommand handles one client command.
func (n *Node) onCommand(env wire.Env, msgID uint64, from wire.NodeID, c *wire.Command) {
	cn := n.connFor(env, msgID, from, c)
	if cn == nil {
		return
	}
	if cn.blocked || len(cn.held) > 0 {
		if len(cn.held) >= maxHeld {
			n.closeConn(env, cn, "query buffer limit")
			return
		}
		cn.held = append(cn.held, c)
		if !cn.blocked {
			n.drain(env, cn)
		}
		return
	}
	n.process(env, cn, c.Seq, c.Args)
}

// process runs one command of cn and sends its reply, unless it comes
// later.
func (n *Node) process(env wire.Env, cn *conn, seq uint64, args []string) {
	before := n.repl.offset
	v, ok := n.command(env, cn, seq, args)
	if n.repl.offset != before {
		cn.woff = n.repl.offset
	}
	if ok {
		n.reply(env, cn, seq, v)
	}
}

// reply sends v to cn as the reply to seq, then closes cn if it is to be
// closed after its reply.
func (n *Node) reply(env wire.Env, cn *conn, seq uint64, v wire.Value) {
	if !n.alive(cn) {
		return
	}
	r := n.replies.New()
	*r = wire.Reply{Conn: cn.key.id, Seq: seq, Value: v}
	env.Send(cn.key.node, r)
	if cn.closeAfterReply != "" {
		n.closeConn(env, cn, cn.closeAfterReply)
	}
}

// release unblocks cn and runs the commands it held.
func (n *Node) release(env wire.Env, cn *conn) {
	cn.blocked = false
	n.drain(env, cn)
}

// drain runs cn's held commands in order until it blocks again, closes, or
// the node falls asleep (then the rest runs right after the wake).
func (n *Node) drain(env wire.Env, cn *conn) {
	for len(cn.held) > 0 && !cn.blocked && n.alive(cn) {
		if n.blockedUntil > 0 {
			if !slices.Contains(n.drainLater, cn) {
				n.drainLater = append(n.drainLater, cn)
			}
			return
		}
		c := cn.held[0]
		cn.held = cn.held[1:]
		n.process(env, cn, c.Seq, c.Args)
	}
}

// alive reports whether cn is still one of the node's connections.
func (n *Node) alive(cn *conn) bool { return !n.dead && n.conns[cn.key] == cn }

// sortedConns returns the connections in accept order (the caller must
// not change the slice).
func (n *Node) sortedConns() []*conn {
	if n.sorted != nil || len(n.conns) == 0 {
		return n.sorted
	}
	out := make([]*conn, 0, len(n.conns))
	for _, c := range n.conns {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *conn) int { return cmp.Compare(a.order, b.order) })
	n.sorted = out
	return out
}

// closeConn drops a connection and tells the client.
func (n *Node) closeConn(env wire.Env, c *conn, reason string) {
	n.dropConn(c)
	env.Send(c.key.node, &wire.Closed{Conn: c.key.id, Reason: reason})
}

// dropConn forgets a connection and everything it was doing: its
// transaction, subscriptions, held commands and WAITs. A busy script it
// started runs on; its result goes nowhere.
func (n *Node) dropConn(c *conn) {
	if n.conns[c.key] != c {
		return
	}
	delete(n.conns, c.key)
	n.sorted, n.subsValid = nil, false
	if len(n.closedOpen) >= maxConns {
		clear(n.closedOpen)
	}
	n.closedOpen[c.key] = c.openMsg
	c.held, c.blocked = nil, false
	c.discardTx()
	c.channels = nil
	n.waits = slices.DeleteFunc(n.waits, func(w *wait) bool { return w.conn == c })
	n.drainLater = slices.DeleteFunc(n.drainLater, func(x *conn) bool { return x == c })
	if n.script != nil && n.script.conn == c {
		n.script.done = nil
	}
}

// upper is strings.ToUpper for command names.
func upper(s string) string { return strings.ToUpper(s) }

// MasterLinkUp reports whether the node is a replica whose link to its
// master is up (INFO's master_link_status:up). For tests and checkers that
// look at a world from outside.
func (n *Node) MasterLinkUp() bool { return n.repl.linkUp() }
