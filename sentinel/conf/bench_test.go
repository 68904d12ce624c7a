package conf_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sentinel/conf"
)

// BenchmarkRewrite100Masters rewrites the file of a sentinel watching 100
// masters, each with two known sentinels: what it does at every discovery
// of a peer in incident I06's shape.
func BenchmarkRewrite100Masters(b *testing.B) {
	c := hundredMasters(b)
	for b.Loop() {
		if len(c.Rewrite()) == 0 {
			b.Fatal("empty rewrite")
		}
	}
}

// BenchmarkRewriteFunc100Masters is BenchmarkRewrite100Masters as the
// trace's digest renders it: into a buffer reused from render to render.
func BenchmarkRewriteFunc100Masters(b *testing.B) {
	c := hundredMasters(b)
	render := c.RewriteFunc()
	var buf []byte
	for b.Loop() {
		buf = render(buf[:0])
		if len(buf) == 0 {
			b.Fatal("empty rewrite")
		}
	}
}

// hundredMasters is the configuration of a sentinel watching 100 masters,
// each with two known sentinels.
func hundredMasters(b *testing.B) *conf.Config {
	var text strings.Builder
	text.WriteString("port 26379\n")
	for m := range 100 {
		fmt.Fprintf(&text, "sentinel monitor master%d 10.1.0.%d 6379 2\nsentinel down-after-milliseconds master%d 5000\nsentinel failover-timeout master%d 60000\n", m, m+1, m, m)
	}
	c, err := conf.Parse("sentinel.conf", []byte(text.String()))
	if err != nil {
		b.Fatal(err)
	}
	c.MyID = strings.Repeat("a", 40)
	for i := range c.Masters {
		c.Masters[i].KnownSentinels = []conf.KnownSentinel{
			{Addr: wire.Addr{Host: "10.0.0.2", Port: 26379}, RunID: strings.Repeat("b", 40)},
			{Addr: wire.Addr{Host: "10.0.0.3", Port: 26379}, RunID: strings.Repeat("c", 40)},
		}
	}
	return c
}
