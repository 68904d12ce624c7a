package scenarios

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sentinelsim/sentinelsim/checker"
	"github.com/sentinelsim/sentinelsim/internal/history"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/model"
	"github.com/sentinelsim/sentinelsim/sentinel"
	"github.com/sentinelsim/sentinelsim/sim"
)

// Options are what a run depends on besides the scenario and the seed;
// none of them changes the run.
type Options struct {
	// Bounds limit the run; zero fields take sim.DefaultBounds.
	Bounds sim.Bounds
	// Trace receives the canonical trace; nil only hashes it.
	Trace io.Writer
	// Progress, if set, is called after every simulated minute.
	Progress func(now wire.Time)
	// NoTrace runs without the canonical trace (sim.Config.NoTrace): no
	// trace hash, so no proof of replay; for measuring tracing's cost.
	NoTrace bool
	// InlineTrace formats the trace on the run's own goroutine
	// (sim.Config.InlineTrace): a sweep spreads its runs over the cores,
	// so each run keeps to one.
	InlineTrace bool
}

// Check is one expectation of a scenario and what the run showed.
type Check struct {
	Name string `json:"name"`
	Want string `json:"want"`
	Got  string `json:"got"`
	OK   bool   `json:"ok"`
}

// Metrics are what a run measured, whether or not the scenario bounds them.
type Metrics struct {
	// Failovers counts promotions (+promoted-slave); Promoted lists the
	// promoted nodes in order.
	Failovers int      `json:"failovers"`
	Promoted  []string `json:"promoted,omitempty"`
	// Master is the node the live sentinels name at the end ("" if none).
	Master string `json:"master,omitempty"`
	// Converged: every live sentinel names the same address for every
	// master at the end.
	Converged bool `json:"converged"`
	// FlapTime is how long flapping faults went on (sampled every 100 ms)
	// and FlapFailovers the promotions made meanwhile: the failover rate
	// under flapping. Sentinel bounds it only through its per-sentinel 2 ×
	// failover-timeout gate (a safety rule, judged): at most one attempt
	// per sentinel and gate.
	FlapTime      wire.Duration `json:"flap_ms,omitempty"`
	FlapFailovers int           `json:"flap_failovers,omitempty"`
	// Registers are porcupine's verdicts on Sentinel's decisions seen as
	// registers: elections (write-once per epoch, a promise) and
	// promotions (a growing epoch, only eventually consistent).
	Registers checker.Registers `json:"registers"`
	// Masters are the live data nodes that act as masters at the end: more
	// than one per monitored group is a split brain.
	Masters []string `json:"masters,omitempty"`
	// Events counts sentinel events by type.
	Events map[string]int `json:"events,omitempty"`
	// Client operations: attempts, acknowledged writes (SET, APPEND,
	// INCR), failed or unknown attempts, and acknowledged APPENDs whose
	// token is missing from the final master.
	ClientOps    int `json:"client_ops"`
	WritesAcked  int `json:"writes_acked"`
	ClientErrors int `json:"client_errors"`
	WritesLost   int `json:"writes_lost"`
	// LostUnknown: no live master at the end to read the final data from,
	// so WritesLost could not be measured (and is 0).
	LostUnknown bool `json:"writes_lost_unknown,omitempty"`
	// Unavailable is the longest time a client went without a successful
	// operation (between its first and last success).
	Unavailable wire.Duration `json:"unavailable_ms"`
	// Linearizable is porcupine's verdict on all clients' histories
	// together (checker.Linearizable): ok, violated or unknown (it ran out
	// of LinearizableBudget, a key saw a command the model does not know,
	// or a history overflowed); "" with no client. LinearizableKey is the
	// first violated key.
	Linearizable    string `json:"linearizable,omitempty"`
	LinearizableKey string `json:"linearizable_key,omitempty"`
}

// LinearizableBudget bounds the wall time of a run's linearizability
// check; past it the verdict is unknown.
const LinearizableBudget = 2 * time.Second

// ScenarioResult is what running a scenario for one seed produced.
type ScenarioResult struct {
	Scenario   string        `json:"scenario"`
	File       string        `json:"file"`
	Seed       uint64        `json:"seed"`
	Duration   wire.Duration `json:"duration_ms"`
	Outcome    sim.Outcome   `json:"outcome"`
	TraceHash  string        `json:"trace_hash"`
	TraceLines uint64        `json:"trace_lines"`
	Stats      sim.Stats     `json:"stats"`
	Verdict    Verdict       `json:"verdict"`
	Expected   string        `json:"expected"`
	Checks     []Check       `json:"checks,omitempty"`
	Metrics    Metrics       `json:"metrics"`
	Problems   []string      `json:"problems,omitempty"`
	// Promises are the checker's verdicts on what Sentinel promises
	// (safety); Violations the broken rules, earliest first (at most 20).
	Promises   []checker.Verdict   `json:"promises,omitempty"`
	Violations []checker.Violation `json:"violations,omitempty"`
	Commands   []CommandResult     `json:"commands,omitempty"`
	// ExpectBroken are the kinds of promise the scenario expects broken.
	ExpectBroken []string `json:"expect_broken,omitempty"`
	// ClientOps are every client's operations, in each client's order,
	// with the acknowledged writes the final master lost marked (a run
	// directory's history.jsonl).
	ClientOps []ClientOp `json:"-"`

	lin   *checker.LinResult
	notes []checker.Note
}

// WriteLinearizability writes porcupine's HTML page for the first key whose
// client history is not linearizable, with the timeline's entries as notes;
// it reports false (writing nothing) when no key was violated.
func (r *ScenarioResult) WriteLinearizability(w io.Writer) (bool, error) {
	if r.lin == nil || r.lin.FirstViolated == "" {
		return false, nil
	}
	return true, r.lin.Visualize(w, r.lin.FirstViolated, r.notes)

}

// Matched reports whether the run reached the verdict the scenario expects:
// the status, and each kind of promise the scenario expects broken.
func (r *ScenarioResult) Matched() bool {
	if r.Verdict.Status != r.Expected {
		return false
	}
	for _, kind := range r.ExpectBroken {
		if !slices.ContainsFunc(r.Promises, func(v checker.Verdict) bool { return v.Kind == kind && v.Status == checker.Violated }) {
			return false
		}
	}
	return true
}

// Broken reports whether the run found Sentinel breaking a promise, or a
// process crashing: what the fuzzer hunts for.
func (r *ScenarioResult) Broken() bool {
	if r.Verdict.Status == Crash {
		return true
	}
	return slices.ContainsFunc(r.Promises, func(v checker.Verdict) bool { return v.Status == checker.Violated })
}

// Run runs scenario s for seed. The same scenario and seed give the same
// result and trace, byte for byte.
func Run(s *File, seed uint64) (ScenarioResult, error) { return RunWith(s, seed, Options{}) }

// RunFile reads a scenario file and runs it for seed: the one call a test
// needs.
func RunFile(path string, seed uint64) (ScenarioResult, error) {
	s, err := Load(path)
	if err != nil {
		return ScenarioResult{}, err
	}
	return Run(s, seed)
}

// Load reads a scenario file; config-file references are read relative to
// its directory.
func Load(path string) (*File, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	return Parse(path, text, func(name string) ([]byte, error) {
		if !filepath.IsAbs(name) {
			name = filepath.Join(dir, name)
		}
		return os.ReadFile(name)
	})
}

// RunWith is Run with options.
func RunWith(s *File, seed uint64, o Options) (ScenarioResult, error) {
	r, err := s.build(seed, o.Bounds, sim.Config{Trace: o.Trace, NoTrace: o.NoTrace, InlineTrace: o.InlineTrace})
	if err != nil {
		return ScenarioResult{}, err
	}
	end := wire.Time(s.Duration)
	var out sim.Outcome
	for {
		next := min(r.w.Now().Add(wire.Minute), end)
		if out = r.w.RunUntil(next); !out.OK() || next == end {
			break
		}
		if o.Progress != nil {
			o.Progress(r.w.Now())
		}
	}
	if err := r.w.Trace().Flush(); err != nil {
		return ScenarioResult{}, fmt.Errorf("writing the trace: %w", err)
	}
	if w := r.waiting; w != nil && !r.f.Faults[w.index].Optional {
		r.problems = append(r.problems, fmt.Sprintf("line %d: no %s happened, so this entry and those after it never did", r.f.Faults[w.index].line, w.event))
	}
	res := ScenarioResult{
		Scenario: s.Name, File: s.file, Seed: seed, Duration: wire.Duration(s.Duration), Outcome: out,
		TraceHash: r.w.Trace().Hash(), TraceLines: r.w.Trace().Lines(), Stats: r.w.Stats(),
		Expected: s.Expect.Verdict, Problems: r.problems, Commands: r.commands,
	}
	if res.Expected == "" {
		res.Expected = Pass
	}
	res.Metrics, res.ClientOps = r.measure()
	res.lin, res.notes = r.lin, r.notes
	res.Checks = r.checks(res.Metrics)
	res.Metrics.Registers = checker.CheckRegisters(r.facts)
	vs := checker.CheckSafety(r.facts, r.downEvents)
	live, why := r.liveness()
	vs = append(vs, live...)
	vs = append(vs, r.stability()...)
	res.Promises = checker.Summarize([]string{checker.Safety, checker.Liveness, checker.Stability}, vs)
	if why != "" {
		res.Promises[1].Status, res.Promises[1].Message = checker.Unknown, why
	}
	res.Violations = vs[:min(len(vs), 20)]
	res.ExpectBroken = s.Expect.Broken
	res.Verdict = r.verdict(out, res.Checks, res.Promises)
	return res, nil
}

// verdict judges the run: the simulator's outcome first, then whether the
// timeline could act, then the expectations.
func (r *runner) verdict(out sim.Outcome, checks []Check, promises []checker.Verdict) Verdict {
	v := Verdict{Checked: "simulator bounds, process crashes, Sentinel's safety promises and the scenario's expectations"}
	switch {
	case out.Stop == sim.ProcessPanic:
		v.Status, v.Detail = Crash, out.Detail
	case !out.OK():
		v.Status, v.Detail = Unknown, out.Stop.String()+": "+out.Detail
	case len(r.problems) > 0:
		v.Status, v.Detail = Unknown, "the timeline could not act: "+r.problems[0]
	default:
		v.Status = Pass
		var failed []string
		for _, p := range promises {
			if p.Status == checker.Violated {
				failed = append(failed, fmt.Sprintf("Sentinel broke a %s promise %d time(s), first: %s", p.Kind, p.Count, p.First))
			}
		}
		for _, c := range checks {
			if !c.OK {
				failed = append(failed, fmt.Sprintf("%s: want %s, got %s", c.Name, c.Want, c.Got))
			}
		}
		if len(failed) > 0 {
			v.Status, v.Detail = Violated, strings.Join(failed, "; ")
		}
	}
	return v
}

// ClientOp is one client operation as history.jsonl records it.
type ClientOp struct {
	history.Op
	// Lost: an acknowledged APPEND whose token the final master lacks.
	Lost bool `json:"lost,omitempty"`
}

// measure reads the end state of the run.
func (r *runner) measure() (Metrics, []ClientOp) {
	var ops []ClientOp
	m := Metrics{Failovers: len(r.promotions), Events: r.events, FlapTime: r.flapTime, FlapFailovers: r.flapFailovers}
	for _, p := range r.promotions {
		m.Promoted = append(m.Promoted, p.name)
	}
	if p, err := r.currentMaster(""); err == nil {
		m.Master = p.name
	}
	m.Converged = r.converged()
	for _, p := range r.procs {
		if n, ok := r.w.Process(p.id).(*model.Node); ok && r.w.Up(p.id) && n.ReplicaOf().IsZero() {
			m.Masters = append(m.Masters, p.name)
		}
	}
	// The final data: the APPEND tokens of every key of the final master.
	var final map[string]map[string]bool
	if p := r.by[m.Master]; p != nil {
		if n, ok := r.w.Process(p.id).(*model.Node); ok && r.w.Up(p.id) {
			final = map[string]map[string]bool{}
			for _, e := range n.Dataset(r.w.WallClock(p.id)).Entries {
				tokens := map[string]bool{}
				for _, t := range strings.Split(e.Str, ";") {
					tokens[t] = true
				}
				final[e.Key] = tokens
			}
		}
	}
	m.LostUnknown = final == nil
	m.Linearizable, m.LinearizableKey = r.linearizable()
	for _, log := range r.logs {
		var lastOK wire.Time
		seen := false
		for _, op := range log.Ops() {
			m.ClientOps++
			ops = append(ops, ClientOp{Op: op})
			if op.Outcome != history.OK {
				m.ClientErrors++
				continue
			}
			if seen {
				m.Unavailable = max(m.Unavailable, op.Return.Sub(lastOK))
			}
			lastOK, seen = op.Return, true
			if len(op.Args) == 0 {
				continue
			}
			switch strings.ToUpper(op.Args[0]) {
			case "SET", "INCR":
				m.WritesAcked++
			case "APPEND":
				m.WritesAcked++
				if final != nil && len(op.Args) == 3 && !final[op.Args[1]][strings.TrimSuffix(op.Args[2], ";")] {
					m.WritesLost++
					ops[len(ops)-1].Lost = true
				}
			}
		}
	}
	return m, ops
}

// linearizable checks every client's history together.
func (r *runner) linearizable() (string, string) {
	if len(r.logs) == 0 {
		return "", ""
	}
	var ops []history.Op
	complete := true
	for _, log := range r.logs {
		ops = append(ops, log.Ops()...)
		complete = complete && log.Err() == nil
	}
	if !complete {
		// A full log misses ops that may explain what the others saw.
		return string(checker.LinUnknown), ""
	}
	res := checker.Linearizable(ops, LinearizableBudget)
	r.lin = &res
	return string(res.Status), res.FirstViolated
}

// converged reports whether every live sentinel names the same address for
// each monitored master.
func (r *runner) converged() bool {
	seen := map[string]wire.Addr{}
	any := false
	for _, p := range r.procs {
		if p.kind != kindSentinel || !r.w.Up(p.id) {
			continue
		}
		s, ok := r.w.Process(p.id).(*sentinel.Sentinel)
		if !ok {
			continue
		}
		for _, mv := range s.Masters() {
			any = true
			if a, ok := seen[mv.Name]; ok && a != mv.Addr {
				return false
			}
			seen[mv.Name] = mv.Addr
		}
	}
	return any
}

// checks evaluates the scenario's expectations.
func (r *runner) checks(m Metrics) []Check {
	e := r.f.Expect
	var out []Check
	bound := func(name string, b *Bound, got int) {
		if b != nil {
			out = append(out, Check{Name: name, Want: b.Text, Got: fmt.Sprint(got), OK: b.Holds(int64(got))})
		}
	}
	bound("failovers", e.Failovers, m.Failovers)
	if e.Promoted != "" {
		got := "none"
		if len(m.Promoted) > 0 {
			got = m.Promoted[0]
		}
		out = append(out, Check{Name: "promoted", Want: e.Promoted, Got: got, OK: got == e.Promoted})
	}
	if e.Master != "" {
		got := m.Master
		if got == "" {
			got = "none"
		}
		out = append(out, Check{Name: "master", Want: e.Master, Got: got, OK: got == e.Master})
	}
	if e.WritesLost != nil && m.LostUnknown {
		out = append(out, Check{Name: "writes-lost", Want: e.WritesLost.Text, Got: "unmeasurable (no live master at the end)", OK: false})
	} else {
		bound("writes-lost", e.WritesLost, m.WritesLost)
	}
	bound("client-errors", e.ClientErrors, m.ClientErrors)
	bound("masters", e.Masters, len(m.Masters))
	types := make([]string, 0, len(e.Events))
	for t := range e.Events {
		types = append(types, t)
	}
	slices.Sort(types)
	for _, t := range types {
		b := e.Events[t]
		bound("events "+t, &b, r.countEvents(t))
	}
	for _, f := range r.f.Faults {
		c := f.Command
		if c == nil || c.Expect == "" {
			continue
		}
		name := fmt.Sprintf("reply to %s (line %d)", strings.Join(c.Args, " "), f.line)
		sent := 0
		for _, s := range r.sent {
			if s.fault != f.index {
				continue
			}
			sent++
			got, replied := "no reply", false
			for _, res := range r.commands {
				if res.fault == f.index && res.To == s.to {
					got, replied = res.Reply, true
					break
				}
			}
			ok := replied && got == c.Expect
			if p, wild := strings.CutSuffix(c.Expect, "*"); wild {
				ok = replied && strings.HasPrefix(got, p)
			}
			out = append(out, Check{Name: name + " from " + s.to, Want: c.Expect, Got: got, OK: ok})
		}
		if sent == 0 {
			out = append(out, Check{Name: name, Want: c.Expect, Got: "never sent", OK: false})
		}
	}
	if e.Linearizable != nil {
		got := m.Linearizable
		if m.LinearizableKey != "" {
			got += " (key " + m.LinearizableKey + ")"
		}
		want := map[bool]string{true: string(checker.LinOK), false: string(checker.LinViolated)}[*e.Linearizable]
		out = append(out, Check{Name: "linearizable", Want: fmt.Sprint(*e.Linearizable), Got: got, OK: m.Linearizable == want})
	}
	if e.Converged != nil {
		out = append(out, Check{Name: "converged", Want: fmt.Sprint(*e.Converged), Got: fmt.Sprint(m.Converged), OK: m.Converged == *e.Converged})
	}
	return out
}

// countEvents counts the sentinel events an expectation key names: a type
// ("+sdown"), or a type and the start of the message ("+sdown master").
func (r *runner) countEvents(key string) int {
	typ, prefix, ok := strings.Cut(key, " ")
	if !ok {
		return r.events[typ]
	}
	n := 0
	for _, e := range r.logged {
		if e.typ == typ && strings.HasPrefix(e.msg, prefix) {
			n++
		}
	}
	return n
}
