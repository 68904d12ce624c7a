package bench

import (
	"os"
	"runtime/debug"
)

// GC settings for simulation: a run's live heap is small (a few MiB for a
// 3+3 cluster) and most of what it allocates dies within an event, so
// collecting at five times the live heap (GOGC=400) rather than twice
// spends far less CPU on the collector — a quarter more seeds per minute on
// one worker, 40 % more on two, where the collectors of parallel runs
// compete — for a few MiB more. A soft limit keeps a large run's heap
// (clients' histories kept for porcupine) from growing without bound.
const (
	GCPercent   = 400
	MemoryLimit = 4 << 30
)

// TuneGC applies GCPercent and MemoryLimit unless the GOGC or GOMEMLIMIT
// environment variables say otherwise. The CLI calls it at start, and so
// do this package's benchmarks, so both measure the same thing.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(MemoryLimit)
	}
}
