// Package scenarios is the composition root of sentinelsim: it assembles a
// simulated world from a scenario (processes, network, fault timeline),
// runs it for a seed and returns the result.
//
// For now it holds the built-in examples that exercise the simulator with
// the stand-in traffic model (internal/traffic); the scenario file format and
// the library of deployments and incidents come with issue 5.
package scenarios
