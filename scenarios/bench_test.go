package scenarios

import (
	"testing"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// BenchmarkFailoverExampleHour runs the failover example (3 simulated Redis
// nodes, 3 sentinels of the real engine, a client doing 2 operations per
// second) for one simulated hour, trace hashed, and reports the speed-up
// over real time.
func BenchmarkFailoverExampleHour(b *testing.B) {
	var simulated wire.Duration
	for i := 0; i < b.N; i++ {
		res, err := RunExample(Params{Example: "failover", Seed: uint64(i + 1), Duration: wire.Hour})
		if err != nil || !res.Outcome.OK() {
			b.Fatal(err, res.Outcome)
		}
		simulated += wire.Hour
	}
	b.ReportMetric(float64(simulated)/float64(b.Elapsed().Milliseconds()), "sim/wall")
}
