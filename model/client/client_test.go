package client_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/history"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/model/client"
	"github.com/sentinelsim/sentinelsim/sim"
)

// writes is a workload of SETs on one key, every 100ms.
func writes(maxOps int) client.Workload {
	return client.Workload{Keys: []string{"k"}, Writes: 1, Interval: 100, MaxOps: maxOps}
}

// twoNodes builds redis1 (master), redis2 (replica) and sentinels s1, s2
// pointing at redis1.
func twoNodes(t *testing.T, seed uint64) *harness {
	h := newHarness(t, seed)
	h.addRedis("redis1", true)
	h.addRedis("redis2", false)
	h.addSentinel("s1", "redis1", false)
	h.addSentinel("s2", "redis1", false)
	return h
}

func TestSentinelClientFindsMaster(t *testing.T) {
	h := twoNodes(t, 1)
	h.addSentinelClient("c1", client.SentinelConfig{Options: client.Options{
		Workload: client.Workload{Keys: []string{"a", "b"}, Reads: 1, Writes: 1, Incrs: 0, Appends: 1, MaxOps: 20},
	}}, "s1", "s2")
	h.run(5 * wire.Second)

	ops := h.ops("c1")
	require.Len(t, ops, 20)
	for _, op := range ops {
		assert.Equal(t, history.OK, op.Outcome, "%s", &op)
		assert.Equal(t, "redis1", op.Node, "%s", &op)
	}
	assert.Equal(t, []event{{at: h.events("master")[0].at, node: "c1", text: "client c1 master redis1:6379 via s1"}}, h.events("master"))
	assert.Equal(t, 1, h.sentinels["s1"].asked)
	assert.Zero(t, h.sentinels["s2"].asked)
	assert.Equal(t, 1, h.redis["redis1"].count("ROLE", 0, h.w.Now()), "one connection, checked once")
	assert.Zero(t, len(h.redis["redis2"].log))
	assert.True(t, h.sentinelClient("c1").Done())
	assert.Len(t, h.events("client c1 done 20 ops"), 1)
	h.checkHistory()
}

func TestSentinelClientFollowsFailover(t *testing.T) {
	h := twoNodes(t, 2)
	h.addSentinelClient("c1", client.SentinelConfig{Options: client.Options{Workload: writes(40)}}, "s1", "s2")
	const switchAt = 2000
	h.failover(switchAt, "redis1", "redis2")
	h.run(10 * wire.Second)
	h.checkHistory()

	ops := h.ops("c1")
	var readonly []history.Op
	for i, op := range ops {
		if op.Reply.ErrorCode() == "READONLY" {
			readonly = append(readonly, op)
			assert.Equal(t, history.Fail, op.Outcome, "a READONLY write is Fail, never OK: %s", &op)
			assert.Equal(t, "redis1", op.Node)
			// The retry of the same operation goes to the new master.
			require.Less(t, i+1, len(ops))
			next := ops[i+1]
			assert.Equal(t, history.OK, next.Outcome, "%s", &next)
			assert.Equal(t, "redis2", next.Node)
			assert.Equal(t, op.Args[1], next.Args[1], "same key")
			assert.NotEqual(t, op.Args[2], next.Args[2], "a fresh value")
		}
		if op.Outcome == history.OK && op.Call > switchAt {
			assert.Equal(t, "redis2", op.Node, "no write is acknowledged by the old master after the switch: %s", &op)
		}
	}
	require.Len(t, readonly, 1)
	assert.Len(t, h.events("client c1 readonly redis1:6379"), 1)
	assert.Len(t, h.events("client c1 master redis2:6379 via s1"), 1)
	assert.Equal(t, "c1-"+strconv.Itoa(len(ops)), ops[len(ops)-1].Args[2])
	assert.Equal(t, 40, h.sentinelClient("c1").Ops())
}

func TestTimeoutDuringPartitionIsUnknown(t *testing.T) {
	h := twoNodes(t, 3)
	h.addSentinelClient("c1", client.SentinelConfig{Options: client.Options{
		Workload: writes(100), OpTimeout: 500, MaxAttempts: 2,
	}}, "s1", "s2")
	require.NoError(t, h.w.Schedule(2050, sim.Isolate{Node: h.ids["redis1"]}))
	require.NoError(t, h.w.Schedule(5000, sim.Heal{}))
	h.run(8 * wire.Second)
	h.checkHistory()

	var unknown, notSent, okAfter int
	for _, op := range h.ops("c1") {
		switch {
		case op.Outcome == history.Unknown:
			unknown++
			assert.Equal(t, "redis1", op.Node)
			assert.Equal(t, wire.Duration(500), op.Return.Sub(op.Call), "gave up after OpTimeout of true time: %s", &op)
			assert.Equal(t, "TIMEOUT", op.Reply.ErrorCode())
			assert.True(t, op.Call >= 2050 && op.Call < 2150, "%s", &op)
		case op.Outcome == history.Fail:
			// During the partition the sentinels still name redis1, whose
			// ROLE check times out: the command is never sent.
			notSent++
			assert.Empty(t, op.Node, "%s", &op)
			assert.Equal(t, "TIMEOUT", op.Reply.ErrorCode(), "%s", &op)
		case op.Call > 5000:
			okAfter++
			assert.Equal(t, "redis1", op.Node)
		}
	}
	assert.Equal(t, 1, unknown)
	assert.Positive(t, notSent)
	assert.Positive(t, okAfter, "the client recovers after the heal")
	assert.NotEmpty(t, h.events("client c1 timeout redis1:6379"))
}

func TestSentinelOrderRotation(t *testing.T) {
	for _, tc := range []struct {
		name     string
		rotation client.Rotation
		want     []string
	}{
		{"move to front", client.MoveToFront, []string{"s3", "s1", "s2", "s4"}},
		{"swap with first", client.SwapWithFirst, []string{"s3", "s2", "s1", "s4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, 4)
			h.addRedis("redis1", true)
			h.addRedis("redis2", false)
			h.addSentinel("s1", "redis1", false)
			h.w.Schedule(0, sim.Crash{Node: h.ids["s1"], Host: true}) // its host is gone: silence
			h.addSentinel("s2", "", false)                            // answers nil
			h.addSentinel("s3", "redis1", false)
			h.addSentinel("s4", "redis1", false)
			h.addSentinelClient("c1", client.SentinelConfig{
				Options:         client.Options{Workload: writes(30)},
				SentinelTimeout: 200, Rotation: tc.rotation,
			}, "s1", "s2", "s3", "s4")
			h.failover(1500, "redis1", "redis2") // forces a second discovery
			h.run(5 * wire.Second)
			h.checkHistory()

			var order []string
			for _, a := range h.sentinelClient("c1").Sentinels() {
				order = append(order, a.Host)
			}
			assert.Equal(t, tc.want, order)
			// The first discovery timed out on s1 and got nil from s2; the
			// second asked s3 first.
			assert.Len(t, h.events("client c1 sentinel-timeout s1"), 1)
			assert.Equal(t, 1, h.sentinels["s2"].asked)
			assert.Equal(t, 2, h.sentinels["s3"].asked)
			assert.Zero(t, h.sentinels["s4"].asked)
			first := h.ops("c1")[0]
			assert.Equal(t, history.OK, first.Outcome)
			assert.GreaterOrEqual(t, first.Return.Sub(first.Call), wire.Duration(200), "waited for s1's timeout")
		})
	}
}

// A sentinel whose process is down but whose host is up refuses the
// connection (a reset): the client moves on at once instead of waiting for
// its timeout.
func TestRefusedSentinelIsSkippedAtOnce(t *testing.T) {
	h := newHarness(t, 4)
	h.addRedis("redis1", true)
	h.addSentinel("s1", "redis1", true) // process not running: connection refused
	h.addSentinel("s2", "redis1", false)
	h.addSentinelClient("c1", client.SentinelConfig{
		Options:         client.Options{Workload: writes(5)},
		SentinelTimeout: 200,
	}, "s1", "s2")
	h.run(3 * wire.Second)
	h.checkHistory()
	assert.Empty(t, h.events("client c1 sentinel-timeout s1"))
	first := h.ops("c1")[0]
	assert.Equal(t, history.OK, first.Outcome)
	assert.Less(t, first.Return.Sub(first.Call), wire.Duration(50), "no timeout waited")
	assert.Equal(t, 1, h.sentinels["s2"].asked)
}

func TestRoleCheckRejectsStaleMaster(t *testing.T) {
	setup := func(t *testing.T, skip bool) *harness {
		h := newHarness(t, 5)
		h.addRedis("redis1", false) // demoted, but the sentinels still name it
		h.addRedis("redis2", true)
		h.addSentinel("s1", "redis1", false)
		h.addSentinelClient("c1", client.SentinelConfig{
			Options:       client.Options{Workload: writes(30), BackoffMin: 50, BackoffMax: 200},
			SkipRoleCheck: skip,
		}, "s1")
		h.w.At(1000, func(*sim.World) { h.sentinels["s1"].master = h.redis["redis2"].addr })
		h.run(5 * wire.Second)
		h.checkHistory()
		return h
	}
	t.Run("checked", func(t *testing.T) {
		h := setup(t, false)
		assert.Zero(t, h.redis["redis1"].count("SET", 0, h.w.Now()), "no write ever reaches the stale master")
		assert.Positive(t, h.redis["redis1"].count("ROLE", 0, 1000))
		assert.NotEmpty(t, h.events("client c1 role slave redis1:6379"))
		for _, op := range h.ops("c1") {
			if op.Call < 1000 {
				assert.Equal(t, history.Fail, op.Outcome, "%s", &op)
				assert.Empty(t, op.Node, "never sent: %s", &op)
				assert.Equal(t, "SETUP", op.Reply.ErrorCode())
			}
			if op.Call > 1100 {
				assert.Equal(t, history.OK, op.Outcome, "%s", &op)
				assert.Equal(t, "redis2", op.Node)
			}
		}
	})
	t.Run("skipped", func(t *testing.T) {
		h := setup(t, true)
		assert.Positive(t, h.redis["redis1"].count("SET", 0, 1000), "without ROLE the write reaches the replica")
		assert.Zero(t, h.redis["redis1"].count("ROLE", 0, h.w.Now()))
		assert.NotEmpty(t, h.events("client c1 readonly redis1:6379"))
	})
}

// redis1 restarts: the client's connection is gone, and its next command
// on it reaches a host with no such connection, which resets it (TCP): the
// command definitely did not run (fail, with the CLOSED the client reports)
// and the client rediscovers the master.
func TestResetConnectionFailsAndReconnects(t *testing.T) {
	h := twoNodes(t, 6)
	h.addSentinelClient("c1", client.SentinelConfig{Options: client.Options{Workload: writes(50)}}, "s1")
	require.NoError(t, h.w.Schedule(2020, sim.Restart{Node: h.ids["redis1"]}))
	h.run(8 * wire.Second)
	h.checkHistory()

	closed := h.events("client c1 closed redis1:6379 reset")
	require.Len(t, closed, 1)
	var failed []history.Op
	for _, op := range h.ops("c1") {
		if op.Outcome == history.Fail {
			failed = append(failed, op)
		} else {
			assert.Equal(t, history.OK, op.Outcome, "%s", &op)
		}
	}
	require.Len(t, failed, 1)
	assert.Equal(t, "CLOSED", failed[0].Reply.ErrorCode())
	assert.Greater(t, failed[0].Call, wire.Time(2020), "sent after the restart")
	assert.Len(t, h.events("client c1 master redis1:6379 via s1"), 2, "rediscovered after the close")
}

func TestStaticClientNeverSwitches(t *testing.T) {
	h := twoNodes(t, 7)
	h.addStatic("c1", client.StaticConfig{Options: client.Options{Workload: writes(40)}, Addr: h.redis["redis1"].addr})
	h.failover(1000, "redis1", "redis2")
	h.run(20 * wire.Second)
	h.checkHistory()

	ops := h.ops("c1")
	require.NotEmpty(t, ops)
	for _, op := range ops {
		assert.Equal(t, "redis1", op.Node, "%s", &op)
		if op.Call > 1010 {
			assert.Equal(t, history.Fail, op.Outcome, "%s", &op)
			assert.Equal(t, "READONLY", op.Reply.ErrorCode())
		}
	}
	assert.Empty(t, h.redis["redis2"].log)
	assert.Zero(t, h.sentinels["s1"].asked)
	assert.Greater(t, len(h.events("client c1 readonly redis1:6379")), 30)
	before := 0
	for _, op := range ops {
		if op.Call < 1000 {
			before++
		}
	}
	assert.Equal(t, (40-before)*3, len(ops)-before, "every failing op used its 3 attempts")
}

// transitions returns when the proxy marked a backend down and up.
func transitions(h *harness, name, addr string) (down, up []wire.Time) {
	for _, e := range h.events("haproxy " + name + " down " + addr) {
		down = append(down, e.at)
	}
	for _, e := range h.events("haproxy " + name + " up " + addr) {
		up = append(up, e.at)
	}
	return down, up
}

func TestHAProxyRiseAndFall(t *testing.T) {
	h := newHarness(t, 8)
	r1 := h.addRedis("redis1", true)
	r2 := h.addRedis("redis2", false)
	h.addProxy("hp", client.HAProxyConfig{Inter: 1000, Rise: 2, Fall: 3}, "redis1", "redis2")
	var at2s, at12s, at14s []client.ServerState
	h.w.At(2000, func(*sim.World) { at2s = h.proxy("hp").Servers() })
	h.w.At(10_200, func(*sim.World) { r1.master = false })
	h.w.At(12_150, func(*sim.World) { at12s = h.proxy("hp").Servers() })
	h.w.At(14_200, func(*sim.World) { at14s = h.proxy("hp").Servers() })
	h.w.At(20_200, func(*sim.World) { r1.master = true })
	h.run(30 * wire.Second)

	// At start (init-state up) redis1 passes and goes to full health;
	// redis2 fails its first check and is down at once.
	assert.Equal(t, []client.ServerState{
		{Addr: r1.addr, Up: true, Health: 4},
		{Addr: r2.addr, Up: false, Health: 0},
	}, at2s)
	down, up := transitions(h, "hp", "redis1:6379")
	require.Len(t, down, 1)
	require.Len(t, up, 1, "redis1 was up from the start, and came back once")
	assert.Equal(t, "haproxy hp down redis1:6379 (expect role:master; 0 sessions killed)", h.events("haproxy hp down redis1")[0].text)
	// Down exactly at the third failed check after the demotion.
	assert.Equal(t, 3, r1.count("INFO", 10_200, down[0]+1))
	assert.Equal(t, client.ServerState{Addr: r1.addr, Up: true, Health: 2}, at12s[0], "two failures: still up")
	assert.Equal(t, client.ServerState{Addr: r1.addr, Up: false, Health: 0}, at14s[0])
	// Up exactly at the second good check after the promotion.
	assert.Equal(t, 2, r1.count("INFO", 20_200, up[0]+1))
	assert.Equal(t, client.ServerState{Addr: r1.addr, Up: true, Health: 4}, h.proxy("hp").Servers()[0])
	// Checks run every second: PING then INFO replication, one connection each.
	assert.InDelta(t, 30, r2.count("PING", 0, h.w.Now()), 1)
	assert.Equal(t, r2.count("PING", 0, h.w.Now()), r2.count("INFO", 0, h.w.Now()))
}

func TestHAProxyFullyUpNeedsFallFailures(t *testing.T) {
	h := newHarness(t, 9)
	h.addRedis("redis1", false)
	h.addProxy("hp", client.HAProxyConfig{Inter: 1000, Rise: 2, Fall: 3, InitState: client.InitFullyUp}, "redis1")
	h.run(5 * wire.Second)
	down, _ := transitions(h, "hp", "redis1:6379")
	require.Len(t, down, 1)
	assert.Equal(t, 3, h.redis["redis1"].count("INFO", 0, down[0]+1))
}

func TestHAProxyRoutesToFirstOfTwoMasters(t *testing.T) {
	for _, tc := range []struct {
		name       string
		balance    client.Balance
		want1, by2 bool
	}{
		{"first", client.BalanceFirst, true, false},
		{"roundrobin", client.BalanceRoundRobin, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, 10)
			h.addRedis("redis1", true)
			h.addRedis("redis2", true) // split brain: both say role:master
			addr := h.addProxy("hp", client.HAProxyConfig{Inter: 1000, Balance: tc.balance}, "redis1", "redis2")
			for _, c := range []string{"c1", "c2"} {
				h.addStatic(c, client.StaticConfig{Options: client.Options{Workload: func() client.Workload {
					w := writes(20)
					w.Start = 3000 // after both backends are at full health
					return w
				}()}, Addr: addr})
			}
			h.run(8 * wire.Second)
			h.checkHistory()
			for _, op := range h.log.Ops() {
				assert.Equal(t, history.OK, op.Outcome, "%s", &op)
				assert.Equal(t, "hp", op.Node, "the client only knows the proxy")
			}
			assert.Len(t, h.log.Ops(), 40)
			assert.Equal(t, tc.want1, h.redis["redis1"].count("SET", 0, h.w.Now()) > 0)
			assert.Equal(t, tc.by2, h.redis["redis2"].count("SET", 0, h.w.Now()) > 0)
			assert.Equal(t, 2, h.proxy("hp").Sessions(), "one long-lived connection per client")
		})
	}
}

func TestHAProxyKillsSessionsOnMarkDown(t *testing.T) {
	reads := client.Workload{Keys: []string{"k"}, Reads: 1, Interval: 100, Start: 1000, MaxOps: 150}
	setup := func(t *testing.T, keep bool) (*harness, wire.Time) {
		h := newHarness(t, 11)
		h.addRedis("redis1", true)
		h.addRedis("redis2", false)
		addr := h.addProxy("hp", client.HAProxyConfig{Inter: 1000, Rise: 2, Fall: 3, KeepSessions: keep}, "redis1", "redis2")
		h.addStatic("c1", client.StaticConfig{Options: client.Options{Workload: reads}, Addr: addr})
		h.failover(4200, "redis1", "redis2")
		h.run(20 * wire.Second)
		h.checkHistory()
		down, _ := transitions(h, "hp", "redis1:6379")
		require.Len(t, down, 1)
		return h, down[0]
	}
	t.Run("shutdown-sessions", func(t *testing.T) {
		h, downAt := setup(t, false)
		// Reads succeed on the demoted node (a replica serves GET) until the
		// proxy marks it down and kills the session; then the client
		// reconnects and lands on redis2.
		assert.Equal(t, "haproxy hp down redis1:6379 (expect role:master; 1 sessions killed)", h.events("haproxy hp down redis1")[0].text)
		assert.Len(t, h.events("client c1 closed hp:6380 server redis1:6379 down"), 1)
		assert.Positive(t, h.redis["redis1"].count("GET", 4200, downAt), "stale reads before the mark-down")
		assert.Zero(t, h.redis["redis1"].count("GET", downAt+1, h.w.Now()))
		assert.Positive(t, h.redis["redis2"].count("GET", downAt, h.w.Now()))
		for _, op := range h.ops("c1") {
			assert.NotEqual(t, history.Fail, op.Outcome, "%s", &op)
		}
	})
	t.Run("keep sessions", func(t *testing.T) {
		h, downAt := setup(t, true)
		assert.Equal(t, "haproxy hp down redis1:6379 (expect role:master; 0 sessions killed)", h.events("haproxy hp down redis1")[0].text)
		assert.Positive(t, h.redis["redis1"].count("GET", downAt+1, h.w.Now()), "the old session keeps reading the demoted node")
		assert.Zero(t, h.redis["redis2"].count("GET", 0, h.w.Now()))
	})
}

func TestHAProxyClosesConnectionsWhenNoBackendIsUp(t *testing.T) {
	h := newHarness(t, 12)
	h.addRedis("redis1", false)
	addr := h.addProxy("hp", client.HAProxyConfig{Inter: 1000}, "redis1")
	h.addStatic("c1", client.StaticConfig{Options: client.Options{Workload: client.Workload{Writes: 1, Start: 2000, MaxOps: 5}, MaxAttempts: 1}, Addr: addr})
	h.run(5 * wire.Second)
	h.checkHistory()
	ops := h.ops("c1")
	require.Len(t, ops, 5)
	for _, op := range ops {
		assert.Equal(t, history.Unknown, op.Outcome, "closed after sending: the client cannot know: %s", &op)
		assert.Equal(t, "CLOSED no server available", op.Reply.Str)
	}
	assert.Zero(t, h.proxy("hp").Sessions())
	assert.Zero(t, h.redis["redis1"].count("SET", 0, h.w.Now()))
}

func TestHAProxyTimeouts(t *testing.T) {
	h := newHarness(t, 13)
	h.addRedis("redis1", true)
	addr := h.addProxy("hp", client.HAProxyConfig{Inter: 1000, TimeoutClient: 500, TimeoutServer: 300, InitState: client.InitFullyUp}, "redis1")
	// One op per second: the proxy closes each idle connection after 500ms.
	h.addStatic("c1", client.StaticConfig{Options: client.Options{Workload: client.Workload{Reads: 1, Interval: 1000, MaxOps: 4}}, Addr: addr})
	h.run(6 * wire.Second)
	h.checkHistory()
	assert.Len(t, h.events("client c1 closed hp:6380 timeout client"), 4)
	for _, op := range h.ops("c1") {
		assert.Equal(t, history.OK, op.Outcome, "%s", &op)
	}
	assert.Zero(t, h.proxy("hp").Sessions())
}

func TestHistoriesAreBounded(t *testing.T) {
	h := twoNodes(t, 14)
	h.log = history.NewLog(h.w.Now, 5)
	h.addSentinelClient("c1", client.SentinelConfig{Options: client.Options{Workload: writes(7)}}, "s1")
	h.addStatic("c2", client.StaticConfig{Options: client.Options{Workload: writes(3)}, Addr: h.redis["redis1"].addr})
	h.run(20 * wire.Second)
	assert.Equal(t, 5, h.log.Len())
	assert.True(t, h.log.Overflowed())
	assert.Equal(t, uint64(5), h.log.Dropped())
	assert.Equal(t, 7, h.sentinelClient("c1").Ops())
	assert.Equal(t, 7+3, len(h.redis["redis1"].log)-1, "7 + 3 SETs and one ROLE, then nothing more")
}

func TestClientRestartUsesFreshValuesAndConnections(t *testing.T) {
	h := twoNodes(t, 15)
	h.addSentinelClient("c1", client.SentinelConfig{Options: client.Options{Workload: writes(1000)}}, "s1")
	require.NoError(t, h.w.Schedule(1050, sim.Crash{Node: h.ids["c1"]}))
	require.NoError(t, h.w.Schedule(1500, sim.Restart{Node: h.ids["c1"]}))
	h.run(3 * wire.Second)
	h.checkHistory()
	var before, after int
	for _, op := range h.ops("c1") {
		switch {
		case op.Call < 1050:
			before++
			assert.True(t, strings.HasPrefix(op.Args[2], "c1-"), "%s", &op)
		case op.Call >= 1500:
			after++
			assert.True(t, strings.HasPrefix(op.Args[2], "c1.2-"), "%s", &op)
			if op.Done() { // the last one may still be in flight
				assert.Equal(t, history.OK, op.Outcome, "%s", &op)
			}
		}
	}
	assert.Positive(t, before)
	assert.Positive(t, after)
	persisted, ok := h.w.Persisted(h.ids["c1"])
	require.True(t, ok)
	assert.Equal(t, "incarnation 2", string(persisted))
	// The new incarnation's connections have new ids.
	assert.Contains(t, h.trace.String(), "c1048577 #1 open SENTINEL get-master-addr-by-name mymaster")
}

// failoverRun builds a busy world: two sentinel clients with jitter, a
// static client, a proxy and its client, a failover and a partition.
func failoverRun(t *testing.T, seed uint64) (hash string, hist []byte) {
	h := twoNodes(t, seed)
	w := client.Workload{Keys: []string{"a", "b", "c"}, Reads: 2, Writes: 2, Appends: 1, Interval: 50, Jitter: 40, MaxOps: 200}
	h.addSentinelClient("c1", client.SentinelConfig{Options: client.Options{Workload: w, OpTimeout: 300}}, "s1", "s2")
	h.addSentinelClient("c2", client.SentinelConfig{Options: client.Options{Workload: w, OpTimeout: 300}}, "s2", "s1")
	h.addStatic("c3", client.StaticConfig{Options: client.Options{Workload: w}, Addr: h.redis["redis1"].addr})
	addr := h.addProxy("hp", client.HAProxyConfig{Inter: 500}, "redis1", "redis2")
	h.addStatic("c4", client.StaticConfig{Options: client.Options{Workload: w}, Addr: addr})
	require.NoError(t, h.w.Schedule(2000, sim.Isolate{Node: h.ids["redis1"]}))
	h.failover(3000, "redis1", "redis2")
	require.NoError(t, h.w.Schedule(4000, sim.Heal{}))
	h.run(15 * wire.Second)
	h.checkHistory()
	var buf bytes.Buffer
	require.NoError(t, history.Encode(&buf, h.log.Record()))
	return h.w.Trace().Hash(), buf.Bytes()
}

func TestSameSeedSameHistory(t *testing.T) {
	hash1, hist1 := failoverRun(t, 42)
	hash2, hist2 := failoverRun(t, 42)
	assert.Equal(t, hash1, hash2)
	assert.Equal(t, string(hist1), string(hist2))
	hash3, _ := failoverRun(t, 43)
	assert.NotEqual(t, hash1, hash3, "the seed drives the jitter and the network")
	rec, err := history.Decode(bytes.NewReader(hist1))
	require.NoError(t, err)
	assert.Greater(t, len(rec.Ops), 400)
	outcomes := map[history.Outcome]int{}
	for _, op := range rec.Ops {
		outcomes[op.Outcome]++
	}
	assert.Positive(t, outcomes[history.OK])
	assert.Positive(t, outcomes[history.Fail])
	assert.Positive(t, outcomes[history.Unknown])
}

func TestConfigErrors(t *testing.T) {
	dir := wire.NewStaticDirectory()
	s := []wire.Addr{{Host: "s1", Port: 26379}}
	for _, tc := range []struct {
		name string
		cfg  client.SentinelConfig
		want string
	}{
		{"no directory", client.SentinelConfig{Sentinels: s}, "no Directory"},
		{"no sentinels", client.SentinelConfig{Options: client.Options{Directory: dir}}, "at least one sentinel"},
		{"rate and interval", client.SentinelConfig{Options: client.Options{Directory: dir, Workload: client.Workload{Rate: 10, Interval: 100}}, Sentinels: s}, "not both"},
		{"negative weight", client.SentinelConfig{Options: client.Options{Directory: dir, Workload: client.Workload{Reads: -1}}, Sentinels: s}, "negative weight"},
		{"empty key", client.SentinelConfig{Options: client.Options{Directory: dir, Workload: client.Workload{Keys: []string{""}}}, Sentinels: s}, "key 0 is empty"},
		{"too many ops", client.SentinelConfig{Options: client.Options{Directory: dir, Workload: client.Workload{MaxOps: client.MaxMaxOps + 1}}, Sentinels: s}, "max ops"},
		{"attempts", client.SentinelConfig{Options: client.Options{Directory: dir, MaxAttempts: 1000}, Sentinels: s}, "max attempts"},
		{"backoff", client.SentinelConfig{Options: client.Options{Directory: dir, BackoffMin: 500, BackoffMax: 100}, Sentinels: s}, "backoff max"},
		{"name", client.SentinelConfig{Options: client.Options{Directory: dir, Name: "a b"}, Sentinels: s}, "white space"},
		{"rotation", client.SentinelConfig{Options: client.Options{Directory: dir}, Sentinels: s, Rotation: 7}, "unknown rotation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := client.NewSentinelClient(tc.cfg)
			assert.ErrorContains(t, err, tc.want)
		})
	}
	_, err := client.NewStaticClient(client.StaticConfig{Options: client.Options{Directory: dir}})
	assert.ErrorContains(t, err, "needs an address")
	_, err = client.NewHAProxy(client.HAProxyConfig{Directory: dir})
	assert.ErrorContains(t, err, "no backends")
	_, err = client.NewHAProxy(client.HAProxyConfig{Backends: s})
	assert.ErrorContains(t, err, "no Directory")
	_, err = client.NewHAProxy(client.HAProxyConfig{Backends: s, Directory: dir, Rise: -1})
	assert.ErrorContains(t, err, "must not be negative")
	_, err = client.NewSentinelClient(client.SentinelConfig{Options: client.Options{Directory: dir, Workload: client.Workload{Rate: 3}}, Sentinels: s})
	assert.NoError(t, err)
}

func TestNoSentinelAnswerIsFailNeverSent(t *testing.T) {
	h := twoNodes(t, 16)
	h.sentinels["s1"].master = wire.Addr{} // both answer nil: no such master
	h.sentinels["s2"].master = wire.Addr{}
	h.addSentinelClient("c1", client.SentinelConfig{Options: client.Options{Workload: writes(20), MaxAttempts: 2}}, "s1", "s2")
	h.w.At(1000, func(*sim.World) { h.sentinels["s2"].master = h.redis["redis1"].addr })
	h.run(4 * wire.Second)
	h.checkHistory()
	for _, op := range h.ops("c1") {
		if op.Call < 1000 {
			assert.Equal(t, history.Fail, op.Outcome, "%s", &op)
			assert.Empty(t, op.Node)
			assert.Equal(t, "NOMASTER", op.Reply.ErrorCode())
		} else if op.Call > 1010 {
			assert.Equal(t, history.OK, op.Outcome, "%s", &op)
		}
	}
	assert.NotEmpty(t, h.events("client c1 no-master mymaster"))
	// s2 answered: it is first now.
	assert.Equal(t, "s2", h.sentinelClient("c1").Sentinels()[0].Host)
	addr, ok := h.sentinelClient("c1").Connected()
	assert.True(t, ok)
	assert.Equal(t, h.redis["redis1"].addr, addr)
}

func TestAuth(t *testing.T) {
	for _, tc := range []struct {
		name, password string
		skipRole       bool
		want           history.Outcome
		code           string
		node           string
	}{
		{"right password", "secret", false, history.OK, "", "redis1"},
		{"wrong password", "guess", false, history.Fail, "SETUP", ""},
		{"no password: ROLE needs auth", "", false, history.Fail, "SETUP", ""},
		{"no password, no ROLE check", "", true, history.Fail, "NOAUTH", "redis1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := twoNodes(t, 17)
			h.redis["redis1"].password = "secret"
			h.addSentinelClient("c1", client.SentinelConfig{Options: client.Options{Workload: writes(5), Password: tc.password}, SkipRoleCheck: tc.skipRole}, "s1")
			h.run(3 * wire.Second)
			h.checkHistory()
			ops := h.ops("c1")
			require.NotEmpty(t, ops)
			for _, op := range ops {
				assert.Equal(t, tc.want, op.Outcome, "%s", &op)
				assert.Equal(t, tc.code, op.Reply.ErrorCode(), "%s", &op)
				assert.Equal(t, tc.node, op.Node, "%s", &op)
			}
			if tc.code == "NOAUTH" {
				assert.Len(t, ops, 5, "NOAUTH is not cured by reconnecting: no retry")
			}
		})
	}
}

func TestHAProxyRelaysBackendClose(t *testing.T) {
	h := newHarness(t, 18)
	h.addRedis("redis1", true)
	addr := h.addProxy("hp", client.HAProxyConfig{Inter: 1000, InitState: client.InitFullyUp}, "redis1")
	h.addStatic("c1", client.StaticConfig{Options: client.Options{Workload: writes(30)}, Addr: addr})
	// redis1 restarts faster than the checks notice: the proxy's next
	// command on its old connection gets a reset, which it relays.
	require.NoError(t, h.w.Schedule(1050, sim.Restart{Node: h.ids["redis1"]}))
	h.run(5 * wire.Second)
	h.checkHistory()
	assert.Len(t, h.events("client c1 closed hp:6380 reset"), 1)
	var unknown int
	for _, op := range h.ops("c1") {
		if op.Outcome == history.Unknown {
			unknown++
			assert.Equal(t, "CLOSED reset", op.Reply.Str)
		} else {
			assert.Equal(t, history.OK, op.Outcome, "%s", &op)
		}
	}
	assert.Equal(t, 1, unknown)
	assert.Empty(t, h.events("haproxy hp down"))
	assert.Equal(t, 1, h.proxy("hp").Sessions())
}

// TestRandomFaultsKeepHistoriesWellFormed runs every kind of process under
// random faults on a random network (loss, duplication, reordering, long
// delays) and checks that nothing panics, nothing grows without bound and
// every history stays well formed.
func TestRandomFaultsKeepHistoriesWellFormed(t *testing.T) {
	seeds := 40
	if testing.Short() {
		seeds = 5
	}
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		t.Run("seed="+strconv.FormatUint(seed, 10), func(t *testing.T) {
			h := twoNodes(t, seed)
			w := client.Workload{Keys: []string{"a", "b"}, Reads: 1, Writes: 1, Incrs: 1, Appends: 1, Interval: 50, Jitter: 50, MaxOps: 300}
			opt := client.Options{Workload: w, OpTimeout: 400, BackoffMin: 20, BackoffMax: 300}
			h.addSentinelClient("c1", client.SentinelConfig{Options: opt, SentinelTimeout: 150}, "s1", "s2")
			h.addStatic("c2", client.StaticConfig{Options: opt, Addr: h.redis["redis2"].addr})
			addr := h.addProxy("hp", client.HAProxyConfig{Inter: 300, TimeoutServer: 1000, TimeoutClient: 2000, MaxConn: 8}, "redis1", "redis2")
			h.addStatic("c3", client.StaticConfig{Options: opt, Addr: addr})
			rng := h.w.Stream("test/plan")
			require.NoError(t, h.w.Apply(sim.SetLinks{Config: sim.RandomNetwork(rng)}))
			plan := sim.RandomPlan{Nodes: h.w.Nodes(), From: 500, To: 8000, Count: 12, MaxDuration: 3000}
			faults, err := plan.Draw(rng)
			require.NoError(t, err)
			for _, f := range faults {
				require.NoError(t, h.w.Schedule(f.At, f.Fault))
			}
			h.failover(4000, "redis1", "redis2")
			h.run(30 * wire.Second)
			h.checkHistory()
			for _, c := range []string{"c1", "c2", "c3"} {
				b, _ := h.w.Persisted(h.ids[c])
				inc, err := strconv.Atoi(strings.TrimPrefix(string(b), "incarnation "))
				require.NoError(t, err)
				assert.LessOrEqual(t, len(h.ops(c)), inc*300*3, "%s: at most MaxOps x MaxAttempts per incarnation", c)
			}
			if p, ok := h.w.Process(h.ids["hp"]).(*client.HAProxy); ok {
				assert.LessOrEqual(t, p.Sessions(), 8)
			}
		})
	}
}

// A command sent to a crashed process comes back from its host as a reset:
// no process read it, so the op failed (not applied), unlike a connection
// closed while the command may have run.
func TestCommandBouncedByDeadProcessIsFail(t *testing.T) {
	h := twoNodes(t, 21)
	h.addStatic("c1", client.StaticConfig{Options: client.Options{Workload: writes(40)}, Addr: h.redis["redis1"].addr})
	require.NoError(t, h.w.Schedule(1000, sim.Crash{Node: h.ids["redis1"]}))
	h.run(5 * wire.Second)
	h.checkHistory()
	var bounced int
	for _, op := range h.ops("c1") {
		switch {
		case op.Call < 1000:
			assert.Equal(t, history.OK, op.Outcome, "%s", &op)
		case op.Outcome == history.Fail && op.Reply.Str == "CLOSED reset":
			bounced++
			assert.Empty(t, op.Node, "never reached a process: %s", &op)
		default:
			assert.Equal(t, history.Fail, op.Outcome, "%s", &op)
		}
		assert.NotEqual(t, history.Unknown, op.Outcome, "%s", &op)
	}
	assert.Positive(t, bounced)
}
