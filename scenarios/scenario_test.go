package scenarios

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSeed003(t *testing.T) {
	res, err := RunFile("library/seed-003-stop-node1.yaml", 1)
	require.NoError(t, err)
	t.Logf("%+v", res)
}
