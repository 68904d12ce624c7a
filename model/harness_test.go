package model

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/model/keyspace"
	"github.com/sentinelsim/sentinelsim/sim"
)

// fakeEnv is a wire.Env for driving one node directly: a hand-set clock, and
// every send, timer and persist recorded.
type fakeEnv struct {
	self    wire.NodeID
	now     wire.Time
	rng     *rand.Rand
	sent    []wire.Message
	timers  []uint64
	saved   []byte
	events  []string
	persist int
}

func newFakeEnv() *fakeEnv { return &fakeEnv{self: 0, rng: rand.New(rand.NewPCG(1, 2))} }

func (e *fakeEnv) Self() wire.NodeID          { return e.self }
func (e *fakeEnv) Name(id wire.NodeID) string { return "n" + string(rune('0'+id)) }
func (e *fakeEnv) Now() wire.Time             { return e.now }
func (e *fakeEnv) Mono() wire.Time            { return e.now }
func (e *fakeEnv) Rand() *rand.Rand           { return e.rng }
func (e *fakeEnv) Send(to wire.NodeID, p wire.Payload) {
	e.sent = append(e.sent, wire.Message{To: to, Payload: p})
}
func (e *fakeEnv) After(_ wire.Duration, tag uint64) { e.timers = append(e.timers, tag) }
func (e *fakeEnv) Persist(b []byte)                  { e.saved = append([]byte(nil), b...); e.persist++ }
func (e *fakeEnv) Emit(ev string)                    { e.events = append(e.events, ev) }

// direct drives one booted node with commands from client node 9.
type direct struct {
	t     *testing.T
	n     *Node
	env   *fakeEnv
	seq   map[wire.ConnID]uint64
	msgID uint64
}

func newDirect(t *testing.T, mutate func(*Config)) *direct {
	t.Helper()
	dir := wire.NewStaticDirectory()
	dir.Add(0, wire.Addr{Host: "10.0.0.1", Port: 6379})
	cfg := DefaultConfig(wire.Addr{Host: "10.0.0.1", Port: 6379})
	cfg.Directory = dir
	if mutate != nil {
		mutate(&cfg)
	}
	n, err := NewNode(cfg, 1)
	require.NoError(t, err)
	d := &direct{t: t, n: n, env: newFakeEnv(), seq: map[wire.ConnID]uint64{}}
	n.Boot(d.env, nil)
	return d
}

// do sends a command on connection c (opening it on first use) and returns
// the reply to it, or a zero Value with ok false when none came.
func (d *direct) do(c wire.ConnID, args ...string) (wire.Value, bool) {
	d.t.Helper()
	d.seq[c]++
	d.env.sent = nil
	d.msgID++
	d.n.Receive(d.env, wire.Message{ID: d.msgID, From: 9, To: 0, Payload: &wire.Command{Conn: c, Seq: d.seq[c], Open: d.seq[c] == 1, Args: args}})
	for _, m := range d.env.sent {
		if r, ok := m.Payload.(*wire.Reply); ok && r.Conn == c && r.Seq == d.seq[c] {
			return r.Value, true
		}
	}
	return wire.Value{}, false
}

// deliver hands the node a message from node from and returns everything
// the node sent while handling it.
func (d *direct) deliver(from wire.NodeID, p wire.Payload) []wire.Message {
	d.t.Helper()
	d.env.sent = nil
	d.msgID++
	d.n.Receive(d.env, wire.Message{ID: d.msgID, From: from, To: 0, Payload: p})
	return d.env.sent
}

// fire runs a timer and returns everything the node sent.
func (d *direct) fire(tag uint64) []wire.Message {
	d.t.Helper()
	d.env.sent = nil
	d.n.Fire(d.env, tag)
	return d.env.sent
}

// open (re)opens connection c: its next command carries Open.
func (d *direct) open(c wire.ConnID) { d.seq[c] = 0 }

// reply is do that requires a reply and returns it formatted.
func (d *direct) reply(c wire.ConnID, args ...string) string {
	d.t.Helper()
	v, ok := d.do(c, args...)
	require.True(d.t, ok, "no reply to %v", args)
	return v.String()
}

// world is a small simulated deployment of data nodes and scripted clients.
type world struct {
	t     *testing.T
	w     *sim.World
	trace *bytes.Buffer
	dir   *wire.StaticDirectory
	nodes map[string]wire.NodeID
}

func newWorld(t *testing.T, seed uint64) *world {
	t.Helper()
	trace := &bytes.Buffer{}
	w, err := sim.New(sim.Config{Seed: seed, Network: sim.LAN, Trace: trace})
	require.NoError(t, err)
	return &world{t: t, w: w, trace: trace, dir: wire.NewStaticDirectory(), nodes: map[string]wire.NodeID{}}
}

// addNode adds a data node named name at host:6379.
func (w *world) addNode(name, host string, mutate func(*Config)) {
	w.t.Helper()
	cfg := DefaultConfig(wire.Addr{Host: host, Port: 6379})
	cfg.Directory = w.dir
	if mutate != nil {
		mutate(&cfg)
	}
	seed := int64(len(w.nodes) + 1) // each node its own keyspace randomness
	id, err := w.w.AddNode(sim.NodeSpec{Name: name, Start: func() sim.Process {
		n, err := NewNode(cfg, seed)
		if err != nil {
			panic(err)
		}
		return n
	}})
	require.NoError(w.t, err)
	w.dir.Add(id, cfg.Addr)
	w.nodes[name] = id
}

func (w *world) node(name string) *Node { return w.w.Process(w.nodes[name]).(*Node) }

// script is a client that sends commands at given times on one connection
// and records every reply, push and close.
type script struct {
	target wire.NodeID
	steps  []step
	conn   wire.ConnID
	seq    uint64
	log    *[]string
}

type step struct {
	at   wire.Duration
	args []string
}

func (s *script) Boot(env wire.Env, _ []byte) {
	for i, st := range s.steps {
		env.After(st.at, uint64(i))
	}
}

func (s *script) Fire(env wire.Env, tag uint64) {
	if s.conn == 0 {
		s.conn = 1
	}
	s.seq++
	env.Send(s.target, &wire.Command{Conn: s.conn, Seq: s.seq, Open: s.seq == 1, Args: s.steps[tag].args})
}

func (s *script) Receive(env wire.Env, m wire.Message) {
	switch p := m.Payload.(type) {
	case *wire.Reply:
		*s.log = append(*s.log, p.Value.String())
	case *wire.Push:
		*s.log = append(*s.log, "push "+p.Value.String())
	case *wire.Closed:
		*s.log = append(*s.log, "closed "+p.Reason)
		s.conn++
		s.seq = 0
	}
}

// addScript adds a client that runs steps against the named node and
// returns its log.
func (w *world) addScript(name, target string, steps ...step) *[]string {
	w.t.Helper()
	log := &[]string{}
	tgt := w.nodes[target]
	_, err := w.w.AddNode(sim.NodeSpec{Name: name, Start: func() sim.Process {
		return &script{target: tgt, steps: steps, log: log}
	}})
	require.NoError(w.t, err)
	return log
}

func at(ms wire.Duration, args ...string) step { return step{at: ms, args: args} }

func (w *world) run(d wire.Duration) {
	w.t.Helper()
	out := w.w.RunFor(d)
	require.True(w.t, out.OK(), "%+v", out)
	require.NoError(w.t, w.w.Trace().Flush())
}

// events returns the events a node emitted, as "time text".
func (w *world) events(node string) []string {
	var out []string
	for _, l := range strings.Split(w.trace.String(), "\n") {
		ts, rest, _ := strings.Cut(l, " ")
		if ev, ok := strings.CutPrefix(rest, "event "+node+" "); ok {
			out = append(out, ts+" "+ev)
		}
	}
	return out
}

// count counts the events of node containing s at or after time from.
func (w *world) count(node, s string, from int64) int {
	n := 0
	for _, ev := range w.events(node) {
		ts, text, _ := strings.Cut(ev, " ")
		if t, _ := strconv.ParseInt(ts, 10, 64); t >= from && strings.Contains(text, s) {
			n++
		}
	}
	return n
}

// reference replays a replication stream on a fresh keyspace.
type reference struct {
	ks interface {
		Exec(wire.Time, []string) wire.Value
		Digest(wire.Time) string
	}
}

func newReference() *reference { return &reference{ks: keyspaceNew()} }

func (r *reference) apply(args []string) {
	switch upper(args[0]) {
	case "PING", "MULTI", "EXEC", "SELECT", "PUBLISH":
		return
	}
	r.ks.Exec(0, args)
}

// fixedEnv returns an Env-like view for reading a node's status in a world
// from outside: its own clocks at the world's current time.
func fixedEnv(w *world, name string) wire.Env {
	e := newFakeEnv()
	e.now = w.w.WallClock(w.nodes[name])
	return e
}

func keyspaceNew() *keyspace.Keyspace { return keyspace.New(7) }
