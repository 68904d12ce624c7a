package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

var updateGolden = os.Getenv("UPDATE_GOLDEN") != ""

// golden compares got with testdata/<name>, or rewrites it with
// UPDATE_GOLDEN=1.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if updateGolden {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with UPDATE_GOLDEN=1 to create %s", path)
	require.Equal(t, string(want), string(got))
}

// The JUnit report of a sweep: one case per seed, a mismatch as a failure
// with the replay command; markup in input is escaped.
func TestJUnitGolden(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteJUnit(&b, "sweep jepsen-partition", []Case{
		{Name: "seed 1", Class: "jepsen-partition", Seconds: 1.25},
		{Name: "seed 2", Class: "jepsen-partition", Seconds: 0.5, Failure: "violated, expected pass: writes-lost: want > 0, got 0", Detail: "sentinelsim run jepsen-partition --seed 2 <&>"},
	}))
	golden(t, "sweep.junit.xml", b.Bytes())
}

// A run directory's machine and CI formats, pinned: result.json (the
// documented schema), summary.md and the text timeline of the decisions;
// regenerating the reports from the directory gives the same files.
func TestRunDirGolden(t *testing.T) {
	dir := t.TempDir()
	runToDir(t, "seed-003-stop-node1", 1, dir)
	files := []string{FileResult, FileSummary, FileDecisions}
	first := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		require.NoError(t, err)
		first[f] = b
		golden(t, "seed-003-stop-node1.seed1."+f, b)
	}
	require.NoError(t, Regenerate(dir))
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		require.NoError(t, err)
		require.Equal(t, string(first[f]), string(b), "%s after report DIR", f)
	}
}
