package scenarios

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sim"
)

// InputError is a problem with a scenario file, with where it is.
type InputError struct {
	File string
	Line int // 0: the file as a whole
	Msg  string
}

func (e *InputError) Error() string {
	if e.Line > 0 {
		return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Msg
	}
	return e.File + ": " + e.Msg
}

// lineError is an error found while decoding, before the file name is
// known.
type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return "line " + strconv.Itoa(e.line) + ": " + e.msg }

func errorAt(n *yaml.Node, format string, args ...any) error {
	return &lineError{line: n.Line, msg: fmt.Sprintf(format, args...)}
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// inputErrors turns what the decoder reported into file:line errors.
func inputErrors(file string, err error) error {
	var le *lineError
	if errors.As(err, &le) {
		return &InputError{File: file, Line: le.line, Msg: le.msg}
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var out []error
		for _, s := range te.Errors {
			out = append(out, lineOf(file, s))
		}
		return errors.Join(out...)
	}
	return lineOf(file, strings.TrimPrefix(err.Error(), "yaml: "))
}

func lineOf(file, s string) error {
	if m := yamlLine.FindStringSubmatch(s); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &InputError{File: file, Line: line, Msg: m[2]}
	}
	return &InputError{File: file, Msg: s}
}

// decodeStrict decodes n into out after checking that every mapping key
// names a field: yaml's KnownFields does not reach into types with their
// own UnmarshalYAML, so the check is done here, for every level.
func decodeStrict(n *yaml.Node, out any) error {
	if err := checkKnown(n, reflect.TypeOf(out)); err != nil {
		return err
	}
	return n.Decode(out)
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

func checkKnown(n *yaml.Node, t reflect.Type) error {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil // it checks its own node
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return nil // the decoder reports the type mismatch
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			f, ok := fields[key.Value]
			if !ok {
				return errorAt(key, "unknown field %q in %s (known: %s)", key.Value, kindName(t), knownList(fields))
			}
			if val.Kind == yaml.ScalarNode && val.Tag == "!!null" {
				return errorAt(key, "%q has no value (remove it, or give one)", key.Value)
			}
			if err := checkKnown(val, f.Type); err != nil {
				return err
			}
		}
	case reflect.Slice:
		if n.Kind == yaml.SequenceNode {
			for _, item := range n.Content {
				if err := checkKnown(item, t.Elem()); err != nil {
					return err
				}
			}
		}
	case reflect.Map:
		if n.Kind == yaml.MappingNode {
			for i := 1; i < len(n.Content); i += 2 {
				if err := checkKnown(n.Content[i], t.Elem()); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func yamlFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" || !f.IsExported() {
			continue
		}
		out[tag] = f
	}
	return out
}

func knownList(fields map[string]reflect.StructField) string {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// kindName names a struct type the way the file format talks about it.
func kindName(t reflect.Type) string {
	if n, ok := typeNames[t.Name()]; ok {
		return n
	}
	return strings.ToLower(t.Name())
}

var typeNames = map[string]string{
	"File": "the scenario", "redisSpec": "a redis node", "sentinelSpec": "a sentinel",
	"clientSpec": "a client", "WorkloadSpec": "a workload", "faultSpec": "a fault",
	"randomSpec": "a random phase", "expectSpec": "expect", "NetworkSpec": "network",
	"DelaySpec": "delay", "FlapSpec": "flap", "LinksSpec": "links", "OneWaySpec": "one-way",
	"BridgeSpec": "bridge", "ClockSpec": "a clock fault", "SlowSpec": "slow",
	"CommandSpec": "command", "pairSpec": "a pair",
}

// scalar returns the node's scalar value, or an error naming what was
// expected.
func scalar(n *yaml.Node, what string) (string, error) {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind != yaml.ScalarNode {
		return "", errorAt(n, "%s must be a single value", what)
	}
	return n.Value, nil
}

// Duration is a length of simulated time, written as Go writes durations:
// "500ms", "5s", "1m30s", "2h" (or 0). It is kept in milliseconds.
type Duration wire.Duration

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalar(n, "a duration")
	if err != nil {
		return err
	}
	v, err := parseDuration(s)
	if err != nil {
		return errorAt(n, "%v", err)
	}
	*d = Duration(v)
	return nil
}

// parseDuration reads "1m30s"-style durations in whole milliseconds; a sign
// is allowed ("-3s", for clock jumps).
func parseDuration(s string) (wire.Duration, error) {
	if s == "0" {
		return 0, nil
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return 0, fmt.Errorf("duration %q needs a unit (ms, s, m or h)", s)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("bad duration %q (write it like 500ms, 5s, 1m30s)", s)
	}
	if d%time.Millisecond != 0 {
		return 0, fmt.Errorf("duration %q is not a whole number of milliseconds", s)
	}
	return wire.Duration(d / time.Millisecond), nil
}

func (d Duration) String() string { return wire.Duration(d).String() }

// Percent is a probability written as a percentage: "10%", "0.5%", "0".
type Percent sim.Ratio

// UnmarshalYAML implements yaml.Unmarshaler.
func (p *Percent) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalar(n, "a percentage")
	if err != nil {
		return err
	}
	r, err := parsePercent(s)
	if err != nil {
		return errorAt(n, "%v", err)
	}
	*p = Percent(r)
	return nil
}

func parsePercent(s string) (sim.Ratio, error) {
	if s == "0" {
		return sim.Never, nil
	}
	num, ok := strings.CutSuffix(s, "%")
	if !ok {
		return sim.Ratio{}, fmt.Errorf("percentage %q needs a %% sign (10%%, 0.5%%)", s)
	}
	// Up to three decimals, kept exact as an integer ratio over 100,000.
	whole, frac, _ := strings.Cut(num, ".")
	if len(frac) > 3 || whole == "" {
		return sim.Ratio{}, fmt.Errorf("percentage %q: write at most three decimals, like 0.125%%", s)
	}
	v, err := strconv.ParseUint(whole+frac+strings.Repeat("0", 3-len(frac)), 10, 32)
	if err != nil || v > 100_000 {
		return sim.Ratio{}, fmt.Errorf("percentage %q is not between 0%% and 100%%", s)
	}
	return sim.Ratio{Num: uint32(v), Den: 100_000}, nil
}

// Bound is a comparison a measured number must satisfy: "<= 1", "> 0",
// "== 2", "0" (equal).
type Bound struct {
	Op    string
	Value int64
	Text  string
}

var boundRE = regexp.MustCompile(`^\s*(<=|>=|==|!=|<|>)?\s*(-?\d+)\s*$`)

// UnmarshalYAML implements yaml.Unmarshaler.
func (b *Bound) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalar(n, "a bound")
	if err != nil {
		return err
	}
	m := boundRE.FindStringSubmatch(s)
	if m == nil {
		return errorAt(n, "bad bound %q (write it like \"<= 1\", \"> 0\" or \"2\")", s)
	}
	v, err := strconv.ParseInt(m[2], 10, 64)
	if err != nil {
		return errorAt(n, "bound %q is out of range", s)
	}
	op := m[1]
	if op == "" {
		op = "=="
	}
	*b = Bound{Op: op, Value: v, Text: op + " " + m[2]}
	return nil
}

// Holds reports whether v satisfies the bound.
func (b Bound) Holds(v int64) bool {
	switch b.Op {
	case "<":
		return v < b.Value
	case "<=":
		return v <= b.Value
	case ">":
		return v > b.Value
	case ">=":
		return v >= b.Value
	case "!=":
		return v != b.Value
	}
	return v == b.Value
}

// Group is a list of selectors, written as one selector or a sequence.
type Group []Selector

// UnmarshalYAML implements yaml.Unmarshaler.
func (g *Group) UnmarshalYAML(n *yaml.Node) error {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
		if len(items) == 0 {
			return errorAt(n, "an empty group of processes")
		}
	}
	*g = nil
	for _, it := range items {
		var s Selector
		if err := s.UnmarshalYAML(it); err != nil {
			return err
		}
		*g = append(*g, s)
	}
	return nil
}

// Selector names processes: by name, or by role when the fault happens
// (see the README's list: master, replica, replicas, leader, leader(N),
// sentinels, redis, clients, all, rest, host(X), sentinels-on(X)).
type Selector struct {
	Text string
	Line int
	expr selExpr
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (s *Selector) UnmarshalYAML(n *yaml.Node) error {
	v, err := scalar(n, "a process selector")
	if err != nil {
		return err
	}
	e, err := parseSelector(v)
	if err != nil {
		return errorAt(n, "%v", err)
	}
	*s = Selector{Text: v, Line: n.Line, expr: e}
	return nil
}

// Addr is host:port.
type Addr wire.Addr

// UnmarshalYAML implements yaml.Unmarshaler.
func (a *Addr) UnmarshalYAML(n *yaml.Node) error {
	v, err := scalar(n, "an address")
	if err != nil {
		return err
	}
	p, err := parseAddr(v)
	if err != nil {
		return errorAt(n, "%v", err)
	}
	*a = Addr(p)
	return nil
}

func parseAddr(v string) (wire.Addr, error) { return wire.ParseAddr(v) }

// checkMS rejects durations the simulator cannot hold.
func checkMS(n *yaml.Node, what string, d Duration, allowNegative bool) error {
	if d < 0 && !allowNegative {
		return errorAt(n, "%s must not be negative", what)
	}
	if d > Duration(math.MaxInt64/4) || d < -Duration(math.MaxInt64/4) {
		return errorAt(n, "%s is too long", what)
	}
	return nil
}

// Count is how many faults a random phase draws: a number, or a range
// "A..B" drawn from the seed (both included).
type Count struct{ Min, Max int }

// UnmarshalYAML implements yaml.Unmarshaler.
func (c *Count) UnmarshalYAML(n *yaml.Node) error {
	v, err := scalar(n, "a count")
	if err != nil {
		return err
	}
	a, b, isRange := strings.Cut(v, "..")
	if !isRange {
		b = a
	}
	lo, err1 := strconv.Atoi(strings.TrimSpace(a))
	hi, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil || lo < 0 || hi < lo {
		return errorAt(n, "bad count %q (a number, or a range like 1..5)", v)
	}
	*c = Count{Min: lo, Max: hi}
	return nil
}
