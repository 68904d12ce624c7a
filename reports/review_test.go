package reports

// Review tests; each fails on 064ac2d.

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/scenarios"
)

func reviewDir(ds ...Decision) *Dir {
	res := scenarios.ScenarioResult{Scenario: "x", Verdict: scenarios.Verdict{Status: "pass"}, Expected: "pass", Duration: 10_000}
	return &Dir{Run: Run{Schema: Schema, Seed: 1, Result: res}, nodes: []string{"s1", "r1"}, Decisions: ds}
}

// The engine's -odown text has no "#quorum a/b" suffix, the +odown text
// has one: the span key (type, node, full text) differs, so -odown never
// closes an ODOWN span, which runs to the end of the run.
func TestReviewODOWNSpanClosedByMinusODOWN(t *testing.T) {
	d := reviewDir(
		Decision{At: 1000, Node: "s1", Type: "+odown", Text: "master mymaster 10.0.0.1 6379 #quorum 2/2"},
		Decision{At: 3000, Node: "s1", Type: "-odown", Text: "master mymaster 10.0.0.1 6379"},
	)
	var page bytes.Buffer
	require.NoError(t, WriteHTML(&page, d))
	require.Contains(t, page.String(), "1000ms – 3000ms: s1 ODOWN")
}

// After +switch-master the sentinel forgets the old master's SDOWN/ODOWN
// without any -sdown/-odown event (sentinelResetMaster): the spans must end
// at the switch, not at the end of the run (seen in redis-suite-kill-master
// seed 1: every sentinel shows the old master SDOWN and ODOWN until 180 s).
func TestReviewSDOWNSpanEndsAtSwitchMaster(t *testing.T) {
	d := reviewDir(
		Decision{At: 1000, Node: "s1", Type: "+sdown", Text: "master mymaster 10.0.0.1 6379"},
		Decision{At: 2000, Node: "s1", Type: "+switch-master", Text: "mymaster 10.0.0.1 6379 10.0.0.2 6379"},
	)
	var page bytes.Buffer
	require.NoError(t, WriteHTML(&page, d))
	require.NotContains(t, page.String(), "1000ms – 10000ms: s1 SDOWN")
}

// The Markdown summary writes result.json's expected verdict (and each
// promise's kind and status) without escaping: 'report DIR' on an edited or
// hostile result.json puts raw HTML into summary.md.
func TestReviewMarkdownEscapesExpected(t *testing.T) {
	d := reviewDir()
	d.Run.Result.Expected = "pass` <img src=x onerror=alert(2)> `"
	var md bytes.Buffer
	require.NoError(t, WriteMarkdown(&md, d))
	// A backslash makes "<" a literal character in Markdown.
	require.NotContains(t, strings.ToLower(strings.ReplaceAll(md.String(), `\<`, "")), "<img")
}

// A truncated or hand-edited trace.txt ("5 boot", "0 boot" with no node)
// panics 'diff', 'report DIR' and 'check DIR' instead of being an input error.
func TestReviewMalformedBootLineDoesNotPanic(t *testing.T) {
	require.NotPanics(t, func() { ParseDecision("5 boot") })
	require.NotPanics(t, func() { _, _, _ = scanTrace(strings.NewReader("0 boot\n"), nil) })
}
