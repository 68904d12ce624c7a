package conf

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// goldenDir is where the real redis-server ran when the golden rewrites in
// testdata/golden were captured: its getcwd(), which Redis writes as dir.
const goldenDir = "/tmp/sentinelconf-golden/"

// normalizeHashOrder sorts what Redis writes in hash-table order, which
// changes from run to run: the block of standard directives appended after
// the rewrite signature, and each run of consecutive lines of one sentinel
// directive for one master (known-replica, known-sentinel, rename-command
// slots reused in place).
func normalizeHashOrder(text string) string {
	lines := strings.Split(text, "\n")
	if i := slices.Index(lines, Signature); i >= 0 {
		plain := func(l string) bool {
			return l != "" && l[0] != '#' && !strings.HasPrefix(l, "user ") && !strings.HasPrefix(l, "sentinel ")
		}
		for j := i + 1; j < len(lines); {
			k := j
			for k < len(lines) && plain(lines[k]) {
				k++
			}
			slices.Sort(lines[j:k])
			j = k + 1
		}
	}
	prefix := func(l string) string {
		f := strings.Fields(l)
		if len(f) < 3 || f[0] != "sentinel" {
			return ""
		}
		return strings.Join(f[:3], " ")
	}
	for i := 0; i < len(lines); {
		j := i + 1
		p := prefix(lines[i])
		for p != "" && j < len(lines) && prefix(lines[j]) == p {
			j++
		}
		slices.Sort(lines[i:j])
		i = j
	}
	return strings.Join(lines, "\n")
}

// TestGoldenRewrites compares Rewrite with what redis-server --sentinel
// 7.0.15 wrote for the same file on SENTINEL FLUSHCONFIG (captured by
// running it; the input files carry a myid so that start-up did not
// rewrite them first, except minimal_nomyid, which shows that first
// rewrite and the flush after it).
func TestGoldenRewrites(t *testing.T) {
	inputs, err := filepath.Glob("testdata/golden/*.conf")
	require.NoError(t, err)
	require.NotEmpty(t, inputs)
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".conf")
		t.Run(name, func(t *testing.T) {
			text, err := os.ReadFile(in)
			require.NoError(t, err)
			want, err := os.ReadFile(strings.TrimSuffix(in, ".conf") + ".rewrite")
			require.NoError(t, err)
			c, err := Parse(name+".conf", text)
			require.NoError(t, err)
			if c.Dir == "" {
				c.Dir = goldenDir + name
			}
			if c.MyID == "" {
				// Start-up generated an id and rewrote the file; the flush
				// rewrote that again.
				c.MyID = regexp.MustCompile(`sentinel myid (\w+)`).FindStringSubmatch(string(want))[1]
				c, err = Parse(name+".conf", c.Rewrite())
				require.NoError(t, err)
			}
			got := c.Rewrite()
			require.Equal(t, normalizeHashOrder(string(want)), normalizeHashOrder(string(got)))
		})
	}
}
