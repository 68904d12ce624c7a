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
	genSmall  = rapid.IntRange(-2, 5)
	genMS     = rapid.IntRange(-50, 600)
)

func itoa(n int) string { return strconv.Itoa(n) }

// genCommand draws a command over a few keys and members, mixing types so
// WRONGTYPE and expiry paths run too. With writesOnly it draws only
// commands IsWrite accepts.
func genCommand(t *rapid.T, now wire.Time) []string {
	k := genKey.Draw(t, "key")
	m := genMember.Draw(t, "member")
	v := genValue.Draw(t, "value")
	n := genSmall.Draw(t, "n")
	ms := genMS.Draw(t, "ms")
	k2 := genKey.Draw(t, "key2")
	abs := itoa(int(now) + ms)
	all := [][]string{
		{"SET", k, v},
		{"SET", k, v, "PX", itoa(ms)},
		{"SET", k, v, "EX", itoa(n)},
		{"SET", k, v, "NX", "GET"},
		{"SET", k, v, "XX", "KEEPTTL"},
		{"SET", k, v, "PXAT", abs},
		{"GET", k},
		{"GETDEL", k},
		{"GETEX", k, "PX", itoa(ms)},
		{"GETEX", k, "PERSIST"},
		{"APPEND", k, v},
		{"INCR", k},
		{"INCRBY", k, itoa(n)},
		{"DECR", k},
		{"INCRBYFLOAT", k, genScore.Draw(t, "f")},
		{"SETRANGE", k, itoa(n), v},
		{"SETEX", k, itoa(n), v},
		{"PSETEX", k, itoa(ms), v},
		{"MSET", k, v, k2, m},
		{"DEL", k, k2},
		{"EXPIRE", k, itoa(n)},
		{"PEXPIRE", k, itoa(ms), rapid.SampledFrom([]string{"NX", "XX", "GT", "LT"}).Draw(t, "flag")},
		{"PEXPIREAT", k, abs},
		{"PERSIST", k},
		{"RENAME", k, k2},
		{"COPY", k, k2, "REPLACE"},
		{"TTL", k},
		{"PTTL", k},
		{"SETBIT", k, itoa(n + 2), "1"},
		{"BITOP", "OR", k, k2, k},
		{"LPUSH", k, m, v},
		{"RPUSH", k, m},
		{"LPOP", k, itoa(n)},
		{"RPOP", k},
		{"LMOVE", k, k2, "LEFT", "RIGHT"},
		{"LREM", k, itoa(n), m},
		{"LSET", k, itoa(n), v},
		{"LTRIM", k, itoa(n), "-2"},
		{"LINSERT", k, "BEFORE", m, v},
		{"LRANGE", k, "0", "-1"},
		{"HSET", k, m, v},
		{"HDEL", k, m},
		{"HINCRBY", k, m, itoa(n)},
		{"HINCRBYFLOAT", k, m, genScore.Draw(t, "hf")},
		{"HGETALL", k},
		{"HRANDFIELD", k, itoa(n), "WITHVALUES"},
		{"SADD", k, m, v},
		{"SREM", k, m},
		{"SPOP", k},
		{"SPOP", k, itoa(n)},
		{"SRANDMEMBER", k, itoa(n)},
		{"SMOVE", k, k2, m},
		{"SINTERSTORE", k, k2, k},
		{"SUNIONSTORE", k2, k, k2},
		{"SDIFF", k, k2},
		{"SINTER", k, k2},
		{"SUNION", k, k2},
		{"SMEMBERS", k},
		{"ZADD", k, genScore.Draw(t, "score"), m},
		{"ZINCRBY", k, genScore.Draw(t, "incr"), m},
		{"ZREM", k, m},
		{"ZPOPMIN", k},
		{"ZRANGE", k, "0", "-1", "WITHSCORES"},
		{"ZUNIONSTORE", k2, "2", k, k2},
		{"ZINTERSTORE", k2, "2", k, k2, "AGGREGATE", "MAX"},
		{"ZRANDMEMBER", k, itoa(n), "WITHSCORES"},
		{"ZMPOP", "2", k, k2, "MAX"},
		{"ZSCAN", k, "0"},
		{"RANDOMKEY"},
		{"KEYS", "*"},
		{"SCAN", "0"},
		{"DBSIZE"},
		{"TYPE", k},
		{"EXISTS", k, k2},
		{"FLUSHALL"},
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
