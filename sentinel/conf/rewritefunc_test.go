package conf_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sentinel/conf"
)

// RewriteFunc's function returns what Rewrite returned when it was made,
// also when called later, on another goroutine, while copies of the
// Config (which share the reading of the old file) are rewritten and
// changed (go test -race checks the sharing).
func TestRewriteFuncIsRewriteLater(t *testing.T) {
	text := "port 26380\n# keep me\nsentinel monitor mymaster 10.0.0.1 6379 2\nsentinel down-after-milliseconds mymaster 5000\nsentinel myid " +
		strings.Repeat("a", 40) + "\n"
	c, err := conf.Parse("sentinel.conf", []byte(text))
	require.NoError(t, err)
	ref, err := conf.Parse("sentinel.conf", []byte(text)) // its own cache: c's is not filled here
	require.NoError(t, err)

	var fns []func([]byte) []byte
	var want [][]byte
	for i := range 20 {
		for _, base := range []*conf.Config{ref, c} {
			n := *base // as a sentinel's persist does: a copy with its own masters
			n.CurrentEpoch = uint64(i)
			n.Masters = append([]conf.Master(nil), base.Masters...)
			n.Masters[0].KnownSentinels = []conf.KnownSentinel{{Addr: wire.Addr{Host: "10.0.0.9", Port: 26379 + i}, RunID: strings.Repeat("b", 40)}}
			if base == ref {
				want = append(want, n.Rewrite())
			} else {
				fns = append(fns, n.RewriteFunc())
			}
		}
	}
	got := make(chan [][]byte)
	go func() {
		var out [][]byte
		for _, f := range fns {
			out = append(out, f(nil))
		}
		got <- out
	}()
	for i := range 50 {
		n := *c // the shared cache in use meanwhile, with numbers of its own
		n.Port = 30000 + i
		require.NotEmpty(t, n.Rewrite())
	}
	out := <-got
	require.Equal(t, want, out)
	require.Contains(t, string(out[19]), "sentinel current-epoch 19\n")
	require.Contains(t, string(out[19]), "sentinel known-sentinel mymaster 10.0.0.9 26398 ")
	require.Contains(t, string(out[0]), "# keep me\n")
}

// A rewrite appends to the buffer it is given, and rewrites of different
// files, one after the other, share no state through the pool of rewrite
// states: each file comes out as it did the first time.
func TestRewriteFuncAppendsAndPoolsNothing(t *testing.T) {
	texts := []string{
		"port 26380\n# one\nsentinel monitor a 10.0.0.1 6379 2\nsentinel down-after-milliseconds a 5000\n",
		"sentinel monitor b 10.0.0.2 6380 1\nsentinel monitor c 10.0.0.3 6381 1\nsentinel config-epoch b 7\nbind 127.0.0.1\n",
		"# nothing but a comment\n",
	}
	var first []string
	for round := range 3 {
		for i, text := range texts {
			c, err := conf.Parse("sentinel.conf", []byte(text))
			require.NoError(t, err)
			c.CurrentEpoch = uint64(i)
			whole := string(c.Rewrite())
			if round == 0 {
				first = append(first, whole)
				require.Contains(t, whole, "sentinel current-epoch "+strconv.Itoa(i)+"\n")
			}
			require.Equal(t, first[i], whole, "file %d, round %d", i, round)
			// Into a buffer with room to spare and bytes of its own.
			dst := make([]byte, 0, 64<<10)
			dst = append(dst, "kept "...)
			got := c.RewriteFunc()(dst)
			require.Equal(t, "kept "+whole, string(got))
		}
	}
	require.Contains(t, first[0], "# one\n")
	require.NotContains(t, first[1], "# one")
	require.Contains(t, first[1], "sentinel monitor c 10.0.0.3 6381 1\n")
	require.NotContains(t, first[2], "sentinel monitor")
}
