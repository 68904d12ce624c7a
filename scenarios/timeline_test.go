package scenarios

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const trio = `name: trio
duration: 2m
redis:
  - {name: r1, host: h1, addr: "10.0.0.1:6379"}
  - {name: r2, host: h2, addr: "10.0.0.2:6379", replicaof: r1}
  - {name: r3, host: h3, addr: "10.0.0.3:6379", replicaof: r1}
sentinel-config: |
  sentinel monitor m 10.0.0.1 6379 2
  sentinel down-after-milliseconds m 5000
  sentinel failover-timeout m 60000
sentinels:
  - {name: s1, host: h1, addr: "10.0.0.1:26379"}
  - {name: s2, host: h2, addr: "10.0.0.2:26379"}
  - {name: s3, host: h3, addr: "10.0.0.3:26379"}
`

func runTrace(t *testing.T, text string, seed uint64) (ScenarioResult, string) {
	t.Helper()
	f, err := Parse("t.yaml", []byte(text), nil)
	require.NoError(t, err)
	var buf bytes.Buffer
	res, err := RunWith(f, seed, Options{Trace: &buf})
	require.NoError(t, err)
	return res, buf.String()
}

// Role selectors resolve when the fault happens: the master's host is cut
// off from the rest, the leader elected afterwards is paused right after
// its election (an event trigger), and the partition is undone by for.
func TestTimelineRolesTriggersAndUndo(t *testing.T) {
	text := trio + `faults:
  - at: 20s
    partition: [[host(master)], rest]
    for: 40s
  - on: +elected-leader
    after: 10ms
    pause: leader
    for: 3s
expect: {failovers: "1", converged: true}
`
	res, trace := runTrace(t, text, 3)
	assert.Empty(t, res.Problems)
	assert.Contains(t, trace, "fault partition {r1 s1} {r2 r3 s2 s3}")
	assert.Contains(t, trace, "fault connect {r1 s1} {r2 r3 s2 s3}")
	// The paused sentinel is the one that was elected.
	elected := regexp.MustCompile(`(\d+) event (s\d) # \+elected-leader`).FindStringSubmatch(trace)
	require.NotNil(t, elected, "no election")
	assert.Contains(t, trace, "fault pause "+elected[2])
	assert.Contains(t, trace, "fault resume "+elected[2])
	assert.Equal(t, Pass, res.Verdict.Status, res.Verdict.Detail)
	assert.NotEqual(t, "r1", res.Metrics.Master)
}

// An entry waiting for an event that never comes is reported, and the
// verdict is unknown: the scenario did not do what it says.
func TestTimelineWaitingEntryIsReported(t *testing.T) {
	res, _ := runTrace(t, trio+"faults:\n  - on: +odown\n    crash: r1\n", 1)
	require.Len(t, res.Problems, 1)
	assert.Contains(t, res.Problems[0], "line 16: no +odown happened")
	assert.Equal(t, Unknown, res.Verdict.Status)
	assert.False(t, res.Matched())
}

// A role that does not exist when the fault happens is a problem, not a
// silent no-op.
func TestTimelineMissingRole(t *testing.T) {
	res, _ := runTrace(t, trio+"faults:\n  - at: 10s\n    crash: leader\n", 1)
	require.Len(t, res.Problems, 1)
	assert.Contains(t, res.Problems[0], "no sentinel has been elected leader yet")
	assert.Equal(t, Unknown, res.Verdict.Status)
}

// Expectations that fail make the verdict violated, with what was wanted
// and what was seen; a scenario expecting violated then matches.
func TestExpectationsJudgeTheRun(t *testing.T) {
	text := trio + "faults:\n  - at: 10s\n    crash: master\nexpect: {failovers: \"0\", events: {\"+odown\": \"0\"}}\n"
	res, _ := runTrace(t, text, 2)
	assert.Equal(t, Violated, res.Verdict.Status)
	assert.Contains(t, res.Verdict.Detail, "failovers: want == 0, got 1")
	assert.False(t, res.Matched())
	res, _ = runTrace(t, strings.Replace(text, "expect: {", "expect: {verdict: violated, ", 1), 2)
	assert.True(t, res.Matched())
}

// Commands go through the operator and their replies are recorded.
func TestTimelineCommand(t *testing.T) {
	text := trio + `faults:
  - at: 30s
    command: {to: s2, args: [SENTINEL, FAILOVER, m]}
  - after: 1s
    command: {to: s2, args: [SENTINEL, FAILOVER, m]}
expect: {failovers: "1"}
`
	res, _ := runTrace(t, text, 4)
	require.Len(t, res.Commands, 2)
	assert.Equal(t, "+OK", res.Commands[0].Reply)
	assert.Equal(t, "-INPROG Failover already in progress", res.Commands[1].Reply)
	assert.Equal(t, Pass, res.Verdict.Status, res.Verdict.Detail)
}

// The same scenario and seed replay byte for byte; seeds differ.
func TestScenarioReplays(t *testing.T) {
	text := trio + "network: {delay: {min: 0ms, mean: 2ms, max: 30ms}, loss: 1%}\nrandom:\n  - {from: 10s, to: 90s, count: 4, max-duration: 20s}\n"
	a, ta := runTrace(t, text, 11)
	b, tb := runTrace(t, text, 11)
	c, _ := runTrace(t, text, 12)
	assert.Equal(t, ta, tb)
	assert.Equal(t, a.TraceHash, b.TraceHash)
	assert.NotEqual(t, a.TraceHash, c.TraceHash)
}

// A command's expected reply is an expectation: a different reply, or none,
// makes the run violated.
func TestCommandExpect(t *testing.T) {
	text := trio + `faults:
  - at: 30s
    command: {to: s2, args: [SENTINEL, FAILOVER, m], expect: "+OK"}
  - after: 1s
    command: {to: [s1, s3], args: [SENTINEL, FAILOVER, m], expect: "+OK"}
  - after: 1s
    command: {to: s1, args: [SENTINEL, GET-MASTER-ADDR-BY-NAME, m], expect: '["10.0.0.*'}
`
	res, _ := runTrace(t, text, 4)
	// Every sentinel not itself in a failover accepts a forced one (spec
	// §22.2): s1 and s3 answer +OK too; the wildcard matches the address.
	require.Len(t, res.Checks, 4, "%v", res.Checks)
	for _, c := range res.Checks {
		assert.True(t, c.OK, "%+v", c)
	}
	assert.Equal(t, Pass, res.Verdict.Status, res.Verdict.Detail)
	res, _ = runTrace(t, trio+"faults:\n  - at: 30s\n    isolate: s2\n  - after: 1s\n    command: {to: s2, args: [PING], expect: \"+PONG\"}\n", 4)
	assert.Equal(t, Violated, res.Verdict.Status)
	assert.Contains(t, res.Verdict.Detail, "want +PONG, got no reply")
}

// Review fixes: an undo does not kill a process that heal already brought
// back; a trigger is not released again by other sentinels' copies of the
// same event; an entry waiting for an event sees the events the entry
// before it caused at once; lost writes without a live final master are
// unmeasurable; command replies are matched to their own entry.
func TestTimelineReviewFixes(t *testing.T) {
	_, trace := runTrace(t, trio+"faults:\n  - {at: 10s, crash: master, for: 60s}\nheal: 12s\n", 1)
	assert.Equal(t, 0, strings.Count(trace, "fault restart r1"), "heal restarted r1; the undo must not restart it again")
	assert.Equal(t, 2, strings.Count(trace, " boot r1"), "booted at 0 and by the heal, not killed and booted again")

	_, trace = runTrace(t, trio+`faults:
  - {at: 10s, crash: master}
  - {on: +switch-master, pause: master, for: 500ms}
  - {on: +switch-master, pause: master, for: 500ms, optional: true}
`, 2)
	assert.Equal(t, 1, strings.Count(trace, "fault pause "), "one failover, one pause: copies of +switch-master do not count")

	res, _ := runTrace(t, trio+"faults:\n  - {at: 5s, restart: s1}\n  - {on: +monitor, pause: s2, for: 1s}\n", 1)
	assert.Empty(t, res.Problems, "the restart's +monitor releases the next entry")

	res, _ = runTrace(t, trio+`clients:
  - {name: c, kind: static, target: r1, workload: {appends: 1, interval: 100ms}}
faults:
  - {at: 20s, crash: [r1, r2, r3]}
expect: {writes-lost: "0"}
`, 1)
	assert.True(t, res.Metrics.LostUnknown)
	assert.Equal(t, Violated, res.Verdict.Status)
	assert.Contains(t, res.Verdict.Detail, "unmeasurable")

	res, _ = runTrace(t, trio+`faults: [{at: 5s, command: {to: r1, args: [PING], expect: "+PONG"}}, {at: 6s, command: {to: r1, args: [ECHO, hi], expect: '"hi"'}}]
`, 1)
	require.Len(t, res.Checks, 2, "%v", res.Checks)
	for _, c := range res.Checks {
		assert.True(t, c.OK, "%+v", c)
	}
}

// Liveness is judged after a heal: a node acting as a master the sentinels
// do not know breaks it; the same run without that node keeps it; a run
// too short after its heal is unknown.
func TestLiveness(t *testing.T) {
	base := strings.Replace(trio, "duration: 2m", "duration: 6m", 1) + "faults:\n  - {at: 10s, crash: master, for: 20s}\nheal: 40s\n"
	res, _ := runTrace(t, base, 1)
	require.Len(t, res.Promises, 3)
	assert.Equal(t, "liveness", res.Promises[1].Kind)
	assert.Equal(t, "ok", res.Promises[1].Status, res.Promises[1].Message)

	rogue := strings.Replace(base, "sentinel-config:", "  - {name: r4, addr: \"10.0.0.4:6379\"}\nsentinel-config:", 1)
	res, _ = runTrace(t, rogue, 1)
	assert.Equal(t, "violated", res.Promises[1].Status)
	assert.Contains(t, res.Promises[1].Message, "r4 acts as a master the sentinels do not name")
	assert.Equal(t, Violated, res.Verdict.Status)

	short := strings.Replace(base, "duration: 6m", "duration: 2m", 1)
	res, _ = runTrace(t, short, 1)
	assert.Equal(t, "unknown", res.Promises[1].Status)
	assert.Contains(t, res.Promises[1].Message, "may take")
}

// Stability: a failover started although fewer sentinels than the quorum
// had lost the master (the ignore-quorum mutant) breaks it; the same run
// with the default profile does not.
func TestStability(t *testing.T) {
	f, ok := Find("canary-mutant-ignore-quorum")
	require.True(t, ok)
	res, err := Run(f, 1)
	require.NoError(t, err)
	require.Len(t, res.Promises, 3)
	assert.Equal(t, "stability", res.Promises[2].Kind)
	assert.Equal(t, "violated", res.Promises[2].Status, "%+v", res.Promises)
	assert.Contains(t, res.Promises[2].Message, "had lost the master")

	text, err := library.ReadFile("library/canary-mutant-ignore-quorum.yaml")
	require.NoError(t, err)
	control, err := Parse("control.yaml", []byte(strings.Replace(string(text), "profile: mutant-ignore-quorum", `profile: "7.0"`, 1)), nil)
	require.NoError(t, err)
	res, err = Run(control, 1)
	require.NoError(t, err)
	assert.Equal(t, "ok", res.Promises[2].Status, "%+v", res.Promises[2])
}
