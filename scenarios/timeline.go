package scenarios

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/checker"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sentinel"
	"github.com/sentinelsim/sentinelsim/sim"
)

// schedule lays out the timeline, the random phases and the heal.
//
// Timeline entries happen in order: each is scheduled when the one before
// it has happened, at its absolute time (or at once, if that is past), after
// its delay, or at the first sentinel event of its type after that (then
// its delay). An entry waiting for an event that never comes holds the
// entries after it; the result says so.
func (r *runner) schedule() error {
	f := r.f
	if len(f.Faults) > 0 {
		r.next(0, 0)
	}
	for i, spec := range f.Random {
		var nodes []wire.NodeID
		if len(spec.Among) == 0 {
			for _, p := range r.procs {
				if p.kind == kindRedis || p.kind == kindSentinel {
					nodes = append(nodes, p.id)
				}
			}
		}
		for _, s := range spec.Among {
			got, err := r.resolve(s, nil)
			if err != nil {
				return r.errorf(s.Line, "%v", err)
			}
			for _, id := range got {
				if !slices.Contains(nodes, id) {
					nodes = append(nodes, id)
				}
			}
		}
		var kinds []sim.FaultKind
		for _, k := range spec.Kinds {
			kind, _ := sim.ParseFaultKind(k)
			kinds = append(kinds, kind)
		}
		rng := r.w.Stream("scenario/random/" + strconv.Itoa(i))
		count := spec.Count.Min
		if spec.Count.Max > spec.Count.Min {
			count += rng.IntN(spec.Count.Max - spec.Count.Min + 1)
		}
		plan := sim.RandomPlan{Nodes: nodes, From: wire.Time(spec.From), To: wire.Time(spec.To), Count: count, Kinds: kinds, MaxDuration: wire.Duration(spec.MaxDuration)}
		drawn, err := plan.Draw(rng)
		if err != nil {
			return r.errorf(spec.line, "random phase: %v", err)
		}
		for _, t := range drawn {
			if err := r.w.Schedule(t.At, t.Fault); err != nil {
				return r.errorf(spec.line, "random phase: %v", err)
			}
		}
	}
	if f.Heal != nil {
		if err := r.w.Schedule(wire.Time(*f.Heal), sim.HealAll{}); err != nil {
			return err
		}
	}
	return nil
}

// next schedules timeline entry i, the one before it having happened at
// base.
func (r *runner) next(i int, base wire.Time) {
	if i >= len(r.f.Faults) {
		return
	}
	e := &r.f.Faults[i]
	var after wire.Duration
	if e.After != nil {
		after = wire.Duration(*e.After)
	}
	switch {
	case e.At != nil:
		r.w.At(max(wire.Time(*e.At), base), func(*sim.World) { r.happen(i) })
	case e.On != "":
		r.waiting = &waiter{index: i, event: e.On}
	default:
		r.w.At(base.Add(after), func(*sim.World) { r.happen(i) })
	}
}

// observe follows the sentinels' events (sim.Config.OnEvent).
func (r *runner) observe(at wire.Time, node wire.NodeID, event string) {
	p := r.byID[node]
	if p != nil && p.kind == kindRedis && at > 0 && event == "* Ready to accept connections" {
		r.rebooted[p.name] = at // for the stability rule's ground truth
	}
	if p == nil || p.kind != kindSentinel || len(event) < 3 || event[1] != ' ' {
		return
	}
	typ, msg, _ := strings.Cut(event[2:], " ")
	if typ == "" || typ[0] != '+' && typ[0] != '-' {
		return // a plain log line (spec §20.3), not an event
	}
	r.events[typ]++
	switch typ {
	case "+sdown", "-sdown", "+odown", "-odown":
		r.downEvents = append(r.downEvents, checker.Event{At: at, Node: p.name, Text: event})
	}
	if r.wantMessages {
		r.logged = append(r.logged, trigger{typ: typ, msg: msg})
	}
	switch typ {
	case "+switch-master", "+reset-master":
		// "+switch-master <master> …", "+reset-master master <master> …"
		f := strings.Fields(msg)
		if typ == "+reset-master" && len(f) > 0 {
			f = f[1:]
		}
		if len(f) > 0 {
			if r.resets[p.name] == nil {
				r.resets[p.name] = map[string]wire.Time{}
			}
			r.resets[p.name][f[0]] = at
		}
	case "+elected-leader":
		r.lastLeader = p
		if s, ok := r.w.Process(node).(*sentinel.Sentinel); ok {
			name := strings.Fields(msg)
			for _, m := range s.Masters() {
				if len(name) > 1 && m.Name == name[1] {
					r.leaders[m.FailoverEpoch] = node
				}
			}
		}
	case "+promoted-slave":
		// "slave <ip:port> <ip> <port> @ <master> <ip> <port>"
		if fs := strings.Fields(msg); len(fs) > 3 {
			if addr, err := parseAddr(fs[1]); err == nil {
				if q := r.atAddr(addr); q != nil {
					r.promotions = append(r.promotions, q)
					if r.w.Flapping() {
						r.flapFailovers++
					}
				}
			}
		}
	}
	if w := r.waiting; w != nil && w.event == typ && !(typ == r.lastTrigger.typ && msg == r.lastTrigger.msg) {
		r.waiting = nil
		r.lastTrigger = trigger{typ: typ, msg: msg}
		e := &r.f.Faults[w.index]
		var after wire.Duration
		if e.After != nil {
			after = wire.Duration(*e.After)
		}
		r.w.At(at.Add(after), func(*sim.World) { r.happen(w.index) })
	}
}

func (r *runner) atAddr(a wire.Addr) *proc { return r.byAddr[a] }

// problem records something in the run that kept the timeline from doing
// what it said.
func (r *runner) problem(line int, format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf("t=%s line %d: ", r.w.Now(), line)+fmt.Sprintf(format, args...))
}

// happen carries out timeline entry i now and schedules the next. The next
// entry is armed first, so an entry waiting for an event sees the events
// this one causes at once (a restart's +monitor).
func (r *runner) happen(i int) {
	e := &r.f.Faults[i]
	r.next(i+1, r.w.Now())
	undo, err := r.act(e)
	if err != nil {
		r.problem(e.line, "%v", err)
		return
	}
	note := checker.Note{Start: r.w.Now(), Tag: "faults", Text: strings.Join(e.actions(), " "), Details: e.Note}
	if e.For != nil {
		note.End = note.Start.Add(wire.Duration(*e.For))
	}
	r.notes = append(r.notes, note)
	if e.For != nil && undo != nil {
		r.w.At(r.w.Now().Add(wire.Duration(*e.For)), func(w *sim.World) {
			for _, f := range undo {
				// A crashed process that something else (heal, a restart
				// entry) already brought back is left alone: restarting a
				// running process would kill it again.
				if rs, ok := f.(sim.Restart); ok && w.Up(rs.Node) {
					continue
				}
				if err := w.Apply(f); err != nil {
					r.problem(e.line, "undoing: %v", err)
				}
			}
		})
	}
}

// act carries out one entry's action; it returns the faults that undo it.
func (r *runner) act(e *FaultSpec) (undo []sim.Fault, err error) {
	w := r.w
	group := func(g Group) ([]wire.NodeID, error) { return r.group(g, nil) }
	each := func(g *Group, do, back func(id wire.NodeID) sim.Fault) error {
		ids, err := group(*g)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := w.Apply(do(id)); err != nil {
				return err
			}
			if back != nil {
				undo = append(undo, back(id))
			}
		}
		return nil
	}
	restart := func(id wire.NodeID) sim.Fault { return sim.Restart{Node: id} }
	switch {
	case e.Crash != nil:
		ids, err := group(*e.Crash)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if !w.Up(id) {
				continue // already down: not this entry's to bring back
			}
			if err := w.Apply(sim.Crash{Node: id}); err != nil {
				return nil, err
			}
			undo = append(undo, restart(id))
		}
		return undo, nil
	case e.CrashHost != nil:
		ids, err := group(*e.CrashHost)
		if err != nil {
			return nil, err
		}
		hosts := r.hostmates(ids)
		for _, id := range hosts {
			if !w.Up(id) {
				continue // already down: not this entry's to bring back
			}
			if err := w.Apply(sim.Crash{Node: id, Host: true}); err != nil {
				return nil, err
			}
			undo = append(undo, sim.Restart{Node: id})
		}
		return undo, nil
	case e.CrashAfterPersist != nil:
		return nil, each(e.CrashAfterPersist, func(id wire.NodeID) sim.Fault { return sim.CrashAfterPersist{Node: id} }, nil)
	case e.Restart != nil:
		return nil, each(e.Restart, restart, nil)
	case e.Pause != nil:
		return undo, each(e.Pause, func(id wire.NodeID) sim.Fault { return sim.Pause{Node: id} },
			func(id wire.NodeID) sim.Fault { return sim.Resume{Node: id} })
	case e.Resume != nil:
		return nil, each(e.Resume, func(id wire.NodeID) sim.Fault { return sim.Resume{Node: id} }, nil)
	case e.Isolate != nil:
		return undo, each(e.Isolate, func(id wire.NodeID) sim.Fault { return sim.Isolate{Node: id} },
			func(id wire.NodeID) sim.Fault { return sim.Rejoin{Node: id} })
	case e.Rejoin != nil:
		return nil, each(e.Rejoin, func(id wire.NodeID) sim.Fault { return sim.Rejoin{Node: id} }, nil)
	case e.Partition != nil, e.Connect != nil:
		gs := e.Partition
		if gs == nil {
			gs = e.Connect
		}
		groups, err := r.groups(gs)
		if err != nil {
			return nil, err
		}
		if e.Connect != nil {
			for a := range groups {
				for b := a + 1; b < len(groups); b++ {
					if err := w.Apply(sim.Connect{A: groups[a], B: groups[b]}); err != nil {
						return nil, err
					}
				}
			}
			return nil, nil
		}
		if err := w.Apply(sim.Partition{Groups: groups}); err != nil {
			return nil, err
		}
		for a := range groups {
			for b := a + 1; b < len(groups); b++ {
				undo = append(undo, sim.Connect{A: groups[a], B: groups[b]})
			}
		}
		return undo, nil
	case e.OneWay != nil:
		from, err := group(e.OneWay.From)
		if err != nil {
			return nil, err
		}
		to, err := group(e.OneWay.To)
		if err != nil {
			return nil, err
		}
		return []sim.Fault{sim.Connect{A: from, B: to}}, w.Apply(sim.OneWay{From: from, To: to})
	case e.Bridge != nil:
		left, err := group(e.Bridge.Left)
		if err != nil {
			return nil, err
		}
		right, err := group(e.Bridge.Right)
		if err != nil {
			return nil, err
		}
		via, err := r.one(e.Bridge.Via)
		if err != nil {
			return nil, err
		}
		left = slices.DeleteFunc(left, func(id wire.NodeID) bool { return id == via })
		right = slices.DeleteFunc(right, func(id wire.NodeID) bool { return id == via })
		return []sim.Fault{sim.Connect{A: left, B: right}}, w.Apply(sim.Bridge{Left: left, Right: right, Via: via})
	case e.Heal != nil:
		return nil, w.Apply(sim.Heal{})
	case e.HealAll != nil:
		return nil, w.Apply(sim.HealAll{})
	case e.Flap != nil:
		fl := e.Flap
		spec := sim.FlapSpec{Down: wire.Duration(fl.Down), Up: wire.Duration(fl.Up), Jitter: wire.Duration(fl.Jitter), For: wire.Duration(fl.For)}
		if fl.Node.Text != "" {
			id, err := r.one(fl.Node)
			if err != nil {
				return nil, err
			}
			return nil, w.Apply(sim.FlapNode{Node: id, Spec: spec})
		}
		groups, err := r.groups(fl.Between)
		if err != nil {
			return nil, err
		}
		return nil, w.Apply(sim.FlapGroups{A: groups[0], B: groups[1], Both: !fl.OneWay, Spec: spec})
	case e.Links != nil:
		cfg, _ := e.Links.link()
		from, err := r.group(e.Links.From, nil)
		if err != nil {
			return nil, err
		}
		to, err := r.group(e.Links.To, nil)
		if err != nil {
			return nil, err
		}
		return []sim.Fault{sim.RestoreLinks{From: from, To: to}}, w.Apply(sim.SetLinks{From: from, To: to, Config: cfg})
	case e.Slow != nil:
		extra := wire.Duration(e.Slow.Extra)
		return undo, each(&e.Slow.Node, func(id wire.NodeID) sim.Fault { return sim.Slow{Node: id, Extra: extra} },
			func(id wire.NodeID) sim.Fault { return sim.Slow{Node: id} })
	case e.ClockJump != nil:
		by := wire.Duration(e.ClockJump.By)
		return nil, each(&e.ClockJump.Node, func(id wire.NodeID) sim.Fault { return sim.ClockJump{Node: id, By: by} }, nil)
	case e.ClockDrift != nil:
		ppm := e.ClockDrift.PPM
		return undo, each(&e.ClockDrift.Node, func(id wire.NodeID) sim.Fault { return sim.ClockDrift{Node: id, DriftPPM: ppm} },
			func(id wire.NodeID) sim.Fault { return sim.RestoreClockRate{Node: id} })
	case e.Command != nil:
		to, err := group(e.Command.To)
		if err != nil {
			return nil, err
		}
		for _, id := range to {
			r.op.queue = append(r.op.queue, opCommand{to: id, args: e.Command.Args, auth: e.Command.Auth, line: e.line, fault: e.index})
			r.sent = append(r.sent, sentCommand{fault: e.index, to: r.byID[id].name})
		}
		if !w.Wake(r.opID, 0) {
			return nil, fmt.Errorf("the operator could not send %s", strings.Join(e.Command.Args, " "))
		}
	}
	return nil, nil
}

// replied records a command's reply.
func (r *runner) replied(c opCommand, v wire.Value) {
	c.name = r.byID[c.to].name
	r.commands = append(r.commands, CommandResult{At: c.sent, To: c.name, Args: c.args, Reply: v.String(), Line: c.line, fault: c.fault})
}

// hostmates returns every process (not the operator) on the hosts of ids.
func (r *runner) hostmates(ids []wire.NodeID) []wire.NodeID {
	var hosts []string
	for _, id := range ids {
		hosts = append(hosts, r.byID[id].host)
	}
	var out []wire.NodeID
	for _, p := range r.procs {
		if slices.Contains(hosts, p.host) {
			out = append(out, p.id)
		}
	}
	return out
}
