package checker

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/facts"
	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Rules of what Sentinel promises, checked on every run, for every
// sentinel, across restarts (the facts are per process name, which a
// restart keeps).
const (
	RuleOneLeader     = "one elected leader per master and epoch (spec §10.3)"
	RuleOneVote       = "one vote per sentinel, master and epoch (spec §10.2)"
	RuleEpochForward  = "configuration epochs never go backwards (spec §16.2)"
	RuleOneConfig     = "one configuration per master and configuration epoch (spec §12, §16)"
	RuleODown         = "a failover starts from ODOWN with a quorum, or is forced (spec §11)"
	RuleGate          = "no failover within 2 x failover-timeout of the previous attempt (spec §11)"
	RuleElection      = "a leader has a majority of the known sentinels and the quorum (spec §10.3)"
	RuleSelection     = "the promoted replica passed every filter and was the best (spec §13)"
	RuleNothingInTilt = "nothing is acted on during TILT (spec §18)"
)

// CheckSafety checks the facts and events of a run against what Sentinel
// promises about its own decisions. It returns every violation found.
func CheckSafety(obs []Observed, events []Event) []Violation {
	var out []Violation
	bad := func(o Observed, rule, format string, args ...any) {
		out = append(out, Violation{Kind: Safety, Rule: rule, At: o.At, Node: o.Node, Msg: fmt.Sprintf(format, args...),
			Evidence: []string{fmt.Sprintf("%d fact %s %s", o.At, o.Node, o.Fact.Fact())}})
	}
	type me struct {
		master string
		epoch  uint64
	}
	leaders := map[me]Observed{}
	// contested are the epochs in which sentinels that did not know each
	// other were each elected (quorum 1 before discovery): Sentinel allows
	// it, and the conflicting configurations that follow.
	contested := map[me]bool{}
	votes := map[string]map[me]Observed{} // by sentinel
	configs := map[me]Observed{}
	forced := map[me]wire.Addr{}                // configurations an operator forced, without an election
	lastEpoch := map[string]map[string]uint64{} // sentinel, master → config epoch
	tilt := map[string]bool{}
	runID := map[string]string{} // node → run id, from its Start facts
	for _, o := range obs {
		switch f := o.Fact.(type) {
		case facts.Start:
			tilt[o.Node] = false
			runID[o.Node] = f.RunID
		case facts.Tilt:
			tilt[o.Node] = f.On
		case facts.Vote:
			k := me{f.Master, f.Epoch}
			if votes[o.Node] == nil {
				votes[o.Node] = map[me]Observed{}
			}
			if prev, ok := votes[o.Node][k]; ok && prev.Fact.(facts.Vote).Candidate != f.Candidate {
				bad(o, RuleOneVote, "%s voted twice for %s in epoch %d: for %s at t=%s, now for %s",
					o.Node, f.Master, f.Epoch, short(prev.Fact.(facts.Vote).Candidate), prev.At, short(f.Candidate))
			} else if !ok {
				votes[o.Node][k] = o
			}
		case facts.Elected:
			// A forced failover (SENTINEL FAILOVER) is not elected: two
			// operators can force two at once, in the same epoch.
			// Two sentinels that did not know each other each hold a
			// majority of what they know (quorum 1, before discovery):
			// Sentinel allows that, so only leaders that counted each
			// other break the rule.
			k := me{f.Master, f.Epoch}
			if prev, ok := leaders[k]; ok && prev.Node != o.Node && !f.Forced {
				pf := prev.Fact.(facts.Elected)
				if slices.Contains(pf.Known, runID[o.Node]) && slices.Contains(f.Known, runID[prev.Node]) {
					bad(o, RuleOneLeader, "two leaders elected for %s in epoch %d: %s (t=%s) and %s, each knowing the other",
						f.Master, f.Epoch, prev.Node, prev.At, o.Node)
				} else {
					contested[k] = true
				}
			} else if !ok && !f.Forced {
				leaders[k] = o
			}
			if !f.Forced && (f.Votes < f.Voters/2+1 || f.Votes < f.Quorum) {
				bad(o, RuleElection, "%s took the lead of %s in epoch %d with %d votes of %d sentinels (quorum %d)",
					o.Node, f.Master, f.Epoch, f.Votes, f.Voters, f.Quorum)
			}
			if tilt[o.Node] {
				bad(o, RuleNothingInTilt, "%s acted in TILT: elected for %s", o.Node, f.Master)
			}
		case facts.ConfigEpoch:
			if lastEpoch[o.Node] == nil {
				lastEpoch[o.Node] = map[string]uint64{}
			}
			if f.To <= f.From || f.From < lastEpoch[o.Node][f.Master] {
				bad(o, RuleEpochForward, "%s's configuration epoch of %s went from %d to %d (it had reached %d)",
					o.Node, f.Master, f.From, f.To, lastEpoch[o.Node][f.Master])
			}
			lastEpoch[o.Node][f.Master] = max(lastEpoch[o.Node][f.Master], f.To)
			k := me{f.Master, f.To}
			if f.Forced {
				forced[k] = f.Addr
			}
			// SENTINEL FAILOVER skips the election that makes epochs
			// unique: a sentinel that missed a newer epoch can force a
			// second configuration in it. Sentinel allows that.
			fa, wasForced := forced[k]
			if prev, ok := configs[k]; ok && prev.Fact.(facts.ConfigEpoch).Addr != f.Addr && !contested[k] &&
				!(wasForced && (fa == f.Addr || fa == prev.Fact.(facts.ConfigEpoch).Addr)) {
				bad(o, RuleOneConfig, "configuration epoch %d of %s names two masters: %s (%s, t=%s) and %s (%s)",
					f.To, f.Master, prev.Fact.(facts.ConfigEpoch).Addr, prev.Node, prev.At, f.Addr, o.Node)
			} else if !ok {
				configs[k] = o
			}
			if f.Source == "promotion" && tilt[o.Node] {
				bad(o, RuleNothingInTilt, "%s acted in TILT: promoted %s", o.Node, f.Addr)
			}
		case facts.FailoverStart:
			if !f.Forced && (!f.ODown || f.Agreeing < f.Quorum) {
				bad(o, RuleODown, "%s started a failover of %s in epoch %d with %d of quorum %d seeing it down (odown=%v)",
					o.Node, f.Master, f.Epoch, f.Agreeing, f.Quorum, f.ODown)
			}
			if !f.Forced && f.LastAttempt != 0 && f.Now.Sub(f.LastAttempt) < 2*f.Timeout {
				bad(o, RuleGate, "%s started a failover of %s %s after the previous attempt; failover-timeout %s asks for %s",
					o.Node, f.Master, f.Now.Sub(f.LastAttempt), f.Timeout, 2*f.Timeout)
			}
			// An operator's SENTINEL FAILOVER starts one even in TILT
			// (sentinel.c checks no TILT there); its steps wait for TILT
			// to end.
			if tilt[o.Node] && !f.Forced {
				bad(o, RuleNothingInTilt, "%s acted in TILT: started a failover of %s", o.Node, f.Master)
			}
		case facts.Selected:
			if msg := checkSelection(f); msg != "" {
				bad(o, RuleSelection, "%s for %s in epoch %d: %s", o.Node, f.Master, f.Epoch, msg)
			}
			if tilt[o.Node] {
				bad(o, RuleNothingInTilt, "%s acted in TILT: selected a replica of %s", o.Node, f.Master)
			}
		case facts.Reconfigure:
			if tilt[o.Node] {
				bad(o, RuleNothingInTilt, "%s acted in TILT: sent SLAVEOF to %s", o.Node, f.Target)
			}
		}
	}
	out = append(out, tiltEvents(obs, events)...)
	return out
}

// tiltEvents finds SDOWN and ODOWN changes a sentinel logged while in TILT
// (spec §18: it does not evaluate them).
func tiltEvents(obs []Observed, events []Event) []Violation {
	type mark struct {
		at   wire.Time
		node string
		on   bool
	}
	var marks []mark
	for _, o := range obs {
		switch f := o.Fact.(type) {
		case facts.Tilt:
			marks = append(marks, mark{o.At, o.Node, f.On})
		case facts.Start:
			marks = append(marks, mark{o.At, o.Node, false})
		}
	}
	var out []Violation
	tilt := map[string]bool{}
	i := 0
	for _, e := range events {
		for i < len(marks) && marks[i].at <= e.At {
			tilt[marks[i].node] = marks[i].on
			i++
		}
		if !tilt[e.Node] || len(e.Text) < 3 {
			continue
		}
		typ, _, _ := strings.Cut(e.Text[2:], " ")
		switch typ {
		case "+sdown", "-sdown", "+odown", "-odown":
			out = append(out, Violation{Kind: Safety, Rule: RuleNothingInTilt, At: e.At, Node: e.Node,
				Msg: e.Node + " evaluated failure detection in TILT: " + e.Text[2:], Evidence: []string{fmt.Sprintf("%d event %s %s", e.At, e.Node, e.Text)}})
		}
	}
	return out
}

// checkSelection applies the spec §13 filters and order to the candidates
// as they were seen, and says what is wrong with the choice ("" if
// nothing).
func checkSelection(f facts.Selected) string {
	var best *facts.Candidate
	eligible := func(c facts.Candidate) string {
		switch {
		case c.Down:
			return "it was down"
		case c.Disconnected:
			return "it was disconnected"
		case c.PingAge > f.MaxPingAge:
			return fmt.Sprintf("its last PING reply was %s old", c.PingAge)
		case c.Priority == 0:
			return "its replica-priority is 0"
		case c.InfoAge > f.MaxInfoAge:
			return fmt.Sprintf("its INFO was %s old", c.InfoAge)
		case c.MasterLinkDownMs > f.MaxLinkDownMs:
			return fmt.Sprintf("its master link was down %d ms", c.MasterLinkDownMs)
		}
		return ""
	}
	var chosen *facts.Candidate
	for i := range f.Candidates {
		c := &f.Candidates[i]
		if c.Addr == f.Chosen {
			chosen = c
		}
		if eligible(*c) == "" && (best == nil || better(*c, *best)) {
			best = c
		}
	}
	switch {
	case f.Chosen.IsZero() && best != nil:
		return "no replica chosen, but " + best.Addr.String() + " qualified"
	case f.Chosen.IsZero():
		return ""
	case chosen == nil:
		return "chose " + f.Chosen.String() + ", which is not a known replica"
	case eligible(*chosen) != "":
		return "chose " + f.Chosen.String() + ", but " + eligible(*chosen)
	case better(*best, *chosen):
		return fmt.Sprintf("chose %s (priority %d, offset %d), but %s (priority %d, offset %d) was better",
			chosen.Addr, chosen.Priority, chosen.Offset, best.Addr, best.Priority, best.Offset)
	}
	return ""
}

// better is the spec §13 order: lower priority, higher offset, smaller run
// id (case-insensitive; an unknown run id last).
func better(a, b facts.Candidate) bool {
	switch {
	case a.Priority != b.Priority:
		return a.Priority < b.Priority
	case a.Offset != b.Offset:
		return a.Offset > b.Offset
	case a.RunID == "" || b.RunID == "":
		return a.RunID != "" && b.RunID == ""
	}
	return strings.ToLower(a.RunID) < strings.ToLower(b.RunID)
}

func short(runID string) string {
	if len(runID) > 8 {
		return runID[:8]
	}
	return runID
}
