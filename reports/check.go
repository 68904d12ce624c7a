package reports

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/checker"
	"github.com/sentinelsim/sentinelsim/internal/facts"
	"github.com/sentinelsim/sentinelsim/internal/history"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/scenarios"
)

// Recheck is what 'check DIR' finds: the checks that need only the saved
// files, run again, next to what the run saved.
type Recheck struct {
	// Safety: Sentinel's safety promises over the facts of trace.txt.
	Safety      checker.Verdict
	SavedSafety string
	// Registers: porcupine on the elections and promotions.
	Registers      checker.Registers
	SavedRegisters checker.Registers
	// Linearizable: porcupine on history.jsonl.
	Linearizable      string
	SavedLinearizable string
	// Facts and Ops count what was read.
	Facts, Ops int
}

// Same reports whether every re-check agrees with what the run saved. An
// unknown linearizability on either side (porcupine ran out of its wall-time
// budget, or a client's log overflowed during the run) disagrees with
// nothing.
func (r Recheck) Same() bool {
	lin := r.Linearizable == r.SavedLinearizable || r.Linearizable == string(checker.LinUnknown) || r.SavedLinearizable == string(checker.LinUnknown)
	return r.Safety.Status == r.SavedSafety && r.Registers == r.SavedRegisters && lin
}

// CheckRunDir re-checks a run directory without simulating it again: the
// safety rules over the facts and sentinel events in trace.txt, the
// decisions as porcupine registers, and the client histories of
// history.jsonl. Liveness and stability need the simulated world (its
// state at the end, its ground truth while it ran) and are not re-checked.
func CheckRunDir(dir string) (Recheck, error) {
	d, err := ReadRunDir(dir)
	if err != nil {
		return Recheck{}, err
	}
	obs, events, err := readFacts(filepath.Join(dir, FileTrace))
	if err != nil {
		return Recheck{}, err
	}
	res := d.Run.Result
	rc := Recheck{Facts: len(obs), SavedRegisters: res.Metrics.Registers, SavedLinearizable: res.Metrics.Linearizable}
	for _, p := range res.Promises {
		if p.Kind == checker.Safety {
			rc.SavedSafety = p.Status
		}
	}
	vs := checker.CheckSafety(obs, events)
	rc.Safety = checker.Summarize([]string{checker.Safety}, vs)[0]
	rc.Registers = checker.CheckRegisters(obs)
	clients := len(d.History) > 0
	for _, k := range d.kinds {
		clients = clients || k == "client"
	}
	if clients {
		ops := make([]history.Op, 0, len(d.History))
		for i, h := range d.History {
			op, err := h.Op()
			if err != nil {
				return Recheck{}, fmt.Errorf("%s:%d: %w", filepath.Join(dir, FileHistory), i+1, err)
			}
			ops = append(ops, op)
		}
		rc.Ops = len(ops)
		rc.Linearizable = string(checker.Linearizable(ops, scenarios.LinearizableBudget).Status)
	}
	return rc, nil
}

// readFacts reads the facts ("<ms> fact <node> <text>") and the SDOWN and
// ODOWN events of a canonical trace, as the checker takes them.
func readFacts(path string) ([]checker.Observed, []checker.Event, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var obs []checker.Observed
	var events []checker.Event
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	line := 0
	for sc.Scan() {
		line++
		at, rest, _ := strings.Cut(sc.Text(), " ")
		verb, rest, _ := strings.Cut(rest, " ")
		if verb != "fact" && verb != "event" {
			continue
		}
		t, err := strconv.ParseInt(at, 10, 64)
		if err != nil {
			return nil, nil, fmt.Errorf("%s:%d: bad time %q", path, line, at)
		}
		node, text, _ := strings.Cut(rest, " ")
		if verb == "event" {
			if len(text) > 2 && text[1] == ' ' {
				typ, _, _ := strings.Cut(text[2:], " ")
				switch typ {
				case "+sdown", "-sdown", "+odown", "-odown":
					events = append(events, checker.Event{At: wire.Time(t), Node: node, Text: text})
				}
			}
			continue
		}
		fact, err := facts.Parse(text)
		if err != nil {
			return nil, nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		obs = append(obs, checker.Observed{At: wire.Time(t), Node: node, Fact: fact})
	}
	return obs, events, sc.Err()
}
