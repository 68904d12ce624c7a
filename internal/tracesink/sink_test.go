package tracesink

import "testing"

// HasControl's eight-bytes-at-a-time test agrees with the byte loop on every
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
		if got := HasControl(b); got != want {
			t.Fatalf("HasControl(%q) = %v, want %v", b, got, want)
		}
	})
}
