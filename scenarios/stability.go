package scenarios

import (
	"fmt"

	"github.com/sentinelsim/sentinelsim/checker"
	"github.com/sentinelsim/sentinelsim/internal/facts"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/model"
	"github.com/sentinelsim/sentinelsim/sentinel"
	"github.com/sentinelsim/sentinelsim/sim"
)

// RuleStable is the stability promise: a failover needs a quorum of
// sentinels that really lost the master.
const RuleStable = "no failover unless a quorum of sentinels lost the master for down-after (spec §8)"

// stabilitySample is how often the ground truth is sampled.
const stabilitySample = 100 * wire.Millisecond

// stabilitySlack widens the window in which a sentinel counts as having
// lost the master: a sentinel that lost its link keeps no valid reply
// until it reconnects (up to the 15 s reconnection period, spec §5.2) and
// PINGs again (a ping period); answers to is-master-down-by-addr count
// for 5 s; plus the sampling step and a second of margin. Found by the
// fuzzer: a failover 13 s after a heal is Sentinel reconnecting, not a
// false alarm.
const stabilitySlack = 15*wire.Second + wire.Second + 5*wire.Second + stabilitySample + wire.Second

// sampleHealth records, for every sentinel and the master it monitors,
// the last time the simulator's ground truth said the sentinel could not
// get a valid reply from that master: the master down, paused, slowed,
// blocked (DEBUG SLEEP, a script), failing its disk (MISCONF), reporting
// itself a replica, a link either way cut, flapping or degraded, or the
// sentinel itself paused or slowed. Anything doubtful counts as lost, so
// the rule only fires on failovers with no excuse.
func (r *runner) sampleHealth(w *sim.World) {
	r.sampleOnce(w)
	if next := w.Now().Add(stabilitySample); next < wire.Time(r.f.Duration) {
		w.At(next, r.sampleHealth)
	}
}

// sampleOnce takes one sample of the ground truth: every 100 ms and right
// after every fault (sim.Config.AfterFault), so that a fault shorter than
// the sampling step is seen too. A slow-down counts until what it delayed
// has arrived (sim.World.SlowedUntil).
func (r *runner) sampleOnce(w *sim.World) {
	now := w.Now()
	for _, x := range r.procs {
		if x.kind != kindSentinel || !w.Up(x.id) {
			continue
		}
		s, ok := w.Process(x.id).(*sentinel.Sentinel)
		if !ok {
			continue
		}
		selfBad := w.Paused(x.id) || w.SlowedUntil(x.id) > now
		for _, m := range s.Masters() {
			if selfBad || !r.healthy(x.id, m.Addr) {
				if r.lastLost[x.name] == nil {
					r.lastLost[x.name] = map[string]wire.Time{}
				}
				r.lastLost[x.name][m.Name] = now
			}
		}
	}
}

// healthy is the ground truth of "sentinel x gets valid replies from the
// master at addr".
func (r *runner) healthy(x wire.NodeID, addr wire.Addr) bool {
	p := r.atAddr(addr)
	if p == nil {
		return false
	}
	w := r.w
	if !w.Up(p.id) || w.Paused(p.id) || w.SlowedUntil(p.id) > w.Now() || !w.Linked(x, p.id) || !w.Linked(p.id, x) || w.Degraded(x, p.id) || w.Degraded(p.id, x) {
		return false
	}
	n, ok := w.Process(p.id).(*model.Node)
	// A master restarted in the last 30 s may be seen as rebooted (spec
	// §25.5, master-reboot-down-after-period): counted as lost.
	if at, ok := r.rebooted[p.name]; ok && w.Now().Sub(at) < 30*wire.Second {
		return false
	}
	return ok && n.Responsive() && n.ReplicaOf().IsZero()
}

// stability judges every failover a sentinel started on its own (not
// forced): enough sentinels must have lost the master within down-after
// (and the slack) before it.
func (r *runner) stability() []checker.Violation {
	var out []checker.Violation
	for i, o := range r.facts {
		f, ok := o.Fact.(facts.FailoverStart)
		if !ok || f.Forced {
			continue
		}
		downAfter := f.DownAfter
		from := o.At.Add(-(downAfter + stabilitySlack))
		lost := 0
		for _, x := range r.procs {
			if x.kind == kindSentinel {
				if t, ok := r.lostAt[i][x.name]; ok && t >= from {
					lost++
				}
			}
		}
		if lost < f.Quorum {
			out = append(out, checker.Violation{Kind: checker.Stability, Rule: RuleStable, At: o.At, Node: o.Node,
				Msg: fmt.Sprintf("%s started a failover of %s in epoch %d, but only %d sentinel(s) had lost the master in the %s before (quorum %d)",
					o.Node, f.Master, f.Epoch, lost, downAfter+stabilitySlack, f.Quorum),
				Evidence: []string{fmt.Sprintf("%d fact %s %s", o.At, o.Node, f.Fact())}})
		}
	}
	return out
}
