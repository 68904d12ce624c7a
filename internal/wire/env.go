package wire

import "math/rand/v2"

// Env is a process's window on the simulated world during one call: its own
// clocks and random stream, and the ways it can act. The simulator (package
// sim) provides it; processes (Redis nodes, clients, sentinels) use only
// this, so they never import the simulator.
//
// An Env is valid only during the call it was passed to.
type Env interface {
	// Self returns the id of the process's node.
	Self() NodeID
	// Name returns the name of any node.
	Name(id NodeID) string
	// Now returns the node's wall clock: what mstime() returns on its host.
	Now() Time
	// Mono returns the node's monotonic clock, which drifts but never jumps.
	Mono() Time
	// Rand returns the node's own random stream, derived from the run seed.
	Rand() *rand.Rand
	// Send queues a message; it leaves when the call returns, after the
	// state given to Persist is saved.
	Send(to NodeID, p Payload)
	// After asks for a Fire(tag) once d has passed on the monotonic clock.
	After(d Duration, tag uint64)
	// Persist saves state as what survives a crash.
	Persist(state []byte)
	// Emit records a process event in the trace.
	Emit(event string)
}

// LazyPersister is implemented by Envs that can take the state to persist
// as a function that makes it, for state that is costly to put together
// and seldom read (a sentinel rewrites its whole configuration file at
// every discovery). The simulator calls render only when the bytes are
// needed (a restart, the trace's digest), perhaps more than once and on
// other goroutines at the same time: render must append the same bytes to
// dst every time and read nothing the process changes afterwards. (The
// trace's digest renders into spare room of its own buffer: no allocation
// for bytes it only hashes. A panic in render is the trace's error when
// the trace calls it, the process's when a restart does.)
type LazyPersister interface {
	PersistFunc(render func(dst []byte) []byte)
}

// Fact is a structured record of a decision a process made, for checkers
// (package internal/facts has the sentinel's). Fact returns its trace text.
type Fact interface{ Fact() string }

// Recorder is implemented by Envs that keep facts: the simulator traces
// them and hands them to its observer. A process records a fact only when
// its Env is a Recorder; recording never changes what the process does.
type Recorder interface{ Record(f Fact) }
