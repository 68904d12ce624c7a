package wire

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Every value a slab hands out is zero and distinct from every other, across
// the arrays it carves them from.
func TestSlabValuesAreFreshAndDistinct(t *testing.T) {
	var s Slab[Reply]
	seen := map[*Reply]bool{}
	for i := range 3*slabSize + 1 {
		r := s.New()
		require.Equal(t, Reply{}, *r, "value %d", i)
		require.False(t, seen[r], "value %d handed out twice", i)
		seen[r] = true
		r.Seq = uint64(i + 1) // written after: a later New must not see it
	}
	require.Len(t, seen, 3*slabSize+1)
}
