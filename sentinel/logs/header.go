package logs

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// findHeader finds the Redis header in line s, after whatever prefix a log
// shipper added, by trying every place where one could start: "[digits] "
// (2.x) and "digits:R " or "digits:signal-handler (" (3.0+) not glued to a
// word. The first place that decodes wins; if places look like a header
// but none decodes, the first one's error is returned. No place at all
// means the line is not a Redis line (nil, nil).
func findHeader(s string) (*Entry, error) {
	var first error
	for i := 0; i < len(s); i++ {
		c := s[i]
		var sh shape
		var ok bool
		switch {
		case c == '[':
			sh, ok = bracketShape(s, i)
		case isDigit(c) && (i == 0 || !isAlnum(s[i-1])):
			sh, ok = pidShape(s, i)
		}
		if !ok {
			continue
		}
		e, err := sh.decode()
		if err == nil {
			e.Prefix = s[:i]
			return e, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}

// shape is a place in a line that looks like the start of a Redis header.
type shape struct {
	pid    string
	role   Role
	signal bool
	rest   string // after "] ", "X " or "signal-handler ("
}

// bracketShape matches "[digits]" followed by a space or the end of line.
func bracketShape(s string, i int) (shape, bool) {
	j := i + 1
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j == i+1 || j >= len(s) || s[j] != ']' {
		return shape{}, false
	}
	pid := s[i+1 : j]
	j++
	if j == len(s) {
		return shape{pid: pid}, true
	}
	if s[j] != ' ' {
		return shape{}, false
	}
	return shape{pid: pid, rest: s[j+1:]}, true
}

// pidShape matches "digits:R" (R an upper-case letter) followed by a space
// or the end of line, and "digits:signal-handler (".
func pidShape(s string, i int) (shape, bool) {
	j := i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j >= len(s) || s[j] != ':' {
		return shape{}, false
	}
	pid := s[i:j]
	j++
	if rest, ok := strings.CutPrefix(s[j:], "signal-handler ("); ok {
		return shape{pid: pid, signal: true, rest: rest}, true
	}
	if j >= len(s) || s[j] < 'A' || s[j] > 'Z' {
		return shape{}, false
	}
	role := Role(s[j])
	j++
	if j == len(s) {
		return shape{pid: pid, role: role}, true
	}
	if s[j] != ' ' {
		return shape{}, false
	}
	return shape{pid: pid, role: role, rest: s[j+1:]}, true
}

var errTruncated = errors.New("truncated header")

func (sh shape) decode() (*Entry, error) {
	pid, err := strconv.Atoi(sh.pid)
	if err != nil || pid > math.MaxInt32 {
		return nil, errors.New("pid " + quote(sh.pid) + " out of range")
	}
	e := &Entry{PID: pid, Role: sh.role, Signal: sh.signal}
	if sh.signal {
		return e, sh.decodeSignal(e)
	}
	switch sh.role {
	case RoleNone, RoleSentinel, RoleMaster, RoleReplica, RoleChild:
	default:
		return nil, errors.New("unknown role " + quote(string(sh.role)))
	}
	rest := sh.rest
	stamp, rest, err := cutStamp(rest)
	if err != nil {
		return nil, err
	}
	e.Stamp = stamp
	e.Time, e.YearKnown, err = parseStamp(stamp)
	if err != nil {
		return nil, err
	}
	if rest == "" {
		return nil, errTruncated
	}
	switch l := Level(rest[0]); l {
	case LevelDebug, LevelVerbose, LevelNotice, LevelWarning:
		e.Level = l
	default:
		return nil, errors.New("unknown level mark " + quote(rest[:1]))
	}
	switch {
	case len(rest) == 1:
	case rest[1] == ' ':
		e.Text = rest[2:]
	default:
		return nil, errors.New("no space after level mark " + quote(rest[:2]))
	}
	return e, nil
}

// decodeSignal reads "unix-seconds) text" (serverLogFromHandler).
func (sh shape) decodeSignal(e *Entry) error {
	secs, text, ok := strings.Cut(sh.rest, ")")
	if !ok {
		return errTruncated
	}
	n, err := strconv.ParseInt(secs, 10, 64)
	if err != nil || n < 0 || n > 1<<40 || !allDigits(secs) {
		return errors.New("bad signal-handler time " + quote(secs))
	}
	e.Stamp = secs
	e.Time = time.Unix(n, 0).UTC()
	e.YearKnown = true
	e.Text = strings.TrimPrefix(text, " ")
	return nil
}

// cutStamp splits "dd Mon [yyyy ]hh:mm:ss.mmm rest" after the stamp and
// its space.
func cutStamp(s string) (stamp, rest string, err error) {
	// "dd Mon " is 7 bytes, "hh:mm:ss.mmm" 12; an optional "yyyy " between.
	n := 7 + 12
	if len(s) >= 12 && allDigits(s[7:11]) && s[11] == ' ' {
		n += 5
	}
	if len(s) < n {
		return "", "", errTruncated
	}
	stamp = s[:n]
	if len(s) == n {
		return stamp, "", nil
	}
	if s[n] != ' ' {
		return "", "", errors.New("bad time stamp " + quote(s[:min(len(s), n+1)]))
	}
	return stamp, s[n+1:], nil
}

var stampRE = regexp.MustCompile(`^(\d\d) ([A-Z][a-z][a-z]) (?:(\d{4}) )?(\d\d):(\d\d):(\d\d)\.(\d{3})$`)

var months = map[string]time.Month{
	"Jan": time.January, "Feb": time.February, "Mar": time.March, "Apr": time.April,
	"May": time.May, "Jun": time.June, "Jul": time.July, "Aug": time.August,
	"Sep": time.September, "Oct": time.October, "Nov": time.November, "Dec": time.December,
}

// parseStamp reads strftime("%d %b [%Y ]%H:%M:%S.") plus milliseconds as
// UTC. Without %Y the time is in 2000, for the parser to move.
func parseStamp(stamp string) (time.Time, bool, error) {
	m := stampRE.FindStringSubmatch(stamp)
	bad := errors.New("bad time stamp " + quote(stamp))
	if m == nil {
		return time.Time{}, false, bad
	}
	mon, ok := months[m[2]]
	if !ok {
		return time.Time{}, false, errors.New("bad month " + quote(m[2]))
	}
	// Without a year, the parser sets it (parser.setYear); check the day
	// against a leap year meanwhile.
	year, known := 2000, m[3] != ""
	if known {
		year, _ = strconv.Atoi(m[3])
	}
	day, _ := strconv.Atoi(m[1])
	h, _ := strconv.Atoi(m[4])
	mi, _ := strconv.Atoi(m[5])
	sec, _ := strconv.Atoi(m[6])
	ms, _ := strconv.Atoi(m[7])
	if h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false, bad
	}
	t := time.Date(year, mon, day, h, mi, sec, ms*int(time.Millisecond), time.UTC)
	if day == 0 || t.Day() != day {
		// time.Date normalises 31 Feb to 3 Mar: refuse instead.
		return time.Time{}, false, errors.New("no such date " + quote(stamp))
	}
	return t, known, nil
}

// prefixHost names the host or container a prefix designates, for
// Source: "[name]" (kubectl --prefix, the tags of I19), "name |"
// (docker compose) and journald's "... host ident[pid]:". Any other
// prefix (time stamps of k8s or log viewers) names nothing.
func prefixHost(prefix string) string {
	p := strings.TrimSpace(prefix)
	if len(p) > 2 && p[0] == '[' && p[len(p)-1] == ']' && !strings.ContainsAny(p[1:len(p)-1], "[] ") {
		return p[1 : len(p)-1]
	}
	f := strings.Fields(p)
	switch {
	case len(f) == 2 && f[1] == "|":
		return f[0]
	case len(f) >= 3 && identRE.MatchString(f[len(f)-1]) && !strings.Contains(f[len(f)-2], ":"):
		return f[len(f)-2]
	}
	return ""
}

var identRE = regexp.MustCompile(`^[A-Za-z0-9_.@/-]+(\[\d+\])?:$`)

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z') }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// quote quotes s for a problem message, shortened so that a huge line
// does not make a huge message.
func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return strconv.Quote(s)
}
