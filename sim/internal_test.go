package sim

import (
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// pop removes and returns the earliest event (take and release, as the
// loop does around dispatch); the queue must not be empty.
func (q *queue) pop() event {
	slot := q.take()
	top := q.slots[slot]
	q.release(slot)
	return top
}

// Pushing events with random times (many ties) and popping them all yields
// strictly increasing (at, seq): time order, and events due at the same time
// in the order they were pushed. Every event comes out exactly once.
func TestQueuePopsInTimeThenPushOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ats := rapid.SliceOf(rapid.Int64Range(0, 20)).Draw(t, "ats")
		var q queue
		for i, at := range ats {
			q.push(event{at: wire.Time(at), seq: uint64(i + 1), ref: uint64(i)})
		}
		require.Equal(t, len(ats), q.len())
		seen := make([]bool, len(ats))
		var prev *event
		for q.len() > 0 {
			e := q.pop()
			require.Equal(t, wire.Time(ats[e.ref]), e.at, "event %d changed time", e.ref)
			require.False(t, seen[e.ref], "event %d popped twice", e.ref)
			seen[e.ref] = true
			if prev != nil {
				require.True(t, prev.at < e.at || prev.at == e.at && prev.seq < e.seq,
					"(%d,%d) popped after (%d,%d)", e.at, e.seq, prev.at, prev.seq)
			}
			prev = &e
		}
		require.NotContains(t, seen, false)
	})
}

// With pushes and pops interleaved (as the event loop does), every pop
// returns the earliest (at, seq) of the events still queued, and peek agrees.
func TestQueueInterleavedMatchesModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var q queue
		var model []event // unordered
		seq := uint64(0)
		n := rapid.IntRange(1, 300).Draw(t, "ops")
		for range n {
			if len(model) == 0 || rapid.IntRange(0, 2).Draw(t, "op") > 0 {
				seq++
				e := event{at: wire.Time(rapid.Int64Range(0, 30).Draw(t, "at")), seq: seq}
				q.push(e)
				model = append(model, e)
				continue
			}
			best := 0
			for i := range model {
				if model[i].before(&model[best]) {
					best = i
				}
			}
			require.Equal(t, model[best].seq, q.peek().seq)
			got := q.pop()
			require.Equal(t, model[best].at, got.at)
			require.Equal(t, model[best].seq, got.seq)
			model = append(model[:best], model[best+1:]...)
			require.Equal(t, len(model), q.len())
		}
	})
}

// The same with times spread over several turns of the timing wheel (the
// heap beyond it, buckets reused round the wheel), times before the last
// one taken, and seqs not always increasing (like the boot's 0): every
// take still returns the earliest (at, seq), and fix after re-timing
// keeps the order.
func TestQueueWheelMatchesModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var q queue
		var model []event
		seq := uint64(1000)
		now := wire.Time(0)
		n := rapid.IntRange(1, 400).Draw(t, "ops")
		for range n {
			switch op := rapid.IntRange(0, 9).Draw(t, "op"); {
			case len(model) == 0 || op < 5:
				seq++
				s := seq
				if rapid.IntRange(0, 20).Draw(t, "oldseq") == 0 {
					s = uint64(rapid.IntRange(0, 999).Draw(t, "seq")) // unique below every pushed seq
					for _, m := range model {
						if m.seq == s {
							s = seq
						}
					}
				}
				at := now + wire.Time(rapid.Int64Range(-50, 3*wheelSize).Draw(t, "ahead"))
				e := event{at: at, seq: s}
				q.push(e)
				model = append(model, e)
			case op == 9:
				// Re-time some events, as a clock drift change does.
				shift := wire.Time(rapid.Int64Range(0, 2*wheelSize).Draw(t, "shift"))
				q.each(func(e *event) {
					if e.seq%3 == 0 {
						e.at = now + shift
					}
				})
				for i := range model {
					if model[i].seq%3 == 0 {
						model[i].at = now + shift
					}
				}
				q.fix()
			default:
				best := 0
				for i := range model {
					if model[i].before(&model[best]) {
						best = i
					}
				}
				require.Equal(t, model[best].at, q.peek().at)
				got := q.pop()
				require.Equal(t, model[best].at, got.at)
				require.Equal(t, model[best].seq, got.seq)
				now = max(now, got.at)
				model = append(model[:best], model[best+1:]...)
			}
			require.Equal(t, len(model), q.len())
		}
	})
}

// clock.span rounds up: a timer of d on the node's monotonic clock, fired
// span(d) of simulated time later, sees the monotonic clock advanced by at
// least d, and one simulated millisecond earlier it had not passed d yet
// (so it fires at most 1 ms late by the node's reckoning). Durations stay
// where the int64 arithmetic of mono and span fits (|elapsed * drift| <
// 2^63): at -999,999 ppm a 10^6 ms timer already spans 10^12 ms.
func TestClockSpanNeverEarly(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		drift := rapid.Int64Range(1-ppm, 4*ppm).Draw(t, "drift")
		c := newClock(ClockSpec{})
		base := wire.Time(rapid.Int64Range(0, 1_000_000).Draw(t, "base"))
		c.setDrift(base, drift)
		t0 := base.Add(wire.Duration(rapid.Int64Range(0, 10_000_000).Draw(t, "t0")))
		d := wire.Duration(rapid.Int64Range(0, 1_000_000).Draw(t, "d"))
		s := c.span(d)
		require.GreaterOrEqual(t, int64(s), int64(0))
		require.GreaterOrEqual(t, c.mono(t0.Add(s)).Sub(c.mono(t0)), d, "fired early")
		if s > 0 {
			require.LessOrEqual(t, c.mono(t0.Add(s-1)).Sub(c.mono(t0)), d, "fired more than 1 ms late")
		}
	})
}

// The monotonic clock never goes backwards, whatever the drift and however
// often it changes, and wall = mono + offset.
func TestClockMonotonic(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := newClock(ClockSpec{Offset: wire.Duration(rapid.Int64Range(-1e9, 1e9).Draw(t, "offset"))})
		now := wire.Time(0)
		prev := c.mono(now)
		for range rapid.IntRange(1, 50).Draw(t, "steps") {
			if rapid.Bool().Draw(t, "change") {
				c.setDrift(now, rapid.Int64Range(1-ppm, 4*ppm).Draw(t, "drift"))
				require.Equal(t, prev, c.mono(now), "a rate change stepped the clock")
			}
			now = now.Add(wire.Duration(rapid.Int64Range(0, 100_000).Draw(t, "dt")))
			m := c.mono(now)
			require.GreaterOrEqual(t, m, prev)
			require.Equal(t, m.Add(c.offset), c.wall(now))
			prev = m
		}
	})
}

// drawDelay stays within [min, max], draws on both sides of the mean (or
// is constant when the mean sits on a bound, the only distribution with
// that mean), and its sample mean is DelayMean: the two-piece uniform
// distribution's mean is exact.
func TestDrawDelayBoundsAndMean(t *testing.T) {
	for _, cfg := range []LinkConfig{
		LAN,
		{DelayMin: 0, DelayMean: 3, DelayMax: 40},
		{DelayMin: 10, DelayMean: 20, DelayMax: 100},
		{DelayMin: 3, DelayMean: 50, DelayMax: 60},
		{DelayMin: 1, DelayMean: 2, DelayMax: 100},
		{DelayMin: 7, DelayMean: 7, DelayMax: 7},
		{DelayMin: 5, DelayMean: 5, DelayMax: 9},
		{DelayMin: 5, DelayMean: 9, DelayMax: 9},
	} {
		t.Run(cfg.String(), func(t *testing.T) {
			require.NoError(t, cfg.Validate())
			rng := linkRand{NewStreams(1).pcg("delay")}
			const n = 200_000
			var sum int64
			lo, hi := cfg.DelayMax, cfg.DelayMin
			for range n {
				d := cfg.drawDelay(rng)
				if d < cfg.DelayMin || d > cfg.DelayMax {
					t.Fatalf("delay %d outside [%d,%d]", d, cfg.DelayMin, cfg.DelayMax)
				}
				sum += int64(d)
				lo, hi = min(lo, d), max(hi, d)
			}
			switch {
			case cfg.DelayMean == cfg.DelayMin:
				require.Equal(t, [2]wire.Duration{cfg.DelayMin, cfg.DelayMin}, [2]wire.Duration{lo, hi})
			case cfg.DelayMean == cfg.DelayMax:
				require.Equal(t, [2]wire.Duration{cfg.DelayMax, cfg.DelayMax}, [2]wire.Duration{lo, hi})
			default:
				require.Equal(t, cfg.DelayMin, lo)
				require.Greater(t, hi, cfg.DelayMean)
			}
			// |mean - DelayMean| <= 3% of DelayMean (and at least 0.02 ms), in integers:
			// |sum - n*mean| * 100 <= 3 * n * mean.
			want := int64(n) * int64(cfg.DelayMean)
			diff := sum - want
			if diff < 0 {
				diff = -diff
			}
			require.LessOrEqual(t, diff*100, max(3*want, 2*n), "sample mean %d/%d, want %d", sum, n, cfg.DelayMean)
		})
	}
}

// Ratio.Draw is exact at the certain ends, consumes nothing from the stream
// when the outcome is certain, and hits about Num/Den otherwise.
func TestRatioDraw(t *testing.T) {
	a, b := NewStreams(3).Stream("r"), NewStreams(3).Stream("r")
	for range 100 {
		require.False(t, Never.Draw(a))
		require.False(t, Ratio{}.Draw(a))
		require.True(t, Always.Draw(a))
		require.True(t, Ratio{Num: 5, Den: 5}.Draw(a))
	}
	require.Equal(t, b.Uint64(), a.Uint64(), "a certain draw consumed randomness")
	hits := 0
	for range 100_000 {
		if Percent(30).Draw(a) {
			hits++
		}
	}
	require.InDelta(t, 30_000, hits, 1_000)
	require.Error(t, Ratio{Num: 2, Den: 1}.Validate())
	require.Error(t, Ratio{Num: 1, Den: 0}.Validate())
	require.NoError(t, Ratio{}.Validate())
}

// mono is exact over the whole range where its result fits in an int64:
// base + elapsed + trunc(elapsed*drift/ppm), computed here with math/big,
// for any drift the simulator accepts (negative ones included) and elapsed
// times up to the largest that keep the reading representable.
func TestClockMonoExactOverFullRange(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		drift := rapid.Int64Range(1-ppm, 100*ppm).Draw(t, "drift")
		// The largest elapsed time whose reading fits: d*(ppm+drift)/ppm <= MaxInt64.
		limit := new(big.Int).Mul(big.NewInt(math.MaxInt64), big.NewInt(ppm))
		limit.Quo(limit, big.NewInt(ppm+drift))
		if !limit.IsInt64() {
			limit.SetInt64(math.MaxInt64)
		}
		var d int64
		switch rapid.IntRange(0, 2).Draw(t, "scale") {
		case 0:
			d = rapid.Int64Range(0, min(limit.Int64(), 10*ppm)).Draw(t, "small")
		case 1:
			d = limit.Int64() - rapid.Int64Range(0, min(limit.Int64(), 10*ppm)).Draw(t, "near-limit")
		default:
			d = rapid.Int64Range(0, limit.Int64()).Draw(t, "any")
		}
		c := newClock(ClockSpec{DriftPPM: drift})
		want := new(big.Int).Mul(big.NewInt(d), big.NewInt(drift))
		want.Quo(want, big.NewInt(ppm)) // truncates towards zero, like Go's /
		want.Add(want, big.NewInt(d))
		require.True(t, want.IsInt64(), "reference out of range: d=%d drift=%d", d, drift)
		require.Equal(t, want.Int64(), int64(c.mono(wire.Time(d))), "d=%d drift=%d", d, drift)
	})
}

// A link's stream draws exactly what a *rand.Rand over the same generator
// draws: the same numbers for every bound (powers of two, bounds that
// reject, the largest), the same ratios, from the same named stream.
func TestLinkRandDrawsAsRand(t *testing.T) {
	for seed := range uint64(20) {
		streams := NewStreams(seed)
		want, got := streams.Stream("link/a>b"), linkRand{streams.pcg("link/a>b")}
		for i := range 20_000 {
			var n int64
			switch i % 5 {
			case 0:
				n = 1 << (i % 63)
			case 1:
				n = math.MaxInt64 - int64(i)
			case 2:
				n = 1<<62 + 1 + int64(i) // rejects often
			default:
				n = 1 + int64(i%2000)
			}
			if w, g := want.Int64N(n), got.int64N(n); w != g {
				t.Fatalf("seed %d, draw %d: Int64N(%d) = %d, link stream %d", seed, i, n, w, g)
			}
			r := Ratio{Num: uint32(1 + i%999), Den: uint32(1000 + i%7)}
			if w, g := r.Draw(want), got.draw(r); w != g {
				t.Fatalf("seed %d, draw %d: %v.Draw = %v, link stream %v", seed, i, r, w, g)
			}
		}
	}
	// Certain outcomes need no generator.
	var none linkRand
	require.False(t, none.draw(Never))
	require.True(t, none.draw(Always))
	require.False(t, none.draw(Ratio{}))
}
