package confargs

import (
	"slices"
	"strconv"
	"strings"
)

// Kind is how a standard directive's arguments are read.
type Kind uint8

// Directive kinds.
const (
	KindBool    Kind = iota // yes/no
	KindEnum                // one of a list (several at once when Multi)
	KindNum                 // an integer, maybe memory, percent or octal
	KindString              // a string, written quoted
	KindSpecial             // its own parser (see Special)
)

// Flags adjust how a KindNum directive is parsed and written.
type Flags uint8

// Numeric flags.
const (
	FlagMemory  Flags = 1 << iota // accepts memory units, written with gb/mb/kb
	FlagPercent                   // accepts N%, stored negative, written N%
	FlagOctal                     // parsed and written in octal
)

// Special names the directives that have their own parser.
type Special uint8

// Special directives.
const (
	SpecialNone Special = iota
	SpecialBind
	SpecialDir
	SpecialSave
	SpecialCOBL
	SpecialOOMValues
	SpecialNotify
	SpecialReplicaOf
	SpecialPercentiles
)

// Directive describes one standard configuration directive of Redis 7.0.15
// (one of config.c's standardConfig table, or a special one).
type Directive struct {
	Name     string
	Kind     Kind
	Def      string   // default value as CONFIG REWRITE writes it
	Min, Max int64    // bounds of a KindNum (ignored when ULL)
	ULL      bool     // KindNum stored as unsigned long long: no bounds
	Flags    Flags    // KindNum parsing and writing
	Enum     []string // KindEnum names, in Redis's order
	Multi    bool     // KindEnum: several names at once (bit flags)
	Nullable bool     // KindString: "" unsets it (and a rewrite drops the line)
	Special  Special
}

var byName = func() map[string]*Directive {
	m := make(map[string]*Directive, len(Directives))
	for i := range Directives {
		m[Directives[i].Name] = &Directives[i]
	}
	return m
}()

// Lookup finds a standard directive by lowercase name or alias; nil if
// there is none.
func Lookup(name string) *Directive {
	if d, ok := byName[name]; ok {
		return d
	}
	if canon, ok := Aliases[name]; ok {
		return byName[canon]
	}
	return nil
}

// Deprecated are the directives the loader accepts and ignores; a rewrite
// turns their lines into "# ??? " comments.
var Deprecated = []string{"list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands"}

// MultiArg reports whether a directive takes several arguments (and splits
// a single argument on spaces).
func (d *Directive) MultiArg() bool {
	switch d.Special {
	case SpecialBind, SpecialSave, SpecialCOBL, SpecialOOMValues, SpecialReplicaOf, SpecialPercentiles:
		return true
	}
	return d.Multi
}

// COBLClasses are the client classes of client-output-buffer-limit in the
// order Redis writes them, with their defaults.
var COBLClasses = []struct{ Name, Def string }{
	{"normal", "0 0 0"},
	{"replica", "256mb 64mb 60"},
	{"pubsub", "32mb 8mb 60"},
}

// Value is a directive's arguments as Redis's loader reads them.
type Value struct {
	// Args are the arguments; a single argument of a multi-argument
	// directive is split as Redis splits it, and bind "" / save "" have
	// none.
	Args []string
	// Bool is a KindBool's value; Num a KindNum's (hz clamped to 1..500 as
	// the loader does).
	Bool bool
	Num  int64
	// Settings is what CONFIG REWRITE writes back for the directive: the
	// option (the canonical name, or "client-output-buffer-limit CLASS")
	// and its arguments as written (strings quoted, sizes with units, enums
	// lowercase); Unset means no line (a nullable string set to "",
	// replicaof no one). bind, dir, port, requirepass and save have none.
	Settings []Setting
}

// Setting is one option as CONFIG REWRITE writes it.
type Setting struct {
	Key, Text string
	Unset     bool
}

// Check reads one standard directive's arguments (without the name) as
// Redis 7.0.15's config loader does. It returns Redis's error text, or ""
// when the line is accepted.
func Check(d *Directive, args []string) (Value, string) {
	if !d.MultiArg() && len(args) != 1 {
		return Value{}, "wrong number of arguments"
	}
	if d.MultiArg() && len(args) == 1 && args[0] != "" {
		split, ok := SplitArgs(args[0])
		if !ok {
			split = nil
		}
		args = split
	}
	v := Value{Args: args}
	set := func(text string) { v.Settings = append(v.Settings, Setting{Key: d.Name, Text: text}) }
	switch d.Kind {
	case KindBool:
		yn := Yesnotoi(args[0])
		if yn < 0 {
			return Value{}, "argument must be 'yes' or 'no'"
		}
		if d.Name == "activedefrag" && yn == 1 {
			return Value{}, "Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution"
		}
		v.Bool = yn == 1
		set(map[bool]string{false: "no", true: "yes"}[v.Bool])
	case KindEnum:
		e, msg := parseEnum(d, args)
		if msg != "" {
			return Value{}, msg
		}
		set(e)
	case KindNum:
		n, msg := parseNum(d, args[0])
		if msg != "" {
			return Value{}, msg
		}
		if d.Name == "hz" { // applied at load: clamped to CONFIG_MIN_HZ..CONFIG_MAX_HZ
			n = min(max(n, 1), 500)
		}
		v.Num = n
		if d.Name != "port" {
			set(formatNum(d, n))
		}
	case KindString:
		if msg := validString(d.Name, args[0]); msg != "" {
			return Value{}, msg
		}
		switch {
		case d.Name == "requirepass":
		case d.Nullable && args[0] == "":
			v.Settings = append(v.Settings, Setting{Key: d.Name, Unset: true}) // back to NULL: no line
		default:
			set(Quote(args[0]))
		}
	case KindSpecial:
		return checkSpecial(d, v)
	}
	return v, ""
}

func parseEnum(d *Directive, args []string) (string, string) {
	bad := "argument(s) must be one of the following: " + strings.Join(d.Enum, ", ")
	if !d.Multi {
		if len(args) != 1 {
			return "", bad
		}
		i := slices.IndexFunc(d.Enum, func(e string) bool { return strings.EqualFold(e, args[0]) })
		if i < 0 {
			return "", bad
		}
		name := d.Enum[i]
		if d.Name == "oom-score-adj" && name == "relative" {
			name = "yes" // same value; Redis writes the first name of a value
		}
		return name, ""
	}
	// Bit flags (shutdown-on-sigint/sigterm): default=0, then one bit each.
	bits := 0
	for _, a := range args {
		i := slices.IndexFunc(d.Enum, func(e string) bool { return strings.EqualFold(e, a) })
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
		return d.Enum[0], ""
	}
	var names []string
	for i := 1; i < len(d.Enum); i++ {
		if bits&(1<<(i-1)) != 0 {
			names = append(names, d.Enum[i])
		}
	}
	return strings.Join(names, " "), ""
}

// parseNum is numericParseString plus numericBoundaryCheck.
func parseNum(d *Directive, s string) (int64, string) {
	var v int64
	parsed := false
	if d.Flags&FlagMemory != 0 {
		if u, ok := Memtoull(s); ok {
			v, parsed = int64(u), true
		}
	}
	if !parsed && d.Flags&FlagPercent != 0 && len(s) > 1 && s[len(s)-1] == '%' {
		if p, ok := String2ll(s[:len(s)-1]); ok && p >= 0 {
			v, parsed = -p, true
		}
	}
	if !parsed && d.Flags&FlagOctal != 0 {
		if o, full, rangeErr := StrtollFull(s, 8); full && !rangeErr {
			v, parsed = o, true
		}
	}
	if !parsed && d.Flags == 0 {
		v, parsed = String2ll(s)
	}
	if !parsed {
		switch {
		case d.Flags&FlagMemory != 0 && d.Flags&FlagPercent != 0:
			return 0, "argument must be a memory or percent value"
		case d.Flags&FlagMemory != 0:
			return 0, "argument must be a memory value"
		case d.Flags&FlagOctal != 0:
			return 0, "argument couldn't be parsed as an octal number"
		}
		return 0, "argument couldn't be parsed into an integer"
	}
	if d.ULL {
		return v, ""
	}
	if d.Flags&FlagPercent != 0 && v < 0 {
		if v < d.Min {
			return 0, "percentage argument must be less or equal to " + strconv.FormatInt(-d.Min, 10)
		}
		return v, ""
	}
	if v < d.Min || v > d.Max {
		if d.Flags&FlagOctal != 0 {
			return 0, "argument must be between " + strconv.FormatInt(d.Min, 8) + " and " + strconv.FormatInt(d.Max, 8) + " inclusive"
		}
		return 0, "argument must be between " + strconv.FormatInt(d.Min, 10) + " and " + strconv.FormatInt(d.Max, 10) + " inclusive"
	}
	return v, ""
}

// formatNum writes a numeric value as CONFIG REWRITE does.
func formatNum(d *Directive, v int64) string {
	switch {
	case d.Flags&FlagPercent != 0 && v < 0:
		return strconv.FormatInt(-v, 10) + "%"
	case d.Flags&FlagMemory != 0:
		return FormatMemory(v)
	case d.Flags&FlagOctal != 0:
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

// COBLClass is getClientTypeByName restricted to the classes a buffer
// limit may name: an index in COBLClasses, or -1.
func COBLClass(s string) int {
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

// String2d is Redis's strict double parser: strtod over the whole string,
// no surrounding space, no NaN, no overflow.
func String2d(s string) (float64, bool) {
	if s == "" || IsCSpace(s[0]) || IsCSpace(s[len(s)-1]) || strings.Contains(s, "_") {
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

// checkSpecial handles the directives with their own parsers; v.Args are
// the arguments, already split.
func checkSpecial(d *Directive, v Value) (Value, string) {
	args := v.Args
	set := func(key, text string) { v.Settings = append(v.Settings, Setting{Key: key, Text: text}) }
	switch d.Special {
	case SpecialBind:
		if len(args) == 1 && args[0] == "" {
			v.Args = nil
		}
		if len(v.Args) > 16 {
			return Value{}, "Too many bind addresses specified."
		}
	case SpecialDir:
		if args[0] == "" {
			return Value{}, "No such file or directory" // chdir("") fails with ENOENT
		}
	case SpecialSave:
		if len(args) == 1 && args[0] == "" {
			args, v.Args = nil, nil
		}
		if len(args)%2 != 0 {
			return Value{}, "Invalid save parameters"
		}
		for j, a := range args {
			n, full, _ := StrtollFull(a, 10)
			if !full || (j%2 == 0 && n < 1) || (j%2 == 1 && n < 0) {
				return Value{}, "Invalid save parameters"
			}
		}
	case SpecialCOBL:
		if len(args)%4 != 0 {
			return Value{}, "Wrong number of arguments in buffer limit configuration."
		}
		for j, a := range args {
			if j%4 == 0 {
				if COBLClass(a) < 0 {
					return Value{}, "Invalid client class specified in buffer limit configuration."
				}
				continue
			}
			if n, ok := Memtoull(a); !ok || int64(n) < 0 {
				return Value{}, "Error in hard, soft or soft_seconds setting in buffer limit configuration."
			}
		}
		for j := 0; j < len(args); j += 4 {
			hard, _ := Memtoull(args[j+1])
			soft, _ := Memtoull(args[j+2])
			secs, _ := Strtol(args[j+3])
			set(d.Name+" "+COBLClasses[COBLClass(args[j])].Name,
				FormatMemory(int64(hard))+" "+FormatMemory(int64(soft))+" "+strconv.FormatInt(secs, 10))
		}
	case SpecialOOMValues:
		if len(args) != 3 {
			return Value{}, "wrong number of arguments"
		}
		vals := make([]string, 3)
		for i, a := range args {
			n, full, _ := StrtollFull(a, 10)
			if !full || n < -2000 || n > 2000 {
				return Value{}, "Invalid oom-score-adj-values, elements must be between -2000 and 2000."
			}
			vals[i] = strconv.FormatInt(n, 10)
		}
		set(d.Name, strings.Join(vals, " "))
	case SpecialNotify:
		if len(args) != 1 {
			return Value{}, "wrong number of arguments"
		}
		flags, ok := keyspaceEvents(args[0])
		if !ok {
			return Value{}, "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
		}
		set(d.Name, Quote(flags))
	case SpecialReplicaOf:
		if len(args) != 2 {
			return Value{}, "wrong number of arguments"
		}
		if strings.EqualFold(args[0], "no") && strings.EqualFold(args[1], "one") {
			v.Settings = append(v.Settings, Setting{Key: d.Name, Unset: true})
			return v, ""
		}
		port, full, _ := StrtollFull(args[1], 10)
		if port < 0 || port > 65535 || !full {
			return Value{}, "Invalid master port"
		}
		v.Num = port
		set(d.Name, args[0]+" "+strconv.FormatInt(port, 10))
	case SpecialPercentiles:
		if len(args) == 1 && args[0] == "" {
			set(d.Name, `""`)
			return v, ""
		}
		var out []string
		for _, a := range args {
			p, ok := String2d(a)
			if !ok {
				return Value{}, "Invalid latency-tracking-info-percentiles parameters"
			}
			if p > 100 || p < 0 {
				return Value{}, "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
			}
			f := strconv.FormatFloat(p, 'f', 6, 64)
			f = strings.TrimRight(strings.TrimRight(f, "0"), ".")
			out = append(out, f)
		}
		if len(out) == 0 {
			set(d.Name, `""`)
			return v, ""
		}
		set(d.Name, strings.Join(out, " "))
	}
	return v, ""
}
