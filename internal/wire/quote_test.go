package wire

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// AppendQuoted is a fast path of strconv.Quote: its output must be the
// same for every string, or traces (and their hashes) would change.
func FuzzAppendQuoted(f *testing.F) {
	for _, s := range []string{"", "plain", "a\"b\\c", "# Replication\r\nrole:master\r\n", "\x00\x07\x7f\x1b", "é\xff\u2028", "tab\tv\vf\fbell\a\b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		require.Equal(t, strconv.Quote(s), string(AppendQuoted(nil, s)))
		require.Equal(t, "x"+strconv.Quote(s), string(AppendQuoted([]byte("x"), s)))
	})
}

// appendArg quotes exactly the arguments that hold a byte of argSpecial,
// wherever in its eight-byte words the byte falls.
func FuzzAppendArg(f *testing.F) {
	for _, s := range []string{"", "PING", "10.0.0.1,26379,4d8e9a4e237f6498895359f79f6116ebdbcb0fd1,0,mymaster,10.1.0.1,6379,0",
		"abcdefg h", "abcdefgh\"", "abcdefghijklmno\x7f", "abcdefgh\xe9", "!!!!!!!!", "a b", "0123456789abcdef ",
		// one special byte inside a whole word, at each kind of byte
		"ab\"defghi", "abc\x7fefghi", "abcd\xe9fghi", "abcde\tghi", "abcdefg\x00i", "\x80bcdefghi", "abcdefghijklmn!\x20q"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		plain := s != ""
		for i := 0; i < len(s); i++ {
			plain = plain && !argSpecial[s[i]]
		}
		want := s
		if !plain {
			want = strconv.Quote(s)
		}
		require.Equal(t, want, string(appendArg(nil, s)))
	})
}

// The append forms print what the String forms printed before them.
func TestAppendTraceForms(t *testing.T) {
	v := Array(Bulk("message"), Bulk("__sentinel__:hello"), Bulk("10.0.0.1,26379,abc,0"), Int(-3), Status("OK"), Error("ERR x"), Nil(), Array())
	require.Equal(t, `["message" "__sentinel__:hello" "10.0.0.1,26379,abc,0" :-3 +OK -ERR x (nil) []]`, v.String())
	require.Equal(t, `c3 #7 open PING "" "a b" "q\"" x`, (&Command{Conn: 3, Seq: 7, Open: true, Args: []string{"PING", "", "a b", `q"`, "x"}}).String())
	require.Equal(t, `c3 #7 -> "role:master\r\n"`, (&Reply{Conn: 3, Seq: 7, Value: Bulk("role:master\r\n")}).String())
	require.Equal(t, `c2 push [+a]`, (&Push{Conn: 2, Value: Array(Status("a"))}).String())
	require.Equal(t, `c2 closed killed`, (&Closed{Conn: 2, Reason: "killed"}).String())
	require.Equal(t, `c2 hangup`, (&Hangup{Conn: 2}).String())
	require.Equal(t, `RST c2 hangup`, (&Reset{Payload: &Hangup{Conn: 2}}).String())
}

// AppendUint and AppendInt write what strconv writes.
func FuzzAppendInt(f *testing.F) {
	for _, v := range []int64{0, 9, 10, 99, 100, -1, -10, 1<<63 - 1, -1 << 63} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v int64) {
		require.Equal(t, strconv.AppendInt([]byte("x"), v, 10), AppendInt([]byte("x"), v))
		require.Equal(t, strconv.AppendUint(nil, uint64(v), 10), AppendUint(nil, uint64(v)))
	})
}
