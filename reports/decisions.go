package reports

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Decision is one line of a run's decision trace: a fault, a restart, or a
// sentinel event that changes what Sentinel believes or does — SDOWN and
// ODOWN of a master, votes, elections, replica selection, promotion,
// switch-master, aborts, the end of a failover, TILT, configuration
// updates — and not the pings, INFO and hellos around them.
type Decision struct {
	At   wire.Time `json:"at_ms"`
	Node string    `json:"node,omitempty"` // "" for faults
	// Type is the event type ("+odown"), "fault" or "boot".
	Type string `json:"type"`
	// Text is the rest: the event's message, the fault's description.
	Text string `json:"text,omitempty"`
}

// decisionTypes are the sentinel events a decision trace keeps. SDOWN is
// kept for masters only (replicas and sentinels come and go all the time).
var decisionTypes = map[string]bool{
	"+sdown": true, "-sdown": true, "+odown": true, "-odown": true,
	"+new-epoch": true, "+try-failover": true, "+vote-for-leader": true, "+elected-leader": true,
	"+selected-slave": true, "-failover-abort-no-good-slave": true, "-failover-abort-not-elected": true,
	"-failover-abort-slave-timeout": true, "-failover-abort-master-is-back": true,
	"+promoted-slave": true, "+failover-end": true, "+failover-end-for-timeout": true,
	"+switch-master": true, "+tilt": true, "-tilt": true, "+config-update-from": true,
	"+convert-to-slave": true, "+reset-master": true, "-monitor": true, "+monitor": true,
}

// IsDecision reports whether a sentinel event (type and message) belongs
// in the decision trace.
func IsDecision(typ, msg string) bool {
	if !decisionTypes[typ] {
		return false
	}
	if typ == "+sdown" || typ == "-sdown" {
		return strings.HasPrefix(msg, "master ")
	}
	return true
}

// ParseDecision reads one canonical trace line (sim.Trace) and returns the
// decision it records, if any.
func ParseDecision(line string) (Decision, bool) {
	at, rest, ok := strings.Cut(line, " ")
	if !ok {
		return Decision{}, false
	}
	verb, rest, _ := strings.Cut(rest, " ")
	switch verb {
	case "fault", "event", "boot":
	default:
		return Decision{}, false
	}
	t, err := strconv.ParseInt(at, 10, 64)
	if err != nil {
		return Decision{}, false
	}
	d := Decision{At: wire.Time(t)}
	switch verb {
	case "fault":
		d.Type, d.Text = "fault", rest
		return d, true
	case "boot":
		if t == 0 {
			return Decision{}, false // every node boots at 0
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			return Decision{}, false
		}
		d.Node, d.Type = f[0], "boot"
		return d, true
	}
	node, ev, _ := strings.Cut(rest, " ")
	// "<level> <type> <message>": the level is one character.
	if len(ev) < 3 || ev[1] != ' ' {
		return Decision{}, false
	}
	typ, msg, _ := strings.Cut(ev[2:], " ")
	if !IsDecision(typ, msg) {
		return Decision{}, false
	}
	d.Node, d.Type, d.Text = node, typ, msg
	return d, true
}

// ReadDecisions extracts the decision trace from a canonical trace.
func ReadDecisions(r io.Reader) ([]Decision, error) {
	var out []Decision
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		if d, ok := ParseDecision(sc.Text()); ok {
			out = append(out, d)
		}
	}
	return out, sc.Err()
}

// DecisionWriter is an io.Writer to give a run as its trace sink: it keeps
// the decisions as the trace streams by, without keeping the trace.
type DecisionWriter struct {
	Decisions []Decision
	partial   []byte
}

// Write implements io.Writer.
func (w *DecisionWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.partial = append(w.partial, p...)
			break
		}
		line := p[:i]
		if len(w.partial) > 0 {
			line = append(w.partial, line...)
			w.partial = w.partial[:0]
		}
		if d, ok := ParseDecision(string(line)); ok {
			w.Decisions = append(w.Decisions, d)
		}
		p = p[i+1:]
	}
	return n, nil
}

// WriteTimeline writes decisions as the compact text timeline: one line
// each, fixed columns (time in seconds with milliseconds, node, type, text),
// the form golden files keep.
func WriteTimeline(w io.Writer, ds []Decision) error {
	bw := bufio.NewWriter(w)
	for _, d := range ds {
		node := d.Node
		if node == "" {
			node = "-"
		}
		line := fmt.Sprintf("%9d.%03ds  %-9s %-30s %s", d.At/1000, d.At%1000, node, d.Type, d.Text)
		bw.WriteString(strings.TrimRight(line, " "))
		bw.WriteByte('\n')
	}
	return bw.Flush()
}
