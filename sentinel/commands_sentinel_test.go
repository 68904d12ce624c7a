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

// call is one command a session sends: at a time after the session booted
// (the start of the run), to a node, on one of its connections (each
// connection opens with its first command).
type call struct {
	at   wire.Duration
	to   string
	conn wire.ConnID
	args []string
}

func at(ms wire.Duration, to string, conn wire.ConnID, args ...string) call {
	return call{at: ms, to: to, conn: conn, args: args}
}

type connKey struct {
	to   wire.NodeID
	conn wire.ConnID
}

// session is a client process that sends calls and keeps, per call, its
// reply, and per connection, the pushes it received.
type session struct {
	calls   []call
	ids     map[string]wire.NodeID
	seq     map[connKey]uint64
	sent    map[connKey][]int // call indexes awaiting a reply, in order
	replies map[int]wire.Value
	pushes  map[connKey][]wire.Value
}

// newSession adds a client node running calls; it is added before the run
// starts, so call times are run times.
func (c *cluster) newSession(calls ...call) *session {
	s := &session{calls: calls, ids: c.ids, seq: map[connKey]uint64{}, sent: map[connKey][]int{},
		replies: map[int]wire.Value{}, pushes: map[connKey][]wire.Value{}}
	_, err := c.w.AddNode(sim.NodeSpec{Name: "cli" + strconv.Itoa(len(c.w.Nodes())), Start: func() sim.Process { return s }})
	require.NoError(c.t, err)
	return s
}

func (s *session) Boot(env wire.Env, _ []byte) {
	for i, c := range s.calls {
		env.After(c.at, uint64(i))
	}
}

func (s *session) Fire(env wire.Env, i uint64) {
	c := s.calls[i]
	k := connKey{s.ids[c.to], c.conn}
	s.seq[k]++
	s.sent[k] = append(s.sent[k], int(i))
	env.Send(k.to, &wire.Command{Conn: c.conn, Seq: s.seq[k], Open: s.seq[k] == 1, Args: c.args})
}

func (s *session) Receive(_ wire.Env, m wire.Message) {
	switch p := m.Payload.(type) {
	case *wire.Reply:
		k := connKey{m.From, p.Conn}
		if q := s.sent[k]; len(q) > 0 {
			s.replies[q[0]] = p.Value
			s.sent[k] = q[1:]
		}
	case *wire.Push:
		k := connKey{m.From, p.Conn}
		s.pushes[k] = append(s.pushes[k], p.Value)
	}
}

// reply is call i's reply as text ("" if none came).
func (s *session) reply(i int) string {
	v, ok := s.replies[i]
	if !ok {
		return ""
	}
	return v.String()
}

// flat is a bulk array's strings.
func flat(v wire.Value) []string {
	var out []string
	for _, e := range v.Array {
		out = append(out, e.Str)
	}
	return out
}

// field is a value of a SENTINEL MASTER-style map.
func field(v wire.Value, name string) string {
	for i := 0; i+1 < len(v.Array); i += 2 {
		if v.Array[i].Str == name {
			return v.Array[i+1].Str
		}
	}
	return ""
}

// traceEvents returns a node's trace lines "event <node> <text>", text only.
func (c *cluster) traceEvents(node string) []string {
	var out []string
	for _, l := range strings.Split(c.trace.String(), "\n") {
		_, rest, _ := strings.Cut(l, " ")
		if ev, ok := strings.CutPrefix(rest, "event "+node+" "); ok {
			out = append(out, ev)
		}
	}
	return out
}

var healthy = sentinel.MasterConfig{Quorum: 2, DownAfter: 5000, FailoverTimeout: 60_000, ParallelSyncs: 1}

func TestSentinelSubcommandReplies(t *testing.T) {
	c := newCluster(t, 7, healthy)
	var calls []call
	next := wire.Duration(15_000)
	add := func(conn wire.ConnID, args ...string) int {
		calls = append(calls, at(next, "s1", conn, args...))
		next += 10
		return len(calls) - 1
	}
	type check struct {
		i    int
		want string
	}
	var checks []check
	expect := func(want string, args ...string) { checks = append(checks, check{add(1, args...), want}) }

	// Lookup and arity, as processCommand does it.
	expect("-ERR unknown subcommand 'bogus'. Try SENTINEL HELP.", "SENTINEL", "bogus")
	expect("-ERR wrong number of arguments for 'sentinel' command", "SENTINEL")
	expect("-ERR wrong number of arguments for 'sentinel|set' command", "SENTINEL", "set", "mymaster", "quorum")
	expect("-ERR wrong number of arguments for 'sentinel|ckquorum' command", "sentinel", "CKQUORUM")
	expect("-ERR wrong number of arguments for 'sentinel|info-cache' command", "SENTINEL", "info-cache")
	expect("-ERR wrong number of arguments for 'sentinel|myid' command", "SENTINEL", "myid", "x")
	expect("-ERR unknown command 'FOO', with args beginning with: 'a' 'b' ", "FOO", "a", "b")
	expect("-ERR wrong number of arguments for 'role' command", "ROLE", "x")
	expect(`"hi"`, "PING", "hi")

	// CKQUORUM, FLUSHCONFIG, RESET, FAILOVER, PENDING-SCRIPTS.
	expect("-ERR No such master with that name", "SENTINEL", "ckquorum", "nope")
	expect("+OK 3 usable Sentinels. Quorum and failover authorization can be reached", "SENTINEL", "ckquorum", "mymaster")
	expect("+OK", "SENTINEL", "flushconfig")
	expect(":0", "SENTINEL", "reset", "nomatch")
	expect("-ERR No such master with that name", "SENTINEL", "failover", "nope")
	expect("[]", "SENTINEL", "pending-scripts")

	// SIMULATE-FAILURE.
	expect(`["crash-after-election" "crash-after-promotion"]`, "SENTINEL", "simulate-failure", "help")
	expect("-ERR Unknown failure simulation specified", "SENTINEL", "simulate-failure", "bogus")
	expect("+OK", "SENTINEL", "simulate-failure", "crash-after-promotion")
	iFlags := add(1, "INFO", "sentinel")
	// The flags are cleared first, and help answers at once.
	expect(`["crash-after-election" "crash-after-promotion"]`, "SENTINEL", "simulate-failure", "help", "crash-after-election")
	iNoFlags := add(1, "INFO", "sentinel")

	// DEBUG: options applied one by one, the first bad one stops.
	iDebug := add(1, "SENTINEL", "debug")
	expect("-ERR Unknown option or number of arguments for SENTINEL DEBUG 'bogus'", "SENTINEL", "debug", "info-period", "5000", "bogus", "1")
	expect("-ERR Unknown option or number of arguments for SENTINEL DEBUG 'ping-period'", "SENTINEL", "debug", "ping-period")
	expect("-ERR Invalid argument '0' for SENTINEL DEBUG 'ping-period'", "SENTINEL", "debug", "ping-period", "0")
	expect("-ERR Invalid argument '010' for SENTINEL DEBUG 'ping-period'", "SENTINEL", "debug", "ping-period", "010")
	expect("-ERR Invalid argument '+10' for SENTINEL DEBUG 'tilt-period'", "SENTINEL", "debug", "tilt-period", "+10")
	iDebug2 := add(1, "SENTINEL", "debug")
	expect("+OK", "SENTINEL", "DEBUG", "INFO-PERIOD", "10000", "default-down-after", "7000")

	// CONFIG GET / SET.
	expect(`["resolve-hostnames" "no" "announce-hostnames" "no" "announce-ip" "" "announce-port" "0" "sentinel-user" "" "sentinel-pass" ""]`,
		"SENTINEL", "config", "get", "*")
	expect("-ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.", "SENTINEL", "config", "get", "a", "b")
	expect("-ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.", "SENTINEL", "config", "bogus")
	expect("-ERR Invalid value 'maybe' to SENTINEL CONFIG SET 'resolve-hostnames'", "SENTINEL", "config", "set", "resolve-hostnames", "maybe")
	expect("-ERR Invalid value '70000' to SENTINEL CONFIG SET 'announce-port'", "SENTINEL", "config", "set", "announce-port", "70000")
	expect("-ERR Invalid argument 'bogus' to SENTINEL CONFIG SET", "SENTINEL", "config", "set", "bogus", "1")
	expect("+OK", "SENTINEL", "config", "set", "announce-port", "26380")
	expect(`["announce-port" "26380"]`, "SENTINEL", "config", "get", "ANNOUNCE-P*")
	expect("+OK", "SENTINEL", "config", "set", "announce-port", "0")

	// MONITOR, REMOVE and SET validation (sentinel/conf's texts).
	expect("-ERR Invalid quorum", "SENTINEL", "monitor", "m2", "10.0.0.9", "6379", "x")
	expect("-ERR Invalid port", "SENTINEL", "monitor", "m2", "10.0.0.9", "x", "2")
	expect("-ERR Quorum must be 1 or greater.", "SENTINEL", "monitor", "m2", "10.0.0.9", "6379", "0")
	expect("-ERR Invalid IP address or hostname specified", "SENTINEL", "monitor", "m2", "localhost", "6379", "2")
	expect("-ERR Invalid port number.", "SENTINEL", "monitor", "m2", "10.0.0.9", "70000", "2")
	expect("-ERR Duplicate master name.", "SENTINEL", "monitor", "mymaster", "10.0.0.9", "6379", "2")
	expect("-ERR No such master with that name", "SENTINEL", "remove", "nope")
	expect("-ERR No such master with that name", "SENTINEL", "set", "nope", "quorum", "2")
	expect("-ERR Unknown option or number of arguments for SENTINEL SET 'bogus'", "SENTINEL", "set", "mymaster", "bogus", "1")
	expect("-ERR Invalid argument 'abc' for SENTINEL SET 'quorum'", "SENTINEL", "set", "mymaster", "quorum", "abc")
	expect("-ERR Invalid argument '0' for SENTINEL SET 'quorum'", "SENTINEL", "set", "mymaster", "quorum", "0")
	expect("-ERR Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your Sentinel configuration",
		"SENTINEL", "set", "mymaster", "notification-script", "/bin/true")

	// INFO-CACHE, HELP, INFO.
	expect("[]", "SENTINEL", "info-cache", "nope")
	iCache := add(1, "SENTINEL", "info-cache", "mymaster", "nope", "mymaster")
	iHelp := add(1, "SENTINEL", "help")
	expect(`""`, "INFO", "bogus")
	iInfo := add(1, "INFO")
	iInfoSentinel := add(1, "info", "SENTINEL")

	// The pub/sub context, on a second connection.
	expectOn := func(conn wire.ConnID, want string, args ...string) {
		checks = append(checks, check{add(conn, args...), want})
	}
	expectOn(2, `["subscribe" "a" :1]`, "SUBSCRIBE", "a", "b")
	expectOn(2, `["pong" ""]`, "PING")
	expectOn(2, "-ERR Can't execute 'sentinel|masters': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context", "SENTINEL", "masters")
	expectOn(2, "-ERR Can't execute 'info': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context", "INFO")
	expectOn(2, "-ERR unknown subcommand 'nope'. Try SENTINEL HELP.", "SENTINEL", "nope")
	expectOn(2, `["psubscribe" "x*" :3]`, "PSUBSCRIBE", "x*")
	expectOn(2, `["unsubscribe" "a" :2]`, "UNSUBSCRIBE")
	expectOn(2, `["punsubscribe" "x*" :0]`, "PUNSUBSCRIBE")
	expectOn(2, "+PONG", "PING")
	expectOn(2, `["unsubscribe" (nil) :0]`, "UNSUBSCRIBE")

	s := c.newSession(calls...)
	c.run(16 * wire.Second)
	for _, ch := range checks {
		assert.Equal(t, ch.want, s.reply(ch.i), "%q", calls[ch.i].args)
	}

	sentinelSection := func(flags string) string {
		return "# Sentinel\r\nsentinel_masters:1\r\nsentinel_tilt:0\r\nsentinel_tilt_since_seconds:-1\r\n" +
			"sentinel_running_scripts:0\r\nsentinel_scripts_queue_length:0\r\nsentinel_simulate_failure_flags:" + flags + "\r\n" +
			"master0:name=mymaster,status=ok,address=10.0.0.1:6379,slaves=2,sentinels=3\r\n"
	}
	assert.Equal(t, sentinelSection("2"), s.replies[iFlags].Str)
	assert.Equal(t, sentinelSection("0"), s.replies[iNoFlags].Str)
	assert.Equal(t, sentinelSection("0"), s.replies[iInfoSentinel].Str)
	info := s.replies[iInfo].Str
	var heads []string
	for _, l := range strings.Split(info, "\r\n") {
		if strings.HasPrefix(l, "# ") {
			heads = append(heads, l)
		}
	}
	assert.Equal(t, []string{"# Server", "# Clients", "# Stats", "# CPU", "# Sentinel"}, heads)
	assert.True(t, strings.HasSuffix(info, "\r\n\r\n"+sentinelSection("0")), info)
	assert.Contains(t, info, "redis_mode:sentinel\r\n")
	assert.Contains(t, info, "uptime_in_seconds:15\r\n")

	debug := flat(s.replies[iDebug])
	assert.Equal(t, []string{"INFO-PERIOD", "10000", "PING-PERIOD", "1000", "ASK-PERIOD", "1000", "PUBLISH-PERIOD", "2000",
		"DEFAULT-DOWN-AFTER", "30000", "DEFAULT-FAILOVER-TIMEOUT", "180000", "TILT-TRIGGER", "2000", "TILT-PERIOD", "30000",
		"SLAVE-RECONF-TIMEOUT", "10000", "MIN-LINK-RECONNECT-PERIOD", "15000", "ELECTION-TIMEOUT", "10000",
		"SCRIPT-MAX-RUNTIME", "60000", "SCRIPT-RETRY-DELAY", "30000"}, debug)
	assert.Equal(t, []string{"INFO-PERIOD", "5000"}, flat(s.replies[iDebug2])[:2], "info-period applied before the bad option")

	cache := s.replies[iCache].Array
	require.Len(t, cache, 2, "one master, listed once")
	assert.Equal(t, "mymaster", cache[0].Str)
	require.Len(t, cache[1].Array, 3, "the master and its two replicas")
	for _, e := range cache[1].Array {
		require.Len(t, e.Array, 2)
		assert.Equal(t, wire.KindInt, e.Array[0].Kind)
		assert.True(t, strings.HasPrefix(e.Array[1].Str, "# Server"), e.Array[1].String())
	}

	help := s.replies[iHelp].Array
	require.Len(t, help, 49)
	assert.Equal(t, "+SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", help[0].String())
	assert.Equal(t, "+    Prints this help.", help[48].String())

	// The second confirmations of SUBSCRIBE a b and UNSUBSCRIBE came as
	// pushes, after their replies.
	var pushes []string
	for _, v := range s.pushes[connKey{c.ids["s1"], 2}] {
		pushes = append(pushes, v.String())
	}
	assert.Equal(t, []string{`["subscribe" "b" :2]`, `["unsubscribe" "b" :1]`}, pushes)
}
