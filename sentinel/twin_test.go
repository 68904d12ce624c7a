package sentinel

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// The dumb twins below restate spec §13 and §10.3 as plainly as possible;
// the engine's versions must agree with them on every input.

// naiveBest scans for the best replica: lowest priority, then highest
// offset, then smallest run id ignoring case, a missing run id last.
func naiveBest(rs []*instance) *instance {
	var best *instance
	better := func(a, b *instance) bool {
		if a.slavePriority != b.slavePriority {
			return a.slavePriority < b.slavePriority
		}
		if a.slaveReplOffset != b.slaveReplOffset {
			return a.slaveReplOffset > b.slaveReplOffset
		}
		if (a.runID == "") != (b.runID == "") {
			return b.runID == ""
		}
		return strings.ToLower(a.runID) < strings.ToLower(b.runID)
	}
	for _, r := range rs {
		if best == nil || better(r, best) {
			best = r
		}
	}
	return best
}

func TestReplicaRankingMatchesTwin(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 8).Draw(t, "n")
		var rs []*instance
		for i := range n {
			rs = append(rs, &instance{
				name:            string(rune('a' + i)),
				slavePriority:   rapid.IntRange(1, 3).Draw(t, "priority"),
				slaveReplOffset: uint64(rapid.IntRange(0, 3).Draw(t, "offset")),
				runID:           rapid.SampledFrom([]string{"", "aa", "AB", "ab", "b0", "B1"}).Draw(t, "runid"),
			})
		}
		sorted := append([]*instance(nil), rs...)
		sortReplicas(sorted)
		want := naiveBest(rs)
		got := sorted[0]
		// Equal keys may tie; the chosen one must be as good as the twin's.
		require.Equal(t, want.slavePriority, got.slavePriority)
		require.Equal(t, want.slaveReplOffset, got.slaveReplOffset)
		require.Equal(t, strings.ToLower(want.runID), strings.ToLower(got.runID))
	})
}

// naiveTally counts the peers' votes in the current epoch per run id.
func naiveTally(peers []*instance, epoch uint64) map[string]int {
	out := map[string]int{}
	for _, p := range peers {
		if p.leader != "" && p.leaderEpoch == epoch {
			out[p.leader]++
		}
	}
	return out
}

// fakeEnv is the smallest wire.Env for driving the engine's helpers.
type fakeEnv struct{ wire.Env }

func (fakeEnv) Emit(string) {}

func TestLeaderTallyMatchesTwin(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ids := []string{"me", "p1", "p2", "p3", "p4"}
		epoch := uint64(rapid.IntRange(1, 3).Draw(t, "epoch"))
		quorum := rapid.IntRange(1, 4).Draw(t, "quorum")
		n := rapid.IntRange(0, 4).Draw(t, "peers")
		m := &instance{kind: kindMaster, quorum: quorum, leaderEpoch: epoch, leader: rapid.SampledFrom(ids).Draw(t, "ourvote")}
		for i := range n {
			p := &instance{kind: kindSentinel, runID: ids[i+1]}
			if rapid.Bool().Draw(t, "voted") {
				p.leader = rapid.SampledFrom(ids).Draw(t, "vote")
				p.leaderEpoch = uint64(rapid.IntRange(1, 3).Draw(t, "voteepoch"))
			}
			m.sentinels = append(m.sentinels, p)
		}
		// We already voted in this epoch (m.leaderEpoch == epoch), so
		// leaderOf's own vote returns that stored vote and changes nothing.
		s := &Sentinel{myID: "me", currentEpoch: epoch, env: fakeEnv{}}
		got := s.leaderOf(m, epoch)

		tally := naiveTally(m.sentinels, epoch)
		tally[m.leader]++
		bestVotes := 0
		for _, id := range ids {
			bestVotes = max(bestVotes, tally[id])
		}
		voters := n + 1
		valid := bestVotes >= voters/2+1 && bestVotes >= quorum
		if !valid {
			require.Empty(t, got, "no majority or quorum: no leader (tally %v)", tally)
			return
		}
		require.Equal(t, bestVotes, tally[got], "the leader has the most votes (tally %v)", tally)
	})
}
