// Package replay turns real redis-sentinel logs (parsed by sentinel/logs)
// into what happened and what a simulation makes of it: a merged timeline,
// the topology, anomalies measured against the spec's rules, the real
// decisions, an inferred fault schedule written as a scenario file, and
// the decisions of that scenario simulated over several seeds, compared
// with the real ones (README, "Replaying real logs").
package replay
