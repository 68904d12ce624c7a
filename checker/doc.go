// Package checker judges recorded runs: Sentinel's safety and liveness
// promises, stability, and what clients saw (porcupine linearizability). It
// works on recorded data only, so saved runs can be re-checked.
//
// Status: not written yet (issue 6). Until it lands, a run's verdict covers
// only what the simulator itself can tell: whether the run stayed within its
// bounds and no process crashed.
package checker
