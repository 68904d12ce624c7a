package model

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Replies and errors exactly as Redis 7.0 gives them, for the commands the
// node implements itself (data commands are the keyspace's, tested there).
func TestCommandReplies(t *testing.T) {
	d := newDirect(t, nil)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"PING"}, "+PONG"},
		{[]string{"ping", "hi"}, `"hi"`},
		{[]string{"ECHO", "x"}, `"x"`},
		{[]string{"SELECT", "0"}, "+OK"},
		{[]string{"SELECT", "3"}, "+OK"},
		{[]string{"SELECT", "16"}, "-ERR DB index is out of range"},
		{[]string{"FOO", "a", "b"}, "-ERR unknown command 'FOO', with args beginning with: 'a' 'b' "},
		{[]string{"ECHO"}, "-ERR wrong number of arguments for 'echo' command"},
		{[]string{"AUTH", "pw"}, "-" + errNoPassword},
		{[]string{"SET", "k", "v"}, "+OK"},
		{[]string{"GET", "k"}, `"v"`},
		{[]string{"CONFIG", "GET", "replica-priority"}, `["replica-priority" "100"]`},
		{[]string{"CONFIG", "SET", "replica-priority", "7"}, "+OK"},
		{[]string{"CONFIG", "GET", "replica-priority"}, `["replica-priority" "7"]`},
		{[]string{"CONFIG", "SET", "bogus", "1"}, "-ERR Unknown option or number of arguments for CONFIG SET - 'bogus'"},
		{[]string{"CLIENT", "SETNAME", "app"}, "+OK"},
		{[]string{"CLIENT", "GETNAME"}, `"app"`},
		{[]string{"SCRIPT", "KILL"}, "-" + errNotBusy},
		{[]string{"WAIT", "0", "0"}, ":0"},
		{[]string{"REPLICAOF", "10.0.0.9", "notaport"}, "-ERR Invalid master port"},
	} {
		assert.Equal(t, tc.want, d.reply(1, tc.args...), "%v", tc.args)
	}
}

func TestUnknownConnectionIsReset(t *testing.T) {
	d := newDirect(t, nil)
	d.env.sent = nil
	d.n.Receive(d.env, wire.Message{From: 9, Payload: &wire.Command{Conn: 5, Seq: 3, Args: []string{"PING"}}})
	require.Len(t, d.env.sent, 1)
	assert.Equal(t, "c5 closed unknown connection", d.env.sent[0].Payload.(*wire.Closed).String())
}

func TestDuplicateDeliveryRunsOnce(t *testing.T) {
	d := newDirect(t, nil)
	cmd := &wire.Command{Conn: 1, Seq: 1, Open: true, Args: []string{"INCR", "n"}}
	d.n.Receive(d.env, wire.Message{From: 9, Payload: cmd})
	d.n.Receive(d.env, wire.Message{From: 9, Payload: cmd})
	assert.Equal(t, `"1"`, d.reply(2, "GET", "n"))
}

func TestAuth(t *testing.T) {
	d := newDirect(t, func(c *Config) { c.RequirePass = "secret" })
	assert.Equal(t, "-"+errNoAuth, d.reply(1, "GET", "k"))
	assert.Equal(t, "-"+errNoAuth, d.reply(1, "PING"), "PING needs auth too")
	assert.Equal(t, "-"+errWrongPass, d.reply(1, "AUTH", "nope"))
	assert.Equal(t, "-"+errWrongPass, d.reply(1, "AUTH", "alice", "secret"))
	assert.Equal(t, "+OK", d.reply(1, "AUTH", "default", "secret"))
	assert.Equal(t, "+PONG", d.reply(1, "PING"))
	assert.Equal(t, "-"+errNoAuth, d.reply(2, "PING"), "auth is per connection")
}

func TestRenameCommand(t *testing.T) {
	d := newDirect(t, func(c *Config) {
		c.RenameCommands = map[string]string{"CONFIG": "XCONFIG", "flushall": ""}
	})
	assert.Equal(t, "-ERR unknown command 'CONFIG', with args beginning with: 'GET' 'repl-timeout' ", d.reply(1, "CONFIG", "GET", "repl-timeout"))
	assert.Equal(t, `["repl-timeout" "60"]`, d.reply(1, "xconfig", "GET", "repl-timeout"))
	assert.Equal(t, "-ERR unknown command 'FLUSHALL', with args beginning with: ", d.reply(1, "FLUSHALL"))
}

// Sentinel's failover transaction (spec §14): a renamed command inside it
// makes EXEC abort and nothing changes.
func TestMultiExec(t *testing.T) {
	d := newDirect(t, nil)
	assert.Equal(t, "+OK", d.reply(1, "MULTI"))
	assert.Equal(t, "+QUEUED", d.reply(1, "SET", "a", "1"))
	assert.Equal(t, "+QUEUED", d.reply(1, "INCR", "a"))
	assert.Equal(t, "-ERR MULTI calls can not be nested", d.reply(1, "MULTI"))
	assert.Equal(t, `[+OK :2]`, d.reply(1, "EXEC"))

	assert.Equal(t, "+OK", d.reply(1, "MULTI"))
	assert.Equal(t, "+QUEUED", d.reply(1, "SET", "a", "9"))
	assert.Contains(t, d.reply(1, "NOPE"), "unknown command")
	assert.Equal(t, "-"+errExecAbort, d.reply(1, "EXEC"))
	assert.Equal(t, `"2"`, d.reply(1, "GET", "a"), "an aborted transaction changes nothing")

	assert.Equal(t, "+OK", d.reply(1, "MULTI"))
	assert.Equal(t, "+QUEUED", d.reply(1, "SET", "a", "9"))
	assert.Equal(t, "+OK", d.reply(1, "DISCARD"))
	assert.Equal(t, "-ERR EXEC without MULTI", d.reply(1, "EXEC"))
	assert.Equal(t, `"2"`, d.reply(1, "GET", "a"))
}

func TestReplicaRefusesWritesAndServesStaleData(t *testing.T) {
	d := newDirect(t, nil)
	d.reply(1, "SET", "k", "v")
	assert.Equal(t, "+OK", d.reply(1, "REPLICAOF", "10.0.0.2", "6379"))
	assert.Equal(t, "-"+errReadOnly, d.reply(1, "SET", "k", "w"))
	assert.Equal(t, `"v"`, d.reply(1, "GET", "k"), "replica-serve-stale-data yes")
	assert.Equal(t, "+OK", d.reply(1, "CONFIG", "SET", "replica-serve-stale-data", "no"))
	assert.Equal(t, "-"+errMasterDown, d.reply(1, "GET", "k"))
	assert.Equal(t, "-"+errMasterDown, d.reply(1, "PING"), "spec §26.1")
	assert.Contains(t, d.reply(1, "INFO", "replication"), "role:slave")
	assert.Equal(t, "+OK", d.reply(1, "REPLICAOF", "NO", "ONE"))
	assert.Equal(t, "+OK", d.reply(1, "SET", "k", "w"))
}

func TestMisconfAndNoReplicas(t *testing.T) {
	d := newDirect(t, func(c *Config) { c.Persistence = PersistRDB })
	assert.Equal(t, "+OK", d.reply(1, "DEBUG", "SIMULATE-BGSAVE-ERROR", "1"))
	assert.Equal(t, "-"+errMisconf, d.reply(1, "SET", "k", "v"))
	assert.Equal(t, "-"+errMisconf, d.reply(1, "PING"), "spec §26.1: PING is rejected like a write")
	assert.Equal(t, "(nil)", d.reply(1, "GET", "k"))
	d.reply(1, "DEBUG", "SIMULATE-BGSAVE-ERROR", "0")
	assert.Equal(t, "+OK", d.reply(1, "CONFIG", "SET", "min-replicas-to-write", "1"))
	assert.Equal(t, "-"+errNoReplicas, d.reply(1, "SET", "k", "v"))
	assert.Equal(t, "(nil)", d.reply(1, "GET", "k"), "reads are fine")
}

func TestBusyScript(t *testing.T) {
	d := newDirect(t, nil)
	_, replied := d.do(1, "EVAL", "while true do end", "0")
	assert.False(t, replied, "the script never returns")
	assert.Equal(t, "-"+errBusy, d.reply(2, "PING"))
	assert.Equal(t, "+OK", d.reply(2, "SCRIPT", "KILL"))
	assert.Equal(t, "+PONG", d.reply(2, "PING"))
}

func TestPubSub(t *testing.T) {
	d := newDirect(t, nil)
	assert.Equal(t, `["subscribe" "__sentinel__:hello" :1]`, d.reply(1, "SUBSCRIBE", "__sentinel__:hello"))
	assert.Equal(t, "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context", d.reply(1, "GET", "k"))
	assert.Equal(t, `["pong" ""]`, d.reply(1, "PING"))
	assert.Equal(t, `["pong" "x"]`, d.reply(1, "PING", "x"))
	assert.Equal(t, "-ERR wrong number of arguments for 'ping' command", d.reply(1, "PING", "x", "y"))
	d.env.sent = nil
	assert.Equal(t, ":1", d.reply(2, "PUBLISH", "__sentinel__:hello", "hi"))
	var pushes []string
	for _, m := range d.env.sent {
		if p, ok := m.Payload.(*wire.Push); ok {
			pushes = append(pushes, p.String())
		}
	}
	assert.Equal(t, []string{`c1 push ["message" "__sentinel__:hello" "hi"]`}, pushes)
}

// PUBLISH reaches the channel's subscribers in connection order, however
// subscriptions and connections changed since the last PUBLISH (the node
// keeps the last channel's subscribers).
func TestPublishFollowsSubscriptions(t *testing.T) {
	d := newDirect(t, nil)
	publish := func(channel string) []wire.ConnID {
		d.env.sent = nil
		d.reply(9, "PUBLISH", channel, "m")
		var to []wire.ConnID
		for _, m := range d.env.sent {
			if p, ok := m.Payload.(*wire.Push); ok {
				to = append(to, p.Conn)
			}
		}
		return to
	}
	for c := 1; c <= 3; c++ {
		d.reply(wire.ConnID(c), "SUBSCRIBE", "a")
	}
	d.reply(4, "PING")
	assert.Equal(t, []wire.ConnID{1, 2, 3}, publish("a"))
	assert.Equal(t, []wire.ConnID{1, 2, 3}, publish("a"))
	assert.Empty(t, publish("b"))
	d.reply(2, "UNSUBSCRIBE", "a")
	assert.Equal(t, []wire.ConnID{1, 3}, publish("a"))
	d.reply(4, "SUBSCRIBE", "b", "a")
	assert.Equal(t, []wire.ConnID{1, 3, 4}, publish("a"))
	assert.Equal(t, []wire.ConnID{4}, publish("b"))
	assert.Equal(t, []wire.ConnID{1, 3, 4}, publish("a"))
	d.reply(9, "CLIENT", "KILL", "ID", "1")
	assert.Equal(t, []wire.ConnID{3, 4}, publish("a"))
	d.reply(2, "SUBSCRIBE", "a")
	assert.Equal(t, []wire.ConnID{2, 3, 4}, publish("a"))
	d.reply(3, "UNSUBSCRIBE")
	assert.Equal(t, []wire.ConnID{2, 4}, publish("a"))
}

// CLIENT KILL really drops the victims' connections (spec §14, §26.5).
func TestClientKill(t *testing.T) {
	d := newDirect(t, nil)
	d.reply(1, "PING")
	d.reply(2, "PING")
	d.reply(3, "SUBSCRIBE", "ch")
	d.env.sent = nil
	assert.Equal(t, ":1", d.reply(1, "CLIENT", "KILL", "TYPE", "normal"), "all normal clients but the caller")
	closed := 0
	for _, m := range d.env.sent {
		if c, ok := m.Payload.(*wire.Closed); ok {
			assert.Equal(t, wire.ConnID(2), c.Conn)
			closed++
		}
	}
	assert.Equal(t, 1, closed)
	d.env.sent = nil
	_, replied := d.do(2, "PING")
	assert.False(t, replied, "a killed connection is gone")
	assert.Equal(t, ":1", d.reply(1, "CLIENT", "KILL", "TYPE", "pubsub"))
	assert.Equal(t, "-ERR Unknown client type 'martian'", d.reply(1, "CLIENT", "KILL", "TYPE", "martian"))
}

func TestDebugSleepBlocksTheNode(t *testing.T) {
	d := newDirect(t, nil)
	_, replied := d.do(1, "DEBUG", "SLEEP", "2")
	assert.False(t, replied)
	_, replied = d.do(2, "PING")
	assert.False(t, replied, "nothing is handled while the event loop sleeps")
	d.env.sent = nil
	d.env.now = 2000
	d.n.Fire(d.env, tagWake)
	var replies []string
	for _, m := range d.env.sent {
		if r, ok := m.Payload.(*wire.Reply); ok {
			replies = append(replies, r.String())
		}
	}
	assert.Equal(t, []string{"c1 #1 -> +OK", "c2 #1 -> +PONG"}, replies, "the sleep's reply first, then what queued")
}

func TestShutdown(t *testing.T) {
	d := newDirect(t, nil)
	d.reply(2, "PING")
	d.env.sent = nil
	_, replied := d.do(1, "SHUTDOWN", "NOSAVE")
	assert.False(t, replied)
	assert.Len(t, d.env.sent, 2, "both connections are closed")
	_, replied = d.do(3, "PING")
	assert.False(t, replied, "a shut-down node answers nothing")
}

func TestConfigRewritePersists(t *testing.T) {
	d := newDirect(t, nil)
	d.reply(1, "CONFIG", "SET", "replica-priority", "5")
	assert.Equal(t, "+OK", d.reply(1, "CONFIG", "REWRITE"))
	var disk persisted
	require.NoError(t, json.Unmarshal(d.env.saved, &disk))
	require.NotNil(t, disk.Config)
	assert.Equal(t, 5, disk.Config.ReplicaPriority)

	nofile := newDirect(t, func(c *Config) { c.HasConfigFile = false })
	assert.Equal(t, "-"+errNoConfFile, nofile.reply(1, "CONFIG", "REWRITE"))
}

func TestLoadingAfterRestart(t *testing.T) {
	d := newDirect(t, func(c *Config) { c.Persistence = PersistAOF; c.LoadingTime = 3000 })
	d.reply(1, "SET", "k", "v")
	d.n.Fire(d.env, tagCron) // everysec: the write is saved
	require.NotEmpty(t, d.env.saved)
	cfg := d.n.initial
	n2, err := NewNode(cfg, 1)
	require.NoError(t, err)
	d.n = n2
	d.seq = map[wire.ConnID]uint64{}
	n2.Boot(d.env, d.env.saved)
	assert.Equal(t, "-"+errLoading, d.reply(1, "PING"), "spec §26.1: PING is refused while loading")
	assert.Contains(t, d.reply(1, "INFO"), "loading:1")
	d.env.now = 3000
	assert.Equal(t, `"v"`, d.reply(1, "GET", "k"), "the dataset survived the restart")
}

func TestRoleAndInfo(t *testing.T) {
	d := newDirect(t, nil)
	assert.Equal(t, `["master" :0 []]`, d.reply(1, "ROLE"))
	text := d.reply(1, "INFO", "replication")
	assert.Contains(t, text, `role:master\r\nconnected_slaves:0\r\n`)
	assert.Contains(t, d.reply(1, "INFO"), "run_id:"+d.n.RunID())
}

// The names execute finds without the table (what sentinels send all the
// time) are node commands of the table: were one removed from it, it would
// still run as one.
func TestFastNodeCommandsAreInTheTable(t *testing.T) {
	for _, name := range []string{"PING", "PUBLISH", "INFO"} {
		_, ok := nodeCommands[name]
		assert.True(t, ok, name)
	}
}
