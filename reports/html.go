package reports

import (
	"bufio"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Belief is what a sentinel believes about a master from some time on:
// its address and configuration epoch (+monitor, config-epoch facts,
// +switch-master).
type Belief struct {
	At     wire.Time `json:"at_ms"`
	Node   string    `json:"node"`
	Master string    `json:"master"`
	Addr   string    `json:"addr"`
	Epoch  string    `json:"epoch"`
}

// traceFacts is what the HTML report needs from a canonical trace beyond
// the decisions: the nodes in boot order and the sentinels' beliefs.
type traceFacts struct {
	nodes   []string
	beliefs []Belief
	// lines are the trace line numbers (from 1) of the evidence the
	// verdict cites.
	lines map[string]int
}

// scanTrace reads a canonical trace once for the decisions, the nodes and
// the beliefs.
func scanTrace(r io.Reader, evidence map[string]bool) ([]Decision, traceFacts, error) {
	var ds []Decision
	tf := traceFacts{lines: map[string]int{}}
	// Without config-epoch facts (a trace made from real logs), beliefs
	// come from the switch-masters, with an unknown epoch.
	var switched []Belief
	facts := false
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if evidence[line] {
			if _, seen := tf.lines[line]; !seen {
				tf.lines[line] = n
			}
		}
		if d, ok := ParseDecision(line); ok {
			ds = append(ds, d)
			if d.Type == "+switch-master" {
				// "<name> <old ip> <old port> <new ip> <new port>"
				if f := strings.Fields(d.Text); len(f) == 5 {
					switched = append(switched, Belief{At: d.At, Node: d.Node, Master: f[0], Addr: f[3] + ":" + f[4], Epoch: "?"})
				}
			}
			if d.Type == "+monitor" {
				// "master <name> <ip> <port> quorum <q>"
				if f := strings.Fields(d.Text); len(f) >= 4 {
					tf.beliefs = append(tf.beliefs, Belief{At: d.At, Node: d.Node, Master: f[1], Addr: f[2] + ":" + f[3], Epoch: "0"})
				}
			}
			continue
		}
		at, rest, _ := strings.Cut(line, " ")
		verb, rest, _ := strings.Cut(rest, " ")
		switch verb {
		case "boot":
			if f := strings.Fields(rest); at == "0" && len(f) > 0 {
				tf.nodes = append(tf.nodes, f[0])
			}
		case "fact":
			// "<node> config-epoch <master> <from>-><to> <addr> via=<how>"
			f := strings.Fields(rest)
			if len(f) >= 5 && f[1] == "config-epoch" {
				facts = true
				t, _ := strconv.ParseInt(at, 10, 64)
				_, to, _ := strings.Cut(f[3], "->")
				tf.beliefs = append(tf.beliefs, Belief{At: wire.Time(t), Node: f[0], Master: f[2], Addr: f[4], Epoch: to})
			}
		}
	}
	if !facts && len(switched) > 0 {
		tf.beliefs = append(tf.beliefs, switched...)
		slices.SortStableFunc(tf.beliefs, func(x, y Belief) int { return int(x.At - y.At) })
	}
	return ds, tf, sc.Err()
}

//go:embed report.html.tmpl
var reportTemplate string

var reportPage = template.Must(template.New("report").Parse(reportTemplate))

// Geometry of the timeline (SVG user units = CSS pixels).
const (
	laneHeight = 34
	labelWidth = 110
	topMargin  = 28
)

// lane is one row of the timeline.
type lane struct {
	Name  string
	Kind  string // sentinel, redis, client, network
	Y     int
	Spans []span
	Marks []mark
}

type span struct {
	X, W  float64
	Class string
	Title string
	Label string
}

type mark struct {
	X     float64
	Class string
	Title string
	Glyph string
}

type tick struct {
	X     float64
	Label string
}

// page is what the template renders.
type page struct {
	Title      string
	Dir        *Dir
	Matched    bool
	Width      float64
	Height     int
	Lanes      []lane
	Ticks      []tick
	Decisions  string
	Violations []string
	Findings   []string
	Lost       []HistoryOp
	LostMore   int // lost writes not listed
	LinPage    bool

	add  func(name, kind string) int
	x    func(wire.Time) float64
	open map[string]openSpan // spans begun and not yet ended, by key
}

// openSpan is a span whose end is not known yet.
type openSpan struct {
	lane  string
	class string
	title string
	at    wire.Time
}

// begin opens a span; end closes it on its lane (a no-op if it is not
// open).
func (p *page) begin(key, laneName, class, title string, at wire.Time) {
	if _, ok := p.open[key]; !ok {
		p.open[key] = openSpan{lane: laneName, class: class, title: title, at: at}
	}
}

func (p *page) end(key string, at wire.Time) {
	o, ok := p.open[key]
	if !ok {
		return
	}
	delete(p.open, key)
	i := p.add(o.lane, "redis")
	p.Lanes[i].Spans = append(p.Lanes[i].Spans, span{X: p.x(o.at), W: max(p.x(at)-p.x(o.at), 1), Class: o.class,
		Title: fmt.Sprintf("%s – %s: %s", o.at, at, o.title)})
}

// endAll closes every open span whose key starts with prefix, in key order.
func (p *page) endAll(prefix string, at wire.Time) {
	var keys []string
	for k := range p.open {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		p.end(k, at)
	}
}

// WriteHTML writes the run's report: one self-contained page (no scripts
// or styles from elsewhere), every text from the run escaped by
// html/template.
func WriteHTML(w io.Writer, d *Dir) error {
	r := d.Run.Result
	end := wire.Time(r.Duration)
	if r.Outcome.At > end {
		end = r.Outcome.At
	}
	if end <= 0 {
		end = 1
	}
	// 8 px per simulated second, within [1200, 30000] px: an hour-long run
	// scrolls instead of squeezing its marks together.
	width := min(max(float64(end)/1000*8, 1200), 30000)
	x := func(t wire.Time) float64 { return labelWidth + float64(t)/float64(end)*width }
	p := page{Title: fmt.Sprintf("%s seed %d", r.Scenario, d.Run.Seed), Dir: d, Matched: r.Matched(), Width: width + labelWidth + 20}

	byName := map[string]int{}
	p.add = func(name, kind string) int {
		if i, ok := byName[name]; ok {
			return i
		}
		byName[name] = len(p.Lanes)
		p.Lanes = append(p.Lanes, lane{Name: name, Kind: kind})
		return len(p.Lanes) - 1
	}
	p.x, p.open = x, map[string]openSpan{}
	add := p.add
	add("network", "network")
	sentinels := map[string]bool{}
	for _, dec := range d.Decisions {
		if dec.Node != "" && dec.Type != "boot" {
			sentinels[dec.Node] = true
		}
	}
	clients := map[string]bool{}
	for _, op := range d.History {
		clients[op.Client] = true
	}
	for _, n := range d.nodes {
		kind := "redis"
		switch {
		case d.kinds[n] != "":
			kind = d.kinds[n]
		case d.kinds != nil:
			kind = "other" // the operator's console, and such
		case sentinels[n]:
			kind = "sentinel"
		case clients[n]:
			kind = "client"
		}
		add(n, kind)
	}
	for _, dec := range d.Decisions {
		switch dec.Type {
		case "fault":
			p.fault(dec)
		case "boot":
			i := add(dec.Node, "redis")
			p.Lanes[i].Marks = append(p.Lanes[i].Marks, mark{X: x(dec.At), Class: "boot", Title: fmt.Sprintf("%s: %s starts again", dec.At, dec.Node), Glyph: "▲"})
			p.end("down "+dec.Node, dec.At)
		case "+sdown", "+odown":
			p.begin(downKey(dec), dec.Node, dec.Type[1:], dec.Node+" "+strings.ToUpper(dec.Type[1:])+" "+dec.Text, dec.At)
		case "-sdown", "-odown":
			p.end(downKey(dec), dec.At)
		case "+tilt":
			p.begin("tilt "+dec.Node, dec.Node, "tilt", dec.Node+" in TILT", dec.At)
		case "-tilt":
			p.end("tilt "+dec.Node, dec.At)
		default:
			if dec.Type == "+switch-master" || dec.Type == "+reset-master" || dec.Type == "-monitor" {
				// Sentinel forgets the master's state with no -sdown or
				// -odown: its spans end here.
				p.endAll("sdown "+dec.Node+" "+masterOf(dec)+" ", dec.At)
				p.endAll("odown "+dec.Node+" "+masterOf(dec)+" ", dec.At)
			}
			i := add(dec.Node, "sentinel")
			glyph, class := "●", "event"
			switch {
			case dec.Type == "+vote-for-leader":
				glyph, class = "v", "vote"
			case dec.Type == "+elected-leader":
				glyph, class = "★", "elected"
			case dec.Type == "+promoted-slave" || dec.Type == "+selected-slave":
				glyph, class = "⇧", "promote"
			case dec.Type == "+switch-master":
				glyph, class = "⇄", "switch"
			case strings.HasPrefix(dec.Type, "-failover-abort"):
				glyph, class = "✕", "abort"
			case dec.Type == "+try-failover":
				glyph, class = "?", "try"
			}
			p.Lanes[i].Marks = append(p.Lanes[i].Marks, mark{X: x(dec.At), Class: class, Title: fmt.Sprintf("%s %s %s %s", dec.At, dec.Node, dec.Type, dec.Text), Glyph: glyph})
		}
	}
	p.endAll("", end) // what stays open runs to the end
	// Beliefs: the master each sentinel names, and its epoch.
	last := map[string]Belief{}
	var order []string
	for _, b := range d.beliefs {
		key := b.Node + " " + b.Master
		if prev, ok := last[key]; ok {
			p.belief(prev, b.At)
		} else {
			order = append(order, key)
		}
		last[key] = b
	}
	for _, key := range order {
		p.belief(last[key], end)
	}
	p.clientOps(d.History, end, width)
	for i := range p.Lanes {
		p.Lanes[i].Y = topMargin + i*laneHeight
	}
	p.Height = topMargin + len(p.Lanes)*laneHeight + 10
	step := wire.Time(1000)
	for _, s := range []wire.Time{1000, 5000, 10_000, 30_000, 60_000, 300_000, 600_000} {
		step = s
		if float64(s)/float64(end)*width >= 80 {
			break
		}
	}
	for t := wire.Time(0); t <= end; t += step {
		p.Ticks = append(p.Ticks, tick{X: x(t), Label: fmt.Sprintf("%ds", t/1000)})
	}
	var tl strings.Builder
	_ = WriteTimeline(&tl, d.Decisions)
	p.Decisions = tl.String()
	for _, v := range r.Violations {
		if v.Known == "" {
			var ev []string
			for _, e := range v.Evidence {
				if n, ok := d.lines[e]; ok {
					e = fmt.Sprintf("trace.txt line %d: %s", n, e)
				}
				ev = append(ev, e)
			}
			p.Violations = append(p.Violations, v.String()+"  ["+strings.Join(ev, " · ")+"]")
		} else {
			p.Findings = append(p.Findings, v.String())
		}
	}
	p.LinPage = r.Metrics.Linearizable == "violated"
	return reportPage.Execute(w, p)
}

// downKey names an SDOWN or ODOWN span: the sentinel, the master's name
// (the text after "+odown" carries a quorum that "-odown" does not).
func downKey(dec Decision) string {
	return dec.Type[1:] + " " + dec.Node + " " + masterOf(dec) + " "
}

// masterOf is the master name a decision's text names: "master <name> …"
// for SDOWN/ODOWN and resets, "<name> …" for switch-master.
func masterOf(dec Decision) string {
	f := strings.Fields(dec.Text)
	switch {
	case len(f) >= 2 && f[0] == "master":
		return f[1]
	case len(f) >= 1 && dec.Type == "+switch-master":
		return f[0]
	}
	return ""
}

// fault draws a fault: a mark with its description on the network lane
// and on the node it names; crashes, pauses and isolations open a span on
// the node's lane, network cuts one on the network lane, closed by the
// restart, resume, rejoin, connect or heal that undoes them.
func (p *page) fault(dec Decision) {
	f := strings.Fields(dec.Text)
	if len(f) == 0 {
		return
	}
	title := fmt.Sprintf("%s fault %s", dec.At, dec.Text)
	net := p.add("network", "network")
	p.Lanes[net].Marks = append(p.Lanes[net].Marks, mark{X: p.x(dec.At), Class: "fault", Title: title, Glyph: "⚡"})
	// The sides of a cut, as the Connect that undoes it names them: a
	// one-way's arrow and a bridge's "via X" are not part of them.
	sides := slices.Clone(f[1:])
	if i := slices.Index(sides, "via"); i >= 0 {
		sides = sides[:i]
	}
	groups := sidesKey(slices.DeleteFunc(sides, func(s string) bool { return s == "->" }))
	node := ""
	if len(f) > 1 {
		node = f[1]
	}
	if node == "" && f[0] != "heal" && f[0] != "heal-all" {
		return // a fault line naming nothing: nothing to draw
	}
	switch f[0] {
	case "crash", "crash-host", "crashed-after-persist":
		p.begin("down "+node, node, "down", node+" down", dec.At)
		// A crashed sentinel's opinions die with it.
		p.endAll("sdown "+node+" ", dec.At)
		p.endAll("odown "+node+" ", dec.At)
		p.endAll("tilt "+node, dec.At)
	case "restart":
		p.end("down "+node, dec.At)
	case "pause":
		p.begin("paused "+node, node, "paused", node+" paused", dec.At)
	case "resume":
		p.end("paused "+node, dec.At)
	case "isolate":
		p.begin("cut "+node, node, "cut", node+" isolated", dec.At)
	case "rejoin":
		p.end("cut "+node, dec.At)
	case "flap-groups", "flap-link", "flap-node":
		// A flap with for=N stops by itself; one without, at the heal.
		for _, w := range f {
			if v, ok := strings.CutPrefix(w, "for="); ok {
				if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
					p.begin("flap "+dec.Text, "network", "cut", dec.Text, dec.At)
					p.end("flap "+dec.Text, dec.At.Add(wire.Duration(n)))
					return
				}
			}
		}
		p.begin("net "+groups, "network", "cut", dec.Text, dec.At)
	case "partition", "one-way", "bridge":
		p.begin("net "+groups, "network", "cut", dec.Text, dec.At)
	case "connect":
		p.end("net "+groups, dec.At)
	case "heal":
		p.endAll("net ", dec.At)
		p.endAll("cut ", dec.At)
	case "heal-all":
		p.endAll("net ", dec.At)
		p.endAll("cut ", dec.At)
		p.endAll("paused ", dec.At)
	}
	if len(f) > 1 {
		if i, ok := p.laneIndex(f[1]); ok && i != net {
			p.Lanes[i].Marks = append(p.Lanes[i].Marks, mark{X: p.x(dec.At), Class: "fault", Title: title, Glyph: "⚡"})
		}
	}
}

// sidesKey names the sides of a cut whatever order a fault lists them in
// ("{a b} {c}" and "{c} {a b}" are one cut).
func sidesKey(words []string) string {
	var groups []string
	cur := ""
	for _, w := range words {
		cur += w + " "
		if strings.HasSuffix(w, "}") {
			groups = append(groups, strings.TrimSpace(cur))
			cur = ""
		}
	}
	if cur != "" {
		groups = append(groups, strings.TrimSpace(cur))
	}
	slices.Sort(groups)
	return strings.Join(groups, " ")
}

func (p *page) laneIndex(name string) (int, bool) {
	for i, l := range p.Lanes {
		if l.Name == name {
			return i, true
		}
	}
	return 0, false
}

// clientOps draws each client's operations in buckets of about two pixels
// (an hour of operations every 100 ms stays a light page): green where all
// succeeded, red where some failed or timed out, a dark bar where an
// acknowledged write was lost; the title counts them. Lost writes are also
// listed, the first maxLostListed of them.
func (p *page) clientOps(ops []HistoryOp, end wire.Time, width float64) {
	const bucketPx = 2.0
	bucket := max(wire.Time(float64(end)/width*bucketPx), 1)
	type counts struct{ ok, bad, lost int }
	per := map[string]map[wire.Time]*counts{}
	var clients []string
	for _, op := range ops {
		if per[op.Client] == nil {
			per[op.Client] = map[wire.Time]*counts{}
			clients = append(clients, op.Client)
		}
		b := op.Call / bucket
		c := per[op.Client][b]
		if c == nil {
			c = &counts{}
			per[op.Client][b] = c
		}
		switch {
		case op.Lost:
			c.lost++
			c.ok++
			if len(p.Lost) < maxLostListed {
				p.Lost = append(p.Lost, op)
			}
			p.LostMore++
		case op.Outcome == "ok":
			c.ok++
		default:
			c.bad++
		}
	}
	p.LostMore -= len(p.Lost)
	for _, name := range clients {
		i := p.add(name, "client")
		buckets := make([]wire.Time, 0, len(per[name]))
		for b := range per[name] {
			buckets = append(buckets, b)
		}
		slices.Sort(buckets)
		// Neighbouring buckets of the same colour merge into one span.
		var run *span
		var sum counts
		var runEnd wire.Time
		flush := func() {
			if run != nil {
				run.Title = fmt.Sprintf("%s%s %s: %d ok, %d failed or unknown, %d acknowledged writes lost", run.Title, runEnd, name, sum.ok, sum.bad, sum.lost)
				p.Lanes[i].Spans = append(p.Lanes[i].Spans, *run)
			}
			run, sum = nil, counts{}
		}
		for _, b := range buckets {
			c := per[name][b]
			class := "op-ok"
			switch {
			case c.lost > 0:
				class = "op-lost"
			case c.bad > 0:
				class = "op-fail"
			}
			from := b * bucket
			// Idle gaps of a few buckets (a client's pause between
			// operations) do not split a run.
			if run != nil && (run.Class != class || from-runEnd > 4*bucket) {
				flush()
			}
			if run == nil {
				run = &span{X: p.x(from), Class: class, Title: from.String() + "–"}
			}
			runEnd = from + bucket
			run.W = max(p.x(runEnd)-run.X, 1)
			sum.ok, sum.bad, sum.lost = sum.ok+c.ok, sum.bad+c.bad, sum.lost+c.lost
		}
		flush()
	}
}

// maxLostListed bounds the lost writes the page lists one by one.
const maxLostListed = 200

// belief draws one belief as a labelled band under a sentinel's lane.
func (p *page) belief(b Belief, to wire.Time) {
	i := p.add(b.Node, "sentinel")
	p.Lanes[i].Spans = append(p.Lanes[i].Spans, span{X: p.x(b.At), W: max(p.x(to)-p.x(b.At), 1), Class: "belief",
		Title: fmt.Sprintf("%s from %s: %s is at %s (config epoch %s)", b.Node, b.At, b.Master, b.Addr, b.Epoch),
		Label: fmt.Sprintf("%s @ %s e%s", b.Master, b.Addr, b.Epoch)})
}
