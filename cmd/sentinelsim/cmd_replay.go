package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/reports"
	"github.com/sentinelsim/sentinelsim/scenarios"
	"github.com/sentinelsim/sentinelsim/scenarios/replay"
	"github.com/sentinelsim/sentinelsim/sentinel"
	"github.com/sentinelsim/sentinelsim/sentinel/logs"
)

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// replayReport is 'replay --format json' and DIR/replay.json.
type replayReport struct {
	Logs     []string        `json:"logs"`
	Story    []string        `json:"story"`
	Events   []replay.Event  `json:"events"`
	Topology replay.Topology `json:"topology"`
	// Clocks bound each logging sentinel's clock against one of them, from
	// events that must be ordered; ClockOffsets are the corrections applied.
	Clocks       []replay.ClockBound `json:"clocks,omitempty"`
	ClockOffsets map[string]int64    `json:"clock_offsets_ms,omitempty"`
	Anomalies    []replay.Anomaly    `json:"anomalies"`
	Faults       []replay.Fault      `json:"faults"`
	Scenario     string              `json:"scenario"`
	Real         replay.Decisions    `json:"real"`
	// Simulated are the decisions most seeds made; Seeds each seed's,
	// with where it parts from the real ones.
	Simulated replay.Decisions    `json:"simulated"`
	Seeds     []replay.SeedResult `json:"seeds"`
	Match     bool                `json:"match"`
	Problems  []string            `json:"problems,omitempty"`
	Hints     []string            `json:"hints,omitempty"`
	Replay    string              `json:"replay"`
}

func cmdReplay(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlags("replay", stderr)
	var confs, sets listFlag
	fs.Var(&confs, "conf", "a sentinel.conf of the deployment (repeatable): quorum, down-after-milliseconds, failover-timeout")
	profile := fs.String("profile", "", "behaviour profile of the simulated sentinels (default 7.0; e.g. 2.8.1 for old logs)")
	seeds := fs.Int("seeds", 5, "simulate the inferred scenario for seeds 1..N")
	fs.Var(&sets, "set", "directive=value (repeatable): what if the simulated sentinels had this down-after-milliseconds, failover-timeout or quorum (the faults stay those the real settings explain)")
	out := fs.String("out", "", "write replay.json, the inferred scenario and a run directory of seed 1 here")
	format := fs.String("format", "text", "text or json")
	year := fs.Int("year", 0, "year of log lines that have none (Redis before 5.0; default 2000)")
	if err := fs.Parse(reorder(args)); err != nil {
		return 0, usageError{err}
	}
	if fs.NArg() == 0 {
		return 0, usagef("replay: which logs? sentinelsim replay [flags] LOGFILE...")
	}
	if *seeds < 1 || *format != "text" && *format != "json" {
		return 0, usagef("replay: --seeds must be at least 1 and --format text or json")
	}
	if _, err := sentinel.LookupProfile(*profile); err != nil {
		return 0, usageError{err}
	}
	// The profile is also the release whose rules the anomalies are
	// judged by (an election's majority differs in 2.8).
	set := replay.Settings{Profile: *profile}
	var whatIf replay.Settings
	for _, c := range confs {
		if err := readConf(c, &set); err != nil {
			return 0, inputError{err}
		}
	}
	for _, s := range sets {
		if err := applySet(s, &whatIf); err != nil {
			return 0, usageError{err}
		}
	}
	var parsed []*logs.Log
	for _, p := range fs.Args() {
		l, err := logs.ParseFile(p, logs.Options{Year: *year})
		if err != nil {
			return 0, inputError{err}
		}
		parsed = append(parsed, l)
	}
	a, err := replay.Analyze(parsed, set)
	if err != nil {
		return 0, inputError{err}
	}
	text, err := a.Scenario(*profile, whatIf)
	if err != nil {
		return 0, err
	}
	cmd := append([]string{program(), "replay"}, args...)
	if *format == "text" {
		fmt.Fprintf(stdout, "seeds=1..%d profile=%s logs=%s\n", *seeds, orDefault(*profile, "7.0"), strings.Join(fs.Args(), ","))
		for _, p := range a.Problems {
			fmt.Fprintf(stdout, "problem:  %s\n", p)
		}
		for _, h := range a.Hints {
			fmt.Fprintf(stdout, "hint:     %s\n", h)
		}
		fmt.Fprint(stdout, a.Explain())
		for _, line := range a.Story() {
			fmt.Fprintf(stdout, "story:    %s\n", line)
		}
		for _, an := range a.Anomalies {
			fmt.Fprintf(stdout, "anomaly:  t=%dms %s %s: %s [%s]\n", an.AtMs, an.Sentinel, an.Rule, an.Detail, strings.Join(an.Lines, " "))
			for _, e := range an.Explanations {
				fmt.Fprintf(stdout, "          maybe: %s\n", e)
			}
		}
		for _, f := range a.Faults {
			forText := ""
			if f.ForMs > 0 {
				forText = fmt.Sprintf(" for %dms", f.ForMs)
			}
			fmt.Fprintf(stdout, "fault:    t=%dms %s %s%s (%s)\n", f.AtMs, f.Kind, f.Node, forText, f.Why)
		}
	}
	sc, err := scenarios.Parse("replay.yaml", []byte(text), nil)
	if err != nil {
		return 0, fmt.Errorf("the inferred scenario does not load (a bug of replay): %w", err)
	}
	res, err := a.Simulate(text, *seeds)
	if err != nil {
		return 0, err
	}
	matches := 0
	for _, r := range res {
		if r.Match {
			matches++
		}
		if *format == "text" {
			mark := "match"
			if !r.Match {
				mark = "DIFFERS: " + r.Divergence
			}
			fmt.Fprintf(stdout, "seed %d:   failovers=%d switches=%d odown=%v — %s\n", r.Seed, r.Decisions.Failovers, len(r.Decisions.Switches), r.Decisions.ODown, mark)
		}
	}
	rep := replayReport{Logs: fs.Args(), Story: a.Story(), Events: a.Events, Topology: a.Topology, Clocks: a.Clocks, ClockOffsets: a.Offsets, Anomalies: a.Anomalies, Faults: a.Faults, Scenario: text,
		Real: a.Real, Simulated: commonest(res), Seeds: res, Match: 2*matches > len(res), Problems: a.Problems, Hints: a.Hints, Replay: strings.Join(cmd, " ")}
	if *out != "" {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return 0, err
		}
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(filepath.Join(*out, "replay.json"), append(b, '\n'), 0o644); err != nil {
			return 0, err
		}
		if err := writeRealDir(filepath.Join(*out, "real"), a, rep.Replay); err != nil {
			return 0, err
		}
		run := filepath.Join(*out, "run-seed-1")
		if err := writeRunDirFor(run, 1, func(uint64) (*scenarios.File, []byte, error) { return sc, []byte(text), nil }, false,
			program()+" run "+filepath.Join(run, "scenario.yaml")+" --seed 1"); err != nil {
			return 0, err
		}
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return 0, err
		}
		if rep.Match {
			return exitPass, nil
		}
		return exitMismatch, nil
	}
	fmt.Fprintf(stdout, "match:    %d of %d seeds decide as the real sentinels did\n", matches, len(res))
	if *out != "" {
		fmt.Fprintf(stdout, "wrote:    %s (replay.json; real/report.html: the logs' own timeline; run-seed-1/: the simulated replay with its report)\n", *out)
	}
	fmt.Fprintf(stdout, "replay:   %s\n", rep.Replay)
	if rep.Match {
		return exitPass, nil
	}
	return exitMismatch, nil
}

// reorder puts flags before the log files, so both orders work.
func reorder(args []string) []string {
	var flags, files []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			flags = append(flags, a)
			if !strings.Contains(a, "=") && i+1 < len(args) && a != "-h" && a != "--help" {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		files = append(files, a)
	}
	return append(flags, files...)
}

// readConf takes the quorum, down-after-milliseconds and failover-timeout
// of the first monitored master of a sentinel.conf.
func readConf(path string, set *replay.Settings) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		w := strings.Fields(sc.Text())
		if len(w) < 4 || w[0] != "sentinel" {
			continue
		}
		num := func(s string) (int64, error) {
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil || v < 0 {
				return 0, fmt.Errorf("%s:%d: %q is not a number of milliseconds", path, n, s)
			}
			return v, nil
		}
		var err error
		switch w[1] {
		case "monitor":
			if len(w) >= 6 && set.Quorum == 0 {
				var q int64
				q, err = num(w[5])
				set.Quorum = int(q)
			}
		case "down-after-milliseconds":
			set.DownAfterMs, err = num(w[3])
		case "failover-timeout":
			set.FailoverTimeoutMs, err = num(w[3])
		}
		if err != nil {
			return err
		}
	}
	return sc.Err()
}

// applySet reads one --set directive=value.
func applySet(s string, set *replay.Settings) error {
	k, v, ok := strings.Cut(s, "=")
	n, err := strconv.ParseInt(v, 10, 64)
	if !ok || err != nil || n <= 0 {
		return fmt.Errorf("--set wants directive=positive-number, got %q", s)
	}
	switch k {
	case "down-after-milliseconds":
		set.DownAfterMs = n
	case "failover-timeout":
		set.FailoverTimeoutMs = n
	case "quorum":
		set.Quorum = int(n)
	default:
		return fmt.Errorf("--set knows down-after-milliseconds, failover-timeout and quorum, not %q", k)
	}
	return nil
}

// commonest is the decisions most seeds made (the first seed's on a tie).
func commonest(res []replay.SeedResult) replay.Decisions {
	count := map[string]int{}
	best, bestN := 0, 0
	for i, r := range res {
		b, _ := json.Marshal(r.Decisions)
		count[string(b)]++
		if n := count[string(b)]; n > bestN {
			best, bestN = i, n
		}
	}
	if len(res) == 0 {
		return replay.Decisions{}
	}
	return res[best].Decisions
}

// writeRealDir makes a run directory of the real logs (their merged
// timeline as a trace, the inferred faults) so that the HTML report draws
// the real night the way it draws a simulated one.
func writeRealDir(dir string, a *replay.Analysis, replayCmd string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, reports.FileTrace))
	if err != nil {
		return err
	}
	if err := a.Trace(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	res := scenarios.ScenarioResult{Scenario: "real logs", Duration: wire.Duration(a.SpanMs), Expected: "observed",
		Verdict: scenarios.Verdict{Status: "observed", Detail: strings.Join(a.Story(), " ")}}
	return reports.WriteRunDir(dir, reports.Run{Result: res, Replay: replayCmd}, nil)
}
