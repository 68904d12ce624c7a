package model

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Argument checks and their error texts, each verified against
// redis-server 7.0.15.
func TestArgumentErrors(t *testing.T) {
	d := newDirect(t, nil)
	cs := func(p string) string { return "-ERR CONFIG SET failed (possibly related to argument '" + p + "') - " }
	for _, tc := range []struct {
		args []string
		want string
	}{
		// CONFIG SET: integers as string2ll parses them, ranges as Redis
		// declares them, booleans, memory values.
		{[]string{"CONFIG", "SET", "repl-timeout", "0"}, cs("repl-timeout") + "argument must be between 1 and 2147483647 inclusive"},
		{[]string{"CONFIG", "SET", "repl-timeout", "2147483648"}, cs("repl-timeout") + "argument must be between 1 and 2147483647 inclusive"},
		{[]string{"CONFIG", "SET", "repl-timeout", "07"}, cs("repl-timeout") + "argument couldn't be parsed into an integer"},
		{[]string{"CONFIG", "SET", "repl-timeout", "+7"}, cs("repl-timeout") + "argument couldn't be parsed into an integer"},
		{[]string{"CONFIG", "SET", "repl-timeout", ""}, cs("repl-timeout") + "argument couldn't be parsed into an integer"},
		{[]string{"CONFIG", "SET", "REPL-TIMEOUT", "x"}, cs("repl-timeout") + "argument couldn't be parsed into an integer"},
		{[]string{"CONFIG", "GET", "REPL-TIMEOUT"}, `["REPL-TIMEOUT" "60"]`},
		{[]string{"CONFIG", "SET", "repl-ping-replica-period", "0"}, cs("repl-ping-replica-period") + "argument must be between 1 and 2147483647 inclusive"},
		{[]string{"CONFIG", "SET", "replica-announce-port", "65536"}, cs("replica-announce-port") + "argument must be between 0 and 65535 inclusive"},
		{[]string{"CONFIG", "SET", "replica-priority", "-1"}, cs("replica-priority") + "argument must be between 0 and 2147483647 inclusive"},
		{[]string{"CONFIG", "SET", "min-replicas-max-lag", "-1"}, cs("min-replicas-max-lag") + "argument must be between 0 and 2147483647 inclusive"},
		{[]string{"CONFIG", "SET", "min-replicas-to-write", "2147483648"}, cs("min-replicas-to-write") + "argument must be between 0 and 2147483647 inclusive"},
		{[]string{"CONFIG", "SET", "replica-read-only", "maybe"}, cs("replica-read-only") + "argument must be 'yes' or 'no'"},
		{[]string{"CONFIG", "SET", "replica-read-only", "YES"}, "+OK"},
		{[]string{"CONFIG", "SET", "repl-backlog-size", "0"}, cs("repl-backlog-size") + "argument must be between 1 and 9223372036854775807 inclusive"},
		{[]string{"CONFIG", "SET", "repl-backlog-size", "+20000"}, cs("repl-backlog-size") + "argument must be a memory value"},
		{[]string{"CONFIG", "SET", "repl-backlog-size", "20000x"}, cs("repl-backlog-size") + "argument must be a memory value"},
		// memtoull's result read as a long long (checked with redis-server 7.0.15).
		{[]string{"CONFIG", "SET", "repl-backlog-size", "18446744073709551615"}, cs("repl-backlog-size") + "argument must be between 1 and 9223372036854775807 inclusive"},
		{[]string{"CONFIG", "SET", "repl-backlog-size", "kb"}, cs("repl-backlog-size") + "argument must be between 1 and 9223372036854775807 inclusive"},
		{[]string{"CONFIG", "SET", "repl-backlog-size", "2KB"}, "+OK"},
		{[]string{"CONFIG", "GET", "repl-backlog-size"}, `["repl-backlog-size" "16384"]`},
		{[]string{"CONFIG", "SET", "repl-backlog-size", "1mb"}, "+OK"},
		{[]string{"CONFIG", "GET", "repl-backlog-size"}, `["repl-backlog-size" "1048576"]`},
		{[]string{"CONFIG", "SET", "replicaof", "10.0.0.2 6379"}, cs("replicaof") + "can't set immutable config"},
		{[]string{"CONFIG", "SET", "repl-timeout", "60", "repl-timeout", "61"}, cs("repl-timeout") + "duplicate parameter"},
		{[]string{"CONFIG", "SET", "repl-timeout", "61", "replica-priority", "x"}, cs("replica-priority") + "argument couldn't be parsed into an integer"},
		{[]string{"CONFIG", "GET", "repl-timeout"}, `["repl-timeout" "60"]`}, // CONFIG SET is all or nothing
		{[]string{"CONFIG", "SET", "repl-timeout", "5", "repl-ping-replica-period"}, "-ERR syntax error"},
		{[]string{"CONFIG", "SET", "repl-timeout"}, "-ERR wrong number of arguments for 'config|set' command"},
		{[]string{"CONFIG", "GET"}, "-ERR wrong number of arguments for 'config|get' command"},
		{[]string{"CONFIG", "REWRITE", "x"}, "-ERR wrong number of arguments for 'config|rewrite' command"},
		{[]string{"CONFIG"}, "-ERR wrong number of arguments for 'config' command"},
		{[]string{"config", "foo"}, "-ERR unknown subcommand 'foo'. Try CONFIG HELP."},
		{[]string{"CONFIG", "GET", "replica-announce-*", "repl-timeout"}, `["repl-timeout" "60" "replica-announce-ip" "" "replica-announce-port" "0"]`},
		// Other subcommands.
		{[]string{"CLIENT", "FOO"}, "-ERR unknown subcommand 'FOO'. Try CLIENT HELP."},
		{[]string{"CLIENT", "SETNAME"}, "-ERR wrong number of arguments for 'client|setname' command"},
		{[]string{"CLIENT", "KILL", "10.0.0.9:5000"}, "-ERR No such client"},
		{[]string{"CLIENT", "KILL", "TYPE", "normal", "SKIPME"}, "-ERR syntax error"},
		{[]string{"CLIENT", "KILL", "SKIPME", "maybe"}, "-ERR syntax error"},
		{[]string{"SCRIPT", "FOO"}, "-ERR unknown subcommand 'FOO'. Try SCRIPT HELP."},
		{[]string{"SCRIPT", "KILL", "x"}, "-ERR wrong number of arguments for 'script|kill' command"},
		{[]string{"DEBUG", "FOO"}, "-ERR unknown subcommand or wrong number of arguments for 'FOO'. Try DEBUG HELP."},
		{[]string{"DEBUG", "SLEEP"}, "-ERR unknown subcommand or wrong number of arguments for 'SLEEP'. Try DEBUG HELP."},
		// DEBUG SLEEP takes what strtod reads, and sleeps not at all for
		// what does not convert to a positive number of microseconds.
		{[]string{"DEBUG", "SLEEP", "abc"}, "+OK"},
		{[]string{"DEBUG", "SLEEP", "-1"}, "+OK"},
		{[]string{"DEBUG", "SLEEP", "nan"}, "+OK"},
		{[]string{"DEBUG", "SLEEP", "inf"}, "+OK"},
		{[]string{"DEBUG", "SLEEP", "1e300"}, "+OK"},
		// SELECT, AUTH, PING, SHUTDOWN, REPLICAOF, WAIT.
		{[]string{"SELECT", "15"}, "+OK"},
		{[]string{"SELECT", "16"}, "-ERR DB index is out of range"},
		{[]string{"SELECT", "-1"}, "-ERR DB index is out of range"},
		{[]string{"SELECT", "01"}, "-ERR value is not an integer or out of range"},
		{[]string{"SELECT", "2147483648"}, "-ERR value is out of range, value must between -2147483648 and 2147483647"},
		{[]string{"SELECT", "0"}, "+OK"},
		{[]string{"CLIENT", "KILL", "ID", "x"}, "-ERR client-id should be greater than 0"},
		{[]string{"CLIENT", "KILL", "ID", "999"}, ":0"},
		{[]string{"CLIENT", "KILL", "ADDR", "10.0.0.9:5000"}, ":0"},
		{[]string{"CLIENT", "KILL", "USER", "nobody"}, "-ERR No such user 'nobody'"},
		{[]string{"CLIENT", "KILL", "MAXAGE", "5"}, "-ERR syntax error"},
		{[]string{"AUTH", "a", "b", "c"}, "-ERR syntax error"},
		{[]string{"PING", "a", "b"}, "-ERR wrong number of arguments for 'ping' command"},
		{[]string{"SHUTDOWN", "ABORT"}, "-ERR No shutdown in progress."},
		{[]string{"SHUTDOWN", "NOSAVE", "SAVE"}, "-ERR syntax error"},
		{[]string{"SHUTDOWN", "ABORT", "NOSAVE"}, "-ERR syntax error"},
		{[]string{"SHUTDOWN", "FOO"}, "-ERR syntax error"},
		{[]string{"REPLICAOF", "10.0.0.2", "+7801"}, "-ERR Invalid master port"},
		{[]string{"REPLICAOF", "10.0.0.2", "07899"}, "-ERR Invalid master port"},
		{[]string{"REPLICAOF", "10.0.0.2", "65536"}, "-ERR Invalid master port"},
		{[]string{"REPLICAOF", "no", "two"}, "-ERR Invalid master port"},
		{[]string{"WAIT", "x", "0"}, "-ERR value is not an integer or out of range"},
		{[]string{"WAIT", "01", "0"}, "-ERR value is not an integer or out of range"},
		{[]string{"WAIT", "1", "x"}, "-ERR timeout is not an integer or out of range"},
		{[]string{"WAIT", "1", "1.5"}, "-ERR timeout is not an integer or out of range"},
		{[]string{"WAIT", "1", "-1"}, "-ERR timeout is negative"},
		{[]string{"WAIT", "-1", "0"}, ":0"},
	} {
		assert.Equal(t, tc.want, d.reply(1, tc.args...), "%q", tc.args)
	}

	// REPLICAOF accepts port 0, compares the host without case, and NO ONE
	// in any case.
	assert.Equal(t, "+OK", d.reply(1, "REPLICAOF", "h", "0"))
	assert.Equal(t, `["slave" "h" :0 "connect" :-1]`, d.reply(1, "ROLE"))
	assert.Equal(t, "+OK Already connected to specified master", d.reply(1, "REPLICAOF", "H", "0"))
	assert.Equal(t, "+OK", d.reply(1, "replicaof", "no", "one"))
	assert.Equal(t, "+OK", d.reply(1, "REPLICAOF", "NO", "ONE"))
}

// DEBUG SLEEP of a fraction of a millisecond still blocks the loop for one.
func TestDebugSleepParsing(t *testing.T) {
	for _, tc := range []struct {
		arg  string
		want wire.Duration
	}{{"0.0005", 1}, {"0.1x", 100}, {" 2", 2000}, {"1e3", 1000 * 1000}, {"1e300", 0}, {"-0.5", 0}, {"abc", 0}, {"nan", 0}, {"1e30", 0}} {
		assert.Equal(t, tc.want, sleepDuration(tc.arg), tc.arg)
	}
	assert.Equal(t, maxDebugSleep, sleepDuration("9e12"), "huge but finite: clamped")
}

// The failover transaction with a reachable new master, as Sentinel sends
// it (spec §14): the reply is [+OK +OK :n :m], the node now replicates,
// and every other normal and pub/sub client is gone (the caller stays).
func TestFailoverTransaction(t *testing.T) {
	d := newDirect(t, addr2)
	d.reply(2, "PING")
	d.reply(3, "PING")
	d.reply(4, "SUBSCRIBE", "__sentinel__:hello")
	var got []string
	for _, args := range failoverTx("10.0.0.2", "6379") {
		got = append(got, d.reply(1, args...))
	}
	assert.Equal(t, []string{"+OK", "+QUEUED", "+QUEUED", "+QUEUED", "+QUEUED", "[+OK +OK :2 :1]"}, got)
	assert.True(t, d.n.isReplica())
	assert.ElementsMatch(t, []connKey{{9, 1}}, keys(d.n.conns))
	assert.Equal(t, "+PONG", d.reply(1, "PING"))

	// Without a config file CONFIG REWRITE fails inside; the rest applies.
	d = newDirect(t, func(c *Config) { c.HasConfigFile = false; addr2(c) })
	got = nil
	for _, args := range failoverTx("10.0.0.2", "6379") {
		got = append(got, d.reply(1, args...))
	}
	assert.Equal(t, "[+OK -ERR The server is running without a config file :0 :0]", got[5])
	assert.True(t, d.n.isReplica())

	// SLAVEOF renamed on the node but not in the sentinel's table: queuing
	// fails and EXEC aborts; nothing changes and nobody is killed.
	d = newDirect(t, func(c *Config) { c.RenameCommands = map[string]string{"SLAVEOF": "XSLAVEOF"}; addr2(c) })
	d.reply(2, "PING")
	got = nil
	for _, args := range failoverTx("10.0.0.2", "6379") {
		got = append(got, d.reply(1, args...))
	}
	assert.Equal(t, []string{"+OK", "-ERR unknown command 'SLAVEOF', with args beginning with: '10.0.0.2' '6379' ",
		"+QUEUED", "+QUEUED", "+QUEUED", "-EXECABORT Transaction discarded because of previous errors."}, got)
	assert.False(t, d.n.isReplica())
	assert.Equal(t, "+PONG", d.reply(2, "PING"))
}

func keys(m map[connKey]*conn) []connKey {
	var out []connKey
	for k := range m {
		out = append(out, k)
	}
	return out
}

// CLIENT KILL with only SKIPME kills every client but (with yes) the
// caller: normal, pub/sub, replicas and the master link. SKIPME no kills
// the caller too, after its reply.
func TestClientKillEveryone(t *testing.T) {
	d := newDirect(t, addr2)
	d.attach(5, 77)
	d.reply(2, "PING")
	d.reply(3, "SUBSCRIBE", "ch")
	assert.Equal(t, "+OK", d.reply(1, "REPLICAOF", "10.0.0.2", "6379"))
	d.deliver(3, &syncContinue{Link: d.n.repl.master.link, ReplID: d.n.repl.id, From: d.n.repl.offset})
	require.True(t, d.n.repl.linkUp())
	assert.Equal(t, ":4", d.reply(1, "CLIENT", "KILL", "SKIPME", "yes"))
	assert.Empty(t, d.n.repl.replicas)
	assert.False(t, d.n.repl.linkUp())
	assert.ElementsMatch(t, []connKey{{9, 1}}, keys(d.n.conns))
	_, ok := d.do(1, "CLIENT", "KILL", "SKIPME", "no")
	require.True(t, ok)
	assert.Equal(t, []string{"c1 #3 -> :1", "c1 closed killed"}, replies(d.env.sent), "the reply, then the close")
	assert.Empty(t, d.n.conns)
}

// A command with Open on a connection the node knows is a new connection
// (the client process restarted and reused the id): the old one's state —
// transaction, subscriptions, WAITs — is dropped. A duplicated delivery of
// the opening command is not.
func TestOpenReplacesAConnection(t *testing.T) {
	d := newDirect(t, nil)
	d.reply(1, "SUBSCRIBE", "ch")
	d.open(1)
	assert.Equal(t, "+OK", d.reply(1, "MULTI"))
	assert.Equal(t, ":0", d.reply(2, "PUBLISH", "ch", "x"), "the subscription went with the old connection")
	d.open(1)
	assert.Equal(t, "-ERR EXEC without MULTI", d.reply(1, "EXEC"), "so did the transaction")

	cmd := &wire.Command{Conn: 7, Seq: 1, Open: true, Args: []string{"INCR", "n"}}
	d.n.Receive(d.env, wire.Message{ID: 1000, From: 9, Payload: cmd})
	d.n.Receive(d.env, wire.Message{ID: 1000, From: 9, Payload: cmd})
	assert.Equal(t, `"1"`, d.reply(2, "GET", "n"))
	assert.Equal(t, ":2", d.reply(2, "CLIENT", "KILL", "TYPE", "normal"))
	d.n.Receive(d.env, wire.Message{ID: 1000, From: 9, Payload: cmd})
	assert.Equal(t, `"1"`, d.reply(3, "GET", "n"), "a late copy of a killed connection's opening does not reopen it")
}

// MISCONF needs persistence: a node with save points (rdb) refuses writes
// and PING when its last background save failed, replicas included; with
// AOF a failing disk fails the AOF write instead, whatever
// stop-writes-on-bgsave-error says; without persistence nothing is saved,
// so nothing fails.
func TestMisconfNeedsPersistence(t *testing.T) {
	none := newDirect(t, nil)
	none.reply(1, "DEBUG", "SIMULATE-BGSAVE-ERROR", "1")
	assert.Equal(t, "+OK", none.reply(1, "SET", "k", "v"))
	assert.Equal(t, "+PONG", none.reply(1, "PING"))

	rdb := newDirect(t, func(c *Config) { c.Persistence = PersistRDB; addr2(c) })
	rdb.reply(1, "DEBUG", "SIMULATE-BGSAVE-ERROR", "1")
	assert.Equal(t, "-"+errMisconf, rdb.reply(1, "PING"))
	assert.Equal(t, "-ERR", rdb.reply(1, "SAVE"), "the save fails")
	rdb.reply(1, "REPLICAOF", "10.0.0.2", "6379")
	assert.Equal(t, "-"+errMisconf, rdb.reply(1, "PING"), "a replica too")
	assert.Equal(t, "(nil)", rdb.reply(1, "GET", "k"))
	rdb.reply(1, "CONFIG", "SET", "stop-writes-on-bgsave-error", "no")
	assert.Equal(t, "+PONG", rdb.reply(1, "PING"))

	aof := newDirect(t, func(c *Config) { c.Persistence = PersistAOF; c.StopWritesOnBgsaveError = false })
	aof.reply(1, "DEBUG", "SIMULATE-BGSAVE-ERROR", "1")
	assert.Equal(t, "-MISCONF Errors writing to the AOF file: No space left on device", aof.reply(1, "SET", "k", "v"))
	aof.reply(1, "DEBUG", "SIMULATE-BGSAVE-ERROR", "0")
	assert.Equal(t, "+OK", aof.reply(1, "SET", "k", "v"))
}

// min-replicas-max-lag 0 disables the min-replicas check (and INFO's
// min_slaves_good_slaves line), as checkGoodReplicasStatus does.
func TestMinReplicasMaxLagZeroDisables(t *testing.T) {
	d := newDirect(t, nil)
	d.reply(1, "CONFIG", "SET", "min-replicas-to-write", "1")
	assert.Contains(t, d.reply(1, "INFO", "replication"), "min_slaves_good_slaves:0")
	d.reply(1, "CONFIG", "SET", "min-replicas-max-lag", "0")
	assert.Equal(t, "+OK", d.reply(1, "SET", "k", "v"))
	assert.NotContains(t, d.reply(1, "INFO", "replication"), "min_slaves_good_slaves")
}

// master_link_down_since_seconds counts from when the first link went down,
// across a switch to another master; REPLICAOF NO ONE resets it.
func TestLinkDownSinceCarriesOver(t *testing.T) {
	d := newDirect(t, addr2)
	d.reply(1, "REPLICAOF", "10.0.0.2", "6379")
	d.deliver(3, &syncFull{Link: d.n.repl.master.link, ReplID: d.n.repl.id, Offset: 0, Snapshot: emptySnapshot()})
	d.env.now = 1000
	d.reply(1, "REPLICAOF", "10.0.0.3", "6379")
	d.env.now = 4000
	assert.Contains(t, d.reply(1, "INFO", "replication"), `master_link_down_since_seconds:3\r\n`)
	d.reply(1, "REPLICAOF", "10.0.0.2", "6379")
	d.env.now = 6000
	assert.Contains(t, d.reply(1, "INFO", "replication"), `master_link_down_since_seconds:5\r\n`)
	d.reply(1, "REPLICAOF", "NO", "ONE")
	d.reply(1, "REPLICAOF", "10.0.0.3", "6379")
	assert.Contains(t, d.reply(1, "INFO", "replication"), `master_link_down_since_seconds:-1\r\n`)
}

func TestReplicaAnnouncedNo(t *testing.T) {
	d := newDirect(t, addr2)
	d.reply(1, "REPLICAOF", "10.0.0.2", "6379")
	assert.Contains(t, d.reply(1, "INFO", "replication"), `replica_announced:1\r\n`)
	assert.Equal(t, "+OK", d.reply(1, "CONFIG", "SET", "replica-announced", "no"))
	assert.Contains(t, d.reply(1, "INFO", "replication"), `replica_announced:0\r\n`)
}
