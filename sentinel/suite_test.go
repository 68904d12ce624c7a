package sentinel_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sentinel"
	"github.com/sentinelsim/sentinelsim/sim"
)

// The scenarios of shared/reference/redis-sentinel-tests.md §6, derived from
// the Redis project's own Sentinel tests, against simulated Redis nodes.
// Parameters unless stated: 5 sentinels s0–s4, r0 master and r1–r4
// replicas, quorum 3, down-after 2000, failover-timeout 10000,
// parallel-syncs 10, tilt-period 5000.

type suite struct {
	*cluster
	n int
}

type suiteOpts struct {
	quorum   int
	timing   sentinel.Timing
	priority map[int]int // replica-priority of r<i>
}

func newSuite(t *testing.T, seed uint64, o suiteOpts) *suite {
	t.Helper()
	return newSuite2(t, seed, suite2Opts{suiteOpts: o})
}

// masterOf returns the master address a sentinel last switched to (the
// initial one if it never switched).
func (s *suite) masterOf(sentinelName string) string {
	addr := "10.0.0.0"
	for _, e := range s.events(sentinelName) {
		if strings.HasPrefix(e, "+switch-master ") {
			addr = strings.Fields(e)[4]
		}
	}
	return addr
}

// converged checks that every live sentinel names the same master and every
// other live Redis node replicates from it with its link up.
func (s *suite) converged(t *testing.T, sentinels []string) string {
	t.Helper()
	master := s.masterOf(sentinels[0])
	for _, name := range sentinels[1:] {
		assert.Equal(t, master, s.masterOf(name), "%s agrees on the master", name)
	}
	for i := 0; i < s.n; i++ {
		name := "r" + strconv.Itoa(i)
		if !s.w.Up(s.ids[name]) {
			continue
		}
		nd := s.node(name)
		if nd.Config().Addr.Host == master {
			assert.True(t, nd.Config().ReplicaOf.IsZero(), "%s is the master", name)
			continue
		}
		assert.Equal(t, master, nd.Config().ReplicaOf.Host, "%s replicates from the master", name)
		assert.True(t, nd.MasterLinkUp(), "%s link up", name)
	}
	return master
}

func all() []string { return []string{"s0", "s1", "s2", "s3", "s4"} }

func (s *suite) count(sentinelName, typ string) int {
	n := 0
	for _, e := range s.events(sentinelName) {
		if strings.HasPrefix(e, typ+" ") || e == typ {
			n++
		}
	}
	return n
}

// firstAt returns the time of a sentinel's first event of a type after
// from, or -1.
func (s *suite) firstAt(node, typ string, from wire.Time) wire.Time {
	for _, l := range strings.Split(s.trace.String(), "\n") {
		ts, rest, _ := strings.Cut(l, " ")
		if ev, ok := strings.CutPrefix(rest, "event "+node+" "); ok && len(ev) > 2 && strings.HasPrefix(ev[2:], typ+" ") {
			at, _ := strconv.ParseInt(ts, 10, 64)
			if wire.Time(at) >= from {
				return wire.Time(at)
			}
		}
	}
	return -1
}

// S-BASE-1 and S-BASE-2: a crashed master is replaced within the spec's
// target (~5 s: down-after 2 s + election), every sentinel switches exactly
// once, one leader per epoch; restarted, the old master is converted at
// the first INFO more than 8 s after it was first seen as a master.
func TestSuiteBase1And2(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		s := newSuite(t, seed, suiteOpts{})
		s.run(10 * wire.Second)
		require.NoError(t, s.w.Schedule(10_000, sim.Crash{Node: s.ids["r0"]}))
		s.run(10 * wire.Second)
		for _, name := range all() {
			assert.Equal(t, 1, s.count(name, "+switch-master"), "seed %d: %s switches once within 10 s", seed, name)
		}
		for epoch, leaders := range s.leadersByEpochOf(all()) {
			assert.Len(t, leaders, 1, "seed %d epoch %d", seed, epoch)
		}
		s.run(40 * wire.Second)
		master := s.converged(t, all())
		require.NotEqual(t, "10.0.0.0", master)

		require.NoError(t, s.w.Schedule(s.w.Now(), sim.Restart{Node: s.ids["r0"]}))
		back := s.w.Now()
		s.run(50 * wire.Second)
		converted := wire.Time(-1)
		for _, name := range all() {
			if at := s.firstAt(name, "+convert-to-slave", back); at >= 0 && (converted < 0 || at < converted) {
				converted = at
			}
		}
		require.GreaterOrEqual(t, converted, back.Add(8000), "seed %d: not converted before the 8 s rule", seed)
		assert.LessOrEqual(t, converted, back.Add(20_000), "seed %d: converted at the first INFO after 8 s", seed)
		s.converged(t, all())
	}
}

// leadersByEpochOf reads the named sentinels' events: the epoch of a
// failover attempt is the +new-epoch announced right before its
// +try-failover, and +elected-leader makes that sentinel the leader of that
// epoch.
func (c *cluster) leadersByEpochOf(names []string) map[uint64][]string {
	out := map[uint64][]string{}
	for _, s := range names {
		var last, attempt uint64
		for _, e := range c.events(s) {
			typ, rest, _ := strings.Cut(e, " ")
			switch typ {
			case "+new-epoch":
				last, _ = strconv.ParseUint(rest, 10, 64)
			case "+try-failover":
				attempt = last
			case "+elected-leader":
				out[attempt] = append(out[attempt], s)
			}
		}
	}
	return out
}

// S-BASE-3: with quorum 6 of 5 sentinels nobody ever reaches ODOWN.
func TestSuiteBase3QuorumTooHigh(t *testing.T) {
	s := newSuite(t, 3, suiteOpts{quorum: 6})
	require.NoError(t, s.w.Schedule(10_000, sim.Crash{Node: s.ids["r0"]}))
	s.run(45 * wire.Second)
	for _, name := range all() {
		assert.Zero(t, s.count(name, "+odown"), name)
		assert.Zero(t, s.count(name, "+try-failover"), name)
		assert.Equal(t, "10.0.0.0", s.masterOf(name))
	}
}

// S-BASE-4: quorum 3 with three sentinels dead: the two left may see SDOWN
// but never ODOWN, and nothing switches.
func TestSuiteBase4NotEnoughSentinels(t *testing.T) {
	s := newSuite(t, 4, suiteOpts{})
	for _, name := range []string{"s0", "s1", "s2"} {
		require.NoError(t, s.w.Schedule(5000, sim.Crash{Node: s.ids[name]}))
	}
	require.NoError(t, s.w.Schedule(10_000, sim.Crash{Node: s.ids["r0"]}))
	s.run(45 * wire.Second)
	for _, name := range []string{"s3", "s4"} {
		assert.Positive(t, s.count(name, "+sdown"), name)
		assert.Zero(t, s.count(name, "+odown"), name)
		assert.Zero(t, s.count(name, "+switch-master"), name)
	}
}

// S-BASE-5: quorum 5, all sentinels alive: the failover completes.
func TestSuiteBase5FullQuorum(t *testing.T) {
	s := newSuite(t, 5, suiteOpts{quorum: 5})
	require.NoError(t, s.w.Schedule(10_000, sim.Crash{Node: s.ids["r0"]}))
	s.run(110 * wire.Second)
	assert.NotEqual(t, "10.0.0.0", s.converged(t, all()))
}

// S-CONF-1 and S-CONF-2: the others converge without s1; restarted from its
// persisted config, s1 learns the new master from a hello.
func TestSuiteConfPropagation(t *testing.T) {
	s := newSuite(t, 6, suiteOpts{})
	require.NoError(t, s.w.Schedule(5000, sim.Crash{Node: s.ids["s1"]}))
	require.NoError(t, s.w.Schedule(10_000, sim.Crash{Node: s.ids["r0"]}))
	s.run(60 * wire.Second)
	live := []string{"s0", "s2", "s3", "s4"}
	master := s.converged(t, live)
	require.NoError(t, s.w.Schedule(s.w.Now(), sim.Restart{Node: s.ids["s1"]}))
	back := s.w.Now()
	s.run(10 * wire.Second)
	at := s.firstAt("s1", "+switch-master", back)
	require.GreaterOrEqual(t, at, back, "s1 switched after its restart")
	assert.LessOrEqual(t, at, back.Add(6000), "within a few hello periods")
	assert.Positive(t, s.count("s1", "+config-update-from"))
	assert.Equal(t, master, s.masterOf("s1"))
}

// S-DOWN-3: a master that reports role:slave (SLAVEOF a host that does not
// exist) is SDOWN after down-after + 2 × info-period (spec §8.1 rule 2).
func TestSuiteDownByRole(t *testing.T) {
	timing := sentinel.DefaultTiming
	timing.TiltPeriod = 5000
	timing.InfoPeriod = 1000
	s := newSuite(t, 7, suiteOpts{quorum: 6, timing: timing}) // quorum 6: watch SDOWN only
	_, err := s.w.AddNode(sim.NodeSpec{Name: "admin", Start: func() sim.Process {
		return &asker{to: s.ids["r0"], at: []wire.Duration{10_000}, cmds: [][]string{{"SLAVEOF", "10.9.9.9", "6379"}}, replies: &[]wire.Value{}}
	}})
	require.NoError(t, err)
	s.run(30 * wire.Second)
	for _, name := range all() {
		at := s.firstAt(name, "+sdown", 10_000)
		require.Positive(t, at, name)
		// role reported within an INFO period, then down-after + 2 × info.
		assert.GreaterOrEqual(t, at, wire.Time(10_000+2000+2*1000), name)
		assert.LessOrEqual(t, at, wire.Time(10_000+1000+2000+2*1000+200), name)
	}
}

// S-TILT-1: a sentinel paused for more than 2 s enters TILT on resume, does
// not act for tilt-period, and leaves it.
func TestSuiteTilt(t *testing.T) {
	s := newSuite(t, 8, suiteOpts{})
	require.NoError(t, s.w.Schedule(10_000, sim.Pause{Node: s.ids["s2"]}))
	require.NoError(t, s.w.Schedule(13_000, sim.Resume{Node: s.ids["s2"]}))
	s.run(25 * wire.Second)
	in, out := s.firstAt("s2", "+tilt", 0), s.firstAt("s2", "-tilt", 0)
	assert.Equal(t, wire.Time(13_000), in, "TILT at the first tick after the resume")
	assert.GreaterOrEqual(t, out, in.Add(5000))
	assert.LessOrEqual(t, out, in.Add(5200))
	for _, name := range []string{"s0", "s1", "s3", "s4"} {
		assert.Zero(t, s.count(name, "+tilt"), name)
	}
}

// S-SEL-1: the replica with the lowest priority is promoted; priority 0 is
// never promoted (spec §13).
func TestSuiteReplicaSelectionByPriority(t *testing.T) {
	s := newSuite(t, 9, suiteOpts{priority: map[int]int{1: 0, 2: 50, 3: 10, 4: 100}})
	require.NoError(t, s.w.Schedule(10_000, sim.Crash{Node: s.ids["r0"]}))
	s.run(40 * wire.Second)
	assert.Equal(t, "10.0.0.3", s.converged(t, all()), "priority 10 beats 50 and 100; 0 is never chosen")
}
