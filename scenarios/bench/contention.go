package bench

import (
	"runtime"
	"slices"
	"sync"
	"time"
)

// Contention is how much longer the machine takes for a fixed amount of
// arithmetic on every CPU at once than on one: about 1 when its CPUs really
// run in parallel, up to their number when the hypervisor runs the virtual
// CPUs on fewer physical ones (or on two threads of one core). Steal time
// does not show this: the guest's CPUs are not kept waiting, each is just
// slower while the other works. It matters for the traced figures, whose
// trace is formatted and hashed on a second CPU beside the world: in such
// minutes that work takes its time from the world's.
//
// Each side is measured three times, alternately, and the fastest kept;
// the whole takes about a third of a second. 1 on a machine with one CPU.
func Contention() float64 {
	n := runtime.GOMAXPROCS(0)
	if n < 2 {
		return 1
	}
	// A collection under way (the last run's garbage) would run beside
	// the spinners and count as contention: finish it first.
	runtime.GC()
	const work = 20_000_000
	alone, all := time.Duration(1<<62), time.Duration(1<<62)
	for range 3 {
		alone = min(alone, spinOn(1, work))
		all = min(all, spinOn(n, work))
	}
	return float64(all) / float64(alone)
}

// spinOn runs work rounds of arithmetic on each of n goroutines, each on an
// OS thread of its own, and returns the wall time of the slowest.
func spinOn(n, work int) time.Duration {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	times := make([]time.Duration, n)
	sums := make([]uint64, n)
	for i := range n {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			ready.Done()
			<-start
			t := time.Now()
			sums[i] = spin(work)
			times[i] = time.Since(t)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	runtime.KeepAlive(sums) // (spin's results are stored where the goroutines share them: the loop stays)
	return slices.Max(times)
}

// spin is arithmetic with enough independent operations per round to keep
// a core's units busy, and no memory traffic.
func spin(rounds int) uint64 {
	a, b, c, d := uint64(1), uint64(2), uint64(3), uint64(4)
	for range rounds {
		a += b ^ 7
		b += c ^ 9
		c += d ^ 11
		d += a ^ 13
		a ^= a << 3
		c ^= c >> 5
	}
	return a + b + c + d
}
