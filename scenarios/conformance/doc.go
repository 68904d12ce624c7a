// Package conformance runs scenarios on the real Redis Sentinel —
// Debian's redis-server and redis-sentinel 7.0.15, on 127.0.0.1 — with the
// scenario's faults applied by real means (kill -9, SIGSTOP/SIGCONT,
// restarts, commands), reads the sentinels' logs with the replay parser,
// and compares their decisions and timings with the same scenario
// simulated over many seeds (make conformance). Scenarios whose faults
// real processes on one host cannot get (partitions, clock jumps) are
// simulator-only, and say so.
package conformance
