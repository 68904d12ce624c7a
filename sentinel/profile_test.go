package sentinel

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Before 2.8.15 a leader needed a majority of the sentinels that voted, not
// of all sentinels known: with five sentinels, two votes elected a leader.
// 7.0 refuses; the 2.8.14 profile elects (incidents.md, commit 9fe4429a0).
func TestMajorityOverVotersProfile(t *testing.T) {
	build := func(profile string) (*Sentinel, *instance) {
		p, err := LookupProfile(profile)
		require.NoError(t, err)
		m := &instance{kind: kindMaster, quorum: 2, leader: "me", leaderEpoch: 5}
		for i, id := range []string{"p1", "p2", "p3", "p4"} {
			peer := &instance{kind: kindSentinel, runID: id}
			if i == 0 {
				peer.leader, peer.leaderEpoch = "me", 5
			}
			m.sentinels = append(m.sentinels, peer)
		}
		return &Sentinel{myID: "me", currentEpoch: 5, env: fakeEnv{}, profile: p}, m
	}
	s, m := build("7.0")
	assert.Empty(t, s.leaderOf(m, 5), "2 votes of 5 sentinels is no majority")
	s, m = build("2.8.14")
	assert.Equal(t, "me", s.leaderOf(m, 5), "2 votes of 2 voters was a majority before 2.8.15")
}

func TestProfiles(t *testing.T) {
	assert.Equal(t, []string{"7.0", "2.8.14", "2.8.6", "2.8.1"}, ProfileNames())
	p, err := LookupProfile("")
	require.NoError(t, err)
	assert.Equal(t, "7.0", p.Name)
	_, err = LookupProfile("6.2")
	assert.ErrorContains(t, err, `unknown behaviour profile "6.2"`)

	old := &Sentinel{profile: Profile{FixedTick: true, NoStartDesync: true}}
	assert.EqualValues(t, 100, old.tickPeriod(), "before 2.8.2 the timer ran at a fixed 10 Hz")
	assert.Zero(t, old.desync(), "before 2.8.7 failover starts were not desynchronised")
}

// The mutants are found by name, each sets exactly one flag, and none is
// listed among the releases.
func TestMutantProfiles(t *testing.T) {
	for _, name := range MutantNames() {
		p, err := LookupProfile(name)
		require.NoError(t, err)
		assert.Equal(t, name, p.Name)
		assert.NotContains(t, ProfileNames(), name)
		flags := 0
		for _, on := range []bool{p.FixedTick, p.NoStartDesync, p.MajorityOverVoters, p.VoteTwice, p.IgnoreQuorum, p.SkipGate,
			p.ReplyBeforePersist, p.PromotePriorityZero, p.AcceptLowerEpoch, p.ActInTilt} {
			if on {
				flags++
			}
		}
		assert.Equal(t, 1, flags, name)
	}
	assert.Len(t, MutantNames(), 7)
}
