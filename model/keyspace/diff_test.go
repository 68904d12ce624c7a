package keyspace

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// TestRandomAgainstRedis runs random command sequences (genCommandWith, every
// supported write command) on a real Redis 7.0 server and on the keyspace,
// and compares the replies and, after every step, each key's type, value
// and whether it has a TTL. It needs KEYSPACE_REDIS_ADDR (see redis_test.go)
// and FLUSHALLs that server.
//
// Redis runs on the wall clock, so the keyspace runs every step at the time
// the sequence started on the server's clock, and expiry times are either
// past or days ahead: a few milliseconds of drift change nothing but TTL
// values, which are compared by sign only. (An expiry time equal to the
// start would be flaky: Redis keeps a key through its expiry millisecond.) SPOP is left out (the random
// sources differ), and so are the replies of the other random commands.
func TestRandomAgainstRedis(t *testing.T) {
	rc := dialRedis(t)
	tm := timing{
		ms:   rapid.SampledFrom([]int{-50, -1, 100_000_000, 200_000_000}),
		secs: rapid.SampledFrom([]int{-1, 100_000, 200_000}),
	}
	rapid.Check(t, func(t *rapid.T) {
		require.Equal(t, "+OK", rc.do("FLUSHALL").String())
		tv := rc.do("TIME")
		require.Len(t, tv.Array, 2)
		now := wire.Time(atoi64(tv.Array[0].Str)*1000 + atoi64(tv.Array[1].Str)/1000)
		k := New(1)
		n := rapid.IntRange(1, 60).Draw(t, "steps")
		for i := range n {
			args := genCommandWith(t, now, tm, false)
			want := rc.do(args...)
			got := k.Exec(now, args)
			if comparableReply(args) {
				require.Equal(t, canonical(args, want), canonical(args, got), "step %d: %v", i, args)
			} else {
				require.Equal(t, want.IsError(), got.IsError(), "step %d: %v: %s vs %s", i, args, want, got)
			}
			for _, key := range []string{"a", "b", "c", "d"} {
				require.Equal(t, redisKeyState(rc.do, key), redisKeyState(func(a ...string) wire.Value { return k.Exec(now, a) }, key),
					"key %q after step %d: %v", key, i, args)
			}
			checkInvariants(t, k)
		}
	})
}

// comparableReply reports whether the keyspace's reply to args must equal
// Redis's: not for random replies, nor for TTLs and GT/LT comparisons of
// relative expiry times, which the few milliseconds Redis's clock moves on
// can change.
func comparableReply(args []string) bool {
	switch strings.ToLower(args[0]) {
	case "srandmember", "hrandfield", "zrandmember", "randomkey", "ttl", "pttl":
		return false
	case "expire", "pexpire":
		for _, a := range args[3:] {
			if u := strings.ToUpper(a); u == "GT" || u == "LT" {
				return false
			}
		}
	}
	return true
}

// redisKeyState describes a key through commands: its type, its value and
// whether it has a TTL.
func redisKeyState(do func(...string) wire.Value, key string) string {
	typ := do("TYPE", key).Str
	var val wire.Value
	var args []string
	switch typ {
	case "none":
		return "none"
	case "string":
		args = []string{"GET", key}
	case "list":
		args = []string{"LRANGE", key, "0", "-1"}
	case "hash":
		args = []string{"HGETALL", key}
	case "set":
		args = []string{"SMEMBERS", key}
	case "zset":
		args = []string{"ZRANGE", key, "0", "-1", "WITHSCORES"}
	}
	if args != nil {
		val = do(args...)
	}
	ttl := do("PTTL", key)
	switch {
	case ttl.Kind != wire.KindInt:
		return typ + " PTTL " + ttl.String()
	case ttl.Int >= 0:
		return typ + " expires " + canonical(args, val)
	}
	return typ + " " + ttl.String() + " " + canonical(args, val)
}

func atoi64(s string) int64 {
	n, ok := string2ll(s)
	if !ok {
		panic("not an integer: " + s)
	}
	return n
}
