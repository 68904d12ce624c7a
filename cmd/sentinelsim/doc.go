// Command sentinelsim runs, sweeps and checks deterministic simulations of
// Redis Sentinel failover.
//
//	sentinelsim run [--example NAME] [--seed N] [--duration D] [--format text|json] [--trace FILE]
//	sentinelsim selfcheck [--example NAME] [--seeds N] [--from N]
//	sentinelsim list
//	sentinelsim version
//
// Every run prints its seed and parameters first and the command that
// replays it last. Exit codes: 0 pass, 1 safety violation, 2 liveness
// violation, 3 unknown (a bound was hit), 4 a process crashed, 64 usage
// error, 70 internal error.
package main
