package sim

import (
	"slices"
	"strconv"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// TCP's reliability, as Linux does it with its default settings. Sentinel
// talks to Redis over TCP, and what a partition does to Sentinel depends on
// it: a command sent into a partition is not lost, it is retransmitted and
// reaches the server some time after the partition heals; a connect into a
// partition is retried and completes after the heal, or fails after about
// two minutes. Modelling a partition as loss instead leaves connections
// that never hear back, which the real Sentinel never sees.
//
// Each direction of a connection is a stream: its segments are numbered
// when sent; the receiving host hands them to the process in that order,
// once each (a copy the network duplicated, or one that overtook an
// earlier segment, waits or is discarded), and what a cut, a loss or a
// full link kept from arriving waits for retransmission.
const (
	// A connect (SYN) is retried after 1, 2, 4, 8, 16 and 32 s and fails
	// 64 s after the last try: tcp_syn_retries 6, 127 s in all.
	tcpSynRTO     = 1 * wire.Second
	tcpSynRetries = 6
	// Data is retransmitted after TCP_RTO_MIN (200 ms), the timeout
	// doubling up to TCP_RTO_MAX (120 s); the connection fails when the
	// 15th retransmission goes unanswered (tcp_retries2 15: about 924.6 s).
	tcpMinRTO  = 200 * wire.Millisecond
	tcpMaxRTO  = 120 * wire.Second
	tcpRetries = 15
	// tcpMaxQueued bounds what one stream holds for retransmission, like a
	// socket's send buffer; more ends the run as the in-flight bound does.
	tcpMaxQueued = 4096
)

// deadInc stands for the incarnation of a node that was down when a
// segment was sent to it: no process ever has it, so the segment is reset
// when it finally arrives.
const deadInc = ^uint32(0)

// streamKey names one direction of a connection: (client node, ConnID)
// names a connection; from, to and client (the segment goes from the
// client) say which direction. Two nodes that both open connections to
// each other number them independently, so client is needed.
type streamKey struct {
	from, to wire.NodeID
	conn     wire.ConnID
	client   bool
}

// stalledSeg is a segment waiting for retransmission.
type stalledSeg struct {
	seq uint64
	msg wire.Message
}

// stream is the state of one direction of a connection between two
// incarnations of its ends.
type stream struct {
	fromInc, toInc uint32
	sent           uint64 // sequence numbers given so far
	delivered      uint64 // handed to the receiving process, in order
	// ooo holds segments that arrived before an earlier one (looked up by
	// sequence number only).
	ooo   map[uint64]event
	retx  []stalledSeg // waiting for retransmission, by sequence number
	syn   bool         // the connect itself waits
	rto   wire.Duration
	tries int
	gen   uint32 // the armed timer's generation (World.tcpGen), 0 when none
	armed bool
}

// segmentKey reports whether m travels on a TCP connection, and which
// direction of which.
func segmentKey(m *wire.Message) (streamKey, wire.Segment, bool) {
	// The usual payloads first, by their concrete types: asserting the
	// Segment interface looks its method table up, twice per message.
	switch p := m.Payload.(type) {
	case *wire.Command:
		return streamKey{m.From, m.To, p.Conn, true}, p, true
	case *wire.Reply:
		return streamKey{m.From, m.To, p.Conn, false}, p, true
	case *wire.Push:
		return streamKey{m.From, m.To, p.Conn, false}, p, true
	}
	s, ok := m.Payload.(wire.Segment)
	if !ok {
		return streamKey{}, nil, false
	}
	return streamKey{m.From, m.To, s.Connection(), s.FromClient()}, s, true
}

// id is the key of k's stream among its link's streams.
func (k streamKey) id() uint64 {
	if k.client {
		return uint64(k.conn)<<1 | 1
	}
	return uint64(k.conn) << 1
}

// linkStream is one of a link's streams, by streamKey.id.
type linkStream struct {
	id uint64
	st *stream
}

// streamOf returns k's stream, nil if there is none. Streams are kept per
// link, by connection and direction, in a short list (a link carries a
// handful of connections): hashing the four fields of streamKey in one map
// of the world, twice per segment, cost several times more.
func (w *World) streamOf(k streamKey) *stream {
	id := k.id()
	for _, ls := range w.link(k.from, k.to).streams {
		if ls.id == id {
			return ls.st
		}
	}
	return nil
}

// setStream makes st k's stream, or ends k's stream when st is nil.
func (w *World) setStream(k streamKey, st *stream) {
	l := w.link(k.from, k.to)
	id := k.id()
	for i := range l.streams {
		if l.streams[i].id != id {
			continue
		}
		if st != nil {
			l.streams[i].st = st
			return
		}
		last := len(l.streams) - 1
		l.streams[i] = l.streams[last]
		l.streams[last] = linkStream{}
		l.streams = l.streams[:last]
		return
	}
	if st != nil {
		l.streams = append(l.streams, linkStream{id, st})
	}
}

// streamFor returns the stream of k, starting a new one when there is
// none or the one there belongs to another incarnation of the client (what
// it still held is dropped). From the client, the server's incarnation is
// the one the stream began with: a client cannot know that its server
// restarted until a segment is reset there.
func (w *World) streamFor(k streamKey, fromInc, toInc uint32) *stream {
	st := w.streamOf(k)
	// A connection belongs to one incarnation of the client that opened
	// it: from the client, a new incarnation of the sender starts new
	// streams; back to it, so does a new incarnation of the receiver (a
	// restarted client numbers its connections from 1 again).
	if st != nil && st.fromInc == fromInc && (k.client || st.toInc == toInc) {
		return st
	}
	if st != nil {
		w.abandon(k, st, "restarted")
	}
	st = &stream{fromInc: fromInc, toInc: toInc}
	w.setStream(k, st)
	return st
}

// sendSegment is send for a segment: it gets the stream's next sequence
// number and leaves now, or waits for retransmission when an earlier
// segment waits, the way is cut, the receiving host is down (silence, as
// in a partition), the link is full or the packet is lost. A process that
// is down on a host that is up refuses it at once (reset).
func (w *World) sendSegment(from, to *node, l *link, k streamKey, seg wire.Segment, m *wire.Message) {
	toInc := to.inc
	if !to.up {
		toInc = deadInc
	}
	st := w.streamFor(k, from.inc, toInc)
	st.sent++
	seq := st.sent
	toInc = st.toInc
	switch {
	case len(st.retx) > 0:
		w.stall(k, st, seg, seq, m, "behind") // TCP keeps the order
		return
	case l.down():
		w.stall(k, st, seg, seq, m, "partition")
		return
	case !to.up && to.hostDown:
		w.stall(k, st, seg, seq, m, "host-down")
		return
	case !to.up:
		w.drop(m, "down") // connection refused
		w.reset(m)
		return
	case l.full():
		w.stall(k, st, seg, seq, m, "full")
		return
	}
	w.linkRand(l, m.From, m.To)
	if l.rng.draw(l.cfg.Loss) {
		w.stall(k, st, seg, seq, m, "loss")
		return
	}
	w.enqueue(l, m, from.slow, from.inc, toInc, seq)
	// A copy the network made is discarded by the receiving host.
	if l.rng.draw(l.cfg.Duplicate) && !l.full() && w.stats.InFlight < w.cfg.Bounds.MaxInFlight {
		w.stats.Duplicated++
		w.record("dup", m)
		w.enqueue(l, m, from.slow, from.inc, toInc, seq)
	}
}

// arriveSegment handles a segment reaching its host (its sender and
// receiver incarnations already checked): cut on the way, it waits for
// retransmission; a duplicate is discarded; one that overtook an earlier
// segment waits for it; otherwise it is handed over, with whatever was
// waiting behind it.
func (w *World) arriveSegment(e *event, k streamKey, seg wire.Segment) {
	m := &e.msg
	st := w.streamOf(k)
	if st == nil || st.fromInc != e.aux || st.toInc != e.inc {
		// The stream ended (a hang-up delivered, or a restart): this is a
		// copy of a segment that was already handed over.
		w.settle(m)
		w.drop(m, "dup")
		return
	}
	seq := e.ref
	if w.link(m.From, m.To).down() {
		w.settle(m)
		if seq > st.delivered {
			w.stall(k, st, seg, seq, m, "partition")
		} else {
			w.drop(m, "dup")
		}
		return
	}
	switch {
	case seq <= st.delivered:
		w.settle(m)
		w.drop(m, "dup")
	case seq > st.delivered+1:
		if _, dup := st.ooo[seq]; dup {
			w.settle(m)
			w.drop(m, "dup")
			return
		}
		w.settle(m)
		w.record("reorder", m)
		if st.ooo == nil {
			st.ooo = map[uint64]event{}
		}
		st.ooo[seq] = *e
	default:
		w.settle(m)
		w.handOver(k, st, e)
		for w.ended == nil && len(st.ooo) > 0 {
			next, ok := st.ooo[st.delivered+1]
			if !ok {
				break
			}
			delete(st.ooo, st.delivered+1)
			w.handOver(k, st, &next)
		}
	}
}

// handOver gives the next segment of a stream to its process (held there
// if it is paused). A delivered hang-up or close ends the stream.
func (w *World) handOver(k streamKey, st *stream, e *event) {
	st.delivered++
	to := w.nodes[e.msg.To]
	if to.paused {
		// Back on the books: a held message is in flight until resume.
		w.link(e.msg.From, e.msg.To).inFlight++
		w.stats.InFlight++
		w.record("held", &e.msg)
		to.held = append(to.held, *e)
	} else {
		w.receive(to, &e.msg)
	}
	switch e.msg.Payload.(type) {
	case *wire.Hangup, *wire.Closed:
		if len(st.retx) == 0 && len(st.ooo) == 0 && w.streamOf(k) == st {
			w.setStream(k, nil)
		}
	}
}

// stall holds segment seq of a stream for retransmission, in sequence
// order: why says what kept it from arriving. The first segment held arms
// the stream's retransmission timer.
func (w *World) stall(k streamKey, st *stream, seg wire.Segment, seq uint64, m *wire.Message, why string) {
	if len(st.retx) >= tcpMaxQueued {
		w.drop(m, "full")
		w.end(MaxInFlightHit, "more than "+strconv.Itoa(tcpMaxQueued)+" segments wait for retransmission on one connection")
		return
	}
	t := w.trace
	t.beginMsg(w.now, "stall", m, nil)
	t.word(why)
	t.payload(m.Payload)
	t.end()
	i, _ := slices.BinarySearchFunc(st.retx, seq, func(s stalledSeg, q uint64) int {
		switch {
		case s.seq < q:
			return -1
		case s.seq > q:
			return 1
		}
		return 0
	})
	st.retx = slices.Insert(st.retx, i, stalledSeg{seq: seq, msg: *m})
	if !st.armed {
		w.change(w.link(k.from, k.to), func(l *link) { l.stalled++ })
		st.armed, st.tries = true, 0
		w.tcpGen++ // unique over all streams: a timer of an ended stream never drives a new one
		st.gen = w.tcpGen
		st.rto = tcpMinRTO
		st.syn = seg.Handshake() && seq == 1
		if st.syn {
			st.rto = tcpSynRTO
		}
		w.armRetransmit(k, st)
	}
}

func (w *World) armRetransmit(k streamKey, st *stream) {
	w.push(event{at: w.now.Add(st.rto), kind: evRetransmit, msg: wire.Message{From: k.from, To: k.to},
		ref: k.id(), aux: st.gen})
}

// retransmit is a stream's retransmission timer: when the way is open, the
// waiting segments leave again, in order; otherwise the timeout doubles,
// until TCP gives up and tells the sender (a wire.Reset, as the connection
// fails with ETIMEDOUT).
func (w *World) retransmit(e *event) {
	k := streamKey{e.msg.From, e.msg.To, wire.ConnID(e.ref >> 1), e.ref&1 == 1}
	st := w.streamOf(k)
	if st == nil || st.gen != e.aux || !st.armed {
		return // a timer of a stream that ended or started again
	}
	from, to := w.nodes[k.from], w.nodes[k.to]
	if !from.up || from.inc != st.fromInc {
		w.abandon(k, st, "sender-crashed")
		w.setStream(k, nil)
		return
	}
	l := w.link(k.from, k.to)
	w.linkRand(l, k.from, k.to)
	lost := l.down() || !to.up && to.hostDown || l.full() || l.rng.draw(l.cfg.Loss)
	if lost {
		st.tries++
		limit := tcpRetries
		if st.syn {
			limit = tcpSynRetries
		}
		t := w.trace
		t.begin(w.now, "rto")
		t.word(from.name + ">" + to.name)
		t.word("c" + strconv.FormatUint(uint64(k.conn), 10))
		t.word("try=" + strconv.Itoa(st.tries))
		t.end()
		if st.tries > limit {
			first := st.retx[0].msg.Payload
			w.abandon(k, st, "timeout")
			w.setStream(k, nil)
			w.timeout(from, k, first)
			return
		}
		st.rto = min(2*st.rto, tcpMaxRTO)
		w.armRetransmit(k, st)
		return
	}
	st.armed = false
	w.change(l, func(l *link) { l.stalled-- })
	retx := st.retx
	st.retx = nil
	for i := range retx {
		if w.stats.InFlight >= w.cfg.Bounds.MaxInFlight {
			w.drop(&retx[i].msg, "bound")
			w.end(MaxInFlightHit, "more than "+strconv.Itoa(w.cfg.Bounds.MaxInFlight)+" messages in flight")
			return
		}
		w.record("resend", &retx[i].msg)
		w.enqueue(l, &retx[i].msg, 0, st.fromInc, st.toInc, retx[i].seq)
	}
}

// abandon drops what a stream holds, in sequence order.
func (w *World) abandon(k streamKey, st *stream, why string) {
	if st.armed {
		w.change(w.link(k.from, k.to), func(l *link) { l.stalled-- })
	}
	st.gen = 0
	st.armed = false
	waiting := make([]uint64, 0, len(st.ooo))
	for seq := range st.ooo {
		waiting = append(waiting, seq)
	}
	slices.Sort(waiting)
	for _, seq := range waiting {
		e := st.ooo[seq]
		w.drop(&e.msg, why)
	}
	st.ooo = nil
	for i := range st.retx {
		w.drop(&st.retx[i].msg, why)
	}
	st.retx = nil
}

// timeout tells the sender its connection failed: its own TCP stack gives
// up, so nothing crosses the network. A paused sender hears it when it
// runs again.
func (w *World) timeout(from *node, k streamKey, p wire.Payload) {
	rm := wire.Message{ID: w.nextID(), From: k.to, To: k.from, Payload: &wire.Reset{Payload: p}}
	w.stats.Resets++
	w.record("reset", &rm)
	if from.paused {
		w.link(k.to, k.from).inFlight++
		w.stats.InFlight++
		w.record("held", &rm)
		from.held = append(from.held, event{at: w.now, kind: evDeliver, node: k.from, inc: from.inc, aux: w.nodes[k.to].inc, msg: rm})
		return
	}
	w.receive(from, &rm)
}

// linkRand makes the link's random stream on first use, when its
// configuration draws anything.
func (w *World) linkRand(l *link, from, to wire.NodeID) {
	if !l.rng.ok() && (l.cfg.DelayMax > l.cfg.DelayMin || !l.cfg.Loss.Zero() || !l.cfg.Duplicate.Zero() || !l.cfg.Reorder.Zero()) {
		l.rng = linkRand{w.streams.pcg("link/" + w.nodes[from].name + ">" + w.nodes[to].name)}
	}
}
