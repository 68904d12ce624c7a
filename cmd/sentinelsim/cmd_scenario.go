package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/reports"
	"github.com/sentinelsim/sentinelsim/scenarios"
	"github.com/sentinelsim/sentinelsim/sim"
)

// inputError is a scenario that cannot be read or built.
type inputError struct{ error }

// findScenario resolves NAME|FILE: an existing file, else a library name.
func findScenario(arg string) (*scenarios.File, error) {
	if st, err := os.Stat(arg); err == nil && !st.IsDir() {
		f, err := scenarios.Load(arg)
		if err != nil {
			return nil, inputError{err}
		}
		return f, nil
	}
	if strings.HasSuffix(arg, ".yaml") || strings.HasSuffix(arg, ".yml") || strings.ContainsRune(arg, os.PathSeparator) {
		return nil, inputError{fmt.Errorf("%s: no such file", arg)}
	}
	if _, err := scenarios.Library(); err != nil {
		return nil, inputError{fmt.Errorf("the scenario library: %w", err)}
	}
	if f, ok := scenarios.Find(arg); ok {
		return f, nil
	}
	return nil, usagef("no scenario or example is named %q (see 'sentinelsim list')", arg)
}

// splitName takes the leading NAME|FILE argument off a verb's arguments,
// whether it comes before or after the flags.
func splitName(args []string) (string, []string) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[0], args[1:]
	}
	return "", args
}

// scenarioReport is the JSON of 'run NAME|FILE --format json' and a run
// directory's result.json (reports.Run): the seed first, the replay command
// last.
type scenarioReport = reports.Run

func cmdRunScenario(arg string, fs *flagsRun, stdout, stderr io.Writer) (int, error) {
	seed := fs.seed.resolve()
	var sc *scenarios.File
	fuzzText := ""
	if profile, ok := fuzzName(arg); ok {
		// The fuzzer's schedule for this seed: printed, then run.
		f, text, err := scenarios.FuzzScenario(seed, scenarios.FuzzOptions{Profile: profile})
		if err != nil {
			return 0, err
		}
		sc, fuzzText = f, text
	} else {
		var err error
		if sc, err = findScenario(arg); err != nil {
			return 0, err
		}
	}
	parts := []string{program(), "run", arg, "--seed", strconv.FormatUint(seed, 10)}
	if fs.maxTime.set {
		parts = append(parts, "--max-time", fs.maxTime.String())
	}
	if fs.maxEvents > 0 {
		parts = append(parts, "--max-events", strconv.FormatUint(fs.maxEvents, 10))
	}
	if fs.maxInFlight > 0 {
		parts = append(parts, "--max-in-flight", strconv.Itoa(fs.maxInFlight))
	}
	replay := strings.Join(parts, " ")
	text := fs.format == "text"
	if text {
		fmt.Fprintf(stdout, "seed=%d scenario=%s file=%s duration=%s\n", seed, sc.Name, sc.Path(), wire.Duration(sc.Duration))
		if sc.Summary != "" {
			fmt.Fprintf(stdout, "summary: %s\n", strings.TrimSpace(sc.Summary))
		}
		if fuzzText != "" {
			fmt.Fprintf(stdout, "schedule (scenarios.GenSchedule %s, seed %d):\n%s", scenarios.FuzzGenVersion, seed, indent(fuzzText))
		}
	}
	var sinks []io.Writer
	var files []*os.File
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	create := func(path string) (*os.File, error) {
		f, err := os.Create(path)
		if err == nil {
			files = append(files, f)
		}
		return f, err
	}
	if fs.tracePath != "" {
		f, err := create(fs.tracePath)
		if err != nil {
			return 0, err
		}
		sinks = append(sinks, f)
	}
	if fs.out != "" {
		if err := os.MkdirAll(fs.out, 0o755); err != nil {
			return 0, err
		}
		f, err := create(filepath.Join(fs.out, "trace.txt"))
		if err != nil {
			return 0, err
		}
		tl, err := create(filepath.Join(fs.out, "timeline.txt"))
		if err != nil {
			return 0, err
		}
		sinks = append(sinks, f, &timelineWriter{out: tl})
	}
	if text && fs.timeline {
		sinks = append(sinks, &timelineWriter{out: stdout})
	}
	o := scenarios.Options{Bounds: fs.bounds()}
	if len(sinks) > 0 {
		o.Trace = io.MultiWriter(sinks...)
	}
	start := time.Now()
	res, err := scenarios.RunWith(sc, seed, o)
	if err != nil {
		return 0, inputError{err}
	}
	if fuzzText != "" {
		judgeFuzz(&res)
	}
	wall := time.Since(start)
	rep := scenarioReport{Schema: reports.Schema, Seed: seed, Result: res, WallMs: wall.Milliseconds(), Replay: replay}
	if fs.out != "" {
		text := sc.Text()
		if fuzzText != "" {
			text = []byte(fuzzText)
		}
		if err := os.WriteFile(filepath.Join(fs.out, reports.FileScenario), text, 0o644); err != nil {
			return 0, err
		}
		var page bytes.Buffer
		if violated, err := res.WriteLinearizability(&page); err != nil {
			return 0, err
		} else if violated {
			if err := os.WriteFile(filepath.Join(fs.out, reports.FileLinearity), page.Bytes(), 0o644); err != nil {
				return 0, err
			}
		}
		if err := reports.WriteRunDir(fs.out, rep, reports.History(res.ClientOps)); err != nil {
			return 0, err
		}
	}
	if text {
		printScenarioText(stdout, rep)
	} else {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return 0, err
		}
	}
	return scenarioCode(&res), nil
}

func printScenarioText(w io.Writer, rep scenarioReport) {
	r := rep.Result
	for _, c := range r.Commands {
		fmt.Fprintf(w, "command:  t=%s %s %s -> %s\n", c.At, c.To, strings.Join(c.Args, " "), c.Reply)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "problem:  %s\n", p)
	}
	m := r.Metrics
	fmt.Fprintf(w, "measured: failovers=%d promoted=%s master=%s converged=%v acting-masters=%s\n", m.Failovers, orNone(strings.Join(m.Promoted, ",")), orNone(m.Master), m.Converged, orNone(strings.Join(m.Masters, ",")))
	if m.FlapTime > 0 {
		fmt.Fprintf(w, "flapping: %s of flapping faults, %d failover(s) meanwhile (%.1f per hour)\n", m.FlapTime, m.FlapFailovers, float64(m.FlapFailovers)*3.6e6/float64(m.FlapTime))
	}
	lin := ""
	if m.Linearizable != "" {
		lin = " linearizable=" + m.Linearizable
		if m.LinearizableKey != "" {
			lin += " (key " + m.LinearizableKey + ")"
		}
	}
	fmt.Fprintf(w, "clients:  ops=%d errors=%d writes acked=%d lost=%d longest-unavailable=%s%s\n", m.ClientOps, m.ClientErrors, m.WritesAcked, m.WritesLost, m.Unavailable, lin)
	reg := r.Metrics.Registers
	fmt.Fprintf(w, "decisions: elections %s%s, promotions %s%s (porcupine; promotions are only eventually consistent)\n",
		reg.Elections, paren(reg.FirstElection), reg.Promotions, paren(reg.FirstPromotion))
	for _, p := range r.Promises {
		line := p.Status
		if p.First != nil {
			line += fmt.Sprintf(" (%d): %s", p.Count, p.First)
		} else if p.Message != "" {
			line += ": " + p.Message
		}
		fmt.Fprintf(w, "promise:  %s %s\n", p.Kind, line)
		if p.FirstKnown != nil {
			fmt.Fprintf(w, "finding:  %s (%d): %s\n", p.Kind, p.Known, p.FirstKnown)
		}
	}
	for _, c := range r.Checks {
		mark := "ok  "
		if !c.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "expect:   %s %s: want %s, got %s\n", mark, c.Name, c.Want, c.Got)
	}
	fmt.Fprintf(w, "outcome:  %s at %s; %d events, trace sha256 %s (%d lines)\n", r.Outcome.Stop, r.Outcome.At, r.Stats.Events, r.TraceHash, r.TraceLines)
	verdict := r.Verdict.Status
	if r.Verdict.Detail != "" {
		verdict += " (" + r.Verdict.Detail + ")"
	}
	match := "as expected"
	if !r.Matched() {
		match = "MISMATCH: expected " + r.Expected
	}
	fmt.Fprintf(w, "verdict:  %s — %s\n", verdict, match)
	fmt.Fprintf(w, "wall:     %dms\n", rep.WallMs)
	fmt.Fprintf(w, "replay:   %s\n", rep.Replay)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// scenarioCode is the exit code of a scenario run: 0 when the verdict is
// the expected one.
func scenarioCode(r *scenarios.ScenarioResult) int {
	switch {
	case r.Matched():
		return exitPass
	case r.Verdict.Status == scenarios.Crash:
		return exitCrash
	case r.Verdict.Status == scenarios.Unknown:
		return exitUnknown
	}
	return exitMismatch
}

// flagsRun are the flags of 'run'.
type flagsRun struct {
	seed        seedFlag
	format      string
	tracePath   string
	out         string
	timeline    bool
	maxTime     durationFlag
	maxEvents   uint64
	maxInFlight int
}

func (f *flagsRun) bounds() sim.Bounds {
	return sim.Bounds{MaxTime: wire.Time(f.maxTime.d), MaxEvents: f.maxEvents, MaxInFlight: f.maxInFlight}
}

// parseOptionalName parses flags and takes at most one positional
// argument (NAME|FILE) into name, before or after the flags.
func parseOptionalName(fs *flag.FlagSet, args []string, name *string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	rest := fs.Args()
	if len(rest) > 0 && *name == "" {
		*name, rest = rest[0], rest[1:]
		if err := fs.Parse(rest); err != nil {
			return usageError{err}
		}
		rest = fs.Args()
	}
	if len(rest) > 0 {
		return usagef("%s: unexpected argument %q", fs.Name(), rest[0])
	}
	return nil
}

func indent(text string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		b.WriteString("    " + l + "\n")
	}
	return b.String()
}

func paren(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}
