package sentinel_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/model"
	"github.com/sentinelsim/sentinelsim/sentinel"
	"github.com/sentinelsim/sentinelsim/sim"
)

// cluster is three Redis nodes (redis1 master, redis2 and redis3 its
// replicas) and three sentinels monitoring "mymaster" with quorum 2.
type cluster struct {
	t     *testing.T
	w     *sim.World
	dir   *wire.StaticDirectory
	trace *bytes.Buffer
	ids   map[string]wire.NodeID
}

func newCluster(t *testing.T, seed uint64, mc sentinel.MasterConfig) *cluster {
	t.Helper()
	trace := &bytes.Buffer{}
	w, err := sim.New(sim.Config{Seed: seed, Network: sim.LAN, Trace: trace})
	require.NoError(t, err)
	c := &cluster{t: t, w: w, dir: wire.NewStaticDirectory(), trace: trace, ids: map[string]wire.NodeID{}}
	master := wire.Addr{Host: "10.0.0.1", Port: 6379}
	for i := 1; i <= 3; i++ {
		cfg := model.DefaultConfig(wire.Addr{Host: "10.0.0." + strconv.Itoa(i), Port: 6379})
		cfg.Directory = c.dir
		if i > 1 {
			cfg.ReplicaOf = master
		}
		c.add("redis"+strconv.Itoa(i), cfg.Addr, func() sim.Process {
			n, err := model.NewNode(cfg, int64(i))
			if err != nil {
				panic(err)
			}
			return n
		})
	}
	mc.Name, mc.Addr = "mymaster", master
	for i := 1; i <= 3; i++ {
		opts := sentinel.Options{Addr: wire.Addr{Host: "10.0.1." + strconv.Itoa(i), Port: 26379}, Masters: []sentinel.MasterConfig{mc}, Directory: c.dir}
		_, err := sentinel.New(opts)
		require.NoError(t, err)
		c.add("s"+strconv.Itoa(i), opts.Addr, func() sim.Process {
			s, _ := sentinel.New(opts)
			return s
		})
	}
	return c
}

func (c *cluster) add(name string, addr wire.Addr, start func() sim.Process) {
	id, err := c.w.AddNode(sim.NodeSpec{Name: name, Start: start})
	require.NoError(c.t, err)
	c.dir.Add(id, addr)
	c.ids[name] = id
}

func (c *cluster) run(d wire.Duration) {
	c.t.Helper()
	out := c.w.RunFor(d)
	require.True(c.t, out.OK(), "%+v", out)
	require.NoError(c.t, c.w.Trace().Flush())
}

// events returns the sentinel events ("+sdown master ...") a node emitted,
// in order, without the level character.
func (c *cluster) events(node string) []string {
	var out []string
	for _, l := range strings.Split(c.trace.String(), "\n") {
		_, rest, _ := strings.Cut(l, " ")
		if ev, ok := strings.CutPrefix(rest, "event "+node+" "); ok && len(ev) > 2 && (ev[2] == '+' || ev[2] == '-') {
			out = append(out, ev[2:])
		}
	}
	return out
}

// types keeps the event types (first word) of events.
func types(events []string) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i], _, _ = strings.Cut(e, " ")
	}
	return out
}

// subsequence reports whether want appears in got in order.
func subsequence(got, want []string) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}

func (c *cluster) node(name string) *model.Node { return c.w.Process(c.ids[name]).(*model.Node) }

// A killed master is failed over by the leader with the event sequence of
// spec §12.1, every sentinel switches to the promoted replica, the other
// replica follows it, and the old master, restarted, is converted into a
// replica of the new one (§17.1).
func TestKilledMasterIsFailedOverAndDemotedOnReturn(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		t.Run("seed="+strconv.FormatUint(seed, 10), func(t *testing.T) { killedMaster(t, seed) })
	}
}

func killedMaster(t *testing.T, seed uint64) {
	c := newCluster(t, seed, sentinel.MasterConfig{Quorum: 2, DownAfter: 5000, FailoverTimeout: 60_000, ParallelSyncs: 1})
	c.run(20 * wire.Second) // discovery: replicas from INFO, sentinels from hellos
	for _, s := range []string{"s1", "s2", "s3"} {
		ev := types(c.events(s))
		assert.Contains(t, ev, "+slave", s)
		assert.Contains(t, ev, "+sentinel", s)
	}
	require.NoError(t, c.w.Schedule(20_000, sim.Crash{Node: c.ids["redis1"]}))
	c.run(60 * wire.Second)

	var leader string
	for _, s := range []string{"s1", "s2", "s3"} {
		if subsequence(types(c.events(s)), []string{"+elected-leader"}) {
			require.Empty(t, leader, "two leaders")
			leader = s
		}
	}
	require.NotEmpty(t, leader, "someone was elected")
	assert.True(t, subsequence(types(c.events(leader)), []string{
		"+sdown", "+odown", "+new-epoch", "+try-failover", "+vote-for-leader", "+elected-leader",
		"+failover-state-select-slave", "+selected-slave", "+failover-state-send-slaveof-noone",
		"+failover-state-wait-promotion", "+promoted-slave", "+failover-state-reconf-slaves",
		"+slave-reconf-sent", "+slave-reconf-inprog", "+slave-reconf-done", "+failover-end", "+switch-master",
	}), "leader %s: %v", leader, c.events(leader))
	var promoted string
	for _, e := range c.events(leader) {
		if strings.HasPrefix(e, "+switch-master") {
			f := strings.Fields(e) // +switch-master <name> <old ip> <old port> <new ip> <new port>
			promoted = f[4]
		}
	}
	require.NotEmpty(t, promoted)
	for _, s := range []string{"s1", "s2", "s3"} {
		if s != leader {
			// A follower may be asked for its vote before it sees the
			// master down itself (spec §10.2: votes do not need SDOWN).
			ev := types(c.events(s))
			assert.True(t, subsequence(ev, []string{"+vote-for-leader", "+switch-master"}), "%s: %v", s, c.events(s))
			assert.Contains(t, ev, "+sdown", s)
		}
	}

	require.NoError(t, c.w.Schedule(c.w.Now().Add(wire.Second), sim.Restart{Node: c.ids["redis1"]}))
	c.run(40 * wire.Second)
	converted := 0
	for _, s := range []string{"s1", "s2", "s3"} {
		for _, e := range c.events(s) {
			if strings.HasPrefix(e, "+convert-to-slave slave 10.0.0.1:6379") {
				converted++
			}
		}
	}
	assert.Positive(t, converted, "a sentinel converted the returning old master")
	newMaster := "redis" + promoted[len(promoted)-1:]
	for _, n := range []string{"redis1", "redis2", "redis3"} {
		nd := c.node(n)
		if n == newMaster {
			assert.True(t, nd.Config().ReplicaOf.IsZero(), "%s is the master", n)
		} else {
			assert.Equal(t, promoted, nd.Config().ReplicaOf.Host, "%s replicates from the new master", n)
		}
	}
}
