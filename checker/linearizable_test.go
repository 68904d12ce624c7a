package checker

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/history"
	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// hist builds a history by hand: each call adds one op.
type hist []history.Op

func (h *hist) add(client string, call, ret wire.Time, o history.Outcome, node string, reply wire.Value, args ...string) *hist {
	*h = append(*h, history.Op{ID: uint64(len(*h) + 1), Client: client, Args: args, Call: call, Return: ret, Outcome: o, Reply: reply, Node: node})
	return h
}

func (h *hist) ok(client string, call, ret wire.Time, reply wire.Value, args ...string) *hist {
	return h.add(client, call, ret, history.OK, "n1", reply, args...)
}

func check(t *testing.T, h hist) LinResult {
	t.Helper()
	return Linearizable(h, 0)
}

func TestSequentialHistoryIsLinearizable(t *testing.T) {
	var h hist
	h.ok("c1", 0, 1, wire.Nil(), "GET", "k").
		ok("c1", 2, 3, wire.OK(), "SET", "k", "a").
		ok("c2", 4, 5, wire.Bulk("a"), "GET", "k").
		ok("c1", 6, 7, wire.Int(3), "APPEND", "k", "b;").
		ok("c2", 8, 9, wire.Bulk("ab;"), "GET", "k").
		ok("c1", 10, 11, wire.Int(1), "INCR", "n").
		ok("c2", 12, 13, wire.Int(2), "INCR", "n").
		ok("c2", 14, 15, wire.Bulk("2"), "GET", "n").
		add("c1", 16, 17, history.Fail, "n1", wire.Error("ERR value is not an integer or out of range"), "INCR", "k").
		ok("c1", 18, 19, wire.Int(2), "APPEND", "new", "x;")
	r := check(t, h)
	assert.Equal(t, LinOK, r.Status, r.Summary())
	assert.Empty(t, r.FirstViolated)
	assert.Equal(t, 10, r.Checked, "the INCR refused on a non-integer is checked as a read")
	require.Len(t, r.Keys, 3)
	assert.Equal(t, []string{"k", "n", "new"}, []string{r.Keys[0].Key, r.Keys[1].Key, r.Keys[2].Key})
	assert.Equal(t, 6, r.Keys[0].Ops)
}

func TestConcurrentOverlapsMayGoEitherWay(t *testing.T) {
	// A read overlapping a write may see the old or the new value, and
	// two overlapping reads may even disagree in either order.
	for _, first := range []string{"old", "new"} {
		var h hist
		h.ok("c1", 0, 1, wire.OK(), "SET", "k", "old").
			ok("c1", 10, 20, wire.OK(), "SET", "k", "new").
			ok("c2", 12, 14, wire.Bulk(first), "GET", "k").
			ok("c2", 15, 25, wire.Bulk("new"), "GET", "k")
		assert.Equal(t, LinOK, check(t, h).Status, "first read %s", first)
	}
}

func TestStaleReadIsViolated(t *testing.T) {
	var h hist
	h.ok("c1", 0, 10, wire.OK(), "SET", "k", "v1").
		ok("c1", 20, 30, wire.OK(), "SET", "k", "v2").
		ok("c2", 40, 50, wire.Bulk("v1"), "GET", "k")
	r := check(t, h)
	assert.Equal(t, LinViolated, r.Status)
	assert.Equal(t, "k", r.FirstViolated)
	assert.Equal(t, "violated on key k", r.Summary())
}

func TestLostAcknowledgedAppend(t *testing.T) {
	t.Run("a later read misses the token", func(t *testing.T) {
		var h hist
		h.ok("c1", 0, 10, wire.Int(5), "APPEND", "j", "c1-1;").
			ok("c2", 20, 30, wire.Int(10), "APPEND", "j", "c2-1;").
			ok("c1", 40, 50, wire.Bulk("c1-1;"), "GET", "j")
		assert.Equal(t, LinViolated, check(t, h).Status)
	})
	t.Run("the next APPEND's length shows it", func(t *testing.T) {
		// The new master never had c2-1: its length after c1-2 is 10,
		// not 15.
		var h hist
		h.ok("c1", 0, 10, wire.Int(5), "APPEND", "j", "c1-1;").
			ok("c2", 20, 30, wire.Int(10), "APPEND", "j", "c2-1;").
			add("c1", 40, 50, history.OK, "n3", wire.Int(10), "APPEND", "j", "c1-2;")
		assert.Equal(t, LinViolated, check(t, h).Status)
	})
	t.Run("without the loss it passes", func(t *testing.T) {
		var h hist
		h.ok("c1", 0, 10, wire.Int(5), "APPEND", "j", "c1-1;").
			ok("c2", 20, 30, wire.Int(10), "APPEND", "j", "c2-1;").
			ok("c1", 40, 50, wire.Int(15), "APPEND", "j", "c1-2;").
			ok("c1", 60, 70, wire.Bulk("c1-1;c2-1;c1-2;"), "GET", "j")
		assert.Equal(t, LinOK, check(t, h).Status)
	})
}

func TestSplitBrainIsViolated(t *testing.T) {
	// Two masters accept writes at once: each writer's APPENDs build on
	// its own master's value only, and each reads its own.
	var h hist
	h.add("c1", 0, 5, history.OK, "n1", wire.Int(5), "APPEND", "k", "c1-1;").
		add("c2", 1, 6, history.OK, "n3", wire.Int(5), "APPEND", "k", "c2-1;").
		add("c1", 10, 15, history.OK, "n1", wire.Int(10), "APPEND", "k", "c1-2;").
		add("c2", 11, 16, history.OK, "n3", wire.Int(10), "APPEND", "k", "c2-2;").
		add("c1", 20, 25, history.OK, "n1", wire.Bulk("c1-1;c1-2;"), "GET", "k").
		add("c2", 21, 26, history.OK, "n3", wire.Bulk("c2-1;c2-2;"), "GET", "k")
	r := check(t, h)
	assert.Equal(t, LinViolated, r.Status)

	// The same with SET and reads: each writer reads its own write back
	// after the other's write finished.
	var s hist
	s.add("c1", 0, 5, history.OK, "n1", wire.OK(), "SET", "k", "c1-1").
		add("c2", 0, 5, history.OK, "n3", wire.OK(), "SET", "k", "c2-1").
		add("c1", 10, 15, history.OK, "n1", wire.Bulk("c1-1"), "GET", "k").
		add("c2", 10, 15, history.OK, "n3", wire.Bulk("c2-1"), "GET", "k")
	assert.Equal(t, LinViolated, check(t, s).Status)
}

func TestIndefiniteOutcomesMayExplainReads(t *testing.T) {
	for _, o := range []history.Outcome{history.Unknown, history.Pending} {
		t.Run(o.String(), func(t *testing.T) {
			var h hist
			h.ok("c1", 0, 10, wire.OK(), "SET", "k", "a").
				add("c1", 20, 30, o, "n1", wire.Error("TIMEOUT"), "SET", "k", "b").
				// The write had not taken effect yet...
				ok("c2", 100, 110, wire.Bulk("a"), "GET", "k").
				// ...and does long after its client gave up.
				ok("c2", 200, 210, wire.Bulk("b"), "GET", "k")
			r := check(t, h)
			assert.Equal(t, LinOK, r.Status, r.Summary())
			assert.Equal(t, 1, r.Keys[0].Indefinite)

			// An indefinite APPEND explains a later length.
			var a hist
			a.add("c1", 0, 10, o, "n1", wire.Error("TIMEOUT"), "APPEND", "j", "a;").
				ok("c1", 20, 30, wire.Int(4), "APPEND", "j", "b;")
			assert.Equal(t, LinOK, check(t, a).Status)
		})
	}
	t.Run("but once seen, it cannot be unseen", func(t *testing.T) {
		var h hist
		h.ok("c1", 0, 10, wire.OK(), "SET", "k", "a").
			add("c1", 20, 30, history.Unknown, "n1", wire.Error("TIMEOUT"), "SET", "k", "b").
			ok("c2", 100, 110, wire.Bulk("b"), "GET", "k").
			ok("c2", 200, 210, wire.Bulk("a"), "GET", "k")
		assert.Equal(t, LinViolated, check(t, h).Status)
	})
}

func TestFailedOpsAreLeftOut(t *testing.T) {
	// A write refused with an error was not applied: it cannot explain a
	// read of its value.
	var h hist
	h.ok("c1", 0, 10, wire.OK(), "SET", "k", "a").
		add("c1", 20, 30, history.Fail, "n1", wire.Error("READONLY You can't write against a read only replica."), "SET", "k", "b").
		add("c1", 40, 45, history.Fail, "", wire.Error("NOROUTE"), "APPEND", "k", "c;").
		add("c2", 50, 60, history.Fail, "n2", wire.Error("LOADING Redis is loading the dataset in memory"), "GET", "k").
		ok("c2", 100, 110, wire.Bulk("b"), "GET", "k")
	r := check(t, h)
	assert.Equal(t, LinViolated, r.Status)
	assert.Equal(t, 2, r.Checked)
	assert.Equal(t, 3, r.LeftOut)

	// Without the read of b it is fine: the failed ops change nothing.
	h = h[:4]
	r = check(t, h)
	assert.Equal(t, LinOK, r.Status)
	assert.Equal(t, 1, r.Checked)
}

func TestIncrModel(t *testing.T) {
	var h hist
	h.ok("c1", 0, 1, wire.Int(1), "INCR", "n").
		ok("c1", 2, 3, wire.OK(), "SET", "n", "x").
		add("c1", 4, 5, history.Fail, "n1", wire.Error("ERR value is not an integer or out of range"), "INCR", "n")
	assert.Equal(t, LinOK, check(t, h).Status)

	// The refusal needs a non-integer value: on "1" it is a violation.
	var bad hist
	bad.ok("c1", 0, 1, wire.Int(1), "INCR", "n").
		add("c1", 4, 5, history.Fail, "n1", wire.Error("ERR value is not an integer or out of range"), "INCR", "n")
	assert.Equal(t, LinViolated, check(t, bad).Status)

	// A counter that goes backwards is a violation.
	var back hist
	back.ok("c1", 0, 1, wire.Int(1), "INCR", "n").
		ok("c2", 2, 3, wire.Int(2), "INCR", "n").
		ok("c1", 4, 5, wire.Int(2), "INCR", "n")
	assert.Equal(t, LinViolated, check(t, back).Status)
}

func TestParseRedisInt(t *testing.T) {
	good := map[string]int64{"0": 0, "1": 1, "-1": -1, "9223372036854775807": 1<<63 - 1, "-9223372036854775808": -1 << 63}
	for s, want := range good {
		n, ok := parseRedisInt(s)
		assert.True(t, ok, s)
		assert.Equal(t, want, n, s)
	}
	for _, s := range []string{"", "+1", "01", "-0", "-", " 1", "1 ", "9223372036854775808", "c1-7", "1;"} {
		_, ok := parseRedisInt(s)
		assert.False(t, ok, "%q", s)
	}
}

func TestOddRepliesAreViolations(t *testing.T) {
	var h hist
	h.ok("c1", 0, 1, wire.Int(0), "GET", "k")
	assert.Equal(t, LinViolated, check(t, h).Status, "GET never answers an integer")
}

func TestUnmodelledCommandMakesTheKeyUnknown(t *testing.T) {
	var h hist
	h.ok("c1", 0, 1, wire.Int(1), "LPUSH", "l", "x").
		ok("c1", 2, 3, wire.OK(), "SET", "k", "a").
		ok("c1", 4, 5, wire.Bulk("a"), "GET", "k")
	r := check(t, h)
	assert.Equal(t, LinUnknown, r.Status)
	kr, ok := r.Key("l")
	require.True(t, ok)
	assert.Equal(t, LinUnknown, kr.Status)
	assert.Contains(t, kr.Why, "LPUSH")
	kr, _ = r.Key("k")
	assert.Equal(t, LinOK, kr.Status)
	assert.Equal(t, "unknown: key l: the model does not know LPUSH", r.Summary())
}

func TestResultIsIndependentOfInputOrder(t *testing.T) {
	var h hist
	for _, k := range []string{"b", "a", "c"} {
		h.ok("c1", 0, 10, wire.OK(), "SET", k, "v1").
			ok("c1", 20, 30, wire.OK(), "SET", k, "v2")
		if k != "a" {
			h.ok("c2", 40, 50, wire.Bulk("v1"), "GET", k)
		}
	}
	want := check(t, h)
	assert.Equal(t, "b", want.FirstViolated, "the first violated key in key order")
	assert.Equal(t, []LinStatus{LinOK, LinViolated, LinViolated}, []LinStatus{want.Keys[0].Status, want.Keys[1].Status, want.Keys[2].Status})
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		s := append(hist(nil), h...)
		rng.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
		got := check(t, s)
		assert.Equal(t, want.Status, got.Status)
		assert.Equal(t, want.Keys, got.Keys)
		assert.Equal(t, want.FirstViolated, got.FirstViolated)
	}
}

func TestVisualize(t *testing.T) {
	var h hist
	h.ok("c1", 0, 10, wire.OK(), "SET", "k", "v1").
		add("c1", 20, 30, history.Unknown, "n1", wire.Error("TIMEOUT"), "SET", "k", "v2").
		ok("c1", 40, 50, wire.OK(), "SET", "k", "v3").
		ok("c2", 60, 70, wire.Bulk("v1"), "GET", "k")
	r := check(t, h)
	require.Equal(t, LinViolated, r.Status)
	var b bytes.Buffer
	require.NoError(t, r.Visualize(&b, r.FirstViolated, []Note{{Start: 15, End: 35, Tag: "faults", Text: "partition {n1} | rest"}}))
	page := b.String()
	assert.Contains(t, page, "<html")
	assert.Contains(t, page, `GET -\u003e \"v1\"`)
	assert.Contains(t, page, "partition {n1} | rest")
	assert.Contains(t, page, "c1 #2 unknown @n1", "the op's metadata")

	path := filepath.Join(t.TempDir(), "k.html")
	require.NoError(t, r.VisualizeFile(path, "k", nil))
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Greater(t, st.Size(), int64(1000))
	assert.Error(t, r.VisualizeFile(path, "nope", nil))
}

func TestEmptyHistory(t *testing.T) {
	r := Linearizable(nil, 0)
	assert.Equal(t, LinOK, r.Status)
	assert.Empty(t, r.Keys)
}
