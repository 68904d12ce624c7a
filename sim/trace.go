package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"io"

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
type Trace struct {
	out io.Writer // nil: hash only
	sum hash.Hash
	// buf holds finished lines up to mark, then the line being built; the
	// finished ones are hashed and written a block at a time (a hash call
	// per line cost more than the hashing).
	buf   []byte
	mark  int
	lines uint64
	err   error
	off   bool // records nothing (Config.NoTrace)
}

// newTrace returns a recorder writing to w, or only hashing when w is nil,
// or recording nothing when off.
func newTrace(w io.Writer, off bool) *Trace {
	// No bufio: buf already hands the writer 32 KiB blocks.
	return &Trace{out: w, sum: sha256.New(), buf: make([]byte, 0, traceBlock+4096), off: off}
}

// begin starts a line at time at with the given verb.
func (t *Trace) begin(at wire.Time, verb string) {
	if t.off {
		return
	}
	t.buf = wire.AppendInt(t.buf[:t.mark], int64(at)) // drops a line left unfinished
	t.buf = append(t.buf, ' ')
	t.buf = append(t.buf, verb...)
}

// word appends a space and s. Control bytes in s (below 0x20, and 0x7f) are
// escaped as \n, \r, \t or \xNN, so that text from a process (an event, a
// payload, a panic value) can never start a line of its own.
func (t *Trace) word(s string) {
	if t.off {
		return
	}
	t.buf = append(t.buf, ' ')
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			t.buf = appendEscaped(t.buf, s)
			return
		}
	}
	t.buf = append(t.buf, s...)
}

// payload appends a space and p's text, escaped like word, without
// building the text as a string first.
func (t *Trace) payload(p wire.Payload) {
	if t.off {
		return
	}
	t.buf = append(t.buf, ' ')
	start := len(t.buf)
	t.buf = wire.AppendPayload(t.buf, p)
	if hasControl(t.buf[start:]) {
		text := string(t.buf[start:])
		t.buf = appendEscaped(t.buf[:start], text)
	}
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

// msg appends "#id from>to".
func (t *Trace) msg(w *World, m *wire.Message) {
	if t.off {
		return
	}
	t.buf = append(t.buf, " #"...)
	t.buf = wire.AppendUint(t.buf, m.ID)
	t.buf = append(t.buf, ' ')
	t.buf = append(t.buf, w.nodes[m.From].name...)
	t.buf = append(t.buf, '>')
	t.buf = append(t.buf, w.nodes[m.To].name...)
}

// traceBlock is how many bytes of finished lines are hashed and written at
// once.
const traceBlock = 32 << 10

// end finishes the line; full blocks are hashed and written out.
func (t *Trace) end() {
	if t.off {
		return
	}
	t.buf = append(t.buf, '\n')
	t.mark = len(t.buf)
	t.lines++
	if t.mark >= traceBlock {
		t.flushBlock()
	}
}

// flushBlock hashes and writes the finished lines.
func (t *Trace) flushBlock() {
	if t.mark == 0 {
		return
	}
	t.sum.Write(t.buf[:t.mark])
	if t.out != nil && t.err == nil {
		_, t.err = t.out.Write(t.buf[:t.mark])
	}
	n := copy(t.buf, t.buf[t.mark:]) // an unfinished line, if any
	t.buf, t.mark = t.buf[:n], 0
}

// Lines returns the number of lines recorded so far.
func (t *Trace) Lines() uint64 { return t.lines }

// Hash returns the hex SHA-256 of everything recorded so far ("" when the
// trace is off).
func (t *Trace) Hash() string {
	if t.off {
		return ""
	}
	t.flushBlock()
	return hex.EncodeToString(t.sum.Sum(nil))
}

// Flush writes buffered lines out and returns the first write error.
func (t *Trace) Flush() error {
	t.flushBlock()
	return t.err
}
