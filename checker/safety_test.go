package checker

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/facts"
	"github.com/sentinelsim/sentinelsim/internal/wire"
)

func at(t wire.Time, node string, f wire.Fact) Observed { return Observed{At: t, Node: node, Fact: f} }

var (
	r2 = wire.Addr{Host: "10.0.0.2", Port: 6379}
	r3 = wire.Addr{Host: "10.0.0.3", Port: 6379}
)

func cand(a wire.Addr, prio int, offset uint64, id string) facts.Candidate {
	return facts.Candidate{Addr: a, RunID: id, Priority: prio, Offset: offset, PingAge: 100, InfoAge: 100, MasterLinkDownMs: 1000}
}

func sel(chosen wire.Addr, cs ...facts.Candidate) facts.Selected {
	return facts.Selected{Master: "m", Epoch: 1, Chosen: chosen, Candidates: cs, MaxPingAge: 5000, MaxInfoAge: 5000, MaxLinkDownMs: 50_000}
}

// Each rule is caught by a history that breaks it, and only that rule; a
// history that keeps the rules passes.
func TestSafetyRules(t *testing.T) {
	good := []Observed{
		at(0, "s1", facts.Start{RunID: "a"}),
		at(0, "s2", facts.Start{RunID: "b"}),
		at(0, "s3", facts.Start{RunID: "c"}),
		at(10, "s1", facts.FailoverStart{Master: "m", Epoch: 1, ODown: true, Agreeing: 2, Quorum: 2, Timeout: 60_000, Now: 10}),
		at(11, "s1", facts.Vote{Master: "m", Epoch: 1, Candidate: "a"}),
		at(12, "s2", facts.Vote{Master: "m", Epoch: 1, Candidate: "a"}),
		at(20, "s1", facts.Elected{Master: "m", Epoch: 1, Votes: 2, Voters: 3, Quorum: 2, Known: []string{"b", "c"}}),
		at(30, "s1", sel(r2, cand(r2, 100, 50, "b"), cand(r3, 100, 40, "c"))),
		at(40, "s1", facts.ConfigEpoch{Master: "m", From: 0, To: 1, Addr: r2, Source: "promotion"}),
		at(41, "s2", facts.ConfigEpoch{Master: "m", From: 0, To: 1, Addr: r2, Source: "hello"}),
	}
	require.Empty(t, CheckSafety(good, nil))

	for _, tc := range []struct {
		name string
		add  []Observed
		rule string
	}{
		{"double vote", []Observed{at(50, "s2", facts.Vote{Master: "m", Epoch: 1, Candidate: "z"})}, RuleOneVote},
		{"two leaders", []Observed{at(50, "s3", facts.Elected{Master: "m", Epoch: 1, Votes: 2, Voters: 3, Quorum: 2, Known: []string{"a", "b"}})}, RuleOneLeader},
		{"no majority", []Observed{at(50, "s3", facts.Elected{Master: "m", Epoch: 2, Votes: 1, Voters: 3, Quorum: 1})}, RuleElection},
		{"epoch backwards", []Observed{at(50, "s2", facts.ConfigEpoch{Master: "m", From: 0, To: 1, Addr: r2, Source: "hello"})}, RuleEpochForward},
		{"two configs one epoch", []Observed{at(50, "s3", facts.ConfigEpoch{Master: "m", From: 0, To: 1, Addr: r3, Source: "promotion"})}, RuleOneConfig},
		{"no odown", []Observed{at(50, "s2", facts.FailoverStart{Master: "m", Epoch: 2, ODown: true, Agreeing: 1, Quorum: 2, Timeout: 60_000, Now: 50})}, RuleODown},
		{"gate", []Observed{at(50, "s1", facts.FailoverStart{Master: "m", Epoch: 2, ODown: true, Agreeing: 2, Quorum: 2, LastAttempt: 10, Timeout: 60_000, Now: 50})}, RuleGate},
		{"priority 0", []Observed{at(50, "s1", sel(r2, cand(r2, 0, 50, "b"), cand(r3, 100, 40, "c")))}, RuleSelection},
		{"not the best", []Observed{at(50, "s1", sel(r3, cand(r2, 100, 50, "b"), cand(r3, 100, 40, "c")))}, RuleSelection},
		{"stale replica", []Observed{at(50, "s1", sel(r2, facts.Candidate{Addr: r2, Priority: 1, InfoAge: 9000}))}, RuleSelection},
		{"none chosen though one qualified", []Observed{at(50, "s1", sel(wire.Addr{}, cand(r2, 100, 50, "b")))}, RuleSelection},
		{"acted in tilt", []Observed{at(50, "s2", facts.Tilt{On: true}), at(60, "s2", facts.Reconfigure{Master: "m", Target: r3, To: r2})}, RuleNothingInTilt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vs := CheckSafety(append(append([]Observed{}, good...), tc.add...), nil)
			require.Len(t, vs, 1, "%v", vs)
			assert.Equal(t, tc.rule, vs[0].Rule)
			assert.Equal(t, Safety, vs[0].Kind)
			assert.NotEmpty(t, vs[0].Evidence)
		})
	}
	// Two leaders that did not know each other (quorum 1 before discovery)
	// are what Sentinel allows.
	lone := append(append([]Observed{}, good...), at(50, "s3", facts.Elected{Master: "m", Epoch: 1, Votes: 1, Voters: 1, Quorum: 1}))
	assert.Empty(t, CheckSafety(lone, nil))
	// ... and so are the two configurations they make in that epoch.
	lone = append(lone, at(60, "s3", facts.ConfigEpoch{Master: "m", From: 0, To: 1, Addr: r3, Source: "promotion"}))
	assert.Empty(t, CheckSafety(lone, nil))
	// A configuration an operator forced (SENTINEL FAILOVER on a sentinel
	// that missed the newer epoch) may share its epoch with an elected one.
	forcedConfig := append(append([]Observed{}, good...), at(50, "s3", facts.ConfigEpoch{Master: "m", From: 0, To: 1, Addr: r3, Source: "promotion", Forced: true}))
	assert.Empty(t, CheckSafety(forcedConfig, nil))
	// A forced failover skips the ODOWN rule and the gate; a restart
	// leaves TILT; a vote again for the same candidate is no second vote.
	ok := append(append([]Observed{}, good...),
		at(50, "s2", facts.FailoverStart{Master: "m", Epoch: 2, Forced: true, LastAttempt: 49, Timeout: 60_000, Now: 50}),
		at(51, "s2", facts.Vote{Master: "m", Epoch: 1, Candidate: "a"}),
		at(60, "s3", facts.Tilt{On: true}), at(70, "s3", facts.Start{RunID: "c"}), at(80, "s3", facts.Reconfigure{Master: "m", Target: r3, To: r2}))
	assert.Empty(t, CheckSafety(ok, nil))
}

// SDOWN or ODOWN changes logged in TILT are violations; outside TILT not.
func TestSafetyTiltEvents(t *testing.T) {
	obs := []Observed{at(0, "s1", facts.Start{}), at(100, "s1", facts.Tilt{On: true}), at(200, "s1", facts.Tilt{On: false})}
	events := []Event{{50, "s1", "# +sdown master m 10.0.0.1 6379"}, {150, "s1", "# +odown master m 10.0.0.1 6379 #quorum 2/2"}, {250, "s1", "# -sdown master m 10.0.0.1 6379"}}
	vs := CheckSafety(obs, events)
	require.Len(t, vs, 1)
	assert.Equal(t, wire.Time(150), vs[0].At)
	sum := Summarize([]string{Safety, Liveness}, vs)
	assert.Equal(t, Violated, sum[0].Status)
	assert.Equal(t, 1, sum[0].Count)
	assert.Equal(t, OK, sum[1].Status)
}
