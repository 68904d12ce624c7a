package info

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reparseSamples are INFO texts a sentinel reads: a master's, a replica's,
// and odd ones (replica fields before the role line, a key twice, LF
// endings, a role line Sentinel does not take).
func reparseSamples() []string {
	m := Defaults()
	m.RunID = "0123456789abcdef0123456789abcdef01234567"
	m.UptimeSeconds, m.MasterReplOffset = 42, 1000
	r := m
	r.Role, r.MasterHost, r.MasterPort, r.MasterLinkUp = RoleSlave, "10.0.0.1", 6379, true
	r.SlaveReplOffset, r.SlaveReadReplOffset, r.MasterLastIOSecondsAgo, r.SlavePriority = 990, 990, 1, 100
	withSlaves := m
	withSlaves.Slaves = []Replica{{IP: "10.0.0.2", Port: 6379, State: StateOnline, Offset: 7, Lag: 1}}
	withSlaves.ConnectedSlaves = 1
	return []string{
		Format(m), Format(r), Format(withSlaves),
		"slave_repl_offset:5\r\nrole:slave\r\nslave_repl_offset:6\r\n",
		"role:slave\nuptime_in_seconds:1\nuptime_in_seconds:2\nslave_repl_offset:3\n",
		"role:slave\nrole:sentinel\nmaster_last_io_seconds_ago:4\nrole:master\n",
		"uptime_in_seconds:9",
		"role:master\r\nx:role:slave\r\nslave_repl_offset:1\r\nrole:slave\r\n", // a role: not at a line start
	}
}

// Reparse returns what Parse returns, whatever changed between the two
// texts; changes of plain values only read the changed lines.
func TestReparseIsParse(t *testing.T) {
	type change struct{ from, to string }
	for _, text := range reparseSamples() {
		prev, err := Parse(text)
		require.NoError(t, err)
		for _, c := range []struct {
			change
			partial bool // read without a whole parse
		}{
			{change{"uptime_in_seconds:42", "uptime_in_seconds:52"}, true},
			{change{"uptime_in_seconds:1\n", "uptime_in_seconds:100\n"}, false}, // a later line sets it again
			{change{"uptime_in_seconds:2\n", "uptime_in_seconds:100\n"}, true},
			{change{"uptime_in_seconds:9", "uptime_in_seconds:10"}, true},
			{change{"master_repl_offset:1000", "master_repl_offset:2000"}, true},
			{change{"slave_repl_offset:990", "slave_repl_offset:1990"}, true},
			{change{"slave_repl_offset:5", "slave_repl_offset:15"}, true},                  // before the role line: not read
			{change{"slave_repl_offset:6", "slave_repl_offset:16"}, true},                  // after it
			{change{"slave_repl_offset:1\r", "slave_repl_offset:11\r"}, true},              // after role:master and a role: that is no line start
			{change{"master_last_io_seconds_ago:4", "master_last_io_seconds_ago:5"}, true}, // final role master
			{change{"master_last_io_seconds_ago:1", "master_last_io_seconds_ago:2"}, true},
			{change{"offset=7,lag=1", "offset=8,lag=0"}, false}, // a slaveN line
			{change{"role:master", "role:slave"}, false},
			{change{"run_id:0123", "run_id:9123"}, false},
			{change{"uptime_in_seconds:42\r\n", "uptime_in_seconds:42\r\nextra:1\r\n"}, false}, // a new line
			{change{"connected_clients:0", "connected_clients:"}, true},
		} {
			if !strings.Contains(text, c.from) {
				continue
			}
			next := strings.Replace(text, c.from, c.to, 1)
			want, wantErr := Parse(next)
			got, err := Reparse(text, prev, next)
			require.Equal(t, wantErr, err, "%q -> %q in %q", c.from, c.to, text)
			require.Equal(t, want, got, "%q -> %q in %q", c.from, c.to, text)
			_, partial := reparse(text, &prev, next)
			assert.Equal(t, c.partial, partial, "%q -> %q: read without a whole parse", c.from, c.to)
		}
		same, err := Reparse(text, prev, strings.Clone(text))
		require.NoError(t, err)
		require.Equal(t, prev, same)
	}
	assert.Equal(t, "", roleBefore("role:sentinel\n"))
	assert.Equal(t, RoleMaster, roleBefore("role:master\nx:role:slave\n"))
	assert.Equal(t, RoleSlave, roleBefore("role:slave\r\nrole:x\n"))
	assert.Equal(t, RoleMaster, roleBefore("a:1\nrole:slave\nrole:master\r\nb:2\n"))
}

// FuzzReparse: Reparse of a text from the parse of another, the first with
// a part replaced (at, cut bytes, by ins), is the text's parse.
func FuzzReparse(f *testing.F) {
	for _, a := range reparseSamples() {
		for _, key := range []string{"uptime_in_seconds:", "slave_repl_offset:", "role:", "\n", "master_last_io_seconds_ago:"} {
			if k := strings.Index(a, key); k >= 0 {
				f.Add(a, uint16(k+len(key)), uint8(1), "7")
				f.Add(a, uint16(k), uint8(0), key+"1\n")
			}
		}
		f.Add(a, uint16(0), uint8(0), "")
	}
	f.Fuzz(func(t *testing.T, prev string, at uint16, cut uint8, ins string) {
		pi, err := Parse(prev)
		if err != nil {
			return
		}
		k := min(int(at), len(prev))
		text := prev[:k] + ins + prev[min(k+int(cut), len(prev)):]
		want, wantErr := Parse(text)
		got, err := Reparse(prev, pi, text)
		if err != wantErr {
			t.Fatalf("error %v, want %v", err, wantErr)
		}
		if !assert.ObjectsAreEqual(want, got) {
			t.Fatalf("Reparse(%q, _, %q)\n got %+v\nwant %+v", prev, text, got, want)
		}
	})
}

// BenchmarkReparse reads a master's INFO that differs from the previous
// one in its uptime, as a sentinel does every 10 s for each instance.
func BenchmarkReparse(b *testing.B) {
	m := Defaults()
	m.RunID = "0123456789abcdef0123456789abcdef01234567"
	m.UptimeSeconds = 10
	prev := Format(m)
	m.UptimeSeconds = 20
	text := Format(m)
	pi, _ := Parse(prev)
	for b.Loop() {
		if _, err := Reparse(prev, pi, text); err != nil {
			b.Fatal(err)
		}
	}
}
