package logs

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultYear is the year given to time stamps that carry none (Redis 2.6
// to 5.0) when Options.Year is 0. 2000 is a leap year, so "29 Feb" is
// accepted; only the order and the differences of time stamps mean
// anything in such logs.
const DefaultYear = 2000

// DefaultMaxLine is the longest line decoded when Options.MaxLine is 0.
// Redis writes at most 1024 bytes of message; prefixes from log shippers
// add little, so anything this long is not a log line.
const DefaultMaxLine = 64 << 10

// Options tunes Parse. The zero value is ready to use.
type Options struct {
	// Year for time stamps without one. 0 means DefaultYear.
	Year int
	// MaxLine is the longest line (in bytes, without its newline) that is
	// decoded; a longer one is a problem. 0 means DefaultMaxLine.
	MaxLine int
}

// Log is a parsed log file.
type Log struct {
	Name     string
	Entries  []Entry   // sentinel lines (role X, or the role-less 2.x format), in file order
	Aside    []Aside   // other non-blank lines that are not problems
	Problems []Problem // lines that could not be decoded, or only partly
}

// Problem is a line that could not be decoded, or only partly.
type Problem struct {
	File string
	Line int // 1-based
	Msg  string
}

// String formats the problem as "file:line: message".
func (p Problem) String() string { return p.File + ":" + strconv.Itoa(p.Line) + ": " + p.Msg }

// Role is the process role letter of the Redis 3.0+ header.
type Role byte

// The roles Redis writes (server.c, serverLogRaw). RoleNone is the 2.x
// "[pid]" format, which has no role letter.
const (
	RoleNone     Role = 0
	RoleSentinel Role = 'X'
	RoleMaster   Role = 'M'
	RoleReplica  Role = 'S'
	RoleChild    Role = 'C'
)

// Level is the verbosity mark of a line.
type Level byte

// The level marks (spec §21).
const (
	LevelDebug   Level = '.'
	LevelVerbose Level = '-'
	LevelNotice  Level = '*'
	LevelWarning Level = '#'
)

func (l Level) String() string {
	switch l {
	case LevelDebug:
		return "debug"
	case LevelVerbose:
		return "verbose"
	case LevelNotice:
		return "notice"
	case LevelWarning:
		return "warning"
	}
	return "level(" + strconv.Itoa(int(l)) + ")"
}

// Source names the process a line came from, so that a file holding
// several sentinels (or several files) can be split per sentinel. Equal
// sources are the same process as far as the log can tell.
type Source struct {
	File string
	Host string // host or container named by the line's prefix ("" if none)
	PID  int
}

func (s Source) String() string {
	out := s.File
	if s.Host != "" {
		out += "[" + s.Host + "]"
	}
	return out + ":" + strconv.Itoa(s.PID)
}

// Entry is one decoded Redis log line.
type Entry struct {
	Line   int    // 1-based line number in the file
	Source Source // File, prefix host and pid
	Prefix string // text before the Redis header, as found (docker, journald, ...)
	PID    int
	Role   Role
	// Signal is set for "pid:signal-handler (unix-time) text" lines, which
	// Redis writes from a signal handler without role or level; their Time
	// is the absolute Unix time.
	Signal bool
	// Time is the time stamp in UTC with millisecond precision. The log
	// has no time zone: this is the sentinel's local wall clock read as UTC.
	Time      time.Time
	Stamp     string // the time stamp as written
	YearKnown bool   // the stamp had a year (Redis 6.0+) or was a Unix time
	Level     Level  // 0 for signal-handler lines
	Text      string // the message after the level mark
	Event     *Event // set when Text is a "+type ..." / "-type ..." event
	Note      *Note  // set when Text is a plain line Sentinel writes (§20.3)
}

// Aside is a line that is not a sentinel line: text without a Redis header
// (the "#!" source comment, raw banners) or a Redis line of another role
// (master, replica, child, signal handler), whose decoded header is Entry.
type Aside struct {
	Line  int
	Text  string // the line without its end-of-line and trailing blanks
	Entry *Entry // nil when the line has no Redis header
}

// ParseFile parses the log file at path, named by path.
func ParseFile(path string, opt Options) (*Log, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(path, f, opt)
}

// Parse reads a log from r. name is used in Sources and problems. Lines
// that cannot be decoded are Problems, never an error: the error is only
// for reading r.
func Parse(name string, r io.Reader, opt Options) (*Log, error) {
	if opt.Year == 0 {
		opt.Year = DefaultYear
	}
	if opt.MaxLine <= 0 {
		opt.MaxLine = DefaultMaxLine
	}
	p := &parser{log: &Log{Name: name}, opt: opt, last: map[Source]time.Time{}, shift: map[Source]int{}}
	br := bufio.NewReaderSize(r, 64<<10)
	for no := 1; ; no++ {
		line, size, err := readLine(br, opt.MaxLine)
		if err != nil && !errors.Is(err, io.EOF) {
			return p.log, err
		}
		if size == 0 && err != nil {
			break
		}
		if size > opt.MaxLine {
			p.problem(no, "line too long: "+strconv.Itoa(size)+" bytes (limit "+strconv.Itoa(opt.MaxLine)+")")
		} else {
			p.line(no, string(line))
		}
		if err != nil {
			break
		}
	}
	return p.log, nil
}

// readLine returns the next line without its "\n", at most limit+1 bytes of it
// (size tells the full length), and io.EOF once the input ends.
func readLine(br *bufio.Reader, limit int) (line []byte, size int, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		chunk = bytes.TrimSuffix(chunk, []byte("\n"))
		if len(line) <= limit {
			line = append(line, chunk[:min(len(chunk), limit+1-len(line))]...)
		}
		size += len(chunk)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return line, size, err
	}
}

type parser struct {
	log   *Log
	opt   Options
	last  map[Source]time.Time // last year-less time stamp per source
	shift map[Source]int       // years added per source at a year-end roll-over
}

func (p *parser) problem(no int, msg string) {
	p.log.Problems = append(p.log.Problems, Problem{File: p.log.Name, Line: no, Msg: msg})
}

func (p *parser) line(no int, s string) {
	s = strings.TrimRight(s, " \t\r")
	if s == "" {
		return
	}
	if strings.Contains(s, "\x1b[") {
		s = ansiRE.ReplaceAllString(s, "") // docker compose colours its prefixes
	}
	if i, bad := binary(s); bad {
		p.problem(no, "binary data at byte "+strconv.Itoa(i+1))
		return
	}
	e, err := findHeader(s)
	if err != nil {
		p.problem(no, err.Error())
		return
	}
	if e == nil {
		p.log.Aside = append(p.log.Aside, Aside{Line: no, Text: s})
		return
	}
	e.Line = no
	e.Source = Source{File: p.log.Name, Host: prefixHost(e.Prefix), PID: e.PID}
	if !e.YearKnown {
		if err := p.setYear(e); err != nil {
			p.problem(no, err.Error())
			return
		}
	}
	if e.Signal || (e.Role != RoleSentinel && e.Role != RoleNone) {
		// A data node's start-up and shutdown lines tell a replay whether
		// it restarted (a crash) or stayed up (a cut) during an outage.
		if n, _ := parseNote(e.Text); n != nil && n.Kind >= NoteStarting {
			e.Note = n
		}
		p.log.Aside = append(p.log.Aside, Aside{Line: no, Text: s, Entry: e})
		return
	}
	if ev, isEvent, msg := parseEvent(e.Text); isEvent {
		e.Event = ev
		if msg != "" {
			p.problem(no, msg)
		}
	} else if n, msg := parseNote(e.Text); n != nil {
		e.Note = n
		if msg != "" {
			p.problem(no, msg)
		}
	}
	p.log.Entries = append(p.log.Entries, *e)
}

// setYear gives a year-less time stamp Options.Year, moved to the next
// year when it is more than half a year before the previous stamp of the
// same process: the log crossed 31 Dec. Different processes in one file
// are not compared, because concatenated logs (I25) go back in time
// between them. 29 Feb is checked only now that the year is known.
func (p *parser) setYear(e *Entry) error {
	at := func(year int) time.Time {
		t := e.Time
		return time.Date(year, t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	}
	year := p.opt.Year + p.shift[e.Source]
	t := at(year)
	if last, ok := p.last[e.Source]; ok && last.Sub(t) > 183*24*time.Hour {
		p.shift[e.Source]++
		year++
		t = at(year)
	}
	if t.Day() != e.Time.Day() {
		return errors.New("no such date " + quote(e.Stamp+" (year "+strconv.Itoa(year)+")"))
	}
	e.Time = t
	p.last[e.Source] = t
	return nil
}

// binary reports the first byte that cannot be in a text log line:
// invalid UTF-8 or a control character other than tab.
func binary(s string) (int, bool) {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || (r < 0x20 && r != '\t') || r == 0x7f {
			return i, true
		}
		i += n
	}
	return 0, false
}

var ansiRE = regexp.MustCompile("\x1b\\[[0-9;]*m")
