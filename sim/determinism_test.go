package sim_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/traffic"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sim"
)

// rough is a network with a wide delay spread, loss, duplication and
// reordering, so that every seed takes a different path.
var rough = sim.LinkConfig{
	DelayMin:  0,
	DelayMean: 3,
	DelayMax:  40,
	Loss:      sim.Percent(2),
	Duplicate: sim.Percent(2),
	Reorder:   sim.Percent(10),
}

// scheduleFaults draws a fault schedule from the run's "faults" stream: a
// partition, a flapping link, a flapping node, a pause, a crash, a clock jump
// and drift, a slow node, a link change and a crash-after-persist, starting
// in the first two thirds of a run of length d (the first two minutes of a
// three-minute run), each undone some seconds later.
func scheduleFaults(t *testing.T, w *sim.World, topo traffic.Topology, d wire.Duration) {
	t.Helper()
	r := w.Stream("faults")
	schedule := func(at wire.Time, f sim.Fault) { require.NoError(t, w.Schedule(at, f)) }
	nodes := w.Nodes()
	pick := func() wire.NodeID { return nodes[r.IntN(len(nodes))] }
	// at draws a start time in [lo, hi) of a three-minute run, scaled to d.
	at := func(lo, hi wire.Duration) wire.Time {
		lo, hi = lo*d/(3*wire.Minute), hi*d/(3*wire.Minute)
		return wire.Time(lo + wire.Duration(r.Int64N(int64(hi-lo))))
	}
	span := func(lo, hi wire.Duration) wire.Duration { return lo + wire.Duration(r.Int64N(int64(hi-lo))) }

	// Partition: two random nodes anchor sides 0 and 1; every other node
	// goes to side 0, side 1 or neither.
	var groups [2][]wire.NodeID
	a := r.IntN(len(nodes))
	b := (a + 1 + r.IntN(len(nodes)-1)) % len(nodes)
	for i, id := range nodes {
		side := r.IntN(3)
		switch i {
		case a:
			side = 0
		case b:
			side = 1
		}
		if side < 2 {
			groups[side] = append(groups[side], id)
		}
	}
	at0 := at(5*wire.Second, 60*wire.Second)
	schedule(at0, sim.Partition{Groups: groups[:]})
	schedule(at0.Add(span(5*wire.Second, 30*wire.Second)), sim.Heal{})

	from := pick()
	to := nodes[(int(from)+1+r.IntN(len(nodes)-1))%len(nodes)]
	schedule(at(0, 90*wire.Second), sim.FlapLink{From: from, To: to, Both: r.IntN(2) == 0, Spec: sim.FlapSpec{
		Down: span(100, 1000), Up: span(100, 2000), Jitter: span(0, 100), For: span(5*wire.Second, 20*wire.Second),
	}})
	schedule(at(0, 90*wire.Second), sim.FlapNode{Node: pick(), Spec: sim.FlapSpec{
		Down: span(50, 500), Up: span(100, 1000), Jitter: span(0, 50), For: span(1*wire.Second, 10*wire.Second),
	}})

	n, t0 := pick(), at(0, 90*wire.Second)
	schedule(t0, sim.Pause{Node: n})
	schedule(t0.Add(span(100, 10*wire.Second)), sim.Resume{Node: n})

	n, t0 = pick(), at(0, 90*wire.Second)
	schedule(t0, sim.Crash{Node: n})
	schedule(t0.Add(span(wire.Second, 20*wire.Second)), sim.Restart{Node: n})

	by := span(1, 10*wire.Second)
	if r.IntN(2) == 0 {
		by = -by
	}
	schedule(at(0, 120*wire.Second), sim.ClockJump{Node: pick(), By: by})
	schedule(at(0, 120*wire.Second), sim.ClockDrift{Node: pick(), DriftPPM: int64(r.IntN(2001)) - 1000})

	n, t0 = pick(), at(0, 90*wire.Second)
	schedule(t0, sim.Slow{Node: n, Extra: span(1, 500)})
	schedule(t0.Add(span(wire.Second, 10*wire.Second)), sim.Slow{Node: n})

	t0 = at(0, 90*wire.Second)
	schedule(t0, sim.SetLinks{From: []wire.NodeID{pick()}, Config: sim.LinkConfig{DelayMin: 5, DelayMean: 50, DelayMax: 500, Loss: sim.Percent(20)}})
	schedule(t0.Add(span(wire.Second, 10*wire.Second)), sim.ResetLinks{})

	// A running node killed and started again at once (kill -9 && start),
	// while slow links towards it keep messages in flight across the restart.
	n, t0 = pick(), at(0, 120*wire.Second)
	schedule(t0, sim.SetLinks{To: []wire.NodeID{n}, Config: sim.LinkConfig{DelayMin: 100, DelayMean: 200, DelayMax: 400}})
	schedule(t0.Add(wire.Second), sim.Restart{Node: n})
	schedule(t0.Add(2*wire.Second), sim.ResetLinks{})

	// Watchers persist when they see +sdown; arm one to crash then.
	n = topo.Watchers[r.IntN(len(topo.Watchers))]
	schedule(at(0, 60*wire.Second), sim.CrashAfterPersist{Node: n})
	schedule(at(120*wire.Second, 150*wire.Second), sim.Restart{Node: n})
}

// runTraffic runs the traffic workload under the rough network and the
// seed's fault schedule and returns the world.
func runTraffic(t *testing.T, seed uint64, d wire.Duration, trace *bytes.Buffer) *sim.World {
	t.Helper()
	cfg := sim.Config{Seed: seed, Network: rough}
	if trace != nil {
		cfg.Trace = trace
	}
	w, err := sim.New(cfg)
	require.NoError(t, err)
	topo, err := traffic.Build(w, 2, 3, 5000)
	require.NoError(t, err)
	scheduleFaults(t, w, topo, d)
	out := w.RunFor(d)
	require.True(t, out.OK(), "seed %d: %+v", seed, out)
	return w
}

// The determinism requirement: the same seed replays the same run
// (identical trace hash and counters) under loss, duplication, reordering
// and a seed-drawn fault schedule, and different seeds give different runs.
func TestDeterminismManySeeds(t *testing.T) {
	const seeds = 200
	d := 3 * wire.Minute
	if raceEnabled {
		d = 40 * wire.Second // the race detector is ~10x slower; 200 seeds still run twice
	}
	seen := map[string]uint64{}
	for seed := range uint64(seeds) {
		w1 := runTraffic(t, seed, d, nil)
		w2 := runTraffic(t, seed, d, nil)
		h := w1.Trace().Hash()
		require.Equal(t, h, w2.Trace().Hash(), "seed %d replayed differently", seed)
		require.Equal(t, w1.Stats(), w2.Stats(), "seed %d", seed)
		require.Equal(t, w1.Trace().Lines(), w2.Trace().Lines(), "seed %d", seed)
		if other, dup := seen[h]; dup {
			t.Fatalf("seeds %d and %d gave the same trace %s", other, seed, h)
		}
		seen[h] = seed
	}
	require.Len(t, seen, seeds)
}

// The runs above really exercise the faults: over some seeds the traces
// contain every kind of line the fault schedule should cause.
func TestDeterminismWorkloadCoversFaults(t *testing.T) {
	want := []string{" send ", " recv ", " dup ", " held ", " persist ", " event ", " boot ", " flap down ", " flap up ",
		" drop ", " loss ", " partition ", " restarted", " sender-crashed ", "crashed-after-persist", "fault clock-jump", "fault clock-drift",
		"fault slow", "fault set-links", "fault pause", "fault resume", "fault restart", "+sdown", "+tilt"}
	found := map[string]bool{}
	const seeds = 40
	for seed := range uint64(seeds) {
		var buf bytes.Buffer
		w := runTraffic(t, seed, 3*wire.Minute, &buf)
		require.NoError(t, w.Trace().Flush())
		s := buf.String()
		for _, k := range want {
			if strings.Contains(s, k) {
				found[k] = true
			}
		}
	}
	for _, k := range want {
		require.True(t, found[k], "no %q line in %d seeds", k, seeds)
	}
}

// The trace written to Config.Trace is exactly what Trace().Hash() hashes,
// line for line (Lines counts them).
func TestTraceWriterMatchesHash(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		var buf bytes.Buffer
		w := runTraffic(t, seed, 2*wire.Minute, &buf)
		require.NoError(t, w.Trace().Flush())
		sum := sha256.Sum256(buf.Bytes())
		require.Equal(t, hex.EncodeToString(sum[:]), w.Trace().Hash())
		require.Equal(t, uint64(bytes.Count(buf.Bytes(), []byte("\n"))), w.Trace().Lines())
		require.Greater(t, buf.Len(), 100_000)

		// A run without a writer hashes the same.
		require.Equal(t, w.Trace().Hash(), runTraffic(t, seed, 2*wire.Minute, nil).Trace().Hash())
	}
}

// Named streams depend only on the seed and the name: the same name gives
// the same numbers, other names and seeds different ones, and drawing from
// one stream does not move another.
func TestStreamsIndependentByName(t *testing.T) {
	draw := func(s sim.Streams, name string, n int) []uint64 {
		r := s.Stream(name)
		out := make([]uint64, n)
		for i := range out {
			out[i] = r.Uint64()
		}
		return out
	}
	s := sim.NewStreams(42)
	require.Equal(t, uint64(42), s.Seed())
	x := draw(s, "x", 100)
	require.Equal(t, x, draw(s, "x", 100))
	require.Equal(t, x, draw(sim.NewStreams(42), "x", 100))
	require.NotEqual(t, x, draw(s, "y", 100))
	require.NotEqual(t, x, draw(s, "x ", 100))
	require.NotEqual(t, x, draw(sim.NewStreams(43), "x", 100))

	// Interleaving draws from other streams does not change x's numbers.
	rx, ry, rz := s.Stream("x"), s.Stream("y"), s.Stream("node/x")
	for i := range x {
		ry.Uint64()
		rz.IntN(7)
		require.Equal(t, x[i], rx.Uint64())
	}
}

// Adding an unrelated node (an idle process that never sends, added first so
// every other node's id shifts) changes no other consumer's numbers: the
// nodes' ctx.Rand(), the links' delays and losses, and World.Stream all draw
// the same, so the rest of the trace is identical.
func TestUnrelatedNodeDoesNotPerturbStreams(t *testing.T) {
	const seed = 7
	run := func(idle bool) (lines []string, draws map[string][]int64, faults []int64) {
		var buf bytes.Buffer
		w, err := sim.New(sim.Config{Seed: seed, Network: rough, Trace: &buf})
		require.NoError(t, err)
		if idle {
			_, err := w.AddNode(sim.NodeSpec{Name: "idle", Start: func() sim.Process { return &funcs{} }})
			require.NoError(t, err)
		}
		draws = map[string][]int64{}
		for _, pair := range [][2]string{{"a", "b"}, {"b", "a"}} {
			name, peer := pair[0], pair[1]
			_, err := w.AddNode(sim.NodeSpec{Name: name, Start: func() sim.Process {
				return &funcs{
					boot: func(ctx wire.Env, _ []byte) { ctx.After(10, 0) },
					fire: func(ctx wire.Env, _ uint64) {
						v := ctx.Rand().Int64N(1000)
						draws[name] = append(draws[name], v)
						to, _ := w.Lookup(peer)
						ctx.Send(to, text(name+"-"+wire.Duration(v).String()))
						ctx.After(wire.Duration(1+v%20), 0)
					},
				}
			}})
			require.NoError(t, err)
		}
		r := w.Stream("faults")
		for range 10 {
			faults = append(faults, r.Int64())
		}
		require.True(t, w.RunFor(10*wire.Second).OK())
		require.NoError(t, w.Trace().Flush())
		for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			if l != "0 boot idle" {
				lines = append(lines, l)
			}
		}
		return lines, draws, faults
	}
	lines1, draws1, faults1 := run(false)
	lines2, draws2, faults2 := run(true)
	require.Equal(t, faults1, faults2)
	require.Equal(t, draws1, draws2)
	require.Greater(t, len(lines1), 1000)
	require.Equal(t, lines1, lines2)
	require.Contains(t, strings.Join(lines1, "\n"), " loss ", "the links' random choices are not exercised")

	// The nodes draw from their "node/<name>" stream.
	r := sim.NewStreams(seed).Stream("node/a")
	for i, v := range draws1["a"] {
		require.Equal(t, r.Int64N(1000), v, "draw %d", i)
	}
}
