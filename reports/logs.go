package reports

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// LogDir is the run directory's folder of sentinel logs.
const LogDir = "logs"

// logEpoch is the wall time simulated time 0 is written as in the logs.
var logEpoch = time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)

// WriteSentinelLogs writes, for each sentinel of a run, the log file the
// real redis-sentinel would have written (Redis 7 format: "pid:X dd Mon
// yyyy hh:mm:ss.mmm <level> <text>"), from the events of the canonical
// trace: what 'sentinelsim replay' reads, so that a simulated run can be
// replayed like a real one. Times are the simulated time from 1 Jan 2000
// (a node's own clock, which faults can move, is not in the trace).
func WriteSentinelLogs(dir string, trace io.Reader, sentinels []string) error {
	if err := os.MkdirAll(filepath.Join(dir, LogDir), 0o755); err != nil {
		return err
	}
	files := map[string]*bufio.Writer{}
	var closers []*os.File
	defer func() {
		for _, f := range closers {
			f.Close()
		}
	}()
	pid := map[string]int{}
	for i, s := range sentinels {
		f, err := os.Create(filepath.Join(dir, LogDir, s+".log"))
		if err != nil {
			return err
		}
		closers = append(closers, f)
		files[s] = bufio.NewWriter(f)
		pid[s] = i + 1
	}
	sc := bufio.NewScanner(trace)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		at, rest, _ := strings.Cut(sc.Text(), " ")
		verb, rest, _ := strings.Cut(rest, " ")
		if verb != "event" && verb != "boot" {
			continue
		}
		node, text, _ := strings.Cut(rest, " ")
		w, ok := files[node]
		if !ok {
			continue
		}
		var ms int64
		if _, err := fmt.Sscan(at, &ms); err != nil {
			continue
		}
		if verb == "boot" {
			pid[node] += len(sentinels) // a restart is a new process
			continue
		}
		if len(text) < 2 || text[1] != ' ' {
			continue
		}
		t := logEpoch.Add(time.Duration(ms) * time.Millisecond)
		fmt.Fprintf(w, "%d:X %s %s\n", pid[node], t.Format("02 Jan 2006 15:04:05.000"), text)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	for _, s := range sentinels {
		if err := files[s].Flush(); err != nil {
			return err
		}
	}
	for _, f := range closers {
		if err := f.Close(); err != nil {
			return err
		}
	}
	closers = nil
	return nil
}
