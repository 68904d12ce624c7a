package client

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// InitState is the state of a backend before its first check, HAProxy's
// server "init-state".
type InitState uint8

const (
	// InitUp: up, but at the lowest good health, so the first failed check
	// marks it down (HAProxy's default: "up, but will fall down at first
	// failure").
	InitUp InitState = iota
	// InitFullyUp: up at full health: down only after Fall failed checks.
	InitFullyUp
	// InitDown: down, up after the first good check.
	InitDown
	// InitFullyDown: down, up after Rise good checks.
	InitFullyDown
)

// Balance is how the proxy picks a backend for a new client connection.
type Balance uint8

const (
	// BalanceFirst picks the first backend that is up, in configured order
	// (so with two masters up, every new connection goes to the first).
	BalanceFirst Balance = iota
	// BalanceRoundRobin rotates through the backends that are up, HAProxy's
	// default "balance roundrobin".
	BalanceRoundRobin
)

// HAProxyConfig configures an HAProxy. Zero fields take the defaults named
// in their comments (HAProxy's own where it has one).
type HAProxyConfig struct {
	// Name names the proxy in events. Default: the name of its node.
	Name string
	// Backends are the Redis nodes, in order. Required.
	Backends []wire.Addr
	// Directory resolves backend addresses to nodes. Required.
	Directory wire.Directory
	// Inter is the time between two checks of a backend at full health or
	// full failure ("inter", default 2s). FastInter is used while a backend
	// is changing state and DownInter while it is down at zero health
	// ("fastinter", "downinter"); both default to Inter.
	Inter, FastInter, DownInter wire.Duration
	// Rise is the number of good checks that bring a backend up (default
	// 2); Fall the number of failed checks that take it down (default 3).
	Rise, Fall int
	// CheckTimeout bounds one whole check (PING, then INFO replication).
	// Default: Inter, as HAProxy does without "timeout check".
	CheckTimeout wire.Duration
	// InitState is the backends' state before their first check.
	InitState InitState
	// Balance picks the backend of a new connection. Default BalanceFirst.
	Balance Balance
	// KeepSessions leaves client connections open when their backend is
	// marked down. By default they are closed ("on-marked-down
	// shutdown-sessions"); real HAProxy keeps them unless told otherwise,
	// and seed 002's configuration does not tell it.
	KeepSessions bool
	// MaxConn bounds the client connections; one more is closed at once.
	// Default DefaultMaxConn.
	MaxConn int
	// MaxPipeline bounds the commands a client connection may have
	// unanswered; one more closes the connection. Default 64.
	MaxPipeline int
	// TimeoutServer closes a connection whose oldest forwarded command has
	// waited that long for the backend ("timeout server"); TimeoutClient
	// closes one that has nothing outstanding and has been idle that long
	// ("timeout client"). 0 turns either off (the default; seed 002 sets
	// both to 6s).
	TimeoutServer, TimeoutClient wire.Duration
}

// Defaults of HAProxyConfig.
const (
	DefaultInter       = 2 * wire.Second
	DefaultRise        = 2
	DefaultFall        = 3
	DefaultMaxConn     = 2000
	DefaultMaxPipeline = 64
)

// HAProxy is a TCP proxy in front of Redis nodes, as in seed 002: clients
// connect to it as if it were Redis, and it relays each connection to one
// backend.
//
// Every backend is health-checked on its own schedule like HAProxy's
// tcp-check: open a connection, send PING and expect +PONG, send INFO
// replication and expect the text role:master, hang up. A check that gets
// anything else, or nothing within CheckTimeout, fails. The result moves
// HAProxy's health counter (0 to Rise+Fall-1; up at Rise or more): a
// failure at full health takes one point, and a failure at Rise or below
// drops it to 0 and marks the backend down; a success adds one point, and
// reaching Rise brings it back to full health and marks it up. So a backend
// at full health goes down after Fall consecutive failures, and a down one
// comes up after Rise consecutive successes. The next check of a backend
// starts one interval after its previous check ended.
//
// A new client connection goes to the first backend that is up
// (BalanceFirst; so in a split brain with two role:master nodes it keeps
// routing to the first) and stays there: replies, errors and pushes are
// relayed back, a backend's close is relayed as a close. When no backend
// is up, a new connection is closed at once. When a backend is marked down
// its client connections are closed (unless KeepSessions), so clients
// reconnect and land on the new first backend.
type HAProxy struct {
	cfg  HAProxyConfig
	name string
	id   identity
	tm   timers

	servers  []server
	rr       int // next backend for round robin
	sessions map[sessKey]*session
	byConn   map[wire.ConnID]*session // by backend connection
	sweep    uint64                   // tag of the timeout sweep
}

// server is the proxy's view of one backend.
type server struct {
	addr     wire.Addr
	health   int
	up       bool
	sessions int

	check     *conn  // the check in progress, nil between checks
	checkStep int    // 1: PING sent, 2: INFO sent
	deadline  uint64 // tag of the check's timeout
	next      uint64 // tag of the next check
}

// ServerState is what the proxy thinks of one backend.
type ServerState struct {
	Addr     wire.Addr
	Up       bool
	Health   int // 0 to Rise+Fall-1
	Sessions int // client connections routed to it
}

type sessKey struct {
	client wire.NodeID
	conn   wire.ConnID
}

// session is one client connection and its backend connection.
type session struct {
	key        sessKey
	server     int
	b          *conn
	acked      uint64    // backend Seq of the last reply relayed
	pending    []pending // client commands awaiting replies, oldest first
	lastClient wire.Time // monotonic time of the client's last command
}

type pending struct {
	seq uint64    // the client's Seq
	at  wire.Time // monotonic time forwarded
}

// NewHAProxy checks cfg and returns a proxy ready to boot.
func NewHAProxy(cfg HAProxyConfig) (*HAProxy, error) {
	if len(cfg.Backends) == 0 {
		return nil, errors.New("haproxy: no backends")
	}
	if cfg.Directory == nil {
		return nil, errors.New("haproxy: no Directory to resolve backends")
	}
	if cfg.Inter < 0 || cfg.FastInter < 0 || cfg.DownInter < 0 || cfg.CheckTimeout < 0 ||
		cfg.TimeoutServer < 0 || cfg.TimeoutClient < 0 {
		return nil, errors.New("haproxy: intervals and timeouts must not be negative")
	}
	if cfg.Rise < 0 || cfg.Fall < 0 || cfg.MaxConn < 0 || cfg.MaxPipeline < 0 {
		return nil, errors.New("haproxy: rise, fall, maxconn and max pipeline must not be negative")
	}
	if cfg.InitState > InitFullyDown || cfg.Balance > BalanceRoundRobin {
		return nil, errors.New("haproxy: unknown init state or balance")
	}
	def := func(v *wire.Duration, d wire.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	def(&cfg.Inter, DefaultInter)
	def(&cfg.FastInter, cfg.Inter)
	def(&cfg.DownInter, cfg.Inter)
	def(&cfg.CheckTimeout, cfg.Inter)
	defInt := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	defInt(&cfg.Rise, DefaultRise)
	defInt(&cfg.Fall, DefaultFall)
	defInt(&cfg.MaxConn, DefaultMaxConn)
	defInt(&cfg.MaxPipeline, DefaultMaxPipeline)
	cfg.Backends = slices.Clone(cfg.Backends)
	return &HAProxy{cfg: cfg}, nil
}

// Servers returns the proxy's view of its backends, in configured order.
func (h *HAProxy) Servers() []ServerState {
	out := make([]ServerState, len(h.servers))
	for i, s := range h.servers {
		out[i] = ServerState{Addr: s.addr, Up: s.up, Health: s.health, Sessions: s.sessions}
	}
	return out
}

// Sessions returns the number of open client connections.
func (h *HAProxy) Sessions() int { return len(h.sessions) }

func (h *HAProxy) full() int { return h.cfg.Rise + h.cfg.Fall - 1 }

// Boot sets the backends to their initial state and spreads their first
// checks over one interval.
func (h *HAProxy) Boot(env wire.Env, persisted []byte) {
	h.id.boot(env, persisted)
	h.name = h.cfg.Name
	if h.name == "" {
		h.name = env.Name(env.Self())
	}
	h.sessions = map[sessKey]*session{}
	h.byConn = map[wire.ConnID]*session{}
	h.servers = make([]server, len(h.cfg.Backends))
	n := wire.Duration(len(h.servers))
	for i := range h.servers {
		s := &h.servers[i]
		s.addr = h.cfg.Backends[i]
		switch h.cfg.InitState {
		case InitUp:
			s.up, s.health = true, h.cfg.Rise
		case InitFullyUp:
			s.up, s.health = true, h.full()
		case InitDown:
			s.health = h.cfg.Rise - 1
		case InitFullyDown:
			s.health = 0
		}
		s.next = h.tm.after(env, h.cfg.Inter*wire.Duration(i)/n)
	}
	h.armSweep(env)
}

func (h *HAProxy) emit(env wire.Env, what string) { env.Emit("haproxy " + h.name + " " + what) }

// Receive handles client commands and hangups, and backend replies, pushes
// and closes.
func (h *HAProxy) Receive(env wire.Env, m wire.Message) {
	m = unreset(m)
	switch p := m.Payload.(type) {
	case *wire.Command:
		h.fromClient(env, m.From, p)
	case *wire.Hangup:
		if s := h.sessions[sessKey{m.From, p.Conn}]; s != nil {
			h.close(env, s, "", false, true)
		}
	case *wire.Reply:
		if i := h.checkOf(m.From, p.Conn); i >= 0 {
			h.onCheckReply(env, i, &m)
			return
		}
		if s := h.byConn[p.Conn]; s != nil && s.b.node == m.From {
			h.relay(env, s, p)
		}
	case *wire.Push:
		if s := h.byConn[p.Conn]; s != nil && s.b.node == m.From {
			env.Send(s.key.client, &wire.Push{Conn: s.key.conn, Value: p.Value})
		}
	case *wire.Closed:
		if i := h.checkOf(m.From, p.Conn); i >= 0 {
			h.servers[i].check = nil // closed by the server: no hangup to send
			h.checkDone(env, i, false, "closed "+p.Reason)
			return
		}
		if s := h.byConn[p.Conn]; s != nil && s.b.node == m.From {
			h.close(env, s, p.Reason, true, false)
		}
	}
}

// Fire runs checks, check timeouts and the timeout sweep.
func (h *HAProxy) Fire(env wire.Env, tag uint64) {
	if tag == h.sweep {
		h.sweepTimeouts(env)
		return
	}
	for i := range h.servers {
		s := &h.servers[i]
		switch {
		case tag == s.next:
			s.next = 0
			h.startCheck(env, i)
			return
		case tag == s.deadline && s.check != nil:
			h.checkDone(env, i, false, "timeout")
			return
		}
	}
}

// fromClient opens a session for a new client connection or forwards a
// command on an existing one.
func (h *HAProxy) fromClient(env wire.Env, from wire.NodeID, p *wire.Command) {
	key := sessKey{from, p.Conn}
	s := h.sessions[key]
	if p.Open {
		if s != nil { // the client restarted and reused the id: the old session is dead
			h.close(env, s, "", false, true)
		}
		s = h.open(env, key)
		if s == nil {
			return
		}
	} else if s == nil {
		env.Send(from, &wire.Closed{Conn: p.Conn, Reason: "reset"})
		return
	}
	if len(s.pending) >= h.cfg.MaxPipeline {
		h.close(env, s, "too many pending commands", true, true)
		return
	}
	s.lastClient = env.Mono()
	s.b.seq++
	s.pending = append(s.pending, pending{seq: p.Seq, at: s.lastClient})
	env.Send(s.b.node, &wire.Command{Conn: s.b.id, Seq: s.b.seq, Open: s.b.seq == 1, Args: p.Args})
}

// open starts a session on the backend the balance picks, or refuses the
// connection.
func (h *HAProxy) open(env wire.Env, key sessKey) *session {
	refuse := func(why string) *session {
		env.Send(key.client, &wire.Closed{Conn: key.conn, Reason: why})
		return nil
	}
	if len(h.sessions) >= h.cfg.MaxConn {
		return refuse("maxconn")
	}
	i := h.pick()
	if i < 0 {
		return refuse("no server available")
	}
	srv := &h.servers[i]
	node, ok := h.cfg.Directory.Resolve(srv.addr)
	if !ok {
		return refuse("no route to " + srv.addr.String())
	}
	s := &session{key: key, server: i, b: h.id.open(node, srv.addr)}
	h.sessions[key] = s
	h.byConn[s.b.id] = s
	srv.sessions++
	return s
}

// pick returns the backend for a new connection, -1 if none is up.
func (h *HAProxy) pick() int {
	n := len(h.servers)
	for k := 0; k < n; k++ {
		i := k
		if h.cfg.Balance == BalanceRoundRobin {
			i = (h.rr + k) % n
		}
		if h.servers[i].up {
			h.rr = i + 1
			return i
		}
	}
	return -1
}

// relay passes a backend's reply back to the client.
func (h *HAProxy) relay(env wire.Env, s *session, p *wire.Reply) {
	if p.Seq != s.acked+1 || len(s.pending) == 0 {
		return
	}
	s.acked++
	seq := s.pending[0].seq
	s.pending = slices.Delete(s.pending, 0, 1)
	env.Send(s.key.client, &wire.Reply{Conn: s.key.conn, Seq: seq, Value: p.Value})
}

// close ends a session, telling the client (with reason) and the backend as
// asked.
func (h *HAProxy) close(env wire.Env, s *session, reason string, toClient, toServer bool) {
	if toClient {
		env.Send(s.key.client, &wire.Closed{Conn: s.key.conn, Reason: reason})
	}
	if toServer {
		s.b.hangup(env)
	}
	delete(h.sessions, s.key)
	delete(h.byConn, s.b.id)
	h.servers[s.server].sessions--
}

// sorted returns the sessions matching keep in a deterministic order.
func (h *HAProxy) sorted(keep func(*session) bool) []*session {
	var out []*session
	for _, s := range h.sessions {
		if keep(s) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b *session) int {
		return cmp.Or(cmp.Compare(a.key.client, b.key.client), cmp.Compare(a.key.conn, b.key.conn))
	})
	return out
}

// checkOf returns the backend whose check runs on connection id from node,
// or -1.
func (h *HAProxy) checkOf(node wire.NodeID, id wire.ConnID) int {
	for i := range h.servers {
		if h.servers[i].check.is(node, id) {
			return i
		}
	}
	return -1
}

// startCheck opens a check connection and sends PING.
func (h *HAProxy) startCheck(env wire.Env, i int) {
	s := &h.servers[i]
	node, ok := h.cfg.Directory.Resolve(s.addr)
	if !ok {
		h.checkDone(env, i, false, "no route")
		return
	}
	s.check = h.id.open(node, s.addr)
	s.checkStep = 1
	s.check.send(env, "PING")
	s.deadline = h.tm.after(env, h.cfg.CheckTimeout)
}

// onCheckReply runs the tcp-check expectations.
func (h *HAProxy) onCheckReply(env wire.Env, i int, m *wire.Message) {
	s := &h.servers[i]
	v, ok := s.check.reply(m)
	if !ok {
		return
	}
	switch s.checkStep {
	case 1:
		if v.Kind != wire.KindStatus || v.Str != "PONG" {
			h.checkDone(env, i, false, "expect +PONG")
			return
		}
		s.checkStep = 2
		s.check.send(env, "INFO", "replication")
	case 2:
		if (v.Kind != wire.KindBulk && v.Kind != wire.KindStatus) || !strings.Contains(v.Str, "role:master") {
			h.checkDone(env, i, false, "expect role:master")
			return
		}
		h.checkDone(env, i, true, "")
	}
}

// checkDone ends a check, applies HAProxy's health counter and schedules
// the next check.
func (h *HAProxy) checkDone(env wire.Env, i int, ok bool, why string) {
	s := &h.servers[i]
	if s.check != nil {
		s.check.hangup(env) // tcp-check ends with QUIT
		s.check = nil
	}
	s.checkStep = 0
	s.deadline = 0
	full := h.full()
	if ok {
		if s.health < full {
			s.health++
			if s.health >= h.cfg.Rise {
				s.health = full
			}
		}
		if !s.up && s.health >= h.cfg.Rise {
			s.up = true
			h.emit(env, "up "+s.addr.String())
		}
	} else {
		if s.health > h.cfg.Rise {
			s.health--
		} else {
			s.health = 0
			if s.up {
				s.up = false
				h.markedDown(env, i, why)
			}
		}
	}
	s.next = h.tm.after(env, h.inter(s))
}

// inter is HAProxy's srv_getinter: inter at full health, downinter when
// down at zero health, fastinter in between.
func (h *HAProxy) inter(s *server) wire.Duration {
	switch {
	case s.health == h.full():
		return h.cfg.Inter
	case !s.up && s.health == 0:
		return h.cfg.DownInter
	}
	return h.cfg.FastInter
}

// markedDown closes the sessions on a backend that went down.
func (h *HAProxy) markedDown(env wire.Env, i int, why string) {
	killed := 0
	if !h.cfg.KeepSessions {
		for _, s := range h.sorted(func(s *session) bool { return s.server == i }) {
			h.close(env, s, "server "+h.servers[i].addr.String()+" down", true, true)
			killed++
		}
	}
	h.emit(env, fmt.Sprintf("down %s (%s; %d sessions killed)", h.servers[i].addr, why, killed))
}

// armSweep schedules the next timeout sweep, if a timeout is set.
func (h *HAProxy) armSweep(env wire.Env) {
	t := min(nonZero(h.cfg.TimeoutServer), nonZero(h.cfg.TimeoutClient))
	if t == maxDuration {
		return
	}
	h.sweep = h.tm.after(env, min(max(t/10, wire.Millisecond), wire.Second))
}

const maxDuration = wire.Duration(1<<63 - 1)

func nonZero(d wire.Duration) wire.Duration {
	if d == 0 {
		return maxDuration
	}
	return d
}

// sweepTimeouts closes sessions past "timeout server" or "timeout client".
func (h *HAProxy) sweepTimeouts(env wire.Env) {
	now := env.Mono()
	ts, tc := h.cfg.TimeoutServer, h.cfg.TimeoutClient
	for _, s := range h.sorted(func(*session) bool { return true }) {
		switch {
		case ts > 0 && len(s.pending) > 0 && now.Sub(s.pending[0].at) >= ts:
			h.close(env, s, "timeout server", true, true)
		case tc > 0 && len(s.pending) == 0 && now.Sub(s.lastClient) >= tc:
			h.close(env, s, "timeout client", true, true)
		}
	}
	h.armSweep(env)
}
