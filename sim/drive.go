package sim

import (
	"errors"
	"slices"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// FlapGroups makes every link between a node of A and a node of B (and
// back, when Both) alternate down and up together: one flaky network path
// between two sets of machines, such as a host and the rest of the world.
// The groups must be disjoint and not empty.
type FlapGroups struct {
	A, B []wire.NodeID
	Both bool
	Spec FlapSpec
}

func (f FlapGroups) describe(w *World) string {
	arrow := ">"
	if f.Both {
		arrow = "<>"
	}
	return "flap-groups " + w.group(f.A) + arrow + w.group(f.B) + " " + f.Spec.describe()
}

func (f FlapGroups) check(w *World) error {
	if err := w.checkGroup(f.A, false); err != nil {
		return err
	}
	if err := w.checkGroup(f.B, false); err != nil {
		return err
	}
	for _, a := range f.A {
		if slices.Contains(f.B, a) {
			return errors.New("a node cannot be on both sides of a flapping path")
		}
	}
	return f.Spec.Validate()
}

func (f FlapGroups) apply(w *World) {
	var links [][2]int
	for _, a := range f.A {
		for _, b := range f.B {
			links = append(links, [2]int{int(a), int(b)})
			if f.Both {
				links = append(links, [2]int{int(b), int(a)})
			}
		}
	}
	arrow := ">"
	if f.Both {
		arrow = "<>"
	}
	w.startFlapper(w.group(f.A)+arrow+w.group(f.B), links, f.Spec)
}

// Wake runs the node's Fire handler now with tag, as if a timer it set had
// expired: how a driver outside the processes (a scenario's operator, told
// to send a command at a time only known during the run) gets a process to
// act. Call it from a World.At callback. It reports false, and does
// nothing, when the node is down or paused.
func (w *World) Wake(id wire.NodeID, tag uint64) bool {
	if int(id) >= len(w.nodes) || w.ended != nil {
		return false
	}
	n := w.nodes[id]
	if !n.up || n.paused {
		return false
	}
	w.fire(n, tag)
	return true
}

// Limits of fault parameters, for front ends that check faults before a
// world exists (scenario files): Slow.Extra in [0, MaxSlowDown],
// ClockJump.By within ±MaxClockJump, ClockDrift.DriftPPM in
// (MinDriftPPM, MaxDriftPPM].
const (
	MaxSlowDown  = maxSlow
	MaxClockJump = maxDelay
	MinDriftPPM  = -ppm
	MaxDriftPPM  = 100 * ppm
)

// Degraded reports whether the link from one node to another is set to
// behave otherwise than the world's default network (SetLinks: delay,
// loss, duplication): a checker treats it as a link a process may lose.
func (w *World) Degraded(from, to wire.NodeID) bool {
	if !w.frozen {
		return false
	}
	return w.link(from, to).custom
}

// SlowedUntil is how long a node's slow-down still shows: now plus the
// current slow-down, or, after a slow-down ended, when the last message or
// timer it delayed comes due.
func (w *World) SlowedUntil(id wire.NodeID) wire.Time {
	n := w.nodes[id]
	return max(n.slowTail, w.now.Add(n.slow))
}

// Flapping reports whether a flapping fault (FlapLink, FlapNode, flapping
// groups) is going on.
func (w *World) Flapping() bool {
	for _, f := range w.flappers {
		if !f.done {
			return true
		}
	}
	return false
}

// Stalled reports whether TCP segments from one node to another wait for
// retransmission: the connection is as good as cut until they go through,
// even if the link is up again.
func (w *World) Stalled(from, to wire.NodeID) bool { return w.link(from, to).stalled > 0 }

// AllClear reports whether every link is clear (Clear) both ways: no link
// is down, impaired, stalled or flapping, or the world has not started
// (nothing is cut or sent before it does).
func (w *World) AllClear() bool { return !w.frozen || w.impaired == 0 && !w.Flapping() }

// Clear reports whether the link between a and b is clear both ways: up,
// at the network's default settings, with no segment waiting for
// retransmission and no flapping fault covering it (Linked, !Degraded,
// !Stalled and !Flapped, each way, in one look at the two links).
func (w *World) Clear(a, b wire.NodeID) bool {
	if w.AllClear() {
		return true // the usual case, without a look at the links
	}
	ab, ba := w.link(a, b), w.link(b, a)
	if ab.down() || ba.down() || ab.stalled > 0 || ba.stalled > 0 || ab.custom || ba.custom {
		return false
	}
	return !w.Flapped(a, b) && !w.Flapped(b, a)
}

// Flapped reports whether a flapping fault that is going on covers the
// link from one node to another, in either phase: a ground truth that
// samples now and then must not take an up phase for a healthy link.
func (w *World) Flapped(from, to wire.NodeID) bool {
	for _, f := range w.flappers {
		if f.done {
			continue
		}
		for _, l := range f.links {
			if l[0] == int(from) && l[1] == int(to) {
				return true
			}
		}
	}
	return false
}
