package bench

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/sentinelsim/sentinelsim/checker"
	"github.com/sentinelsim/sentinelsim/internal/history"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/scenarios"
)

// Figure is one measured number, as `sentinelsim bench --format json`
// prints it.
type Figure struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
}

// Load parses the shape's scenario for duration.
func (s Shape) Load(duration wire.Duration) (*scenarios.File, error) {
	text := s.Scenario(duration.String())
	return scenarios.Parse("bench-"+s.Name+".yaml", text, func(name string) ([]byte, error) {
		return nil, errors.New("bench scenarios read no files")
	})
}

// Run is what one run of a shape measured.
type Run struct {
	Simulated  wire.Duration
	Wall       time.Duration
	Events     uint64
	TraceLines uint64
	ClientOps  int
	Failovers  int
	// PeakHeap is the most live heap seen during the run: after a GC every
	// simulated minute and at the end (so only when sampleHeap; it includes
	// whatever else the process holds, e.g. a caller's earlier results).
	// The time those GCs take is not in Wall.
	PeakHeap uint64
	ops      []history.Op
}

// RunOnce runs f for seed with the trace on (every line of the canonical
// trace is formatted and hashed, as in every run; nothing is written to
// disk) and checks that the simulation itself ended well.
func RunOnce(f *scenarios.File, seed uint64, sampleHeap bool) (Run, error) {
	return runOnce(f, seed, sampleHeap, scenarios.Options{})
}

// runOnce is RunOnce with options: the trace off (NoTrace) or formatted on
// the run's own goroutine (InlineTrace: as in a sweep, whose workers share
// the cores). Progress is runOnce's own.
func runOnce(f *scenarios.File, seed uint64, sampleHeap bool, o scenarios.Options) (Run, error) {
	var peak uint64
	var paused time.Duration // spent sampling the heap: not the run's time
	sample := func(wire.Time) {
		t0 := time.Now()
		peak = max(peak, heapAfterGC())
		paused += time.Since(t0)
	}
	if sampleHeap {
		runtime.GC()
		o.Progress = sample
	}
	start := time.Now()
	res, err := scenarios.RunWith(f, seed, o)
	wall := time.Since(start) - paused
	if err != nil {
		return Run{}, err
	}
	if !res.Outcome.OK() {
		return Run{}, fmt.Errorf("%s seed %d: the simulation stopped: %v", f.Name, seed, res.Outcome)
	}
	if sampleHeap {
		sample(0)
	}
	r := Run{Simulated: res.Duration, Wall: wall, Events: res.Stats.Events, TraceLines: res.TraceLines, ClientOps: res.Metrics.ClientOps, Failovers: res.Metrics.Failovers, PeakHeap: peak}
	for _, op := range res.ClientOps {
		r.ops = append(r.ops, op.Op)
	}
	return r, nil
}

// Speed is a shape's measured speed: runs repeated until minWall passed.
type Speed struct {
	Shape      Shape
	Traced     bool
	Runs       int
	Simulated  wire.Duration
	Wall       time.Duration
	Events     uint64
	TraceLines uint64
	PeakHeap   uint64
}

// Factor is simulated time over wall time.
func (s Speed) Factor() float64 {
	return float64(s.Simulated) * float64(time.Millisecond) / float64(s.Wall)
}

// MeasureShape runs shape s for duration, with seeds 1, 2, … until at
// least minWall of wall time and one run have passed; traced false turns
// the trace off, to show what it costs. Seed 1 runs once first, untimed,
// for the peak heap (sampled after a collection every simulated minute):
// those collections leave the next run to fault its memory in again, and
// the first run of a process warms it up, so no timed run pays for either.
func MeasureShape(s Shape, duration wire.Duration, minWall time.Duration, traced bool) (Speed, error) {
	f, err := s.Load(duration)
	if err != nil {
		return Speed{}, err
	}
	sp := Speed{Shape: s, Traced: traced}
	o := scenarios.Options{NoTrace: !traced}
	first, err := runOnce(f, 1, true, o)
	if err != nil {
		return Speed{}, err
	}
	sp.PeakHeap = first.PeakHeap
	for seed := uint64(1); sp.Runs == 0 || sp.Wall < minWall; seed++ {
		r, err := runOnce(f, seed, false, o)
		if err != nil {
			return Speed{}, err
		}
		sp.Runs++
		sp.Simulated += r.Simulated
		sp.Wall += r.Wall
		sp.Events += r.Events
		sp.TraceLines += r.TraceLines
		sp.PeakHeap = max(sp.PeakHeap, r.PeakHeap)
	}
	return sp, nil
}

// Sweep runs seeds 1..n of f on workers goroutines, as `sentinelsim sweep`
// does, and returns the wall time. after, if set, is called after each
// finished run with the number finished so far (from one goroutine).
func Sweep(f *scenarios.File, n, workers int, after func(done int)) (time.Duration, error) {
	return sweepFrom(f, 1, n, workers, after)
}

// sweepFrom runs seeds first..first+n-1.
func sweepFrom(f *scenarios.File, first uint64, n, workers int, after func(done int)) (time.Duration, error) {
	jobs := make(chan uint64)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for seed := range jobs {
				_, err := runOnce(f, seed, false, scenarios.Options{InlineTrace: true}) // as sentinelsim sweep runs them
				errs <- err
			}
		})
	}
	go func() {
		for i := range uint64(n) {
			jobs <- first + i
		}
		close(jobs)
	}()
	var firstErr error
	for done := 1; done <= n; done++ {
		if err := <-errs; err != nil && firstErr == nil {
			firstErr = err
		}
		if after != nil {
			after(done)
		}
	}
	wg.Wait()
	return time.Since(start), firstErr
}

// heapAfterGC is HeapAfterGC, replaced by tests.
var heapAfterGC = HeapAfterGC

// HeapAfterGC collects garbage and returns the heap still allocated.
func HeapAfterGC() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// Porcupine is the linearizability check's cost for a real client history.
type Porcupine struct {
	Ops  int
	Wall time.Duration // per check of all Ops
}

// Per10k is the check time scaled to 10,000 operations.
func (p Porcupine) Per10k() time.Duration {
	return time.Duration(float64(p.Wall) * 10000 / float64(p.Ops))
}

// MeasurePorcupine records about ops client operations (the 1,000 ops/s
// shape, half reads and half writes on 10 keys, no faults) and times
// porcupine on them, repeated until minWall passed.
func MeasurePorcupine(ops int, minWall time.Duration) (Porcupine, error) {
	s, _ := LookupShape("clients-1000ops")
	f, err := s.Load(wire.Duration(ops) * wire.Second / wire.Duration(s.OpsPerSecond))
	if err != nil {
		return Porcupine{}, err
	}
	r, err := RunOnce(f, 1, false)
	if err != nil {
		return Porcupine{}, err
	}
	if len(r.ops) == 0 {
		return Porcupine{}, errors.New("the client recorded no operations")
	}
	var total time.Duration
	n := 0
	for n == 0 || total < minWall {
		start := time.Now()
		res := checker.Linearizable(r.ops, scenarios.LinearizableBudget)
		total += time.Since(start)
		n++
		if res.Status != checker.LinOK {
			return Porcupine{}, fmt.Errorf("porcupine: %s", res.Summary())
		}
	}
	return Porcupine{Ops: len(r.ops), Wall: total / time.Duration(n)}, nil
}

// HeapSample is the heap still allocated after a GC, once Done seeds of a
// sweep had finished and none was under way.
type HeapSample struct {
	Done int
	Heap uint64
}

// SweepMemory runs seeds 1..n of f on workers goroutines in `samples`
// batches and, between batches (no run under way), measures the heap
// still allocated after a GC: what a sweep keeps from run to run, which
// must not grow with its seeds. progress, if set, sees each sample.
func SweepMemory(f *scenarios.File, n, workers, samples int, progress func(HeapSample)) ([]HeapSample, error) {
	samples = max(1, min(samples, n))
	var out []HeapSample
	done := 0
	for b := range samples {
		size := n/samples + min(1, max(0, n%samples-b)) // the first n%samples batches take one more
		if _, err := sweepFrom(f, uint64(done)+1, size, workers, nil); err != nil {
			return out, err
		}
		done += size
		s := HeapSample{Done: done, Heap: HeapAfterGC()}
		out = append(out, s)
		if progress != nil {
			progress(s)
		}
	}
	return out, nil
}
