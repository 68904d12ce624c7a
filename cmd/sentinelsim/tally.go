package main

import (
	"cmp"
	"slices"
	"strings"
)

// sweepTally is what a sweep keeps of its runs for the summary and the
// reports, so that its memory does not grow with the runs' results: the
// counters, the whole line of every run that mismatched or showed a
// finding (few), and 16 bytes a run for the JUnit report's one case per
// seed.
type sweepTally struct {
	runs          []runMark
	counts        map[string]int
	mismatched    int
	flapMs        int64
	flapFailovers int
	kept          []sweepLine // mismatched or with findings
}

// runMark is one run as the JUnit report lists it.
type runMark struct {
	seed    uint64
	wallMs  int32
	matched bool
}

func newTally() *sweepTally { return &sweepTally{counts: map[string]int{}} }

// add counts one run.
func (t *sweepTally) add(l sweepLine) {
	t.runs = append(t.runs, runMark{seed: l.Seed, wallMs: int32(min(l.WallMs, 1<<31-1)), matched: l.Matched})
	t.counts[l.Verdict]++
	if !l.Matched {
		t.mismatched++
	}
	t.flapMs += l.FlapMs
	t.flapFailovers += l.FlapFailovers
	if !l.Matched || len(l.Known) > 0 {
		l.TraceHash = "" // not reported; the results file has it
		t.kept = append(t.kept, l)
	}
}

// total is the number of runs tallied.
func (t *sweepTally) total() int { return len(t.runs) }

// sort puts the runs and the kept lines in seed order (kept lines by
// scenario first: a merge may hold several).
func (t *sweepTally) sort() {
	slices.SortFunc(t.runs, func(a, b runMark) int { return cmp.Compare(a.seed, b.seed) })
	slices.SortFunc(t.kept, func(a, b sweepLine) int {
		if c := strings.Compare(a.Scenario, b.Scenario); c != 0 {
			return c
		}
		return cmp.Compare(a.Seed, b.Seed)
	})
}

// bad returns the mismatched runs' lines, in order.
func (t *sweepTally) bad() []sweepLine {
	var out []sweepLine
	for _, l := range t.kept {
		if !l.Matched {
			out = append(out, l)
		}
	}
	return out
}
