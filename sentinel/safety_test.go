package sentinel_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sentinel"
	"github.com/sentinelsim/sentinelsim/sim"
)

// leadersByEpoch reads each sentinel's events: the epoch of a failover
// attempt is the +new-epoch announced right before its +try-failover, and
// +elected-leader makes that sentinel the leader of that epoch.
func (c *cluster) leadersByEpoch() map[uint64][]string {
	return c.leadersByEpochOf([]string{"s1", "s2", "s3"})
}

// votes returns, per sentinel, the epochs it voted in, in order.
func (c *cluster) votes() map[string][]uint64 {
	out := map[string][]uint64{}
	for _, s := range []string{"s1", "s2", "s3"} {
		for _, e := range c.events(s) {
			if rest, ok := strings.CutPrefix(e, "+vote-for-leader "); ok {
				f := strings.Fields(rest)
				ep, _ := strconv.ParseUint(f[1], 10, 64)
				out[s] = append(out[s], ep)
			}
		}
	}
	return out
}

// Under random partitions, one-way cuts, flapping, crashes (of processes and
// hosts), pauses, slow nodes and clock jumps, Sentinel's promise holds: at
// most one leader per epoch, and every sentinel votes at most once per epoch
// (spec §10.2, §10.3).
func TestAtMostOneLeaderPerEpochUnderRandomFaults(t *testing.T) {
	elections, attempts := 0, 0
	for seed := uint64(1); seed <= 40; seed++ {
		c := newCluster(t, seed, sentinel.MasterConfig{Quorum: 2, DownAfter: 3000, FailoverTimeout: 20_000, ParallelSyncs: 1})
		plan := sim.RandomPlan{Nodes: c.w.Nodes(), From: 10_000, To: 100_000, Count: 12, MaxDuration: 20 * wire.Second}
		faults, err := plan.Draw(c.w.Stream("faults"))
		require.NoError(t, err)
		for _, f := range faults {
			require.NoError(t, c.w.Schedule(f.At, f.Fault))
		}
		require.NoError(t, c.w.Schedule(130_000, sim.HealAll{}))
		c.run(200 * wire.Second)
		for epoch, leaders := range c.leadersByEpoch() {
			assert.LessOrEqual(t, len(leaders), 1, "seed %d: epoch %d has leaders %v", seed, epoch, leaders)
			elections += len(leaders)
		}
		attempts += strings.Count(c.trace.String(), "+try-failover")
		for s, epochs := range c.votes() {
			seen := map[uint64]bool{}
			for _, e := range epochs {
				assert.False(t, seen[e], "seed %d: %s voted twice in epoch %d", seed, s, e)
				seen[e] = true
			}
		}
	}
	// The faults must really drive elections, won and lost, or this test
	// proves nothing.
	t.Logf("%d failover attempts, %d elections won", attempts, elections)
	assert.Greater(t, elections, 10)
	assert.Greater(t, attempts, elections)
}

// A sentinel that crashes after saving its vote and before its reply
// leaves (persist before send) does not vote again in that epoch after the
// restart (spec §10.1: leader-epoch is persisted).
func TestVoteSurvivesCrashBetweenPersistAndReply(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		c := newCluster(t, seed, sentinel.MasterConfig{Quorum: 2, DownAfter: 3000, FailoverTimeout: 20_000})
		require.NoError(t, c.w.Schedule(15_000, sim.Crash{Node: c.ids["redis1"]}))
		// Every sentinel crashes at its next persist after the master died:
		// that is its first vote (or its own new epoch).
		for _, s := range []string{"s1", "s2", "s3"} {
			require.NoError(t, c.w.Schedule(15_001, sim.CrashAfterPersist{Node: c.ids[s]}))
			require.NoError(t, c.w.Schedule(40_000, sim.Restart{Node: c.ids[s]}))
		}
		c.run(120 * wire.Second)
		require.Positive(t, strings.Count(c.trace.String(), "crashed-after-persist"), "seed %d: a sentinel crashed between persist and send", seed)
		for s, epochs := range c.votes() {
			seen := map[uint64]bool{}
			for _, e := range epochs {
				assert.False(t, seen[e], "seed %d: %s voted twice in epoch %d across its crash", seed, s, e)
				seen[e] = true
			}
		}
		for epoch, leaders := range c.leadersByEpoch() {
			assert.LessOrEqual(t, len(leaders), 1, "seed %d: epoch %d has leaders %v", seed, epoch, leaders)
		}
	}
}
