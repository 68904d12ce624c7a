package scenarios

import (
	"slices"
	"testing"

	"github.com/sentinelsim/sentinelsim/checker"
	"github.com/sentinelsim/sentinelsim/sentinel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// canaries are the planted bugs of issue 6 item 5 — the mutants and the
// historical profiles — with the checker rule that must catch each in its
// library scenario canary-<profile> (the README's table).
var canaries = []struct{ profile, rule string }{
	{"mutant-vote-twice", checker.RuleOneVote},
	{"mutant-ignore-quorum", checker.RuleODown},
	{"mutant-skip-gate", checker.RuleGate},
	{"mutant-reply-before-persist", checker.RuleOneVote},
	{"mutant-promote-priority-0", checker.RuleSelection},
	{"mutant-accept-lower-epoch", checker.RuleEpochForward},
	{"mutant-act-in-tilt", checker.RuleNothingInTilt},
	{"2.8.14", checker.RuleElection},
	{"2.8.6", checker.RuleElection},
	{"2.8.1", checker.RuleElection},
}

// Every mutant and every historical profile but the default has a canary
// scenario that selects it; each run of it breaks the promise named above
// (TestLibrary checks the verdict), and the same run with the default
// profile breaks none: the checker catches the bug, not the faults.
func TestCanaries(t *testing.T) {
	var want []string
	for _, c := range canaries {
		want = append(want, c.profile)
	}
	for _, p := range append(sentinel.MutantNames(), sentinel.ProfileNames()[1:]...) {
		assert.Contains(t, want, p, "profile %s has no canary", p)
	}
	for _, c := range canaries {
		t.Run(c.profile, func(t *testing.T) {
			t.Parallel()
			f, ok := Find("canary-" + c.profile)
			require.True(t, ok, "no library scenario canary-%s", c.profile)
			require.Equal(t, c.profile, f.Profile)
			require.Equal(t, Violated, f.Expect.Verdict)
			require.Equal(t, []string{checker.Safety}, f.Expect.Broken)
			control := *f
			control.Profile = "7.0"
			for seed := uint64(1); seed <= 3; seed++ {
				res, err := Run(f, seed)
				require.NoError(t, err)
				assert.True(t, slices.ContainsFunc(res.Violations, func(v checker.Violation) bool { return v.Rule == c.rule }),
					"seed %d: %s not caught by %q: %v", seed, c.profile, c.rule, res.Violations)

				res, err = Run(&control, seed)
				require.NoError(t, err)
				assert.Empty(t, res.Violations, "seed %d: the control (profile 7.0) broke a promise", seed)
				assert.Equal(t, Pass, res.Verdict.Status, "seed %d: the control: %s %v", seed, res.Verdict.Detail, res.Problems)
			}
		})
	}
}
