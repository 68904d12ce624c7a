// Package conf reads and writes sentinel.conf as Redis Sentinel 7.0.15
// does: Parse gives the configuration and persisted state of a sentinel, or
// the error Redis would print for the first line it refuses; Rewrite gives
// the file Redis writes when it persists its state (sentinelFlushConfig,
// i.e. CONFIG REWRITE). It works on text only: no files, no clock, no DNS.
//
// Everything here was checked against the real binary (Debian
// redis-server 7.0.15 run as redis-server FILE --sentinel): the error texts
// and line numbers of bad directives, and the bytes it wrote on SENTINEL
// FLUSHCONFIG. testdata/probes and testdata/golden hold those captures and
// the tests replay them.
//
// # Reading (Parse)
//
// The file is split into lines on "\n"; each line is trimmed of spaces,
// tabs, CR and LF; empty lines and lines starting with '#' are skipped;
// the rest are split into arguments by SplitArgs (Redis's sdssplitargs:
// "double quotes" with \n \r \t \b \a \xHH escapes, 'single quotes' with
// \', and "Unbalanced quotes in configuration line" otherwise). The
// directive name is case-insensitive; line numbers count every line from 1.
//
// Non-sentinel directives are applied in file order and the first bad one
// stops the load ("Bad directive or wrong number of arguments" for an
// unknown one, "wrong number of arguments", "argument must be 'yes' or
// 'no'", "argument couldn't be parsed into an integer", "argument must be
// between 0 and 65535 inclusive", "argument(s) must be one of the
// following: ...", ...: the table of the 198 directives of 7.0.15 with
// their types, defaults and bounds, internal/confargs/table.go (shared
// with model/redisconf), was generated from the
// binary). "sentinel ..." lines are only queued; after the whole file they
// are applied in three passes — global ones (announce-ip, announce-port,
// deny-scripts-reconfig, sentinel-user, sentinel-pass, current-epoch,
// myid, resolve-hostnames, announce-hostnames), then monitor lines, then
// the rest — so "sentinel down-after-milliseconds m 5000" may precede
// "sentinel monitor m ...", and an error in a sentinel line is reported
// only if no other line is bad, with its own line number.
//
// Sentinel directive errors (exact texts): "Unrecognized sentinel
// configuration statement." (unknown directive or wrong argument count,
// e.g. "sentinel monitor mymaster 6379 2" with the address missing),
// "Quorum must be 1 or greater.", "Invalid port number." (outside
// 0..65535), "Can't resolve instance hostname." (a host name without
// resolve-hostnames yes), "Duplicate master name.", "No such master with
// specified name.", "negative or zero time parameter." (down-after,
// failover-timeout), "negative time parameter."
// (master-reboot-down-after-period), "Malformed Sentinel id in myid
// option." (not 40 bytes; any bytes are accepted), "Duplicate hostname
// and port for replica.", "Duplicate runid for sentinel.", "Same command
// renamed multiple times with rename-command.", "Notification script seems
// non existing or non executable.", "Client reconfiguration script seems
// non existing or non executable.", "Please specify yes or no for the
// deny-scripts-reconfig options.", "Please specify yes or no for the
// resolve-hostnames option." (and announce-hostnames).
//
// Numbers in sentinel lines are read with C's atoi (32 bits, trailing
// garbage ignored: "5000abc" is 5000, "abc" is 0, 99999999999 is
// 1215752191) or strtoull for epochs ("-1" is 18446744073709551615);
// parallel-syncs and announce-port are not checked at all; a monitor port
// "abc" is port 0. Master names are case-sensitive and may be anything,
// including "" or "my master" when quoted. config-epoch raises
// current-epoch. "sentinel known-sentinel m ip port" without run id is
// ignored. A bare "sentinel" line is ignored. known-sentinel may carry this
// sentinel's own id.
//
// # Writing (Rewrite)
//
// See Rewrite for the layout. In short, with the file as it was: lines are
// rewritten in place, comments kept, new lines appended after "# Generated
// by CONFIG REWRITE", a sentinel always writing port, protected-mode no,
// latency-tracking-info-percentiles 50 99 99.9, dir, the default ACL user,
// sentinel myid, config-epoch and leader-epoch of every master and
// current-epoch. Values are written unquoted except announce-ip and the
// standard string directives, so a master name or password with a space
// makes a file Redis cannot load again; Check tells.
//
// Redis quirks kept on purpose: a file with "sentinel known-slave" lines
// gets known-replica lines added next to them and then fails to load
// ("Duplicate hostname and port for replica."); an unresolvable host name
// with resolve-hostnames but without announce-hostnames is written as an
// empty address; a SENTINEL SET down-after-milliseconds beyond 32 bits
// comes back truncated; "maxmemory 99999999999999999999" comes back as
// "maxmemory -1", which no longer loads. Check reports all of these for a
// Config.
//
// # Commands
//
// Monitor, Set and Remove validate SENTINEL MONITOR / SET / REMOVE with the
// same rules and Redis's reply texts, so that a sentinel engine's commands
// and its file agree.
package conf
