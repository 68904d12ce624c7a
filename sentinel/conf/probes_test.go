package conf

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostDependent are probe lines whose outcome depends on the host running
// Redis (files, modules), which Parse does not look at.
var hostDependent = map[string]string{
	"dir zzzq":                   "chdir fails on the probing host; Parse accepts any dir",
	"dir /nonexistent":           "chdir fails on the probing host; Parse accepts any dir",
	"include zzzq":               "Parse refuses include: no files",
	"include /nonexistent":       "Parse refuses include: no files",
	"loadmodule /nonexistent.so": "Redis fails later, when it loads modules; Parse refuses loadmodule",
}

// TestDirectiveProbes replays testdata/probes/directives.tsv: one standard
// directive per row and what redis-server --sentinel 7.0.15 said about it.
func TestDirectiveProbes(t *testing.T) {
	f, err := os.Open("testdata/probes/directives.tsv")
	require.NoError(t, err)
	defer f.Close()
	s := bufio.NewScanner(f)
	n := 0
	for s.Scan() {
		row := s.Text()
		if row == "" || row[0] == '#' {
			continue
		}
		line, want, ok := strings.Cut(row, "\t")
		require.True(t, ok, row)
		n++
		if why, skip := hostDependent[line]; skip {
			t.Logf("skipping %q: %s", line, why)
			continue
		}
		_, err := Parse("probe.conf", []byte(line+"\n"))
		if want == "OK" {
			assert.NoError(t, err, "line %q", line)
			continue
		}
		var e *Error
		if assert.True(t, errors.As(err, &e), "line %q: want %q, got %v", line, want, err) {
			assert.Equal(t, 1, e.Line, line)
			assert.Equal(t, want, e.Msg, "line %q", line)
			assert.Equal(t, trimLine(line), e.Text)
		}
	}
	require.NoError(t, s.Err())
	require.Greater(t, n, 600)
}

type sentinelProbe struct {
	Name    string
	Input   string
	Rewrite string
	Dir     string
	Error   *struct {
		Line int
		Text string
		Msg  string
	}
}

// TestSentinelProbes replays testdata/probes/sentinel.json: a file per case
// (mostly one "sentinel" directive, good or bad) and either the error
// redis-server --sentinel 7.0.15 printed or the file it wrote on SENTINEL
// FLUSHCONFIG.
func TestSentinelProbes(t *testing.T) {
	data, err := os.ReadFile("testdata/probes/sentinel.json")
	require.NoError(t, err)
	var probes []sentinelProbe
	require.NoError(t, json.Unmarshal(data, &probes))
	require.Greater(t, len(probes), 100)
	executable := func(p string) bool { return p == "/bin/true" } // as on the probing host
	for _, p := range probes {
		t.Run(p.Name, func(t *testing.T) {
			c, err := ParseWith(p.Name+".conf", []byte(p.Input), Options{Executable: executable})
			if p.Error != nil {
				var e *Error
				require.True(t, errors.As(err, &e), "want %+v, got %v", *p.Error, err)
				assert.Equal(t, p.Error.Line, e.Line)
				assert.Equal(t, p.Error.Text, e.Text)
				assert.Equal(t, p.Error.Msg, e.Msg)
				return
			}
			require.NoError(t, err)
			switch p.Name {
			case "mon_host_unresolvable":
				// Redis writes the address it resolved the name to, here
				// none; Rewrite keeps the name.
				assert.Contains(t, p.Rewrite, "sentinel monitor mymaster  6390 2")
				return
			case "ap_empty":
				// Redis writes "sentinel auth-pass mymaster " (unreadable);
				// an empty AuthPass is unset here.
				assert.Contains(t, p.Rewrite, "sentinel auth-pass mymaster \n")
				assert.Empty(t, c.Masters[0].AuthPass)
				return
			case "mon_host_resolve", "mon_host_resolve_after":
				// Redis resolved localhost to 127.0.0.1; Parse resolves nothing.
				assert.Equal(t, "localhost", c.Masters[0].Addr.Host)
				c.Masters[0].Addr.Host = "127.0.0.1"
			}
			if c.Dir == "" {
				c.Dir = p.Dir
			}
			if c.MyID == "" {
				// Start-up generated an id and rewrote the file first.
				for _, l := range strings.Split(p.Rewrite, "\n") {
					if id, ok := strings.CutPrefix(l, "sentinel myid "); ok {
						c.MyID = id
					}
				}
				c, err = Parse(p.Name+".conf", c.Rewrite())
				require.NoError(t, err)
			}
			assert.Equal(t, normalizeHashOrder(p.Rewrite), normalizeHashOrder(string(c.Rewrite())))
		})
	}
}
