package client_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/history"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/model"
	"github.com/sentinelsim/sentinelsim/model/client"
	"github.com/sentinelsim/sentinelsim/sim"
)

// addNode adds a real simulated Redis node (package model) on name:6379,
// replicating from replicaOf when it is not "".
func (h *harness) addNode(name, replicaOf string) {
	h.t.Helper()
	cfg := model.DefaultConfig(wire.Addr{Host: name, Port: 6379})
	cfg.Directory = h.dir
	if replicaOf != "" {
		cfg.ReplicaOf = wire.Addr{Host: replicaOf, Port: 6379}
	}
	_, err := model.NewNode(cfg, 1)
	require.NoError(h.t, err)
	h.add(name, cfg.Addr, false, func() sim.Process {
		n, _ := model.NewNode(cfg, 1)
		return n
	})
}

// admin sends one command to a node at a time and ignores the reply: what
// Sentinel's failover transaction does to the nodes, without Sentinel.
type admin struct {
	to   wire.NodeID
	at   []wire.Duration
	cmds [][]string
}

func (a *admin) Boot(env wire.Env, _ []byte) {
	for i, t := range a.at {
		env.After(t, uint64(i))
	}
}
func (a *admin) Receive(wire.Env, wire.Message) {}
func (a *admin) Fire(env wire.Env, i uint64) {
	env.Send(a.to, &wire.Command{Conn: wire.ConnID(i + 1), Seq: 1, Open: true, Args: a.cmds[i]})
}

func (h *harness) adminAt(name, node string, at wire.Duration, args ...string) {
	h.t.Helper()
	to := h.ids[node]
	h.add(name, wire.Addr{}, false, func() sim.Process {
		return &admin{to: to, at: []wire.Duration{at}, cmds: [][]string{args}}
	})
}

// A sentinel-aware client on real nodes: it writes to the master; after a
// failover the old master, now a replica, answers -READONLY (recorded as
// Fail) and the client moves to the new master.
func TestSentinelClientOnRealNodes(t *testing.T) {
	h := newHarness(t, 31)
	h.addNode("redis1", "")
	h.addNode("redis2", "redis1")
	s1 := h.addSentinel("s1", "redis1", false)
	h.addSentinelClient("app", client.SentinelConfig{Options: client.Options{
		Workload: client.Workload{Keys: []string{"k"}, Writes: 1, Interval: 200, MaxOps: 100},
	}}, "s1")
	// The failover, as Sentinel would drive it: promote redis2, then
	// demote redis1; the sentinel names redis2 a little later.
	h.adminAt("a1", "redis2", 8000, "REPLICAOF", "NO", "ONE")
	h.adminAt("a2", "redis1", 8100, "REPLICAOF", "redis2", "6379")
	h.w.At(9000, func(*sim.World) { s1.master = wire.Addr{Host: "redis2", Port: 6379} })
	h.run(30 * wire.Second)
	h.checkHistory()

	var before, readonly, after int
	for _, op := range h.ops("app") {
		switch {
		case op.Outcome == history.OK && op.Node == "redis1":
			before++
			assert.Less(t, op.Call, wire.Time(8200))
		case op.Outcome == history.Fail && op.Reply.ErrorCode() == "READONLY":
			readonly++
			assert.Equal(t, "redis1", op.Node)
		case op.Outcome == history.OK && op.Node == "redis2":
			after++
		}
	}
	assert.Positive(t, before, "writes went to redis1 first")
	assert.Positive(t, readonly, "the demoted master refused writes")
	assert.Positive(t, after, "then the client found redis2")
	assert.NotEmpty(t, h.events("client app master redis2:6379 via s1"))
}

// HAProxy health-checks real nodes for role:master and follows a failover.
func TestHAProxyOnRealNodes(t *testing.T) {
	h := newHarness(t, 32)
	h.addNode("redis1", "")
	h.addNode("redis2", "redis1")
	cfg := client.HAProxyConfig{Inter: 1000, Directory: h.dir, Backends: []wire.Addr{{Host: "redis1", Port: 6379}, {Host: "redis2", Port: 6379}}}
	_, err := client.NewHAProxy(cfg)
	require.NoError(t, err)
	proxy := wire.Addr{Host: "hp", Port: 6380}
	h.add("hp", proxy, false, func() sim.Process {
		p, _ := client.NewHAProxy(cfg)
		return p
	})
	h.addStatic("app", client.StaticConfig{Addr: proxy, Options: client.Options{
		Workload: client.Workload{Keys: []string{"k"}, Writes: 1, Reads: 1, Interval: 250, MaxOps: 200},
	}})
	h.adminAt("a1", "redis2", 10_000, "REPLICAOF", "NO", "ONE")
	h.adminAt("a2", "redis1", 10_050, "REPLICAOF", "redis2", "6379")
	h.run(40 * wire.Second)
	h.checkHistory()

	require.NotEmpty(t, h.events("haproxy hp down redis2:6379"), "the replica is down for HAProxy at first")
	require.NotEmpty(t, h.events("haproxy hp down redis1:6379"), "the demoted master is marked down")
	require.NotEmpty(t, h.events("haproxy hp up redis2:6379"), "the new master is marked up")
	var lateOK int
	for _, op := range h.ops("app") {
		if op.Call > 20_000 && op.Outcome == history.OK {
			lateOK++
		}
	}
	assert.Positive(t, lateOK, "clients are served through the proxy after the failover")
}
