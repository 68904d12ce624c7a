package conf

import (
	"slices"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Options adjusts what Parse cannot know in a world without files.
type Options struct {
	// Executable reports whether a notification or client-reconfig script
	// exists and is executable (Redis checks access(path, X_OK)). nil
	// accepts every path.
	Executable func(path string) bool
}

// Parse reads a sentinel configuration file as redis-server --sentinel
// 7.0.15 does and returns it, or the *Error Redis would print for it.
//
// Like Redis, it reads every non-sentinel line in file order first (the
// first bad one is the error), then the sentinel lines in three passes:
// the global ones (announce-ip, announce-port, deny-scripts-reconfig,
// sentinel-user, sentinel-pass, current-epoch, myid, resolve-hostnames,
// announce-hostnames), then every monitor line, then the rest. So a
// per-master line may come before its monitor line, and the error reported
// is not always the first bad line of the file.
//
// What depends on the host is not checked: dir, logfile, include and
// loadmodule files, and script paths (see Options); include and loadmodule
// are refused. Host names never resolve: they are accepted as given when
// resolve-hostnames is on (Redis too accepts unresolvable names from its
// config file then) and refused otherwise.
func Parse(file string, text []byte) (*Config, error) {
	return ParseWith(file, text, Options{})
}

// queued is a sentinel line waiting for its pass.
type queued struct {
	args []string // after "sentinel"
	line int
	text string
}

// preMonitor are the sentinel directives loaded before any monitor line.
var preMonitor = []string{"announce-ip", "announce-port", "deny-scripts-reconfig", "sentinel-user",
	"sentinel-pass", "current-epoch", "myid", "resolve-hostnames", "announce-hostnames"}

// ParseWith is Parse with options.
func ParseWith(file string, text []byte, o Options) (*Config, error) {
	c := New()
	if len(text) > 0 {
		c.lines = strings.Split(string(text), "\n")
		c.old = &rewriteState{}
	}
	fail := func(line int, t, msg string) (*Config, error) {
		return nil, &Error{File: file, Line: line, Text: t, Msg: msg}
	}
	renamed := slices.Clone(sentinelCommands) // the command table, for rename-command
	var pre, mon, post []queued
	for i, raw := range strings.Split(loadText(text), "\n") {
		linenum := i + 1
		line := trimLine(raw)
		if line == "" || line[0] == '#' {
			continue
		}
		args, ok := SplitArgs(line)
		if !ok {
			return fail(linenum, line, "Unbalanced quotes in configuration line")
		}
		if len(args) == 0 {
			continue
		}
		name := asciiLower(args[0])
		if sc := lookupStd(name); sc != nil {
			if msg := c.setStd(sc, args[1:]); msg != "" {
				return fail(linenum, line, msg)
			}
			continue
		}
		if slices.Contains(deprecatedConfigs, name) && len(args) == 2 {
			continue // deprecated_configs: exactly one argument
		}
		switch {
		case name == "include" && len(args) == 2:
			return fail(linenum, line, "include is not supported: a simulated sentinel has no other files")
		case name == "rename-command" && len(args) == 3:
			from := slices.IndexFunc(renamed, func(s string) bool { return strings.EqualFold(s, args[1]) })
			if from < 0 {
				return fail(linenum, line, "No such command in rename-command")
			}
			renamed = slices.Delete(renamed, from, from+1)
			if args[2] != "" {
				if slices.ContainsFunc(renamed, func(s string) bool { return strings.EqualFold(s, args[2]) }) {
					return fail(linenum, line, "Target command name already exists")
				}
				renamed = append(renamed, args[2])
			}
		case name == "user" && len(args) >= 2:
			if msg := aclRulesError(args); msg != "" {
				return fail(linenum, line, msg)
			}
			if c.users == nil {
				c.users = map[string]string{}
			}
			c.users[args[1]] = line
		case name == "loadmodule" && len(args) >= 2:
			return fail(linenum, line, "loadmodule is not supported: a simulated sentinel has no modules")
		case strings.Contains(args[0], ".") && len(args) < 2:
			return fail(linenum, line, "Module config specified without value")
		case name == "sentinel":
			if len(args) == 1 {
				continue // a bare "sentinel" only selects sentinel mode
			}
			q := queued{args: args[1:], line: linenum, text: line}
			switch sub := asciiLower(args[1]); {
			case sub == "monitor":
				mon = append(mon, q)
			case slices.Contains(preMonitor, sub):
				pre = append(pre, q)
			default:
				post = append(post, q)
			}
		default:
			return fail(linenum, line, "Bad directive or wrong number of arguments")
		}
	}
	for _, pass := range [][]queued{pre, mon, post} {
		for _, q := range pass {
			if msg := c.sentinelDirective(q.args, o); msg != "" {
				return fail(q.line, q.text, msg)
			}
		}
	}
	c.dropDefaults()
	return c, nil
}

// dropDefaults removes from Settings the values a sentinel has anyway, and
// the default user when it is the one Redis would write.
func (c *Config) dropDefaults() {
	if slices.Equal(c.Bind, []string{"*", "-::*"}) {
		c.Bind = nil
	}
	for k, v := range c.Settings {
		if v == effectiveDefault(k) {
			delete(c.Settings, k)
		}
	}
	if len(c.Settings) == 0 {
		c.Settings = nil
	}
	if c.users["default"] == defaultUserLine(c.RequirePass) {
		delete(c.users, "default")
	}
	if len(c.users) == 0 {
		c.users = nil
	}
}

// effectiveDefault is the value a sentinel uses for a Settings key when the
// file does not set it, as Rewrite writes it ("" for none).
func effectiveDefault(key string) string {
	if class, ok := strings.CutPrefix(key, "client-output-buffer-limit "); ok {
		for _, cl := range coblClasses {
			if cl.Name == class {
				return cl.Def
			}
		}
		return ""
	}
	switch key {
	case "protected-mode":
		return "no" // sentinel mode turns it off before reading the file
	case "oom-score-adj-values":
		return "0 200 800"
	case "notify-keyspace-events":
		return `""`
	case "latency-tracking-info-percentiles":
		return "50 99 99.9"
	}
	sc := lookupStd(key)
	if sc == nil || sc.Kind == kSpecial {
		return ""
	}
	if sc.Kind == kString {
		if sc.Nullable && sc.Def == "" {
			return ""
		}
		return Quote(sc.Def)
	}
	return sc.Def
}

// instanceAddr is createSentinelAddr: the port must be 0..65535, the host an
// IP address, or anything when resolve-hostnames is on.
func (c *Config) instanceAddr(host, port string) (wire.Addr, string) {
	p := atoi(port)
	if p < 0 || p > 65535 {
		return wire.Addr{}, "Invalid port number."
	}
	if ip, ok := NormalizeIP(host); ok {
		return wire.Addr{Host: ip, Port: p}, ""
	}
	if !c.ResolveHostnames {
		return wire.Addr{}, "Can't resolve instance hostname."
	}
	return wire.Addr{Host: host, Port: p}, ""
}

// sentinelDirective is sentinelHandleConfiguration: one "sentinel ..." line
// without the word sentinel. It returns Redis's error text or "".
func (c *Config) sentinelDirective(argv []string, o Options) string {
	const noMaster = "No such master with specified name."
	argc := len(argv)
	master := func() *Master {
		if argc < 2 {
			return nil
		}
		return c.Master(argv[1])
	}
	switch d := asciiLower(argv[0]); {
	case d == "monitor" && argc == 5:
		quorum := atoi(argv[4])
		if quorum <= 0 {
			return "Quorum must be 1 or greater."
		}
		addr, msg := c.instanceAddr(argv[2], argv[3])
		if msg != "" {
			return msg
		}
		if c.Master(argv[1]) != nil {
			return "Duplicate master name."
		}
		c.Masters = append(c.Masters, NewMaster(argv[1], addr, quorum))
	case (d == "down-after-milliseconds" || d == "failover-timeout") && argc == 3:
		m := master()
		if m == nil {
			return noMaster
		}
		v := wire.Duration(atoi(argv[2]))
		if d == "down-after-milliseconds" {
			m.DownAfter = v
		} else {
			m.FailoverTimeout = v
		}
		if v <= 0 {
			return "negative or zero time parameter."
		}
	case d == "parallel-syncs" && argc == 3:
		m := master()
		if m == nil {
			return noMaster
		}
		m.ParallelSyncs = atoi(argv[2])
	case (d == "notification-script" || d == "client-reconfig-script") && argc == 3:
		m := master()
		if m == nil {
			return noMaster
		}
		ok := argv[2] != "" && (o.Executable == nil || o.Executable(argv[2]))
		if d == "notification-script" {
			if !ok {
				return "Notification script seems non existing or non executable."
			}
			m.NotificationScript = argv[2]
		} else {
			if !ok {
				return "Client reconfiguration script seems non existing or non executable."
			}
			m.ClientReconfigScript = argv[2]
		}
	case (d == "auth-pass" || d == "auth-user") && argc == 3:
		m := master()
		if m == nil {
			return noMaster
		}
		if d == "auth-pass" {
			m.AuthPass = argv[2]
		} else {
			m.AuthUser = argv[2]
		}
	case d == "current-epoch" && argc == 2:
		c.CurrentEpoch = max(c.CurrentEpoch, strtoull(argv[1]))
	case d == "myid" && argc == 2:
		if len(argv[1]) != IDLength {
			return "Malformed Sentinel id in myid option."
		}
		c.MyID = argv[1]
	case d == "config-epoch" && argc == 3:
		m := master()
		if m == nil {
			return noMaster
		}
		m.ConfigEpoch = strtoull(argv[2])
		c.CurrentEpoch = max(c.CurrentEpoch, m.ConfigEpoch)
	case d == "leader-epoch" && argc == 3:
		m := master()
		if m == nil {
			return noMaster
		}
		m.LeaderEpoch = strtoull(argv[2])
	case (d == "known-slave" || d == "known-replica") && argc == 4:
		m := master()
		if m == nil {
			return noMaster
		}
		addr, msg := c.instanceAddr(argv[2], argv[3])
		if msg != "" {
			return msg
		}
		if slices.Contains(m.KnownReplicas, addr) {
			return "Duplicate hostname and port for replica."
		}
		m.KnownReplicas = append(m.KnownReplicas, addr)
	case d == "known-sentinel" && (argc == 4 || argc == 5):
		if argc == 4 {
			return "" // the old form without run id is ignored
		}
		m := master()
		if m == nil {
			return noMaster
		}
		addr, msg := c.instanceAddr(argv[2], argv[3])
		if msg != "" {
			return msg
		}
		if slices.ContainsFunc(m.KnownSentinels, func(s KnownSentinel) bool { return s.RunID == argv[4] }) {
			return "Duplicate runid for sentinel."
		}
		m.KnownSentinels = append(m.KnownSentinels, KnownSentinel{Addr: addr, RunID: argv[4]})
	case d == "rename-command" && argc == 4:
		m := master()
		if m == nil {
			return noMaster
		}
		for k := range m.RenameCommands {
			if strings.EqualFold(k, argv[2]) {
				return "Same command renamed multiple times with rename-command."
			}
		}
		if m.RenameCommands == nil {
			m.RenameCommands = map[string]string{}
		}
		m.RenameCommands[argv[2]] = argv[3]
	case d == "announce-ip" && argc == 2:
		if argv[1] != "" {
			c.AnnounceIP = argv[1]
		}
	case d == "announce-port" && argc == 2:
		c.AnnouncePort = atoi(argv[1])
	case d == "deny-scripts-reconfig" && argc == 2:
		yn := yesnotoi(argv[1])
		if yn < 0 {
			return "Please specify yes or no for the deny-scripts-reconfig options."
		}
		c.DenyScripts = yn == 1
	case (d == "sentinel-user" || d == "sentinel-pass") && argc == 2:
		if argv[1] != "" {
			if d == "sentinel-user" {
				c.SentinelUser = argv[1]
			} else {
				c.SentinelPass = argv[1]
			}
		}
	case (d == "resolve-hostnames" || d == "announce-hostnames") && argc == 2:
		yn := yesnotoi(argv[1])
		if yn < 0 {
			return "Please specify yes or no for the " + d + " option."
		}
		if d == "resolve-hostnames" {
			c.ResolveHostnames = yn == 1
		} else {
			c.AnnounceHostnames = yn == 1
		}
	case d == "master-reboot-down-after-period" && argc == 3:
		m := master()
		if m == nil {
			return noMaster
		}
		m.MasterRebootDownAfterPeriod = wire.Duration(atoi(argv[2]))
		if m.MasterRebootDownAfterPeriod < 0 {
			return "negative time parameter."
		}
	default:
		return "Unrecognized sentinel configuration statement."
	}
	return ""
}

// itoa is strconv.Itoa, short.
func itoa(n int) string { return strconv.Itoa(n) }
