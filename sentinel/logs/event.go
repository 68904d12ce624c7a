package logs

import (
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Kind is the kind of instance an event names.
type Kind uint8

// Instance kinds, from the first word of the instance description.
const (
	KindNone Kind = iota
	KindMaster
	KindReplica  // "slave"
	KindSentinel // "sentinel"
)

func (k Kind) String() string {
	switch k {
	case KindMaster:
		return "master"
	case KindReplica:
		return "slave"
	case KindSentinel:
		return "sentinel"
	}
	return "none"
}

// Instance is the instance description an event message starts with
// (spec §20.1):
//
//	master <name> <ip> <port>
//	slave <ip>:<port> <ip> <port> @ <master name> <master ip> <master port>
//	sentinel <runid> <ip> <port> @ <master name> <master ip> <master port>
//
// Addresses are host names or IPs as announced, IPv6 included.
type Instance struct {
	Kind Kind
	// Name is the master name, a replica's "ip:port", or a sentinel's run
	// id (its "ip:port" in Redis 2.8 and 3.0).
	Name       string
	Addr       wire.Addr
	Master     string    // master name (Name for a master)
	MasterAddr wire.Addr // the master record's address (Addr for a master)
}

// Quorum is +odown's "#quorum <count>/<quorum>", or +monitor's quorum
// (Need only).
type Quorum struct {
	Count int // sentinels agreeing, this one included
	Need  int // the configured quorum
}

// Event is a "+type message" / "-type message" line (spec §20). Only the
// fields of the event's type are set; the table in spec §20.2 says which.
type Event struct {
	Type   string // channel name with its sign: "+sdown", "-failover-abort-no-good-slave"
	Known  bool   // in spec §20.2, Redis 7.0 names and older ones alike
	Legacy bool   // a name 7.0 no longer emits (Sentinel v1, -dup-sentinel of 2.8/3.0)
	Inst   *Instance
	// Rest is what follows the decoded part, e.g. a "-dup-sentinel" reason
	// or the millisecond time a patched build appended to +sdown (I24).
	Rest string

	Epoch  uint64    // +new-epoch; +vote-for-leader
	Leader string    // +vote-for-leader: run id voted for
	Voter  string    // +vote-for-leader of I24's patched build: the voting sentinel
	Quorum Quorum    // +odown, +monitor
	Master string    // +switch-master, +redirect-to-master: master name
	From   wire.Addr // +switch-master, +redirect-to-master: old master address
	To     wire.Addr // +switch-master, +redirect-to-master: new master; +sentinel-address-switch: new sentinel address
	RunID  string    // +sentinel-address-switch: the sentinel that moved
	Count  int       // +sentinel-address-update: additional matching instances
	Role   string    // ±role-change: "master" or "slave"
	Option string    // +set: option name
	Value  string    // +set: the rest ("<old> <new>" for rename-command)
	Path   string    // -script-error, -script-timeout: script path
	PID    int       // ±script-child, -script-timeout: script process id
	Exit   int       // -script-error, -script-child: exit code
	Sig    int       // -script-error, -script-child: signal
	Err    string    // ±cmd/pubsub-link-reconnection: error text (without '#')
}

type form uint8

const (
	fInst      form = iota // inst, anything may follow (kept in Rest)
	fMonitor               // inst " quorum <q>"
	fSet                   // inst " <option> <value...>"
	fAddrSw                // inst " ip <ip> port <port> for <runid>"
	fAddrUp                // inst " <n> additional matching instances"
	fRole                  // inst " new reported role is <role>"
	fOdown                 // inst " #quorum <c>/<q>"
	fEpoch                 // "<epoch>"
	fVote                  // "<runid> <epoch>"
	fSwitch                // "<name> <old ip> <old port> <new ip> <new port>"
	fTilt                  // "#tilt mode entered|exited"
	fScriptErr             // "<path> <signal> <exit>"
	fScriptTO              // "<path> <pid>"
	fChildUp               // "<pid>"
	fChildDn               // "<pid> <exit> <signal>"
	fLink                  // inst " #<error>"
	fRedirect              // like fSwitch (Sentinel v1)
)

type spec struct {
	form   form
	kind   Kind // required instance kind, KindNone for any
	legacy bool
}

// catalogue is spec §20.2: the channels of Redis 7.0.15, then the names
// older versions emitted.
var catalogue = map[string]spec{
	"+monitor":                           {fMonitor, KindMaster, false},
	"-monitor":                           {fInst, KindMaster, false},
	"+set":                               {fSet, KindMaster, false},
	"+reset-master":                      {fInst, KindMaster, false},
	"+slave":                             {fInst, KindReplica, false},
	"+sentinel":                          {fInst, KindSentinel, false},
	"+sentinel-address-switch":           {fAddrSw, KindMaster, false},
	"+sentinel-address-update":           {fAddrUp, KindSentinel, false},
	"+sentinel-invalid-addr":             {fInst, KindSentinel, false},
	"+reboot":                            {fInst, KindNone, false},
	"+role-change":                       {fRole, KindNone, false},
	"-role-change":                       {fRole, KindNone, false},
	"+sdown":                             {fInst, KindNone, false},
	"-sdown":                             {fInst, KindNone, false},
	"+odown":                             {fOdown, KindMaster, false},
	"-odown":                             {fInst, KindMaster, false},
	"+new-epoch":                         {fEpoch, KindNone, false},
	"+try-failover":                      {fInst, KindMaster, false},
	"+vote-for-leader":                   {fVote, KindNone, false},
	"+elected-leader":                    {fInst, KindMaster, false},
	"-failover-abort-not-elected":        {fInst, KindMaster, false},
	"+failover-state-select-slave":       {fInst, KindMaster, false},
	"-failover-abort-no-good-slave":      {fInst, KindMaster, false},
	"+selected-slave":                    {fInst, KindReplica, false},
	"+failover-state-send-slaveof-noone": {fInst, KindReplica, false},
	"+failover-state-wait-promotion":     {fInst, KindReplica, false},
	"-failover-abort-slave-timeout":      {fInst, KindMaster, false},
	"+promoted-slave":                    {fInst, KindReplica, false},
	"+failover-state-reconf-slaves":      {fInst, KindMaster, false},
	"+slave-reconf-sent":                 {fInst, KindReplica, false},
	"-slave-reconf-sent-timeout":         {fInst, KindReplica, false},
	"+slave-reconf-inprog":               {fInst, KindReplica, false},
	"+slave-reconf-done":                 {fInst, KindReplica, false},
	"+failover-end-for-timeout":          {fInst, KindMaster, false},
	"+slave-reconf-sent-be":              {fInst, KindReplica, false},
	"+failover-end":                      {fInst, KindMaster, false},
	"+switch-master":                     {fSwitch, KindNone, false},
	"+config-update-from":                {fInst, KindSentinel, false},
	"+convert-to-slave":                  {fInst, KindReplica, false},
	"+fix-slave-config":                  {fInst, KindReplica, false},
	"+tilt":                              {fTilt, KindNone, false},
	"-tilt":                              {fTilt, KindNone, false},
	"-script-error":                      {fScriptErr, KindNone, false},
	"-script-timeout":                    {fScriptTO, KindNone, false},
	"+script-child":                      {fChildUp, KindNone, false},
	"-script-child":                      {fChildDn, KindNone, false},
	"-cmd-link-reconnection":             {fLink, KindNone, false},
	"-pubsub-link-reconnection":          {fLink, KindNone, false},

	// Sentinel v1 (2.6) and 2.8/3.0: accepted with whatever instance
	// description they carry.
	"+failover-detected":             {fInst, KindNone, true},
	"+redirect-to-master":            {fRedirect, KindNone, true},
	"+failover-triggered":            {fInst, KindNone, true},
	"+failover-takedown":             {fInst, KindNone, true},
	"+failover-state-wait-start":     {fInst, KindNone, true},
	"+demote-old-slave":              {fInst, KindNone, true},
	"-failover-abort-master-is-back": {fInst, KindNone, true},
	"-failover-abort-race":           {fInst, KindNone, true},
	"-failover-abort-x-sdown":        {fInst, KindNone, true},
	"-promotion-timeout":             {fInst, KindNone, true},
	"-slave-restart-as-master":       {fInst, KindNone, true},
	"-slave-reconf-undo":             {fInst, KindNone, true},
	"-demote-flag-cleared":           {fInst, KindNone, true},
	"-dup-sentinel":                  {fInst, KindNone, true},
}

// Known reports whether typ (with its sign) is in spec §20.2, and whether
// it is one of the names Redis 7.0 no longer emits.
func Known(typ string) (known, legacy bool) {
	s, ok := catalogue[typ]
	return ok, s.legacy
}

// eventType returns the "+name"/"-name" a message starts with: a sign, a
// lower-case letter, then letters, digits and '-', up to a space or the end.
func eventType(text string) (string, bool) {
	if len(text) < 2 || (text[0] != '+' && text[0] != '-') || text[1] < 'a' || text[1] > 'z' {
		return "", false
	}
	i := 2
	for i < len(text) && (text[i] == '-' || isDigit(text[i]) || (text[i] >= 'a' && text[i] <= 'z')) {
		i++
	}
	if i < len(text) && text[i] != ' ' {
		return "", false
	}
	return text[:i], true
}

// parseEvent decodes an event line's text. isEvent is false for plain
// text; problem is non-empty when an event could not be fully decoded
// (the event is still returned with what could be read).
func parseEvent(text string) (ev *Event, isEvent bool, problem string) {
	typ, ok := eventType(text)
	if !ok {
		return nil, false, ""
	}
	ev = &Event{Type: typ}
	msg := strings.TrimPrefix(text[len(typ):], " ")
	sp, known := catalogue[typ]
	if !known {
		// Still read an instance description if there is one, for replay.
		if inst, rest, err := parseInst(msg); err == "" {
			ev.Inst, ev.Rest = inst, rest
		} else {
			ev.Rest = msg
		}
		return ev, true, "unknown event " + quote(typ)
	}
	ev.Known, ev.Legacy = true, sp.legacy
	if err := ev.decode(sp, msg); err != "" {
		return ev, true, typ + ": " + err
	}
	return ev, true, ""
}

func (ev *Event) decode(sp spec, msg string) string {
	c := cursor{msg}
	switch sp.form {
	case fEpoch:
		return c.epoch(&ev.Epoch, true)
	case fVote:
		return ev.decodeVote(msg)
	case fSwitch:
		return ev.decodeSwitch(&c)
	case fRedirect:
		if !strings.HasPrefix(msg, "master ") {
			return ev.decodeSwitch(&c)
		}
	case fTilt:
		if msg != "#tilt mode entered" && msg != "#tilt mode exited" {
			ev.Rest = msg
			return "unexpected text " + quote(msg)
		}
		return ""
	case fScriptErr:
		ev.Path = c.next()
		return firstErr(c.int(&ev.Sig, "signal"), c.int(&ev.Exit, "exit code"), c.end())
	case fScriptTO:
		ev.Path = c.next()
		return firstErr(c.int(&ev.PID, "pid"), c.end())
	case fChildUp:
		return firstErr(c.int(&ev.PID, "pid"), c.end())
	case fChildDn:
		return firstErr(c.int(&ev.PID, "pid"), c.int(&ev.Exit, "exit code"), c.int(&ev.Sig, "signal"), c.end())
	}
	inst, rest, err := parseInst(msg)
	if err != "" {
		ev.Rest = msg
		return err
	}
	ev.Inst = inst
	if sp.kind != KindNone && inst.Kind != sp.kind {
		return "want a " + sp.kind.String() + " instance, got " + inst.Kind.String()
	}
	c = cursor{rest}
	switch sp.form {
	case fInst:
		ev.Rest = rest
		return ""
	case fMonitor:
		return firstErr(c.word("quorum"), c.int(&ev.Quorum.Need, "quorum"), c.end())
	case fSet:
		ev.Option = c.next()
		ev.Value = c.rest()
		if ev.Option == "" {
			return "option missing"
		}
	case fAddrSw:
		return firstErr(c.word("ip"), c.str(&ev.To.Host, "ip"), c.word("port"), c.port(&ev.To.Port), c.word("for"),
			c.str(&ev.RunID, "run id"), c.end())
	case fAddrUp:
		return firstErr(c.int(&ev.Count, "count"), c.word("additional"), c.word("matching"), c.word("instances"), c.end())
	case fRole:
		err := firstErr(c.word("new"), c.word("reported"), c.word("role"), c.word("is"), c.str(&ev.Role, "role"), c.end())
		if err == "" && ev.Role != "master" && ev.Role != "slave" {
			return "unknown role " + quote(ev.Role)
		}
		return err
	case fOdown:
		q, ok := strings.CutPrefix(rest, "#quorum ")
		cnt, need, slash := strings.Cut(q, "/")
		var e1, e2 error
		ev.Quorum.Count, e1 = strconv.Atoi(cnt)
		ev.Quorum.Need, e2 = strconv.Atoi(need)
		if !ok || !slash || e1 != nil || e2 != nil {
			ev.Rest = rest
			return "want \"#quorum <count>/<quorum>\", got " + quote(rest)
		}
	case fLink:
		e, ok := strings.CutPrefix(rest, "#")
		ev.Err = e
		if !ok {
			return "want \"#<error>\", got " + quote(rest)
		}
	}
	return ""
}

// decodeVote reads "<runid> <epoch>", or I24's patched
// "master <name> <ip> <port> <voter> <leader> <epoch>". The patched order
// is inferred from that log: the first run id is the same on every line
// (the sentinel writing it) and the second is the candidate it voted for,
// which is that same sentinel only right after its own +try-failover.
func (ev *Event) decodeVote(msg string) string {
	c := cursor{msg}
	if strings.HasPrefix(msg, "master ") {
		inst, rest, err := parseInst(msg)
		if err != "" {
			return err
		}
		ev.Inst = inst
		c = cursor{rest}
		if f := strings.Fields(rest); len(f) == 3 {
			ev.Voter = c.next()
		}
	}
	return firstErr(c.str(&ev.Leader, "run id"), c.epoch(&ev.Epoch, false), c.end())
}

func (ev *Event) decodeSwitch(c *cursor) string {
	return firstErr(c.str(&ev.Master, "master name"), c.addr(&ev.From), c.addr(&ev.To), c.end())
}

// parseInst reads an instance description at the start of msg and returns
// the text after it (without its leading space).
func parseInst(msg string) (*Instance, string, string) {
	c := cursor{msg}
	inst := &Instance{}
	switch w := c.next(); w {
	case "master":
		inst.Kind = KindMaster
	case "slave":
		inst.Kind = KindReplica
	case "sentinel":
		inst.Kind = KindSentinel
	case "":
		return nil, "", "instance missing"
	default:
		return nil, "", "want an instance (master, slave or sentinel), got " + quote(w)
	}
	if err := firstErr(c.str(&inst.Name, "name"), c.addr(&inst.Addr)); err != "" {
		return nil, "", err
	}
	if inst.Kind == KindMaster {
		inst.Master, inst.MasterAddr = inst.Name, inst.Addr
		return inst, c.rest(), ""
	}
	if err := firstErr(c.word("@"), c.str(&inst.Master, "master name"), c.addr(&inst.MasterAddr)); err != "" {
		return nil, "", err
	}
	return inst, c.rest(), ""
}

// cursor reads space-separated words. Its methods return "" or a problem.
type cursor struct{ s string }

func (c *cursor) next() string {
	c.s = strings.TrimLeft(c.s, " ")
	w, rest, _ := strings.Cut(c.s, " ")
	c.s = rest
	return w
}

func (c *cursor) rest() string { return strings.TrimLeft(c.s, " ") }

func (c *cursor) end() string {
	if r := c.rest(); r != "" {
		return "unexpected text " + quote(r)
	}
	return ""
}

func (c *cursor) word(want string) string {
	if w := c.next(); w != want {
		return "want " + quote(want) + ", got " + quote(w)
	}
	return ""
}

func (c *cursor) str(dst *string, what string) string {
	*dst = c.next()
	if *dst == "" {
		return what + " missing"
	}
	return ""
}

func (c *cursor) int(dst *int, what string) string {
	w := c.next()
	n, err := strconv.Atoi(w)
	if err != nil || !allDigits(strings.TrimPrefix(w, "-")) {
		return "bad " + what + " " + quote(w)
	}
	*dst = n
	return ""
}

func (c *cursor) port(dst *int) string {
	w := c.next()
	if w == "" {
		return "port missing"
	}
	n, err := strconv.Atoi(w)
	if err != nil || !allDigits(w) || n > 65535 {
		return "bad port " + quote(w)
	}
	*dst = n
	return ""
}

func (c *cursor) addr(dst *wire.Addr) string {
	var host string
	if err := c.str(&host, "address"); err != "" {
		return err
	}
	if err := c.port(&dst.Port); err != "" {
		return err
	}
	dst.Host = host
	return ""
}

// epoch reads an epoch; last means nothing may follow.
func (c *cursor) epoch(dst *uint64, last bool) string {
	w := c.next()
	n, err := strconv.ParseUint(w, 10, 64)
	if err != nil {
		return "bad epoch " + quote(w)
	}
	*dst = n
	if last {
		return c.end()
	}
	return ""
}

// firstErr returns the first problem of a sequence of cursor reads. All
// reads run (they are arguments); after a failed one the later ones may
// fill fields from shifted words, which is fine for a line that is a
// problem anyway.
func firstErr(errs ...string) string {
	for _, e := range errs {
		if e != "" {
			return e
		}
	}
	return ""
}

// ParseEvent decodes the text of one event ("+sdown master mymaster
// 10.0.0.1 6379"), as Parse does for a log line's message: how replay reads
// the events of a simulated run with the same decoder as the real logs.
// ok is false when text is not an event or its fields are malformed.
func ParseEvent(text string) (ev *Event, ok bool) {
	ev, isEvent, problem := parseEvent(text)
	return ev, isEvent && problem == "" && ev != nil
}
