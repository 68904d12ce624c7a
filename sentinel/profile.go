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
}

// Profiles are the known behaviour profiles, by name.
var profiles = []Profile{
	{Name: "7.0"},
	{Name: "2.8.14", MajorityOverVoters: true},
	{Name: "2.8.6", NoStartDesync: true, MajorityOverVoters: true},
	{Name: "2.8.1", FixedTick: true, NoStartDesync: true, MajorityOverVoters: true},
}

// ProfileNames lists the profiles, the default first.
func ProfileNames() []string {
	var out []string
	for _, p := range profiles {
		out = append(out, p.Name)
	}
	return out
}

// LookupProfile finds a profile by name ("" is the default, 7.0).
func LookupProfile(name string) (Profile, error) {
	if name == "" {
		name = "7.0"
	}
	i := slices.IndexFunc(profiles, func(p Profile) bool { return p.Name == name })
	if i < 0 {
		return Profile{}, fmt.Errorf("sentinel: unknown behaviour profile %q (known: %s)", name, strings.Join(ProfileNames(), ", "))
	}
	return profiles[i], nil
}

// desync is the random start-time offset of spec §10.2/§11 (none in
// profiles before 2.8.7).
func (s *Sentinel) desync() int {
	if s.profile.NoStartDesync {
		return 0
	}
	return s.env.Rand().IntN(1000)
}
