package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// diskImage is what a node persisted: the bytes, or the function that
// makes them (Context.PersistFunc), called when they are first needed on
// the world's goroutine.
type diskImage struct {
	render func(dst []byte) []byte // nil once b is made
	b      []byte
}

func (d *diskImage) bytes() []byte {
	if d.render != nil {
		d.b, d.render = d.render(nil), nil
	}
	return d.b
}

// diskDigest is the trace's text of persisted bytes: their size and the
// first four bytes of their SHA-256 ("57B sha256=1a2b3c4d"), worked out
// where the trace is formatted. It has its own copy of the image's parts,
// so the trace, which may format on another goroutine, never reads what
// the world writes: it makes the bytes again if it needs them (render is
// pure).
type diskDigest diskImage

func (d diskDigest) String() string { return string(d.AppendTrace(nil)) }

// AppendTrace appends String's text to b. A render writes the bytes after
// b's end, where the text then goes: b is the trace's buffer, reused from
// batch to batch, so hashing a 100-master sentinel.conf allocates nothing.
func (d diskDigest) AppendTrace(b []byte) []byte {
	data := d.b
	if d.render != nil {
		data = d.render(b[len(b):])
	}
	sum := sha256.Sum256(data)
	b = strconv.AppendInt(b, int64(len(data)), 10)
	b = append(b, "B sha256="...)
	return hex.AppendEncode(b, sum[:4])
}

// boot starts a fresh process on n from what n persisted (nil if it never
// persisted; empty, not nil, if it persisted nothing).
func (w *World) boot(n *node) {
	w.current = n // a panic in Start is the node's
	n.proc = n.start()
	n.up = true
	n.paused = false
	n.faultDown = false
	n.hostDown = false
	t := w.trace
	t.begin(w.now, "boot")
	t.word(n.name)
	var state []byte
	if n.disk != nil {
		state = append([]byte{}, n.disk.bytes()...)
		t.word("restored=" + strconv.Itoa(len(state)) + "B")
	}
	t.end()
	w.call(n, func(ctx *Context) { n.proc.Boot(ctx, state) })
}

// crash kills n. Its timers and the messages in flight to or from it become
// stale through the incarnation number, so nothing sent to or by one
// incarnation reaches another; messages it held while paused are dropped
// here. Messages sent to it while it is down are refused at send time. A
// crash disarms CrashAfterPersist.
func (w *World) crash(n *node, why string) {
	if !n.up {
		return
	}
	n.up = false
	n.faultDown = true
	n.paused = false
	n.proc = nil
	n.inc++
	n.crashAt = false
	held := n.held
	n.held = nil
	for i := range held {
		if e := &held[i]; e.kind == evDeliver {
			w.settle(&e.msg)
			w.drop(&e.msg, why)
			w.reset(&e.msg) // the connection it waited on died with the process
		}
	}
}

// resume lets a paused node handle what queued while it was stopped, in the
// order it arrived, then run normally. It stops where the run stops (a
// bound hit by what the node sends).
func (w *World) resume(n *node) {
	if !n.up || !n.paused {
		return
	}
	n.paused = false
	held := n.held
	n.held = nil
	inc := n.inc
	for i := range held {
		if w.ended != nil {
			return
		}
		e := &held[i]
		if e.kind == evTimer {
			if n.up && n.inc == inc {
				w.fire(n, e.ref)
			}
			continue
		}
		w.settle(&e.msg)
		switch {
		case !n.up || n.inc != inc:
			// It crashed while catching up (crash-after-persist).
			w.drop(&e.msg, "crash")
		case w.nodes[e.msg.From].inc != e.aux:
			// Like a message still in flight: its sender is gone.
			w.drop(&e.msg, "sender-crashed")
		default:
			w.receive(n, &e.msg)
		}
	}
}

func (w *World) fire(n *node, tag uint64) {
	w.call(n, func(ctx *Context) { n.proc.Fire(ctx, tag) })
}

// call runs one handler of n and then carries out what it asked for: first
// the state to persist, then the messages to send.
func (w *World) call(n *node, handler func(*Context)) {
	ctx := &w.ctx
	ctx.n = n
	ctx.sends = ctx.sends[:0]
	ctx.saved = false
	w.current = n
	handler(ctx)
	w.current = nil
	if ctx.saved {
		// The node takes the bytes (the next Persist fills a new array)
		// or the function that makes them: they never change, so the
		// trace can make and hash them on its own time.
		n.disk = &diskImage{b: ctx.persist, render: ctx.persistFn}
		ctx.persist, ctx.persistFn = nil, nil
		t := w.trace
		t.begin(w.now, "persist")
		t.word(n.name)
		t.payload(diskDigest(*n.disk))
		t.end()
		if n.crashAt {
			w.crash(n, "crash")
			t.begin(w.now, "fault")
			t.word("crashed-after-persist " + n.name)
			t.end()
			// The process sent them; the crash kept them from leaving.
			for i := range ctx.sends {
				m := &ctx.sends[i]
				m.ID = w.nextID()
				w.stats.Sent++
				w.record("send", m)
				w.drop(m, "crash")
			}
			return
		}
	}
	for i := range ctx.sends {
		w.send(n, ctx.sends[i])
		if w.ended != nil {
			return
		}
	}
}

func (w *World) nextID() uint64 {
	w.msgID++
	return w.msgID
}

// maxDelay bounds timer durations and clock jumps (about 35 years), so that
// arithmetic on them cannot overflow; a timer that long never fires within
// any run's bounds.
const maxDelay wire.Duration = 1 << 40

// maxSlow bounds a slow-down (about 24 days), so that a timer can carry the
// slow-down it was set with in its event (event.aux).
const maxSlow wire.Duration = 1<<31 - 1

// setTimer schedules Fire(tag) on n after d of n's monotonic time, plus n's
// current slow-down.
func (w *World) setTimer(n *node, d wire.Duration, tag uint64) {
	d = min(max(d, 0), maxDelay)
	at := w.now.Add(n.clock.span(d) + n.slow)
	w.push(event{at: at, kind: evTimer, node: n.id, inc: n.inc, aux: uint32(n.slow), ref: tag, due: n.clock.mono(w.now).Add(d)})
}

// setDrift changes n's clock rate and re-times its pending timers: each is
// due at a fixed reading of n's monotonic clock, plus the slow-down it was
// set with. A timer whose reading has already passed is only waiting out its
// slow-down, which is simulated time, and keeps its time. Setting the rate
// n already has changes nothing.
func (w *World) setDrift(n *node, driftPPM int64) {
	if n.clock.driftPPM == driftPPM {
		return
	}
	n.clock.setDrift(w.now, driftPPM)
	mono := n.clock.mono(w.now)
	w.q.each(func(e *event) {
		if e.kind == evTimer && e.node == n.id && e.inc == n.inc && e.due > mono {
			e.at = w.now.Add(n.clock.span(e.due.Sub(mono)) + wire.Duration(e.aux))
		}
	})
	w.q.fix()
}

// send puts a message on the network. A message that would exceed
// Bounds.MaxInFlight is dropped ("bound") and stops the run.
func (w *World) send(from *node, m wire.Message) {
	m.ID = w.nextID()
	w.stats.Sent++
	w.record("send", &m)
	if w.stats.InFlight >= w.cfg.Bounds.MaxInFlight {
		w.drop(&m, "bound")
		w.end(MaxInFlightHit, "more than "+strconv.Itoa(w.cfg.Bounds.MaxInFlight)+" messages in flight")
		return
	}
	l := w.link(m.From, m.To)
	to := w.nodes[m.To]
	if k, seg, ok := segmentKey(&m); ok {
		w.sendSegment(from, to, l, k, seg, &m)
		return
	}
	switch {
	case l.down():
		w.drop(&m, "partition")
		return
	case !to.up:
		w.drop(&m, "down") // connection refused
		w.reset(&m)
		return
	case l.full():
		w.drop(&m, "full")
		return
	}
	w.linkRand(l, m.From, m.To)
	if l.rng.draw(l.cfg.Loss) {
		w.drop(&m, "loss")
		return
	}
	w.enqueue(l, &m, from.slow, from.inc, to.inc, 0)
	// A copy that would overflow the link or the run's bound is not made.
	if l.rng.draw(l.cfg.Duplicate) && !l.full() && w.stats.InFlight < w.cfg.Bounds.MaxInFlight {
		w.stats.Duplicated++
		w.record("dup", &m)
		w.enqueue(l, &m, from.slow, from.inc, to.inc, 0)
	}
}

// record writes a message line: "<verb> #id from>to payload".
func (w *World) record(verb string, m *wire.Message) {
	t := w.trace
	if t.off {
		return
	}
	t.beginMsg(w.now, verb, m, m.Payload) // one op: the line's start carries the payload
	t.end()
}

// enqueue schedules the arrival of m on l after the link's delay. From then
// on m counts as in flight, on l and in the run, until settle. ref is a
// segment's sequence number in its stream (0 for other messages).
func (w *World) enqueue(l *link, m *wire.Message, extra wire.Duration, fromInc, toInc uint32, ref uint64) {
	delay := extra
	if l.rng.ok() {
		delay += l.cfg.drawDelay(l.rng)
	} else {
		delay += l.cfg.DelayMin
	}
	at := w.now.Add(delay)
	if !l.rng.draw(l.cfg.Reorder) {
		at = max(at, l.lastAt) // FIFO: never overtake an earlier message
	}
	l.lastAt = max(l.lastAt, at)
	l.inFlight++
	w.stats.InFlight++
	// (Written into its slot: the event is the largest value the world
	// moves, one for every message.)
	e, slot := w.q.alloc()
	w.seq++
	e.at, e.seq, e.kind, e.node, e.inc, e.aux, e.ref, e.due, e.msg = at, w.seq, evDeliver, m.To, toInc, fromInc, ref, 0, *m
	w.q.file(slot)
}

// settle takes a message that was enqueued off the books of its link and of
// the run, as it is finally handed to its process or dropped. Every message
// enqueued is settled exactly once (a message held at a paused node stays in
// flight until the node handles it, or crashes).
func (w *World) settle(m *wire.Message) {
	w.link(m.From, m.To).inFlight--
	w.stats.InFlight--
}

// arrive handles a message reaching its destination.
func (w *World) arrive(e *event) {
	m := &e.msg
	from, to := w.nodes[m.From], w.nodes[m.To]
	if k, seg, ok := segmentKey(m); ok && from.inc == e.aux {
		switch {
		case !to.up && to.hostDown:
			// The host is gone: silence, and TCP keeps trying.
			w.settle(m)
			if st := w.streamOf(k); st != nil && st.fromInc == e.aux && st.toInc == e.inc {
				w.stall(k, st, seg, e.ref, m, "host-down")
			} else {
				w.drop(m, "down")
			}
			return
		case to.up && to.inc == e.inc:
			w.arriveSegment(e, k, seg)
			return
		}
	}
	var why string
	switch {
	case from.inc != e.aux:
		why = "sender-crashed"
	case !to.up:
		why = "down"
	case to.inc != e.inc:
		why = "restarted"
	case w.link(m.From, m.To).down():
		why = "partition"
	case to.paused:
		// It waits at the process, still in flight, until resume or crash.
		w.record("held", m)
		to.held = append(to.held, *e)
		return
	}
	w.settle(m)
	if why != "" {
		w.drop(m, why)
		if why == "down" || why == "restarted" {
			w.reset(m)
		}
		return
	}
	w.receive(to, m)
}

// reset answers a message that reached a node where no process owns its
// connection — the process is dead, or a new incarnation never had the
// connection — with a wire.Reset back to the sender, as the host's TCP stack
// would (connection refused or reset). Nothing comes back when the whole host
// is down (Crash with Host), when the way back is cut, or when the sender
// itself is gone; a Reset is never answered with a Reset.
func (w *World) reset(m *wire.Message) {
	if _, isReset := m.Payload.(*wire.Reset); isReset {
		return
	}
	at, back := w.nodes[m.To], w.nodes[m.From]
	l := w.link(m.To, m.From)
	if at.hostDown || !back.up || l.down() {
		return
	}
	if !l.rng.ok() && l.cfg.DelayMax > l.cfg.DelayMin {
		l.rng = linkRand{w.streams.pcg("link/" + at.name + ">" + back.name)}
	}
	rm := wire.Message{ID: w.nextID(), From: m.To, To: m.From, Payload: &wire.Reset{Payload: m.Payload}}
	w.stats.Resets++
	w.record("reset", &rm)
	w.enqueue(l, &rm, 0, at.inc, back.inc, 0)
}

// receive hands m to its process.
func (w *World) receive(to *node, m *wire.Message) {
	w.stats.Delivered++
	w.recordRecv(m)
	w.call(to, func(ctx *Context) { to.proc.Receive(ctx, *m) })
}

func (w *World) drop(m *wire.Message, why string) {
	w.stats.Dropped++
	t := w.trace
	t.beginMsg(w.now, "drop", m, nil)
	t.word(why)
	t.payload(m.Payload)
	t.end()
}

// startFlapper begins a flapping fault: the links go down now. Its stream
// is named after the fault itself, "flap/<label>@<start>#<k>" (k counts the
// flappers of that label started at that time), so that other flapping
// faults never change its phases.
func (w *World) startFlapper(label string, links [][2]int, spec FlapSpec) {
	key := label + "@" + strconv.FormatInt(int64(w.now), 10)
	k := w.flapSeq[key]
	w.flapSeq[key] = k + 1
	f := &flapper{
		id:    len(w.flappers),
		label: label,
		links: links,
		spec:  spec,
		rng:   w.streams.Stream("flap/" + key + "#" + strconv.Itoa(k)),
	}
	if spec.For > 0 {
		f.until = w.now.Add(spec.For)
	}
	w.flappers = append(w.flappers, f)
	w.toggleFlapper(f)
}

// toggleFlapper flips a flapper between down and up and schedules the next
// flip.
func (w *World) toggleFlapper(f *flapper) {
	if f.done {
		return
	}
	if f.until > 0 && w.now >= f.until {
		w.stopFlapper(f)
		return
	}
	f.isDown = !f.isDown
	delta, verb, phase := 1, "down", f.spec.Down
	if !f.isDown {
		delta, verb, phase = -1, "up", f.spec.Up
	}
	n := len(w.nodes)
	for _, ab := range f.links {
		w.change(&w.links[ab[0]*n+ab[1]], func(l *link) { l.flapsDown += int32(delta) })
	}
	t := w.trace
	t.begin(w.now, "flap")
	t.word(verb)
	t.word(f.label)
	t.end()
	next := w.now.Add(f.phase(phase))
	if f.until > 0 {
		next = min(next, f.until)
	}
	w.push(event{at: next, kind: evFlap, ref: uint64(f.id)})
}

// stopFlapper ends a flapper, leaving its links up.
func (w *World) stopFlapper(f *flapper) {
	if f.done {
		return
	}
	f.done = true
	if f.isDown {
		f.isDown = false
		n := len(w.nodes)
		for _, ab := range f.links {
			w.change(&w.links[ab[0]*n+ab[1]], func(l *link) { l.flapsDown-- })
		}
		t := w.trace
		t.begin(w.now, "flap")
		t.word("up")
		t.word(f.label)
		t.end()
	}
}

// recordRecv writes a delivery: "recv #id from>to". The payload is on the
// message's send line; writing it again would double the trace's bytes
// and the time spent formatting and hashing them.
func (w *World) recordRecv(m *wire.Message) {
	t := w.trace
	if t.off {
		return
	}
	t.beginMsg(w.now, "recv", m, nil)
	t.end()
}
