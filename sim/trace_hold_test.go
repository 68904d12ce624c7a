package sim_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/scenarios"
	"github.com/sentinelsim/sentinelsim/sim"
)

// The trace is formatted after the fact, on other goroutines, from the
// payloads the processes sent: that is only the run's true trace if no
// payload changes once sent. Formatting every line at the very end of a
// run must give the same hash as formatting them a batch at a time (and
// the golden hashes in scenarios pin the latter to what formatting each
// line at once gave), and so must formatting on the world's goroutine
// (sim.Config.InlineTrace, as sweeps run).
func TestTraceOfPayloadsFormattedLate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every library scenario twice")
	}
	lib, err := scenarios.Library()
	require.NoError(t, err)
	for _, f := range lib {
		seed := uint64(3)
		res, err := scenarios.RunWith(f, seed, scenarios.Options{})
		require.NoError(t, err, f.Name)
		sim.HoldTrace(true)
		held, err := scenarios.RunWith(f, seed, scenarios.Options{})
		sim.HoldTrace(false)
		require.NoError(t, err, f.Name)
		require.Equal(t, res.TraceLines, held.TraceLines, f.Name)
		require.Equal(t, res.TraceHash, held.TraceHash, "%s seed %d: a payload changed after it was sent", f.Name, seed)
		inline, err := scenarios.RunWith(f, seed, scenarios.Options{InlineTrace: true})
		require.NoError(t, err, f.Name)
		require.Equal(t, res.TraceHash, inline.TraceHash, "%s seed %d: formatted on the world's goroutine", f.Name, seed)
	}
}
