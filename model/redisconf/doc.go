// Package redisconf reads a data node's redis.conf as redis-server 7.0.15
// does and applies it to a model.Config, so that a scenario can give each
// simulated node a real configuration file:
//
//	cfg, err := redisconf.Parse("redis1.conf", text, model.DefaultConfig(addr))
//
// The base configuration gives what a file cannot (the node's address and
// directory, from the scenario) and every setting the file leaves out; the
// file's directives are applied on top of it in order. A refused file gives
// an *Error with the file, the line, the offending line and Redis's own
// message; Error.Fatal is the block redis-server prints before exiting.
// Like sentinel/conf it works on text only: no files, no clock, no DNS.
//
// # Reading
//
// Lines are read as Redis's loader reads them (internal/confargs, shared
// with sentinel/conf): fgets chunks cut at NUL bytes, each line trimmed,
// empty lines and '#' comments skipped, arguments split by sdssplitargs
// ("Unbalanced quotes in configuration line"), names case-insensitive.
// Every directive of 7.0.15 is accepted with Redis's validation: the 180
// standard configs (the 174 CONFIG GET * lists and 6 hidden ones) and their
// 18 aliases (slaveof, slave-priority, min-slaves-to-write, ...; the table
// in internal/confargs was generated from the binary, and
// testdata/config-get-names.txt is CONFIG GET * of a plain 7.0.15 server),
// the deprecated list-max-ziplist-entries, list-max-ziplist-value and
// lua-replicate-commands (one argument, ignored), rename-command, user
// (rule syntax checked; model.Config.Users) and a bare "sentinel". The first
// line Redis would refuse is the error, with Redis's text: "Bad directive
// or wrong number of arguments", "wrong number of arguments", "argument
// must be 'yes' or 'no'", "argument couldn't be parsed into an integer",
// "argument must be a memory value", "argument must be between 1 and
// 2147483647 inclusive", "argument(s) must be one of the following: ...",
// "Invalid save parameters", "Invalid master port", "No such command in
// rename-command", "Target command name already exists", "sentinel
// directive while not in sentinel mode", "Module config specified without
// value", and after the whole file "replicaof directive not allowed in
// cluster mode" (a block without a line number: Error.NoLine).
//
// # What reaches the model
//
//	replicaof / slaveof HOST PORT   ReplicaOf (no one: none); HOST as written,
//	                                resolved by the node's Directory
//	masterauth, requirepass         MasterAuth, RequirePass
//	replica-priority, replica-announced, replica-read-only,
//	replica-serve-stale-data, replica-announce-ip, replica-announce-port,
//	min-replicas-to-write, min-replicas-max-lag (and the slave-/min-slaves-
//	aliases)                        the fields of the same names
//	rename-command FROM TO          RenameCommands (original name, lowercase
//	                                -> final name; "" disabled): renames
//	                                chain as in Redis (a then b renames the
//	                                command b's original name)
//	save, appendonly                Persistence and SaveInterval (below)
//	repl-backlog-size               BacklogSize (memory units as memtoull;
//	                                the model keeps at least 16 kB where
//	                                Redis keeps the value as written)
//	repl-timeout, repl-ping-replica-period   ReplTimeout, ReplPingPeriod
//	stop-writes-on-bgsave-error     StopWritesOnBgsaveError
//
// Persistence: appendonly yes gives aof (the model's AOF is appendfsync
// everysec; always and no are accepted and approximated by it); otherwise
// save points give rdb with SaveInterval the smallest save seconds (the
// model saves when anything changed; the change counts are not modelled);
// no save points give none. As in Redis the first save line replaces the
// points, later lines add to them and save "" removes them. The starting
// point is the base: a base with rdb has one save point of SaveInterval, so
// a file without save lines keeps the base's persistence. Note that Redis
// itself, with no save line, snapshots at its default points (3600 1 300
// 100 60 10000), which model.DefaultConfig does not: RedisDefaults gives a
// base with them.
//
// Accepted, validated and ignored: port and bind (the scenario gives the
// address; a real node bound to 127.0.0.1, as Debian's file says, would be
// unreachable from other hosts, a simulated one is not), protected-mode,
// dir, cluster-enabled (only for the replicaof check), and every other
// directive (daemonize, logfile, maxmemory, databases, ...). masteruser
// and the user lines are applied (model.Config.MasterUser and Users: the
// node's ACL users, package internal/acl); a user line's rules are
// checked for syntax here and against the command table when the node
// starts (model.Config.Validate), and its arguments are kept
// space-separated, so a password with a space in it is not modelled.
//
// # Not supported
//
// loadmodule and module configs (name.option lines: Redis aborts after the
// file when no module claims them; reported at their line with Logged set);
// include, unless Options.Include resolves the file (then loaded as Redis
// does, with its own line numbers, at most MaxIncludeDepth deep, no
// wildcards); ACL rules that need the command table (+nosuchcmd);
// rename-command of a container|subcommand pair, on which 7.0.15 crashes
// with an assertion (reported as an error). Host-dependent checks are not
// made: dir, logfile, unixsocket and TLS files may name anything.
package redisconf
