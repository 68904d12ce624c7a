package scenarios_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/reports"
	"github.com/sentinelsim/sentinelsim/scenarios"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden decision traces (testdata/golden) instead of comparing: make golden")

var librarySeeds = flag.Int("library-seeds", 3, "seeds per library scenario in TestLibrary (make scenarios runs hundreds with the CLI)")

// Every scenario of the library parses, has a source and a summary, and
// reaches its expected verdict for a few seeds.
func TestLibrary(t *testing.T) {
	lib, err := scenarios.Library()
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(lib), 10)
	seen := map[string]bool{}
	for _, f := range lib {
		assert.False(t, seen[f.Name], "two scenarios are named %s", f.Name)
		seen[f.Name] = true
		assert.NotEmpty(t, f.Source, "%s has no source line", f.Name)
		assert.NotEmpty(t, f.Summary, "%s has no summary", f.Name)
		assert.Equal(t, "library/"+f.Name+".yaml", f.Path(), "a library file is named after its scenario")
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			for seed := uint64(1); seed <= uint64(*librarySeeds); seed++ {
				var o scenarios.Options
				dw := &reports.DecisionWriter{}
				if seed == 1 {
					o.Trace = dw
				}
				res, err := scenarios.RunWith(f, seed, o)
				require.NoError(t, err)
				if seed == 1 {
					checkGoldenDecisions(t, f.Name, dw.Decisions)
				}
				assert.True(t, res.Matched(), "seed %d: %s (expected %s): %s %v; replay: go run ./cmd/sentinelsim run %s --seed %d",
					seed, res.Verdict.Status, res.Expected, res.Verdict.Detail, res.Problems, f.Name, seed)
			}
		})
	}
}

// The sweep runs one parsed scenario on many goroutines at once: runs share
// the *File and must not disturb each other (make test-race checks it for
// data races), and each replays byte for byte.
func TestConcurrentRunsShareAFile(t *testing.T) {
	f, ok := scenarios.Find("seed-003-stop-node1")
	require.True(t, ok)
	want := map[uint64]string{}
	for seed := uint64(1); seed <= 4; seed++ {
		res, err := scenarios.Run(f, seed)
		require.NoError(t, err)
		want[seed] = res.TraceHash
	}
	got := make(chan [2]string, 4)
	for seed := uint64(1); seed <= 4; seed++ {
		go func() {
			res, err := scenarios.Run(f, seed)
			if err != nil {
				got <- [2]string{want[seed], err.Error()}
				return
			}
			got <- [2]string{want[seed], res.TraceHash}
		}()
	}
	for range 4 {
		g := <-got
		assert.Equal(t, g[0], g[1])
	}
}

// checkGoldenDecisions compares a library scenario's decision trace for
// seed 1 (reports.WriteTimeline: faults, restarts, SDOWN/ODOWN of masters,
// votes, elections, promotions, switch-master, aborts, TILT) with its
// golden file, so that a changed decision fails make test until the golden
// file is regenerated (make golden) and the diff reviewed.
func checkGoldenDecisions(t *testing.T, name string, ds []reports.Decision) {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, reports.WriteTimeline(&b, ds))
	path := filepath.Join("testdata", "golden", name+".seed1.txt")
	if *updateGolden {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "no golden decision trace for %s: run make golden and review it", name)
	if !bytes.Equal(want, b.Bytes()) {
		t.Errorf("%s seed 1: the decisions changed (%s).\n%s\nIf intended, run make golden and review git diff %s", name, path, firstDiff(string(want), b.String()), path)
	}
}

// firstDiff shows the first line where two texts part, with a little
// context.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n  golden: %s\n  now:    %s", i+1, a, b)
		}
	}
	return ""
}
