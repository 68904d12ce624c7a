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
