package sim

import (
	"math/rand/v2"
	"strconv"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Process is what the simulator drives: one Redis node, one sentinel, one
// client. It is a state machine that reacts to three things and acts only
// through the wire.Env it is handed (a *Context); it must not keep the Env
// past the call, read the real clock, draw global randomness or start
// goroutines. The method set uses only wire types, so packages that
// implement processes never import sim.
//
// A process that wants to survive a crash saves what it must keep with
// Context.Persist. On restart the simulator builds a fresh process with the
// node's factory and boots it with exactly the bytes last persisted: what was
// not persisted is lost, like memory in a killed process.
type Process interface {
	// Boot starts the process. persisted is nil on the first boot and the
	// last state saved with Context.Persist on a restart (possibly nil if it
	// never saved anything).
	Boot(env wire.Env, persisted []byte)
	// Receive handles one delivered message.
	Receive(env wire.Env, msg wire.Message)
	// Fire handles a timer set with Context.After.
	Fire(env wire.Env, tag uint64)
}

// Context is the simulator's wire.Env: a process's window on the world
// during one call. Sends are buffered and leave only when the call returns,
// after the state given to Persist has been saved ("persist before send",
// the contract sentinel.conf flushing gives Sentinel's votes).
type Context struct {
	w       *World
	n       *node
	sends   []wire.Message
	persist []byte
	// persistFn, when set, makes the state to persist (PersistFunc).
	persistFn func(dst []byte) []byte
	saved     bool
}

var (
	_ wire.Env           = (*Context)(nil)
	_ wire.LazyPersister = (*Context)(nil)
)

// Self returns the id of the process's node.
func (c *Context) Self() wire.NodeID { return c.n.id }

// Name returns the name of any node, e.g. to print addresses.
func (c *Context) Name(id wire.NodeID) string { return c.w.nodes[id].name }

// Now returns the node's wall clock: what mstime() returns on its host.
func (c *Context) Now() wire.Time { return c.n.clock.wall(c.w.now) }

// Mono returns the node's monotonic clock, which drifts but never jumps.
func (c *Context) Mono() wire.Time { return c.n.clock.mono(c.w.now) }

// Rand returns the node's own random stream. It is derived from the run seed
// and the node's name, and it carries on across restarts.
func (c *Context) Rand() *rand.Rand { return c.n.rng }

// Send queues a message to another node; it leaves when the call returns.
// Sending to a node that does not exist is a bug of the process: it panics,
// and the run stops with ProcessPanic naming the process.
func (c *Context) Send(to wire.NodeID, p wire.Payload) {
	if to < 0 || int(to) >= len(c.w.nodes) {
		panic("send to unknown node " + strconv.Itoa(int(to)))
	}
	c.sends = append(c.sends, wire.Message{From: c.n.id, To: to, Payload: p})
}

// After asks for Fire(tag) once d has passed on the node's monotonic clock
// (plus any slow-down of the node). Timers cannot be cancelled: a process
// that no longer wants a timer ignores its tag when it fires. A crash
// discards all of a process's timers.
func (c *Context) After(d wire.Duration, tag uint64) {
	c.w.setTimer(c.n, d, tag)
}

// Persist saves state as what survives a crash, replacing what was saved
// before. The simulator copies state, so the caller may reuse it.
func (c *Context) Persist(state []byte) {
	c.persist = append(c.persist[:0], state...)
	c.persistFn = nil
	c.saved = true
}

// PersistFunc is Persist for the state render makes (wire.LazyPersister):
// render runs only when the state is needed — on the world's goroutine for
// a restart or Persisted (once), where the trace is formatted for its
// digest (another goroutine, unless Config.InlineTrace) — so a run without
// a trace and without restarts never makes it.
func (c *Context) PersistFunc(render func(dst []byte) []byte) {
	c.persist = c.persist[:0]
	c.persistFn = render
	c.saved = true
}

// Emit records a process event in the trace, for example
// "+sdown master mymaster 10.0.0.1 6379".
func (c *Context) Emit(event string) {
	t := c.w.trace
	t.begin(c.w.now, "event")
	t.word(c.n.name)
	t.word(event)
	t.end()
	if f := c.w.cfg.OnEvent; f != nil {
		f(c.w.now, c.n.id, event)
	}
}

// Record traces a process's fact ("fact s1 vote mymaster epoch=3 for=…")
// and hands it to Config.OnFact (wire.Recorder).
func (c *Context) Record(f wire.Fact) {
	t := c.w.trace
	t.begin(c.w.now, "fact")
	t.word(c.n.name)
	t.word(f.Fact())
	t.end()
	if h := c.w.cfg.OnFact; h != nil {
		h(c.w.now, c.n.id, f)
	}
}

// node is the simulator's record of one process.
type node struct {
	id    wire.NodeID
	name  string
	start func() Process
	proc  Process // nil while crashed
	// inc is the incarnation, bumped by every crash: timers and messages
	// stamped with an older one belong to a process that no longer exists.
	inc       uint32
	up        bool
	down      bool // configured to start crashed
	faultDown bool // crashed by a fault (HealAll restarts it)
	hostDown  bool // crashed with its host: no connection resets from it
	paused    bool
	held      []event // deliveries and timers that came due while paused
	clock     clock
	baseDrift int64 // the drift the host was configured with
	rng       *rand.Rand
	slow      wire.Duration // extra latency before each timer and send
	slowTail  wire.Time     // until when what it did while slowed may still arrive
	disk      *diskImage    // what survives a crash; nil: never persisted
	crashAt   bool          // crash right after the next persist, before its sends (CrashAfterPersist)
}
