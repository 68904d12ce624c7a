package sim_test

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sim"
)

// lazyKeeper persists its counter every tick, through PersistFunc when
// lazy and Persist otherwise, and counts the renders.
type lazyKeeper struct {
	lazy    bool
	n       int
	renders *int
	boots   *[]string
}

func (p *lazyKeeper) Boot(ctx wire.Env, persisted []byte) {
	*p.boots = append(*p.boots, string(persisted))
	ctx.After(10, 1)
}

func (p *lazyKeeper) Receive(wire.Env, wire.Message) {}

func (p *lazyKeeper) Fire(ctx wire.Env, tag uint64) {
	p.n++
	state := "count " + strconv.Itoa(p.n)
	if p.lazy {
		ctx.(wire.LazyPersister).PersistFunc(func() []byte { *p.renders++; return []byte(state) })
	} else {
		ctx.Persist([]byte(state))
	}
	ctx.After(10, tag)
}

func runLazyKeeper(t *testing.T, lazy, noTrace bool) (trace string, renders int, boots []string, disk []byte) {
	t.Helper()
	buf := &bytes.Buffer{}
	w, err := sim.New(sim.Config{Seed: 3, Trace: buf, NoTrace: noTrace})
	require.NoError(t, err)
	a, err := w.AddNode(sim.NodeSpec{Name: "a", Start: func() sim.Process {
		return &lazyKeeper{lazy: lazy, renders: &renders, boots: &boots}
	}})
	require.NoError(t, err)
	require.NoError(t, w.Schedule(55, sim.Crash{Node: a}))
	require.NoError(t, w.Schedule(60, sim.Restart{Node: a}))
	require.True(t, w.RunUntil(100).OK())
	require.NoError(t, w.Trace().Flush())
	disk, ok := w.Persisted(a)
	require.True(t, ok)
	return buf.String(), renders, boots, disk
}

// A state persisted as a function is made only when it is read, and reads
// back, restores and traces exactly as the same bytes given to
// Persist.
func TestPersistFuncIsPersistMadeWhenRead(t *testing.T) {
	eagerTrace, _, eagerBoots, eagerDisk := runLazyKeeper(t, false, false)
	lazyTrace, renders, lazyBoots, lazyDisk := runLazyKeeper(t, true, false)
	require.Equal(t, eagerTrace, lazyTrace)
	require.Contains(t, lazyTrace, " persist a 7B sha256=")
	require.Equal(t, eagerBoots, lazyBoots)
	require.Equal(t, []string{"", "count 5"}, lazyBoots)
	require.Equal(t, eagerDisk, lazyDisk)
	require.Equal(t, "count 4", string(lazyDisk))
	// Every persist is traced, so each state was made once for the trace,
	// and once more for the restart and for Persisted.
	require.Equal(t, 9+2, renders)

	// Without a trace, only the state the restart read and the last one
	// (read by Persisted) are made.
	_, renders, lazyBoots, lazyDisk = runLazyKeeper(t, true, true)
	require.Equal(t, eagerBoots, lazyBoots)
	require.Equal(t, "count 4", string(lazyDisk))
	require.Equal(t, 2, renders)
}
