package replay

import (
	"slices"
	"strconv"
	"time"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sentinel/logs"
)

// nodeLife is what a data node's own log (redis-server's, given along
// with the sentinels') says about its processes: when each logged, and
// where one started.
type nodeLife struct {
	file   string
	starts []int64          // "Redis is starting" banners, ms from the logs' start
	spans  map[int][2]int64 // per pid, its first and last line
}

// alive reports whether one process logged both at or before from and at
// or after to: it lived through [from, to].
func (n *nodeLife) alive(from, to int64) (int, bool) {
	pids := make([]int, 0, len(n.spans))
	for pid := range n.spans {
		pids = append(pids, pid)
	}
	slices.Sort(pids)
	for _, pid := range pids {
		if sp := n.spans[pid]; sp[0] <= from && sp[1] >= to {
			return pid, true
		}
	}
	return 0, false
}

// nodeLives reads the data nodes' logs among ls. A process is matched to a
// node by the port of its "Running mode=standalone, port=N." line when
// exactly one node of the topology has that port (addresses in the
// sentinels' logs are the nodes' announced ones; their logs name no IP).
func nodeLives(ls []*logs.Log, top *Topology, start time.Time) map[string]*nodeLife {
	byPort := map[int][]string{}
	for i := range len(top.Replicas) + 1 {
		if a, err := wire.ParseAddr(addrAt(top, i)); err == nil {
			byPort[a.Port] = append(byPort[a.Port], "r"+strconv.Itoa(i+1))
		}
	}
	out := map[string]*nodeLife{}
	for _, l := range ls {
		port := map[logs.Source]int{}
		ports := map[int]bool{}
		for _, as := range l.Aside {
			if e := as.Entry; e != nil && e.Note != nil && e.Note.Kind == logs.NoteRunningMode && e.Note.Mode == "standalone" {
				port[e.Source] = e.Note.Port
				ports[e.Note.Port] = true
			}
		}
		for _, as := range l.Aside {
			e := as.Entry
			if e == nil || e.Signal || e.Role == logs.RoleSentinel || e.Role == logs.RoleNone {
				continue
			}
			p, ok := port[e.Source]
			if !ok && len(ports) == 1 {
				// A log that begins mid-run: the file's one port.
				for only := range ports {
					p = only
				}
			}
			nodes := byPort[p]
			if len(nodes) != 1 {
				continue
			}
			n := out[nodes[0]]
			if n == nil {
				n = &nodeLife{file: l.Name, spans: map[int][2]int64{}}
				out[nodes[0]] = n
			}
			at := e.Time.Sub(start).Milliseconds()
			if e.Note != nil && e.Note.Kind == logs.NoteStarting {
				n.starts = append(n.starts, at)
			}
			sp, ok := n.spans[e.PID]
			if !ok {
				sp = [2]int64{at, at}
			}
			n.spans[e.PID] = [2]int64{min(sp[0], at), max(sp[1], at)}
		}
	}
	return out
}

// refineByNodeLogs checks each inferred crash of a data node against the
// node's own log. The sentinels' logs cannot tell a crash from a cut when
// the old master comes back after a failover: its record is new (made by
// the switch, spec §15.2), so no +reboot (§7.2) either way, and it is
// converted (§17.1) either way. Its own log can: a start-up banner during
// the outage confirms the crash (and times the restart); one process
// logging before and after it, with no banner, means it never went down:
// its host was cut off (or the process paused).
func refineByNodeLogs(faults []Fault, lives map[string]*nodeLife) []Fault {
	out := make([]Fault, 0, len(faults))
	drop := map[int]bool{}
	for i, f := range faults {
		if drop[i] {
			continue
		}
		n := lives[f.Node]
		if f.Kind != "crash" || n == nil {
			out = append(out, f)
			continue
		}
		back := -1 // its restart fault
		for j := i + 1; j < len(faults); j++ {
			if faults[j].Kind == "restart" && faults[j].Node == f.Node {
				back = j
				break
			}
		}
		if back < 0 {
			// Never seen again: a quiet log cannot tell a crash from a
			// cut that outlasted the logs.
			out = append(out, f)
			continue
		}
		end := faults[back].AtMs
		restarted := false
		for _, s := range n.starts {
			// The banner comes after the kill and before the sentinels
			// see the node again (a second of slack for either clock).
			if s >= f.AtMs-1000 && s <= end+1000 {
				restarted = true
				faults[back].AtMs = s
				faults[back].Why += "; " + n.file + " shows its start-up then"
				break
			}
		}
		if restarted {
			out = append(out, f)
			continue
		}
		pid, ok := n.alive(f.AtMs, end)
		if !ok {
			out = append(out, f)
			continue
		}
		f.Kind = "isolate"
		f.ForMs = end - f.AtMs
		f.Why = "the sentinels lost " + f.Node + " and failed it over, and saw it again at " + strconv.FormatInt(end, 10) +
			" ms; its own log (" + n.file + ") shows one process, pid " + strconv.Itoa(pid) +
			", before and after and no restart: its host was cut off (or the process paused), not crashed"
		drop[back] = true
		out = append(out, f)
	}
	return out
}
