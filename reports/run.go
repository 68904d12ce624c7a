package reports

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/history"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/scenarios"
)

// Schema names the version of result.json's layout. It changes only when a
// field is renamed or removed or its meaning changes; adding a field keeps
// it.
const Schema = "sentinelsim/run/v1"

// The files of a run directory (README, "Run directories").
const (
	FileScenario  = "scenario.yaml" // the scenario that ran (a fuzz schedule as a scenario file)
	FileResult    = "result.json"   // Run: parameters, seed, verdict, promises, metrics, replay
	FileTrace     = "trace.txt"     // the canonical trace (sim.Trace)
	FileTimeline  = "timeline.txt"  // faults and process events as they happened
	FileDecisions = "decisions.txt" // the decision trace (WriteTimeline)
	FileHistory   = "history.jsonl" // client operations, one JSON object per line (HistoryOp)
	FileSummary   = "summary.md"    // Markdown summary (WriteMarkdown)
	FileReport    = "report.html"   // the HTML report (WriteHTML)
	FileLinearity = "linearizability.html"
)

// Run is result.json: one run of one scenario for one seed. The seed comes
// first and the replay command last.
type Run struct {
	Schema string                   `json:"schema"`
	Seed   uint64                   `json:"seed"`
	Result scenarios.ScenarioResult `json:"result"`
	WallMs int64                    `json:"wall_ms"`
	Replay string                   `json:"replay"`
}

// HistoryOp is one line of history.jsonl: a client operation.
type HistoryOp struct {
	ID      uint64    `json:"id"`
	Client  string    `json:"client"`
	Args    []string  `json:"args"`
	Call    wire.Time `json:"call_ms"`
	Return  wire.Time `json:"return_ms,omitempty"`
	Outcome string    `json:"outcome"`        // ok, fail, unknown, pending
	Reply   Value     `json:"reply"`          // the RESP reply (history.Op.Reply)
	Node    string    `json:"node,omitempty"` // the server it went to
	Lost    bool      `json:"lost,omitempty"` // an acknowledged write the final master lacks
}

// Value is a RESP value in history.jsonl: type nil, status, error, int,
// bulk or array, with str, int or array.
type Value struct {
	Type  string  `json:"type"`
	Str   string  `json:"str,omitempty"`
	Int   int64   `json:"int,omitempty"`
	Array []Value `json:"array,omitempty"`
}

var kindNames = map[wire.Kind]string{wire.KindNil: "nil", wire.KindStatus: "status", wire.KindError: "error",
	wire.KindInt: "int", wire.KindBulk: "bulk", wire.KindArray: "array"}

// FromWire converts a RESP value.
func FromWire(v wire.Value) Value {
	out := Value{Type: kindNames[v.Kind], Str: v.Str, Int: v.Int}
	for _, e := range v.Array {
		out.Array = append(out.Array, FromWire(e))
	}
	return out
}

// Wire converts back; an unknown type is an error.
func (v Value) Wire() (wire.Value, error) {
	for k, name := range kindNames {
		if name == v.Type {
			out := wire.Value{Kind: k, Str: v.Str, Int: v.Int}
			for _, e := range v.Array {
				w, err := e.Wire()
				if err != nil {
					return wire.Value{}, err
				}
				out.Array = append(out.Array, w)
			}
			return out, nil
		}
	}
	return wire.Value{}, fmt.Errorf("unknown RESP value type %q", v.Type)
}

// String is the value as the trace writes it.
func (v Value) String() string {
	w, err := v.Wire()
	if err != nil {
		return "?" + v.Type
	}
	return w.String()
}

// History converts a run's client operations.
func History(ops []scenarios.ClientOp) []HistoryOp {
	out := make([]HistoryOp, 0, len(ops))
	for _, op := range ops {
		out = append(out, HistoryOp{ID: op.ID, Client: op.Client, Args: op.Args, Call: op.Call, Return: op.Return,
			Outcome: op.Outcome.String(), Reply: FromWire(op.Reply), Node: op.Node, Lost: op.Lost})
	}
	return out
}

// WriteRunDir writes the files of a run directory that are made after the
// run (the trace and timeline are streamed while it runs): result.json,
// history.jsonl, then the reports made from them and from trace.txt.
func WriteRunDir(dir string, run Run, history []HistoryOp) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	run.Schema = Schema
	b, err := json.MarshalIndent(run, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, FileResult), append(b, '\n'), 0o644); err != nil {
		return err
	}
	if err := writeHistory(filepath.Join(dir, FileHistory), history); err != nil {
		return err
	}
	return Regenerate(dir)
}

func writeHistory(path string, ops []HistoryOp) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, op := range ops {
		if err := enc.Encode(op); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Dir is a run directory read back.
type Dir struct {
	Path      string
	Run       Run
	History   []HistoryOp
	Decisions []Decision

	nodes   []string          // in boot order
	kinds   map[string]string // node name: sentinel, redis or client (from scenario.yaml)
	beliefs []Belief
	lines   map[string]int // trace line numbers of the verdict's evidence
}

// ReadRunDir reads result.json, history.jsonl and the decisions of
// trace.txt. A missing history is empty; a missing result or trace is an
// error naming the file.
func ReadRunDir(dir string) (*Dir, error) {
	d := &Dir{Path: dir}
	b, err := os.ReadFile(filepath.Join(dir, FileResult))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &d.Run); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, FileResult), err)
	}
	if d.Run.Schema != Schema {
		return nil, fmt.Errorf("%s: schema %q, this sentinelsim reads %q", filepath.Join(dir, FileResult), d.Run.Schema, Schema)
	}
	if f, err := os.Open(filepath.Join(dir, FileHistory)); err == nil {
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
		line := 0
		for sc.Scan() {
			line++
			var op HistoryOp
			if err := json.Unmarshal(sc.Bytes(), &op); err != nil {
				f.Close()
				return nil, fmt.Errorf("%s:%d: %w", filepath.Join(dir, FileHistory), line, err)
			}
			d.History = append(d.History, op)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if text, err := os.ReadFile(filepath.Join(dir, FileScenario)); err == nil {
		// The topology names each node's kind; a file that no longer
		// parses (it referenced other files) leaves the report to guess.
		if sc, err := scenarios.Parse(FileScenario, text, func(string) ([]byte, error) { return nil, os.ErrNotExist }); err == nil {
			d.kinds = map[string]string{}
			for _, r := range sc.Redis {
				d.kinds[r.Name] = "redis"
			}
			for _, s := range sc.Sentinels {
				d.kinds[s.Name] = "sentinel"
			}
			for _, c := range sc.Clients {
				d.kinds[c.Name] = "client"
			}
		}
	}
	f, err := os.Open(filepath.Join(dir, FileTrace))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var tf traceFacts
	evidence := map[string]bool{}
	for _, v := range d.Run.Result.Violations {
		for _, e := range v.Evidence {
			evidence[e] = true
		}
	}
	d.Decisions, tf, err = scanTrace(f, evidence)
	d.nodes, d.beliefs, d.lines = tf.nodes, tf.beliefs, tf.lines
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, FileTrace), err)
	}
	return d, nil
}

// Regenerate rewrites the reports of a run directory from its result,
// history and trace: decisions.txt, summary.md and report.html.
func Regenerate(dir string) error {
	d, err := ReadRunDir(dir)
	if err != nil {
		return err
	}
	write := func(name string, fn func(io.Writer) error) error {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if err := fn(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	if err := write(FileDecisions, func(w io.Writer) error { return WriteTimeline(w, d.Decisions) }); err != nil {
		return err
	}
	var sentinels []string
	for _, n := range d.nodes {
		if d.kinds[n] == "sentinel" {
			sentinels = append(sentinels, n)
		}
	}
	if len(sentinels) > 0 {
		f, err := os.Open(filepath.Join(dir, FileTrace))
		if err != nil {
			return err
		}
		err = WriteSentinelLogs(dir, f, sentinels)
		f.Close()
		if err != nil {
			return err
		}
	}
	if err := write(FileSummary, func(w io.Writer) error { return WriteMarkdown(w, d) }); err != nil {
		return err
	}
	return write(FileReport, func(w io.Writer) error { return WriteHTML(w, d) })
}

// WriteMarkdown writes the summary of a run, fit for a CI job summary:
// the verdict first, then Sentinel's promises, findings, what was
// measured, the decisions and the replay command.
func WriteMarkdown(w io.Writer, d *Dir) error {
	r := d.Run.Result
	bw := bufio.NewWriter(w)
	mark := "✅"
	if !r.Matched() {
		mark = "❌"
	}
	fmt.Fprintf(bw, "## %s %s — seed %d: %s\n\n", mark, mdEscape(r.Scenario), d.Run.Seed, mdEscape(r.Verdict.Status))
	if r.Verdict.Detail != "" {
		fmt.Fprintf(bw, "%s\n\n", mdEscape(r.Verdict.Detail))
	}
	fmt.Fprintf(bw, "Expected %s; %s.\n\n", mdEscape(r.Expected), map[bool]string{true: "as expected", false: "**mismatch**"}[r.Matched()])
	if len(r.Promises) > 0 {
		bw.WriteString("| promise | status | first violation |\n| --- | --- | --- |\n")
		for _, p := range r.Promises {
			first := p.Message
			if p.First != nil {
				first = p.First.String()
			}
			fmt.Fprintf(bw, "| %s | %s | %s |\n", mdCell(p.Kind), mdCell(p.Status), mdCell(first))
		}
		bw.WriteString("\n")
		for _, p := range r.Promises {
			if p.FirstKnown != nil {
				fmt.Fprintf(bw, "- **finding** (%s, %d): %s\n", p.Kind, p.Known, mdEscape(p.FirstKnown.String()))
			}
		}
	}
	for _, c := range r.Checks {
		m := "ok"
		if !c.OK {
			m = "**FAIL**"
		}
		fmt.Fprintf(bw, "- expect %s: %s — want %s, got %s\n", mdEscape(c.Name), m, mdEscape(c.Want), mdEscape(c.Got))
	}
	m := r.Metrics
	fmt.Fprintf(bw, "\n| failovers | promoted | master at the end | converged | acked writes | lost | client errors | linearizable |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n")
	fmt.Fprintf(bw, "| %d | %s | %s | %v | %d | %d | %d | %s |\n\n", m.Failovers, mdCell(strings.Join(m.Promoted, ", ")), mdCell(m.Master), m.Converged, m.WritesAcked, m.WritesLost, m.ClientErrors, mdCell(m.Linearizable))
	if len(d.Decisions) > 0 {
		const shown = 60
		bw.WriteString("<details><summary>Decisions</summary>\n\n<pre>\n")
		ds := d.Decisions
		if len(ds) > shown {
			ds = ds[:shown]
		}
		var tl strings.Builder
		_ = WriteTimeline(&tl, ds)
		bw.WriteString(html.EscapeString(tl.String()))
		if len(d.Decisions) > shown {
			fmt.Fprintf(bw, "… %d more in %s\n", len(d.Decisions)-shown, FileDecisions)
		}
		bw.WriteString("</pre>\n\n</details>\n\n")
	}
	fmt.Fprintf(bw, "Replay: <code>%s</code>\n", html.EscapeString(d.Run.Replay))
	return bw.Flush()
}

// mdEscape keeps text from input (names, log lines, configuration values)
// from being read as Markdown or HTML.
func mdEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '#', '!':
			b.WriteByte('\\')
		case '\n', '\r':
			b.WriteByte(' ')
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

func mdCell(s string) string {
	if s == "" {
		return "—"
	}
	return mdEscape(s)
}

// Op converts a history.jsonl line back to the client operation it records.
func (h HistoryOp) Op() (history.Op, error) {
	outcome, err := history.ParseOutcome(h.Outcome)
	if err != nil {
		return history.Op{}, err
	}
	reply, err := h.Reply.Wire()
	if err != nil {
		return history.Op{}, err
	}
	return history.Op{ID: h.ID, Client: h.Client, Args: h.Args, Call: h.Call, Return: h.Return, Outcome: outcome, Reply: reply, Node: h.Node}, nil
}
