package bench

import (
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseCPUTimes(t *testing.T) {
	stat := "cpu  478931 276 73238 939272 12376 10 1106 14589 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 1\n"
	got, ok := parseCPUTimes(strings.NewReader(stat))
	require.True(t, ok)
	require.Equal(t, CPUTimes{Busy: 478931 + 276 + 73238 + 10 + 1106, Steal: 14589}, got)

	_, ok = parseCPUTimes(strings.NewReader("cpu0 1 2 3 4 5 6 7 8\n"))
	require.False(t, ok, "no aggregate line")
	_, ok = parseCPUTimes(strings.NewReader("cpu 1 2 x 4 5 6 7 8\n"))
	require.False(t, ok, "a field that is no number")
}

func TestStealShare(t *testing.T) {
	a := CPUTimes{Busy: 1000, Steal: 100}
	require.InDelta(t, 0.25, StealShare(a, CPUTimes{Busy: 1300, Steal: 200}), 1e-9)
	require.Zero(t, StealShare(a, a))
	require.Zero(t, StealShare(a, CPUTimes{Busy: 1300, Steal: 50}), "counters that went back")
}

// Contention is 1 with one CPU (nothing runs beside anything); spinOn
// times every goroutine it starts and spin does the arithmetic it is timed
// for (its result depends on every round). The figure itself is a timing,
// measured by bench, not asserted here.
func TestContentionOneCPU(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	require.Equal(t, 1.0, Contention())
	require.Positive(t, spinOn(3, 1000))
	require.NotEqual(t, spin(1000), spin(1001))
	require.Equal(t, spin(1000), spin(1000))
}
