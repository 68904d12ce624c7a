package scenarios

import (
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README's scenario, written from an existing sentinel.conf, parses
// and runs to its expected verdict; it stays under ten lines.
func TestReadmeScenario(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	m := regexp.MustCompile("(?s)## Scenario files.*?```yaml\n(.*?)```").FindSubmatch(readme)
	require.NotNil(t, m, "no yaml example under ## Scenario files")
	assert.LessOrEqual(t, len(regexp.MustCompile("\n").FindAll(m[1], -1)), 9)
	conf := []byte("port 26379\nsentinel monitor mymaster 10.0.0.1 6379 2\nsentinel down-after-milliseconds mymaster 5000\n")
	f, err := Parse("my.yaml", m[1], func(name string) ([]byte, error) {
		require.Equal(t, "sentinel.conf", name)
		return conf, nil
	})
	require.NoError(t, err)
	res, err := Run(f, 1)
	require.NoError(t, err)
	assert.True(t, res.Matched(), "%s: %s", res.Verdict.Status, res.Verdict.Detail)
	assert.Equal(t, 1, res.Metrics.Failovers)
}
