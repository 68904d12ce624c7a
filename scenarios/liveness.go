package scenarios

import (
	"fmt"
	"slices"

	"github.com/sentinelsim/sentinelsim/checker"
	"github.com/sentinelsim/sentinelsim/internal/history"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/model"
	"github.com/sentinelsim/sentinelsim/sentinel"
)

// RuleConverged is the liveness promise judged after a heal.
const RuleConverged = "after the heal, the sentinels agree on one master, the replicas follow it, clients are served"

// livenessBound is how long after a heal Sentinel may take to converge,
// from the configuration: detection (down-after), an election that may
// split and be retried (election timeout, 2 × failover-timeout), the
// reconfiguration of the replicas (failover-timeout), INFO periods to see
// it, a TILT period and a reconnection delay, with a margin.
func livenessBound(downAfter, failoverTimeout wire.Duration, t sentinel.Timing) wire.Duration {
	return downAfter + t.ElectionTimeout + 3*failoverTimeout + 2*t.InfoPeriod + t.TiltPeriod + t.MinLinkReconnectPeriod + 10*wire.Second
}

// liveness judges the end of a run that has a heal phase. It returns the
// verdict's status note when the run cannot be judged.
func (r *runner) liveness() (vs []checker.Violation, unknown string) {
	if r.f.Heal == nil {
		return nil, "no heal phase"
	}
	healed := wire.Time(*r.f.Heal)
	var bound wire.Duration
	for _, p := range r.procs {
		if p.kind != kindSentinel {
			continue
		}
		for _, m := range r.sentinelConfs[p.name] {
			bound = max(bound, livenessBound(m.DownAfter, m.FailoverTimeout, sentinel.DefaultTiming))
		}
	}
	end := r.w.Now()
	if end.Sub(healed) < bound {
		return nil, fmt.Sprintf("the run ends %s after the heal; this configuration may take %s to converge", end.Sub(healed), bound)
	}
	bad := func(node, format string, args ...any) {
		vs = append(vs, checker.Violation{Kind: checker.Liveness, Rule: RuleConverged, At: end, Node: node, Msg: fmt.Sprintf(format, args...)})
	}
	// The sentinels agree, per master, on an address and an epoch.
	type view struct {
		addr  wire.Addr
		epoch uint64
		by    string
	}
	agreed := map[string]view{}
	var names []string
	for _, p := range r.procs {
		if p.kind != kindSentinel || !r.w.Up(p.id) {
			continue
		}
		s, ok := r.w.Process(p.id).(*sentinel.Sentinel)
		if !ok {
			continue
		}
		for _, m := range s.Masters() {
			v, seen := agreed[m.Name]
			switch {
			case !seen:
				agreed[m.Name] = view{m.Addr, m.ConfigEpoch, p.name}
				names = append(names, m.Name)
			case v.addr != m.Addr || v.epoch != m.ConfigEpoch:
				bad(p.name, "%s says %s is %s (epoch %d), %s says %s (epoch %d)", p.name, m.Name, m.Addr, m.ConfigEpoch, v.by, v.addr, v.epoch)
			}
		}
	}
	var masters []wire.Addr
	for _, name := range names {
		v := agreed[name]
		masters = append(masters, v.addr)
		p := r.atAddr(v.addr)
		if p == nil || !r.w.Up(p.id) {
			bad(v.by, "the sentinels name %s for %s, which is not running", v.addr, name)
			continue
		}
		if n, ok := r.w.Process(p.id).(*model.Node); ok && !n.ReplicaOf().IsZero() {
			bad(p.name, "the sentinels name %s for %s, but it replicates from %s", p.name, name, n.ReplicaOf())
		}
	}
	// Every live data node is one of those masters or follows one.
	for _, p := range r.procs {
		if p.kind != kindRedis || !r.w.Up(p.id) || slices.Contains(masters, p.addr) {
			continue
		}
		n, ok := r.w.Process(p.id).(*model.Node)
		if !ok {
			continue
		}
		switch of := n.ReplicaOf(); {
		case of.IsZero():
			bad(p.name, "%s acts as a master the sentinels do not name", p.name)
		case !slices.Contains(masters, of):
			bad(p.name, "%s replicates from %s, not from the master the sentinels name", p.name, of)
		case !n.MasterLinkUp():
			bad(p.name, "%s's link to its master %s is down", p.name, of)
		}
	}
	// Clients that were still working were served after convergence.
	served := healed.Add(bound)
	for i, log := range r.logs {
		ops := log.Ops()
		if len(ops) == 0 || ops[len(ops)-1].Call < served {
			continue // it had stopped (max-ops) or never started
		}
		if !slices.ContainsFunc(ops, func(op history.Op) bool { return op.Outcome == history.OK && op.Call >= served }) {
			bad(r.f.Clients[i].Name, "client %s got no successful reply after %s", r.f.Clients[i].Name, served)
		}
	}
	return vs, ""
}
