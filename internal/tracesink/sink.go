package tracesink

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"io"
	"runtime"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Op is one part of a trace line: its start (time and verb, and for a
// message's line "#id from>to"), a word or a payload. A line is a Begin or
// BeginMsg and the parts up to the next one.
type Op struct {
	At       wire.Time   // Begin, BeginMsg
	ID       uint64      // BeginMsg: the message's id
	From, To wire.NodeID // BeginMsg: indexes into the batch's names
	Kind     Kind
	S        string       // the verb (Begin, BeginMsg), the word (Word)
	P        wire.Payload // Payload; BeginMsg: the payload that ends its line, if any
}

// Kind says what an Op is.
type Kind uint8

// The kinds of Op.
const (
	Begin    Kind = iota // "<time> <verb>"
	BeginMsg             // "<time> <verb> #<id> <from>><to>", then " <payload>" if P is set
	Word                 // " <word>", control bytes escaped
	Payload              // " <payload text>", control bytes escaped
)

// slots is how many batches may wait to be formatted: the world blocks
// beyond that, and each holds its payloads alive. Bursts of formatting
// work come at a start (every persisted state is rendered for its line's
// digest: 600 renders of a 100-master sentinel.conf as the sentinels find
// each other), and the world should run on meanwhile: with 4 batches it
// waited for the formatter about 5 % of a 10-minute 100-master run.
const slots = 8

// Sink formats, hashes and writes batches of trace lines, in the order
// they are submitted. Submit, Recycled, Wait, Sum and Err are for one
// goroutine (the world's).
type Sink struct {
	out   io.Writer // nil: hash only
	sum   hash.Hash
	err   error
	async bool
	// last is closed when the latest batch has been hashed and written;
	// slots bounds the batches in flight.
	last  chan struct{}
	slots chan struct{}
	free  chan []Op
	bufs  chan []byte
}

// New returns a sink writing to w (nil: hash only). Batches are formatted
// on other goroutines when async and there is more than one core, at once
// otherwise.
func New(w io.Writer, async bool) *Sink {
	s := &Sink{out: w, sum: sha256.New(), async: async && runtime.GOMAXPROCS(0) > 1,
		last: make(chan struct{}), slots: make(chan struct{}, slots),
		free: make(chan []Op, slots+1), bufs: make(chan []byte, slots+1)}
	close(s.last)
	return s
}

// Recycled returns an empty batch to fill, reusing a formatted one when
// there is one.
func (s *Sink) Recycled(capacity int) []Op {
	select {
	case b := <-s.free:
		return b
	default:
		return make([]Op, 0, capacity)
	}
}

// Submit hands over a batch of whole lines; the sink owns it from now on.
// names are the nodes' names by NodeID (the caller never changes those
// already there).
func (s *Sink) Submit(batch []Op, names []string) {
	if len(batch) == 0 {
		return
	}
	if !s.async {
		buf, err := format(nil, batch, names)
		s.take(buf, err)
		s.recycle(batch)
		return
	}
	s.slots <- struct{}{}
	prev, done := s.last, make(chan struct{})
	s.last = done
	go func() {
		var buf []byte
		select {
		case buf = <-s.bufs:
		default:
			buf = make([]byte, 0, 64<<10)
		}
		buf, err := format(buf[:0], batch, names)
		<-prev // the batches before this one are hashed and written
		s.take(buf, err)
		close(done)
		s.recycle(batch)
		select {
		case s.bufs <- buf:
		default:
		}
		<-s.slots
	}()
}

// recycle clears a formatted batch (its payloads may be collected) and
// offers it for reuse.
func (s *Sink) recycle(batch []Op) {
	clear(batch)
	select {
	case s.free <- batch[:0]:
	default:
	}
}

// take hashes and writes formatted lines (one batch at a time, in order);
// err is formatting's, kept if it is the first.
func (s *Sink) take(buf []byte, err error) {
	if err != nil && s.err == nil {
		s.err = err
	}
	s.sum.Write(buf)
	if s.out != nil && s.err == nil {
		defer func() {
			if r := recover(); r != nil && s.err == nil {
				s.err = fmt.Errorf("trace writer panicked: %v", r)
			}
		}()
		_, s.err = s.out.Write(buf)
	}
}

// format is appendLines that turns a panic (a payload's text) into an error:
// on another goroutine it would end the program, and the world's guard
// cannot see it there.
func format(b []byte, ops []Op, names []string) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = b, fmt.Errorf("formatting the trace panicked: %v", r)
		}
	}()
	return appendLines(b, ops, names), nil
}

// Wait returns when every batch submitted so far is hashed and written.
func (s *Sink) Wait() { <-s.last }

// Sum returns the SHA-256 of everything submitted so far.
func (s *Sink) Sum() []byte {
	s.Wait()
	return s.sum.Sum(nil)
}

// Err returns the first write error, once every batch is written.
func (s *Sink) Err() error {
	s.Wait()
	return s.err
}

// appendLines formats the lines of ops onto b, each ending in "\n"; names are
// the nodes' names by NodeID.
func appendLines(b []byte, ops []Op, names []string) []byte {
	// Lines come in runs of the same time: its text is copied from the
	// run's first line.
	var at [24]byte
	var atText []byte
	var atTime wire.Time
	var pushes pushCache
	for i := range ops {
		op := &ops[i]
		switch op.Kind {
		case Begin, BeginMsg:
			if i > 0 {
				b = append(b, '\n')
			}
			if atText == nil || op.At != atTime {
				atText, atTime = wire.AppendInt(at[:0], int64(op.At)), op.At
			}
			b = append(b, atText...)
			b = append(b, ' ')
			b = append(b, op.S...)
			if op.Kind == BeginMsg {
				b = append(b, " #"...)
				b = wire.AppendUint(b, op.ID)
				b = append(b, ' ')
				b = append(b, names[op.From]...)
				b = append(b, '>')
				b = append(b, names[op.To]...)
				if op.P != nil {
					b = pushes.appendPayload(b, op.P)
				}
			}
		case Word:
			b = append(b, ' ')
			b = appendEscaped(b, op.S) // words are short and few: no test first
		case Payload:
			b = pushes.appendPayload(b, op.P)
		}
	}
	if len(ops) > 0 {
		b = append(b, '\n')
	}
	return b
}

// pushCache remembers where the text of the last pub/sub push's value is
// in the output: a message published to several subscribers is one value
// in several pushes, sent one after the other, and its text is copied, not
// formatted again.
type pushCache struct {
	first      *wire.Value // the value's first element: the same array
	n          int         // the array's length
	start, end int         // its text in the output
}

// appendPayload is the package's appendPayload, but a push whose value the
// push before had too gets that value's text copied instead of formatted.
func (c *pushCache) appendPayload(b []byte, p wire.Payload) []byte {
	push, ok := p.(*wire.Push)
	if !ok || push.Value.Kind != wire.KindArray || len(push.Value.Array) == 0 {
		return appendPayload(b, p)
	}
	first := &push.Value.Array[0]
	b = append(b, ' ')
	start := len(b)
	b = push.AppendTraceHead(b)
	if c.first == first && c.n == len(push.Value.Array) {
		b = append(b, b[c.start:c.end]...)
	} else {
		c.first, c.n, c.start = first, len(push.Value.Array), len(b)
		b = push.Value.AppendTrace(b)
		c.end = len(b)
	}
	if !valueControlFree(push.Value) && hasControl(b[start:]) {
		text := string(b[start:])
		b = appendEscaped(b[:start], text)
		c.first = nil // the text moved
	}
	return b
}

// appendPayload appends a space and p's text, control bytes escaped.
func appendPayload(b []byte, p wire.Payload) []byte {
	b = append(b, ' ')
	start := len(b)
	b = wire.AppendPayload(b, p)
	if !controlFree(p) && hasControl(b[start:]) {
		text := string(b[start:])
		b = appendEscaped(b[:start], text)
	}
	return b
}

// controlFree reports whether p's trace text can hold no control byte, so
// that the look for one can be skipped: a command quotes an argument that
// holds one, a value quotes its bulk strings (as strconv.Quote, which
// escapes every control byte); only a status or error text, and other
// payloads' reasons, are written as they are.
func controlFree(p wire.Payload) bool {
	switch p := p.(type) {
	case *wire.Command:
		return true
	case *wire.Reply:
		return valueControlFree(p.Value)
	case *wire.Push:
		return valueControlFree(p.Value)
	}
	return false
}

// valueControlFree is controlFree for a value.
func valueControlFree(v wire.Value) bool {
	switch v.Kind {
	case wire.KindStatus, wire.KindError:
		return false
	case wire.KindArray:
		for _, e := range v.Array {
			if !valueControlFree(e) {
				return false
			}
		}
	}
	return true
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

// appendEscaped appends s with its control bytes escaped as \n, \r, \t or
// \xNN.
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
