// Command sentinelsim runs, sweeps and checks deterministic simulations of
// Redis Sentinel failover.
//
//	sentinelsim run [--example NAME] [--seed N] [--duration D] [--format text|json] [--trace FILE]
//	                [--timeline=false] [--max-time D] [--max-events N] [--max-in-flight N]
//	sentinelsim selfcheck [--example NAME] [--seeds N] [--from N] [--duration D]
//	sentinelsim list
//	sentinelsim version
//
// Durations are milliseconds or Go durations (90s, 11m), at least 1ms;
// bounds left out (or 0) take the simulator's defaults. Every run prints its
// seed and parameters first and the command that replays it last. Exit codes: 0 pass, 1 safety violation, 2 liveness
// violation, 3 unknown (a bound was hit), 4 a process crashed, 64 usage
// error, 70 internal error.
package main
