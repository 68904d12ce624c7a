// Package keyspace is the dataset of a simulated Redis data node: strings,
// bitmaps, lists, hashes, sets and sorted sets with Redis 7.0's commands,
// replies and error texts, run on the simulated clock.
//
// It wraps miniredis (github.com/alicebob/miniredis/v2 v2.40.0) without a
// network. New starts miniredis with Dial, the one listener-less way to
// register its command table, and closes the returned pipe at once; it
// waits until the two goroutines Dial started have ended, before they read
// anything. From then on no goroutine is involved: Exec calls
// Server().Dispatch on one reusable server.Peer (RESP2) writing into a
// reusable buffer; Dispatch runs the command handler synchronously on the
// caller's goroutine, and Exec decodes the RESP2 bytes into a wire.Value.
// Blocking and pub/sub commands, the ones that would start goroutines or
// wait, are refused.
//
// # Time
//
// Simulated time t (wire.Time, ms) is the time commands see: EXPIREAT,
// PEXPIREAT and SET EXAT/PXAT take simulated seconds or milliseconds, and
// Exec, Snapshot, Restore and Digest take the time they run at. Expiry
// times are absolute, as in Redis: EX, PX, SETEX, PSETEX, EXPIRE and
// PEXPIRE add the command's time, and a clock jump either way leaves every
// expiry time where it was. A key is gone from the first millisecond at or
// after its expiry time: a key set with PX 100 at t=0 is there at 99 and
// gone at 100 (Redis keeps it through millisecond 100 and drops it at 101),
// whether or not anything touches it. The keyspace keeps every TTL itself
// and gives each write Redis 7.0's effect on TTLs (which writes keep, clear
// or move a key's TTL); miniredis holds none and its clock is frozen (see
// expiry.go). Nothing reads the wall clock.
//
// # Randomness
//
// SPOP, SRANDMEMBER, HRANDFIELD and ZRANDMEMBER draw from miniredis's
// generator, seeded by New's seed; RANDOMKEY draws from the keyspace's own
// generator (miniredis picks by Go map order). Replies miniredis writes from
// Go maps (SDIFF, SINTER, SUNION) are sorted. Everything else miniredis
// lists in sorted order: KEYS, SCAN, SMEMBERS, SSCAN, HKEYS, HVALS, HGETALL,
// HSCAN; sorted sets by score then member. So the same sequence of (time,
// command) gives the same replies and dataset on every run and machine.
//
// # Commands
//
// Supported lists the commands Exec runs. Any other command Redis 7.0 knows
// is answered with an error whose code is CodeNotKeyspace ("NOTKEYSPACE
// 'multi' is not a keyspace command") and changes nothing: connection and
// server commands (PING, ECHO, SELECT, SWAPDB, MOVE, AUTH, HELLO, CLIENT,
// CONFIG, INFO, DEBUG, SHUTDOWN, WAIT, REPLICAOF, ...), transactions (MULTI,
// EXEC, DISCARD, WATCH, UNWATCH), pub/sub, scripting and functions, blocking
// commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX,
// BZMPOP), streams, HyperLogLogs, geo, SORT, LCS, BITFIELD, OBJECT, MEMORY,
// DUMP, RESTORE, ZRANGESTORE, ZDIFF, ZDIFFSTORE, ZINTERCARD, GEOSEARCHSTORE,
// SUBSTR, COPY with DB. A command Redis does not know gets Redis's own
// "ERR unknown command 'x', with args beginning with: ..." (UnknownCommand).
// IsWrite gives Redis 7.0's write flag for every Redis command.
//
// The replies were compared with Redis 7.0.15 (testdata/replies.txt, see
// redis_test.go). The keyspace corrects miniredis where it differed: SET and
// GETEX option parsing and error order, EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT
// (overflow checks, NX/XX/GT/LT, past times), TTL rounding, SINTERSTORE and
// the like leaving an empty key for an empty result, strict integer
// parsing for INCR/DECR/INCRBY/DECRBY/HINCRBY values, LPOP/RPOP counts,
// NaN scores, error texts, the "%.17g" score format of Redis 7.0,
// INCRBYFLOAT/HINCRBYFLOAT computed in long double precision as Redis does
// on x86-64 ("5010.60000000000000009"), the TTLs writes keep, clear or move
// (BITOP and COPY REPLACE clear the destination's, LMOVE of a list onto
// itself keeps it, a deleted key leaves none behind), COPY REPLACE over a
// key of another type, ZADD and ZINCRBY (options, repeated members, NaN
// results), ZUNIONSTORE, ZINTERSTORE, ZUNION and ZINTER (sources checked
// before options, inputs smallest first, NaN as 0), ZPOPMIN/ZPOPMAX with
// count 0, SETRANGE with an empty value, the 512 MB limits of SETRANGE and
// SETBIT, and float strings with NUL bytes.
// Known differences that remain:
//
//   - Replies Redis gives in hash-table order (KEYS, SCAN, SMEMBERS,
//     HGETALL, ...) come sorted; HGETALL of a small hash is not in insertion
//     order. SCAN, SSCAN, HSCAN and ZSCAN return everything at cursor 0 and
//     ignore COUNT; another cursor returns nothing.
//   - Expiry is one millisecond earlier than Redis's (see Time).
//   - ZSCAN formats scores as Redis does for small sorted sets (listpack).
//   - Integer arguments other than the values above (LRANGE indexes,
//     counts, ...) accept what Go's strconv.Atoi accepts, e.g. "+5".
//
// # Snapshots and replication
//
// Snapshot captures the dataset in a canonical form with absolute expiry
// times; Encode gives its deterministic byte form (with a CRC-32), Decode
// reads it back and accepts nothing else. Streams and HyperLogLogs cannot
// be captured, but no command that makes them is supported; Snapshot lists
// any key of another type in Snapshot.Skipped rather than dropping it.
//
// Propagate turns a command and its reply into what a Redis 7.0 master
// sends its replicas (absolute expiry times, SPOP as SREM, INCRBYFLOAT as
// SET). Applying a master's propagated writes to another keyspace, at the
// same or later times, gives the same Digest, with one exception Redis
// avoids by sending DEL when a master expires a key: a replica applying a
// write late, after a key it touches has expired, diverges. Applying each
// write at the master's time (carried with the stream) avoids that.
//
// A Keyspace is not safe for concurrent use.
package keyspace
