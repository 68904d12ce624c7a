package sim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// FaultKind names a family of faults that a random plan can draw.
type FaultKind uint8

// The kinds of fault a RandomPlan draws from.
const (
	KindPartition  FaultKind = iota // two random groups cut from each other
	KindOneWay                      // one direction between two groups cut
	KindIsolate                     // one node cut from everyone
	KindBridge                      // two sides cut, one node seeing both
	KindFlapLink                    // one link flapping, one or both ways
	KindFlapNode                    // all links of a node flapping
	KindDegrade                     // links of a node slow, lossy, duplicating, reordering
	KindCrash                       // a node's process or host crashed, restarted later
	KindPause                       // a node paused, resumed later
	KindSlow                        // a node slowed down
	KindClockJump                   // a node's wall clock stepped
	KindClockDrift                  // a node's clocks drifting
	kindCount
)

var kindNames = [kindCount]string{"partition", "one-way", "isolate", "bridge", "flap-link", "flap-node",
	"degrade", "crash", "pause", "slow", "clock-jump", "clock-drift"}

func (k FaultKind) String() string {
	if k < kindCount {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// ParseFaultKind returns the kind with the given name.
func ParseFaultKind(name string) (FaultKind, error) {
	for k, n := range kindNames {
		if n == name {
			return FaultKind(k), nil
		}
	}
	return 0, fmt.Errorf("unknown fault kind %q (want one of %v)", name, kindNames)
}

// AllKinds returns every fault kind.
func AllKinds() []FaultKind {
	ks := make([]FaultKind, kindCount)
	for i := range ks {
		ks[i] = FaultKind(i)
	}
	return ks
}

// Timed is a fault with the time it happens.
type Timed struct {
	At    wire.Time
	Fault Fault
}

// RandomPlan describes a randomised fault phase: how many faults, of which
// kinds, on which nodes, within what window. Each drawn fault comes with its
// undo within MaxDuration, so the plan ends with the world whole again
// except for clock jumps, which stay:
//
//	partition, one-way, bridge   Connect between the two sides
//	isolate                      Rejoin: every cut of the node, to any node
//	flap-link, flap-node         they stop by themselves (For)
//	degrade                      RestoreLinks from and to the node
//	crash, pause, slow           Restart, Resume, Slow{Extra: 0}
//	clock-drift                  RestoreClockRate: the node's configured rate
//
// An undo restores defaults, not what was there before: it may therefore
// also clear scripted faults on the same links or nodes (a scripted cut
// between two sides of a drawn partition, a scripted link configuration of
// a degraded node, a scripted drift or slow-down of the node).
type RandomPlan struct {
	// Nodes are the candidates; at least two, each once.
	Nodes []wire.NodeID
	// From and To bound when faults begin: From <= at < To.
	From, To wire.Time
	// Count is how many faults to draw, at most MaxRandomFaults.
	Count int
	// Kinds are the kinds to draw from, uniformly; empty means all.
	Kinds []FaultKind
	// MaxDuration bounds how long each fault lasts before its undo.
	MaxDuration wire.Duration
}

// MaxRandomFaults bounds RandomPlan.Count.
const MaxRandomFaults = 10_000

// Validate checks the plan.
func (p RandomPlan) Validate() error {
	switch {
	case len(p.Nodes) < 2:
		return errors.New("random faults need at least two candidate nodes")
	case p.To <= p.From:
		return fmt.Errorf("random fault window [%d, %d) is empty", p.From, p.To)
	case p.Count < 0:
		return fmt.Errorf("random fault count %d is negative", p.Count)
	case p.Count > MaxRandomFaults:
		return fmt.Errorf("random fault count %d is more than %d", p.Count, MaxRandomFaults)
	case p.MaxDuration <= 0:
		return fmt.Errorf("random fault max duration %d must be positive", p.MaxDuration)
	}
	for i, n := range p.Nodes {
		if slices.Contains(p.Nodes[:i], n) {
			return fmt.Errorf("random fault candidate node %d is listed twice", n)
		}
	}
	for _, k := range p.Kinds {
		if k >= kindCount {
			return fmt.Errorf("unknown fault kind %d", k)
		}
	}
	return nil
}

// Draw draws the plan's faults from rng, sorted by time (faults drawn for the
// same instant keep their drawing order).
func (p RandomPlan) Draw(rng *rand.Rand) ([]Timed, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	kinds := p.Kinds
	if len(kinds) == 0 {
		kinds = AllKinds()
	}
	var out []Timed
	for range p.Count {
		at := p.From + wire.Time(rng.Int64N(int64(p.To-p.From)))
		d := 1 + wire.Duration(rng.Int64N(int64(p.MaxDuration)))
		until := at.Add(d)
		kind := kinds[rng.IntN(len(kinds))]
		node := p.Nodes[rng.IntN(len(p.Nodes))]
		switch kind {
		case KindPartition, KindOneWay:
			a, b := p.split(rng)
			if kind == KindPartition {
				out = append(out, Timed{at, Partition{Groups: [][]wire.NodeID{a, b}}})
			} else {
				out = append(out, Timed{at, OneWay{From: a, To: b}})
			}
			out = append(out, Timed{until, Connect{A: a, B: b}})
		case KindIsolate:
			out = append(out, Timed{at, Isolate{Node: node}}, Timed{until, Rejoin{Node: node}})
		case KindBridge:
			via := node
			a, b := splitOf(rng, p.others(via))
			if len(a) == 0 || len(b) == 0 {
				a, b = p.split(rng)
				out = append(out, Timed{at, Partition{Groups: [][]wire.NodeID{a, b}}})
			} else {
				out = append(out, Timed{at, Bridge{Left: a, Right: b, Via: via}})
			}
			out = append(out, Timed{until, Connect{A: a, B: b}})
		case KindFlapLink:
			other := p.others(node)[rng.IntN(len(p.Nodes)-1)]
			out = append(out, Timed{at, FlapLink{From: node, To: other, Both: rng.IntN(2) == 0, Spec: drawFlap(rng, d)}})
		case KindFlapNode:
			out = append(out, Timed{at, FlapNode{Node: node, Spec: drawFlap(rng, d)}})
		case KindDegrade:
			cfg := RandomNetwork(rng)
			one := []wire.NodeID{node}
			out = append(out, Timed{at, SetLinks{From: one, Config: cfg}}, Timed{at, SetLinks{To: one, Config: cfg}},
				Timed{until, RestoreLinks{From: one}}, Timed{until, RestoreLinks{To: one}})
		case KindCrash:
			// Half the crashes kill the process (peers get resets), half
			// the whole host (peers get silence).
			out = append(out, Timed{at, Crash{Node: node, Host: rng.IntN(2) == 0}}, Timed{until, Restart{Node: node}})
		case KindPause:
			out = append(out, Timed{at, Pause{Node: node}}, Timed{until, Resume{Node: node}})
		case KindSlow:
			extra := 1 + wire.Duration(rng.Int64N(2000))
			out = append(out, Timed{at, Slow{Node: node, Extra: extra}}, Timed{until, Slow{Node: node}})
		case KindClockJump:
			by := wire.Duration(rng.Int64N(int64(2*wire.Minute)+1)) - wire.Minute
			out = append(out, Timed{at, ClockJump{Node: node, By: by}})
		case KindClockDrift:
			drift := rng.Int64N(2*50_000+1) - 50_000 // up to ±5 %
			out = append(out, Timed{at, ClockDrift{Node: node, DriftPPM: drift}}, Timed{until, RestoreClockRate{Node: node}})
		}
	}
	slices.SortStableFunc(out, func(a, b Timed) int { return int(a.At - b.At) })
	return out, nil
}

// RandomNetwork draws a link configuration, for swarm-style runs where the
// network itself varies with the seed: delays from sub-millisecond up to
// seconds, loss up to 30 %, duplication and reordering up to 10 % (each
// absent half of the time).
func RandomNetwork(rng *rand.Rand) LinkConfig {
	var c LinkConfig
	c.DelayMin = wire.Duration(rng.Int64N(3))
	c.DelayMean = c.DelayMin + wire.Duration(rng.Int64N(50))
	c.DelayMax = c.DelayMean + wire.Duration(rng.Int64N(2000))
	maybe := func(maxPercent uint32) Ratio {
		if rng.IntN(2) == 0 {
			return Ratio{}
		}
		return Ratio{Num: 1 + rng.Uint32N(maxPercent*10), Den: 1000}
	}
	c.Loss = maybe(30)
	c.Duplicate = maybe(10)
	c.Reorder = maybe(10)
	return c
}

// split divides the candidates into two non-empty random groups, each sorted
// by node id.
func (p RandomPlan) split(rng *rand.Rand) (a, b []wire.NodeID) {
	perm := rng.Perm(len(p.Nodes))
	k := 1 + rng.IntN(len(p.Nodes)-1)
	for i, j := range perm {
		if i < k {
			a = append(a, p.Nodes[j])
		} else {
			b = append(b, p.Nodes[j])
		}
	}
	slices.Sort(a)
	slices.Sort(b)
	return a, b
}

// others returns the candidates other than n.
func (p RandomPlan) others(n wire.NodeID) []wire.NodeID {
	var out []wire.NodeID
	for _, m := range p.Nodes {
		if m != n {
			out = append(out, m)
		}
	}
	return out
}

// splitOf puts each node in one of two groups with a coin flip.
func splitOf(rng *rand.Rand, nodes []wire.NodeID) (a, b []wire.NodeID) {
	for _, n := range nodes {
		if rng.IntN(2) == 0 {
			a = append(a, n)
		} else {
			b = append(b, n)
		}
	}
	return a, b
}

// drawFlap draws flapping periods that fit in d.
func drawFlap(rng *rand.Rand, d wire.Duration) FlapSpec {
	period := max(d/4, 2)
	return FlapSpec{
		Down:   1 + wire.Duration(rng.Int64N(int64(period))),
		Up:     1 + wire.Duration(rng.Int64N(int64(period))),
		Jitter: wire.Duration(rng.Int64N(int64(period)/4 + 1)),
		For:    d,
	}
}
