package model

import (
	"cmp"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"

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
	// maxQueued bounds the messages a blocked node holds (DEBUG SLEEP).
	maxQueued = 100_000
	// maxConns bounds the client connections a node keeps (maxclients).
	maxConns = 10_000
)

// connKey names a client connection: the client's node and its number.
type connKey struct {
	node wire.NodeID
	id   wire.ConnID
}

// conn is one client connection.
type conn struct {
	key      connKey
	order    uint64 // accept order, for deterministic iteration
	lastSeq  uint64
	authed   bool
	name     string
	inMulti  bool
	multiErr bool
	queued   [][]string
	channels []string // subscribed channels; non-empty makes it a pub/sub client
}

func (c *conn) pubsub() bool { return len(c.channels) > 0 }

// Node is a simulated Redis 7.0 data node. It implements the simulator's
// process interface (Boot, Receive, Fire) through wire.Env.
type Node struct {
	cfg      Config // the running configuration (CONFIG SET changes it)
	initial  Config // the redis.conf the node was started with
	diskConf *Config
	alias    map[string]string
	gone     map[string]bool
	seed     int64

	runID   string
	startMs wire.Time // wall clock at boot, for uptime
	ks      *keyspace.Keyspace
	dirty   bool // writes since the last save

	conns     map[connKey]*conn
	connOrder uint64

	repl replication

	dead         bool         // after SHUTDOWN: answers nothing until restarted
	blockedUntil wire.Time    // DEBUG SLEEP: messages queue until then
	sleepReply   wire.Message // the reply DEBUG SLEEP sends when it ends
	queued       []wire.Message
	loadingUntil wire.Time // -LOADING until then (0: not loading)
	busyScript   bool      // a script is stuck: -BUSY until SCRIPT KILL
	bgsaveError  bool      // the last background save failed (MISCONF)
	lastSave     wire.Time

	waits  []*wait
	waitID uint64
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

// persisted is what a node keeps on disk: its config file and, with
// persistence on, its dataset with the replication id and offset it
// belongs to (Redis stores them in the RDB so a restarted replica can
// partially resync).
type persisted struct {
	Config  *Config `json:"config,omitempty"`
	Dataset []byte  `json:"dataset,omitempty"`
	ReplID  string  `json:"repl_id,omitempty"`
	Offset  int64   `json:"offset,omitempty"`
}

// Boot starts (or restarts) the node from its config file and, with
// persistence on, its dataset.
func (n *Node) Boot(env wire.Env, state []byte) {
	n.cfg = n.initial
	var disk persisted
	if len(state) > 0 {
		if err := json.Unmarshal(state, &disk); err != nil {
			env.Emit("# Fatal error loading the DB: " + err.Error())
			n.dead = true
			return
		}
	}
	if disk.Config != nil {
		c := *disk.Config
		c.Directory = n.initial.Directory
		n.cfg = c
		n.diskConf = disk.Config
	}
	n.alias, n.gone = n.cfg.renameTable()
	n.runID = randomID(env)
	n.startMs = env.Now()
	n.lastSave = env.Now()
	n.ks = keyspace.New(n.seed)
	n.conns = map[connKey]*conn{}
	n.repl = newReplication(env)
	if len(disk.Dataset) > 0 && n.cfg.Persistence != PersistNone {
		snap, err := keyspace.Decode(disk.Dataset)
		if err != nil {
			env.Emit("# Short read or OOM loading DB: " + err.Error())
			n.dead = true
			return
		}
		n.ks.Restore(env.Now(), snap)
		n.repl.restore(disk.ReplID, disk.Offset)
		if n.cfg.LoadingTime > 0 {
			n.loadingUntil = env.Mono().Add(n.cfg.LoadingTime)
			env.After(n.cfg.LoadingTime, tagLoaded)
		}
		env.Emit("* DB loaded from disk")
	}
	env.Emit("* Ready to accept connections")
	if !n.cfg.ReplicaOf.IsZero() {
		n.repl.becomeReplica(n, env, n.cfg.ReplicaOf)
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

// Receive handles a message: a client command, a hang-up, or replication
// traffic.
func (n *Node) Receive(env wire.Env, m wire.Message) {
	if n.dead {
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
		n.onCommand(env, m.From, p)
	case *wire.Hangup:
		delete(n.conns, connKey{m.From, p.Conn})
	default:
		n.repl.receive(n, env, m)
	}
}

// Fire runs the node's timers.
func (n *Node) Fire(env wire.Env, tag uint64) {
	if n.dead {
		return
	}
	switch tag & tagMask {
	case tagCron:
		env.After(cronPeriod, tagCron)
		if n.blockedUntil > 0 {
			return // the event loop is blocked; cron runs late, after the wake
		}
		n.cron(env)
	case tagWake:
		n.wake(env)
	case tagLoaded:
		n.loadingUntil = 0
		env.Emit("* Done loading RDB")
	case tagWait:
		n.expireWait(env, tag&^tagMask)
	}
}

// wake ends DEBUG SLEEP: its reply goes out, then everything that queued
// is handled in order.
func (n *Node) wake(env wire.Env) {
	n.blockedUntil = 0
	env.Send(n.sleepReply.To, n.sleepReply.Payload)
	q := n.queued
	n.queued = nil
	for i, m := range q {
		n.Receive(env, m)
		if n.blockedUntil > 0 { // slept again: the rest waits, in order
			n.queued = append(n.queued, q[i+1:]...)
			return
		}
	}
}

// cron is replicationCron plus persistence, once a second.
func (n *Node) cron(env wire.Env) {
	n.repl.cron(n, env)
	switch n.cfg.Persistence {
	case PersistAOF:
		if n.dirty {
			n.save(env)
		}
	case PersistRDB:
		if n.dirty && env.Mono().Sub(n.lastSave) >= n.cfg.SaveInterval {
			n.save(env)
		}
	}
}

// save persists the config file and, with persistence on, the dataset.
func (n *Node) save(env wire.Env) {
	disk := persisted{Config: n.diskConf}
	if n.cfg.Persistence != PersistNone {
		snap := n.ks.Snapshot(env.Now())
		disk.Dataset = snap.Encode()
		disk.ReplID, disk.Offset = n.repl.id, n.repl.offset
	}
	b, err := json.Marshal(disk)
	if err != nil {
		panic("model: cannot encode persisted state: " + err.Error()) // a bug, not input
	}
	env.Persist(b)
	n.dirty = false
	n.lastSave = env.Mono()
}

// connFor finds or opens the connection a command arrives on. It returns
// nil when the command must not be processed (a duplicate, or a connection
// the node does not know, which gets Closed like a TCP reset).
func (n *Node) connFor(env wire.Env, from wire.NodeID, c *wire.Command) *conn {
	k := connKey{from, c.Conn}
	cn := n.conns[k]
	switch {
	case cn == nil && !c.Open:
		env.Send(from, &wire.Closed{Conn: c.Conn, Reason: "unknown connection"})
		return nil
	case cn == nil:
		if len(n.conns) >= maxConns {
			env.Send(from, &wire.Reply{Conn: c.Conn, Seq: c.Seq, Value: wire.Error("ERR max number of clients reached")})
			env.Send(from, &wire.Closed{Conn: c.Conn, Reason: "max clients"})
			return nil
		}
		n.connOrder++
		cn = &conn{key: k, order: n.connOrder, authed: n.cfg.RequirePass == ""}
		n.conns[k] = cn
	case c.Seq <= cn.lastSeq:
		return nil // a duplicated delivery
	}
	cn.lastSeq = c.Seq
	return cn
}

// onCommand handles one client command.
func (n *Node) onCommand(env wire.Env, from wire.NodeID, c *wire.Command) {
	cn := n.connFor(env, from, c)
	if cn == nil {
		return
	}
	v, ok := n.command(env, cn, c.Seq, c.Args)
	if !ok {
		return // the connection was closed while handling it
	}
	env.Send(from, &wire.Reply{Conn: c.Conn, Seq: c.Seq, Value: v})
}

// sortedConns returns the connections in accept order.
func (n *Node) sortedConns() []*conn {
	out := make([]*conn, 0, len(n.conns))
	for _, c := range n.conns {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *conn) int { return cmp.Compare(a.order, b.order) })
	return out
}

// closeConn drops a connection and tells the client.
func (n *Node) closeConn(env wire.Env, c *conn, reason string) {
	delete(n.conns, c.key)
	env.Send(c.key.node, &wire.Closed{Conn: c.key.id, Reason: reason})
}

// upper is strings.ToUpper for command names.
func upper(s string) string { return strings.ToUpper(s) }
