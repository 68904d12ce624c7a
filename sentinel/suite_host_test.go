package sentinel_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/model"
	"github.com/sentinelsim/sentinelsim/sentinel"
	"github.com/sentinelsim/sentinelsim/sentinel/conf"
	"github.com/sentinelsim/sentinelsim/sim"
)

// hostSuite is newSuite2 with host names: r<i> is also "redis-<i>" in the
// directory, announces itself by that name (replica-announce-ip) and the
// replicas replicate from "redis-0"; sentinels for which byName(i) monitor
// "redis-0" with resolve-hostnames and announce-hostnames on, the others
// monitor 10.0.0.0 with both off.
func hostSuite(t *testing.T, seed uint64, byName func(i int) bool) *suite {
	return hostSuiteConf(t, seed, byName, nil)
}

// hostSuiteConf is hostSuite with a last change to each sentinel's
// configuration.
func hostSuiteConf(t *testing.T, seed uint64, byName func(i int) bool, change func(c *conf.Config)) *suite {
	s := newSuite2(t, seed, suite2Opts{
		redis: func(i int, c *model.Config) {
			c.ReplicaAnnounceIP = "redis-" + strconv.Itoa(i)
			if i > 0 {
				c.ReplicaOf = wire.Addr{Host: "redis-0", Port: 6379}
			}
		},
		opts: func(i int, o *sentinel.Options) {
			c := conf.New()
			mc := o.Masters[0]
			if byName(i) {
				c.ResolveHostnames, c.AnnounceHostnames = true, true
				mc.Addr = wire.Addr{Host: "redis-0", Port: 6379}
			}
			c.Masters = []sentinel.MasterConfig{mc}
			if change != nil {
				change(c)
			}
			o.Conf = c
		},
	})
	for i := 0; i < 5; i++ {
		s.dir.AddHost("redis-"+strconv.Itoa(i), "10.0.0."+strconv.Itoa(i))
	}
	return s
}

// replicaFields returns field f of every entry of a SENTINEL REPLICAS reply.
func replicaFields(p *probe, i int, f string) []string {
	var out []string
	for _, r := range p.replies[i].v.Array {
		out = append(out, mapField(r, f))
	}
	return out
}

// S-HOST-1 (§6 row S-HOST-1, Redis 08-hostname-conf, §3.8; spec §4.2,
// §25.4): every Redis announces a host name, every sentinel has
// resolve-hostnames and announce-hostnames on and monitors the master by
// name. Replies, events and the rewritten configuration show names; after
// SENTINEL CONFIG SET announce-hostnames no they show IPs (the part the
// Redis test asserts), while replica names, fixed when the records were
// created, stay names — as redis-sentinel 7.0.15 does (checked on loopback
// with localhost: after the switch a replica created as
// "127.0.0.1:28022" kept that name while its ip became "localhost").
// Everything keeps working by name: discovery, the replicas' master_host
// compared with the monitored address (no +fix-slave-config), and a
// failover whose SLAVEOF commands name hosts.
func TestSuiteHost1Hostnames(t *testing.T) {
	s := hostSuite(t, 51, func(int) bool { return true })
	get := []string{"SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"}
	reps := []string{"SENTINEL", "REPLICAS", "mymaster"}
	var named, numeric []*probe
	for _, name := range all() {
		named = append(named, s.probe(name, msAt(20_000, 20_010), get, reps))
		s.probe(name, msAt(21_000), []string{"SENTINEL", "CONFIG", "SET", "announce-hostnames", "no"})
		numeric = append(numeric, s.probe(name, msAt(22_000, 22_010), get, reps))
	}
	s.run(23 * wire.Second)
	for i := range named {
		assert.Equal(t, `["redis-0" "6379"]`, named[i].reply(0), "s%d", i)
		assert.ElementsMatch(t, []string{"redis-1", "redis-2", "redis-3", "redis-4"}, replicaFields(named[i], 1, "ip"), "s%d", i)
		assert.ElementsMatch(t, []string{"redis-1:6379", "redis-2:6379", "redis-3:6379", "redis-4:6379"}, replicaFields(named[i], 1, "name"), "s%d", i)
		assert.Equal(t, `["10.0.0.0" "6379"]`, numeric[i].reply(0), "s%d", i)
		assert.ElementsMatch(t, []string{"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"}, replicaFields(numeric[i], 1, "ip"), "s%d", i)
		assert.ElementsMatch(t, []string{"redis-1:6379", "redis-2:6379", "redis-3:6379", "redis-4:6379"}, replicaFields(numeric[i], 1, "name"), "s%d", i)
	}
	assert.Contains(t, s.events("s0"), "+slave slave redis-1:6379 redis-1 6379 @ mymaster redis-0 6379")
	for _, name := range all() {
		assert.Zero(t, s.count(name, "+fix-slave-config"), name)
		assert.Zero(t, s.count(name, "+sdown"), name)
	}
}

// S-HOST-1, continued: a failover with host names announced. The new
// master is reached by name, the replicas get SLAVEOF <name> and replicate
// from it, and +switch-master names the hosts.
func TestSuiteHost1FailoverByName(t *testing.T) {
	s := hostSuite(t, 52, func(int) bool { return true })
	require.NoError(t, s.w.Schedule(15_000, sim.Crash{Node: s.ids["r0"]}))
	s.run(60 * wire.Second)
	t.Logf("s0: %v", s.events("s0"))
	newMaster := s.masterOf("s0")
	require.Regexp(t, `^redis-[1-4]$`, newMaster, "switch-master names the new master by host name")
	for _, name := range all() {
		assert.Equal(t, newMaster, s.masterOf(name), name)
		assert.Equal(t, 1, s.count(name, "+switch-master"), name)
	}
	assert.Contains(t, s.events("s0"), "+switch-master mymaster redis-0 6379 "+newMaster+" 6379")
	for i := 1; i < 5; i++ {
		nd := s.node("r" + strconv.Itoa(i))
		if "redis-"+strconv.Itoa(i) == newMaster {
			assert.True(t, nd.Config().ReplicaOf.IsZero(), "r%d is the master", i)
			continue
		}
		assert.Equal(t, newMaster, nd.Config().ReplicaOf.Host, "r%d got SLAVEOF <name>", i)
		assert.True(t, nd.MasterLinkUp(), "r%d replicates", i)
	}
}

// Without resolve-hostnames a sentinel accepts only literal IPs: replicas
// that announce themselves by name are silently not added (spec §4.2).
func TestHostnamesNeedResolveHostnames(t *testing.T) {
	s := hostSuite(t, 53, func(i int) bool { return i != 4 })
	p := s.probe("s4", msAt(20_000), []string{"SENTINEL", "REPLICAS", "mymaster"})
	q := s.probe("s0", msAt(20_000), []string{"SENTINEL", "REPLICAS", "mymaster"})
	s.run(21 * wire.Second)
	assert.Equal(t, "[]", p.reply(0))
	assert.Len(t, replicaFields(q, 0, "ip"), 4)
	assert.Zero(t, s.count("s4", "+slave"))
}

// A replica known by IP (a known-replica line written while
// announce-hostnames was off) that announces itself by name is the same
// replica: no second record (spec §4.2 compares IPs or names).
func TestKnownReplicaByIPAnnouncedByName(t *testing.T) {
	s := hostSuiteConf(t, 54, func(int) bool { return true }, func(c *conf.Config) {
		for i := 1; i < 5; i++ {
			c.Masters[0].KnownReplicas = append(c.Masters[0].KnownReplicas, wire.Addr{Host: "10.0.0." + strconv.Itoa(i), Port: 6379})
		}
	})
	p := s.probe("s0", msAt(20_000), []string{"SENTINEL", "REPLICAS", "mymaster"})
	s.run(21 * wire.Second)
	assert.ElementsMatch(t, []string{"10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379", "10.0.0.4:6379"}, replicaFields(p, 0, "name"))
	assert.ElementsMatch(t, []string{"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"}, replicaFields(p, 0, "ip"))
	assert.Zero(t, s.count("s0", "+slave"), "%v", s.events("s0"))
	assert.Zero(t, s.count("s0", "+sdown"), "%v", s.events("s0"))
}

// A sentinel that announces a host name (announce-ip sentinel-4) is known
// only to peers with resolve-hostnames; the others never create its record
// (spec §4.2), though they still learn epochs from its hellos.
func TestSentinelAnnouncedByName(t *testing.T) {
	s := newSuite2(t, 55, suite2Opts{opts: func(i int, o *sentinel.Options) {
		c := conf.New()
		c.Masters = o.Masters
		if i == 4 {
			c.AnnounceIP = "sentinel-4"
		}
		if i == 3 {
			c.ResolveHostnames = true
		}
		o.Conf = c
	}})
	s.dir.AddHost("sentinel-4", "10.0.1.4")
	p0 := s.probe("s0", msAt(20_000), []string{"SENTINEL", "SENTINELS", "mymaster"})
	p3 := s.probe("s3", msAt(20_000), []string{"SENTINEL", "SENTINELS", "mymaster"})
	s.run(21 * wire.Second)
	assert.ElementsMatch(t, []string{"10.0.1.1", "10.0.1.2", "10.0.1.3"}, replicaFields(p0, 0, "ip"))
	assert.ElementsMatch(t, []string{"10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.4"}, replicaFields(p3, 0, "ip"),
		"resolve-hostnames on, announce-hostnames off: the name is shown as its IP")
}

// SENTINEL MONITOR by host name: refused without resolve-hostnames, and for
// a name that does not resolve (texts of redis-sentinel 7.0.15).
func TestMonitorByHostName(t *testing.T) {
	s := hostSuite(t, 56, func(i int) bool { return i != 4 })
	mon := func(name, host string) []string { return []string{"SENTINEL", "MONITOR", name, host, "6379", "2"} }
	p0 := s.probe("s0", msAt(5_000, 5_010, 5_020), mon("m2", "nosuchhost.invalid"), mon("m3", "redis-1"), []string{"SENTINEL", "GET-MASTER-ADDR-BY-NAME", "m3"})
	p4 := s.probe("s4", msAt(5_000), mon("m2", "redis-1"))
	s.run(6 * wire.Second)
	assert.Equal(t, "-ERR Invalid IP address or hostname specified", p0.reply(0))
	assert.Equal(t, "+OK", p0.reply(1))
	assert.Equal(t, `["redis-1" "6379"]`, p0.reply(2))
	assert.Equal(t, "-ERR Invalid IP address or hostname specified", p4.reply(0))
}
