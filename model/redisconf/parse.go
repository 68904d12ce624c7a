package redisconf

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/confargs"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/model"
)

// RedisVersion is the version whose configuration loader Parse reproduces.
const RedisVersion = "7.0.15"

// MaxIncludeDepth bounds nested include directives (Redis has no bound: an
// include loop overflows its stack).
const MaxIncludeDepth = 16

// Error is the first problem Redis 7.0.15 would report for a configuration
// file, with Redis's own message.
type Error struct {
	File string // the name given to Parse, or the included file's name
	Line int    // 1-based line number, as Redis counts it
	Text string // the offending line, trimmed of surrounding blanks
	Msg  string // Redis's message
	// NoLine: Redis found the problem after reading the whole file and its
	// fatal block names no line ("replicaof directive not allowed in
	// cluster mode"); Line and Text are then those of the replicaof line.
	NoLine bool
	// Logged: Redis prints no fatal block but logs Msg and exits (an
	// include that cannot be read, a module config without its module).
	Logged bool
}

// Error formats the error as "file:line: message".
func (e *Error) Error() string {
	return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Msg
}

// Fatal returns what redis-server 7.0.15 prints on stderr before exiting
// with status 1: the FATAL CONFIG FILE ERROR block (or, when Logged, the
// message it logs, without the log line's prefix).
func (e *Error) Fatal() string {
	if e.Logged {
		return e.Msg + "\n"
	}
	s := "\n*** FATAL CONFIG FILE ERROR (Redis " + RedisVersion + ") ***\n"
	if !e.NoLine {
		s += "Reading the configuration file, at line " + strconv.Itoa(e.Line) + "\n>>> '" + e.Text + "'\n"
	}
	return s + e.Msg + "\n"
}

// Options adjusts what Parse cannot know in a world without files.
type Options struct {
	// Include returns the text of the file an include directive names, and
	// false if it cannot be read. nil: include directives are an error.
	Include func(path string) ([]byte, bool)
}

// Parse reads a redis.conf as redis-server 7.0.15 does and applies it on
// top of base (which gives what the file cannot: the node's address and
// directory, and every setting the file leaves out). It returns the
// configuration, or the *Error Redis would report for the first line it
// refuses. See the package documentation for what each directive does.
func Parse(file string, text []byte, base model.Config) (model.Config, error) {
	return ParseWith(file, text, base, Options{})
}

// ParseWith is Parse with options.
func ParseWith(file string, text []byte, base model.Config, o Options) (model.Config, error) {
	p := newParser(base, o)
	if err := p.load(file, text, 0); err != nil {
		return model.Config{}, err
	}
	return p.result(), nil
}

// parser is the loader's state: the configuration being built and what
// Redis keeps in globals while it reads (the command table for
// rename-command, the save points, the master, cluster mode).
type parser struct {
	cfg model.Config
	o   Options

	live map[string]string // command table: current name -> original name, lowercase

	aof        bool
	save       []int64 // save point seconds
	saveLoaded bool    // the first save line resets the points (setConfigSaveOption)
	saveSet    bool    // the file set save points

	cluster  bool
	master   bool // replicaof set a master
	replFile string
	replLine int
	replText string
	renamed  bool // rename-command was used
}

func newParser(base model.Config, o Options) *parser {
	p := &parser{cfg: base, o: o, live: map[string]string{}}
	p.cfg.RenameCommands = maps.Clone(base.RenameCommands)
	for _, c := range commands {
		if !strings.Contains(c, "|") {
			p.live[c] = c
		}
	}
	// The base's renames come first, as if from earlier lines.
	for _, from := range slices.Sorted(maps.Keys(base.RenameCommands)) {
		orig, ok := p.live[strings.ToLower(from)]
		if !ok {
			continue
		}
		delete(p.live, strings.ToLower(from))
		if to := strings.ToLower(base.RenameCommands[from]); to != "" {
			p.live[to] = orig
		}
	}
	p.aof = base.Persistence == model.PersistAOF
	if base.Persistence == model.PersistRDB {
		p.save = []int64{int64(base.SaveInterval / wire.Second)}
	}
	return p
}

// load is loadServerConfigFromString for one file (the main one or an
// included one: Redis loads an include with a nested call, its own line
// numbers and its own final check, on the same global state).
func (p *parser) load(file string, text []byte, depth int) error {
	fail := func(line int, t, msg string) error {
		return &Error{File: file, Line: line, Text: t, Msg: msg}
	}
	for i, raw := range strings.Split(confargs.LoadText(text), "\n") {
		linenum := i + 1
		line := confargs.TrimLine(raw)
		if line == "" || line[0] == '#' {
			continue
		}
		args, ok := confargs.SplitArgs(line)
		if !ok {
			return fail(linenum, line, "Unbalanced quotes in configuration line")
		}
		if len(args) == 0 {
			continue
		}
		name := confargs.ASCIILower(args[0])
		if d := confargs.Lookup(name); d != nil {
			v, msg := confargs.Check(d, args[1:])
			if msg != "" {
				return fail(linenum, line, msg)
			}
			p.apply(d, v, file, linenum, line)
			continue
		}
		if slices.Contains(confargs.Deprecated, name) && len(args) == 2 {
			continue
		}
		switch {
		case name == "include" && len(args) == 2:
			if err := p.include(file, linenum, line, args[1], depth); err != nil {
				return err
			}
		case name == "rename-command" && len(args) == 3:
			if msg := p.rename(args[1], args[2]); msg != "" {
				return fail(linenum, line, msg)
			}
		case name == "user" && len(args) >= 2:
			if msg := confargs.ACLRulesError(args); msg != "" {
				return fail(linenum, line, msg)
			}
			// The rules apply when the node starts (model.Config.Users,
			// ACLLoadConfiguredUsers), after requirepass.
			p.cfg.Users = append(p.cfg.Users, strings.Join(args[1:], " "))
		case name == "loadmodule" && len(args) >= 2:
			return fail(linenum, line, "loadmodule is not supported: a simulated node has no modules")
		case strings.Contains(args[0], "."):
			if len(args) < 2 {
				return fail(linenum, line, "Module config specified without value")
			}
			// Redis queues it, and aborts after loading the file when no
			// module claims it; there are no modules here.
			return &Error{File: file, Line: linenum, Text: line, Logged: true,
				Msg: "Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting"}
		case name == "sentinel":
			if len(args) != 1 {
				return fail(linenum, line, "sentinel directive while not in sentinel mode")
			}
		default:
			return fail(linenum, line, "Bad directive or wrong number of arguments")
		}
	}
	// The sanity check at the end of loadServerConfigFromString.
	if p.cluster && p.master {
		return &Error{File: p.replFile, Line: p.replLine, Text: p.replText, NoLine: true,
			Msg: "replicaof directive not allowed in cluster mode"}
	}
	return nil
}

func (p *parser) include(file string, linenum int, line, path string, depth int) error {
	fail := func(msg string, logged bool) error {
		return &Error{File: file, Line: linenum, Text: line, Msg: msg, Logged: logged}
	}
	switch {
	case p.o.Include == nil:
		return fail("include is not supported in scenarios: put the included directives in the file", false)
	case strings.ContainsAny(path, "*?["):
		return fail("include with a wildcard is not supported in scenarios", false)
	case depth >= MaxIncludeDepth:
		return fail("include nested deeper than "+strconv.Itoa(MaxIncludeDepth)+" files", false)
	}
	text, ok := p.o.Include(path)
	if !ok {
		return fail("Fatal error, can't open config file '"+path+"': No such file or directory", true)
	}
	return p.load(path, text, depth+1)
}

// rename is rename-command: the command table is case-insensitive, a
// command may be renamed again under its new name, "" deletes it.
func (p *parser) rename(from, to string) string {
	from = strings.ToLower(from)
	if base, sub, ok := strings.Cut(from, "|"); ok {
		// lookupCommandBySds finds container|subcommand, then the
		// dictDelete of that name from the top-level table fails.
		if orig, found := p.live[base]; found && !strings.Contains(sub, "|") && slices.Contains(commands, orig+"|"+sub) {
			return "rename-command of a subcommand: Redis 7.0.15 crashes on it (assertion 'retval == DICT_OK' at config.c:543)"
		}
		return "No such command in rename-command"
	}
	orig, ok := p.live[from]
	if !ok {
		return "No such command in rename-command"
	}
	delete(p.live, from)
	if to != "" {
		to = strings.ToLower(to)
		if _, taken := p.live[to]; taken {
			return "Target command name already exists"
		}
		p.live[to] = orig
	}
	p.renamed = true
	return ""
}

// seconds converts a number of seconds to a duration, saturating.
func seconds(n int64) wire.Duration {
	if n > math.MaxInt64/int64(wire.Second) {
		return math.MaxInt64 / wire.Second * wire.Second
	}
	return wire.Duration(n) * wire.Second
}

// apply sets what an accepted standard directive changes in the model.
func (p *parser) apply(d *confargs.Directive, v confargs.Value, file string, linenum int, line string) {
	c := &p.cfg
	switch d.Name {
	case "replicaof":
		if len(v.Settings) == 1 && v.Settings[0].Unset { // replicaof no one
			c.ReplicaOf, p.master = wire.Addr{}, false
			return
		}
		c.ReplicaOf = wire.Addr{Host: v.Args[0], Port: int(v.Num)}
		p.master, p.replFile, p.replLine, p.replText = true, file, linenum, line
	case "cluster-enabled":
		p.cluster = v.Bool
	case "masterauth":
		c.MasterAuth = v.Args[0]
	case "masteruser":
		c.MasterUser = v.Args[0]
	case "requirepass":
		c.RequirePass = v.Args[0]
	case "replica-priority":
		c.ReplicaPriority = int(v.Num)
	case "replica-announced":
		c.ReplicaAnnounced = v.Bool
	case "replica-read-only":
		c.ReplicaReadOnly = v.Bool
	case "replica-serve-stale-data":
		c.ReplicaServeStaleData = v.Bool
	case "replica-announce-ip":
		c.ReplicaAnnounceIP = v.Args[0]
	case "replica-announce-port":
		c.ReplicaAnnouncePort = int(v.Num)
	case "min-replicas-to-write":
		c.MinReplicasToWrite = int(v.Num)
	case "min-replicas-max-lag":
		c.MinReplicasMaxLag = int(v.Num)
	case "repl-backlog-size":
		// Redis keeps what the file says; the model's backlog is at least
		// 16 kB, as after a CONFIG SET (resizeReplicationBacklog).
		c.BacklogSize = max(v.Num, 16*1024)
	case "repl-timeout":
		c.ReplTimeout = seconds(v.Num)
	case "repl-ping-replica-period":
		c.ReplPingPeriod = seconds(v.Num)
	case "stop-writes-on-bgsave-error":
		c.StopWritesOnBgsaveError = v.Bool
	case "appendonly":
		p.aof = v.Bool
	case "save":
		// The first save line of the load replaces the points; later ones
		// add to them; save "" removes them all.
		if !p.saveLoaded || len(v.Args) == 0 {
			p.save, p.saveLoaded = nil, true
		}
		p.saveSet = true
		for j := 0; j < len(v.Args); j += 2 {
			n, _, _ := confargs.StrtollFull(v.Args[j], 10)
			p.save = append(p.save, n)
		}
	}
}

// result is the configuration after the whole file.
func (p *parser) result() model.Config {
	c := p.cfg
	if p.saveSet && len(p.save) > 0 {
		c.SaveInterval = seconds(slices.Min(p.save))
	}
	switch {
	case p.aof:
		c.Persistence = model.PersistAOF
	case len(p.save) > 0:
		c.Persistence = model.PersistRDB
	default:
		c.Persistence = model.PersistNone
	}
	if p.renamed {
		c.RenameCommands = map[string]string{}
		for _, cmd := range commands {
			if !strings.Contains(cmd, "|") {
				c.RenameCommands[cmd] = ""
			}
		}
		for now, orig := range p.live {
			if now == orig {
				delete(c.RenameCommands, orig)
			} else {
				c.RenameCommands[orig] = now
			}
		}
	}
	return c
}

// RedisDefaults returns base with what redis-server 7.0.15 does when its
// file says nothing and model.DefaultConfig does not: RDB snapshots at the
// default save points (3600 1 300 100 60 10000), so every 60 s here.
func RedisDefaults(base model.Config) model.Config {
	base.Persistence = model.PersistRDB
	base.SaveInterval = 60 * wire.Second
	return base
}
