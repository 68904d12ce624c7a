package sim_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sim"
)

// text is a payload that prints as itself.
type text string

func (p text) String() string { return string(p) }

// funcs is a process made of three optional callbacks, so each test can
// write just the behaviour it needs.
type funcs struct {
	boot func(ctx wire.Env, persisted []byte)
	recv func(ctx wire.Env, m wire.Message)
	fire func(ctx wire.Env, tag uint64)
}

func (p *funcs) Boot(ctx wire.Env, persisted []byte) {
	if p.boot != nil {
		p.boot(ctx, persisted)
	}
}

func (p *funcs) Receive(ctx wire.Env, m wire.Message) {
	if p.recv != nil {
		p.recv(ctx, m)
	}
}

func (p *funcs) Fire(ctx wire.Env, tag uint64) {
	if p.fire != nil {
		p.fire(ctx, tag)
	}
}

// obs is one thing a process saw, with the simulated time it saw it at
// (read through the *sim.World the test captured) and its own clocks.
type obs struct {
	kind    string // "boot", "recv" or "fire"
	sim     wire.Time
	now     wire.Time // ctx.Now(): the node's wall clock
	mono    wire.Time // ctx.Mono()
	from    wire.NodeID
	payload string
	tag     uint64
	state   []byte // what Boot was given
	isNil   bool   // Boot was given nil
}

const tagSend uint64 = 1

// actor sends a numbered message ("<name><n>") to each of its peers every
// `every` ms, the first after `first` ms, and records everything it sees in
// *log. every == 0 makes a silent recorder.
type actor struct {
	w     *sim.World
	name  string
	peers *[]wire.NodeID
	first wire.Duration
	every wire.Duration
	log   *[]obs
	n     int
}

func (a *actor) note(ctx wire.Env, o obs) {
	o.sim, o.now, o.mono = a.w.Now(), ctx.Now(), ctx.Mono()
	*a.log = append(*a.log, o)
}

func (a *actor) Boot(ctx wire.Env, persisted []byte) {
	a.note(ctx, obs{kind: "boot", state: append([]byte(nil), persisted...), isNil: persisted == nil})
	if a.every > 0 {
		ctx.After(a.first, tagSend)
	}
}

func (a *actor) Receive(ctx wire.Env, m wire.Message) {
	a.note(ctx, obs{kind: "recv", from: m.From, payload: m.Payload.String()})
}

func (a *actor) Fire(ctx wire.Env, tag uint64) {
	a.note(ctx, obs{kind: "fire", tag: tag})
	if tag != tagSend {
		return
	}
	for _, p := range *a.peers {
		if p != ctx.Self() {
			ctx.Send(p, text(a.name+strconv.Itoa(a.n)))
		}
	}
	a.n++
	ctx.After(a.every, tagSend)
}

// cluster is a world of actors with their logs and the trace captured.
type cluster struct {
	t     *testing.T
	w     *sim.World
	buf   *bytes.Buffer
	ids   map[string]wire.NodeID
	logs  map[string]*[]obs
	peers map[string]*[]wire.NodeID
}

// newCluster makes a world whose trace goes to a buffer.
func newCluster(t *testing.T, cfg sim.Config) *cluster {
	t.Helper()
	buf := &bytes.Buffer{}
	cfg.Trace = buf
	w, err := sim.New(cfg)
	require.NoError(t, err)
	return &cluster{t: t, w: w, buf: buf, ids: map[string]wire.NodeID{}, logs: map[string]*[]obs{}, peers: map[string]*[]wire.NodeID{}}
}

// add adds an actor that talks to `to` (names, resolved when the world
// boots). Every incarnation of the node appends to the same log.
func (c *cluster) add(name string, first, every wire.Duration, to ...string) wire.NodeID {
	return c.addSpec(sim.NodeSpec{Name: name}, first, every, to...)
}

func (c *cluster) addSpec(spec sim.NodeSpec, first, every wire.Duration, to ...string) wire.NodeID {
	c.t.Helper()
	log := &[]obs{}
	peers := &[]wire.NodeID{}
	name := spec.Name
	spec.Start = func() sim.Process {
		if len(*peers) != len(to) {
			for _, n := range to {
				id, ok := c.w.Lookup(n)
				require.True(c.t, ok, "unknown node %s", n)
				*peers = append(*peers, id)
			}
		}
		return &actor{w: c.w, name: name, peers: peers, first: first, every: every, log: log}
	}
	id, err := c.w.AddNode(spec)
	require.NoError(c.t, err)
	c.ids[name] = id
	c.logs[name] = log
	c.peers[name] = peers
	return id
}

func (c *cluster) id(name string) wire.NodeID { return c.ids[name] }

// log returns what the named node's actors observed, of the given kind ("" for all).
func (c *cluster) log(name, kind string) []obs {
	var out []obs
	for _, o := range *c.logs[name] {
		if kind == "" || o.kind == kind {
			out = append(out, o)
		}
	}
	return out
}

func (c *cluster) runUntil(t wire.Time) {
	c.t.Helper()
	o := c.w.RunUntil(t)
	require.True(c.t, o.OK(), "run stopped: %+v", o)
}

// lines flushes the trace and parses it.
func (c *cluster) lines() []line {
	c.t.Helper()
	require.NoError(c.t, c.w.Trace().Flush())
	return parseTrace(c.t, c.buf.String())
}

// line is one parsed trace line.
type line struct {
	at   wire.Time
	verb string
	rest []string
	raw  string
}

func parseTrace(t *testing.T, s string) []line {
	t.Helper()
	var out []line
	for _, raw := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if raw == "" {
			continue
		}
		f := strings.Fields(raw)
		require.GreaterOrEqual(t, len(f), 2, "trace line %q", raw)
		at, err := strconv.ParseInt(f[0], 10, 64)
		require.NoError(t, err, "trace line %q", raw)
		out = append(out, line{at: wire.Time(at), verb: f[1], rest: f[2:], raw: raw})
	}
	return out
}

// grep returns the lines whose text after the time is exactly verb plus rest.
func grep(lines []line, verb string, rest ...string) []line {
	var out []line
	for _, l := range lines {
		if l.verb == verb && (len(rest) == 0 || strings.Join(l.rest, " ") == strings.Join(rest, " ")) {
			out = append(out, l)
		}
	}
	return out
}

func times(lines []line) []wire.Time {
	out := make([]wire.Time, 0, len(lines))
	for _, l := range lines {
		out = append(out, l.at)
	}
	return out
}

// stamp is one event in a message's life.
type stamp struct {
	at     wire.Time
	reason string // drops only
}

// fate is everything the trace says about one message id.
type fate struct {
	id       uint64
	from, to string
	payload  string
	sent     bool
	sentAt   wire.Time
	dups     int
	recv     []wire.Time
	held     []wire.Time
	drops    []stamp
}

func (f *fate) dropped(reason string) bool {
	for _, d := range f.drops {
		if d.reason == reason {
			return true
		}
	}
	return false
}

// fates collects the message lines of a trace by message id, in id order.
// It checks that a message keeps its ends and payload and is sent once.
// (Plain comparisons in the loop: testify per line is slow under -race.)
func fates(t *testing.T, lines []line) []*fate {
	t.Helper()
	byID := map[uint64]*fate{}
	var order []*fate
	for _, l := range lines {
		switch l.verb {
		case "send", "recv", "held", "dup", "drop":
		default:
			continue
		}
		if len(l.rest) < 2 || l.verb != "recv" && len(l.rest) < 3 || (l.verb == "drop" && len(l.rest) < 4) {
			t.Fatalf("short trace line %q", l.raw)
		}
		id, err := strconv.ParseUint(strings.TrimPrefix(l.rest[0], "#"), 10, 64)
		from, to, ok := strings.Cut(l.rest[1], ">")
		if err != nil || !ok {
			t.Fatalf("bad trace line %q", l.raw)
		}
		f := byID[id]
		if f == nil {
			f = &fate{id: id, from: from, to: to}
			byID[id] = f
			order = append(order, f)
		}
		if f.from != from || f.to != to {
			t.Fatalf("message #%d changed ends: %q", id, l.raw)
		}
		payload := strings.Join(l.rest[2:], " ")
		switch l.verb {
		case "send":
			if f.sent {
				t.Fatalf("message #%d sent twice: %q", id, l.raw)
			}
			f.sent, f.sentAt = true, l.at
		case "recv":
			f.recv = append(f.recv, l.at)
			continue // a delivery line names the message; its payload is on the send line
		case "held":
			f.held = append(f.held, l.at)
		case "dup":
			f.dups++
		case "drop":
			f.drops = append(f.drops, stamp{at: l.at, reason: l.rest[2]})
			payload = strings.Join(l.rest[3:], " ")
		}
		if f.payload == "" {
			f.payload = payload
		}
		if f.payload != payload {
			t.Fatalf("message #%d changed payload: %q", id, l.raw)
		}
	}
	return order
}

// between returns the fates of messages from>to sent in [lo, hi).
func between(fs []*fate, from, to string, lo, hi wire.Time) []*fate {
	var out []*fate
	for _, f := range fs {
		if f.from == from && f.to == to && f.sent && f.sentAt >= lo && f.sentAt < hi {
			out = append(out, f)
		}
	}
	return out
}
