package scenarios

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/sentinelsim/sentinelsim/checker"
	"github.com/sentinelsim/sentinelsim/internal/facts"
	"github.com/sentinelsim/sentinelsim/internal/history"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/model"
	"github.com/sentinelsim/sentinelsim/model/client"
	"github.com/sentinelsim/sentinelsim/model/redisconf"
	"github.com/sentinelsim/sentinelsim/sentinel"
	"github.com/sentinelsim/sentinelsim/sentinel/conf"
	"github.com/sentinelsim/sentinelsim/sim"
)

// Process kinds.
const (
	kindRedis    = "redis"
	kindSentinel = "sentinel"
	kindClient   = "client"
	kindProxy    = "haproxy"
	kindOperator = "operator"
)

// proc is one process of a scenario's world.
type proc struct {
	name, host, kind string
	id               wire.NodeID
	addr             wire.Addr
	// served is serving's answer at sample number servedAt (stability.go):
	// every sentinel asks it of every master at every sample.
	served   bool
	servedAt uint64
}

// runner builds a scenario's world and follows its run.
type runner struct {
	f *File
	w *sim.World
	// sampleFn is sampleHealth as a func value, made once.
	sampleFn func(*sim.World)
	samples  uint64 // samples taken so far (sampleOnce)
	dir      *wire.StaticDirectory
	procs    []*proc
	redises  []*proc // the procs of kind redis, in the order added
	by       map[string]*proc
	byID     map[wire.NodeID]*proc
	// byAddr finds a process by its address (the first one added with it).
	byAddr map[wire.Addr]*proc
	logs   []*history.Log
	op     *operator
	opID   wire.NodeID
	pick   *rand.Rand // draws "a replica"

	// What the run showed so far.
	events map[string]int // sentinel events by type
	logged []trigger      // every sentinel event, for expectations on a message prefix
	facts  []checker.Observed
	// lastLost is, per sentinel and master name, the last time the ground
	// truth said the sentinel could not get a valid reply from it;
	// lostAt snapshots it at each failover start (by fact index).
	lastLost map[string]map[string]wire.Time
	// masterProcs caches, per sentinel, the process at each master's
	// address (sampleOnce).
	masterProcs map[wire.NodeID]*masterProcs
	lostAt      map[int]map[string]wire.Time
	rebooted    map[string]wire.Time // data nodes' last restart
	// resets is, per sentinel and master name, when the sentinel last
	// reset its record of the master (+switch-master, +reset-master);
	// resetAt snapshots it at each failover start (flaw F1, stability.go).
	resets map[string]map[string]wire.Time
	// flapTime and flapFailovers measure the failover rate under
	// flapping (Metrics).
	flapTime      wire.Duration
	flapFailovers int
	resetAt       map[int]map[string]wire.Time
	// backJumps are the backward clock jumps of each node (flaw F3).
	backJumps map[string][]backJump
	// tiltLost snapshots lastLost when a sentinel enters TILT (by
	// sentinel and time), for flaw F2.
	tiltLost map[string]map[wire.Time]map[string]map[string]wire.Time
	// sentinelConfs are the masters each sentinel's configuration monitors.
	sentinelConfs map[string][]conf.Master
	downEvents    []checker.Event // SDOWN/ODOWN changes, for the TILT rule
	// wantMessages: an expectation names a message prefix, so events are kept.
	wantMessages bool
	leaders      map[uint64]wire.NodeID
	lastLeader   *proc
	promotions   []*proc
	waiting      *waiter
	// lastTrigger is the event that released the last waiting entry: the
	// copies other sentinels log of the same event (each logs its own
	// +switch-master) do not release the next one.
	lastTrigger trigger
	problems    []string
	sent        []sentCommand
	// notes are the timeline's entries as they happened, for the
	// linearizability page; lin is the check of the clients' histories.
	notes     []checker.Note
	lin       *checker.LinResult
	commands  []CommandResult
	monitored []string // master names, in the first sentinel's order
}

// trigger is an event that released a waiting entry.
type trigger struct{ typ, msg string }

// sentCommand is one command the timeline sent to one process.
type sentCommand struct {
	fault int
	to    string
}

// waiter is a timeline entry waiting for an event.
type waiter struct {
	index int
	event string
}

// CommandResult is a command the timeline sent and the reply it got.
type CommandResult struct {
	At    wire.Time `json:"at"`
	To    string    `json:"to"`
	Args  []string  `json:"args"`
	Reply string    `json:"reply"`
	Line  int       `json:"line"`
	fault int
}

// build makes the world for seed.
func (f *File) build(seed uint64, bounds sim.Bounds, trace sim.Config) (*runner, error) {
	r := &runner{f: f, dir: wire.NewStaticDirectory(), by: map[string]*proc{}, byID: map[wire.NodeID]*proc{}, byAddr: map[wire.Addr]*proc{}, masterProcs: map[wire.NodeID]*masterProcs{},
		events: map[string]int{}, leaders: map[uint64]wire.NodeID{},
		lastLost: map[string]map[string]wire.Time{}, lostAt: map[int]map[string]wire.Time{}, rebooted: map[string]wire.Time{},
		resets: map[string]map[string]wire.Time{}, resetAt: map[int]map[string]wire.Time{},
		tiltLost: map[string]map[wire.Time]map[string]map[string]wire.Time{}, backJumps: map[string][]backJump{}}
	cfg := trace
	cfg.Seed, cfg.Bounds = seed, bounds
	cfg.Network = sim.LAN
	if f.Network != nil {
		link, err := f.Network.link()
		if err != nil {
			return nil, err
		}
		cfg.Network = link
	}
	cfg.OnEvent = r.observe
	cfg.AfterFault = func(at wire.Time, f sim.Fault) {
		if r.w != nil {
			r.sampleOnce(r.w)
		}
		if j, ok := f.(sim.ClockJump); ok && j.By < 0 {
			if p := r.byID[j.Node]; p != nil {
				r.backJumps[p.name] = append(r.backJumps[p.name], backJump{at: at, by: -j.By})
			}
		}
	}
	cfg.OnFact = func(at wire.Time, node wire.NodeID, f wire.Fact) {
		p := r.byID[node]
		if p == nil {
			return
		}
		if tf, ok := f.(facts.Tilt); ok && tf.On {
			if r.w != nil {
				r.sampleOnce(r.w)
			}
			snap := map[string]map[string]wire.Time{}
			for name, by := range r.lastLost {
				snap[name] = maps.Clone(by)
			}
			if r.tiltLost[p.name] == nil {
				r.tiltLost[p.name] = map[wire.Time]map[string]map[string]wire.Time{}
			}
			r.tiltLost[p.name][at] = snap
		}
		if fs, ok := f.(facts.FailoverStart); ok {
			// What the ground truth said until now, for the stability
			// rule: when each sentinel last lost this master.
			snap := map[string]wire.Time{}
			for name, by := range r.lastLost {
				if t, ok := by[fs.Master]; ok {
					snap[name] = t
				}
			}
			r.lostAt[len(r.facts)] = snap
			resets := map[string]wire.Time{}
			for name, by := range r.resets {
				if t, ok := by[fs.Master]; ok {
					resets[name] = t
				}
			}
			r.resetAt[len(r.facts)] = resets
		}
		r.facts = append(r.facts, checker.Observed{At: at, Node: p.name, Fact: f})
	}
	w, err := sim.New(cfg)
	if err != nil {
		return nil, err
	}
	r.w = w
	r.pick = w.Stream("scenario/pick")
	for k := range f.Expect.Events {
		if strings.Contains(k, " ") {
			r.wantMessages = true
		}
	}
	if err := r.addRedis(); err != nil {
		return nil, err
	}
	if err := r.addSentinels(); err != nil {
		return nil, err
	}
	if err := r.addClients(); err != nil {
		return nil, err
	}
	if slices.ContainsFunc(f.Faults, func(s FaultSpec) bool { return s.Command != nil }) {
		r.op = &operator{replies: r.replied}
		if r.opID, err = w.AddNode(sim.NodeSpec{Name: operatorName, Start: func() sim.Process { return r.op }}); err != nil {
			return nil, err
		}
	}
	if err := r.schedule(); err != nil {
		return nil, err
	}
	r.sampleFn = r.sampleHealth // bound once: it is scheduled ten times a second
	w.At(0, r.sampleFn)
	return r, nil
}

func (r *runner) add(name, host, kind string, addr wire.Addr, down bool, start func() sim.Process) error {
	if host == "" {
		host = name
	}
	id, err := r.w.AddNode(sim.NodeSpec{Name: name, Start: start, Down: down})
	if err != nil {
		return err
	}
	if !addr.IsZero() {
		r.dir.Add(id, addr)
	}
	p := &proc{name: name, host: host, kind: kind, id: id, addr: addr}
	r.procs = append(r.procs, p)
	if kind == kindRedis {
		r.redises = append(r.redises, p)
	}
	r.by[name], r.byID[id] = p, p
	if _, dup := r.byAddr[addr]; !dup && !addr.IsZero() {
		r.byAddr[addr] = p
	}
	return nil
}

func (r *runner) errorf(line int, format string, args ...any) error {
	return &InputError{File: r.f.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// text returns a config given inline or by file.
func (r *runner) text(inline, file string, line int) (string, error) {
	if file == "" {
		return inline, nil
	}
	if r.f.readFile == nil {
		return "", r.errorf(line, "config file %q: this scenario cannot read files", file)
	}
	b, err := r.f.readFile(file)
	if err != nil {
		return "", r.errorf(line, "reading %s: %v", file, err)
	}
	return string(b), nil
}

func (r *runner) addRedis() error {
	f := r.f
	base, err := r.text(f.RedisConfig, f.RedisConfigFile, f.lines["redis-config"])
	if err != nil {
		return err
	}
	for i := range f.Redis {
		spec := &f.Redis[i]
		cfg := model.DefaultConfig(wire.Addr(spec.Addr))
		cfg.Directory = r.dir
		own, err := r.text(spec.Config, spec.ConfigFile, spec.line)
		if err != nil {
			return err
		}
		if base != "" || own != "" {
			// Like a real redis-server, a node started from a redis.conf
			// without save lines snapshots at Redis's default save points.
			cfg = redisconf.RedisDefaults(cfg)
		}
		if base != "" {
			if cfg, err = r.redisConf(cfg, "redis-config", f.configLines["redis-config"], base); err != nil {
				return err
			}
		}
		if own != "" {
			if cfg, err = r.redisConf(cfg, spec.Name, f.configLines[fmt.Sprintf("redis/%d/config", i)], own); err != nil {
				return err
			}
		}
		if spec.ReplicaOf != "" {
			if cfg.ReplicaOf, err = r.addrOf(spec.ReplicaOf); err != nil {
				return r.errorf(spec.line, "%s: %v", spec.Name, err)
			}
		}
		if spec.Persistence != "" {
			cfg.Persistence = model.Persistence(spec.Persistence)
		}
		cfg.LoadingTime = wire.Duration(spec.Loading)
		seed := int64(i + 1)
		if _, err := model.NewNode(cfg, seed); err != nil {
			return r.errorf(spec.line, "%s: %v", spec.Name, err)
		}
		if err := r.add(spec.Name, spec.Host, kindRedis, cfg.Addr, spec.Down, func() sim.Process {
			n, _ := model.NewNode(cfg, seed)
			return n
		}); err != nil {
			return r.errorf(spec.line, "%v", err)
		}
	}
	return nil
}

// addrOf resolves a redis node's name or a host:port.
func (r *runner) addrOf(s string) (wire.Addr, error) {
	for _, spec := range r.f.Redis {
		if spec.Name == s {
			return wire.Addr(spec.Addr), nil
		}
	}
	return parseAddr(s)
}

func (r *runner) addSentinels() error {
	f := r.f
	shared, err := r.text(f.SentinelConfig, f.SentinelConfigFile, f.lines["sentinel-config"])
	if err != nil {
		return err
	}
	for i := range f.Sentinels {
		spec := &f.Sentinels[i]
		text, where, line := shared, "sentinel-config", f.configLines["sentinel-config"]
		if f.SentinelConfigFile != "" {
			where, line = f.SentinelConfigFile, 0
		}
		if spec.Config != "" || spec.ConfigFile != "" {
			if text, err = r.text(spec.Config, spec.ConfigFile, spec.line); err != nil {
				return err
			}
			where, line = spec.Name+"'s config", f.configLines[fmt.Sprintf("sentinels/%d/config", i)]
			if spec.ConfigFile != "" {
				where, line = spec.ConfigFile, 0
			}
		}
		c, err := conf.Parse(spec.Name+".conf", []byte(text))
		if err != nil {
			return r.confError(spec, where, line, err)
		}
		if len(c.Masters) == 0 {
			return r.errorf(spec.line, "%s: its sentinel.conf monitors no master (add \"sentinel monitor <name> <ip> <port> <quorum>\")", spec.Name)
		}
		if r.sentinelConfs == nil {
			r.sentinelConfs = map[string][]conf.Master{}
		}
		r.sentinelConfs[spec.Name] = append(r.sentinelConfs[spec.Name], c.Masters...)
		if i == 0 {
			for _, m := range c.Masters {
				r.monitored = append(r.monitored, m.Name)
			}
		}
		profile := spec.Profile
		if profile == "" {
			profile = f.Profile
		}
		opts := sentinel.Options{Addr: wire.Addr(spec.Addr), Conf: c, Directory: r.dir, Profile: profile}
		if _, err := sentinel.New(opts); err != nil {
			return r.errorf(spec.line, "%s: %v", spec.Name, err)
		}
		if err := r.add(spec.Name, spec.Host, kindSentinel, opts.Addr, spec.Down, func() sim.Process {
			s, _ := sentinel.New(opts)
			return s
		}); err != nil {
			return r.errorf(spec.line, "%v", err)
		}
	}
	return nil
}

// confError points a sentinel.conf error at the scenario line it comes
// from: inline text is counted from its first line in the YAML file.
func (r *runner) confError(spec *SentinelSpec, where string, line int, err error) error {
	var ce *conf.Error
	if !errors.As(err, &ce) {
		return r.errorf(spec.line, "%s: %v", spec.Name, err)
	}
	msg := fmt.Sprintf("%s: sentinel.conf line %d: >>> '%s' %s", spec.Name, ce.Line, ce.Text, ce.Msg)
	if line > 0 {
		return r.errorf(line+ce.Line-1, "%s", msg)
	}
	return &InputError{File: where, Line: ce.Line, Msg: fmt.Sprintf(">>> '%s' %s (the sentinel.conf of %s)", ce.Text, ce.Msg, spec.Name)}
}

func (r *runner) addClients() error {
	for i := range r.f.Clients {
		spec := &r.f.Clients[i]
		log := history.NewLog(r.w.Now, 0)
		r.logs = append(r.logs, log)
		wl := client.Workload{}
		if spec.Workload != nil {
			s := spec.Workload
			wl = client.Workload{Keys: s.Keys, Reads: s.Reads, Writes: s.Writes, Incrs: s.Incrs, Appends: s.Appends,
				Rate: s.Rate, Interval: wire.Duration(s.Interval), Jitter: wire.Duration(s.Jitter), Start: wire.Duration(s.Start), MaxOps: s.MaxOps}
		}
		opts := client.Options{Name: spec.Name, Workload: wl, Recorder: log, Directory: r.dir,
			OpTimeout: wire.Duration(spec.Timeout), MaxAttempts: spec.Attempts, Password: spec.Password}
		var start func() sim.Process
		switch spec.Kind {
		case "", "sentinel":
			master := spec.Master
			if master == "" && len(r.monitored) > 0 {
				master = r.monitored[0]
			}
			if !slices.Contains(r.monitored, master) {
				return r.errorf(spec.line, "%s: master %q is not monitored by the sentinels (they monitor %s)", spec.Name, master, strings.Join(r.monitored, ", "))
			}
			sentinels, err := r.staticAddrs(spec.Sentinels, kindSentinel, spec.line)
			if err != nil {
				return err
			}
			cc := client.SentinelConfig{Options: opts, MasterName: master, Sentinels: sentinels}
			if _, err := client.NewSentinelClient(cc); err != nil {
				return r.errorf(spec.line, "%s: %v", spec.Name, err)
			}
			start = func() sim.Process { c, _ := client.NewSentinelClient(cc); return c }
		case "static":
			cc := client.StaticConfig{Options: opts, Addr: r.by[spec.Target].addr}
			if _, err := client.NewStaticClient(cc); err != nil {
				return r.errorf(spec.line, "%s: %v", spec.Name, err)
			}
			start = func() sim.Process { c, _ := client.NewStaticClient(cc); return c }
		case "haproxy":
			servers, err := r.staticAddrs(spec.Servers, kindRedis, spec.line)
			if err != nil {
				return err
			}
			proxy := wire.Addr{Host: spec.Name + "-haproxy", Port: 6379}
			hc := client.HAProxyConfig{Name: spec.Name + "-haproxy", Backends: servers, Directory: r.dir}
			if _, err := client.NewHAProxy(hc); err != nil {
				return r.errorf(spec.line, "%s: %v", spec.Name, err)
			}
			if err := r.add(hc.Name, spec.Host, kindProxy, proxy, false, func() sim.Process { h, _ := client.NewHAProxy(hc); return h }); err != nil {
				return r.errorf(spec.line, "%v", err)
			}
			cc := client.StaticConfig{Options: opts, Addr: proxy}
			if _, err := client.NewStaticClient(cc); err != nil {
				return r.errorf(spec.line, "%s: %v", spec.Name, err)
			}
			start = func() sim.Process { c, _ := client.NewStaticClient(cc); return c }
		}
		if err := r.add(spec.Name, spec.Host, kindClient, wire.Addr{}, false, start); err != nil {
			return r.errorf(spec.line, "%v", err)
		}
	}
	return nil
}

// staticAddrs resolves a group of a kind at build time (default: all of
// that kind).
func (r *runner) staticAddrs(g Group, kind string, line int) ([]wire.Addr, error) {
	var ids []*proc
	if len(g) == 0 {
		for _, p := range r.procs {
			if p.kind == kind {
				ids = append(ids, p)
			}
		}
	}
	for _, s := range g {
		if s.expr.dynamic() {
			return nil, r.errorf(s.Line, "%q: a client's servers are fixed when it starts; name them", s.Text)
		}
		got, err := r.resolve(s, nil)
		if err != nil {
			return nil, r.errorf(s.Line, "%v", err)
		}
		for _, id := range got {
			if p := r.byID[id]; p.kind == kind {
				ids = append(ids, p)
			} else {
				return nil, r.errorf(s.Line, "%q: %s is not a %s", s.Text, p.name, kind)
			}
		}
	}
	out := make([]wire.Addr, len(ids))
	for i, p := range ids {
		out[i] = p.addr
	}
	if len(out) == 0 {
		return nil, r.errorf(line, "no %s to talk to", kind)
	}
	return out, nil
}

// redisConf applies redis.conf text to cfg. An
// error points at the scenario line of the bad directive when the text is
// inline (line > 0), else at the file's own line.
func (r *runner) redisConf(cfg model.Config, who string, line int, text string) (model.Config, error) {
	out, err := redisconf.Parse(who, []byte(text), cfg)
	var ce *redisconf.Error
	switch {
	case err == nil:
		return out, nil
	case !errors.As(err, &ce) || ce.NoLine:
		return cfg, r.errorf(max(line, 1), "%s: redis.conf: %v", who, err)
	case line > 0:
		return cfg, r.errorf(line+ce.Line-1, "%s: redis.conf line %d: >>> '%s' %s", who, ce.Line, ce.Text, ce.Msg)
	}
	return cfg, &InputError{File: who, Line: ce.Line, Msg: fmt.Sprintf(">>> '%s' %s", ce.Text, ce.Msg)}
}
