package conformance

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// judge's first rules: the real decisions must be those of a fifth of the
// seeds; with its aborts and timeouts, which are a race, those of one seed
// at least (the conf-leader-killed real run logs -failover-abort-not-elected
// now and then, as one seed in ten does).
func TestJudgeDecisionsAndAborts(t *testing.T) {
	switched := Outcome{ODown: true, Switches: []string{"r1->r2"}, Failovers: 1, FinalMaster: "r2", FinalEpoch: 2, FirstSwitchMs: -1}
	aborted := switched
	aborted.Ends = []string{"-failover-abort-not-elected"}
	timedOut := switched
	timedOut.Ends = []string{"+failover-end-for-timeout"}
	stayed := Outcome{ODown: true, FinalMaster: "r1", FirstSwitchMs: -1}

	sims := func(os ...Outcome) []Outcome { return os }
	nine := []Outcome{switched, switched, switched, switched, switched, switched, switched, switched, switched}
	for _, c := range []struct {
		name  string
		real  Outcome
		sims  []Outcome
		agree bool
		why   string
	}{
		{"the common outcome", switched, append(sims(aborted), nine...), true, ""},
		{"an abort one seed in ten shows", aborted, append(sims(aborted), nine...), true, ""},
		{"an abort no seed shows", aborted, sims(switched, switched, switched, switched, switched, switched, switched, switched, switched, switched),
			false, "the real sentinels decided odown=true switches=r1->r2 failovers=1 master=r2 epoch=2 -failover-abort-not-elected, which no simulated seed did in 10"},
		{"no abort, where every seed aborts", switched, sims(aborted, aborted, aborted, aborted, aborted, aborted, aborted, aborted, aborted, aborted),
			false, "the real sentinels decided odown=true switches=r1->r2 failovers=1 master=r2 epoch=2, which no simulated seed did in 10"},
		{"a timeout only a seed with other decisions shows", timedOut, append(sims(Outcome{Ends: timedOut.Ends, FirstSwitchMs: -1}), nine...),
			false, "the real sentinels decided odown=true switches=r1->r2 failovers=1 master=r2 epoch=2 +failover-end-for-timeout, which no simulated seed did in 10"},
		{"decisions one seed in ten makes", stayed, append(sims(stayed), nine...),
			false, "the real sentinels decided odown=true switches= failovers=0 master=r1 epoch=0, which 1 of 10 simulated seeds did"},
		{"decisions two seeds in ten make", stayed, append(sims(stayed, stayed), nine[:8]...), true, ""},
	} {
		row := Row{Real: c.real, Simulated: c.sims, SimRangeMs: [2]int64{-1, -1}}
		row.judge(len(c.sims))
		assert.Equal(t, c.agree, row.Agree, c.name)
		assert.Equal(t, c.why, row.Why, c.name)
	}
}
