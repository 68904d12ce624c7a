package reports

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/scenarios"
)

// runToDir runs a library scenario into a run directory the way 'run --out'
// does: the scenario file, the trace, then the files made after the run.
func runToDir(t *testing.T, name string, seed uint64, dir string) {
	t.Helper()
	f, ok := scenarios.Find(name)
	require.True(t, ok, name)
	require.NoError(t, os.WriteFile(filepath.Join(dir, FileScenario), f.Text(), 0o644))
	trace, err := os.Create(filepath.Join(dir, FileTrace))
	require.NoError(t, err)
	res, err := scenarios.RunWith(f, seed, scenarios.Options{Trace: trace})
	require.NoError(t, err)
	require.NoError(t, trace.Close())
	require.NoError(t, WriteRunDir(dir, Run{Seed: seed, Result: res, Replay: "sentinelsim run " + name}, History(res.ClientOps)))
}

// chromium finds the headless browser: Debian's chromium package, which
// .ci/run installs. Without it the test is skipped, except in CI (CI=true),
// where a missing browser is a failure.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("CI: no chromium to run the browser test (apt-get install chromium)")
	}
	t.Skip("no chromium installed (apt-get install chromium)")
	return ""
}

// The HTML report of a failover, opened in headless Chromium: every lane of
// the timeline is laid out, the spans have a size on screen, and the marks
// of the decisions (the promotion, the switch-master) are there. The
// screenshot is saved in the run directory (report.png).
func TestHTMLReportInBrowser(t *testing.T) {
	browser := chromium(t)
	dir := t.TempDir()
	runToDir(t, "seed-003-stop-node1", 1, dir)
	// A page next to the report opens it in a frame and measures what the
	// browser drew, with the SVG's own geometry (getBBox is 0 for what is
	// not rendered).
	probe := `<!DOCTYPE html><html><body><iframe id="f" src="report.html" width="1400" height="1000"></iframe>
<script>
document.getElementById('f').onload = function () {
  var d = this.contentDocument, out = {lanes: [], spans: 0, drawn: 0, marks: []};
  d.querySelectorAll('svg#timeline g.lane').forEach(function (g) {
    var b = g.getBBox(); out.lanes.push({name: g.dataset.name, kind: g.dataset.kind, w: b.width, h: b.height});
  });
  d.querySelectorAll('svg#timeline rect.span').forEach(function (r) {
    out.spans++; var b = r.getBBox(); if (b.width > 0 && b.height > 0) out.drawn++;
  });
  d.querySelectorAll('svg#timeline text.mark').forEach(function (m) { out.marks.push(m.classList[1]); });
  var pre = document.createElement('pre'); pre.id = 'result'; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
};
</script></body></html>`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "probe.html"), []byte(probe), 0o644))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files", "--virtual-time-budget=5000"}
	dom, err := exec.CommandContext(ctx, browser, append(args, "--dump-dom", "file://"+filepath.Join(dir, "probe.html"))...).Output()
	require.NoError(t, err)
	i, j := strings.Index(string(dom), `<pre id="result">`), strings.Index(string(dom), "</pre>")
	require.True(t, i >= 0 && j > i, "the probe did not report: %s", dom)
	var got struct {
		Lanes []struct {
			Name, Kind string
			W, H       float64
		}
		Spans, Drawn int
		Marks        []string
	}
	require.NoError(t, json.Unmarshal([]byte(strings.ReplaceAll(string(dom[i+len(`<pre id="result">`):j]), "&quot;", `"`)), &got))
	kinds := map[string]int{}
	for _, l := range got.Lanes {
		require.Positive(t, l.W, "lane %s not drawn", l.Name)
		require.Positive(t, l.H, "lane %s not drawn", l.Name)
		kinds[l.Kind]++
	}
	require.Equal(t, 3, kinds["sentinel"], "a lane per sentinel: %+v", got.Lanes)
	require.Equal(t, 3, kinds["redis"], "a lane per Redis node: %+v", got.Lanes)
	require.Equal(t, 1, kinds["network"])
	require.Positive(t, got.Spans)
	require.Equal(t, got.Spans, got.Drawn, "every span has a size on screen")
	require.Contains(t, got.Marks, "promote")
	require.Contains(t, got.Marks, "switch")
	require.Contains(t, got.Marks, "elected")

	shot := filepath.Join(dir, "report.png")
	_, err = exec.CommandContext(ctx, browser, append(args, "--window-size=1400,1000", "--screenshot="+shot, "file://"+filepath.Join(dir, FileReport))...).Output()
	require.NoError(t, err)
	st, err := os.Stat(shot)
	require.NoError(t, err)
	require.Greater(t, st.Size(), int64(10_000), "the screenshot is not an empty page")
	if out := os.Getenv("SENTINELSIM_REPORT_DIR"); out != "" {
		// CI keeps the run directory with its screenshot as an artifact.
		require.NoError(t, os.CopyFS(filepath.Join(out, "browser-test"), os.DirFS(dir)))
	}
}
