package sim_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sim"
)

type factNote string

func (n factNote) Fact() string { return "note " + string(n) }

// A fact a process records is a trace line and reaches OnFact; an event
// reaches OnEvent; Wake runs Fire now, and not on a node that is down.
func TestFactsEventsAndWake(t *testing.T) {
	var facts, events []string
	var buf bytes.Buffer
	w, err := sim.New(sim.Config{Seed: 1, Trace: &buf,
		OnFact:  func(at wire.Time, _ wire.NodeID, f wire.Fact) { facts = append(facts, at.String()+" "+f.Fact()) },
		OnEvent: func(at wire.Time, _ wire.NodeID, e string) { events = append(events, at.String()+" "+e) }})
	require.NoError(t, err)
	fired := 0
	id, err := w.AddNode(sim.NodeSpec{Name: "p", Start: func() sim.Process {
		return &funcs{fire: func(ctx wire.Env, tag uint64) {
			fired++
			ctx.Emit("+woken")
			ctx.(wire.Recorder).Record(factNote("tag=" + wire.Time(tag).String()))
		}}
	}})
	require.NoError(t, err)
	w.At(500, func(w *sim.World) { assert.True(t, w.Wake(id, 7)) })
	w.At(600, func(w *sim.World) { require.NoError(t, w.Apply(sim.Crash{Node: id})); assert.False(t, w.Wake(id, 8)) })
	require.True(t, w.RunUntil(1000).OK())
	require.NoError(t, w.Trace().Flush())
	assert.Equal(t, 1, fired)
	assert.Equal(t, []string{"500ms note tag=7ms"}, facts)
	assert.Equal(t, []string{"500ms +woken"}, events)
	assert.Contains(t, buf.String(), "500 fact p note tag=7ms\n")
}

// FlapGroups takes every link between the groups down and up together, and
// refuses overlapping or empty groups.
func TestFlapGroups(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 2})
	a := c.add("a", 10, 100, "c")
	b := c.add("b", 10, 100, "c")
	cc := c.add("c", 10, 100, "a")
	spec := sim.FlapSpec{Down: 1000, Up: 1000, For: 4000}
	require.Error(t, c.w.Check(sim.FlapGroups{A: []wire.NodeID{a}, B: []wire.NodeID{a, cc}, Spec: spec}))
	require.Error(t, c.w.Check(sim.FlapGroups{A: nil, B: []wire.NodeID{cc}, Spec: spec}))
	require.NoError(t, c.w.Schedule(1000, sim.FlapGroups{A: []wire.NodeID{a, b}, B: []wire.NodeID{cc}, Both: true, Spec: spec}))
	c.runUntil(8000)
	lines := c.lines()
	assert.Contains(t, c.buf.String(), "fault flap-groups {a b}<>{c}")
	// While the path is down nothing between {a b} and c is delivered, both
	// ways; before and after, messages flow.
	down := 0
	for _, l := range lines {
		if l.verb == "flap" {
			down++
		}
	}
	assert.Positive(t, down)
	delivered := func(lo, hi wire.Time) int {
		n := 0
		for _, l := range lines {
			if l.verb == "recv" && l.at > lo && l.at < hi &&
				len(l.rest) > 1 && (l.rest[1] == "a>c" || l.rest[1] == "b>c" || l.rest[1] == "c>a") {
				n++
			}
		}
		return n
	}
	assert.Zero(t, delivered(1010, 1990), "the path is down from 1 s for 1 s")
	assert.Positive(t, delivered(100, 990))
	assert.Positive(t, delivered(6000, 8000), "flapping ended after 4 s")
}
