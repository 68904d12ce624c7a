package sentinel

import (
	"slices"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// cmdKind says what a reply answers, so it can be handled when it comes.
type cmdKind uint8

const (
	cIgnore cmdKind = iota // AUTH, CLIENT SETNAME, the failover transaction: replies unused
	cPing
	cInfo
	cPublish
	cAsk
	cSubscribe
)

type pendingCmd struct {
	seq  uint64
	kind cmdKind
	r    *instance // the record the command was sent for (a shared link serves several)
}

// conn is one of our client connections to an instance.
type conn struct {
	id      wire.ConnID
	node    wire.NodeID
	pubsub  bool
	owner   *link
	seq     uint64
	pending []pendingCmd
}

// link is the connection pair of a record (spec §4.4). Sentinel records of
// the same physical sentinel under different masters share one link.
type link struct {
	// The first 64 bytes are what every tick reads of a connected link
	// (reconnect, periodic, checkSDown, recycle).
	refs            int32
	pendingCommands int32
	disconnected    bool
	cc, pc          *conn
	ccConnTime      wire.Time
	actPingTime     wire.Time
	lastPongTime    wire.Time
	lastPingTime    wire.Time

	lastAvailTime  wire.Time
	pcConnTime     wire.Time
	pcLastActivity wire.Time
	lastReconnTime wire.Time

	// owner is the first record in tick order that uses the link, which
	// PINGs on it for all (quiet.go; kept by linkOwners).
	owner *instance
}

func newLink(now wire.Time) *link {
	// act_ping_time starts at now so that a never-reachable instance goes
	// SDOWN after down-after (spec §4.4).
	return &link{refs: 1, disconnected: true, actPingTime: now, lastAvailTime: now, lastPongTime: now}
}

// maxPending is SENTINEL_MAX_PENDING_COMMANDS (spec §5.4).
const maxPending = 100

// open starts a connection to r's address: the link counts as connected as
// soon as the attempt started (spec §5.2); a refused attempt comes back as a
// reset and drops it again.
func (s *Sentinel) open(r *instance, pubsub bool) *conn {
	node, ok := s.dir.Resolve(r.addr)
	if !ok {
		return nil
	}
	s.nextConn++
	c := &conn{id: s.nextConn, node: node, pubsub: pubsub, owner: r.link}
	s.conns[c.id] = c
	return c
}

// connSlots is the size of the direct-mapped table in front of the
// connections' map: ids are given in sequence, so the open ones rarely
// share a slot, and a reply or push (most of what a sentinel receives)
// finds its connection without hashing.
const connSlots = 1024

// conn returns the open connection with the given id, nil if none.
func (s *Sentinel) conn(id wire.ConnID) *conn {
	if s.recentConns == nil {
		s.recentConns = new([connSlots]*conn)
	}
	slot := &s.recentConns[id%connSlots]
	if c := *slot; c != nil && c.id == id {
		return c
	}
	c := s.conns[id]
	if c != nil {
		*slot = c
	}
	return c
}

// send queues a command on a connection and remembers what it is for.
func (s *Sentinel) send(c *conn, kind cmdKind, r *instance, args ...string) {
	c.seq++
	c.pending = append(c.pending, pendingCmd{seq: c.seq, kind: kind, r: r})
	if !c.pubsub {
		c.owner.pendingCommands++
	}
	if len(args) > len(commandBox{}.args) {
		// (A copy: were args kept, every caller's argument list would be
		// allocated on the heap.)
		s.env.Send(c.node, &wire.Command{Conn: c.id, Seq: c.seq, Open: c.seq == 1, Args: slices.Clone(args)})
		return
	}
	// The command and its arguments in one allocation (the caller's
	// argument list stays on its stack): a sentinel sends a few commands a
	// second to every instance it knows.
	box := s.boxes.New()
	n := copy(box.args[:], args)
	box.cmd = wire.Command{Conn: c.id, Seq: c.seq, Open: c.seq == 1, Args: box.args[:n:n]}
	s.env.Send(c.node, &box.cmd)
}

// commandBox holds a command with up to three arguments.
type commandBox struct {
	cmd  wire.Command
	args [3]string
}

// closeConn drops one connection of a link; the next reconnection attempt
// reopens it.
func (s *Sentinel) closeConn(c *conn, hangup bool) {
	if c == nil {
		return
	}
	delete(s.conns, c.id)
	if s.recentConns != nil && s.recentConns[c.id%connSlots] == c {
		s.recentConns[c.id%connSlots] = nil
	}
	s.wakeAll() // the link may be shared by other groups' records
	l := c.owner
	if l.cc == c {
		l.cc = nil
		l.pendingCommands = 0
	}
	if l.pc == c {
		l.pc = nil
	}
	l.disconnected = true
	if hangup {
		s.env.Send(c.node, &wire.Hangup{Conn: c.id})
	}
}

// reconnect is spec §5.2, run for every record at every tick.
func (s *Sentinel) reconnect(r *instance) {
	l := r.link
	if !l.disconnected || r.addr.Port == 0 || (l.lastReconnTime != 0 && s.now.Sub(l.lastReconnTime) < s.timing.PingPeriod) {
		return
	}
	l.lastReconnTime = s.now
	id8 := s.myID[:8]
	if l.cc == nil {
		if c := s.open(r, false); c == nil {
			s.emit(Debug, "-cmd-link-reconnection", r, "unresolvable address")
		} else {
			l.cc, l.ccConnTime, l.pendingCommands = c, s.now, 0
			s.auth(c, r)
			s.send(c, cIgnore, r, r.command("CLIENT"), "SETNAME", "sentinel-"+id8+"-cmd")
			s.ping(r)
		}
	}
	if r.kind != kindSentinel && l.pc == nil {
		if c := s.open(r, true); c == nil {
			s.emit(Debug, "-pubsub-link-reconnection", r, "unresolvable address")
		} else {
			l.pc, l.pcConnTime, l.pcLastActivity = c, s.now, s.now
			s.auth(c, r)
			s.send(c, cIgnore, r, r.command("CLIENT"), "SETNAME", "sentinel-"+id8+"-pubsub")
			s.send(c, cSubscribe, r, r.command("SUBSCRIBE"), helloChannel)
		}
	}
	l.disconnected = l.cc == nil || (r.kind != kindSentinel && l.pc == nil)
}

// auth queues AUTH when credentials apply (spec §25.1): masters and
// replicas use their master's auth-pass/auth-user, sentinels the
// sentinel-user/sentinel-pass.
func (s *Sentinel) auth(c *conn, r *instance) {
	user, pass := s.conf.SentinelUser, s.conf.SentinelPass
	if pass == "" {
		user, pass = "", s.conf.RequirePass // spec §25.1: our own requirepass
	}
	if r.kind != kindSentinel {
		m := r
		if r.master != nil {
			m = r.master
		}
		user, pass = m.authUser, m.authPass
	}
	switch {
	case pass == "":
	case user == "":
		s.send(c, cIgnore, r, r.command("AUTH"), pass)
	default:
		s.send(c, cIgnore, r, r.command("AUTH"), user, pass)
	}
}

// ping sends a PING on the command connection (spec §6 item 2).
func (s *Sentinel) ping(r *instance) {
	l := r.link
	if l.cc == nil {
		return
	}
	// The one-argument slice is kept (commands are never changed once
	// sent): a PING a second to every instance.
	if name := r.command("PING"); len(r.pingArgs) == 0 || r.pingArgs[0] != name {
		r.pingArgs = []string{name}
	}
	s.send(l.cc, cPing, r, r.pingArgs...)
	l.lastPingTime = s.now
	if l.actPingTime == 0 {
		l.actPingTime = s.now
	}
}

// periodic sends INFO, PING and hello when due (spec §6).
func (s *Sentinel) periodic(r *instance) {
	l := r.link
	if l.disconnected || l.pendingCommands >= maxPending*l.refs {
		return
	}
	if r.kind != kindSentinel {
		period := s.timing.InfoPeriod
		if r.kind == kindReplica && (r.master.has(fODown|fFailoverInProgress) || r.masterLinkDownTime != 0) {
			period = 1000 // hard-coded fast INFO (spec §2.2)
		}
		if r.infoRefresh == 0 || s.now.Sub(r.infoRefresh) > period {
			s.send(l.cc, cInfo, r, r.command("INFO"))
		}
	}
	period := min(r.downAfter, s.timing.PingPeriod)
	if s.now.Sub(l.lastPongTime) > period && (l.lastPingTime == 0 || s.now.Sub(l.lastPingTime) > period/2) {
		s.ping(r)
	}
	if s.now.Sub(r.lastPubTime) > s.timing.PublishPeriod {
		s.sendHello(r)
	}
}

// recycle is spec §5.3: close connections that look dead.
func (s *Sentinel) recycle(r *instance) {
	l := r.link
	if l.cc != nil && s.now.Sub(l.ccConnTime) > s.timing.MinLinkReconnectPeriod &&
		l.actPingTime != 0 && s.now.Sub(l.actPingTime) > r.downAfter/2 &&
		s.now.Sub(l.lastPongTime) > r.downAfter/2 {
		s.closeConn(l.cc, true)
	}
	if l.pc != nil && s.now.Sub(l.pcConnTime) > s.timing.MinLinkReconnectPeriod &&
		s.now.Sub(l.pcLastActivity) > 3*s.timing.PublishPeriod {
		s.closeConn(l.pc, true)
	}
}
