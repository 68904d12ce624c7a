package history_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/history"
	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// clock is a settable fake of the harness's true time.
type clock struct{ t wire.Time }

func (c *clock) now() wire.Time { return c.t }

func TestOutcomeNames(t *testing.T) {
	for _, tc := range []struct {
		o    history.Outcome
		name string
	}{
		{history.Pending, "pending"},
		{history.OK, "ok"},
		{history.Fail, "fail"},
		{history.Unknown, "unknown"},
	} {
		assert.Equal(t, tc.name, tc.o.String())
		got, err := history.ParseOutcome(tc.name)
		require.NoError(t, err)
		assert.Equal(t, tc.o, got)
		b, err := tc.o.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, tc.name, string(b))
	}
	_, err := history.ParseOutcome("OK")
	assert.ErrorContains(t, err, `unknown outcome "OK"`)
	_, err = history.Outcome(9).MarshalText()
	assert.Error(t, err)
	assert.Equal(t, "outcome(9)", history.Outcome(9).String())
}

func TestLogStampsTrueTimes(t *testing.T) {
	c := &clock{t: 100}
	l := history.NewLog(c.now, 10)
	args := []string{"SET", "k", "c1-1"}
	id := l.Invoke("c1", args)
	args[2] = "changed" // the log keeps its own copy
	c.t = 104
	l.Complete(id, "redis1", history.OK, wire.OK())
	c.t = 110
	id2 := l.Invoke("c2", []string{"GET", "k"})
	c.t = 1110
	l.Complete(id2, "redis1", history.Unknown, wire.Error("TIMEOUT after 1000ms"))
	id3 := l.Invoke("c1", []string{"SET", "k", "c1-2"})

	ops := l.Ops()
	require.Len(t, ops, 3)
	assert.Equal(t, []uint64{1, 2, 3}, []uint64{ops[0].ID, ops[1].ID, ops[2].ID})
	assert.Equal(t, uint64(3), id3)
	assert.Equal(t, history.Op{ID: 1, Client: "c1", Args: []string{"SET", "k", "c1-1"}, Call: 100, Return: 104,
		Outcome: history.OK, Reply: wire.OK(), Node: "redis1"}, ops[0])
	assert.Equal(t, wire.Time(110), ops[1].Call)
	assert.Equal(t, wire.Time(1110), ops[1].Return)
	assert.Equal(t, history.Unknown, ops[1].Outcome)
	assert.False(t, ops[2].Done())
	assert.Equal(t, history.Pending, ops[2].Outcome)
	assert.Equal(t, `#1 c1 SET k c1-1 100ms..104ms ok +OK @redis1`, ops[0].String())
	assert.Equal(t, `#3 c1 SET k c1-2 1110ms pending`, ops[2].String())
	assert.NoError(t, l.Err())
	assert.False(t, l.Overflowed())
}

func TestLogIsBounded(t *testing.T) {
	c := &clock{}
	l := history.NewLog(c.now, 3)
	var ids []uint64
	for i := 0; i < 5; i++ {
		ids = append(ids, l.Invoke("c1", []string{"GET", "k"}))
	}
	assert.Equal(t, []uint64{1, 2, 3, 0, 0}, ids)
	for _, id := range ids {
		l.Complete(id, "r", history.OK, wire.Nil()) // id 0 is a no-op
	}
	assert.Equal(t, 3, l.Len())
	assert.True(t, l.Overflowed())
	assert.Equal(t, uint64(2), l.Dropped())
	var of *history.OverflowError
	require.True(t, errors.As(l.Err(), &of))
	assert.Equal(t, 3, of.Max)
	rec := l.Record()
	assert.True(t, rec.Overflowed())
	assert.Equal(t, 3, rec.MaxOps)

	assert.Equal(t, history.DefaultMaxOps, history.NewLog(nil, 0).Max())
}

func TestLogReportsMisuse(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(l *history.Log)
		want string
	}{
		{"unknown id", func(l *history.Log) { l.Complete(7, "r", history.OK, wire.OK()) }, "unknown op 7"},
		{"twice", func(l *history.Log) {
			id := l.Invoke("c", []string{"GET", "k"})
			l.Complete(id, "r", history.OK, wire.Nil())
			l.Complete(id, "r", history.Fail, wire.Nil())
		}, "op 1 completed twice (ok, then fail)"},
		{"pending", func(l *history.Log) {
			l.Complete(l.Invoke("c", []string{"GET", "k"}), "r", history.Pending, wire.Nil())
		}, "completed with outcome pending"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := history.NewLog(nil, 10)
			tc.do(l)
			assert.ErrorContains(t, l.Err(), tc.want)
			assert.False(t, l.Overflowed())
		})
	}
	// The first completion stands.
	l := history.NewLog(nil, 10)
	id := l.Invoke("c", []string{"GET", "k"})
	l.Complete(id, "r", history.OK, wire.Bulk("v"))
	l.Complete(id, "r", history.Fail, wire.Error("ERR"))
	assert.Equal(t, history.OK, l.Ops()[0].Outcome)
}

func TestValueJSON(t *testing.T) {
	for _, tc := range []struct {
		v    wire.Value
		json string
	}{
		{wire.Nil(), `null`},
		{wire.Bulk("c1-7"), `"c1-7"`},
		{wire.Bulk(""), `""`},
		{wire.Bulk("a \"q\"\n"), `"a \"q\"\n"`},
		{wire.Int(-42), `-42`},
		{wire.Int(1 << 62), `4611686018427387904`},
		{wire.OK(), `{"status":"OK"}`},
		{wire.Error("READONLY You can't write against a read only replica."), `{"error":"READONLY You can't write against a read only replica."}`},
		{wire.Array(), `[]`},
		{wire.BulkArray("10.0.0.2", "6379"), `["10.0.0.2","6379"]`},
		{wire.Array(wire.Bulk("master"), wire.Int(120), wire.Array(wire.BulkArray("10.0.0.3", "6379", "120"))), `["master",120,[["10.0.0.3","6379","120"]]]`},
		{wire.Array(wire.Nil(), wire.Status("QUEUED")), `[null,{"status":"QUEUED"}]`},
	} {
		op := history.Op{ID: 1, Client: "c", Args: []string{"X"}, Outcome: history.OK, Reply: tc.v}
		b, err := json.Marshal(op)
		require.NoError(t, err)
		assert.Contains(t, string(b), `"reply":`+tc.json+`,`, "value %s", tc.v)
		var back history.Op
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, tc.v, back.Reply, "value %s", tc.v)
	}
}

func TestOpJSONFieldNames(t *testing.T) {
	op := history.Op{ID: 3, Client: "c1", Args: []string{"SET", "k", "c1-3"}, Call: 100, Return: 1100,
		Outcome: history.Unknown, Reply: wire.Error("TIMEOUT after 1000ms"), Node: "redis1"}
	b, err := json.Marshal(op)
	require.NoError(t, err)
	assert.Equal(t, `{"id":3,"client":"c1","args":["SET","k","c1-3"],"call":100,"return":1100,"outcome":"unknown","reply":{"error":"TIMEOUT after 1000ms"},"node":"redis1"}`, string(b))
}

func TestRoundTrip(t *testing.T) {
	c := &clock{t: 5}
	l := history.NewLog(c.now, 4)
	steps := []struct {
		client string
		args   []string
		node   string
		o      history.Outcome
		reply  wire.Value
	}{
		{"c1", []string{"SET", "k", "c1-1"}, "redis1", history.OK, wire.OK()},
		{"c2", []string{"GET", "k"}, "redis1", history.OK, wire.Bulk("c1-1")},
		{"c1", []string{"SET", "k", "c1-2"}, "redis1", history.Fail, wire.Error("READONLY You can't write against a read only replica.")},
		{"c1", []string{"INCR", "n"}, "", history.Fail, wire.Error("NOMASTER no sentinel answered")},
		{"c2", []string{"GET", "k"}, "", history.OK, wire.Nil()}, // dropped: the log holds 4
	}
	for _, s := range steps {
		id := l.Invoke(s.client, s.args)
		c.t += 3
		l.Complete(id, s.node, s.o, s.reply)
		c.t += 10
	}
	l.Invoke("c3", []string{"APPEND", "k", "c3-1;"}) // dropped too
	rec := l.Record()
	var buf bytes.Buffer
	require.NoError(t, history.Encode(&buf, rec))
	assert.True(t, strings.HasPrefix(buf.String(), `{"format":"sentinelsim-history/1","max_ops":4,"dropped":2,"ops":[`+"\n"+`{"id":1,`), buf.String())
	assert.Equal(t, 4+2, strings.Count(buf.String(), "\n"), "one op per line")

	back, err := history.Decode(&buf)
	require.NoError(t, err)
	assert.Equal(t, rec, back)

	// A pending op round-trips too.
	l2 := history.NewLog(c.now, 0)
	l2.Invoke("c1", []string{"GET", "k"})
	buf.Reset()
	require.NoError(t, history.Encode(&buf, l2.Record()))
	back, err = history.Decode(&buf)
	require.NoError(t, err)
	assert.Equal(t, l2.Record(), back)
	assert.Equal(t, history.Pending, back.Ops[0].Outcome)
}

func TestDecodeRejectsBadInput(t *testing.T) {
	const head = `{"format":"sentinelsim-history/1","max_ops":10,"dropped":0,"ops":[`
	good := `{"id":1,"client":"c1","args":["GET","k"],"call":1,"return":2,"outcome":"ok","reply":null,"node":"r"}`
	for _, tc := range []struct {
		name, in, want string
	}{
		{"not json", `{`, "history: unexpected EOF"},
		{"format", `{"format":"other/2","ops":[]}`, `format "other/2", want "sentinelsim-history/1"`},
		{"unknown envelope field", `{"format":"sentinelsim-history/1","extra":1,"ops":[]}`, `unknown field "extra"`},
		{"unknown op field", head + `{"id":1,"client":"c1","args":["GET"],"outcome":"ok","colour":1}]}`, `op at index 0: json: unknown field "colour"`},
		{"outcome", head + `{"id":1,"client":"c1","args":["GET"],"outcome":"maybe"}]}`, `unknown outcome "maybe"`},
		{"return before call", head + `{"id":1,"client":"c1","args":["GET"],"call":9,"return":3,"outcome":"ok"}]}`, "op at index 0 (id 1): return 3ms is before call 9ms"},
		{"id 0", head + `{"id":0,"client":"c1","args":["GET"],"outcome":"ok"}]}`, "id 0: ids start at 1"},
		{"no args", head + `{"id":1,"client":"c1","args":[],"outcome":"ok"}]}`, "no command"},
		{"no client", head + `{"id":1,"args":["GET"],"outcome":"ok"}]}`, "no client name"},
		{"duplicate id", head + good + `,` + good + `]}`, "op at index 1: id 1 already used at index 0"},
		{"float reply", head + `{"id":1,"client":"c","args":["GET"],"outcome":"ok","reply":1.5}]}`, "1.5 is not a 64-bit integer"},
		{"object reply", head + `{"id":1,"client":"c","args":["GET"],"outcome":"ok","reply":{"status":1}}]}`, `want null, a string`},
		{"two-key reply", head + `{"id":1,"client":"c","args":["GET"],"outcome":"ok","reply":{"status":"OK","error":"X"}}]}`, `want null, a string`},
		{"negative max", `{"format":"sentinelsim-history/1","max_ops":-1,"ops":[]}`, "max_ops -1 is negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := history.Decode(strings.NewReader(tc.in))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestEncodeRejectsInvalidValues(t *testing.T) {
	rec := history.Record{Ops: []history.Op{{ID: 1, Client: "c", Args: []string{"X"}, Outcome: history.OK, Reply: wire.Value{Kind: 99}}}}
	assert.ErrorContains(t, history.Encode(&bytes.Buffer{}, rec), "unknown kind 99")
	deep := wire.Nil()
	for i := 0; i < 100; i++ {
		deep = wire.Array(deep)
	}
	rec.Ops[0].Reply = deep
	assert.ErrorContains(t, history.Encode(&bytes.Buffer{}, rec), "nested deeper")
}
