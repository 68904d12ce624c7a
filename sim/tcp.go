package sim

import (
	"strconv"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// TCP's retransmission, as Linux does it with its default settings. Sentinel
// talks to Redis over TCP, and what a partition does to Sentinel depends on
// it: a command sent into a partition is not lost, it is retransmitted and
// reaches the server some time after the partition heals; a connect into a
// partition is retried and completes after the heal, or fails after about
// two minutes. Modelling a partition as loss instead leaves connections
// that never hear back, which the real Sentinel never sees.
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
	// tcpMaxQueued bounds what one connection holds for retransmission,
	// like a socket's send buffer; more is dropped as "full".
	tcpMaxQueued = 4096
)

// deadInc stands for the incarnation of a node that was down when a
// segment was sent to it: no process ever has it, so the segment is reset
// when it finally arrives.
const deadInc = ^uint32(0)

// streamKey names one direction of a connection: (client node, ConnID)
// names a connection, and from/to say which way the segments go.
type streamKey struct {
	from, to wire.NodeID
	conn     wire.ConnID
}

// stream is one direction of a connection with segments waiting for
// retransmission. Segments sent or arriving behind them wait too: TCP
// hands the receiver its data in order.
type stream struct {
	queue          []wire.Message
	fromInc, toInc uint32 // the incarnations the segments belong to
	syn            bool   // the connect itself is waiting
	rto            wire.Duration
	tries          int
}

// segmentKey reports whether m travels on a TCP connection, and which.
func segmentKey(m *wire.Message) (streamKey, wire.Segment, bool) {
	s, ok := m.Payload.(wire.Segment)
	if !ok {
		return streamKey{}, nil, false
	}
	return streamKey{m.From, m.To, s.Connection()}, s, true
}

// streamKeyOf is m's stream, or the zero key for a message that is not a
// segment (no stream has it: a node never sends to itself).
func streamKeyOf(m *wire.Message) streamKey {
	k, _, _ := segmentKey(m)
	return k
}

// stalled returns the stream of m's connection if segments are waiting on
// it (m must wait behind them), after discarding a stream left by an
// earlier incarnation of either end.
func (w *World) stalled(k streamKey, fromInc, toInc uint32) *stream {
	st := w.tcp[k]
	if st == nil {
		return nil
	}
	if st.fromInc != fromInc || st.toInc != toInc {
		w.abandon(k, st, "restarted")
		return nil
	}
	return st
}

// stall holds segment m for retransmission: why says what kept it from
// arriving (partition, loss). The first segment held on a stream arms its
// retransmission timer.
func (w *World) stall(k streamKey, seg wire.Segment, m *wire.Message, fromInc, toInc uint32, why string) {
	st := w.tcp[k]
	if st == nil {
		st = &stream{fromInc: fromInc, toInc: toInc, rto: tcpMinRTO}
		if seg.Handshake() {
			st.syn, st.rto = true, tcpSynRTO
		}
		w.tcp[k] = st
		w.push(event{at: w.now.Add(st.rto), kind: evRetransmit, msg: wire.Message{From: k.from, To: k.to}, ref: uint64(k.conn)})
	}
	if len(st.queue) >= tcpMaxQueued {
		w.drop(m, "full")
		return
	}
	t := w.trace
	t.begin(w.now, "stall")
	t.msg(w, m)
	t.word(why)
	t.word(m.Payload.String())
	t.end()
	st.queue = append(st.queue, *m)
}

// retransmit is a stream's retransmission timer: when the way is open, the
// waiting segments leave again, in order; otherwise the timeout doubles,
// until TCP gives up and tells the sender (a wire.Reset, as the connection
// fails with ETIMEDOUT).
func (w *World) retransmit(e *event) {
	k := streamKey{e.msg.From, e.msg.To, wire.ConnID(e.ref)}
	st := w.tcp[k]
	if st == nil {
		return
	}
	from := w.nodes[k.from]
	if !from.up || from.inc != st.fromInc {
		w.abandon(k, st, "sender-crashed")
		return
	}
	l := w.link(k.from, k.to)
	w.linkRand(l, k.from, k.to)
	lost := l.down() || l.cfg.Loss.Draw(l.rng)
	if lost {
		st.tries++
		limit := tcpRetries
		if st.syn {
			limit = tcpSynRetries
		}
		t := w.trace
		t.begin(w.now, "rto")
		t.word(from.name + ">" + w.nodes[k.to].name)
		t.word("c" + strconv.FormatUint(uint64(k.conn), 10))
		t.word("try=" + strconv.Itoa(st.tries))
		t.end()
		if st.tries > limit && !from.paused {
			w.abandon(k, st, "timeout")
			w.timeout(from, k, st.queue[0].Payload)
			return
		}
		// A paused sender hears of the failure when it runs again.
		st.rto = min(2*st.rto, tcpMaxRTO)
		w.push(event{at: w.now.Add(st.rto), kind: evRetransmit, msg: e.msg, ref: e.ref})
		return
	}
	delete(w.tcp, k)
	for i := range st.queue {
		m := &st.queue[i]
		w.record("resend", m)
		w.enqueue(l, m, 0, st.fromInc, st.toInc)
	}
}

// abandon drops what a stream holds.
func (w *World) abandon(k streamKey, st *stream, why string) {
	delete(w.tcp, k)
	for i := range st.queue {
		w.drop(&st.queue[i], why)
	}
}

// timeout tells the sender its connection failed: its own TCP stack gives
// up, so nothing crosses the network.
func (w *World) timeout(from *node, k streamKey, p wire.Payload) {
	rm := wire.Message{ID: w.nextID(), From: k.to, To: k.from, Payload: &wire.Reset{Payload: p}}
	w.stats.Resets++
	w.record("reset", &rm)
	w.receive(from, &rm)
}

// linkRand makes the link's random stream on first use, when its
// configuration draws anything.
func (w *World) linkRand(l *link, from, to wire.NodeID) {
	if l.rng == nil && (l.cfg.DelayMax > l.cfg.DelayMin || !l.cfg.Loss.Zero() || !l.cfg.Duplicate.Zero() || !l.cfg.Reorder.Zero()) {
		l.rng = w.streams.Stream("link/" + w.nodes[from].name + ">" + w.nodes[to].name)
	}
}
