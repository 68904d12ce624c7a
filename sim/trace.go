package sim

import (
	"encoding/hex"
	"io"

	"github.com/sentinelsim/sentinelsim/internal/tracesink"
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
// The world only notes what each line holds (strings, numbers and
// payloads, none of which changes once sent) and hands the lines over a
// batch at a time to a tracesink.Sink, which formats them on other
// goroutines and hashes and writes them in order: the bytes are the same
// whatever the scheduling. The writer is called from those goroutines, one
// call at a time, in order; Flush and Hash wait for every finished line.
type Trace struct {
	off bool // records nothing (Config.NoTrace)
	// ops holds the finished lines' parts up to mark, then the parts of
	// the line being built.
	ops   []tracesink.Op
	mark  int
	lines uint64
	sink  *tracesink.Sink
	// names are the nodes' names by NodeID (World.AddNode appends; an
	// entry never changes).
	names []string
	held  [][]tracesink.Op // batches kept unformatted until Flush or Hash (holdTrace)
}

// holdTrace, set by tests only, keeps every batch unformatted until Flush
// or Hash: a payload changed after it was sent would then show in the
// trace hash.
var holdTrace bool

// traceBatch is how many line parts are handed over at once: each hand-over
// wakes a formatting goroutine (a futex call, a costly one on a virtual
// machine), and batches of 2,048 parts made that a few per cent of the
// 100-master shape's world; a batch is 512 KiB.
const traceBatch = 8192

// newTrace returns a recorder writing to w, or only hashing when w is nil,
// or recording nothing when off; inline formats it on the world's goroutine.
func newTrace(w io.Writer, off, inline bool) *Trace {
	t := &Trace{off: off}
	if !off {
		t.sink = tracesink.New(w, !inline)
		t.ops = make([]tracesink.Op, 0, traceBatch+64)
	}
	return t
}

// begin starts a line at time at with the given verb.
func (t *Trace) begin(at wire.Time, verb string) {
	if t.off {
		return
	}
	// A line left unfinished is dropped.
	t.ops = append(t.ops[:t.mark], tracesink.Op{Kind: tracesink.Begin, At: at, S: verb})
}

// beginMsg starts a line about message m: "<at> <verb> #id from>to", and
// then " <payload>" when p is not nil.
func (t *Trace) beginMsg(at wire.Time, verb string, m *wire.Message, p wire.Payload) {
	if t.off {
		return
	}
	// Filled in place: a line starts here for every send and delivery.
	if t.mark == cap(t.ops) {
		t.ops = append(t.ops[:t.mark], tracesink.Op{})
	} else {
		t.ops = t.ops[:t.mark+1]
	}
	op := &t.ops[t.mark]
	op.At, op.ID, op.From, op.To, op.Kind, op.S, op.P = at, m.ID, m.From, m.To, tracesink.BeginMsg, verb, p
}

// word appends a space and s. Control bytes in s (below 0x20, and 0x7f) are
// escaped as \n, \r, \t or \xNN, so that text from a process (an event, a
// payload, a panic value) can never start a line of its own.
func (t *Trace) word(s string) {
	if t.off {
		return
	}
	t.ops = append(t.ops, tracesink.Op{Kind: tracesink.Word, S: s})
}

// payload appends a space and p's text, escaped like word.
func (t *Trace) payload(p wire.Payload) {
	if t.off {
		return
	}
	t.ops = append(t.ops, tracesink.Op{Kind: tracesink.Payload, P: p})
}

// end finishes the line; a full batch is handed over.
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

// ship hands the finished lines to the sink.
func (t *Trace) ship() {
	if t.mark == 0 {
		return
	}
	batch := t.ops[:t.mark]
	t.ops = append(t.sink.Recycled(cap(t.ops)), t.ops[t.mark:]...) // an unfinished line, if any
	t.mark = 0
	if holdTrace {
		t.held = append(t.held, batch)
		return
	}
	t.sink.Submit(batch, t.names)
}

// wait hands over the finished lines and waits until they are hashed and
// written.
func (t *Trace) wait() {
	t.ship()
	for _, batch := range t.held {
		t.sink.Submit(batch, t.names)
	}
	t.held = nil
	t.sink.Wait()
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
	return hex.EncodeToString(t.sink.Sum())
}

// Flush writes out every finished line and returns the first write error.
func (t *Trace) Flush() error {
	if t.off {
		return nil
	}
	t.wait()
	return t.sink.Err()
}
