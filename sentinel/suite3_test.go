package sentinel_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sim"
)

// Scenarios S-AUTH-1 and S-SET-1 of shared/reference/redis-sentinel-tests.md
// §6 (Redis 03-runtime-reconf, §3.3 items 1 and 3–5), with the parameters of
// newSuite. S-AUTH-2 and S-ACL-1 (ACL users) are in suite_acl_test.go,
// S-HOST-1 (host names) in suite_host_test.go.

// every returns the times from..to (inclusive) in steps of step ms.
func every(from, to, step int) []int {
	var out []int
	for t := from; t <= to; t += step {
		out = append(out, t)
	}
	return out
}

// flagPoll adds a probe that asks node SENTINEL MASTER mymaster at each
// time of ms.
func (s *suite) flagPoll(node string, ms []int) *probe {
	cmds := make([][]string, len(ms))
	for i := range cmds {
		cmds[i] = []string{"SENTINEL", "MASTER", "mymaster"}
	}
	return s.probe(node, msAt(ms...), cmds...)
}

// flagsAt returns the master's flags a poll saw at each time of ms
// ("" where no reply came).
func flagsAt(p *probe, ms []int) map[int]string {
	out := map[int]string{}
	for i, at := range ms {
		if r, ok := p.replies[i]; ok {
			out[at] = mapField(r.v, "flags")
		}
	}
	return out
}

// authRun is the run of S-AUTH-1; see TestSuiteAuth1RequirePass.
type authRun struct {
	*suite
	admins      []*probe
	fresh       *probe
	s0, s1      *probe
	polls       map[string]*probe
	pollMs      []int
	restart     int
	s0Set       int
	flagsOfS0At map[int]string
}

func newAuthRun(t *testing.T) *authRun {
	const (
		kill    = 5000
		setPass = 6000
		s1Set   = 7000
		restart = 8000
		s0Set   = 20_000
	)
	s := newSuite2(t, 31, suite2Opts{})
	require.NoError(t, s.w.Schedule(kill, sim.Crash{Node: s.ids["s0"]}))
	require.NoError(t, s.w.Schedule(restart, sim.Restart{Node: s.ids["s0"]}))
	a := &authRun{suite: s, restart: restart, s0Set: s0Set, polls: map[string]*probe{}}
	for _, r := range []string{"r0", "r1", "r2", "r3", "r4"} {
		a.admins = append(a.admins, s.probe(r, msAt(setPass, setPass+10, setPass+20, 30_000, 40_000, 40_010),
			[]string{"CONFIG", "SET", "requirepass", "secret"},
			[]string{"PING"}, // the admin link itself stays authenticated
			[]string{"CONFIG", "SET", "masterauth", "secret"},
			[]string{"PING"},
			// Step 7: passwords removed; everybody stays connected.
			[]string{"CONFIG", "SET", "requirepass", ""},
			[]string{"CONFIG", "SET", "masterauth", ""}))
	}
	// A new connection without AUTH is refused.
	a.fresh = s.probe("r0", msAt(setPass+500, setPass+510), []string{"PING"}, []string{"SUBSCRIBE", "__sentinel__:hello"})
	a.s1 = s.probe("s1", msAt(s1Set), []string{"SENTINEL", "SET", "mymaster", "auth-pass", "secret"})
	a.s0 = s.probe("s0", msAt(s0Set), []string{"SENTINEL", "SET", "mymaster", "auth-pass", "secret"})
	a.pollMs = every(restart+500, 79_500, 500)
	for _, name := range all() {
		a.polls[name] = s.flagPoll(name, a.pollMs)
	}
	s.run(80 * wire.Second)
	a.flagsOfS0At = flagsAt(a.polls["s0"], a.pollMs)
	return a
}

// S-AUTH-1 (§6 row S-AUTH-1, Redis 03-runtime-reconf test 1): s0 killed;
// every Redis gets requirepass and masterauth at runtime (the connections
// already open stay authenticated, as in Redis: model/node.go marks a
// connection authenticated when it opens without requirepass); s1 is told
// auth-pass and reconnects with AUTH; s0 restarted without a password gets
// -NOAUTH PING replies, so its master is SDOWN after down-after; once told
// auth-pass it is up again (≤ 50 s). s1–s4 never see anything. The
// passwords are then removed (step 7) and everybody stays connected. The
// `disconnected` flag part is TestSuiteAuth1DisconnectedFlag.
func TestSuiteAuth1RequirePass(t *testing.T) {
	a := newAuthRun(t)
	s := a.suite
	for i, p := range a.admins {
		assert.Equal(t, "+OK", p.reply(0), "r%d", i)
		assert.Equal(t, "+PONG", p.reply(1), "r%d", i)
		assert.Equal(t, "+OK", p.reply(2), "r%d", i)
		assert.Equal(t, "+PONG", p.reply(3), "r%d", i)
		assert.Equal(t, "+OK", p.reply(4), "r%d", i)
		assert.Equal(t, "+OK", p.reply(5), "r%d", i)
	}
	assert.Equal(t, "-NOAUTH Authentication required.", a.fresh.reply(0))
	assert.Equal(t, "-NOAUTH Authentication required.", a.fresh.reply(1))
	assert.Equal(t, "+OK", a.s1.reply(0))
	assert.Equal(t, "+OK", a.s0.reply(0))

	f0 := a.flagsOfS0At
	t.Logf("s0 events: %v", s.events("s0"))
	sd := s.firstAt("s0", "+sdown", wire.Time(a.restart))
	require.Positive(t, sd, "s0: the unauthenticated master is eventually SDOWN")
	// The first PING at the restart gets -NOAUTH: SDOWN down-after later.
	assert.GreaterOrEqual(t, sd, wire.Time(a.restart+2000))
	assert.LessOrEqual(t, sd, wire.Time(a.restart+2000+1200))
	assert.Contains(t, f0[a.s0Set-500], "s_down")
	// After SENTINEL SET auth-pass: up again (≤ 50 s), connected.
	up := s.firstAt("s0", "-sdown", wire.Time(a.s0Set))
	require.Positive(t, up, "s0: master up again after auth-pass")
	assert.LessOrEqual(t, up, wire.Time(a.s0Set+50_000))
	t.Logf("s0: +sdown at %v, -sdown at %v", sd, up)
	for _, at := range a.pollMs {
		if at >= a.s0Set+5000 {
			assert.Equal(t, "master", f0[at], "s0 at %d", at)
		}
	}
	// s0's replicas, refused the same way, are SDOWN too, and up again.
	assert.Equal(t, 4, s.count("s0", "+sdown slave"), "s0: %v", s.events("s0"))
	for _, r := range []string{"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"} {
		assert.Positive(t, s.firstAt("s0", "-sdown slave "+r+":6379", wire.Time(a.s0Set)), "s0: replica %s up again", r)
	}
	// No failover ever: s0 alone never reaches ODOWN with quorum 3.
	for _, name := range all() {
		assert.Zero(t, s.count(name, "+odown"), name)
		assert.Zero(t, s.count(name, "+try-failover"), name)
		assert.Equal(t, "10.0.0.0", s.masterOf(name), name)
	}
	// s1 (re-authenticated) and s2–s4 (old authenticated links) are fine
	// all along.
	for _, name := range []string{"s1", "s2", "s3", "s4"} {
		assert.Zero(t, s.count(name, "+sdown master"), "%s: %v", name, s.events(name))
		assert.Zero(t, s.count(name, "+sdown slave"), "%s: %v", name, s.events(name))
		for at, fl := range flagsAt(a.polls[name], a.pollMs) {
			assert.Equal(t, "master", fl, "%s at %d", name, at)
		}
	}
	assert.Equal(t, 1, s.count("s1", "+set"))
	assert.Contains(t, s.events("s1"), "+set master mymaster 10.0.0.0 6379 auth-pass ******")
	s.converged(t, all())
}

// S-AUTH-1, the `disconnected` flag (Redis 03-runtime-reconf test 1 step 4,
// spec §5.2 "Authentication failures"): restarted without auth-pass, s0's
// SUBSCRIBE is refused with -NOAUTH, which drops its pub/sub connection, so
// its master shows `disconnected` within 5 s (reconnected and dropped again
// about once per second) until auth-pass is set.
func TestSuiteAuth1DisconnectedFlag(t *testing.T) {
	a := newAuthRun(t)
	first := -1
	for _, at := range a.pollMs {
		if at < a.s0Set && strings.Contains(a.flagsOfS0At[at], "disconnected") {
			first = at
			break
		}
	}
	require.Positive(t, first, "s0's master never showed disconnected: %v", a.flagsOfS0At)
	assert.LessOrEqual(t, first, a.restart+5000, "disconnected within 5 s")
	// Mostly disconnected: each reconnection is dropped a round trip later.
	n := 0
	for _, at := range a.pollMs {
		if at >= first && at < a.s0Set && strings.Contains(a.flagsOfS0At[at], "disconnected") {
			n++
		}
	}
	assert.Greater(t, n, (a.s0Set-first)/500/2, "disconnected most of the time")
}

// S-SET-1 (§6 row S-SET-1, Redis 03-runtime-reconf tests 3–5): SENTINEL SET
// with valid values, bad values, an unknown option and the wrong number of
// arguments; texts of Redis 7.0's sentinelSetCommand (spec §22.2). Options
// before a bad one stay applied.
func TestSuiteSet1Replies(t *testing.T) {
	s := newSuite2(t, 32, suite2Opts{})
	set := func(args ...string) []string { return append([]string{"SENTINEL", "SET"}, args...) }
	master := []string{"SENTINEL", "MASTER", "mymaster"}
	cases := []struct {
		cmd  []string
		want string // "" for the SENTINEL MASTER checks below
	}{
		{set("mymaster", "quorum", "4"), "+OK"},                     // 0
		{set("mymaster", "down-after-milliseconds", "3000"), "+OK"}, // 1
		{master, ""}, // 2
		{set("mymaster", "down-after-milliseconds", "-20"), "-ERR Invalid argument '-20' for SENTINEL SET 'down-after-milliseconds'"}, // 3
		{set("mymaster", "down-after-milliseconds", "abc"), "-ERR Invalid argument 'abc' for SENTINEL SET 'down-after-milliseconds'"}, // 4
		{set("mymaster", "quorum", "0"), "-ERR Invalid argument '0' for SENTINEL SET 'quorum'"},                                       // 5
		{master, ""}, // 6
		{set("mymaster", "fakeoption"), "-ERR wrong number of arguments for 'sentinel|set' command"},                                                                                                                        // 7
		{set("mymaster", "fakeoption", "fakevalue"), "-ERR Unknown option or number of arguments for SENTINEL SET 'fakeoption'"},                                                                                            // 8
		{set("mymaster", "notification-script", "test.txt"), "-ERR Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your Sentinel configuration"}, // 9
		{set("mymaster", "quorum", "5", "down-after-milliseconds", "abc"), "-ERR Invalid argument 'abc' for SENTINEL SET 'down-after-milliseconds'"},                                                                        // 10
		{master, ""}, // 11
		{set("nosuchmaster", "quorum", "2"), "-ERR No such master with that name"},                                                         // 12
		{set("mymaster", "quorum", "3", "parallel-syncs"), "-ERR Unknown option or number of arguments for SENTINEL SET 'parallel-syncs'"}, // 13
		{master, ""}, // 14
		{set("mymaster", "failover-timeout", "0"), "-ERR Invalid argument '0' for SENTINEL SET 'failover-timeout'"}, // 15
		{set("mymaster", "parallel-syncs", "0"), "-ERR Invalid argument '0' for SENTINEL SET 'parallel-syncs'"},     // 16
		{set("mymaster", "failover-timeout", "20000", "parallel-syncs", "2"), "+OK"},                                // 17
		{master, ""}, // 18
	}
	var ms []int
	var cmds [][]string
	for i, c := range cases {
		ms = append(ms, 10_000+10*i)
		cmds = append(cmds, c.cmd)
	}
	p := s.probe("s0", msAt(ms...), cmds...)
	s.run(11 * wire.Second)
	for i, c := range cases {
		if c.want != "" {
			assert.Equal(t, c.want, p.reply(i), "%d: %v", i, c.cmd)
		}
	}
	field := func(i int, f string) string {
		r, ok := p.replies[i]
		require.True(t, ok, "reply %d", i)
		return mapField(r.v, f)
	}
	assert.Equal(t, "4", field(2, "quorum"))
	assert.Equal(t, "3000", field(2, "down-after-milliseconds"))
	assert.Equal(t, "4", field(6, "quorum"), "bad values change nothing")
	assert.Equal(t, "3000", field(6, "down-after-milliseconds"), "bad values change nothing")
	assert.Equal(t, "5", field(11, "quorum"), "the option before the bad one stays applied")
	assert.Equal(t, "3000", field(11, "down-after-milliseconds"))
	assert.Equal(t, "3", field(14, "quorum"), "the option before the missing value stays applied")
	assert.Equal(t, "20000", field(18, "failover-timeout"))
	assert.Equal(t, "2", field(18, "parallel-syncs"))
	// One +set per applied option.
	var sets []string
	for _, e := range s.events("s0") {
		if strings.HasPrefix(e, "+set ") {
			sets = append(sets, e)
		}
	}
	assert.Equal(t, []string{
		"+set master mymaster 10.0.0.0 6379 quorum 4",
		"+set master mymaster 10.0.0.0 6379 down-after-milliseconds 3000",
		"+set master mymaster 10.0.0.0 6379 quorum 5",
		"+set master mymaster 10.0.0.0 6379 quorum 3",
		"+set master mymaster 10.0.0.0 6379 failover-timeout 20000",
		"+set master mymaster 10.0.0.0 6379 parallel-syncs 2",
	}, sets)
}
