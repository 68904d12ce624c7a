package sim_test

import (
	"testing"

	"github.com/sentinelsim/sentinelsim/internal/traffic"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sim"
)

// ticker is the cheapest possible process: a timer that re-arms itself.
type ticker struct{ period wire.Duration }

func (t *ticker) Boot(ctx wire.Env, _ []byte)    { ctx.After(t.period, 0) }
func (t *ticker) Receive(wire.Env, wire.Message) {}
func (t *ticker) Fire(ctx wire.Env, _ uint64)    { ctx.After(t.period, 0) }

// BenchmarkEventLoop measures the bare loop: pop an event, hand it to a
// process, push the event it schedules. 100 processes keep 100 events
// pending, about what a busy sentinel deployment has queued.
func BenchmarkEventLoop(b *testing.B) {
	w, err := sim.New(sim.Config{Seed: 1, Bounds: sim.Bounds{MaxEvents: 1 << 62, MaxTime: 1 << 62}})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 100 {
		p := &ticker{period: wire.Duration(1 + i%7)}
		if _, err := w.AddNode(sim.NodeSpec{Name: "p" + string(rune('a'+i/26)) + string(rune('a'+i%26)), Start: func() sim.Process { return p }}); err != nil {
			b.Fatal(err)
		}
	}
	w.RunFor(10)
	start := w.Stats().Events
	b.ResetTimer()
	for w.Stats().Events-start < uint64(b.N) {
		if o := w.RunFor(1000); !o.OK() {
			b.Fatal(o)
		}
	}
	b.ReportMetric(float64(w.Stats().Events-start)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkSentinelShapedHour runs one simulated hour of three watchers on a
// master and two replicas (traffic package, about 60 messages per simulated
// second) with the full canonical trace hashed, and reports the speed-up.
func BenchmarkSentinelShapedHour(b *testing.B) {
	var simulated wire.Duration
	for i := 0; i < b.N; i++ {
		w, err := sim.New(sim.Config{Seed: uint64(i), Network: sim.LAN})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := traffic.Build(w, 2, 3, 5000); err != nil {
			b.Fatal(err)
		}
		if o := w.RunFor(wire.Hour); !o.OK() {
			b.Fatal(o)
		}
		simulated += wire.Hour
	}
	b.ReportMetric(float64(simulated)/float64(b.Elapsed().Milliseconds()), "sim/wall")
}
