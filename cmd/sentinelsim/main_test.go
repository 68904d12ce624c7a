package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestRunJSONContract checks the fields scripts and CI rely on, that the
// seed comes first and the replay command last, and that the replay command
// reproduces the trace hash.
func TestRunJSONContract(t *testing.T) {
	code, out, _ := runCLI(t, "run", "--seed", "42", "--duration", "90s", "--format", "json")
	require.Equal(t, exitPass, code)

	var rep map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	for _, key := range []string{"seed", "trace_hash", "simulated_ms", "events", "wall_ms", "verdict", "replay"} {
		assert.Contains(t, rep, key)
	}
	assert.EqualValues(t, 42, rep["seed"])
	assert.EqualValues(t, 90_000, rep["simulated_ms"])
	assert.Len(t, rep["trace_hash"], 64)
	assert.Greater(t, rep["events"], float64(1000))
	assert.Equal(t, "pass", rep["verdict"].(map[string]any)["status"])

	trimmed := strings.TrimSpace(out)
	assert.True(t, strings.HasPrefix(trimmed, "{\n  \"seed\": 42,"), "seed must be printed first")
	lastKey := trimmed[strings.LastIndex(trimmed, "\n  \"")+4:]
	assert.True(t, strings.HasPrefix(lastKey, "replay\""), "replay must be printed last, got %q", lastKey)

	replay := rep["replay"].(string)
	i := strings.LastIndex(replay, " run ")
	require.Positive(t, i, "replay command %q", replay)
	args := replay[i+len(" run "):]
	code, again, _ := runCLI(t, append(append([]string{"run"}, strings.Fields(args)...), "--format", "json")...)
	require.Equal(t, exitPass, code)
	var rep2 map[string]any
	require.NoError(t, json.Unmarshal([]byte(again), &rep2))
	assert.Equal(t, rep["trace_hash"], rep2["trace_hash"], "the replay command must reproduce the run")
}

// TestRunTextSeedFirstReplayLast checks the text form's first and last
// lines.
func TestRunTextSeedFirstReplayLast(t *testing.T) {
	code, out, _ := runCLI(t, "run", "--example", "demo", "--seed", "9", "--duration", "70s")
	require.Equal(t, exitPass, code)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	assert.True(t, strings.HasPrefix(lines[0], "seed=9 example=demo duration=70000ms"), lines[0])
	assert.True(t, strings.HasPrefix(lines[len(lines)-1], "replay:"), lines[len(lines)-1])
	assert.Contains(t, lines[len(lines)-1], "run --example demo --seed 9 --duration 70000ms")
	assert.Contains(t, out, "fault partition {redis1} {s1 s2}", "the timeline shows the faults")
}

// The default example runs the real engine: the killed master is failed
// over within the run.
func TestDefaultExampleFailsOver(t *testing.T) {
	code, out, _ := runCLI(t, "run", "--seed", "4", "--duration", "90s")
	require.Equal(t, exitPass, code)
	assert.Contains(t, out, "example=failover")
	assert.Contains(t, out, "fault crash redis1")
	assert.Contains(t, out, "+switch-master mymaster 10.0.0.1 6379")
}

// TestRunWithoutSeedDrawsAndPrintsOne: a run without --seed is still
// replayable because it prints the seed it drew.
func TestRunWithoutSeedDrawsAndPrintsOne(t *testing.T) {
	code, out, _ := runCLI(t, "run", "--duration", "5s", "--format", "json")
	require.Equal(t, exitPass, code)
	var rep struct {
		Seed   uint64
		Replay string
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Contains(t, rep.Replay, "--seed ")
	assert.Less(t, rep.Seed, uint64(1)<<53, "drawn seeds stay exact in JSON")
}

// TestTraceFileMatchesHash: the file written by --trace is the canonical
// trace whose hash the run reports.
func TestTraceFileMatchesHash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trace.txt")
	code, out, _ := runCLI(t, "run", "--seed", "3", "--duration", "30s", "--format", "json", "--trace", path)
	require.Equal(t, exitPass, code)
	var rep struct {
		TraceHash  string `json:"trace_hash"`
		TraceLines int    `json:"trace_lines"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, rep.TraceLines, bytes.Count(data, []byte("\n")))
	assert.Contains(t, string(data), "send #1 ")
}

func TestExitCodes(t *testing.T) {
	code, out, _ := runCLI(t, "run", "--seed", "1", "--max-events", "500", "--format", "json")
	assert.Equal(t, exitUnknown, code, "a bound hit is an unknown verdict")
	assert.Contains(t, out, `"stop": "max-events"`)

	code, _, stderr := runCLI(t, "run", "--format", "yaml")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--format must be text or json")

	code, _, _ = runCLI(t, "run", "--seed", "banana")
	assert.Equal(t, exitUsage, code)

	code, _, stderr = runCLI(t, "frobnicate")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, `unknown verb "frobnicate"`)

	code, out, _ = runCLI(t, "version")
	assert.Equal(t, exitPass, code)
	assert.True(t, strings.HasPrefix(out, "sentinelsim "))

	code, out, _ = runCLI(t, "list")
	assert.Equal(t, exitPass, code)
	assert.Contains(t, out, "demo")
}

func TestSelfcheck(t *testing.T) {
	code, out, _ := runCLI(t, "selfcheck", "--seeds", "5", "--duration", "60s")
	require.Equal(t, exitPass, code, out)
	assert.Contains(t, out, "5 seeds x 2 runs")
	assert.Contains(t, out, ": 0 problems")
	assert.Regexp(t, `(?m)^digest [0-9a-f]{64}$`, out)
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "1500": 1500, "1500ms": 1500, "90s": 90_000, "11m": 660_000} {
		got, err := parseDuration(in)
		require.NoError(t, err, in)
		assert.EqualValues(t, want, got, in)
	}
	for _, bad := range []string{"-5", "-1s", "soon", ""} {
		_, err := parseDuration(bad)
		assert.Error(t, err, bad)
	}
}

// Bad numbers on the command line are usage errors: a duration that is
// zero (or rounds down to zero milliseconds) and negative bounds.
func TestBadNumbersAreUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--duration", "0"}, "duration must be at least 1ms"},
		{[]string{"run", "--duration", "0s"}, "duration must be at least 1ms"},
		{[]string{"run", "--duration", "500us"}, "duration must be at least 1ms"},
		{[]string{"selfcheck", "--duration", "0"}, "duration must be at least 1ms"},
		{[]string{"selfcheck", "--duration", "999us"}, "duration must be at least 1ms"},
		{[]string{"run", "--max-in-flight", "-1"}, "max-in-flight"},
		{[]string{"run", "--max-events", "-1"}, "max-events"},
	} {
		code, out, stderr := runCLI(t, tc.args...)
		assert.Equal(t, exitUsage, code, "%v: %s", tc.args, out)
		assert.Contains(t, stderr, tc.want, "%v", tc.args)
		assert.Empty(t, out, "%v: a usage error runs nothing", tc.args)
	}
}

// The usage in doc.go lists every flag of run and selfcheck.
func TestDocListsEveryFlag(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	for _, verb := range []string{"run", "selfcheck", "sweep"} {
		code, _, stderr := runCLI(t, verb, "-h")
		require.Equal(t, exitPass, code)
		usage := docUsage(string(doc), verb)
		require.NotEmpty(t, usage, "doc.go has no usage line for %s", verb)
		flags := 0
		for _, l := range strings.Split(stderr, "\n") {
			l = strings.TrimSpace(l)
			if !strings.HasPrefix(l, "-") {
				continue
			}
			flags++
			name := strings.Fields(l)[0]
			assert.Regexp(t, `-`+regexp.QuoteMeta(name)+`[ =\]]`, usage, "doc.go's usage of %s lacks %s", verb, name)
		}
		require.Greater(t, flags, 3, "no flags in %s -h:\n%s", verb, stderr)
	}
}

// docUsage returns the usage text of a verb in doc.go: its line and the
// indented continuation lines after it.
func docUsage(doc, verb string) string {
	var out []string
	in := false
	for _, l := range strings.Split(doc, "\n") {
		text := strings.TrimPrefix(l, "//")
		trimmed := strings.TrimSpace(text)
		switch {
		case strings.HasPrefix(trimmed, "sentinelsim "+verb+" "):
			in = true
			out = append(out, trimmed)
		case in && strings.HasPrefix(trimmed, "["):
			out = append(out, trimmed)
		default:
			in = false
		}
	}
	return strings.Join(out, " ") + " "
}

// The replay command names the program as it was invoked, or as go run
// when go run built it.
func TestProgramName(t *testing.T) {
	assert.Equal(t, "go run ./cmd/sentinelsim", programFor("/tmp/go-build123/b001/exe/sentinelsim", "/tmp/go-build123/b001/exe/sentinelsim"))
	assert.Equal(t, "./bin/sentinelsim", programFor("/work/main/bin/sentinelsim", "./bin/sentinelsim"))
	assert.Equal(t, "sentinelsim", programFor("/usr/local/bin/sentinelsim", "sentinelsim"))
	assert.Equal(t, "/opt/sim/sentinelsim", programFor("/opt/sim/sentinelsim", "/opt/sim/sentinelsim"))
}

// bench --trace=false measures the shapes with the trace off only (make
// cost COST_TRACE=off): no traced speed, no trace lines.
func TestBenchTraceOff(t *testing.T) {
	code, out, errOut := runCLI(t, "bench", "--shapes", "idle-3s-3n", "--duration", "10s", "--min-time", "0",
		"--trace=false", "--sweep-seeds", "0", "--porcupine-ops", "0", "--memory-seeds", "0", "--format", "json")
	require.Equal(t, exitPass, code, errOut)
	var figs []struct {
		Name  string  `json:"name"`
		Value float64 `json:"value"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &figs), out)
	names := map[string]float64{}
	for _, f := range figs {
		names[f.Name] = f.Value
	}
	assert.Greater(t, names["shape/idle-3s-3n/speed-untraced"], 0.0, out)
	assert.Greater(t, names["shape/idle-3s-3n/events"], 0.0, out)
	assert.NotContains(t, names, "shape/idle-3s-3n/speed")
	assert.NotContains(t, names, "shape/idle-3s-3n/trace-lines")
}

// bench --format json prints only the list of figures on stdout, every
// section present, every value positive and finite (speed is measured,
// never asserted).
func TestBenchJSON(t *testing.T) {
	code, out, errOut := runCLI(t, "bench", "--shapes", "idle-3s-3n", "--duration", "30s", "--min-time", "0",
		"--sweep-seeds", "1", "--workers", "2", "--porcupine-ops", "500", "--memory-seeds", "4", "--format", "json")
	require.Equal(t, exitPass, code, errOut)
	var figs []struct {
		Name  string  `json:"name"`
		Value float64 `json:"value"`
		Unit  string  `json:"unit"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &figs), out)
	names := map[string]bool{}
	for _, f := range figs {
		names[f.Name] = true
		assert.NotEmpty(t, f.Unit, f.Name)
		if strings.HasSuffix(f.Name, "/steal") {
			assert.GreaterOrEqual(t, f.Value, 0.0, f.Name) // 0 on a machine of its own
			assert.LessOrEqual(t, f.Value, 100.0, f.Name)
			continue
		}
		assert.Greater(t, f.Value, 0.0, f.Name)
	}
	for _, want := range []string{"shape/idle-3s-3n/speed", "shape/idle-3s-3n/speed-untraced", "shape/idle-3s-3n/peak-heap",
		"shape/idle-3s-3n/contention", "machine/contention", "sweep/failover-10m/contention",
		"sweep/failover-10m/workers=1", "sweep/failover-10m/workers=2", "porcupine/check-per-10k-ops", "memory/sweep-heap-growth"} {
		assert.True(t, names[want], "missing %s in %s", want, out)
	}
	if _, err := os.Stat("/proc/stat"); err == nil {
		assert.True(t, names["shape/idle-3s-3n/steal"] && names["machine/steal"], "steal figures missing in %s", out)
	}
	assert.Contains(t, errOut, "bench: seeds 1, 2")
	assert.Contains(t, errOut, "replay:")
}
