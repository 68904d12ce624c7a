package model

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// attach makes node id (10.0.0.<id>:6379) a replica of the direct node on
// link, and returns what the node answered.
func (d *direct) attach(id wire.NodeID, link uint64) []wire.Message {
	d.t.Helper()
	out := d.deliver(id, &syncRequest{Link: link, ReplID: "?", Offset: -1, Announce: wire.Addr{Host: "10.0.0." + string(rune('0'+id)), Port: 6379}})
	require.Len(d.t, out, 1)
	require.IsType(d.t, &syncFull{}, out[0].Payload)
	return out
}

// replies lists the replies and closes among msgs, formatted.
func replies(msgs []wire.Message) []string {
	var out []string
	for _, m := range msgs {
		switch p := m.Payload.(type) {
		case *wire.Reply, *wire.Closed:
			out = append(out, p.String())
		}
	}
	return out
}

// A client blocked in WAIT has its later, pipelined commands held, in
// order, until WAIT returns (Redis does not read a blocked client's query
// buffer); other clients go on.
func TestBlockedWaitHoldsPipelinedCommands(t *testing.T) {
	d := newDirect(t, nil)
	d.attach(5, 77)
	assert.Equal(t, "+OK", d.reply(1, "SET", "k", "v"))
	_, replied := d.do(1, "WAIT", "1", "0")
	require.False(t, replied, "the replica has not acknowledged the write")
	_, replied = d.do(1, "GET", "k")
	assert.False(t, replied, "held behind the WAIT")
	assert.Equal(t, "+PONG", d.reply(2, "PING"), "other clients are served")
	out := d.deliver(5, &replAck{Link: 77, Offset: d.n.repl.offset})
	assert.Equal(t, []string{"c1 #2 -> :1", `c1 #3 -> "v"`}, replies(out))
	assert.Equal(t, "+PONG", d.reply(1, "PING"))
}

// A client that never wrote waits for nothing: WAIT counts the replicas
// that acknowledged the client's own last write (c->woff).
func TestWaitUsesTheClientsLastWrite(t *testing.T) {
	d := newDirect(t, nil)
	d.attach(5, 77)
	d.reply(1, "SET", "k", "v")
	assert.Equal(t, ":1", d.reply(2, "WAIT", "1", "0"), "connection 2 wrote nothing")
	_, replied := d.do(1, "WAIT", "1", "0")
	assert.False(t, replied)
}

// On becoming a replica, clients blocked in WAIT get -UNBLOCKED and their
// connection is closed after the reply (disconnectAllBlockedClients);
// their held commands are never run.
func TestBecomingReplicaUnblocksWaits(t *testing.T) {
	d := newDirect(t, addr2)
	d.attach(5, 77)
	d.reply(1, "SET", "k", "v")
	_, replied := d.do(1, "WAIT", "1", "0")
	require.False(t, replied)
	_, replied = d.do(1, "PING")
	require.False(t, replied)
	assert.Equal(t, "+OK", d.reply(2, "REPLICAOF", "10.0.0.2", "6379"))
	assert.Equal(t, []string{
		"c1 #2 -> -UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)",
		"c1 closed unblocked",
		"c2 #1 -> +OK",
	}, replies(d.env.sent))
	assert.Empty(t, d.n.waits)
}

// A closed connection takes its WAITs with it: neither the timeout nor an
// acknowledgement answers on a new connection with the same id.
func TestClosedConnectionDropsItsWaits(t *testing.T) {
	d := newDirect(t, nil)
	d.attach(5, 77)
	d.reply(1, "SET", "k", "v")
	_, replied := d.do(1, "WAIT", "1", "100")
	require.False(t, replied)
	assert.Equal(t, ":1", d.reply(2, "CLIENT", "KILL", "TYPE", "normal"))
	assert.Empty(t, d.n.waits)
	d.open(1)
	assert.Equal(t, "+PONG", d.reply(1, "PING"), "a new connection with the same id")
	assert.Empty(t, replies(d.fire(tagWait|1)))
	assert.Empty(t, replies(d.deliver(5, &replAck{Link: 77, Offset: d.n.repl.offset})))

	// A hang-up does the same.
	d.reply(3, "SET", "k", "w")
	_, replied = d.do(3, "WAIT", "1", "0")
	require.False(t, replied)
	d.deliver(9, &wire.Hangup{Conn: 3})
	assert.Empty(t, d.n.waits)
}

// SCRIPT KILL answers the busy EVAL's caller with the script's error, then
// the caller's held commands run.
func TestScriptKillAnswersTheCaller(t *testing.T) {
	d := newDirect(t, nil)
	_, replied := d.do(1, "EVAL", "while true do end", "0")
	require.False(t, replied)
	_, replied = d.do(1, "PING")
	assert.False(t, replied, "held behind the script")
	assert.Equal(t, "-"+errBusy, d.reply(2, "PING"))
	assert.Equal(t, "+OK", d.reply(2, "SCRIPT", "KILL"))
	assert.Equal(t, []string{
		"c1 #1 -> -ERR Script killed by user with SCRIPT KILL... script: 694a5fe1ddb97a4c6a1bf299d9537c7d3d0f84e7, on @user_script:1.",
		"c1 #2 -> +PONG",
		"c2 #2 -> +OK",
	}, replies(d.env.sent))
	assert.Equal(t, "-NOTBUSY No scripts in execution right now.", d.reply(2, "SCRIPT", "KILL"))
}

// While a script is busy, SHUTDOWN without NOSAVE gets -BUSY; SHUTDOWN
// NOSAVE stops the node.
func TestShutdownWhileBusy(t *testing.T) {
	d := newDirect(t, nil)
	d.do(1, "EVAL", "while true do end", "0")
	assert.Equal(t, "-"+errBusy, d.reply(2, "SHUTDOWN"))
	assert.Equal(t, "-"+errBusy, d.reply(2, "SHUTDOWN", "SAVE"))
	assert.Equal(t, "-"+errBusy, d.reply(2, "DEBUG", "SLEEP", "0"), "DEBUG is not allow_busy")
	_, replied := d.do(2, "SHUTDOWN", "NOSAVE")
	assert.False(t, replied)
	assert.True(t, d.n.dead)
}

// DEBUG SLEEP inside EXEC really sleeps: the node handles nothing until it
// wakes, then the transaction's reply goes out first.
func TestDebugSleepInsideExecSleeps(t *testing.T) {
	d := newDirect(t, nil)
	d.reply(1, "MULTI")
	d.reply(1, "DEBUG", "SLEEP", "1")
	d.reply(1, "SET", "x", "1")
	_, replied := d.do(1, "EXEC")
	assert.False(t, replied, "asleep")
	_, replied = d.do(2, "GET", "x")
	assert.False(t, replied)
	d.env.now = 1000
	assert.Equal(t, []string{"c1 #4 -> [+OK +OK]", `c2 #1 -> "1"`}, replies(d.fire(tagWake)))
}

// Timers that fire while DEBUG SLEEP blocks the event loop run after the
// wake, after the messages that queued: a WAIT's timeout and the end of
// loading.
func TestDebugSleepHoldsTimers(t *testing.T) {
	d := newDirect(t, nil)
	d.attach(5, 77)
	d.reply(1, "SET", "k", "v")
	_, replied := d.do(1, "WAIT", "1", "100")
	require.False(t, replied)
	_, replied = d.do(2, "DEBUG", "SLEEP", "1")
	require.False(t, replied)
	d.env.now = 100
	assert.Empty(t, d.fire(tagWait|1), "the event loop is blocked")
	d.n.loadingUntil = 500 // as if it were loading
	d.env.events = nil
	assert.Empty(t, d.fire(tagLoaded))
	assert.Empty(t, d.env.events)
	d.env.now = 1000
	assert.Equal(t, []string{"c2 #1 -> +OK", "c1 #2 -> :0"}, replies(d.fire(tagWake)))
	assert.Equal(t, []string{"* Done loading RDB"}, d.env.events)
}
