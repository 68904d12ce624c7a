package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const tinyScenario = `name: tiny
summary: a crash and a failover
source: test
duration: 1m
redis:
  - {name: r1, addr: "10.0.0.1:6379"}
  - {name: r2, addr: "10.0.0.2:6379", replicaof: r1}
sentinel-config: |
  sentinel monitor m 10.0.0.1 6379 2
  sentinel down-after-milliseconds m 2000
sentinels:
  - {name: s1, addr: "10.0.1.1:26379"}
  - {name: s2, addr: "10.0.1.2:26379"}
  - {name: s3, addr: "10.0.1.3:26379"}
faults:
  - {at: 10s, crash: master}
expect: {failovers: "1"}
`

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return p
}

// run FILE: seed first, replay last, exit 0 on the expected verdict, and
// the replay command reproduces the trace.
func TestRunScenarioFile(t *testing.T) {
	path := writeFile(t, "tiny.yaml", tinyScenario)
	code, out, stderr := runCLI(t, "run", path, "--seed", "5", "--format", "json")
	require.Equal(t, exitPass, code, stderr)
	var rep struct {
		Seed   uint64 `json:"seed"`
		Result struct {
			TraceHash string `json:"trace_hash"`
			Verdict   struct{ Status string }
		} `json:"result"`
		Replay string `json:"replay"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Equal(t, uint64(5), rep.Seed)
	assert.Equal(t, "pass", rep.Result.Verdict.Status)
	assert.True(t, strings.Index(out, `"seed"`) < strings.Index(out, `"replay"`))
	args := strings.Fields(rep.Replay)
	i := 0
	for i+1 < len(args) && args[i+1] != path {
		i++
	}
	code, out2, stderr := runCLI(t, append(args[i:], "--format", "json")...)
	require.Equal(t, exitPass, code, "%v: %s", args[i:], stderr)
	assert.Contains(t, out2, rep.Result.TraceHash)

	// Text: the seed line first, the replay line last.
	code, out, _ = runCLI(t, "run", path, "--seed", "5", "--timeline=false")
	require.Equal(t, exitPass, code)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	assert.True(t, strings.HasPrefix(lines[0], "seed=5 scenario=tiny"), lines[0])
	assert.True(t, strings.HasPrefix(lines[len(lines)-1], "replay:"), lines[len(lines)-1])

	// A mismatch exits 1.
	bad := writeFile(t, "bad.yaml", strings.Replace(tinyScenario, `failovers: "1"`, `failovers: "0"`, 1))
	code, out, _ = runCLI(t, "run", bad, "--seed", "5", "--timeline=false")
	assert.Equal(t, exitMismatch, code)
	assert.Contains(t, out, "MISMATCH: expected pass")
}

// A malformed scenario is exit 65 with file:line on stderr; an unknown
// name is a usage error.
func TestRunScenarioBadInput(t *testing.T) {
	path := writeFile(t, "broken.yaml", strings.Replace(tinyScenario, "crash: master", "crush: master", 1))
	code, out, stderr := runCLI(t, "run", path)
	assert.Equal(t, exitInput, code)
	assert.Empty(t, out)
	assert.Contains(t, stderr, path+`:16: unknown field "crush" in a fault`)
	code, _, stderr = runCLI(t, "run", "no-such-scenario")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, `no scenario or example is named "no-such-scenario"`)
	code, _, _ = runCLI(t, "run", filepath.Join(t.TempDir(), "missing.yaml"))
	assert.Equal(t, exitInput, code)
}

// A sweep with --out records every seed once; run again it resumes with
// nothing left; shards are disjoint and merge to the whole range.
func TestSweepResumeShardsMerge(t *testing.T) {
	path := writeFile(t, "tiny.yaml", tinyScenario)
	dir := t.TempDir()
	code, out, stderr := runCLI(t, "sweep", path, "--seeds", "1..6", "--workers", "2", "--out", filepath.Join(dir, "all"), "--progress", "none")
	require.Equal(t, exitPass, code, stderr)
	assert.True(t, strings.HasPrefix(out, "seeds=1..6 shard=1/1 scenario=tiny"), out)
	assert.Contains(t, out, "verdicts: pass=6 (6 of 6 runs)")
	assert.True(t, strings.HasPrefix(lastLine(out), "replay:"), out)
	results, err := os.ReadFile(filepath.Join(dir, "all", "results.jsonl"))
	require.NoError(t, err)
	assert.Len(t, strings.Split(strings.TrimSpace(string(results)), "\n"), 6)

	// Resume: nothing left to do, the summary still covers all six.
	code, out, _ = runCLI(t, "sweep", path, "--seeds", "1..6", "--out", filepath.Join(dir, "all"), "--progress", "none")
	require.Equal(t, exitPass, code)
	assert.Contains(t, out, "runs=6 (done before: 6)")
	assert.Contains(t, out, "verdicts: pass=6 (6 of 6 runs)")
	// A torn last line (a killed sweep) is ignored and that seed redone.
	torn := strings.TrimSpace(string(results))
	torn = torn[:strings.LastIndexByte(torn, '\n')+1] + `{"scenario":"tiny","se`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "all", "results.jsonl"), []byte(torn), 0o644))
	code, out, _ = runCLI(t, "sweep", path, "--seeds", "1..6", "--out", filepath.Join(dir, "all"), "--progress", "none")
	require.Equal(t, exitPass, code)
	assert.Contains(t, out, "(done before: 5)")

	var seeds []string
	for i, shard := range []string{"1/2", "2/2"} {
		sub := filepath.Join(dir, "shard"+string(rune('a'+i)))
		code, out, _ = runCLI(t, "sweep", path, "--seeds", "1..6", "--shard", shard, "--out", sub, "--progress", "none")
		require.Equal(t, exitPass, code)
		assert.Contains(t, out, "runs=3 ")
		b, err := os.ReadFile(filepath.Join(sub, "results.jsonl"))
		require.NoError(t, err)
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var r sweepLine
			require.NoError(t, json.Unmarshal([]byte(l), &r))
			seeds = append(seeds, r.Replay)
		}
	}
	assert.Len(t, seeds, 6)
	code, out, _ = runCLI(t, "merge", filepath.Join(dir, "sharda"), filepath.Join(dir, "shardb"))
	require.Equal(t, exitPass, code)
	assert.Contains(t, out, "merged 2 directories: 6 runs")

	// Mismatches are listed with their replay command and exit 1.
	bad := writeFile(t, "bad.yaml", strings.Replace(tinyScenario, `failovers: "1"`, `failovers: "0"`, 1))
	code, out, _ = runCLI(t, "sweep", bad, "--seeds", "1..2", "--progress", "none")
	assert.Equal(t, exitMismatch, code)
	assert.Contains(t, out, "mismatch: seed 1: violated, expected pass")
	assert.Contains(t, out, "run "+bad+" --seed 1")
}

func lastLine(s string) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	return l[len(l)-1]
}

// list shows the library with expected verdicts; --names only the names.
func TestListLibrary(t *testing.T) {
	code, out, _ := runCLI(t, "list")
	require.Equal(t, exitPass, code)
	assert.Contains(t, out, "jepsen-partition")
	assert.Contains(t, out, "solaris-misconf")
	code, out, _ = runCLI(t, "list", "--names")
	require.Equal(t, exitPass, code)
	assert.Contains(t, strings.Split(out, "\n"), "seed-003-stop-node1")
}

// Review fixes: a torn line is cut off so later resumes still read the
// file; a resume counts only its own range and shard; results of an edited
// scenario are refused; merge reports missing shards and missing results;
// the replay command keeps the bounds.
func TestSweepReviewFixes(t *testing.T) {
	path := writeFile(t, "tiny.yaml", tinyScenario)
	dir := filepath.Join(t.TempDir(), "out")
	sweep := func(args ...string) (int, string, string) {
		return runCLI(t, append([]string{"sweep", path, "--out", dir, "--progress", "none"}, args...)...)
	}
	code, _, _ := sweep("--seeds", "1..4")
	require.Equal(t, exitPass, code)
	res := filepath.Join(dir, "results.jsonl")
	b, err := os.ReadFile(res)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(res, b[:len(b)-40], 0o644))
	code, _, stderr := sweep("--seeds", "1..6")
	require.Equal(t, exitPass, code, stderr)
	code, out, stderr := sweep("--seeds", "1..6")
	require.Equal(t, exitPass, code, stderr)
	assert.Contains(t, out, "(done before: 6)")
	code, out, _ = sweep("--seeds", "1..2")
	require.Equal(t, exitPass, code)
	assert.Contains(t, out, "verdicts: pass=2 (2 of 2 runs)")

	edited := strings.Replace(tinyScenario, "summary: a crash and a failover", "summary: edited", 1)
	require.NoError(t, os.WriteFile(path, []byte(edited), 0o644))
	code, _, stderr = sweep("--seeds", "1..6")
	assert.Equal(t, exitInput, code)
	assert.Contains(t, stderr, "holds results of another version of scenario tiny")

	shard := filepath.Join(t.TempDir(), "s1")
	code, _, _ = runCLI(t, "sweep", path, "--seeds", "1..6", "--shard", "1/2", "--out", shard, "--progress", "none")
	require.Equal(t, exitPass, code)
	code, out, _ = runCLI(t, "merge", shard)
	assert.Equal(t, exitUnknown, code)
	assert.Contains(t, out, "incomplete: tiny seeds 1..6: 3 of 6 seeds")
	code, _, stderr = runCLI(t, "merge", filepath.Join(t.TempDir(), "nothing"))
	assert.Equal(t, exitInput, code)
	assert.Contains(t, stderr, "no sweep results here")

	code, out, _ = runCLI(t, "run", path, "--seed", "3", "--max-events", "5000", "--timeline=false")
	assert.Equal(t, exitUnknown, code)
	assert.Contains(t, lastLine(out), "--seed 3 --max-events 5000")
}

// sweep fuzz runs one drawn schedule per seed; run fuzz --seed N prints the
// schedule after the seed line and replays the same run.
func TestSweepFuzz(t *testing.T) {
	code, out, stderr := runCLI(t, "sweep", "fuzz", "--seeds", "1..4", "--progress", "none")
	require.Equal(t, exitPass, code, stderr)
	assert.Contains(t, out, "verdicts: pass=4 (4 of 4 runs)")
	code, out, _ = runCLI(t, "run", "fuzz", "--seed", "3", "--timeline=false")
	require.Equal(t, exitPass, code)
	lines := strings.Split(out, "\n")
	assert.True(t, strings.HasPrefix(lines[0], "seed=3 scenario=fuzz"), lines[0])
	assert.Contains(t, out, "schedule (scenarios.GenSchedule")
	assert.Contains(t, out, "sentinel monitor mymaster 10.0.0.1 6379")
	assert.True(t, strings.HasPrefix(lastLine(out), "replay:"))
}

// replay --format json on logs of the real redis-sentinel 7.0.15 gives the
// documented fields, with switches as {master, from, to, epoch} and match.
func TestReplayJSON(t *testing.T) {
	dir := filepath.Join("..", "..", "scenarios", "replay", "testdata", "real-7.0.15-kill-master")
	var out, errb bytes.Buffer
	code := run([]string{"replay", "--format", "json", "--seeds", "3", "--conf", filepath.Join(dir, "s1.conf"),
		filepath.Join(dir, "sentinel1.log"), filepath.Join(dir, "sentinel2.log"), filepath.Join(dir, "sentinel3.log")}, &out, &errb)
	require.Equal(t, 0, code, errb.String())
	var got map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &got))
	for _, k := range []string{"events", "anomalies", "faults", "real", "simulated", "seeds", "match", "scenario", "replay"} {
		require.Contains(t, got, k)
	}
	require.Equal(t, true, got["match"])
	real := got["real"].(map[string]any)
	require.Equal(t, float64(1), real["failovers"])
	require.Equal(t, []any{map[string]any{"master": "mymaster", "from": "127.0.0.1:27201", "to": "127.0.0.1:27202", "epoch": float64(1)}}, real["switches"])
	sim := got["simulated"].(map[string]any)
	require.Equal(t, float64(1), sim["failovers"])
}

// replay --out writes replay.json, a run directory of the real logs with
// its HTML report (the logs' own timeline) and one of the simulated replay.
func TestReplayOut(t *testing.T) {
	dir := filepath.Join("..", "..", "scenarios", "replay", "testdata", "real-7.0.15-kill-master")
	out := t.TempDir()
	var so, se bytes.Buffer
	code := run([]string{"replay", "--seeds", "1", "--conf", filepath.Join(dir, "s1.conf"), "--out", out,
		filepath.Join(dir, "sentinel1.log"), filepath.Join(dir, "sentinel2.log"), filepath.Join(dir, "sentinel3.log")}, &so, &se)
	require.Equal(t, 0, code, se.String())
	for _, f := range []string{"replay.json", "real/report.html", "real/decisions.txt", "run-seed-1/report.html", "run-seed-1/scenario.yaml", "run-seed-1/logs/s1.log"} {
		_, err := os.Stat(filepath.Join(out, f))
		require.NoError(t, err, f)
	}
	b, err := os.ReadFile(filepath.Join(out, "real", "decisions.txt"))
	require.NoError(t, err)
	require.Contains(t, string(b), "+switch-master")
	require.Contains(t, string(b), "crash r1")
}

// replay's text report on real partitions (redis-sentinel 7.0.15 with one
// loopback address per host, iptables cuts) names the partition in the
// story and as the inferred fault, and the simulation agrees.
func TestReplayTextPartition(t *testing.T) {
	for _, c := range []struct{ dir, fault, story string }{
		{"real-7.0.15-minority-master", "partition r1 s1 for ", "story:    Partition: r1 and s1 cut off from the rest"},
		{"real-7.0.15-isolate-sentinel", "isolate s3 for ", "story:    Partition: s3's host cut off from every other"},
	} {
		dir := filepath.Join("..", "..", "scenarios", "replay", "testdata", c.dir)
		var out, errb bytes.Buffer
		code := run([]string{"replay", "--seeds", "2", "--conf", filepath.Join(dir, "s1.conf"),
			filepath.Join(dir, "sentinel1.log"), filepath.Join(dir, "sentinel2.log"), filepath.Join(dir, "sentinel3.log")}, &out, &errb)
		require.Equal(t, 0, code, "%s: %s %s", c.dir, errb.String(), out.String())
		require.Contains(t, out.String(), c.story, c.dir)
		require.Regexp(t, `fault: +t=2\d{4}ms `+c.fault, out.String(), c.dir)
		require.Contains(t, out.String(), "match:    2 of 2 seeds", c.dir)
	}
}
