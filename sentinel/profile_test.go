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

// mutant-vote-twice votes again in an epoch it voted in; 7.0 keeps its vote.
func TestVoteTwiceMutant(t *testing.T) {
	for profile, want := range map[string]string{"7.0": "a", "mutant-vote-twice": "me"} {
		p, err := LookupProfile(profile)
		require.NoError(t, err)
		s := &Sentinel{myID: "me", currentEpoch: 5, env: fakeEnv{}, profile: p}
		m := &instance{kind: kindMaster, leader: "a", leaderEpoch: 5}
		leader, epoch := s.vote(m, 5, "me")
		assert.Equal(t, want, leader, profile)
		assert.Equal(t, uint64(5), epoch, profile)
	}
}

// mutant-reply-before-persist holds the save of a vote until the next
// timer tick (the reply of the call leaves unsaved); 7.0 saves before it.
func TestReplyBeforePersistMutant(t *testing.T) {
	for profile, hold := range map[string]bool{"7.0": false, "mutant-reply-before-persist": true} {
		p, err := LookupProfile(profile)
		require.NoError(t, err)
		s := &Sentinel{myID: "me", currentEpoch: 5, env: fakeEnv{}, profile: p}
		m := &instance{kind: kindMaster, leader: "a", leaderEpoch: 5}
		leader, _ := s.vote(m, 6, "me")
		assert.Equal(t, "me", leader)
		assert.True(t, s.dirty, profile)
		assert.Equal(t, hold, s.holdPersist, profile)
	}
}
