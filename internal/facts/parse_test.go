package facts

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

const (
	runA = "d71f307c2232b02ba411fe4ad9742d48ccc1efb7"
	runB = "c5ee44e2de34c167a2ff6569670580bc27bea890"
)

// roundTrips asserts that each fact's text parses back to the same value.
func roundTrips[F wire.Fact](t *testing.T, cases []F) {
	t.Helper()
	for _, f := range cases {
		text := f.Fact()
		got, err := Parse(text)
		require.NoError(t, err, "text %q", text)
		require.IsType(t, f, got, "text %q", text)
		require.Equal(t, f, got, "text %q", text)
	}
}

func TestParseVote(t *testing.T) {
	roundTrips(t, []Vote{
		{},
		{Master: "mymaster", Epoch: 1, Candidate: runA},
		{Master: "redis-ha", Epoch: math.MaxUint64, Candidate: runB},
		{Master: "", Epoch: 0, Candidate: ""},
		{Master: "m", Epoch: 7, Candidate: "*"},
		{Master: "名前", Epoch: 3, Candidate: "for=x"},
	})
}

func TestParseFailoverStart(t *testing.T) {
	roundTrips(t, []FailoverStart{
		{},
		{Master: "redis-ha", Epoch: 1, ODown: true, Agreeing: 3, Quorum: 2, Timeout: 180000, Now: 70156, DownAfter: 10000},
		{Master: "mymaster", Epoch: 1, Forced: true, Agreeing: 0, Quorum: 3, Timeout: 10000, Now: 15000, DownAfter: 2000},
		{Master: "m", Epoch: math.MaxUint64, Forced: true, ODown: true, Agreeing: -1, Quorum: math.MaxInt,
			LastAttempt: math.MinInt64, Timeout: math.MaxInt64, Now: -5, DownAfter: -1},
		{Master: "", Epoch: 2, LastAttempt: 12000, Timeout: 1, Now: 36001, DownAfter: 30000},
	})
}

func TestParseStart(t *testing.T) {
	roundTrips(t, []Start{
		{},
		{RunID: runA, CurrentEpoch: 0},
		{RunID: runB, CurrentEpoch: math.MaxUint64},
		{RunID: "", CurrentEpoch: 42},
	})
}

func TestParseElected(t *testing.T) {
	roundTrips(t, []Elected{
		{},
		{Master: "redis-ha", Epoch: 1, Votes: 3, Voters: 3, Quorum: 2, Known: []string{"", ""}},
		{Master: "mymaster", Epoch: 1, Votes: 1, Voters: 5, Quorum: 3, Forced: true, Known: []string{"", "", "", ""}},
		{Master: "m", Epoch: math.MaxUint64, Votes: -2, Voters: math.MinInt, Quorum: math.MaxInt},
		{Master: "", Forced: true, Known: make([]string, MaxKnown)},
	})
}

// TestParseElectedKnown: the run ids of the electorate come back.
func TestParseElectedKnown(t *testing.T) {
	f := Elected{Master: "m", Epoch: 2, Votes: 2, Voters: 3, Quorum: 2, Known: []string{runA, runB}}
	got, err := Parse(f.Fact())
	require.NoError(t, err)
	require.Equal(t, f, got)

	// An empty but non-nil Known reads back nil.
	got, err = Parse(Elected{Known: []string{}}.Fact())
	require.NoError(t, err)
	require.Equal(t, Elected{}, got)
}

func TestParseSelected(t *testing.T) {
	c1 := Candidate{Addr: wire.Addr{Host: "10.0.0.3", Port: 36300}, Priority: 100, Offset: 17326, PingAge: 401, InfoAge: 127, MasterLinkDownMs: 10000}
	c2 := Candidate{Addr: wire.Addr{Host: "10.0.0.2", Port: 26300}, Priority: 100, Offset: 17326, PingAge: 405, InfoAge: 125, MasterLinkDownMs: 10000}
	roundTrips(t, []Selected{
		{},
		// No replica qualified: the zero address, no candidates.
		{Master: "redis-ha", Epoch: 4},
		{Master: "redis-ha", Epoch: 1, Chosen: c2.Addr, Candidates: []Candidate{c1, c2}},
		{Master: "m", Epoch: math.MaxUint64, Candidates: []Candidate{
			{},
			{Addr: wire.Addr{Host: "::1", Port: 6379}, Priority: 0, Offset: math.MaxUint64, Down: true, Disconnected: true,
				PingAge: math.MaxInt64, InfoAge: math.MinInt64, MasterLinkDownMs: -1},
			{Addr: wire.Addr{Host: "fe80::1%eth0", Port: 0}, Priority: -1, Down: true},
			{Addr: wire.Addr{Host: "redis-1.example.com", Port: 65535}, Priority: math.MaxInt, Disconnected: true},
			{Addr: wire.Addr{Host: "]odd[", Port: -7}, Priority: math.MinInt, MasterLinkDownMs: math.MaxInt64},
		}},
		{Master: "", Chosen: wire.Addr{Host: "2001:db8::2", Port: 26379}, Candidates: []Candidate{
			{Addr: wire.Addr{Host: "2001:db8::2", Port: 26379}, Priority: 1},
		}},
		{Chosen: wire.Addr{Host: "", Port: 1}, Candidates: []Candidate{{Addr: wire.Addr{Host: "h", Port: 0}}}},
	})
}

// TestParseSelectedLimits: the filters' limits and the candidates' run
// ids come back.
func TestParseSelectedLimits(t *testing.T) {
	f := Selected{Master: "m", Epoch: 3, Chosen: wire.Addr{Host: "10.0.0.1", Port: 6379},
		Candidates: []Candidate{{Addr: wire.Addr{Host: "10.0.0.1", Port: 6379}, RunID: runA, Priority: 100}},
		MaxPingAge: 5000, MaxInfoAge: 30000, MaxLinkDownMs: 20000}
	got, err := Parse(f.Fact())
	require.NoError(t, err)
	require.Equal(t, f, got)

	got, err = Parse(Selected{Candidates: []Candidate{}}.Fact())
	require.NoError(t, err)
	require.Equal(t, Selected{}, got)
}

func TestParseConfigEpoch(t *testing.T) {
	roundTrips(t, []ConfigEpoch{
		{},
		{Master: "redis-ha", From: 0, To: 1, Addr: wire.Addr{Host: "10.0.0.2", Port: 26300}, Source: "promotion"},
		{Master: "mymaster", From: 0, To: 1, Addr: wire.Addr{Host: "10.0.0.2", Port: 6379}, Source: "promotion", Forced: true},
		{Master: "m", From: math.MaxUint64, To: 0, Addr: wire.Addr{Host: "::", Port: 1}, Source: "hello"},
		{Master: "m", From: 3, To: math.MaxUint64, Addr: wire.Addr{Host: "redis.local", Port: 6380}, Source: "", Forced: true},
		{Master: "a->b", From: 1, To: 2, Addr: wire.Addr{Host: "1:2:3", Port: 4}, Source: "forced"},
	})
}

func TestParseTilt(t *testing.T) {
	roundTrips(t, []Tilt{{On: true}, {On: false}})
}

func TestParseReconfigure(t *testing.T) {
	roundTrips(t, []Reconfigure{
		{},
		{Master: "redis-ha", Target: wire.Addr{Host: "10.0.0.2", Port: 26300}},
		{Master: "redis-ha", Target: wire.Addr{Host: "10.0.0.3", Port: 36300}, To: wire.Addr{Host: "10.0.0.2", Port: 26300}},
		{Master: "m", Target: wire.Addr{Host: "::1", Port: 7000}, To: wire.Addr{Host: "2001:db8::1", Port: 7001}},
		{Master: "", Target: wire.Addr{Host: "a.example", Port: 0}, To: wire.Addr{Host: "b.example", Port: -1}},
		{Master: "m", To: wire.Addr{Host: "", Port: 1}},
		{Master: "m", To: wire.Addr{Host: "NO", Port: 0}},
	})
}

// traceFacts are fact texts verbatim from real traces (the text after
// "<ms> fact <node> "): all 14 of `sentinelsim run seed-003-stop-node1
// --seed 1`, then some of redis-suite-tilt, redis-suite-manual-failover and
// redis-suite-priority (seed 1).
var traceFacts = []string{
	// seed-003-stop-node1
	"start d71f307c2232b02ba411fe4ad9742d48ccc1efb7 epoch=0",
	"start c5ee44e2de34c167a2ff6569670580bc27bea890 epoch=0",
	"start a01157b40191705b264f8bbbb7abd77f5b6a1249 epoch=0",
	"failover-start redis-ha epoch=1 forced=no odown=yes agreeing=3/2 last-attempt=0 timeout=180000 now=70156 down-after=10000",
	"vote redis-ha epoch=1 for=c5ee44e2de34c167a2ff6569670580bc27bea890",
	"vote redis-ha epoch=1 for=c5ee44e2de34c167a2ff6569670580bc27bea890",
	"vote redis-ha epoch=1 for=c5ee44e2de34c167a2ff6569670580bc27bea890",
	"elected redis-ha epoch=1 votes=3/3 quorum=2 forced=no known=2:d71f307c2232b02ba411fe4ad9742d48ccc1efb7,a01157b40191705b264f8bbbb7abd77f5b6a1249",
	"selected redis-ha epoch=1 chosen=10.0.0.2:26300 max-ping=5000 max-info=5000 max-linkdown=100180 [10.0.0.3:36300 id=aaf968c57bcdc5ed008bf1804d80b2d10d79ffef prio=100 offset=17326 down=no disc=no ping=401 info=127 linkdown=10000] [10.0.0.2:26300 id=83e35b7eb21099c8ed3150af78e3fd48840c6ab7 prio=100 offset=17326 down=no disc=no ping=405 info=125 linkdown=10000]",
	"reconfigure redis-ha 10.0.0.2:26300 slaveof NO ONE",
	"config-epoch redis-ha 0->1 10.0.0.2:26300 via=promotion",
	"reconfigure redis-ha 10.0.0.3:36300 slaveof 10.0.0.2:26300",
	"config-epoch redis-ha 0->1 10.0.0.2:26300 via=hello",
	"config-epoch redis-ha 0->1 10.0.0.2:26300 via=hello",
	// redis-suite-tilt
	"tilt on",
	"tilt off",
	// redis-suite-manual-failover
	"failover-start mymaster epoch=1 forced=yes odown=no agreeing=0/3 last-attempt=0 timeout=10000 now=15000 down-after=2000",
	"elected mymaster epoch=1 votes=1/5 quorum=3 forced=yes known=4:4d8e9a4e237f6498895359f79f6116ebdbcb0fd1,eec3aa809f18ecdfb83b51a8f38263b48f06e046,d47413ba38b574bd20859412e7896872c2720a89,f3ba6defd4b2394fbc30599671b55f2fe4c04015",
	"selected mymaster epoch=1 chosen=10.0.0.2:6379 max-ping=5000 max-info=30000 max-linkdown=20000 [10.0.0.2:6379 id=b8885f077599d20284e34b608a24d5cda4a1db40 prio=100 offset=4599 down=no disc=no ping=268 info=49 linkdown=0] [10.0.0.4:6379 id=c6bab722e71eefdbcfcb5ee10721f0162aee1c77 prio=100 offset=4599 down=no disc=no ping=267 info=51 linkdown=0] [10.0.0.1:6379 id=fbedb229e684e2963fd093e7424515d8eb7ae6d1 prio=100 offset=4599 down=no disc=no ping=509 info=51 linkdown=0] [10.0.0.3:6379 id=d339b7977c598b50464aa5d67354d64007f3fffe prio=100 offset=4599 down=no disc=no ping=271 info=47 linkdown=0]",
	"config-epoch mymaster 0->1 10.0.0.2:6379 via=promotion forced",
	// redis-suite-priority
	"selected mymaster epoch=1 chosen=10.0.0.3:6379 max-ping=5000 max-info=5000 max-linkdown=20235 [10.0.0.2:6379 id=b8885f077599d20284e34b608a24d5cda4a1db40 prio=50 offset=2620 down=no disc=no ping=836 info=171 linkdown=2000] [10.0.0.4:6379 id=c6bab722e71eefdbcfcb5ee10721f0162aee1c77 prio=100 offset=2620 down=no disc=no ping=911 info=172 linkdown=2000] [10.0.0.1:6379 id=fbedb229e684e2963fd093e7424515d8eb7ae6d1 prio=0 offset=2620 down=no disc=no ping=837 info=172 linkdown=2000] [10.0.0.3:6379 id=d339b7977c598b50464aa5d67354d64007f3fffe prio=10 offset=2620 down=no disc=no ping=832 info=171 linkdown=2000]",
}

func TestParseTraceFacts(t *testing.T) {
	for _, text := range traceFacts {
		f, err := Parse(text)
		require.NoError(t, err, "text %q", text)
		require.Equal(t, text, f.Fact())
	}

	// Spot-check the values, not only the text.
	f, err := Parse(traceFacts[3])
	require.NoError(t, err)
	require.Equal(t, FailoverStart{Master: "redis-ha", Epoch: 1, ODown: true, Agreeing: 3, Quorum: 2,
		Timeout: 180000, Now: 70156, DownAfter: 10000}, f)
	f, err = Parse(traceFacts[8])
	require.NoError(t, err)
	sel := f.(Selected)
	require.Equal(t, wire.Addr{Host: "10.0.0.2", Port: 26300}, sel.Chosen)
	require.Equal(t, wire.Duration(5000), sel.MaxPingAge)
	require.Len(t, sel.Candidates, 2)
	require.Equal(t, "aaf968c57bcdc5ed008bf1804d80b2d10d79ffef", sel.Candidates[0].RunID)
	f, err = Parse(traceFacts[7])
	require.NoError(t, err)
	require.Equal(t, []string{"d71f307c2232b02ba411fe4ad9742d48ccc1efb7", "a01157b40191705b264f8bbbb7abd77f5b6a1249"}, f.(Elected).Known)
	f, err = Parse(traceFacts[9])
	require.NoError(t, err)
	require.Equal(t, Reconfigure{Master: "redis-ha", Target: wire.Addr{Host: "10.0.0.2", Port: 26300}}, f)
	f, err = Parse(traceFacts[19])
	require.NoError(t, err)
	require.Equal(t, ConfigEpoch{Master: "mymaster", From: 0, To: 1, Addr: wire.Addr{Host: "10.0.0.2", Port: 6379},
		Source: "promotion", Forced: true}, f)
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		text  string
		kind  string // ParseError.Kind
		field string // ParseError.Field
		msg   string // in Error()
	}{
		{"", "", "", "no fact kind"},
		{" vote m epoch=1 for=x", "", "", "no fact kind"},
		{"note hello", "", "", `unknown fact kind "note"`},
		{"Vote m epoch=1 for=x", "", "", `unknown fact kind "Vote"`},
		{"vote", "vote", "master", "master: missing"},
		{"vote m", "vote", "epoch", "epoch: missing"},
		{"vote m epoch=1", "vote", "for", "for: missing"},
		{"vote m epoch=x for=a", "vote", "epoch", `epoch: "x": invalid syntax`},
		{"vote m epoch=-1 for=a", "vote", "epoch", "invalid syntax"},
		{"vote m epoch=18446744073709551616 for=a", "vote", "epoch", "value out of range"},
		{"vote m epoch=+1 for=a", "vote", "epoch", "invalid syntax"},
		{"elected m epoch=1 votes=+3/3 quorum=2 forced=no known=0:", "elected", "", "not written as Fact writes it"},
		{"elected m epoch=1 votes=3/3 quorum=-0 forced=no known=0:", "elected", "", "not written as Fact writes it"},
		{"vote m epoch=01 for=a", "vote", "", "not written as Fact writes it"},
		{"vote m poch=1 for=a", "vote", "epoch", `want epoch=…, got "poch=1"`},
		{"vote m epoch=1 for=a b", "vote", "", `unexpected "b" after the last field`},
		{"vote my master epoch=1 for=a", "vote", "epoch", `got "master"`},
		{"vote m epoch=1 for=a ", "vote", "", "unexpected"},
		{"start", "start", "run id", "missing"},
		{"start abc epoch=", "start", "epoch", "invalid syntax"},
		{"failover-start m epoch=1 forced=maybe odown=no agreeing=1/2 last-attempt=0 timeout=1 now=1 down-after=1", "failover-start", "forced", "want yes or no"},
		{"failover-start m epoch=1 forced=no odown=no agreeing=12 last-attempt=0 timeout=1 now=1 down-after=1", "failover-start", "agreeing", "want agreeing/quorum"},
		{"failover-start m epoch=1 forced=no odown=no agreeing=1/x last-attempt=0 timeout=1 now=1 down-after=1", "failover-start", "quorum", "invalid syntax"},
		{"failover-start m epoch=1 forced=no odown=no agreeing=1/2 last-attempt=0 timeout=1 now=1", "failover-start", "down-after", "missing"},
		{"failover-start m epoch=1 forced=no odown=no agreeing=1/2 last-attempt=0 timeout=1 now=1 down-after=99999999999999999999", "failover-start", "down-after", "out of range"},
		{"elected m epoch=1 votes=3/3 quorum=2 forced=no known=-1:", "elected", "known", "negative count"},
		{"elected m epoch=1 votes=3/3 quorum=2 forced=no known=99999999999:", "elected", "known", "exceeds"},
		{"elected m epoch=1 votes=3 quorum=2 forced=no known=1:x", "elected", "votes", "want votes/voters"},
		{"elected m epoch=1 votes=3/3 quorum=2 forced=no", "elected", "known", "missing"},
		{"selected m epoch=1", "selected", "chosen", "missing"},
		{"selected m epoch=1 chosen=10.0.0.1", "selected", "chosen", "want host:port"},
		{"selected m epoch=1 chosen=10.0.0.1:x", "selected", "chosen port", "invalid syntax"},
		{"selected m epoch=1 chosen=:0 max-ping=0 max-info=0 max-linkdown=0 10.0.0.1:1 prio=1 offset=0 down=no disc=no ping=0 info=0 linkdown=0]", "selected", "candidate 1 address", "want [host:port"},
		{"selected m epoch=1 chosen=:0 max-ping=0 max-info=0 max-linkdown=0 [10.0.0.1:1 id= prio=1 offset=0 down=no disc=no ping=0 info=0 linkdown=0", "selected", "candidate 1 linkdown", "want linkdown=…]"},
		{"selected m epoch=1 chosen=:0 max-ping=0 max-info=0 max-linkdown=0 [a:1 id= prio=1 offset=0 down=no disc=no ping=0 info=0 linkdown=0] [b:2 id= prio=1 offset=0 down=no disc=nope ping=0 info=0 linkdown=0]", "selected", "candidate 2 disc", "want yes or no"},
		{"selected m epoch=1 chosen=:0 max-ping=0 max-info=0 max-linkdown=0 [a:1 id= prio=1 offset=0 down=no disc=no ping=0 info=0", "selected", "linkdown", "missing"},
		{"selected m epoch=1 chosen=:0 max-ping=0 max-info=0 max-linkdown=0 [a:1 id= prio=1 offset=-3 down=no disc=no ping=0 info=0 linkdown=0]", "selected", "candidate 1 offset", "invalid syntax"},
		{"config-epoch m 0-1 a:1 via=hello", "config-epoch", "epochs", "want from->to"},
		{"config-epoch m x->1 a:1 via=hello", "config-epoch", "from", "invalid syntax"},
		{"config-epoch m 0->1 a:1 via=hello force", "config-epoch", "", `unexpected "force"`},
		{"config-epoch m 0->1 a:1 via=hello forced forced", "config-epoch", "", "unexpected"},
		{"config-epoch m 0->1 a via=hello", "config-epoch", "address", "want host:port"},
		{"tilt", "tilt", "state", "missing"},
		{"tilt yes", "tilt", "state", "want on or off"},
		{"tilt on off", "tilt", "", "unexpected"},
		{"reconfigure m a:1 slaveof", "reconfigure", "to", "missing"},
		{"reconfigure m a:1 replicaof b:2", "reconfigure", "slaveof", `want "slaveof"`},
		{"reconfigure m a:1 slaveof NO", "reconfigure", "to", "want host:port"},
		{"reconfigure m a:1 slaveof NO ONE TWO", "reconfigure", "", "unexpected"},
		{"reconfigure m a:1 slaveof :0", "reconfigure", "", "not written as Fact writes it"},
	} {
		f, err := Parse(tc.text)
		require.Error(t, err, "text %q parsed as %#v", tc.text, f)
		require.Nil(t, f)
		var pe *ParseError
		require.True(t, errors.As(err, &pe), "text %q: %T", tc.text, err)
		require.Equal(t, tc.kind, pe.Kind, "text %q: %v", tc.text, err)
		require.Equal(t, tc.field, pe.Field, "text %q: %v", tc.text, err)
		require.ErrorContains(t, err, tc.msg, "text %q", tc.text)
		require.True(t, strings.HasPrefix(err.Error(), "facts: "), err.Error())
	}
}

// TestParseSpaces: a string field with a space makes the text ambiguous;
// Parse never reads such text back as a different fact.
func TestParseSpaces(t *testing.T) {
	for _, f := range []wire.Fact{
		Vote{Master: "my master", Epoch: 1, Candidate: "x"},
		Vote{Master: "m", Epoch: 1, Candidate: "a b"},
		Start{RunID: "a b"},
		ConfigEpoch{Master: "m", Addr: wire.Addr{Host: "h", Port: 1}, Source: "x forced"},
		Reconfigure{Master: "m", Target: wire.Addr{Host: "a b", Port: 1}},
		Selected{Master: "m", Candidates: []Candidate{{Addr: wire.Addr{Host: "a b", Port: 1}}}},
	} {
		got, err := Parse(f.Fact())
		if err == nil {
			// Only where the text is exactly that of another value.
			require.NotEqual(t, f, got)
			require.Equal(t, f.Fact(), got.Fact())
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, text := range traceFacts {
		f.Add(text)
	}
	for _, text := range []string{
		"", "tilt on", "tilt off", "vote  epoch=0 for=", "start  epoch=0",
		"selected  epoch=0 chosen=:0 max-ping=0 max-info=0 max-linkdown=0", "reconfigure  :0 slaveof NO ONE",
		"config-epoch  0->0 :0 via=", "config-epoch m 1->2 ::1:6379 via=hello forced",
		"elected  epoch=0 votes=0/0 quorum=0 forced=no known=0:",
		"failover-start  epoch=0 forced=no odown=no agreeing=0/0 last-attempt=0 timeout=0 now=0 down-after=0",
		"selected m epoch=18446744073709551615 chosen=[::1]:1 max-ping=1 max-info=2 max-linkdown=3 [[::1]:1 id=ab prio=-1 offset=0 down=yes disc=yes ping=-1 info=-1 linkdown=-9223372036854775808]",
	} {
		f.Add(text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		v, err := Parse(text)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || v != nil {
				t.Fatalf("Parse(%q) = %#v, %v: want nil and a *ParseError", text, v, err)
			}
			return
		}
		again := v.Fact()
		if again != text {
			t.Fatalf("Parse(%q) = %#v, which is written %q", text, v, again)
		}
		w, err := Parse(again)
		if err != nil {
			t.Fatalf("Parse(%q) = %#v, but Parse(%q): %v", text, v, again, err)
		}
		require.Equal(t, v, w)
	})
}
