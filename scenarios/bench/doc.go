// Package bench measures how fast the simulator runs Sentinel deployments
// (sentinelsim bench, and the Go benchmarks beside it): simulated time per
// wall second for deployments of several shapes with the full engine, the
// node models and the canonical trace (hashed), sweep throughput on one and
// on all cores, porcupine's time per 10,000 client operations, and memory,
// per run and over a long sweep. Every figure is a Figure, so CI can track
// them as JSON.
package bench
