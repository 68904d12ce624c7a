package bench

import (
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/scenarios"
)

// TestMain runs the benchmarks with the CLI's GC settings (TuneGC).
func TestMain(m *testing.M) {
	TuneGC()
	os.Exit(m.Run())
}

// Every shape is a valid scenario that runs; the client shape does about
// the operations it is asked for.
func TestShapesRun(t *testing.T) {
	for _, s := range append(Shapes, FailoverShape) {
		t.Run(s.Name, func(t *testing.T) {
			d := 20 * wire.Second
			if s.Fault != "" {
				d = 10 * wire.Minute
			}
			f, err := s.Load(d)
			require.NoError(t, err, "%s", s.Scenario(d.String()))
			r, err := RunOnce(f, 1, true)
			require.NoError(t, err)
			require.Equal(t, d, r.Simulated)
			require.NotZero(t, r.TraceLines)
			require.NotZero(t, r.PeakHeap)
			if s.OpsPerSecond >= 100 {
				// The client starts once it has asked a sentinel for the master.
				require.InDelta(t, int(d/wire.Second)*s.OpsPerSecond, r.ClientOps, float64(4*s.OpsPerSecond), "client operations")
			}
		})
	}
}

// The trace off changes nothing in the run but the trace: the same events
// happen, and no line is recorded.
func TestUntracedRunIsTheSameRun(t *testing.T) {
	f, err := FailoverShape.Load(10 * wire.Minute)
	require.NoError(t, err)
	on, err := runOnce(f, 3, false, scenarios.Options{})
	require.NoError(t, err)
	off, err := runOnce(f, 3, false, scenarios.Options{NoTrace: true})
	require.NoError(t, err)
	require.NotZero(t, on.TraceLines)
	require.Zero(t, off.TraceLines)
	require.Equal(t, on.Events, off.Events)
	require.Equal(t, on.ClientOps, off.ClientOps)
	require.Equal(t, on.Failovers, off.Failovers)
	require.Equal(t, 1, on.Failovers, "the failover scenario fails over once")
}

// BenchmarkShape runs each shape for 10 simulated minutes, trace hashed,
// and reports simulated time over wall time, and the machine's Contention
// just before.
func BenchmarkShape(b *testing.B) {
	for _, s := range Shapes {
		f, err := s.Load(10 * wire.Minute)
		require.NoError(b, err)
		b.Run(s.Name, func(b *testing.B) {
			var simulated wire.Duration
			seed := uint64(0)
			// Measured before the loop (b.Loop starts the clock): whether
			// the trace's CPU ran beside the world's or shared it.
			contention := Contention()
			for b.Loop() {
				seed++
				r, err := RunOnce(f, seed, false)
				if err != nil {
					b.Fatal(err)
				}
				simulated += r.Simulated
			}
			b.ReportMetric(float64(simulated)*float64(time.Millisecond)/float64(b.Elapsed()), "sim/wall")
			b.ReportMetric(contention, "contention")
		})
	}
}

// BenchmarkShapeUntraced is BenchmarkShape with the trace off: the
// difference is what formatting and hashing the trace costs.
func BenchmarkShapeUntraced(b *testing.B) {
	for _, name := range []string{"idle-3s-3n", "100m-3s"} {
		s, _ := LookupShape(name)
		f, err := s.Load(10 * wire.Minute)
		require.NoError(b, err)
		b.Run(s.Name, func(b *testing.B) {
			var simulated wire.Duration
			seed := uint64(0)
			for b.Loop() {
				// As BenchmarkShape: no heap sampling (its forced
				// collections would count in the benchmark's time).
				seed++
				r, err := runOnce(f, seed, false, scenarios.Options{NoTrace: true})
				if err != nil {
					b.Fatal(err)
				}
				simulated += r.Simulated
			}
			b.ReportMetric(float64(simulated)*float64(time.Millisecond)/float64(b.Elapsed()), "sim/wall")
		})
	}
}

// BenchmarkSweep runs the 10-minute failover scenario over seeds on one
// worker and on every core, and reports seeds per minute.
func BenchmarkSweep(b *testing.B) {
	f, err := FailoverShape.Load(10 * wire.Minute)
	require.NoError(b, err)
	for _, workers := range []int{1, runtime.NumCPU()} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			seeds := 0
			for b.Loop() {
				if _, err := Sweep(f, 4*workers, workers, nil); err != nil {
					b.Fatal(err)
				}
				seeds += 4 * workers
			}
			b.ReportMetric(float64(seeds)/b.Elapsed().Minutes(), "seeds/min")
		})
	}
}

// BenchmarkPorcupine checks a recorded 10,000-operation client history.
func BenchmarkPorcupine(b *testing.B) {
	var per10k time.Duration
	for b.Loop() {
		p, err := MeasurePorcupine(10000, 0)
		if err != nil {
			b.Fatal(err)
		}
		per10k += p.Per10k()
	}
	b.ReportMetric(float64(per10k.Milliseconds())/float64(b.N), "ms/10k-ops")
}

// SweepMemory runs every seed once, in batches, and samples the heap
// between them.
func TestSweepMemoryBatches(t *testing.T) {
	s, _ := LookupShape("idle-3s-3n")
	f, err := s.Load(20 * wire.Second)
	require.NoError(t, err)
	var seen []int
	samples, err := SweepMemory(f, 5, 2, 3, func(h HeapSample) { seen = append(seen, h.Done) })
	require.NoError(t, err)
	require.Equal(t, []int{2, 4, 5}, seen)
	require.Len(t, samples, 3)
	for _, h := range samples {
		require.NotZero(t, h.Heap)
	}
}

// A run that samples its heap (MeasureShape's first run, every run of
// BenchmarkShapeUntraced) does not count the forced GCs as its own time:
// they cost 15-30 % of the idle shape's wall, which made the first run, and
// the untraced benchmark, look slower than they are.
func TestHeapSamplingNotInWall(t *testing.T) {
	const pause = 20 * time.Millisecond
	samples := 0
	defer func(f func() uint64) { heapAfterGC = f }(heapAfterGC)
	heapAfterGC = func() uint64 {
		samples++
		time.Sleep(pause)
		return 1
	}
	s, _ := LookupShape("idle-3s-3n")
	f, err := s.Load(5 * wire.Minute)
	require.NoError(t, err)
	start := time.Now()
	r, err := RunOnce(f, 1, true)
	total := time.Since(start)
	require.NoError(t, err)
	require.GreaterOrEqual(t, samples, 5)
	require.GreaterOrEqual(t, total-r.Wall, time.Duration(samples)*pause, "the heap samples' time is outside Wall")
}
