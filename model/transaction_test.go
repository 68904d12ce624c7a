package model

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// failoverTx is the transaction Sentinel sends to reconfigure a node
// (spec §14).
func failoverTx(slaveof ...string) [][]string {
	return [][]string{
		{"MULTI"},
		append([]string{"SLAVEOF"}, slaveof...),
		{"CONFIG", "REWRITE"},
		{"CLIENT", "KILL", "TYPE", "normal"},
		{"CLIENT", "KILL", "TYPE", "pubsub"},
		{"EXEC"},
	}
}

// addr2 lets a direct node resolve 10.0.0.2:6379 (node 3) and 10.0.0.3:6379
// (node 4).
func addr2(c *Config) {
	dir := c.Directory.(*wire.StaticDirectory)
	dir.Add(3, wire.Addr{Host: "10.0.0.2", Port: 6379})
	dir.Add(4, wire.Addr{Host: "10.0.0.3", Port: 6379})
}

// Only AUTH, QUIT and HELLO may be called before AUTH: ROLE, REPLICAOF,
// SLAVEOF and SHUTDOWN get -NOAUTH like everything else (Redis 7.0.15:
// their command flags lack no_auth). So a sentinel without auth-pass
// sending the failover transaction to a node with requirepass changes
// nothing, and EXEC says why.
func TestFailoverTransactionNeedsAuth(t *testing.T) {
	d := newDirect(t, func(c *Config) { c.RequirePass = "secret"; addr2(c) })
	assert.Equal(t, "+OK", d.reply(2, "AUTH", "secret"))
	assert.Equal(t, "+OK", d.reply(3, "AUTH", "secret"))
	assert.Equal(t, `["subscribe" "__sentinel__:hello" :1]`, d.reply(3, "SUBSCRIBE", "__sentinel__:hello"))
	for _, args := range [][]string{{"ROLE"}, {"REPLICAOF", "NO", "ONE"}, {"SLAVEOF", "10.0.0.2", "6379"}, {"SHUTDOWN", "NOSAVE"}} {
		assert.Equal(t, "-NOAUTH Authentication required.", d.reply(1, args...), "%v", args)
	}
	var got []string
	for _, args := range failoverTx("10.0.0.2", "6379") {
		got = append(got, d.reply(1, args...))
	}
	noauth := "-NOAUTH Authentication required."
	assert.Equal(t, []string{noauth, noauth, noauth, noauth, noauth,
		"-EXECABORT Transaction discarded because of: NOAUTH Authentication required."}, got)
	assert.False(t, d.n.isReplica(), "nothing changed")
	assert.Equal(t, "+PONG", d.reply(2, "PING"), "no client was killed")
	assert.Equal(t, `["pong" ""]`, d.reply(3, "PING"))
	assert.Equal(t, "+OK", d.reply(1, "QUIT"), "QUIT needs no auth")
}

// Every rejection while queuing marks the transaction, so EXEC aborts
// (processCommand's rejectCommand calls flagTransaction).
func TestRejectionWhileQueuingAbortsExec(t *testing.T) {
	abort := "-EXECABORT Transaction discarded because of previous errors."
	for _, tc := range []struct {
		name   string
		cfg    func(*Config)
		setup  [][]string // on connection 2 before MULTI
		queue  []string
		reject string
	}{
		{"unknown command", nil, nil, []string{"NOPE", "a"}, "-ERR unknown command 'NOPE', with args beginning with: 'a' "},
		{"arity of a node command", nil, nil, []string{"ECHO"}, "-ERR wrong number of arguments for 'echo' command"},
		{"arity of a data command", nil, nil, []string{"GET"}, "-ERR wrong number of arguments for 'get' command"},
		{"subcommand arity", nil, nil, []string{"CONFIG", "GET"}, "-ERR wrong number of arguments for 'config|get' command"},
		{"unknown subcommand", nil, nil, []string{"CONFIG", "FOO"}, "-ERR unknown subcommand 'FOO'. Try CONFIG HELP."},
		{"not allowed in MULTI", nil, nil, []string{"SHUTDOWN", "NOSAVE"}, "-ERR Command not allowed inside a transaction"},
		{"MISCONF", func(c *Config) { c.Persistence = PersistRDB }, [][]string{{"DEBUG", "SIMULATE-BGSAVE-ERROR", "1"}},
			[]string{"SET", "k", "v"}, "-" + errMisconf},
		{"NOREPLICAS", nil, [][]string{{"CONFIG", "SET", "min-replicas-to-write", "1"}}, []string{"SET", "k", "v"}, "-" + errNoReplicas},
		{"READONLY", addr2, [][]string{{"REPLICAOF", "10.0.0.2", "6379"}}, []string{"SET", "k", "v"}, "-" + errReadOnly},
		{"MASTERDOWN", addr2, [][]string{{"REPLICAOF", "10.0.0.2", "6379"}, {"CONFIG", "SET", "replica-serve-stale-data", "no"}},
			[]string{"GET", "k"}, "-" + errMasterDown},
		{"LOADING", nil, nil, []string{"GET", "k"}, "-" + errLoading},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDirect(t, tc.cfg)
			for _, args := range tc.setup {
				require.NotContains(t, d.reply(2, args...), "-ERR", "%v", args)
			}
			if tc.name == "LOADING" {
				d.n.loadingUntil = 5000
			}
			assert.Equal(t, "+OK", d.reply(1, "MULTI"))
			assert.Equal(t, tc.reject, d.reply(1, tc.queue...))
			assert.Equal(t, "+QUEUED", d.reply(1, "ECHO", "x"), "the transaction goes on queuing")
			assert.Equal(t, abort, d.reply(1, "EXEC"))
			assert.Equal(t, "-ERR EXEC without MULTI", d.reply(1, "EXEC"), "the transaction is gone")
		})
	}

	// A busy script: MULTI and DISCARD are allowed (allow_busy), the queued
	// SLAVEOF gets -BUSY, and EXEC itself is refused with BUSY.
	d := newDirect(t, addr2)
	_, replied := d.do(9, "EVAL", "while true do end", "0")
	require.False(t, replied)
	assert.Equal(t, "+OK", d.reply(1, "MULTI"))
	assert.Equal(t, "-"+errBusy, d.reply(1, "SLAVEOF", "10.0.0.2", "6379"))
	assert.Equal(t, "+OK", d.reply(1, "DISCARD"))
	var got []string
	for _, args := range failoverTx("10.0.0.2", "6379") {
		got = append(got, d.reply(1, args...))
	}
	busy := "-" + errBusy
	assert.Equal(t, []string{"+OK", busy, "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.", busy, busy,
		"-EXECABORT Transaction discarded because of: BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."}, got)
	assert.False(t, d.n.isReplica())
	assert.Equal(t, "+OK", d.reply(2, "SCRIPT", "KILL"))
	assert.Equal(t, "-ERR EXEC without MULTI", d.reply(1, "EXEC"))

	// A subscribed connection's EXEC is refused by the pub/sub context check.
	d = newDirect(t, nil)
	d.reply(1, "SUBSCRIBE", "ch")
	assert.Equal(t, "-EXECABORT Transaction discarded because of: Can't execute 'exec': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context", d.reply(1, "EXEC"))
	assert.Equal(t, "-ERR Can't execute 'discard': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context", d.reply(1, "DISCARD"))
	assert.Equal(t, "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command", d.reply(2, "EXEC", "x"))
}

// AUTH is queued inside MULTI (its flags lack no_multi); QUIT runs at once.
func TestAuthIsQueuedQuitIsNot(t *testing.T) {
	d := newDirect(t, func(c *Config) { c.RequirePass = "secret" })
	assert.Equal(t, "+OK", d.reply(1, "AUTH", "secret"))
	assert.Equal(t, "+OK", d.reply(1, "MULTI"))
	assert.Equal(t, "+QUEUED", d.reply(1, "AUTH", "secret"))
	assert.Equal(t, "[+OK]", d.reply(1, "EXEC"))
	assert.Equal(t, "+OK", d.reply(1, "MULTI"))
	assert.Equal(t, "+OK", d.reply(1, "QUIT"))
	_, replied := d.do(1, "PING")
	assert.False(t, replied, "QUIT closed the connection")
}

// EXEC re-runs processCommand's state checks with the transaction's
// combined flags: a write anywhere in it makes it a write (READONLY,
// NOREPLICAS, MISCONF); one command that is not stale-ok makes it refused
// on a replica whose link is down with replica-serve-stale-data no.
// Verified against redis-server 7.0.15.
func TestExecRechecksWithCombinedFlags(t *testing.T) {
	because := "-EXECABORT Transaction discarded because of: "
	d := newDirect(t, func(c *Config) { c.Persistence = PersistRDB; addr2(c) })
	assert.Equal(t, "+OK", d.reply(1, "MULTI"))
	assert.Equal(t, "+QUEUED", d.reply(1, "SET", "k", "1"))
	d.reply(2, "CONFIG", "SET", "min-replicas-to-write", "1")
	assert.Equal(t, because+"NOREPLICAS Not enough good replicas to write.", d.reply(1, "EXEC"))
	d.reply(2, "CONFIG", "SET", "min-replicas-to-write", "0")

	assert.Equal(t, "+OK", d.reply(1, "MULTI"))
	assert.Equal(t, "+QUEUED", d.reply(1, "SET", "k", "1"))
	d.reply(2, "DEBUG", "SIMULATE-BGSAVE-ERROR", "1")
	assert.Equal(t, because+errMisconf, d.reply(1, "EXEC"))
	d.reply(2, "DEBUG", "SIMULATE-BGSAVE-ERROR", "0")

	assert.Equal(t, "+OK", d.reply(1, "MULTI"))
	assert.Equal(t, "+QUEUED", d.reply(1, "SET", "k", "1"))
	d.reply(2, "REPLICAOF", "10.0.0.2", "6379")
	assert.Equal(t, because+"READONLY You can't write against a read only replica.", d.reply(1, "EXEC"))

	assert.Equal(t, "+OK", d.reply(1, "MULTI"))
	assert.Equal(t, "+QUEUED", d.reply(1, "GET", "k"))
	assert.Equal(t, "+QUEUED", d.reply(1, "INFO", "server"))
	d.reply(2, "CONFIG", "SET", "replica-serve-stale-data", "no")
	assert.Equal(t, because+"MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.", d.reply(1, "EXEC"))
	assert.Equal(t, "+OK", d.reply(1, "MULTI"))
	assert.Equal(t, "+QUEUED", d.reply(1, "ECHO", "x"))
	assert.Equal(t, "+QUEUED", d.reply(1, "INFO", "server"))
	assert.Contains(t, d.reply(1, "EXEC"), `["x" "# Server`, "stale-ok commands only: EXEC runs")
	assert.Equal(t, "+OK", d.reply(1, "MULTI"))
	assert.Equal(t, "-"+errMasterDown, d.reply(1, "GET", "k"))
	assert.Equal(t, "-EXECABORT Transaction discarded because of previous errors.", d.reply(1, "EXEC"))
}
