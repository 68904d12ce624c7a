package replay

import (
	"slices"
	"strings"

	"github.com/sentinelsim/sentinelsim/sentinel/logs"
)

// cutEpisode is a network partition read from the sentinels' logs: while
// it lasted, the sentinels on one side had the instances of the other side
// SDOWN. Side is the smaller side (node names, sorted), the rest is the
// other one.
type cutEpisode struct {
	Start, End int64 // End: the first sign of life across the cut (-1: never)
	Side       []string
	Why        string
}

// has reports whether node is on the episode's named side.
func (c cutEpisode) has(node string) bool { return slices.Contains(c.Side, node) }

// across reports whether a and b were on opposite sides.
func (c cutEpisode) across(a, b string) bool { return c.has(a) != c.has(b) }

// explains reports whether sentinel s losing (or finding again) node at at
// is the episode's doing: they were on opposite sides, during the cut or
// in the time the links take to come back after it (a hung connection is
// retried with TCP's backoff, and a sentinel kills a link only after 15 s).
func (c cutEpisode) explains(s, node string, at int64, downAfter int64) bool {
	if node == "" || !c.across(s, node) || at < c.Start {
		return false
	}
	return c.End < 0 || at <= c.End+max(2*downAfter, 15_000)
}

// instName names the instance an event is about as the scenario does: r1…
// for data nodes (by address), s1… for sentinels (by run id, else address).
func instName(top *Topology, in *logs.Instance) string {
	if in == nil {
		return ""
	}
	if in.Kind != logs.KindSentinel {
		return nodeName(top, in.Addr.String())
	}
	for _, s := range top.Sentinels {
		if s.RunID != "" && s.RunID == in.Name || s.Addr != "" && s.Addr == in.Addr.String() {
			return s.Name
		}
	}
	return ""
}

// partitions finds network partitions between sentinels. A sentinel that
// has another sentinel SDOWN is the sign: a crashed data node looks the
// same as an unreachable one, but a sentinel that logs, while others have
// it SDOWN, is alive and cut off. The episode lasts while some sentinel
// has another SDOWN; each logging sentinel's side is itself and what it
// did not lose in that time, and the cut is the smallest such side when
// every sentinel beyond it lost something on it (the evidence from both
// sides). A side no logging sentinel speaks for (a sentinel that
// crashed, or whose log we lack) is not a partition we can tell.
func partitions(events []Event, top *Topology) []cutEpisode {
	var all []string
	for i := range len(top.Replicas) + 1 {
		all = append(all, nodeName(top, addrAt(top, i)))
	}
	logging := map[string]bool{}
	for _, s := range top.Sentinels {
		all = append(all, s.Name)
		logging[s.Name] = len(s.Sources) > 0
	}
	type sdown struct {
		s, node string
	}
	var out []cutEpisode
	down := map[sdown]int64{}    // currently SDOWN, since
	sentDown := map[sdown]bool{} // sentinels SDOWN by a sentinel
	start := int64(-1)
	lost := map[string]map[string]bool{} // during the episode, per sentinel
	var firstUp int64 = -1
	var where []string
	for _, ev := range events {
		e := ev.entry.Event
		if e == nil || e.Inst == nil || e.Inst.Master != top.Master || e.Type != "+sdown" && e.Type != "-sdown" {
			continue
		}
		node := instName(top, e.Inst)
		if node == "" || node == ev.Sentinel {
			continue
		}
		k := sdown{ev.Sentinel, node}
		if e.Type == "+sdown" {
			down[k] = ev.AtMs
			if e.Inst.Kind == logs.KindSentinel {
				if start < 0 {
					// What was lost in the down-after before this is
					// part of the same cut (the order within a tick is
					// arbitrary).
					start = ev.AtMs
					for _, at := range down {
						if at >= ev.AtMs-top.DownAfterMs {
							start = min(start, at)
						}
					}
					lost = map[string]map[string]bool{}
					firstUp, where = -1, nil
					for d, at := range down {
						if at >= start {
							addLost(lost, d.s, d.node)
						}
					}
				}
				sentDown[k] = true
			}
			if start >= 0 {
				addLost(lost, ev.Sentinel, node)
				if len(where) < 3 {
					where = append(where, ev.Where)
				}
			}
			continue
		}
		delete(down, k)
		if start < 0 {
			continue
		}
		if firstUp < 0 && lost[ev.Sentinel][node] {
			firstUp = ev.AtMs
		}
		delete(sentDown, k)
		if len(sentDown) > 0 {
			continue
		}
		if c, ok := cutOf(lost, all, logging); ok {
			c.Start = max(start-top.DownAfterMs, 0)
			c.End = firstUp
			c.Why = strings.Join(where, ", ")
			out = append(out, c)
		}
		start = -1
	}
	if start >= 0 {
		if c, ok := cutOf(lost, all, logging); ok {
			c.Start, c.End, c.Why = max(start-top.DownAfterMs, 0), firstUp, strings.Join(where, ", ")
			out = append(out, c)
		}
	}
	return out
}

func addLost(lost map[string]map[string]bool, s, node string) {
	if lost[s] == nil {
		lost[s] = map[string]bool{}
	}
	lost[s][node] = true
}

// cutOf reads the two sides from what each sentinel lost.
func cutOf(lost map[string]map[string]bool, all []string, logging map[string]bool) (cutEpisode, bool) {
	var best []string
	for _, s := range all {
		if !logging[s] || len(lost[s]) == 0 {
			continue
		}
		var side []string
		for _, n := range all {
			if n == s || !lost[s][n] {
				side = append(side, n)
			}
		}
		if len(side) == len(all) {
			continue
		}
		if best == nil || len(side) < len(best) || len(side) == len(best) && strings.Join(side, " ") < strings.Join(best, " ") {
			best = side
		}
	}
	if best == nil {
		return cutEpisode{}, false
	}
	// Every logging sentinel beyond the side lost something on it, and
	// every one on it lost something beyond; and both sides have one (a
	// sentinel lost by the others that logs nothing may have crashed).
	c := cutEpisode{Side: best}
	in, out := false, false
	for _, s := range all {
		if !logging[s] {
			continue
		}
		ok := false
		for n := range lost[s] {
			ok = ok || c.across(s, n)
		}
		if !ok {
			return cutEpisode{}, false
		}
		in, out = in || c.has(s), out || !c.has(s)
	}
	if !in || !out {
		return cutEpisode{}, false
	}
	slices.Sort(c.Side)
	return c, true
}

// addrAt is the address of data node i: the first master, then replicas.
func addrAt(top *Topology, i int) string {
	if i == 0 {
		return top.MasterAddr
	}
	return top.Replicas[i-1]
}
