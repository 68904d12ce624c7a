package sentinel

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Timing holds the global timing parameters of spec §2.1 (SENTINEL DEBUG
// can change them in Redis; here they are set at construction).
type Timing struct {
	InfoPeriod             wire.Duration
	PingPeriod             wire.Duration
	AskPeriod              wire.Duration
	PublishPeriod          wire.Duration
	TiltTrigger            wire.Duration
	TiltPeriod             wire.Duration
	SlaveReconfTimeout     wire.Duration
	MinLinkReconnectPeriod wire.Duration
	ElectionTimeout        wire.Duration
}

// DefaultTiming is Redis 7.0.15's (spec §2.1).
var DefaultTiming = Timing{
	InfoPeriod: 10000, PingPeriod: 1000, AskPeriod: 1000, PublishPeriod: 2000,
	TiltTrigger: 2000, TiltPeriod: 30000, SlaveReconfTimeout: 10000,
	MinLinkReconnectPeriod: 15000, ElectionTimeout: 10000,
}

// MasterConfig is one monitored master (sentinel monitor and the
// per-master directives, spec §24.2).
type MasterConfig struct {
	Name                        string
	Addr                        wire.Addr
	Quorum                      int
	DownAfter                   wire.Duration // default 30000
	FailoverTimeout             wire.Duration // default 180000
	ParallelSyncs               int           // default 1
	AuthPass, AuthUser          string
	MasterRebootDownAfterPeriod wire.Duration
	RenameCommands              map[string]string
}

// Options configure a sentinel.
type Options struct {
	// Addr is where this sentinel listens and what it announces in hellos
	// (announce-ip / announce-port when set, spec §25.3).
	Addr wire.Addr
	// MyID is the sentinel's run id; empty: drawn at first boot and
	// persisted.
	MyID string
	// Masters are the monitored masters, in configuration order.
	Masters []MasterConfig
	// Directory resolves instance addresses to simulated nodes.
	Directory wire.Directory `json:"-"`
	// SentinelUser and SentinelPass authenticate towards other sentinels.
	SentinelUser, SentinelPass string
	// Timing overrides DefaultTiming when non-zero.
	Timing Timing
}

// Sentinel is the re-implemented Redis Sentinel 7.0.15. It is a process of
// the simulator: Boot, Fire (its timer) and Receive are driven through a
// wire.Env, the only way it reads time and randomness and acts on the
// world. Sends are buffered by the Env until the call returns, after the
// state given to Persist is saved: the "persist before send" contract that
// sentinel.c gets from flushing sentinel.conf before replying to a vote.
type Sentinel struct {
	opts   Options
	timing Timing
	dir    wire.Directory

	env wire.Env // valid only during a call
	now wire.Time

	myID         string
	currentEpoch uint64
	masters      []*instance
	tilt         bool
	tiltStart    wire.Time
	prevTime     wire.Time

	nextConn wire.ConnID
	conns    map[wire.ConnID]*conn
	clients  map[clientKey]*client

	dirty  bool    // the persisted state changed during this call
	events []Event // every event emitted, for tests (bounded)
}

// New returns a sentinel with the given configuration.
func New(opts Options) (*Sentinel, error) {
	if opts.Directory == nil {
		return nil, errors.New("sentinel: no directory to resolve addresses")
	}
	if opts.MyID != "" && len(opts.MyID) != 40 {
		return nil, fmt.Errorf("sentinel: myid %q must be 40 hex characters", opts.MyID)
	}
	for _, m := range opts.Masters {
		if m.Quorum <= 0 {
			return nil, fmt.Errorf("sentinel: master %s: quorum must be 1 or greater", m.Name)
		}
	}
	t := opts.Timing
	if t == (Timing{}) {
		t = DefaultTiming
	}
	return &Sentinel{opts: opts, timing: t, dir: opts.Directory}, nil
}

// state is what the sentinel persists: what sentinel.conf holds besides the
// static configuration (spec §24.3).
type state struct {
	MyID         string        `json:"myid"`
	CurrentEpoch uint64        `json:"current_epoch"`
	Masters      []masterState `json:"masters"`
}

type masterState struct {
	Name           string      `json:"name"`
	Addr           wire.Addr   `json:"addr"`
	ConfigEpoch    uint64      `json:"config_epoch"`
	LeaderEpoch    uint64      `json:"leader_epoch"`
	Leader         string      `json:"leader,omitempty"`
	KnownReplicas  []wire.Addr `json:"known_replicas,omitempty"`
	KnownSentinels []known     `json:"known_sentinels,omitempty"`
}

type known struct {
	Addr  wire.Addr `json:"addr"`
	RunID string    `json:"runid"`
}

const helloChannel = "__sentinel__:hello"

// tagTick is the sentinel timer.
const tagTick uint64 = 1

// Boot starts the sentinel from its configuration and what it persisted.
func (s *Sentinel) Boot(env wire.Env, persisted []byte) {
	s.begin(env)
	defer s.end()
	var st state
	if len(persisted) > 0 {
		if err := json.Unmarshal(persisted, &st); err != nil {
			panic("sentinel: cannot read its own persisted state: " + err.Error())
		}
	}
	s.conns = map[wire.ConnID]*conn{}
	s.clients = map[clientKey]*client{}
	s.myID = st.MyID
	if s.myID == "" {
		s.myID = s.opts.MyID
	}
	if s.myID == "" {
		var b [20]byte
		for i := range b {
			b[i] = byte(env.Rand().Uint32())
		}
		s.myID = hex.EncodeToString(b[:])
		s.dirty = true // generated ids are persisted at once (spec §4.1)
	}
	s.currentEpoch = st.CurrentEpoch
	s.prevTime = s.now
	s.masters = nil
	for _, mc := range s.opts.Masters {
		m := s.newMaster(mc)
		for _, ms := range st.Masters {
			if ms.Name != mc.Name {
				continue
			}
			m.addr, m.configEpoch, m.leaderEpoch, m.leader = ms.Addr, ms.ConfigEpoch, ms.LeaderEpoch, ms.Leader
			s.currentEpoch = max(s.currentEpoch, ms.ConfigEpoch)
			for _, a := range ms.KnownReplicas {
				s.addReplica(m, a)
			}
			for _, k := range ms.KnownSentinels {
				s.addSentinel(m, k.Addr, k.RunID)
			}
		}
		s.masters = append(s.masters, m)
		s.emit(Warning, "+monitor", m, fmt.Sprintf("quorum %d", m.quorum))
	}
	s.emit(Notice, "+sentinel-id", nil, s.myID) // "Sentinel ID is ..." in the real log
	env.After(s.tickPeriod(), tagTick)
}

func (s *Sentinel) newMaster(mc MasterConfig) *instance {
	m := &instance{
		kind: kindMaster, name: mc.Name, addr: mc.Addr, link: newLink(s.now),
		quorum: mc.Quorum, downAfter: mc.DownAfter, failoverTimeout: mc.FailoverTimeout,
		parallelSyncs: mc.ParallelSyncs, authPass: mc.AuthPass, authUser: mc.AuthUser,
		rebootDownAfter: mc.MasterRebootDownAfterPeriod, renamed: map[string]string{},
		lastPubTime: s.now, roleReported: roleMaster, roleReportedTime: s.now,
	}
	if m.downAfter == 0 {
		m.downAfter = 30000
	}
	if m.failoverTimeout == 0 {
		m.failoverTimeout = 180000
	}
	if m.parallelSyncs == 0 {
		m.parallelSyncs = 1
	}
	for k, v := range mc.RenameCommands {
		m.renamed[upper(k)] = v
	}
	return m
}

// addReplica creates a replica record (spec §7.2, "+slave").
func (s *Sentinel) addReplica(m *instance, a wire.Addr) *instance {
	r := &instance{
		kind: kindReplica, name: a.String(), addr: a, master: m, link: newLink(s.now),
		downAfter: m.downAfter, lastPubTime: s.now, roleReported: roleSlave, roleReportedTime: s.now,
		slaveConfChangeTime: s.now, slavePriority: 100, replicaAnnounced: true,
	}
	m.replicas = append(m.replicas, r)
	return r
}

// addSentinel creates a sentinel record, sharing the link of a record of
// the same run id under another master (spec §5.5).
func (s *Sentinel) addSentinel(m *instance, a wire.Addr, runID string) *instance {
	r := &instance{
		kind: kindSentinel, name: runID, runID: runID, addr: a, master: m, link: newLink(s.now),
		downAfter: m.downAfter, lastPubTime: s.now, lastHelloTime: s.now, lastMasterDownReplyTime: s.now,
	}
	for _, om := range s.masters {
		for _, os := range om.sentinels {
			if os.runID == runID && os.link != r.link {
				r.link = os.link
				r.link.refs++
				m.sentinels = append(m.sentinels, r)
				return r
			}
		}
	}
	m.sentinels = append(m.sentinels, r)
	return r
}

// begin and end bracket every call: they hold the Env and flush the
// persisted state when it changed, before the call's sends go out.
func (s *Sentinel) begin(env wire.Env) {
	s.env = env
	s.now = env.Now()
}

func (s *Sentinel) end() {
	if s.dirty {
		s.persist()
		s.dirty = false
	}
	s.env = nil
	if len(s.events) > 10_000 {
		s.events = append(s.events[:0], s.events[len(s.events)-1000:]...)
	}
}

// persist saves the state sentinel.conf would hold (spec §24.3).
func (s *Sentinel) persist() {
	st := state{MyID: s.myID, CurrentEpoch: s.currentEpoch}
	for _, m := range s.masters {
		ms := masterState{Name: m.name, Addr: m.addr, ConfigEpoch: m.configEpoch, LeaderEpoch: m.leaderEpoch, Leader: m.leader}
		for _, r := range m.replicas {
			ms.KnownReplicas = append(ms.KnownReplicas, r.addr)
		}
		for _, r := range m.sentinels {
			ms.KnownSentinels = append(ms.KnownSentinels, known{Addr: r.addr, RunID: r.runID})
		}
		st.Masters = append(st.Masters, ms)
	}
	b, err := json.Marshal(st)
	if err != nil {
		panic("sentinel: cannot encode state: " + err.Error())
	}
	s.env.Persist(b)
}

// tickPeriod is the gap to the next timer run: 1000/hz with hz uniform in
// 10..19 (spec §3.1).
func (s *Sentinel) tickPeriod() wire.Duration {
	return wire.Duration(1000 / (10 + s.env.Rand().IntN(10)))
}

// Fire runs the sentinel timer (spec §3.2).
func (s *Sentinel) Fire(env wire.Env, tag uint64) {
	if tag != tagTick {
		return
	}
	s.begin(env)
	defer s.end()
	s.tick()
	env.After(s.tickPeriod(), tagTick)
}

// Receive handles replies from instances and commands from clients and
// other sentinels.
func (s *Sentinel) Receive(env wire.Env, m wire.Message) {
	s.begin(env)
	defer s.end()
	switch p := m.Payload.(type) {
	case *wire.Reply:
		s.onReply(m.From, p)
	case *wire.Push:
		if c := s.conns[p.Conn]; c != nil && c.node == m.From && c.pubsub {
			c.owner.pcLastActivity = s.now
			s.onPubSub(p.Value)
		}
	case *wire.Closed:
		if c := s.conns[p.Conn]; c != nil && c.node == m.From {
			s.closeConn(c, false)
		}
	case *wire.Reset:
		s.onReset(m.From, p)
	case *wire.Command:
		s.serve(m.From, p)
	case *wire.Hangup:
		delete(s.clients, clientKey{m.From, p.Conn})
	}
}

// onReset handles a connection reset: one of our connections was refused,
// or a client of ours went away.
func (s *Sentinel) onReset(from wire.NodeID, r *wire.Reset) {
	switch p := r.Payload.(type) {
	case *wire.Command:
		if c := s.conns[p.Conn]; c != nil && c.node == from {
			s.closeConn(c, false)
		}
	case *wire.Reply:
		delete(s.clients, clientKey{from, p.Conn})
	case *wire.Push:
		delete(s.clients, clientKey{from, p.Conn})
	}
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}
