// Package sentinel is sentinelsim's re-implementation of the Redis Sentinel
// 7.0.15 failover engine, rule by rule after
// shared/reference/sentinel-spec.md (cited as "spec §N" in comments).
//
// A Sentinel is a process of the simulator: Boot starts it from its
// configuration and persisted state, Fire runs its timer (spec §3: a random
// 10–19 Hz cadence), Receive handles replies, pub/sub hellos and the commands
// other sentinels and clients send. All of it goes through a wire.Env: time
// (the node's own wall clock, which TILT watches), randomness (the node's
// stream) and every action. An Env buffers sends until the call returns and
// saves what Persist was given first, which is the contract sentinel.c gets
// from flushing sentinel.conf before it replies to a vote ("persist before
// send"); any other driver of the engine must implement wire.Env the same
// way. Nothing here reads a clock, a global random source, a file or a
// socket (internal/tidy enforces it).
//
// Records are kept in creation order (masters in configuration order,
// replicas and sentinels in discovery order); that is the documented
// deterministic order standing in for Redis's hash-table order (spec §3.2).
// Events carry Redis's own tokens and message formats ("+sdown master
// mymaster 10.0.0.1 6379") and are emitted to the trace with their level
// character.
//
// Status (issue 4, in progress): connections and the pending cap,
// PING/INFO/hello schedules, INFO parsing and its acting part (replica
// discovery, promotion detection, reconfiguration progress,
// +convert-to-slave, +fix-slave-config), SDOWN/ODOWN, is-master-down-by-addr
// asking and answering, epochs and votes, leader election, the start gate,
// the whole failover state machine with replica selection and the
// reconfiguration transaction, switch-master and reset, hello sending and
// receiving with sentinel discovery and config-epoch adoption, TILT, every
// SENTINEL subcommand of 7.0.15 with its reply texts (commands_sentinel.go:
// FAILOVER, RESET, CKQUORUM, FLUSHCONFIG, MONITOR/REMOVE/SET through
// sentinel/conf's validation, INFO-CACHE, SIMULATE-FAILURE as a process
// exit, DEBUG, CONFIG GET/SET, PENDING-SCRIPTS, HELP), INFO on a sentinel
// (info.go), events on the sentinel's own pub/sub (pubsub.go) and scripts
// recorded in the trace instead of run (scripts.go), configuration read from
// and persisted as sentinel.conf text (package sentinel/conf), behaviour
// profiles (profile.go), golden interaction scripts (testdata/*.txt,
// interaction_test.go), the other commands of a sentinel with ACL users
// (acl.go, users and rules from internal/acl, shared with the data nodes;
// cmdtable.go from the real binary's command table; commands_client.go:
// ACL, AUTH, HELLO, COMMAND, SHUTDOWN, CLIENT), host names (hostnames.go:
// resolve-hostnames, announce-hostnames; notes/hostnames.md). Not yet: the
// 2.8.2 role-sampling profile (notes/2.8.2.md: the pre-fix code was not
// found). 7.0.15 emits no -dup-sentinel (spec §20.2): duplicates are
// resolved with +sentinel-address-switch and +sentinel-invalid-addr
// (hello.go).
package sentinel
