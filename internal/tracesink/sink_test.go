package tracesink

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// hasControl's eight-bytes-at-a-time test agrees with the byte loop on every
// input, wherever the control byte is.
func FuzzHasControl(f *testing.F) {
	for _, s := range []string{"", "plain text, long enough for words", "\x00", "abcdefgh\x1f", "abcdefg\x7f", "\x80\x9f\xff\xfe\xa0\x20\x7e~~", "ééééééé\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want := false
		for _, c := range b {
			if c < 0x20 || c == 0x7f {
				want = true
			}
		}
		if got := hasControl(b); got != want {
			t.Fatalf("hasControl(%q) = %v, want %v", b, got, want)
		}
	})
}

// A payload controlFree passes writes no control byte, whatever its
// strings hold (the seeds' status and error texts hold some, so passing
// every payload fails).
func FuzzControlFree(f *testing.F) {
	f.Add("PING", "role:master\r\n", "OK", uint8(0))
	f.Add("a\x00b", "\x7f", "ERR\nx", uint8(1))
	f.Add("é\xff", "\t", "\x1b[0m", uint8(2))
	f.Fuzz(func(t *testing.T, arg, bulk, status string, kind uint8) {
		payloads := []wire.Payload{
			&wire.Command{Conn: 1, Seq: 2, Open: true, Args: []string{arg, bulk, status}},
			&wire.Reply{Conn: 1, Seq: 2, Value: wire.Array(wire.Bulk(bulk), wire.Int(-1), wire.Nil(), wire.Array(wire.Bulk(arg)))},
			&wire.Push{Conn: 1, Value: wire.Array(wire.Bulk("message"), wire.Bulk(arg), wire.Bulk(bulk))},
			&wire.Reply{Conn: 1, Seq: 2, Value: wire.Status(status)},
			&wire.Reply{Conn: 1, Seq: 2, Value: wire.Array(wire.Bulk(bulk), wire.Error(status))},
			&wire.Closed{Conn: 1, Reason: status},
		}
		for _, p := range payloads {
			text := wire.AppendPayload(nil, p)
			if controlFree(p) && hasControl(text) {
				t.Fatalf("controlFree(%q) but its text holds a control byte", text)
			}
		}
	})
}

// Batches formatted on goroutines of their own come out hashed and written
// in the order they were submitted: the same bytes and hash as formatting
// everything at once.
func TestSinkKeepsSubmissionOrder(t *testing.T) {
	names := []string{"s1", "r1"}
	var all []Op
	for i := range 5000 {
		all = append(all, Op{Kind: BeginMsg, At: wire.Time(i), S: "send", ID: uint64(i), From: 0, To: 1, P: &wire.Command{Conn: 1, Seq: uint64(i), Args: []string{"PING"}}})
		if i%7 == 0 {
			all = append(all, Op{Kind: Word, S: "odd\nword"})
		}
	}
	want := appendLines(nil, all, names)
	for _, async := range []bool{true, false} {
		var out bytes.Buffer
		s := New(&out, async)
		for rest := all; len(rest) > 0; {
			n := min(len(rest), 97)
			for n < len(rest) && rest[n].Kind == Word { // whole lines only
				n++
			}
			batch := append(s.Recycled(128), rest[:n]...)
			s.Submit(batch, names)
			rest = rest[n:]
		}
		if err := s.Err(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), want) {
			t.Fatalf("async=%v: the written trace differs from formatting it at once", async)
		}
		if sum := sha256.Sum256(want); !bytes.Equal(s.Sum(), sum[:]) {
			t.Fatalf("async=%v: the hash differs", async)
		}
	}
}

// panicky is a payload whose text cannot be made.
type panicky struct{}

func (panicky) String() string { panic("no text") }

// A payload that panics while the trace is formatted, on the sink's own
// goroutine, is an error of the trace (Err), not the end of the program.
func TestSinkFormattingPanicIsAnError(t *testing.T) {
	for _, async := range []bool{true, false} {
		s := New(nil, async)
		s.Submit([]Op{{Kind: BeginMsg, S: "send", P: panicky{}}}, []string{"a"})
		s.Submit([]Op{{Kind: Begin, S: "boot"}}, []string{"a"})
		err := s.Err()
		if err == nil || !strings.Contains(err.Error(), "no text") {
			t.Fatalf("async=%v: err = %v", async, err)
		}
	}
}

// The text of a push whose value the push before shared is copied from
// that push's line: the lines are what each payload formats to alone,
// whatever the run of shared values, other payloads between them, array
// lengths or control bytes.
func TestSharedPushValuesFormatAsAlone(t *testing.T) {
	hello := [3]wire.Value{wire.Bulk("message"), wire.Bulk("__sentinel__:hello"), wire.Bulk("10.0.0.2,26379,abc,1,m,10.0.0.1,6379,0")}
	other := [3]wire.Value{wire.Bulk("message"), wire.Bulk("ch"), {Kind: wire.KindStatus, Str: "x\ty"}}
	shared := wire.Array(hello[:]...)
	payloads := []wire.Payload{
		&wire.Push{Conn: 1, Value: shared},
		&wire.Push{Conn: 2, Value: shared},
		&wire.Push{Conn: 3, Value: wire.Array(hello[:2]...)}, // same first element, shorter
		&wire.Push{Conn: 4, Value: shared},
		&wire.Command{Conn: 5, Seq: 1, Args: []string{"PING"}},
		&wire.Push{Conn: 6, Value: shared},
		&wire.Push{Conn: 7, Value: wire.Array(other[:]...)}, // a control byte: escaped
		&wire.Push{Conn: 8, Value: wire.Array(other[:]...)},
		&wire.Push{Conn: 9, Value: wire.Array()},
		&wire.Push{Conn: 10, Value: wire.Bulk("plain")},
		&wire.Push{Conn: 11, Value: shared},
	}
	var ops []Op
	var want []byte
	for i, p := range payloads {
		if i%2 == 0 {
			ops = append(ops, Op{Kind: BeginMsg, S: "send", ID: uint64(i), P: p})
		} else {
			ops = append(ops, Op{Kind: Begin, S: "event"}, Op{Kind: Payload, P: p})
		}
		want = appendLines(want, ops[len(ops)-1-i%2:], []string{"a"})
	}
	got := appendLines(nil, ops, []string{"a"})
	if !bytes.Equal(got, want) {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if !bytes.Contains(got, []byte(`c8 push ["message" "ch" +x\ty]`)) {
		t.Fatalf("the pushes were not formatted as expected:\n%s", got)
	}
}
