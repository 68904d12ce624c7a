package reports

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

// Diff lines up the two decision traces and shows what only one of them
// has, and what both have at different times.
func TestDiff(t *testing.T) {
	a := []Decision{
		{At: 1000, Type: "fault", Text: "crash r1"},
		{At: 7000, Node: "s1", Type: "+odown", Text: "master m 10.0.0.1 6379"},
		{At: 7100, Node: "s1", Type: "+promoted-slave", Text: "slave r2"},
		{At: 9000, Node: "s1", Type: "+switch-master", Text: "m r1 r2"},
	}
	b := []Decision{
		{At: 1000, Type: "fault", Text: "crash r1"},
		{At: 7500, Node: "s1", Type: "+odown", Text: "master m 10.0.0.1 6379"},
		{At: 7600, Node: "s1", Type: "+promoted-slave", Text: "slave r3"},
		{At: 9000, Node: "s1", Type: "+switch-master", Text: "m r1 r2"},
	}
	var out bytes.Buffer
	differ, err := Diff(&out, a, b)
	require.NoError(t, err)
	require.True(t, differ)
	require.Equal(t, `~ 7000ms→7500ms          s1        +odown                         master m 10.0.0.1 6379
+ 7600ms                 s1        +promoted-slave                slave r3
- 7100ms                 s1        +promoted-slave                slave r2
`, out.String())

	out.Reset()
	differ, err = Diff(&out, a, a)
	require.NoError(t, err)
	require.False(t, differ)
	require.Empty(t, out.String())
}
