package replay

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/sentinel"
	"github.com/sentinelsim/sentinelsim/sentinel/logs"
)

// anomalies checks the real log against the rules of the spec.
func anomalies(events []Event, top *Topology, prof sentinel.Profile) []Anomaly {
	var out []Anomaly
	type key struct {
		s     string
		epoch uint64
	}
	votes := map[key]Event{}
	lastTry := map[string]Event{}
	lastUp := map[string]Event{} // per sentinel, its last -sdown of the master
	tiltOn := map[string]Event{}
	for _, ev := range events {
		switch ev.Type {
		case "sentinel-id":
			if n := countStarts(events, ev.Sentinel, ev.AtMs); n > 1 {
				out = append(out, Anomaly{Rule: "restart (§23)", Sentinel: ev.Sentinel, AtMs: ev.AtMs, Lines: []string{ev.Where},
					Detail:       ev.Sentinel + " started again",
					Explanations: []string{"a crash or a restart by an operator or supervisor (it keeps its run id and epochs from sentinel.conf)"}})
			}
			continue
		case "user-failover":
			out = append(out, Anomaly{Rule: "forced failover (§22 SENTINEL FAILOVER)", Sentinel: ev.Sentinel, AtMs: ev.AtMs, Lines: []string{ev.Where},
				Detail: "an operator asked " + ev.Sentinel + " for a failover: no ODOWN, no election"})
			continue
		}
		e := ev.entry.Event
		if e == nil {
			continue
		}
		masterEvent := e.Inst != nil && e.Inst.Kind == logs.KindMaster && e.Inst.Master == top.Master
		switch e.Type {
		case "+tilt":
			tiltOn[ev.Sentinel] = ev
			out = append(out, Anomaly{Rule: "TILT (§18)", Sentinel: ev.Sentinel, AtMs: ev.AtMs, Lines: []string{ev.Where},
				Detail: ev.Sentinel + " entered TILT: its timer saw the clock jump backwards or more than 2 s pass between two ticks; for 30 s it acts on nothing",
				Explanations: []string{"the process stalled for more than 2 s (blocking DNS lookup, swap, fork of a large process, a paused VM or container)",
					"the wall clock jumped (NTP step, manual date change)"}})
		case "-tilt":
			if on, ok := tiltOn[ev.Sentinel]; ok && ev.AtMs-on.AtMs < 30_000-500 {
				out = append(out, Anomaly{Rule: "TILT lasts 30 s (§18)", Sentinel: ev.Sentinel, AtMs: ev.AtMs, Lines: []string{on.Where, ev.Where},
					Detail:       fmt.Sprintf("TILT ended %d ms after it began", ev.AtMs-on.AtMs),
					Explanations: []string{"the wall clock moved during TILT (a jump or skew between the two lines)"}})
			}
		case "+vote-for-leader":
			k := key{ev.Sentinel, e.Epoch}
			voted := e.Leader
			if prev, ok := votes[k]; ok && prev.entry.Event.Leader != voted {
				out = append(out, Anomaly{Rule: "one vote per sentinel and epoch (§10.2)", Sentinel: ev.Sentinel, AtMs: ev.AtMs, Lines: []string{prev.Where, ev.Where},
					Detail: fmt.Sprintf("%s voted for %s and then for %s in epoch %d", ev.Sentinel, short(prev.entry.Event.Leader), short(voted), e.Epoch),
					Explanations: []string{"a restart lost the vote that was not yet saved (a version that replies before persisting)",
						"two processes log as one sentinel (same pid in containers)"}})
			}
			votes[k] = ev
		case "+try-failover":
			if prev, ok := lastTry[ev.Sentinel]; ok && ev.AtMs-prev.AtMs < 2*top.FailoverTimeout {
				out = append(out, Anomaly{Rule: "no failover attempt within 2 × failover-timeout of the previous one (§11)", Sentinel: ev.Sentinel, AtMs: ev.AtMs, Lines: []string{prev.Where, ev.Where},
					Detail: fmt.Sprintf("%s tried again after %d ms; 2 × failover-timeout is %d ms", ev.Sentinel, ev.AtMs-prev.AtMs, 2*top.FailoverTimeout),
					Explanations: []string{"failover-timeout is smaller than assumed (give --conf or --set failover-timeout=…)",
						"the previous attempt ended with a switch-master, which resets the gate", "the wall clock jumped"}})
			}
			lastTry[ev.Sentinel] = ev
		case "+odown":
			if e.Quorum.Need > 0 && e.Quorum.Count < e.Quorum.Need {
				out = append(out, Anomaly{Rule: "ODOWN needs the quorum (§8.2)", Sentinel: ev.Sentinel, AtMs: ev.AtMs, Lines: []string{ev.Where},
					Detail: fmt.Sprintf("+odown with %d of quorum %d", e.Quorum.Count, e.Quorum.Need), Explanations: []string{"a version bug"}})
			}
		case "+elected-leader":
			// Count the votes its log shows for it in its epoch: its own
			// (+vote-for-leader) and "<voter> voted for <it> <epoch>".
			var me string
			for _, sen := range top.Sentinels {
				if sen.Name == ev.Sentinel {
					me = sen.RunID
				}
			}
			epoch := latestEpoch(events, ev.Sentinel, ev.AtMs)
			voters := map[string]bool{} // who voted for it
			voted := map[string]bool{}  // who voted, for anyone
			seen := false
			for _, x := range events {
				if x.Sentinel != ev.Sentinel || x.AtMs > ev.AtMs {
					continue
				}
				if n := x.entry.Note; n != nil && x.Type == "vote" && n.Epoch == epoch {
					seen = true
					voted[n.Voter] = true
					if n.RunID == me {
						voters[n.Voter] = true
					}
				}
				if xe := x.entry.Event; xe != nil && xe.Type == "+vote-for-leader" && xe.Epoch == epoch {
					voted["self"] = true
					if xe.Leader == me {
						voters["self"] = true
					}
				}
			}
			// Spec §10.3: the majority is over every sentinel known. The
			// 2.8 profiles (before 2.8.15, commit 9fe4429a0; profile.go
			// MajorityOverVoters) took it over the sentinels that voted,
			// so a leader with a majority of the voters only was right.
			rule, over, of := "a leader needs a majority and the quorum (§10.3)", len(top.Sentinels), "sentinels"
			explain := []string{"a version that counts the majority over the voters (2.8 before 2.8.15: replay with --profile 2.8.14)", "the log is partial (votes not shown)",
				"the sentinels it knows are fewer than assumed"}
			if prof.MajorityOverVoters {
				rule, over, of = "a leader needs a majority of the voters and the quorum ("+prof.Name+" profile: before 2.8.15)", len(voted), "voters in its log"
				explain = []string{"the log is partial (votes not shown)", "the quorum is higher than the log says"}
			}
			need := max(top.Quorum, over/2+1)
			if me != "" && seen && len(voters) < need {
				out = append(out, Anomaly{Rule: rule, Sentinel: ev.Sentinel, AtMs: ev.AtMs, Lines: []string{ev.Where},
					Detail:       fmt.Sprintf("%s elected in epoch %d with %d vote(s) in its log; %d needed (%d %s, quorum %d)", ev.Sentinel, epoch, len(voters), need, over, of, top.Quorum),
					Explanations: explain})
			}
		case "-failover-abort-not-elected":
			out = append(out, Anomaly{Rule: "an election needs a majority and the quorum (§10.3)", Sentinel: ev.Sentinel, AtMs: ev.AtMs, Lines: []string{ev.Where},
				Detail: ev.Sentinel + " was not elected within the election timeout",
				Explanations: []string{"split votes (candidates started together)", "too few sentinels reachable for a majority",
					"stale sentinels remembered in sentinel.conf inflate the majority (incident I07)"}})
		case "-failover-abort-no-good-slave":
			out = append(out, Anomaly{Rule: "replica selection (§13)", Sentinel: ev.Sentinel, AtMs: ev.AtMs, Lines: []string{ev.Where},
				Detail:       "no replica passed the filters",
				Explanations: []string{"every replica has replica-priority 0, is down, or lost its master link for more than 10 × down-after", "the replicas' INFO is stale (partitioned from the sentinel)"}})
		case "-sdown":
			if masterEvent {
				lastUp[ev.Sentinel] = ev
			}
		case "+sdown":
			if masterEvent {
				if up, ok := lastUp[ev.Sentinel]; ok && ev.AtMs-up.AtMs < top.DownAfterMs {
					out = append(out, Anomaly{Rule: "SDOWN needs down-after without a valid reply (§8.1)", Sentinel: ev.Sentinel, AtMs: ev.AtMs, Lines: []string{up.Where, ev.Where},
						Detail: fmt.Sprintf("+sdown %d ms after -sdown; down-after is %d ms", ev.AtMs-up.AtMs, top.DownAfterMs),
						Explanations: []string{"down-after is smaller than assumed (give --conf)", "the wall clock jumped forward",
							"the link was closed and reopened, resetting the ping clock"}})
				}
			}
		}
	}
	slices.SortStableFunc(out, func(x, y Anomaly) int { return int(x.AtMs - y.AtMs) })
	return out
}

func countStarts(events []Event, s string, upTo int64) int {
	n := 0
	for _, ev := range events {
		if ev.Sentinel == s && ev.Type == "sentinel-id" && ev.AtMs <= upTo {
			n++
		}
	}
	return n
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// infer turns what the sentinels saw into faults that would make a
// simulated deployment see the same: the master unreachable while a quorum
// had it SDOWN (crashed if it was failed over and came back as a replica,
// isolated otherwise), a sentinel stalled before each TILT, a sentinel
// restarted where it logged its start again, and an operator's SENTINEL
// FAILOVER.
func infer(events []Event, top *Topology) []Fault {
	var out []Fault
	down := map[string]bool{}
	var since int64 = -1
	var lastSwitch int64 = -1
	lastTo := ""
	downAddr := top.MasterAddr
	crashed := map[string]bool{}
	alone := map[string]Event{} // sentinels with the master SDOWN on their own
	cuts := partitions(events, top)
	for _, c := range cuts {
		f := Fault{AtMs: c.Start, Kind: "partition", Node: strings.Join(c.Side, " "),
			Why: c.Why + ": sentinels on both sides of a cut had the other side SDOWN (" + strings.Join(c.Side, ", ") + " / the rest)"}
		if len(c.Side) == 1 {
			f.Kind = "isolate"
			f.Why = c.Why + ": " + c.Side[0] + " lost every other instance and the others lost it (its host cut off)"
		}
		if c.End >= 0 {
			f.ForMs = c.End - c.Start
		}
		out = append(out, f)
	}
	// explained: the event of sentinel s about node is a partition's doing.
	explained := func(s, node string, at int64) bool {
		for _, c := range cuts {
			if c.explains(s, node, at, top.DownAfterMs) {
				return true
			}
		}
		return false
	}
	for _, ev := range events {
		e := ev.entry.Event
		switch {
		case ev.Type == "user-failover":
			out = append(out, Fault{AtMs: ev.AtMs, Kind: "command", Node: ev.Sentinel, Why: ev.Where + ": an operator's SENTINEL FAILOVER"})
		case ev.Type == "sentinel-id" && countStarts(events, ev.Sentinel, ev.AtMs) > 1:
			out = append(out, Fault{AtMs: max(ev.AtMs-1000, 0), Kind: "crash", Node: ev.Sentinel, ForMs: 1000, Why: ev.Where + ": " + ev.Sentinel + " started again"})
		case e == nil:
		case (e.Type == "+convert-to-slave" || e.Type == "-sdown" && e.Inst != nil && e.Inst.Kind == logs.KindReplica) && e.Inst != nil:
			// A node the sentinels failed over is back, as a replica.
			if name := nodeName(top, e.Inst.Addr.String()); name != "" && crashed[name] {
				delete(crashed, name)
				out = append(out, Fault{AtMs: max(ev.AtMs-1000, 0), Kind: "restart", Node: name, Why: ev.Where + ": " + e.Inst.Addr.String() + " is back (" + e.Type + ")"})
			}
		case e.Type == "+tilt":
			out = append(out, Fault{AtMs: max(ev.AtMs-2500, 0), Kind: "pause", Node: ev.Sentinel, ForMs: 2400, Why: ev.Where + ": TILT (a stall; a clock jump would do too)"})
		case e.Type == "+switch-master" && e.Master == top.Master:
			// Every sentinel logs the switch it learns: a new decision is
			// a switch to another address than the last one.
			to := e.To.String()
			if to != lastTo {
				lastTo = to
				if !odownBefore(events, top.Master, ev.AtMs, top.FailoverTimeout) {
					// No sentinel had the master ODOWN: only an operator's
					// SENTINEL FAILOVER switches without it.
					out = append(out, Fault{AtMs: max(ev.AtMs-1500, 0), Kind: "command", Node: leaderNear(events, ev.AtMs),
						Why: ev.Where + ": a switch-master with no ODOWN before it (inferred: an operator's SENTINEL FAILOVER)"})
				}
			}
			lastSwitch = ev.AtMs
		case (e.Type == "+sdown" || e.Type == "-sdown") && e.Inst != nil && explained(ev.Sentinel, instName(top, e.Inst), ev.AtMs):
			// A partition already accounts for it.
		case (e.Type == "+sdown" || e.Type == "-sdown") && e.Inst != nil && e.Inst.Kind == logs.KindMaster && e.Inst.Master == top.Master:
			was := len(down) >= top.Quorum || len(down) > 0 && len(down) == loggedSentinels(top)
			if e.Type == "+sdown" {
				down[ev.Sentinel] = true
				alone[ev.Sentinel] = ev
			} else {
				delete(down, ev.Sentinel)
				// A sentinel that lost the master while the others (enough
				// of them) did not: the link between the two was cut. One
				// direction dropped logs the same (TCP stalls both ways
				// without ACKs: testdata/real-7.0.15-oneway-*), so both
				// ways it is.
				if up, ok := alone[ev.Sentinel]; ok && since < 0 && !was {
					if n := nodeName(top, e.Inst.Addr.String()); n != "" {
						from := max(up.AtMs-top.DownAfterMs, 0)
						out = append(out, Fault{AtMs: from, Kind: "cut", Node: n + " " + ev.Sentinel, ForMs: ev.AtMs - from,
							Why: up.Where + ": only " + ev.Sentinel + " had the master SDOWN, until " + ev.Where +
								" (either direction alone would log the same)"})
					}
				}
				delete(alone, ev.Sentinel)
			}
			is := len(down) >= top.Quorum || len(down) > 0 && len(down) == loggedSentinels(top)
			switch {
			case !was && is:
				since = max(ev.AtMs-top.DownAfterMs, 0)
				downAddr = e.Inst.Addr.String()
				clear(alone) // the master itself, not one link
			case was && !is && since >= 0:
				out = append(out, masterFault(since, ev.AtMs, lastSwitch, ev.Where))
				since = -1
			}
		}
		if since >= 0 && lastSwitch > since {
			// Failed over while down: a crash (undone by its restart, if
			// it comes back), not a cut.
			f := masterFault(since, -1, lastSwitch, "its +convert-to-slave, if any")
			if n := nodeName(top, downAddr); n != "" {
				f.Node = n
			}
			crashed[f.Node] = true
			out = append(out, f)
			since = -1
			down = map[string]bool{}
		}
	}
	if since >= 0 {
		out = append(out, masterFault(since, -1, lastSwitch, "the end of the logs"))
	}
	slices.SortStableFunc(out, func(x, y Fault) int { return int(x.AtMs - y.AtMs) })
	return out
}

// odownBefore reports whether any sentinel logged +odown of master in the
// window before at.
func odownBefore(events []Event, master string, at, window int64) bool {
	for _, ev := range events {
		if ev.AtMs > at {
			break
		}
		if e := ev.entry.Event; e != nil && e.Type == "+odown" && at-ev.AtMs <= window && e.Inst != nil && e.Inst.Master == master {
			return true
		}
	}
	return false
}

// leaderNear names the sentinel that led the failover ending at at (its
// +elected-leader, +promoted-slave or +failover-end in the 30 s before),
// else the first one.
func leaderNear(events []Event, at int64) string {
	for i := len(events) - 1; i >= 0; i-- {
		ev := events[i]
		if ev.AtMs > at {
			continue
		}
		if at-ev.AtMs > 30_000 {
			break
		}
		switch ev.Type {
		case "+elected-leader", "+promoted-slave", "+failover-end", "user-failover":
			return ev.Sentinel
		}
	}
	return "s1"
}

// masterFault is the master unreachable from since until (−1: to the end).
func masterFault(since, until, lastSwitch int64, where string) Fault {
	f := Fault{AtMs: since, Kind: "isolate", Node: "master", Why: "a quorum of sentinels had the master SDOWN until " + where}
	if until >= 0 {
		f.ForMs = until - since
	}
	if lastSwitch > since {
		f.Kind = "crash"
		// Spec §15.2 and §7.2: the old master's record is new after the
		// switch, so its return gives no +reboot whether it restarted or
		// its host was cut off or it was paused.
		f.Why = "a quorum of sentinels had the master SDOWN and it was failed over; back at " + where +
			" (a crash, a pause and its host cut off look alike in the sentinels' logs; its own log tells them apart)"
	}
	return f
}

func loggedSentinels(top *Topology) int {
	n := 0
	for _, s := range top.Sentinels {
		if len(s.Sources) > 0 {
			n++
		}
	}
	return n
}

// Explain is a paragraph per decision and anomaly, for the text output.
func (a *Analysis) Explain() string {
	var b strings.Builder
	t := a.Topology
	fmt.Fprintf(&b, "master %s at %s, quorum %d, %d replica(s), %d sentinel(s) (%d with logs); down-after %d ms, failover-timeout %d ms\n",
		t.Master, t.MasterAddr, t.Quorum, len(t.Replicas), len(t.Sentinels), loggedSentinels(&t), t.DownAfterMs, t.FailoverTimeout)
	b.WriteString(describeClocks(a.Clocks))
	fmt.Fprintf(&b, "decisions: odown=%v failovers=%d switches=%d aborts=%d elections=%d\n", a.Real.ODown, a.Real.Failovers, len(a.Real.Switches), len(a.Real.Aborts), len(a.Real.Elections))
	for _, s := range a.Real.Switches {
		fmt.Fprintf(&b, "  switch-master %s %s -> %s (epoch %d)\n", s.Master, s.From, s.To, s.Epoch)
	}
	return b.String()
}

// nodeName is the scenario's name for a data node address: r1 the first
// master, r2… the replicas in the order the logs name them.
func nodeName(top *Topology, addr string) string {
	if addr == top.MasterAddr {
		return "r1"
	}
	for i, r := range top.Replicas {
		if r == addr {
			return "r" + strconv.Itoa(i+2)
		}
	}
	return ""
}

// Story tells what the logs show in the terms of incidents.md: which
// property suffered (safety, liveness, stability) and through which of
// Sentinel's mechanisms.
func (a *Analysis) Story() []string {
	var out []string
	sdown, tilts := false, 0
	concurrentDown, maxDown := map[string]bool{}, 0
	var epochs []uint64
	tryBy := map[uint64]string{}
	concurrent := false
	for _, ev := range a.Events {
		e := ev.entry.Event
		if e == nil {
			continue
		}
		switch e.Type {
		case "+sdown", "-sdown":
			if e.Inst != nil && e.Inst.Kind == logs.KindMaster {
				sdown = true
				if e.Type == "+sdown" {
					concurrentDown[ev.Sentinel] = true
				} else {
					delete(concurrentDown, ev.Sentinel)
				}
				maxDown = max(maxDown, len(concurrentDown))
			}
		case "+tilt":
			tilts++
		case "+new-epoch":
			if !slices.Contains(epochs, e.Epoch) {
				epochs = append(epochs, e.Epoch)
			}
		case "+try-failover":
			ep := uint64(0)
			for _, x := range a.Events {
				if x.Sentinel == ev.Sentinel && x.AtMs <= ev.AtMs && x.entry.Event != nil && x.entry.Event.Type == "+new-epoch" {
					ep = x.entry.Event.Epoch
				}
			}
			for other, s := range tryBy {
				if other != ep && s != ev.Sentinel {
					concurrent = true
				}
			}
			tryBy[ep] = ev.Sentinel
		}
	}
	r := a.Real
	cut := false // a partition between sentinels explains the SDOWNs
	for _, f := range a.Faults {
		if line := a.partitionStory(f); line != "" {
			out = append(out, line)
			cut = true
		}
	}
	count := func(t string) int {
		n := 0
		for _, x := range r.Aborts {
			if x == t {
				n++
			}
		}
		return n
	}
	if tilts > 0 {
		out = append(out, fmt.Sprintf("Liveness: %d TILT episode(s); for 30 s each the sentinel acts on nothing (spec §18). TILT comes from a stall of its process (a blocking DNS lookup, swap, a paused VM or container) or a jump of its clock.", tilts))
	}
	switch {
	case r.ODown && len(r.Switches) == 0:
		why := "no failover completed"
		switch {
		case count("-failover-abort-not-elected") > 0:
			why = fmt.Sprintf("no leader was elected (%d attempt(s) aborted not elected: split votes, or too few reachable sentinels for a majority)", count("-failover-abort-not-elected"))
		case count("-failover-abort-no-good-slave") > 0:
			why = "no replica qualified for promotion (-failover-abort-no-good-slave)"
		case count("-failover-abort-slave-timeout") > 0:
			why = "the promoted replica did not turn master in time (-failover-abort-slave-timeout)"
		}
		out = append(out, "Liveness: the master was objectively down (ODOWN) but "+why+".")
	case cut && !r.ODown && len(r.Switches) == 0:
		// Said by the partition's own line.
	case !r.ODown && sdown && len(r.Switches) == 0 && maxDown < a.Topology.Quorum && loggedSentinels(&a.Topology) >= a.Topology.Quorum:
		out = append(out, fmt.Sprintf("At most %d sentinel(s) at once lost the master, fewer than the quorum %d: a cut between them and the master, not the master down; rightly no failover.", maxDown, a.Topology.Quorum))
	case !r.ODown && sdown && len(r.Switches) == 0:
		out = append(out, "Liveness: the master was subjectively down (SDOWN) but never objectively down: not enough sentinels agreed (they could not reach each other, or saw it up).")
	case len(r.Aborts) > 0:
		out = append(out, fmt.Sprintf("Liveness: %d failover attempt(s) aborted (%s).", len(r.Aborts), strings.Join(r.Aborts, ", ")))
	}
	forced := 0
	for _, f := range a.Faults {
		if f.Kind == "command" {
			forced++
		}
	}
	if forced > 0 {
		out = append(out, fmt.Sprintf("%d failover(s) had no ODOWN before them: an operator's SENTINEL FAILOVER (forced, no election).", forced))
	}
	if len(r.Switches) >= 2 {
		out = append(out, fmt.Sprintf("Stability: the master changed %d times.", len(r.Switches)))
	}
	if concurrent {
		out = append(out, "Safety risk: failovers of the same master were attempted in two epochs at once by different sentinels.")
	}
	if len(out) == 0 || cut && len(out) == 1 && len(r.Switches) == 1 {
		if len(r.Switches) == 1 {
			out = append(out, "One failover: "+r.Switches[0].From+" -> "+r.Switches[0].To+".")
		} else {
			out = append(out, "No failover decision in these lines.")
		}
	}
	return out
}

// latestEpoch is the last epoch sentinel s logged up to at.
func latestEpoch(events []Event, s string, at int64) uint64 {
	var e uint64
	for _, x := range events {
		if x.Sentinel == s && x.AtMs <= at && x.entry.Event != nil && x.entry.Event.Epoch > e {
			e = x.entry.Event.Epoch
		}
	}
	return e
}

// partitionStory tells an inferred partition or isolated host, and what
// it did to the decisions ("" for other faults).
func (a *Analysis) partitionStory(f Fault) string {
	if f.Kind != "partition" && f.Kind != "isolate" {
		return ""
	}
	side := strings.Fields(f.Node)
	sentinels := 0
	for _, n := range side {
		if strings.HasPrefix(n, "s") {
			sentinels++
		}
	}
	span := fmt.Sprintf("from %.1f s", float64(f.AtMs)/1000)
	if f.ForMs > 0 {
		span += fmt.Sprintf(" for %.1f s", float64(f.ForMs)/1000)
	}
	if sentinels == 0 {
		if f.Kind != "isolate" || f.Node != "r1" || len(a.Real.Switches) == 0 {
			return ""
		}
		// Told apart from a crash by the node's own log (refineByNodeLogs).
		what := "Partition: the master r1's host cut off from every other " + span +
			" (its own log shows no restart); the sentinels failed it over"
		if a.converted("r1") {
			what += ", and on the heal converted it to a replica (+convert-to-slave, §17.1): writes it acknowledged while cut off would be discarded (incident I03)"
		}
		return what + "."
	}
	what := "Partition: " + strings.Join(side, " and ") + " cut off from the rest " + span +
		" (each side's sentinels had the other side SDOWN)"
	if f.Kind == "isolate" {
		what = "Partition: " + side[0] + "'s host cut off from every other " + span +
			" (" + side[0] + " had every instance SDOWN, the other sentinels had it SDOWN)"
	}
	n := len(a.Topology.Sentinels)
	switch {
	case 2*sentinels < n && slices.Contains(side, "r1") && len(a.Real.Switches) > 0:
		what += "; the majority side failed the master over, the old master kept its role in the minority side until the heal"
		if a.converted("r1") {
			what += ", then was converted to a replica (+convert-to-slave, §17.1): writes it acknowledged in the minority would be discarded (incident I03)"
		}
	case 2*sentinels < n && !a.Real.ODown:
		what += fmt.Sprintf("; %d of %d sentinel(s) cannot reach ODOWN (quorum %d, §8.2) nor a majority for an election (§10.3): rightly no failover", sentinels, n, a.Topology.Quorum)
	}
	return what + "."
}

// converted reports whether a sentinel converted node to a replica.
func (a *Analysis) converted(node string) bool {
	for _, ev := range a.Events {
		if e := ev.entry.Event; e != nil && e.Type == "+convert-to-slave" && e.Inst != nil && nodeName(&a.Topology, e.Inst.Addr.String()) == node {
			return true
		}
	}
	return false
}
