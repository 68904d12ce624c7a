package sim_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sim"
)

// Faults scheduled for time 0, and faults applied before the world starts,
// take effect at time 0 after the nodes boot: a crash at 0 leaves the node
// down, a pause at 0 leaves it paused, and the trace shows the boots first.
func TestFaultsAtTimeZeroComeAfterTheBoot(t *testing.T) {
	for _, how := range []string{"schedule", "apply"} {
		t.Run(how, func(t *testing.T) {
			c := newCluster(t, sim.Config{Seed: 40})
			a := c.add("a", 5, 10, "b")
			b := c.add("b", 5, 10, "a")
			for _, f := range []sim.Fault{sim.Crash{Node: a}, sim.Pause{Node: b}} {
				if how == "schedule" {
					require.NoError(t, c.w.Schedule(0, f))
				} else {
					require.NoError(t, c.w.Apply(f))
				}
			}
			require.True(t, c.w.Up(b) == false && c.w.Process(a) == nil, "nothing runs before the world starts")
			c.runUntil(100)

			require.False(t, c.w.Up(a), "a crashed at 0 must stay down")
			require.True(t, c.w.Up(b))
			require.True(t, c.w.Paused(b), "b paused at 0 must be paused")
			lines := c.lines()
			var head []string
			for _, l := range lines[:4] {
				head = append(head, l.raw)
			}
			require.Equal(t, []string{"0 boot a", "0 boot b", "0 fault crash a", "0 fault pause b"}, head)
			require.Len(t, c.log("a", "boot"), 1)
			require.Empty(t, c.log("b", "fire"), "a paused node handles nothing")
		})
	}
}

// Linked before the world starts says that nothing is cut, and does not fix
// the topology: nodes can still be added.
func TestLinkedBeforeStartDoesNotFreeze(t *testing.T) {
	w, err := sim.New(sim.Config{Seed: 41})
	require.NoError(t, err)
	idle := func() sim.Process { return &funcs{} }
	a, err := w.AddNode(sim.NodeSpec{Name: "a", Start: idle})
	require.NoError(t, err)
	b, err := w.AddNode(sim.NodeSpec{Name: "b", Start: idle})
	require.NoError(t, err)
	require.True(t, w.Linked(a, b))
	_, err = w.AddNode(sim.NodeSpec{Name: "c", Start: idle})
	require.NoError(t, err, "Linked must not freeze the topology")
	require.True(t, w.RunFor(10).OK())
	require.True(t, w.Linked(a, b))
}

// Nodes returns a copy: changing it does not change the world.
func TestNodesReturnsACopy(t *testing.T) {
	w, err := sim.New(sim.Config{Seed: 42})
	require.NoError(t, err)
	for _, n := range []string{"a", "b"} {
		_, err := w.AddNode(sim.NodeSpec{Name: n, Start: func() sim.Process { return &funcs{} }})
		require.NoError(t, err)
	}
	got := w.Nodes()
	got[0] = 7
	require.Equal(t, []wire.NodeID{0, 1}, w.Nodes())
	_ = append(w.Nodes()[:1], 9)
	require.Equal(t, []wire.NodeID{0, 1}, w.Nodes())
}
