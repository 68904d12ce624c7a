package checker

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/sentinelsim/sentinelsim/internal/history"
	"github.com/sentinelsim/sentinelsim/internal/wire"
)

func drawSpec(t *rapid.T, concurrent bool) genSpec {
	s := genSpec{
		ops:     rapid.IntRange(0, 100).Draw(t, "ops"),
		keys:    rapid.IntRange(1, 4).Draw(t, "keys"),
		clients: rapid.IntRange(1, 5).Draw(t, "clients"),
		mix: [4]int{rapid.IntRange(0, 3).Draw(t, "gets"), rapid.IntRange(0, 3).Draw(t, "sets"),
			rapid.IntRange(0, 3).Draw(t, "appends"), rapid.IntRange(0, 3).Draw(t, "incrs")},
		failPct: rapid.IntRange(0, 20).Draw(t, "fail%"),
	}
	if s.mix == [4]int{} {
		s.mix[0] = 1
	}
	if concurrent {
		s.maxLatency = rapid.IntRange(1, 20).Draw(t, "latency")
		// Few unknowns: each never-applied unknown APPEND or INCR stays
		// open to the end, and with many of them porcupine's search can
		// blow up (30% of 150 ops ran for minutes; see the benchmark).
		s.unknownPct = rapid.IntRange(0, 8).Draw(t, "unknown%")
	}
	return s
}

func rapidIntn(t *rapid.T) func(int) int {
	return func(n int) int { return rapid.IntRange(0, n-1).Draw(t, "r") }
}

// Sequential histories of a correct store are trivially linearizable.
func TestPropSequentialHistoriesPass(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ops := generate(drawSpec(t, false), rapidIntn(t))
		r := Linearizable(ops, 0)
		require.Equal(t, LinOK, r.Status, r.Summary())
	})
}

// Concurrent histories of a correct store, where each op takes effect at
// one point of its interval (or, unknown, at any time after its call, or
// never), pass too.
func TestPropConcurrentHistoriesPass(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		spec := drawSpec(t, true)
		ops := generate(spec, rapidIntn(t))
		// Never-applied unknown APPENDs and INCRs stay open to the end and
		// can make the search exponential even on a linearizable history:
		// with them, a timed-out check (unknown) is accepted, a violation
		// never; without them the check must finish ok.
		r := Linearizable(ops, 5*time.Second)
		if spec.unknownPct == 0 {
			require.Equal(t, LinOK, r.Status, r.Summary())
		}
		require.NotEqual(t, LinViolated, r.Status, r.Summary())
	})
}

// A read of a value nobody wrote is always caught.
func TestPropForeignReadIsViolated(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		spec := drawSpec(t, rapid.Bool().Draw(t, "concurrent"))
		spec.mix[0]++
		// Proving a violation means trying every order, and each unknown
		// op open to the end multiplies the orders: keep them out here.
		spec.unknownPct = 0
		ops := generate(spec, rapidIntn(t))
		var reads []int
		for i, op := range ops {
			if op.Args[0] == "GET" && op.Outcome == history.OK {
				reads = append(reads, i)
			}
		}
		if len(reads) == 0 {
			t.Skip("no read")
		}
		i := reads[rapid.IntRange(0, len(reads)-1).Draw(t, "read")]
		ops[i].Reply = wire.Bulk("nobody wrote this")
		r := Linearizable(ops, 0)
		require.Equal(t, LinViolated, r.Status)
		require.Equal(t, ops[i].Args[1], r.FirstViolated)
	})
}

// The sizes of anchors.md §2.1: 10k ops, 10 keys, 5 clients, latency 1-20
// ticks; 50/50 SET/GET (the anchors' 7-14 ms row), then the workloads'
// mix with APPEND and INCR and 5% of writes unknown.
func BenchmarkLinearizable(b *testing.B) {
	for _, c := range []struct {
		name string
		spec genSpec
	}{
		{"set-get", genSpec{ops: 10_000, keys: 10, clients: 5, maxLatency: 20, mix: [4]int{1, 1, 0, 0}}},
		{"mixed-5%-unknown", genSpec{ops: 10_000, keys: 10, clients: 5, maxLatency: 20, mix: [4]int{2, 1, 1, 0}, unknownPct: 5, failPct: 2}},
		{"append-1-key", genSpec{ops: 10_000, keys: 1, clients: 5, maxLatency: 20, mix: [4]int{1, 0, 1, 0}}},
	} {
		rng := rand.New(rand.NewPCG(7, 7))
		ops := generate(c.spec, rng.IntN)
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if r := Linearizable(ops, time.Minute); r.Status != LinOK {
					b.Fatal(r.Summary())
				}
			}
		})
	}
}
