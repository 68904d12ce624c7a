package sentinel_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sentinel"
	"github.com/sentinelsim/sentinelsim/sim"
)

// setQuiet sets sentinel.Quiet for one test (this package's tests never run
// in parallel).
func setQuiet(t *testing.T, mode sentinel.QuietMode) {
	old := sentinel.Quiet
	sentinel.Quiet = mode
	t.Cleanup(func() { sentinel.Quiet = old })
}

// The tick skips most visits of a steady group, and skipping changes
// nothing: a cluster whose master is killed, failed over and brought back
// leaves the same trace, byte for byte, whether the tick skips quiet groups
// or visits every record at every tick as sentinel.c does.
func TestQuietSkipsVisitsAndChangesNothing(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		traces := map[sentinel.QuietMode]string{}
		for _, mode := range []sentinel.QuietMode{sentinel.QuietOff, sentinel.QuietSkip} {
			setQuiet(t, mode)
			c := newCluster(t, seed, sentinel.MasterConfig{Quorum: 2, DownAfter: 5000, FailoverTimeout: 60_000, ParallelSyncs: 1})
			c.run(60 * wire.Second)
			require.NoError(t, c.w.Schedule(c.w.Now().Add(wire.Second), sim.Crash{Node: c.ids["redis1"]}))
			c.run(60 * wire.Second)
			require.NoError(t, c.w.Schedule(c.w.Now().Add(wire.Second), sim.Restart{Node: c.ids["redis1"]}))
			c.run(60 * wire.Second)
			assert.Contains(t, types(c.events("s1")), "+switch-master", "seed %d: the failover happened", seed)
			traces[mode] = c.trace.String()
			for _, name := range []string{"s1", "s2", "s3"} {
				visited, skipped := c.w.Process(c.ids[name]).(*sentinel.Sentinel).TickVisits()
				if mode == sentinel.QuietOff {
					assert.Zero(t, skipped, "%s seed %d", name, seed)
					assert.Greater(t, visited, uint64(1800), "%s seed %d: 10–19 ticks a second for 3 minutes", name, seed)
				} else {
					// Even a single group of five records, each with its own
					// PING phase, is quiet at half of the ticks.
					assert.Greater(t, skipped, visited/2, "%s seed %d: visits are skipped (%d visited)", name, seed, visited)
				}
			}
		}
		require.Equal(t, traces[sentinel.QuietOff], traces[sentinel.QuietSkip], "seed %d", seed)
	}
}
