package sim

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Fault is something done to the world from outside: a network partition, a
// flapping link, a crash, a pause, a clock jump. Faults are plain data so that
// scenario files, random schedules and traces can all name them; World.Apply
// carries one out and records it in the trace.
//
// The set is closed: the kinds below are all there is, so every consumer
// (scenario decoding, reports, the checker) can handle each of them.
type Fault interface {
	check(w *World) error
	apply(w *World)
	describe(w *World) string
}

// Partition cuts every link between nodes of different groups, both ways.
// Nodes in no group keep all their links, so a node left out of a two-group
// partition bridges it. A node may be in one group only. Cuts add up until a
// Heal, Connect or Rejoin.
type Partition struct{ Groups [][]wire.NodeID }

// OneWay cuts the links from every node of From to every node of To, in that
// direction only: To still reaches From.
type OneWay struct{ From, To []wire.NodeID }

// Isolate cuts every link of Node, both ways.
type Isolate struct{ Node wire.NodeID }

// Rejoin clears every cut of Node, both ways: the undo of Isolate, and of
// any other cut that involves Node. Flapping is left alone.
type Rejoin struct{ Node wire.NodeID }

// Bridge cuts Left from Right, leaving Via connected to both sides. Left and
// Right may not share a node.
type Bridge struct {
	Left, Right []wire.NodeID
	Via         wire.NodeID
}

// Heal clears every cut and stops every flapping link and node. It does not
// resume paused processes or restart crashed ones.
type Heal struct{}

// HealAll ends a fault phase: it heals the network (Heal), restores the
// default links (ResetLinks), disarms CrashAfterPersist, resumes paused
// nodes, restarts the nodes that faults crashed (not those configured to
// start down and never started), and returns every node to normal speed and
// to the clock rate it was configured with. Clock offsets stay where jumps
// left them: a stepped clock is not stepped back.
type HealAll struct{}

// Connect clears the cuts between nodes of A and nodes of B, both ways.
type Connect struct{ A, B []wire.NodeID }

// FlapLink makes the link From→To (and To→From when Both) alternate down and
// up.
type FlapLink struct {
	From, To wire.NodeID
	Both     bool
	Spec     FlapSpec
}

// FlapNode makes all of Node's links alternate down and up together, like a
// host whose network interface flaps.
type FlapNode struct {
	Node wire.NodeID
	Spec FlapSpec
}

// SetLinks sets the behaviour of every link from a node of From to a node of
// To (an empty list means every node).
type SetLinks struct {
	From, To []wire.NodeID
	Config   LinkConfig
}

// ResetLinks sets every link back to the world's default configuration.
type ResetLinks struct{}

// RestoreLinks sets every link from a node of From to a node of To (an empty
// list means every node) back to the world's default configuration: the
// scoped undo of SetLinks.
type RestoreLinks struct{ From, To []wire.NodeID }

// Crash kills Node's process: its memory, timers, messages held while
// paused, and everything in flight to or from it are lost; only what it
// persisted survives. Crashing a crashed node does nothing.
//
// The host stays up, so, like a real kill -9, every message that reaches
// the node until it restarts is refused with a wire.Reset back to its sender
// (spec §5.2: a dead process is seen as fast connection errors). With Host
// the whole machine is gone: nothing answers, as in a partition.
type Crash struct {
	Node wire.NodeID
	Host bool
}

// CrashAfterPersist arms Node to crash the next time it persists, after the
// state is saved and before the messages of that step go out: the window that
// "persist before send" exists for. A crash (and so a Restart of a running
// node) and HealAll disarm it. Arming a node that is down keeps it armed
// until its first persist after it boots.
type CrashAfterPersist struct{ Node wire.NodeID }

// Restart boots Node from what it persisted. A node that is up is crashed
// first, like kill -9 followed by a start.
type Restart struct{ Node wire.NodeID }

// Pause stops Node like SIGSTOP: messages that arrive queue at the process,
// timers that come due wait, and its clock keeps running.
type Pause struct{ Node wire.NodeID }

// Resume continues a paused Node like SIGCONT: it first handles, in order,
// every message and timer that queued while it was stopped, so its timers
// fire late.
type Resume struct{ Node wire.NodeID }

// Slow adds Extra latency to each of Node's timers and sends, like a loaded
// host. Extra 0 restores normal speed. A timer keeps the slow-down it was
// set with. Extra is at most 2^31-1 ms (about 24 days).
type Slow struct {
	Node  wire.NodeID
	Extra wire.Duration
}

// ClockJump steps Node's wall clock by By (negative steps it back). Only that
// node sees it, and its timers are not affected: they run on the monotonic
// clock.
type ClockJump struct {
	Node wire.NodeID
	By   wire.Duration
}

// ClockDrift sets how fast Node's clocks run from now on, in parts per
// million. Pending timers are re-timed: they still fire when the node's
// monotonic clock reaches their deadline.
type ClockDrift struct {
	Node     wire.NodeID
	DriftPPM int64
}

// RestoreClockRate sets Node's clocks back to the rate the node was
// configured with (NodeSpec.Clock), like ClockDrift: the undo of ClockDrift.
type RestoreClockRate struct{ Node wire.NodeID }

func (f Partition) describe(w *World) string {
	parts := make([]string, len(f.Groups))
	for i, g := range f.Groups {
		parts[i] = w.group(g)
	}
	return "partition " + strings.Join(parts, " ")
}

func (f OneWay) describe(w *World) string {
	return "one-way " + w.group(f.From) + " -> " + w.group(f.To)
}

func (f Isolate) describe(w *World) string { return "isolate " + w.nodes[f.Node].name }

func (f Rejoin) describe(w *World) string { return "rejoin " + w.nodes[f.Node].name }

func (f Bridge) describe(w *World) string {
	return "bridge " + w.group(f.Left) + " " + w.group(f.Right) + " via " + w.nodes[f.Via].name
}

func (Heal) describe(*World) string { return "heal" }

func (HealAll) describe(*World) string { return "heal-all" }

func (f Connect) describe(w *World) string { return "connect " + w.group(f.A) + " " + w.group(f.B) }

func (f FlapLink) describe(w *World) string {
	return "flap-link " + flapLabel(w, f.From, f.To, f.Both) + " " + f.Spec.describe()
}

func (f FlapNode) describe(w *World) string {
	return "flap-node " + w.nodes[f.Node].name + " " + f.Spec.describe()
}

func (f SetLinks) describe(w *World) string {
	return "set-links " + w.group(f.From) + " -> " + w.group(f.To) + " " + f.Config.String()
}

func (ResetLinks) describe(*World) string { return "reset-links" }

func (f RestoreLinks) describe(w *World) string {
	return "restore-links " + w.group(f.From) + " -> " + w.group(f.To)
}

func (f Crash) describe(w *World) string {
	if f.Host {
		return "crash-host " + w.nodes[f.Node].name
	}
	return "crash " + w.nodes[f.Node].name
}

func (f CrashAfterPersist) describe(w *World) string {
	return "crash-after-persist " + w.nodes[f.Node].name
}

func (f Restart) describe(w *World) string { return "restart " + w.nodes[f.Node].name }

func (f Pause) describe(w *World) string { return "pause " + w.nodes[f.Node].name }

func (f Resume) describe(w *World) string { return "resume " + w.nodes[f.Node].name }

func (f Slow) describe(w *World) string {
	return "slow " + w.nodes[f.Node].name + " +" + strconv.FormatInt(int64(f.Extra), 10) + "ms"
}

func (f ClockJump) describe(w *World) string {
	return "clock-jump " + w.nodes[f.Node].name + " " + signed(int64(f.By)) + "ms"
}

func (f ClockDrift) describe(w *World) string {
	return "clock-drift " + w.nodes[f.Node].name + " " + signed(f.DriftPPM) + "ppm"
}

func (f RestoreClockRate) describe(w *World) string {
	return "restore-clock-rate " + w.nodes[f.Node].name
}

func (s FlapSpec) describe() string {
	return "down=" + strconv.FormatInt(int64(s.Down), 10) +
		" up=" + strconv.FormatInt(int64(s.Up), 10) +
		" jitter=" + strconv.FormatInt(int64(s.Jitter), 10) +
		" for=" + strconv.FormatInt(int64(s.For), 10)
}

func signed(v int64) string {
	if v >= 0 {
		return "+" + strconv.FormatInt(v, 10)
	}
	return strconv.FormatInt(v, 10)
}

func flapLabel(w *World, from, to wire.NodeID, both bool) string {
	arrow := ">"
	if both {
		arrow = "<>"
	}
	return w.nodes[from].name + arrow + w.nodes[to].name
}

func (f Partition) apply(w *World) {
	for i, g := range f.Groups {
		for j, h := range f.Groups {
			if i != j {
				w.setCut(g, h, true)
			}
		}
	}
}

func (f OneWay) apply(w *World) { w.setCut(f.From, f.To, true) }

func (f Isolate) apply(w *World) {
	one := []wire.NodeID{f.Node}
	w.setCut(one, w.all, true)
	w.setCut(w.all, one, true)
}

func (f Rejoin) apply(w *World) {
	one := []wire.NodeID{f.Node}
	w.setCut(one, w.all, false)
	w.setCut(w.all, one, false)
}

func (f Bridge) apply(w *World) {
	w.setCut(f.Left, f.Right, true)
	w.setCut(f.Right, f.Left, true)
}

func (Heal) apply(w *World) {
	for i := range w.links {
		w.change(&w.links[i], func(l *link) { l.cut = false })
	}
	for _, f := range w.flappers {
		w.stopFlapper(f)
	}
}

func (HealAll) apply(w *World) {
	Heal{}.apply(w)
	ResetLinks{}.apply(w)
	for _, n := range w.nodes {
		n.crashAt = false
	}
	for _, n := range w.nodes {
		// Normal speed and clock first: a process restarted here must not
		// start with the slow-down of the fault phase.
		w.setSlow(n, 0)
		w.setDrift(n, n.baseDrift)
		switch {
		case n.faultDown:
			w.boot(n)
		case n.paused:
			w.resume(n)
		}
		if w.ended != nil {
			return // a bound was hit by what the node sent
		}
	}
}

func (f Connect) apply(w *World) {
	w.setCut(f.A, f.B, false)
	w.setCut(f.B, f.A, false)
}

func (f FlapLink) apply(w *World) {
	links := [][2]int{{int(f.From), int(f.To)}}
	if f.Both {
		links = append(links, [2]int{int(f.To), int(f.From)})
	}
	w.startFlapper(flapLabel(w, f.From, f.To, f.Both), links, f.Spec)
}

func (f FlapNode) apply(w *World) {
	var links [][2]int
	for _, o := range w.all {
		if o != f.Node {
			links = append(links, [2]int{int(f.Node), int(o)}, [2]int{int(o), int(f.Node)})
		}
	}
	w.startFlapper("node "+w.nodes[f.Node].name, links, f.Spec)
}

func (f SetLinks) apply(w *World) { w.setLinks(f.From, f.To, f.Config) }

func (ResetLinks) apply(w *World) {
	for i := range w.links {
		w.configure(&w.links[i], w.cfg.Network)
	}
}

func (f RestoreLinks) apply(w *World) { w.setLinks(f.From, f.To, w.cfg.Network) }

// setLinks configures the links from a node of from to a node of to (an
// empty list means every node).
func (w *World) setLinks(from, to []wire.NodeID, cfg LinkConfig) {
	if len(from) == 0 {
		from = w.all
	}
	if len(to) == 0 {
		to = w.all
	}
	for _, a := range from {
		for _, b := range to {
			w.configure(w.link(a, b), cfg)
		}
	}
}

// configure gives l its settings (and whether they are the network's
// default: Degraded and Clear ask that ten times a second per pair).
func (w *World) configure(l *link, cfg LinkConfig) {
	w.change(l, func(l *link) {
		l.cfg, l.custom = &w.cfg.Network, cfg != w.cfg.Network
		if l.custom {
			l.cfg = &cfg
		}
	})
}

func (f Crash) apply(w *World) {
	n := w.nodes[f.Node]
	if n.up {
		n.hostDown = f.Host
	}
	w.crash(n, "crash")
}

func (f CrashAfterPersist) apply(w *World) { w.nodes[f.Node].crashAt = true }

func (f Restart) apply(w *World) {
	n := w.nodes[f.Node]
	w.crash(n, "restart")
	w.boot(n)
}

func (f Pause) apply(w *World) {
	if n := w.nodes[f.Node]; n.up {
		n.paused = true
	}
}

func (f Resume) apply(w *World) { w.resume(w.nodes[f.Node]) }

func (f Slow) apply(w *World) { w.setSlow(w.nodes[f.Node], min(max(f.Extra, 0), maxSlow)) }

// setSlow changes n's slow-down, remembering how long what it did while
// slowed keeps arriving late (SlowedUntil).
func (w *World) setSlow(n *node, d wire.Duration) {
	n.slowTail = max(n.slowTail, w.now.Add(n.slow))
	n.slow = d
}

func (f ClockJump) apply(w *World) { w.nodes[f.Node].clock.jump(f.By) }

func (f ClockDrift) apply(w *World) { w.setDrift(w.nodes[f.Node], f.DriftPPM) }

func (f RestoreClockRate) apply(w *World) {
	n := w.nodes[f.Node]
	w.setDrift(n, n.baseDrift)
}

// Checks: every node named must exist, every group must be non-empty, and
// every parameter must make sense. Bad faults come from user input
// (scenario files), so they are errors, never panics.

func (w *World) checkNode(id wire.NodeID) error {
	if id < 0 || int(id) >= len(w.nodes) {
		return fmt.Errorf("no node %d in a world of %d", id, len(w.nodes))
	}
	return nil
}

func (w *World) checkGroup(ids []wire.NodeID, emptyOK bool) error {
	if len(ids) == 0 && !emptyOK {
		return errors.New("empty group of nodes")
	}
	for _, id := range ids {
		if err := w.checkNode(id); err != nil {
			return err
		}
	}
	return nil
}

func (f Partition) check(w *World) error {
	if len(f.Groups) < 2 {
		return errors.New("a partition needs at least two groups")
	}
	group := map[wire.NodeID]int{}
	for i, g := range f.Groups {
		if err := w.checkGroup(g, false); err != nil {
			return err
		}
		for _, id := range g {
			if j, seen := group[id]; seen && j != i {
				return fmt.Errorf("node %s is in groups %d and %d", w.nodes[id].name, j+1, i+1)
			}
			group[id] = i
		}
	}
	return nil
}

func (f OneWay) check(w *World) error {
	if err := w.checkGroup(f.From, false); err != nil {
		return err
	}
	return w.checkGroup(f.To, false)
}

func (f Isolate) check(w *World) error { return w.checkNode(f.Node) }

func (f Rejoin) check(w *World) error { return w.checkNode(f.Node) }

func (f Bridge) check(w *World) error {
	if err := w.checkGroup(f.Left, false); err != nil {
		return err
	}
	if err := w.checkGroup(f.Right, false); err != nil {
		return err
	}
	if err := w.checkNode(f.Via); err != nil {
		return err
	}
	if slices.Contains(f.Left, f.Via) || slices.Contains(f.Right, f.Via) {
		return errors.New("the bridging node must be on neither side")
	}
	for _, id := range f.Left {
		if slices.Contains(f.Right, id) {
			return fmt.Errorf("node %s is on both sides", w.nodes[id].name)
		}
	}
	return nil
}

func (Heal) check(*World) error { return nil }

func (HealAll) check(*World) error { return nil }

func (f Connect) check(w *World) error {
	if err := w.checkGroup(f.A, false); err != nil {
		return err
	}
	return w.checkGroup(f.B, false)
}

func (f FlapLink) check(w *World) error {
	if err := w.checkNode(f.From); err != nil {
		return err
	}
	if err := w.checkNode(f.To); err != nil {
		return err
	}
	if f.From == f.To {
		return errors.New("a node's link to itself cannot flap")
	}
	return f.Spec.Validate()
}

func (f FlapNode) check(w *World) error {
	if err := w.checkNode(f.Node); err != nil {
		return err
	}
	return f.Spec.Validate()
}

func (f SetLinks) check(w *World) error {
	if err := w.checkGroup(f.From, true); err != nil {
		return err
	}
	if err := w.checkGroup(f.To, true); err != nil {
		return err
	}
	return f.Config.Validate()
}

func (ResetLinks) check(*World) error { return nil }

func (f RestoreLinks) check(w *World) error {
	if err := w.checkGroup(f.From, true); err != nil {
		return err
	}
	return w.checkGroup(f.To, true)
}

func (f Crash) check(w *World) error { return w.checkNode(f.Node) }

func (f CrashAfterPersist) check(w *World) error { return w.checkNode(f.Node) }

func (f Restart) check(w *World) error { return w.checkNode(f.Node) }

func (f Pause) check(w *World) error { return w.checkNode(f.Node) }

func (f Resume) check(w *World) error { return w.checkNode(f.Node) }

func (f Slow) check(w *World) error {
	if f.Extra < 0 || f.Extra > maxSlow {
		return fmt.Errorf("slow-down %d ms is outside [0, %d]", f.Extra, maxSlow)
	}
	return w.checkNode(f.Node)
}

func (f ClockJump) check(w *World) error {
	if f.By < -maxDelay || f.By > maxDelay {
		return fmt.Errorf("clock jump %d ms is outside ±%d", f.By, maxDelay)
	}
	return w.checkNode(f.Node)
}

func (f ClockDrift) check(w *World) error {
	if f.DriftPPM <= -ppm || f.DriftPPM > 100*ppm {
		return fmt.Errorf("clock drift %d ppm is outside (-1000000, 100000000]", f.DriftPPM)
	}
	return w.checkNode(f.Node)
}

func (f RestoreClockRate) check(w *World) error { return w.checkNode(f.Node) }
