package confargs

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplitArgs(t *testing.T) {
	for _, tc := range []struct {
		line string
		want []string // nil: unbalanced quotes
	}{
		{"", []string{}},
		{"   \t ", []string{}},
		{"a b  c", []string{"a", "b", "c"}},
		{`"a b" c`, []string{"a b", "c"}},
		{`"a\x41\n\t\"b"`, []string{"aA\n\t\"b"}},
		{`"\x4"`, []string{"x4"}}, // not two hex digits: \x is just x
		{`"a\qb"`, []string{"aqb"}},
		{`'it\'s'`, []string{"it's"}},
		{`'a\nb'`, []string{`a\nb`}},
		{`a"b c"`, []string{"ab c"}}, // a quote may open mid-argument
		{`""`, []string{""}},
		{`"abc`, nil},
		{`'abc`, nil},
		{`"abc"d`, nil},
		{`'abc'd`, nil},
		{`"abc"` + "\v", []string{"abc"}},
		{"a\vb", []string{"a\vb"}}, // \v only separates where isspace is used
		{"a\x00b c", []string{"a"}},
		{"\"a\\", nil},
	} {
		got, ok := SplitArgs(tc.line)
		if tc.want == nil {
			assert.False(t, ok, "%q", tc.line)
			continue
		}
		assert.True(t, ok, "%q", tc.line)
		assert.Equal(t, tc.want, got, "%q", tc.line)
	}
}

func TestQuoteReadsBack(t *testing.T) {
	for _, s := range []string{"", "plain", "a b", "\"q\"", "\\", "\n\r\t\a\b", "\x00\x01\xff", "é"} {
		q := Quote(s)
		got, ok := SplitArgs(q)
		require.True(t, ok, q)
		assert.Equal(t, []string{s}, got, q)
	}
	assert.Equal(t, `"redis\x01"`, Quote("redis\x01"))
	assert.Equal(t, `"\xc3\xa9"`, Quote("é"))
}

func TestCNumbers(t *testing.T) {
	for s, want := range map[string]int{
		"5000": 5000, "5000abc": 5000, "abc": 0, " -5": -5, "+7": 7, "99999999999": 1215752191,
		"99999999999999999999": -1, "-99999999999999999999": 0, "4294967298": 2, "": 0,
	} {
		assert.Equal(t, want, Atoi(s), "atoi(%q)", s)
	}
	for s, want := range map[string]uint64{
		"12": 12, "12x": 12, "-1": math.MaxUint64, "99999999999999999999999": math.MaxUint64, "x": 0,
	} {
		assert.Equal(t, want, Strtoull(s), "strtoull(%q)", s)
	}
	for s, ok := range map[string]bool{"0": true, "-0": false, "007": false, "+5": false, " 5": false,
		"9223372036854775807": true, "9223372036854775808": false, "-9223372036854775808": true, "": false} {
		_, got := String2ll(s)
		assert.Equal(t, ok, got, "string2ll(%q)", s)
	}
	for s, want := range map[string]uint64{"1k": 1000, "1KB": 1024, "2mb": 2 << 20, "1gb": 1 << 30, "": 0, "k": 0,
		"99999999999999999999": math.MaxUint64} {
		got, ok := Memtoull(s)
		assert.True(t, ok, s)
		assert.Equal(t, want, got, "memtoull(%q)", s)
	}
	for _, s := range []string{"-1", "+5", "5x", "5 kb"} {
		_, ok := Memtoull(s)
		assert.False(t, ok, s)
	}
	assert.Equal(t, "1gb", FormatMemory(1<<30))
	assert.Equal(t, "1000", FormatMemory(1000))
	assert.Equal(t, "-1", FormatMemory(-1)) // maxmemory 99999999999999999999 rewrites as -1
}

func TestLoadTextNUL(t *testing.T) {
	// fgets+sdscat: a NUL ends the chunk, and its newline is lost with it.
	assert.Equal(t, "port 1port 2\n", LoadText([]byte("port 1\x00junk\nport 2\n")))
	// A 1500-byte line is read as a 1024-byte chunk and the rest: a NUL in
	// the second chunk cuts only that chunk, newline included.
	long := []byte(strings.Repeat("a", 1500) + "\n")
	long[1100] = 0
	assert.Equal(t, strings.Repeat("a", 1100), LoadText(long))
}
