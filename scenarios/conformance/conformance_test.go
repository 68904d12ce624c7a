package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/scenarios"
)

// TestConformance runs every scenario of testdata on the real Redis
// Sentinel and in the simulator and requires them to agree. It needs
// redis-server and redis-sentinel and minutes of wall time, so it runs only
// with SENTINELSIM_CONFORMANCE set (make conformance), which also names the
// file the conformance table is written to (Markdown; JSON next to it).
func TestConformance(t *testing.T) {
	out := os.Getenv("SENTINELSIM_CONFORMANCE")
	if out == "" {
		t.Skip("set SENTINELSIM_CONFORMANCE=table.md (make conformance) to run against the real Redis Sentinel")
	}
	for _, bin := range []string{"redis-server", "redis-sentinel"} {
		_, err := exec.LookPath(bin)
		require.NoError(t, err, "%s is needed (apt-get install redis-server redis-sentinel)", bin)
	}
	files, err := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	require.NoError(t, err)
	var mu sync.Mutex
	rows := map[string]Row{}
	t.Run("scenarios", func(t *testing.T) {
		for i, path := range files {
			t.Run(filepath.Base(path), func(t *testing.T) {
				t.Parallel()
				f, err := scenarios.Load(path)
				require.NoError(t, err)
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
				defer cancel()
				real, err := RunReal(ctx, f, Options{Dir: t.TempDir(), BasePort: 28000 + 200*i})
				require.NoError(t, err)
				row, err := Compare(f, real, SimSeeds)
				require.NoError(t, err)
				// The wall times must be there for the speed-up table: a
				// check that they were measured, not of how fast.
				require.Positive(t, row.RealWallMs, "real wall time")
				require.Len(t, row.SimSeedWallMs, SimSeeds)
				for _, w := range row.SimSeedWallMs {
					require.Positive(t, w, "a simulated seed's wall time")
				}
				require.Positive(t, row.Speedup, "speed-up")
				mu.Lock()
				rows[f.Name] = row
				mu.Unlock()
				require.True(t, row.Agree, "%s: %s\nsteps: %s", f.Name, row.Why, strings.Join(real.Steps, "; "))
			})
		}
	})
	var md strings.Builder
	md.WriteString("| scenario | real | simulated (" + strconv.Itoa(SimSeeds) + " seeds) | first switch-master: real / simulated range | first +sdown, +odown, +elected-leader, +convert-to-slave: real (simulated) | agree |\n| --- | --- | --- | --- | --- | --- |\n")
	var names []string
	for n := range rows {
		names = append(names, n)
	}
	slices.Sort(names)
	var list []Row
	for _, n := range names {
		r := rows[n]
		list = append(list, r)
		sim := map[string]int{}
		for _, o := range r.Simulated {
			sim[o.key()]++
		}
		var simText []string
		for k, c := range sim {
			simText = append(simText, fmt.Sprintf("%s (%d)", k, c))
		}
		slices.Sort(simText)
		agree := "yes"
		if !r.Agree {
			agree = "**no**: " + r.Why
		}
		var firsts []string
		for _, typ := range timedEvents {
			lo, hi := int64(-1), int64(-1)
			for _, o := range r.Simulated {
				if t := o.Firsts[typ]; t >= 0 {
					if lo < 0 || t < lo {
						lo = t
					}
					hi = max(hi, t)
				}
			}
			firsts = append(firsts, ms(r.Real.Firsts[typ])+" ("+rangeText([2]int64{lo, hi})+")")
		}
		fmt.Fprintf(&md, "| %s | %s | %s | %s / %s | %s | %s |\n", n, r.Real.key(), strings.Join(simText, "; "), ms(r.Real.FirstSwitchMs), rangeText(r.SimRangeMs), strings.Join(firsts, ", "), agree)
	}
	// The speed-up table: the same runs' wall times, real and simulated.
	md.WriteString("\n| scenario | simulated duration | real wall (of it, start-up) | one simulated seed wall: median of " + strconv.Itoa(SimSeeds) + " (seed 1) | speed-up real / simulated |\n| --- | --- | --- | --- | --- |\n")
	for _, r := range list {
		seed1 := 0.0
		if len(r.SimSeedWallMs) > 0 {
			seed1 = r.SimSeedWallMs[0]
		}
		fmt.Fprintf(&md, "| %s | %s | %.3f s (%.3f s) | %.1f ms (%.1f ms) | %.0f× |\n", r.Scenario, ms(r.DurationMs), r.RealWallMs/1000, r.RealStartupMs/1000, r.SimSeedMedianMs, seed1, r.Speedup)
	}
	require.NoError(t, os.WriteFile(out, []byte(md.String()), 0o644))
	b, _ := json.MarshalIndent(list, "", "  ")
	require.NoError(t, os.WriteFile(strings.TrimSuffix(out, filepath.Ext(out))+".json", append(b, '\n'), 0o644))
}

func ms(v int64) string {
	if v < 0 {
		return "none"
	}
	return fmt.Sprintf("%.1fs", float64(v)/1000)
}

func rangeText(r [2]int64) string {
	if r[0] < 0 {
		return "none"
	}
	return ms(r[0]) + "–" + ms(r[1])
}
