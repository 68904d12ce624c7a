package replay

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/reports"
	"github.com/sentinelsim/sentinelsim/scenarios"
	"github.com/sentinelsim/sentinelsim/sentinel/logs"
)

func load(t *testing.T, name string) []*logs.Log {
	t.Helper()
	l, err := logs.ParseFile(filepath.Join("..", "..", "sentinel", "logs", "testdata", "incidents", name), logs.Options{})
	require.NoError(t, err)
	return []*logs.Log{l}
}

// Every incident log is analysed, its inferred scenario loads and runs.
func TestEveryIncidentLogReplays(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "sentinel", "logs", "testdata", "incidents", "*.log"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			a, err := Analyze(load(t, filepath.Base(f)), Settings{})
			require.NoError(t, err)
			text, err := a.Scenario("", Settings{})
			require.NoError(t, err)
			res, err := a.Simulate(text, 1)
			require.NoError(t, err, "%s", text)
			require.Len(t, res, 1)
			t.Logf("%s\nreal %+v\nsimulated %+v %s\nanomalies %d faults %+v", a.Explain(), a.Real, res[0].Decisions, res[0].Divergence, len(a.Anomalies), a.Faults)
		})
	}
}

// The anomalies of some incidents, in the terms of incidents.md.
func TestIncidentAnomalies(t *testing.T) {
	rules := func(name string) []string {
		a, err := Analyze(load(t, name), Settings{})
		require.NoError(t, err)
		var out []string
		for _, an := range a.Anomalies {
			out = append(out, an.Rule)
		}
		return out
	}
	require.Contains(t, rules("I16-redis-10547-k8s-tilt-loop.log"), "TILT (§18)", "I16: a TILT loop in Kubernetes")
	require.Contains(t, rules("I15-redis-13866-dns-blocking-tilt.log"), "TILT (§18)", "I15: a blocking DNS lookup stalls the sentinel")
	require.Contains(t, rules("I08-redis-windows-17-epoch-churn-not-elected.log"), "an election needs a majority and the quorum (§10.3)", "I08: never elected")
	require.Contains(t, rules("I22-redis-2275-no-good-slave.log"), "replica selection (§13)", "I22: no good slave")
}

// I25: two sentinels switch the master back and forth with no ODOWN;
// replay infers an operator's SENTINEL FAILOVER before each switch, and the
// simulation makes the same five switches.
func TestReplayManualFailovers(t *testing.T) {
	a, err := Analyze(load(t, "I25-redis-4723-sentinels-isolated-manual-failovers.log"), Settings{})
	require.NoError(t, err)
	require.Len(t, a.Real.Switches, 5)
	commands := 0
	for _, f := range a.Faults {
		if f.Kind == "command" {
			commands++
		}
	}
	require.Equal(t, 5, commands)
	text, err := a.Scenario("", Settings{})
	require.NoError(t, err)
	res, err := a.Simulate(text, 3)
	require.NoError(t, err)
	for _, r := range res {
		require.True(t, r.Match, "seed %d: %s", r.Seed, r.Divergence)
	}
}

func loadDir(t *testing.T, dir string, names ...string) []*logs.Log {
	t.Helper()
	var out []*logs.Log
	for _, n := range names {
		l, err := logs.ParseFile(filepath.Join("testdata", dir, n), logs.Options{})
		require.NoError(t, err)
		require.Empty(t, l.Problems)
		out = append(out, l)
	}
	return out
}

// Logs recorded from the real redis-sentinel 7.0.15 (three sentinels,
// down-after 2 s, failover-timeout 10 s, quorum 2; the master killed with
// SIGKILL 20 s after the sentinels started and restarted 30 s later:
// testdata/real-7.0.15-kill-master/record.sh). Replay infers that fault
// schedule, and every simulated seed decides what the real sentinels did.
// With down-after 60 s (--set), the 30 s outage no longer fails the master
// over: the what-if says the failover would not have happened.
func TestReplayRealKillMaster(t *testing.T) {
	ls := loadDir(t, "real-7.0.15-kill-master", "sentinel1.log", "sentinel2.log", "sentinel3.log")
	set := Settings{Quorum: 2, DownAfterMs: 2000, FailoverTimeoutMs: 10000}
	a, err := Analyze(ls, set)
	require.NoError(t, err)
	require.True(t, a.Real.ODown)
	require.Equal(t, []Switch{{Master: "mymaster", From: "127.0.0.1:27201", To: "127.0.0.1:27202", Epoch: 1}}, a.Real.Switches)
	require.Len(t, a.Faults, 2)
	require.Equal(t, "crash", a.Faults[0].Kind)
	require.InDelta(t, 20_000, a.Faults[0].AtMs, 1000)
	require.Equal(t, Fault{Kind: "restart", Node: "r1"}, Fault{Kind: a.Faults[1].Kind, Node: a.Faults[1].Node})
	require.InDelta(t, 50_000, a.Faults[1].AtMs, 2000)
	text, err := a.Scenario("", Settings{})
	require.NoError(t, err)
	res, err := a.Simulate(text, 5)
	require.NoError(t, err)
	for _, r := range res {
		require.True(t, r.Match, "seed %d: %s", r.Seed, r.Divergence)
	}

	text, err = a.Scenario("", Settings{DownAfterMs: 60_000})
	require.NoError(t, err)
	require.Contains(t, text, "down-after-milliseconds mymaster 60000")
	res, err = a.Simulate(text, 3)
	require.NoError(t, err)
	for _, r := range res {
		require.False(t, r.Match)
		require.Zero(t, r.Decisions.Failovers, "seed %d: with down-after 60 s a 30 s outage is no failover", r.Seed)
	}
}

// A sentinel whose clock runs 3 s behind logs the vote it gives before the
// candidate's own vote: replay finds the offset and corrects its times.
func TestClockOffsetFromCausality(t *testing.T) {
	leader := "0000000000000000000000000000000000000001"
	l1 := "1:X 01 Jan 2024 00:00:10.000 # +new-epoch 1\n" +
		"1:X 01 Jan 2024 00:00:10.000 # +try-failover master m 10.0.0.1 6379\n" +
		"1:X 01 Jan 2024 00:00:10.000 # +vote-for-leader " + leader + " 1\n"
	l2 := "2:X 01 Jan 2024 00:00:07.050 # +new-epoch 1\n" +
		"2:X 01 Jan 2024 00:00:07.050 # +vote-for-leader " + leader + " 1\n"
	head := "1:X 01 Jan 2024 00:00:00.000 # Sentinel ID is " + leader + "\n1:X 01 Jan 2024 00:00:00.000 # +monitor master m 10.0.0.1 6379 quorum 2\n"
	a1, err := logs.Parse("a.log", strings.NewReader(head+l1), logs.Options{})
	require.NoError(t, err)
	a2, err := logs.Parse("b.log", strings.NewReader("2:X 01 Jan 2024 00:00:00.000 # +monitor master m 10.0.0.1 6379 quorum 2\n"+l2), logs.Options{})
	require.NoError(t, err)
	a, err := Analyze([]*logs.Log{a1, a2}, Settings{DownAfterMs: 5000})
	require.NoError(t, err)
	require.Equal(t, map[string]int64{"s2": 2950}, a.Offsets)
}

// The Solaris scenarios, run and then replayed from the sentinel logs the
// run directory writes (reports.WriteSentinelLogs, Redis 7's own format),
// round-trip: the inferred faults make the same decisions.
func TestSolarisRoundTrip(t *testing.T) {
	for _, name := range []string{"solaris-stall", "solaris-misconf", "solaris-network-flap", "solaris-clock-jumps"} {
		t.Run(name, func(t *testing.T) {
			f, ok := scenarios.Find(name)
			require.True(t, ok)
			var trace bytes.Buffer
			_, err := scenarios.RunWith(f, 1, scenarios.Options{Trace: &trace})
			require.NoError(t, err)
			var names []string
			for _, s := range f.Sentinels {
				names = append(names, s.Name)
			}
			dir := t.TempDir()
			require.NoError(t, reports.WriteSentinelLogs(dir, &trace, names))
			var ls []*logs.Log
			for _, n := range names {
				l, err := logs.ParseFile(filepath.Join(dir, reports.LogDir, n+".log"), logs.Options{})
				require.NoError(t, err)
				require.Empty(t, l.Problems)
				ls = append(ls, l)
			}
			var set Settings
			for _, line := range strings.Split(f.SentinelConfig, "\n") {
				w := strings.Fields(line)
				switch {
				case len(w) == 6 && w[1] == "monitor":
					set.Quorum, _ = strconv.Atoi(w[5])
				case len(w) == 4 && w[1] == "down-after-milliseconds":
					set.DownAfterMs, _ = strconv.ParseInt(w[3], 10, 64)
				case len(w) == 4 && w[1] == "failover-timeout":
					set.FailoverTimeoutMs, _ = strconv.ParseInt(w[3], 10, 64)
				}
			}
			a, err := Analyze(ls, set)
			require.NoError(t, err)
			text, err := a.Scenario("", Settings{})
			require.NoError(t, err)
			res, err := a.Simulate(text, 2)
			require.NoError(t, err)
			for _, r := range res {
				require.True(t, r.Match, "seed %d: %s\n%s", r.Seed, r.Divergence, text)
			}
		})
	}
}

// I05 (Redis 2.8.1: sentinels that start in lockstep split their votes and
// nobody is elected) replays as the real sentinels decided only under the
// 2.8.1 profile; the 7.0 rules elect a leader. The analysis says the logs
// are 2.8's.
func TestReleaseBugNeedsItsProfile(t *testing.T) {
	a, err := Analyze(load(t, "I05-redis-1419-split-vote-not-elected.log"), Settings{})
	require.NoError(t, err)
	require.NotEmpty(t, a.Hints)
	require.Contains(t, a.Hints[0], "--profile 2.8.1")
	matches := func(profile string) int {
		text, err := a.Scenario(profile, Settings{})
		require.NoError(t, err)
		res, err := a.Simulate(text, 3)
		require.NoError(t, err)
		n := 0
		for _, r := range res {
			if r.Match {
				n++
			}
		}
		return n
	}
	require.Zero(t, matches(""), "7.0 elects a leader")
	require.GreaterOrEqual(t, matches("2.8.1"), 2, "2.8.1 splits the votes for most seeds")
}

// The same with SIGSTOP: the master stopped 20 s after the sentinels
// started and continued 15 s later (testdata/real-7.0.15-sigstop-master).
// A stopped process and a crashed one look alike from the sentinels' logs
// until it answers again: replay infers a crash at about 20 s and its
// return at about 35 s, and the simulation decides as the real sentinels.
func TestReplayRealSigstopMaster(t *testing.T) {
	ls := loadDir(t, "real-7.0.15-sigstop-master", "sentinel1.log", "sentinel2.log", "sentinel3.log")
	a, err := Analyze(ls, Settings{Quorum: 2, DownAfterMs: 2000, FailoverTimeoutMs: 10000})
	require.NoError(t, err)
	require.Len(t, a.Real.Switches, 1)
	require.Len(t, a.Faults, 2)
	require.Equal(t, "crash", a.Faults[0].Kind)
	require.InDelta(t, 20_000, a.Faults[0].AtMs, 1500)
	require.Equal(t, "restart", a.Faults[1].Kind)
	require.InDelta(t, 35_000, a.Faults[1].AtMs, 2000)
	text, err := a.Scenario("", Settings{})
	require.NoError(t, err)
	res, err := a.Simulate(text, 3)
	require.NoError(t, err)
	for _, r := range res {
		require.True(t, r.Match, "seed %d: %s", r.Seed, r.Divergence)
	}
}

// Each incident's story names the property incidents.md gives it and the
// mechanism its logs show.
func TestIncidentStories(t *testing.T) {
	for _, c := range []struct {
		log  string
		want []string
	}{
		{"I02-redis-1445-promoted-replica-reconverted.log", []string{"Liveness", "slave-timeout"}},
		{"I05-redis-1419-split-vote-not-elected.log", []string{"Liveness", "ODOWN"}},
		{"I07-redis-9769-not-elected-stale-sentinels.log", []string{"Liveness", "no leader was elected"}},
		{"I08-redis-windows-17-epoch-churn-not-elected.log", []string{"Liveness", "aborted"}},
		{"I15-redis-13866-dns-blocking-tilt.log", []string{"Liveness", "TILT", "DNS"}},
		{"I16-redis-10547-k8s-tilt-loop.log", []string{"Liveness", "TILT"}},
		{"I17-spotahome-redis-operator-193-tilt-on-sentinel-set.log", []string{"TILT"}},
		{"I22-redis-2275-no-good-slave.log", []string{"Liveness", "no-good-slave"}},
		{"I25-redis-4723-sentinels-isolated-manual-failovers.log", []string{"SENTINEL FAILOVER", "Stability"}},
	} {
		a, err := Analyze(load(t, c.log), Settings{})
		require.NoError(t, err)
		story := strings.Join(a.Story(), " ")
		for _, w := range c.want {
			require.Contains(t, story, w, "%s: %s", c.log, story)
		}
	}
}

// A sentinel cut from the master alone (the others see it up) is inferred
// as a cut of that one link, not the master down, and round-trips.
func TestInferredCutRoundTrip(t *testing.T) {
	f, err := scenarios.Parse("cut.yaml", []byte(`name: cut-one
summary: one sentinel cut from the master for 20 s
duration: 90s
redis:
  - {name: r1, addr: "10.0.0.1:6379"}
  - {name: r2, addr: "10.0.0.2:6379", replicaof: r1}
sentinel-config: |
  sentinel monitor mymaster 10.0.0.1 6379 2
  sentinel down-after-milliseconds mymaster 3000
  sentinel failover-timeout mymaster 10000
sentinels:
  - {name: s1, addr: "10.0.1.1:26379"}
  - {name: s2, addr: "10.0.1.2:26379"}
  - {name: s3, addr: "10.0.1.3:26379"}
faults:
  - {at: 30s, partition: [[r1], [s2]], for: 20s}
`), nil)
	require.NoError(t, err)
	var trace bytes.Buffer
	_, err = scenarios.RunWith(f, 1, scenarios.Options{Trace: &trace})
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, reports.WriteSentinelLogs(dir, &trace, []string{"s1", "s2", "s3"}))
	var ls []*logs.Log
	for _, n := range []string{"s1", "s2", "s3"} {
		l, err := logs.ParseFile(filepath.Join(dir, reports.LogDir, n+".log"), logs.Options{})
		require.NoError(t, err)
		ls = append(ls, l)
	}
	a, err := Analyze(ls, Settings{Quorum: 2, DownAfterMs: 3000, FailoverTimeoutMs: 10000})
	require.NoError(t, err)
	require.Len(t, a.Faults, 1)
	require.Equal(t, "cut", a.Faults[0].Kind)
	require.Equal(t, "r1 s2", a.Faults[0].Node)
	require.InDelta(t, 30_000, a.Faults[0].AtMs, 1000)
	require.Contains(t, strings.Join(a.Story(), " "), "rightly no failover")
	text, err := a.Scenario("", Settings{})
	require.NoError(t, err)
	res, err := a.Simulate(text, 2)
	require.NoError(t, err)
	for _, r := range res {
		require.True(t, r.Match, "seed %d: %s", r.Seed, r.Divergence)
	}
}

// The simulator's own one-way cut of the r1-s2 link, either direction,
// logs what the real one did (testdata/real-7.0.15-oneway-*): s2 alone has
// the master SDOWN (its PINGs or their replies lost, and its TCP stalls
// without ACKs). Replay infers the two-way cut of that link, which decides
// alike.
func TestInferredOneWayRoundTrip(t *testing.T) {
	for _, dir := range []string{"{from: [r1], to: [s2]}", "{from: [s2], to: [r1]}"} {
		t.Run(dir, func(t *testing.T) {
			f, err := scenarios.Parse("oneway.yaml", []byte(`name: oneway
summary: one direction of the r1-s2 link cut for 20 s
duration: 90s
redis:
  - {name: r1, addr: "10.0.0.1:6379"}
  - {name: r2, addr: "10.0.0.2:6379", replicaof: r1}
sentinel-config: |
  sentinel monitor mymaster 10.0.0.1 6379 2
  sentinel down-after-milliseconds mymaster 2000
  sentinel failover-timeout mymaster 10000
sentinels:
  - {name: s1, addr: "10.0.1.1:26379"}
  - {name: s2, addr: "10.0.1.2:26379"}
  - {name: s3, addr: "10.0.1.3:26379"}
faults:
  - {at: 30s, one-way: `+dir+`, for: 20s}
`), nil)
			require.NoError(t, err)
			var trace bytes.Buffer
			_, err = scenarios.RunWith(f, 1, scenarios.Options{Trace: &trace})
			require.NoError(t, err)
			d := t.TempDir()
			require.NoError(t, reports.WriteSentinelLogs(d, &trace, []string{"s1", "s2", "s3"}))
			var ls []*logs.Log
			for _, n := range []string{"s1", "s2", "s3"} {
				l, err := logs.ParseFile(filepath.Join(d, reports.LogDir, n+".log"), logs.Options{})
				require.NoError(t, err)
				ls = append(ls, l)
			}
			a, err := Analyze(ls, realSettings)
			require.NoError(t, err)
			require.False(t, a.Real.ODown)
			require.Len(t, a.Faults, 1, "%+v", a.Faults)
			require.Equal(t, Fault{Kind: "cut", Node: "r1 s2"}, Fault{Kind: a.Faults[0].Kind, Node: a.Faults[0].Node})
			require.InDelta(t, 30_000, a.Faults[0].AtMs, 1000)
			// The end is s2's -sdown: 2.7-3.5 s after the heal here (the
			// stalled link's retransmit backoff), 2.0-2.2 s in the real runs.
			end := a.Faults[0].AtMs + a.Faults[0].ForMs
			require.GreaterOrEqual(t, end, int64(50_000))
			require.LessOrEqual(t, end, int64(50_000+2*realSettings.DownAfterMs))
			simulateAll(t, a, 2)
		})
	}
}

// Real redis-sentinel 7.0.15: sentinel 2 restarted at 20 s (SHUTDOWN, up
// again 1 s later), the master killed at 35 s for good
// (testdata/real-7.0.15-sentinel-restart). The restarted sentinel is one
// sentinel (its run id), its restart an anomaly and an inferred fault, the
// master's crash inferred at 35 s, and the simulation decides alike.
func TestReplayRealSentinelRestart(t *testing.T) {
	ls := loadDir(t, "real-7.0.15-sentinel-restart", "sentinel1.log", "sentinel2.log", "sentinel3.log")
	a, err := Analyze(ls, Settings{Quorum: 2, DownAfterMs: 2000, FailoverTimeoutMs: 10000})
	require.NoError(t, err)
	require.Len(t, a.Topology.Sentinels, 3)
	require.Len(t, a.Topology.Sentinels[1].Sources, 2, "two processes, one run id")
	require.Len(t, a.Faults, 2)
	require.Equal(t, Fault{Kind: "crash", Node: "s2"}, Fault{Kind: a.Faults[0].Kind, Node: a.Faults[0].Node})
	require.InDelta(t, 20_000, a.Faults[0].AtMs, 1500)
	require.Equal(t, Fault{Kind: "crash", Node: "r1"}, Fault{Kind: a.Faults[1].Kind, Node: a.Faults[1].Node})
	require.InDelta(t, 35_000, a.Faults[1].AtMs, 1500)
	text, err := a.Scenario("", Settings{})
	require.NoError(t, err)
	res, err := a.Simulate(text, 3)
	require.NoError(t, err)
	for _, r := range res {
		require.True(t, r.Match, "seed %d: %s", r.Seed, r.Divergence)
	}
}

// A leader whose log shows fewer votes than a majority of the sentinels
// it knows (a 2.8 release counted the majority over the voters) is an
// anomaly of §10.3.
func TestElectedWithTooFewVotes(t *testing.T) {
	me := "0000000000000000000000000000000000000001"
	text := "1:X 01 Jan 2024 00:00:00.000 # Sentinel ID is " + me + "\n" +
		"1:X 01 Jan 2024 00:00:00.000 # +monitor master m 10.0.0.1 6379 quorum 2\n" +
		"1:X 01 Jan 2024 00:00:01.000 * +sentinel sentinel 0000000000000000000000000000000000000002 10.0.1.2 26379 @ m 10.0.0.1 6379\n" +
		"1:X 01 Jan 2024 00:00:01.000 * +sentinel sentinel 0000000000000000000000000000000000000003 10.0.1.3 26379 @ m 10.0.0.1 6379\n" +
		"1:X 01 Jan 2024 00:00:10.000 # +new-epoch 1\n" +
		"1:X 01 Jan 2024 00:00:10.000 # +try-failover master m 10.0.0.1 6379\n" +
		"1:X 01 Jan 2024 00:00:10.000 # +vote-for-leader " + me + " 1\n" +
		"1:X 01 Jan 2024 00:00:10.050 # 10.0.1.2:26379 voted for 0000000000000000000000000000000000000002 1\n" +
		"1:X 01 Jan 2024 00:00:10.100 # +elected-leader master m 10.0.0.1 6379\n"
	l, err := logs.Parse("a.log", strings.NewReader(text), logs.Options{})
	require.NoError(t, err)
	a, err := Analyze([]*logs.Log{l}, Settings{DownAfterMs: 5000})
	require.NoError(t, err)
	var rules []string
	for _, an := range a.Anomalies {
		rules = append(rules, an.Rule)
	}
	require.Contains(t, rules, "a leader needs a majority and the quorum (§10.3)")
}

// realSettings are the recordings' sentinel.conf values.
var realSettings = Settings{Quorum: 2, DownAfterMs: 2000, FailoverTimeoutMs: 10000}

// simulateAll replays the inferred scenario over n seeds and requires every
// seed to decide as the real sentinels did.
func simulateAll(t *testing.T, a *Analysis, n int) {
	t.Helper()
	text, err := a.Scenario("", Settings{})
	require.NoError(t, err)
	res, err := a.Simulate(text, n)
	require.NoError(t, err)
	for _, r := range res {
		require.True(t, r.Match, "seed %d: %s\n%s", r.Seed, r.Divergence, text)
	}
}

// Real redis-sentinel 7.0.15, one loopback address per host: sentinel s3's
// host cut from every other host with iptables 20.06 s after the first log
// line, healed at 50.10 s (testdata/real-7.0.15-isolate-sentinel, times in
// faults.txt). s3 had the master, the replicas and both peers SDOWN, the
// two others had s3 SDOWN; nobody reached ODOWN. Replay infers that one
// host isolated (not a cut of s3 from the master alone), says so in the
// story, and the simulation decides alike: no failover.
func TestReplayRealIsolatedSentinel(t *testing.T) {
	a, err := Analyze(loadDir(t, "real-7.0.15-isolate-sentinel", "sentinel1.log", "sentinel2.log", "sentinel3.log"), realSettings)
	require.NoError(t, err)
	require.False(t, a.Real.ODown)
	require.Empty(t, a.Real.Switches)
	require.Len(t, a.Faults, 1, "%+v", a.Faults)
	f := a.Faults[0]
	require.Equal(t, "isolate", f.Kind)
	require.Equal(t, "s3", f.Node)
	require.InDelta(t, 20_060, f.AtMs, 2000)
	require.InDelta(t, 50_100, f.AtMs+f.ForMs, 3000)
	story := strings.Join(a.Story(), " ")
	require.Contains(t, story, "s3's host cut off from every other")
	require.Contains(t, story, "rightly no failover")
	simulateAll(t, a, 5)
}

// Real redis-sentinel 7.0.15: the master r1 and sentinel s1 cut from r2, r3,
// s2 and s3 from 20.03 s to 50.10 s (testdata/real-7.0.15-minority-master).
// s2 and s3 failed r1 over to r2; s1, in the minority, saw the replicas and
// its peers SDOWN and r1 fine; on the heal s1 learnt the switch by hello and
// r1 was converted. Replay infers the partition [r1 s1] / rest, not a crash
// of r1, and the simulation makes the same switch.
func TestReplayRealMinorityPartition(t *testing.T) {
	a, err := Analyze(loadDir(t, "real-7.0.15-minority-master", "sentinel1.log", "sentinel2.log", "sentinel3.log"), realSettings)
	require.NoError(t, err)
	require.True(t, a.Real.ODown)
	require.Equal(t, []Switch{{Master: "mymaster", From: "127.0.0.2:27441", To: "127.0.0.3:27442", Epoch: 1}}, a.Real.Switches)
	require.Len(t, a.Faults, 1, "%+v", a.Faults)
	f := a.Faults[0]
	require.Equal(t, "partition", f.Kind)
	require.Equal(t, "r1 s1", f.Node)
	require.InDelta(t, 20_030, f.AtMs, 2000)
	require.InDelta(t, 50_100, f.AtMs+f.ForMs, 3000)
	text, err := a.Scenario("", Settings{})
	require.NoError(t, err)
	require.Contains(t, text, "partition: [[r1, s1], rest]")
	story := strings.Join(a.Story(), " ")
	require.Contains(t, story, "r1 and s1 cut off from the rest")
	require.Contains(t, story, "+convert-to-slave")
	simulateAll(t, a, 5)
}

// Real redis-sentinel 7.0.15: the master's host cut from every other host
// from 20.03 s to 50.08 s (testdata/real-7.0.15-isolate-master). The
// sentinels failed r1 over to r2 and converted it when it came back.
// From the sentinels' logs alone that is a crash and a restart: the old
// master's record is new after the switch (§15.2), so neither a restart
// nor a heal gives +reboot (§7.2), and both end in +convert-to-slave
// (§17.1). r1's own log tells them apart: one process throughout, no
// start-up banner, so replay infers an isolation of r1's host.
func TestReplayRealIsolatedMaster(t *testing.T) {
	dir := "real-7.0.15-isolate-master"
	a, err := Analyze(loadDir(t, dir, "sentinel1.log", "sentinel2.log", "sentinel3.log"), realSettings)
	require.NoError(t, err)
	require.True(t, a.Real.ODown)
	require.Equal(t, []Switch{{Master: "mymaster", From: "127.0.0.2:27401", To: "127.0.0.3:27402", Epoch: 1}}, a.Real.Switches)
	kinds := func(a *Analysis) (out []string) {
		for _, f := range a.Faults {
			out = append(out, f.Kind+" "+f.Node)
		}
		return out
	}
	require.Equal(t, []string{"crash r1", "restart r1"}, kinds(a), "the sentinels' logs alone")
	simulateAll(t, a, 3)

	a, err = Analyze(loadDir(t, dir, "sentinel1.log", "sentinel2.log", "sentinel3.log", "r1.log"), realSettings)
	require.NoError(t, err)
	require.Equal(t, []string{"isolate r1"}, kinds(a), "with r1's own log")
	f := a.Faults[0]
	require.InDelta(t, 20_030, f.AtMs, 2000)
	require.InDelta(t, 50_080, f.AtMs+f.ForMs, 3000)
	require.Contains(t, f.Why, "pid 16503")
	story := strings.Join(a.Story(), " ")
	require.Contains(t, story, "the master r1's host cut off from every other")
	require.Contains(t, story, "+convert-to-slave")
	simulateAll(t, a, 5)
}

// The kill-master recording with r1's own log (the same run): its start-up
// banner confirms the crash and times the restart exactly (the process
// started again 50.1 s after the first sentinel line).
func TestReplayRealKillMasterWithNodeLog(t *testing.T) {
	a, err := Analyze(loadDir(t, "real-7.0.15-kill-master", "sentinel1.log", "sentinel2.log", "sentinel3.log", "r1.log"), realSettings)
	require.NoError(t, err)
	require.Len(t, a.Faults, 2)
	require.Equal(t, "crash", a.Faults[0].Kind)
	require.Equal(t, Fault{Kind: "restart", Node: "r1"}, Fault{Kind: a.Faults[1].Kind, Node: a.Faults[1].Node})
	require.Contains(t, a.Faults[1].Why, "shows its start-up")
	start := a.Start.Add(time.Duration(a.Faults[1].AtMs) * time.Millisecond)
	require.Equal(t, "06:49:30.649", start.Format("15:04:05.000"), "the banner's time")
	simulateAll(t, a, 3)
}

// An election's majority is release-specific: 7.0 takes it over every
// sentinel known (spec §10.3), 2.8 before 2.8.15 over the sentinels that
// voted (sentinel/profile.go, MajorityOverVoters, commit 9fe4429a0). A
// leader of five known sentinels elected with its own vote and one more,
// the only two votes its log shows, broke the 7.0 rule (3 needed) and kept
// the 2.8 one (2 of 2 voters). One vote of two is too few under both.
func TestElectionMajorityPerProfile(t *testing.T) {
	me := "0000000000000000000000000000000000000001"
	head := "1:X 01 Jan 2024 00:00:00.000 # Sentinel ID is " + me + "\n" +
		"1:X 01 Jan 2024 00:00:00.000 # +monitor master m 10.0.0.1 6379 quorum 2\n"
	for i := 2; i <= 5; i++ {
		head += fmt.Sprintf("1:X 01 Jan 2024 00:00:01.000 * +sentinel sentinel 000000000000000000000000000000000000000%d 10.0.1.%d 26379 @ m 10.0.0.1 6379\n", i, i)
	}
	election := func(otherVote string) string {
		return head + "1:X 01 Jan 2024 00:00:10.000 # +new-epoch 1\n" +
			"1:X 01 Jan 2024 00:00:10.000 # +try-failover master m 10.0.0.1 6379\n" +
			"1:X 01 Jan 2024 00:00:10.000 # +vote-for-leader " + me + " 1\n" +
			"1:X 01 Jan 2024 00:00:10.050 # 10.0.1.2:26379 voted for " + otherVote + " 1\n" +
			"1:X 01 Jan 2024 00:00:10.100 # +elected-leader master m 10.0.0.1 6379\n"
	}
	rules := func(log, profile string) []string {
		l, err := logs.Parse("a.log", strings.NewReader(log), logs.Options{})
		require.NoError(t, err)
		require.Empty(t, l.Problems)
		a, err := Analyze([]*logs.Log{l}, Settings{DownAfterMs: 5000, Profile: profile})
		require.NoError(t, err)
		require.Len(t, a.Topology.Sentinels, 5)
		var out []string
		for _, an := range a.Anomalies {
			if strings.HasPrefix(an.Rule, "a leader needs") {
				out = append(out, an.Rule+": "+an.Detail)
			}
		}
		return out
	}
	twoOfTwo := election(me)
	require.Equal(t, []string{"a leader needs a majority and the quorum (§10.3): s1 elected in epoch 1 with 2 vote(s) in its log; 3 needed (5 sentinels, quorum 2)"}, rules(twoOfTwo, ""))
	require.Empty(t, rules(twoOfTwo, "2.8.14"))
	require.Empty(t, rules(twoOfTwo, "2.8.1"))
	oneOfTwo := election("0000000000000000000000000000000000000002")
	require.Len(t, rules(oneOfTwo, ""), 1)
	require.Equal(t, []string{"a leader needs a majority of the voters and the quorum (2.8.14 profile: before 2.8.15): s1 elected in epoch 1 with 1 vote(s) in its log; 2 needed (2 voters in its log, quorum 2)"}, rules(oneOfTwo, "2.8.14"))

	_, err := Analyze(nil, Settings{Profile: "9.9"})
	require.ErrorContains(t, err, "unknown behaviour profile")
}

// Real redis-sentinel 7.0.15: only the link between the master's host and
// sentinel s2's host cut, from 20.04 s to 50.07 s
// (testdata/real-7.0.15-cut-sentinel-master). s2 alone had the master
// SDOWN, the others saw it up: no ODOWN. Replay infers the cut of that one
// link (not a partition of s2's host: nobody lost s2) and no failover.
func TestReplayRealCutSentinelMaster(t *testing.T) {
	a, err := Analyze(loadDir(t, "real-7.0.15-cut-sentinel-master", "sentinel1.log", "sentinel2.log", "sentinel3.log"), realSettings)
	require.NoError(t, err)
	require.False(t, a.Real.ODown)
	require.Empty(t, a.Real.Switches)
	require.Len(t, a.Faults, 1, "%+v", a.Faults)
	f := a.Faults[0]
	require.Equal(t, Fault{Kind: "cut", Node: "r1 s2"}, Fault{Kind: f.Kind, Node: f.Node})
	require.InDelta(t, 20_040, f.AtMs, 2000)
	require.InDelta(t, 50_070, f.AtMs+f.ForMs, 3000)
	require.Contains(t, strings.Join(a.Story(), " "), "rightly no failover")
	simulateAll(t, a, 5)
}

// Two sentinels lose the third, whose log we lack: it may have crashed as
// well as been cut off, so no partition is inferred (a side needs a
// sentinel that logs to speak for it). With its log showing it lost them
// too, it is an isolated host: from its first SDOWN less down-after to
// the first sign of life across the cut.
func TestPartitionNeedsBothSides(t *testing.T) {
	id := func(i int) string { return fmt.Sprintf("%040d", i) }
	mon := "X 01 Jan 2024 00:00:00.000 # +monitor master m 10.0.0.1 6379 quorum 2\n"
	known := func(pid, self int) string {
		out := fmt.Sprintf("%d:X 01 Jan 2024 00:00:00.000 # Sentinel ID is %s\n%d:%s", pid, id(self), pid, mon)
		for i := 1; i <= 3; i++ {
			if i != self {
				out += fmt.Sprintf("%d:X 01 Jan 2024 00:00:01.000 * +sentinel sentinel %s 10.0.1.%d 26379 @ m 10.0.0.1 6379\n", pid, id(i), i)
			}
		}
		return out
	}
	lost3 := func(pid int) string {
		return fmt.Sprintf("%d:X 01 Jan 2024 00:00:22.000 # +sdown sentinel %s 10.0.1.3 26379 @ m 10.0.0.1 6379\n", pid, id(3)) +
			fmt.Sprintf("%d:X 01 Jan 2024 00:00:52.000 # -sdown sentinel %s 10.0.1.3 26379 @ m 10.0.0.1 6379\n", pid, id(3))
	}
	parse := func(name, text string) *logs.Log {
		l, err := logs.Parse(name, strings.NewReader(text), logs.Options{})
		require.NoError(t, err)
		require.Empty(t, l.Problems)
		return l
	}
	s1, s2 := parse("s1.log", known(1, 1)+lost3(1)), parse("s2.log", known(2, 2)+lost3(2))
	a, err := Analyze([]*logs.Log{s1, s2}, Settings{DownAfterMs: 2000})
	require.NoError(t, err)
	require.Empty(t, a.Faults, "s3 may have crashed")

	s3 := parse("s3.log", known(3, 3)+
		"3:X 01 Jan 2024 00:00:22.100 # +sdown master m 10.0.0.1 6379\n"+
		fmt.Sprintf("3:X 01 Jan 2024 00:00:22.100 # +sdown sentinel %s 10.0.1.1 26379 @ m 10.0.0.1 6379\n", id(1))+
		fmt.Sprintf("3:X 01 Jan 2024 00:00:22.100 # +sdown sentinel %s 10.0.1.2 26379 @ m 10.0.0.1 6379\n", id(2))+
		"3:X 01 Jan 2024 00:00:52.000 # -sdown master m 10.0.0.1 6379\n"+
		fmt.Sprintf("3:X 01 Jan 2024 00:00:52.000 # -sdown sentinel %s 10.0.1.1 26379 @ m 10.0.0.1 6379\n", id(1))+
		fmt.Sprintf("3:X 01 Jan 2024 00:00:52.000 # -sdown sentinel %s 10.0.1.2 26379 @ m 10.0.0.1 6379\n", id(2)))
	a, err = Analyze([]*logs.Log{s1, s2, s3}, Settings{DownAfterMs: 2000})
	require.NoError(t, err)
	require.Len(t, a.Faults, 1, "%+v", a.Faults)
	require.Equal(t, Fault{AtMs: 20_000, Kind: "isolate", Node: "s3", ForMs: 32_000}, Fault{AtMs: a.Faults[0].AtMs, Kind: a.Faults[0].Kind, Node: a.Faults[0].Node, ForMs: a.Faults[0].ForMs})
}

// The real kill-master recording with one sentinel's clock moved ahead or
// behind: the votes bound its offset from both sides (its vote comes after
// the leader's own and before the leader logs receiving it), the middle of
// that interval is applied, and the decisions read as recorded.
func TestClockOffsetBothWays(t *testing.T) {
	for _, shift := range []time.Duration{-4 * time.Second, 4 * time.Second, 1500 * time.Millisecond} {
		t.Run(shift.String(), func(t *testing.T) {
			ls := loadDir(t, "real-7.0.15-kill-master", "sentinel1.log", "sentinel2.log", "sentinel3.log")
			for i := range ls[1].Entries {
				ls[1].Entries[i].Time = ls[1].Entries[i].Time.Add(shift)
			}
			a, err := Analyze(ls, Settings{Quorum: 2, DownAfterMs: 2000, FailoverTimeoutMs: 10000})
			require.NoError(t, err)
			var got *ClockBound
			for i, c := range a.Clocks {
				if c.Sentinel == "s2" || c.Reference == "s2" {
					got = &a.Clocks[i]
				}
			}
			require.NotNil(t, got, "%+v", a.Clocks)
			want := -shift.Milliseconds() // the correction that undoes the shift
			if got.Reference == "s2" {
				want = -want // s2 is the reference: the other sentinel's correction
			}
			require.NotNil(t, got.LowMs, "%s", got)
			require.NotNil(t, got.HighMs, "%s", got)
			require.LessOrEqual(t, *got.LowMs, want, "%s", got)
			require.GreaterOrEqual(t, *got.HighMs, want, "%s", got)
			require.InDelta(t, want, got.AppliedMs, 100, "%s", got)
			require.Equal(t, []Switch{{Master: "mymaster", From: "127.0.0.1:27201", To: "127.0.0.1:27202", Epoch: 1}}, a.Real.Switches)
			require.Contains(t, a.Explain(), "its times are corrected")
		})
	}
	// Unshifted, the clocks agree: nothing is corrected.
	a, err := Analyze(loadDir(t, "real-7.0.15-kill-master", "sentinel1.log", "sentinel2.log", "sentinel3.log"), Settings{Quorum: 2, DownAfterMs: 2000})
	require.NoError(t, err)
	require.Empty(t, a.Offsets)
	require.NotEmpty(t, a.Clocks)
}

// Ordered pairs that cannot all hold (a clock that moved during the
// incident) apply no correction and say so.
func TestClockContradiction(t *testing.T) {
	leader := "0000000000000000000000000000000000000001"
	voter := "0000000000000000000000000000000000000002"
	head := "1:X 01 Jan 2024 00:00:00.000 # Sentinel ID is " + leader + "\n1:X 01 Jan 2024 00:00:00.000 # +monitor master m 10.0.0.1 6379 quorum 2\n"
	// s1 votes for itself at 10.000 and logs s2's vote at 10.005; s2 logs
	// that vote at 20.000 (so at most -9.995 s late) and a second one, in
	// epoch 2, at 07.000 before s1's own at 10.000 (so at least 3 s late).
	l1 := head +
		"1:X 01 Jan 2024 00:00:10.000 # +vote-for-leader " + leader + " 1\n" +
		"1:X 01 Jan 2024 00:00:10.005 # " + voter + " voted for " + leader + " 1\n" +
		"1:X 01 Jan 2024 00:00:30.000 # +vote-for-leader " + leader + " 2\n"
	l2 := "2:X 01 Jan 2024 00:00:00.000 # Sentinel ID is " + voter + "\n2:X 01 Jan 2024 00:00:00.000 # +monitor master m 10.0.0.1 6379 quorum 2\n" +
		"2:X 01 Jan 2024 00:00:20.000 # +vote-for-leader " + leader + " 1\n" +
		"2:X 01 Jan 2024 00:00:27.000 # +vote-for-leader " + leader + " 2\n"
	a1, err := logs.Parse("a.log", strings.NewReader(l1), logs.Options{})
	require.NoError(t, err)
	a2, err := logs.Parse("b.log", strings.NewReader(l2), logs.Options{})
	require.NoError(t, err)
	a, err := Analyze([]*logs.Log{a1, a2}, Settings{DownAfterMs: 5000})
	require.NoError(t, err)
	require.Empty(t, a.Offsets)
	require.Contains(t, strings.Join(a.Problems, "\n"), "contradict")
}

// Real redis-sentinel 7.0.15: packets from the master's host to sentinel
// s2's host dropped, the other direction open, from 20.04 s to 50.08 s
// (testdata/real-7.0.15-oneway-master-sentinel; times from its first log
// line). On TCP that stalls the established s2<->r1 connections both ways
// and s2's new ones never get a SYN-ACK (connections-cut.txt), so the logs
// are those of a two-way cut of the link: s2 alone had the master SDOWN
// (2.8 s in, -sdown 2.2 s after the heal), no ODOWN, no failover. Nothing
// in the sentinels' logs tells the direction, so replay infers the cut of
// that link, and the simulation decides alike.
func TestReplayRealOneWayMasterToSentinel(t *testing.T) {
	a, err := Analyze(loadDir(t, "real-7.0.15-oneway-master-sentinel", "sentinel1.log", "sentinel2.log", "sentinel3.log"), realSettings)
	require.NoError(t, err)
	require.False(t, a.Real.ODown)
	require.Empty(t, a.Real.Switches)
	require.Len(t, a.Faults, 1, "%+v", a.Faults)
	f := a.Faults[0]
	require.Equal(t, Fault{Kind: "cut", Node: "r1 s2"}, Fault{Kind: f.Kind, Node: f.Node})
	require.InDelta(t, 20_040, f.AtMs, 2000)
	require.InDelta(t, 50_076, f.AtMs+f.ForMs, 3000)
	require.Contains(t, f.Why, "either direction alone would log the same")
	require.Contains(t, strings.Join(a.Story(), " "), "rightly no failover")
	simulateAll(t, a, 5)
}

// The reverse: packets from s2's host to the master's host dropped, from
// 20.04 s to 50.07 s (testdata/real-7.0.15-oneway-sentinel-master). The
// real sentinels logged the same as for the other direction (s2 alone had
// the master SDOWN, 2.6 s in to 2.0 s after the heal); replay infers the
// same cut of the r1-s2 link and no failover.
func TestReplayRealOneWaySentinelToMaster(t *testing.T) {
	a, err := Analyze(loadDir(t, "real-7.0.15-oneway-sentinel-master", "sentinel1.log", "sentinel2.log", "sentinel3.log"), realSettings)
	require.NoError(t, err)
	require.False(t, a.Real.ODown)
	require.Empty(t, a.Real.Switches)
	require.Len(t, a.Faults, 1, "%+v", a.Faults)
	f := a.Faults[0]
	require.Equal(t, Fault{Kind: "cut", Node: "r1 s2"}, Fault{Kind: f.Kind, Node: f.Node})
	require.InDelta(t, 20_040, f.AtMs, 2000)
	require.InDelta(t, 50_070, f.AtMs+f.ForMs, 3000)
	require.Contains(t, strings.Join(a.Story(), " "), "rightly no failover")
	simulateAll(t, a, 5)
}
