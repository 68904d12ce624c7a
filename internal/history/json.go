package history

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Format names the JSON layout Encode writes; Decode refuses any other.
const Format = "sentinelsim-history/1"

// Record is a saved history: the ops of a run, and whether the log that
// held them overflowed.
type Record struct {
	// MaxOps is the bound of the log the ops came from (0 if unknown).
	MaxOps int
	// Dropped counts the ops refused because the log was full; a history
	// with Dropped > 0 is a prefix of what the clients did.
	Dropped uint64
	// Ops are in Invoke order.
	Ops []Op
}

// Overflowed reports whether ops are missing from the record.
func (r *Record) Overflowed() bool { return r.Dropped > 0 }

// opJSON fixes the field names and order of an op in JSON.
type opJSON struct {
	ID      uint64    `json:"id"`
	Client  string    `json:"client"`
	Args    []string  `json:"args"`
	Call    wire.Time `json:"call"`
	Return  wire.Time `json:"return"`
	Outcome Outcome   `json:"outcome"`
	Reply   jsonValue `json:"reply"`
	Node    string    `json:"node"`
}

// MarshalJSON writes the op with stable field names:
// {"id":1,"client":"c1","args":["SET","k","c1-1"],"call":100,"return":104,
// "outcome":"ok","reply":{"status":"OK"},"node":"redis1"}.
func (o Op) MarshalJSON() ([]byte, error) {
	return json.Marshal(opJSON{o.ID, o.Client, o.Args, o.Call, o.Return, o.Outcome, jsonValue(o.Reply), o.Node})
}

// UnmarshalJSON reads what MarshalJSON writes; unknown fields are errors.
func (o *Op) UnmarshalJSON(b []byte) error {
	var j opJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return err
	}
	*o = Op{ID: j.ID, Client: j.Client, Args: j.Args, Call: j.Call, Return: j.Return, Outcome: j.Outcome, Reply: wire.Value(j.Reply), Node: j.Node}
	return nil
}

// jsonValue is a wire.Value in its readable JSON form: null, "bulk", 12,
// [...], {"status":"OK"}, {"error":"READONLY ..."}.
type jsonValue wire.Value

// MarshalJSON implements json.Marshaler.
func (v jsonValue) MarshalJSON() ([]byte, error) {
	return appendValue(nil, wire.Value(v), 0)
}

// maxDepth bounds the nesting of arrays, in both directions.
const maxDepth = 64

func appendValue(b []byte, v wire.Value, depth int) ([]byte, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("history: value nested deeper than %d", maxDepth)
	}
	switch v.Kind {
	case wire.KindNil:
		return append(b, "null"...), nil
	case wire.KindBulk:
		return appendString(b, v.Str), nil
	case wire.KindInt:
		return strconv.AppendInt(b, v.Int, 10), nil
	case wire.KindStatus:
		b = append(b, `{"status":`...)
		return append(appendString(b, v.Str), '}'), nil
	case wire.KindError:
		b = append(b, `{"error":`...)
		return append(appendString(b, v.Str), '}'), nil
	case wire.KindArray:
		b = append(b, '[')
		for i, e := range v.Array {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendValue(b, e, depth+1); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	}
	return nil, fmt.Errorf("history: value of unknown kind %d", v.Kind)
}

func appendString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}

// UnmarshalJSON implements json.Unmarshaler.
func (v *jsonValue) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	val, err := toValue(raw, 0)
	if err != nil {
		return err
	}
	*v = jsonValue(val)
	return nil
}

var errValueShape = errors.New(`reply: want null, a string, an integer, an array, {"status":"..."} or {"error":"..."}`)

func toValue(raw any, depth int) (wire.Value, error) {
	if depth > maxDepth {
		return wire.Value{}, fmt.Errorf("reply: nested deeper than %d", maxDepth)
	}
	switch x := raw.(type) {
	case nil:
		return wire.Nil(), nil
	case string:
		return wire.Bulk(x), nil
	case json.Number:
		n, err := strconv.ParseInt(string(x), 10, 64)
		if err != nil {
			return wire.Value{}, fmt.Errorf("reply: %s is not a 64-bit integer", x)
		}
		return wire.Int(n), nil
	case []any:
		if len(x) == 0 {
			return wire.Array(), nil
		}
		a := make([]wire.Value, len(x))
		for i, e := range x {
			var err error
			if a[i], err = toValue(e, depth+1); err != nil {
				return wire.Value{}, err
			}
		}
		return wire.Array(a...), nil
	case map[string]any:
		if len(x) != 1 {
			return wire.Value{}, errValueShape
		}
		if s, ok := x["status"].(string); ok {
			return wire.Status(s), nil
		}
		if s, ok := x["error"].(string); ok {
			return wire.Error(s), nil
		}
	}
	return wire.Value{}, errValueShape
}

// fileJSON is the envelope of a saved history.
type fileJSON struct {
	Format  string            `json:"format"`
	MaxOps  int               `json:"max_ops"`
	Dropped uint64            `json:"dropped"`
	Ops     []json.RawMessage `json:"ops"`
}

// Encode writes r as JSON: an envelope with the format name, the log's bound
// and its drop count, then the ops one per line, so saved histories diff
// well.
func Encode(w io.Writer, r Record) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "{\"format\":%q,\"max_ops\":%d,\"dropped\":%d,\"ops\":[", Format, r.MaxOps, r.Dropped)
	for i := range r.Ops {
		b, err := r.Ops[i].MarshalJSON()
		if err != nil {
			return fmt.Errorf("history: op %d: %w", r.Ops[i].ID, err)
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
		bw.Write(b)
	}
	bw.WriteString("\n]}\n")
	return bw.Flush()
}

// Decode reads a history written by Encode and checks it: the format name,
// unique non-zero op ids, known outcomes, and no completed op returning
// before its call. Errors name the op (by position and id) and what was
// expected.
func Decode(rd io.Reader) (Record, error) {
	var f fileJSON
	dec := json.NewDecoder(rd)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Record{}, fmt.Errorf("history: %w", err)
	}
	if f.Format != Format {
		return Record{}, fmt.Errorf("history: format %q, want %q", f.Format, Format)
	}
	if f.MaxOps < 0 {
		return Record{}, fmt.Errorf("history: max_ops %d is negative", f.MaxOps)
	}
	r := Record{MaxOps: f.MaxOps, Dropped: f.Dropped, Ops: make([]Op, len(f.Ops))}
	seen := make(map[uint64]int, len(f.Ops))
	for i, raw := range f.Ops {
		op := &r.Ops[i]
		if err := op.UnmarshalJSON(raw); err != nil {
			return Record{}, fmt.Errorf("history: op at index %d: %w", i, err)
		}
		if err := check(op); err != nil {
			return Record{}, fmt.Errorf("history: op at index %d (id %d): %w", i, op.ID, err)
		}
		if j, dup := seen[op.ID]; dup {
			return Record{}, fmt.Errorf("history: op at index %d: id %d already used at index %d", i, op.ID, j)
		}
		seen[op.ID] = i
	}
	return r, nil
}

// check validates one decoded op.
func check(op *Op) error {
	switch {
	case op.ID == 0:
		return errors.New("id 0: ids start at 1")
	case op.Client == "":
		return errors.New("no client name")
	case len(op.Args) == 0:
		return errors.New("no command (args is empty)")
	case op.Call < 0:
		return fmt.Errorf("call %s is negative", op.Call)
	case op.Done() && op.Return < op.Call:
		return fmt.Errorf("return %s is before call %s", op.Return, op.Call)
	}
	return nil
}
