// Package scenarios is the composition root of sentinelsim: it reads
// scenario files (YAML: a deployment, its sentinel.conf and redis.conf, a
// fault timeline with role selectors and event triggers, randomised phases,
// clients and the expected verdict), builds the simulated world for a seed,
// runs it, follows the sentinels' events to resolve "the master" or "the
// leader" when a fault happens, and judges the run against the scenario's
// expectations (Run, RunFile). The library (library/*.yaml, compiled in)
// holds the deployments of the seed documents, the Solaris hypotheses,
// Jepsen's partition and scripted incidents. The Go-built examples (demo,
// failover) remain for the simulator's golden traces.
package scenarios
