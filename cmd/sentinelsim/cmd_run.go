package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/scenarios"
	"github.com/sentinelsim/sentinelsim/sim"
)

// runReport is the JSON object printed by 'run --format json'. Field order
// is the output order: the seed first, the replay command last.
type runReport struct {
	Seed        uint64            `json:"seed"`
	Example     string            `json:"example"`
	Params      runParams         `json:"params"`
	TraceHash   string            `json:"trace_hash"`
	TraceLines  uint64            `json:"trace_lines"`
	SimulatedMs int64             `json:"simulated_ms"`
	Events      uint64            `json:"events"`
	Messages    messageCounts     `json:"messages"`
	WallMs      int64             `json:"wall_ms"`
	Outcome     outcomeReport     `json:"outcome"`
	Verdict     scenarios.Verdict `json:"verdict"`
	Replay      string            `json:"replay"`
}

type runParams struct {
	DurationMs    int64  `json:"duration_ms"`
	Network       string `json:"network"`
	MaxTimeMs     int64  `json:"max_time_ms,omitempty"`
	MaxEvents     uint64 `json:"max_events,omitempty"`
	MaxInFlight   int    `json:"max_in_flight,omitempty"`
	TraceFile     string `json:"trace_file,omitempty"`
	StandInEngine bool   `json:"stand_in_engine"`
}

type messageCounts struct {
	Sent       uint64 `json:"sent"`
	Delivered  uint64 `json:"delivered"`
	Dropped    uint64 `json:"dropped"`
	Duplicated uint64 `json:"duplicated"`
}

type outcomeReport struct {
	Stop   string `json:"stop"`
	AtMs   int64  `json:"at_ms"`
	Detail string `json:"detail,omitempty"`
}

func cmdRun(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlags("run", stderr)
	var (
		f        flagsRun
		duration durationFlag
	)
	example := fs.String("example", "", "built-in example to run instead of a scenario (see 'sentinelsim list')")
	fs.Var(&f.seed, "seed", "run seed (default: drawn at random and printed)")
	fs.Var(&duration, "duration", "examples only: simulated time to run, e.g. 90s, 11m or milliseconds (default: the example's)")
	fs.StringVar(&f.format, "format", "text", "output format: text or json")
	fs.StringVar(&f.tracePath, "trace", "", "write the canonical trace to this file")
	fs.StringVar(&f.out, "out", "", "scenarios: write trace.txt, timeline.txt and result.json into this directory")
	fs.BoolVar(&f.timeline, "timeline", true, "text format: print faults and process events as they happen")
	fs.Var(&f.maxTime, "max-time", "bound: latest simulated time")
	fs.Uint64Var(&f.maxEvents, "max-events", 0, "bound: most events processed (0: default)")
	fs.IntVar(&f.maxInFlight, "max-in-flight", 0, "bound: most messages in flight at once (0: default)")
	name, rest := splitName(args)
	if err := parseOptionalName(fs, rest, &name); err != nil {
		return 0, err
	}
	if f.format != "text" && f.format != "json" {
		return 0, usagef("run: --format must be text or json, not %q", f.format)
	}
	if err := duration.atLeast1ms("run"); err != nil {
		return 0, err
	}
	if f.maxInFlight < 0 {
		return 0, usagef("run: --max-in-flight must not be negative, got %d", f.maxInFlight)
	}
	if name != "" && *example != "" {
		return 0, usagef("run: give a scenario or --example, not both")
	}
	if name == "" && *example == "" {
		*example = "failover"
	}
	if name != "" {
		if _, ok := scenarios.Lookup(name); ok {
			*example = name
		} else {
			if duration.set {
				return 0, usagef("run: --duration is for examples; a scenario's duration is in its file")
			}
			return cmdRunScenario(name, &f, stdout, stderr)
		}
	}
	format, tracePath, timeline := &f.format, &f.tracePath, &f.timeline
	maxTime, maxEvents, maxInFlight, seed := f.maxTime, &f.maxEvents, &f.maxInFlight, f.seed
	ex, ok := scenarios.Lookup(*example)
	if !ok {
		return 0, usagef("run: unknown example %q (see 'sentinelsim list')", *example)
	}
	p := scenarios.Params{
		Example:  ex.Name,
		Seed:     seed.resolve(),
		Duration: duration.d,
		Bounds:   sim.Bounds{MaxTime: wire.Time(maxTime.d), MaxEvents: *maxEvents, MaxInFlight: *maxInFlight},
	}
	replay := replayCommand(p, *maxEvents, *maxInFlight, maxTime)
	durationMs := ex.Duration
	if duration.set {
		durationMs = duration.d
	}
	text := *format == "text"
	if text {
		fmt.Fprintf(stdout, "seed=%d example=%s duration=%dms network=%q %s\n", p.Seed, ex.Name, durationMs, ex.Network.String(), boundsText(p.Bounds))
		fmt.Fprintf(stdout, "note: %s\n", ex.Summary)
	}

	var sinks []io.Writer
	if *tracePath != "" {
		f, err := os.Create(*tracePath)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		sinks = append(sinks, f)
	}
	if text && *timeline {
		sinks = append(sinks, &timelineWriter{out: stdout})
	}
	if len(sinks) > 0 {
		p.Trace = io.MultiWriter(sinks...)
	}
	start := time.Now()
	lastProgress := start
	p.Progress = func(now wire.Time) {
		if time.Since(lastProgress) >= 2*time.Second {
			lastProgress = time.Now()
			fmt.Fprintf(stderr, "progress: seed=%d simulated %d/%d ms, wall %s\n", p.Seed, now, durationMs, time.Since(start).Round(time.Millisecond))
		}
	}
	res, err := scenarios.RunExample(p)
	if err != nil {
		return 0, err
	}
	wall := time.Since(start)
	rep := runReport{
		Seed:    p.Seed,
		Example: ex.Name,
		Params: runParams{
			DurationMs: int64(res.Duration), Network: ex.Network.String(),
			MaxTimeMs: int64(maxTime.d), MaxEvents: *maxEvents, MaxInFlight: *maxInFlight,
			TraceFile: *tracePath, StandInEngine: true,
		},
		TraceHash:   res.TraceHash,
		TraceLines:  res.TraceLines,
		SimulatedMs: int64(res.Outcome.At),
		Events:      res.Stats.Events,
		Messages:    messageCounts{res.Stats.Sent, res.Stats.Delivered, res.Stats.Dropped, res.Stats.Duplicated},
		WallMs:      wall.Milliseconds(),
		Outcome:     outcomeReport{res.Outcome.Stop.String(), int64(res.Outcome.At), res.Outcome.Detail},
		Verdict:     res.Verdict,
		Replay:      replay,
	}
	if text {
		printRunText(stdout, rep, wall)
	} else {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return 0, err
		}
	}
	return verdictCode(res.Verdict), nil
}

func boundsText(b sim.Bounds) string {
	d := sim.DefaultBounds
	pick := func(v, def int64) int64 {
		if v > 0 {
			return v
		}
		return def
	}
	return fmt.Sprintf("max-time=%dms max-events=%d max-in-flight=%d",
		pick(int64(b.MaxTime), int64(d.MaxTime)), pick(int64(b.MaxEvents), int64(d.MaxEvents)), pick(int64(b.MaxInFlight), int64(d.MaxInFlight)))
}

func printRunText(w io.Writer, r runReport, wall time.Duration) {
	fmt.Fprintf(w, "outcome:  %s at %dms", r.Outcome.Stop, r.Outcome.AtMs)
	if r.Outcome.Detail != "" {
		fmt.Fprintf(w, " (%s)", r.Outcome.Detail)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "verdict:  %s — checked %s\n", r.Verdict.Status, r.Verdict.Checked)
	fmt.Fprintf(w, "events:   %d; messages sent %d, delivered %d, dropped %d, duplicated %d\n",
		r.Events, r.Messages.Sent, r.Messages.Delivered, r.Messages.Dropped, r.Messages.Duplicated)
	fmt.Fprintf(w, "trace:    sha256 %s (%d lines)\n", r.TraceHash, r.TraceLines)
	speed := "n/a"
	if wall > 0 {
		speed = strconv.FormatInt(r.SimulatedMs*int64(time.Millisecond)/int64(wall), 10) + "x"
	}
	fmt.Fprintf(w, "wall:     %dms (simulated/wall %s)\n", r.WallMs, speed)
	fmt.Fprintf(w, "replay:   %s\n", r.Replay)
}

// replayCommand is the exact command line that reruns p.
func replayCommand(p scenarios.Params, maxEvents uint64, maxInFlight int, maxTime durationFlag) string {
	parts := []string{program(), "run", "--example", p.Example, "--seed", strconv.FormatUint(p.Seed, 10)}
	if p.Duration > 0 {
		parts = append(parts, "--duration", strconv.FormatInt(int64(p.Duration), 10)+"ms")
	}
	if maxTime.set {
		parts = append(parts, "--max-time", maxTime.String())
	}
	if maxEvents > 0 {
		parts = append(parts, "--max-events", strconv.FormatUint(maxEvents, 10))
	}
	if maxInFlight > 0 {
		parts = append(parts, "--max-in-flight", strconv.Itoa(maxInFlight))
	}
	return strings.Join(parts, " ")
}

func verdictCode(v scenarios.Verdict) int {
	switch v.Status {
	case scenarios.Pass:
		return exitPass
	case scenarios.Crash:
		return exitCrash
	default:
		return exitUnknown
	}
}

// timelineWriter prints the trace lines a person wants to follow (faults,
// flaps, boots, process events, the stop) with aligned timestamps, and
// skips sends, deliveries and drops.
type timelineWriter struct {
	out     io.Writer
	partial []byte
}

func (t *timelineWriter) Write(p []byte) (int, error) {
	n := len(p)
	data := p
	if len(t.partial) > 0 {
		data = append(t.partial, p...)
		t.partial = nil
	}
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			t.partial = append(t.partial[:0], data...)
			return n, nil
		}
		t.line(data[:i])
		data = data[i+1:]
	}
}

var timelineVerbs = map[string]bool{"fault": true, "flap": true, "boot": true, "event": true, "stop": true}

func (t *timelineWriter) line(l []byte) {
	ts, rest, ok := bytes.Cut(l, []byte{' '})
	if !ok {
		return
	}
	verb, _, _ := bytes.Cut(rest, []byte{' '})
	if !timelineVerbs[string(verb)] {
		return
	}
	ms, err := strconv.ParseInt(string(ts), 10, 64)
	if err != nil {
		return
	}
	fmt.Fprintf(t.out, "%7d.%03ds  %s\n", ms/1000, ms%1000, rest)
}
