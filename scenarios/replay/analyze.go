package replay

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sentinel"
	"github.com/sentinelsim/sentinelsim/sentinel/logs"
)

// Sentinel's defaults (spec §2), used when neither a configuration file
// nor --set gives a value.
const (
	defaultDownAfter       = 30 * time.Second
	defaultFailoverTimeout = 3 * time.Minute
	defaultQuorum          = 2
)

// Event is one sentinel event of the merged timeline, normalised: its time
// relative to the first line of all logs, the sentinel that logged it and
// where.
type Event struct {
	AtMs     int64  `json:"at_ms"`
	Sentinel string `json:"sentinel"` // s1, s2, ... in order of first appearance
	Type     string `json:"type"`     // "+sdown", or a note ("vote", "sentinel-id", "user-failover")
	Text     string `json:"text"`
	Where    string `json:"where"` // file:line
	entry    *logs.Entry
}

// Anomaly is something in the real log that a rule of the spec says should
// not happen, or that needs explaining.
type Anomaly struct {
	Rule         string   `json:"rule"` // the rule, with its spec section
	Sentinel     string   `json:"sentinel,omitempty"`
	AtMs         int64    `json:"at_ms"`
	Lines        []string `json:"lines"` // file:line of the lines involved
	Detail       string   `json:"detail"`
	Explanations []string `json:"explanations,omitempty"`
}

// Switch is a +switch-master decision.
type Switch struct {
	Master string `json:"master"`
	From   string `json:"from"` // ip:port
	To     string `json:"to"`
	Epoch  uint64 `json:"epoch"`
}

// Decisions are what Sentinel decided, in the terms real and simulated
// runs are compared in.
type Decisions struct {
	ODown     bool     `json:"odown"`
	Elections []string `json:"elections,omitempty"` // "epoch N by sK"
	Switches  []Switch `json:"switches"`
	Aborts    []string `json:"aborts,omitempty"`
	Failovers int      `json:"failovers"`
}

// Fault is one inferred fault, as a scenario timeline entry and in words.
type Fault struct {
	AtMs  int64  `json:"at_ms"`
	Kind  string `json:"kind"` // crash, restart, isolate, partition (Node: one side), cut, pause, command
	Node  string `json:"node"`
	ForMs int64  `json:"for_ms,omitempty"`
	Why   string `json:"why"`
}

// SentinelInfo is one sentinel as the logs show it.
type SentinelInfo struct {
	Name    string   `json:"name"`
	RunID   string   `json:"run_id,omitempty"`
	Addr    string   `json:"addr,omitempty"`
	Sources []string `json:"sources"`
	Starts  int      `json:"starts"`
}

// Topology is what the logs (and configuration files) say about the
// deployment.
type Topology struct {
	Master          string         `json:"master"`
	MasterAddr      string         `json:"master_addr"`
	Quorum          int            `json:"quorum"`
	Replicas        []string       `json:"replicas"`
	Sentinels       []SentinelInfo `json:"sentinels"`
	DownAfterMs     int64          `json:"down_after_ms"`
	FailoverTimeout int64          `json:"failover_timeout_ms"`
	// Others names masters beyond the first, which the replay leaves out.
	Others []string `json:"other_masters,omitempty"`
}

// Analysis is what the logs say: the merged timeline, the topology, the
// anomalies, the real decisions and the inferred fault schedule.
type Analysis struct {
	Events    []Event   `json:"events"`
	Topology  Topology  `json:"topology"`
	Anomalies []Anomaly `json:"anomalies"`
	Real      Decisions `json:"real"`
	Faults    []Fault   `json:"faults"`
	Problems  []string  `json:"problems,omitempty"`
	// Hints say what the logs suggest about replaying them (a release,
	// hence a behaviour profile).
	Hints []string `json:"hints,omitempty"`
	// Selected are the replicas the real sentinels selected for promotion
	// (+selected-slave), in order: the logs do not show replica-priority or
	// offsets, so before each failover the scenario makes the replica that
	// was selected the best by priority (CONFIG SET replica-priority).
	Selected []Selection `json:"selected,omitempty"`
	// Offsets are the clock corrections applied to sentinels whose logs
	// put an effect before its cause (ms added to their times).
	Offsets map[string]int64 `json:"clock_offsets_ms,omitempty"`
	// Clocks are the bounds causality puts on each logging sentinel's
	// clock against one of them, and the corrections chosen (clock.go).
	Clocks []ClockBound `json:"clocks,omitempty"`
	Start  time.Time    `json:"start"`
	SpanMs int64        `json:"span_ms"`
}

// Selection is a replica a leader selected for promotion, and when.
type Selection struct {
	AtMs int64  `json:"at_ms"`
	Addr string `json:"addr"`
}

// Settings are the values the replay takes from configuration files and
// --set, overriding what the logs imply.
type Settings struct {
	DownAfterMs       int64
	FailoverTimeoutMs int64
	Quorum            int
	// Profile is the behaviour profile (sentinel.LookupProfile) the logs'
	// rules are judged by where releases differ ("": 7.0).
	Profile string
}

// Analyze reads parsed logs into an Analysis.
func Analyze(ls []*logs.Log, set Settings) (*Analysis, error) {
	prof, err := sentinel.LookupProfile(set.Profile)
	if err != nil {
		return nil, err
	}
	a := &Analysis{}
	var entries []*logs.Entry
	for _, l := range ls {
		for _, p := range l.Problems {
			a.Problems = append(a.Problems, p.String())
		}
		for i := range l.Entries {
			e := &l.Entries[i]
			if e.Role != logs.RoleSentinel && e.Role != 0 {
				continue
			}
			entries = append(entries, e)
		}
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("no sentinel lines in the logs")
	}
	// Sentinels: one per source, named in order of first appearance; a
	// source that logs a second "Sentinel ID" restarted.
	// A restarted sentinel is a new process (a new pid, a new source) with
	// the same run id: sources that log the same "Sentinel ID" are one.
	idOf := map[string]string{}
	for _, e := range entries {
		if e.Note != nil && e.Note.Kind == logs.NoteSentinelID {
			if _, ok := idOf[e.Source.String()]; !ok {
				idOf[e.Source.String()] = e.Note.RunID
			}
		}
	}
	names := map[string]string{}
	byID := map[string]string{}
	infos := map[string]*SentinelInfo{}
	var order []string
	for _, e := range entries {
		key := e.Source.String()
		if _, ok := names[key]; ok {
			continue
		}
		if id := idOf[key]; id != "" && byID[id] != "" {
			names[key] = byID[id]
			infos[byID[id]].Sources = append(infos[byID[id]].Sources, key)
			continue
		}
		name := "s" + strconv.Itoa(len(infos)+1)
		names[key] = name
		order = append(order, key)
		infos[name] = &SentinelInfo{Name: name, Sources: []string{key}}
		if id := idOf[key]; id != "" {
			byID[id] = name
		}
	}
	// Sort by time (stable: lines of one source keep their order).
	slices.SortStableFunc(entries, func(x, y *logs.Entry) int { return x.Time.Compare(y.Time) })
	a.Start = entries[0].Time
	a.SpanMs = entries[len(entries)-1].Time.Sub(a.Start).Milliseconds()
	at := func(e *logs.Entry) int64 { return e.Time.Sub(a.Start).Milliseconds() }
	where := func(e *logs.Entry) string { return e.Source.File + ":" + strconv.Itoa(e.Line) }

	// Topology and events.
	top := &a.Topology
	top.Quorum = set.Quorum
	runAddr := map[string]string{} // run id -> ip:port, from +sentinel lines
	for _, e := range entries {
		name := names[e.Source.String()]
		info := infos[name]
		ev := Event{AtMs: at(e), Sentinel: name, Where: where(e), entry: e, Text: e.Text}
		switch {
		case e.Event != nil:
			ev.Type = e.Event.Type
			if in := e.Event.Inst; in != nil && in.Master != "" {
				if top.Master == "" {
					top.Master, top.MasterAddr = in.Master, in.MasterAddr.String()
				} else if in.Master != top.Master && !slices.Contains(top.Others, in.Master) {
					top.Others = append(top.Others, in.Master)
				}
			}
			if in := e.Event.Inst; in != nil && in.Kind == logs.KindReplica && in.Master == top.Master {
				// Any event about a replica names one (+slave, +selected-slave, …).
				r := in.Addr.String()
				if !slices.Contains(top.Replicas, r) && r != top.MasterAddr {
					top.Replicas = append(top.Replicas, r)
				}
			}
			switch e.Event.Type {
			case "+selected-slave":
				if in := e.Event.Inst; in != nil {
					a.Selected = append(a.Selected, Selection{AtMs: e.Time.Sub(a.Start).Milliseconds(), Addr: in.Addr.String()})
				}
			case "+monitor":
				if top.Quorum == 0 && e.Event.Quorum.Need > 0 {
					top.Quorum = e.Event.Quorum.Need
				}
			case "+slave":
				if in := e.Event.Inst; in != nil && in.Master == top.Master {
					r := in.Addr.String()
					if !slices.Contains(top.Replicas, r) && r != top.MasterAddr {
						top.Replicas = append(top.Replicas, r)
					}
				}
			case "+sentinel":
				if in := e.Event.Inst; in != nil {
					runAddr[in.Name] = in.Addr.String()
				}
			case "+switch-master":
				// The new master was a replica; the old one will be one.
				for _, r := range []string{e.Event.From.String(), e.Event.To.String()} {
					if !slices.Contains(top.Replicas, r) && r != top.MasterAddr {
						top.Replicas = append(top.Replicas, r)
					}
				}
			}
		case e.Note != nil:
			switch e.Note.Kind {
			case logs.NoteSentinelID:
				ev.Type = "sentinel-id"
				info.Starts++
				if info.RunID == "" {
					info.RunID = e.Note.RunID
				}
			case logs.NoteUserFailover:
				ev.Type = "user-failover"
			case logs.NoteVote:
				ev.Type = "vote"
			default:
				continue
			}
		default:
			continue
		}
		a.Events = append(a.Events, ev)
	}
	if top.Master == "" {
		return nil, fmt.Errorf("the logs name no monitored master")
	}
	// The line format tells the release apart (incidents.md, "Redis log
	// line anatomy"): no role letter is Redis 2.6/2.8, no year before 5.0.
	old, noYear := false, false
	for _, e := range entries {
		old = old || e.Role == logs.RoleNone && !e.Signal
		noYear = noYear || !e.YearKnown
	}
	switch {
	case old:
		a.Hints = append(a.Hints, "the logs are Redis 2.6/2.8's ([pid] lines without a role letter): the default profile is 7.0's; try --profile 2.8.1, 2.8.6 or 2.8.14 (release bugs such as 2.8's lockstep split votes replay only under their release's profile)")
	case noYear:
		a.Hints = append(a.Hints, "the logs are from Redis 3.x or 4.x (no year in the time stamps): the simulated sentinels follow 7.0's rules")
	}
	for _, key := range order {
		info := infos[names[key]]
		if addr, ok := runAddr[info.RunID]; ok {
			info.Addr = addr
		}
		top.Sentinels = append(top.Sentinels, *info)
	}
	// Sentinels the logged ones know of but whose logs we do not have.
	known := map[string]bool{}
	for _, s := range top.Sentinels {
		known[s.RunID] = true
	}
	ids := make([]string, 0, len(runAddr))
	for id := range runAddr {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	seenAddr := map[string]bool{}
	for _, s := range top.Sentinels {
		seenAddr[s.Addr] = true
	}
	for _, id := range ids {
		// Redis 2.8 and 3.0 name sentinels by ip:port instead of run id.
		if !known[id] && !seenAddr[runAddr[id]] {
			seenAddr[runAddr[id]] = true
			top.Sentinels = append(top.Sentinels, SentinelInfo{Name: "s" + strconv.Itoa(len(top.Sentinels)+1), RunID: id, Addr: runAddr[id], Sources: nil})
		}
	}
	if top.Quorum == 0 {
		top.Quorum = defaultQuorum
		a.Problems = append(a.Problems, fmt.Sprintf("no +monitor line or configuration gives the quorum: %d assumed", defaultQuorum))
	}
	top.DownAfterMs, top.FailoverTimeout = set.DownAfterMs, set.FailoverTimeoutMs
	if top.DownAfterMs == 0 {
		top.DownAfterMs = defaultDownAfter.Milliseconds()
		a.Problems = append(a.Problems, "down-after-milliseconds unknown (no --conf or --set): the default 30000 ms assumed")
	}
	if top.FailoverTimeout == 0 {
		top.FailoverTimeout = defaultFailoverTimeout.Milliseconds()
	}
	var why string
	a.Offsets, a.Clocks, why = estimateClocks(a.Events, top)
	if why != "" {
		a.Problems = append(a.Problems, why)
	}
	if len(a.Offsets) > 0 {
		for i := range a.Events {
			a.Events[i].AtMs += a.Offsets[a.Events[i].Sentinel]
		}
		slices.SortStableFunc(a.Events, func(x, y Event) int { return int(x.AtMs - y.AtMs) })
	}
	a.Real = decisionsOf(a.Events, top.Master)
	a.Anomalies = anomalies(a.Events, top, prof)
	a.Faults = refineByNodeLogs(infer(a.Events, top), nodeLives(ls, top, a.Start))
	return a, nil
}

// decisionsOf reads the decisions from the events of one master.
func decisionsOf(events []Event, master string) Decisions {
	var d Decisions
	epoch := map[string]uint64{} // per sentinel, the latest epoch it logged
	promoted := map[string]bool{}
	for _, ev := range events {
		e := ev.entry.Event
		if e == nil {
			continue
		}
		if e.Epoch > epoch[ev.Sentinel] {
			epoch[ev.Sentinel] = e.Epoch
		}
		if in := e.Inst; in != nil && in.Master != "" && in.Master != master {
			continue
		}
		switch e.Type {
		case "+odown":
			d.ODown = true
		case "+elected-leader":
			d.Elections = append(d.Elections, fmt.Sprintf("epoch %d by %s", epoch[ev.Sentinel], ev.Sentinel))
		case "+promoted-slave":
			key := strconv.FormatUint(epoch[ev.Sentinel], 10) + " " + e.Inst.Addr.String()
			if !promoted[key] {
				promoted[key] = true
				d.Failovers++
			}
		case "+switch-master":
			if e.Master != master {
				continue
			}
			s := Switch{Master: e.Master, From: e.From.String(), To: e.To.String(), Epoch: epoch[ev.Sentinel]}
			// Every sentinel logs the switch it learns: one decision.
			if n := len(d.Switches); n == 0 || d.Switches[n-1].From != s.From || d.Switches[n-1].To != s.To {
				d.Switches = append(d.Switches, s)
			}
		default:
			if strings.HasPrefix(e.Type, "-failover-abort") {
				d.Aborts = append(d.Aborts, e.Type)
			}
		}
	}
	// Observers log the switch, not the promotion.
	if d.Failovers == 0 {
		d.Failovers = len(d.Switches)
	}
	return d
}

// isIP reports whether a host is an IP address (the scenario's addresses
// must be; host names are mapped).
func isIP(host string) bool {
	_, err := netip.ParseAddr(host)
	return err == nil
}

// addrOf reads an address the logs gave; one without a port keeps its host.
func addrOf(s string) wire.Addr {
	if a, err := wire.ParseAddr(s); err == nil {
		return a
	}
	return wire.Addr{Host: s}
}
