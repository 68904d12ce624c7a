package sentinel

import (
	"fmt"
	"slices"
	"strings"
)

// Profile selects the rules of a Redis release. Each historical profile is
// a small, documented deviation from 7.0.15 that a real incident was caused
// by (shared/reference/incidents.md), not a fork of the engine; they let old
// logs replay faithfully and serve as planted bugs the checker must catch.
// The mutant profiles ("mutant-…") are not releases: synthetic bugs, one
// decision each, that the checker's canaries must catch.
type Profile struct {
	Name string
	// FixedTick runs the timer at a fixed 10 Hz: before 2.8.2 the cron
	// frequency was not randomised, so sentinels started together stayed in
	// lockstep (incident I05).
	FixedTick bool
	// NoStartDesync adds no random 0–999 ms to failover start times (and to
	// the start-time block after a vote): before 2.8.7 (incident I05, commit
	// 1606978a0 "more aggressive failover start desynchronization").
	NoStartDesync bool
	// MajorityOverVoters counts the election majority over the sentinels
	// that voted instead of all sentinels ever known: before 2.8.15 (commit
	// 9fe4429a0), so a minority could elect a leader.
	MajorityOverVoters bool

	// The mutants below are not releases: each is a synthetic bug planted
	// to test the tester (issue 6, item 5, "canaries"). Each flag is
	// consulted at exactly one place in the engine, changes one decision
	// and never what the engine records as the inputs of that decision;
	// scenarios/library/canary-<name>.yaml is the run the checker must
	// find violated.

	// VoteTwice (mutant-vote-twice) grants a vote in an epoch it already
	// voted in, to a different candidate (vote, failover.go).
	VoteTwice bool
	// IgnoreQuorum (mutant-ignore-quorum) declares ODOWN on its own SDOWN
	// alone, whatever the quorum (checkODown, detect.go).
	IgnoreQuorum bool
	// SkipGate (mutant-skip-gate) starts a failover without waiting
	// 2 × failover-timeout after the previous attempt or vote
	// (startFailoverIfNeeded, failover.go).
	SkipGate bool
	// ReplyBeforePersist (mutant-reply-before-persist) lets the reply to a
	// vote leave before the vote is saved: the save waits for the next
	// timer tick, so a crash in between loses the vote and the restarted
	// sentinel may vote again in that epoch (vote, failover.go; end,
	// sentinel.go, honours the hold).
	ReplyBeforePersist bool
	// PromotePriorityZero (mutant-promote-priority-0) drops the
	// replica-priority 0 filter of replica selection (selectReplica,
	// select.go).
	PromotePriorityZero bool
	// AcceptLowerEpoch (mutant-accept-lower-epoch) adopts the master a
	// hello names with a configuration epoch lower than or equal to its
	// own (onHello, hello.go).
	AcceptLowerEpoch bool
	// ActInTilt (mutant-act-in-tilt) keeps acting in TILT: failure
	// detection, failovers and reconfigurations go on (handle, detect.go).
	ActInTilt bool
}

// Profiles are the known behaviour profiles, by name.
var profiles = []Profile{
	{Name: "7.0"},
	{Name: "2.8.14", MajorityOverVoters: true},
	{Name: "2.8.6", NoStartDesync: true, MajorityOverVoters: true},
	{Name: "2.8.1", FixedTick: true, NoStartDesync: true, MajorityOverVoters: true},
}

// mutants are the synthetic canaries, by name: not releases, never a
// default; LookupProfile accepts them so scenario files can select them.
var mutants = []Profile{
	{Name: "mutant-vote-twice", VoteTwice: true},
	{Name: "mutant-ignore-quorum", IgnoreQuorum: true},
	{Name: "mutant-skip-gate", SkipGate: true},
	{Name: "mutant-reply-before-persist", ReplyBeforePersist: true},
	{Name: "mutant-promote-priority-0", PromotePriorityZero: true},
	{Name: "mutant-accept-lower-epoch", AcceptLowerEpoch: true},
	{Name: "mutant-act-in-tilt", ActInTilt: true},
}

// ProfileNames lists the historical profiles, the default first.
func ProfileNames() []string { return names(profiles) }

// MutantNames lists the synthetic mutant profiles (canaries).
func MutantNames() []string { return names(mutants) }

func names(ps []Profile) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

// LookupProfile finds a profile by name ("" is the default, 7.0), a
// historical one or a mutant.
func LookupProfile(name string) (Profile, error) {
	if name == "" {
		name = "7.0"
	}
	named := func(p Profile) bool { return p.Name == name }
	if i := slices.IndexFunc(profiles, named); i >= 0 {
		return profiles[i], nil
	}
	if i := slices.IndexFunc(mutants, named); i >= 0 {
		return mutants[i], nil
	}
	return Profile{}, fmt.Errorf("sentinel: unknown behaviour profile %q (known: %s; canaries: %s)", name,
		strings.Join(ProfileNames(), ", "), strings.Join(MutantNames(), ", "))
}

// desync is the random start-time offset of spec §10.2/§11 (none in
// profiles before 2.8.7).
func (s *Sentinel) desync() int {
	if s.profile.NoStartDesync {
		return 0
	}
	return s.env.Rand().IntN(1000)
}
