package info

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// A Cache returns what Format returns, over a node's life: the uptime
// moving (also across days and by jumps), now and then another value, a
// replica coming or going, other sections asked for.
func TestCacheFormatsAsFormat(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	i := Defaults()
	i.RunID = "0123456789abcdef0123456789abcdef01234567"
	var c Cache
	names := [][]string{nil, {"replication"}, {"server"}, {"all"}, {"SERVER", "clients"}}
	reused := 0
	for step := range 5000 {
		switch rng.IntN(10) {
		case 0:
			i.MasterReplOffset += int64(rng.IntN(100))
		case 1:
			i.Slaves = append(i.Slaves[:len(i.Slaves):len(i.Slaves)], Replica{IP: "10.0.0.2", Port: 6379 + step, State: StateOnline})
		case 2:
			i.Slaves = nil
		case 3:
			i.UptimeSeconds += int64(rng.IntN(200000)) // days pass
		default:
			i.UptimeSeconds += int64(rng.IntN(20))
		}
		n := names[0]
		if rng.IntN(8) == 0 {
			n = names[rng.IntN(len(names))]
		}
		if c.text != "" && slices.Equal(c.names, n) && sameButUptime(&c.in, &i) {
			reused++ // the text comes from the previous one
		}
		require.Equal(t, Format(i, n...), c.Format(i, n...), "step %d", step)
	}
	require.Greater(t, reused, 2000)
}

// BenchmarkCacheFormat formats a master's INFO a second later.
func BenchmarkCacheFormat(b *testing.B) {
	i := Defaults()
	i.RunID = "0123456789abcdef0123456789abcdef01234567"
	var c Cache
	for b.Loop() {
		i.UptimeSeconds++
		if len(c.Format(i)) == 0 {
			b.Fatal("empty")
		}
	}
}

// BenchmarkFormat is BenchmarkCacheFormat without the cache.
func BenchmarkFormat(b *testing.B) {
	i := Defaults()
	i.RunID = "0123456789abcdef0123456789abcdef01234567"
	for b.Loop() {
		i.UptimeSeconds++
		if len(Format(i)) == 0 {
			b.Fatal("empty")
		}
	}
}

// sameButUptime compares every field of Info but the uptime: each field
// changed alone (through reflection, so a field added later is changed too)
// makes two Infos differ.
func TestSameButUptimeSeesEveryField(t *testing.T) {
	base := Defaults()
	for k := range reflect.TypeFor[Info]().NumField() {
		changed := base
		f := reflect.ValueOf(&changed).Elem().Field(k)
		switch f.Kind() {
		case reflect.String:
			f.SetString(f.String() + "x")
		case reflect.Int, reflect.Int64:
			f.SetInt(f.Int() + 1)
		case reflect.Bool:
			f.SetBool(!f.Bool())
		case reflect.Slice:
			f.Set(reflect.ValueOf([]Replica{{IP: "10.0.0.2", Port: 1}}))
		default:
			t.Fatalf("field %s: a kind the test does not change", reflect.TypeFor[Info]().Field(k).Name)
		}
		name := reflect.TypeFor[Info]().Field(k).Name
		require.Equal(t, name == "UptimeSeconds", sameButUptime(&base, &changed), name)
	}
}
