package conf

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
)

type kind uint8

const (
	kBool    kind = iota // yes/no
	kEnum                // one of a list (several at once when multi)
	kNum                 // an integer, maybe memory, percent or octal
	kString              // a string, written quoted
	kSpecial             // its own parser and writer
)

type numFlags uint8

const (
	fMemory  numFlags = 1 << iota // accepts memory units, written with gb/mb/kb
	fPercent                      // accepts N%, stored negative, written N%
	fOctal                        // parsed and written in octal
)

type special uint8

const (
	spNone special = iota
	spBind
	spDir
	spSave
	spCOBL
	spOOMValues
	spNotify
	spReplicaOf
	spPercentiles
)

// stdConfig describes one standard (non-sentinel) directive of Redis 7.0.15.
type stdConfig struct {
	name     string
	kind     kind
	def      string   // default value as Redis writes it
	min, max int64    // bounds of a kNum (ignored when ull)
	ull      bool     // kNum stored as unsigned long long: no bounds
	flags    numFlags // kNum parsing and writing
	enum     []string // kEnum names, in Redis's order
	multi    bool     // kEnum: several names at once (bit flags)
	nullable bool     // kString: "" unsets it (and a rewrite drops the line)
	special  special
}

var stdByName = func() map[string]*stdConfig {
	m := make(map[string]*stdConfig, len(stdConfigs))
	for i := range stdConfigs {
		m[stdConfigs[i].name] = &stdConfigs[i]
	}
	return m
}()

// lookupStd finds a standard directive by (lowercase) name or alias.
func lookupStd(name string) *stdConfig {
	if c, ok := stdByName[name]; ok {
		return c
	}
	if canon, ok := configAliases[name]; ok {
		return stdByName[canon]
	}
	return nil
}

// deprecatedConfigs are accepted and ignored by the loader; a rewrite turns
// their lines into "# ??? " comments.
var deprecatedConfigs = []string{"list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands"}

// multiArg reports whether a directive takes several arguments (and splits a
// single argument on spaces).
func (c *stdConfig) multiArg() bool {
	switch c.special {
	case spBind, spSave, spCOBL, spOOMValues, spReplicaOf, spPercentiles:
		return true
	}
	return c.multi
}

// COBLClasses are the client classes of client-output-buffer-limit in the
// order Redis writes them, with their defaults.
var coblClasses = []struct{ name, def string }{
	{"normal", "0 0 0"},
	{"replica", "256mb 64mb 60"},
	{"pubsub", "32mb 8mb 60"},
}

// setStd applies one standard directive to c, validating it as Redis does.
// args excludes the directive name. It returns Redis's error text or "".
func (c *Config) setStd(sc *stdConfig, args []string) string {
	if !sc.multiArg() && len(args) != 1 {
		return "wrong number of arguments"
	}
	if sc.multiArg() && len(args) == 1 && args[0] != "" {
		split, ok := SplitArgs(args[0])
		if !ok {
			split = nil
		}
		args = split
	}
	switch sc.kind {
	case kBool:
		yn := yesnotoi(args[0])
		if yn < 0 {
			return "argument must be 'yes' or 'no'"
		}
		if sc.name == "activedefrag" && yn == 1 {
			return "Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution"
		}
		c.setSetting(sc.name, map[int]string{0: "no", 1: "yes"}[yn])
	case kEnum:
		v, msg := parseEnum(sc, args)
		if msg != "" {
			return msg
		}
		c.setSetting(sc.name, v)
	case kNum:
		v, msg := parseNum(sc, args[0])
		if msg != "" {
			return msg
		}
		if sc.name == "hz" { // applied at load: clamped to CONFIG_MIN_HZ..CONFIG_MAX_HZ
			v = min(max(v, 1), 500)
		}
		if sc.name == "port" {
			c.Port = int(v)
			return ""
		}
		c.setSetting(sc.name, formatNum(sc, v))
	case kString:
		if msg := validString(sc.name, args[0]); msg != "" {
			return msg
		}
		if sc.name == "requirepass" {
			c.RequirePass = args[0]
			return ""
		}
		if sc.nullable && args[0] == "" {
			delete(c.Settings, sc.name) // back to NULL: no line
			return ""
		}
		c.setSetting(sc.name, Quote(args[0]))
	case kSpecial:
		return c.setSpecial(sc, args)
	}
	return ""
}

func (c *Config) setSetting(name, value string) {
	if c.Settings == nil {
		c.Settings = map[string]string{}
	}
	c.Settings[name] = value
}

func parseEnum(sc *stdConfig, args []string) (string, string) {
	bad := "argument(s) must be one of the following: " + strings.Join(sc.enum, ", ")
	if !sc.multi {
		if len(args) != 1 {
			return "", bad
		}
		i := slices.IndexFunc(sc.enum, func(e string) bool { return strings.EqualFold(e, args[0]) })
		if i < 0 {
			return "", bad
		}
		name := sc.enum[i]
		if sc.name == "oom-score-adj" && name == "relative" {
			name = "yes" // same value; Redis writes the first name of a value
		}
		return name, ""
	}
	// Bit flags (shutdown-on-sigint/sigterm): default=0, then one bit each.
	bits := 0
	for _, a := range args {
		i := slices.IndexFunc(sc.enum, func(e string) bool { return strings.EqualFold(e, a) })
		if i < 0 {
			return "", bad
		}
		if i > 0 {
			bits |= 1 << (i - 1)
		}
	}
	if bits&1 != 0 && bits&2 != 0 {
		return "", "shutdown options SAVE and NOSAVE can't be used simultaneously"
	}
	if bits == 0 {
		return sc.enum[0], ""
	}
	var names []string
	for i := 1; i < len(sc.enum); i++ {
		if bits&(1<<(i-1)) != 0 {
			names = append(names, sc.enum[i])
		}
	}
	return strings.Join(names, " "), ""
}

// parseNum is numericParseString plus numericBoundaryCheck.
func parseNum(sc *stdConfig, s string) (int64, string) {
	var v int64
	parsed := false
	if sc.flags&fMemory != 0 {
		if u, ok := memtoull(s); ok {
			v, parsed = int64(u), true
		}
	}
	if !parsed && sc.flags&fPercent != 0 && len(s) > 1 && s[len(s)-1] == '%' {
		if p, ok := string2ll(s[:len(s)-1]); ok && p >= 0 {
			v, parsed = -p, true
		}
	}
	if !parsed && sc.flags&fOctal != 0 {
		if o, full, rangeErr := strtollFull(s, 8); full && !rangeErr {
			v, parsed = o, true
		}
	}
	if !parsed && sc.flags == 0 {
		v, parsed = string2ll(s)
	}
	if !parsed {
		switch {
		case sc.flags&fMemory != 0 && sc.flags&fPercent != 0:
			return 0, "argument must be a memory or percent value"
		case sc.flags&fMemory != 0:
			return 0, "argument must be a memory value"
		case sc.flags&fOctal != 0:
			return 0, "argument couldn't be parsed as an octal number"
		}
		return 0, "argument couldn't be parsed into an integer"
	}
	if sc.ull {
		return v, ""
	}
	if sc.flags&fPercent != 0 && v < 0 {
		if v < sc.min {
			return 0, "percentage argument must be less or equal to " + strconv.FormatInt(-sc.min, 10)
		}
		return v, ""
	}
	if v < sc.min || v > sc.max {
		if sc.flags&fOctal != 0 {
			return 0, "argument must be between " + strconv.FormatInt(sc.min, 8) + " and " + strconv.FormatInt(sc.max, 8) + " inclusive"
		}
		return 0, "argument must be between " + strconv.FormatInt(sc.min, 10) + " and " + strconv.FormatInt(sc.max, 10) + " inclusive"
	}
	return v, ""
}

// formatNum writes a numeric value as CONFIG REWRITE does.
func formatNum(sc *stdConfig, v int64) string {
	switch {
	case sc.flags&fPercent != 0 && v < 0:
		return strconv.FormatInt(-v, 10) + "%"
	case sc.flags&fMemory != 0:
		return formatMemory(v)
	case sc.flags&fOctal != 0:
		return strconv.FormatUint(uint64(v), 8)
	}
	return strconv.FormatInt(v, 10)
}

// validString applies the validators Redis attaches to some string configs.
func validString(name, v string) string {
	basename := !strings.ContainsAny(v, `/\`)
	switch name {
	case "dbfilename":
		if !basename {
			return "dbfilename can't be a path, just a filename"
		}
	case "appendfilename":
		if v == "" {
			return "appendfilename can't be empty"
		}
		if !basename {
			return "appendfilename can't be a path, just a filename"
		}
	case "appenddirname":
		if v == "" {
			return "appenddirname can't be empty"
		}
		if !basename {
			return "appenddirname can't be a path, just a dirname"
		}
	case "cluster-announce-hostname":
		if len(v) >= 256 {
			return "Hostnames must be less than 256 characters"
		}
		for i := 0; i < len(v); i++ {
			c := v[i]
			if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
				return "Hostnames may only contain alphanumeric characters, hyphens or dots"
			}
		}
	case "proc-title-template":
		if !validProcTitle(v) {
			return "template format is invalid or contains unknown variables"
		}
	}
	return ""
}

// validProcTitle is validateProcTitleTemplate: every {variable} known and
// closed, and the expansion not empty.
func validProcTitle(t string) bool {
	vars := []string{"{title}", "{listen-addr}", "{server-mode}", "{port}", "{tls-port}", "{unixsocket}", "{config-file}"}
	nonEmpty := false
	for i := 0; i < len(t); {
		if t[i] != '{' {
			nonEmpty = true
			i++
			continue
		}
		j := strings.IndexByte(t[i:], '}')
		if j < 0 || !slices.Contains(vars, t[i:i+j+1]) {
			return false
		}
		if t[i:i+j+1] == "{title}" {
			nonEmpty = true // the title is never empty
		}
		i += j + 1
	}
	return nonEmpty
}

// setSpecial handles the directives with their own parsers.
func (c *Config) setSpecial(sc *stdConfig, args []string) string {
	switch sc.special {
	case spBind:
		if len(args) == 1 && args[0] == "" {
			args = nil
		}
		if len(args) > 16 {
			return "Too many bind addresses specified."
		}
		c.Bind = append([]string{}, args...)
	case spDir:
		if args[0] == "" {
			return "No such file or directory" // chdir("") fails with ENOENT
		}
		c.Dir = args[0]
	case spSave:
		if len(args) == 1 && args[0] == "" {
			args = nil
		}
		if len(args)%2 != 0 {
			return "Invalid save parameters"
		}
		for j, a := range args {
			v, full, _ := strtollFull(a, 10)
			if !full || (j%2 == 0 && v < 1) || (j%2 == 1 && v < 0) {
				return "Invalid save parameters"
			}
		}
		// In sentinel mode save points are never written back: nothing to keep.
	case spCOBL:
		if len(args)%4 != 0 {
			return "Wrong number of arguments in buffer limit configuration."
		}
		for j, a := range args {
			if j%4 == 0 {
				if coblClass(a) < 0 {
					return "Invalid client class specified in buffer limit configuration."
				}
				continue
			}
			if v, ok := memtoull(a); !ok || int64(v) < 0 {
				return "Error in hard, soft or soft_seconds setting in buffer limit configuration."
			}
		}
		for j := 0; j < len(args); j += 4 {
			hard, _ := memtoull(args[j+1])
			soft, _ := memtoull(args[j+2])
			secs, _ := strtol(args[j+3])
			c.setSetting("client-output-buffer-limit "+coblClasses[coblClass(args[j])].name,
				formatMemory(int64(hard))+" "+formatMemory(int64(soft))+" "+strconv.FormatInt(secs, 10))
		}
	case spOOMValues:
		if len(args) != 3 {
			return "wrong number of arguments"
		}
		vals := make([]string, 3)
		for i, a := range args {
			v, full, _ := strtollFull(a, 10)
			if !full || v < -2000 || v > 2000 {
				return "Invalid oom-score-adj-values, elements must be between -2000 and 2000."
			}
			vals[i] = strconv.FormatInt(v, 10)
		}
		c.setSetting(sc.name, strings.Join(vals, " "))
	case spNotify:
		if len(args) != 1 {
			return "wrong number of arguments"
		}
		flags, ok := keyspaceEvents(args[0])
		if !ok {
			return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
		}
		c.setSetting(sc.name, Quote(flags))
	case spReplicaOf:
		if len(args) != 2 {
			return "wrong number of arguments"
		}
		if strings.EqualFold(args[0], "no") && strings.EqualFold(args[1], "one") {
			delete(c.Settings, sc.name)
			return ""
		}
		port, full, _ := strtollFull(args[1], 10)
		if port < 0 || port > 65535 || !full {
			delete(c.Settings, sc.name)
			return "Invalid master port"
		}
		c.setSetting(sc.name, args[0]+" "+strconv.FormatInt(port, 10))
	case spPercentiles:
		if len(args) == 1 && args[0] == "" {
			c.setSetting(sc.name, `""`)
			return ""
		}
		var out []string
		for _, a := range args {
			p, ok := string2d(a)
			if !ok {
				return "Invalid latency-tracking-info-percentiles parameters"
			}
			if p > 100 || p < 0 {
				return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
			}
			f := strconv.FormatFloat(p, 'f', 6, 64)
			f = strings.TrimRight(strings.TrimRight(f, "0"), ".")
			out = append(out, f)
		}
		if len(out) == 0 {
			c.setSetting(sc.name, `""`)
			return ""
		}
		c.setSetting(sc.name, strings.Join(out, " "))
	}
	return ""
}

// coblClass is getClientTypeByName restricted to the classes a buffer
// limit may name: an index in coblClasses, or -1.
func coblClass(s string) int {
	switch strings.ToLower(s) {
	case "normal":
		return 0
	case "slave", "replica":
		return 1
	case "pubsub":
		return 2
	}
	return -1
}

// string2d is Redis's strict double parser: strtod over the whole string,
// no surrounding space, no NaN, no overflow.
func string2d(s string) (float64, bool) {
	if s == "" || isCSpace(s[0]) || isCSpace(s[len(s)-1]) || strings.Contains(s, "_") {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != f {
		return 0, false
	}
	return f, true
}

// keyspaceEvents parses notify-keyspace-events flags and returns them in
// the canonical order keyspaceEventsFlagsToString writes.
func keyspaceEvents(s string) (string, bool) {
	const (
		generic = 1 << iota
		str
		list
		set
		hash
		zset
		expired
		evicted
		keyspace
		keyevent
		stream
		keymiss
		module
		newKey
	)
	const all = generic | str | list | set | hash | zset | expired | evicted | stream | module
	flags := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 'A':
			flags |= all
		case 'g':
			flags |= generic
		case '$':
			flags |= str
		case 'l':
			flags |= list
		case 's':
			flags |= set
		case 'h':
			flags |= hash
		case 'z':
			flags |= zset
		case 'x':
			flags |= expired
		case 'e':
			flags |= evicted
		case 'K':
			flags |= keyspace
		case 'E':
			flags |= keyevent
		case 't':
			flags |= stream
		case 'm':
			flags |= keymiss
		case 'd':
			flags |= module
		case 'n':
			flags |= newKey
		default:
			return "", false
		}
	}
	var b strings.Builder
	if flags&all == all {
		b.WriteByte('A')
	} else {
		for _, f := range []struct {
			bit int
			c   byte
		}{{generic, 'g'}, {str, '$'}, {list, 'l'}, {set, 's'}, {hash, 'h'}, {zset, 'z'}, {expired, 'x'}, {evicted, 'e'}, {stream, 't'}, {module, 'd'}, {newKey, 'n'}} {
			if flags&f.bit != 0 {
				b.WriteByte(f.c)
			}
		}
	}
	if flags&keyspace != 0 {
		b.WriteByte('K')
	}
	if flags&keyevent != 0 {
		b.WriteByte('E')
	}
	if flags&keymiss != 0 {
		b.WriteByte('m')
	}
	return b.String(), true
}

// sentinelCommands are the commands a sentinel has, which is what
// rename-command may rename in a sentinel config (lowercase).
var sentinelCommands = []string{"acl", "auth", "client", "command", "hello", "info", "ping", "psubscribe",
	"publish", "punsubscribe", "role", "sentinel", "shutdown", "subscribe", "unsubscribe"}

// defaultUserLine is the ACL line Redis writes for the default user: no
// password, or the SHA-256 of requirepass.
func defaultUserLine(requirepass string) string {
	if requirepass == "" {
		return "user default on nopass ~* &* +@all"
	}
	sum := sha256.Sum256([]byte(requirepass))
	return "user default on #" + hex.EncodeToString(sum[:]) + " ~* &* +@all"
}
