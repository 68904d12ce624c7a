package keyspace

import (
	"strconv"
	"testing"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// benchSetGet runs SET then GET on keys of a keyspace holding n keys, one
// simulated millisecond apart; withTTL gives every key a TTL, which makes
// each clock step scan the keys to expire them.
func benchSetGet(b *testing.B, n int, withTTL bool) {
	k := New(1)
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "key:" + strconv.Itoa(i)
		args := []string{"SET", keys[i], "value"}
		if withTTL {
			args = append(args, "EX", "100000")
		}
		k.Exec(0, args)
	}
	set := []string{"SET", "", "some value"}
	if withTTL {
		set = append(set, "EX", "100000")
	}
	get := []string{"GET", ""}
	b.ReportAllocs()
	b.ResetTimer()
	now := wire.Time(1)
	for i := 0; b.Loop(); i++ {
		key := keys[i%n]
		set[1], get[1] = key, key
		k.Exec(now, set)
		if v := k.Exec(now, get); v.Str != "some value" {
			b.Fatal(v)
		}
		now++
	}
	b.ReportMetric(float64(2*b.N)/b.Elapsed().Seconds(), "ops/s")
}

func BenchmarkExecSetGet(b *testing.B)           { benchSetGet(b, 1000, false) }
func BenchmarkExecSetGetTTL100(b *testing.B)     { benchSetGet(b, 100, true) }
func BenchmarkExecSetGetTTL1000(b *testing.B)    { benchSetGet(b, 1000, true) }
func BenchmarkExecSetGetFewKeys(b *testing.B)    { benchSetGet(b, 10, false) }
func BenchmarkExecSetGetFewKeysTTL(b *testing.B) { benchSetGet(b, 10, true) }
