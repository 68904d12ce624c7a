package checker

import (
	"fmt"
	"slices"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Kinds of verdicts.
const (
	Crash     = "crash"     // a process panicked
	Safety    = "safety"    // what Sentinel promises about its decisions
	Liveness  = "liveness"  // after the heal, agreement and a served master
	Stability = "stability" // no failover without a reason
	Data      = "data"      // what clients saw (Sentinel promises none of it)
)

// Statuses of a verdict.
const (
	OK       = "ok"
	Violated = "violated"
	Unknown  = "unknown"
)

// Observed is a fact as the run recorded it: when (simulated time), by
// which process, and the fact.
type Observed struct {
	At   wire.Time
	Node string
	Fact wire.Fact
}

// Event is a sentinel event line as the run recorded it ("# +sdown master
// mymaster 10.0.0.1 6379", level character first).
type Event struct {
	At   wire.Time
	Node string
	Text string
}

// Violation is one broken rule, in Sentinel's own terms, with where the
// trace shows it.
type Violation struct {
	Kind string    `json:"kind"`
	Rule string    `json:"rule"`
	At   wire.Time `json:"at_ms"`
	Node string    `json:"node"`
	Msg  string    `json:"message"`
	// Evidence are the facts behind it, as their trace lines say them.
	Evidence []string `json:"evidence,omitempty"`
	// Known names the documented flaw of the real Sentinel 7.0.15 that
	// explains the violation (README, "Flaws of Sentinel the fuzzer
	// found"): the engine does what the real binary does, so it is a
	// finding about Sentinel, reported but not a verdict against the run.
	Known string `json:"known,omitempty"`
}

func (v Violation) String() string {
	s := fmt.Sprintf("%s: t=%s %s: %s (%s)", v.Kind, v.At, v.Node, v.Msg, v.Rule)
	if v.Known != "" {
		s += " [known flaw of Sentinel 7.0.15: " + v.Known + "]"
	}
	return s
}

// Verdict is the judgement of one kind: ok, violated (with the first
// violation explained) or unknown (with why).
type Verdict struct {
	Kind    string `json:"kind"`
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
	// First is the earliest violation of this kind.
	First *Violation `json:"first,omitempty"`
	// Count is how many violations of this kind there were.
	Count int `json:"count,omitempty"`
	// Known counts the violations a documented flaw of the real Sentinel
	// explains; they leave the status alone. FirstKnown is the earliest.
	Known      int        `json:"known,omitempty"`
	FirstKnown *Violation `json:"first_known,omitempty"`
}

// Summarize turns violations into one verdict per kind, in the order of
// kinds; kinds not judged are left out.
func Summarize(judged []string, vs []Violation) []Verdict {
	slices.SortStableFunc(vs, func(a, b Violation) int {
		switch {
		case a.At < b.At:
			return -1
		case a.At > b.At:
			return 1
		}
		return 0
	})
	var out []Verdict
	for _, kind := range judged {
		v := Verdict{Kind: kind, Status: OK}
		for i := range vs {
			if vs[i].Kind != kind {
				continue
			}
			if vs[i].Known != "" {
				if v.FirstKnown == nil {
					v.FirstKnown = &vs[i]
				}
				v.Known++
				continue
			}
			if v.First == nil {
				v.First = &vs[i]
				v.Status = Violated
				v.Message = vs[i].String()
			}
			v.Count++
		}
		out = append(out, v)
	}
	return out
}
