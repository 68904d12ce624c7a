package sim

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"strconv"

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
//	1001 recv #12 s1>r1 PING
//	1001 drop #13 s1>r2 partition PING
//	1001 held #14 s1>r3 PING               (r3 is paused; delivered on resume)
//	2000 dup #15 s2>r1 PING                (a second copy is on its way)
//	3000 persist s1 57B
//	3000 event s1 +sdown master mymaster 10.0.0.1 6379
//	4000 fault partition {s1 s2} {r1}
//	4000 flap down s1>r1
//	5000 boot s1 restored=57B
//
// Timer firings are not recorded: they are internal to a process, and
// everything they cause is.
type Trace struct {
	out   *bufio.Writer // nil: hash only
	sum   hash.Hash
	buf   []byte
	lines uint64
	err   error
}

// newTrace returns a recorder writing to w, or only hashing when w is nil.
func newTrace(w io.Writer) *Trace {
	t := &Trace{sum: sha256.New(), buf: make([]byte, 0, 256)}
	if w != nil {
		t.out = bufio.NewWriterSize(w, 64<<10)
	}
	return t
}

// begin starts a line at time at with the given verb.
func (t *Trace) begin(at wire.Time, verb string) {
	t.buf = strconv.AppendInt(t.buf[:0], int64(at), 10)
	t.buf = append(t.buf, ' ')
	t.buf = append(t.buf, verb...)
}

// word appends a space and s.
func (t *Trace) word(s string) {
	t.buf = append(t.buf, ' ')
	t.buf = append(t.buf, s...)
}

// msg appends "#id from>to".
func (t *Trace) msg(w *World, m *wire.Message) {
	t.buf = append(t.buf, " #"...)
	t.buf = strconv.AppendUint(t.buf, m.ID, 10)
	t.buf = append(t.buf, ' ')
	t.buf = append(t.buf, w.nodes[m.From].name...)
	t.buf = append(t.buf, '>')
	t.buf = append(t.buf, w.nodes[m.To].name...)
}

// end finishes the line, hashes it and writes it out.
func (t *Trace) end() {
	t.buf = append(t.buf, '\n')
	t.sum.Write(t.buf)
	t.lines++
	if t.out != nil && t.err == nil {
		_, t.err = t.out.Write(t.buf)
	}
}

// Lines returns the number of lines recorded so far.
func (t *Trace) Lines() uint64 { return t.lines }

// Hash returns the hex SHA-256 of everything recorded so far.
func (t *Trace) Hash() string { return hex.EncodeToString(t.sum.Sum(nil)) }

// Flush writes buffered lines out and returns the first write error.
func (t *Trace) Flush() error {
	if t.out != nil && t.err == nil {
		t.err = t.out.Flush()
	}
	return t.err
}
