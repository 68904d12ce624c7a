package sim_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sim"
)

// fixed is a link with a constant delay.
func fixed(d wire.Duration) sim.LinkConfig {
	return sim.LinkConfig{DelayMin: d, DelayMean: d, DelayMax: d}
}

func ids(c *cluster, names ...string) []wire.NodeID {
	out := make([]wire.NodeID, len(names))
	for i, n := range names {
		out[i] = c.id(n)
	}
	return out
}

// requireDelivered checks that every message from>to sent in [lo, hi) was
// received exactly once, delay after it was sent, and never dropped or held.
func requireDelivered(t *testing.T, fs []*fate, from, to string, lo, hi wire.Time, delay wire.Duration) {
	t.Helper()
	sel := between(fs, from, to, lo, hi)
	require.NotEmpty(t, sel, "no message %s>%s sent in [%d,%d)", from, to, lo, hi)
	for _, f := range sel {
		if len(f.drops) == 0 && len(f.held) == 0 && len(f.recv) == 1 && f.recv[0] == f.sentAt.Add(delay) {
			continue // the common case, checked without testify (slow under -race)
		}
		require.Empty(t, f.drops, "message #%d %s>%s sent at %d was dropped", f.id, from, to, f.sentAt)
		require.Empty(t, f.held, "message #%d %s>%s sent at %d was held", f.id, from, to, f.sentAt)
		require.Equal(t, []wire.Time{f.sentAt.Add(delay)}, f.recv, "message #%d %s>%s sent at %d", f.id, from, to, f.sentAt)
	}
}

// requireDropped checks that every message from>to sent in [lo, hi) was
// dropped exactly once for reason and never received.
func requireDropped(t *testing.T, fs []*fate, from, to string, lo, hi wire.Time, reason string) {
	t.Helper()
	sel := between(fs, from, to, lo, hi)
	require.NotEmpty(t, sel, "no message %s>%s sent in [%d,%d)", from, to, lo, hi)
	for _, f := range sel {
		if len(f.recv) == 0 && len(f.drops) == 1 && f.drops[0].reason == reason {
			continue
		}
		require.Empty(t, f.recv, "message #%d %s>%s sent at %d was received", f.id, from, to, f.sentAt)
		require.Len(t, f.drops, 1, "message #%d %s>%s sent at %d", f.id, from, to, f.sentAt)
		require.Equal(t, reason, f.drops[0].reason, "message #%d %s>%s sent at %d", f.id, from, to, f.sentAt)
	}
}

// requireCuts checks, for every ordered pair of names, that the messages
// sent in [lo, hi) were all dropped as "partition" when cut(from, to) and
// all delivered without delay otherwise.
func requireCuts(t *testing.T, fs []*fate, names []string, lo, hi wire.Time, cut func(from, to string) bool) {
	t.Helper()
	for _, a := range names {
		for _, b := range names {
			if a == b {
				continue
			}
			if cut(a, b) {
				requireDropped(t, fs, a, b, lo, hi, "partition")
			} else {
				requireDelivered(t, fs, a, b, lo, hi, 0)
			}
		}
	}
}

// linkedMatrix records w.Linked for every ordered pair at time at.
func linkedMatrix(c *cluster, at wire.Time, names []string) map[string]bool {
	m := map[string]bool{}
	c.w.At(at, func(w *sim.World) {
		for _, a := range names {
			for _, b := range names {
				if a != b {
					m[a+">"+b] = w.Linked(c.id(a), c.id(b))
				}
			}
		}
	})
	return m
}

func requireMatrix(t *testing.T, m map[string]bool, names []string, cut func(from, to string) bool) {
	t.Helper()
	require.NotEmpty(t, m, "the Linked probe never ran")
	for _, a := range names {
		for _, b := range names {
			if a != b {
				require.Equal(t, !cut(a, b), m[a+">"+b], "Linked(%s, %s)", a, b)
			}
		}
	}
}

// A one-way cut drops exactly one direction: a>b is dropped as
// "partition" (at send time, or at arrival for a message already in flight
// when the cut came) while b>a is delivered; Connect and Heal restore both.
func TestOneWayPartitionDropsOneDirection(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 1, Network: fixed(50)})
	a := c.add("a", 5, 20, "b")
	b := c.add("b", 5, 20, "a")
	c.w.Schedule(1000, sim.OneWay{From: []wire.NodeID{a}, To: []wire.NodeID{b}})
	c.w.Schedule(2000, sim.Connect{A: []wire.NodeID{a}, B: []wire.NodeID{b}})
	c.w.Schedule(3000, sim.OneWay{From: []wire.NodeID{a}, To: []wire.NodeID{b}})
	c.w.Schedule(4000, sim.Heal{})
	var during, after [2]bool
	c.w.At(1500, func(w *sim.World) { during = [2]bool{w.Linked(a, b), w.Linked(b, a)} })
	c.w.At(2500, func(w *sim.World) { after = [2]bool{w.Linked(a, b), w.Linked(b, a)} })
	c.runUntil(5000)

	lines := c.lines()
	require.Equal(t, []wire.Time{1000, 3000}, times(grep(lines, "fault", "one-way", "{a}", "->", "{b}")))
	require.Equal(t, []wire.Time{2000}, times(grep(lines, "fault", "connect", "{a}", "{b}")))
	require.Equal(t, []wire.Time{4000}, times(grep(lines, "fault", "heal")))
	require.Equal(t, [2]bool{false, true}, during)
	require.Equal(t, [2]bool{true, true}, after)

	fs := fates(t, lines)
	// Messages a>b in flight when the cut came are dropped when they arrive.
	for _, f := range between(fs, "a", "b", 950, 1000) {
		require.Equal(t, []stamp{{at: f.sentAt + 50, reason: "partition"}}, f.drops, "in-flight message #%d", f.id)
	}
	// Messages a>b sent across the cut are dropped at once.
	for _, f := range between(fs, "a", "b", 1000, 2000) {
		require.Equal(t, []stamp{{at: f.sentAt, reason: "partition"}}, f.drops, "message #%d", f.id)
	}
	requireDelivered(t, fs, "a", "b", 0, 950, 50)
	requireDropped(t, fs, "a", "b", 950, 2000, "partition")
	requireDelivered(t, fs, "a", "b", 2000, 2950, 50)
	requireDropped(t, fs, "a", "b", 2950, 4000, "partition")
	requireDelivered(t, fs, "a", "b", 4000, 4950, 50)
	requireDelivered(t, fs, "b", "a", 0, 4950, 50)

	// The recorder agrees: b heard nothing from a while the cut held.
	for _, o := range c.log("b", "recv") {
		require.False(t, o.sim >= 1000 && o.sim < 2000, "b received %s at %d", o.payload, o.sim)
	}
}

// Partition cuts every link between different groups both ways; a node in
// no group keeps all its links (it bridges the partition). Heal undoes it.
func TestPartitionGroups(t *testing.T) {
	names := []string{"a", "b", "c", "d"}
	c := newCluster(t, sim.Config{Seed: 2})
	for _, n := range names {
		c.add(n, 5, 100, names...)
	}
	c.w.Schedule(1000, sim.Partition{Groups: [][]wire.NodeID{ids(c, "a", "b"), ids(c, "c")}})
	c.w.Schedule(2000, sim.Heal{})
	m := linkedMatrix(c, 1500, names)
	c.runUntil(3000)

	side := map[string]int{"a": 1, "b": 1, "c": 2}
	cut := func(x, y string) bool { return side[x] != 0 && side[y] != 0 && side[x] != side[y] }
	lines := c.lines()
	require.Len(t, grep(lines, "fault", "partition", "{a", "b}", "{c}"), 1)
	requireMatrix(t, m, names, cut)
	fs := fates(t, lines)
	requireCuts(t, fs, names, 0, 1000, func(string, string) bool { return false })
	requireCuts(t, fs, names, 1000, 2000, cut)
	requireCuts(t, fs, names, 2000, 3000, func(string, string) bool { return false })
}

// Isolate cuts every link of one node both ways and nothing else; Connect
// between the node and the rest restores them.
func TestIsolate(t *testing.T) {
	names := []string{"a", "b", "c", "d"}
	c := newCluster(t, sim.Config{Seed: 3})
	for _, n := range names {
		c.add(n, 5, 100, names...)
	}
	c.w.Schedule(1000, sim.Isolate{Node: c.id("c")})
	c.w.Schedule(2000, sim.Connect{A: ids(c, "c"), B: ids(c, "a", "b", "d")})
	m := linkedMatrix(c, 1500, names)
	c.runUntil(3000)

	cut := func(x, y string) bool { return x == "c" || y == "c" }
	lines := c.lines()
	require.Equal(t, []wire.Time{1000}, times(grep(lines, "fault", "isolate", "c")))
	requireMatrix(t, m, names, cut)
	fs := fates(t, lines)
	requireCuts(t, fs, names, 1000, 2000, cut)
	requireCuts(t, fs, names, 2000, 3000, func(string, string) bool { return false })
}

// Bridge cuts the two sides from each other while the Via node still talks
// to both; nodes on the same side keep talking.
func TestBridge(t *testing.T) {
	names := []string{"a", "b", "c", "d"}
	c := newCluster(t, sim.Config{Seed: 4})
	for _, n := range names {
		c.add(n, 5, 100, names...)
	}
	c.w.Schedule(1000, sim.Bridge{Left: ids(c, "a"), Right: ids(c, "b", "d"), Via: c.id("c")})
	c.w.Schedule(2000, sim.Heal{})
	m := linkedMatrix(c, 1500, names)
	c.runUntil(3000)

	side := map[string]int{"a": 1, "b": 2, "d": 2}
	cut := func(x, y string) bool { return side[x] != 0 && side[y] != 0 && side[x] != side[y] }
	lines := c.lines()
	require.Len(t, grep(lines, "fault", "bridge", "{a}", "{b", "d}", "via", "c"), 1)
	requireMatrix(t, m, names, cut)
	fs := fates(t, lines)
	requireCuts(t, fs, names, 1000, 2000, cut)
	requireCuts(t, fs, names, 2000, 3000, func(string, string) bool { return false })
}

// flapTimes returns the times of the "flap down <label>" and
// "flap up <label>" lines, and checks that they alternate starting with down.
func flapTimes(t *testing.T, lines []line, label string) (downs, ups []wire.Time) {
	t.Helper()
	var verbs []string
	for _, l := range lines {
		if l.verb != "flap" || len(l.rest) < 2 || strings.Join(l.rest[1:], " ") != label {
			continue
		}
		verbs = append(verbs, l.rest[0])
		switch l.rest[0] {
		case "down":
			downs = append(downs, l.at)
		case "up":
			ups = append(ups, l.at)
		default:
			t.Fatalf("bad flap line %q", l.raw)
		}
	}
	for i, v := range verbs {
		want := "down"
		if i%2 == 1 {
			want = "up"
		}
		require.Equal(t, want, v, "flap line %d of %s does not alternate", i, label)
	}
	return downs, ups
}

// FlapLink without jitter goes down at once, then alternates exactly Down
// and Up long; messages on the flapping link are dropped during down phases
// and delivered during up phases, and the reverse direction never flaps.
func TestFlapLinkExactPhases(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 5})
	a := c.add("a", 5, 10, "b")
	b := c.add("b", 5, 10, "a")
	c.w.Schedule(1000, sim.FlapLink{From: a, To: b, Spec: sim.FlapSpec{Down: 100, Up: 200}})
	c.runUntil(3000)

	lines := c.lines()
	require.Len(t, grep(lines, "fault", "flap-link", "a>b", "down=100", "up=200", "jitter=0", "for=0"), 1)
	downs, ups := flapTimes(t, lines, "a>b")
	require.Equal(t, []wire.Time{1000, 1300, 1600, 1900, 2200, 2500, 2800}, downs)
	require.Equal(t, []wire.Time{1100, 1400, 1700, 2000, 2300, 2600, 2900}, ups)

	fs := fates(t, lines)
	requireDelivered(t, fs, "a", "b", 0, 1000, 0)
	for i := range downs {
		requireDropped(t, fs, "a", "b", downs[i], ups[i], "partition")
		end := wire.Time(3000)
		if i+1 < len(downs) {
			end = downs[i+1]
		}
		requireDelivered(t, fs, "a", "b", ups[i], end, 0)
	}
	requireDelivered(t, fs, "b", "a", 0, 3000, 0)
}

// FlapLink with Both flaps the two directions together.
func TestFlapLinkBoth(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 6})
	a := c.add("a", 5, 10, "b")
	b := c.add("b", 5, 10, "a")
	c.w.Schedule(1000, sim.FlapLink{From: a, To: b, Both: true, Spec: sim.FlapSpec{Down: 100, Up: 100}})
	c.runUntil(1550)

	lines := c.lines()
	downs, ups := flapTimes(t, lines, "a<>b")
	require.Equal(t, []wire.Time{1000, 1200, 1400}, downs)
	require.Equal(t, []wire.Time{1100, 1300, 1500}, ups)
	fs := fates(t, lines)
	for _, dir := range [][2]string{{"a", "b"}, {"b", "a"}} {
		for i := range downs {
			requireDropped(t, fs, dir[0], dir[1], downs[i], ups[i], "partition")
			requireDelivered(t, fs, dir[0], dir[1], ups[i], ups[i]+100, 0)
		}
	}
}

// With jitter every phase lasts within [period-jitter, period+jitter] (and
// the jitter is really applied), and a jitter larger than the period never
// makes a phase shorter than 1 ms.
func TestFlapJitterBounds(t *testing.T) {
	for _, tc := range []struct{ down, up, jitter wire.Duration }{
		{100, 200, 40},
		{5, 7, 20},
	} {
		t.Run(fmt.Sprintf("down=%d,up=%d,jitter=%d", tc.down, tc.up, tc.jitter), func(t *testing.T) {
			c := newCluster(t, sim.Config{Seed: 7})
			a := c.add("a", 0, 0)
			b := c.add("b", 0, 0)
			c.w.Schedule(1000, sim.FlapLink{From: a, To: b, Spec: sim.FlapSpec{Down: tc.down, Up: tc.up, Jitter: tc.jitter}})
			c.runUntil(100_000)

			downs, ups := flapTimes(t, c.lines(), "a>b")
			require.Greater(t, len(ups), 200)
			require.Equal(t, wire.Time(1000), downs[0])
			seen := map[wire.Duration]bool{}
			check := func(what string, d, period wire.Duration) {
				lo := max(period-tc.jitter, 1)
				require.True(t, d >= lo && d <= period+tc.jitter, "%s phase lasted %d, want [%d,%d]", what, d, lo, period+tc.jitter)
				seen[d] = true
			}
			for i := range ups {
				check("down", ups[i].Sub(downs[i]), tc.down)
				if i+1 < len(downs) {
					check("up", downs[i+1].Sub(ups[i]), tc.up)
				}
			}
			require.Greater(t, len(seen), 10, "phase lengths hardly vary: jitter not applied")
		})
	}
}

// With For set the flapping stops at For and leaves the link up: with a
// "flap up" line when it was down at that moment, silently when it was up.
func TestFlapForStopsAndLeavesLinkUp(t *testing.T) {
	for _, tc := range []struct {
		name       string
		forD       wire.Duration
		downs, ups []wire.Time
	}{
		{"ends-down", 450, []wire.Time{1000, 1200, 1400}, []wire.Time{1100, 1300, 1450}},
		{"ends-up", 350, []wire.Time{1000, 1200}, []wire.Time{1100, 1300}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCluster(t, sim.Config{Seed: 8})
			a := c.add("a", 5, 10, "b")
			b := c.add("b", 5, 10, "a")
			c.w.Schedule(1000, sim.FlapLink{From: a, To: b, Spec: sim.FlapSpec{Down: 100, Up: 100, For: tc.forD}})
			var linked bool
			c.w.At(1000+wire.Time(tc.forD)+1, func(w *sim.World) { linked = w.Linked(a, b) })
			c.runUntil(5000)

			lines := c.lines()
			downs, ups := flapTimes(t, lines, "a>b")
			require.Equal(t, tc.downs, downs)
			require.Equal(t, tc.ups, ups)
			require.True(t, linked)
			require.True(t, c.w.Linked(a, b))
			requireDelivered(t, fates(t, lines), "a", "b", 1000+wire.Time(tc.forD), 5000, 0)
		})
	}
}

// Heal stops every flapper at once and leaves their links up.
func TestHealStopsFlapping(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 9})
	a := c.add("a", 5, 10, "b")
	b := c.add("b", 5, 10, "a")
	c.w.Schedule(1000, sim.FlapLink{From: a, To: b, Spec: sim.FlapSpec{Down: 100, Up: 100}})
	c.w.Schedule(1000, sim.FlapNode{Node: b, Spec: sim.FlapSpec{Down: 70, Up: 30}})
	c.w.Schedule(1250, sim.Heal{})
	c.runUntil(4000)

	lines := c.lines()
	downs, ups := flapTimes(t, lines, "a>b")
	require.Equal(t, []wire.Time{1000, 1200}, downs)
	require.Equal(t, []wire.Time{1100, 1250}, ups)
	downs, ups = flapTimes(t, lines, "node b")
	require.Equal(t, []wire.Time{1000, 1100, 1200}, downs)
	require.Equal(t, []wire.Time{1070, 1170, 1250}, ups)
	for _, l := range grep(lines, "flap") {
		require.LessOrEqual(t, l.at, wire.Time(1250), "flapping after heal: %q", l.raw)
	}
	require.True(t, c.w.Linked(a, b))
	fs := fates(t, lines)
	requireDelivered(t, fs, "a", "b", 1250, 4000, 0)
	requireDelivered(t, fs, "b", "a", 1250, 4000, 0)
}

// Flappers holding the same link add up with cuts: the link is up only when
// no cut and no flapper holds it down.
func TestFlapAndCutCombine(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 10})
	a := c.add("a", 0, 0)
	b := c.add("b", 0, 0)
	one := func(id wire.NodeID) []wire.NodeID { return []wire.NodeID{id} }
	c.w.Schedule(1000, sim.OneWay{From: one(a), To: one(b)})
	c.w.Schedule(1000, sim.FlapLink{From: a, To: b, Spec: sim.FlapSpec{Down: 100, Up: 100, For: 1000}})
	c.w.Schedule(1500, sim.Connect{A: one(a), B: one(b)})
	got := map[wire.Time]bool{}
	for _, at := range []wire.Time{1050, 1150, 1650, 1750, 2500} {
		c.w.At(at, func(w *sim.World) { got[at] = w.Linked(a, b) })
	}
	c.runUntil(3000)
	// The flapper is down over [1000,1100), [1200,1300) ... [1800,1900).
	// 1150: the flapper is up but the cut holds; 1650: the cut is gone but
	// the flapper is down; 1750: both are up; 2500: the flapper has ended.
	require.Equal(t, map[wire.Time]bool{1050: false, 1150: false, 1650: false, 1750: true, 2500: true}, got)
}

// FlapNode flaps every link of the node, both ways, together; links between
// other nodes are untouched.
func TestFlapNode(t *testing.T) {
	names := []string{"a", "b", "c"}
	c := newCluster(t, sim.Config{Seed: 11})
	for _, n := range names {
		c.add(n, 5, 10, names...)
	}
	c.w.Schedule(1000, sim.FlapNode{Node: c.id("a"), Spec: sim.FlapSpec{Down: 100, Up: 100, For: 1000}})
	c.runUntil(3000)

	lines := c.lines()
	require.Len(t, grep(lines, "fault", "flap-node", "a", "down=100", "up=100", "jitter=0", "for=1000"), 1)
	downs, ups := flapTimes(t, lines, "node a")
	require.Equal(t, []wire.Time{1000, 1200, 1400, 1600, 1800}, downs)
	require.Equal(t, []wire.Time{1100, 1300, 1500, 1700, 1900}, ups)
	fs := fates(t, lines)
	for i := range downs {
		requireCuts(t, fs, names, downs[i], ups[i], func(x, y string) bool { return x == "a" || y == "a" })
		requireCuts(t, fs, names, ups[i], ups[i]+100, func(string, string) bool { return false })
	}
	requireCuts(t, fs, names, 2000, 3000, func(string, string) bool { return false })
}

// A paused process handles nothing: messages that reach it are "held", its
// timers wait, and it sends nothing. At resume it handles them all, in the
// order they came due, with ctx.Now() equal to the resume time (its clock kept
// running), so its timers fire late.
func TestPauseHoldsMessagesAndTimersUntilResume(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 12})
	c.add("a", 50, 100, "b")
	b := c.add("b", 300, 300, "a")
	c.w.Schedule(1020, sim.Pause{Node: b})
	c.w.Schedule(1720, sim.Resume{Node: b})
	var paused [2]bool
	c.w.At(1500, func(w *sim.World) { paused[0] = w.Paused(b) && w.Up(b) })
	c.w.At(1800, func(w *sim.World) { paused[1] = w.Paused(b) })
	c.runUntil(2500)
	require.Equal(t, [2]bool{true, false}, paused)

	lines := c.lines()
	fs := fates(t, lines)
	held := between(fs, "a", "b", 1020, 1720)
	require.Len(t, held, 7)
	for i, f := range held {
		require.Equal(t, []wire.Time{f.sentAt}, f.held, "message #%d", f.id)
		require.Equal(t, []wire.Time{1720}, f.recv, "message #%d", f.id)
		require.Empty(t, f.drops)
		if i > 0 {
			require.Greater(t, f.id, held[i-1].id)
		}
	}
	for _, l := range lines {
		if l.at > 1020 && l.at < 1720 {
			require.False(t, l.verb == "recv" && strings.HasSuffix(l.rest[1], ">b"), "b received while paused: %q", l.raw)
			require.False(t, l.verb == "send" && strings.HasPrefix(l.rest[1], "b>"), "b sent while paused: %q", l.raw)
		}
	}
	// b's timer due at 1200 fires at resume, and its send goes out then;
	// the timer it re-arms runs from there (1720+300).
	bSends := between(fs, "b", "a", 1020, 2100)
	require.Len(t, bSends, 2)
	require.Equal(t, []wire.Time{1720, 2020}, []wire.Time{bSends[0].sentAt, bSends[1].sentAt})

	// What b itself saw, in order, at 1720: held messages and timers
	// interleaved in the order they came due.
	var at1720 []string
	for _, o := range c.log("b", "") {
		require.False(t, o.sim > 1020 && o.sim < 1720, "b ran at %d while paused", o.sim)
		if o.sim == 1720 {
			require.Equal(t, wire.Time(1720), o.now, "b's clock must keep running while paused")
			require.Equal(t, wire.Time(1720), o.mono)
			at1720 = append(at1720, o.kind+":"+o.payload)
		}
	}
	require.Equal(t, []string{
		"recv:a10", "recv:a11", "fire:", "recv:a12", "recv:a13", "recv:a14", "recv:a15", "recv:a16",
	}, at1720)
	// After resume b receives again without delay.
	requireDelivered(t, fs, "a", "b", 1720, 2500, 0)
}

// Crashing a paused node drops what it held ("crash"); restarting a paused
// node drops it as "restart", and the new process is not paused.
func TestCrashOrRestartWhilePausedDropsHeld(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 13})
	c.add("a", 50, 100, "b")
	b := c.add("b", 0, 0)
	c.w.Schedule(1020, sim.Pause{Node: b})
	c.w.Schedule(1320, sim.Crash{Node: b})
	c.w.Schedule(1400, sim.Restart{Node: b})
	c.w.Schedule(1520, sim.Pause{Node: b})
	c.w.Schedule(1820, sim.Restart{Node: b})
	c.runUntil(2500)

	fs := fates(t, c.lines())
	for _, tc := range []struct {
		lo, hi, at wire.Time
		reason     string
	}{{1020, 1320, 1320, "crash"}, {1520, 1820, 1820, "restart"}} {
		sel := between(fs, "a", "b", tc.lo, tc.hi)
		require.Len(t, sel, 3)
		for _, f := range sel {
			require.Equal(t, []wire.Time{f.sentAt}, f.held)
			require.Equal(t, []stamp{{at: tc.at, reason: tc.reason}}, f.drops, "message #%d", f.id)
			require.Empty(t, f.recv)
		}
	}
	requireDropped(t, fs, "a", "b", 1320, 1400, "down")
	requireDelivered(t, fs, "a", "b", 1400, 1520, 0)
	requireDelivered(t, fs, "a", "b", 1820, 2500, 0)
	require.False(t, c.w.Paused(b))
	for _, o := range c.log("b", "recv") {
		require.False(t, o.sim > 1020 && o.sim < 1400 || o.sim > 1520 && o.sim < 1820, "b received at %d", o.sim)
	}
}

// keeper is a process for crash tests. Incarnation k (counted from 1 by the
// factory) ticks every `every` ms; on each tick it counts, persists
// "k:n" on odd counts, and sends "k:n" to peer. At boot it also sets a long
// timer tagged with its incarnation.
type keeper struct {
	k, n      int
	every     wire.Duration
	long      wire.Duration
	peer      *wire.NodeID
	persisted *[]string // every state the node persisted, in order
	boots     *[][]byte // what each Boot was given (nil kept as nil)
	fired     *[][2]uint64
}

func (p *keeper) Boot(ctx wire.Env, persisted []byte) {
	var cp []byte
	if persisted != nil {
		cp = append([]byte{}, persisted...)
	}
	*p.boots = append(*p.boots, cp)
	ctx.After(p.every, uint64(p.k)*1000+1)
	ctx.After(p.long, uint64(p.k)*1000+2)
}

func (p *keeper) Receive(wire.Env, wire.Message) {}

func (p *keeper) Fire(ctx wire.Env, tag uint64) {
	*p.fired = append(*p.fired, [2]uint64{uint64(p.k), tag})
	if tag%1000 != 1 {
		return
	}
	p.n++
	s := strconv.Itoa(p.k) + ":" + strconv.Itoa(p.n)
	if p.n%2 == 1 {
		ctx.Persist([]byte(s))
		*p.persisted = append(*p.persisted, s)
	}
	ctx.Send(*p.peer, text(s))
	ctx.After(p.every, tag)
}

type keeperLog struct {
	persisted []string
	boots     [][]byte
	fired     [][2]uint64
}

func addKeeper(t *testing.T, c *cluster, name, peer string, every, long wire.Duration) *keeperLog {
	t.Helper()
	log := &keeperLog{}
	k := 0
	peerID := wire.None
	_, err := c.w.AddNode(sim.NodeSpec{Name: name, Start: func() sim.Process {
		k++
		peerID, _ = c.w.Lookup(peer)
		return &keeper{k: k, every: every, long: long, peer: &peerID, persisted: &log.persisted, boots: &log.boots, fired: &log.fired}
	}})
	require.NoError(t, err)
	c.ids[name], _ = c.w.Lookup(name)
	return log
}

// A crash loses everything not persisted: the restarted process's Boot gets
// exactly the bytes last passed to Persist (not the later, unsaved state),
// and the old incarnation's timers never fire, in the new one or at all.
func TestCrashRestartRestoresOnlyPersisted(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 14, Network: fixed(30)})
	kl := addKeeper(t, c, "a", "b", 20, 1500)
	c.add("b", 0, 0)
	a := c.id("a")
	c.w.Schedule(1055, sim.Crash{Node: a})
	c.w.Schedule(1142, sim.Restart{Node: a})
	var down struct {
		up, paused bool
		proc       sim.Process
		disk       []byte
		onDisk     bool
	}
	c.w.At(1100, func(w *sim.World) {
		down.up, down.paused, down.proc = w.Up(a), w.Paused(a), w.Process(a)
		down.disk, down.onDisk = w.Persisted(a)
		down.disk = append([]byte(nil), down.disk...)
	})
	c.runUntil(3000)

	require.False(t, down.up)
	require.False(t, down.paused)
	require.Nil(t, down.proc)
	require.True(t, down.onDisk)
	require.Equal(t, "1:51", string(down.disk))

	// Incarnation 1 counted to 52 (ticks at 20..1040) but persisted 51 last.
	require.Equal(t, "1:51", kl.persisted[25])
	require.Equal(t, "2:1", kl.persisted[26])
	require.Len(t, kl.boots, 2)
	require.Nil(t, kl.boots[0])
	require.Equal(t, "1:51", string(kl.boots[1]))

	// Old timers: incarnation 1's long timer (due at 1500) never fires;
	// incarnation 2's (due at 1142+1500) does, only in incarnation 2.
	var longs [][2]uint64
	for _, f := range kl.fired {
		require.Equal(t, f[0], f[1]/1000, "incarnation %d fired a timer of incarnation %d", f[0], f[1]/1000)
		if f[1]%1000 == 2 {
			longs = append(longs, f)
		}
	}
	require.Equal(t, [][2]uint64{{2, 2002}}, longs)

	lines := c.lines()
	require.Len(t, grep(lines, "boot", "a"), 1)
	require.Equal(t, []wire.Time{1142}, times(grep(lines, "boot", "a", "restored=4B")))
	require.Equal(t, []wire.Time{1055}, times(grep(lines, "fault", "crash", "a")))
	// Nothing from a between the crash and the restart.
	for _, l := range lines {
		if l.at > 1055 && l.at < 1142 && l.verb == "send" {
			require.False(t, strings.HasPrefix(l.rest[1], "a>"), "a sent while down: %q", l.raw)
		}
	}
}

// A process that never persisted boots with nil after a restart, and a node
// configured Down boots (with nil) only when a Restart fault comes.
func TestRestartWithoutPersistBootsNil(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 15})
	c.add("c", 5, 100, "d")
	d := c.addSpec(sim.NodeSpec{Name: "d", Down: true}, 5, 100, "c")
	c.w.Schedule(500, sim.Restart{Node: c.id("c")})
	var before bool
	c.w.At(900, func(w *sim.World) { before = w.Up(d) || w.Process(d) != nil })
	c.w.Schedule(1000, sim.Restart{Node: d})
	c.runUntil(2000)

	require.False(t, before, "a Down node must not run before it is restarted")
	boots := c.log("c", "boot")
	require.Len(t, boots, 2)
	for _, o := range boots {
		require.True(t, o.isNil, "Boot got %q, want nil", o.state)
	}
	boots = c.log("d", "boot")
	require.Len(t, boots, 1)
	require.Equal(t, wire.Time(1000), boots[0].sim)
	require.True(t, boots[0].isNil)

	lines := c.lines()
	require.Equal(t, []wire.Time{0, 500}, times(grep(lines, "boot", "c")))
	require.Equal(t, []wire.Time{1000}, times(grep(lines, "boot", "d")))
	fs := fates(t, lines)
	requireDropped(t, fs, "c", "d", 0, 1000, "down")
	requireDelivered(t, fs, "c", "d", 1000, 2000, 0)
	_, onDisk := c.w.Persisted(c.id("c"))
	require.False(t, onDisk)
}

// Every node that starts up boots at time 0, in the order added; none of
// them has crashed or restarted. A message one of them sends from Boot to
// another must therefore be delivered whichever of the two was added first.
func TestBootMessagesReachPeersBootingTogether(t *testing.T) {
	for _, delay := range []wire.Duration{0, 5} {
		c := newCluster(t, sim.Config{Seed: 29, Network: fixed(delay)})
		hello := func(peer string) func() sim.Process {
			return func() sim.Process {
				return &funcs{boot: func(ctx wire.Env, _ []byte) {
					to, _ := c.w.Lookup(peer)
					ctx.Send(to, text("hello"))
				}}
			}
		}
		for _, n := range [][2]string{{"a", "b"}, {"b", "a"}} {
			_, err := c.w.AddNode(sim.NodeSpec{Name: n[0], Start: hello(n[1])})
			require.NoError(t, err)
		}
		c.runUntil(100)
		fs := fates(t, c.lines())
		requireDelivered(t, fs, "b", "a", 0, 1, delay)
		requireDelivered(t, fs, "a", "b", 0, 1, delay)
	}
}

// Messages in flight across a crash are lost: to the crashed node "down"
// when they arrive while it is down, and refused as "down" at send time when
// sent while it is down; "restarted" when they reach the next incarnation;
// from the crashed incarnation "sender-crashed". Restart of a running node
// (kill -9 and start) does the same without a down period.
func TestCrashDropsInFlightMessages(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 16, Network: fixed(30)})
	c.add("a", 5, 10, "b")
	c.add("b", 5, 10, "a", "c")
	c.add("c", 5, 10, "b")
	c.w.Schedule(1057, sim.Crash{Node: c.id("a")})
	c.w.Schedule(1143, sim.Restart{Node: c.id("a")})
	c.w.Schedule(2001, sim.Restart{Node: c.id("c")})
	c.runUntil(3000)

	lines := c.lines()
	fs := fates(t, lines)
	// Towards a: sent at s, due at s+30; a is down over [1057, 1143).
	requireDelivered(t, fs, "b", "a", 0, 1027, 30)
	requireDropped(t, fs, "b", "a", 1027, 1143, "down")
	requireDelivered(t, fs, "b", "a", 1143, 2970, 30)
	// From a's first incarnation: the last sends were still travelling.
	requireDelivered(t, fs, "a", "b", 0, 1027, 30)
	requireDropped(t, fs, "a", "b", 1027, 1057, "sender-crashed")
	require.Empty(t, between(fs, "a", "b", 1057, 1143), "a sent while down")
	requireDelivered(t, fs, "a", "b", 1143, 2970, 30)
	// In flight at the crash: dropped when the message would have arrived.
	for _, f := range between(fs, "b", "a", 1027, 1057) {
		require.Equal(t, f.sentAt+30, f.drops[0].at)
	}
	// Sent while a is down: refused at once.
	for _, f := range between(fs, "b", "a", 1057, 1143) {
		require.Equal(t, f.sentAt, f.drops[0].at)
	}
	// Restart of a running node: no "down" window at all.
	requireDelivered(t, fs, "b", "c", 0, 1971, 30)
	requireDropped(t, fs, "b", "c", 1971, 2001, "restarted")
	requireDelivered(t, fs, "b", "c", 2001, 2970, 30)
	requireDelivered(t, fs, "c", "b", 0, 1971, 30)
	requireDropped(t, fs, "c", "b", 1971, 2001, "sender-crashed")
	requireDelivered(t, fs, "c", "b", 2001, 2970, 30)
	require.Equal(t, []wire.Time{0, 2001}, times(grep(lines, "boot", "c")))
}

// CrashAfterPersist: at the next persist the state is saved, then the node
// crashes before the messages of that step leave (each has its send line,
// then is dropped as "crash"); the node stays down and a restart boots from
// that state.
func TestCrashAfterPersist(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 17})
	kl := addKeeper(t, c, "a", "b", 100, 1<<40)
	c.add("b", 0, 0)
	a := c.id("a")
	c.w.Schedule(1050, sim.CrashAfterPersist{Node: a})
	var up [2]bool
	c.w.At(1150, func(w *sim.World) { up[0] = w.Up(a) })
	c.w.At(1950, func(w *sim.World) { up[1] = w.Up(a) })
	c.w.Schedule(2000, sim.Restart{Node: a})
	c.runUntil(3000)

	// Ticks at 100..1000 count 1..10; the first persist after 1050 is
	// tick 11 at 1100.
	require.Equal(t, [2]bool{false, false}, up)
	require.Equal(t, "1:11", kl.persisted[5])
	require.Len(t, kl.boots, 2)
	require.Equal(t, "1:11", string(kl.boots[1]))

	lines := c.lines()
	var at1100 []string
	for _, l := range lines {
		if l.at == 1100 {
			at1100 = append(at1100, l.verb+" "+strings.Join(l.rest, " "))
		}
	}
	require.Len(t, at1100, 4)
	require.Equal(t, "persist a 4B sha256="+shortHash("1:11"), at1100[0])
	require.Equal(t, "fault crashed-after-persist a", at1100[1])
	require.Regexp(t, `^send #\d+ a>b 1:11$`, at1100[2])
	require.Regexp(t, `^drop #\d+ a>b crash 1:11$`, at1100[3])
	require.Equal(t, strings.Fields(at1100[2])[1], strings.Fields(at1100[3])[1], "the dropped message is the one sent")

	fs := fates(t, lines)
	var crashed []*fate
	for _, f := range fs {
		if f.dropped("crash") {
			crashed = append(crashed, f)
		}
	}
	require.Len(t, crashed, 1)
	require.True(t, crashed[0].sent, "a message dropped by the crash has its send line first")
	require.Empty(t, crashed[0].recv)
	requireDelivered(t, fs, "a", "b", 0, 1100, 0)
	require.Equal(t, crashed, between(fs, "a", "b", 1100, 2000), "a sends nothing else until it restarts")
	requireDelivered(t, fs, "a", "b", 2000, 3000, 0)
	st := c.w.Stats()
	require.Equal(t, st.Sent, st.Delivered+st.Dropped)
}

// CrashAfterPersist hitting while a resumed process catches up: the
// messages it had not handled yet are dropped as "crash".
func TestCrashAfterPersistDuringResume(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 18})
	c.add("a", 50, 100, "b")
	var got []string
	_, err := c.w.AddNode(sim.NodeSpec{Name: "b", Start: func() sim.Process {
		return &funcs{recv: func(ctx wire.Env, m wire.Message) {
			got = append(got, m.Payload.String())
			ctx.Persist([]byte(m.Payload.String()))
		}}
	}})
	require.NoError(t, err)
	b, _ := c.w.Lookup("b")
	c.w.Schedule(1020, sim.Pause{Node: b})
	c.w.Schedule(1300, sim.CrashAfterPersist{Node: b})
	c.w.Schedule(1420, sim.Resume{Node: b})
	c.runUntil(2000)

	require.Equal(t, "a9", got[len(got)-2])
	require.Equal(t, "a10", got[len(got)-1], "b must handle the first held message and crash after persisting it")
	disk, ok := c.w.Persisted(b)
	require.True(t, ok)
	require.Equal(t, "a10", string(disk))
	require.False(t, c.w.Up(b))

	fs := fates(t, c.lines())
	held := between(fs, "a", "b", 1020, 1420)
	require.Len(t, held, 4)
	require.Equal(t, []wire.Time{1420}, held[0].recv)
	for _, f := range held[1:] {
		require.Equal(t, []stamp{{at: 1420, reason: "crash"}}, f.drops, "message #%d", f.id)
		require.Empty(t, f.recv)
	}
	requireDropped(t, fs, "a", "b", 1420, 2000, "down")
}

// A clock jump is seen only by its node, only on its wall clock: ctx.Now()
// on that node steps (forward and back), other nodes' clocks and its own
// monotonic clock do not, and its timers keep firing on schedule (spec §18
// TILT: Sentinel must notice the jump from its wall clock, not the timer).
func TestClockJumpOnlyAffectsItsNode(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 19})
	a := c.add("a", 100, 100)
	c.add("b", 100, 100)
	c.w.Schedule(1050, sim.ClockJump{Node: a, By: 5000})
	c.w.Schedule(2050, sim.ClockJump{Node: a, By: -20000})
	var wall [2]wire.Time
	c.w.At(1500, func(w *sim.World) { wall = [2]wire.Time{w.WallClock(a), w.WallClock(c.id("b"))} })
	c.runUntil(3000)

	require.Equal(t, [2]wire.Time{6500, 1500}, wall)
	offset := func(at wire.Time) wire.Duration {
		switch {
		case at < 1050:
			return 0
		case at < 2050:
			return 5000
		default:
			return -15000
		}
	}
	fa, fb := c.log("a", "fire"), c.log("b", "fire")
	require.Len(t, fa, 30)
	require.Len(t, fb, 30)
	for i := range fa {
		want := wire.Time(100 * (i + 1))
		require.Equal(t, want, fa[i].sim, "a's timers must stay on schedule")
		require.Equal(t, want, fa[i].mono, "a's monotonic clock must not jump")
		require.Equal(t, want.Add(offset(want)), fa[i].now, "a's wall clock at %d", want)
		require.Equal(t, want, fb[i].sim)
		require.Equal(t, want, fb[i].now, "b's wall clock must not move")
	}
	lines := c.lines()
	require.Equal(t, []wire.Time{1050}, times(grep(lines, "fault", "clock-jump", "a", "+5000ms")))
	require.Equal(t, []wire.Time{2050}, times(grep(lines, "fault", "clock-jump", "a", "-20000ms")))
}

// ClockDrift makes the node's monotonic (and wall) clock advance at the
// drifted rate from the change on, without stepping, and After(d) fires as
// soon as the node's own monotonic clock has advanced by at least d.
func TestClockDriftRateAndTimers(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 20})
	a := c.add("a", 100, 100)
	c.w.Schedule(1050, sim.ClockDrift{Node: a, DriftPPM: 100_000})
	c.w.Schedule(3050, sim.ClockDrift{Node: a, DriftPPM: -200_000})
	reads := map[wire.Time]wire.Time{}
	for _, at := range []wire.Time{1050, 2050, 3050, 4050, 5050} {
		c.w.At(at, func(w *sim.World) { reads[at] = w.WallClock(a) })
	}
	c.runUntil(6000)

	// +10% for 2000 ms, then -20%.
	require.Equal(t, map[wire.Time]wire.Time{1050: 1050, 2050: 2150, 3050: 3250, 4050: 4050, 5050: 4850}, reads)

	fires := c.log("a", "fire")
	changes := []wire.Time{1050, 3050}
	spans := 0
	for i := 1; i < len(fires); i++ {
		prev, cur := fires[i-1], fires[i]
		require.Equal(t, cur.mono, cur.now, "no jump: wall equals monotonic")
		if slices.ContainsFunc(changes, func(ch wire.Time) bool { return prev.sim < ch && ch <= cur.sim }) {
			continue // the rate changed under this timer
		}
		want := wire.Duration(100) // no drift
		switch {
		case prev.sim >= 3050:
			want = 125 // 100 ms at 0.8 ms per ms
		case prev.sim >= 1050:
			want = 91 // ceil(100 / 1.1)
		}
		require.Equal(t, want, cur.sim.Sub(prev.sim), "timer set at %d", prev.sim)
		adv := cur.mono.Sub(prev.mono)
		require.True(t, adv >= 100 && adv <= 101, "timer set at %d fired after %d ms of the node's clock", prev.sim, adv)
		spans++
	}
	require.Greater(t, spans, 40)
	require.Len(t, grep(c.lines(), "fault", "clock-drift", "a", "-200000ppm"), 1)
}

// After(d) promises Fire "once d has passed on the node's monotonic clock"
// (Context.After), and a ClockDrift changes how fast that clock runs "from
// now on". A timer pending across a drift change must therefore still fire
// when the node's monotonic clock has advanced by d (within 1 ms).
func TestTimerSpanningDriftChange(t *testing.T) {
	for _, tc := range []struct {
		name  string
		drift int64
	}{{"slower", -500_000}, {"faster", 1_000_000}} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCluster(t, sim.Config{Seed: 21})
			var set, fired wire.Time
			fired = -1
			_, err := c.w.AddNode(sim.NodeSpec{Name: "a", Start: func() sim.Process {
				return &funcs{
					boot: func(ctx wire.Env, _ []byte) { set = ctx.Mono(); ctx.After(1000, 1) },
					fire: func(ctx wire.Env, _ uint64) { fired = ctx.Mono() },
				}
			}})
			require.NoError(t, err)
			c.w.Schedule(100, sim.ClockDrift{Node: 0, DriftPPM: tc.drift})
			c.runUntil(5000)
			require.NotEqual(t, wire.Time(-1), fired, "the timer never fired")
			adv := fired.Sub(set)
			require.True(t, adv >= 1000 && adv <= 1001, "After(1000) fired after %d ms of the node's monotonic clock", adv)
		})
	}
}

// A ClockSpec at AddNode sets the node's starting offset and drift: the wall
// clock reads Offset at time 0 and both clocks run at the drifted rate.
func TestClockSpecAtAddNode(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 22})
	c.addSpec(sim.NodeSpec{Name: "c", Clock: sim.ClockSpec{Offset: 1_000_000}}, 100, 100)
	d := c.addSpec(sim.NodeSpec{Name: "d", Clock: sim.ClockSpec{Offset: -500, DriftPPM: 500_000}}, 100, 100)
	c.add("e", 100, 100)
	var wall [3]wire.Time
	c.w.At(1000, func(w *sim.World) {
		wall = [3]wire.Time{w.WallClock(c.id("c")), w.WallClock(d), w.WallClock(c.id("e"))}
	})
	c.runUntil(2000)

	require.Equal(t, [3]wire.Time{1_001_000, 1000, 1000}, wall)
	require.Equal(t, wire.Time(1_000_000), c.log("c", "boot")[0].now)
	require.Equal(t, wire.Time(-500), c.log("d", "boot")[0].now)
	require.Equal(t, wire.Time(0), c.log("d", "boot")[0].mono)
	require.Equal(t, wire.Time(0), c.log("e", "boot")[0].now)
	for i, f := range c.log("c", "fire") {
		require.Equal(t, wire.Time(100*(i+1)), f.sim)
	}
	fd := c.log("d", "fire")
	require.Equal(t, wire.Time(67), fd[0].sim) // ceil(100 / 1.5)
	require.Equal(t, wire.Time(100), fd[0].mono)
	for i := 1; i < len(fd); i++ {
		require.Equal(t, wire.Duration(67), fd[i].sim.Sub(fd[i-1].sim))
		require.GreaterOrEqual(t, fd[i].mono.Sub(fd[i-1].mono), wire.Duration(100))
		require.Equal(t, fd[i].mono.Add(-500), fd[i].now)
	}

	_, err := c.w.AddNode(sim.NodeSpec{Name: "z", Start: func() sim.Process { return &funcs{} }})
	require.Error(t, err, "nodes cannot be added after the world started")
	w2, err := sim.New(sim.Config{})
	require.NoError(t, err)
	_, err = w2.AddNode(sim.NodeSpec{Name: "x", Start: func() sim.Process { return &funcs{} }, Clock: sim.ClockSpec{DriftPPM: -1_000_000}})
	require.Error(t, err, "a clock that stands still must be rejected")
}

// Slow adds its extra latency to every timer the node sets and every
// message it sends, and Slow with 0 restores normal speed; other nodes are
// not slowed.
func TestSlowAddsLatency(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 23})
	a := c.add("a", 100, 100, "b")
	c.add("b", 50, 100, "a")
	c.w.Schedule(1050, sim.Slow{Node: a, Extra: 50})
	c.w.Schedule(2050, sim.Slow{Node: a, Extra: 0})
	c.runUntil(3000)

	var got []wire.Time
	for _, f := range c.log("a", "fire") {
		got = append(got, f.sim)
	}
	want := []wire.Time{}
	for at := wire.Time(100); at <= 1100; at += 100 { // set before the slow-down
		want = append(want, at)
	}
	for at := wire.Time(1250); at <= 2150; at += 150 { // set while slowed
		want = append(want, at)
	}
	for at := wire.Time(2250); at <= 3000; at += 100 {
		want = append(want, at)
	}
	require.Equal(t, want, got)

	lines := c.lines()
	require.Len(t, grep(lines, "fault", "slow", "a", "+50ms"), 1)
	require.Len(t, grep(lines, "fault", "slow", "a", "+0ms"), 1)
	fs := fates(t, lines)
	requireDelivered(t, fs, "a", "b", 0, 1050, 0)
	requireDelivered(t, fs, "a", "b", 1050, 2050, 50)
	requireDelivered(t, fs, "a", "b", 2050, 3000, 0)
	requireDelivered(t, fs, "b", "a", 0, 3000, 0)
}

// Loss=Always drops every message as "loss", and a fractional loss drops
// about that fraction.
func TestLoss(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 24, Network: sim.LinkConfig{Loss: sim.Always}})
	c.add("a", 5, 10, "b")
	c.add("b", 5, 10, "a")
	c.runUntil(1000)
	fs := fates(t, c.lines())
	requireDropped(t, fs, "a", "b", 0, 1000, "loss")
	requireDropped(t, fs, "b", "a", 0, 1000, "loss")
	st := c.w.Stats()
	require.Zero(t, st.Delivered)
	require.Equal(t, st.Sent, st.Dropped)
	require.Empty(t, c.log("a", "recv"))

	c = newCluster(t, sim.Config{Seed: 24, Network: sim.LinkConfig{Loss: sim.Ratio{Num: 1, Den: 4}}})
	c.add("a", 1, 1, "b")
	c.add("b", 0, 0)
	c.runUntil(8000)
	st = c.w.Stats()
	require.Equal(t, uint64(8000), st.Sent)
	require.InDelta(t, 2000, float64(st.Dropped), 200)
	require.Equal(t, st.Sent, st.Delivered+st.Dropped)
}

// Duplicate=Always delivers every message twice (a "dup" line and two
// receptions of the same id, neither before the send).
func TestDuplicateAlwaysDeliversTwice(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 25, Network: sim.LinkConfig{DelayMin: 0, DelayMean: 5, DelayMax: 20, Duplicate: sim.Always}})
	c.add("a", 5, 10, "b")
	c.add("b", 0, 0)
	c.runUntil(1000)
	// Messages sent at 985 and 995 may still be travelling at 1000.
	fs := fates(t, c.lines())
	sent := between(fs, "a", "b", 0, 980)
	require.Len(t, sent, 98)
	for _, f := range sent {
		require.Equal(t, 1, f.dups, "message #%d", f.id)
		require.Len(t, f.recv, 2, "message #%d", f.id)
		for _, r := range f.recv {
			require.True(t, r >= f.sentAt && r <= f.sentAt+20, "message #%d sent at %d received at %d", f.id, f.sentAt, r)
		}
	}
	count := map[string]int{}
	for _, o := range c.log("b", "recv") {
		count[o.payload]++
	}
	for i := range 98 {
		require.Equal(t, 2, count["a"+strconv.Itoa(i)], "payload a%d", i)
	}
	st := c.w.Stats()
	require.Equal(t, st.Sent, st.Duplicated)
}

// sender sends n messages "m0".."m<n-1>" to peer, one every ms from 1 ms.
func sender(w *sim.World, peer string, n int) func() sim.Process {
	return func() sim.Process {
		i := 0
		return &funcs{
			boot: func(ctx wire.Env, _ []byte) { ctx.After(1, 0) },
			fire: func(ctx wire.Env, _ uint64) {
				to, _ := w.Lookup(peer)
				ctx.Send(to, text("m"+strconv.Itoa(i)))
				if i++; i < n {
					ctx.After(1, 0)
				}
			},
		}
	}
}

// Links are FIFO by default: with widely random delays, messages on one link
// still arrive in the order they were sent. Reorder=Always lets them
// overtake each other.
func TestFIFOAndReorder(t *testing.T) {
	const n = 2000
	run := func(reorder sim.Ratio) (arr []wire.Time, delays map[wire.Duration]bool) {
		c := newCluster(t, sim.Config{Seed: 26, Network: sim.LinkConfig{DelayMin: 0, DelayMean: 10, DelayMax: 200, Reorder: reorder}})
		_, err := c.w.AddNode(sim.NodeSpec{Name: "a", Start: sender(c.w, "b", n)})
		require.NoError(t, err)
		c.add("b", 0, 0)
		c.runUntil(3000)
		fs := fates(t, c.lines())
		sel := between(fs, "a", "b", 0, 1<<62)
		require.Len(t, sel, n)
		delays = map[wire.Duration]bool{}
		for _, f := range sel {
			require.Len(t, f.recv, 1, "message #%d", f.id)
			arr = append(arr, f.recv[0])
			delays[f.recv[0].Sub(f.sentAt)] = true
		}
		// The receiving process sees the trace's order.
		var inOrder []string
		for _, f := range sel {
			inOrder = append(inOrder, f.payload)
		}
		slices.SortStableFunc(inOrder, func(x, y string) int {
			return int(arr[mustIndex(t, x)] - arr[mustIndex(t, y)])
		})
		var seen []string
		for _, o := range c.log("b", "recv") {
			seen = append(seen, o.payload)
		}
		require.Equal(t, inOrder, seen)
		return arr, delays
	}

	arr, delays := run(sim.Never)
	require.True(t, slices.IsSorted(arr), "FIFO link delivered out of order")
	require.Greater(t, len(delays), 20, "delays hardly vary; FIFO is not being tested")

	arr, _ = run(sim.Always)
	overtakes := 0
	for i := 1; i < len(arr); i++ {
		if arr[i] < arr[i-1] {
			overtakes++
		}
	}
	require.Greater(t, overtakes, 0, "Reorder=Always never let a message overtake")
}

// mustIndex parses the number of a payload "m<i>".
func mustIndex(t *testing.T, p string) int {
	i, err := strconv.Atoi(strings.TrimPrefix(p, "m"))
	require.NoError(t, err)
	return i
}

// MaxInFlight on a link drops sends beyond it as "full" until messages
// arrive; other links are not bounded.
func TestLinkMaxInFlight(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 27, Network: fixed(100)})
	burst := func(peer string, n int) func() sim.Process {
		return func() sim.Process {
			return &funcs{
				boot: func(ctx wire.Env, _ []byte) { ctx.After(10, 1); ctx.After(200, 2) },
				fire: func(ctx wire.Env, tag uint64) {
					to, _ := c.w.Lookup(peer)
					for i := range n {
						ctx.Send(to, text(fmt.Sprintf("t%d-%d", tag, i)))
					}
				},
			}
		}
	}
	_, err := c.w.AddNode(sim.NodeSpec{Name: "a", Start: burst("b", 10)})
	require.NoError(t, err)
	_, err = c.w.AddNode(sim.NodeSpec{Name: "b", Start: burst("a", 10)})
	require.NoError(t, err)
	cfg := fixed(100)
	cfg.MaxInFlight = 3
	c.w.Apply(sim.SetLinks{From: []wire.NodeID{0}, To: []wire.NodeID{1}, Config: cfg})
	c.runUntil(1000)

	fs := fates(t, c.lines())
	for _, at := range []wire.Time{10, 200} {
		sel := between(fs, "a", "b", at, at+1)
		require.Len(t, sel, 10)
		for i, f := range sel {
			if i < 3 {
				require.Equal(t, []wire.Time{at + 100}, f.recv, "message %d of the burst at %d", i, at)
			} else {
				require.Equal(t, []stamp{{at: at, reason: "full"}}, f.drops, "message %d of the burst at %d", i, at)
			}
		}
	}
	requireDelivered(t, fs, "b", "a", 0, 1000, 100)
	require.Len(t, between(fs, "b", "a", 0, 1000), 20)
}

// SetLinks changes the links it names (an empty list means every node) from
// the moment it is applied, and ResetLinks restores the world's default.
func TestSetLinksAndResetLinks(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 28, Network: fixed(10)})
	a := c.add("a", 5, 100, "b")
	b := c.add("b", 5, 100, "a")
	c.w.Schedule(1000, sim.SetLinks{From: []wire.NodeID{a}, To: []wire.NodeID{b}, Config: sim.LinkConfig{Loss: sim.Always}})
	c.w.Schedule(2000, sim.SetLinks{Config: fixed(40)})
	c.w.Schedule(3000, sim.ResetLinks{})
	c.runUntil(4000)

	lines := c.lines()
	require.Len(t, grep(lines, "fault", "set-links", "{a}", "->", "{b}", "delay=0/0/0", "loss=1/1", "dup=0/0", "reorder=0/0", "inflight=0"), 1)
	require.Len(t, grep(lines, "fault", "set-links", "{*}", "->", "{*}", "delay=40/40/40", "loss=0/0", "dup=0/0", "reorder=0/0", "inflight=0"), 1)
	require.Len(t, grep(lines, "fault", "reset-links"), 1)
	fs := fates(t, lines)
	requireDelivered(t, fs, "a", "b", 0, 1000, 10)
	requireDropped(t, fs, "a", "b", 1000, 2000, "loss")
	requireDelivered(t, fs, "b", "a", 0, 2000, 10)
	requireDelivered(t, fs, "a", "b", 2000, 3000, 40)
	requireDelivered(t, fs, "b", "a", 2000, 3000, 40)
	requireDelivered(t, fs, "a", "b", 3000, 4000, 10)
	requireDelivered(t, fs, "b", "a", 3000, 4000, 10)
}

// HealAll ends a fault phase: cuts, flapping, link changes, pauses, crashes,
// slow-downs and drift are all undone at once (held messages are delivered
// then, the crashed node boots from its disk), while a stepped clock stays
// stepped.
func TestHealAllRestoresEverything(t *testing.T) {
	names := []string{"a", "b", "c", "d"}
	c := newCluster(t, sim.Config{Seed: 30, Network: fixed(10)})
	for _, n := range names {
		c.add(n, 5, 100, names...)
	}
	a, b, cc, d := c.id("a"), c.id("b"), c.id("c"), c.id("d")
	c.w.Schedule(1000, sim.Partition{Groups: [][]wire.NodeID{{a}, {b}}})
	c.w.Schedule(1000, sim.FlapLink{From: cc, To: d, Spec: sim.FlapSpec{Down: 50, Up: 50}})
	c.w.Schedule(1000, sim.SetLinks{From: []wire.NodeID{cc}, Config: sim.LinkConfig{Loss: sim.Always}})
	c.w.Schedule(1000, sim.Pause{Node: b})
	c.w.Schedule(1000, sim.Crash{Node: cc})
	c.w.Schedule(1000, sim.Slow{Node: d, Extra: 500})
	c.w.Schedule(1000, sim.ClockDrift{Node: a, DriftPPM: 100_000})
	c.w.Schedule(1000, sim.ClockJump{Node: a, By: 7000})
	c.w.Schedule(2000, sim.HealAll{})
	var walls [2]wire.Time
	c.w.At(2000, func(w *sim.World) { walls[0] = w.WallClock(a) })
	c.w.At(3000, func(w *sim.World) { walls[1] = w.WallClock(a) })
	c.runUntil(5000)

	for _, id := range []wire.NodeID{a, b, cc, d} {
		require.True(t, c.w.Up(id))
		require.False(t, c.w.Paused(id))
	}
	// a's clock: 1000 ms at +10% then normal rate, still 7000 ms ahead.
	require.Equal(t, [2]wire.Time{2100 + 7000, 3100 + 7000}, walls)

	lines := c.lines()
	require.Equal(t, []wire.Time{2000}, times(grep(lines, "fault", "heal-all")))
	require.Equal(t, []wire.Time{0, 2000}, times(grep(lines, "boot", "c")))
	for _, l := range grep(lines, "flap") {
		require.LessOrEqual(t, l.at, wire.Time(2000), "flapping after heal-all: %q", l.raw)
	}
	fs := fates(t, lines)
	// b's held messages are handled at 2000.
	for _, f := range between(fs, "a", "b", 1000, 1990) {
		if len(f.held) > 0 {
			require.Equal(t, []wire.Time{2000}, f.recv, "held message #%d", f.id)
		}
	}
	require.NotEmpty(t, grep(lines, "held"))
	// d's last slowed timer (set before 2000) fires by 2600; after that
	// every pair talks normally over the default links.
	for _, x := range names {
		for _, y := range names {
			if x != y {
				requireDelivered(t, fs, x, y, 2600, 4990, 10)
			}
		}
	}
	// a's and d's timers run at the normal rate again.
	for _, n := range []string{"a", "d"} {
		var last wire.Time
		for _, o := range c.log(n, "fire") {
			if o.sim > 2600 {
				require.Equal(t, wire.Duration(100), o.sim.Sub(last), "%s's timer", n)
			}
			last = o.sim
		}
	}
}

// Messages held at a paused node are still in flight: they count towards
// the link's MaxInFlight (so a full link drops new sends as "full") and the
// run's InFlight, until the node handles them on resume.
func TestHeldMessagesStayInFlight(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 31, Network: fixed(1)})
	a := c.add("a", 10, 1, "b")
	b := c.add("b", 0, 0)
	cfg := fixed(1)
	cfg.MaxInFlight = 3
	require.NoError(t, c.w.Schedule(5, sim.SetLinks{From: []wire.NodeID{a}, To: []wire.NodeID{b}, Config: cfg}))
	require.NoError(t, c.w.Schedule(5, sim.Pause{Node: b}))
	require.NoError(t, c.w.Schedule(100, sim.Resume{Node: b}))
	var during int
	c.w.At(50, func(w *sim.World) { during = w.Stats().InFlight })
	c.runUntil(200)

	require.Equal(t, 3, during, "the held messages are in flight")
	fs := fates(t, c.lines())
	sel := between(fs, "a", "b", 0, 100)
	require.Len(t, sel, 90)
	for i, f := range sel {
		if i < 3 {
			require.Equal(t, []wire.Time{f.sentAt + 1}, f.held, "message %d", i)
			require.Equal(t, []wire.Time{100}, f.recv, "message %d", i)
		} else {
			require.Equal(t, []stamp{{at: f.sentAt, reason: "full"}}, f.drops, "message %d", i)
		}
	}
	requireDelivered(t, fs, "a", "b", 100, 199, 1)
	st := c.w.Stats()
	require.Equal(t, st.Sent, st.Delivered+st.Dropped+uint64(st.InFlight))
}

// A timer set while the node was slowed keeps its slow-down when the node's
// clock rate changes under it: HealAll (which restores normal speed and the
// configured rate) must not make it fire early.
func TestTimerKeepsItsSlowDownAcrossDriftChange(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 32})
	var set, fired wire.Time
	fired = -1
	_, err := c.w.AddNode(sim.NodeSpec{Name: "a", Start: func() sim.Process {
		return &funcs{
			boot: func(ctx wire.Env, _ []byte) { ctx.After(100, 1) },
			fire: func(ctx wire.Env, tag uint64) {
				if tag == 1 {
					set = ctx.Mono()
					ctx.After(1000, 2)
					return
				}
				fired = ctx.Mono()
			},
		}
	}})
	require.NoError(t, err)
	require.NoError(t, c.w.Schedule(20, sim.ClockDrift{Node: 0, DriftPPM: 100_000}))
	require.NoError(t, c.w.Schedule(50, sim.Slow{Node: 0, Extra: 500}))
	require.NoError(t, c.w.Schedule(200, sim.HealAll{}))
	c.runUntil(5000)
	require.NotEqual(t, wire.Time(-1), fired, "the timer never fired")
	adv := fired.Sub(set)
	require.True(t, adv >= 1500 && adv <= 1501, "After(1000) set with a 500 ms slow-down fired after %d ms of the node's clock", adv)
}

// A ClockDrift that does not change the rate changes nothing: the clock is
// not re-based (which would lose the fraction of a millisecond it had
// gained) and timers are not re-timed.
func TestClockDriftToTheSameRateIsANoOp(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 33})
	a := c.addSpec(sim.NodeSpec{Name: "a", Clock: sim.ClockSpec{DriftPPM: 100_000}}, 0, 0)
	require.NoError(t, c.w.Schedule(5, sim.ClockDrift{Node: a, DriftPPM: 100_000}))
	var wall wire.Time
	c.w.At(10, func(w *sim.World) { wall = w.WallClock(a) })
	c.runUntil(100)
	require.Equal(t, wire.Time(11), wall, "10 ms at +10%% reads 11 ms")
}

// A flapping fault draws from a stream named after the fault itself (what
// flaps and when it started), so adding an unrelated flapping fault does
// not change its phases.
func TestFlapStreamDoesNotDependOnOtherFlaps(t *testing.T) {
	run := func(other bool) (downs, ups []wire.Time) {
		c := newCluster(t, sim.Config{Seed: 34})
		a := c.add("a", 0, 0)
		b := c.add("b", 0, 0)
		cc := c.add("c", 0, 0)
		if other {
			require.NoError(t, c.w.Schedule(500, sim.FlapLink{From: cc, To: a, Spec: sim.FlapSpec{Down: 50, Up: 50, Jitter: 40}}))
		}
		require.NoError(t, c.w.Schedule(1000, sim.FlapLink{From: a, To: b, Spec: sim.FlapSpec{Down: 100, Up: 100, Jitter: 50}}))
		c.runUntil(10_000)
		return flapTimes(t, c.lines(), "a>b")
	}
	d1, u1 := run(false)
	d2, u2 := run(true)
	require.Greater(t, len(d1), 20)
	require.Equal(t, d1, d2)
	require.Equal(t, u1, u2)
}

// HealAll disarms CrashAfterPersist: after a heal the node's next persist
// does not crash it.
func TestHealAllDisarmsCrashAfterPersist(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 35})
	kl := addKeeper(t, c, "a", "b", 100, 1<<40)
	c.add("b", 0, 0)
	a := c.id("a")
	require.NoError(t, c.w.Schedule(1050, sim.CrashAfterPersist{Node: a}))
	require.NoError(t, c.w.Schedule(1060, sim.HealAll{}))
	c.runUntil(3000)

	require.True(t, c.w.Up(a), "a crashed after a persist that followed HealAll")
	require.Empty(t, grep(c.lines(), "fault", "crashed-after-persist", "a"))
	require.Len(t, kl.boots, 1)
}

// A node that is down when CrashAfterPersist arms it stays armed until its
// first persist after it boots.
func TestCrashAfterPersistArmedWhileDown(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 36})
	kl := addKeeper(t, c, "a", "b", 100, 1<<40)
	c.add("b", 0, 0)
	a := c.id("a")
	require.NoError(t, c.w.Schedule(1050, sim.Crash{Node: a}))
	require.NoError(t, c.w.Schedule(1060, sim.CrashAfterPersist{Node: a}))
	require.NoError(t, c.w.Schedule(2000, sim.Restart{Node: a}))
	c.runUntil(3000)

	// Incarnation 2 persists at its first tick (2100).
	require.Equal(t, []wire.Time{2100}, times(grep(c.lines(), "fault", "crashed-after-persist", "a")))
	require.False(t, c.w.Up(a))
	require.Equal(t, "2:1", kl.persisted[len(kl.persisted)-1])
}

// Partition and Bridge reject a node on two sides, which would cut the
// node's links to itself and make the fault mean nothing clear.
func TestFaultsRejectANodeOnTwoSides(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 37})
	for _, n := range []string{"a", "b", "c"} {
		c.add(n, 0, 0)
	}
	for _, f := range []sim.Fault{
		sim.Partition{Groups: [][]wire.NodeID{{0, 1}, {1, 2}}},
		sim.Partition{Groups: [][]wire.NodeID{{0}, {1}, {2, 0}}},
		sim.Bridge{Left: []wire.NodeID{0, 1}, Right: []wire.NodeID{1}, Via: 2},
	} {
		require.Error(t, c.w.Check(f), "%#v", f)
		require.Error(t, c.w.Schedule(10, f), "%#v", f)
		require.Error(t, c.w.Apply(f), "%#v", f)
	}
	require.NoError(t, c.w.Check(sim.Partition{Groups: [][]wire.NodeID{{0, 1}, {2}}}))
	require.NoError(t, c.w.Check(sim.Bridge{Left: []wire.NodeID{0}, Right: []wire.NodeID{1}, Via: 2}))
}

// A slow-down is at most 2^31-1 ms, so that a timer can carry the slow-down
// it was set with.
func TestSlowIsBounded(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 38})
	a := c.add("a", 0, 0)
	require.NoError(t, c.w.Check(sim.Slow{Node: a, Extra: 1<<31 - 1}))
	require.Error(t, c.w.Check(sim.Slow{Node: a, Extra: 1 << 31}))
	require.Error(t, c.w.Check(sim.Slow{Node: a, Extra: -1}))
}

// Rejoin clears every cut of its node, both ways, and no other cut.
func TestRejoin(t *testing.T) {
	names := []string{"a", "b", "c", "d"}
	c := newCluster(t, sim.Config{Seed: 39})
	for _, n := range names {
		c.add(n, 5, 100, names...)
	}
	require.NoError(t, c.w.Schedule(1000, sim.Isolate{Node: c.id("c")}))
	require.NoError(t, c.w.Schedule(1000, sim.OneWay{From: ids(c, "a"), To: ids(c, "b")}))
	require.NoError(t, c.w.Schedule(1000, sim.OneWay{From: ids(c, "d"), To: ids(c, "c")}))
	require.NoError(t, c.w.Schedule(2000, sim.Rejoin{Node: c.id("c")}))
	m := linkedMatrix(c, 2500, names)
	c.runUntil(3000)

	cut := func(x, y string) bool { return x == "a" && y == "b" }
	lines := c.lines()
	require.Equal(t, []wire.Time{2000}, times(grep(lines, "fault", "rejoin", "c")))
	requireMatrix(t, m, names, cut)
	requireCuts(t, fates(t, lines), names, 2000, 3000, cut)
}

// RestoreLinks sets the links it names back to the world's default and
// leaves the others as they are.
func TestRestoreLinks(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 52, Network: fixed(10)})
	a := c.add("a", 5, 100, "b", "c")
	c.add("b", 5, 100, "a", "c")
	c.add("c", 5, 100, "a", "b")
	require.NoError(t, c.w.Schedule(1000, sim.SetLinks{Config: fixed(40)}))
	require.NoError(t, c.w.Schedule(2000, sim.RestoreLinks{From: []wire.NodeID{a}}))
	require.NoError(t, c.w.Schedule(2000, sim.RestoreLinks{From: ids(c, "b"), To: ids(c, "c")}))
	c.runUntil(3000)

	lines := c.lines()
	require.Len(t, grep(lines, "fault", "restore-links", "{a}", "->", "{*}"), 1)
	require.Len(t, grep(lines, "fault", "restore-links", "{b}", "->", "{c}"), 1)
	fs := fates(t, lines)
	for _, p := range [][2]string{{"a", "b"}, {"a", "c"}, {"b", "c"}} {
		requireDelivered(t, fs, p[0], p[1], 2000, 2950, 10)
	}
	for _, p := range [][2]string{{"b", "a"}, {"c", "a"}, {"c", "b"}} {
		requireDelivered(t, fs, p[0], p[1], 2000, 2950, 40)
	}
}

// RestoreClockRate sets the node's clocks back to the rate it was
// configured with (not to 0), and re-times its pending timers.
func TestRestoreClockRate(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 53})
	var set, fired wire.Time
	fired = -1
	_, err := c.w.AddNode(sim.NodeSpec{Name: "a", Clock: sim.ClockSpec{DriftPPM: 250_000}, Start: func() sim.Process {
		return &funcs{
			boot: func(ctx wire.Env, _ []byte) { ctx.After(100, 1) },
			fire: func(ctx wire.Env, tag uint64) {
				if tag == 1 {
					set = ctx.Mono()
					ctx.After(1000, 2)
					return
				}
				fired = ctx.Mono()
			},
		}
	}})
	require.NoError(t, err)
	require.NoError(t, c.w.Schedule(50, sim.ClockDrift{Node: 0, DriftPPM: -500_000}))
	require.NoError(t, c.w.Schedule(500, sim.RestoreClockRate{Node: 0}))
	var wall [2]wire.Time
	c.w.At(1000, func(w *sim.World) { wall[0] = w.WallClock(0) })
	c.w.At(1400, func(w *sim.World) { wall[1] = w.WallClock(0) })
	c.runUntil(3000)

	require.Equal(t, wire.Duration(500), wall[1].Sub(wall[0]), "400 ms at +25%% is 500 ms")
	adv := fired.Sub(set)
	require.True(t, adv >= 1000 && adv <= 1001, "After(1000) fired after %d ms of the node's clock", adv)
	require.Len(t, grep(c.lines(), "fault", "restore-clock-rate", "a"), 1)
}

// Clear is the ground truth's "the link is clear both ways": false across a
// one-way cut and during a flapping fault even in its up phases, true again
// after the heal and once the flapping has ended (Clear's shortcut while no
// link is impaired must not hide either).
func TestClearFollowsCutsAndFlapping(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 12})
	a := c.add("a", 5, 10, "b")
	b := c.add("b", 5, 10, "a")
	c.w.Schedule(1000, sim.OneWay{From: []wire.NodeID{b}, To: []wire.NodeID{a}})
	c.w.Schedule(2000, sim.Heal{})
	c.w.Schedule(3000, sim.FlapLink{From: a, To: b, Spec: sim.FlapSpec{Down: 100, Up: 200, For: 1000}})
	clear := map[wire.Time]bool{}
	for _, at := range []wire.Time{500, 1500, 2500, 3050, 3150, 4500} {
		c.w.At(at, func(w *sim.World) { clear[at] = w.Clear(a, b) })
	}
	c.runUntil(5000)
	require.Equal(t, map[wire.Time]bool{
		500:  true,
		1500: false, // b>a cut
		2500: true,
		3050: false, // a>b down
		3150: false, // up phase of a flapping link
		4500: true,
	}, clear)
}
