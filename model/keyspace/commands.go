package keyspace

import "strings"

// cmdFlags describes one Redis 7.0 command for the keyspace.
type cmdFlags uint8

const (
	flagKnown     cmdFlags = 1 << iota // a Redis 7.0 command
	flagWrite                          // Redis's "write" flag
	flagSupported                      // Exec runs it
)

// redisCommands lists every top-level command of Redis 7.0.15 (COMMAND
// output), so Exec can tell a command the keyspace leaves to the node from
// one Redis does not know at all.
const redisCommands = `acl append asking auth bgrewriteaof bgsave bitcount bitfield bitfield_ro
bitop bitpos blmove blmpop blpop brpop brpoplpush bzmpop bzpopmax bzpopmin client cluster
command config copy dbsize debug decr decrby del discard dump echo eval eval_ro evalsha
evalsha_ro exec exists expire expireat expiretime failover fcall fcall_ro flushall flushdb
function geoadd geodist geohash geopos georadius georadius_ro georadiusbymember
georadiusbymember_ro geosearch geosearchstore get getbit getdel getex getrange getset hdel
hello hexists hget hgetall hincrby hincrbyfloat hkeys hlen hmget hmset hrandfield hscan hset
hsetnx hstrlen hvals incr incrby incrbyfloat info keys lastsave latency lcs lindex linsert
llen lmove lmpop lolwut lpop lpos lpush lpushx lrange lrem lset ltrim memory mget migrate
module monitor move mset msetnx multi object persist pexpire pexpireat pexpiretime pfadd
pfcount pfdebug pfmerge pfselftest ping psetex psubscribe psync pttl publish pubsub
punsubscribe quit randomkey readonly readwrite rename renamenx replconf replicaof reset
restore restore-asking role rpop rpoplpush rpush rpushx sadd save scan scard script sdiff
sdiffstore select set setbit setex setnx setrange shutdown sinter sintercard sinterstore
sismember slaveof slowlog smembers smismember smove sort sort_ro spop spublish srandmember
srem sscan ssubscribe strlen subscribe substr sunion sunionstore sunsubscribe swapdb sync
time touch ttl type unlink unsubscribe unwatch wait watch xack xadd xautoclaim xclaim xdel
xgroup xinfo xlen xpending xrange xread xreadgroup xrevrange xsetid xtrim zadd zcard zcount
zdiff zdiffstore zincrby zinter zintercard zinterstore zlexcount zmpop zmscore zpopmax
zpopmin zrandmember zrange zrangebylex zrangebyscore zrangestore zrank zrem zremrangebylex
zremrangebyrank zremrangebyscore zrevrange zrevrangebylex zrevrangebyscore zrevrank zscan
zscore zunion zunionstore`

// redisWriteCommands are the Redis 7.0.15 commands whose COMMAND flags
// include "write". Container commands with write subcommands (XGROUP CREATE,
// FUNCTION LOAD ...) are not listed: their top-level entry has no flags.
const redisWriteCommands = `append bitfield bitop blmove blmpop blpop brpop brpoplpush
bzmpop bzpopmax bzpopmin copy decr decrby del expire expireat flushall flushdb geoadd
georadius georadiusbymember geosearchstore getdel getex getset hdel hincrby hincrbyfloat
hmset hset hsetnx incr incrby incrbyfloat linsert lmove lmpop lpop lpush lpushx lrem lset
ltrim migrate move mset msetnx persist pexpire pexpireat pfadd pfdebug pfmerge psetex rename
renamenx restore restore-asking rpop rpoplpush rpush rpushx sadd sdiffstore set setbit setex
setnx setrange sinterstore smove sort spop srem sunionstore swapdb unlink xack xadd
xautoclaim xclaim xdel xreadgroup xsetid xtrim zadd zdiffstore zincrby zinterstore zmpop
zpopmax zpopmin zrangestore zrem zremrangebylex zremrangebyrank zremrangebyscore
zunionstore`

// supportedCommands are the data commands Exec runs: the Redis 7.0 commands
// on strings, bitmaps, keys, lists, hashes, sets and sorted sets that
// miniredis implements. Geo is left out: miniredis's distances and
// positions differ from Redis's in the last digits.
const supportedCommands = `append bitcount bitop bitpos decr decrby get getbit getdel
getex getrange getset incr incrby incrbyfloat mget mset msetnx psetex set setbit setex setnx
setrange strlen
copy dbsize del exists expire expireat expiretime flushall flushdb keys persist pexpire
pexpireat pexpiretime pttl randomkey rename renamenx scan touch ttl type unlink
hdel hexists hget hgetall hincrby hincrbyfloat hkeys hlen hmget hmset hrandfield hscan hset
hsetnx hstrlen hvals
lindex linsert llen lmove lmpop lpop lpos lpush lpushx lrange lrem lset ltrim rpop rpoplpush
rpush rpushx
sadd scard sdiff sdiffstore sinter sintercard sinterstore sismember smembers smismember smove
spop srandmember srem sscan sunion sunionstore
zadd zcard zcount zincrby zinter zinterstore zlexcount zmpop zmscore zpopmax zpopmin
zrandmember zrange zrangebylex zrangebyscore zrank zrem zremrangebylex zremrangebyrank
zremrangebyscore zrevrange zrevrangebylex zrevrangebyscore zrevrank zscan zscore zunion
zunionstore`

// cmdInfo is a command's flags and lower-case name.
type cmdInfo struct {
	flags cmdFlags
	name  string
}

// commands maps lower- and upper-case command names to their info.
var commands = func() map[string]cmdInfo {
	flags := map[string]cmdFlags{}
	for _, n := range strings.Fields(redisCommands) {
		flags[n] |= flagKnown
	}
	for _, n := range strings.Fields(redisWriteCommands) {
		flags[n] |= flagKnown | flagWrite
	}
	for _, n := range strings.Fields(supportedCommands) {
		flags[n] |= flagKnown | flagSupported
	}
	t := make(map[string]cmdInfo, 2*len(flags))
	for n, f := range flags {
		t[n] = cmdInfo{f, n}
		t[strings.ToUpper(n)] = cmdInfo{f, n}
	}
	return t
}()

// lookup returns the info of a command name in any case, without
// allocating when the name is all lower or all upper case.
func lookup(name string) cmdInfo {
	if c, ok := commands[name]; ok {
		return c
	}
	return commands[strings.ToLower(name)]
}

// IsWrite reports whether a command may modify the dataset: Redis 7.0's
// "write" command flag (SET, INCR, DEL, EXPIRE, LPUSH, HSET, FLUSHALL,
// BLPOP, XADD, ...), for every Redis command, supported by Exec or not. The
// name is matched in any case. Unknown commands, and container commands
// whose write-ness depends on the subcommand (XGROUP, FUNCTION), give false.
// Scripts (EVAL, FCALL) give false, as in Redis, whose flags leave them to
// the script.
func IsWrite(name string) bool { return lookup(name).flags&flagWrite != 0 }

// Supported reports whether Exec runs the command (data commands only),
// matched in any case.
func Supported(name string) bool { return lookup(name).flags&flagSupported != 0 }

// IsRedisCommand reports whether name is a command Redis 7.0 knows, in any
// case.
func IsRedisCommand(name string) bool { return lookup(name).flags&flagKnown != 0 }
