package model

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/info"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sim"
)

// pair builds a master (redis1, 10.0.0.1) and a replica (redis2, 10.0.0.2)
// configured with replicaof.
func pair(t *testing.T, seed uint64, master, replica func(*Config)) *world {
	w := newWorld(t, seed)
	w.addNode("redis1", "10.0.0.1", master)
	w.addNode("redis2", "10.0.0.2", func(c *Config) {
		c.ReplicaOf = wire.Addr{Host: "10.0.0.1", Port: 6379}
		if replica != nil {
			replica(c)
		}
	})
	return w
}

func get(n *Node, key string) string {
	return n.ks.Exec(0, []string{"GET", key}).String()
}

func TestReplicationStreamsWrites(t *testing.T) {
	w := pair(t, 1, nil, nil)
	log := w.addScript("app", "redis1", at(3000, "SET", "k", "v1"), at(3100, "INCR", "n"), at(3200, "WAIT", "1", "1000"))
	w.run(5 * wire.Second)
	assert.Equal(t, []string{"+OK", ":1", ":1"}, *log, "WAIT saw the replica acknowledge")
	m, r := w.node("redis1"), w.node("redis2")
	assert.Equal(t, `"v1"`, get(r, "k"))
	assert.Equal(t, m.repl.offset, r.repl.offset)
	assert.Equal(t, m.repl.id, r.repl.id)
	assert.Equal(t, m.ks.Digest(0), r.ks.Digest(0))
	mi, ri := m.info(fixedEnv(w, "redis1")), r.info(fixedEnv(w, "redis2"))
	require.Len(t, mi.Slaves, 1)
	assert.Equal(t, "10.0.0.2", mi.Slaves[0].IP)
	assert.True(t, ri.MasterLinkUp)
}

// A replica cut off from its master misses the writes made meanwhile — they
// are really absent from it. A partition shorter than repl-timeout does not
// break the replication connection, so TCP delivers the rest after the heal
// without any resync.
func TestPartitionedReplicaMissesWrites(t *testing.T) {
	w := pair(t, 2, nil, nil)
	w.addScript("app", "redis1", at(2000, "SET", "k", "before"), at(4000, "SET", "k", "during"))
	var during, after string
	w.w.Schedule(3000, sim.Partition{Groups: [][]wire.NodeID{{w.nodes["redis1"]}, {w.nodes["redis2"]}}})
	w.w.At(10_000, func(*sim.World) { during = get(w.node("redis2"), "k") })
	w.w.Schedule(20_000, sim.Heal{})
	w.w.At(30_000, func(*sim.World) { after = get(w.node("redis2"), "k") })
	w.run(35 * wire.Second)
	assert.Equal(t, `"before"`, during, "the write made during the partition is missing on the replica")
	assert.Equal(t, `"during"`, after)
	assert.Equal(t, w.node("redis1").ks.Digest(0), w.node("redis2").ks.Digest(0))
	assert.Zero(t, w.count("redis1", "resync", 3000), "the connection survived: no resync")
}

// A disconnection (here: a partition longer than repl-timeout) whose missed
// stream the master's backlog still holds ends in a partial resync.
func TestShortDisconnectionPartiallyResyncs(t *testing.T) {
	w := pair(t, 12, fastRepl, fastRepl)
	w.addScript("app", "redis1", at(2000, "SET", "k", "before"), at(4000, "SET", "k", "during"))
	w.w.Schedule(3000, sim.Partition{Groups: [][]wire.NodeID{{w.nodes["redis1"]}, {w.nodes["redis2"]}}})
	w.w.Schedule(15_000, sim.Heal{})
	w.run(25 * wire.Second)
	assert.Equal(t, 1, w.count("redis2", "MASTER timeout", 3000))
	assert.Equal(t, 1, w.count("redis1", "Partial resynchronization request from 10.0.0.2:6379 accepted", 15_000))
	assert.Zero(t, w.count("redis1", "Full resync", 3000))
	assert.Equal(t, `"during"`, get(w.node("redis2"), "k"))
	assert.Equal(t, w.node("redis1").ks.Digest(0), w.node("redis2").ks.Digest(0))
}

// After a disconnection longer than the backlog holds, only a full resync
// can bring the replica back.
func TestLongDisconnectionNeedsFullResync(t *testing.T) {
	var big = strings.Repeat("x", 2000)
	var steps []step
	for i := range 20 { // 20 × 2 kB > the 16 kB backlog
		steps = append(steps, at(wire.Duration(5000+i*100), "SET", "k"+strconv.Itoa(i), big))
	}
	w := pair(t, 3, func(c *Config) { fastRepl(c); c.BacklogSize = 16 * 1024 }, fastRepl)
	w.addScript("app", "redis1", steps...)
	w.w.Schedule(3000, sim.Partition{Groups: [][]wire.NodeID{{w.nodes["redis1"]}, {w.nodes["redis2"]}}})
	w.w.Schedule(30_000, sim.Heal{})
	w.run(60*wire.Second + 500) // off the 1 s stream PING: none in flight
	assert.Equal(t, 1, w.count("redis1", "Full resync requested by replica 10.0.0.2:6379", 30_000))
	assert.Zero(t, w.count("redis1", "Partial resynchronization", 0))
	assert.Equal(t, w.node("redis1").ks.Digest(0), w.node("redis2").ks.Digest(0))
	assert.Equal(t, w.node("redis1").repl.offset, w.node("redis2").repl.offset)
}

// fastRepl shortens repl-timeout to 5 s, with the stream PING (which must
// come more often than the timeout, as in Redis) every second.
func fastRepl(c *Config) {
	c.ReplTimeout = 5 * wire.Second
	c.ReplPingPeriod = wire.Second
}

// Seed 004's pitfall: a master with requirepass and a replica without the
// right masterauth never syncs.
func TestMissingMasterauthCannotSync(t *testing.T) {
	for _, tc := range []struct {
		auth string
		up   bool
	}{{"", false}, {"wrong", false}, {"secret", true}} {
		w := pair(t, 4, func(c *Config) { c.RequirePass = "secret" }, func(c *Config) { c.MasterAuth = tc.auth })
		w.run(10 * wire.Second)
		ri := w.node("redis2").info(fixedEnv(w, "redis2"))
		assert.Equal(t, tc.up, ri.MasterLinkUp, "masterauth %q", tc.auth)
		assert.Equal(t, "slave", ri.Role)
	}
}

// The other half of the pitfall, checked with redis-server 7.0.15: a
// replica with masterauth cannot sync from a master without a password,
// because its AUTH gets an error ("Unable to AUTH to MASTER: -ERR AUTH
// <password> called without any password configured for the default
// user...").
func TestMasterauthAgainstPasswordlessMaster(t *testing.T) {
	w := pair(t, 4, nil, func(c *Config) { c.MasterAuth = "secret" })
	w.run(10 * wire.Second)
	ri := w.node("redis2").info(fixedEnv(w, "redis2"))
	assert.False(t, ri.MasterLinkUp)
	assert.Positive(t, w.count("redis2", "Unable to AUTH to MASTER: -"+errNoPassword, 0))
}

func TestReplicaAnswersReadonly(t *testing.T) {
	w := pair(t, 5, nil, nil)
	log := w.addScript("app", "redis2", at(3000, "SET", "k", "v"), at(3100, "GET", "k"))
	w.run(4 * wire.Second)
	assert.Equal(t, []string{"-" + errReadOnly, "(nil)"}, *log)
}

// min-replicas-to-write makes a master that lost its replicas refuse writes
// after min-replicas-max-lag seconds.
func TestMinReplicasRefusesWrites(t *testing.T) {
	w := pair(t, 6, func(c *Config) { c.MinReplicasToWrite = 1; c.MinReplicasMaxLag = 3 }, nil)
	log := w.addScript("app", "redis1", at(3000, "SET", "k", "1"), at(12_000, "SET", "k", "2"))
	w.w.Schedule(5000, sim.Isolate{Node: w.nodes["redis2"]})
	w.run(15 * wire.Second)
	assert.Equal(t, []string{"+OK", "-" + errNoReplicas}, *log)
}

// The classic loss: the old master, isolated with a client, keeps accepting
// writes; a replica is promoted; when the old master rejoins as a replica of
// the new one, its history is unknown there, so it is fully resynced and
// the writes it accepted alone are gone (spec §26.3, §27.1).
func TestIsolatedOldMasterLosesItsWritesOnRejoin(t *testing.T) {
	w := pair(t, 7, nil, nil)
	w.addScript("app", "redis1", at(2000, "SET", "k", "agreed"), at(6000, "SET", "k", "lost"), at(6100, "SET", "only-old", "1"))
	promote := w.addScript("admin", "redis2", at(5000, "REPLICAOF", "NO", "ONE"), at(5100, "SET", "k", "new"))
	rejoin := w.addScript("admin2", "redis1", at(20_000, "REPLICAOF", "10.0.0.2", "6379"))
	m1, app := w.nodes["redis1"], w.nodes["app"]
	w.w.Schedule(4000, sim.Partition{Groups: [][]wire.NodeID{{m1, app}, {w.nodes["redis2"], w.nodes["admin"]}}})
	w.w.Schedule(15_000, sim.Heal{})
	w.run(30 * wire.Second)
	assert.Equal(t, []string{"+OK", "+OK"}, *promote)
	assert.Equal(t, []string{"+OK"}, *rejoin)
	old, nw := w.node("redis1"), w.node("redis2")
	assert.Equal(t, `"new"`, get(old, "k"), "the old master took the new master's data")
	assert.Equal(t, "(nil)", get(old, "only-old"), "the acknowledged write made on the isolated old master is lost")
	assert.Equal(t, nw.ks.Digest(0), old.ks.Digest(0))
}

// An old master that accepted nothing alone resyncs partially from the
// promoted replica, which kept the old history as its second id.
func TestDemotedMasterWithNoExtraWritesPartiallyResyncs(t *testing.T) {
	w := pair(t, 8, nil, nil)
	w.addScript("app", "redis1", at(2000, "SET", "k", "v"))
	w.addScript("admin", "redis2", at(5000, "REPLICAOF", "NO", "ONE"))
	w.addScript("admin2", "redis1", at(5500, "REPLICAOF", "10.0.0.2", "6379"))
	w.run(10 * wire.Second)
	old, nw := w.node("redis1"), w.node("redis2")
	assert.Equal(t, nw.repl.id, old.repl.id)
	assert.Equal(t, nw.repl.offset, old.repl.offset)
	assert.True(t, old.repl.linkUp())
	assert.Equal(t, `"v"`, get(old, "k"))
}

// Restart semantics: without persistence a restarted master comes back
// empty, and its replica, resyncing, is wiped too; with persistence the
// data survives. A killed master comes back as a master (its config file
// says so) unless a CONFIG REWRITE recorded it as a replica.
func TestRestartSemantics(t *testing.T) {
	for _, p := range []Persistence{PersistNone, PersistAOF} {
		w := pair(t, 9, func(c *Config) { c.Persistence = p }, nil)
		w.addScript("app", "redis1", at(2000, "SET", "k", "v"))
		w.w.Schedule(5000, sim.Crash{Node: w.nodes["redis1"]})
		w.w.Schedule(6000, sim.Restart{Node: w.nodes["redis1"]})
		w.run(20 * wire.Second)
		want := `"v"`
		if p == PersistNone {
			want = "(nil)"
		}
		assert.Equal(t, want, get(w.node("redis1"), "k"), "master, persistence %s", p)
		assert.Equal(t, want, get(w.node("redis2"), "k"), "replica follows, persistence %s", p)
	}

	w := pair(t, 10, nil, nil)
	w.addScript("admin", "redis1", at(2000, "REPLICAOF", "10.0.0.2", "6379"))
	w.w.Schedule(3000, sim.Restart{Node: w.nodes["redis1"]})
	w.run(5 * wire.Second)
	assert.False(t, w.node("redis1").isReplica(), "without CONFIG REWRITE the restart forgets REPLICAOF")

	w = pair(t, 11, nil, nil)
	w.addScript("admin", "redis1", at(2000, "MULTI"), at(2010, "REPLICAOF", "10.0.0.2", "6379"), at(2020, "CONFIG", "REWRITE"), at(2030, "EXEC"))
	w.w.Schedule(3000, sim.Restart{Node: w.nodes["redis1"]})
	w.run(5 * wire.Second)
	assert.True(t, w.node("redis1").isReplica(), "the rewritten config file makes it a replica again")
}

// Under random partitions and loss the replica's dataset is always the
// master's dataset at some offset, and after the heal it catches up.
func TestReplicaIsAPrefixOfItsMaster(t *testing.T) {
	for seed := uint64(20); seed < 26; seed++ {
		w := newWorld(t, seed)
		w.addNode("redis1", "10.0.0.1", nil)
		w.addNode("redis2", "10.0.0.2", func(c *Config) { c.ReplicaOf = wire.Addr{Host: "10.0.0.1", Port: 6379} })
		var steps []step
		for i := range 200 {
			steps = append(steps, at(wire.Duration(2000+i*100), "SET", "k"+strconv.Itoa(i%7), strconv.Itoa(i)))
		}
		w.addScript("app", "redis1", steps...)
		r := w.w.Stream("test")
		for i := 0; i < 3; i++ {
			start := wire.Time(2000 + r.Int64N(18_000))
			w.w.Schedule(start, sim.Isolate{Node: w.nodes["redis2"]})
			w.w.Schedule(start.Add(wire.Duration(r.Int64N(3000))), sim.Heal{})
		}
		// Check the prefix property every simulated second: replay the
		// master's backlog up to the replica's offset on a fresh keyspace.
		for t0 := wire.Time(3000); t0 < 25_000; t0 += 1000 {
			w.w.At(t0, func(*sim.World) { assertPrefix(t, w.node("redis1"), w.node("redis2")) })
		}
		w.run(45 * wire.Second) // not a multiple of the 10 s stream PING: none in flight
		m, rep := w.node("redis1"), w.node("redis2")
		assert.Equal(t, m.repl.offset, rep.repl.offset, "seed %d: caught up", seed)
		assert.Equal(t, m.ks.Digest(0), rep.ks.Digest(0), "seed %d", seed)
	}
}

// assertPrefix checks that the replica's dataset is what the master's
// stream produces up to the replica's offset.
func assertPrefix(t *testing.T, m, r *Node) {
	t.Helper()
	if r.repl.id != m.repl.id || m.repl.backlogStart != 0 {
		return // a different history, or the backlog no longer starts at 0
	}
	ref := newReference()
	for _, e := range m.repl.backlog {
		if e.end > r.repl.offset {
			break
		}
		ref.apply(e.args)
	}
	require.Equal(t, ref.ks.Digest(0), r.ks.Digest(0), "replica at offset %d is not a prefix of the master's stream", r.repl.offset)
}

// The INFO text a node emits parses, with the parser written against the
// spec's field list (internal/info), back into exactly the node's state —
// for a master with a replica and for the replica.
func TestInfoTextParsesBack(t *testing.T) {
	w := pair(t, 13, nil, func(c *Config) { c.ReplicaPriority = 42; c.ReplicaAnnounceIP = "192.168.9.9" })
	mlog := w.addScript("c1", "redis1", at(3000, "SET", "k", "v"), at(3500, "INFO"), at(3510, "ROLE"))
	rlog := w.addScript("c2", "redis2", at(3500, "INFO", "replication"), at(3510, "ROLE"))
	w.run(4 * wire.Second)
	m, r := w.node("redis1"), w.node("redis2")

	require.Len(t, *mlog, 3)
	mt, err := strconv.Unquote((*mlog)[1])
	require.NoError(t, err)
	mi, err := info.Parse(mt)
	require.NoError(t, err)
	assert.Equal(t, m.RunID(), mi.RunID)
	assert.Equal(t, "master", mi.Role)
	assert.Equal(t, m.repl.offset, mi.MasterReplOffset)
	require.Len(t, mi.Slaves, 1)
	assert.Equal(t, "192.168.9.9", mi.Slaves[0].IP, "the replica is listed as it announces itself")
	assert.Equal(t, 6379, mi.Slaves[0].Port)
	assert.Equal(t, "online", mi.Slaves[0].State)
	assert.True(t, strings.HasPrefix((*mlog)[2], `["master" :`+strconv.FormatInt(m.repl.offset, 10)))

	require.Len(t, *rlog, 2)
	rt, err := strconv.Unquote((*rlog)[0])
	require.NoError(t, err)
	ri, err := info.Parse(rt)
	require.NoError(t, err)
	assert.Equal(t, "slave", ri.Role)
	assert.Equal(t, "10.0.0.1", ri.MasterHost)
	assert.Equal(t, 6379, ri.MasterPort)
	assert.True(t, ri.MasterLinkUp)
	assert.Equal(t, 42, ri.SlavePriority)
	assert.Equal(t, r.repl.offset, ri.SlaveReplOffset)
	assert.True(t, ri.SlaveReadOnly)
	assert.True(t, ri.ReplicaAnnounced)
	assert.Equal(t, `["slave" "10.0.0.1" :6379 "connected" :`+strconv.FormatInt(r.repl.offset, 10)+`]`, (*rlog)[1])
}

// Writes whose effect depends on the master's clock or randomness reach the
// replica as their effect (keyspace.Propagate), so the replica ends up
// identical: relative expiries, SPOP, float increments.
func TestNonDeterministicWritesReplicateAsEffects(t *testing.T) {
	w := pair(t, 14, nil, nil)
	w.addScript("app", "redis1",
		at(2000, "SADD", "s", "a", "b", "c", "d", "e"),
		at(2100, "SPOP", "s", "2"),
		at(2200, "SET", "t", "v", "EX", "100"),
		at(2300, "INCRBYFLOAT", "f", "0.1"),
		at(2400, "EXPIRE", "s", "50"))
	w.run(4 * wire.Second)
	m, r := w.node("redis1"), w.node("redis2")
	assert.Equal(t, m.ks.Digest(3000), r.ks.Digest(3000))
	assert.Equal(t, m.repl.offset, r.repl.offset)
}

// A master records nothing until it has a replica: redis-server 7.0.15
// shows master_repl_offset:0 and repl_backlog_active:0 after writes and
// PUBLISH. Its first replica creates the backlog under a new replication id;
// a restart from an RDB file written with a backlog has one at once (the
// file's history as the second id), one written without has none.
func TestBacklogComesWithTheFirstReplica(t *testing.T) {
	w := newWorld(t, 21)
	w.addNode("redis1", "10.0.0.1", func(c *Config) { c.Persistence = PersistRDB })
	w.addNode("redis2", "10.0.0.2", nil)
	w.addScript("app", "redis1", at(1000, "SET", "k", "v"), at(1100, "PUBLISH", "ch", "x"), at(1200, "SAVE"))
	// (a client of its own: the restart at 1.6 s closes the first one's
	// connection)
	later := w.addScript("app2", "redis1", at(8000, "SET", "k", "w"), at(8100, "SAVE"))
	w.addScript("admin", "redis2", at(3000, "REPLICAOF", "10.0.0.1", "6379"))
	var alone, restartedAlone, replicated, restarted info.Info
	var bootID string
	status := func(to *info.Info) func(*sim.World) {
		return func(*sim.World) { *to = w.node("redis1").info(fixedEnv(w, "redis1")) }
	}
	w.w.At(500, func(*sim.World) { bootID = w.node("redis1").repl.id })
	w.w.At(1500, status(&alone))
	w.w.Schedule(1600, sim.Restart{Node: w.nodes["redis1"]})
	w.w.At(2500, status(&restartedAlone))
	w.w.At(8500, status(&replicated))
	w.w.Schedule(9000, sim.Restart{Node: w.nodes["redis1"]})
	w.w.At(9500, status(&restarted))
	w.run(10 * wire.Second)

	require.Equal(t, []string{"+OK", "+OK"}, *later)
	require.NotEmpty(t, bootID)
	assert.Equal(t, bootID, alone.MasterReplID)
	assert.Zero(t, alone.MasterReplOffset, "nothing recorded without a backlog")
	assert.False(t, alone.ReplBacklogActive)
	assert.Zero(t, alone.ReplBacklogFirstByteOffset)
	assert.Zero(t, alone.ReplBacklogHistlen)

	assert.False(t, restartedAlone.ReplBacklogActive, "the file recorded no history")
	assert.Equal(t, zeroID, restartedAlone.MasterReplID2)

	assert.True(t, replicated.ReplBacklogActive)
	assert.NotEqual(t, restartedAlone.MasterReplID, replicated.MasterReplID, "the backlog came with a new id")
	assert.Equal(t, zeroID, replicated.MasterReplID2)
	assert.Equal(t, int64(1), replicated.ReplBacklogFirstByteOffset)
	assert.Positive(t, replicated.MasterReplOffset, "writes are recorded now")
	assert.Equal(t, replicated.MasterReplID, w.node("redis2").repl.id, "the replica synced with the new id")
	assert.Equal(t, 1, w.count("redis1", "Replication backlog created, my new replication IDs are '"+replicated.MasterReplID+"'", 3000))

	assert.True(t, restarted.ReplBacklogActive, "the file recorded the history")
	assert.Equal(t, replicated.MasterReplID, restarted.MasterReplID2)
	assert.Equal(t, restarted.SecondReplOffset, restarted.ReplBacklogFirstByteOffset)
}
