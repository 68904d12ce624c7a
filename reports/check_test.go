package reports

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// check DIR re-checks a saved run from its files alone and agrees with
// what the run found: a clean failover, and a planted double vote that
// breaks a safety promise and the election register.
func TestCheckRunDirAgreesWithTheRun(t *testing.T) {
	for _, c := range []struct {
		name   string
		safety string
	}{
		{"seed-003-stop-node1", "ok"},
		{"canary-mutant-vote-twice", "violated"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			runToDir(t, c.name, 1, dir)
			rc, err := CheckRunDir(dir)
			require.NoError(t, err)
			require.True(t, rc.Same(), "%+v", rc)
			require.Equal(t, c.safety, rc.Safety.Status)
			require.Positive(t, rc.Facts)
		})
	}
}
