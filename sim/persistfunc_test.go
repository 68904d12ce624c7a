package sim_test

import (
	"bytes"
	"strconv"
	"strings"
	"sync/atomic"
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
	renders *atomic.Int64 // the trace may render on another goroutine
	boots   *[]string
}

func (p *lazyKeeper) Boot(ctx wire.Env, persisted []byte) {
	*p.boots = append(*p.boots, string(persisted))
	ctx.After(2, 1)
}

func (p *lazyKeeper) Receive(wire.Env, wire.Message) {}

func (p *lazyKeeper) Fire(ctx wire.Env, tag uint64) {
	p.n++
	state := "count " + strconv.Itoa(p.n)
	if p.lazy {
		ctx.(wire.LazyPersister).PersistFunc(func(dst []byte) []byte { p.renders.Add(1); return append(dst, state...) })
	} else {
		ctx.Persist([]byte(state))
	}
	ctx.After(2, tag)
}

func runLazyKeeper(t *testing.T, lazy, noTrace bool) (trace string, renders int, boots []string, disk []byte) {
	t.Helper()
	buf := &bytes.Buffer{}
	w, err := sim.New(sim.Config{Seed: 3, Trace: buf, NoTrace: noTrace})
	require.NoError(t, err)
	var n atomic.Int64
	a, err := w.AddNode(sim.NodeSpec{Name: "a", Start: func() sim.Process {
		return &lazyKeeper{lazy: lazy, renders: &n, boots: &boots}
	}})
	require.NoError(t, err)
	// The boot line and 682 persists (three trace ops each) fill the
	// trace's first batch, handed over as the last of them is noted; the
	// crash follows, and the restart reads that last state while the
	// trace may be rendering it (go test -race).
	require.NoError(t, w.Schedule(1365, sim.Crash{Node: a}))
	require.NoError(t, w.Schedule(1371, sim.Restart{Node: a}))
	require.True(t, w.RunUntil(3000).OK())
	require.NoError(t, w.Trace().Flush())
	disk, ok := w.Persisted(a)
	require.True(t, ok)
	return buf.String(), int(n.Load()), boots, disk
}

// A state persisted as a function is made only when it is read, and reads
// back, restores and traces exactly as the same bytes given to Persist.
func TestPersistFuncIsPersistMadeWhenRead(t *testing.T) {
	eagerTrace, _, eagerBoots, eagerDisk := runLazyKeeper(t, false, false)
	lazyTrace, renders, lazyBoots, lazyDisk := runLazyKeeper(t, true, false)
	require.Equal(t, eagerTrace, lazyTrace)
	require.Contains(t, lazyTrace, " persist a 9B sha256=")
	require.Equal(t, eagerBoots, lazyBoots)
	require.Equal(t, []string{"", "count 682"}, lazyBoots)
	require.Equal(t, eagerDisk, lazyDisk)
	require.Equal(t, "count 814", string(lazyDisk))
	// Every persist is traced, so each state was made once for the trace,
	// and once more for the restart and for Persisted.
	persists := strings.Count(lazyTrace, " persist a ")
	require.Equal(t, 682+814, persists)
	require.Equal(t, persists+2, renders)

	// Without a trace, only the state the restart read and the last one
	// (read by Persisted) are made.
	_, renders, lazyBoots, lazyDisk = runLazyKeeper(t, true, true)
	require.Equal(t, eagerBoots, lazyBoots)
	require.Equal(t, "count 814", string(lazyDisk))
	require.Equal(t, 2, renders)
}
