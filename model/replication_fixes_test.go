package model

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/model/keyspace"
	"github.com/sentinelsim/sentinelsim/sim"
)

func emptySnapshot() []byte { return keyspace.New(1).Snapshot(0).Encode() }

// sentTo returns the payloads of msgs sent to node id.
func sentTo(msgs []wire.Message, id wire.NodeID) []wire.Payload {
	var out []wire.Payload
	for _, m := range msgs {
		if m.To == id {
			out = append(out, m.Payload)
		}
	}
	return out
}

func hasClose(msgs []wire.Message, id wire.NodeID) bool {
	for _, p := range sentTo(msgs, id) {
		if _, ok := p.(*replClose); ok {
			return true
		}
	}
	return false
}

// REPLICAOF host port keeps the node's own replicas (replicationSetMaster:
// they may partially resync with us); they are disconnected when our
// history changes: a +CONTINUE that brings a new replication id, or a full
// sync.
func TestReplicaofKeepsSubReplicasUntilHistoryChanges(t *testing.T) {
	d := newDirect(t, addr2)
	d.attach(5, 77)
	d.reply(1, "SET", "k", "v")
	assert.Equal(t, "+OK", d.reply(1, "REPLICAOF", "10.0.0.2", "6379"))
	assert.False(t, hasClose(d.env.sent, 5), "the sub-replica stays")
	require.Len(t, d.n.repl.replicas, 1)
	require.IsType(t, &syncRequest{}, sentTo(d.env.sent, 3)[0], "REPLICAOF connects at once (connectWithMaster)")

	myID, off := d.n.repl.id, d.n.repl.offset
	out := d.deliver(3, &syncContinue{Link: d.n.repl.master.link, ReplID: myID, From: off})
	assert.False(t, hasClose(out, 5), "same history: nothing to tell the sub-replica")
	assert.True(t, d.n.repl.linkUp())

	assert.Equal(t, "+OK", d.reply(1, "REPLICAOF", "10.0.0.3", "6379"))
	assert.False(t, hasClose(d.env.sent, 5))
	newID := strings.Repeat("ab", 20)
	out = d.deliver(4, &syncContinue{Link: d.n.repl.master.link, ReplID: newID, From: off})
	assert.True(t, hasClose(out, 5), "a new replication id: the sub-replica must resync")
	assert.Empty(t, d.n.repl.replicas)
	assert.Equal(t, newID, d.n.repl.id)
	assert.Equal(t, myID, d.n.repl.id2)
	assert.Equal(t, off, d.n.repl.switchOffset)

	d.attach(5, 78)
	assert.Equal(t, "+OK", d.reply(1, "REPLICAOF", "10.0.0.2", "6379"))
	out = d.deliver(3, &syncFull{Link: d.n.repl.master.link, ReplID: strings.Repeat("cd", 20), Offset: 500, Snapshot: emptySnapshot()})
	assert.True(t, hasClose(out, 5), "full sync: the sub-replica must resync")
}

// Sub-replicas across REPLICAOF NO ONE and back, end to end: redis3
// replicates from redis2, which replicates from redis1. Promoted, redis2
// disconnects redis3, which partially resyncs with it (redis2 keeps the old
// history as its second id). Sent back under redis1 after taking writes of
// its own, redis2 is fully resynced, and so is redis3 after it. Everyone
// ends with redis1's dataset.
func TestSubReplicasAcrossPromotionAndDemotion(t *testing.T) {
	w := newWorld(t, 31)
	w.addNode("redis1", "10.0.0.1", nil)
	w.addNode("redis2", "10.0.0.2", func(c *Config) { c.ReplicaOf = wire.Addr{Host: "10.0.0.1", Port: 6379} })
	w.addNode("redis3", "10.0.0.3", func(c *Config) { c.ReplicaOf = wire.Addr{Host: "10.0.0.2", Port: 6379} })
	w.addScript("app", "redis1", at(2000, "SET", "a", "1"), at(9000, "SET", "c", "3"))
	w.addScript("admin", "redis2", at(4000, "REPLICAOF", "NO", "ONE"), at(4500, "SET", "b", "2"), at(7000, "REPLICAOF", "10.0.0.1", "6379"))
	var mid string
	w.w.At(6000, func(*sim.World) {
		assert.Equal(t, `"2"`, get(w.node("redis3"), "b"), "the promoted redis2's writes reach its replica")
		mid = w.node("redis3").repl.id
	})
	w.run(12 * wire.Second)
	r1, r2, r3 := w.node("redis1"), w.node("redis2"), w.node("redis3")
	assert.Equal(t, 1, w.count("redis2", "Partial resynchronization request from 10.0.0.3:6379 accepted", 4000), "after NO ONE")
	assert.Equal(t, r1.repl.id, r2.repl.id)
	assert.NotEqual(t, mid, r3.repl.id)
	assert.Equal(t, r1.ks.Digest(0), r2.ks.Digest(0))
	assert.Equal(t, r1.ks.Digest(0), r3.ks.Digest(0))
	assert.Equal(t, "(nil)", get(r3, "b"), "redis2's own writes are gone everywhere")
	assert.Equal(t, r1.repl.offset, r3.repl.offset)
}

// A master that restarts from an RDB file starts a new history: a new
// replication id, the file's as the second id valid up to the file's
// offset (Redis 7.0 loadDataFromDisk). So a replica that had received
// writes after the snapshot cannot partially resync into the restarted
// master's different continuation: it is fully resynced and converges.
func TestRestartedMasterStartsANewHistory(t *testing.T) {
	w := pair(t, 32, func(c *Config) { c.Persistence = PersistRDB; c.SaveInterval = wire.Hour }, nil)
	w.addScript("app", "redis1", at(2000, "SET", "a", "1"), at(2100, "SAVE"), at(2200, "SET", "b", "2"))
	var oldID string
	var savedOffset int64
	w.w.At(2150, func(*sim.World) { oldID, savedOffset = w.node("redis1").repl.id, w.node("redis1").repl.offset })
	w.w.Schedule(3000, sim.Crash{Node: w.nodes["redis1"]})
	w.w.Schedule(4000, sim.Restart{Node: w.nodes["redis1"]})
	w.addScript("app2", "redis1", at(6000, "SET", "c", "3"))
	w.run(20 * wire.Second)
	m, r := w.node("redis1"), w.node("redis2")
	assert.NotEqual(t, oldID, m.repl.id)
	assert.Equal(t, oldID, m.repl.id2)
	assert.Equal(t, savedOffset, m.repl.switchOffset)
	assert.Equal(t, "(nil)", get(m, "b"), "the write after the snapshot was lost with the crash")
	assert.Equal(t, "(nil)", get(r, "b"), "and the replica, resynced, does not keep it either")
	assert.Equal(t, `"3"`, get(r, "c"))
	assert.Equal(t, m.ks.Digest(0), r.ks.Digest(0))
	assert.Equal(t, m.repl.offset, r.repl.offset)
	assert.Equal(t, m.repl.id, r.repl.id)
}

// With AOF, Redis 7.0 restores no replication history at all: a new id,
// offset 0, no second id; its replicas fully resync.
func TestAOFRestartRestoresNoHistory(t *testing.T) {
	w := pair(t, 33, func(c *Config) { c.Persistence = PersistAOF }, nil)
	w.addScript("app", "redis1", at(2000, "SET", "a", "1"))
	w.w.Schedule(4000, sim.Crash{Node: w.nodes["redis1"]})
	w.w.Schedule(5000, sim.Restart{Node: w.nodes["redis1"]})
	w.run(10 * wire.Second)
	m, r := w.node("redis1"), w.node("redis2")
	assert.Equal(t, zeroID, m.repl.id2)
	assert.Equal(t, `"1"`, get(m, "a"))
	assert.Equal(t, m.ks.Digest(0), r.ks.Digest(0))
	assert.Equal(t, 1, w.count("redis1", "Full resync requested by replica 10.0.0.2:6379", 5000))
}

// A replica restarted from its RDB file keeps the history it had, so it
// partially resyncs.
func TestRestartedReplicaPartiallyResyncs(t *testing.T) {
	w := pair(t, 34, nil, func(c *Config) { c.Persistence = PersistRDB; c.SaveInterval = wire.Hour })
	w.addScript("app", "redis1", at(2000, "SET", "a", "1"), at(5000, "SET", "b", "2"))
	w.addScript("admin", "redis2", at(3000, "SAVE"))
	w.w.Schedule(4000, sim.Crash{Node: w.nodes["redis2"]})
	w.w.Schedule(6000, sim.Restart{Node: w.nodes["redis2"]})
	w.run(10 * wire.Second)
	assert.Equal(t, 1, w.count("redis1", "Partial resynchronization request from 10.0.0.2:6379 accepted", 6000))
	assert.Equal(t, w.node("redis1").ks.Digest(0), w.node("redis2").ks.Digest(0))
}

// The run id is new at every process start (spec §26.2).
func TestRunIDChangesOnRestart(t *testing.T) {
	w := pair(t, 35, nil, nil)
	var before string
	w.w.At(1000, func(*sim.World) { before = w.node("redis1").RunID() })
	w.w.Schedule(2000, sim.Restart{Node: w.nodes["redis1"]})
	w.run(3 * wire.Second)
	assert.Len(t, w.node("redis1").RunID(), 40)
	assert.NotEqual(t, before, w.node("redis1").RunID())
}

// SHUTDOWN SAVE writes the dataset even without configured persistence,
// and the next start loads it (Redis loads dump.rdb whenever it exists).
func TestShutdownSaveThenRestart(t *testing.T) {
	w := newWorld(t, 36)
	w.addNode("redis1", "10.0.0.1", nil)
	log := w.addScript("app", "redis1", at(1000, "SET", "k", "v"), at(1100, "SHUTDOWN", "SAVE"))
	w.w.Schedule(2000, sim.Restart{Node: w.nodes["redis1"]})
	w.run(3 * wire.Second)
	assert.Equal(t, []string{"+OK", "closed shutdown"}, *log)
	assert.Equal(t, `"v"`, get(w.node("redis1"), "k"))
}

// A message that reaches a node where no process owns the connection comes
// back as a wire.Reset (connection refused or reset).
func TestResetOfAClientConnection(t *testing.T) {
	d := newDirect(t, nil)
	d.reply(1, "MULTI")
	d.reply(1, "SUBSCRIBE", "ch")
	d.reply(2, "SUBSCRIBE", "ch")
	out := d.deliver(9, &wire.Reset{Payload: &wire.Reply{Conn: 1, Seq: 2, Value: wire.Status("QUEUED")}})
	assert.Empty(t, out, "no Closed to a process that is gone")
	assert.NotContains(t, d.n.conns, connKey{9, 1})
	out = d.deliver(9, &wire.Reset{Payload: &wire.Push{Conn: 2, Value: wire.BulkArray("message", "ch", "x")}})
	assert.Empty(t, out)
	assert.Equal(t, ":0", d.reply(3, "PUBLISH", "ch", "x"), "the subscriber is gone")
}

func TestResetOfReplicationTraffic(t *testing.T) {
	d := newDirect(t, addr2)
	d.attach(5, 77)
	d.attach(6, 78)
	d.reply(1, "CONFIG", "SET", "min-replicas-to-write", "2")
	assert.Equal(t, "+OK", d.reply(1, "SET", "k", "v"))
	d.deliver(5, &wire.Reset{Payload: &replData{Link: 77, Start: 0, Args: []string{"SET", "k", "v"}}})
	require.Len(t, d.n.repl.replicas, 1, "the crashed replica's link is removed at once")
	assert.Contains(t, d.reply(1, "INFO", "replication"), `connected_slaves:1\r\nmin_slaves_good_slaves:1\r\nslave0:ip=10.0.0.6`)
	assert.Equal(t, "-"+errNoReplicas, d.reply(1, "SET", "k", "w"))
	d.deliver(6, &wire.Reset{Payload: &replGetAck{Link: 78}})
	assert.Empty(t, d.n.repl.replicas)
	d.deliver(6, &wire.Reset{Payload: &replGetAck{Link: 1}})

	// On the replica side: a refused PSYNC or ACK takes the link down.
	assert.Equal(t, "+OK", d.reply(1, "REPLICAOF", "10.0.0.2", "6379"))
	link := d.n.repl.master.link
	d.env.events = nil
	d.deliver(3, &wire.Reset{Payload: &syncRequest{Link: link}})
	assert.Equal(t, "connect", d.n.repl.master.state)
	assert.Equal(t, []string{"# Error condition on socket for SYNC: Connection refused"}, d.env.events)
	d.env.now = 1000
	d.fire(tagCron)
	link = d.n.repl.master.link
	d.deliver(3, &syncFull{Link: link, ReplID: strings.Repeat("cd", 20), Offset: 10, Snapshot: emptySnapshot()})
	require.True(t, d.n.repl.linkUp())
	d.env.now = 3000
	d.env.events = nil
	d.deliver(3, &wire.Reset{Payload: &replAck{Link: link, Offset: 10}})
	assert.Equal(t, []string{"# Connection with master lost."}, d.env.events)
	assert.Contains(t, d.reply(1, "INFO", "replication"), `master_link_status:down`)
	d.env.now = 5000
	assert.Contains(t, d.reply(1, "INFO", "replication"), `master_link_down_since_seconds:2\r\n`)
}

// A shut-down node refuses what reaches it, like a host whose process
// exited.
func TestShutDownNodeRefusesConnections(t *testing.T) {
	d := newDirect(t, nil)
	d.do(1, "SHUTDOWN", "NOSAVE")
	out := d.deliver(5, &replAck{Link: 7, Offset: 1})
	require.Len(t, out, 1)
	assert.Equal(t, (&wire.Reset{Payload: &replAck{Link: 7, Offset: 1}}).String(), out[0].Payload.String())
	assert.Empty(t, d.deliver(5, &wire.Reset{Payload: &replAck{Link: 7}}), "a reset is never answered")
}

// A loading node refuses PSYNC (the handshake's PING gets -LOADING) and
// does not connect to its own master until loading ends.
func TestLoadingNodeAndReplication(t *testing.T) {
	d := newDirect(t, func(c *Config) { c.Persistence = PersistRDB; addr2(c) })
	d.reply(1, "SET", "k", "v")
	require.Equal(t, "+OK", d.reply(1, "REPLICAOF", "10.0.0.2", "6379"))
	require.Equal(t, "+OK", d.reply(1, "CONFIG", "REWRITE"))
	require.Equal(t, "+OK", d.reply(1, "SAVE"))
	state := d.env.saved
	cfg := d.n.initial
	cfg.LoadingTime = 3000
	n2, err := NewNode(cfg, 1)
	require.NoError(t, err)
	d.n, d.seq = n2, map[wire.ConnID]uint64{}
	d.env.sent = nil
	n2.Boot(d.env, state)
	assert.Empty(t, sentTo(d.env.sent, 3), "no connection to the master while loading")
	assert.Empty(t, sentTo(d.fire(tagCron), 3))
	out := d.deliver(5, &syncRequest{Link: 9, ReplID: "?", Offset: -1, Announce: wire.Addr{Host: "10.0.0.5", Port: 6379}})
	require.Len(t, out, 1)
	assert.Equal(t, "sync-error -LOADING Redis is loading the dataset in memory", out[0].Payload.String())
	assert.Empty(t, d.n.repl.replicas)
	d.env.now = 3000
	out = d.fire(tagLoaded)
	require.Len(t, sentTo(out, 3), 1, "connects as soon as loading ends")
	assert.Contains(t, sentTo(out, 3)[0].String(), "PSYNC "+d.n.repl.id+" ", "with the history its RDB file recorded")
}

// An address that does not resolve is resolved again at every connection
// attempt.
func TestUnresolvableMasterIsResolvedAgain(t *testing.T) {
	var dir *wire.StaticDirectory
	d := newDirect(t, func(c *Config) { dir = c.Directory.(*wire.StaticDirectory) })
	assert.Equal(t, "+OK", d.reply(1, "REPLICAOF", "10.0.0.7", "6379"))
	assert.Empty(t, sentTo(d.fire(tagCron), 7))
	dir.Add(7, wire.Addr{Host: "10.0.0.7", Port: 6379})
	d.env.now = 1000
	require.Len(t, sentTo(d.fire(tagCron), 7), 1)
}

// A replica that never synced reports offset 1 in INFO and -1 in ROLE, and
// asks for a full resync with PSYNC ? -1 (no cached master); one that was a
// master keeps its history (replicationCacheMasterUsingMyself).
func TestNeverSyncedReplicaOffsets(t *testing.T) {
	d := newDirect(t, func(c *Config) { c.ReplicaOf = wire.Addr{Host: "10.0.0.2", Port: 6379}; addr2(c) })
	out := sentTo(d.env.sent, 3)
	require.Len(t, out, 1, "a replica connects as it starts")
	assert.Contains(t, out[0].String(), "PSYNC ? -1 ")
	text := d.reply(1, "INFO", "replication")
	assert.Contains(t, text, `slave_read_repl_offset:1\r\nslave_repl_offset:1\r\n`)
	assert.Equal(t, `["slave" "10.0.0.2" :6379 "sync" :-1]`, d.reply(1, "ROLE"))

	m := newDirect(t, addr2)
	m.reply(1, "SET", "k", "v")
	off := m.n.repl.offset
	m.reply(1, "REPLICAOF", "10.0.0.2", "6379")
	out = sentTo(m.env.sent, 3)
	require.Len(t, out, 1)
	assert.Contains(t, out[0].String(), "PSYNC "+m.n.repl.id+" "+strconv.FormatInt(off+1, 10)+" ")
	assert.Contains(t, m.reply(1, "INFO", "replication"), `slave_repl_offset:`+strconv.FormatInt(off, 10)+`\r\n`)
}
