// Package traffic is a stand-in workload with the message pattern of Redis
// Sentinel watching a master and its replicas: PING every second, INFO every
// ten seconds, hello messages every two seconds fanned out through the data
// nodes' pub/sub, replicas acknowledging replication every second, and the
// sentinel timer's randomised 10-19 Hz cadence (spec §3.1, §6).
//
// It is not Sentinel. Its watchers only notice silence ("+sdown" after
// down-after of no reply, "-sdown" when replies come back) and timer gaps
// ("+tilt", spec §18), so that demos, benchmarks and determinism tests can
// exercise every part of the simulator before the real engine (package
// sentinel) is plugged in. About 60 messages cross the network per
// simulated second with three watchers and three data nodes.
package traffic
