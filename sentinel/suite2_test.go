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

// More scenarios of shared/reference/redis-sentinel-tests.md §6 (the derived
// scenarios table), with the parameters of newSuite unless stated.

// suite2Opts extends suiteOpts with per-node Redis and sentinel tweaks.
type suite2Opts struct {
	suiteOpts
	redis  func(i int, c *model.Config)     // applied to r<i>'s config
	master func(mc *sentinel.MasterConfig)  // applied to the monitor line
	opts   func(i int, o *sentinel.Options) // applied to s<i>'s options
	// fresh: sentinel s<i> restarts, after its first boot, with no
	// persisted state and this run id (a deleted myid line).
	fresh map[int]string
}

// freshSentinel boots without its persisted state.
type freshSentinel struct{ *sentinel.Sentinel }

func (f freshSentinel) Boot(env wire.Env, _ []byte) { f.Sentinel.Boot(env, nil) }

// newSuite2 is newSuite with the hooks of suite2Opts.
func newSuite2(t *testing.T, seed uint64, o suite2Opts) *suite {
	t.Helper()
	trace := &bytes.Buffer{}
	w, err := sim.New(sim.Config{Seed: seed, Network: sim.LAN, Trace: trace})
	require.NoError(t, err)
	c := &cluster{t: t, w: w, dir: wire.NewStaticDirectory(), trace: trace, ids: map[string]wire.NodeID{}}
	master := wire.Addr{Host: "10.0.0.0", Port: 6379}
	for i := 0; i < 5; i++ {
		cfg := model.DefaultConfig(wire.Addr{Host: "10.0.0." + strconv.Itoa(i), Port: 6379})
		cfg.Directory = c.dir
		if i > 0 {
			cfg.ReplicaOf = master
		}
		if p, ok := o.priority[i]; ok {
			cfg.ReplicaPriority = p
		}
		if o.redis != nil {
			o.redis(i, &cfg)
		}
		c.add("r"+strconv.Itoa(i), cfg.Addr, func() sim.Process {
			n, err := model.NewNode(cfg, int64(i))
			if err != nil {
				panic(err)
			}
			return n
		})
	}
	if o.quorum == 0 {
		o.quorum = 3
	}
	timing := o.timing
	if timing == (sentinel.Timing{}) {
		timing = sentinel.DefaultTiming
		timing.TiltPeriod = 5000
	}
	mc := sentinel.MasterConfig{Name: "mymaster", Addr: master, Quorum: o.quorum, DownAfter: 2000, FailoverTimeout: 10_000, ParallelSyncs: 10}
	if o.master != nil {
		o.master(&mc)
	}
	for i := 0; i < 5; i++ {
		opts := sentinel.Options{Addr: wire.Addr{Host: "10.0.1." + strconv.Itoa(i), Port: 26379}, Masters: []sentinel.MasterConfig{mc}, Directory: c.dir, Timing: timing}
		if o.opts != nil {
			o.opts(i, &opts)
		}
		boots := 0
		c.add("s"+strconv.Itoa(i), opts.Addr, func() sim.Process {
			boots++
			o2 := opts
			id, fresh := o.fresh[i]
			if fresh && boots > 1 {
				o2.MyID = id
			}
			s, err := sentinel.New(o2)
			if err != nil {
				panic(err)
			}
			if fresh && boots > 1 {
				return freshSentinel{s}
			}
			return s
		})
	}
	return &suite{cluster: c, n: 5}
}

// timedReply is one reply a probe got and when.
type timedReply struct {
	v  wire.Value
	at wire.Time
}

// probe sends cmds[i] to one node at at[i] after its boot, on one
// connection, and keeps each reply (indexed like cmds) with its time.
type probe struct {
	to      wire.NodeID
	at      []wire.Duration
	cmds    [][]string
	replies map[int]timedReply
	seq     uint64
}

func (p *probe) Boot(env wire.Env, _ []byte) {
	for i, t := range p.at {
		env.After(t, uint64(i))
	}
}

func (p *probe) Fire(env wire.Env, i uint64) {
	p.seq++
	env.Send(p.to, &wire.Command{Conn: 1, Seq: i + 1, Open: p.seq == 1, Args: p.cmds[i]})
}

func (p *probe) Receive(env wire.Env, m wire.Message) {
	if r, ok := m.Payload.(*wire.Reply); ok && r.Seq >= 1 {
		p.replies[int(r.Seq-1)] = timedReply{r.Value, env.Now()}
	}
}

var probes int

// probe adds a client node that sends cmds to node at the given times
// (milliseconds since the start); it must be called before the first run.
func (s *suite) probe(node string, at []wire.Duration, cmds ...[]string) *probe {
	s.t.Helper()
	require.Len(s.t, at, len(cmds))
	p := &probe{to: s.ids[node], at: at, cmds: cmds, replies: map[int]timedReply{}}
	probes++
	_, err := s.w.AddNode(sim.NodeSpec{Name: "probe" + strconv.Itoa(probes), Start: func() sim.Process { return p }})
	require.NoError(s.t, err)
	return p
}

// reply is the text of reply i, or "" if none came.
func (p *probe) reply(i int) string {
	r, ok := p.replies[i]
	if !ok {
		return ""
	}
	return r.v.String()
}

// times returns when a node emitted each event of a type.
func (s *suite) times(node, typ string) []wire.Time {
	var out []wire.Time
	for _, l := range strings.Split(s.trace.String(), "\n") {
		ts, rest, _ := strings.Cut(l, " ")
		if ev, ok := strings.CutPrefix(rest, "event "+node+" "); ok && len(ev) > 2 && (strings.HasPrefix(ev[2:], typ+" ") || ev[2:] == typ) {
			at, _ := strconv.ParseInt(ts, 10, 64)
			out = append(out, wire.Time(at))
		}
	}
	return out
}

// mapField reads a field of a SENTINEL MASTER / REPLICAS map reply.
func mapField(v wire.Value, field string) string {
	for i := 0; i+1 < len(v.Array); i += 2 {
		if v.Array[i].Str == field {
			return v.Array[i+1].Str
		}
	}
	return ""
}

func msAt(ms ...int) []wire.Duration {
	out := make([]wire.Duration, len(ms))
	for i, m := range ms {
		out[i] = wire.Duration(m)
	}
	return out
}

// S-MAN-1 (§6 row S-MAN-1, Redis 05-manual): SENTINEL FAILOVER with a
// healthy master replies OK, everybody converges (≤ 50 s), the old master,
// never down, is converted into a replica of the new one (≤ 50 s), and a
// second FAILOVER during the first is refused with -INPROG.
func TestSuiteMan1ManualFailover(t *testing.T) {
	for seed := uint64(1); seed <= 2; seed++ {
		s := newSuite2(t, seed, suite2Opts{})
		p := s.probe("s0", msAt(15_000, 15_050), []string{"SENTINEL", "FAILOVER", "mymaster"}, []string{"SENTINEL", "FAILOVER", "mymaster"})
		s.run(16 * wire.Second)
		assert.Equal(t, "+OK", p.reply(0), "seed %d", seed)
		assert.Equal(t, "-INPROG Failover already in progress", p.reply(1), "seed %d", seed)
		s.run(49 * wire.Second) // 15 s + 50 s
		master := s.converged(t, all())
		assert.NotEqual(t, "10.0.0.0", master, "seed %d", seed)
		for _, name := range all() {
			assert.Equal(t, 1, s.count(name, "+switch-master"), "seed %d: %s", seed, name)
		}
		assert.Equal(t, master, s.node("r0").Config().ReplicaOf.Host, "seed %d: old master converted", seed)
		conv := wire.Time(-1)
		for _, name := range all() {
			if at := s.firstAt(name, "+convert-to-slave", 15_000); at >= 0 && (conv < 0 || at < conv) {
				conv = at
			}
		}
		t.Logf("seed %d: +convert-to-slave at %v, switch at %v", seed, conv, s.firstAt("s0", "+switch-master", 0))
		require.Positive(t, conv, "seed %d", seed)
		assert.LessOrEqual(t, conv, wire.Time(15_000+50_000), "seed %d", seed)
		assert.GreaterOrEqual(t, conv, s.firstAt("s0", "+switch-master", 0).Add(8000), "seed %d: not before 4 × publish-period", seed)
		// Spec: the old master was never down; it is converted at the first
		// INFO > 4 × publish-period after it is seen as a master under the new
		// configuration, so well within the 50 s bound.
		// FORCE_FAILOVER skips the election but still logs +elected-leader.
		assert.Equal(t, 1, s.count("s0", "+elected-leader"), "seed %d: s0 ran it", seed)
		assert.Equal(t, 1, s.count("s0", "+failover-end"), "seed %d: s0 ran it", seed)
	}
}

// S-MAN-2 (§6 row S-MAN-2): SENTINEL FAILOVER when no replica qualifies (all
// replica-priority 0) replies -NOGOODSLAVE and changes nothing.
func TestSuiteMan2NoGoodSlave(t *testing.T) {
	s := newSuite2(t, 2, suite2Opts{suiteOpts: suiteOpts{priority: map[int]int{1: 0, 2: 0, 3: 0, 4: 0}}})
	p := s.probe("s0", msAt(15_000), []string{"SENTINEL", "FAILOVER", "mymaster"})
	s.run(30 * wire.Second)
	assert.Equal(t, "-NOGOODSLAVE No suitable replica to promote", p.reply(0))
	for _, name := range all() {
		for _, typ := range []string{"+new-epoch", "+try-failover", "+elected-leader", "+switch-master", "+failover-state-select-slave"} {
			assert.Zero(t, s.count(name, typ), "%s %s", name, typ)
		}
		assert.Equal(t, "10.0.0.0", s.masterOf(name))
	}
	s.converged(t, all())
}

const (
	ckOK       = "+OK 5 usable Sentinels. Quorum and failover authorization can be reached"
	ckNoQuorum = "-NOQUORUM 5 usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master"
	ckNoAuth2  = "-NOQUORUM 2 usable Sentinels. Not enough available Sentinels to reach the majority and authorize a failover"
)

// S-CKQ-1 (§6 row S-CKQ-1..3, Redis 06-ckquorum test 1; texts of
// sentinel.c's sentinelCommand "ckquorum", spec §22.2): every sentinel
// answers "+OK 5 usable Sentinels. …".
func TestSuiteCkq1Healthy(t *testing.T) {
	s := newSuite2(t, 3, suite2Opts{})
	ps := map[string]*probe{}
	for _, name := range all() {
		ps[name] = s.probe(name, msAt(10_000), []string{"SENTINEL", "CKQUORUM", "mymaster"})
	}
	s.run(11 * wire.Second)
	for name, p := range ps {
		assert.Equal(t, ckOK, p.reply(0), name)
	}
}

// S-CKQ-2 (§6 row S-CKQ-1..3, Redis 06-ckquorum test 2): with quorum 6 on
// s0 its CKQUORUM answers -NOQUORUM; quorum back to 3, OK again.
func TestSuiteCkq2QuorumTooHigh(t *testing.T) {
	s := newSuite2(t, 4, suite2Opts{})
	p := s.probe("s0", msAt(10_000, 10_010, 10_020, 10_030),
		[]string{"SENTINEL", "SET", "mymaster", "quorum", "6"},
		[]string{"SENTINEL", "CKQUORUM", "mymaster"},
		[]string{"SENTINEL", "SET", "mymaster", "quorum", "3"},
		[]string{"SENTINEL", "CKQUORUM", "mymaster"})
	s.run(11 * wire.Second)
	assert.Equal(t, "+OK", p.reply(0))
	assert.Equal(t, ckNoQuorum, p.reply(1))
	assert.Equal(t, "+OK", p.reply(2))
	assert.Equal(t, ckOK, p.reply(3))
}

// S-CKQ-3 (§6 row S-CKQ-1..3, Redis 06-ckquorum test 3): s0 with quorum 1,
// s1–s3 killed: within 15 s (after s0 marks them SDOWN, down-after 2 s)
// CKQUORUM fails with "-NOQUORUM 2 usable Sentinels. … majority …".
func TestSuiteCkq3NoAuthorization(t *testing.T) {
	s := newSuite2(t, 5, suite2Opts{})
	ms := []int{10_000, 10_010}
	cmds := [][]string{{"SENTINEL", "SET", "mymaster", "quorum", "1"}, {"SENTINEL", "CKQUORUM", "mymaster"}}
	for ms0 := 11_000; ms0 <= 26_000; ms0 += 250 {
		ms = append(ms, ms0)
		cmds = append(cmds, []string{"SENTINEL", "CKQUORUM", "mymaster"})
	}
	p := s.probe("s0", msAt(ms...), cmds...)
	for _, name := range []string{"s1", "s2", "s3"} {
		require.NoError(t, s.w.Schedule(11_000, sim.Crash{Node: s.ids[name]}))
	}
	s.run(27 * wire.Second)
	assert.Equal(t, "+OK", p.reply(0))
	assert.Equal(t, ckOK, p.reply(1))
	first := -1
	for i := 2; i < len(cmds); i++ {
		if r := p.reply(i); strings.HasPrefix(r, "-") {
			first = i
			break
		}
	}
	require.Positive(t, first, "CKQUORUM never failed")
	failAt := p.replies[first].at
	assert.Equal(t, ckNoAuth2, p.reply(first))
	assert.GreaterOrEqual(t, failAt, wire.Time(11_000+2000), "not before the peers are SDOWN")
	assert.LessOrEqual(t, failAt, wire.Time(11_000+15_000), "Redis bound 15 s")
	assert.LessOrEqual(t, failAt, wire.Time(11_000+2000+1500), "target: down-after + a ping period")
	for i := first; i < len(cmds); i++ {
		assert.Equal(t, ckNoAuth2, p.reply(i), "stays failing (%d)", i)
	}
	assert.Zero(t, s.count("s0", "+try-failover"))
}

// downSuite is the setup of Redis 07-down-conditions: sentinels s0–s2 are
// killed (quorum 3), so s3 and s4 can see SDOWN but never ODOWN.
func downSuite(t *testing.T, seed uint64, o suite2Opts) *suite {
	s := newSuite2(t, seed, o)
	for _, name := range []string{"s0", "s1", "s2"} {
		require.NoError(t, s.w.Schedule(1000, sim.Crash{Node: s.ids[name]}))
	}
	return s
}

// checkDownUp checks that s4 saw the master go SDOWN once, within [lo, hi],
// back up within [upLo, upHi], and that s3 and s4 never reached ODOWN.
func (s *suite) checkDownUp(t *testing.T, lo, hi, upLo, upHi wire.Time) {
	t.Helper()
	down, up := s.times("s4", "+sdown master"), s.times("s4", "-sdown master")
	t.Logf("s4 +sdown %v -sdown %v", down, up)
	require.Len(t, down, 1, "s4: %v", s.events("s4"))
	require.Len(t, up, 1, "s4: %v", s.events("s4"))
	assert.GreaterOrEqual(t, down[0], lo)
	assert.LessOrEqual(t, down[0], hi)
	assert.GreaterOrEqual(t, up[0], upLo)
	assert.LessOrEqual(t, up[0], upHi)
	assert.Contains(t, s.events("s4")[0:], "+sdown master mymaster 10.0.0.0 6379")
	for _, name := range []string{"s3", "s4"} {
		assert.Zero(t, s.count(name, "+odown"), name)
		assert.Zero(t, s.count(name, "+try-failover"), name)
		assert.Equal(t, "10.0.0.0", s.masterOf(name), name)
	}
}

// S-DOWN-1 (§6 row S-DOWN-1, Redis 07 test 1): the master frozen (SIGSTOP,
// silent) is SDOWN after ~down-after (2 s), up again after the resume,
// never ODOWN.
func TestSuiteDown1Frozen(t *testing.T) {
	s := downSuite(t, 11, suite2Opts{})
	require.NoError(t, s.w.Schedule(10_000, sim.Pause{Node: s.ids["r0"]}))
	require.NoError(t, s.w.Schedule(20_000, sim.Resume{Node: s.ids["r0"]}))
	s.run(30 * wire.Second)
	// The first unanswered PING goes out at most a ping period after the
	// pause: SDOWN down-after after it.
	s.checkDownUp(t, 12_000, 13_000+200, 20_000, 20_000+1200)
}

// S-DOWN-2 (§6 row S-DOWN-2, Redis 07 test 2): the master crashed (noisy) is
// SDOWN after ~2 s, up again after its restart, never ODOWN.
func TestSuiteDown2Crashed(t *testing.T) {
	s := downSuite(t, 12, suite2Opts{})
	require.NoError(t, s.w.Schedule(10_000, sim.Crash{Node: s.ids["r0"]}))
	require.NoError(t, s.w.Schedule(20_000, sim.Restart{Node: s.ids["r0"]}))
	s.run(30 * wire.Second)
	s.checkDownUp(t, 11_000, 13_000+200, 20_000, 20_000+2200)
}

// S-DOWN-4 (§6 row S-DOWN-4, Redis 07 test 4): a master with RDB
// persistence whose disk fails (DEBUG SIMULATE-BGSAVE-ERROR 1, the model's
// stand-in for the failing BGSAVE) answers PING with -MISCONF, which is not
// an acceptable reply: SDOWN after ~2 s; up again once the disk recovers.
func TestSuiteDown4Misconf(t *testing.T) {
	s := downSuite(t, 13, suite2Opts{redis: func(i int, c *model.Config) {
		if i == 0 {
			c.Persistence = model.PersistRDB
			c.StopWritesOnBgsaveError = true
		}
	}})
	p := s.probe("r0", msAt(10_000, 10_010, 20_000, 20_010),
		[]string{"DEBUG", "SIMULATE-BGSAVE-ERROR", "1"}, []string{"PING"},
		[]string{"DEBUG", "SIMULATE-BGSAVE-ERROR", "0"}, []string{"PING"})
	s.run(30 * wire.Second)
	assert.Equal(t, "+OK", p.reply(0))
	assert.True(t, strings.HasPrefix(p.reply(1), "-MISCONF "), p.reply(1))
	assert.Equal(t, "+PONG", p.reply(3))
	s.checkDownUp(t, 12_000, 13_000+200, 20_000, 20_000+1200)
}

// S-DOWN-5 (§6 row S-DOWN-5, Redis 07 test 5): s4 told to rename PING to
// PONG sends an unknown command, whose error reply is not acceptable: SDOWN;
// the mapping removed (rename-command PING PING), up again. s3 sees
// nothing.
func TestSuiteDown5RenamedPingOnSentinel(t *testing.T) {
	s := downSuite(t, 14, suite2Opts{})
	p := s.probe("s4", msAt(10_000, 20_000),
		[]string{"SENTINEL", "SET", "mymaster", "rename-command", "PING", "PONG"},
		[]string{"SENTINEL", "SET", "mymaster", "rename-command", "PING", "PING"})
	s.run(30 * wire.Second)
	assert.Equal(t, "+OK", p.reply(0))
	assert.Equal(t, "+OK", p.reply(1))
	s.checkDownUp(t, 12_000, 13_000+200, 20_000, 20_000+1200)
	assert.Empty(t, s.times("s3", "+sdown master"))
}

// S-DOWN-5 (§6 row S-DOWN-5), the other way round: PING renamed on the
// master itself (rename-command PING XPING) makes it SDOWN from the start
// for s4; once s4 sends XPING for PING (SENTINEL SET rename-command) it is
// up.
func TestSuiteDown5RenamedPingOnNode(t *testing.T) {
	s := downSuite(t, 15, suite2Opts{redis: func(i int, c *model.Config) {
		if i == 0 {
			c.RenameCommands = map[string]string{"PING": "XPING"}
		}
	}})
	p := s.probe("s4", msAt(20_000), []string{"SENTINEL", "SET", "mymaster", "rename-command", "PING", "XPING"})
	s.run(30 * wire.Second)
	assert.Equal(t, "+OK", p.reply(0))
	s.checkDownUp(t, 2000, 3200, 20_000, 20_000+1200)
	// s3 still sends PING: the master stays down for it.
	assert.Len(t, s.times("s3", "+sdown master"), 1)
	assert.Empty(t, s.times("s3", "-sdown master"))
}

// S-ANN-1 (§6 row S-ANN-1, Redis 10-replica-priority): with
// replica-announced no on r3 and r4, SENTINEL REPLICAS lists 2 entries
// (≤ 20 s) but the master's num-slaves stays 4.
func TestSuiteAnn1ReplicaAnnounced(t *testing.T) {
	s := newSuite2(t, 16, suite2Opts{redis: func(i int, c *model.Config) {
		if i >= 3 {
			c.ReplicaAnnounced = false
		}
	}})
	p := s.probe("s0", msAt(20_000, 20_010), []string{"SENTINEL", "REPLICAS", "mymaster"}, []string{"SENTINEL", "MASTER", "mymaster"})
	s.run(21 * wire.Second)
	r := p.replies[0].v
	require.Len(t, r.Array, 2, r.String())
	var ips []string
	for _, e := range r.Array {
		ips = append(ips, mapField(e, "ip"))
	}
	assert.ElementsMatch(t, []string{"10.0.0.1", "10.0.0.2"}, ips)
	assert.Equal(t, "4", mapField(p.replies[1].v, "num-slaves"))
}

// S-REBOOT-1 (§6 row S-REBOOT-1): master-reboot-down-after-period 5000; the
// master restarts with a dataset (AOF) and stays LOADING for 15 s: +reboot
// at the first INFO reply after the restart (0–10 s), SDOWN 5 s later, then
// a failover (≤ 100 s); the old master is converted after loading ends.
func TestSuiteReboot1(t *testing.T) {
	s := newSuite2(t, 17, suite2Opts{
		redis: func(i int, c *model.Config) {
			if i == 0 {
				c.Persistence = model.PersistAOF
				c.LoadingTime = 15 * wire.Second
			}
		},
		master: func(mc *sentinel.MasterConfig) { mc.MasterRebootDownAfterPeriod = 5000 },
	})
	p := s.probe("r0", msAt(5000), []string{"SET", "k", "v"})
	const restart = 20_000
	require.NoError(t, s.w.Schedule(restart, sim.Restart{Node: s.ids["r0"]}))
	s.run(120 * wire.Second)
	assert.Equal(t, "+OK", p.reply(0))
	for _, name := range all() {
		rb := s.firstAt(name, "+reboot", restart)
		require.GreaterOrEqual(t, rb, wire.Time(restart), "%s: %v", name, s.events(name))
		assert.LessOrEqual(t, rb, wire.Time(restart+10_000+500), name)
		sd := s.firstAt(name, "+sdown", rb)
		t.Logf("%s: +reboot %v +sdown %v +switch %v", name, rb, sd, s.firstAt(name, "+switch-master", restart))
		require.Positive(t, sd, name)
		{
			assert.GreaterOrEqual(t, sd, rb.Add(5000), "%s: SDOWN no sooner than the reboot period", name)
			assert.LessOrEqual(t, sd, rb.Add(5000+1200), "%s: SDOWN at the reboot period", name)
		}
		sw := s.firstAt(name, "+switch-master", restart)
		require.Positive(t, sw, name)
		assert.LessOrEqual(t, sw, wire.Time(restart+100_000), name)
	}
	master := s.converged(t, all())
	assert.NotEqual(t, "10.0.0.0", master)
	conv := wire.Time(-1)
	for _, name := range all() {
		if at := s.firstAt(name, "+convert-to-slave", restart); at >= 0 && (conv < 0 || at < conv) {
			conv = at
		}
	}
	assert.GreaterOrEqual(t, conv, wire.Time(restart+15_000), "converted after loading ends")
}

// S-SEL-2 (§6 row S-SEL-2): no eligible replica (all priority 0) during a
// real failover: the leader aborts with -failover-abort-no-good-slave and
// no sentinel tries again before 2 × failover-timeout; nothing switches.
func TestSuiteSel2NoGoodSlave(t *testing.T) {
	s := newSuite2(t, 18, suite2Opts{suiteOpts: suiteOpts{priority: map[int]int{1: 0, 2: 0, 3: 0, 4: 0}}})
	require.NoError(t, s.w.Schedule(10_000, sim.Crash{Node: s.ids["r0"]}))
	s.run(65 * wire.Second)
	aborts := 0
	for _, name := range all() {
		aborts += s.count(name, "-failover-abort-no-good-slave")
		tries := s.times(name, "+try-failover")
		t.Logf("%s: +try-failover %v, aborts %v", name, tries, s.times(name, "-failover-abort-no-good-slave"))
		for i := 1; i < len(tries); i++ {
			assert.GreaterOrEqual(t, tries[i], tries[i-1].Add(20_000), "%s retried early: %v", name, tries)
		}
		assert.Zero(t, s.count(name, "+switch-master"), name)
		assert.Zero(t, s.count(name, "+selected-slave"), name)
	}
	assert.Positive(t, aborts, "someone was elected and aborted")
	// Everybody voted in the first attempt, so nobody tries again before
	// 2 × failover-timeout after it.
	var first wire.Time = -1
	for _, name := range all() {
		if tr := s.times(name, "+try-failover"); len(tr) > 0 && (first < 0 || tr[0] < first) {
			first = tr[0]
		}
	}
	require.Positive(t, first)
	for _, name := range all() {
		for _, tr := range s.times(name, "+try-failover") {
			if tr != first {
				assert.GreaterOrEqual(t, tr, first.Add(20_000), name)
			}
		}
	}
}

// S-SIM-1 (§6 row S-SIM-1, later suites' 05-manual): SENTINEL
// SIMULATE-FAILURE crash-after-election on every sentinel (the leader is not
// known in advance); the master crashes; the elected leader exits right
// after +elected-leader. The flags are then cleared on the others (an
// unknown flag clears them: the command resets the mask first) and the dead
// one restarted (a restart forgets the flag); the remaining sentinels redo
// the failover after 2 × failover-timeout and everybody converges.
func TestSuiteSim1CrashAfterElection(t *testing.T) {
	s := newSuite2(t, 19, suite2Opts{})
	ps := map[string]*probe{}
	for _, name := range all() {
		ps[name] = s.probe(name, msAt(5000, 17_000),
			[]string{"SENTINEL", "SIMULATE-FAILURE", "crash-after-election"},
			[]string{"SENTINEL", "SIMULATE-FAILURE", "help"})
	}
	require.NoError(t, s.w.Schedule(10_000, sim.Crash{Node: s.ids["r0"]}))
	s.run(16 * wire.Second)
	var dead []string
	for _, name := range all() {
		assert.Equal(t, "+OK", ps[name].reply(0), name)
		if s.w.Process(s.ids[name]).(*sentinel.Sentinel).Exited() {
			dead = append(dead, name)
		}
	}
	if len(dead) == 0 {
		for _, name := range all() {
			t.Logf("%s: %v", name, types(s.events(name)))
		}
		t.Logf("%v", ps["s0"].replies)
	}
	require.Len(t, dead, 1, "the leader exited")
	leader := dead[0]
	ev := types(s.events(leader))
	assert.Equal(t, "+elected-leader", ev[len(ev)-1], "%s died right after its election: %v", leader, s.events(leader))
	for _, name := range all() {
		assert.Zero(t, s.count(name, "+selected-slave"), name)
	}
	s.run(2 * wire.Second)
	require.NoError(t, s.w.Schedule(20_000, sim.Restart{Node: s.ids[leader]}))
	s.run(62 * wire.Second)
	for _, name := range all() {
		if name != leader {
			assert.Equal(t, `["crash-after-election" "crash-after-promotion"]`, ps[name].reply(1), name)
		}
	}
	master := s.converged(t, all())
	assert.NotEqual(t, "10.0.0.0", master)
	for epoch, leaders := range s.leadersByEpochOf(all()) {
		assert.Len(t, leaders, 1, "epoch %d", epoch)
	}
}

// S-INFO-1 (§6 row S-INFO-1, Redis 13-info-command, §3.13): INFO on a
// sentinel with no, one and several sections.
func TestSuiteInfo1Sections(t *testing.T) {
	s := newSuite2(t, 20, suite2Opts{})
	cases := []struct {
		args      []string
		has, hasn []string
	}{
		{[]string{"INFO"}, []string{"redis_version", "maxclients", "used_cpu_user", "sentinel_tilt"}, []string{"used_memory", "rdb_last_bgsave", "master_repl_offset", "cluster_enabled"}},
		{[]string{"INFO", "all"}, []string{"redis_version", "maxclients", "used_cpu_user", "sentinel_tilt"}, []string{"used_memory", "rdb_last_bgsave", "master_repl_offset", "cluster_enabled"}},
		{[]string{"INFO", "default"}, []string{"redis_version", "maxclients", "used_cpu_user", "sentinel_tilt"}, []string{"used_memory", "rdb_last_bgsave", "master_repl_offset", "cluster_enabled"}},
		{[]string{"INFO", "everything"}, []string{"redis_version", "maxclients", "used_cpu_user", "sentinel_tilt"}, []string{"used_memory", "rdb_last_bgsave", "master_repl_offset", "cluster_enabled"}},
		{[]string{"INFO", "cpu"}, []string{"used_cpu_user"}, []string{"sentinel_tilt", "redis_version"}},
		{[]string{"INFO", "sentinel"}, []string{"sentinel_tilt"}, []string{"used_cpu_user", "redis_version"}},
		{[]string{"INFO", "server", "sentinel", "replication"}, []string{"redis_version", "sentinel_tilt"}, []string{"used_memory", "used_cpu_user"}},
		{[]string{"INFO", "cpu", "all"}, []string{"used_cpu_user", "sentinel_tilt", "redis_version"}, []string{"used_memory", "master_repl_offset"}},
	}
	var ms []int
	var cmds [][]string
	for i, c := range cases {
		ms = append(ms, 10_000+10*i)
		cmds = append(cmds, c.args)
	}
	p := s.probe("s0", msAt(ms...), cmds...)
	s.run(11 * wire.Second)
	for i, c := range cases {
		r, ok := p.replies[i]
		require.True(t, ok, "%v", c.args)
		for _, w := range c.has {
			assert.Contains(t, r.v.Str, w, "%v", c.args)
		}
		for _, w := range c.hasn {
			assert.NotContains(t, r.v.Str, w, "%v", c.args)
		}
	}
}

// S-REPL-1 and S-REPL-2 (§6 rows S-REPL-1, S-REPL-2, Redis
// 02-slaves-reconf): the master crashes twice, the second time together
// with a replica; the second failover ends normally without it
// (+failover-end, not -for-timeout, once the live replicas are done: a
// SDOWN replica is not waited for) and the live replicas converge.
// Restarted still pointing to the older, dead master, the replica gets
// +fix-slave-config about failover-timeout after it is seen again, and
// converges (≤ 50 s).
func TestSuiteRepl1And2(t *testing.T) {
	s := newSuite2(t, 21, suite2Opts{})
	require.NoError(t, s.w.Schedule(10_000, sim.Crash{Node: s.ids["r0"]}))
	s.run(40 * wire.Second)
	m1 := s.converged(t, all())
	require.NotEqual(t, "10.0.0.0", m1)
	m1name := "r" + m1[len(m1)-1:]
	var down string
	for i := 1; i < 5; i++ {
		if name := "r" + strconv.Itoa(i); name != m1name {
			down = name
			break
		}
	}
	require.NoError(t, s.w.Schedule(40_000, sim.Crash{Node: s.ids[m1name]}))
	require.NoError(t, s.w.Schedule(40_000, sim.Crash{Node: s.ids[down]}))
	s.run(40 * wire.Second)
	m2 := s.converged(t, all())
	require.NotEqual(t, m1, m2)
	ends := 0
	for _, name := range all() {
		assert.Equal(t, 2, s.count(name, "+switch-master"), name)
		assert.Zero(t, s.count(name, "+failover-end-for-timeout"), name)
		if at := s.firstAt(name, "+failover-end", 40_000); at >= 0 {
			ends++
			assert.LessOrEqual(t, at, wire.Time(40_000+10_000), "%s: not waiting for the dead replica", name)
		}
	}
	assert.Equal(t, 1, ends, "the leader of the second failover ends it")
	require.NoError(t, s.w.Schedule(80_000, sim.Restart{Node: s.ids[down]}))
	s.run(1 * wire.Second)
	assert.Equal(t, m1, s.node(down).Config().ReplicaOf.Host, "%s comes back pointing to the older master", down)
	s.run(49 * wire.Second)
	fix := wire.Time(-1)
	for _, name := range all() {
		if at := s.firstAt(name, "+fix-slave-config", 80_000); at >= 0 && (fix < 0 || at < fix) {
			fix = at
		}
	}
	require.Positive(t, fix, "someone fixed %s", down)
	t.Logf("+fix-slave-config of %s at %v", down, fix)
	// Seen again within an INFO period (10 s) or at once on reconnection,
	// then failover-timeout (10 s) without being down or reconfigured.
	assert.GreaterOrEqual(t, fix, wire.Time(80_000+10_000))
	assert.LessOrEqual(t, fix, wire.Time(80_000+10_000+10_000+1000))
	assert.Equal(t, m2, s.converged(t, all()))
	assert.Equal(t, m2, s.node(down).Config().ReplicaOf.Host)
}

// S-ID-1 (§6 row S-ID-1, Redis 11-port-0): s4 restarted with a new run id
// at the same address (its myid line deleted): the peers drop the old id
// (+sentinel-invalid-addr) and add the new one (+sentinel); their
// num-other-sentinels stays 4.
func TestSuiteId1NewRunID(t *testing.T) {
	const newID = "00000000000000000000000000000000000000aa"
	s := newSuite2(t, 22, suite2Opts{fresh: map[int]string{4: newID}})
	var ps []*probe
	for _, name := range []string{"s0", "s1", "s2", "s3"} {
		ps = append(ps, s.probe(name, msAt(10_000, 25_000), []string{"SENTINEL", "MASTER", "mymaster"}, []string{"SENTINEL", "MASTER", "mymaster"}))
	}
	require.NoError(t, s.w.Schedule(15_000, sim.Crash{Node: s.ids["s4"]}))
	require.NoError(t, s.w.Schedule(16_000, sim.Restart{Node: s.ids["s4"]}))
	s.run(26 * wire.Second)
	for i, name := range []string{"s0", "s1", "s2", "s3"} {
		assert.Equal(t, "4", mapField(ps[i].replies[0].v, "num-other-sentinels"), name)
		assert.Equal(t, "4", mapField(ps[i].replies[1].v, "num-other-sentinels"), name)
		inv := s.firstAt(name, "+sentinel-invalid-addr", 16_000)
		add := s.firstAt(name, "+sentinel", 16_000)
		require.Positive(t, inv, "%s: %v", name, s.events(name))
		require.Positive(t, add, name)
		assert.LessOrEqual(t, inv, add, name)
		assert.LessOrEqual(t, add, wire.Time(16_000+4000), "%s: within a couple of hello periods", name)
		var last string
		for _, e := range s.events(name) {
			if strings.HasPrefix(e, "+sentinel ") {
				last = e
			}
		}
		assert.Contains(t, last, newID, name)
	}
}
