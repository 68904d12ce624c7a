package facts

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Parse reads the text a fact's Fact method wrote (the text after
// "<ms> fact <node> " in a trace line, with the trace's escaping of control
// bytes undone) back into the fact: a Vote, FailoverStart, Start, Elected,
// Selected, ConfigEpoch, Tilt or Reconfigure value, of the type Fact was
// called on. Malformed text gives a *ParseError naming the fact and the
// field; Parse never panics.
//
// Parse accepts exactly the texts Fact writes: whenever it succeeds,
// f.Fact() == text. Fact separates fields with single spaces and writes
// names, run ids, host names and the ConfigEpoch source as they are, so a
// fact whose string fields contain a space has ambiguous text; Parse reads
// every such field as one space-free word (an empty one included), so such
// a fact is not read back, or is read as another fact with the same text
// (ConfigEpoch{Source: "x forced"} is written as ConfigEpoch{Source: "x",
// Forced: true} is). Run ids are hex, but nothing in the engine forbids a
// space in a master name (SENTINEL MONITOR takes any string) or a host.
//
// The trace escapes control bytes in the text (\n, \t, \xNN) but not a
// backslash, so a field holding a control byte or a backslash may not be
// recovered from a trace line unambiguously; Parse itself takes the raw
// text Fact returned.
//
// Fact writes every field, so Parse restores every fact ('sentinelsim
// check' re-checks a saved run from them). An empty non-nil Elected.Known
// or Selected.Candidates comes back nil.
func Parse(text string) (wire.Fact, error) {
	kind, rest, spaced := strings.Cut(text, " ")
	p := &parser{kind: kind, text: text}
	if spaced {
		p.toks = strings.Split(rest, " ")
	}
	var f wire.Fact
	switch kind {
	case "vote":
		f = p.vote()
	case "failover-start":
		f = p.failoverStart()
	case "start":
		f = p.start()
	case "elected":
		f = p.elected()
	case "selected":
		f = p.selected()
	case "config-epoch":
		f = p.configEpoch()
	case "tilt":
		f = p.tilt()
	case "reconfigure":
		f = p.reconfigure()
	case "":
		return nil, &ParseError{Text: text, Msg: "no fact kind"}
	default:
		return nil, &ParseError{Text: text, Msg: fmt.Sprintf("unknown fact kind %q", kind)}
	}
	if p.err == nil && p.i < len(p.toks) {
		p.fail("", "unexpected %q after the last field", strings.Join(p.toks[p.i:], " "))
	}
	if p.err != nil {
		return nil, p.err
	}
	// Every field is read from its own word, so only a number written in a
	// form Fact does not use ("+1", "007", "-0") or a zero address where Fact
	// writes NO ONE gets here with different text.
	if got := f.Fact(); got != text {
		return nil, &ParseError{Kind: kind, Text: text, Msg: fmt.Sprintf("not written as Fact writes it (%q)", got)}
	}
	return f, nil
}

// MaxKnown is the largest known=N of an elected fact that Parse accepts: it
// returns N placeholder run ids, and a sentinel never knows this many peers.
const MaxKnown = 1 << 16

// ParseError is text that Parse cannot read as a fact.
type ParseError struct {
	Kind  string // the fact's kind ("vote", "selected", ...), "" if unknown
	Field string // the field that is wrong, "" for the text as a whole
	Msg   string // what is wrong
	Text  string // the text given to Parse
}

func (e *ParseError) Error() string {
	var sb strings.Builder
	sb.WriteString("facts: ")
	if e.Kind != "" {
		sb.WriteString(e.Kind + " fact: ")
	}
	if e.Field != "" {
		sb.WriteString(e.Field + ": ")
	}
	sb.WriteString(e.Msg)
	sb.WriteString(" in " + strconv.Quote(e.Text))
	return sb.String()
}

// parser reads the space-separated words of one fact's text. The first
// error sticks: later reads return zero values, and Parse reports it.
type parser struct {
	kind string
	text string
	toks []string // the words after the kind
	i    int
	err  *ParseError
}

func (p *parser) fail(field, format string, args ...any) {
	if p.err == nil {
		p.err = &ParseError{Kind: p.kind, Field: field, Msg: fmt.Sprintf(format, args...), Text: p.text}
	}
}

// word returns the next word, which is field.
func (p *parser) word(field string) string {
	if p.err != nil {
		return ""
	}
	if p.i >= len(p.toks) {
		p.fail(field, "missing")
		return ""
	}
	w := p.toks[p.i]
	p.i++
	return w
}

// more reports whether words are left (and no error occurred).
func (p *parser) more() bool { return p.err == nil && p.i < len(p.toks) }

// key returns the value of the next word, which must be key=value.
func (p *parser) key(key string) string {
	w := p.word(key)
	if p.err != nil {
		return ""
	}
	v, ok := strings.CutPrefix(w, key+"=")
	if !ok {
		p.fail(key, "want %s=…, got %q", key, w)
		return ""
	}
	return v
}

// literal consumes the next word, which must be want.
func (p *parser) literal(want string) {
	if w := p.word(want); p.err == nil && w != want {
		p.fail(want, "want %q, got %q", want, w)
	}
}

func (p *parser) numErr(field, s string, err error) {
	var ne *strconv.NumError
	if errors.As(err, &ne) {
		err = ne.Err
	}
	p.fail(field, "%q: %v", s, err)
}

func (p *parser) uint64(field, s string) uint64 {
	if p.err != nil {
		return 0
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		p.numErr(field, s, err)
	}
	return v
}

func (p *parser) int64(field, s string) int64 {
	if p.err != nil {
		return 0
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		p.numErr(field, s, err)
	}
	return v
}

func (p *parser) int(field, s string) int {
	if p.err != nil {
		return 0
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		p.numErr(field, s, err)
	}
	return v
}

func (p *parser) bool(field, s string) bool {
	if p.err != nil {
		return false
	}
	switch s {
	case "yes":
		return true
	case "no":
		return false
	}
	p.fail(field, "want yes or no, got %q", s)
	return false
}

// pair reads "a/b" (agreeing/quorum, votes/voters).
func (p *parser) pair(field, fa, fb, s string) (int, int) {
	if p.err != nil {
		return 0, 0
	}
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		p.fail(field, "want %s/%s, got %q", fa, fb, s)
		return 0, 0
	}
	return p.int(fa, a), p.int(fb, b)
}

// addr reads an address as wire.Addr.String writes it: host:port, the port
// after the last colon (a host may be an IPv6 address, written unbracketed).
func (p *parser) addr(field, s string) wire.Addr {
	if p.err != nil {
		return wire.Addr{}
	}
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		p.fail(field, "want host:port, got %q", s)
		return wire.Addr{}
	}
	return wire.Addr{Host: s[:i], Port: p.int(field+" port", s[i+1:])}
}

func (p *parser) vote() Vote {
	var f Vote
	f.Master = p.word("master")
	f.Epoch = p.uint64("epoch", p.key("epoch"))
	f.Candidate = p.key("for")
	return f
}

func (p *parser) failoverStart() FailoverStart {
	var f FailoverStart
	f.Master = p.word("master")
	f.Epoch = p.uint64("epoch", p.key("epoch"))
	f.Forced = p.bool("forced", p.key("forced"))
	f.ODown = p.bool("odown", p.key("odown"))
	f.Agreeing, f.Quorum = p.pair("agreeing", "agreeing", "quorum", p.key("agreeing"))
	f.LastAttempt = wire.Time(p.int64("last-attempt", p.key("last-attempt")))
	f.Timeout = wire.Duration(p.int64("timeout", p.key("timeout")))
	f.Now = wire.Time(p.int64("now", p.key("now")))
	f.DownAfter = wire.Duration(p.int64("down-after", p.key("down-after")))
	return f
}

func (p *parser) start() Start {
	var f Start
	f.RunID = p.word("run id")
	f.CurrentEpoch = p.uint64("epoch", p.key("epoch"))
	return f
}

func (p *parser) elected() Elected {
	var f Elected
	f.Master = p.word("master")
	f.Epoch = p.uint64("epoch", p.key("epoch"))
	f.Votes, f.Voters = p.pair("votes", "votes", "voters", p.key("votes"))
	f.Quorum = p.int("quorum", p.key("quorum"))
	f.Forced = p.bool("forced", p.key("forced"))
	count, ids, ok := strings.Cut(p.key("known"), ":")
	if !ok && p.err == nil {
		p.fail("known", "want known=N:id,id,…")
	}
	n := p.int("known", count)
	switch {
	case p.err != nil:
	case n < 0:
		p.fail("known", "negative count %d", n)
	case n > MaxKnown:
		p.fail("known", "count %d exceeds %d", n, MaxKnown)
	case n == 0 && ids != "":
		p.fail("known", "count 0 but run ids %q", ids)
	case n > 0:
		f.Known = strings.Split(ids, ",")
		if len(f.Known) != n {
			p.fail("known", "count %d but %d run ids", n, len(f.Known))
		}
	}
	return f
}

func (p *parser) selected() Selected {
	var f Selected
	f.Master = p.word("master")
	f.Epoch = p.uint64("epoch", p.key("epoch"))
	f.Chosen = p.addr("chosen", p.key("chosen"))
	f.MaxPingAge = wire.Duration(p.int64("max-ping", p.key("max-ping")))
	f.MaxInfoAge = wire.Duration(p.int64("max-info", p.key("max-info")))
	f.MaxLinkDownMs = p.int64("max-linkdown", p.key("max-linkdown"))
	for p.more() {
		f.Candidates = append(f.Candidates, p.candidate(len(f.Candidates)+1))
	}
	return f
}

// candidate reads "[addr prio=… offset=… down=… disc=… ping=… info=…
// linkdown=…]", the n-th candidate of a selected fact.
func (p *parser) candidate(n int) Candidate {
	var c Candidate
	field := func(name string) string { return "candidate " + strconv.Itoa(n) + " " + name }
	w := p.word(field("address"))
	a, ok := strings.CutPrefix(w, "[")
	if !ok && p.err == nil {
		p.fail(field("address"), "want [host:port, got %q", w)
	}
	c.Addr = p.addr(field("address"), a)
	c.RunID = p.key("id")
	c.Priority = p.int(field("prio"), p.key("prio"))
	c.Offset = p.uint64(field("offset"), p.key("offset"))
	c.Down = p.bool(field("down"), p.key("down"))
	c.Disconnected = p.bool(field("disc"), p.key("disc"))
	c.PingAge = wire.Duration(p.int64(field("ping"), p.key("ping")))
	c.InfoAge = wire.Duration(p.int64(field("info"), p.key("info")))
	w = p.key("linkdown")
	ld, ok := strings.CutSuffix(w, "]")
	if !ok && p.err == nil {
		p.fail(field("linkdown"), "want linkdown=…], got %q", "linkdown="+w)
	}
	c.MasterLinkDownMs = p.int64(field("linkdown"), ld)
	return c
}

func (p *parser) configEpoch() ConfigEpoch {
	var f ConfigEpoch
	f.Master = p.word("master")
	w := p.word("epochs")
	from, to, ok := strings.Cut(w, "->")
	if !ok && p.err == nil {
		p.fail("epochs", "want from->to, got %q", w)
	}
	f.From = p.uint64("from", from)
	f.To = p.uint64("to", to)
	f.Addr = p.addr("address", p.word("address"))
	f.Source = p.key("via")
	if p.more() && p.toks[p.i] == "forced" {
		p.i++
		f.Forced = true
	}
	return f
}

func (p *parser) tilt() Tilt {
	switch w := p.word("state"); {
	case p.err != nil:
	case w == "on":
		return Tilt{On: true}
	case w == "off":
	default:
		p.fail("state", "want on or off, got %q", w)
	}
	return Tilt{}
}

func (p *parser) reconfigure() Reconfigure {
	var f Reconfigure
	f.Master = p.word("master")
	f.Target = p.addr("target", p.word("target"))
	p.literal("slaveof")
	// A zero To is written NO ONE; an address always has a colon.
	if p.more() && p.toks[p.i] == "NO" && p.i+1 < len(p.toks) && p.toks[p.i+1] == "ONE" {
		p.i += 2
		return f
	}
	f.To = p.addr("to", p.word("to"))
	return f
}
