package scenarios

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sim"
)

// TestDemoDeterminism runs the demo twice per seed, for the whole example
// (every kind of fault plus the random phase), and checks the traces.
func TestDemoDeterminism(t *testing.T) {
	hashes := map[string]uint64{}
	for seed := uint64(1); seed <= 10; seed++ {
		a, err := RunExample(Params{Example: "demo", Seed: seed})
		require.NoError(t, err)
		b, err := RunExample(Params{Example: "demo", Seed: seed})
		require.NoError(t, err)
		require.Equal(t, a.TraceHash, b.TraceHash, "seed %d does not replay", seed)
		require.Equal(t, a.Stats, b.Stats)
		assert.Equal(t, Pass, a.Verdict.Status)
		if other, dup := hashes[a.TraceHash]; dup {
			t.Fatalf("seeds %d and %d gave the same trace", other, seed)
		}
		hashes[a.TraceHash] = seed
	}
}

// TestDemoTimeline checks that the demo's scripted faults happen and have
// the effects the example promises.
func TestDemoTimeline(t *testing.T) {
	var trace bytes.Buffer
	res, err := RunExample(Params{Example: "demo", Seed: 5, Trace: &trace})
	require.NoError(t, err)
	require.True(t, res.Outcome.OK(), res.Outcome)
	assert.EqualValues(t, 660_000, res.Outcome.At)
	text := trace.String()
	for _, want := range []string{
		"60000 fault partition {redis1} {s1 s2}",
		"event s1 +sdown redis1", // cut off from the master for 35 s > down-after
		"event s2 +sdown redis1",
		"204000 event s2 +tilt", // the paused watcher's timer fired late
		"event s1 +tilt",        // the clock jump on s1
		"410000 boot s3 restored=",
		"600000 fault heal-all",
	} {
		assert.Contains(t, text, want)
	}
	assert.NotContains(t, text, "event s3 +tilt #tilt mode entered (timer gap 5", "the clock jump is seen by s1 only")
}

func TestRunBoundsAndProgress(t *testing.T) {
	var calls []wire.Time
	res, err := RunExample(Params{Example: "demo", Seed: 1, Duration: 3 * wire.Minute, Progress: func(now wire.Time) { calls = append(calls, now) }})
	require.NoError(t, err)
	assert.Equal(t, []wire.Time{60_000, 120_000}, calls)
	assert.Equal(t, Pass, res.Verdict.Status)

	res, err = RunExample(Params{Example: "demo", Seed: 1, Bounds: sim.Bounds{MaxEvents: 100}})
	require.NoError(t, err)
	assert.Equal(t, Unknown, res.Verdict.Status)
	assert.Contains(t, res.Verdict.Detail, "max-events")

	_, err = RunExample(Params{Example: "nope"})
	assert.ErrorContains(t, err, `unknown example "nope"`)
}
