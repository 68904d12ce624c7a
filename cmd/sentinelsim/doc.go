// Command sentinelsim runs, sweeps and checks deterministic simulations of
// Redis Sentinel failover.
//
//	sentinelsim run NAME|FILE [--seed N] [--out DIR] [--format text|json] [--trace FILE]
//	                [--timeline=false] [--max-time D] [--max-events N] [--max-in-flight N]
//	sentinelsim run --example NAME [--seed N] [--duration D] [flags as above]
//	sentinelsim sweep NAME|FILE [--seeds A..B] [--workers N] [--shard i/n] [--out DIR]
//	                  [--progress auto|bar|lines|none] [--junit FILE] [--keep N]
//	sentinelsim merge DIR...
//	sentinelsim report DIR
//	sentinelsim diff A B
//	sentinelsim check DIR
//	sentinelsim replay [--conf FILE]... [--profile NAME] [--seeds N] [--set directive=value]...
//	                   [--out DIR] [--format text|json] [--year N] LOGFILE...
//	sentinelsim selfcheck [--example NAME] [--seeds N] [--from N] [--duration D]
//	sentinelsim list [--names]
//	sentinelsim version
//
// NAME is a scenario of the library (sentinelsim list) or a built-in
// example; FILE is a scenario file (README: "Scenario files"). Durations are
// milliseconds or Go durations (90s, 11m), at least 1ms; bounds left out (or
// 0) take the simulator's defaults. Every run prints its seed and parameters
// first and the command that replays it last. A sweep with --out appends
// one JSON line per seed to DIR/results.jsonl; run again, it resumes with
// the seeds not yet done; shards (--shard i/n) split the seeds disjointly
// and merge combines their directories. run --out DIR writes a run
// directory (README: "The command line"); report regenerates its reports,
// check re-checks it without simulating, diff compares two runs' decisions.
//
// Exit codes: 0 the expected verdict (pass for examples), 1 a verdict that
// differs from the expected one (selfcheck: a replay that differed), 3
// unknown (a bound was hit or the timeline could not act), 4 a process
// crashed, 64 usage error, 65 bad scenario input, 70 internal error.
package main
