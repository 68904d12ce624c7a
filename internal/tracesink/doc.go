// Package tracesink formats, hashes and writes the simulator's canonical
// trace off the simulation's goroutine.
//
// The world (package sim) stays single-threaded: it only notes the parts of
// each trace line (strings, numbers and payloads, none of which changes
// once recorded) and hands them over a batch at a time. A Sink formats each
// batch on a goroutine of its own and hashes and writes the batches strictly
// in the order they were submitted, so the bytes and the SHA-256 are the
// same whatever the scheduling, and the trace costs the simulation little
// on a machine with a core to spare. Nothing here reads or decides anything
// in the world.
package tracesink
