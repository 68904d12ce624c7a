// Package history records what simulated clients did, as the linearizability
// checker (porcupine) and the reports need it: one Op per command a client
// tried, with the true simulated times of its call and return and an outcome
// that is ok, fail or unknown (DESIGN.md, "Client outcomes are ok, fail or
// unknown").
//
// Clients report through the Recorder interface; Log is the in-memory
// Recorder a harness gives them. The Log stamps Call and Return from a clock
// the harness supplies (the simulator's true time, never a node's drifting
// clock), so a client cannot misreport when something happened. It is
// bounded: past its maximum it stops recording and says so (Overflowed, Err)
// instead of growing.
//
// A history saves to JSON and loads back unchanged (Encode, Decode), so a
// saved run can be re-checked without re-running it. Values are written in a
// readable form: a bulk string is a JSON string, an integer a JSON number,
// nil is null, an array a JSON array, and status and error replies are
// {"status":"OK"} and {"error":"READONLY ..."}.
//
// The package is a leaf: it imports only the standard library and
// internal/wire.
package history
