package replay

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/scenarios"
	"github.com/sentinelsim/sentinelsim/sentinel/logs"
)

// Warmup is how long the simulated deployment runs before the time of the
// first log line: the real sentinels had been running (and knew each other
// and the replicas) before their logs begin. Simulated times are the log's
// plus Warmup.
const Warmup = 20_000

// Scenario writes the inferred deployment and fault schedule as a scenario
// file the user can edit and run. Host names in the logs become private
// addresses (listed in a comment); the master is r1, replicas r2…,
// sentinels s1… as in the timeline.
//
// whatIf changes the simulated sentinels' settings only (--set): the
// faults stay those the real settings explain.
func (a *Analysis) Scenario(profile string, whatIf Settings) (string, error) {
	t := a.Topology
	if whatIf.DownAfterMs > 0 {
		t.DownAfterMs = whatIf.DownAfterMs
	}
	if whatIf.FailoverTimeoutMs > 0 {
		t.FailoverTimeout = whatIf.FailoverTimeoutMs
	}
	if whatIf.Quorum > 0 {
		t.Quorum = whatIf.Quorum
	}
	mapped := map[string]string{}
	var notes []string
	next := 1
	addr := func(real string) string {
		if m, ok := mapped[real]; ok {
			return m
		}
		ad := addrOf(real)
		out := real
		if !isIP(ad.Host) || ad.Port == 0 {
			port := ad.Port
			if port == 0 {
				port = 6379
			}
			out = fmt.Sprintf("10.254.0.%d:%d", next, port)
			next++
			notes = append(notes, fmt.Sprintf("# %s stands for %s", out, real))
		}
		mapped[real] = out
		return out
	}
	var b strings.Builder
	fmt.Fprintf(&b, "name: replay-%s\n", safeName(t.Master))
	fmt.Fprintf(&b, "summary: \"inferred from real sentinel logs by sentinelsim replay: %d fault(s)\"\n", len(a.Faults))
	b.WriteString("source: sentinelsim replay\n")
	if profile != "" {
		fmt.Fprintf(&b, "profile: %q\n", profile)
	}
	dur := max(a.SpanMs+Warmup+120_000, 180_000)
	fmt.Fprintf(&b, "duration: %dms\n", dur)
	for _, n := range notes {
		b.WriteString(n + "\n")
	}
	b.WriteString("redis:\n")
	masterAddr := addr(t.MasterAddr)
	fmt.Fprintf(&b, "  - {name: r1, addr: %q}\n", masterAddr)
	for i, r := range t.Replicas {
		fmt.Fprintf(&b, "  - {name: r%d, addr: %q, replicaof: r1}\n", i+2, addr(r))
	}
	ma := addrOf(masterAddr)
	b.WriteString("sentinel-config: |\n")
	fmt.Fprintf(&b, "  sentinel monitor %s %s %d %d\n", safeName(t.Master), ma.Host, ma.Port, t.Quorum)
	fmt.Fprintf(&b, "  sentinel down-after-milliseconds %s %d\n", safeName(t.Master), t.DownAfterMs)
	fmt.Fprintf(&b, "  sentinel failover-timeout %s %d\n", safeName(t.Master), t.FailoverTimeout)
	b.WriteString("sentinels:\n")
	used := map[string]bool{}
	for i, s := range t.Sentinels {
		sa := s.Addr
		if sa == "" || used[sa] {
			sa = fmt.Sprintf("10.253.0.%d:26379", i+1)
		}
		used[sa] = true
		fmt.Fprintf(&b, "  - {name: %s, addr: %q}\n", s.Name, addr(sa))
	}
	faults := slices.Clone(a.Faults)
	// The logs show which replica each failover selected, not why (its
	// priority, its offset): just before the fault that led to it, the
	// scenario makes that replica the best by priority.
	for _, sel := range a.Selected {
		var cause int64 = -1
		for _, f := range a.Faults {
			if f.AtMs <= sel.AtMs && (f.Kind == "crash" || f.Kind == "isolate" || f.Kind == "partition" || f.Kind == "command") {
				cause = f.AtMs
			}
		}
		if cause < 0 {
			continue
		}
		nodes := append([]string{t.MasterAddr}, t.Replicas...)
		for i, n := range nodes {
			prio := "100"
			if n == sel.Addr {
				prio = "10"
			}
			faults = append(faults, Fault{AtMs: max(cause-1, 0), Kind: "priority", Node: "r" + strconv.Itoa(i+1), Why: prio})
		}
	}
	slices.SortStableFunc(faults, func(x, y Fault) int { return int(x.AtMs - y.AtMs) })
	if len(faults) > 0 {
		b.WriteString("faults:\n")
	}
	for _, f := range faults {
		if f.Kind == "priority" {
			fmt.Fprintf(&b, "  - {at: %dms, command: {to: %s, args: [CONFIG, SET, replica-priority, %q]}}\n", f.AtMs+Warmup, f.Node, f.Why)
			continue
		}
		fmt.Fprintf(&b, "  # %s\n", strings.ReplaceAll(f.Why, "\n", " "))
		undo := ""
		if f.ForMs > 0 {
			undo = fmt.Sprintf(", for: %dms", f.ForMs)
		}
		switch f.Kind {
		case "cut":
			nodes := strings.Fields(f.Node)
			fmt.Fprintf(&b, "  - {at: %dms, partition: [[%s], [%s]]%s}\n", f.AtMs+Warmup, nodes[0], nodes[1], undo)
			continue
		case "partition":
			fmt.Fprintf(&b, "  - {at: %dms, partition: [[%s], rest]%s}\n", f.AtMs+Warmup, strings.Join(strings.Fields(f.Node), ", "), undo)
			continue
		case "command":
			fmt.Fprintf(&b, "  - {at: %dms, command: {to: %s, args: [SENTINEL, FAILOVER, %s]}}\n", f.AtMs+Warmup, f.Node, safeName(t.Master))
		default:
			fmt.Fprintf(&b, "  - {at: %dms, %s: %s%s}\n", f.AtMs+Warmup, f.Kind, f.Node, undo)
		}
	}
	return b.String(), nil
}

// safeName keeps a master name usable in a sentinel.conf line.
func safeName(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\"'\\") {
		return "mymaster"
	}
	return s
}

// SeedResult is one simulated replay.
type SeedResult struct {
	Seed      uint64    `json:"seed"`
	Decisions Decisions `json:"decisions"`
	Match     bool      `json:"match"`
	// Divergence says where the simulated decisions first part from the
	// real ones, and how.
	Divergence string `json:"divergence,omitempty"`
	Replay     string `json:"replay,omitempty"`
}

// Simulate runs the scenario text for seeds 1..n and compares each run's
// decisions with the real ones.
func (a *Analysis) Simulate(text string, n int) ([]SeedResult, error) {
	f, err := scenarios.Parse("replay.yaml", []byte(text), nil)
	if err != nil {
		return nil, fmt.Errorf("the inferred scenario does not load: %w", err)
	}
	// Simulated addresses back to the logs' own.
	back := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(line, "# "); ok {
			if sim, real, ok := strings.Cut(rest, " stands for "); ok {
				back[sim] = real
			}
		}
	}
	var out []SeedResult
	for seed := uint64(1); seed <= uint64(n); seed++ {
		var events []Event
		rec := &eventSink{into: &events}
		if _, err := scenarios.RunWith(f, seed, scenarios.Options{Trace: rec}); err != nil {
			return nil, err
		}
		d := decisionsOf(events, safeName(a.Topology.Master))
		for i := range d.Switches {
			d.Switches[i].Master = a.Topology.Master
			if r, ok := back[d.Switches[i].From]; ok {
				d.Switches[i].From = r
			}
			if r, ok := back[d.Switches[i].To]; ok {
				d.Switches[i].To = r
			}
		}
		res := SeedResult{Seed: seed, Decisions: d}
		res.Divergence = compare(a.Real, d)
		res.Match = res.Divergence == ""
		out = append(out, res)
	}
	return out, nil
}

// compare says where the simulated decisions first differ from the real
// ones ("" when they agree): ODOWN or not, the sequence of switch-masters
// (master, from, to), the number of failovers.
func compare(real, sim Decisions) string {
	if real.ODown != sim.ODown {
		return fmt.Sprintf("ODOWN: real %v, simulated %v", real.ODown, sim.ODown)
	}
	for i := 0; i < max(len(real.Switches), len(sim.Switches)); i++ {
		switch {
		case i >= len(real.Switches):
			s := sim.Switches[i]
			return fmt.Sprintf("switch %d: the simulation also switched %s -> %s", i+1, s.From, s.To)
		case i >= len(sim.Switches):
			s := real.Switches[i]
			return fmt.Sprintf("switch %d: the real sentinels switched %s -> %s, the simulation did not", i+1, s.From, s.To)
		case real.Switches[i].From != sim.Switches[i].From || real.Switches[i].To != sim.Switches[i].To:
			return fmt.Sprintf("switch %d: real %s -> %s, simulated %s -> %s", i+1, real.Switches[i].From, real.Switches[i].To, sim.Switches[i].From, sim.Switches[i].To)
		}
	}
	if real.Failovers != sim.Failovers {
		return fmt.Sprintf("failovers: real %d, simulated %d", real.Failovers, sim.Failovers)
	}
	return ""
}

// eventSink keeps the sentinel events of a simulated run's canonical trace
// as replay Events, decoded by the same log parser as the real logs.
type eventSink struct {
	into    *[]Event
	partial []byte
}

func (s *eventSink) Write(p []byte) (int, error) {
	n := len(p)
	data := append(s.partial, p...)
	for {
		i := slices.Index(data, '\n')
		if i < 0 {
			break
		}
		s.line(string(data[:i]))
		data = data[i+1:]
	}
	s.partial = append(s.partial[:0], data...)
	return n, nil
}

// line decodes "<ms> event <node> <level> <text>".
func (s *eventSink) line(l string) {
	at, rest, _ := strings.Cut(l, " ")
	verb, rest, _ := strings.Cut(rest, " ")
	if verb != "event" {
		return
	}
	node, text, _ := strings.Cut(rest, " ")
	if len(text) < 3 || text[1] != ' ' || (text[2] != '+' && text[2] != '-') {
		return
	}
	ms, err := strconv.ParseInt(at, 10, 64)
	if err != nil {
		return
	}
	ev, ok := logs.ParseEvent(text[2:])
	if !ok {
		return
	}
	*s.into = append(*s.into, Event{AtMs: ms, Sentinel: node, Type: ev.Type, Text: text[2:], entry: &logs.Entry{Event: ev}})
}

// Trace writes the real logs' merged timeline as a canonical trace (the
// sentinels' events and the inferred faults, at the corrected times), so
// that the report of a run can draw the real night too.
func (a *Analysis) Trace(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, s := range a.Topology.Sentinels {
		fmt.Fprintf(bw, "0 boot %s\n", s.Name)
	}
	fi := 0
	for _, ev := range a.Events {
		for fi < len(a.Faults) && a.Faults[fi].AtMs <= ev.AtMs {
			f := a.Faults[fi]
			fmt.Fprintf(bw, "%d fault %s %s\n", f.AtMs, f.Kind, f.Node)
			fi++
		}
		if ev.entry == nil || ev.entry.Event == nil {
			continue
		}
		level := byte(ev.entry.Level)
		if level == 0 {
			level = '#'
		}
		fmt.Fprintf(bw, "%d event %s %c %s\n", ev.AtMs, ev.Sentinel, level, strings.ReplaceAll(ev.Text, "\n", " "))
	}
	for ; fi < len(a.Faults); fi++ {
		f := a.Faults[fi]
		fmt.Fprintf(bw, "%d fault %s %s\n", f.AtMs, f.Kind, f.Node)
	}
	return bw.Flush()
}

// DecisionsFromTrace reads the decisions about master from a canonical
// trace (a simulated run's), with the same decoder as real logs.
func DecisionsFromTrace(r io.Reader, master string) (Decisions, []Event, error) {
	var events []Event
	sink := &eventSink{into: &events}
	if _, err := io.Copy(sink, r); err != nil {
		return Decisions{}, nil, err
	}
	sink.line(string(sink.partial))
	return decisionsOf(events, master), events, nil
}
