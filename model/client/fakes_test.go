package client_test

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/history"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/model/client"
	"github.com/sentinelsim/sentinelsim/sim"
)

// connKey names a connection on a fake server.
type connKey struct {
	from wire.NodeID
	conn wire.ConnID
}

// served is one command a fake server answered, with the simulated time.
type served struct {
	at   wire.Time
	from string
	args []string
}

// redisState is the test-controlled state of a fake Redis node. It lives
// outside the process, like a dataset on disk, so it survives restarts; the
// connections do not.
type redisState struct {
	addr     wire.Addr
	master   bool
	password string // requirepass: "" for none
	data     map[string]string
	log      []served
}

// count returns how many commands named cmd the node served in [from, to).
func (s *redisState) count(cmd string, from, to wire.Time) int {
	n := 0
	for _, e := range s.log {
		if strings.EqualFold(e.args[0], cmd) && e.at >= from && e.at < to {
			n++
		}
	}
	return n
}

// fakeRedis answers PING, INFO replication, ROLE, GET, SET, INCR and APPEND
// from a map, with a role the test switches; a replica answers writes with
// READONLY.
type fakeRedis struct {
	st     *redisState
	conns  map[connKey]bool
	authed map[connKey]bool
}

func (r *fakeRedis) Boot(wire.Env, []byte) {
	r.conns = map[connKey]bool{}
	r.authed = map[connKey]bool{}
}

func (r *fakeRedis) Fire(wire.Env, uint64) {}

func (r *fakeRedis) Receive(env wire.Env, m wire.Message) {
	switch p := m.Payload.(type) {
	case *wire.Command:
		k := connKey{m.From, p.Conn}
		if p.Open {
			r.conns[k] = true
		} else if !r.conns[k] {
			env.Send(m.From, &wire.Closed{Conn: p.Conn, Reason: "reset"})
			return
		}
		r.st.log = append(r.st.log, served{at: env.Now(), from: env.Name(m.From), args: p.Args})
		v := r.exec(p.Args)
		switch {
		case strings.EqualFold(p.Args[0], "AUTH"):
			v = wire.Error("WRONGPASS invalid username-password pair or user is disabled.")
			if r.st.password != "" && len(p.Args) == 2 && p.Args[1] == r.st.password {
				r.authed[k] = true
				v = wire.OK()
			}
		case r.st.password != "" && !r.authed[k]:
			v = wire.Error("NOAUTH Authentication required.")
		}
		env.Send(m.From, &wire.Reply{Conn: p.Conn, Seq: p.Seq, Value: v})
	case *wire.Hangup:
		delete(r.conns, connKey{m.From, p.Conn})
		delete(r.authed, connKey{m.From, p.Conn})
	}
}

var errReadonly = wire.Error("READONLY You can't write against a read only replica.")

func (r *fakeRedis) exec(args []string) wire.Value {
	st := r.st
	switch strings.ToUpper(args[0]) {
	case "PING":
		return wire.Status("PONG")
	case "INFO":
		role := "slave"
		if st.master {
			role = "master"
		}
		return wire.Bulk("# Replication\r\nrole:" + role + "\r\nconnected_slaves:0\r\n")
	case "ROLE":
		if st.master {
			return wire.Array(wire.Bulk("master"), wire.Int(0), wire.Array())
		}
		return wire.Array(wire.Bulk("slave"), wire.Bulk("elsewhere"), wire.Int(6379), wire.Bulk("connected"), wire.Int(0))
	case "GET":
		if v, ok := st.data[args[1]]; ok {
			return wire.Bulk(v)
		}
		return wire.Nil()
	case "SET":
		if !st.master {
			return errReadonly
		}
		st.data[args[1]] = args[2]
		return wire.OK()
	case "APPEND":
		if !st.master {
			return errReadonly
		}
		st.data[args[1]] += args[2]
		return wire.Int(int64(len(st.data[args[1]])))
	case "INCR":
		if !st.master {
			return errReadonly
		}
		n, err := strconv.ParseInt(st.data[args[1]], 10, 64)
		if err != nil && st.data[args[1]] != "" {
			return wire.Error("ERR value is not an integer or out of range")
		}
		st.data[args[1]] = strconv.FormatInt(n+1, 10)
		return wire.Int(n + 1)
	}
	return wire.Error("ERR unknown command '" + args[0] + "'")
}

// sentinelState is the test-controlled answer of a fake sentinel.
type sentinelState struct {
	addr   wire.Addr
	master wire.Addr // zero: answer nil
	asked  int
}

// fakeSentinel answers SENTINEL get-master-addr-by-name from its state.
type fakeSentinel struct {
	st    *sentinelState
	conns map[connKey]bool
}

func (s *fakeSentinel) Boot(wire.Env, []byte) { s.conns = map[connKey]bool{} }

func (s *fakeSentinel) Fire(wire.Env, uint64) {}

func (s *fakeSentinel) Receive(env wire.Env, m wire.Message) {
	switch p := m.Payload.(type) {
	case *wire.Command:
		k := connKey{m.From, p.Conn}
		if p.Open {
			s.conns[k] = true
		} else if !s.conns[k] {
			env.Send(m.From, &wire.Closed{Conn: p.Conn, Reason: "reset"})
			return
		}
		v := wire.Error("ERR unknown command")
		if len(p.Args) == 3 && strings.EqualFold(p.Args[0], "SENTINEL") && strings.EqualFold(p.Args[1], "get-master-addr-by-name") {
			s.st.asked++
			v = wire.Nil()
			if p.Args[2] == "mymaster" && !s.st.master.IsZero() {
				v = wire.BulkArray(s.st.master.Host, strconv.Itoa(s.st.master.Port))
			}
		}
		env.Send(m.From, &wire.Reply{Conn: p.Conn, Seq: p.Seq, Value: v})
	case *wire.Hangup:
		delete(s.conns, connKey{m.From, p.Conn})
	}
}

// harness is a tiny deterministic world: fake Redis nodes, fake sentinels,
// clients and proxies, a directory and a history log.
type harness struct {
	t         *testing.T
	w         *sim.World
	dir       *wire.StaticDirectory
	log       *history.Log
	trace     *bytes.Buffer
	redis     map[string]*redisState
	sentinels map[string]*sentinelState
	ids       map[string]wire.NodeID
}

func newHarness(t *testing.T, seed uint64) *harness {
	t.Helper()
	var buf bytes.Buffer
	w, err := sim.New(sim.Config{Seed: seed, Network: sim.LAN, Trace: &buf})
	require.NoError(t, err)
	return &harness{
		t: t, w: w, dir: wire.NewStaticDirectory(), log: history.NewLog(w.Now, 100_000), trace: &buf,
		redis: map[string]*redisState{}, sentinels: map[string]*sentinelState{}, ids: map[string]wire.NodeID{},
	}
}

func (h *harness) add(name string, addr wire.Addr, down bool, start func() sim.Process) wire.NodeID {
	h.t.Helper()
	id, err := h.w.AddNode(sim.NodeSpec{Name: name, Start: start, Down: down})
	require.NoError(h.t, err)
	if !addr.IsZero() {
		h.dir.Add(id, addr)
	}
	h.ids[name] = id
	return id
}

// addRedis adds a fake Redis node listening on name:6379.
func (h *harness) addRedis(name string, master bool) *redisState {
	st := &redisState{addr: wire.Addr{Host: name, Port: 6379}, master: master, data: map[string]string{}}
	h.redis[name] = st
	h.add(name, st.addr, false, func() sim.Process { return &fakeRedis{st: st} })
	return st
}

// addSentinel adds a fake sentinel on name:26379 that names master's
// address; down leaves it crashed from the start.
func (h *harness) addSentinel(name, master string, down bool) *sentinelState {
	st := &sentinelState{addr: wire.Addr{Host: name, Port: 26379}, master: wire.Addr{Host: master, Port: 6379}}
	h.sentinels[name] = st
	h.add(name, st.addr, down, func() sim.Process { return &fakeSentinel{st: st} })
	return st
}

// addSentinelClient adds a sentinel client asking the named sentinels.
func (h *harness) addSentinelClient(name string, cfg client.SentinelConfig, sentinels ...string) {
	h.t.Helper()
	for _, s := range sentinels {
		cfg.Sentinels = append(cfg.Sentinels, h.sentinels[s].addr)
	}
	cfg.Recorder, cfg.Directory = h.log, h.dir
	_, err := client.NewSentinelClient(cfg)
	require.NoError(h.t, err)
	h.add(name, wire.Addr{}, false, func() sim.Process {
		c, _ := client.NewSentinelClient(cfg)
		return c
	})
}

// addStatic adds a static client bound to addr.
func (h *harness) addStatic(name string, cfg client.StaticConfig) {
	h.t.Helper()
	cfg.Recorder, cfg.Directory = h.log, h.dir
	_, err := client.NewStaticClient(cfg)
	require.NoError(h.t, err)
	h.add(name, wire.Addr{}, false, func() sim.Process {
		c, _ := client.NewStaticClient(cfg)
		return c
	})
}

// addProxy adds an HAProxy on name:6380 in front of the named nodes.
func (h *harness) addProxy(name string, cfg client.HAProxyConfig, backends ...string) wire.Addr {
	h.t.Helper()
	for _, b := range backends {
		cfg.Backends = append(cfg.Backends, h.redis[b].addr)
	}
	cfg.Directory = h.dir
	_, err := client.NewHAProxy(cfg)
	require.NoError(h.t, err)
	addr := wire.Addr{Host: name, Port: 6380}
	h.add(name, addr, false, func() sim.Process {
		p, _ := client.NewHAProxy(cfg)
		return p
	})
	return addr
}

// failover makes to the master and from a replica at time at, and points
// every sentinel at to.
func (h *harness) failover(at wire.Time, from, to string) {
	h.w.At(at, func(*sim.World) {
		h.redis[from].master = false
		h.redis[to].master = true
		for _, s := range h.sentinels {
			s.master = h.redis[to].addr
		}
	})
}

func (h *harness) run(d wire.Duration) {
	h.t.Helper()
	out := h.w.RunFor(d)
	require.True(h.t, out.OK(), "run stopped: %v %s", out.Stop, out.Detail)
	require.NoError(h.t, h.w.Trace().Flush())
}

// event is one process event of the trace.
type event struct {
	at   wire.Time
	node string
	text string
}

// events returns the events emitted so far whose text contains sub.
func (h *harness) events(sub string) []event {
	var out []event
	sc := bufio.NewScanner(bytes.NewReader(h.trace.Bytes()))
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), " ", 4)
		if len(f) == 4 && f[1] == "event" && strings.Contains(f[3], sub) {
			at, _ := strconv.ParseInt(f[0], 10, 64)
			out = append(out, event{at: wire.Time(at), node: f[2], text: f[3]})
		}
	}
	return out
}

// ops returns the history ops of one client.
func (h *harness) ops(name string) []history.Op {
	var out []history.Op
	for _, op := range h.log.Ops() {
		if op.Client == name {
			out = append(out, op)
		}
	}
	return out
}

// proxy returns the running HAProxy process of a node.
func (h *harness) proxy(name string) *client.HAProxy {
	return h.w.Process(h.ids[name]).(*client.HAProxy)
}

func (h *harness) sentinelClient(name string) *client.SentinelClient {
	return h.w.Process(h.ids[name]).(*client.SentinelClient)
}

// checkHistory asserts what every history must satisfy: true times with
// Call <= Return, one op in flight per client, and unique written values.
func (h *harness) checkHistory() {
	h.t.Helper()
	require.NoError(h.t, h.log.Err())
	last := map[string]wire.Time{}
	values := map[string]bool{}
	for _, op := range h.log.Ops() {
		require.True(h.t, op.Call >= 0 && op.Call <= h.w.Now(), "op %s", &op)
		if op.Done() {
			require.LessOrEqual(h.t, op.Call, op.Return, "op %s", &op)
			require.LessOrEqual(h.t, op.Return, h.w.Now(), "op %s", &op)
		}
		require.GreaterOrEqual(h.t, op.Call, last[op.Client], "op %s overlaps the client's previous op", &op)
		last[op.Client] = max(op.Call, op.Return)
		if op.Args[0] == "SET" || op.Args[0] == "APPEND" {
			require.False(h.t, values[op.Args[2]], "value of %s written twice", &op)
			values[op.Args[2]] = true
		}
		if op.Outcome == history.OK || op.Outcome == history.Unknown {
			require.NotEmpty(h.t, op.Node, "op %s has no node", &op)
		}
	}
}
