package scenarios

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Jepsen partition's lost acknowledged APPENDs are a porcupine
// violation; the clean shutdown of seed-003 is linearizable, and says so.
func TestLinearizableExpectation(t *testing.T) {
	for _, tc := range []struct {
		name, got, key string
		want           bool
	}{
		{"jepsen-partition", "violated", "jepsen", false},
		{"seed-003-stop-node1", "ok", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := Find(tc.name)
			require.True(t, ok)
			require.NotNil(t, f.Expect.Linearizable)
			assert.Equal(t, tc.want, *f.Expect.Linearizable)
			res, err := Run(f, 1)
			require.NoError(t, err)
			assert.Equal(t, tc.got, res.Metrics.Linearizable)
			assert.Equal(t, tc.key, res.Metrics.LinearizableKey)
			i := -1
			for j, c := range res.Checks {
				if c.Name == "linearizable" {
					i = j
				}
			}
			require.GreaterOrEqual(t, i, 0, "no linearizable check in %v", res.Checks)
			assert.True(t, res.Checks[i].OK, "%+v", res.Checks[i])
			assert.True(t, res.Matched(), res.Verdict.Detail)
			var page bytes.Buffer
			violated, err := res.WriteLinearizability(&page)
			require.NoError(t, err)
			assert.Equal(t, !tc.want, violated)
			if violated {
				// porcupine's page, with the partition on its timeline.
				// (assert.True: a failure would print the whole page.)
				assert.True(t, strings.Contains(page.String(), "<html"))
				assert.True(t, strings.Contains(page.String(), `"Tag":"faults"`))
				assert.True(t, strings.Contains(page.String(), `"Description":"partition","Details":"{n1,n2} | {n3,n4,n5}`))
			} else {
				assert.Zero(t, page.Len())
			}

			// The opposite expectation fails the run, naming what it saw.
			g := *f
			flip := !tc.want
			g.Expect.Linearizable = &flip
			res, err = Run(&g, 1)
			require.NoError(t, err)
			assert.Equal(t, Violated, res.Verdict.Status)
			assert.Contains(t, res.Verdict.Detail, "linearizable: want "+map[bool]string{true: "true", false: "false"}[flip]+", got "+tc.got)
		})
	}
}

// A run without clients has no linearizability verdict.
func TestLinearizableWithoutClients(t *testing.T) {
	f, ok := Find("redis-suite-kill-master")
	require.True(t, ok)
	require.Empty(t, f.Clients)
	res, err := Run(f, 1)
	require.NoError(t, err)
	assert.Empty(t, res.Metrics.Linearizable)
}
