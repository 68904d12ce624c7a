package model

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/info"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sim"
)

// The replica's master_last_io_seconds_ago and the master's lag for it grow
// while a partition stops the stream; after repl-timeout the link is down
// and master_link_down_since_seconds counts; after the heal all is back.
func TestLinkTimersEvolve(t *testing.T) {
	w := pair(t, 40, fastRepl, fastRepl)
	w.w.Schedule(5000, sim.Isolate{Node: w.nodes["redis2"]})
	w.w.Schedule(16_000, sim.Heal{})
	snap := map[wire.Time][2]info.Info{}
	for _, ts := range []wire.Time{4500, 8500, 14_500, 19_500} {
		w.w.At(ts, func(*sim.World) {
			snap[ts] = [2]info.Info{w.node("redis1").info(fixedEnv(w, "redis1")), w.node("redis2").info(fixedEnv(w, "redis2"))}
		})
	}
	w.run(20 * wire.Second)

	m, r := snap[4500][0], snap[4500][1]
	assert.True(t, r.MasterLinkUp)
	assert.LessOrEqual(t, r.MasterLastIOSecondsAgo, int64(1))
	require.Len(t, m.Slaves, 1)
	assert.LessOrEqual(t, m.Slaves[0].Lag, int64(1))

	m, r = snap[8500][0], snap[8500][1]
	assert.True(t, r.MasterLinkUp, "within repl-timeout the link is still up")
	assert.InDelta(t, 3, r.MasterLastIOSecondsAgo, 1)
	require.Len(t, m.Slaves, 1)
	assert.InDelta(t, 3, m.Slaves[0].Lag, 1)

	m, r = snap[14_500][0], snap[14_500][1]
	assert.False(t, r.MasterLinkUp)
	assert.Equal(t, int64(-1), r.MasterLastIOSecondsAgo)
	assert.InDelta(t, 4, r.MasterLinkDownSinceSeconds, 1)
	assert.Empty(t, m.Slaves, "the master dropped the silent replica after repl-timeout")

	m, r = snap[19_500][0], snap[19_500][1]
	assert.True(t, r.MasterLinkUp)
	assert.LessOrEqual(t, r.MasterLastIOSecondsAgo, int64(1))
	require.Len(t, m.Slaves, 1)
	assert.LessOrEqual(t, m.Slaves[0].Lag, int64(1))
}

// PUBLISH on a master reaches the subscribers of its replicas, through the
// replication stream, whose offset it advances (spec §26.4).
func TestPublishReachesReplicaSubscribers(t *testing.T) {
	w := pair(t, 41, nil, nil)
	sub := w.addScript("sub", "redis2", at(2000, "SUBSCRIBE", "__sentinel__:hello"))
	pub := w.addScript("pub", "redis1", at(3000, "PUBLISH", "__sentinel__:hello", "hi"))
	var before int64
	w.w.At(2900, func(*sim.World) { before = w.node("redis1").repl.offset })
	w.run(3500)
	assert.Equal(t, []string{":0"}, *pub, "no subscriber on the master itself")
	assert.Equal(t, []string{`["subscribe" "__sentinel__:hello" :1]`, `push ["message" "__sentinel__:hello" "hi"]`}, *sub)
	m, r := w.node("redis1"), w.node("redis2")
	assert.Equal(t, before+respLen([]string{"PUBLISH", "__sentinel__:hello", "hi"}), m.repl.offset)
	assert.Equal(t, m.repl.offset, r.repl.offset)
}

// WAIT returns the count so far when its timeout expires.
func TestWaitTimeout(t *testing.T) {
	w := pair(t, 42, nil, nil)
	log := w.addScript("app", "redis1", at(3000, "SET", "k", "v"), at(3010, "WAIT", "1", "500"), at(3020, "PING"), at(4000, "WAIT", "1", "0"))
	w.w.Schedule(2500, sim.Isolate{Node: w.nodes["redis2"]})
	var at3400 []string
	w.w.At(3400, func(*sim.World) { at3400 = append([]string(nil), *log...) })
	w.run(5 * wire.Second)
	assert.Equal(t, []string{"+OK"}, at3400, "WAIT is still blocked, the PING held behind it")
	assert.Equal(t, []string{"+OK", ":0", "+PONG"}, *log, "the last WAIT blocks for ever")
}
