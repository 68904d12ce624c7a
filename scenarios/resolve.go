package scenarios

import (
	"fmt"
	"slices"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/model"
	"github.com/sentinelsim/sentinelsim/sentinel"
)

// resolve returns the processes a selector names now, in the scenario's
// order. taken are the processes other groups of the same fault named
// (for rest).
func (r *runner) resolve(s Selector, taken []wire.NodeID) ([]wire.NodeID, error) {
	ids, err := r.eval(s.expr, taken)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Text, err)
	}
	return ids, nil
}

func (r *runner) eval(e selExpr, taken []wire.NodeID) ([]wire.NodeID, error) {
	ofKind := func(kinds ...string) []wire.NodeID {
		var out []wire.NodeID
		for _, p := range r.procs {
			if slices.Contains(kinds, p.kind) {
				out = append(out, p.id)
			}
		}
		return out
	}
	switch e.kind {
	case "name":
		p := r.by[e.name]
		if p == nil {
			return nil, fmt.Errorf("no process is named %q", e.name)
		}
		return []wire.NodeID{p.id}, nil
	case "all":
		return ofKind(kindRedis, kindSentinel, kindClient, kindProxy), nil
	case "redis":
		return ofKind(kindRedis), nil
	case "sentinels":
		return ofKind(kindSentinel), nil
	case "clients":
		return ofKind(kindClient, kindProxy), nil
	case "rest":
		var out []wire.NodeID
		for _, id := range ofKind(kindRedis, kindSentinel, kindClient, kindProxy) {
			if !slices.Contains(taken, id) {
				out = append(out, id)
			}
		}
		return out, nil
	case "host", "sentinels-on":
		inner, err := r.eval(*e.sub, taken)
		if err != nil {
			return nil, err
		}
		mates := r.hostmates(inner)
		if e.kind == "sentinels-on" {
			mates = slices.DeleteFunc(mates, func(id wire.NodeID) bool { return r.byID[id].kind != kindSentinel })
		}
		return mates, nil
	case "master":
		m, err := r.currentMaster(e.name)
		if err != nil {
			return nil, err
		}
		return []wire.NodeID{m.id}, nil
	case "replicas", "replica":
		m, err := r.currentMaster(e.name)
		if err != nil {
			return nil, err
		}
		var out []wire.NodeID
		for _, p := range r.procs {
			if p.kind != kindRedis || p == m {
				continue
			}
			if n, ok := r.w.Process(p.id).(*model.Node); ok && n.ReplicaOf() == m.addr {
				out = append(out, p.id)
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("%s has no replicas", m.name)
		}
		if e.kind == "replica" {
			k := r.pick.IntN(len(out))
			out = out[k : k+1]
		}
		return out, nil
	case "leader":
		if e.epoch == 0 {
			if r.lastLeader == nil {
				return nil, fmt.Errorf("no sentinel has been elected leader yet")
			}
			return []wire.NodeID{r.lastLeader.id}, nil
		}
		id, ok := r.leaders[e.epoch]
		if !ok {
			return nil, fmt.Errorf("no sentinel was elected leader in epoch %d", e.epoch)
		}
		return []wire.NodeID{id}, nil
	}
	return nil, fmt.Errorf("unknown selector %q", e.kind)
}

// currentMaster is the node the sentinels now name for a master (the first
// monitored one when name is empty): among the live sentinels, the address
// given by those with the highest config epoch, then by the most of them.
// With no live sentinel it is the data node that is a master, if just one.
func (r *runner) currentMaster(name string) (*proc, error) {
	if name == "" {
		if len(r.monitored) == 0 {
			return nil, fmt.Errorf("no sentinel monitors a master")
		}
		name = r.monitored[0]
	}
	type vote struct {
		addr  wire.Addr
		epoch uint64
		n     int
	}
	var votes []vote
	for _, p := range r.procs {
		if p.kind != kindSentinel || !r.w.Up(p.id) {
			continue
		}
		s, ok := r.w.Process(p.id).(*sentinel.Sentinel)
		if !ok {
			continue
		}
		for _, m := range s.Masters() {
			if m.Name != name {
				continue
			}
			i := slices.IndexFunc(votes, func(v vote) bool { return v.addr == m.Addr })
			if i < 0 {
				votes = append(votes, vote{addr: m.Addr})
				i = len(votes) - 1
			}
			votes[i].n++
			votes[i].epoch = max(votes[i].epoch, m.ConfigEpoch)
		}
	}
	if len(votes) > 0 {
		best := votes[0]
		for _, v := range votes[1:] {
			if v.epoch > best.epoch || v.epoch == best.epoch && v.n > best.n {
				best = v
			}
		}
		if p := r.atAddr(best.addr); p != nil && p.kind == kindRedis {
			return p, nil
		}
		return nil, fmt.Errorf("the sentinels name %s for %s, which is no node of the scenario", best.addr, name)
	}
	var masters []*proc
	for _, p := range r.procs {
		if n, ok := r.w.Process(p.id).(*model.Node); ok && r.w.Up(p.id) && n.ReplicaOf().IsZero() {
			masters = append(masters, p)
		}
	}
	if len(masters) == 1 {
		return masters[0], nil
	}
	return nil, fmt.Errorf("no live sentinel monitors %q and %d data nodes are masters", name, len(masters))
}

// group resolves a group: the union of its selectors, in order, once each.
func (r *runner) group(g Group, taken []wire.NodeID) ([]wire.NodeID, error) {
	var out []wire.NodeID
	for _, s := range g {
		ids, err := r.resolve(s, taken)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out, nil
}

// groups resolves the groups of a partition: "rest" is what the others do
// not name, and a process named by two groups is an error.
func (r *runner) groups(gs []Group) ([][]wire.NodeID, error) {
	out := make([][]wire.NodeID, len(gs))
	var taken []wire.NodeID
	restAt := -1
	for i, g := range gs {
		if slices.ContainsFunc(g, func(s Selector) bool { return s.expr.kind == "rest" }) {
			restAt = i
			continue
		}
		ids, err := r.group(g, nil)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if slices.Contains(taken, id) {
				return nil, fmt.Errorf("%s is in two groups", r.byID[id].name)
			}
		}
		taken = append(taken, ids...)
		out[i] = ids
	}
	if restAt >= 0 {
		ids, err := r.group(gs[restAt], taken)
		if err != nil {
			return nil, err
		}
		out[restAt] = ids
	}
	for i, g := range out {
		if len(g) == 0 {
			return nil, fmt.Errorf("group %d names no process", i+1)
		}
	}
	return out, nil
}

// one resolves a selector that must name exactly one process.
func (r *runner) one(s Selector) (wire.NodeID, error) {
	ids, err := r.resolve(s, nil)
	if err != nil {
		return 0, err
	}
	if len(ids) != 1 {
		return 0, fmt.Errorf("%s names %d processes, not one", s.Text, len(ids))
	}
	return ids[0], nil
}
