package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/sentinelsim/sentinelsim/scenarios/bench"
	"github.com/sentinelsim/sentinelsim/sentinel"
)

// Exit codes, shared by every verb.
const (
	exitPass     = 0  // the run reached its expected verdict
	exitMismatch = 1  // a scenario's verdict differs from the expected one; selfcheck: a replay differed
	exitUnknown  = 3  // a bound was hit or the timeline could not act
	exitCrash    = 4  // a process panicked
	exitUsage    = 64 // a mistake on the command line
	exitInput    = 65 // a scenario file or a configuration in it is wrong
	exitInternal = 70
)

// usageError is a mistake on the command line.
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

const usage = `sentinelsim — deterministic simulation of Redis Sentinel failover

Usage:
  sentinelsim run NAME|FILE [--seed N] [--out DIR]   run a scenario for one seed
  sentinelsim run --example NAME [flags]             run a built-in Go example
  sentinelsim sweep NAME|FILE --seeds A..B [--workers N] [--shard i/n] [--out DIR]
                                                     run many seeds, summarize, resume
  sentinelsim merge DIR...                           merge the results of sweep shards
  sentinelsim report DIR                             regenerate a run directory's reports
  sentinelsim diff A B                               how two runs' decisions differ
  sentinelsim check DIR                              re-check a saved run without simulating
  sentinelsim replay [--conf F]... [--profile P] [--seeds N] [--set d=v]... [--out DIR] [--format text|json] LOGFILE...
                                                     replay real sentinel logs: anomalies, faults, simulation
  sentinelsim list                                   list the scenario library and examples
  sentinelsim selfcheck [flags]                      run seeds twice each and prove they replay
  sentinelsim bench [--shapes S] [--format text|json] measure speed, sweep throughput, porcupine, memory
  sentinelsim version                                print the version

Exit codes: 0 expected verdict, 1 verdict mismatch, 3 unknown (bound hit or the
timeline could not act), 4 process crash, 64 bad command line, 65 bad scenario.

Run 'sentinelsim VERB -h' for the flags of a verb.
`

func main() {
	bench.TuneGC() // GOGC=400 unless the environment says otherwise (scenarios/bench/gc.go)
	quiet, err := parseQuiet(os.Getenv("SENTINELSIM_QUIET"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "sentinelsim:", err)
		os.Exit(exitUsage)
	}
	sentinel.Quiet = quiet // (before any run: it is read by every sentinel)
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// parseQuiet reads SENTINELSIM_QUIET: how sentinels treat the visits
// their tick can skip (sentinel.Quiet): skip (the default), check (visit
// anyway and stop with a panic if a skipped visit would have acted) or off
// (visit every record at every tick, as sentinel.c does). Traces are the
// same under all three.
func parseQuiet(text string) (sentinel.QuietMode, error) {
	switch text {
	case "", "skip":
		return sentinel.QuietSkip, nil
	case "check":
		return sentinel.QuietCheck, nil
	case "off":
		return sentinel.QuietOff, nil
	}
	return 0, fmt.Errorf("SENTINELSIM_QUIET=%q: want skip, check or off", text)
}

// run executes one command line and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	var (
		code int
		err  error
	)
	switch args[0] {
	case "run":
		code, err = cmdRun(args[1:], stdout, stderr)
	case "selfcheck":
		code, err = cmdSelfcheck(args[1:], stdout, stderr)
	case "bench":
		code, err = cmdBench(args[1:], stdout, stderr)
	case "sweep":
		code, err = cmdSweep(args[1:], stdout, stderr)
	case "merge":
		code, err = cmdMerge(args[1:], stdout, stderr)
	case "report":
		code, err = cmdReport(args[1:], stdout, stderr)
	case "diff":
		code, err = cmdDiff(args[1:], stdout, stderr)
	case "check":
		code, err = cmdCheck(args[1:], stdout, stderr)
	case "replay":
		code, err = cmdReplay(args[1:], stdout, stderr)
	case "list":
		code, err = cmdList(args[1:], stdout)
	case "version":
		fmt.Fprintln(stdout, "sentinelsim", version())
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
	default:
		err = usagef("unknown verb %q; run 'sentinelsim help'", args[0])
	}
	var ue usageError
	var ie inputError
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitPass
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "sentinelsim: %v\n", err)
		return exitUsage
	case errors.As(err, &ie):
		fmt.Fprintf(stderr, "sentinelsim: %v\n", err)
		return exitInput
	case err != nil:
		fmt.Fprintf(stderr, "sentinelsim: %v\n", err)
		return exitInternal
	}
	return code
}

// version reports the module version and VCS revision the binary was built
// from.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := info.Main.Version
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev != "" {
		v += " " + rev[:min(12, len(rev))] + dirty
	}
	return strings.TrimSpace(v + " " + info.GoVersion)
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("sentinelsim "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parse parses flags, turning flag errors into usage errors and refusing
// stray arguments.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}
