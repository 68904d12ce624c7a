package sim_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sim"
)

// every returns a process that re-arms a timer every d ms forever.
func every(d wire.Duration) func() sim.Process {
	return func() sim.Process {
		return &funcs{
			boot: func(ctx wire.Env, _ []byte) { ctx.After(d, 0) },
			fire: func(ctx wire.Env, _ uint64) { ctx.After(d, 0) },
		}
	}
}

func newWorld(t *testing.T, cfg sim.Config, nodes ...sim.NodeSpec) *cluster {
	t.Helper()
	c := newCluster(t, cfg)
	for _, n := range nodes {
		id, err := c.w.AddNode(n)
		require.NoError(t, err)
		c.ids[n.Name] = id
	}
	return c
}

// requireStaysStopped checks that a stopped world returns the same outcome
// again, without running anything or writing to the trace.
func requireStaysStopped(t *testing.T, c *cluster, want sim.Outcome) {
	t.Helper()
	stats, lines, hash, now := c.w.Stats(), c.w.Trace().Lines(), c.w.Trace().Hash(), c.w.Now()
	require.Equal(t, want, c.w.RunFor(wire.Hour))
	require.Equal(t, want, c.w.RunUntil(now))
	require.Equal(t, stats, c.w.Stats())
	require.Equal(t, lines, c.w.Trace().Lines())
	require.Equal(t, hash, c.w.Trace().Hash())
	require.Equal(t, now, c.w.Now())
}

// lastLine returns the last line of the trace.
func lastLine(c *cluster) string {
	l := c.lines()
	return l[len(l)-1].raw
}

// MaxEvents bounds the events processed: the run stops with MaxEventsHit
// after exactly that many, records why in the trace, and stays stopped.
func TestMaxEventsHit(t *testing.T) {
	c := newWorld(t, sim.Config{Seed: 1, Bounds: sim.Bounds{MaxEvents: 100}}, sim.NodeSpec{Name: "a", Start: every(10)})
	out := c.w.RunFor(wire.Hour)
	require.Equal(t, sim.MaxEventsHit, out.Stop)
	require.False(t, out.OK())
	require.Equal(t, uint64(100), c.w.Stats().Events)
	// One boot, then timers at 10, 20, ... 990.
	require.Equal(t, wire.Time(990), out.At)
	require.Equal(t, out.At, c.w.Now())
	require.Equal(t, "more than 100 events", out.Detail)
	require.Equal(t, "990 stop max-events more than 100 events", lastLine(c))
	require.Equal(t, "max-events", out.Stop.String())
	requireStaysStopped(t, c, out)
}

// A livelock at one instant (two processes answering each other over a
// zero-delay network, so simulated time never advances) is stopped by
// MaxEvents instead of hanging.
func TestZeroTimeLivelockHitsMaxEvents(t *testing.T) {
	echo := func(peer wire.NodeID, first bool) func() sim.Process {
		return func() sim.Process {
			return &funcs{
				boot: func(ctx wire.Env, _ []byte) {
					if first {
						ctx.Send(peer, text("ping"))
					}
				},
				recv: func(ctx wire.Env, m wire.Message) { ctx.Send(m.From, m.Payload) },
			}
		}
	}
	c := newWorld(t, sim.Config{Seed: 2, Bounds: sim.Bounds{MaxEvents: 10_000}},
		sim.NodeSpec{Name: "a", Start: echo(1, false)},
		sim.NodeSpec{Name: "b", Start: echo(0, true)}) // b boots last: see TestBootMessagesReachPeersBootingTogether
	out := c.w.RunUntil(wire.Time(wire.Hour))
	require.Equal(t, sim.MaxEventsHit, out.Stop)
	require.Equal(t, wire.Time(0), out.At)
	require.Equal(t, wire.Time(0), c.w.Now())
	require.Greater(t, c.w.Stats().Delivered, uint64(9000))
	requireStaysStopped(t, c, out)
}

// A message storm (every message received is answered with two) stops the
// run with MaxInFlightHit when the network holds MaxInFlight messages.
func TestMessageStormHitsMaxInFlight(t *testing.T) {
	storm := func(peer wire.NodeID, first bool) func() sim.Process {
		return func() sim.Process {
			return &funcs{
				boot: func(ctx wire.Env, _ []byte) {
					if first {
						ctx.Send(peer, text("x"))
					}
				},
				recv: func(ctx wire.Env, m wire.Message) {
					ctx.Send(m.From, m.Payload)
					ctx.Send(m.From, m.Payload)
				},
			}
		}
	}
	c := newWorld(t, sim.Config{Seed: 3, Network: fixed(1), Bounds: sim.Bounds{MaxInFlight: 1000}},
		sim.NodeSpec{Name: "a", Start: storm(1, false)},
		sim.NodeSpec{Name: "b", Start: storm(0, true)})
	out := c.w.RunFor(wire.Hour)
	require.Equal(t, sim.MaxInFlightHit, out.Stop)
	require.Equal(t, "more than 1000 messages in flight", out.Detail)
	require.Equal(t, 1000, c.w.Stats().InFlight)
	// Generation k is in flight at time k+1 with 2^k messages: 2^10 > 1000.
	require.Equal(t, wire.Time(10), out.At)
	require.Less(t, c.w.Stats().Events, uint64(2000))
	require.Contains(t, lastLine(c), "stop max-in-flight")
	requireStaysStopped(t, c, out)
}

// RunUntil up to MaxTime is a normal end; asking for more runs everything
// up to MaxTime, stops the clock there and reports MaxTimeHit.
func TestRunUntilBeyondMaxTime(t *testing.T) {
	var fires []wire.Time
	var w *sim.World
	start := func() sim.Process {
		return &funcs{
			boot: func(ctx wire.Env, _ []byte) { ctx.After(100, 0) },
			fire: func(ctx wire.Env, _ uint64) { fires = append(fires, w.Now()); ctx.After(100, 0) },
		}
	}
	c := newWorld(t, sim.Config{Seed: 4, Bounds: sim.Bounds{MaxTime: 10_000}}, sim.NodeSpec{Name: "a", Start: start})
	w = c.w
	require.Equal(t, sim.Outcome{Stop: sim.Reached, At: 10_000}, c.w.RunUntil(10_000))
	require.Len(t, fires, 100)

	out := c.w.RunUntil(20_000)
	require.Equal(t, sim.MaxTimeHit, out.Stop)
	require.Equal(t, wire.Time(10_000), out.At)
	require.Equal(t, wire.Time(10_000), c.w.Now())
	require.Len(t, fires, 100, "nothing may run past MaxTime")
	require.Equal(t, "simulated time would pass 10000 ms", out.Detail)
	requireStaysStopped(t, c, out)

	// In one go, from a fresh world.
	fires = nil
	c = newWorld(t, sim.Config{Seed: 4, Bounds: sim.Bounds{MaxTime: 10_000}}, sim.NodeSpec{Name: "a", Start: start})
	w = c.w
	out = c.w.RunFor(wire.Hour)
	require.Equal(t, sim.MaxTimeHit, out.Stop)
	require.Equal(t, wire.Time(10_000), out.At)
	require.Len(t, fires, 100)
	require.Equal(t, wire.Time(10_000), fires[99])
}

// A panic in any handler of a process stops the run with ProcessPanic,
// naming the node and the panic value, at the time it happened.
func TestProcessPanic(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   wire.Time
		proc func() sim.Process
	}{
		{"boot", 0, func() sim.Process {
			return &funcs{boot: func(wire.Env, []byte) { panic("boom") }}
		}},
		{"fire", 500, func() sim.Process {
			return &funcs{
				boot: func(ctx wire.Env, _ []byte) { ctx.After(500, 0) },
				fire: func(wire.Env, uint64) { panic("boom") },
			}
		}},
		{"receive", 300, func() sim.Process {
			return &funcs{recv: func(wire.Env, wire.Message) { panic("boom") }}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			poke := func() sim.Process {
				return &funcs{
					boot: func(ctx wire.Env, _ []byte) { ctx.After(300, 0) },
					fire: func(ctx wire.Env, _ uint64) { ctx.Send(1, text("poke")) },
				}
			}
			c := newWorld(t, sim.Config{Seed: 5},
				sim.NodeSpec{Name: "poker", Start: poke},
				sim.NodeSpec{Name: "bomb", Start: tc.proc})
			out := c.w.RunFor(wire.Hour)
			require.Equal(t, sim.ProcessPanic, out.Stop)
			require.Equal(t, tc.at, out.At)
			require.Equal(t, "process bomb panicked: boom", out.Detail)
			require.Equal(t, "panic", out.Stop.String())
			require.Contains(t, lastLine(c), "stop panic process bomb panicked: boom")
			requireStaysStopped(t, c, out)
		})
	}
}

// A panic in a scheduled callback stops the run with ProcessPanic too.
func TestCallbackPanic(t *testing.T) {
	c := newWorld(t, sim.Config{Seed: 6}, sim.NodeSpec{Name: "a", Start: every(10)})
	c.w.At(250, func(*sim.World) { panic("scenario bug") })
	out := c.w.RunFor(wire.Hour)
	require.Equal(t, sim.ProcessPanic, out.Stop)
	require.Equal(t, wire.Time(250), out.At)
	require.Equal(t, "callback panicked: scenario bug", out.Detail)
	requireStaysStopped(t, c, out)
}

// A node whose factory (NodeSpec.Start) panics, at the first boot or at a
// restart, is a panicking process: the outcome should name the node.
func TestStartPanicNamesNode(t *testing.T) {
	for _, restart := range []bool{false, true} {
		boots := 0
		c := newWorld(t, sim.Config{Seed: 7}, sim.NodeSpec{Name: "fragile", Start: func() sim.Process {
			boots++
			if !restart || boots > 1 {
				panic("cannot start")
			}
			return &funcs{}
		}})
		c.w.Schedule(100, sim.Restart{Node: 0})
		out := c.w.RunFor(wire.Hour)
		require.Equal(t, sim.ProcessPanic, out.Stop)
		require.Contains(t, out.Detail, "fragile", "restart=%v", restart)
	}
}

// A timer far in the future (After(math.MaxInt64) as "never") must not
// fire during the run, and simulated time must never go backwards.
func TestHugeTimerNeverFiresNorRewindsTime(t *testing.T) {
	for _, drift := range []int64{0, 100} {
		var w *sim.World
		var fired []wire.Time
		c := newWorld(t, sim.Config{Seed: 8}, sim.NodeSpec{Name: "a", Clock: sim.ClockSpec{DriftPPM: drift}, Start: func() sim.Process {
			return &funcs{
				boot: func(ctx wire.Env, _ []byte) { ctx.After(100, 1) },
				fire: func(ctx wire.Env, tag uint64) {
					fired = append(fired, w.Now())
					if tag == 1 {
						ctx.After(math.MaxInt64, 2)
						ctx.After(100, 3)
					}
				},
			}
		}})
		w = c.w
		require.True(t, c.w.RunFor(1000).OK())
		require.Equal(t, []wire.Time{100, 200}, fired, "drift %d", drift)
		for _, l := range c.lines() {
			require.GreaterOrEqual(t, l.at, wire.Time(0), "drift %d: %q", drift, l.raw)
		}
	}
}

// requireOneStopLast checks that the trace has exactly one stop line and
// that it is the last line, and that the message whose send hit
// Bounds.MaxInFlight is dropped as "bound" just before it.
func requireOneStopLast(t *testing.T, c *cluster, out sim.Outcome) []line {
	t.Helper()
	lines := c.lines()
	require.Len(t, grep(lines, "stop"), 1, "a stopped world must write one stop line")
	require.Equal(t, "stop", lines[len(lines)-1].verb, "nothing may happen after the stop line")
	if out.Stop == sim.MaxInFlightHit {
		last := lines[len(lines)-2]
		require.Equal(t, "drop", last.verb, "the message that hit the bound: %q", last.raw)
		require.Equal(t, "bound", last.rest[2], "the message that hit the bound: %q", last.raw)
		send := lines[len(lines)-3]
		require.Equal(t, "send", send.verb)
		require.Equal(t, last.rest[0], send.rest[0], "the dropped message is the one just sent")
	}
	st := c.w.Stats()
	require.Equal(t, st.Sent+st.Duplicated, st.Delivered+st.Dropped+uint64(st.InFlight), "stats: %+v", st)
	return lines
}

// A bound hit while a resumed node handles what it held stops the run
// there: the rest of the held messages are not handled, and the trace has
// one stop line, last.
func TestBoundHitDuringResumeStopsTheLoop(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 43, Network: fixed(100), Bounds: sim.Bounds{MaxInFlight: 50}})
	_, err := c.w.AddNode(sim.NodeSpec{Name: "a", Start: func() sim.Process {
		n := 0
		return &funcs{
			boot: func(ctx wire.Env, _ []byte) { ctx.After(10, 0) },
			fire: func(ctx wire.Env, _ uint64) {
				ctx.Send(1, text("m"))
				if n++; n < 40 {
					ctx.After(1, 0)
				}
			},
		}
	}})
	require.NoError(t, err)
	_, err = c.w.AddNode(sim.NodeSpec{Name: "b", Start: func() sim.Process {
		return &funcs{recv: func(ctx wire.Env, m wire.Message) {
			ctx.Send(m.From, text("r1"))
			ctx.Send(m.From, text("r2"))
		}}
	}})
	require.NoError(t, err)
	require.NoError(t, c.w.Schedule(5, sim.Pause{Node: 1}))
	require.NoError(t, c.w.Schedule(500, sim.Resume{Node: 1}))
	out := c.w.RunFor(wire.Second)
	require.Equal(t, sim.MaxInFlightHit, out.Stop)
	require.Equal(t, wire.Time(500), out.At)
	requireOneStopLast(t, c, out)
	requireStaysStopped(t, c, out)
}

// A bound hit while the nodes boot stops the boots: the nodes after the one
// that hit it do not boot.
func TestBoundHitDuringFirstBootStopsTheBoots(t *testing.T) {
	burst := func(to wire.NodeID, n int) func() sim.Process {
		return func() sim.Process {
			return &funcs{boot: func(ctx wire.Env, _ []byte) {
				for range n {
					ctx.Send(to, text("x"))
				}
			}}
		}
	}
	c := newWorld(t, sim.Config{Seed: 44, Network: fixed(10), Bounds: sim.Bounds{MaxInFlight: 5}},
		sim.NodeSpec{Name: "a", Start: burst(1, 10)},
		sim.NodeSpec{Name: "b", Start: burst(0, 1)})
	out := c.w.RunFor(wire.Second)
	require.Equal(t, sim.MaxInFlightHit, out.Stop)
	lines := requireOneStopLast(t, c, out)
	require.Empty(t, grep(lines, "boot", "b"), "b booted after the run stopped")
	requireStaysStopped(t, c, out)
}

// A bound hit while HealAll restarts the crashed nodes stops HealAll.
func TestBoundHitDuringHealAllStopsIt(t *testing.T) {
	restartBurst := func(n int) func() sim.Process {
		return func() sim.Process {
			return &funcs{boot: func(ctx wire.Env, persisted []byte) {
				if persisted == nil {
					ctx.Persist([]byte("booted"))
					return
				}
				for range n {
					ctx.Send(2, text("x"))
				}
			}}
		}
	}
	c := newWorld(t, sim.Config{Seed: 45, Network: fixed(10), Bounds: sim.Bounds{MaxInFlight: 5}},
		sim.NodeSpec{Name: "a", Start: restartBurst(10)},
		sim.NodeSpec{Name: "b", Start: restartBurst(1)},
		sim.NodeSpec{Name: "c", Start: func() sim.Process { return &funcs{} }})
	require.NoError(t, c.w.Schedule(100, sim.Crash{Node: 0}))
	require.NoError(t, c.w.Schedule(100, sim.Crash{Node: 1}))
	require.NoError(t, c.w.Schedule(200, sim.HealAll{}))
	out := c.w.RunFor(wire.Second)
	require.Equal(t, sim.MaxInFlightHit, out.Stop)
	require.Equal(t, wire.Time(200), out.At)
	lines := requireOneStopLast(t, c, out)
	var bBoots []wire.Time
	for _, l := range lines {
		if l.verb == "boot" && l.rest[0] == "b" {
			bBoots = append(bBoots, l.at)
		}
	}
	require.Equal(t, []wire.Time{0}, bBoots, "b restarted after the run stopped")
	requireStaysStopped(t, c, out)
}

// The message whose send hits Bounds.MaxInFlight is in the trace as
// dropped ("bound") before the stop line, and the counters add up.
func TestBoundMessageIsDropped(t *testing.T) {
	c := newWorld(t, sim.Config{Seed: 46, Network: fixed(10), Bounds: sim.Bounds{MaxInFlight: 3}},
		sim.NodeSpec{Name: "a", Start: func() sim.Process {
			return &funcs{boot: func(ctx wire.Env, _ []byte) {
				for range 4 {
					ctx.Send(1, text("x"))
				}
			}}
		}},
		sim.NodeSpec{Name: "b", Start: func() sim.Process { return &funcs{} }})
	out := c.w.RunFor(wire.Second)
	require.Equal(t, sim.MaxInFlightHit, out.Stop)
	lines := requireOneStopLast(t, c, out)
	require.Equal(t, "0 drop #4 a>b bound x", lines[len(lines)-2].raw)
	st := c.w.Stats()
	require.Equal(t, uint64(4), st.Sent)
	require.Equal(t, uint64(1), st.Dropped)
	require.Equal(t, 3, st.InFlight)
}

// A paused node's held messages stay in flight until it handles them, so a
// long pause under a message storm ends with MaxInFlightHit instead of
// holding messages without bound.
func TestPauseUnderStormHitsMaxInFlight(t *testing.T) {
	c := newWorld(t, sim.Config{Seed: 47, Network: fixed(1), Bounds: sim.Bounds{MaxInFlight: 1000}},
		sim.NodeSpec{Name: "a", Start: func() sim.Process {
			return &funcs{
				boot: func(ctx wire.Env, _ []byte) { ctx.After(1, 0) },
				fire: func(ctx wire.Env, _ uint64) {
					for range 10 {
						ctx.Send(1, text("x"))
					}
					ctx.After(1, 0)
				},
			}
		}},
		sim.NodeSpec{Name: "b", Start: func() sim.Process { return &funcs{} }})
	require.NoError(t, c.w.Schedule(5, sim.Pause{Node: 1}))
	out := c.w.RunFor(10 * wire.Second)
	require.Equal(t, sim.MaxInFlightHit, out.Stop)
	require.Less(t, out.At, wire.Time(200))
	require.Equal(t, 1000, c.w.Stats().InFlight)
	requireOneStopLast(t, c, out)
}

// Context.Send to a node that does not exist is the process's bug: the run
// stops with ProcessPanic naming the process and the node id.
func TestSendToUnknownNodeNamesTheProcess(t *testing.T) {
	c := newWorld(t, sim.Config{Seed: 48},
		sim.NodeSpec{Name: "a", Start: func() sim.Process {
			return &funcs{boot: func(ctx wire.Env, _ []byte) { ctx.After(10, 0) }, fire: func(ctx wire.Env, _ uint64) { ctx.Send(7, text("x")) }}
		}})
	out := c.w.RunFor(wire.Second)
	require.Equal(t, sim.ProcessPanic, out.Stop)
	require.Equal(t, wire.Time(10), out.At)
	require.Equal(t, "process a panicked: send to unknown node 7", out.Detail)
	requireOneStopLast(t, c, out)
}

// A fault applied from outside between runs runs under the same recovery as
// RunUntil: a Boot that panics during a Restart ends the world with
// ProcessPanic instead of escaping to the caller.
func TestApplyBetweenRunsRecoversPanics(t *testing.T) {
	boots := 0
	c := newWorld(t, sim.Config{Seed: 49}, sim.NodeSpec{Name: "fragile", Start: func() sim.Process {
		boots++
		if boots > 1 {
			panic("cannot start again")
		}
		return &funcs{}
	}})
	require.True(t, c.w.RunFor(100).OK())
	var err error
	require.NotPanics(t, func() { err = c.w.Apply(sim.Restart{Node: 0}) })
	require.ErrorIs(t, err, sim.ErrStopped, "Apply reports that the world stopped")
	out := c.w.RunFor(100)
	require.Equal(t, sim.ProcessPanic, out.Stop)
	require.Equal(t, wire.Time(100), out.At)
	require.Equal(t, "process fragile panicked: cannot start again", out.Detail)
	requireOneStopLast(t, c, out)
	requireStaysStopped(t, c, out)
	// A stopped world takes no more faults.
	require.ErrorIs(t, c.w.Apply(sim.Heal{}), sim.ErrStopped)
	requireOneStopLast(t, c, out)
}
