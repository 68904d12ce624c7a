package keyspace

import (
	"strconv"

	"pgregory.net/rapid"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// step is one generated command at a time.
type step struct {
	at   wire.Time
	args []string
}

var (
	genKey    = rapid.SampledFrom([]string{"a", "b", "c", "d"})
	genMember = rapid.SampledFrom([]string{"x", "y", "z", "w", ""})
	genValue  = rapid.SampledFrom([]string{"1", "-7", "v", "hello", "3.5", "", "007", "9223372036854775807"})
	genScore  = rapid.SampledFrom([]string{"0", "1", "-2.5", "0.1", "1e17", "inf", "-inf", "3"})
	// ZADD's options: one at a time, or the combinations Redis takes.
	genZaddFlag = rapid.SampledFrom([]string{"NX", "XX", "GT", "LT", "XX", "CH"})
	genSmall    = rapid.IntRange(-2, 5)
	genMS       = rapid.IntRange(-50, 600)
)

func itoa(n int) string { return strconv.Itoa(n) }

// timing draws the times commands carry: ms for PX, PEXPIRE and (added to
// now) PXAT and PEXPIREAT; secs for EX, SETEX, EXPIRE and (added to now)
// EXAT and EXPIREAT.
type timing struct {
	ms, secs *rapid.Generator[int]
}

// simTiming mixes past, near and far expiry times, so keys expire while the
// steps run.
var simTiming = timing{ms: genMS, secs: genSmall}

// genCommand draws a command over a few keys and members, mixing types so
// WRONGTYPE and expiry paths run too. It covers every supported write
// command.
func genCommand(t *rapid.T, now wire.Time) []string {
	return genCommandWith(t, now, simTiming, true)
}

// genCommandWith is genCommand with the given expiry times; without random
// it leaves out SPOP, whose effect depends on the random source.
func genCommandWith(t *rapid.T, now wire.Time, tm timing, random bool) []string {
	k := genKey.Draw(t, "key")
	m := genMember.Draw(t, "member")
	v := genValue.Draw(t, "value")
	n := genSmall.Draw(t, "n")
	ms := tm.ms.Draw(t, "ms")
	secs := tm.secs.Draw(t, "secs")
	k2 := genKey.Draw(t, "key2")
	abs := itoa(int(now) + ms)
	absSec := itoa(int(now)/1000 + secs)
	flag := rapid.SampledFrom([]string{"NX", "XX", "GT", "LT"}).Draw(t, "flag")
	all := [][]string{
		{"SET", k, v},
		{"SET", k, v, "PX", itoa(ms)},
		{"SET", k, v, "EX", itoa(secs)},
		{"SET", k, v, "NX", "GET"},
		{"SET", k, v, "XX", "KEEPTTL"},
		{"SET", k, v, "KEEPTTL"},
		{"SET", k, v, "GET"},
		{"SET", k, v, "PXAT", abs},
		{"SET", k, v, "EXAT", absSec, "XX"},
		{"SETNX", k, v},
		{"GETSET", k, v},
		{"GET", k},
		{"GETDEL", k},
		{"GETEX", k},
		{"GETEX", k, "PX", itoa(ms)},
		{"GETEX", k, "EXAT", absSec},
		{"GETEX", k, "PERSIST"},
		{"APPEND", k, v},
		{"INCR", k},
		{"INCRBY", k, itoa(n)},
		{"DECR", k},
		{"DECRBY", k, itoa(n)},
		{"INCRBYFLOAT", k, genScore.Draw(t, "f")},
		{"SETRANGE", k, itoa(n), v},
		{"SETEX", k, itoa(secs), v},
		{"PSETEX", k, itoa(ms), v},
		{"MSET", k, v, k2, m},
		{"MSETNX", k, v, k2, m},
		{"DEL", k, k2},
		{"UNLINK", k},
		{"EXPIRE", k, itoa(secs)},
		{"EXPIRE", k, itoa(secs), flag},
		{"PEXPIRE", k, itoa(ms), flag},
		{"EXPIREAT", k, absSec},
		{"PEXPIREAT", k, abs},
		{"PERSIST", k},
		{"RENAME", k, k2},
		{"RENAMENX", k, k2},
		{"COPY", k, k2},
		{"COPY", k, k2, "REPLACE"},
		{"TTL", k},
		{"PTTL", k},
		{"SETBIT", k, itoa(n + 2), "1"},
		{"BITOP", "OR", k, k2, k},
		{"BITOP", rapid.SampledFrom([]string{"AND", "XOR"}).Draw(t, "bitop"), k2, k},
		{"BITOP", "NOT", k, k2},
		{"LPUSH", k, m, v},
		{"RPUSH", k, m},
		{"LPUSHX", k, v},
		{"RPUSHX", k, m},
		{"LPOP", k, itoa(n)},
		{"RPOP", k},
		{"LMOVE", k, k2, "LEFT", "RIGHT"},
		{"RPOPLPUSH", k, k2},
		{"LMPOP", "2", k, k2, "RIGHT", "COUNT", itoa(n)},
		{"LREM", k, itoa(n), m},
		{"LSET", k, itoa(n), v},
		{"LTRIM", k, itoa(n), "-2"},
		{"LINSERT", k, "BEFORE", m, v},
		{"LRANGE", k, "0", "-1"},
		{"HSET", k, m, v},
		{"HMSET", k, m, v, "w", m},
		{"HSETNX", k, m, v},
		{"HDEL", k, m},
		{"HINCRBY", k, m, itoa(n)},
		{"HINCRBYFLOAT", k, m, genScore.Draw(t, "hf")},
		{"HGETALL", k},
		{"HRANDFIELD", k, itoa(n), "WITHVALUES"},
		{"SADD", k, m, v},
		{"SREM", k, m},
		{"SMOVE", k, k2, m},
		{"SINTERSTORE", k, k2, k},
		{"SINTERSTORE", k, k2},
		{"SUNIONSTORE", k2, k, k2},
		{"SDIFFSTORE", k2, k},
		{"SDIFF", k, k2},
		{"SINTER", k, k2},
		{"SUNION", k, k2},
		{"SMEMBERS", k},
		{"SRANDMEMBER", k, itoa(n)},
		{"ZADD", k, genScore.Draw(t, "score"), m},
		{"ZADD", k, genZaddFlag.Draw(t, "zflag"), "CH", genScore.Draw(t, "score1"), m, genScore.Draw(t, "score2"), "w"},
		{"ZADD", k, genZaddFlag.Draw(t, "zflag2"), "INCR", genScore.Draw(t, "score3"), m},
		{"ZINCRBY", k, genScore.Draw(t, "incr"), m},
		{"ZREM", k, m},
		{"ZPOPMIN", k},
		{"ZPOPMAX", k, itoa(n)},
		{"ZREMRANGEBYSCORE", k, "-inf", "1"},
		{"ZREMRANGEBYRANK", k, "0", itoa(n)},
		{"ZREMRANGEBYLEX", k, "-", "[x"},
		{"ZRANGE", k, "0", "-1", "WITHSCORES"},
		{"ZUNIONSTORE", k2, "2", k, k2},
		{"ZUNIONSTORE", k2, "1", k},
		{"ZUNIONSTORE", k2, "3", k, k2, "c", "WEIGHTS", genScore.Draw(t, "w1"), "1", genScore.Draw(t, "w2")},
		{"ZUNION", "3", k, k2, "a", "AGGREGATE", rapid.SampledFrom([]string{"SUM", "MIN", "MAX"}).Draw(t, "agg"), "WITHSCORES"},
		{"ZINTER", "2", k, k2, "WEIGHTS", genScore.Draw(t, "w3"), "2", "WITHSCORES"},
		{"ZINTERSTORE", k2, "2", k, k2, "AGGREGATE", "MAX"},
		{"ZINTERSTORE", k2, "1", k},
		{"ZRANDMEMBER", k, itoa(n), "WITHSCORES"},
		{"ZMPOP", "2", k, k2, "MAX"},
		{"ZMPOP", "2", k, k2, "MIN", "COUNT", itoa(n)},
		{"ZSCAN", k, "0"},
		{"RANDOMKEY"},
		{"KEYS", "*"},
		{"SCAN", "0"},
		{"DBSIZE"},
		{"TYPE", k},
		{"EXISTS", k, k2},
		{"FLUSHALL"},
		{"FLUSHDB"},
	}
	if random {
		all = append(all, []string{"SPOP", k}, []string{"SPOP", k, itoa(n)})
	}
	return rapid.SampledFrom(all).Draw(t, "cmd")
}

// genSteps draws a sequence of commands at non-decreasing times.
func genSteps(t *rapid.T, maxLen int) []step {
	n := rapid.IntRange(1, maxLen).Draw(t, "steps")
	steps := make([]step, n)
	now := wire.Time(rapid.IntRange(0, 1000).Draw(t, "start"))
	for i := range steps {
		now += wire.Time(rapid.SampledFrom([]int{0, 0, 1, 7, 50, 120, 1000}).Draw(t, "advance"))
		steps[i] = step{at: now, args: genCommand(t, now)}
	}
	return steps
}
