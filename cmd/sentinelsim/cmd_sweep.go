package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sentinelsim/sentinelsim/scenarios"
)

// sweepLine is one line of a sweep's results.jsonl: one seed's outcome.
type sweepLine struct {
	Scenario string `json:"scenario"`
	// Digest fingerprints the scenario file; Range and Shard say which
	// sweep the line belongs to; Version is the binary's.
	Digest    string `json:"scenario_digest"`
	Range     string `json:"range"`
	Shard     string `json:"shard"`
	Version   string `json:"version"`
	Seed      uint64 `json:"seed"`
	Verdict   string `json:"verdict"`
	Expected  string `json:"expected"`
	Matched   bool   `json:"matched"`
	Detail    string `json:"detail,omitempty"`
	Failovers int    `json:"failovers"`
	Lost      int    `json:"writes_lost"`
	// FlapMs and FlapFailovers: the failover rate under flapping faults.
	FlapMs        int64    `json:"flap_ms,omitempty"`
	FlapFailovers int      `json:"flap_failovers,omitempty"`
	TraceHash     string   `json:"trace_hash"`
	Problems      []string `json:"problems,omitempty"`
	// Known names the flaws of the real Sentinel the run showed (a
	// promise broken exactly as redis-sentinel 7.0.15 breaks it).
	Known  []string `json:"known_flaws,omitempty"`
	WallMs int64    `json:"wall_ms"`
	Replay string   `json:"replay"`
}

// seedRange is A..B, both included.
type seedRange struct{ from, to uint64 }

func parseSeeds(s string) (seedRange, error) {
	a, b, ok := strings.Cut(s, "..")
	if !ok {
		b = a
	}
	from, err1 := strconv.ParseUint(a, 10, 64)
	to, err2 := strconv.ParseUint(b, 10, 64)
	if err1 != nil || err2 != nil || to < from {
		return seedRange{}, fmt.Errorf("--seeds wants A..B with A <= B (or one seed), got %q", s)
	}
	return seedRange{from, to}, nil
}

// parseShard reads i/n (1 <= i <= n): this process takes the seeds whose
// position in the range is i-1 modulo n.
func parseShard(s string) (i, n uint64, err error) {
	if s == "" {
		return 1, 1, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.ParseUint(a, 10, 64)
	n, err2 := strconv.ParseUint(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || n == 0 || i == 0 || i > n {
		return 0, 0, fmt.Errorf("--shard wants i/n with 1 <= i <= n, got %q", s)
	}
	return i, n, nil
}

func cmdSweep(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlags("sweep", stderr)
	seedsText := fs.String("seeds", "1..100", "seeds to run: A..B (both included) or one seed")
	workers := fs.Int("workers", runtime.NumCPU(), "runs at once")
	shard := fs.String("shard", "", "i/n: run only every n-th seed of the range, starting with the i-th (for CI matrices and batch systems)")
	out := fs.String("out", "", "directory for results.jsonl; a sweep into a directory that has results resumes, skipping the seeds done")
	progress := fs.String("progress", "auto", "auto (a bar on a terminal, lines otherwise), bar, lines or none")
	junit := fs.String("junit", "", "also write a JUnit XML report here (with --out it is written to DIR/junit.xml anyway)")
	keep := fs.Int("keep", 10, "with --out, write a run directory (DIR/runs/seed-N) for each of the first N mismatched seeds")
	name, rest := splitName(args)
	if err := parseOptionalName(fs, rest, &name); err != nil {
		return 0, err
	}
	if name == "" {
		return 0, usagef("sweep: which scenario? sentinelsim sweep NAME|FILE --seeds A..B")
	}
	seeds, err := parseSeeds(*seedsText)
	if err != nil {
		return 0, usageError{err}
	}
	si, sn, err := parseShard(*shard)
	if err != nil {
		return 0, usageError{err}
	}
	if *workers < 1 {
		return 0, usagef("sweep: --workers must be at least 1")
	}
	switch *progress {
	case "auto", "bar", "lines", "none":
	default:
		return 0, usagef("sweep: --progress must be auto, bar, lines or none")
	}
	// "fuzz" (or "fuzz:PROFILE") sweeps the fuzzer's schedules: one drawn
	// scenario per seed, judged only on Sentinel's promises.
	var sc *scenarios.File
	var fuzz *scenarios.FuzzOptions
	scName, scDigest, scPath := name, "", ""
	if profile, ok := fuzzName(name); ok {
		fuzz = &scenarios.FuzzOptions{Profile: profile}
		scDigest, scPath = scenarios.FuzzGenVersion+"/"+profile, "(generated per seed by scenarios.GenSchedule)"
	} else {
		var err error
		if sc, err = findScenario(name); err != nil {
			return 0, err
		}
		scName, scDigest, scPath = sc.Name, sc.Digest(), sc.Path()
	}
	replayOf := func(seed uint64) string {
		return strings.Join([]string{program(), "run", name, "--seed", strconv.FormatUint(seed, 10)}, " ")
	}
	sweepCmd := []string{program(), "sweep", name, "--seeds", *seedsText}
	if *shard != "" {
		sweepCmd = append(sweepCmd, "--shard", *shard)
	}
	if *out != "" {
		sweepCmd = append(sweepCmd, "--out", *out)
	}

	// The seeds of this shard, minus those a previous sweep finished.
	inShard := func(seed uint64) bool {
		return seed >= seeds.from && seed <= seeds.to && (seed-seeds.from)%sn == si-1
	}
	done := map[uint64]sweepLine{}
	var results *os.File
	if *out != "" {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return 0, err
		}
		path := filepath.Join(*out, "results.jsonl")
		prev, good, err := readResults(path)
		if err != nil {
			return 0, inputError{err}
		}
		for _, l := range prev {
			if l.Scenario != scName {
				continue
			}
			if l.Digest != scDigest {
				return 0, inputError{fmt.Errorf("%s holds results of another version of scenario %s (digest %s, now %s): sweep into a new --out", path, scName, l.Digest, scDigest)}
			}
			if inShard(l.Seed) {
				done[l.Seed] = l
			}
		}
		results, err = os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return 0, err
		}
		defer results.Close()
		// Drop a torn last line (a sweep killed while writing) before
		// appending, or the next line would be glued to it.
		if err := results.Truncate(good); err != nil {
			return 0, err
		}
		if _, err := results.Seek(good, io.SeekStart); err != nil {
			return 0, err
		}
	}
	var todo []uint64
	total := 0
	for s := seeds.from; ; s++ {
		if inShard(s) {
			total++
			if _, ok := done[s]; !ok {
				todo = append(todo, s)
			}
		}
		if s == seeds.to {
			break
		}
	}
	fmt.Fprintf(stdout, "seeds=%s shard=%d/%d scenario=%s file=%s runs=%d (done before: %d) workers=%d\n",
		*seedsText, si, sn, scName, scPath, total, total-len(todo), *workers)

	// Interrupt: stop handing out seeds, finish the runs under way.
	stop := make(chan struct{})
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer signal.Stop(sig)
	var stopOnce sync.Once
	go func() {
		if _, ok := <-sig; ok {
			stopOnce.Do(func() { close(stop) })
			fmt.Fprintln(stderr, "interrupted: finishing the runs under way (Ctrl-C again to quit at once)")
		}
		if _, ok := <-sig; ok {
			os.Exit(exitUnknown)
		}
	}()

	jobs := make(chan uint64)
	lines := make(chan sweepLine)
	var wg sync.WaitGroup
	var inputErr error
	var errOnce sync.Once
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seed := range jobs {
				start := time.Now()
				run := sc
				if fuzz != nil {
					f, _, err := scenarios.FuzzScenario(seed, *fuzz)
					if err != nil {
						errOnce.Do(func() {
							inputErr = fmt.Errorf("the fuzzer drew a bad schedule for seed %d: %w", seed, err)
							stopOnce.Do(func() { close(stop) })
						})
						continue
					}
					run = f
				}
				// The workers share the cores: each run formats its own trace.
				res, err := scenarios.RunWith(run, seed, scenarios.Options{InlineTrace: true})
				if err != nil {
					errOnce.Do(func() { inputErr = err; stopOnce.Do(func() { close(stop) }) })
					continue
				}
				if fuzz != nil {
					judgeFuzz(&res)
				}
				lines <- sweepLine{Scenario: scName, Digest: scDigest, Range: *seedsText, Shard: fmt.Sprintf("%d/%d", si, sn), Version: version(), Seed: seed, Verdict: res.Verdict.Status, Expected: res.Expected,
					Matched: res.Matched(), Detail: res.Verdict.Detail, Failovers: res.Metrics.Failovers, Lost: res.Metrics.WritesLost,
					FlapMs: int64(res.Metrics.FlapTime), FlapFailovers: res.Metrics.FlapFailovers,
					TraceHash: res.TraceHash, Problems: res.Problems, Known: knownFlaws(res), WallMs: time.Since(start).Milliseconds(), Replay: replayOf(seed)}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, s := range todo {
			select {
			case jobs <- s:
			case <-stop:
				return
			}
		}
	}()
	go func() { wg.Wait(); close(lines) }()

	bar := *progress == "bar" || *progress == "auto" && isTerminal(os.Stderr)
	plain := *progress == "lines" || *progress == "auto" && !bar
	start := time.Now()
	lastLine := start
	tally := newTally()
	for _, l := range done {
		tally.add(l)
	}
	clear(done) // the tally has what the reports need
	finished := 0
	mismatched := tally.mismatched
	var enc *json.Encoder
	if results != nil {
		enc = json.NewEncoder(results)
	}
	for l := range lines {
		finished++
		tally.add(l)
		if !l.Matched {
			mismatched++
		}
		if enc != nil {
			if err := enc.Encode(l); err != nil {
				return 0, err
			}
		}
		switch {
		case bar:
			fmt.Fprintf(stderr, "\r%s", progressBar(finished, len(todo), mismatched, time.Since(start)))
		case plain && (time.Since(lastLine) >= 5*time.Second || finished == len(todo)):
			lastLine = time.Now()
			fmt.Fprintf(stderr, "progress: %d/%d runs, %d mismatched, %s\n", finished, len(todo), mismatched, time.Since(start).Round(time.Second))
		}
	}
	if bar {
		fmt.Fprintln(stderr)
	}
	if inputErr != nil {
		return 0, inputError{inputErr}
	}
	interrupted := finished < len(todo)
	code := summarize(stdout, tally, total)
	if err := sweepReports(tally, scName, *out, *junit, *keep, func(seed uint64) (*scenarios.File, []byte, error) {
		if fuzz != nil {
			f, text, err := scenarios.FuzzScenario(seed, *fuzz)
			return f, []byte(text), err
		}
		return sc, sc.Text(), nil
	}, fuzz != nil, replayOf, stdout); err != nil {
		return 0, err
	}
	if interrupted {
		fmt.Fprintf(stdout, "interrupted after %d of %d runs", finished, len(todo))
		if *out != "" {
			fmt.Fprintf(stdout, "; the results are in %s, the same command resumes", *out)
		}
		fmt.Fprintln(stdout)
		code = max(code, exitUnknown)
	}
	fmt.Fprintf(stdout, "replay:   %s\n", strings.Join(sweepCmd, " "))
	return code, nil
}

func progressBar(done, total, bad int, elapsed time.Duration) string {
	const width = 30
	filled := width
	eta := "0s"
	if total > 0 {
		filled = done * width / total
		if done > 0 {
			eta = (elapsed / time.Duration(done) * time.Duration(total-done)).Round(time.Second).String()
		}
	}
	return fmt.Sprintf("[%s%s] %d/%d mismatched=%d eta %s   ", strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total, bad, eta)
}

// summarize prints verdict counts and the mismatched seeds with their
// replay commands; it returns the sweep's exit code.
func summarize(w io.Writer, t *sweepTally, total int) int {
	t.sort()
	bad := t.bad()
	var parts []string
	for _, v := range []string{scenarios.Pass, scenarios.Violated, scenarios.Unknown, scenarios.Crash} {
		if t.counts[v] > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", v, t.counts[v]))
		}
	}
	fmt.Fprintf(w, "verdicts: %s (%d of %d runs)\n", strings.Join(parts, " "), t.total(), total)
	fmt.Fprintf(w, "matched:  %d; mismatched: %d\n", t.total()-len(bad), len(bad))
	printKnown(w, t.kept)
	if t.flapMs > 0 {
		fmt.Fprintf(w, "flapping: %d failover(s) in %s of flapping faults over all runs (%.2f per hour)\n", t.flapFailovers, time.Duration(t.flapMs)*time.Millisecond, float64(t.flapFailovers)*3.6e6/float64(t.flapMs))
	}
	const shown = 20
	for i, l := range bad {
		if i == shown {
			fmt.Fprintf(w, "... and %d more (see results.jsonl with --out)\n", len(bad)-shown)
			break
		}
		detail := l.Detail
		if detail == "" && len(l.Problems) > 0 {
			detail = l.Problems[0]
		}
		fmt.Fprintf(w, "mismatch: seed %d: %s, expected %s: %s\n          %s\n", l.Seed, l.Verdict, l.Expected, detail, l.Replay)
	}
	code := exitPass
	for _, l := range bad {
		switch l.Verdict {
		case scenarios.Crash:
			code = max(code, exitCrash)
		case scenarios.Unknown:
			code = max(code, exitUnknown)
		default:
			code = max(code, exitMismatch)
		}
	}
	return code
}

// readResults reads a results.jsonl (missing: none) and returns the byte
// offset where its last complete line ends. A torn last line (a sweep
// killed mid-write) is left out; a bad line before the end is an error.
func readResults(path string) ([]sweepLine, int64, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	var out []sweepLine
	var good int64
	for n := 1; len(data) > 0; n++ {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break // the torn last line
		}
		var l sweepLine
		if err := json.Unmarshal(data[:i], &l); err != nil {
			return nil, 0, fmt.Errorf("%s:%d: %v", path, n, err)
		}
		out = append(out, l)
		good += int64(i + 1)
		data = data[i+1:]
	}
	return out, good, nil
}

// cmdMerge combines the results of sweeps (shards) into one summary.
func cmdMerge(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlags("merge", stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, err
		}
		return 0, usageError{err}
	}
	if fs.NArg() == 0 {
		return 0, usagef("merge: name the --out directories of the sweeps to merge")
	}
	seen := map[string]sweepLine{}
	var all []sweepLine
	code := exitPass
	// covered counts, per scenario and range, the seeds the shards ran.
	type sweepKey struct{ scenario, digest, rng string }
	covered := map[sweepKey]map[uint64]bool{}
	for _, dir := range fs.Args() {
		path := filepath.Join(dir, "results.jsonl")
		if _, err := os.Stat(path); err != nil {
			return 0, inputError{fmt.Errorf("%s: no sweep results here (%v)", dir, err)}
		}
		ls, _, err := readResults(path)
		if err != nil {
			return 0, inputError{err}
		}
		for _, l := range ls {
			key := l.Scenario + "/" + strconv.FormatUint(l.Seed, 10)
			if prev, ok := seen[key]; ok {
				if prev.TraceHash != l.TraceHash || prev.Digest != l.Digest {
					fmt.Fprintf(stdout, "conflict: %s seed %d has two different results (trace %s vs %s, scenario digest %s vs %s)\n",
						l.Scenario, l.Seed, prev.TraceHash, l.TraceHash, prev.Digest, l.Digest)
					code = max(code, exitMismatch)
				}
				continue
			}
			seen[key] = l
			all = append(all, l)
			k := sweepKey{l.Scenario, l.Digest, l.Range}
			if covered[k] == nil {
				covered[k] = map[uint64]bool{}
			}
			covered[k][l.Seed] = true
		}
	}
	fmt.Fprintf(stdout, "merged %d directories: %d runs\n", fs.NArg(), len(all))
	keys := make([]sweepKey, 0, len(covered))
	for k := range covered {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b sweepKey) int { return strings.Compare(a.scenario+a.rng+a.digest, b.scenario+b.rng+b.digest) })
	for _, k := range keys {
		r, err := parseSeeds(k.rng)
		if err != nil {
			continue // lines from an older binary: no range recorded
		}
		if want := r.to - r.from + 1; uint64(len(covered[k])) < want {
			fmt.Fprintf(stdout, "incomplete: %s seeds %s: %d of %d seeds (a shard is missing or was interrupted)\n", k.scenario, k.rng, len(covered[k]), want)
			code = max(code, exitUnknown)
		}
	}
	tally := newTally()
	for _, l := range all {
		tally.add(l)
	}
	return max(code, summarize(stdout, tally, len(all))), nil
}

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// fuzzName reads "fuzz" or "fuzz:PROFILE".
func fuzzName(name string) (profile string, ok bool) {
	if name == "fuzz" {
		return "", true
	}
	return strings.CutPrefix(name, "fuzz:")
}

// judgeFuzz judges a drawn schedule only on Sentinel's promises and
// crashes: its timeline may name a leader not yet elected, and it states
// no expectations.
func judgeFuzz(res *scenarios.ScenarioResult) {
	res.Expected, res.Verdict.Status, res.Verdict.Detail = scenarios.Pass, scenarios.Pass, ""
	res.Verdict.Checked = "Sentinel's promises and process crashes (a fuzzer schedule states no expectations)"
	if res.Broken() {
		res.Verdict.Status = scenarios.Violated
		if len(res.Violations) > 0 {
			res.Verdict.Detail = res.Violations[0].String()
		}
	}
}

// knownFlaws lists the documented flaws of the real Sentinel a run showed,
// one name per promise kind that had any.
func knownFlaws(res scenarios.ScenarioResult) []string {
	var out []string
	for _, p := range res.Promises {
		if p.FirstKnown != nil && !slices.Contains(out, p.FirstKnown.Known) {
			out = append(out, p.FirstKnown.Known)
		}
	}
	return out
}

// printKnown counts the runs that showed each known flaw of the real
// Sentinel, with the first few seeds.
func printKnown(w io.Writer, all []sweepLine) {
	seeds := map[string][]uint64{}
	var names []string
	for _, l := range all {
		for _, k := range l.Known {
			if seeds[k] == nil {
				names = append(names, k)
			}
			seeds[k] = append(seeds[k], l.Seed)
		}
	}
	slices.Sort(names)
	for _, k := range names {
		s := seeds[k]
		var first []string
		for _, x := range s[:min(len(s), 5)] {
			first = append(first, strconv.FormatUint(x, 10))
		}
		fmt.Fprintf(w, "finding:  %s (a flaw of the real Sentinel 7.0.15, see README): %d run(s), seeds %s\n", k, len(s), strings.Join(first, ", "))
	}
}
