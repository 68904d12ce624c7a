package keyspace

import (
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// run executes a command line at a time and returns the reply's String.
func run(k *Keyspace, at wire.Time, line string) string {
	return k.Exec(at, splitArgs(line)).String()
}

func TestExpiryFollowsSimulatedClock(t *testing.T) {
	k := New(1)
	require.Equal(t, "+OK", run(k, 0, "SET k v PX 100"))
	assert.Equal(t, `"v"`, run(k, 0, "GET k"))
	assert.Equal(t, ":100", run(k, 0, "PTTL k"))
	assert.Equal(t, ":0", run(k, 0, "TTL k")) // 100 ms rounds to 0 s
	assert.Equal(t, ":50", run(k, 50, "PTTL k"))
	assert.Equal(t, ":100", run(k, 50, "PEXPIRETIME k"))
	assert.Equal(t, ":0", run(k, 50, "EXPIRETIME k"))
	assert.Equal(t, `"v"`, run(k, 99, "GET k"))
	assert.Equal(t, ":1", run(k, 99, "PTTL k"))
	assert.Equal(t, "(nil)", run(k, 100, "GET k"))
	assert.Equal(t, ":-2", run(k, 100, "PTTL k"))
	assert.Equal(t, 0, k.Len())

	// Keys expire by the clock alone, without being touched.
	require.Equal(t, "+OK", run(k, 1000, "SET a 1 EX 2"))
	require.Equal(t, "+OK", run(k, 1000, "SET b 2"))
	assert.Equal(t, ":2", run(k, 1000, "TTL a"))
	assert.Equal(t, ":2", run(k, 1500, "TTL a")) // 1500 ms rounds up, as Redis
	assert.Equal(t, ":1", run(k, 1501, "TTL a"))
	assert.Equal(t, 2, len(k.Snapshot(2999).Entries))
	assert.Equal(t, 1, len(k.Snapshot(3000).Entries))
	assert.Equal(t, 1, k.Len())

	// EXPIREAT and SET PXAT take simulated time; past times delete at once.
	require.Equal(t, "+OK", run(k, 5000, "SET c 3"))
	assert.Equal(t, ":1", run(k, 5000, "EXPIREAT c 7"))
	assert.Equal(t, ":2000", run(k, 5000, "PTTL c"))
	assert.Equal(t, ":7", run(k, 5000, "EXPIRETIME c"))
	assert.Equal(t, ":1", run(k, 5000, "PEXPIREAT c 5000"))
	assert.Equal(t, ":0", run(k, 5000, "EXISTS c"))
	require.Equal(t, "+OK", run(k, 5000, "SET c 3 PXAT 5000"))
	assert.Equal(t, ":0", run(k, 5000, "EXISTS c"))
	require.Equal(t, "+OK", run(k, 5000, "SET c 3 PXAT 5001"))
	assert.Equal(t, ":1", run(k, 5000, "EXISTS c"))
	assert.Equal(t, ":0", run(k, 5001, "EXISTS c"))
	require.Equal(t, "+OK", run(k, 5000, "SET c 3"))
	assert.Equal(t, `"3"`, run(k, 5000, "GETEX c PXAT 4000"))
	assert.Equal(t, ":0", run(k, 5000, "EXISTS c"))

	// SETEX, GETEX, PERSIST, INCRBYFLOAT keeping the TTL.
	require.Equal(t, "+OK", run(k, 6000, "SETEX d 10 1.5"))
	assert.Equal(t, `"2"`, run(k, 6000, "INCRBYFLOAT d 0.5"))
	assert.Equal(t, ":10000", run(k, 6000, "PTTL d"))
	assert.Equal(t, `"2"`, run(k, 7000, "GETEX d PX 10"))
	assert.Equal(t, ":10", run(k, 7000, "PTTL d"))
	assert.Equal(t, ":1", run(k, 7005, "PERSIST d"))
	assert.Equal(t, ":-1", run(k, 100000, "PTTL d"))

	// A backward clock jump keeps the absolute expiry time, as in Redis.
	require.Equal(t, "+OK", run(k, 10000, "SET e v PX 100"))
	assert.Equal(t, ":50", run(k, 10050, "PTTL e"))
	assert.Equal(t, ":150", run(k, 9950, "PTTL e"))
	assert.Equal(t, `"v"`, run(k, 10099, "GET e"))
	assert.Equal(t, "(nil)", run(k, 10100, "GET e"))

	// Expiry times as far ahead as Redis takes them, kept exactly.
	require.Equal(t, "+OK", run(k, 0, "SET f v PXAT 9223372036854775807"))
	assert.Equal(t, ":9223372036854775807", run(k, 0, "PTTL f"))
	assert.Equal(t, ":9223372036854776", run(k, 0, "TTL f"))
	assert.Equal(t, ":9223372036854775807", run(k, -10, "PTTL f")) // saturates
	assert.Equal(t, ":9223372036854775807", run(k, 0, "PEXPIRETIME f"))
	r := New(2)
	r.Restore(5, k.Snapshot(5))
	assert.Equal(t, k.Digest(5), r.Digest(5))
	assert.Equal(t, ":9223372036854775802", run(r, 5, "PTTL f"))
}

// TestBitopEmptyResultLeavesNoTTL is the case rapid found in
// TestSnapshotRoundTrip (seed 1459321948498419968): BITOP with an empty
// result deletes its destination, and miniredis left the deleted key's TTL
// behind for the next SET of the key to inherit, so the keyspace and a copy
// restored from its snapshot then disagreed (and Redis gives the new key no
// TTL).
func TestBitopEmptyResultLeavesNoTTL(t *testing.T) {
	k := New(3)
	require.Equal(t, "+OK", run(k, 0, `SET b "" EX 1`))
	require.Equal(t, ":0", run(k, 0, "BITOP OR b b b"))
	assert.Equal(t, ":-2", run(k, 0, "PTTL b"))
	r := New(4)
	r.Restore(0, k.Snapshot(0))
	for _, ks := range []*Keyspace{k, r} {
		require.Equal(t, "+OK", run(ks, 0, "SET b 1"))
		assert.Equal(t, ":-1", run(ks, 0, "PTTL b"))
		assert.Equal(t, `"1"`, run(ks, 1000, "GET b"))
		checkInvariants(t, ks)
	}
	assert.Equal(t, k.Digest(1000), r.Digest(1000))
}

// TestTTLRules: the TTL each kind of write leaves, after every command
// (the replies themselves are checked against Redis in testdata).
func TestTTLRules(t *testing.T) {
	for _, c := range []struct {
		lines []string
		want  string // PTTL k at the end
	}{
		{[]string{"SET k x PX 100", "BITOP OR k k"}, ":-1"},               // replaced
		{[]string{"SET k x PX 100", "MSET k y"}, ":-1"},                   // replaced
		{[]string{"SET k x PX 100", "GETSET k y"}, ":-1"},                 // replaced
		{[]string{"SADD k x", "PEXPIRE k 100", "SUNIONSTORE k k"}, ":-1"}, // replaced
		{[]string{"SET k x PX 100", "SET k y KEEPTTL"}, ":100"},           // kept
		{[]string{"SET k x PX 100", "APPEND k y", "SETRANGE k 0 z", "SETBIT k 0 1", "INCRBYFLOAT j 1"}, ":100"},
		{[]string{"RPUSH s 1", "PEXPIRE s 50", "RPUSH k 2", "PEXPIRE k 100", "LMOVE s k LEFT LEFT"}, ":100"},
		{[]string{"RPUSH s 1", "PEXPIRE s 50", "LMOVE s k LEFT LEFT"}, ":-1"}, // created
		{[]string{"RPUSH k 1", "PEXPIRE k 100", "LMOVE k k LEFT LEFT"}, ":100"},
		{[]string{"SET s 1 PX 50", "SET k 2 PX 100", "RENAME s k"}, ":50"}, // moved
		{[]string{"SET s 1", "SET k 2 PX 100", "RENAME s k"}, ":-1"},
		{[]string{"SET s 1", "SET k 2 PX 100", "COPY s k REPLACE"}, ":-1"},
		{[]string{"SET s 1 PX 50", "COPY s k"}, ":50"},
		{[]string{"SET k 1 PX 100", "DEL k", "SET k 2"}, ":-1"}, // deleted
		{[]string{"SADD k x", "PEXPIRE k 100", "SPOP k", "SADD k y"}, ":-1"},
		{[]string{"SET k 1 PX 100", "FLUSHALL", "SET k 2"}, ":-1"},
	} {
		k := New(1)
		for _, line := range c.lines {
			require.False(t, k.Exec(0, splitArgs(line)).IsError(), line)
			checkInvariants(t, k)
		}
		assert.Equal(t, c.want, run(k, 0, "PTTL k"), "%v", c.lines)
	}
}

func TestExpiryHeapStaysSmall(t *testing.T) {
	// Every SET EX pushes an expiry; rewriting the same keys must not grow
	// the heap without bound, and expiries must stay exact.
	k := New(1)
	for i := range 20000 {
		key := "k" + string(rune('a'+i%10))
		require.Equal(t, "+OK", run(k, wire.Time(i), "SET "+key+" v PX 100000"))
	}
	assert.LessOrEqual(t, len(k.expiries), 2048)
	assert.Equal(t, 10, k.Len())
	assert.Equal(t, ":100000", run(k, 19999, "PTTL kj"))
	assert.Equal(t, ":1", run(k, 119998, "EXISTS kj"))
	assert.Equal(t, ":0", run(k, 119999, "EXISTS kj"))
	assert.Equal(t, 0, k.Len())
	assert.Empty(t, k.expiries)

	// TTLs moved by RENAME and COPY expire on their new keys.
	run(k, 0, "SET a 1 PX 100")
	run(k, 0, "RENAME a b")
	run(k, 0, "COPY b c")
	run(k, 0, "PERSIST b")
	assert.Equal(t, ":100", run(k, 0, "PTTL c"))
	assert.Equal(t, ":2", run(k, 99, "EXISTS b c"))
	assert.Equal(t, ":1", run(k, 100, "EXISTS b c"))
}

func TestNotKeyspaceCommands(t *testing.T) {
	k := New(1)
	run(k, 0, "SET a 1")
	for _, line := range []string{
		"MULTI", "EXEC", "DISCARD", "WATCH a", "UNWATCH", "SUBSCRIBE ch", "PUBLISH ch m",
		"PSUBSCRIBE *", "SELECT 1", "SWAPDB 0 1", "MOVE a 1", "EVAL \"return 1\" 0",
		"CLIENT LIST", "CONFIG GET *", "INFO", "DEBUG SLEEP 0", "AUTH x", "HELLO 3",
		"SHUTDOWN", "BLPOP a 0", "BRPOP a 1", "BLMOVE a b LEFT LEFT 0", "BZPOPMIN a 0",
		"XADD s * f v", "PFADD h a", "GEOADD g 1 1 m", "PING", "TIME", "WAIT 1 0",
		"REPLICAOF NO ONE", "OBJECT ENCODING a", "DUMP a", "SORT a", "COPY a b DB 1", "quit",
	} {
		args := splitArgs(line)
		v := k.Exec(1, args)
		assert.Equal(t, CodeNotKeyspace, v.ErrorCode(), line)
		assert.Equal(t, args[0] == "COPY", Supported(args[0]), line)
		assert.True(t, IsRedisCommand(args[0]), line)
	}
	assert.Equal(t, `"1"`, run(k, 2, "GET a"))
	assert.Equal(t, 1, k.Len())

	v := k.Exec(3, []string{"nosuch", "a"})
	assert.Equal(t, "ERR unknown command 'nosuch', with args beginning with: 'a' ", v.Str)
	assert.Equal(t, "ERR", v.ErrorCode())
	assert.Equal(t, "ERR empty command", k.Exec(3, nil).Str)
	long := strings.Repeat("x", 300)
	v = k.Exec(3, []string{long, long, "b"})
	assert.Equal(t, "ERR unknown command '"+long[:128]+"', with args beginning with: '"+long[:128]+"' ", v.Str)
}

func TestSupportedCommandsAreRegisteredInMiniredis(t *testing.T) {
	k := New(1)
	n := 0
	for name, c := range commands {
		if c.flags&flagSupported == 0 || name != c.name {
			continue
		}
		n++
		assert.True(t, k.srv.IsRegisteredCommand(name), name)
		assert.True(t, IsRedisCommand(name), name)
		assert.True(t, Supported(strings.ToUpper(name)), name)
		assert.True(t, Supported(strings.ToUpper(name[:1])+name[1:]), name)
	}
	assert.Greater(t, n, 100)
}

func TestIsWrite(t *testing.T) {
	for name, want := range map[string]bool{
		"SET": true, "set": true, "SeTeX": true, "PSETEX": true, "SETNX": true, "MSET": true,
		"APPEND": true, "INCR": true, "INCRBY": true, "DECR": true, "DECRBY": true,
		"INCRBYFLOAT": true, "GETSET": true, "GETDEL": true, "GETEX": true, "SETRANGE": true,
		"SETBIT": true, "BITOP": true, "DEL": true, "UNLINK": true, "EXPIRE": true,
		"PEXPIRE": true, "EXPIREAT": true, "PEXPIREAT": true, "PERSIST": true, "RENAME": true,
		"RENAMENX": true, "COPY": true, "MOVE": true, "FLUSHALL": true, "FLUSHDB": true,
		"SWAPDB": true, "RESTORE": true, "LPUSH": true, "RPUSH": true, "LPUSHX": true,
		"LPOP": true, "RPOP": true, "LSET": true, "LREM": true, "LTRIM": true, "LINSERT": true,
		"LMOVE": true, "RPOPLPUSH": true, "LMPOP": true, "BLPOP": true, "BLMOVE": true,
		"HSET": true, "HMSET": true, "HSETNX": true, "HDEL": true, "HINCRBY": true,
		"HINCRBYFLOAT": true, "SADD": true, "SREM": true, "SPOP": true, "SMOVE": true,
		"SINTERSTORE": true, "SUNIONSTORE": true, "SDIFFSTORE": true, "ZADD": true,
		"ZINCRBY": true, "ZREM": true, "ZPOPMIN": true, "ZPOPMAX": true, "ZMPOP": true,
		"ZUNIONSTORE": true, "ZINTERSTORE": true, "ZREMRANGEBYSCORE": true, "XADD": true,
		"PFADD": true, "GEOADD": true, "SORT": true,

		"GET": false, "MGET": false, "STRLEN": false, "GETRANGE": false, "GETBIT": false,
		"BITCOUNT": false, "EXISTS": false, "TYPE": false, "TTL": false, "PTTL": false,
		"KEYS": false, "SCAN": false, "RANDOMKEY": false, "DBSIZE": false, "TOUCH": false,
		"LRANGE": false, "LLEN": false, "LINDEX": false, "LPOS": false, "HGET": false,
		"HGETALL": false, "HKEYS": false, "HRANDFIELD": false, "SMEMBERS": false,
		"SISMEMBER": false, "SRANDMEMBER": false, "SINTER": false, "ZRANGE": false,
		"ZSCORE": false, "ZRANDMEMBER": false, "ZUNION": false, "EXPIRETIME": false,
		"PING": false, "INFO": false, "MULTI": false, "EXEC": false, "PUBLISH": false,
		"EVAL": false, "SORT_RO": false, "XGROUP": false, "nosuch": false, "": false,
	} {
		assert.Equal(t, want, IsWrite(name), name)
	}
}

// TestIsWriteAgainstRedis compares IsWrite and IsRedisCommand with the
// flags COMMAND reports on a real Redis server.
func TestIsWriteAgainstRedis(t *testing.T) {
	rc := dialRedis(t)
	v := rc.do("COMMAND")
	require.Equal(t, wire.KindArray, v.Kind)
	require.Greater(t, len(v.Array), 200)
	for _, c := range v.Array {
		name := c.Array[0].Str
		write := false
		for _, f := range c.Array[2].Array {
			write = write || f.Str == "write"
		}
		assert.Equal(t, write, IsWrite(name), name)
		assert.True(t, IsRedisCommand(name), name)
	}
}

func TestNewLeavesNoGoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
	for range 20 {
		k := New(1)
		run(k, 0, "SET a b")
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before)
}

func TestRandomCommandsFollowTheSeed(t *testing.T) {
	replies := func(seed int64) []string {
		k := New(seed)
		run(k, 0, "SADD s a b c d e f g h")
		run(k, 0, "HSET h a 1 b 2 c 3 d 4")
		run(k, 0, "ZADD z 1 a 2 b 3 c 4 d")
		run(k, 0, "MSET k1 1 k2 2 k3 3 k4 4")
		var out []string
		for i := range 10 {
			for _, line := range []string{"SRANDMEMBER s 3", "SRANDMEMBER s -3", "HRANDFIELD h 2 WITHVALUES",
				"ZRANDMEMBER z -2 WITHSCORES", "RANDOMKEY", "SPOP s"} {
				out = append(out, run(k, wire.Time(i), line))
			}
		}
		return out
	}
	assert.Equal(t, replies(42), replies(42))
	assert.NotEqual(t, replies(42), replies(43))
}

func TestSnapshotContent(t *testing.T) {
	k := New(1)
	for _, line := range []string{
		"SET s hello PX 1500", "RPUSH l b a c", "HSET h z 1 a 2", "SADD set q p", "ZADD z 2 b 1 a -0 c",
	} {
		require.False(t, k.Exec(1000, splitArgs(line)).IsError(), line)
	}
	s := k.Snapshot(1200)
	require.Empty(t, s.Skipped)
	assert.Equal(t, []Entry{
		{Key: "h", Type: TypeHash, Hash: []Field{{"a", "2"}, {"z", "1"}}},
		{Key: "l", Type: TypeList, List: []string{"b", "a", "c"}},
		{Key: "s", Type: TypeString, Str: "hello", Expires: true, ExpireAt: 2500},
		{Key: "set", Type: TypeSet, Set: []string{"p", "q"}},
		{Key: "z", Type: TypeZSet, Sorted: []Member{{"a", 1}, {"b", 2}, {"c", 0}}},
	}, s.Entries)
	b := s.Encode()
	assert.Equal(t, b, k.Snapshot(1300).Encode(), "same dataset, same bytes")
	s2, err := Decode(b)
	require.NoError(t, err)
	assert.Equal(t, s, s2)

	k2 := New(2)
	run(k2, 0, "SET junk 1")
	k2.Restore(1300, s2)
	assert.Equal(t, k.Digest(1300), k2.Digest(1300))
	assert.Equal(t, 5, k2.Len())
	assert.Equal(t, ":1200", run(k2, 1300, "PTTL s"))
	// Restored after the expiry: the key is left out.
	k2.Restore(2500, s2)
	assert.Equal(t, 4, k2.Len())
	assert.Equal(t, k.Digest(2500), k2.Digest(2500))

	k.Flush()
	assert.Equal(t, 0, k.Len())
	empty := k.Snapshot(0).Encode()
	s3, err := Decode(empty)
	require.NoError(t, err)
	assert.Empty(t, s3.Entries)
}

func TestDecodeRejects(t *testing.T) {
	k := New(1)
	run(k, 0, "SET a 1")
	run(k, 0, "SADD s x y")
	good := k.Snapshot(0).Encode()
	for i := range good {
		bad := append([]byte(nil), good...)
		bad[i] ^= 0x01
		_, err := Decode(bad)
		assert.Error(t, err, "flipped byte %d", i)
	}
	for n := range len(good) {
		_, err := Decode(good[:n])
		assert.Error(t, err, "truncated to %d", n)
	}
	assert.Panics(t, func() { Snapshot{Skipped: []string{"st"}}.Encode() })
	assert.Panics(t, func() {
		Snapshot{Entries: []Entry{{Key: "b", Type: TypeString}, {Key: "a", Type: TypeString}}}.Encode()
	})
}

func TestPropagate(t *testing.T) {
	for _, c := range []struct {
		line  string
		reply wire.Value
		want  [][]string
	}{
		{"GET k", wire.Bulk("v"), nil},
		{"SET k v", wire.OK(), [][]string{{"SET", "k", "v"}}},
		{"SET k v EX 10", wire.OK(), [][]string{{"SET", "k", "v", "PXAT", "11000"}}},
		{"SET k v px 10 NX", wire.OK(), [][]string{{"SET", "k", "v", "PXAT", "1010"}}},
		{"SET k v NX", wire.Nil(), nil},
		{"SET k v NX GET", wire.Bulk("old"), nil},
		{"SET k v XX GET", wire.Nil(), nil},
		{"SET k v XX GET", wire.Bulk("old"), [][]string{{"SET", "k", "v", "XX", "GET"}}},
		{"SET k v EXAT 5", wire.OK(), [][]string{{"SET", "k", "v", "PXAT", "5000"}}},
		{"SETEX k 2 v", wire.OK(), [][]string{{"SET", "k", "v", "PXAT", "3000"}}},
		{"PSETEX k 2 v", wire.OK(), [][]string{{"SET", "k", "v", "PXAT", "1002"}}},
		{"EXPIRE k 3", wire.Int(1), [][]string{{"PEXPIREAT", "k", "4000"}}},
		{"EXPIRE k 3", wire.Int(0), nil},
		{"EXPIRE k -1", wire.Int(1), [][]string{{"DEL", "k"}}},
		{"PEXPIREAT k 900", wire.Int(1), [][]string{{"DEL", "k"}}},
		{"EXPIREAT k 9 GT", wire.Int(1), [][]string{{"PEXPIREAT", "k", "9000"}}},
		{"GETEX k", wire.Bulk("v"), nil},
		{"GETEX k EX 1", wire.Bulk("v"), [][]string{{"PEXPIREAT", "k", "2000"}}},
		{"GETEX k PERSIST", wire.Bulk("v"), [][]string{{"PERSIST", "k"}}},
		{"GETEX k EX 1", wire.Nil(), nil},
		{"SPOP s", wire.Bulk("m"), [][]string{{"SREM", "s", "m"}}},
		{"SPOP s 2", wire.BulkArray("m", "n"), [][]string{{"SREM", "s", "m", "n"}}},
		{"SPOP s 2", wire.Array(), nil},
		{"SPOP s", wire.Nil(), nil},
		{"INCRBYFLOAT f 0.1", wire.Bulk("1.1"), [][]string{{"SET", "f", "1.1", "KEEPTTL"}}},
		{"HINCRBYFLOAT h f 0.1", wire.Bulk("1.1"), [][]string{{"HSET", "h", "f", "1.1"}}},
		{"INCR k", wire.Error("ERR value is not an integer or out of range"), nil},
		{"lpush l a", wire.Int(1), [][]string{{"lpush", "l", "a"}}},
	} {
		assert.Equal(t, c.want, Propagate(1000, splitArgs(c.line), c.reply), c.line)
	}
}

func dialRedis(t *testing.T) *redisConn {
	t.Helper()
	addr := os.Getenv("KEYSPACE_REDIS_ADDR")
	if addr == "" {
		t.Skip("KEYSPACE_REDIS_ADDR not set")
	}
	return newRedisConn(t, addr)
}

// The SCAN family checks its cursor and COUNT as Redis does; a negative
// cursor used to make miniredis panic inside the node.
func TestScanArgumentErrors(t *testing.T) {
	k := New(1)
	k.Exec(0, []string{"SADD", "s", "a"})
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"SSCAN", "s", "-1"}, "-ERR invalid cursor"},
		{[]string{"SCAN", "-1"}, "-ERR invalid cursor"},
		{[]string{"HSCAN", "h", "x"}, "-ERR invalid cursor"},
		{[]string{"ZSCAN", "z", "0", "COUNT", "-3"}, "-ERR syntax error"},
		{[]string{"SSCAN", "s", "0", "COUNT", "0"}, "-ERR syntax error"},
		{[]string{"SSCAN", "s", "0", "COUNT", "x"}, "-ERR value is not an integer or out of range"},
		{[]string{"SSCAN", "s", "0"}, `["0" ["a"]]`},
	} {
		if got := k.Exec(0, tc.args).String(); got != tc.want {
			t.Errorf("%v: got %s, want %s", tc.args, got, tc.want)
		}
	}
}
