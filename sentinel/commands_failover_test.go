package sentinel_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sim"
)

// SENTINEL FAILOVER on a healthy cluster promotes a replica without ODOWN
// and without an election (FORCE_FAILOVER, spec §22.2): the sentinel still
// votes for itself, is "elected" at once, and the others learn the new
// configuration from its hellos.
func TestSentinelFailoverForced(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		t.Run("seed="+strconv.FormatUint(seed, 10), func(t *testing.T) { forcedFailover(t, seed) })
	}
}

func forcedFailover(t *testing.T, seed uint64) {
	c := newCluster(t, seed, healthy)
	s := c.newSession(
		at(20_000, "s1", 1, "SENTINEL", "failover", "mymaster"),
		at(20_005, "s1", 1, "SENTINEL", "failover", "mymaster"),
		at(50_000, "s2", 1, "SENTINEL", "get-master-addr-by-name", "mymaster"),
		at(50_000, "s3", 1, "SENTINEL", "get-master-addr-by-name", "mymaster"),
		at(50_000, "s1", 1, "SENTINEL", "get-master-addr-by-name", "mymaster"),
	)
	c.run(51 * wire.Second)
	assert.Equal(t, "+OK", s.reply(0))
	assert.Equal(t, "-INPROG Failover already in progress", s.reply(1))
	assert.Contains(t, c.traceEvents("s1"), "# Executing user requested FAILOVER of 'mymaster'")

	ev := types(c.events("s1"))
	assert.True(t, subsequence(ev, []string{
		"+new-epoch", "+try-failover", "+vote-for-leader", "+elected-leader",
		"+failover-state-select-slave", "+selected-slave", "+failover-state-send-slaveof-noone",
		"+failover-state-wait-promotion", "+promoted-slave", "+failover-state-reconf-slaves",
		"+slave-reconf-sent", "+slave-reconf-inprog", "+slave-reconf-done", "+failover-end", "+switch-master",
	}), "%v", c.events("s1"))
	for _, e := range []string{"+sdown", "+odown"} {
		assert.NotContains(t, ev, e, "no failure was needed")
	}
	var promoted string
	for _, e := range c.events("s1") {
		if f := strings.Fields(e); f[0] == "+switch-master" {
			require.Equal(t, []string{"mymaster", "10.0.0.1", "6379"}, f[1:4])
			promoted = f[4]
		}
	}
	require.NotEmpty(t, promoted)
	for _, o := range []string{"s2", "s3"} {
		assert.True(t, subsequence(types(c.events(o)), []string{"+config-update-from", "+switch-master"}), "%s: %v", o, c.events(o))
	}
	want := `["` + promoted + `" "6379"]`
	assert.Equal(t, []string{want, want, want}, []string{s.reply(2), s.reply(3), s.reply(4)})
	newMaster := "redis" + promoted[len(promoted)-1:]
	assert.True(t, c.node(newMaster).Config().ReplicaOf.IsZero(), "%s was promoted", newMaster)
}

// With no replica to promote, SENTINEL FAILOVER refuses (spec §22.2), and
// SENTINEL MONITOR / SET / REMOVE change what the sentinel monitors, with
// their events, persisted across a restart (as is CONFIG SET).
func TestSentinelMonitorSetRemove(t *testing.T) {
	c := newCluster(t, 3, healthy)
	s := c.newSession(
		at(15_000, "s1", 1, "SENTINEL", "monitor", "other", "10.0.0.9", "6379", "1"),
		at(15_010, "s1", 1, "SENTINEL", "failover", "other"),
		at(15_020, "s1", 1, "SENTINEL", "set", "other", "quorum", "2", "down-after-milliseconds", "1000",
			"auth-pass", "secret", "rename-command", "CONFIG", "XCONFIG"),
		at(15_030, "s1", 1, "SENTINEL", "set", "other", "failover-timeout", "5000", "parallel-syncs", "abc"),
		at(15_040, "s1", 1, "SENTINEL", "master", "other"),
		at(15_050, "s1", 1, "SENTINEL", "set", "mymaster", "quorum", "3"),
		// s1 restarts at 16 s: a new connection.
		at(18_000, "s1", 2, "SENTINEL", "master", "other"),
		at(18_010, "s1", 2, "SENTINEL", "master", "mymaster"),
		at(18_020, "s1", 2, "SENTINEL", "remove", "other"),
		at(18_030, "s1", 2, "SENTINEL", "remove", "other"),
		at(18_040, "s1", 2, "SENTINEL", "master", "other"),
		at(22_000, "s1", 3, "SENTINEL", "master", "other"),
		at(22_010, "s1", 3, "ROLE"),
		at(15_060, "s1", 1, "SENTINEL", "config", "set", "sentinel-user", "bob"),
		at(22_020, "s1", 3, "SENTINEL", "config", "get", "sentinel-user"),
		at(22_030, "s1", 3, "INFO", "server"),
	)
	require.NoError(t, c.w.Schedule(16_000, sim.Restart{Node: c.ids["s1"]}))
	require.NoError(t, c.w.Schedule(20_000, sim.Restart{Node: c.ids["s1"]}))
	c.run(23 * wire.Second)

	assert.Equal(t, "+OK", s.reply(0))
	assert.Equal(t, "-NOGOODSLAVE No suitable replica to promote", s.reply(1))
	assert.Equal(t, "+OK", s.reply(2))
	assert.Equal(t, "-ERR Invalid argument 'abc' for SENTINEL SET 'parallel-syncs'", s.reply(3))
	m := s.replies[4]
	assert.Equal(t, []string{"2", "1000", "5000", "1"},
		[]string{field(m, "quorum"), field(m, "down-after-milliseconds"), field(m, "failover-timeout"), field(m, "parallel-syncs")})
	assert.Equal(t, "+OK", s.reply(5))

	var sets []string
	for _, e := range c.events("s1") {
		if strings.HasPrefix(e, "+set ") || strings.HasPrefix(e, "+monitor master other") || strings.HasPrefix(e, "-monitor") {
			sets = append(sets, e)
		}
	}
	assert.Equal(t, []string{
		"+monitor master other 10.0.0.9 6379 quorum 1",
		"+set master other 10.0.0.9 6379 quorum 2",
		"+set master other 10.0.0.9 6379 down-after-milliseconds 1000",
		"+set master other 10.0.0.9 6379 auth-pass ******",
		"+set master other 10.0.0.9 6379 rename-command CONFIG XCONFIG",
		"+set master other 10.0.0.9 6379 failover-timeout 5000",
		"+set master mymaster 10.0.0.1 6379 quorum 3",
		"+monitor master other 10.0.0.9 6379 quorum 2", // the restart
		"-monitor master other 10.0.0.9 6379",
	}, sets)

	// After the restart: what MONITOR and SET did was persisted.
	m = s.replies[6]
	assert.Equal(t, []string{"other", "2", "1000", "5000"},
		[]string{field(m, "name"), field(m, "quorum"), field(m, "down-after-milliseconds"), field(m, "failover-timeout")})
	assert.Equal(t, "3", field(s.replies[7], "quorum"))
	assert.Equal(t, "+OK", s.reply(8))
	assert.Equal(t, "-ERR No such master with that name", s.reply(9))
	assert.Equal(t, "-ERR No such master with that name", s.reply(10))
	// And REMOVE too.
	assert.Equal(t, "-ERR No such master with that name", s.reply(11))
	assert.Equal(t, `["sentinel" ["mymaster"]]`, s.reply(12))
	// CONFIG SET is persisted too.
	assert.Equal(t, "+OK", s.reply(13))
	assert.Equal(t, `["sentinel-user" "bob"]`, s.reply(14))
	assert.Contains(t, s.replies[15].Str, "\r\nuptime_in_seconds:2\r\n", "restarted at 20 s")
}

// SENTINEL RESET forgets the replicas and sentinels of the masters it
// matches; they are rediscovered from INFO and hellos (spec §15.1, §22.2).
func TestSentinelReset(t *testing.T) {
	c := newCluster(t, 5, healthy)
	s := c.newSession(
		at(20_000, "s1", 1, "SENTINEL", "reset", "*"),
		at(20_001, "s1", 1, "SENTINEL", "replicas", "mymaster"),
		at(20_002, "s1", 1, "SENTINEL", "sentinels", "mymaster"),
		at(20_003, "s1", 1, "SENTINEL", "ckquorum", "mymaster"),
		at(20_004, "s1", 1, "SENTINEL", "reset", "my?aster"),
		at(20_005, "s1", 1, "SENTINEL", "reset", "MYMASTER"),
		at(35_000, "s1", 1, "SENTINEL", "replicas", "mymaster"),
		at(35_000, "s1", 1, "SENTINEL", "sentinels", "mymaster"),
		at(35_000, "s1", 1, "SENTINEL", "ckquorum", "mymaster"),
	)
	c.run(36 * wire.Second)
	assert.Equal(t, ":1", s.reply(0))
	assert.Equal(t, "[]", s.reply(1))
	assert.Equal(t, "[]", s.reply(2))
	assert.Equal(t, "-NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master", s.reply(3))
	assert.Equal(t, ":1", s.reply(4))
	assert.Equal(t, ":0", s.reply(5), "patterns are case-sensitive")
	assert.Len(t, s.replies[6].Array, 2, "replicas rediscovered")
	assert.Len(t, s.replies[7].Array, 2, "sentinels rediscovered")
	assert.Equal(t, "+OK 3 usable Sentinels. Quorum and failover authorization can be reached", s.reply(8))

	ev := c.events("s1")
	i := slicesIndex(ev, "+reset-master master mymaster 10.0.0.1 6379")
	require.GreaterOrEqual(t, i, 0, "%v", ev)
	after := types(ev[i+1:])
	assert.True(t, subsequence(after, []string{"+sentinel", "+sentinel"}), "%v", ev[i:])
	assert.True(t, subsequence(after, []string{"+slave", "+slave"}), "%v", ev[i:])
	// No save at the resets themselves (spec §27.2 item 11).
	persists := 0
	for _, l := range strings.Split(c.trace.String(), "\n") {
		ts, rest, _ := strings.Cut(l, " ")
		ms, _ := strconv.Atoi(ts)
		if strings.HasPrefix(rest, "persist s1 ") {
			persists++
			assert.False(t, 20_000 <= ms && ms <= 20_010, l)
		}
	}
	assert.Positive(t, persists, "the trace shows saves")
}

func slicesIndex(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

// CKQUORUM counts usable sentinels: with two of three dead, neither the
// quorum nor the majority can be reached (spec §22.2).
func TestSentinelCkquorum(t *testing.T) {
	c := newCluster(t, 9, healthy)
	s := c.newSession(
		at(15_000, "s1", 1, "SENTINEL", "ckquorum", "mymaster"),
		at(30_000, "s1", 1, "SENTINEL", "ckquorum", "mymaster"),
		at(30_010, "s1", 1, "SENTINEL", "set", "mymaster", "quorum", "1"),
		at(30_020, "s1", 1, "SENTINEL", "ckquorum", "mymaster"),
	)
	require.NoError(t, c.w.Schedule(16_000, sim.Crash{Node: c.ids["s2"]}))
	require.NoError(t, c.w.Schedule(16_000, sim.Crash{Node: c.ids["s3"]}))
	c.run(31 * wire.Second)
	assert.Equal(t, "+OK 3 usable Sentinels. Quorum and failover authorization can be reached", s.reply(0))
	assert.Equal(t, "-NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master. "+
		"Not enough available Sentinels to reach the majority and authorize a failover", s.reply(1))
	assert.Equal(t, "-NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the majority and authorize a failover", s.reply(3))
}

// A client subscribed on a sentinel receives its events (spec §20.1):
// SUBSCRIBE +switch-master gets the switch, PSUBSCRIBE * every event that is
// not DEBUG, in order.
func TestSentinelEventSubscribers(t *testing.T) {
	c := newCluster(t, 11, healthy)
	s := c.newSession(
		at(1_000, "s2", 1, "SUBSCRIBE", "+switch-master"),
		at(1_000, "s3", 1, "PSUBSCRIBE", "*"),
	)
	require.NoError(t, c.w.Schedule(20_000, sim.Crash{Node: c.ids["redis1"]}))
	c.run(60 * wire.Second)
	assert.Equal(t, `["subscribe" "+switch-master" :1]`, s.reply(0))
	assert.Equal(t, `["psubscribe" "*" :1]`, s.reply(1))

	var switches []string
	for _, e := range c.events("s2") {
		if strings.HasPrefix(e, "+switch-master ") {
			switches = append(switches, `["message" "+switch-master" "`+strings.TrimPrefix(e, "+switch-master ")+`"]`)
		}
	}
	require.Len(t, switches, 1)
	var got []string
	for _, v := range s.pushes[connKey{c.ids["s2"], 1}] {
		got = append(got, v.String())
	}
	assert.Equal(t, switches, got)
	assert.Contains(t, switches[0], "mymaster 10.0.0.1 6379 10.0.0.")

	// s3's pattern subscriber: every non-DEBUG event after it subscribed.
	var published []string
	for _, l := range c.traceEvents("s3") {
		if len(l) > 2 && l[0] != '.' && (l[2] == '+' || l[2] == '-') {
			typ, msg, _ := strings.Cut(l[2:], " ")
			published = append(published, `["pmessage" "*" "`+typ+`" "`+msg+`"]`)
		}
	}
	got = nil
	for _, v := range s.pushes[connKey{c.ids["s3"], 1}] {
		got = append(got, v.String())
	}
	require.NotEmpty(t, got)
	require.GreaterOrEqual(t, len(published), len(got))
	assert.Equal(t, published[len(published)-len(got):], got, "the events since the subscription, in order")
	assert.True(t, subsequence(types(c.events("s3"))[len(published)-len(got):], []string{"+sdown", "+switch-master"}))
	for _, e := range got {
		assert.NotContains(t, e, "link-reconnection", "DEBUG events are not published")
	}
}

// SIMULATE-FAILURE crash-after-election: the sentinel exits right after
// +elected-leader, so the failover stops there; restarted, it works again.
func TestSentinelSimulateFailureCrashAfterElection(t *testing.T) {
	c := newCluster(t, 13, healthy)
	s := c.newSession(
		at(15_000, "s1", 1, "SENTINEL", "simulate-failure", "crash-after-election"),
		at(15_010, "s1", 1, "INFO", "sentinel"),
		at(16_000, "s1", 1, "SENTINEL", "failover", "mymaster"),
		at(18_000, "s1", 1, "PING"),
		at(18_000, "s1", 2, "PING"),
		at(40_000, "s1", 3, "PING"),
		at(40_000, "s1", 3, "INFO", "sentinel"),
	)
	require.NoError(t, c.w.Schedule(30_000, sim.Restart{Node: c.ids["s1"]}))
	c.run(41 * wire.Second)
	assert.Equal(t, "+OK", s.reply(0))
	assert.Contains(t, s.replies[1].Str, "sentinel_simulate_failure_flags:1\r\n")
	assert.Equal(t, "+OK", s.reply(2))
	assert.Empty(t, s.reply(3), "a dead sentinel does not answer")
	assert.Empty(t, s.reply(4), "not even on a new connection")
	assert.Equal(t, "+PONG", s.reply(5), "restarted")
	assert.Contains(t, s.replies[6].Str, "sentinel_simulate_failure_flags:0\r\n", "the flags are not persisted")

	lines := c.traceEvents("s1")
	assert.Contains(t, lines, "# Failure simulation: this Sentinel will crash after being successfully elected as failover leader")
	i := slicesIndex(lines, "# +elected-leader master mymaster 10.0.0.1 6379")
	require.GreaterOrEqual(t, i, 0, "%v", lines)
	assert.Equal(t, "# Sentinel CRASH because of SENTINEL simulate-failure", lines[i+1])
	for _, l := range lines[i+2:] {
		assert.NotContains(t, l, "failover-state", "nothing after the crash")
	}
	assert.True(t, c.node("redis1").Config().ReplicaOf.IsZero(), "the failover never happened")
}

// SIMULATE-FAILURE crash-after-promotion: the sentinel exits right after
// +promoted-slave, having saved the new configuration epoch.
func TestSentinelSimulateFailureCrashAfterPromotion(t *testing.T) {
	c := newCluster(t, 17, healthy)
	s := c.newSession(
		at(15_000, "s1", 1, "SENTINEL", "simulate-failure", "crash-after-promotion"),
		at(16_000, "s1", 1, "SENTINEL", "failover", "mymaster"),
		at(25_000, "s1", 2, "PING"),
		at(27_000, "s1", 3, "SENTINEL", "get-master-addr-by-name", "mymaster"),
	)
	require.NoError(t, c.w.Schedule(26_000, sim.Restart{Node: c.ids["s1"]}))
	c.run(28 * wire.Second)
	assert.Equal(t, "+OK", s.reply(1))
	assert.Empty(t, s.reply(2))
	lines := c.traceEvents("s1")
	i := slicesIndex(lines, "# Sentinel CRASH because of SENTINEL simulate-failure")
	require.Greater(t, i, 0, "%v", lines)
	promoted := strings.Fields(lines[i-1]) // # +promoted-slave slave <ip>:<port> <ip> <port> @ ...
	require.Equal(t, "+promoted-slave", promoted[1], lines[i-1])
	require.Less(t, i+1, len(lines))
	assert.Equal(t, "# Sentinel ID is", strings.Join(strings.Fields(lines[i+1])[:4], " "), "nothing after the crash until the restart")
	// The new address and epoch were saved before the exit (spec §22.2):
	// restarted, it names the promoted replica.
	assert.Equal(t, `["`+promoted[4]+`" "`+promoted[5]+`"]`, s.reply(3))
}

// Scripts are recorded, not run (spec §19): the notification script for
// every WARNING event of the master, the client reconfiguration script for
// the leader and the observers.
func TestSentinelScriptsAreRecorded(t *testing.T) {
	mc := healthy
	mc.NotificationScript, mc.ClientReconfigScript = "/opt/notify.sh", "/opt/reconfig.sh"
	c := newCluster(t, 19, mc)
	s := c.newSession(at(15_000, "s1", 1, "SENTINEL", "master", "mymaster"))
	require.NoError(t, c.w.Schedule(20_000, sim.Crash{Node: c.ids["redis1"]}))
	c.run(60 * wire.Second)
	assert.Equal(t, "/opt/notify.sh", field(s.replies[0], "notification-script"))
	assert.Equal(t, "/opt/reconfig.sh", field(s.replies[0], "client-reconfig-script"))

	roles := map[string]string{}
	for _, n := range []string{"s1", "s2", "s3"} {
		lines := c.traceEvents(n)
		assert.Contains(t, lines, "script notification-script /opt/notify.sh +sdown master mymaster 10.0.0.1 6379")
		for _, l := range lines {
			if rest, ok := strings.CutPrefix(l, "script client-reconfig-script /opt/reconfig.sh mymaster "); ok {
				f := strings.Fields(rest)
				require.Len(t, f, 6, l)
				assert.Equal(t, []string{"start", "10.0.0.1", "6379"}, f[1:4], l)
				roles[n] = f[0]
			}
			if ev, ok := strings.CutPrefix(l, "# "); ok && (ev[0] == '+' || ev[0] == '-') && !strings.HasPrefix(ev, "+tilt") {
				if strings.HasPrefix(ev, "+sdown") || strings.HasPrefix(ev, "+switch-master") {
					assert.Contains(t, lines, "script notification-script /opt/notify.sh "+ev)
				}
			}
		}
	}
	leaders, observers := 0, 0
	for _, r := range roles {
		switch r {
		case "leader":
			leaders++
		case "observer":
			observers++
		}
	}
	assert.Equal(t, 1, leaders, "%v", roles)
	assert.Equal(t, 2, observers, "%v", roles)
}

// SHUTDOWN in a running world (spec §22.1): the process exits as
// SIMULATE-FAILURE's crash does — no reply, nothing answered until the
// simulator restarts it from what it persisted, after which it answers
// and monitors again.
func TestShutdownThenRestart(t *testing.T) {
	c := newCluster(t, 21, healthy)
	s := c.newSession(
		at(15_000, "s1", 1, "SHUTDOWN"),
		at(16_000, "s1", 2, "PING"),
		at(19_000, "s1", 3, "PING"),
		at(25_000, "s1", 3, "SENTINEL", "master", "mymaster"),
	)
	require.NoError(t, c.w.Schedule(18_000, sim.Restart{Node: c.ids["s1"]}))
	c.run(26 * wire.Second)
	assert.Empty(t, s.reply(0), "SHUTDOWN gets no reply")
	assert.Empty(t, s.reply(1), "an exited sentinel answers nothing")
	assert.Equal(t, "+PONG", s.reply(2))
	assert.Equal(t, "master", field(s.replies[3], "flags"))
	lines := c.traceEvents("s1")
	i := slicesIndex(lines, "# User requested shutdown...")
	require.GreaterOrEqual(t, i, 0, "%v", lines)
	require.Less(t, i+2, len(lines))
	assert.Equal(t, "# Sentinel is now ready to exit, bye bye...", lines[i+1])
	assert.True(t, strings.HasPrefix(lines[i+2], "# Sentinel ID is "), "nothing after the exit until the restart: %q", lines[i+2])
}
