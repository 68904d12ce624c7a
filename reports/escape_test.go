package reports

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/checker"
	"github.com/sentinelsim/sentinelsim/scenarios"
)

// hostile is a run whose every text from input — node names, log lines,
// configuration values, client commands, checker messages — carries markup.
func hostile() *Dir {
	const evil = `<script>alert(1)</script><img src=x onerror=alert(2)>`
	res := scenarios.ScenarioResult{Scenario: "x" + evil, Verdict: scenarios.Verdict{Status: "violated", Detail: evil}, Expected: "pass", Duration: 10_000}
	v := checker.Violation{Kind: checker.Safety, Rule: evil, Node: "s1" + evil, Msg: evil, Evidence: []string{evil}}
	res.Violations = []checker.Violation{v}
	res.Promises = []checker.Verdict{{Kind: checker.Safety, Status: checker.Violated, First: &v, Count: 1}}
	return &Dir{
		Run:   Run{Schema: Schema, Seed: 1, Result: res, Replay: "sentinelsim run " + evil},
		nodes: []string{"s1" + evil, "r1"},
		Decisions: []Decision{
			{At: 1000, Type: "fault", Text: "crash s1" + evil},
			{At: 2000, Node: "s1" + evil, Type: "+sdown", Text: "master " + evil + " 10.0.0.1 6379"},
			{At: 3000, Node: "s1" + evil, Type: "+switch-master", Text: evil},
		},
		History: []HistoryOp{{ID: 1, Client: "c" + evil, Args: []string{"APPEND", evil, "x"}, Call: 100, Return: 200, Outcome: "ok", Reply: Value{Type: "bulk", Str: evil}, Lost: true}},
		beliefs: []Belief{{At: 0, Node: "s1" + evil, Master: evil, Addr: evil, Epoch: "0"}},
	}
}

// Everything that comes from input is escaped: the HTML page has no element
// the input made (no script, no img), the Markdown summary no raw markup.
func TestReportsEscapeInput(t *testing.T) {
	d := hostile()
	var page, md bytes.Buffer
	require.NoError(t, WriteHTML(&page, d))
	require.NoError(t, WriteMarkdown(&md, d))
	html := page.String()
	require.NotContains(t, strings.ToLower(html), "<script")
	require.NotContains(t, strings.ToLower(html), "<img")
	require.Contains(t, html, "&lt;script&gt;alert(1)&lt;/script&gt;")
	// In Markdown a backslash makes "<" a literal character.
	raw := strings.ReplaceAll(md.String(), `\<`, "")
	require.NotContains(t, raw, "<script")
	require.NotContains(t, raw, "<img")
	require.Contains(t, md.String(), `\<script\>`)
}

// And in a browser: the page built from hostile input has no script or
// image element, and shows the markup as text.
func TestHostileReportInertInBrowser(t *testing.T) {
	browser := chromium(t)
	dir := t.TempDir()
	var page bytes.Buffer
	require.NoError(t, WriteHTML(&page, hostile()))
	path := filepath.Join(dir, "report.html")
	require.NoError(t, os.WriteFile(path, page.Bytes(), 0o644))
	dom, err := exec.Command(browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://"+path).Output()
	require.NoError(t, err)
	lower := strings.ToLower(string(dom))
	require.NotContains(t, lower, "<script")
	require.NotContains(t, lower, "<img")
	require.Contains(t, string(dom), "&lt;script&gt;alert(1)&lt;/script&gt;")
}
