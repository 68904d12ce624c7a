package history

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Outcome is how an operation ended, as far as its client can know.
type Outcome uint8

// The outcomes. The zero value is Pending, so an Op that was invoked and
// never completed says so rather than passing for a result.
const (
	// Pending: invoked but never completed, because the run ended or the
	// client crashed with the operation in flight. A checker treats it like
	// Unknown with no return time: it may take effect at any later point.
	Pending Outcome = iota
	// OK: the command was applied and its reply received.
	OK
	// Fail: the command was definitely not applied: an error reply
	// (READONLY, NOREPLICAS, WRONGTYPE, LOADING, ...) or it was never sent.
	Fail
	// Unknown: sent, then the client gave up (a timeout, or the connection
	// closed before the reply): it may or may not have been applied, now or
	// later.
	Unknown
)

var outcomeNames = [...]string{"pending", "ok", "fail", "unknown"}

// String returns "pending", "ok", "fail" or "unknown".
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

// Valid reports whether o is one of the four outcomes.
func (o Outcome) Valid() bool { return int(o) < len(outcomeNames) }

// ParseOutcome is the inverse of Outcome.String.
func ParseOutcome(s string) (Outcome, error) {
	for i, n := range outcomeNames {
		if s == n {
			return Outcome(i), nil
		}
	}
	return 0, fmt.Errorf("unknown outcome %q (want ok, fail, unknown or pending)", s)
}

// MarshalText encodes o by name.
func (o Outcome) MarshalText() ([]byte, error) {
	if !o.Valid() {
		return nil, fmt.Errorf("history: invalid outcome %d", uint8(o))
	}
	return []byte(o.String()), nil
}

// UnmarshalText decodes a name written by MarshalText.
func (o *Outcome) UnmarshalText(b []byte) error {
	v, err := ParseOutcome(string(b))
	if err != nil {
		return err
	}
	*o = v
	return nil
}

// Op is one command a client tried: one call of Recorder.Invoke and, unless
// it is still Pending, one of Recorder.Complete.
type Op struct {
	// ID numbers the ops of a Log from 1, in Invoke order.
	ID uint64
	// Client names the client that issued the op.
	Client string
	// Args is the command, e.g. ["SET", "k", "c1-7"].
	Args []string
	// Call and Return are true simulated times stamped by the Recorder (not
	// read from the client's clock). The Return of an Unknown op is when the
	// client gave up; a Pending op has none (0).
	Call   wire.Time
	Return wire.Time
	// Outcome is ok, fail, unknown or pending.
	Outcome Outcome
	// Reply is the server's reply for OK ops and for Fail ops that got an
	// error reply. For ops that never reached a reply (Unknown, and Fail
	// ops with Node "") a client may put an error value here naming its own
	// reason (e.g. "TIMEOUT ...", "NOMASTER ..."); a checker must not read it
	// as the server's answer.
	Reply wire.Value
	// Node names the server the client sent the command to, "" if it was
	// never sent.
	Node string
}

// Done reports whether the op completed (its outcome is not Pending).
func (o *Op) Done() bool { return o.Outcome != Pending }

// String formats the op on one line for tests and traces, e.g.
// `#3 c1 SET k c1-3 100ms..104ms ok +OK @redis1`.
func (o *Op) String() string {
	var b strings.Builder
	b.WriteByte('#')
	b.WriteString(strconv.FormatUint(o.ID, 10))
	b.WriteByte(' ')
	b.WriteString(o.Client)
	for _, a := range o.Args {
		b.WriteByte(' ')
		if a == "" || strings.ContainsAny(a, " \t\r\n\"") {
			a = strconv.Quote(a)
		}
		b.WriteString(a)
	}
	b.WriteByte(' ')
	b.WriteString(o.Call.String())
	if o.Done() {
		b.WriteString("..")
		b.WriteString(o.Return.String())
	}
	b.WriteByte(' ')
	b.WriteString(o.Outcome.String())
	if o.Done() {
		b.WriteByte(' ')
		b.WriteString(o.Reply.String())
	}
	if o.Node != "" {
		b.WriteString(" @")
		b.WriteString(o.Node)
	}
	return b.String()
}

// Recorder receives the operations of clients. Clients call Invoke before
// they start a command and Complete exactly once when they know how it
// ended; the Recorder stamps both with the true simulated time.
type Recorder interface {
	// Invoke records the start of an op and returns its id. An id of 0
	// means the op was not recorded (the log is full); Complete(0, ...) is
	// a no-op, so callers need not check.
	Invoke(client string, args []string) uint64
	// Complete records how op id ended. node names the server it was sent
	// to ("" if never sent); reply is the server's reply (or the client's
	// own reason, see Op.Reply).
	Complete(id uint64, node string, o Outcome, reply wire.Value)
}

// DefaultMaxOps bounds a Log made with maxOps <= 0.
const DefaultMaxOps = 1_000_000

var _ Recorder = (*Log)(nil)

// Log is a Recorder that keeps ops in memory, at most a fixed number of
// them. An Invoke past the bound is counted, not recorded (it returns id 0),
// and Overflowed and Err report it: a full log is a result, never a panic or
// unbounded growth.
//
// A Log is not safe for concurrent use; the simulator is single-threaded.
type Log struct {
	clock   func() wire.Time
	max     int
	ops     []Op
	dropped uint64
	misuse  error // the first bad Complete
}

// NewLog returns an empty log stamping times with clock (the harness's true
// simulated time, e.g. (*sim.World).Now) and keeping at most maxOps ops
// (DefaultMaxOps if maxOps <= 0). A nil clock stamps every time 0.
func NewLog(clock func() wire.Time, maxOps int) *Log {
	if maxOps <= 0 {
		maxOps = DefaultMaxOps
	}
	return &Log{clock: clock, max: maxOps}
}

func (l *Log) now() wire.Time {
	if l.clock == nil {
		return 0
	}
	return l.clock()
}

// Invoke implements Recorder. The args are copied.
func (l *Log) Invoke(client string, args []string) uint64 {
	if len(l.ops) >= l.max {
		l.dropped++
		return 0
	}
	id := uint64(len(l.ops)) + 1
	l.ops = append(l.ops, Op{ID: id, Client: client, Args: slices.Clone(args), Call: l.now()})
	return id
}

// Complete implements Recorder. Completing id 0 does nothing; completing an
// unknown op, an op twice, or with the Pending outcome is a client bug: it
// is ignored and reported by Err.
func (l *Log) Complete(id uint64, node string, o Outcome, reply wire.Value) {
	switch {
	case id == 0:
		return
	case id > uint64(len(l.ops)):
		l.bad(fmt.Errorf("history: Complete of unknown op %d", id))
		return
	case o == Pending || !o.Valid():
		l.bad(fmt.Errorf("history: op %d completed with outcome %s", id, o))
		return
	}
	op := &l.ops[id-1]
	if op.Done() {
		l.bad(fmt.Errorf("history: op %d completed twice (%s, then %s)", id, op.Outcome, o))
		return
	}
	op.Return = l.now()
	op.Outcome = o
	op.Reply = cloneValue(reply)
	op.Node = node
}

func (l *Log) bad(err error) {
	if l.misuse == nil {
		l.misuse = err
	}
}

// Ops returns the recorded ops in Invoke order. The slice is a copy; the
// Args and Reply inside it are shared and must not be modified.
func (l *Log) Ops() []Op { return slices.Clone(l.ops) }

// Len returns the number of recorded ops.
func (l *Log) Len() int { return len(l.ops) }

// Max returns the log's bound.
func (l *Log) Max() int { return l.max }

// Overflowed reports whether an Invoke was refused because the log was full.
func (l *Log) Overflowed() bool { return l.dropped > 0 }

// Dropped returns how many Invokes were refused because the log was full.
func (l *Log) Dropped() uint64 { return l.dropped }

// Err reports what makes the log incomplete or suspect: an overflow, or a
// client's misuse of Complete. It is nil for a complete, well-formed log.
func (l *Log) Err() error {
	var errs []error
	if l.dropped > 0 {
		errs = append(errs, &OverflowError{Max: l.max, Dropped: l.dropped})
	}
	if l.misuse != nil {
		errs = append(errs, l.misuse)
	}
	return errors.Join(errs...)
}

// Record returns the log as saveable data.
func (l *Log) Record() Record {
	return Record{MaxOps: l.max, Dropped: l.dropped, Ops: l.Ops()}
}

// OverflowError says a Log hit its bound: the history is a prefix of what
// the clients did, and a check of it is partial.
type OverflowError struct {
	Max     int
	Dropped uint64
}

func (e *OverflowError) Error() string {
	return fmt.Sprintf("history: log full at %d ops, %d later ops not recorded", e.Max, e.Dropped)
}

// cloneValue deep-copies v so a client reusing its reply cannot change the
// record.
func cloneValue(v wire.Value) wire.Value {
	if v.Array != nil {
		a := make([]wire.Value, len(v.Array))
		for i, e := range v.Array {
			a[i] = cloneValue(e)
		}
		v.Array = a
	}
	return v
}
