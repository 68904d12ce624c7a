// Package sim is the deterministic simulator everything in sentinelsim runs
// on: virtual time, per-node clocks, seeded randomness, a faulty network,
// process lifecycle faults and a canonical trace. One seed replays a run
// byte for byte, far faster than real time.
//
// # The world
//
// A World holds processes (anything with the Process method set: a
// sentinel, a Redis node, a client) and one queue of everything that will
// happen, ordered by (simulated time, sequence number). The loop takes the
// earliest event, advances simulated time to it and hands it to its process;
// the process reacts through a Context (send, set a timer, persist, emit an
// event) and returns. There are no goroutines in the world, no wall clock
// and no global randomness: the same seed and the same inputs give the same
// trace. (The trace's lines are formatted and hashed on other goroutines,
// in order, from values that never change once recorded; see Trace.)
//
//	w, _ := sim.New(sim.Config{Seed: 42, Network: sim.LAN})
//	a, _ := w.AddNode(sim.NodeSpec{Name: "s1", Start: newSentinel})
//	w.Schedule(60_000, sim.Isolate{Node: a})
//	w.Schedule(95_000, sim.Heal{})
//	out := w.RunUntil(600_000)
//	fmt.Println(out.Stop, w.Trace().Hash())
//
// # Contracts
//
//   - Time is integer milliseconds. Each node reads only its own clocks: a
//     wall clock (offset, drift, jumps) that Sentinel's TILT logic watches,
//     and a monotonic clock (drift only) that its timers run on.
//   - Randomness comes from named streams derived from the root seed
//     (Streams): the network draws from one stream per directed link, each
//     flapping fault from its own (named after what flaps and when it
//     started), each node from "node/<name>". A new consumer never shifts
//     the numbers another one draws.
//   - Connections are TCP: a message that travels on one (wire.Segment) is
//     not lost to a partition or to random loss but retransmitted on
//     Linux's schedule, in order, until the connection times out (tcp.go).
//   - A crashed process leaves its host up: messages that reach it are
//     refused with a wire.Reset back to the sender (Crash with Host: silence).
//   - Persist before send: what a process passes to Context.Persist is saved
//     when its handler returns, before the messages it sent leave. A crash
//     loses everything else; a restart boots a fresh process from exactly
//     the saved bytes. CrashAfterPersist crashes a node between the two.
//   - Every fault, send, delivery, drop, persist and process event is a line
//     of the canonical trace (see Trace), hashed with SHA-256 as it is
//     written. Text from processes is escaped, so it cannot forge lines.
//   - Everything is bounded (Bounds): simulated time, events, messages in
//     flight (messages held at a paused process included). Hitting a bound,
//     or a process panicking, ends the run with an Outcome that says so and
//     one stop line, the last of the trace; it never hangs.
//
// # Faults
//
// Faults are data (Partition, OneWay, Isolate, Rejoin, Bridge, Heal, HealAll,
// Connect, FlapLink, FlapNode, SetLinks, RestoreLinks, ResetLinks, Crash,
// CrashAfterPersist, Restart, Pause, Resume, Slow, ClockJump, ClockDrift,
// RestoreClockRate), applied now with World.Apply, at a given time with
// World.Schedule, or drawn at random from a seed with RandomPlan. World.At
// runs a callback at a given time, for scenarios that pick their target when
// the fault happens ("the current master"). The nodes boot first at time 0:
// faults applied before the world starts take effect at time 0, after the
// nodes boot. Bad faults are errors (World.Check), never panics.
package sim
