package conformance

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/scenarios"
)

// Options say where the real processes run.
type Options struct {
	Dir      string // a directory of its own for configs, data and logs
	BasePort int    // redis node i listens on BasePort+i, sentinel j on BasePort+100+j
	// RedisServer and RedisSentinel are the binaries (default: from PATH).
	RedisServer, RedisSentinel string
	// Settle is how long after the start the scenario's time 0 is taken to
	// be (the simulated sentinels boot at 0 too; 0: none).
	Settle time.Duration
}

// Real is one run of a scenario on real processes.
type Real struct {
	Logs  []string          // each sentinel's log file, in the scenario's order
	Names map[string]string // "127.0.0.1:port" -> the scenario's node name
	Start time.Time         // the scenario's time 0
	Steps []string          // what was done, when
	// Snapshots are, every second, where each live sentinel says the
	// master is (SENTINEL get-master-addr-by-name) and its replication
	// role as the node itself reports (INFO replication's role line).
	Snapshots []Snapshot
	// FinalMaster and FinalEpoch are what the sentinels say at the end
	// (the node name; the highest config-epoch any of them reports).
	FinalMaster string
	FinalEpoch  int
	// Wall is the run's wall time from just before the first process is
	// started to the last one's exit. The scenario's time 0 is that first
	// start (with no Settle), so Wall is the scenario's duration —
	// start-up included, until every process answers PING (Startup) —
	// plus the final queries and the shutdown (kill -9 and wait); writing
	// the configurations is not in it.
	Wall, Startup time.Duration
}

// Snapshot is one periodic look at the real deployment.
type Snapshot struct {
	AtMs    int64             `json:"at_ms"`
	Masters map[string]string `json:"masters"` // sentinel -> node it names
	Roles   map[string]string `json:"roles"`   // node -> role it reports
}

// Unsupported says why a scenario cannot run on real processes.
type Unsupported struct{ Why string }

func (u *Unsupported) Error() string { return "simulator-only: " + u.Why }

// proc is one real process.
type proc struct {
	name, bin, conf string
	host            string
	port            int
	cmd             *exec.Cmd
	sentinel        bool
}

// Supported reports why a scenario cannot run on real processes ("" when
// it can): faults that need the network or the clock of a host (one-way
// cuts, partitions on loopback, clock jumps), event-triggered entries and
// random phases are simulator-only.
func Supported(f *scenarios.File) string {
	if len(f.Random) > 0 {
		return "random fault phases"
	}
	for _, fs := range f.Faults {
		switch {
		case fs.On != "" && !strings.HasPrefix(fs.On, "+"):
			return "an entry triggered by " + fs.On
		case fs.Crash != nil, fs.CrashHost != nil, fs.Restart != nil, fs.Pause != nil, fs.Resume != nil, fs.Command != nil:
		default:
			return "a fault real processes on one host cannot get (a partition, a clock jump, a slow-down…)"
		}
	}
	return ""
}

// RunReal runs scenario f on real redis-server and redis-sentinel
// processes on 127.0.0.1 and returns their logs. Every process it started
// is stopped before it returns, also on error or when ctx ends.
func RunReal(ctx context.Context, f *scenarios.File, opt Options) (r *Real, err error) {
	if why := Supported(f); why != "" {
		return nil, &Unsupported{why}
	}
	if opt.RedisServer == "" {
		opt.RedisServer = "redis-server"
	}
	if opt.RedisSentinel == "" {
		opt.RedisSentinel = "redis-sentinel"
	}
	r = &Real{Names: map[string]string{}}
	addrs := map[string]string{} // scenario address -> real
	var procs []*proc
	byName := map[string]*proc{}
	for i, n := range f.Redis {
		p := &proc{name: n.Name, bin: opt.RedisServer, port: opt.BasePort + i, host: orName(n.Host, n.Name)}
		addrs[wire.Addr(n.Addr).String()] = "127.0.0.1:" + strconv.Itoa(p.port)
		procs = append(procs, p)
		byName[n.Name] = p
	}
	for j, s := range f.Sentinels {
		p := &proc{name: s.Name, bin: opt.RedisSentinel, port: opt.BasePort + 100 + j, sentinel: true, host: orName(s.Host, s.Name)}
		addrs[wire.Addr(s.Addr).String()] = "127.0.0.1:" + strconv.Itoa(p.port)
		procs = append(procs, p)
		byName[s.Name] = p
	}
	for _, p := range procs {
		r.Names["127.0.0.1:"+strconv.Itoa(p.port)] = p.name
	}
	var began time.Time
	defer func() {
		for _, p := range procs {
			p.stop()
		}
		// After the stops, so that the shutdown counts (only a run that
		// got that far and succeeded has a result to carry it).
		if r != nil && !began.IsZero() {
			r.Wall = time.Since(began)
		}
	}()
	// Configurations.
	for i, n := range f.Redis {
		p := procs[i]
		var b strings.Builder
		fmt.Fprintf(&b, "port %d\nbind 127.0.0.1\ndir %s\nsave \"\"\nappendonly no\nlogfile %s\n", p.port, opt.Dir, filepath.Join(opt.Dir, p.name+".log"))
		fmt.Fprintf(&b, "dbfilename %s.rdb\n", p.name)
		if n.ReplicaOf != "" {
			m := byName[n.ReplicaOf]
			if m == nil {
				return nil, &Unsupported{"replicaof " + n.ReplicaOf + " is not a node of the scenario"}
			}
			fmt.Fprintf(&b, "replicaof 127.0.0.1 %d\n", m.port)
		}
		b.WriteString(rewrite(n.Config, addrs) + "\n")
		p.conf = filepath.Join(opt.Dir, p.name+".conf")
		if err := os.WriteFile(p.conf, []byte(b.String()), 0o644); err != nil {
			return nil, err
		}
	}
	for j, s := range f.Sentinels {
		p := procs[len(f.Redis)+j]
		var b strings.Builder
		fmt.Fprintf(&b, "port %d\nbind 127.0.0.1\ndir %s\nlogfile %s\n", p.port, opt.Dir, filepath.Join(opt.Dir, p.name+".log"))
		text := f.SentinelConfig
		if s.Config != "" {
			text = s.Config
		}
		b.WriteString(rewrite(text, addrs) + "\n")
		p.conf = filepath.Join(opt.Dir, p.name+".conf")
		if err := os.WriteFile(p.conf, []byte(b.String()), 0o644); err != nil {
			return nil, err
		}
		r.Logs = append(r.Logs, filepath.Join(opt.Dir, p.name+".log"))
	}
	step := func(format string, args ...any) {
		r.Steps = append(r.Steps, fmt.Sprintf("%7.3fs ", time.Since(r.Start).Seconds())+fmt.Sprintf(format, args...))
	}
	began = time.Now()
	r.Start = began.Add(opt.Settle)
	for _, p := range procs {
		if err := p.start(); err != nil {
			return nil, err
		}
	}
	for _, p := range procs {
		if err := waitPort(ctx, p.port, 10*time.Second); err != nil {
			return nil, fmt.Errorf("%s did not start: %w", p.name, err)
		}
	}
	r.Startup = time.Since(began)
	stopSnap, snapDone := make(chan struct{}), make(chan struct{})
	go r.snapshots(procs, f, stopSnap, snapDone)
	defer func() {
		select {
		case <-stopSnap:
		default:
			close(stopSnap)
			<-snapDone
		}
	}()
	// The timeline, in real time.
	at := time.Duration(0)
	type undo struct {
		at time.Duration
		do func()
	}
	var undos []undo
	var leader *proc
	target := func(g scenarios.Group) ([]*proc, error) {
		var out []*proc
		for _, sel := range g {
			if p := byName[sel.Text]; p != nil {
				out = append(out, p)
				continue
			}
			if sel.Text == "leader" {
				if leader != nil {
					out = append(out, leader)
					continue
				}
				return nil, errors.New("no sentinel has been elected leader yet")
			}
			if sel.Text == "master" {
				m, err := currentMaster(procs, f)
				if err != nil {
					return nil, err
				}
				if p := byName[r.Names[m]]; p != nil {
					out = append(out, p)
					continue
				}
			}
			return nil, &Unsupported{"the selector " + sel.Text}
		}
		return out, nil
	}
	wait := func(d time.Duration) error {
		for len(undos) > 0 {
			next := undos[0]
			if next.at > d {
				break
			}
			undos = undos[1:]
			if err := sleepUntil(ctx, r.Start.Add(next.at)); err != nil {
				return err
			}
			next.do()
		}
		return sleepUntil(ctx, r.Start.Add(d))
	}
	for _, fs := range f.Faults {
		switch {
		case fs.At != nil:
			at = time.Duration(*fs.At) * time.Millisecond
		case fs.On != "":
			// Wait for the event in any sentinel's log, as the simulator's
			// trigger does, then After more.
			p, when, err := waitEvent(ctx, procs, opt.Dir, fs.On, r.Start.Add(at))
			if err != nil {
				return nil, err
			}
			if fs.On == "+elected-leader" {
				leader = p
			}
			at = when.Sub(r.Start)
			if fs.After != nil {
				at += time.Duration(*fs.After) * time.Millisecond
			}
			step("%s logged %s", p.name, fs.On)
		case fs.After != nil:
			at += time.Duration(*fs.After) * time.Millisecond
		}
		if err := wait(at); err != nil {
			return nil, err
		}
		var group scenarios.Group
		var do, undoFn func(p *proc)
		switch {
		case fs.Crash != nil:
			group, do, undoFn = *fs.Crash, func(p *proc) { p.kill(); step("kill -9 %s", p.name) }, func(p *proc) { _ = p.start(); step("start %s", p.name) }
		case fs.CrashHost != nil:
			// Every process of the hosts the group names.
			ps, err := target(*fs.CrashHost)
			if err != nil {
				return nil, err
			}
			var names []string
			for _, p := range ps {
				for _, q := range procs {
					if q.host == p.host && !slices.Contains(names, q.name) {
						names = append(names, q.name)
					}
				}
			}
			for _, n := range names {
				group = append(group, scenarios.Selector{Text: n})
			}
			do, undoFn = func(p *proc) { p.kill(); step("kill -9 %s (host %s)", p.name, p.host) }, func(p *proc) { _ = p.start(); step("start %s", p.name) }
		case fs.Restart != nil:
			group, do = *fs.Restart, func(p *proc) { p.kill(); _ = p.start(); step("restart %s", p.name) }
		case fs.Pause != nil:
			group, do, undoFn = *fs.Pause, func(p *proc) { p.signal(syscall.SIGSTOP); step("SIGSTOP %s", p.name) }, func(p *proc) { p.signal(syscall.SIGCONT); step("SIGCONT %s", p.name) }
		case fs.Resume != nil:
			group, do = *fs.Resume, func(p *proc) { p.signal(syscall.SIGCONT); step("SIGCONT %s", p.name) }
		case fs.Command != nil:
			args := fs.Command.Args
			group, do = fs.Command.To, func(p *proc) {
				reply, err := command(p.port, args...)
				step("%s %s -> %s %v", p.name, strings.Join(args, " "), reply, err)
			}
		}
		ps, err := target(group)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			do(p)
		}
		if fs.For != nil && undoFn != nil {
			back := at + time.Duration(*fs.For)*time.Millisecond
			for _, p := range ps {
				undos = append(undos, undo{at: back, do: func() { undoFn(p) }})
			}
		}
	}
	if err := wait(time.Duration(f.Duration) * time.Millisecond); err != nil {
		return nil, err
	}
	close(stopSnap)
	<-snapDone
	name := masterName(f)
	for _, p := range procs {
		if !p.sentinel || p.cmd == nil {
			continue
		}
		if reply, err := command(p.port, "SENTINEL", "get-master-addr-by-name", name); err == nil {
			if w := strings.Fields(reply); len(w) == 2 && r.FinalMaster == "" {
				r.FinalMaster = r.Names[w[0]+":"+w[1]]
			}
		}
		if reply, err := command(p.port, "SENTINEL", "master", name); err == nil {
			w := strings.Fields(reply)
			for i := 0; i+1 < len(w); i++ {
				if w[i] == "config-epoch" {
					if e, err := strconv.Atoi(w[i+1]); err == nil && e > r.FinalEpoch {
						r.FinalEpoch = e
					}
				}
			}
		}
	}
	return r, nil
}

// masterName is the first master the scenario's sentinels monitor.
func masterName(f *scenarios.File) string {
	for _, line := range strings.Split(f.SentinelConfig, "\n") {
		if w := strings.Fields(line); len(w) >= 3 && w[0] == "sentinel" && w[1] == "monitor" {
			return w[2]
		}
	}
	return "mymaster"
}

// snapshots looks at the deployment every second until stop is closed.
func (r *Real) snapshots(procs []*proc, f *scenarios.File, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	name := masterName(f)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		s := Snapshot{AtMs: time.Since(r.Start).Milliseconds(), Masters: map[string]string{}, Roles: map[string]string{}}
		for _, p := range procs {
			if p.sentinel {
				if reply, err := command(p.port, "SENTINEL", "get-master-addr-by-name", name); err == nil {
					if w := strings.Fields(reply); len(w) == 2 {
						s.Masters[p.name] = r.Names[w[0]+":"+w[1]]
					}
				}
				continue
			}
			if reply, err := command(p.port, "INFO", "replication"); err == nil {
				for _, line := range strings.Split(reply, "\n") {
					if v, ok := strings.CutPrefix(strings.TrimSpace(line), "role:"); ok {
						s.Roles[p.name] = v
					}
				}
			}
		}
		r.Snapshots = append(r.Snapshots, s)
	}
}

func (p *proc) start() error {
	p.cmd = exec.Command(p.bin, p.conf)
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return p.cmd.Start()
}

func (p *proc) signal(s syscall.Signal) {
	if p.cmd != nil && p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(s)
	}
}

func (p *proc) kill() {
	if p.cmd != nil && p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
		p.cmd = nil
	}
}

// stop ends a process whatever state it is in (a stopped one is
// continued first so that it can die).
func (p *proc) stop() {
	p.signal(syscall.SIGCONT)
	p.kill()
}

func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

func waitPort(ctx context.Context, port int, limit time.Duration) error {
	end := time.Now().Add(limit)
	for time.Now().Before(end) {
		if _, err := command(port, "PING"); err == nil {
			return nil
		}
		if err := sleepUntil(ctx, time.Now().Add(50*time.Millisecond)); err != nil {
			return err
		}
	}
	return errors.New("no PONG on port " + strconv.Itoa(port))
}

// currentMaster asks the first sentinel that answers where the master is.
func currentMaster(procs []*proc, f *scenarios.File) (string, error) {
	name := masterName(f)
	for _, p := range procs {
		if !p.sentinel || p.cmd == nil {
			continue
		}
		reply, err := command(p.port, "SENTINEL", "get-master-addr-by-name", name)
		if err == nil {
			f := strings.Fields(reply)
			if len(f) == 2 {
				return f[0] + ":" + f[1], nil
			}
		}
	}
	return "", errors.New("no sentinel named the master")
}

// command sends one command over RESP and returns the reply as text (an
// array's elements joined by spaces).
func command(port int, args ...string) (string, error) {
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.Write([]byte(b.String())); err != nil {
		return "", err
	}
	_, text, err := readReply(bufio.NewReader(c))
	return text, err
}

// readReply reads one RESP reply: its type (status, error, int, bulk,
// array) and a text form (an array's elements joined by spaces).
func readReply(r *bufio.Reader) (kind, text string, err error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", "", errors.New("empty reply")
	}
	switch line[0] {
	case '+':
		return "status", line, nil
	case '-':
		return "error", line, nil
	case ':':
		return "int", line, nil
	case '$':
		n, err := strconv.Atoi(line[1:])
		if err != nil {
			return "", "", err
		}
		if n < 0 {
			return "bulk", "(nil)", nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", "", err
		}
		return "bulk", string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(line[1:])
		if err != nil {
			return "", "", err
		}
		parts := make([]string, 0, max(n, 0))
		for range n {
			_, s, err := readReply(r)
			if err != nil {
				return "", "", err
			}
			parts = append(parts, s)
		}
		return "array", strings.Join(parts, " "), nil
	}
	return "other", line, nil
}

// addrOf reads an address the harness itself wrote.
func addrOf(s string) wire.Addr {
	a, _ := wire.ParseAddr(s)
	return a
}

func orName(host, name string) string {
	if host != "" {
		return host
	}
	return name
}

// waitEvent polls the sentinels' logs for the first line with event typ
// logged after since, and returns the sentinel and when it saw it.
func waitEvent(ctx context.Context, procs []*proc, dir, typ string, since time.Time) (*proc, time.Time, error) {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		for _, p := range procs {
			if !p.sentinel {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, p.name+".log"))
			if err != nil {
				continue
			}
			for _, line := range strings.Split(string(b), "\n") {
				// "pid:X dd Mon yyyy hh:mm:ss.mmm # +type ..."
				f := strings.Fields(line)
				if len(f) >= 7 && f[6] == typ {
					t, err := time.ParseInLocation("02 Jan 2006 15:04:05.000", strings.Join(f[1:5], " "), time.Local)
					if err == nil && !t.Before(since) {
						return p, t, nil
					}
				}
			}
		}
		if err := sleepUntil(ctx, time.Now().Add(20*time.Millisecond)); err != nil {
			return nil, time.Time{}, err
		}
	}
	return nil, time.Time{}, errors.New("no sentinel logged " + typ)
}

// rewrite moves a configuration text onto loopback: every "host port" of a
// scenario address becomes the real one, and the lines the harness sets
// itself (port, bind, dir, logfile, daemonize, pidfile) are dropped.
func rewrite(text string, addrs map[string]string) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		w := strings.Fields(line)
		if len(w) > 0 {
			switch strings.ToLower(w[0]) {
			case "port", "bind", "dir", "logfile", "daemonize", "pidfile":
				continue
			}
		}
		for sa, ra := range addrs {
			a, b := addrOf(sa), addrOf(ra)
			line = strings.ReplaceAll(line, a.Host+" "+strconv.Itoa(a.Port), b.Host+" "+strconv.Itoa(b.Port))
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
