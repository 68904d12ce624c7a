package sim

import "github.com/sentinelsim/sentinelsim/internal/wire"

// ppm is the denominator of drift rates: parts per million.
const ppm = 1_000_000

// ClockSpec is how one node's clock starts out.
type ClockSpec struct {
	// Offset is added to the node's wall clock: at simulated time 0 the node
	// believes it is Offset.
	Offset wire.Duration
	// DriftPPM is how fast the node's clocks run, in parts per million of
	// simulated time: +100 runs 100 µs per second fast, -100 slow. It must be
	// greater than -1,000,000.
	DriftPPM int64
}

// clock is one node's view of time. Real hosts disagree about the time: their
// wall clocks start at different offsets, run slightly fast or slow, and are
// stepped by NTP or an operator. Sentinel measures everything with the wall
// clock (mstime()), which is why clock jumps and stalls drive it into TILT
// (spec §18), while the Redis event loop schedules timers with the monotonic
// clock. Drift applies to both clocks and so to how long the node's timers
// take; jumps apply to the wall clock only. A node only ever reads its own
// clock.
//
// The clock is piecewise linear: when the drift changes, the current reading
// becomes the new base, so a change of rate never moves the clock backwards.
type clock struct {
	baseSim  wire.Time // simulated time of the last rate change
	baseMono wire.Time // monotonic reading at baseSim
	driftPPM int64
	offset   wire.Duration // wall minus monotonic; jumps accumulate here
}

func newClock(spec ClockSpec) clock {
	return clock{driftPPM: spec.DriftPPM, offset: spec.Offset}
}

// mono returns the node's monotonic clock at simulated time t >= baseSim:
// the elapsed time plus trunc(elapsed*drift/ppm). The product is split at
// ppm so that it cannot overflow while the result fits in an int64: with
// elapsed = q*ppm + r, elapsed*drift/ppm = q*drift + r*drift/ppm, and since
// q*drift and r*drift have the same sign, truncating the second term alone
// truncates the sum.
func (c *clock) mono(t wire.Time) wire.Time {
	if c.driftPPM == 0 {
		return c.baseMono + (t - c.baseSim)
	}
	d := int64(t - c.baseSim)
	return c.baseMono + wire.Time(d+(d/ppm)*c.driftPPM+(d%ppm)*c.driftPPM/ppm)
}

// wall returns the node's wall clock at simulated time t.
func (c *clock) wall(t wire.Time) wire.Time { return c.mono(t).Add(c.offset) }

// jump steps the wall clock by delta (negative steps it back).
func (c *clock) jump(delta wire.Duration) { c.offset += delta }

// setDrift changes the rate from simulated time now on.
func (c *clock) setDrift(now wire.Time, driftPPM int64) {
	c.baseMono = c.mono(now)
	c.baseSim = now
	c.driftPPM = driftPPM
}

// span converts a duration measured by the node's monotonic clock into
// simulated time, rounding up so a timer never fires early by the node's own
// reckoning.
func (c *clock) span(d wire.Duration) wire.Duration {
	if c.driftPPM == 0 || d <= 0 {
		return d
	}
	rate := ppm + c.driftPPM
	return wire.Duration((int64(d)*ppm + rate - 1) / rate)
}
