package main

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sentinelsim/sentinelsim/reports"
	"github.com/sentinelsim/sentinelsim/scenarios"
)

// cmdReport regenerates the reports of a run directory from its result,
// history and trace (after an upgrade, or to get the HTML of an old run).
func cmdReport(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlags("report", stderr)
	if err := fs.Parse(args); err != nil {
		return 0, usageError{err}
	}
	if fs.NArg() != 1 {
		return 0, usagef("report: which run directory? sentinelsim report DIR")
	}
	dir := fs.Arg(0)
	if err := reports.Regenerate(dir); err != nil {
		return 0, inputError{err}
	}
	for _, f := range []string{reports.FileDecisions, reports.FileSummary, reports.FileReport} {
		fmt.Fprintln(stdout, filepath.Join(dir, f))
	}
	return exitPass, nil
}

// cmdDiff shows how two runs' decisions differ. A and B are run
// directories (their trace.txt) or canonical trace files. Exit 0 when the
// decisions are the same, 1 when they differ.
func cmdDiff(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlags("diff", stderr)
	if err := fs.Parse(args); err != nil {
		return 0, usageError{err}
	}
	if fs.NArg() != 2 {
		return 0, usagef("diff: sentinelsim diff A B (run directories or trace files)")
	}
	var ds [2][]reports.Decision
	for i, p := range fs.Args() {
		path := p
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			path = filepath.Join(p, reports.FileTrace)
		}
		f, err := os.Open(path)
		if err != nil {
			return 0, inputError{err}
		}
		ds[i], err = reports.ReadDecisions(f)
		f.Close()
		if err != nil {
			return 0, inputError{fmt.Errorf("%s: %w", path, err)}
		}
	}
	fmt.Fprintf(stdout, "--- %s (%d decisions)\n+++ %s (%d decisions)\n", fs.Arg(0), len(ds[0]), fs.Arg(1), len(ds[1]))
	differ, err := reports.Diff(stdout, ds[0], ds[1])
	if err != nil {
		fmt.Fprintln(stdout, err)
	}
	if !differ {
		fmt.Fprintln(stdout, "the same decisions at the same times")
		return exitPass, nil
	}
	return exitMismatch, nil
}

// sweepReports writes what a sweep leaves besides results.jsonl: the JUnit
// report (junit.xml in the sweep directory, and/or at junitPath), a
// Markdown summary (summary.md) and a run directory for each of the first
// keep mismatched seeds (runs/seed-N), simulated again (a seed replays
// exactly) so that the sweep itself keeps no traces.
func sweepReports(t *sweepTally, scName, out, junitPath string, keep int, scenarioFor func(uint64) (*scenarios.File, []byte, error), fuzz bool, replayOf func(uint64) string, stdout io.Writer) error {
	t.sort()
	bad := t.bad()
	var cases []reports.Case
	if out != "" || junitPath != "" {
		cases = make([]reports.Case, 0, t.total())
		i := 0 // the next mismatched line: runs and bad are both in seed order
		for _, r := range t.runs {
			c := reports.Case{Name: fmt.Sprintf("seed %d", r.seed), Class: scName, Seconds: float64(r.wallMs) / 1000}
			if !r.matched {
				for i < len(bad) && bad[i].Seed < r.seed {
					i++
				}
				if i < len(bad) && bad[i].Seed == r.seed {
					l := bad[i]
					c.Failure = fmt.Sprintf("%s, expected %s: %s", l.Verdict, l.Expected, l.Detail)
					c.Detail = l.Replay
				}
			}
			cases = append(cases, c)
		}
	}
	var paths []string
	if out != "" {
		paths = append(paths, filepath.Join(out, "junit.xml"))
	}
	if junitPath != "" {
		paths = append(paths, junitPath)
	}
	for _, p := range paths {
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		if err := reports.WriteJUnit(f, "sweep "+scName, cases); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	if out == "" {
		return nil
	}
	var md strings.Builder
	mark := "✅"
	if len(bad) > 0 {
		mark = "❌"
	}
	fmt.Fprintf(&md, "## %s sweep %s: %d runs, %d mismatched\n\n", mark, scName, t.total(), len(bad))
	kept := 0
	for _, l := range bad {
		line := fmt.Sprintf("- seed %d: %s, expected %s: %s — <code>%s</code>", l.Seed, l.Verdict, l.Expected, html.EscapeString(l.Detail), html.EscapeString(l.Replay))
		if kept < keep {
			dir := filepath.Join(out, "runs", fmt.Sprintf("seed-%d", l.Seed))
			if err := writeRunDirFor(dir, l.Seed, scenarioFor, fuzz, replayOf(l.Seed)); err != nil {
				return err
			}
			kept++
			line += fmt.Sprintf(" ([report](runs/seed-%d/report.html))", l.Seed)
			fmt.Fprintf(stdout, "run dir:  %s\n", dir)
		}
		md.WriteString(line + "\n")
	}
	return os.WriteFile(filepath.Join(out, "summary.md"), []byte(md.String()), 0o644)
}

// writeRunDirFor simulates one seed again into a run directory.
func writeRunDirFor(dir string, seed uint64, scenarioFor func(uint64) (*scenarios.File, []byte, error), fuzz bool, replay string) error {
	f, text, err := scenarioFor(seed)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, reports.FileScenario), text, 0o644); err != nil {
		return err
	}
	trace, err := os.Create(filepath.Join(dir, reports.FileTrace))
	if err != nil {
		return err
	}
	tl, err := os.Create(filepath.Join(dir, reports.FileTimeline))
	if err != nil {
		trace.Close()
		return err
	}
	res, err := scenarios.RunWith(f, seed, scenarios.Options{Trace: io.MultiWriter(trace, &timelineWriter{out: tl})})
	trace.Close()
	tl.Close()
	if err != nil {
		return err
	}
	if fuzz {
		judgeFuzz(&res)
	}
	var page bytes.Buffer
	if violated, err := res.WriteLinearizability(&page); err != nil {
		return err
	} else if violated {
		if err := os.WriteFile(filepath.Join(dir, reports.FileLinearity), page.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return reports.WriteRunDir(dir, reports.Run{Seed: seed, Result: res, Replay: replay}, reports.History(res.ClientOps))
}

// cmdCheck re-checks a saved run without simulating it again and says
// whether each re-check agrees with what the run saved. Exit 0 when all
// agree and no promise is broken, 1 otherwise.
func cmdCheck(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlags("check", stderr)
	if err := fs.Parse(args); err != nil {
		return 0, usageError{err}
	}
	if fs.NArg() != 1 {
		return 0, usagef("check: which run directory? sentinelsim check DIR")
	}
	rc, err := reports.CheckRunDir(fs.Arg(0))
	if err != nil {
		return 0, inputError{err}
	}
	agree := func(now, saved string) string {
		if now == saved {
			return "same as saved"
		}
		return "DIFFERS from saved " + saved
	}
	line := rc.Safety.Status
	if rc.Safety.First != nil {
		line += ": " + rc.Safety.First.String()
	}
	fmt.Fprintf(stdout, "read:         %d facts, %d client operations\n", rc.Facts, rc.Ops)
	fmt.Fprintf(stdout, "safety:       %s (%s)\n", line, agree(rc.Safety.Status, rc.SavedSafety))
	fmt.Fprintf(stdout, "elections:    %s (%s)\n", rc.Registers.Elections, agree(rc.Registers.Elections, rc.SavedRegisters.Elections))
	fmt.Fprintf(stdout, "promotions:   %s (%s; only eventually consistent)\n", rc.Registers.Promotions, agree(rc.Registers.Promotions, rc.SavedRegisters.Promotions))
	if rc.Ops > 0 || rc.SavedLinearizable != "" {
		fmt.Fprintf(stdout, "linearizable: %s (%s)\n", rc.Linearizable, agree(rc.Linearizable, rc.SavedLinearizable))
	}
	fmt.Fprintln(stdout, "not re-checked: liveness and stability (they need the simulated world; replay the run)")
	if !rc.Same() || rc.Safety.Status == "violated" {
		return exitMismatch, nil
	}
	return exitPass, nil
}
