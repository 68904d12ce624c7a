package scenarios

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/sentinelsim/sentinelsim/checker"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sentinel"
	"github.com/sentinelsim/sentinelsim/sim"
)

var scenarioNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// maxDuration bounds a scenario's simulated length.
const maxDuration = Duration(7 * 24 * wire.Hour)

// validate checks what the decoder cannot: required fields, references
// between entries, one action per fault. Errors carry the entry's line.
func (f *File) validate() error {
	var errs []error
	bad := func(line int, format string, args ...any) {
		errs = append(errs, &lineError{line: line, msg: fmt.Sprintf(format, args...)})
	}
	top := f.lines
	switch {
	case f.Name == "":
		bad(1, "the scenario needs a name")
	case !scenarioNameRE.MatchString(f.Name):
		bad(top["name"], "name %q: use lower-case letters, digits, '.', '_' and '-'", f.Name)
	}
	if f.Duration <= 0 || f.Duration > maxDuration {
		bad(max(top["duration"], 1), "duration must be positive and at most %s (got %s)", wire.Duration(maxDuration), f.Duration)
	}
	if f.Profile != "" {
		if _, err := sentinel.LookupProfile(f.Profile); err != nil {
			bad(top["profile"], "%v", err)
		}
	}
	if f.Network != nil {
		if _, err := f.Network.link(); err != nil {
			bad(top["network"], "network: %v", err)
		}
	}
	if f.SentinelConfig != "" && f.SentinelConfigFile != "" {
		bad(top["sentinel-config"], "give sentinel-config or sentinel-config-file, not both")
	}
	if f.RedisConfig != "" && f.RedisConfigFile != "" {
		bad(top["redis-config"], "give redis-config or redis-config-file, not both")
	}

	// Processes: unique names and addresses.
	names := map[string]string{}
	addrs := map[wire.Addr]string{}
	name := func(line int, n, what string) {
		switch {
		case n == "":
			bad(line, "%s needs a name", what)
		case !nameRE.MatchString(n):
			bad(line, "%s name %q: use letters, digits, '.', '_' and '-'", what, n)
		case slices.Contains(selectorKeywords, n) || n == operatorName:
			bad(line, "%s name %q is reserved (a selector or the operator)", what, n)
		case names[n] != "":
			bad(line, "%s name %q is already used by %s", what, n, names[n])
		default:
			names[n] = what
		}
	}
	addr := func(line int, a Addr, n string) {
		w := wire.Addr(a)
		switch {
		case w.IsZero():
			bad(line, "%s needs an addr (host:port)", n)
		case addrs[w] != "":
			bad(line, "%s: address %s is already %s's", n, w, addrs[w])
		default:
			addrs[w] = n
		}
	}
	if len(f.Redis) == 0 {
		bad(max(top["redis"], 1), "a scenario needs at least one redis node")
	}
	for i := range f.Redis {
		r := &f.Redis[i]
		name(r.line, r.Name, "redis node")
		addr(r.line, r.Addr, r.Name)
		if r.Config != "" && r.ConfigFile != "" {
			bad(r.line, "%s: give config or config-file, not both", r.Name)
		}
		switch r.Persistence {
		case "", "none", "rdb", "aof":
		default:
			bad(r.line, "%s: persistence %q is not none, rdb or aof", r.Name, r.Persistence)
		}
		if err := checkMS(nil, "loading", r.Loading, false); r.Loading < 0 || err != nil {
			bad(r.line, "%s: loading must not be negative", r.Name)
		}
	}
	for i := range f.Sentinels {
		s := &f.Sentinels[i]
		name(s.line, s.Name, "sentinel")
		addr(s.line, s.Addr, s.Name)
		if s.Config != "" && s.ConfigFile != "" {
			bad(s.line, "%s: give config or config-file, not both", s.Name)
		}
		if s.Config == "" && s.ConfigFile == "" && f.SentinelConfig == "" && f.SentinelConfigFile == "" {
			bad(s.line, "%s has no sentinel.conf: give config, config-file or the scenario's sentinel-config", s.Name)
		}
		if s.Profile != "" {
			if _, err := sentinel.LookupProfile(s.Profile); err != nil {
				bad(s.line, "%s: %v", s.Name, err)
			}
		}
	}
	for i := range f.Redis {
		r := &f.Redis[i]
		if r.ReplicaOf == "" {
			continue
		}
		if names[r.ReplicaOf] == "redis node" {
			if r.ReplicaOf == r.Name {
				bad(r.line, "%s cannot replicate from itself", r.Name)
			}
		} else if _, err := parseAddr(r.ReplicaOf); err != nil {
			bad(r.line, "%s: replicaof %q is neither a redis node of the scenario nor host:port", r.Name, r.ReplicaOf)
		}
	}
	for i := range f.Clients {
		c := &f.Clients[i]
		name(c.line, c.Name, "client")
		switch c.Kind {
		case "", "sentinel":
			if c.Target != "" || len(c.Servers) > 0 {
				bad(c.line, "%s: target and servers are for static and haproxy clients", c.Name)
			}
			if len(f.Sentinels) == 0 {
				bad(c.line, "%s: a sentinel client needs sentinels", c.Name)
			}
		case "static", "haproxy":
			if len(c.Sentinels) > 0 || c.Master != "" {
				bad(c.line, "%s: sentinels and master are for sentinel clients", c.Name)
			}
		}
		switch c.Kind {
		case "static":
			if names[c.Target] != "redis node" {
				bad(c.line, "%s: a static client needs a target redis node (got %q)", c.Name, c.Target)
			}
		case "haproxy":
			if c.Target != "" {
				bad(c.line, "%s: an haproxy client routes to its servers, not a target", c.Name)
			}
		case "", "sentinel":
		default:
			bad(c.line, "%s: kind %q is not sentinel, static or haproxy", c.Name, c.Kind)
		}
		if c.Timeout < 0 || c.Attempts < 0 {
			bad(c.line, "%s: timeout and attempts must not be negative", c.Name)
		}
	}

	// Selectors that name processes must name existing ones.
	checkSel := func(s Selector, what string) {
		var walk func(e selExpr)
		walk = func(e selExpr) {
			switch {
			case e.kind == "name" && names[e.name] == "":
				bad(s.Line, "%s: no process is named %q", what, e.name)
			case e.sub != nil:
				walk(*e.sub)
			}
		}
		walk(s.expr)
	}
	checkGroup := func(g Group, what string) {
		for _, s := range g {
			checkSel(s, what)
		}
	}
	for i := range f.Clients {
		checkGroup(f.Clients[i].Sentinels, f.Clients[i].Name)
		checkGroup(f.Clients[i].Servers, f.Clients[i].Name)
	}
	for i := range f.Faults {
		if err := f.Faults[i].validate(checkSel, checkGroup); err != nil {
			errs = append(errs, err)
		}
		if at := f.Faults[i].At; at != nil && *at >= f.Duration {
			bad(f.Faults[i].line, "at %s is not before the end of the run (%s)", *at, f.Duration)
		}
	}
	for i := range f.Random {
		r := &f.Random[i]
		switch {
		case r.To <= r.From || r.From < 0:
			bad(r.line, "random phase: needs 0 <= from < to (got %s..%s)", r.From, r.To)
		case r.To > f.Duration:
			bad(r.line, "random phase: to %s is after the end of the run (%s)", r.To, f.Duration)
		case r.Count.Max > sim.MaxRandomFaults:
			bad(r.line, "random phase: count must be 0..%d", sim.MaxRandomFaults)
		case r.MaxDuration <= 0:
			bad(r.line, "random phase: max-duration must be positive")
		}
		for _, k := range r.Kinds {
			if _, err := sim.ParseFaultKind(k); err != nil {
				bad(r.line, "random phase: %v", err)
			}
		}
		checkGroup(r.Among, "random phase")
		for _, s := range r.Among {
			if s.expr.dynamic() || s.expr.kind == "rest" {
				bad(s.Line, "random phase: among takes names and static groups, not %q (roles change during the run)", s.Text)
			}
		}
	}
	if f.Heal != nil && (*f.Heal < 0 || *f.Heal > f.Duration) {
		bad(top["heal"], "heal at %s is outside the run (0..%s)", *f.Heal, f.Duration)
	}
	e := &f.Expect
	switch e.Verdict {
	case "", Pass, Violated:
	default:
		bad(e.line, "expect: verdict %q is not pass or violated", e.Verdict)
	}
	for _, n := range []struct{ what, name string }{{"promoted", e.Promoted}, {"master", e.Master}} {
		if n.name != "" && names[n.name] != "redis node" {
			bad(e.line, "expect: %s %q is not a redis node of the scenario", n.what, n.name)
		}
	}
	types := make([]string, 0, len(e.Events))
	for typ := range e.Events {
		types = append(types, typ)
	}
	slices.Sort(types)
	for _, typ := range types {
		if !strings.HasPrefix(typ, "+") && !strings.HasPrefix(typ, "-") {
			bad(e.line, "expect: event %q: event types start with + or - (\"+odown\", \"-sdown\")", typ)
		}
	}
	if e.Linearizable != nil && len(f.Clients) == 0 {
		bad(e.line, "expect: linearizable needs clients whose histories it judges")
	}
	for _, k := range e.Broken {
		if k != checker.Safety {
			bad(e.line, "expect: broken %q: the checker judges %q promises", k, checker.Safety)
		}
	}
	if len(e.Broken) > 0 && e.Verdict != Violated {
		bad(e.line, "expect: broken promises make the verdict violated: say verdict: violated")
	}
	if e.Verdict == Violated && !f.hasExpectations() && len(e.Broken) == 0 {
		bad(e.line, "expect: verdict violated needs an expectation that can fail (failovers, events, writes-lost, ...)")
	}
	return errors.Join(errs...)
}

// hasExpectations reports whether the scenario states anything a run can
// violate.
func (f *File) hasExpectations() bool {
	e := &f.Expect
	if e.Failovers != nil || e.Promoted != "" || e.Master != "" || e.WritesLost != nil || e.ClientErrors != nil ||
		e.Masters != nil || len(e.Events) > 0 || e.Converged != nil || e.Linearizable != nil {
		return true
	}
	return slices.ContainsFunc(f.Faults, func(s FaultSpec) bool { return s.Command != nil && s.Command.Expect != "" })
}

// actions lists the fault's actions by their YAML names.
func (s *FaultSpec) actions() []string {
	var out []string
	add := func(set bool, name string) {
		if set {
			out = append(out, name)
		}
	}
	add(s.Crash != nil, "crash")
	add(s.CrashHost != nil, "crash-host")
	add(s.CrashAfterPersist != nil, "crash-after-persist")
	add(s.Restart != nil, "restart")
	add(s.Pause != nil, "pause")
	add(s.Resume != nil, "resume")
	add(s.Isolate != nil, "isolate")
	add(s.Rejoin != nil, "rejoin")
	add(s.Partition != nil, "partition")
	add(s.OneWay != nil, "one-way")
	add(s.Bridge != nil, "bridge")
	add(s.Connect != nil, "connect")
	add(s.Heal != nil, "heal")
	add(s.HealAll != nil, "heal-all")
	add(s.Flap != nil, "flap")
	add(s.Links != nil, "links")
	add(s.Slow != nil, "slow")
	add(s.ClockJump != nil, "clock-jump")
	add(s.ClockDrift != nil, "clock-drift")
	add(s.Command != nil, "command")
	return out
}

// undoable are the actions "for" can undo, and how.
var undoable = map[string]string{
	"crash": "restart", "crash-host": "restart", "pause": "resume", "isolate": "rejoin",
	"partition": "connect", "one-way": "connect", "bridge": "connect", "links": "restore the links",
	"slow": "normal speed", "clock-drift": "the configured clock rate",
}

func (s *FaultSpec) validate(checkSel func(Selector, string), checkGroup func(Group, string)) error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, &lineError{line: s.line, msg: fmt.Sprintf(format, args...)})
	}
	acts := s.actions()
	switch len(acts) {
	case 0:
		bad("a fault needs an action (crash, partition, isolate, flap, command, ...)")
	case 1:
	default:
		bad("one action per fault entry, got %s", strings.Join(acts, " and "))
	}
	if s.At != nil && (s.After != nil || s.On != "") {
		bad("give at, or after and/or on, not both")
	}
	if s.At == nil && s.After == nil && s.On == "" {
		bad("a fault needs a time: at, after or on")
	}
	for _, d := range []*Duration{s.At, s.After, s.For} {
		if d != nil && *d < 0 {
			bad("times must not be negative")
		}
	}
	if s.Optional && s.On == "" {
		bad("optional is for entries that wait for an event (on)")
	}
	if s.On != "" && !strings.HasPrefix(s.On, "+") && !strings.HasPrefix(s.On, "-") {
		bad("on %q: name a sentinel event type, like +odown or +elected-leader", s.On)
	}
	if s.For != nil && len(acts) == 1 {
		if _, ok := undoable[acts[0]]; !ok {
			bad("%s cannot be undone with for (only %s)", acts[0], undoList())
		} else if *s.For <= 0 {
			bad("for must be positive")
		}
	}
	if len(acts) != 1 {
		return errors.Join(errs...)
	}
	what := acts[0]
	noRest := func(g Group) {
		for _, sel := range g {
			if sel.expr.kind == "rest" {
				bad("%s: rest is only for partition, connect and flap groups", what)
			}
		}
	}
	for _, g := range []*Group{s.Crash, s.CrashHost, s.CrashAfterPersist, s.Restart, s.Pause, s.Resume, s.Isolate, s.Rejoin} {
		if g != nil {
			checkGroup(*g, what)
			noRest(*g)
		}
	}
	// disjoint reports processes named (by name) in two of the groups.
	disjoint := func(gs ...Group) {
		seen := map[string]bool{}
		for _, g := range gs {
			here := map[string]bool{}
			for _, sel := range g {
				if sel.expr.kind == "name" {
					if seen[sel.expr.name] && !here[sel.expr.name] {
						bad("%s: %s is on two sides", what, sel.expr.name)
					}
					here[sel.expr.name] = true
				}
				if sel.expr.kind == "rest" && len(g) > 1 {
					bad("%s: rest stands alone in its group", what)
				}
			}
			for n := range here {
				seen[n] = true
			}
		}
	}
	groups := func(gs []Group, min int) {
		if len(gs) < min {
			bad("%s needs at least %d groups", what, min)
		}
		rest := 0
		for _, g := range gs {
			checkGroup(g, what)
			for _, sel := range g {
				if sel.expr.kind == "rest" {
					rest++
				}
			}
		}
		if rest > 1 {
			bad("%s: rest can appear once", what)
		}
	}
	switch {
	case s.Partition != nil:
		groups(s.Partition, 2)
		disjoint(s.Partition...)
	case s.Connect != nil:
		groups(s.Connect, 2)
		disjoint(s.Connect...)
	case s.OneWay != nil:
		checkGroup(s.OneWay.From, what)
		checkGroup(s.OneWay.To, what)
		if len(s.OneWay.From) == 0 || len(s.OneWay.To) == 0 {
			bad("one-way needs from and to")
		}
		noRest(s.OneWay.From)
		noRest(s.OneWay.To)
	case s.Bridge != nil:
		b := s.Bridge
		checkGroup(b.Left, what)
		checkGroup(b.Right, what)
		checkSel(b.Via, what)
		if len(b.Left) == 0 || len(b.Right) == 0 || b.Via.Text == "" {
			bad("bridge needs left, right and via")
		}
		noRest(b.Left)
		noRest(b.Right)
		disjoint(b.Left, b.Right, Group{b.Via})
	case s.Flap != nil:
		fl := s.Flap
		if (len(fl.Between) == 0) == (fl.Node.Text == "") {
			bad("flap needs between (two groups) or node, not both")
		}
		if len(fl.Between) != 0 {
			groups(fl.Between, 2)
			if len(fl.Between) != 2 {
				bad("flap between takes exactly two groups")
			}
			disjoint(fl.Between...)
		} else {
			checkSel(fl.Node, what)
		}
		if err := (sim.FlapSpec{Down: wire.Duration(fl.Down), Up: wire.Duration(fl.Up), Jitter: wire.Duration(fl.Jitter), For: wire.Duration(fl.For)}).Validate(); err != nil {
			bad("%v", err)
		}
	case s.Links != nil:
		checkGroup(s.Links.From, what)
		checkGroup(s.Links.To, what)
		noRest(s.Links.From)
		noRest(s.Links.To)
		if _, err := s.Links.link(); err != nil {
			bad("links: %v", err)
		}
	case s.Slow != nil:
		checkGroup(s.Slow.Node, what)
		noRest(s.Slow.Node)
		if len(s.Slow.Node) == 0 || s.Slow.Extra < 0 || wire.Duration(s.Slow.Extra) > sim.MaxSlowDown {
			bad("slow needs node and an extra in [0, %s]", sim.MaxSlowDown)
		}
	case s.ClockJump != nil:
		checkGroup(s.ClockJump.Node, what)
		noRest(s.ClockJump.Node)
		if len(s.ClockJump.Node) == 0 || s.ClockJump.PPM != 0 {
			bad("clock-jump needs node and by (not ppm)")
		}
		if by := wire.Duration(s.ClockJump.By); by > sim.MaxClockJump || by < -sim.MaxClockJump {
			bad("clock-jump by %s is beyond ±%s", by, sim.MaxClockJump)
		}
	case s.ClockDrift != nil:
		checkGroup(s.ClockDrift.Node, what)
		noRest(s.ClockDrift.Node)
		if len(s.ClockDrift.Node) == 0 || s.ClockDrift.By != 0 {
			bad("clock-drift needs node and ppm (not by)")
		}
		if p := s.ClockDrift.PPM; p <= sim.MinDriftPPM || p > sim.MaxDriftPPM {
			bad("clock-drift ppm %d is outside (%d, %d]", p, sim.MinDriftPPM, sim.MaxDriftPPM)
		}
	case s.Command != nil:
		checkGroup(s.Command.To, what)
		noRest(s.Command.To)
		if len(s.Command.To) == 0 || len(s.Command.Args) == 0 {
			bad("command needs to and args")
		}
	case s.Heal != nil && !*s.Heal, s.HealAll != nil && !*s.HealAll:
		bad("%s: false does nothing; remove the entry", what)
	}
	return errors.Join(errs...)
}

func undoList() string {
	keys := make([]string, 0, len(undoable))
	for k := range undoable {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}

// link turns a network spec into a link configuration.
func (n *NetworkSpec) link() (sim.LinkConfig, error) {
	c := sim.LinkConfig{Loss: sim.Ratio(n.Loss), Duplicate: sim.Ratio(n.Duplicate), Reorder: sim.Ratio(n.Reorder), MaxInFlight: n.MaxInFlight}
	if n.Delay != nil {
		c.DelayMin, c.DelayMean, c.DelayMax = wire.Duration(n.Delay.Min), wire.Duration(n.Delay.Mean), wire.Duration(n.Delay.Max)
	} else {
		c.DelayMin, c.DelayMean, c.DelayMax = sim.LAN.DelayMin, sim.LAN.DelayMean, sim.LAN.DelayMax
	}
	fixRatios(&c)
	return c, c.Validate()
}

func (l *LinksSpec) link() (sim.LinkConfig, error) {
	n := NetworkSpec{Delay: l.Delay, Loss: l.Loss, Duplicate: l.Duplicate, Reorder: l.Reorder, MaxInFlight: l.MaxInFlight}
	return n.link()
}

// fixRatios makes unset percentages "never" (a zero Ratio has Den 0).
func fixRatios(c *sim.LinkConfig) {
	for _, r := range []*sim.Ratio{&c.Loss, &c.Duplicate, &c.Reorder} {
		if r.Den == 0 {
			*r = sim.Never
		}
	}
}
