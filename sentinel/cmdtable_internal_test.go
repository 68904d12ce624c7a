package sentinel

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The commands lookupCommand finds without the table are the table's, and
// a spec's worked-out fields agree with its name and flags.
func TestCommandFastPathsAreTheTable(t *testing.T) {
	for _, name := range []string{"PUBLISH", "PING"} {
		c, sub := lookupCommand([]string{name, "x"})
		require.False(t, sub, name)
		require.NotNil(t, c, name)
		require.Same(t, cmdName[name], c, name)
	}
	for _, c := range cmdByID {
		require.Equal(t, c.hasFlag("no_auth"), c.noAuth, c.name)
		joined := c.aclName
		if c.aclSub != "" {
			joined += "|" + c.aclSub
		}
		require.Equal(t, c.name, joined)
	}
}
