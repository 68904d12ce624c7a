// Package sentinel is sentinelsim's re-implementation of the Redis Sentinel
// 7.0.15 failover engine as a pure state machine (Tick/Step, then
// Ready{Persist, Messages, Events}, then Advance), faithful rule by rule to
// shared/reference/sentinel-spec.md.
//
// Status: not written yet (issue 4). Until it lands, runs use the stand-in
// traffic model of internal/traffic, which has Sentinel's message pattern but
// none of its decisions.
package sentinel
