package sentinel

import (
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"

	"github.com/sentinelsim/sentinelsim/internal/acl"
	"github.com/sentinelsim/sentinelsim/internal/facts"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sentinel/conf"
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

// MasterConfig is one monitored master: the sentinel monitor line and its
// per-master directives (spec §24.2). Zero durations and counts take
// Redis's defaults.
type MasterConfig = conf.Master

// Options configure a sentinel.
type Options struct {
	// Addr is where this sentinel listens; it announces it in hellos unless
	// the configuration sets announce-ip / announce-port (spec §25.3).
	Addr wire.Addr
	// Conf is the sentinel.conf the process starts from (package
	// sentinel/conf parses real files). After the first save the sentinel
	// restarts from what it persisted: the rewritten file.
	Conf *conf.Config
	// Masters is a shorthand for a configuration with just these monitored
	// masters; it is used when Conf is nil.
	Masters []MasterConfig
	// MyID, with Masters, sets the sentinel's run id; empty: drawn at first
	// boot and persisted.
	MyID string
	// Directory resolves instance addresses to simulated nodes.
	Directory wire.Directory `json:"-"`
	// Timing overrides DefaultTiming when non-zero.
	Timing Timing
	// Profile names the behaviour profile ("": 7.0; see Profile).
	Profile string
}

// Sentinel is the re-implemented Redis Sentinel 7.0.15. It is a process of
// the simulator: Boot, Fire (its timer) and Receive are driven through a
// wire.Env, the only way it reads time and randomness and acts on the
// world. Sends are buffered by the Env until the call returns, after the
// state given to Persist is saved: the "persist before send" contract that
// sentinel.c gets from flushing sentinel.conf before replying to a vote.
type Sentinel struct {
	opts    Options
	profile Profile
	conf    *conf.Config // the configuration the current process started from
	timing  Timing
	dir     wire.Directory

	env wire.Env // valid only during a call
	now wire.Time
	// oneValue holds clientCommand's usual one-value answer until serve
	// has sent it.
	oneValue [1]wire.Value
	// The payloads sent most often, allocated a slab at a time.
	boxes   wire.Slab[commandBox]
	replies wire.Slab[wire.Reply]
	hellos  map[string]*parsedHello // hello payloads read before (readHello)
	// helloSeen finds a hello read before by its string's address
	// (readHello); allocated with the sentinel's first hello.
	helloSeen *[helloSeenSize]seenHello

	myID         string
	currentEpoch uint64
	masters      []*instance
	byName       map[string]*instance // masters by name (setMasters keeps it)
	mastersGen   uint64               // counts setMasters' calls: a master found by name stays valid while it is the same
	addrGen      uint64               // MasterAddrGen
	// peersGen counts the changes of the masters' sentinel records (added,
	// dropped, moved; a sentinel record's run id is set when it is made and
	// never changes, INFO going only to masters and replicas, spec §6): a
	// hello's record found by run id and address stays valid while it is
	// the same.
	peersGen  uint64
	tilt      bool
	tiltStart wire.Time
	prevTime  wire.Time
	// quiet has a slot per master (by index); wakeGen invalidates them all
	// at once (quiet.go).
	quiet   []quietSlot
	wakeGen uint64
	// Group visits made and skipped by the tick (TickVisits).
	visits, skips uint64
	// ownersStale says the links' owners must be found again: records
	// came or went (quiet.go).
	ownersStale bool

	nextConn wire.ConnID
	conns    map[wire.ConnID]*conn
	// recentConns finds most connections without hashing (conn).
	recentConns *[connSlots]*conn
	clients     map[clientKey]*client
	users       *acl.Users   // ACL users of the sentinel's own server (acl.go)
	cmd         commandState // SENTINEL command state and event subscribers (commands_sentinel.go)

	dead  bool // the process stopped (a fatal config error, SIMULATE-FAILURE)
	dirty bool // the persisted state changed during this call
	// holdPersist keeps a dirty state unsaved until the next timer tick
	// (only mutant-reply-before-persist sets it).
	holdPersist bool
	// persisted is the masters' part of the latest persisted file, and
	// persistedFrom the configuration it was built on: a master that gives
	// the same entry again shares it (persist).
	persisted     []conf.Master
	persistedFrom *conf.Config
	events        []Event // every event emitted, for tests (bounded)
}

// New returns a sentinel with the given configuration.
func New(opts Options) (*Sentinel, error) {
	if opts.Directory == nil {
		return nil, errors.New("sentinel: no directory to resolve addresses")
	}
	if opts.Conf == nil {
		c := conf.New()
		c.MyID = opts.MyID
		c.Masters = append(c.Masters, opts.Masters...)
		opts.Conf = c
	}
	if id := opts.Conf.MyID; id != "" && len(id) != 40 {
		return nil, fmt.Errorf("sentinel: myid %q must be 40 characters", id)
	}
	for _, m := range opts.Conf.Masters {
		if m.Quorum <= 0 {
			return nil, fmt.Errorf("sentinel: master %s: quorum must be 1 or greater", m.Name)
		}
	}
	profile, err := LookupProfile(opts.Profile)
	if err != nil {
		return nil, err
	}
	t := opts.Timing
	if t == (Timing{}) {
		t = DefaultTiming
	}
	return &Sentinel{opts: opts, profile: profile, timing: t, dir: opts.Directory}, nil
}

const helloChannel = "__sentinel__:hello"

// tagTick is the sentinel timer.
const tagTick uint64 = 1

// Boot starts the sentinel from its configuration file: the one it was
// given, or the one it last saved (spec §23, §24). A saved file that does
// not parse stops the process, as Redis exits on a fatal config error.
func (s *Sentinel) Boot(env wire.Env, persisted []byte) {
	s.begin(env)
	defer s.end()
	s.holdPersist = false
	s.conf = s.opts.Conf
	if len(persisted) > 0 {
		c, err := conf.Parse("sentinel.conf", persisted)
		if err != nil {
			s.log(Warning, "*** FATAL CONFIG FILE ERROR *** "+err.Error())
			s.dead = true
			return
		}
		s.conf = c
	}
	s.conns = map[wire.ConnID]*conn{}
	s.clients = map[clientKey]*client{}
	s.users = newUsers(s.conf)
	s.myID = s.conf.MyID
	s.hellos, s.helloSeen = nil, nil // the own-hello test is by run id
	if s.myID == "" {
		var b [20]byte
		for i := range b {
			b[i] = byte(env.Rand().Uint32())
		}
		s.myID = hex.EncodeToString(b[:])
		s.dirty = true // generated ids are persisted at once (spec §4.1)
	}
	s.log(Warning, "Sentinel ID is "+s.myID) // spec §23: logged before the +monitor events
	s.record(facts.Start{RunID: s.myID, CurrentEpoch: s.currentEpoch})
	s.currentEpoch = s.conf.CurrentEpoch
	s.prevTime = s.now
	s.setMasters(nil)
	for _, mc := range s.conf.Masters {
		m := s.newMaster(mc)
		s.currentEpoch = max(s.currentEpoch, mc.ConfigEpoch) // spec §4.1
		for _, a := range mc.KnownReplicas {
			s.addReplica(m, a)
		}
		s.setMasters(append(s.masters, m))
		for _, k := range mc.KnownSentinels {
			s.addSentinel(m, k.Addr, k.RunID)
		}
		s.emit(Warning, "+monitor", m, fmt.Sprintf("quorum %d", m.quorum))
	}
	env.After(s.tickPeriod(), tagTick)
}

func (s *Sentinel) newMaster(mc MasterConfig) *instance {
	m := &instance{
		kind: kindMaster, name: mc.Name, addr: mc.Addr, link: newLink(s.now),
		configEpoch: mc.ConfigEpoch, leaderEpoch: mc.LeaderEpoch,
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
		kind: kindReplica, name: s.announced(a).String(), addr: a, master: m, link: newLink(s.now),
		downAfter: m.downAfter, lastPubTime: s.now, roleReported: roleSlave, roleReportedTime: s.now,
		slaveConfChangeTime: s.now, slavePriority: 100, replicaAnnounced: true,
	}
	m.replicas = append(m.replicas, r)
	s.wake(m)
	return r
}

// addSentinel creates a sentinel record, sharing the link of a record of
// the same run id under another master (spec §5.5).
func (s *Sentinel) addSentinel(m *instance, a wire.Addr, runID string) *instance {
	s.wakeAll() // (a link shared with other groups gains a reference)
	s.peersGen++
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
	if s.dirty && !s.holdPersist {
		s.persist()
		s.dirty = false
	}
	s.env = nil
	if len(s.events) > 10_000 {
		s.events = append(s.events[:0], s.events[len(s.events)-1000:]...)
	}
}

// persist saves sentinel.conf as a CONFIG REWRITE would write it, with the
// state it holds: myid, epochs, each master's address and config and
// leader epochs, known replicas and sentinels (spec §24.3).
func (s *Sentinel) persist() {
	c := *s.conf
	c.MyID, c.CurrentEpoch = s.myID, s.currentEpoch
	// A sentinel with 100 masters persists at each of its 200 discoveries,
	// each changing one master's entry: the others are the entries of the
	// previous file (s.conf is never changed in place, only replaced, and
	// the persisted entries are never changed).
	prev := s.persisted
	if s.persistedFrom != s.conf {
		prev = nil
	}
	c.Masters = s.persistedMasters(prev)
	if Quiet == QuietCheck && prev != nil {
		if fresh := s.persistedMasters(nil); !reflect.DeepEqual(fresh, c.Masters) {
			panic(fmt.Sprintf("sentinel %s: a kept persisted entry is stale:\nkept  %+v\nfresh %+v", s.myID, c.Masters, fresh))
		}
	}
	s.persisted, s.persistedFrom = c.Masters, s.conf
	// The file is made only when it is read (a restart, the trace): a
	// sentinel with 100 masters rewrites it at each of its 200 discoveries.
	if lp, ok := s.env.(wire.LazyPersister); ok {
		lp.PersistFunc(c.RewriteFunc())
		return
	}
	s.env.Persist(c.Rewrite())
}

// persistedMasters is the masters' part of the file persist writes (spec
// §24.3); an entry of prev (the previous file's, built on s.conf) that is
// still right is shared.
func (s *Sentinel) persistedMasters(prev []conf.Master) []conf.Master {
	masters := make([]conf.Master, 0, len(s.masters))
	for i, m := range s.masters {
		fromConf := i < len(s.conf.Masters) && s.conf.Masters[i].Name == m.name
		if fromConf && i < len(prev) && prev[i].Name == m.name && s.persistsAs(m, &prev[i]) {
			masters = append(masters, prev[i])
			continue
		}
		mc := conf.NewMaster(m.name, m.addr, m.quorum)
		// The configuration lists the masters in the same order, mostly:
		// looking each up by name was quadratic in the masters.
		if fromConf {
			mc = s.conf.Masters[i]
		} else if orig := s.conf.Master(m.name); orig != nil {
			mc = *orig
		}
		// The file names the current master: the promoted replica once the
		// failover reached RECONF_SLAVES, with the old master written in
		// that replica's place (spec §24.3), so a restart mid-failover
		// comes back on the new address.
		cur := m.currentAddr()
		// Addresses are written in their announced form (hostnames.go).
		mc.Addr, mc.ConfigEpoch, mc.LeaderEpoch = s.announced(cur), m.configEpoch, m.leaderEpoch
		mc.KnownReplicas, mc.KnownSentinels = make([]wire.Addr, 0, len(m.replicas)), make([]conf.KnownSentinel, 0, len(m.sentinels))
		for _, r := range m.replicas {
			a := r.addr
			if sameAddr(a, cur) {
				a = m.addr
			}
			mc.KnownReplicas = append(mc.KnownReplicas, s.announced(a))
		}
		for _, r := range m.sentinels {
			mc.KnownSentinels = append(mc.KnownSentinels, conf.KnownSentinel{Addr: s.announced(r.addr), RunID: r.runID})
		}
		masters = append(masters, mc)
	}
	return masters
}

// persistsAs reports whether p, an entry persist built from s.conf's entry
// for m, is what persist would build for m now.
func (s *Sentinel) persistsAs(m *instance, p *conf.Master) bool {
	cur := m.currentAddr()
	if p.Addr != s.announced(cur) || p.ConfigEpoch != m.configEpoch || p.LeaderEpoch != m.leaderEpoch ||
		len(p.KnownReplicas) != len(m.replicas) || len(p.KnownSentinels) != len(m.sentinels) {
		return false
	}
	for k, r := range m.replicas {
		a := r.addr
		if sameAddr(a, cur) {
			a = m.addr
		}
		if p.KnownReplicas[k] != s.announced(a) {
			return false
		}
	}
	for k, r := range m.sentinels {
		if p.KnownSentinels[k] != (conf.KnownSentinel{Addr: s.announced(r.addr), RunID: r.runID}) {
			return false
		}
	}
	return true
}

// tickPeriod is the gap to the next timer run: 1000/hz with hz uniform in
// 10..19 (spec §3.1).
func (s *Sentinel) tickPeriod() wire.Duration {
	if s.profile.FixedTick {
		return 100
	}
	return wire.Duration(1000 / (10 + s.env.Rand().IntN(10)))
}

// Fire runs the sentinel timer (spec §3.2).
func (s *Sentinel) Fire(env wire.Env, tag uint64) {
	if tag != tagTick || s.dead {
		return
	}
	s.begin(env)
	defer s.end()
	s.holdPersist = false // a vote held by mutant-reply-before-persist is saved now
	s.tick()
	env.After(s.tickPeriod(), tagTick)
}

// Receive handles replies from instances and commands from clients and
// other sentinels.
func (s *Sentinel) Receive(env wire.Env, m wire.Message) {
	if s.dead {
		return
	}
	s.begin(env)
	defer s.end()
	switch p := m.Payload.(type) {
	case *wire.Reply:
		s.onReply(m.From, p)
	case *wire.Push:
		if c := s.conn(p.Conn); c != nil && c.node == m.From && c.pubsub {
			c.owner.pcLastActivity = s.now
			s.onPubSub(p.Value)
		}
	case *wire.Closed:
		if c := s.conn(p.Conn); c != nil && c.node == m.From {
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
		if c := s.conn(p.Conn); c != nil && c.node == from {
			s.closeConn(c, false)
		}
	case *wire.Reply:
		delete(s.clients, clientKey{from, p.Conn})
	case *wire.Push:
		delete(s.clients, clientKey{from, p.Conn})
	}
}

func upper(s string) string {
	i := 0
	for i < len(s) && !('a' <= s[i] && s[i] <= 'z') {
		i++
	}
	if i == len(s) {
		return s // already upper case: most commands are sent so
	}
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}
