package checker

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/sentinelsim/sentinelsim/internal/history"
	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// LinStatus is a three-valued linearizability verdict.
type LinStatus string

// The verdicts. Unknown is "no violation found within the budget" (or a
// key the model cannot judge), never a pass.
const (
	LinOK       LinStatus = "ok"
	LinViolated LinStatus = "violated"
	LinUnknown  LinStatus = "unknown"
)

// KeyResult is the verdict on one key's history.
type KeyResult struct {
	Key    string    `json:"key"`
	Status LinStatus `json:"status"`
	// Ops are the operations checked; Indefinite those among them whose
	// outcome was unknown or pending (they may take effect at any time
	// after their call, or never).
	Ops        int `json:"ops"`
	Indefinite int `json:"indefinite,omitempty"`
	// Why says what made the verdict unknown.
	Why string `json:"why,omitempty"`
}

// LinResult is the linearizability verdict on a history of Redis string
// commands: per key, and overall (violated if any key is, else unknown if
// any key is, else ok).
type LinResult struct {
	Status LinStatus   `json:"status"`
	Keys   []KeyResult `json:"keys,omitempty"`
	// FirstViolated is the first violated key in key order ("" if none).
	FirstViolated string `json:"first_violated,omitempty"`
	// Checked counts the operations given to porcupine; LeftOut those it
	// did not need: failed operations (an error reply or never sent:
	// definitely not applied) and reads with no reply.
	Checked int `json:"checked"`
	LeftOut int `json:"left_out"`

	ops map[string][]porcupine.Operation
}

// Linearizable checks ops (the histories of all clients, in any order)
// against the model of Redis string keys (GET, SET, APPEND, INCR), one key
// at a time in key order, within budget of wall time in all (0: no
// limit). Outcomes are used as porcupine's documentation describes:
//
//   - ok: call and return as recorded, the reply checked;
//   - fail (an error reply, or never sent): definitely not applied, left
//     out — except INCR's "value is not an integer" error, which a master
//     gives only after looking at the key, so it is checked as a read;
//   - unknown and pending: may or may not have taken effect, now or
//     later: the return is put after the end of the history and the reply
//     is not checked (reads among them say nothing and are left out).
//
// The result depends only on ops, except that a key whose check runs out
// of budget is unknown.
func Linearizable(ops []history.Op, budget time.Duration) LinResult {
	byKey, unmodelled, res := convert(ops)
	keys := make([]string, 0, len(byKey)+len(unmodelled))
	for k := range byKey {
		keys = append(keys, k)
	}
	for k := range unmodelled {
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var deadline time.Time
	if budget > 0 {
		deadline = time.Now().Add(budget)
	}
	// Keys are checked in parallel (porcupine runs each check on one
	// goroutine) and put back in key order: no check is cancelled by
	// another's result, so the verdicts do not depend on scheduling.
	res.Keys = make([]KeyResult, len(keys))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(keys)) {
		wg.Go(func() {
			for i := range next {
				res.Keys[i] = checkKey(keys[i], byKey[keys[i]], unmodelled[keys[i]], budget, deadline)
			}
		})
	}
	for i := range keys {
		next <- i
	}
	close(next)
	wg.Wait()
	res.Status = LinOK
	for _, kr := range res.Keys {
		switch {
		case kr.Status == LinViolated && res.Status != LinViolated:
			res.Status, res.FirstViolated = LinViolated, kr.Key
		case kr.Status == LinUnknown && res.Status == LinOK:
			res.Status = LinUnknown
		}
	}
	res.ops = byKey
	return res
}

// checkKey checks one key's history h; unmodelled names a command on the
// key the model does not know ("" if none).
func checkKey(k string, h []porcupine.Operation, unmodelled string, budget time.Duration, deadline time.Time) KeyResult {
	kr := KeyResult{Key: k, Ops: len(h), Status: LinOK}
	for _, op := range h {
		if op.Output.(kvOutput).Unknown {
			kr.Indefinite++
		}
	}
	switch left := time.Until(deadline); {
	case unmodelled != "":
		kr.Status, kr.Why = LinUnknown, "the model does not know "+unmodelled
	case budget > 0 && left <= 0:
		kr.Status, kr.Why = LinUnknown, "the time budget ran out before this key"
	default:
		if budget <= 0 {
			left = 0
		}
		switch porcupine.CheckOperationsTimeout(kvModel, h, left) {
		case porcupine.Illegal:
			kr.Status = LinViolated
		case porcupine.Unknown:
			kr.Status, kr.Why = LinUnknown, "porcupine ran out of the time budget"
		}
	}
	return kr
}

// Key returns the result of one key.
func (r *LinResult) Key(key string) (KeyResult, bool) {
	i := slices.IndexFunc(r.Keys, func(k KeyResult) bool { return k.Key == key })
	if i < 0 {
		return KeyResult{}, false
	}
	return r.Keys[i], true
}

// Note is a fault or an event to show on the visualisation's timeline,
// in simulated time (End 0: an instant).
type Note struct {
	Start, End wire.Time
	Tag        string // the timeline row, e.g. "faults"
	Text       string
	Details    string
}

// Visualize writes porcupine's interactive HTML page for one key's
// history (the longest linearizable prefixes and where they stop), with
// notes on its timeline. It re-checks that key without a time limit.
func (r *LinResult) Visualize(w io.Writer, key string, notes []Note) error {
	h, ok := r.ops[key]
	if !ok {
		return fmt.Errorf("checker: no history for key %q", key)
	}
	_, info := porcupine.CheckOperationsVerbose(kvModel, h, 0)
	var anns []porcupine.Annotation
	for _, n := range notes {
		end := n.End
		if end < n.Start {
			end = n.Start
		}
		anns = append(anns, porcupine.Annotation{Tag: n.Tag, Start: int64(n.Start), End: int64(end),
			Description: n.Text, Details: n.Details, BackgroundColor: "#fde2c4"})
	}
	info.AddAnnotations(anns)
	return porcupine.Visualize(kvModel, info, w)
}

// VisualizeFile is Visualize into a file at path.
func (r *LinResult) VisualizeFile(path, key string, notes []Note) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := r.Visualize(f, key, notes); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Summary is one line for reports: "ok (3 keys, 1200 ops)", "violated on
// key jepsen", "unknown: key k1: porcupine ran out of the time budget".
func (r *LinResult) Summary() string {
	switch r.Status {
	case LinViolated:
		return "violated on key " + r.FirstViolated
	case LinUnknown:
		for _, k := range r.Keys {
			if k.Status == LinUnknown {
				return "unknown: key " + k.Key + ": " + k.Why
			}
		}
	}
	return fmt.Sprintf("%s (%d keys, %d ops)", r.Status, len(r.Keys), r.Checked)
}

// convert turns client ops into porcupine operations by key (each sorted
// by call time, client and id), the keys an unmodelled command touched
// (with that command), and the counts.
func convert(ops []history.Op) (map[string][]porcupine.Operation, map[string]string, LinResult) {
	var res LinResult
	// Time after the end: the return of ops that may take effect later.
	var end wire.Time
	for i := range ops {
		end = max(end, ops[i].Call, ops[i].Return)
	}
	end++
	sorted := make([]*history.Op, len(ops))
	for i := range ops {
		sorted[i] = &ops[i]
	}
	slices.SortStableFunc(sorted, func(a, b *history.Op) int {
		if c := strings.Compare(a.Client, b.Client); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	lanes := newLanes(sorted)
	byKey := map[string][]porcupine.Operation{}
	unmodelled := map[string]string{}
	for _, op := range sorted {
		lane := lanes.of(op)
		in, out, keep, known := classify(op)
		if !known {
			if op.Outcome != history.Fail && len(op.Args) > 1 && unmodelled[op.Args[1]] == "" {
				unmodelled[op.Args[1]] = strings.ToUpper(op.Args[0])
			}
			res.LeftOut++
			continue
		}
		if !keep {
			res.LeftOut++
			continue
		}
		ret := op.Return
		if out.Unknown {
			ret = end
		}
		meta := opMeta{client: op.Client, id: op.ID, outcome: op.Outcome, node: op.Node}
		key := op.Args[1]
		byKey[key] = append(byKey[key], porcupine.Operation{ClientId: lane, Input: in, Call: int64(op.Call),
			Output: out, Return: int64(ret), Metadata: meta})
		res.Checked++
	}
	for _, h := range byKey {
		slices.SortStableFunc(h, func(a, b porcupine.Operation) int { return cmp.Compare(a.Call, b.Call) })
	}
	return byKey, unmodelled, res
}

// opMeta identifies an op on the visualisation (formatted only there).
type opMeta struct {
	client  string
	id      uint64
	outcome history.Outcome
	node    string
}

func (m opMeta) String() string {
	s := fmt.Sprintf("%s #%d %s", m.client, m.id, m.outcome)
	if m.node != "" {
		s += " @" + m.node
	}
	return s
}

// lanes gives each client a row of the visualisation (porcupine's
// ClientId, dense from 0 in client order). As Jepsen does for a crashed
// process, a client whose op ended unknown goes on in a new row, since
// that op may still be in flight.
type lanes struct {
	next int
	cur  map[string]int
	byOp map[*history.Op]int
}

func newLanes(sorted []*history.Op) *lanes {
	l := &lanes{cur: map[string]int{}, byOp: map[*history.Op]int{}}
	for _, op := range sorted {
		if _, ok := l.cur[op.Client]; !ok {
			l.cur[op.Client] = l.next
			l.next++
		}
	}
	for _, op := range sorted {
		l.byOp[op] = l.cur[op.Client]
		if op.Outcome == history.Unknown || op.Outcome == history.Pending {
			l.cur[op.Client] = l.next
			l.next++
		}
	}
	return l
}

func (l *lanes) of(op *history.Op) int { return l.byOp[op] }

// classify maps an op to the model. known is false for commands outside
// the model; keep is false for ops left out (failed, or reads that may
// not have happened).
func classify(op *history.Op) (in kvInput, out kvOutput, keep, known bool) {
	if len(op.Args) < 2 {
		return in, out, false, false
	}
	name := strings.ToUpper(op.Args[0])
	switch {
	case name == "GET" && len(op.Args) == 2:
		in.Cmd = cmdGet
	case name == "SET" && len(op.Args) == 3:
		in.Cmd = cmdSet
	case name == "APPEND" && len(op.Args) == 3:
		in.Cmd = cmdAppend
	case name == "INCR" && len(op.Args) == 2:
		in.Cmd = cmdIncr
	default:
		return in, out, false, false
	}
	if in.Cmd == cmdSet || in.Cmd == cmdAppend {
		in.Arg = op.Args[2]
		in.argHash, in.argPow = rollingHash(in.Arg)
	}
	out.Reply = op.Reply
	switch op.Outcome {
	case history.Unknown, history.Pending:
		out.Unknown = true
		return in, out, in.Cmd != cmdGet, true
	case history.Fail:
		// A master answers INCR on a non-integer with this error after
		// reading the key: an observation, like a GET.
		notInt := in.Cmd == cmdIncr && op.Node != "" && op.Reply.Kind == wire.KindError &&
			op.Reply.Str == "ERR value is not an integer or out of range"
		out.NotInt = notInt
		return in, out, notInt, true
	}
	r := op.Reply
	switch in.Cmd {
	case cmdGet:
		switch r.Kind {
		case wire.KindNil:
			out.Nil = true
		case wire.KindBulk:
			out.Str = r.Str
		default:
			out.Bad = true
		}
	case cmdSet:
		out.Bad = r.Kind != wire.KindStatus || r.Str != "OK"
	case cmdAppend, cmdIncr:
		out.Int = r.Int
		out.Bad = r.Kind != wire.KindInt
	}
	return in, out, true, true
}
