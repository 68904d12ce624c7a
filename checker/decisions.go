package checker

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/sentinelsim/sentinelsim/internal/facts"
)

// Sentinel's decisions seen as registers and checked with porcupine, next
// to the rule-by-rule checks of CheckSafety:
//
//   - each (master, epoch) is a write-once register its elected leader
//     writes: Sentinel promises this view is linearizable (one leader per
//     epoch), except in the epochs CheckSafety does not count (leaders that
//     did not know each other; forced failovers are not elections);
//   - each master's promotions write their configuration epoch to a
//     register that may only grow: this view is only eventually
//     consistent — a leader cut off with an old epoch can still promote
//     after a newer promotion elsewhere, and Sentinel resolves it later by
//     the highest epoch. It is measured, never a promise.
//
// Decisions are instants: an op's call and return are the fact's time.

// Registers are porcupine's verdicts on the two views.
type Registers struct {
	// Elections: ok or violated (a promise); Promotions: ok or violated
	// (measured: eventually consistent by design).
	Elections  string `json:"elections"`
	Promotions string `json:"promotions"`
	// FirstElection and FirstPromotion name the first partition found not
	// linearizable ("mymaster epoch 3", "mymaster").
	FirstElection  string `json:"first_election,omitempty"`
	FirstPromotion string `json:"first_promotion,omitempty"`
}

var writeOnce = porcupine.Model{
	Init: func() any { return "" },
	Step: func(state, input, _ any) (bool, any) {
		s, v := state.(string), input.(string)
		if s == "" || s == v {
			return true, v
		}
		return false, state
	},
	DescribeOperation: func(input, _ any) string { return "elect " + input.(string) },
}

var growing = porcupine.Model{
	Init: func() any { return uint64(0) },
	Step: func(state, input, _ any) (bool, any) {
		s, v := state.(uint64), input.(uint64)
		if v > s {
			return true, v
		}
		return false, state
	},
	DescribeOperation: func(input, _ any) string { return "promote in epoch " + strconv.FormatUint(input.(uint64), 10) },
}

// CheckRegisters checks the election and promotion registers of a run.
func CheckRegisters(obs []Observed) Registers {
	type me struct {
		master string
		epoch  uint64
	}
	runID := map[string]string{}
	elections := map[me][]Observed{}
	promotions := map[string][]porcupine.Operation{}
	for _, o := range obs {
		switch f := o.Fact.(type) {
		case facts.Start:
			runID[o.Node] = f.RunID
		case facts.Elected:
			if !f.Forced {
				k := me{f.Master, f.Epoch}
				elections[k] = append(elections[k], o)
			}
		case facts.ConfigEpoch:
			if f.Source == "promotion" && !f.Forced {
				promotions[f.Master] = append(promotions[f.Master], porcupine.Operation{
					ClientId: len(promotions[f.Master]), Input: f.To, Call: int64(o.At), Return: int64(o.At)})
			}
		}
	}
	out := Registers{Elections: OK, Promotions: OK}
	keys := make([]me, 0, len(elections))
	for k := range elections {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b me) int {
		if a.master != b.master {
			return compareStrings(a.master, b.master)
		}
		return int(a.epoch) - int(b.epoch)
	})
	for _, k := range keys {
		es := elections[k]
		// Leaders that did not know each other: not a promise.
		contested := false
		for i := range es {
			for j := range i {
				a, b := es[i].Fact.(facts.Elected), es[j].Fact.(facts.Elected)
				if es[i].Node != es[j].Node && !(slices.Contains(a.Known, runID[es[j].Node]) && slices.Contains(b.Known, runID[es[i].Node])) {
					contested = true
				}
			}
		}
		if contested {
			continue
		}
		ops := make([]porcupine.Operation, len(es))
		for i, o := range es {
			ops[i] = porcupine.Operation{ClientId: i, Input: o.Node, Call: int64(o.At), Return: int64(o.At)}
		}
		if porcupine.CheckOperationsTimeout(writeOnce, ops, time.Second) == porcupine.Illegal && out.FirstElection == "" {
			out.Elections, out.FirstElection = Violated, fmt.Sprintf("%s epoch %d", k.master, k.epoch)
		}
	}
	masters := make([]string, 0, len(promotions))
	for m := range promotions {
		masters = append(masters, m)
	}
	slices.Sort(masters)
	for _, m := range masters {
		if porcupine.CheckOperationsTimeout(growing, promotions[m], time.Second) == porcupine.Illegal && out.FirstPromotion == "" {
			out.Promotions, out.FirstPromotion = Violated, m
		}
	}
	return out
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
