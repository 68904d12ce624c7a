package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sentinelsim/sentinelsim/scenarios"
)

// cmdSelfcheck proves that runs replay: every seed runs twice and must give
// the same trace hash, and different seeds must give different traces. It
// prints a digest of all the hashes so that the same check under another
// GOMAXPROCS, the race detector or another machine can be compared with one
// string.
func cmdSelfcheck(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlags("selfcheck", stderr)
	var duration durationFlag
	example := fs.String("example", "demo", "built-in example to run")
	seeds := fs.Int("seeds", 200, "how many seeds to check")
	from := fs.Uint64("from", 1, "first seed")
	fs.Var(&duration, "duration", "simulated time per run (default: the example's)")
	if err := parse(fs, args); err != nil {
		return 0, err
	}
	if _, ok := scenarios.Lookup(*example); !ok {
		return 0, usagef("selfcheck: unknown example %q", *example)
	}
	if *seeds <= 0 {
		return 0, usagef("selfcheck: --seeds must be positive")
	}
	if err := duration.atLeast1ms("selfcheck"); err != nil {
		return 0, err
	}
	fmt.Fprintf(stdout, "selfcheck: example=%s seeds=%d..%d duration=%s runs=2 per seed\n",
		*example, *from, *from+uint64(*seeds)-1, orDefault(duration.String(), "example's"))
	start := time.Now()
	digest := sha256.New()
	seen := map[string]uint64{}
	failures := 0
	for i := range *seeds {
		seed := *from + uint64(i)
		p := scenarios.Params{Example: *example, Seed: seed, Duration: duration.d}
		a, err := scenarios.RunExample(p)
		if err != nil {
			return 0, err
		}
		b, err := scenarios.RunExample(p)
		if err != nil {
			return 0, err
		}
		if a.TraceHash != b.TraceHash {
			failures++
			fmt.Fprintf(stdout, "NOT DETERMINISTIC: seed %d gave %s then %s\n", seed, a.TraceHash, b.TraceHash)
		}
		if other, dup := seen[a.TraceHash]; dup {
			failures++
			fmt.Fprintf(stdout, "SAME TRACE: seeds %d and %d both gave %s\n", other, seed, a.TraceHash)
		}
		seen[a.TraceHash] = seed
		digest.Write([]byte(strconv.FormatUint(seed, 10) + " " + a.TraceHash + "\n"))
		if (i+1)%50 == 0 {
			fmt.Fprintf(stderr, "progress: %d/%d seeds, wall %s\n", i+1, *seeds, time.Since(start).Round(time.Millisecond))
		}
	}
	fmt.Fprintf(stdout, "digest %s\n", hex.EncodeToString(digest.Sum(nil)))
	fmt.Fprintf(stdout, "%d seeds x 2 runs in %s: %d problems\n", *seeds, time.Since(start).Round(time.Millisecond), failures)
	replay := program() + " selfcheck --example " + *example + " --seeds " + strconv.Itoa(*seeds) + " --from " + strconv.FormatUint(*from, 10)
	if duration.set {
		replay += " --duration " + duration.String()
	}
	fmt.Fprintf(stdout, "replay: %s\n", replay)
	if failures > 0 {
		return exitMismatch, nil
	}
	return exitPass, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func cmdList(args []string, stdout io.Writer) (int, error) {
	namesOnly := len(args) == 1 && args[0] == "--names"
	if len(args) > 0 && !namesOnly {
		return 0, usagef("list: unexpected argument %q (list takes only --names)", args[0])
	}
	lib, err := scenarios.Library()
	if err != nil {
		return 0, err
	}
	if namesOnly {
		for _, f := range lib {
			fmt.Fprintln(stdout, f.Name)
		}
		return exitPass, nil
	}
	fmt.Fprintln(stdout, "SCENARIO                          EXPECT    SUMMARY")
	for _, f := range lib {
		expect := f.Expect.Verdict
		if expect == "" {
			expect = scenarios.Pass
		}
		fmt.Fprintf(stdout, "%-33s %-9s %s\n", f.Name, expect, oneLine(f.Summary, 100))
	}
	fmt.Fprintln(stdout, "\nEXAMPLE (Go-built, run with --example)")
	for _, e := range scenarios.Examples() {
		fmt.Fprintf(stdout, "%-33s %-9s %s\n", e.Name, "", oneLine(e.Summary, 100))
	}
	return exitPass, nil
}

// oneLine squeezes text onto one line of at most n runes.
func oneLine(text string, n int) string {
	s := strings.Join(strings.Fields(text), " ")
	if r := []rune(s); len(r) > n {
		s = string(r[:n-1]) + "…"
	}
	return s
}
