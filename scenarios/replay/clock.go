package replay

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// ClockBound is what causality says of one sentinel's clock against the
// reference sentinel's: the correction to add to its log times lies in
// [LowMs, HighMs] (nil: unbounded on that side), from Constraints pairs of
// events that must be ordered. AppliedMs is the correction used.
type ClockBound struct {
	Sentinel    string `json:"sentinel"`
	Reference   string `json:"relative_to"`
	LowMs       *int64 `json:"low_ms,omitempty"`
	HighMs      *int64 `json:"high_ms,omitempty"`
	AppliedMs   int64  `json:"applied_ms"`
	Constraints int    `json:"constraints"`
}

func (c ClockBound) String() string {
	bound := func(p *int64) string {
		if p == nil {
			return "?"
		}
		return fmt.Sprintf("%+d", *p)
	}
	return fmt.Sprintf("%s against %s: correction in [%s, %s] ms from %d ordered pair(s), %+d ms applied",
		c.Sentinel, c.Reference, bound(c.LowMs), bound(c.HighMs), c.Constraints, c.AppliedMs)
}

// clockTolerance is the disagreement ignored: log times are rounded to the
// millisecond, and a vote and its reply take a network round trip.
const clockTolerance = 100

// ordered says that event b, logged by sentinel sb at tb, cannot have
// happened before event a, logged by sa at ta: with corrections o,
// tb + o[sb] >= ta + o[sa].
type ordered struct {
	sa, sb string
	ta, tb int64
}

// causalPairs collects the pairs of events that must be ordered:
//   - a vote (+vote-for-leader for another sentinel) comes after that
//     candidate's vote for itself, since the candidate asks only then
//     (spec §9.1, §10.2);
//   - the candidate's "<voter> voted for <candidate> <epoch>" comes after
//     the voter's +vote-for-leader (the reply carries the vote);
//   - an observer's +switch-master to an address comes after the leader's
//     +promoted-slave of it (spec §16.3).
//
// The first and last give lower bounds of the voter's or observer's
// correction; the second an upper bound.
func causalPairs(events []Event, top *Topology) []ordered {
	byRunID, byAddr := map[string]string{}, map[string]string{}
	for _, s := range top.Sentinels {
		if s.RunID != "" {
			byRunID[s.RunID] = s.Name
		}
		if s.Addr != "" {
			byAddr[s.Addr] = s.Name
		}
	}
	type key struct {
		runID string
		epoch uint64
	}
	type stamp struct {
		who string
		at  int64
	}
	selfVote := map[key]stamp{}
	votes := map[key][]stamp{} // votes for a candidate, by voter
	promoted := map[string]stamp{}
	for _, ev := range events {
		if e := ev.entry.Event; e != nil {
			switch e.Type {
			case "+vote-for-leader":
				k := key{e.Leader, e.Epoch}
				if byRunID[e.Leader] == ev.Sentinel {
					if s, ok := selfVote[k]; !ok || ev.AtMs < s.at {
						selfVote[k] = stamp{ev.Sentinel, ev.AtMs}
					}
				} else {
					votes[k] = append(votes[k], stamp{ev.Sentinel, ev.AtMs})
				}
			case "+promoted-slave":
				if e.Inst != nil {
					a := e.Inst.Addr.String()
					if s, ok := promoted[a]; !ok || ev.AtMs < s.at {
						promoted[a] = stamp{ev.Sentinel, ev.AtMs}
					}
				}
			}
		}
	}
	var out []ordered
	for _, ev := range events {
		if e := ev.entry.Event; e != nil {
			switch e.Type {
			case "+vote-for-leader":
				if s, ok := selfVote[key{e.Leader, e.Epoch}]; ok && s.who != ev.Sentinel {
					out = append(out, ordered{sa: s.who, ta: s.at, sb: ev.Sentinel, tb: ev.AtMs})
				}
			case "+switch-master":
				if s, ok := promoted[e.To.String()]; ok && s.who != ev.Sentinel {
					out = append(out, ordered{sa: s.who, ta: s.at, sb: ev.Sentinel, tb: ev.AtMs})
				}
			}
		}
		if n := ev.entry.Note; n != nil && n.Voter != "" && byRunID[n.RunID] == ev.Sentinel {
			voter := byAddr[n.Voter]
			if voter == "" {
				voter = byRunID[n.Voter]
			}
			for _, v := range votes[key{n.RunID, n.Epoch}] {
				if v.who == voter && voter != ev.Sentinel {
					out = append(out, ordered{sa: voter, ta: v.at, sb: ev.Sentinel, tb: ev.AtMs})
				}
			}
		}
	}
	return out
}

// estimateClocks bounds each sentinel's clock correction against a
// reference (the sentinel in the most ordered pairs) by solving the
// difference constraints the ordered pairs give, and picks a correction:
// the middle of the interval when it is bounded on both sides, else the
// smallest correction that satisfies the bound. Corrections within
// clockTolerance are not applied. Contradictory constraints (a cycle that
// cannot hold) apply nothing and are reported.
func estimateClocks(events []Event, top *Topology) (map[string]int64, []ClockBound, string) {
	pairs := causalPairs(events, top)
	if len(pairs) == 0 {
		return nil, nil, ""
	}
	var names []string
	count := map[string]int{}
	for _, p := range pairs {
		for _, n := range []string{p.sa, p.sb} {
			if count[n] == 0 {
				names = append(names, n)
			}
			count[n]++
		}
	}
	slices.Sort(names)
	ref := names[0]
	for _, n := range names {
		if count[n] > count[ref] {
			ref = n
		}
	}
	idx := map[string]int{}
	for i, n := range names {
		idx[n] = i
	}
	// d[i][j] bounds o[j] - o[i] from above (Floyd-Warshall over the
	// difference constraints). A pair says o[sa] - o[sb] <= tb - ta.
	const inf = math.MaxInt64 / 4
	k := len(names)
	d := make([][]int64, k)
	for i := range d {
		d[i] = make([]int64, k)
		for j := range d[i] {
			if i != j {
				d[i][j] = inf
			}
		}
	}
	for _, p := range pairs {
		b, a := idx[p.sb], idx[p.sa]
		d[b][a] = min(d[b][a], p.tb-p.ta)
	}
	for m := range k {
		for i := range k {
			for j := range k {
				if d[i][m] < inf && d[m][j] < inf {
					d[i][j] = min(d[i][j], d[i][m]+d[m][j])
				}
			}
		}
	}
	for i := range k {
		if d[i][i] < 0 {
			return nil, nil, "the ordered events contradict each other (a clock that moved during the incident?): no clock correction applied"
		}
	}
	r := idx[ref]
	applied := map[string]int64{}
	var bounds []ClockBound
	for _, n := range names {
		if n == ref {
			continue
		}
		i := idx[n]
		cb := ClockBound{Sentinel: n, Reference: ref}
		for _, p := range pairs {
			if p.sa == n || p.sb == n {
				cb.Constraints++
			}
		}
		if d[r][i] < inf { // o[n] - o[ref] <= d[r][i]
			hi := d[r][i]
			cb.HighMs = &hi
		}
		if d[i][r] < inf { // o[ref] - o[n] <= d[i][r]
			lo := -d[i][r]
			cb.LowMs = &lo
		}
		switch {
		case cb.LowMs != nil && cb.HighMs != nil:
			cb.AppliedMs = (*cb.LowMs + *cb.HighMs) / 2
		case cb.LowMs != nil && *cb.LowMs > 0:
			cb.AppliedMs = *cb.LowMs
		case cb.HighMs != nil && *cb.HighMs < 0:
			cb.AppliedMs = *cb.HighMs
		}
		if cb.AppliedMs > -clockTolerance && cb.AppliedMs < clockTolerance {
			cb.AppliedMs = 0
		}
		if cb.AppliedMs != 0 {
			applied[n] = cb.AppliedMs
		}
		bounds = append(bounds, cb)
	}
	if len(applied) == 0 {
		applied = nil
	}
	return applied, bounds, ""
}

// describeClocks is the text report's lines about the clocks: every bound
// found, and whether it moved a log's times.
func describeClocks(bounds []ClockBound) string {
	var b strings.Builder
	for _, c := range bounds {
		what := "within the tolerance: its times are kept"
		if c.AppliedMs != 0 {
			what = "its times are corrected"
		}
		fmt.Fprintf(&b, "clock: %s; %s\n", c, what)
	}
	return b.String()
}
