package scenarios

import (
	"fmt"
	"strings"

	"pgregory.net/rapid"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// FuzzGenVersion names the schedule generator: results of another version
// are other schedules for the same seeds.
const FuzzGenVersion = "gen-3"

// FuzzScenario is the schedule GenSchedule draws for seed, parsed: what
// `sentinelsim sweep fuzz` runs for each seed and `run fuzz --seed N`
// replays. It also returns the YAML text.
func FuzzScenario(seed uint64, o FuzzOptions) (*File, string, error) {
	text := rapid.Custom(func(t *rapid.T) string { return GenSchedule(t, o) }).Example(int(seed & (1<<62 - 1)))
	f, err := Parse(fmt.Sprintf("fuzz-%d.yaml", seed), []byte(text), nil)
	return f, text, err
}

// FuzzOptions shape the schedules GenSchedule draws.
type FuzzOptions struct {
	// Profile is the sentinels' behaviour profile ("" = 7.0); the canaries
	// fuzz the planted bugs with it.
	Profile string
	// MaxFaults bounds the timeline entries (default 8).
	MaxFaults int
	// Duration of each run (default 3m).
	Duration wire.Duration
}

// thresholds are Sentinel's own timings, in ms, that fault times and
// lengths are biased towards: just before and just after each is where
// decisions flip (the 2 s TILT gap, the 5 s answer freshness, the 8 s
// old-master rule, the 10 s election timeout and INFO period).
var thresholds = []int{1000, 2000, 5000, 8000, 10_000}

// GenSchedule draws a scenario: three hosts each with a Redis node and a
// sentinel, a sentinel-aware client, a configuration drawn around the seed
// documents' values, and a fault timeline whose times and lengths land near
// Sentinel's thresholds (down-after, the TILT gap, the election timeout,
// failover-timeout, the 8 s rule, the 5 s freshness). It returns the YAML
// text: the schedule a failure prints is a scenario file that replays it.
func GenSchedule(t *rapid.T, o FuzzOptions) string {
	if o.MaxFaults == 0 {
		o.MaxFaults = 8
	}
	if o.Duration == 0 {
		o.Duration = 3 * wire.Minute
	}
	downAfter := rapid.SampledFrom([]int{1000, 2000, 5000, 10_000}).Draw(t, "down-after")
	failoverTimeout := rapid.SampledFrom([]int{3000, 10_000, 30_000, 60_000}).Draw(t, "failover-timeout")
	quorum := rapid.IntRange(1, 3).Draw(t, "quorum")
	near := func(label string, base int) int {
		return max(1, base+rapid.IntRange(-300, 300).Draw(t, label))
	}
	// A time or a length biased to Sentinel's thresholds and this
	// configuration's.
	length := func(label string) int {
		marks := append([]int{downAfter, 2 * failoverTimeout, downAfter + 2*10_000}, thresholds...)
		switch rapid.IntRange(0, 3).Draw(t, label+"-kind") {
		case 0:
			return rapid.IntRange(1, 60_000).Draw(t, label)
		default:
			return near(label, rapid.SampledFrom(marks).Draw(t, label+"-mark"))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "name: fuzz\nsummary: a schedule drawn by the fuzzer\nsource: scenarios.GenSchedule\nduration: %dms\n", o.Duration)
	if o.Profile != "" {
		fmt.Fprintf(&b, "profile: %q\n", o.Profile)
	}
	// Replica priorities around the selection rules: equal, ordered, or
	// one replica never to be promoted.
	prio := rapid.SampledFrom([][2]int{{100, 100}, {100, 100}, {10, 100}, {0, 100}, {100, 0}, {0, 0}}).Draw(t, "priorities")
	b.WriteString("network: {delay: {min: 0ms, mean: 1ms, max: 10ms}}\nredis:\n  - {name: r1, host: h1, addr: \"10.0.0.1:6379\"}\n")
	fmt.Fprintf(&b, "  - {name: r2, host: h2, addr: \"10.0.0.2:6379\", replicaof: r1, config: \"replica-priority %d\"}\n", prio[0])
	fmt.Fprintf(&b, "  - {name: r3, host: h3, addr: \"10.0.0.3:6379\", replicaof: r1, config: \"replica-priority %d\"}\n", prio[1])
	fmt.Fprintf(&b, "sentinel-config: |\n  sentinel monitor mymaster 10.0.0.1 6379 %d\n  sentinel down-after-milliseconds mymaster %d\n  sentinel failover-timeout mymaster %d\n",
		quorum, downAfter, failoverTimeout)
	b.WriteString(`sentinels:
  - {name: s1, host: h1, addr: "10.0.0.1:26379"}
  - {name: s2, host: h2, addr: "10.0.0.2:26379"}
  - {name: s3, host: h3, addr: "10.0.0.3:26379"}
clients:
  - {name: app, kind: sentinel, workload: {keys: [a, b], reads: 1, appends: 1, interval: 250ms}}
`)
	n := rapid.IntRange(0, o.MaxFaults).Draw(t, "faults")
	if n > 0 {
		b.WriteString("faults:\n")
	}
	one := []string{"r1", "r2", "r3", "s1", "s2", "s3", "master", "leader", "replica"}
	group := func(label string) string {
		return rapid.SampledFrom([]string{"[host(master)]", "[master]", "[sentinels-on(master)]", "[r1, s1]", "[r2, s2]", "[s1]", "[s1, s2]", "[leader]", "[master, leader]"}).Draw(t, label)
	}
	at := 0
	for i := range n {
		label := fmt.Sprintf("fault%d", i)
		at += length(label + "-gap")
		if at >= int(o.Duration)-1000 {
			break
		}
		var action string
		undo := true
		trigger := ""
		switch rapid.IntRange(0, 12).Draw(t, label+"-action") {
		case 0:
			action = "partition: [" + group(label+"-group") + ", [rest]]"
		case 1:
			action = rapid.SampledFrom([]string{"one-way: {from: [master], to: [sentinels]}", "one-way: {from: [sentinels], to: [master]}",
				"one-way: {from: [s1], to: [s2, s3]}", "one-way: {from: [leader], to: [redis]}"}).Draw(t, label+"-oneway")
		case 2:
			action = "isolate: " + rapid.SampledFrom(one).Draw(t, label+"-node")
		case 3:
			action = "crash: " + rapid.SampledFrom(one).Draw(t, label+"-node")
		case 4:
			action = "crash-host: " + rapid.SampledFrom(one).Draw(t, label+"-node")
		case 5:
			action = "pause: " + rapid.SampledFrom(one).Draw(t, label+"-node")
		case 6:
			action = fmt.Sprintf("clock-jump: {node: %s, by: %dms}", rapid.SampledFrom([]string{"s1", "s2", "s3", "leader", "sentinels"}).Draw(t, label+"-node"),
				rapid.SampledFrom([]int{-1, 1}).Draw(t, label+"-sign")*near(label+"-by", rapid.SampledFrom([]int{1500, 2000, 2500, 30_000}).Draw(t, label+"-jump")))
			undo = false
		case 7:
			action = fmt.Sprintf("flap: {between: [%s, [rest]], down: %dms, up: %dms, for: %dms}", group(label+"-group"),
				length(label+"-down"), length(label+"-up"), length(label+"-flapfor"))
			undo = false
		case 8:
			action = "crash-after-persist: " + rapid.SampledFrom([]string{"s1", "s2", "s3", "leader"}).Draw(t, label+"-node")
			undo = false
		case 9:
			action = "command: {to: " + rapid.SampledFrom([]string{"s1", "s2", "s3"}).Draw(t, label+"-to") + ", args: [SENTINEL, FAILOVER, mymaster]}"
			undo = false
		case 10:
			action = "restart: " + rapid.SampledFrom(one).Draw(t, label+"-node")
			undo = false
		case 11:
			action = fmt.Sprintf("slow: {node: %s, extra: %dms}", rapid.SampledFrom(one).Draw(t, label+"-node"), near(label+"-extra", 2000))
		case 12:
			// A crash right after a decision: the window between a reply
			// and what the process had saved.
			trigger = rapid.SampledFrom([]string{"+vote-for-leader", "+elected-leader", "+try-failover", "+odown", "+switch-master", "+promoted-slave"}).Draw(t, label+"-on")
			action = fmt.Sprintf("crash: %s, for: %dms", rapid.SampledFrom([]string{"s1", "s2", "s3", "leader"}).Draw(t, label+"-node"),
				rapid.SampledFrom([]int{100, 500, 2000, 10_000}).Draw(t, label+"-down"))
			undo = false
		}
		if trigger != "" {
			fmt.Fprintf(&b, "  - {on: %s, after: %dms, optional: true, %s}\n", trigger, rapid.SampledFrom([]int{1, 20, 150}).Draw(t, label+"-after"), action)
			continue
		}
		fmt.Fprintf(&b, "  - {at: %dms, %s", at, action)
		if undo && rapid.Bool().Draw(t, label+"-undo") {
			fmt.Fprintf(&b, ", for: %dms", length(label+"-for"))
		}
		b.WriteString("}\n")
	}
	fmt.Fprintf(&b, "heal: %dms\n", int(o.Duration)*2/3)
	return b.String()
}
