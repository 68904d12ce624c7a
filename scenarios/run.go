package scenarios

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sim"
)

// Example is a built-in scenario.
type Example struct {
	Name    string
	Summary string
	// Duration is how long the example runs unless told otherwise.
	Duration wire.Duration
	// Network is the default link configuration.
	Network sim.LinkConfig
	build   func(w *sim.World, duration wire.Duration) error
}

var examples = []Example{demo, failover}

// Examples returns the built-in examples, sorted by name.
func Examples() []Example {
	out := slices.Clone(examples)
	slices.SortFunc(out, func(a, b Example) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Lookup finds a built-in example by name.
func Lookup(name string) (Example, bool) {
	for _, e := range examples {
		if e.Name == name {
			return e, true
		}
	}
	return Example{}, false
}

// Params are everything a run depends on: the same Params give the same run.
type Params struct {
	Example string
	Seed    uint64
	// Duration overrides the example's duration when positive.
	Duration wire.Duration
	// Bounds limit the run; zero fields take sim.DefaultBounds.
	Bounds sim.Bounds
	// Trace receives the canonical trace; nil only hashes it. It is not part
	// of what decides the run.
	Trace io.Writer `json:"-"`
	// Progress, if set, is called after every simulated minute. It is not
	// part of what decides the run.
	Progress func(now wire.Time) `json:"-"`
}

// Verdict statuses. Until the checker lands (issue 6) a run is judged only
// on what the simulator can tell.
const (
	Pass     = "pass"     // the run completed within its bounds and met its expectations
	Violated = "violated" // an expectation of the scenario failed
	Crash    = "crash"    // a process panicked
	Unknown  = "unknown"  // a bound was hit, or the timeline could not act: nothing can be concluded
)

// Verdict is the judgement of a run.
type Verdict struct {
	Status string `json:"status"`
	// Checked says what the verdict covers.
	Checked string `json:"checked"`
	Detail  string `json:"detail,omitempty"`
}

// Result is what a run produced.
type Result struct {
	Params     Params
	Duration   wire.Duration
	Outcome    sim.Outcome
	TraceHash  string
	TraceLines uint64
	Stats      sim.Stats
	Verdict    Verdict
}

// RunExample builds the example's world for the seed and runs it.
func RunExample(p Params) (Result, error) {
	ex, ok := Lookup(p.Example)
	if !ok {
		return Result{}, fmt.Errorf("unknown example %q", p.Example)
	}
	duration := ex.Duration
	if p.Duration > 0 {
		duration = p.Duration
	}
	w, err := sim.New(sim.Config{Seed: p.Seed, Network: ex.Network, Bounds: p.Bounds, Trace: p.Trace})
	if err != nil {
		return Result{}, err
	}
	if err := ex.build(w, duration); err != nil {
		return Result{}, fmt.Errorf("example %s: %w", ex.Name, err)
	}
	var out sim.Outcome
	for end := wire.Time(duration); ; {
		next := min(w.Now().Add(wire.Minute), end)
		if out = w.RunUntil(next); !out.OK() || next == end {
			break
		}
		if p.Progress != nil {
			p.Progress(w.Now())
		}
	}
	if err := w.Trace().Flush(); err != nil {
		return Result{}, fmt.Errorf("writing the trace: %w", err)
	}
	return Result{
		Params:     p,
		Duration:   duration,
		Outcome:    out,
		TraceHash:  w.Trace().Hash(),
		TraceLines: w.Trace().Lines(),
		Stats:      w.Stats(),
		Verdict:    judge(out),
	}, nil
}

// judge turns the simulator's outcome into a verdict.
func judge(o sim.Outcome) Verdict {
	v := Verdict{Checked: "simulator bounds and process crashes (a built-in example; scenarios, e.g. run seed-003-stop-node1, are judged on Sentinel's promises too)"}
	switch o.Stop {
	case sim.Reached:
		v.Status = Pass
	case sim.ProcessPanic:
		v.Status, v.Detail = Crash, o.Detail
	default:
		v.Status, v.Detail = Unknown, o.Stop.String()+": "+o.Detail
	}
	return v
}
