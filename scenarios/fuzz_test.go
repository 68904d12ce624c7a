package scenarios

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/sentinelsim/sentinelsim/checker"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sim"
)

// fuzzProperty runs one drawn schedule for one drawn seed and fails when
// Sentinel breaks a promise or a process crashes. On failure it prints the
// seed, the schedule as a short story and the command that replays it; the
// schedule is written as a scenario file under testdata/fuzz-failures.
func fuzzProperty(o FuzzOptions) func(t *rapid.T) {
	return func(t *rapid.T) {
		text := GenSchedule(t, o)
		seed := rapid.Uint64Range(1, 1<<53).Draw(t, "seed")
		f, err := Parse("fuzz.yaml", []byte(text), nil)
		if err != nil {
			t.Fatalf("the generator made a bad scenario: %v\n%s", err, text)
		}
		res, err := Run(f, seed)
		if err != nil {
			t.Fatalf("building the world: %v\n%s", err, text)
		}
		// Every promise and crashes, as sweep fuzz judges them; a broken
		// promise that a documented flaw of the real Sentinel explains is
		// a finding, not a failure (checker.Violation.Known).
		if !res.Broken() {
			return
		}
		t.Fatal(fuzzReport(text, seed, &res))
	}
}

// fuzzReport is what a failure prints: seed first, the story, the replay
// command last.
func fuzzReport(text string, seed uint64, res *ScenarioResult) string {
	sum := sha256.Sum256([]byte(text))
	path := filepath.Join("testdata", "fuzz-failures", hex.EncodeToString(sum[:6])+".yaml")
	_ = os.MkdirAll(filepath.Dir(path), 0o755)
	_ = os.WriteFile(path, []byte(text), 0o644)
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d: Sentinel broke a promise\n", seed)
	b.WriteString(story(text, res))
	fmt.Fprintf(&b, "replay: go run ./cmd/sentinelsim run scenarios/%s --seed %d\n", path, seed)
	return b.String()
}

// story tells the failure in a few lines: the configuration, the faults in
// order, and the violations.
func story(text string, res *ScenarioResult) string {
	var b strings.Builder
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "sentinel "):
			b.WriteString("  " + l + "\n")
		case strings.HasPrefix(l, "- {"):
			b.WriteString("  " + strings.TrimSuffix(strings.TrimPrefix(l, "- {"), "}") + "\n")
		case strings.HasPrefix(l, "heal:"), strings.HasPrefix(l, "profile:"):
			b.WriteString("  " + l + "\n")
		}
	}
	for _, p := range res.Problems {
		b.WriteString("  (timeline: " + p + ")\n")
	}
	for _, v := range res.Violations {
		b.WriteString("  => " + v.String() + "\n")
	}
	if res.Verdict.Status == Crash {
		b.WriteString("  => crash: " + res.Verdict.Detail + "\n")
	}
	return b.String()
}

// The default profile keeps every promise under drawn schedules. -short
// (and CI's make test) runs rapid's default count / 5; make fuzz runs many
// more.
func TestFuzzSchedules(t *testing.T) {
	rapid.Check(t, fuzzProperty(FuzzOptions{}))
}

// FuzzSchedules is the same property for go test -fuzz (coverage-guided,
// minimised by Go's fuzzer instead of rapid).
func FuzzSchedules(f *testing.F) {
	// A few starting points: rapid reads the bytes as its random stream
	// (8 bytes per draw), so these pick small and large configurations and
	// fault counts.
	for _, seed := range [][]byte{
		make([]byte, 64),
		{1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0},
		[]byte("sentinelsim fuzz schedules: partitions, crashes, pauses and clock jumps near thresholds"),
	} {
		f.Add(seed)
	}
	f.Fuzz(rapid.MakeFuzz(fuzzProperty(FuzzOptions{})))
}

// A stateful version: the world runs in steps, faults are applied between
// them, and the promises are checked after every action.
func TestFuzzStateMachine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		f, err := Parse("sm.yaml", []byte(strings.Replace(trio, "duration: 2m", "duration: 30m", 1)), nil)
		if err != nil {
			t.Fatal(err)
		}
		seed := rapid.Uint64Range(1, 1<<53).Draw(t, "seed")
		r, err := f.build(seed, sim.Bounds{}, sim.Config{})
		if err != nil {
			t.Fatal(err)
		}
		var steps []string
		t.Repeat(map[string]func(*rapid.T){
			"run": func(t *rapid.T) {
				d := rapid.SampledFrom([]int{500, 1900, 2100, 5000, 8000, 10_000, 30_000}).Draw(t, "for")
				steps = append(steps, fmt.Sprintf("run %dms", d))
				if out := r.w.RunFor(wire.Duration(d)); !out.OK() {
					t.Fatalf("the world stopped: %+v\n%s", out, strings.Join(steps, "\n"))
				}
			},
			"fault": func(t *rapid.T) {
				spec := rapid.SampledFrom([]string{"crash: master", "restart: r1", "restart: r2", "pause: master", "resume: master",
					"isolate: s1", "rejoin: s1", "partition: [[host(master)], [rest]]", "heal-all: true", "clock-jump: {node: s2, by: 3s}",
					"crash: leader", "restart: sentinels"}).Draw(t, "fault")
				steps = append(steps, fmt.Sprintf("t=%s %s", r.w.Now(), spec))
				fs, err := Parse("step.yaml", []byte(trio+"faults:\n  - {at: 0s, "+spec+"}\n"), nil)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := r.act(&fs.Faults[0]); err != nil {
					steps = append(steps, "  (not applied: "+err.Error()+")")
				}
			},
			"": func(t *rapid.T) {
				if vs := checker.CheckSafety(r.facts, r.downEvents); len(vs) > 0 {
					t.Fatalf("Sentinel broke a promise: %s\nsteps:\n%s", vs[0], strings.Join(steps, "\n"))
				}
			},
		})
	})
}

// Schedules the fuzzer once flagged, pinned by their generator seed (the
// generator's output for a seed is stable: scenario_digest gen-3). The
// first five broke the stability rule because of simulator and checker
// defects since fixed (connections that lost data without TCP's
// retransmission, HealAll restarting a node still slowed, faults shorter
// than the sampling step); 639 is Sentinel's own flaw F1 and 30642 its F2
// (after a backwards clock jump, stale peer opinions at the TILT exit),
// reported as findings; 2556 and 17082 were first read as F2 but the
// sentinel's TCP connection was really stuck (a connect in its SYN
// retries across the heal): the ground truth counts that as lost now.
func TestFuzzRegressions(t *testing.T) {
	for _, c := range []struct {
		seed  uint64
		known string
	}{
		{1539, ""}, {3009, ""}, {3630, ""}, {4042, ""}, {4395, ""},
		{639, FlawResetAfterReconnect}, {2556, ""}, {17082, ""}, {30642, FlawStaleAfterTilt}, {10266, FlawBackwardClock}, {70539, FlawStaleAfterTilt}, {96544, FlawStaleAfterTilt}, {52762, FlawBackwardClock},
	} {
		t.Run(fmt.Sprint(c.seed), func(t *testing.T) {
			f, _, err := FuzzScenario(c.seed, FuzzOptions{})
			if err != nil {
				t.Fatal(err)
			}
			res, err := Run(f, c.seed)
			if err != nil {
				t.Fatal(err)
			}
			if res.Broken() {
				t.Fatalf("seed %d broke a promise: %v", c.seed, res.Verdict.Detail)
			}
			var known []string
			for _, p := range res.Promises {
				if p.FirstKnown != nil {
					known = append(known, p.FirstKnown.Known)
				}
			}
			if c.known == "" && len(known) > 0 || c.known != "" && !slices.Equal(known, []string{c.known}) {
				t.Fatalf("seed %d: known flaws %v, want %q", c.seed, known, c.known)
			}
		})
	}
}

// Scenario files under testdata/regressions pin runs that once went wrong,
// each with the seed that showed it; every one must now meet its
// expectations and keep every promise.
func TestRegressionFiles(t *testing.T) {
	for file, seed := range map[string]uint64{
		"zombie-link-through-tilt.yaml": 42144181,
	} {
		t.Run(file, func(t *testing.T) {
			res, err := RunFile(filepath.Join("testdata", "regressions", file), seed)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Matched() || res.Broken() {
				t.Fatalf("%s seed %d: %s %s", file, seed, res.Verdict.Status, res.Verdict.Detail)
			}
		})
	}
}
