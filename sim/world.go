package sim

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Bounds put a limit on a run. Exceeding one stops the run with an Outcome
// that says which bound it hit; it is a result to report, never a hang.
type Bounds struct {
	// MaxTime is the latest simulated time a run may reach.
	MaxTime wire.Time
	// MaxEvents bounds the events the loop may process.
	MaxEvents uint64
	// MaxInFlight bounds the messages travelling in the whole network at
	// once, including those held at paused processes; a message storm stops
	// the run instead of eating the memory. The send that would exceed it is
	// dropped ("bound").
	MaxInFlight int
}

// DefaultBounds allow a simulated day, 200 million events and 100,000
// messages in flight.
var DefaultBounds = Bounds{MaxTime: wire.Time(24 * wire.Hour), MaxEvents: 200_000_000, MaxInFlight: 100_000}

// Config describes a world.
type Config struct {
	// Seed is the root of every random choice in the run.
	Seed uint64
	// Network is the default configuration of every link. The zero value is
	// a perfect network with no delay.
	Network LinkConfig
	// Bounds limit the run; zero fields take DefaultBounds' values.
	Bounds Bounds
	// Trace receives the canonical trace as it is produced; nil only hashes
	// it.
	Trace io.Writer
	// NoTrace turns the trace off: no line is formatted or hashed, and
	// the run has no trace hash. For measuring what tracing costs; a run
	// without a hash cannot prove that it replays.
	NoTrace bool
	// InlineTrace formats and hashes the trace on the world's own
	// goroutine instead of others: for callers that already keep every
	// core busy with worlds of their own (a sweep's workers). Same bytes.
	InlineTrace bool
	// OnEvent, if set, sees every process event (Context.Emit) as it is
	// recorded: how a scenario follows the run ("+elected-leader") to pick
	// the targets of later faults. It must not change the world except
	// through World.At, World.Schedule and World.Apply.
	OnEvent func(at wire.Time, node wire.NodeID, event string)
	// OnFact, if set, sees every fact a process records (wire.Recorder):
	// the structured decisions checkers judge. The same rules as OnEvent.
	OnFact func(at wire.Time, node wire.NodeID, f wire.Fact)
	// AfterFault, if set, runs after every fault is carried out: how a
	// checker samples the ground truth at the moments it changes, however
	// short a fault is. The same rules as OnEvent.
	AfterFault func(at wire.Time, f Fault)
}

// NodeSpec describes one process of the world.
type NodeSpec struct {
	// Name is unique in the world and names the node in the trace.
	Name string
	// Start builds a fresh process: at the first boot and at every restart.
	Start func() Process
	// Clock sets the node's clock offset and drift.
	Clock ClockSpec
	// Down leaves the node crashed at the start; a Restart fault boots it.
	Down bool
}

// Stop says why a run stopped.
type Stop uint8

// The reasons a run stops. Only Reached is a normal end.
const (
	Reached        Stop = iota // the requested time was reached
	MaxTimeHit                 // Bounds.MaxTime
	MaxEventsHit               // Bounds.MaxEvents
	MaxInFlightHit             // Bounds.MaxInFlight
	ProcessPanic               // a process (or a callback) panicked
)

var stopNames = [...]string{"reached", "max-time", "max-events", "max-in-flight", "panic"}

func (s Stop) String() string {
	if int(s) < len(stopNames) {
		return stopNames[s]
	}
	return "stop(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText writes a Stop by name in JSON ("reached", "max-time", ...).
func (s Stop) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a Stop written by MarshalText.
func (s *Stop) UnmarshalText(b []byte) error {
	for i, n := range stopNames {
		if n == string(b) {
			*s = Stop(i)
			return nil
		}
	}
	return fmt.Errorf("unknown stop %q", b)
}

// Outcome is how a run ended.
type Outcome struct {
	Stop Stop `json:"stop"`
	// At is the simulated time the run stopped at.
	At wire.Time `json:"at_ms"`
	// Detail explains a stop other than Reached.
	Detail string `json:"detail,omitempty"`
}

// OK reports whether the run ended normally.
func (o Outcome) OK() bool { return o.Stop == Reached }

// Stats counts what happened in a run so far.
type Stats struct {
	Events     uint64 `json:"events"`     // events taken from the queue
	Sent       uint64 `json:"sent"`       // messages sent
	Delivered  uint64 `json:"delivered"`  // messages handed to a process
	Dropped    uint64 `json:"dropped"`    // messages lost to loss, cuts, full links, crashes and the in-flight bound
	Duplicated uint64 `json:"duplicated"` // extra copies made by duplication
	Resets     uint64 `json:"resets"`     // connection resets sent back for refused messages
	InFlight   int    `json:"in_flight"`  // messages travelling now or held at a paused process
}

// World is a deterministic simulated world: processes, their clocks, the
// network between them, and the queue of everything that will happen. It is
// single-threaded; one seed replays it exactly.
type World struct {
	cfg     Config
	streams Streams
	now     wire.Time
	seq     uint64
	q       queue
	nodes   []*node
	byName  map[string]wire.NodeID
	all     []wire.NodeID
	links   []link // n*n directed links, made when the topology freezes
	frozen  bool
	started bool // the first boot has run: faults act on booted nodes
	actions []func(*World)
	// freeActions are indexes of actions that ran, for reuse.
	freeActions []uint64
	// flappers are all flapping faults ever started; stopped ones stay so
	// their pending toggle events find them done.
	flappers []*flapper
	// impaired counts the links that are down, stalled or not at the
	// network's default settings (link.impaired, kept by World.change).
	impaired int
	// flapSeq counts the flappers started per label and start time, to name
	// their streams.
	flapSeq map[string]int
	// tcpGen numbers the retransmission timers (the streams are kept per
	// link: link.streams).
	tcpGen  uint32
	trace   *Trace
	ctx     Context
	stats   Stats
	msgID   uint64
	ended   *Outcome
	current *node // the node whose handler is running, to name it in a panic
}

// New returns an empty world.
func New(cfg Config) (*World, error) {
	if err := cfg.Network.Validate(); err != nil {
		return nil, fmt.Errorf("sim: network: %w", err)
	}
	if cfg.Bounds.MaxTime <= 0 {
		cfg.Bounds.MaxTime = DefaultBounds.MaxTime
	}
	if cfg.Bounds.MaxEvents == 0 {
		cfg.Bounds.MaxEvents = DefaultBounds.MaxEvents
	}
	if cfg.Bounds.MaxInFlight <= 0 {
		cfg.Bounds.MaxInFlight = DefaultBounds.MaxInFlight
	}
	w := &World{
		cfg:     cfg,
		streams: NewStreams(cfg.Seed),
		byName:  map[string]wire.NodeID{},
		flapSeq: map[string]int{},
		trace:   newTrace(cfg.Trace, cfg.NoTrace, cfg.InlineTrace),
	}
	w.ctx.w = w
	return w, nil
}

// AddNode adds a process. Nodes are added before the world first runs or a
// fault is applied; their ids are dense, in the order added.
func (w *World) AddNode(spec NodeSpec) (wire.NodeID, error) {
	switch {
	case w.frozen:
		return wire.None, errors.New("sim: nodes must be added before the world starts")
	case !validName(spec.Name):
		return wire.None, fmt.Errorf("sim: node name %q must be non-empty, without spaces, control characters or any of {}<>#", spec.Name)
	case spec.Start == nil:
		return wire.None, fmt.Errorf("sim: node %s has no Start function", spec.Name)
	case spec.Clock.DriftPPM <= -ppm || spec.Clock.DriftPPM > 100*ppm:
		return wire.None, fmt.Errorf("sim: node %s: clock drift %d ppm is outside (-1000000, 100000000]", spec.Name, spec.Clock.DriftPPM)
	}
	if _, dup := w.byName[spec.Name]; dup {
		return wire.None, fmt.Errorf("sim: node %s added twice", spec.Name)
	}
	id := wire.NodeID(len(w.nodes))
	w.nodes = append(w.nodes, &node{
		id:        id,
		name:      spec.Name,
		start:     spec.Start,
		clock:     newClock(spec.Clock),
		baseDrift: spec.Clock.DriftPPM,
		rng:       w.streams.Stream("node/" + spec.Name),
		down:      spec.Down,
	})
	w.byName[spec.Name] = id
	w.all = append(w.all, id)
	w.trace.names = append(w.trace.names, spec.Name)
	return id, nil
}

// validName reports whether a node name can go into the trace as one word:
// non-empty, without spaces, control characters or the characters the trace
// uses around names.
func validName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c == 0x7f || strings.IndexByte("{}<>#", c) >= 0 {
			return false
		}
	}
	return true
}

// freeze fixes the topology and schedules the boot of every node that starts
// up, in the order they were added.
func (w *World) freeze() {
	if w.frozen {
		return
	}
	w.frozen = true
	n := len(w.nodes)
	w.links = make([]link, n*n)
	for i := range w.links {
		w.configure(&w.links[i], w.cfg.Network)
	}
	// The boot takes sequence number 0, which no other event gets (push
	// starts at 1), so it runs before everything else due at time 0: the
	// faults and callbacks scheduled for time 0 find the nodes booted.
	w.q.push(event{at: w.now, seq: 0, kind: evBoot})
}

// bootAll boots the nodes that start up. They are all marked up before the
// first Boot runs, so what one sends while booting reaches the ones that boot
// after it, as if they had all started at the same instant.
func (w *World) bootAll() {
	w.started = true
	var booting []*node
	for _, n := range w.nodes {
		if !n.down && !n.up && n.proc == nil && !n.faultDown {
			n.up = true
			booting = append(booting, n)
		}
	}
	for _, n := range booting {
		if w.ended != nil {
			return
		}
		if n.up && n.proc == nil {
			w.boot(n)
		}
	}
}

// Seed returns the run's root seed.
func (w *World) Seed() uint64 { return w.cfg.Seed }

// Stream returns a new generator for a named stream of the run's seed. The
// simulator itself uses names starting with "node/", "link/" and "flap/".
func (w *World) Stream(name string) *rand.Rand { return w.streams.Stream(name) }

// Now returns the simulated time.
func (w *World) Now() wire.Time { return w.now }

// Nodes returns every node id, in the order added, in a new slice.
func (w *World) Nodes() []wire.NodeID { return slices.Clone(w.all) }

// Name returns a node's name.
func (w *World) Name(id wire.NodeID) string { return w.nodes[id].name }

// Lookup finds a node by name.
func (w *World) Lookup(name string) (wire.NodeID, bool) {
	id, ok := w.byName[name]
	return id, ok
}

// Up reports whether a node is running (paused counts as running).
func (w *World) Up(id wire.NodeID) bool { return w.nodes[id].up }

// Paused reports whether a node is paused.
func (w *World) Paused(id wire.NodeID) bool { return w.nodes[id].paused }

// WallClock returns what the node's wall clock reads now.
func (w *World) WallClock(id wire.NodeID) wire.Time { return w.nodes[id].clock.wall(w.now) }

// Persisted returns a copy of what the node last persisted and whether it
// ever did.
func (w *World) Persisted(id wire.NodeID) ([]byte, bool) {
	n := w.nodes[id]
	if n.disk == nil {
		return nil, false
	}
	return append([]byte(nil), n.disk.bytes()...), true
}

// Process returns the node's running process, or nil while it is crashed.
func (w *World) Process(id wire.NodeID) Process { return w.nodes[id].proc }

// Stats returns the counters of the run so far.
func (w *World) Stats() Stats { return w.stats }

// Trace returns the run's trace recorder.
func (w *World) Trace() *Trace { return w.trace }

// Linked reports whether messages can currently travel from one node to
// another (no cut and no flap holds the link down). Before the world starts
// nothing is cut; asking does not fix the topology.
func (w *World) Linked(from, to wire.NodeID) bool {
	if !w.frozen {
		return true
	}
	return !w.link(from, to).down()
}

// At schedules fn to run at time t (or now, if t is past), after the
// events already scheduled for t; at time 0, after the nodes boot.
// Callbacks let a scenario resolve role-relative targets ("the current
// master") at the moment a fault happens.
func (w *World) At(t wire.Time, fn func(*World)) {
	var ref uint64
	if n := len(w.freeActions); n > 0 {
		ref = w.freeActions[n-1]
		w.freeActions = w.freeActions[:n-1]
		w.actions[ref] = fn
	} else {
		ref = uint64(len(w.actions))
		w.actions = append(w.actions, fn)
	}
	w.push(event{at: max(t, w.now), kind: evAction, ref: ref})
}

// Schedule checks fault f and applies it at time t (like At); faults
// scheduled for time 0 take effect after the nodes boot.
func (w *World) Schedule(t wire.Time, f Fault) error {
	if err := w.Check(f); err != nil {
		return err
	}
	w.At(t, func(w *World) { w.apply(f) })
	return nil
}

// ErrStopped is wrapped by the error of World.Apply on a world that has
// stopped (RunUntil returns why).
var ErrStopped = errors.New("sim: the world has stopped")

// Apply checks a fault, carries it out now and records it in the trace.
//
// Faults applied before the world starts take effect at time 0, after the
// nodes boot (like Schedule(0, f), in the order applied). Applied between
// runs, a fault runs under the same guard as RunUntil: a process that
// panics while the fault is carried out (a Boot during a Restart), or a
// bound that is hit, stops the world. Apply on a stopped world, or one that
// stops while f is carried out, returns an error wrapping ErrStopped.
func (w *World) Apply(f Fault) error {
	if err := w.stopped(); err != nil {
		return err
	}
	if err := w.Check(f); err != nil {
		return err
	}
	w.freeze()
	if !w.started {
		w.At(w.now, func(w *World) { w.apply(f) })
		return nil
	}
	w.guard(func() { w.apply(f) })
	return w.stopped()
}

// stopped returns an error wrapping ErrStopped once the world has stopped.
func (w *World) stopped() error {
	if o := w.ended; o != nil {
		return fmt.Errorf("%w at %d ms: %s: %s", ErrStopped, o.At, o.Stop, o.Detail)
	}
	return nil
}

// Check reports whether f names only nodes of this world and has sensible
// parameters.
func (w *World) Check(f Fault) error {
	if err := f.check(w); err != nil {
		return fmt.Errorf("sim: fault %T: %w", f, err)
	}
	return nil
}

func (w *World) apply(f Fault) {
	w.freeze()
	t := w.trace
	t.begin(w.now, "fault")
	t.word(f.describe(w))
	t.end()
	f.apply(w)
	if h := w.cfg.AfterFault; h != nil && w.ended == nil {
		h(w.now, f)
	}
}

// RunFor runs the world for d more simulated milliseconds.
func (w *World) RunFor(d wire.Duration) Outcome { return w.RunUntil(w.now.Add(d)) }

// RunUntil runs every event due at or before until, then sets the clock to
// until. It stops early when a bound is exceeded or a process panics; a
// stopped world stays stopped and returns the same outcome.
func (w *World) RunUntil(until wire.Time) Outcome {
	if w.ended != nil {
		return *w.ended
	}
	var out Outcome
	w.guard(func() { out = w.run(until) })
	if w.ended != nil {
		return *w.ended
	}
	return out
}

// guard runs fn; a panic in it (in a process's handler or factory, or in a
// callback) stops the world with ProcessPanic, naming who panicked.
func (w *World) guard(fn func()) {
	defer func() {
		r := recover()
		who := "callback"
		if w.current != nil {
			who = "process " + w.current.name
		}
		w.current = nil
		if r != nil {
			w.end(ProcessPanic, fmt.Sprintf("%s panicked: %v", who, r))
		}
	}()
	fn()
}

// run is RunUntil's loop.
func (w *World) run(until wire.Time) Outcome {
	w.freeze()
	limit := until
	if limit > w.cfg.Bounds.MaxTime {
		limit = w.cfg.Bounds.MaxTime
	}
	for w.q.len() > 0 {
		where := w.q.earliest()
		if w.q.head(where).at > limit {
			break
		}
		if w.stats.Events >= w.cfg.Bounds.MaxEvents {
			return w.end(MaxEventsHit, fmt.Sprintf("more than %d events", w.cfg.Bounds.MaxEvents))
		}
		// The event stays in its slot while it runs (no copy): the slot is
		// only reused once released. Events pushed meanwhile may move the
		// slots; this one is read through a copy of the slot's address,
		// which stays valid (and is released by index).
		slot := w.q.takeFrom(where)
		e := &w.q.slots[slot]
		w.now = e.at
		w.stats.Events++
		w.dispatch(e)
		w.q.release(slot)
		if w.ended != nil {
			return *w.ended
		}
	}
	w.now = max(w.now, limit)
	if until > w.cfg.Bounds.MaxTime {
		return w.end(MaxTimeHit, fmt.Sprintf("simulated time would pass %d ms", w.cfg.Bounds.MaxTime))
	}
	return Outcome{Stop: Reached, At: w.now}
}

// end stops the world for good and records why. Only the first call counts:
// a later one returns the first outcome and writes nothing.
func (w *World) end(s Stop, detail string) Outcome {
	if w.ended != nil {
		return *w.ended
	}
	o := Outcome{Stop: s, At: w.now, Detail: detail}
	w.ended = &o
	t := w.trace
	t.begin(w.now, "stop")
	t.word(s.String())
	t.word(detail)
	t.end()
	return o
}

func (w *World) push(e event) {
	w.seq++
	e.seq = w.seq
	w.q.push(e)
}

func (w *World) dispatch(e *event) {
	switch e.kind {
	case evTimer:
		n := w.nodes[e.node]
		if !n.up || e.inc != n.inc {
			return // the process that set it crashed
		}
		if n.paused {
			n.held = append(n.held, *e)
			return
		}
		w.fire(n, e.ref)
	case evDeliver:
		w.arrive(e)
	case evAction:
		fn := w.actions[e.ref]
		w.actions[e.ref] = nil
		w.freeActions = append(w.freeActions, e.ref)
		fn(w)
	case evFlap:
		w.toggleFlapper(w.flappers[e.ref])
	case evBoot:
		w.bootAll()
	case evRetransmit:
		w.retransmit(e)
	}
}

// link returns the directed link from a to b.
func (w *World) link(a, b wire.NodeID) *link { return &w.links[int(a)*len(w.nodes)+int(b)] }

func (w *World) setCut(from, to []wire.NodeID, cut bool) {
	for _, a := range from {
		for _, b := range to {
			if a != b {
				w.change(w.link(a, b), func(l *link) { l.cut = cut })
			}
		}
	}
}

// group formats a set of nodes for the trace: "{s1 s2}".
func (w *World) group(ids []wire.NodeID) string {
	if len(ids) == 0 {
		return "{*}"
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w.nodes[id].name)
	}
	b.WriteByte('}')
	return b.String()
}
