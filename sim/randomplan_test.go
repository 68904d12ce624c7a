package sim_test

import (
	"cmp"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sim"
)

// A plan is a pure function of its parameters and the stream: the same
// seed draws the same faults, sorted by time, starting within [From, To)
// and undone by To+MaxDuration; Kinds restricts what is drawn.
func TestRandomPlanDraw(t *testing.T) {
	nodes := []wire.NodeID{0, 1, 2, 3, 4}
	plan := sim.RandomPlan{Nodes: nodes, From: 1000, To: 60_000, Count: 200, MaxDuration: 10_000}
	a, err := plan.Draw(sim.NewStreams(1).Stream("plan"))
	require.NoError(t, err)
	b, err := plan.Draw(sim.NewStreams(1).Stream("plan"))
	require.NoError(t, err)
	require.Equal(t, a, b)
	c, err := plan.Draw(sim.NewStreams(2).Stream("plan"))
	require.NoError(t, err)
	require.NotEqual(t, a, c)

	require.GreaterOrEqual(t, len(a), plan.Count)
	require.True(t, slices.IsSortedFunc(a, func(x, y sim.Timed) int { return int(x.At - y.At) }))
	kinds := map[string]bool{}
	for _, f := range a {
		require.True(t, f.At >= plan.From && f.At <= plan.To.Add(plan.MaxDuration), "fault %T at %d", f.Fault, f.At)
		kinds[fmt.Sprintf("%T", f.Fault)] = true
	}
	for _, k := range []string{"Partition", "OneWay", "Isolate", "Bridge", "FlapLink", "FlapNode", "SetLinks", "Crash",
		"Pause", "Slow", "ClockJump", "ClockDrift", "Connect", "Rejoin", "RestoreLinks", "RestoreClockRate", "Restart", "Resume"} {
		require.True(t, kinds["sim."+k], "200 faults drew no %s", k)
	}

	only := plan
	only.Kinds = []sim.FaultKind{sim.KindCrash}
	crashes, err := only.Draw(sim.NewStreams(1).Stream("plan"))
	require.NoError(t, err)
	require.Len(t, crashes, 2*plan.Count)
	for _, f := range crashes {
		switch f.Fault.(type) {
		case sim.Crash, sim.Restart:
		default:
			t.Fatalf("Kinds=[crash] drew %T", f.Fault)
		}
	}

	for _, k := range sim.AllKinds() {
		got, err := sim.ParseFaultKind(k.String())
		require.NoError(t, err)
		require.Equal(t, k, got)
	}
	_, err = sim.ParseFaultKind("meteor")
	require.Error(t, err)
}

// Validate rejects plans that cannot be drawn.
func TestRandomPlanValidate(t *testing.T) {
	ok := sim.RandomPlan{Nodes: []wire.NodeID{0, 1}, From: 0, To: 10, Count: 1, MaxDuration: 1}
	require.NoError(t, ok.Validate())
	most := ok
	most.Count = 10_000
	require.NoError(t, most.Validate())
	for name, mut := range map[string]func(*sim.RandomPlan){
		"one node":     func(p *sim.RandomPlan) { p.Nodes = p.Nodes[:1] },
		"empty window": func(p *sim.RandomPlan) { p.To = p.From },
		"negative":     func(p *sim.RandomPlan) { p.Count = -1 },
		"no duration":  func(p *sim.RandomPlan) { p.MaxDuration = 0 },
		"bad kind":     func(p *sim.RandomPlan) { p.Kinds = []sim.FaultKind{99} },
		"duplicate":    func(p *sim.RandomPlan) { p.Nodes = []wire.NodeID{0, 1, 0} },
		"too many":     func(p *sim.RandomPlan) { p.Count = 10_001 },
	} {
		p := ok
		mut(&p)
		require.Error(t, p.Validate(), name)
		_, err := p.Draw(sim.NewStreams(1).Stream("plan"))
		require.Error(t, err, name)
	}
}

// RandomPlan's promise: every drawn fault comes with its undo, so once the
// plan is over the world is whole again: every node up, unpaused, at normal
// speed and at the clock rate it was configured with, every link up with the
// default configuration, and every message delivered. The world has a node
// that is not a candidate (isolating a candidate also cuts its links to
// that node) and a candidate whose clock is configured to run 25 % fast.
func TestRandomPlanLeavesWorldWhole(t *testing.T) {
	names := []string{"a", "b", "c", "d", "e"}
	all := append(slices.Clone(names), "f")
	seeds := uint64(20)
	if raceEnabled {
		seeds = 8
	}
	// A timer of 100 ms on a clock running 25 % fast takes 80 ms.
	period := map[string]wire.Duration{"a": 80}
	for seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			c := newCluster(t, sim.Config{Seed: seed, Network: fixed(3)})
			c.addSpec(sim.NodeSpec{Name: "a", Clock: sim.ClockSpec{DriftPPM: 250_000}}, 5, 100, all...)
			for _, n := range all[1:] {
				c.add(n, 5, 100, all...)
			}
			plan := sim.RandomPlan{Nodes: ids(c, names...), From: 1000, To: 20_000, Count: 30, MaxDuration: 5000}
			faults, err := plan.Draw(c.w.Stream("plan"))
			require.NoError(t, err)
			for _, f := range faults {
				require.NoError(t, c.w.Schedule(f.At, f.Fault))
			}
			// The count of impaired links that lets Clear skip the links
			// stays true throughout.
			impairedSeen := false
			for at := wire.Time(1000); at < 35_000; at += 250 {
				c.w.At(at, func(w *sim.World) {
					kept, counted := w.ImpairedCount()
					require.Equal(t, counted, kept, "impaired links at %d", at)
					impairedSeen = impairedSeen || kept > 0
				})
			}
			// Faults end by 25 s; let delays (up to ~2 s on degraded links)
			// and slowed sends (up to 2 s) drain first.
			c.runUntil(35_000)
			require.True(t, impairedSeen, "no fault impaired a link")
			kept, counted := c.w.ImpairedCount()
			require.Equal(t, 0, counted)
			require.Equal(t, 0, kept)

			for _, id := range c.w.Nodes() {
				require.True(t, c.w.Up(id), "%s is down", c.w.Name(id))
				require.False(t, c.w.Paused(id), "%s is paused", c.w.Name(id))
				for _, o := range c.w.Nodes() {
					require.True(t, c.w.Linked(id, o), "%s>%s is cut", c.w.Name(id), c.w.Name(o))
				}
			}
			fs := fates(t, c.lines())
			for _, x := range all {
				for _, y := range all {
					if x != y {
						requireDelivered(t, fs, x, y, 30_000, 34_990, 3)
					}
				}
				want := cmp.Or(period[x], 100)
				var last obs
				for _, o := range c.log(x, "fire") {
					if o.sim > 30_000 {
						require.Equal(t, want, o.sim.Sub(last.sim), "%s's timer", x)
						require.Equal(t, wire.Duration(100), o.mono.Sub(last.mono), "%s's clock rate", x)
					}
					last = o
				}
			}
		})
	}
}

// Undoing a degraded node restores only that node's links: a link the
// scenario changed between two other nodes keeps its configuration.
func TestRandomPlanDegradeUndoKeepsOtherLinks(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 60, Network: fixed(3)})
	names := []string{"a", "b", "c", "x", "y"}
	for _, n := range names {
		c.add(n, 5, 100, names...)
	}
	x, y := c.id("x"), c.id("y")
	require.NoError(t, c.w.Schedule(100, sim.SetLinks{From: []wire.NodeID{x}, To: []wire.NodeID{y}, Config: fixed(40)}))
	plan := sim.RandomPlan{Nodes: ids(c, "a", "b", "c"), From: 1000, To: 5000, Count: 10, MaxDuration: 2000, Kinds: []sim.FaultKind{sim.KindDegrade}}
	faults, err := plan.Draw(c.w.Stream("plan"))
	require.NoError(t, err)
	for _, f := range faults {
		require.NoError(t, c.w.Schedule(f.At, f.Fault))
	}
	c.runUntil(12_000)
	fs := fates(t, c.lines())
	requireDelivered(t, fs, "x", "y", 100, 11_900, 40)
	requireDelivered(t, fs, "y", "x", 100, 11_900, 3)
	requireDelivered(t, fs, "a", "b", 10_000, 11_900, 3)
}
