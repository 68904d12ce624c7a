package scenarios

import (
	"errors"
	"strings"
	"testing"

	"github.com/sentinelsim/sentinelsim/model"
	"github.com/sentinelsim/sentinelsim/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const minimal = `name: t
duration: 1m
redis:
  - {name: r1, addr: "10.0.0.1:6379"}
  - {name: r2, addr: "10.0.0.2:6379", replicaof: r1}
sentinel-config: |
  sentinel monitor m 10.0.0.1 6379 1
sentinels:
  - {name: s1, addr: "10.0.1.1:26379"}
`

func TestParseMinimal(t *testing.T) {
	f, err := Parse("t.yaml", []byte(minimal), nil)
	require.NoError(t, err)
	assert.Equal(t, "t", f.Name)
	assert.Equal(t, Duration(60_000), f.Duration)
	require.Len(t, f.Redis, 2)
	assert.Equal(t, "r1", f.Redis[1].ReplicaOf)
}

// Every malformed scenario gets an error naming the file and the line of
// the problem.
func TestParseErrorsHaveFileAndLine(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
	}{
		{"empty", "", "t.yaml: the file is empty"},
		{"not a mapping", "- a\n- b\n", "t.yaml:1: a scenario is a mapping"},
		{"yaml syntax", "name: t\nduration: [1m\n", "t.yaml:"},
		{"unknown top field", minimal + "colour: blue\n", `t.yaml:10: unknown field "colour" in the scenario`},
		{"unknown nested field", strings.Replace(minimal, `replicaof: r1}`, `replicaof: r1, prio: 3}`, 1), `t.yaml:5: unknown field "prio" in a redis node`},
		{"bad duration", strings.Replace(minimal, "duration: 1m", "duration: 60", 1), `t.yaml:2: duration "60" needs a unit`},
		{"bad duration text", strings.Replace(minimal, "duration: 1m", "duration: soon", 1), `t.yaml:2: bad duration "soon"`},
		{"missing name", strings.Replace(minimal, "name: t\n", "", 1), "the scenario needs a name"},
		{"duplicate process", minimal + "clients:\n  - {name: r1}\n", `t.yaml:11: client name "r1" is already used by redis node`},
		{"reserved name", strings.Replace(minimal, "name: s1,", "name: master,", 1), `t.yaml:9: sentinel name "master" is reserved`},
		{"duplicate addr", strings.Replace(minimal, `10.0.0.2:6379`, `10.0.0.1:6379`, 1), "t.yaml:5: r2: address 10.0.0.1:6379 is already r1's"},
		{"bad addr", strings.Replace(minimal, `10.0.0.2:6379`, `10.0.0.2`, 1), `t.yaml:5: address "10.0.0.2" is not host:port`},
		{"replicaof unknown", strings.Replace(minimal, "replicaof: r1", "replicaof: r9", 1), `t.yaml:5: r2: replicaof "r9" is neither`},
		{"fault without action", minimal + "faults:\n  - at: 10s\n", "t.yaml:11: a fault needs an action"},
		{"fault two actions", minimal + "faults:\n  - at: 10s\n    crash: r1\n    pause: r2\n", "t.yaml:11: one action per fault entry, got crash and pause"},
		{"fault unknown process", minimal + "faults:\n  - at: 10s\n    crash: r7\n", `t.yaml:12: crash: no process is named "r7"`},
		{"fault bad selector", minimal + "faults:\n  - at: 10s\n    crash: leader(x)\n", `t.yaml:12: selector "leader(x)": the epoch must be a positive number`},
		{"fault no time", minimal + "faults:\n  - crash: r1\n", "t.yaml:11: a fault needs a time"},
		{"for on restart", minimal + "faults:\n  - at: 1s\n    restart: r1\n    for: 2s\n", "t.yaml:11: restart cannot be undone with for"},
		{"partition one group", minimal + "faults:\n  - at: 1s\n    partition: [[r1]]\n", "t.yaml:11: partition needs at least 2 groups"},
		{"bad percent", minimal + "network: {loss: 5}\n", `t.yaml:10: percentage "5" needs a % sign`},
		{"random dynamic", minimal + "random:\n  - {from: 0s, to: 30s, count: 1, max-duration: 5s, among: [master]}\n", `t.yaml:11: random phase: among takes names and static groups, not "master"`},
		{"random kind", minimal + "random:\n  - {from: 0s, to: 30s, count: 1, max-duration: 5s, kinds: [meteor]}\n", `t.yaml:11: random phase: unknown fault kind "meteor"`},
		{"expect verdict", minimal + "expect: {verdict: maybe}\n", `t.yaml:10: expect: verdict "maybe" is not pass or violated`},
		{"expect bound", minimal + "expect: {failovers: lots}\n", `t.yaml:10: bad bound "lots"`},
		{"expect event", minimal + "expect: {events: {odown: 1}}\n", `t.yaml:10: expect: event "odown": event types start with + or -`},
		{"two documents", minimal + "---\nname: u\n", "t.yaml:10: a second YAML document"},
		{"null value", minimal + "faults:\n  - at: 10s\n    crash: r1\n    for:\n", `t.yaml:13: "for" has no value`},
		{"at after the end", minimal + "faults:\n  - {at: 2m, crash: r1}\n", "t.yaml:11: at 120000ms is not before the end of the run"},
		{"partition twice", minimal + "faults:\n  - {at: 1s, partition: [[r1], [r1]]}\n", "t.yaml:11: partition: r1 is on two sides"},
		{"rest with others", minimal + "faults:\n  - {at: 1s, partition: [[r1], [rest, r2]]}\n", "t.yaml:11: partition: rest stands alone in its group"},
		{"crash rest", minimal + "faults:\n  - {at: 1s, crash: rest}\n", "t.yaml:11: crash: rest is only for partition"},
		{"bridge via inside", minimal + "faults:\n  - {at: 1s, bridge: {left: [r1, s1], right: [r2], via: s1}}\n", "t.yaml:11: bridge: s1 is on two sides"},
		{"slow too long", minimal + "faults:\n  - {at: 1s, slow: {node: r1, extra: 1000h}}\n", "t.yaml:11: slow needs node and an extra in"},
		{"drift out of range", minimal + "faults:\n  - {at: 1s, clock-drift: {node: r1, ppm: -1000000}}\n", "t.yaml:11: clock-drift ppm -1000000 is outside"},
		{"static with master", minimal + "clients:\n  - {name: c, kind: static, target: r1, master: m}\n", "t.yaml:11: c: sentinels and master are for sentinel clients"},
		{"linearizable without clients", minimal + "expect: {linearizable: true}\n", "t.yaml:10: expect: linearizable needs clients"},
		{"violated without expectations", minimal + "expect: {verdict: violated}\n", "t.yaml:10: expect: verdict violated needs an expectation"},
		{"no sentinel conf", strings.Replace(minimal, "sentinel-config: |\n  sentinel monitor m 10.0.0.1 6379 1\n", "", 1), "t.yaml:7: s1 has no sentinel.conf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tc.text), nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			var ie *InputError
			assert.True(t, errors.As(err, &ie), "%T is not an InputError", err)
		})
	}
}

// A sentinel.conf error inside the scenario points at the scenario line of
// the bad directive, with Redis's own message.
func TestSentinelConfErrorLine(t *testing.T) {
	text := strings.Replace(minimal, "  sentinel monitor m 10.0.0.1 6379 1\n", "  sentinel monitor m 10.0.0.1 6379 1\n  sentinel down-after-milliseconds m -5\n", 1)
	f, err := Parse("t.yaml", []byte(text), nil)
	require.NoError(t, err)
	_, err = Run(f, 1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "t.yaml:8: s1: sentinel.conf line 2: >>> 'sentinel down-after-milliseconds m -5'")
}

// Selectors parse to what they say and refuse what they cannot mean.
func TestParseSelector(t *testing.T) {
	good := map[string]selExpr{
		"r1":                   {kind: "name", name: "r1"},
		"master":               {kind: "master"},
		"master(resque)":       {kind: "master", name: "resque"},
		"leader(3)":            {kind: "leader", epoch: 3},
		"sentinels-on(master)": {kind: "sentinels-on", sub: &selExpr{kind: "master"}},
		"host(r1)":             {kind: "host", sub: &selExpr{kind: "name", name: "r1"}},
	}
	for in, want := range good {
		got, err := parseSelector(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "host", "host()", "leader(0)", "foo(1)", "sentinels(x)", "a b", "host(rest)", "master(a b)"} {
		_, err := parseSelector(in)
		assert.Error(t, err, "%q", in)
	}
}

func TestParsePercentAndBound(t *testing.T) {
	r, err := parsePercent("0.125%")
	require.NoError(t, err)
	assert.Equal(t, uint32(125), r.Num)
	assert.Equal(t, uint32(100_000), r.Den)
	for _, bad := range []string{"101%", "1.2345%", "%", "-1%", "x%"} {
		_, err := parsePercent(bad)
		assert.Error(t, err, bad)
	}
	for _, c := range []struct {
		b    Bound
		v    int64
		want bool
	}{{Bound{Op: "<=", Value: 1}, 1, true}, {Bound{Op: "<", Value: 1}, 1, false}, {Bound{Op: ">", Value: 0}, 1, true}, {Bound{Op: "==", Value: 2}, 3, false}, {Bound{Op: "!=", Value: 2}, 3, true}, {Bound{Op: ">=", Value: 2}, 1, false}} {
		assert.Equal(t, c.want, c.b.Holds(c.v), "%v %d", c.b, c.v)
	}
}

// The parser never panics, and its errors always name the file.
func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte(minimal + "faults:\n  - at: 10s\n    partition: [[master, sentinels-on(master)], rest]\n    for: 30s\n"))
	f.Add([]byte("name: x\nduration: 1m\nexpect: {events: {\"+odown\": \">= 1\"}}\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		_, err := Parse("f.yaml", text, nil)
		if err != nil && !strings.HasPrefix(err.Error(), "f.yaml") {
			t.Fatalf("error without the file name: %v", err)
		}
	})
}

// A redis.conf error inside the scenario points at the scenario line of the
// bad directive, with Redis's own message; good directives take effect.
func TestRedisConfInScenario(t *testing.T) {
	text := strings.Replace(minimal, `replicaof: r1}`, "replicaof: r1, config: \"replica-priority 7\\nmin-replicas-to-write 1\"}", 1)
	f, err := Parse("t.yaml", []byte(text), nil)
	require.NoError(t, err)
	r, err := f.build(1, sim.Bounds{}, sim.Config{})
	require.NoError(t, err)
	r.w.RunUntil(1)
	n, ok := r.w.Process(r.by["r2"].id).(*model.Node)
	require.True(t, ok)
	assert.Equal(t, 7, n.Config().ReplicaPriority)
	assert.Equal(t, 1, n.Config().MinReplicasToWrite)

	text = strings.Replace(minimal, "sentinel-config: |", "redis-config: |\n  port 6379\n  replica-priority lots\nsentinel-config: |", 1)
	f, err = Parse("t.yaml", []byte(text), nil)
	require.NoError(t, err)
	_, err = Run(f, 1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "t.yaml:8: redis-config: redis.conf line 2: >>> 'replica-priority lots' argument couldn't be parsed into an integer")
}
