package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sentinelsim/sentinelsim/reports"
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
