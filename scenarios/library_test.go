package scenarios

import (
	"flag"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var librarySeeds = flag.Int("library-seeds", 3, "seeds per library scenario in TestLibrary (make scenarios runs hundreds with the CLI)")

// Every scenario of the library parses, has a source and a summary, and
// reaches its expected verdict for a few seeds.
func TestLibrary(t *testing.T) {
	lib, err := Library()
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
				res, err := Run(f, seed)
				require.NoError(t, err)
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
	f, ok := Find("seed-003-stop-node1")
	require.True(t, ok)
	want := map[uint64]string{}
	for seed := uint64(1); seed <= 4; seed++ {
		res, err := Run(f, seed)
		require.NoError(t, err)
		want[seed] = res.TraceHash
	}
	got := make(chan [2]string, 4)
	for seed := uint64(1); seed <= 4; seed++ {
		go func() {
			res, err := Run(f, seed)
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
