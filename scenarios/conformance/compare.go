package conformance

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/scenarios"
	"github.com/sentinelsim/sentinelsim/scenarios/replay"
	"github.com/sentinelsim/sentinelsim/sentinel/logs"
)

// Outcome is what a run decided, in the scenario's node names.
type Outcome struct {
	ODown     bool     `json:"odown"`
	Switches  []string `json:"switches"` // "r1->r2"
	Failovers int      `json:"failovers"`
	// Aborts are the -failover-abort-* events and timeouts the
	// +failover-end-for-timeout ones, counted once per type.
	Ends []string `json:"ends,omitempty"`
	// FirstSwitchMs is when the first switch-master was logged, from the
	// scenario's time 0 (-1: none).
	FirstSwitchMs int64 `json:"first_switch_ms"`
	// Firsts are when the first +sdown (of a master), +odown,
	// +elected-leader and +convert-to-slave (the old master demoted) were
	// logged (-1: none).
	Firsts map[string]int64 `json:"firsts"`
	// FinalMaster and FinalEpoch: what the sentinels say at the end (the
	// node, the highest configuration epoch).
	FinalMaster string `json:"final_master"`
	FinalEpoch  int    `json:"final_epoch"`
	// Orders are each sentinel's decision events in order (the kinds of
	// orderEvents, repeats folded), sorted: which sentinel leads, and
	// which also tries before the switch reaches it, is a race.
	Orders []string `json:"orders"`
}

// orderEvents are the events whose per-sentinel order is compared.
// +odown is left out: an observer that learns the new configuration from a
// hello before its own next ODOWN check never logs it, and the real
// failover is a little faster there than the simulated one (measured: the
// real conf-kill-master's third sentinel switched without +odown in one
// run of three; the simulated ones always log it first).
var orderEvents = map[string]bool{"+sdown": true, "+try-failover": true, "+elected-leader": true,
	"+promoted-slave": true, "+switch-master": true, "+failover-end": true, "+failover-end-for-timeout": true,
	"-failover-abort-not-elected": true, "-failover-abort-no-good-slave": true, "+convert-to-slave": true}

// timedEvents are the decisions whose first time is compared.
var timedEvents = []string{"+sdown", "+odown", "+elected-leader", "+convert-to-slave"}

func (o Outcome) key() string {
	k := o.decisions()
	if len(o.Ends) > 0 {
		k += " " + strings.Join(o.Ends, ",")
	}
	return k
}

// decisions is key without the aborts and timeouts.
func (o Outcome) decisions() string {
	return fmt.Sprintf("odown=%v switches=%s failovers=%d master=%s epoch=%d", o.ODown, strings.Join(o.Switches, ","), o.Failovers, o.FinalMaster, o.FinalEpoch)
}

// Row is one line of the conformance table.
type Row struct {
	Scenario  string    `json:"scenario"`
	Real      Outcome   `json:"real"`
	Simulated []Outcome `json:"simulated"`
	// Agree: the real decisions are those of at least a fifth of the
	// simulated seeds, and the real first switch-master falls in the
	// simulated range (widened: see Compare).
	Agree      bool     `json:"agree"`
	Why        string   `json:"why,omitempty"`
	SimRangeMs [2]int64 `json:"sim_first_switch_ms"`
	// Snapshots are the real run's periodic looks (where each sentinel
	// says the master is, each node's role).
	Snapshots []Snapshot `json:"real_snapshots,omitempty"`
	// Wall times, side by side (issue 10): the scenario's simulated
	// duration; the real run's wall time and its start-up part (see
	// Real.Wall); each simulated seed's scenarios.RunWith call, seed 1
	// first, and their median; Speedup is the real wall time over that
	// median. Measured, never asserted: the machine is shared.
	DurationMs      int64     `json:"duration_ms"`
	RealWallMs      float64   `json:"real_wall_ms"`
	RealStartupMs   float64   `json:"real_startup_ms"`
	SimSeedWallMs   []float64 `json:"sim_seed_wall_ms"`
	SimSeedMedianMs float64   `json:"sim_seed_wall_median_ms"`
	Speedup         float64   `json:"speedup"`
}

// SimSeeds is how many seeds each scenario is simulated with: races that
// a real run shows now and then must be among the simulated ones (a
// sentinel that tries a failover and then learns the switch from a hello
// is 1 in 200 of conf-pause-long's simulated sentinels), and a seed takes
// milliseconds.
const SimSeeds = 200

// simMu lets one simulation run at a time: the conformance scenarios run
// in parallel and tend to reach Compare together, and on a 2-CPU machine
// their seeds would otherwise time each other.
var simMu sync.Mutex

// Compare simulates f for seeds 1..n and compares it with a real run.
func Compare(f *scenarios.File, real *Real, n int) (Row, error) {
	row := Row{Scenario: f.Name}
	master := masterName(f)
	var ls []*logs.Log
	for _, p := range real.Logs {
		l, err := logs.ParseFile(p, logs.Options{})
		if err != nil {
			return row, err
		}
		ls = append(ls, l)
	}
	a, err := replay.Analyze(ls, replay.Settings{Quorum: 1, DownAfterMs: 1, FailoverTimeoutMs: 1})
	if err != nil {
		return row, err
	}
	row.Real = outcome(a.Real, real.Names, a.Events, 0) // the logs begin as the processes start: time 0
	row.Real.FinalMaster, row.Real.FinalEpoch = real.FinalMaster, real.FinalEpoch
	row.Snapshots = real.Snapshots
	simNames := map[string]string{}
	for _, r := range f.Redis {
		simNames[wire.Addr(r.Addr).String()] = r.Name
	}
	row.SimRangeMs = [2]int64{-1, -1}
	for seed := uint64(1); seed <= uint64(n); seed++ {
		var trace bytes.Buffer
		simMu.Lock()
		began := time.Now()
		res, err := scenarios.RunWith(f, seed, scenarios.Options{Trace: &trace})
		wall := time.Since(began)
		simMu.Unlock()
		row.SimSeedWallMs = append(row.SimSeedWallMs, msOf(wall))
		if err != nil {
			return row, err
		}
		epoch := finalEpoch(trace.String())
		d, events, err := replay.DecisionsFromTrace(&trace, master)
		if err != nil {
			return row, err
		}
		o := outcome(d, simNames, events, 0)
		o.FinalMaster, o.FinalEpoch = res.Metrics.Master, epoch
		row.Simulated = append(row.Simulated, o)
		if o.FirstSwitchMs >= 0 {
			if row.SimRangeMs[0] < 0 || o.FirstSwitchMs < row.SimRangeMs[0] {
				row.SimRangeMs[0] = o.FirstSwitchMs
			}
			row.SimRangeMs[1] = max(row.SimRangeMs[1], o.FirstSwitchMs)
		}
	}
	row.DurationMs = int64(f.Duration)
	row.RealWallMs, row.RealStartupMs = msOf(real.Wall), msOf(real.Startup)
	row.SimSeedMedianMs = median(row.SimSeedWallMs)
	if row.SimSeedMedianMs > 0 {
		row.Speedup = row.RealWallMs / row.SimSeedMedianMs
	}
	row.judge(n)
	return row, nil
}

// judge sets Agree and Why from the real outcome and n simulated ones.
func (row *Row) judge(n int) {
	// Some decisions are random in Sentinel too (split votes depend on
	// timer jitter): the real decisions must be ones the simulator makes
	// for at least a fifth of the seeds.
	//
	// Whether a sentinel also tries and is not elected, or times out,
	// before the switch reaches it is a race as well (the sentinels'
	// failover start times are random, spec §10.4): the real decisions
	// with the real aborts and timeouts, exactly, must be what some seed
	// shows.
	same, exact := 0, 0
	for _, o := range row.Simulated {
		if o.decisions() == row.Real.decisions() {
			same++
			if o.key() == row.Real.key() {
				exact++
			}
		}
	}
	row.Agree = true
	if same < max(1, n/5) {
		row.Agree, row.Why = false, fmt.Sprintf("the real sentinels decided %s, which %d of %d simulated seeds did", row.Real.decisions(), same, n)
		return
	}
	if exact == 0 {
		row.Agree, row.Why = false, fmt.Sprintf("the real sentinels decided %s, which no simulated seed did in %d", row.Real.key(), n)
		return
	}
	// The real timer ticks at 10-19 Hz: a second either way. And on
	// loopback a connect to a killed process is refused at once, so the
	// real sentinel queues no PING and counts down-after from the last
	// reply instead of from its first reconnection's PING, as across hosts
	// (and in the simulator): up to a ping period (1 s) earlier still.
	if t := row.Real.FirstSwitchMs; t >= 0 && (t < row.SimRangeMs[0]-2500 || t > row.SimRangeMs[1]+1000) {
		row.Agree, row.Why = false, fmt.Sprintf("the real first switch-master came at %d ms, the simulated ones at %d..%d ms", t, row.SimRangeMs[0], row.SimRangeMs[1])
		return
	}
	// Which sentinels also try a failover before the switch reaches them
	// is a race in both: each real sentinel's order must be one some
	// simulated sentinel shows, in any seed.
	possible := map[string]bool{}
	for _, o := range row.Simulated {
		for _, q := range o.Orders {
			possible[q] = true
		}
	}
	for _, q := range row.Real.Orders {
		if !possible[q] {
			row.Agree, row.Why = false, fmt.Sprintf("a real sentinel logged %q, which no simulated sentinel did in %d seeds", q, n)
			return
		}
	}
	for _, typ := range timedEvents {
		lo, hi := int64(-1), int64(-1)
		for _, o := range row.Simulated {
			if t := o.Firsts[typ]; t >= 0 {
				if lo < 0 || t < lo {
					lo = t
				}
				hi = max(hi, t)
			}
		}
		if t := row.Real.Firsts[typ]; t >= 0 && lo >= 0 && (t < lo-2500 || t > hi+1000) {
			row.Agree, row.Why = false, fmt.Sprintf("the real first %s came at %d ms, the simulated ones at %d..%d ms", typ, t, lo, hi)
			return
		}
	}
}

// msOf is d in milliseconds, to the microsecond (a simulated seed takes
// milliseconds).
func msOf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// outcome names a run's decisions by node; offset moves log times to the
// scenario's time 0.
func outcome(d replay.Decisions, names map[string]string, events []replay.Event, offset int64) Outcome {
	o := Outcome{ODown: d.ODown, Failovers: d.Failovers, FirstSwitchMs: -1, Firsts: map[string]int64{}}
	for _, t := range timedEvents {
		o.Firsts[t] = -1
	}
	name := func(a string) string {
		if n, ok := names[a]; ok {
			return n
		}
		return a
	}
	for _, s := range d.Switches {
		o.Switches = append(o.Switches, name(s.From)+"->"+name(s.To))
	}
	for _, ev := range events {
		if ev.Type == "+switch-master" && o.FirstSwitchMs < 0 {
			o.FirstSwitchMs = ev.AtMs - offset
		}
		if t, ok := o.Firsts[ev.Type]; ok && t < 0 && (ev.Type != "+sdown" || strings.HasPrefix(ev.Text, "+sdown master ")) {
			o.Firsts[ev.Type] = ev.AtMs - offset
		}
		if (ev.Type == "+failover-end-for-timeout" || strings.HasPrefix(ev.Type, "-failover-abort")) && !slices.Contains(o.Ends, ev.Type) {
			o.Ends = append(o.Ends, ev.Type)
		}
	}
	slices.Sort(o.Ends)
	seq := map[string][]string{}
	var who []string
	for _, ev := range events {
		if !orderEvents[ev.Type] || ev.Type == "+sdown" && !strings.HasPrefix(ev.Text, "+sdown master ") {
			continue
		}
		if _, ok := seq[ev.Sentinel]; !ok {
			who = append(who, ev.Sentinel)
		}
		if q := seq[ev.Sentinel]; len(q) == 0 || q[len(q)-1] != ev.Type {
			seq[ev.Sentinel] = append(q, ev.Type)
		}
	}
	for _, s := range who {
		o.Orders = append(o.Orders, strings.Join(seq[s], " "))
	}
	slices.Sort(o.Orders)
	return o
}

// finalEpoch is the highest configuration epoch the simulated sentinels
// reached (their config-epoch facts).
func finalEpoch(trace string) int {
	best := 0
	for _, line := range strings.Split(trace, "\n") {
		f := strings.Fields(line)
		// "<ms> fact <node> config-epoch <master> <from>-><to> ..."
		if len(f) >= 6 && f[1] == "fact" && f[3] == "config-epoch" {
			if _, to, ok := strings.Cut(f[5], "->"); ok {
				var e int
				if _, err := fmt.Sscan(to, &e); err == nil && e > best {
					best = e
				}
			}
		}
	}
	return best
}
