package wire

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// Kind is the type of a RESP value.
type Kind uint8

// The RESP2 value kinds Redis and Sentinel exchange.
const (
	KindNil    Kind = iota // a null bulk string ("$-1")
	KindStatus             // a simple string ("+OK")
	KindError              // an error ("-ERR ...")
	KindInt                // an integer (":1")
	KindBulk               // a bulk string
	KindArray              // an array of values (nil array: KindNil)
)

// Value is a RESP value: what a Redis node or a sentinel answers.
type Value struct {
	Kind  Kind
	Str   string // status, error (without the '-') and bulk text
	Int   int64
	Array []Value
}

// Constructors for the common values.
func Status(s string) Value      { return Value{Kind: KindStatus, Str: s} }
func Error(s string) Value       { return Value{Kind: KindError, Str: s} }
func Int(n int64) Value          { return Value{Kind: KindInt, Int: n} }
func Bulk(s string) Value        { return Value{Kind: KindBulk, Str: s} }
func Nil() Value                 { return Value{Kind: KindNil} }
func Array(elems ...Value) Value { return Value{Kind: KindArray, Array: elems} }
func OK() Value                  { return Status("OK") }
func BulkArray(s ...string) Value {
	a := make([]Value, len(s))
	for i, x := range s {
		a[i] = Bulk(x)
	}
	return Array(a...)
}

// IsError reports whether v is an error reply.
func (v Value) IsError() bool { return v.Kind == KindError }

// ErrorCode returns the first word of an error ("READONLY", "NOAUTH"), or ""
// for other values.
func (v Value) ErrorCode() string {
	if v.Kind != KindError {
		return ""
	}
	code, _, _ := strings.Cut(v.Str, " ")
	return code
}

// String formats v compactly and unambiguously for traces and tests:
// +OK, -ERR text, :1, "bulk", (nil), [a b].
func (v Value) String() string { return string(v.AppendTrace(nil)) }

// AppendTrace appends String's text to b without building strings on the
// way: the trace formats every message of a run, and INFO replies and hello
// pushes are most of its bytes.
func (v Value) AppendTrace(b []byte) []byte {
	switch v.Kind {
	case KindNil:
		b = append(b, "(nil)"...)
	case KindStatus:
		b = append(b, '+')
		b = append(b, v.Str...)
	case KindError:
		b = append(b, '-')
		b = append(b, v.Str...)
	case KindInt:
		b = append(b, ':')
		b = AppendInt(b, v.Int)
	case KindBulk:
		b = AppendQuoted(b, v.Str)
	case KindArray:
		b = append(b, '[')
		for i, e := range v.Array {
			if i > 0 {
				b = append(b, ' ')
			}
			b = e.AppendTrace(b)
		}
		b = append(b, ']')
	}
	return b
}

// AppendQuoted appends s quoted exactly as strconv.Quote would, with a fast
// path for ASCII (the whole of Redis's INFO and Sentinel's hello text);
// strings with other bytes go to strconv.AppendQuote.
func AppendQuoted(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	start := len(b)
	b = append(b, '"')
	plain := 0 // s[plain:i] is still to be copied
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !quoteSpecial[c] {
			continue
		}
		if c >= 0x80 {
			return strconv.AppendQuote(b[:start], s)
		}
		b = append(b, s[plain:i]...)
		plain = i + 1
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\a':
			b = append(b, '\\', 'a')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\v':
			b = append(b, '\\', 'v')
		default:
			b = append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		}
	}
	b = append(b, s[plain:]...)
	return append(b, '"')
}

// quoteSpecial marks the bytes AppendQuoted does not copy as they are
// (control bytes, '"', '\\' and non-ASCII), and argSpecial those that make
// appendArg quote (control bytes, space, '"' and non-ASCII): one load per
// byte of the trace's longest texts instead of four comparisons.
var quoteSpecial, argSpecial = func() (q, a [256]bool) {
	for c := range 256 {
		q[c] = c < 0x20 || c >= 0x7f || c == '"' || c == '\\'
		a[c] = c <= ' ' || c >= 0x7f || c == '"'
	}
	return q, a
}()

// appendConn appends "c<conn>".
func appendConn(b []byte, c ConnID) []byte {
	b = append(b, 'c')
	return AppendUint(b, uint64(c))
}

// appendSeq appends " #<seq>".
func appendSeq(b []byte, seq uint64) []byte {
	b = append(b, " #"...)
	return AppendUint(b, seq)
}

// ConnID numbers the connections a process opens. It is chosen by the
// connecting process and is unique among its own connections, so the pair
// (client node, ConnID) names a connection.
type ConnID uint32

// Command is a request sent on a connection, like one RESP command on a TCP
// connection to Redis or a sentinel. Replies come back in order with the same
// Seq.
type Command struct {
	Conn ConnID
	// Seq numbers the requests of a connection from 1.
	Seq uint64
	// Open marks the first command of a new connection (the TCP handshake).
	// A server that gets a command without Open on a connection it does not
	// know (for example because it restarted since the connection was opened)
	// answers with Closed, like a TCP reset.
	Open bool
	Args []string
}

func (c *Command) String() string { return string(c.AppendTrace(nil)) }

// AppendTrace appends String's text to b.
func (c *Command) AppendTrace(b []byte) []byte {
	b = appendSeq(appendConn(b, c.Conn), c.Seq)
	if c.Open {
		b = append(b, " open"...)
	}
	if len(c.Args) > 0 {
		b = AppendArgs(append(b, ' '), c.Args)
	}
	return b
}

// AppendArgs appends a command's arguments as a Command's trace text shows
// them: separated by spaces, quoted where needed.
func AppendArgs(b []byte, args []string) []byte {
	for i, a := range args {
		if i > 0 {
			b = append(b, ' ')
		}
		b = appendArg(b, a)
	}
	return b
}

// Reply answers the command with the same Conn and Seq.
type Reply struct {
	Conn  ConnID
	Seq   uint64
	Value Value
}

func (r *Reply) String() string { return string(r.AppendTrace(nil)) }

// AppendTrace appends String's text to b.
func (r *Reply) AppendTrace(b []byte) []byte {
	b = appendSeq(appendConn(b, r.Conn), r.Seq)
	b = append(b, " -> "...)
	return r.Value.AppendTrace(b)
}

// Push is an out-of-band message on a connection: a pub/sub message
// (["message", channel, payload]).
type Push struct {
	Conn  ConnID
	Value Value
}

func (p *Push) String() string { return string(p.AppendTrace(nil)) }

// AppendTrace appends String's text to b.
func (p *Push) AppendTrace(b []byte) []byte {
	return p.Value.AppendTrace(p.AppendTraceHead(b))
}

// AppendTraceHead appends the part of AppendTrace's text before the value.
func (p *Push) AppendTraceHead(b []byte) []byte {
	return append(appendConn(b, p.Conn), " push "...)
}

// Closed tells a client that the server closed one of its connections
// (CLIENT KILL, a restart, SHUTDOWN, a protocol error). Every command still
// unanswered on it is lost.
type Closed struct {
	Conn   ConnID
	Reason string
}

func (c *Closed) String() string { return string(c.AppendTrace(nil)) }

// AppendTrace appends String's text to b.
func (c *Closed) AppendTrace(b []byte) []byte {
	b = append(appendConn(b, c.Conn), " closed "...)
	return append(b, c.Reason...)
}

// Hangup tells a server that the client closed one of its connections.
type Hangup struct {
	Conn ConnID
}

func (h *Hangup) String() string { return string(h.AppendTrace(nil)) }

// AppendTrace appends String's text to b.
func (h *Hangup) AppendTrace(b []byte) []byte { return append(appendConn(b, h.Conn), " hangup"...) }

// appendArg appends an argument for the trace, quoted when it is empty or
// holds spaces, quotes or non-printable bytes, so a trace line splits
// unambiguously.
func appendArg(b []byte, a string) []byte {
	if a == "" {
		return append(b, `""`...)
	}
	i := 0
	for ; i+8 <= len(a) && !mayNeedQuotes(load64(a, i)); i += 8 {
	}
	for ; i < len(a); i++ {
		if argSpecial[a[i]] {
			return AppendQuoted(b, a)
		}
	}
	return append(b, a...)
}

// Word-at-a-time tests of eight bytes: true when one of them may be a
// byte the test names, false only when none is. (A byte below a bound
// borrows into its own high bit while that bit is clear; an equal byte is
// zero after xor. Borrows only cross from a byte that matched.)
const ones, highs = 0x0101010101010101, 0x8080808080808080

// load64 reads s[i:i+8] as a little-endian word (one load: the compiler
// combines the bytes' loads).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// below reports bytes of x below c (c at most 0x80), as a mask of high bits
// (exact for the first such byte).
func below(x uint64, c byte) uint64 { return (x - uint64(c)*ones) &^ x & highs }

// equal reports bytes of x equal to c.
func equal(x uint64, c byte) uint64 { y := x ^ uint64(c)*ones; return (y - ones) &^ y & highs }

// mayNeedQuotes: a byte that makes appendArg quote (argSpecial).
func mayNeedQuotes(x uint64) bool {
	return (x&highs | below(x, 0x21) | equal(x, 0x7f) | equal(x, '"')) != 0
}

// Addr is a host and port, as Redis and Sentinel name instances.
type Addr struct {
	Host string
	Port int
}

func (a Addr) String() string { return a.Host + ":" + strconv.Itoa(a.Port) }

// ParseAddr reads "host:port" (the host may hold colons: the port follows
// the last one), the inverse of String.
func ParseAddr(v string) (Addr, error) {
	i := strings.LastIndexByte(v, ':')
	if i <= 0 {
		return Addr{}, fmt.Errorf("address %q is not host:port", v)
	}
	port, err := strconv.Atoi(v[i+1:])
	if err != nil || port <= 0 || port > 65535 {
		return Addr{}, fmt.Errorf("address %q: port must be 1..65535", v)
	}
	return Addr{Host: v[:i], Port: port}, nil
}

// IsZero reports whether a is unset.
func (a Addr) IsZero() bool { return a.Host == "" && a.Port == 0 }

// Directory resolves the addresses processes use to the nodes that listen
// on them (the simulated DNS and routing table).
type Directory interface {
	Resolve(a Addr) (NodeID, bool)
	// AddrOf returns the address a node listens on.
	AddrOf(id NodeID) (Addr, bool)
}

// HostResolver is implemented by a Directory that also knows host names
// (the simulated DNS): LookupHost returns the IP address a name resolves
// to. A literal IP is not a name: it is not found.
type HostResolver interface {
	LookupHost(name string) (ip string, ok bool)
}

// StaticDirectory is a Directory from a fixed table, with host names.
type StaticDirectory struct {
	byAddr map[Addr]NodeID
	byNode map[NodeID]Addr
	hosts  map[string]string // lower-case host name -> IP
}

// NewStaticDirectory returns an empty directory.
func NewStaticDirectory() *StaticDirectory {
	return &StaticDirectory{byAddr: map[Addr]NodeID{}, byNode: map[NodeID]Addr{}}
}

// Add records that node id listens on a.
func (d *StaticDirectory) Add(id NodeID, a Addr) {
	d.byAddr[a] = id
	d.byNode[id] = a
}

// AddHost records that the host name name resolves to ip (names are
// matched without case, as DNS does).
func (d *StaticDirectory) AddHost(name, ip string) {
	if d.hosts == nil {
		d.hosts = map[string]string{}
	}
	d.hosts[strings.ToLower(name)] = ip
}

// LookupHost implements HostResolver.
func (d *StaticDirectory) LookupHost(name string) (string, bool) {
	if len(d.hosts) == 0 {
		return "", false // (no case folding: a sentinel resolves the host of every hello it sends)
	}
	ip, ok := d.hosts[strings.ToLower(name)]
	return ip, ok
}

// Resolve implements Directory: an address by host name resolves through
// the host table.
func (d *StaticDirectory) Resolve(a Addr) (NodeID, bool) {
	id, ok := d.byAddr[a]
	if !ok {
		if ip, named := d.LookupHost(a.Host); named {
			id, ok = d.byAddr[Addr{Host: ip, Port: a.Port}]
		}
	}
	return id, ok
}

// AddrOf implements Directory.
func (d *StaticDirectory) AddrOf(id NodeID) (Addr, bool) {
	a, ok := d.byNode[id]
	return a, ok
}

// Reset is what the simulator delivers, like a TCP reset, to a process whose
// message reached a node where no process owns the connection any more: the
// process there is not running (connection refused), or it is a new
// incarnation that never had the connection. Payload is the message that
// was refused; the message carrying the Reset comes From the node it was
// sent to. A partition or a crashed host gives no Reset: only silence.
type Reset struct {
	Payload Payload
}

func (r *Reset) String() string { return string(r.AppendTrace(nil)) }

// AppendTrace appends String's text to b.
func (r *Reset) AppendTrace(b []byte) []byte { return AppendPayload(append(b, "RST "...), r.Payload) }

// Segment is a payload that travels on a TCP connection: the simulator
// makes such a connection reliable and ordered, as the host's TCP stack
// would (a partition or a lost packet delays a segment, it does not lose
// it, until the connection times out). Connection names the connection;
// Handshake marks the segment that opens it (a SYN: retried on TCP's
// connect schedule rather than its data schedule).
type Segment interface {
	Payload
	Connection() ConnID
	Handshake() bool
	// FromClient says which way the segment goes: from the client that
	// opened the connection (commands, hang-ups) or back to it (replies,
	// pushes, closes). With Connection and the two nodes it names one
	// direction of one connection.
	FromClient() bool
}

// Connection implements Segment.
func (c *Command) Connection() ConnID { return c.Conn }

// Handshake implements Segment: the first command of a connection opens it.
func (c *Command) Handshake() bool { return c.Open }

// FromClient implements Segment.
func (*Command) FromClient() bool { return true }

// FromClient implements Segment.
func (*Reply) FromClient() bool { return false }

// FromClient implements Segment.
func (*Push) FromClient() bool { return false }

// FromClient implements Segment.
func (*Closed) FromClient() bool { return false }

// FromClient implements Segment.
func (*Hangup) FromClient() bool { return true }

// Connection implements Segment.
func (r *Reply) Connection() ConnID { return r.Conn }

// Handshake implements Segment.
func (*Reply) Handshake() bool { return false }

// Connection implements Segment.
func (p *Push) Connection() ConnID { return p.Conn }

// Handshake implements Segment.
func (*Push) Handshake() bool { return false }

// Connection implements Segment.
func (c *Closed) Connection() ConnID { return c.Conn }

// Handshake implements Segment.
func (*Closed) Handshake() bool { return false }

// Connection implements Segment.
func (h *Hangup) Connection() ConnID { return h.Conn }

// Handshake implements Segment.
func (*Hangup) Handshake() bool { return false }

// AppendUint appends v in decimal, like strconv.AppendUint but writing the
// digits in place: the trace appends a time, a message number and a
// sequence number to every line, and strconv's copy of a short digit
// string cost more than the formatting.
func AppendUint(b []byte, v uint64) []byte {
	// Written backwards in place, its length known first (no scratch
	// array to copy from, no copy call for a few bytes).
	n := decimalLen(v)
	l := len(b)
	if cap(b)-l < n {
		b = append(b, make([]byte, n)...)[:l]
	}
	b = b[:l+n]
	d := b[l:]
	i := n
	for v >= 100 { // two digits per division
		q := v / 100
		k := (v - q*100) * 2
		i -= 2
		d[i], d[i+1] = digitPairs[k], digitPairs[k+1]
		v = q
	}
	if v >= 10 {
		d[i-2], d[i-1] = digitPairs[v*2], digitPairs[v*2+1]
	} else {
		d[i-1] = byte('0' + v)
	}
	return b
}

// decimalLen is the number of decimal digits of v: from its bit length
// (log10(2) ≈ 1233/4096), corrected by one comparison.
func decimalLen(v uint64) int {
	n := (bits.Len64(v) * 1233) >> 12
	if n < len(pow10) && v >= pow10[n] {
		n++
	}
	return max(n, 1)
}

// pow10[i] is 10^i.
var pow10 = [...]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

// digitPairs holds "00" to "99".
const digitPairs = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

// AppendInt is AppendUint for a signed value.
func AppendInt(b []byte, v int64) []byte {
	if v < 0 {
		return AppendUint(append(b, '-'), uint64(-v))
	}
	return AppendUint(b, uint64(v))
}
