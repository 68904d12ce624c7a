package traffic_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/traffic"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sim"
)

// TestSentinelShapedRate checks that three watchers on a master and two
// replicas produce the message rate that anchors.md §3.2 derives from
// sentinel.c for that topology: about 60 messages per simulated second (plus
// about 2 of replication control), so the benchmark measures what it claims.
func TestSentinelShapedRate(t *testing.T) {
	w, err := sim.New(sim.Config{Seed: 1, Network: sim.LAN})
	require.NoError(t, err)
	_, err = traffic.Build(w, 2, 3, 5*wire.Second)
	require.NoError(t, err)
	require.True(t, w.RunFor(10*wire.Minute).OK())
	perSecond := w.Stats().Sent / 600
	assert.GreaterOrEqual(t, perSecond, uint64(55))
	assert.LessOrEqual(t, perSecond, uint64(68))
	assert.Zero(t, w.Stats().Dropped, "a healthy LAN drops nothing")
}

// TestWatcherSeesSilence checks the stand-in's only judgement: a node cut off
// for longer than down-after is reported +sdown, and -sdown when it is back.
func TestWatcherSeesSilence(t *testing.T) {
	var trace bytes.Buffer
	w, err := sim.New(sim.Config{Seed: 2, Network: sim.LAN, Trace: &trace})
	require.NoError(t, err)
	topo, err := traffic.Build(w, 2, 3, 5*wire.Second)
	require.NoError(t, err)
	w.Schedule(10_000, sim.Isolate{Node: topo.Master})
	w.Schedule(14_000, sim.Heal{}) // shorter than down-after: no +sdown
	w.Schedule(30_000, sim.Isolate{Node: topo.Master})
	w.Schedule(40_000, sim.Heal{})
	require.True(t, w.RunFor(50*wire.Second).OK())
	require.NoError(t, w.Trace().Flush())

	var sdown, back []int64
	for _, l := range strings.Split(trace.String(), "\n") {
		ts, _, _ := strings.Cut(l, " ")
		at, _ := strconv.ParseInt(ts, 10, 64)
		switch {
		case strings.HasSuffix(l, " +sdown redis1"):
			sdown = append(sdown, at)
		case strings.HasSuffix(l, " -sdown redis1"):
			back = append(back, at)
		}
	}
	for _, at := range sdown {
		// The last reply came within the last ping period (1 s) before the
		// cut at 30 s; SDOWN needs more than down-after (5 s) of silence,
		// noticed at the next tick (<= 100 ms).
		assert.Greater(t, at, int64(34_000))
		assert.Less(t, at, int64(35_200))
	}
	for _, at := range back {
		assert.GreaterOrEqual(t, at, int64(40_000))
		assert.Less(t, at, int64(41_100), "the next PING after the heal is answered")
	}
	assert.Len(t, sdown, 3, "each watcher sees the master down once")
	assert.Len(t, back, 3, "and back once")
	assert.NotContains(t, trace.String(), "event s1 +sdown redis2", "the replicas stayed reachable")
}
