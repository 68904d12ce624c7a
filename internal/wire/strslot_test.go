package wire

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// SameText is identity, not equality: a copy of the bytes or a prefix at
// the same address is another text. TextSlot stays within its bits.
func TestSameTextAndTextSlot(t *testing.T) {
	s := "10.0.0.1,26379,4d8e9a4e237f6498895359f79f6116ebdbcb0fd1,0,mymaster,10.1.0.1,6379,0"
	require.True(t, SameText(s, s))
	require.False(t, SameText(s, strings.Clone(s)), "equal bytes elsewhere")
	require.False(t, SameText(s, s[:10]), "a prefix at the same address")
	require.Equal(t, TextSlot(s, 10), TextSlot(s, 10))
	for _, text := range []string{s, strings.Clone(s), s[3:], "PING", ""} {
		require.Less(t, TextSlot(text, 6), uint64(64))
	}
}
