package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"io"
	"runtime"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Trace is the canonical record of a run: one line per fault, send,
// delivery, drop and process-emitted event, in the order they happened.
// Lines are streamed to a writer (never held in memory) and hashed with
// SHA-256 as they go, so two runs are the same run exactly when their trace
// hashes are equal.
//
// Every line starts with the simulated time in milliseconds and a verb:
//
//	1000 send #12 s1>r1 PING
//	1001 recv #12 s1>r1                    (the payload is on #12's send line)
//	1001 drop #13 s1>r2 partition PING
//	1001 held #14 s1>r3 PING               (r3 is paused; delivered on resume)
//	2000 dup #15 s2>r1 PING                (a second copy is on its way)
//	2100 stall #16 s1>r2 partition c3 #4 PING (TCP will retransmit it)
//	2300 rto s1>r2 c3 try=1                (the retransmission found the way shut)
//	2700 resend #16 s1>r2 c3 #4 PING        (it leaves again; recv follows)
//	3000 persist s1 57B sha256=1a2b3c4d     (size and a short hash of the state)
//	3000 event s1 +sdown master mymaster 10.0.0.1 6379
//	4000 fault partition {s1 s2} {r1}
//	4000 flap down s1>r1
//	5000 boot s1 restored=57B
//
// Timer firings are not recorded: they are internal to a process, and
// everything they cause is. A line is one record: control bytes in the text
// processes hand over (events, payloads) are escaped (\n, \r, \t, \xNN).
//
// The world only notes what a line holds (strings, numbers and payloads,
// all immutable once sent); the lines are formatted, hashed and written a
// batch at a time on other goroutines, in order, so that on a machine with
// more than one core the trace costs the simulation little. Those
// goroutines read nothing else of the world and decide nothing in it: the
// world stays single-threaded, and the bytes are the same whatever the
// scheduling. The writer is called from them, one call at a time, in
// order; Flush and Hash wait for every finished line.
type Trace struct {
	off bool // records nothing (Config.NoTrace)
	// ops holds the finished lines' parts up to mark, then the parts of
	// the line being built.
	ops   []traceOp
	mark  int
	lines uint64
	// async formats batches on other goroutines (more than one core).
	async bool
	// sink is where batches go, in order; last is closed when the latest
	// batch has been hashed and written; slots bounds the batches in
	// flight (each holds its payloads alive).
	sink  *traceSink
	last  chan struct{}
	slots chan struct{}
	free  chan []traceOp
	bufs  chan []byte
	held  [][]traceOp // batches kept unformatted until wait (holdTrace)
}

// holdTrace, set by tests only, keeps every batch unformatted until Flush
// or Hash: a payload changed after it was sent would then show in the
// trace hash.
var holdTrace bool

// traceSink is the part of a trace the batch goroutines own, one at a
// time in batch order.
type traceSink struct {
	out io.Writer // nil: hash only
	sum hash.Hash
	err error
}

// traceOp is one part of a line: its start (time and verb), a word, a
// payload, or a message's "#id from>to".
type traceOp struct {
	kind opKind
	n    uint64 // the time (begin), the message id (msg)
	s    string // the verb, the word, the sender's name
	s2   string // the receiver's name
	p    wire.Payload
}

type opKind uint8

const (
	opBegin opKind = iota
	opWord
	opPayload
	opMsg
)

// traceBatch is how many line parts go to a formatting goroutine at once,
// and traceSlots how many batches may wait to be formatted.
const (
	traceBatch = 2048
	traceSlots = 4
)

// newTrace returns a recorder writing to w, or only hashing when w is nil,
// or recording nothing when off.
func newTrace(w io.Writer, off bool) *Trace {
	t := &Trace{off: off, sink: &traceSink{out: w, sum: sha256.New()}}
	if off {
		return t
	}
	t.ops = make([]traceOp, 0, traceBatch+64)
	t.async = runtime.GOMAXPROCS(0) > 1
	t.last = make(chan struct{})
	close(t.last)
	t.slots = make(chan struct{}, traceSlots)
	t.free = make(chan []traceOp, traceSlots+1)
	t.bufs = make(chan []byte, traceSlots+1)
	return t
}

// begin starts a line at time at with the given verb.
func (t *Trace) begin(at wire.Time, verb string) {
	if t.off {
		return
	}
	// A line left unfinished is dropped.
	t.ops = append(t.ops[:t.mark], traceOp{kind: opBegin, n: uint64(at), s: verb})
}

// word appends a space and s. Control bytes in s (below 0x20, and 0x7f) are
// escaped as \n, \r, \t or \xNN, so that text from a process (an event, a
// payload, a panic value) can never start a line of its own.
func (t *Trace) word(s string) {
	if t.off {
		return
	}
	t.ops = append(t.ops, traceOp{kind: opWord, s: s})
}

// payload appends a space and p's text, escaped like word.
func (t *Trace) payload(p wire.Payload) {
	if t.off {
		return
	}
	t.ops = append(t.ops, traceOp{kind: opPayload, p: p})
}

// msg appends "#id from>to".
func (t *Trace) msg(w *World, m *wire.Message) {
	if t.off {
		return
	}
	t.ops = append(t.ops, traceOp{kind: opMsg, n: m.ID, s: w.nodes[m.From].name, s2: w.nodes[m.To].name})
}

// end finishes the line; full batches go to be formatted.
func (t *Trace) end() {
	if t.off {
		return
	}
	t.mark = len(t.ops)
	t.lines++
	if t.mark >= traceBatch {
		t.ship()
	}
}

// ship hands the finished lines to be formatted, hashed and written after
// the batches before them: on another goroutine when there are cores to
// spare, here otherwise.
func (t *Trace) ship() {
	if t.mark == 0 {
		return
	}
	batch := t.ops[:t.mark]
	var next []traceOp
	select {
	case next = <-t.free:
	default:
		next = make([]traceOp, 0, cap(t.ops))
	}
	t.ops = append(next[:0], t.ops[t.mark:]...) // an unfinished line, if any
	t.mark = 0
	if holdTrace {
		t.held = append(t.held, batch)
		return
	}
	if !t.async {
		t.sink.take(appendLines(nil, batch))
		t.recycle(batch)
		return
	}
	t.slots <- struct{}{}
	prev, done := t.last, make(chan struct{})
	t.last = done
	go func() {
		var buf []byte
		select {
		case buf = <-t.bufs:
		default:
			buf = make([]byte, 0, 64<<10)
		}
		buf = appendLines(buf[:0], batch)
		<-prev
		t.sink.take(buf)
		close(done)
		t.recycle(batch)
		select {
		case t.bufs <- buf:
		default:
		}
		<-t.slots
	}()
}

// recycle clears a formatted batch (its payloads may be collected) and
// offers it for reuse.
func (t *Trace) recycle(batch []traceOp) {
	clear(batch)
	select {
	case t.free <- batch[:0]:
	default:
	}
}

// take hashes and writes formatted lines.
func (s *traceSink) take(buf []byte) {
	s.sum.Write(buf)
	if s.out != nil && s.err == nil {
		_, s.err = s.out.Write(buf)
	}
}

// wait ships the finished lines and waits until every batch has been
// hashed and written.
func (t *Trace) wait() {
	if t.off {
		return
	}
	t.ship()
	for _, batch := range t.held {
		t.sink.take(appendLines(nil, batch))
	}
	t.held = nil
	<-t.last
}

// appendLines formats the lines of ops.
func appendLines(b []byte, ops []traceOp) []byte {
	for i := range ops {
		op := &ops[i]
		switch op.kind {
		case opBegin:
			if i > 0 {
				b = append(b, '\n')
			}
			b = wire.AppendInt(b, int64(op.n))
			b = append(b, ' ')
			b = append(b, op.s...)
		case opWord:
			b = append(b, ' ')
			if hasControlString(op.s) {
				b = appendEscaped(b, op.s)
			} else {
				b = append(b, op.s...)
			}
		case opPayload:
			b = append(b, ' ')
			start := len(b)
			b = wire.AppendPayload(b, op.p)
			if hasControl(b[start:]) {
				text := string(b[start:])
				b = appendEscaped(b[:start], text)
			}
		case opMsg:
			b = append(b, " #"...)
			b = wire.AppendUint(b, op.n)
			b = append(b, ' ')
			b = append(b, op.s...)
			b = append(b, '>')
			b = append(b, op.s2...)
		}
	}
	if len(ops) > 0 {
		b = append(b, '\n')
	}
	return b
}

func hasControlString(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}

// hasControl reports whether b holds a control byte (below 0x20, or 0x7f),
// eight bytes at a time: payloads are most of the trace's bytes and almost
// never hold one.
func hasControl(b []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		// A byte below 0x20 (x - 0x20 borrows into its high bit while the
		// byte's own high bit is clear), or equal to 0x7f (zero after xor).
		// Borrows only cross from a byte that matched, so no false hit
		// comes without a true one.
		y := x ^ (0x7f * ones)
		if ((x-0x20*ones)&^x|(y-ones)&^y)&highs != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c < 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}

// appendEscaped appends s with its control bytes escaped.
func appendEscaped(buf []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\n':
			buf = append(buf, '\\', 'n')
		case c == '\r':
			buf = append(buf, '\\', 'r')
		case c == '\t':
			buf = append(buf, '\\', 't')
		case c < 0x20 || c == 0x7f:
			buf = append(buf, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			buf = append(buf, c)
		}
	}
	return buf
}

// Lines returns the number of lines recorded so far.
func (t *Trace) Lines() uint64 { return t.lines }

// Hash returns the hex SHA-256 of everything recorded so far ("" when the
// trace is off).
func (t *Trace) Hash() string {
	if t.off {
		return ""
	}
	t.wait()
	return hex.EncodeToString(t.sink.sum.Sum(nil))
}

// Flush writes out every finished line and returns the first write error.
func (t *Trace) Flush() error {
	t.wait()
	return t.sink.err
}
