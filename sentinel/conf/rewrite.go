package conf

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// rewriteState is Redis's struct rewriteConfigState. Lines of the old file
// are rewritten in place; new lines go to tail, written as they come (a
// sentinel with 100 masters rewrites hundreds of lines at every discovery
// of a peer, so they are not built as strings first).
type rewriteState struct {
	lines []string
	// replaced[i], when set, is old line i's new text in arena (kept as
	// bytes, like tail: no string per rewritten line); sized at the first
	// replacement. Lines never grow: new ones go to tail.
	replaced []span
	arena    []byte
	// optionToLine maps a lowercase option to its old lines still
	// reusable, and whether it was processed.
	optionToLine   map[string]*optionLines
	tail           []byte
	needsSignature bool
	// numbers caches decimal texts of ints (ports, quorums, delays); a
	// pooled state keeps its cache from one rewrite to the next.
	numbers map[int]string
	size    int           // the old lines' bytes (room for their replacements)
	slots   []optionLines // optionToLine's values (reset)
}

// span is a part of rewriteState.arena; the zero span is none.
type span struct{ start, end int32 }

// optionLines are an option's old lines not yet reused, and whether the
// rewrite processed the option (its unused old lines are then blanked).
type optionLines struct {
	lines     []int
	rewritten bool
}

// readOld is rewriteConfigReadOldFile over the lines c was parsed from:
// a fresh copy of the reading cached in c.old, in a state from the pool.
func (c *Config) readOld() *rewriteState {
	if c.old == nil {
		return c.parseOld()
	}
	c.cacheOld()
	st := rewritePool.Get().(*rewriteState)
	st.reset(c.old)
	return st
}

// rewritePool keeps rewrite states for reuse: a sentinel with 100 masters
// rewrites its file at each of its 200 discoveries, and a state's lines,
// replacements, tail and number texts made afresh were about half of each
// rewrite's time (with the garbage they left).
var rewritePool = sync.Pool{New: func() any { return &rewriteState{numbers: map[int]string{}} }}

// reset makes st a copy of the reading old, keeping st's memory and its
// cache of numbers (texts of ints, the same for every file).
func (st *rewriteState) reset(old *rewriteState) {
	st.lines = append(st.lines[:0], old.lines...)
	st.replaced = st.replaced[:0]
	st.arena = slices.Grow(st.arena[:0], old.size)
	st.tail = st.tail[:0]
	st.needsSignature, st.size = old.needsSignature, old.size
	if st.optionToLine == nil {
		st.optionToLine = make(map[string]*optionLines, len(old.optionToLine))
	} else {
		clear(st.optionToLine)
	}
	// The slots are allocated once here: the map points into them.
	st.slots = slices.Grow(st.slots[:0], len(old.optionToLine))
	for k, v := range old.optionToLine {
		st.slots = append(st.slots, optionLines{lines: v.lines}) // rewriteLine reslices, never writes, these
		st.optionToLine[k] = &st.slots[len(st.slots)-1]
	}
}

// cacheOld fills c.old, shared by c's copies, at the first rewrite.
func (c *Config) cacheOld() {
	if c.old != nil && c.old.optionToLine == nil {
		*c.old = *c.parseOld()
	}
}

// parseOld reads the lines c was parsed from.
func (c *Config) parseOld() *rewriteState {
	st := &rewriteState{optionToLine: map[string]*optionLines{}, needsSignature: true, numbers: map[int]string{}}
	for _, raw := range c.lines {
		line := trimLine(raw)
		if line == "" || line[0] == '#' {
			if st.needsSignature && line == Signature {
				st.needsSignature = false
			}
			st.lines = append(st.lines, line)
			continue
		}
		args, ok := SplitArgs(line)
		var name string
		if ok && len(args) > 0 {
			name = asciiLower(args[0])
		}
		known := name != "" && (lookupStd(name) != nil ||
			slices.Contains([]string{"include", "rename-command", "user", "loadmodule", "sentinel"}, name))
		if !known {
			// Unparsable or unknown (a deprecated directive): kept as a comment.
			st.lines = append(st.lines, "# ??? "+line)
			continue
		}
		if canon, ok := configAliases[name]; ok {
			name = canon
		}
		if name == "sentinel" && len(args) > 1 {
			name = "sentinel " + asciiLower(args[1])
		}
		o := st.optionToLine[name]
		if o == nil {
			o = &optionLines{}
			st.optionToLine[name] = o
		}
		o.lines = append(o.lines, len(st.lines))
		st.lines = append(st.lines, line)
		st.size += len(line) + 16
	}
	return st
}

// rewriteLine is rewriteConfigRewriteLine: reuse the next old line of the
// option, or append when forced.
func (st *rewriteState) rewriteLine(option, line string, force bool) {
	st.rewriteParts(option, force, line)
}

// rewriteParts is rewriteLine for the line made of parts, which is only
// put together if it is written.
func (st *rewriteState) rewriteParts(option string, force bool, parts ...string) {
	st.rewriteOption(st.optionToLine[option], force, parts...)
}

// rewriteOption is rewriteParts for an option already looked up (nil: the
// old file has no line of it), for options written once per master.
func (st *rewriteState) rewriteOption(o *optionLines, force bool, parts ...string) {
	if o != nil {
		o.rewritten = true
	}
	if o != nil && len(o.lines) > 0 {
		if len(st.replaced) == 0 {
			st.replaced = slices.Grow(st.replaced[:0], len(st.lines))[:len(st.lines)]
			clear(st.replaced)
		}
		start := len(st.arena)
		for _, p := range parts {
			st.arena = append(st.arena, p...)
		}
		st.replaced[o.lines[0]] = span{int32(start), int32(len(st.arena))}
		o.lines = o.lines[1:]
		return
	}
	if !force {
		return
	}
	if st.needsSignature {
		st.tail = append(st.tail, Signature...)
		st.tail = append(st.tail, '\n')
		st.needsSignature = false
	}
	for _, p := range parts {
		st.tail = append(st.tail, p...)
	}
	st.tail = append(st.tail, '\n') // never an empty line: it starts with the option
}

func (st *rewriteState) processed(option string) {
	if o := st.optionToLine[option]; o != nil {
		o.rewritten = true
	}
}

// content is rewriteConfigRemoveOrphaned followed by
// rewriteConfigGetContentFromState: unused lines of processed options are
// blanked, runs of empty lines collapse to one, every line ends in "\n".
// The file is appended to dst.
func (st *rewriteState) content(dst []byte) []byte {
	for _, o := range st.optionToLine {
		if o.rewritten {
			for _, i := range o.lines {
				st.lines[i] = ""
			}
		}
	}
	size := len(st.tail) + len(st.arena)
	for _, l := range st.lines {
		size += len(l) + 1
	}
	b := slices.Grow(dst, size)
	wasEmpty := false
	for i, l := range st.lines {
		if i < len(st.replaced) && st.replaced[i].end > st.replaced[i].start {
			r := st.replaced[i]
			b = append(b, st.arena[r.start:r.end]...)
			b = append(b, '\n')
			wasEmpty = false
			continue
		}
		if l == "" {
			if wasEmpty {
				continue
			}
			wasEmpty = true
		} else {
			wasEmpty = false
		}
		b = append(b, l...)
		b = append(b, '\n')
	}
	return append(b, st.tail...)
}

// Rewrite returns the file Redis 7.0.15 writes for c when it persists its
// state (sentinelFlushConfig, i.e. CONFIG REWRITE over the file c was
// parsed from):
//
//   - every line is trimmed; comments and blank lines stay where they were,
//     runs of blank lines collapse to one;
//   - a directive Redis knows is rewritten in place, in canonical form
//     (lowercase name, alias replaced by its name, strings quoted, sizes in
//     gb/mb/kb); a value that is no longer set blanks its line; duplicate
//     lines of one directive are blanked; save lines disappear (a sentinel
//     does not write them); deprecated directives become "# ??? " comments;
//     rename-command, include, a bare "sentinel" and
//     "sentinel known-slave" lines are kept as they are (Redis 7.0 writes
//     known-replica lines instead, so a file with known-slave lines no
//     longer loads after a rewrite: "Duplicate hostname and port for
//     replica." — see Check);
//   - what is set but has no line yet is appended after "# Generated by
//     CONFIG REWRITE": first the standard directives that differ from their
//     defaults (a sentinel always writes port 26379, protected-mode no,
//     latency-tracking-info-percentiles 50 99 99.9 and dir), then the user
//     lines (the default user: "user default on nopass ~* &* +@all", or
//     #<sha256 of requirepass>), then the sentinel state: myid,
//     deny-scripts-reconfig (if no), resolve-hostnames and
//     announce-hostnames (if yes), per master monitor, down-after-milliseconds,
//     failover-timeout, parallel-syncs (each if not the default),
//     notification-script, client-reconfig-script, auth-pass, auth-user,
//     master-reboot-down-after-period (if set), config-epoch, leader-epoch
//     (always), known-replica and known-sentinel lines, rename-command
//     lines; then current-epoch (always), announce-ip (quoted),
//     announce-port, sentinel-user, sentinel-pass (if set).
//
// Order: Redis walks hash tables (the standard directives, the masters, each
// master's replicas, sentinels and renamed commands) whose order changes
// from run to run. Rewrite instead appends standard directives sorted by
// name, writes masters, replicas and sentinels in slice order and renamed
// commands sorted by name, so its output is deterministic and equals one of
// the outputs Redis can produce.
//
// Values are written as Redis writes them, unquoted except announce-ip and
// the standard string directives: a master name, password or run id with a
// space is written so that it no longer reads back (Check reports it).
// Deviations from Redis: empty AuthPass, AuthUser and scripts are unset
// (Redis would write a line it cannot read back); an unset MyID writes no
// myid line (Redis always has one); Dir is written as set, not as an
// absolute getcwd(); a host name is written as the name even without
// announce-hostnames (Redis writes the address it resolved to); user lines
// other than the default user's are kept verbatim, not re-described.
func (c *Config) Rewrite() []byte {
	return c.rewrite(nil, c.readOld())
}

// RewriteFunc returns a function that appends what Rewrite returns now to
// dst, safe to call later on another goroutine as long as c is not changed
// (sentinels change their Config by copying it): for a Persist that
// makes its bytes only when they are needed (wire.LazyPersister). The
// reading of the old file shared by c's copies is made here.
func (c *Config) RewriteFunc() func(dst []byte) []byte {
	c.cacheOld()
	return func(dst []byte) []byte { return c.rewrite(dst, c.readOld()) }
}

// rewrite appends the file to dst and gives st back to the pool.
func (c *Config) rewrite(dst []byte, st *rewriteState) []byte {
	c.rewriteStandard(st)
	c.rewriteUsers(st)
	st.processed("loadmodule")
	c.rewriteSentinel(st)
	b := st.content(dst)
	rewritePool.Put(st)
	return b
}

// rewriteStandard writes every standard directive, sorted by name.
func (c *Config) rewriteStandard(st *rewriteState) {
	for i := range stdConfigs {
		sc := &stdConfigs[i]
		name := sc.Name
		value, set := c.Settings[name]
		switch {
		case sc.Kind == kSpecial:
			c.rewriteSpecial(st, sc)
		case name == "port":
			st.rewriteLine(name, "port "+itoa(c.Port), c.Port != 6379)
		case name == "requirepass":
			if c.RequirePass == "" {
				st.processed(name)
			} else {
				st.rewriteLine(name, name+" "+Quote(c.RequirePass), true)
			}
		case name == "protected-mode" && !set: // sentinel mode turns it off
			st.rewriteLine(name, name+" no", true)
		case sc.Kind == kString:
			def := Quote(sc.Def)
			if sc.Nullable && sc.Def == "" {
				def = ""
			}
			if !set {
				value = def
			}
			if value == "" {
				st.processed(name) // NULL: no line
				continue
			}
			st.rewriteParts(name, value != def, name, " ", value)
		default:
			if !set {
				value = sc.Def
			}
			st.rewriteParts(name, value != sc.Def, name, " ", value)
		}
	}
}

func (c *Config) rewriteSpecial(st *rewriteState, sc *stdConfig) {
	name := sc.Name
	value, set := c.Settings[name]
	switch sc.Special {
	case spSave:
		st.processed(name)
	case spDir:
		if c.Dir == "" {
			st.processed(name)
		} else {
			st.rewriteLine(name, name+" "+Quote(c.Dir), true)
		}
	case spBind:
		if c.Bind == nil || slices.Equal(c.Bind, []string{"*", "-::*"}) {
			st.processed(name)
		} else if len(c.Bind) == 0 {
			st.rewriteLine(name, `bind ""`, true)
		} else {
			st.rewriteLine(name, "bind "+strings.Join(c.Bind, " "), true)
		}
	case spCOBL:
		for _, cl := range coblClasses {
			v, ok := c.Settings[name+" "+cl.Name]
			if !ok {
				v = cl.Def
			}
			st.rewriteLine(name, name+" "+cl.Name+" "+v, v != cl.Def)
		}
	case spOOMValues:
		if !set {
			value = "0 200 800"
		}
		st.rewriteLine(name, name+" "+value, value != "0 200 800")
	case spNotify:
		if !set {
			value = `""`
		}
		st.rewriteLine(name, name+" "+value, value != `""`)
	case spReplicaOf:
		if !set {
			st.processed(name)
		} else {
			st.rewriteLine(name, name+" "+value, true)
		}
	case spPercentiles:
		if !set {
			value = "50 99 99.9"
		}
		st.rewriteLine(name, name+" "+value, true)
	}
}

// rewriteUsers writes the ACL users sorted by name, as Redis walks its
// users radix tree.
func (c *Config) rewriteUsers(st *rewriteState) {
	users := map[string]string{"default": defaultUserLine(c.RequirePass)}
	for name, line := range c.users {
		users[name] = line
	}
	names := make([]string, 0, len(users))
	for n := range users {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		st.rewriteLine("user", users[n], true)
	}
	st.processed("user")
}

// announce is announceSentinelAddr for an address as Config keeps it.
func announce(a wire.Addr) string { return a.Host }

func (c *Config) rewriteSentinel(st *rewriteState) {
	if c.MyID != "" {
		st.rewriteLine("sentinel myid", "sentinel myid "+c.MyID, true)
	} else {
		st.processed("sentinel myid")
	}
	st.rewriteLine("sentinel deny-scripts-reconfig", "sentinel deny-scripts-reconfig "+yesno(c.DenyScripts), !c.DenyScripts)
	st.rewriteLine("sentinel resolve-hostnames", "sentinel resolve-hostnames "+yesno(c.ResolveHostnames), c.ResolveHostnames)
	st.rewriteLine("sentinel announce-hostnames", "sentinel announce-hostnames "+yesno(c.AnnounceHostnames), c.AnnounceHostnames)
	st.tail = slices.Grow(st.tail, 256*len(c.Masters))
	// The options written for every master, looked up once.
	monitor, downAfter := st.optionToLine["sentinel monitor"], st.optionToLine["sentinel down-after-milliseconds"]
	failoverTimeout, parallelSyncs := st.optionToLine["sentinel failover-timeout"], st.optionToLine["sentinel parallel-syncs"]
	configEpoch, leaderEpoch := st.optionToLine["sentinel config-epoch"], st.optionToLine["sentinel leader-epoch"]
	knownReplica, knownSentinel := st.optionToLine["sentinel known-replica"], st.optionToLine["sentinel known-sentinel"]
	for i := range c.Masters {
		m := &c.Masters[i]
		n := m.Name
		st.rewriteOption(monitor, true, "sentinel monitor ", n, " ", announce(m.Addr), " ", st.itoa(m.Addr.Port), " ", st.itoa(m.Quorum))
		if m.DownAfter != DefaultDownAfter {
			st.rewriteOption(downAfter, true, "sentinel down-after-milliseconds ", n, " ", st.itoa(int(m.DownAfter)))
		}
		if m.FailoverTimeout != DefaultFailoverTimeout {
			st.rewriteOption(failoverTimeout, true, "sentinel failover-timeout ", n, " ", st.itoa(int(m.FailoverTimeout)))
		}
		if m.ParallelSyncs != DefaultParallelSyncs {
			st.rewriteOption(parallelSyncs, true, "sentinel parallel-syncs ", n, " ", st.itoa(m.ParallelSyncs))
		}
		for _, o := range []struct{ option, value string }{
			{"notification-script", m.NotificationScript},
			{"client-reconfig-script", m.ClientReconfigScript},
			{"auth-pass", m.AuthPass},
			{"auth-user", m.AuthUser},
		} {
			if o.value != "" {
				st.rewriteLine("sentinel "+o.option, "sentinel "+o.option+" "+n+" "+o.value, true)
			}
		}
		if m.MasterRebootDownAfterPeriod != 0 {
			st.rewriteLine("sentinel master-reboot-down-after-period",
				"sentinel master-reboot-down-after-period "+n+" "+dur(m.MasterRebootDownAfterPeriod), true)
		}
		st.rewriteOption(configEpoch, true, "sentinel config-epoch ", n, " ", strconv.FormatUint(m.ConfigEpoch, 10))
		st.rewriteOption(leaderEpoch, true, "sentinel leader-epoch ", n, " ", strconv.FormatUint(m.LeaderEpoch, 10))
		for _, r := range m.KnownReplicas {
			st.rewriteOption(knownReplica, true, "sentinel known-replica ", n, " ", announce(r), " ", st.itoa(r.Port))
		}
		for _, s := range m.KnownSentinels {
			st.rewriteOption(knownSentinel, true, "sentinel known-sentinel ", n, " ", announce(s.Addr), " ", st.itoa(s.Addr.Port), " ", s.RunID)
		}
		if len(m.RenameCommands) == 0 {
			continue
		}
		cmds := make([]string, 0, len(m.RenameCommands))
		for k := range m.RenameCommands {
			cmds = append(cmds, k)
		}
		sort.Strings(cmds)
		for _, k := range cmds {
			st.rewriteLine("sentinel rename-command", "sentinel rename-command "+n+" "+k+" "+m.RenameCommands[k], true)
		}
	}
	st.rewriteLine("sentinel current-epoch", "sentinel current-epoch "+strconv.FormatUint(c.CurrentEpoch, 10), true)
	if c.AnnounceIP != "" {
		st.rewriteLine("sentinel announce-ip", "sentinel announce-ip "+Quote(c.AnnounceIP), true)
	} else {
		st.processed("sentinel announce-ip")
	}
	if c.AnnouncePort != 0 {
		st.rewriteLine("sentinel announce-port", "sentinel announce-port "+itoa(c.AnnouncePort), true)
	} else {
		st.processed("sentinel announce-port")
	}
	if c.SentinelUser != "" {
		st.rewriteLine("sentinel sentinel-user", "sentinel sentinel-user "+c.SentinelUser, true)
	} else {
		st.processed("sentinel sentinel-user")
	}
	if c.SentinelPass != "" {
		st.rewriteLine("sentinel sentinel-pass", "sentinel sentinel-pass "+c.SentinelPass, true)
	} else {
		st.processed("sentinel sentinel-pass")
	}
	for _, o := range []string{"monitor", "down-after-milliseconds", "failover-timeout", "parallel-syncs",
		"notification-script", "client-reconfig-script", "auth-pass", "auth-user",
		"master-reboot-down-after-period", "config-epoch", "leader-epoch", "known-replica",
		"known-sentinel", "rename-command"} {
		st.processed("sentinel " + o)
	}
}

// itoa is the decimal text of n, from the cache.
func (st *rewriteState) itoa(n int) string {
	if s, ok := st.numbers[n]; ok {
		return s
	}
	s := strconv.Itoa(n)
	if len(st.numbers) < 4096 {
		st.numbers[n] = s
	}
	return s
}

func yesno(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func dur(d wire.Duration) string { return strconv.FormatInt(int64(d), 10) }
