package sim_test

import (
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
		"Pause", "Slow", "ClockJump", "ClockDrift", "Connect", "ResetLinks", "Restart", "Resume"} {
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
	for name, mut := range map[string]func(*sim.RandomPlan){
		"one node":     func(p *sim.RandomPlan) { p.Nodes = p.Nodes[:1] },
		"empty window": func(p *sim.RandomPlan) { p.To = p.From },
		"negative":     func(p *sim.RandomPlan) { p.Count = -1 },
		"no duration":  func(p *sim.RandomPlan) { p.MaxDuration = 0 },
		"bad kind":     func(p *sim.RandomPlan) { p.Kinds = []sim.FaultKind{99} },
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
// speed and rate, every link up with the default configuration, and every
// message delivered.
func TestRandomPlanLeavesWorldWhole(t *testing.T) {
	names := []string{"a", "b", "c", "d", "e"}
	seeds := uint64(20)
	if raceEnabled {
		seeds = 8
	}
	for seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			c := newCluster(t, sim.Config{Seed: seed, Network: fixed(3)})
			for _, n := range names {
				c.add(n, 5, 100, names...)
			}
			plan := sim.RandomPlan{Nodes: c.w.Nodes(), From: 1000, To: 20_000, Count: 30, MaxDuration: 5000}
			faults, err := plan.Draw(c.w.Stream("plan"))
			require.NoError(t, err)
			for _, f := range faults {
				c.w.Schedule(f.At, f.Fault)
			}
			// Faults end by 25 s; let delays (up to ~2 s on degraded links)
			// and slowed sends (up to 2 s) drain first.
			c.runUntil(35_000)

			for _, id := range c.w.Nodes() {
				require.True(t, c.w.Up(id), "%s is down", c.w.Name(id))
				require.False(t, c.w.Paused(id), "%s is paused", c.w.Name(id))
				for _, o := range c.w.Nodes() {
					require.True(t, c.w.Linked(id, o), "%s>%s is cut", c.w.Name(id), c.w.Name(o))
				}
			}
			fs := fates(t, c.lines())
			for _, x := range names {
				for _, y := range names {
					if x != y {
						requireDelivered(t, fs, x, y, 30_000, 34_990, 3)
					}
				}
				var last obs
				for _, o := range c.log(x, "fire") {
					if o.sim > 30_000 {
						require.Equal(t, wire.Duration(100), o.sim.Sub(last.sim), "%s's timer", x)
						require.Equal(t, wire.Duration(100), o.mono.Sub(last.mono), "%s's clock rate", x)
					}
					last = o
				}
			}
		})
	}
}
