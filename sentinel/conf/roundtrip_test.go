package conf

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// semantic is c without what only a rewrite needs (the text it came from).
func semantic(c *Config) Config {
	s := *c
	s.lines, s.old = nil, nil
	return s
}

var (
	genWord = rapid.StringMatching(`[A-Za-z0-9_.:@!$%^*+=/-]{1,12}`)
	genID   = rapid.StringMatching(`[0-9a-f]{40}`)
)

func genIP(t *rapid.T, label string) string {
	if rapid.Bool().Draw(t, label+"6") {
		ip, _ := NormalizeIP("fd00::" + strconv.FormatUint(uint64(rapid.Uint16().Draw(t, label+"w")), 16))
		return ip
	}
	return "10.0." + strconv.Itoa(rapid.IntRange(0, 255).Draw(t, label+"c")) + "." + strconv.Itoa(rapid.IntRange(0, 255).Draw(t, label+"d"))
}

func genAddr(t *rapid.T, label string, hostnames bool) wire.Addr {
	host := genIP(t, label)
	if hostnames && rapid.Bool().Draw(t, label+"name") {
		host = rapid.StringMatching(`[a-z][a-z0-9-]{0,10}\.example`).Draw(t, label+"host")
	}
	return wire.Addr{Host: host, Port: rapid.IntRange(0, 65535).Draw(t, label+"port")}
}

// genConfig draws a configuration that Check accepts.
func genConfig(t *rapid.T) *Config {
	c := New()
	c.Port = rapid.IntRange(0, 65535).Draw(t, "port")
	if rapid.Bool().Draw(t, "hasid") {
		c.MyID = genID.Draw(t, "myid")
	}
	c.ResolveHostnames = rapid.Bool().Draw(t, "resolve")
	c.AnnounceHostnames = rapid.Bool().Draw(t, "announceHostnames")
	c.DenyScripts = rapid.Bool().Draw(t, "deny")
	if rapid.Bool().Draw(t, "hasAnnounceIP") {
		c.AnnounceIP = rapid.StringN(1, 10, -1).Draw(t, "announceIP") // written quoted: anything goes
	}
	c.AnnouncePort = rapid.IntRange(-100, 70000).Draw(t, "announcePort")
	if rapid.Bool().Draw(t, "hasUser") {
		c.SentinelUser = genWord.Draw(t, "user")
		c.SentinelPass = genWord.Draw(t, "pass")
	}
	if rapid.Bool().Draw(t, "hasRequirePass") {
		c.RequirePass = rapid.StringN(1, 10, -1).Draw(t, "requirepass")
	}
	if rapid.Bool().Draw(t, "hasDir") {
		c.Dir = rapid.StringN(1, 10, -1).Draw(t, "dir")
	}
	names := rapid.SliceOfNDistinct(genWord, 0, 4, func(s string) string { return s }).Draw(t, "names")
	for i, name := range names {
		l := strconv.Itoa(i)
		m := NewMaster(name, genAddr(t, "m"+l, c.ResolveHostnames), rapid.IntRange(1, 9).Draw(t, "quorum"+l))
		if rapid.Bool().Draw(t, "custom"+l) {
			m.DownAfter = wire.Duration(rapid.Int32Range(1, 1<<31-1).Draw(t, "downAfter"+l))
			m.FailoverTimeout = wire.Duration(rapid.Int32Range(1, 1<<31-1).Draw(t, "failover"+l))
			m.ParallelSyncs = int(rapid.Int32().Draw(t, "psyncs"+l))
			m.MasterRebootDownAfterPeriod = wire.Duration(rapid.Int32Range(0, 1<<31-1).Draw(t, "reboot"+l))
			m.AuthPass = rapid.OneOf(rapid.Just(""), genWord).Draw(t, "authPass"+l)
			m.AuthUser = rapid.OneOf(rapid.Just(""), genWord).Draw(t, "authUser"+l)
			m.NotificationScript = rapid.OneOf(rapid.Just(""), genWord).Draw(t, "script"+l)
			m.ClientReconfigScript = rapid.OneOf(rapid.Just(""), genWord).Draw(t, "reconfig"+l)
		}
		m.ConfigEpoch = rapid.Uint64().Draw(t, "configEpoch"+l)
		m.LeaderEpoch = rapid.Uint64().Draw(t, "leaderEpoch"+l)
		c.CurrentEpoch = max(c.CurrentEpoch, m.ConfigEpoch)
		m.KnownReplicas = rapid.SliceOfNDistinct(rapid.Custom(func(t *rapid.T) wire.Addr { return genAddr(t, "r", c.ResolveHostnames) }),
			0, 3, func(a wire.Addr) wire.Addr { return a }).Draw(t, "replicas"+l)
		if len(m.KnownReplicas) == 0 {
			m.KnownReplicas = nil
		}
		ids := rapid.SliceOfNDistinct(genID, 0, 3, func(s string) string { return s }).Draw(t, "sentinels"+l)
		for j, id := range ids {
			m.KnownSentinels = append(m.KnownSentinels, KnownSentinel{Addr: genAddr(t, "s"+strconv.Itoa(j), c.ResolveHostnames), RunID: id})
		}
		cmds := rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"CONFIG", "SLAVEOF", "PING", "info", "Publish"}), 0, 3,
			func(s string) string { return s }).Draw(t, "renamed"+l)
		for _, cmd := range cmds {
			if m.RenameCommands == nil {
				m.RenameCommands = map[string]string{}
			}
			m.RenameCommands[cmd] = genWord.Draw(t, "to"+cmd)
		}
		c.Masters = append(c.Masters, m)
	}
	c.CurrentEpoch = max(c.CurrentEpoch, rapid.Uint64().Draw(t, "currentEpoch"))
	return c
}

// TestRewriteRoundTrip: for any configuration Check accepts,
// Parse(Rewrite(c)) is c, and rewriting that again changes nothing more
// than the blank line a rewrite of a rewrite adds at the end.
func TestRewriteRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genConfig(t)
		require.NoError(t, c.Check())
		text := c.Rewrite()
		back, err := Parse("rewritten.conf", text)
		require.NoError(t, err, "%s", text)
		require.Equal(t, semantic(c), semantic(back), "%s", text)
		again := back.Rewrite()
		again2, err := Parse("again.conf", again)
		require.NoError(t, err)
		require.Equal(t, string(again), string(again2.Rewrite()))
	})
}

// checkStable is the fuzz property: a text Parse accepts (or refuses with
// an *Error, never a panic) rewrites to a text Parse accepts as the same
// configuration, when Check says Redis could read it back, and rewriting
// again reaches a fixed point within a few rewrites. (Not always at the
// second: lines of a multi-line directive such as client-output-buffer-limit
// shift between the slots of the previous rewrite, as in Redis.)
func checkStable(t *testing.T, text []byte) {
	c, err := Parse("fuzz.conf", text)
	if err != nil {
		if _, ok := err.(*Error); !ok {
			t.Fatalf("Parse returned %T, not *Error: %v", err, err)
		}
		return
	}
	r := c.Rewrite()
	if c.Check() != nil {
		_, _ = Parse("r.conf", r) // Redis itself cannot read this back; it must not panic either
		return
	}
	for i := 0; ; i++ {
		next, err := Parse("r.conf", r)
		if err != nil {
			t.Fatalf("rewrite %d of %q does not parse: %v\n%s", i+1, text, err, r)
		}
		require.Equal(t, semantic(c), semantic(next), "input %q\nrewrite %d:\n%s", text, i+1, r)
		again := next.Rewrite()
		if string(again) == string(r) {
			return
		}
		if i == 4 {
			t.Fatalf("rewrites of %q do not settle:\n%s\n---\n%s", text, r, again)
		}
		r = again
	}
}

func FuzzParse(f *testing.F) {
	for _, dir := range []string{"testdata/golden/*", "testdata/seeds/*"} {
		files, _ := filepath.Glob(dir)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("sentinel monitor m 10.0.0.1 6379 2\nsentinel known-replica m 10.0.0.2 6379\n"))
	f.Add([]byte("sentinel monitor \"a b\" 10.0.0.1 6379 2\n"))
	f.Add([]byte("port 1\x00x\nsave 1 2\nclient-output-buffer-limit normal 1mb 2mb 3\nbind a b\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		checkStable(t, text)
	})
}

// A rewrite reads the original lines through a cache shared by copies of
// the Config: rewriting must not change what the next rewrite starts from.
func TestRewriteRepeatable(t *testing.T) {
	c, err := Parse("s.conf", []byte("port 26379\nsentinel monitor m 10.0.0.1 6379 2\n# a comment\nsentinel down-after-milliseconds m 5000\n"))
	require.NoError(t, err)
	first := string(c.Rewrite())
	cp := *c
	cp.Masters = append([]Master(nil), c.Masters...)
	cp.Masters[0].Quorum = 3
	require.Contains(t, string(cp.Rewrite()), "sentinel monitor m 10.0.0.1 6379 3")
	require.Equal(t, first, string(c.Rewrite()))
	require.Contains(t, first, "# a comment")
}
