// Package checker judges recorded runs: Sentinel's safety and liveness
// promises, stability, and what clients saw (porcupine linearizability). It
// works on recorded data only, so saved runs can be re-checked.
//
// Status (issue 6): Sentinel's safety promises (CheckSafety, over the
// decisions the engine records as internal/facts) and what clients see
// (Linearizable) are written; liveness after a heal is judged by package
// scenarios, which sees the world, with this package's verdict types, and
// so is stability (a failover needs a quorum of sentinels that really lost
// the master: the simulator's ground truth, sampled during the run).
//
// # Sentinel's promises
//
// CheckSafety reads the facts of a run in order (votes, failover starts
// with their ODOWN count and gate inputs, elections with their vote count
// and electorate, replica selections with every candidate's filter inputs,
// configuration epoch changes, TILT, process starts) and the SDOWN/ODOWN
// events, and returns every broken rule: one elected leader per master and
// epoch, one vote per sentinel and epoch across restarts, configuration
// epochs forward and naming one master each, a failover only from ODOWN
// with a quorum (or forced) and outside the 2 × failover-timeout gate, a
// leader with a majority of its known sentinels and the quorum, the
// promoted replica passing spec §13's filters and being the best, nothing
// acted on in TILT. The facts state inputs, never conclusions, so a rule is
// recomputed here rather than trusted. What Sentinel allows is not counted:
// leaders of one epoch that did not know each other (quorum 1 before
// discovery) and their configurations, an operator's SENTINEL FAILOVER in
// TILT or in an epoch it shares with an elected configuration.
//
// # Linearizability of client histories
//
// Linearizable takes the ops of every client of a run and checks them one
// key at a time, in key order (Redis commands on one key touch only that
// key, so a history is linearizable if and only if each key's history is;
// MULTI/EXEC or scripts would break this, and the workloads use neither).
// The model (kvmodel.go) is Redis's semantics for GET (the value or nil),
// SET (OK), APPEND (appends, returns the new length) and INCR (the new
// integer, or "ERR value is not an integer or out of range" on a value
// Redis's string2ll refuses, leaving it unchanged). A key touched by any
// other command is unknown. Outcomes follow porcupine's documentation and
// Jepsen's convention:
//
//   - ok: the op ran between its call and its return; its reply is checked.
//   - fail (an error reply such as READONLY or NOREPLICAS, or never sent):
//     definitely not applied, so left out. INCR's not-an-integer error is
//     the exception: a master gives it after reading the key, so it is
//     checked as an observation.
//   - unknown (a timeout, a closed connection) and pending (the run ended
//     first): the op may have taken effect at any time after its call, or
//     never. Its return is put after the end of the history, its reply is
//     not checked, and its client goes on in a new row of the
//     visualisation. Reads among them observe nothing and are left out.
//
// The verdict is ok, violated or unknown, overall and per key, with the
// first violated key in key order. It depends only on the ops (the keys and
// each key's ops are sorted before porcupine sees them), except that a
// check that runs out of its wall-time budget is unknown — "no violation
// found", never a pass. LinResult.Visualize writes porcupine's HTML page for
// one key, with faults as notes on its timeline.
//
// Cost: keys are checked in parallel, each a separate porcupine search,
// exponential only in the operations that can be ordered more than one
// way. Unique written values keep it small: BenchmarkLinearizable (10k
// ops, 10 keys, 5 clients, latency 1-20 ticks, 50/50 SET/GET, the shape
// of anchors.md's 7-14 ms row) takes about 11 ms of CPU (21-26 ms of wall
// time on the shared 2-CPU machine); 10k GET/APPEND ops on one key about
// 150 ms (the values grow to 50 KB). What blows the search up is many
// unknown APPENDs or INCRs that never took effect — each stays open to the
// end, and proving a violation means trying every place for each — so an
// outcome must be unknown only when it is: a command the host of a dead
// process bounced was read by no process and is a failure (model/client),
// which took incident-i21-second-master from unknown at the 2 s budget to
// violated in 40 ms.
//
// # What is expected to be linearizable, and what is not
//
// Sentinel promises nothing about client data; we measure it. Redis
// replication is asynchronous, so:
//
//   - A single Redis master's key space, when nothing fails, is
//     linearizable: one thread executes commands one at a time, and every
//     client that talks to that master sees that order. A clean hand-over
//     where the old master stops before the new one takes writes (the
//     library's seed-003-stop-node1: SHUTDOWN, no partition) stays
//     linearizable in practice, and the scenario expects it.
//   - Anything across a failover is only eventually consistent: writes
//     the old master acknowledged but had not yet replicated are lost when
//     a replica is promoted, an old master cut off by a partition keeps
//     acknowledging writes that its demotion throws away (jepsen-partition,
//     a violation by design), two masters at once accept diverging writes
//     (split brain: incident-i21), and a client reading from a replica sees
//     stale data. min-replicas-to-write narrows the window without closing
//     it. Such runs are expected to be violated; a scenario that shows it
//     says `linearizable: false`.
//   - A violation is only visible if a later operation observes the loss:
//     a read missing a token, or an APPEND whose length does not add up. A
//     workload of APPENDs that all fail after the loss (the demoted master
//     answers READONLY) shows none, however many writes were lost; that is
//     why jepsen-partition's clients also read.
package checker
