package checker

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/anishathalye/porcupine"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// The porcupine model of one Redis string key under the commands the
// workloads issue (model/client/workload.go): GET, SET key v, APPEND key v
// and INCR key. One history is checked per key (Redis commands on one key
// touch only that key, so a history is linearizable iff each key's is).

// kvCmd is a modelled command.
type kvCmd uint8

const (
	cmdGet kvCmd = iota
	cmdSet
	cmdAppend
	cmdIncr
)

var cmdNames = [...]string{"GET", "SET", "APPEND", "INCR"}

// kvInput is an operation's command. For SET and APPEND, argHash and
// argPow are the rolling hash of Arg and base^len(Arg), computed once.
type kvInput struct {
	Cmd     kvCmd
	Arg     string
	argHash uint64
	argPow  uint64
}

// kvOutput is what the client saw. Unknown: the command may or may not
// have been applied and its reply is not known (no constraint). Otherwise,
// by command: GET a bulk string (Str, with its hash) or nil (Nil); APPEND
// and INCR an integer (Int); INCR the "not an integer" error (NotInt); SET
// nothing to check. Bad marks a reply of a kind the command never gives:
// no state explains it.
type kvOutput struct {
	Unknown bool
	Nil     bool
	NotInt  bool
	Bad     bool
	Str     string
	Int     int64
	// Reply is the reply as the history recorded it, for descriptions
	// (formatted only when a page is written: a GET's reply may be long).
	Reply wire.Value
}

// value is the state of a key that exists: an immutable chain of the
// strings written to it (a SET starts a chain, each APPEND adds a link),
// with the total length and a rolling hash of the whole string, so that
// an APPEND is O(1) and two states compare in O(1) unless they are equal.
// The key's state is a *value; nil means the key does not exist.
type value struct {
	prev  *value
	chunk string
	n     int
	h     uint64
}

// hashBase is the rolling hash's base (odd, so powers never vanish modulo
// 2^64). The hash is polynomial: h(s+t) = h(s)*base^len(t) + h(t).
const hashBase = 1_000_003

func rollingHash(s string) (h, pow uint64) {
	pow = 1
	for i := 0; i < len(s); i++ {
		h = h*hashBase + uint64(s[i])
		pow *= hashBase
	}
	return h, pow
}

func newValue(s string, h uint64) *value { return &value{chunk: s, n: len(s), h: h} }

// appendTo is v followed by s (v may be nil: APPEND creates the key).
func (v *value) appendTo(in kvInput) *value {
	if v == nil {
		return newValue(in.Arg, in.argHash)
	}
	return &value{prev: v, chunk: in.Arg, n: v.n + len(in.Arg), h: v.h*in.argPow + in.argHash}
}

// String materialises the value.
func (v *value) String() string {
	if v == nil {
		return ""
	}
	if v.prev == nil {
		return v.chunk
	}
	b := make([]byte, v.n)
	end := v.n
	for p := v; p != nil; p = p.prev {
		end -= len(p.chunk)
		copy(b[end:], p.chunk)
	}
	return string(b)
}

// is reports whether v holds exactly s.
func (v *value) is(s string) bool {
	if v.n != len(s) {
		return false
	}
	for p := v; p != nil; p = p.prev {
		rest := len(s) - len(p.chunk)
		if s[rest:] != p.chunk {
			return false
		}
		s = s[:rest]
	}
	return true
}

func stateEqual(a, b interface{}) bool {
	x, y := a.(*value), b.(*value)
	switch {
	case x == y:
		return true
	case x == nil || y == nil:
		return false
	}
	return x.n == y.n && x.h == y.h && x.is(y.String())
}

func stateHash(s interface{}) uint64 {
	if v := s.(*value); v != nil {
		return v.h ^ uint64(v.n)<<1 | 1
	}
	return 0
}

// parseRedisInt parses s as Redis's string2ll does for INCR: optional '-',
// no '+', no leading zeros or spaces, "-0" refused, within int64.
func parseRedisInt(s string) (int64, bool) {
	if s == "" || len(s) > 20 || s[0] == '+' || s == "-0" {
		return 0, false
	}
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || (len(digits) > 1 && digits[0] == '0') {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// kvStep is the sequential specification of one key.
func kvStep(state, input, output interface{}) (bool, interface{}) {
	v, in, out := state.(*value), input.(kvInput), output.(kvOutput)
	if out.Bad {
		return false, v
	}
	switch in.Cmd {
	case cmdGet:
		if out.Unknown {
			return true, v
		}
		if out.Nil {
			return v == nil, v
		}
		return v != nil && v.is(out.Str), v
	case cmdSet:
		return true, newValue(in.Arg, in.argHash)
	case cmdAppend:
		next := v.appendTo(in)
		return out.Unknown || out.Int == int64(next.n), next
	case cmdIncr:
		var n int64
		if v != nil {
			var ok bool
			if n, ok = parseRedisInt(v.String()); !ok {
				// Redis refuses: the key is unchanged.
				return out.Unknown || out.NotInt, v
			}
		}
		if n == 1<<63-1 {
			// "ERR increment or decrement would overflow": such ops are
			// left out of the history (Fail), so only an unknown fits.
			return out.Unknown, v
		}
		n++
		s := strconv.FormatInt(n, 10)
		h, _ := rollingHash(s)
		return out.Unknown || (!out.NotInt && out.Int == n), newValue(s, h)
	}
	return false, v
}

// describeLimit bounds the text of a value in the visualisation.
const describeLimit = 60

func clip(s string) string {
	if len(s) <= describeLimit {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("…%s (%d bytes)", strconv.Quote(s[len(s)-describeLimit:]), len(s))
}

func describeOp(input, output interface{}) string {
	in, out := input.(kvInput), output.(kvOutput)
	var b strings.Builder
	b.WriteString(cmdNames[in.Cmd])
	if in.Cmd == cmdSet || in.Cmd == cmdAppend {
		b.WriteString(" " + clip(in.Arg))
	}
	b.WriteString(" -> ")
	switch {
	case out.Unknown:
		b.WriteString("unknown")
	case out.Nil:
		b.WriteString("nil")
	case in.Cmd == cmdGet && !out.Bad:
		b.WriteString(clip(out.Str))
	default:
		b.WriteString(out.Reply.String())
	}
	return b.String()
}

func describeState(state interface{}) string {
	v := state.(*value)
	if v == nil {
		return "(no key)"
	}
	return clip(v.String())
}

// kvModel is the model of one key; the checker splits histories by key
// itself (in key order), so it has no Partition function.
var kvModel = porcupine.Model{
	Init:              func() interface{} { return (*value)(nil) },
	Step:              kvStep,
	Equal:             stateEqual,
	Hash:              stateHash,
	DescribeOperation: describeOp,
	DescribeState:     describeState,
	DescribeOperationMetadata: func(m interface{}) string {
		if s, ok := m.(fmt.Stringer); ok {
			return s.String()
		}
		return ""
	},
}
