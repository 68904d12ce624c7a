package scenarios

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/sentinelsim/sentinelsim/checker"
	"github.com/sentinelsim/sentinelsim/sentinel"
)

var (
	canaryTable = flag.String("canary-table", "", "write the fuzzer's canary table (markdown) to this file: for every planted bug, the seeds and wall time the fuzzer needed to catch it (make canaries)")
	canaryMax   = flag.Int("canary-max", 10_000, "seeds to try per canary before giving up")
)

// canaryCatch is what the fuzzer needed to catch one planted bug.
type canaryCatch struct {
	profile  string
	seeds    int // schedules tried, the catching one included; 0: not caught
	wall     time.Duration
	rule     string
	faults   int // timeline entries of the shrunk schedule
	seed     uint64
	schedule string
}

// catch draws schedules for a profile, seed after seed, until one breaks a
// safety promise; then it shrinks the schedule by dropping timeline
// entries while the same rule stays broken.
func catch(profile string, maxSeeds int) canaryCatch {
	gen := rapid.Custom(func(t *rapid.T) string { return GenSchedule(t, FuzzOptions{Profile: profile}) })
	out := canaryCatch{profile: profile}
	start := time.Now()
	// broken returns the rules a schedule breaks, earliest first.
	broken := func(text string, seed uint64) []string {
		f, err := Parse("canary.yaml", []byte(text), nil)
		if err != nil {
			return nil
		}
		res, err := Run(f, seed)
		if err != nil {
			return nil
		}
		var rules []string
		for _, v := range res.Violations {
			if v.Kind == checker.Safety {
				rules = append(rules, v.Rule)
			}
		}
		return rules
	}
	for i := 1; i <= maxSeeds; i++ {
		text := gen.Example(i)
		seed := uint64(i)
		rules := broken(text, seed)
		if len(rules) == 0 {
			continue
		}
		rule := rules[0]
		out.seeds, out.wall, out.rule, out.seed = i, time.Since(start), rule, seed
		lines := strings.Split(text, "\n")
		isFault := func(j int) bool {
			return strings.HasPrefix(lines[j], "  - {") && slices.Index(lines, "faults:") < j
		}
		for j := 0; j < len(lines); {
			if !isFault(j) {
				j++
				continue
			}
			shorter := append(append([]string{}, lines[:j]...), lines[j+1:]...)
			if slices.Contains(broken(strings.Join(shorter, "\n"), seed), rule) {
				lines = shorter
				continue
			}
			j++
		}
		for j := range lines {
			if isFault(j) {
				out.faults++
			}
		}
		out.schedule = strings.Join(lines, "\n")
		return out
	}
	out.wall = time.Since(start)
	return out
}

// TestCanaryTable measures how fast the fuzzer catches every planted bug
// (the mutants and the historical profiles); make canaries runs it and
// writes the README's table. Without -canary-table it checks, cheaply,
// that one mutant is caught within a few hundred schedules.
func TestCanaryTable(t *testing.T) {
	if *canaryTable == "" {
		c := catch("mutant-ignore-quorum", 300)
		if c.seeds == 0 {
			t.Fatalf("the fuzzer did not catch mutant-ignore-quorum in 300 schedules")
		}
		t.Logf("mutant-ignore-quorum caught after %d schedules (%s): %s", c.seeds, c.wall, c.rule)
		return
	}
	profiles := append(sentinel.MutantNames(), "2.8.14", "2.8.6", "2.8.1")
	var b strings.Builder
	b.WriteString("| planted bug | schedules to catch it | wall time | rule broken | shrunk schedule |\n| --- | --- | --- | --- | --- |\n")
	for _, p := range profiles {
		c := catch(p, *canaryMax)
		if c.seeds == 0 {
			fmt.Fprintf(&b, "| `%s` | not caught in %d | %s | — | — |\n", p, *canaryMax, c.wall.Round(time.Second))
			t.Errorf("%s not caught in %d schedules", p, *canaryMax)
			continue
		}
		fmt.Fprintf(&b, "| `%s` | %d (seed %d) | %s | %s | %d fault(s) |\n", p, c.seeds, c.seed, c.wall.Round(10*time.Millisecond), c.rule, c.faults)
		t.Logf("%s: %d schedules, %s, %s, %d faults", p, c.seeds, c.wall, c.rule, c.faults)
	}
	if err := os.WriteFile(*canaryTable, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
