package logs

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzParse: on any input, Parse does not panic or fail, every line number
// it reports is within the input, and entries come in strictly increasing
// line order with millisecond times.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/incidents/*.log")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		for _, line := range bytes.Split(b, []byte("\n")) {
			f.Add(line)
		}
	}
	f.Add([]byte("redis-sentinel_1  | 1:X 09 Jan 2024 10:15:42.123 # +switch-master m ::1 6379 ::2 6380\r\n"))
	f.Add([]byte("Jan 09 10:15:42 h redis-sentinel[4]: [4] 31 Dec 23:59:59.999 # +new-epoch 1\n[4] 01 Jan 00:00:00.000 * x"))
	f.Add([]byte("1:signal-handler (1713937702) Received SIGTERM\n\x1b[36ma |\x1b[0m 2:X 29 Feb 2024 00:00:00.000 . -cmd-link-reconnection master m a 1 #err"))
	f.Fuzz(func(t *testing.T, in []byte) {
		l, err := Parse("f.log", bytes.NewReader(in), Options{MaxLine: 512})
		if err != nil {
			t.Fatalf("error on an in-memory reader: %v", err)
		}
		lines := bytes.Count(in, []byte("\n"))
		if len(in) > 0 && in[len(in)-1] != '\n' {
			lines++
		}
		within := func(what string, no int) {
			if no < 1 || no > lines {
				t.Fatalf("%s at line %d of %d", what, no, lines)
			}
		}
		for _, p := range l.Problems {
			within("problem "+p.Msg, p.Line)
			if p.File != "f.log" || !strings.HasPrefix(p.String(), "f.log:") {
				t.Fatalf("problem without its file: %q", p.String())
			}
		}
		for _, a := range l.Aside {
			within("aside", a.Line)
		}
		prev := 0
		for _, e := range l.Entries {
			within("entry", e.Line)
			if e.Line <= prev {
				t.Fatalf("entry at line %d after line %d", e.Line, prev)
			}
			prev = e.Line
			if e.Time.Nanosecond()%int(time.Millisecond) != 0 || e.Time.Location() != time.UTC {
				t.Fatalf("line %d: time %v is not UTC milliseconds", e.Line, e.Time)
			}
			if e.Source.PID != e.PID || e.Source.File != "f.log" {
				t.Fatalf("line %d: source %v", e.Line, e.Source)
			}
		}
	})
}
