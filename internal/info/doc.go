// Package info is the INFO and ROLE text that simulated Redis 7.0 data nodes
// emit, and the parser the Sentinel engine (and tests) read it back with.
//
// Format renders an Info the way Redis 7.0.15 renders INFO: "# Section"
// headers, "key:value" lines ending in "\r\n", sections separated by one
// empty line ("\r\n"), the text ending with the last line's "\r\n", and the
// Replication section's fields in the real order (Sentinel honours
// replica-only fields only after the role:slave line, spec §7.2, §26.2).
// Sections other than Replication carry only a few real fields (the ones
// Info has, and constants true of a default node); "# Stats", "# CPU",
// "# Keyspace" and the like are emitted as bare headers.
//
// Parse reads INFO text back with the rules Sentinel 7.0.15 applies in
// sentinelRefreshInstanceInfo (spec §7.2), never failing on a bad value:
//
//   - Numbers are read like C's atoi/strtoll/strtoull: leading white space
//     and a sign are skipped, the longest digit prefix is taken and the rest
//     is ignored ("12abc" → 12, "abc" → 0); int fields wrap like a C int
//     (atoi on LP64 is (int)strtol), int64 fields saturate; slave_repl_offset
//     is read with strtoull like Sentinel, so "-1" is 2^64-1, stored in the
//     int64 as -1 (compare offsets as uint64 to match Sentinel's ordering).
//   - run_id is taken only from a line of at least 47 bytes (the 40 bytes
//     after "run_id:", extra bytes dropped), as Sentinel does.
//   - master_link_down_since_seconds is taken from any line of at least 32
//     bytes beginning with those 30 letters (the value is read from byte 31
//     on, whatever byte 30 is). The real field name with its colon is 31
//     bytes, so the check only drops an empty value: it is always met by
//     real output ("...:0" is 32 bytes, "...:-1" is 33).
//   - role is matched by prefix ("role:master…", "role:slave…"); the last
//     matching line wins, a non-matching one changes nothing.
//   - Replica-only fields (master_host … replica_announced) are honoured
//     only while the last role line seen was role:slave.
//   - slaveN lines (a line starting "slave" and a digit, at least 7 bytes)
//     are read in the new format (ip=..,port=..,state=..,offset=..,lag=..;
//     ip and port found by substring search exactly like Sentinel) and in
//     the old one (<ip>,<port>,<state>). They are read whatever the role.
//   - Values are taken verbatim (no trimming), CRLF or LF line endings.
//
// Where Sentinel would keep a value that Format could never emit, Parse
// zeroes it so that Parse(Format(Parse(t))) == Parse(t) for any text t:
//
//   - replica-only fields and MasterLinkDownSinceSeconds are zero unless the
//     final role is "slave"; MasterLinkDownSinceSeconds is also zero when
//     master_link_status is up (real Redis emits the line exactly when the
//     link is not up, so this only differs from Sentinel on invented text);
//   - a slaveN line that would not read back the same after reformatting
//     (only possible for garbage, such as an old-format ip containing
//     "port=") is skipped, like a line Sentinel cannot parse.
//
// Parse fails only with ErrNotInfo, for text with no "#" header and no
// "key:value" line at all; that includes the empty string. (Real Redis
// answers "INFO nosuchsection" with an empty bulk string, and Sentinel would
// process an empty reply as an INFO without a role line; a caller that wants
// that can use the zero Info Parse returns with ErrNotInfo.) ParseStrict
// returns the same Info and, in addition, every malformed value of a known
// field with its line number.
//
// Role and ParseRole produce and read the ROLE reply of a data node.
//
// Observed on a real redis-server 7.0.15 (captures in testdata/) and not, or
// not exactly, said by the spec:
//
//   - A master's ROLE lists only replicas in state online (during a sync
//     INFO shows connected_slaves:1 and a slave0 line, ROLE an empty list).
//     Replica ip, port and offset are bulk strings; the master offset is an
//     integer.
//   - A replica's ROLE offset is -1 whenever it has no master link (states
//     connect, handshake, sync), not its slave_repl_offset; its state can
//     also be "handshake" (and "none", "connecting" in the source).
//   - master_sync_in_progress is 0 while the replica waits for the master's
//     fork; it is 1, with master_sync_total_bytes/read_bytes/left_bytes/perc/
//     last_io_seconds_ago lines before master_link_down_since_seconds, only
//     during the transfer. With the default diskless sync the master shows
//     the replica as wait_bgsave during the whole transfer.
//   - min_slaves_good_slaves appears only when both min-replicas-to-write
//     and min-replicas-max-lag are non-zero.
//   - After the link drops, slave_repl_offset keeps the last processed
//     offset (1 only before any sync).
//   - While loading, INFO works (loading:1, followed at the end of
//     Persistence by loading_start_time … loading_eta_seconds, which Format
//     does not emit), ROLE works, PING answers -LOADING.
//   - The default sections are Server, Clients, Memory, Persistence, Stats,
//     Replication, CPU, Modules, Errorstats, Cluster, Keyspace; "all" and
//     "everything" add Commandstats (after Modules) and Latencystats (after
//     Errorstats). Section names are case-insensitive; unknown ones are
//     ignored.
package info
