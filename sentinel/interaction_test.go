package sentinel

// Golden interaction scripts (DESIGN.md, "Golden interaction scripts"): one
// sentinel driven by hand through a scriptable wire.Env, as etcd raft's
// interaction_test.go does. Every .txt file in testdata/ is a script (the
// other files there are tools, such as the command-table capture); run
//
//	go test -run Interaction ./sentinel/ -rewrite
//
// to regenerate the expected output, and review the diff.
//
// The world is a fixed set of node names in a wire.StaticDirectory (see
// interactionNodes); there is no simulator: the script answers the
// sentinel's commands itself. Commands:
//
//	boot [conf=<preset>]          start the sentinel; the input block is its
//	                              sentinel.conf (default: the preset, "one-master")
//	tick [ms=<advance>] [n=<k>] [quiet|summary] [answer=(<node>,...)]
//	                              advance both clocks (default: to the timer)
//	                              and fire the timer, k times; quiet: leave
//	                              out the routine PING, INFO and PUBLISH sends;
//	                              summary: count them instead, per node and
//	                              command, over the k ticks; answer: the nodes
//	                              answer everything pending after each tick
//	                              (as answer does, silently)
//	reply <node> [to=<CMD>] [backlog] <v>
//	                              answer the node's oldest pending CMD (PING,
//	                              INFO, PUBLISH, SENTINEL...), with backlog
//	                              after routine answers to the commands before
//	                              it on its connection; v in the
//	                              notation of wire.Value.String (+PONG, -ERR x,
//	                              :1, "bulk", (nil), [a b]); an INFO reply is
//	                              the input block (a bulk string)
//	refuse <node> [to=<CMD>]      the node resets (wire.Reset) that command
//	answer <node>...              each node answers all its pending commands,
//	                              in order, as reply backlog does (+PONG, :1,
//	                              its last INFO reply, +OK)
//	hello <node> from=<sentinel> [epoch=<e>] [config-epoch=<e>]
//	                              a hello from another sentinel, pushed on the
//	                              node's pub/sub connection (the input block,
//	                              if any, is the raw payload)
//	ask from=<sentinel> [epoch=<e>] [runid=<id>|*] [master=<node>]
//	                              that sentinel sends SENTINEL
//	                              is-master-down-by-addr to ours
//	clock jump=<ms>               move the wall clock only, without firing
//	info <node>                   the INFO text (input block) the node gives
//	                              from now on to answer and tick answer=
//	ping-reply <node> <v>         the PING reply the node gives from now on
//	                              to answer and tick answer= (default +PONG)
//	command [from=<node>] [conn=<n>]
//	                              a client (default cli, connection 1) sends
//	                              the command on the input line (words split
//	                              on spaces) to the sentinel
//	status                        the master's state as SENTINEL MASTER shows it
//
// Each command prints what the sentinel did during the call, in order: its
// log lines and events ("<level> <text>"), its persists ("persist: ..."),
// then the messages it sent ("-> <node> c<conn> #<seq> ..."). Sends are
// printed last because they leave when the call returns, after the persist
// (the wire.Env contract). Before answering a command, reply first answers
// +OK for the CLIENT/AUTH/SUBSCRIBE still pending before it on the same
// connection, silently (replies come in order on a connection: answering a
// later command first makes the sentinel drop the connection).

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sentinel/conf"
)

// interactionNodes is the scripts' world: the sentinel under test is node 0.
var interactionNodes = []struct {
	name string
	addr wire.Addr
}{
	{"s1", wire.Addr{Host: "10.0.0.11", Port: 26379}},
	{"redis1", wire.Addr{Host: "10.0.0.1", Port: 6379}},
	{"redis2", wire.Addr{Host: "10.0.0.2", Port: 6379}},
	{"redis3", wire.Addr{Host: "10.0.0.3", Port: 6379}},
	{"s2", wire.Addr{Host: "10.0.0.12", Port: 26379}},
	{"s3", wire.Addr{Host: "10.0.0.13", Port: 26379}},
	{"s4", wire.Addr{Host: "10.0.0.14", Port: 26379}},
	{"cli", wire.Addr{Host: "10.0.0.99", Port: 50000}},
	// More replicas, for select.txt (added last: the ids above stay put).
	{"redis4", wire.Addr{Host: "10.0.0.4", Port: 6379}},
	{"redis5", wire.Addr{Host: "10.0.0.5", Port: 6379}},
	{"redis6", wire.Addr{Host: "10.0.0.6", Port: 6379}},
	{"redis7", wire.Addr{Host: "10.0.0.7", Port: 6379}},
	{"redis8", wire.Addr{Host: "10.0.0.8", Port: 6379}},
}

// interactionRunID is the run id of sentinel sN in the scripts.
func interactionRunID(name string) string {
	return strings.Repeat(strings.TrimPrefix(name, "s"), 40)
}

// interactionPresets are the configurations boot takes without an input block.
var interactionPresets = map[string]string{
	"one-master": `sentinel myid 1111111111111111111111111111111111111111
sentinel monitor mymaster 10.0.0.1 6379 2
sentinel down-after-milliseconds mymaster 5000
`,
	"three-sentinels": `sentinel myid 1111111111111111111111111111111111111111
sentinel monitor mymaster 10.0.0.1 6379 2
sentinel down-after-milliseconds mymaster 5000
sentinel known-sentinel mymaster 10.0.0.12 26379 2222222222222222222222222222222222222222
sentinel known-sentinel mymaster 10.0.0.13 26379 3333333333333333333333333333333333333333
`,
}

// interactionStart is the clocks' reading when a script starts.
const interactionStart wire.Time = 1_000_000

// scriptEnv is the wire.Env the scripts drive: settable clocks, a seeded
// random stream, and a record of everything the sentinel did.
type scriptEnv struct {
	mono, wallOffset wire.Time
	rng              *rand.Rand
	names            []string
	timerAt          wire.Time // when the timer is due (mono); 0: not armed

	out   []string       // events and persists of the current call
	sends []wire.Message // sends of the current call
}

func (e *scriptEnv) Self() wire.NodeID { return 0 }
func (e *scriptEnv) Name(id wire.NodeID) string {
	if int(id) >= 0 && int(id) < len(e.names) {
		return e.names[id]
	}
	return "n" + strconv.Itoa(int(id))
}
func (e *scriptEnv) Now() wire.Time   { return e.mono + e.wallOffset }
func (e *scriptEnv) Mono() wire.Time  { return e.mono }
func (e *scriptEnv) Rand() *rand.Rand { return e.rng }
func (e *scriptEnv) Send(to wire.NodeID, p wire.Payload) {
	e.sends = append(e.sends, wire.Message{From: 0, To: to, Payload: p})
}
func (e *scriptEnv) After(d wire.Duration, tag uint64) {
	if tag == tagTick {
		e.timerAt = e.mono.Add(d)
	}
}
func (e *scriptEnv) Persist(b []byte) {
	e.out = append(e.out, "persist: "+summarizePersist(b))
}
func (e *scriptEnv) Emit(event string) { e.out = append(e.out, event) }

// summarizePersist is one line about a saved sentinel.conf: the epochs and
// what it knows of each master.
func summarizePersist(b []byte) string {
	c, err := conf.Parse("sentinel.conf", b)
	if err != nil {
		return "unparsable: " + err.Error()
	}
	parts := []string{"current-epoch " + strconv.FormatUint(c.CurrentEpoch, 10)}
	for _, m := range c.Masters {
		parts = append(parts, fmt.Sprintf("%s %s config-epoch %d leader-epoch %d replicas %d sentinels %d",
			m.Name, m.Addr, m.ConfigEpoch, m.LeaderEpoch, len(m.KnownReplicas), len(m.KnownSentinels)))
	}
	return strings.Join(parts, ", ")
}

// pendingSend is a command the sentinel sent that the script has not answered.
type pendingSend struct {
	node wire.NodeID
	cmd  *wire.Command
}

// interaction is one script's state.
type interaction struct {
	t         *testing.T
	env       *scriptEnv
	dir       *wire.StaticDirectory
	ids       map[string]wire.NodeID
	s         *Sentinel
	pending   []pendingSend // in send order
	askSeq    map[wire.NodeID]uint64
	cmdSeq    map[wire.NodeID]uint64 // by node*1000+conn, for command
	pingReply map[wire.NodeID]wire.Value
	lastInfo  map[wire.NodeID]wire.Value
}

func newInteraction(t *testing.T) *interaction {
	it := &interaction{
		t: t, dir: wire.NewStaticDirectory(), ids: map[string]wire.NodeID{}, askSeq: map[wire.NodeID]uint64{}, cmdSeq: map[wire.NodeID]uint64{}, pingReply: map[wire.NodeID]wire.Value{}, lastInfo: map[wire.NodeID]wire.Value{},
		env: &scriptEnv{mono: interactionStart, rng: rand.New(rand.NewPCG(1, 2))},
	}
	for i, n := range interactionNodes {
		id := wire.NodeID(i)
		it.dir.Add(id, n.addr)
		it.ids[n.name] = id
		it.env.names = append(it.env.names, n.name)
	}
	return it
}

func TestInteraction(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		if !strings.HasSuffix(path, ".txt") {
			t.Skip("not a script")
		}
		it := newInteraction(t)
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			it.t = t
			switch d.Cmd {
			case "boot":
				return it.boot(d)
			case "tick":
				return it.tick(d)
			case "reply":
				return it.reply(d)
			case "refuse":
				return it.refuse(d)
			case "answer":
				return it.answer(d)
			case "hello":
				return it.hello(d)
			case "ask":
				return it.ask(d)
			case "clock":
				return it.clock(d)
			case "command":
				return it.command(d)
			case "ping-reply":
				var words []string
				for _, a := range d.CmdArgs[1:] {
					words = append(words, a.String())
				}
				v, err := parseValue(strings.Join(words, " "))
				if err != nil {
					d.Fatalf(t, "%v", err)
				}
				it.pingReply[it.node(d, d.CmdArgs[0].Key)] = v
				return "ok\n"
			case "info":
				it.lastInfo[it.node(d, d.CmdArgs[0].Key)] = wire.Bulk(strings.ReplaceAll(d.Input, `\n`, "\n") + "\n")
				return "ok\n"
			case "status":
				return it.status()
			}
			d.Fatalf(t, "unknown command %q", d.Cmd)
			return ""
		})
	})
}

// call runs one call of the sentinel and prints what it did.
func (it *interaction) call(f func(env wire.Env)) string {
	it.env.out, it.env.sends = nil, nil
	f(it.env)
	lines := slices.Clone(it.env.out)
	for _, m := range it.env.sends {
		lines = append(lines, "-> "+it.env.Name(m.To)+" "+formatPayload(m.Payload))
		if c, ok := m.Payload.(*wire.Command); ok {
			it.pending = append(it.pending, pendingSend{node: m.To, cmd: c})
		}
		if h, ok := m.Payload.(*wire.Hangup); ok {
			it.dropConn(m.To, h.Conn)
		}
	}
	if len(lines) == 0 {
		return "ok\n"
	}
	return strings.Join(lines, "\n") + "\n"
}

func formatPayload(p wire.Payload) string {
	if r, ok := p.(*wire.Reply); ok {
		return fmt.Sprintf("c%d #%d reply %s", r.Conn, r.Seq, r.Value)
	}
	return p.String()
}

func (it *interaction) dropConn(node wire.NodeID, c wire.ConnID) {
	it.pending = slices.DeleteFunc(it.pending, func(p pendingSend) bool {
		return p.node == node && p.cmd.Conn == c
	})
}

func (it *interaction) node(d *datadriven.TestData, name string) wire.NodeID {
	id, ok := it.ids[name]
	if !ok {
		d.Fatalf(it.t, "unknown node %q", name)
	}
	return id
}

func (it *interaction) boot(d *datadriven.TestData) string {
	preset := "one-master"
	d.MaybeScanArgs(it.t, "conf", &preset)
	text := d.Input
	if strings.TrimSpace(text) == "" {
		var ok bool
		if text, ok = interactionPresets[preset]; !ok {
			d.Fatalf(it.t, "unknown preset %q", preset)
		}
	}
	c, err := conf.Parse("sentinel.conf", []byte(text))
	if err != nil {
		d.Fatalf(it.t, "conf: %v", err)
	}
	s, err := New(Options{Addr: interactionNodes[0].addr, Conf: c, Directory: it.dir})
	if err != nil {
		d.Fatalf(it.t, "new: %v", err)
	}
	it.s = s
	return it.call(func(env wire.Env) { s.Boot(env, nil) })
}

func (it *interaction) tick(d *datadriven.TestData) string {
	ms, n := -1, 1
	d.MaybeScanArgs(it.t, "ms", &ms)
	d.MaybeScanArgs(it.t, "n", &n)
	quiet, summary := d.HasArg("quiet"), d.HasArg("summary")
	var answer []wire.NodeID
	for _, a := range d.CmdArgs {
		if a.Key == "answer" {
			for _, v := range a.Vals {
				answer = append(answer, it.node(d, v))
			}
		}
	}
	var b strings.Builder
	counts := map[string]int{}
	var order []string
	for i := range n {
		adv := wire.Duration(ms)
		if ms < 0 {
			adv = max(0, it.env.timerAt.Sub(it.env.mono))
		}
		it.env.mono = it.env.mono.Add(adv)
		out := it.call(func(env wire.Env) { it.s.Fire(env, tagTick) })
		if quiet || summary {
			var keep []string
			for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				switch {
				case l == "ok":
				case !routineSend(l):
					keep = append(keep, l)
				case summary:
					f := strings.Fields(l)
					k := f[1] + " " + f[4]
					if counts[k] == 0 {
						order = append(order, k)
					}
					counts[k]++
				}
			}
			out = "ok\n"
			if len(keep) > 0 {
				out = strings.Join(keep, "\n") + "\n"
			}
		}
		if len(answer) > 0 {
			var todo []pendingSend
			it.pending = slices.DeleteFunc(it.pending, func(p pendingSend) bool {
				if slices.Contains(answer, p.node) {
					todo = append(todo, p)
					return true
				}
				return false
			})
			more := it.call(func(env wire.Env) {
				for _, p := range todo {
					it.s.Receive(env, wire.Message{From: p.node, To: 0, Payload: &wire.Reply{Conn: p.cmd.Conn, Seq: p.cmd.Seq, Value: it.routineReply(p.node, p.cmd)}})
				}
			})
			if more != "ok\n" {
				if out == "ok\n" {
					out = ""
				}
				out += more
			}
		}
		if n > 1 {
			if out == "ok\n" {
				continue
			}
			fmt.Fprintf(&b, "tick %d:\n", i+1)
		}
		b.WriteString(out)
	}
	if summary {
		for _, k := range order {
			fmt.Fprintf(&b, "sent %s x%d\n", k, counts[k])
		}
	}
	if b.Len() == 0 {
		return "ok\n"
	}
	return b.String()
}

// routineSend says whether an output line is a PING, INFO or hello PUBLISH
// on an open connection, which tick quiet leaves out.
func routineSend(line string) bool {
	f := strings.Fields(line)
	return len(f) >= 5 && f[0] == "->" && (f[4] == "PING" || f[4] == "INFO" || f[4] == "PUBLISH")
}

// takePending removes and returns the node's oldest pending command of the
// given kind (any kind: ""), with the commands before it on the same
// connection that must be answered first: the CLIENT, AUTH and SUBSCRIBE
// ones, and with backlog all of them.
func (it *interaction) takePending(d *datadriven.TestData, node wire.NodeID, kind string, backlog bool) (pendingSend, []pendingSend) {
	for i, p := range it.pending {
		if p.node != node || (kind != "" && !strings.EqualFold(p.cmd.Args[0], kind)) {
			continue
		}
		var acks []pendingSend
		for j := 0; j < i; j++ {
			q := it.pending[j]
			if q.node == node && q.cmd.Conn == p.cmd.Conn {
				switch strings.ToUpper(q.cmd.Args[0]) {
				case "CLIENT", "AUTH", "SUBSCRIBE":
					acks = append(acks, q)
				default:
					if backlog {
						acks = append(acks, q)
					}
				}
			}
		}
		it.pending = slices.DeleteFunc(it.pending, func(q pendingSend) bool {
			return q.cmd == p.cmd || slices.ContainsFunc(acks, func(a pendingSend) bool { return a.cmd == q.cmd })
		})
		return p, acks
	}
	d.Fatalf(it.t, "no pending %s command for %s", kind, it.env.Name(node))
	return pendingSend{}, nil
}

func (it *interaction) reply(d *datadriven.TestData) string {
	if len(d.CmdArgs) < 1 {
		d.Fatalf(it.t, "reply <node> [to=<CMD>] <value>")
	}
	node := it.node(d, d.CmdArgs[0].Key)
	kind := ""
	var words []string
	backlog := false
	for _, a := range d.CmdArgs[1:] {
		if a.Key == "to" && len(words) == 0 {
			kind = a.Vals[0]
			continue
		}
		if a.Key == "backlog" && len(a.Vals) == 0 && len(words) == 0 {
			backlog = true
			continue
		}
		words = append(words, a.String())
	}
	var v wire.Value
	if len(words) == 0 {
		v = wire.Bulk(strings.ReplaceAll(d.Input, `\n`, "\n") + "\n")
	} else {
		var err error
		if v, err = parseValue(strings.Join(words, " ")); err != nil {
			d.Fatalf(it.t, "%v", err)
		}
	}
	p, acks := it.takePending(d, node, kind, backlog)
	if p.cmd.Args[0] == "INFO" && v.Kind == wire.KindBulk {
		it.lastInfo[node] = v
	}
	return it.call(func(env wire.Env) {
		for _, a := range acks {
			it.s.Receive(env, wire.Message{From: node, To: 0, Payload: &wire.Reply{Conn: a.cmd.Conn, Seq: a.cmd.Seq, Value: it.routineReply(node, a.cmd)}})
		}
		it.s.Receive(env, wire.Message{From: node, To: 0, Payload: &wire.Reply{Conn: p.cmd.Conn, Seq: p.cmd.Seq, Value: v}})
	})
}

// routineReply is how reply backlog answers a command: +PONG to PING, :1 to
// PUBLISH, the node's last INFO reply to INFO, +OK to anything else.
func (it *interaction) routineReply(node wire.NodeID, c *wire.Command) wire.Value {
	switch strings.ToUpper(c.Args[0]) {
	case "PING":
		if v, ok := it.pingReply[node]; ok {
			return v
		}
		return wire.Status("PONG")
	case "PUBLISH":
		return wire.Int(1)
	case "INFO":
		if v, ok := it.lastInfo[node]; ok {
			return v
		}
	}
	return wire.OK()
}

func (it *interaction) answer(d *datadriven.TestData) string {
	if len(d.CmdArgs) < 1 {
		d.Fatalf(it.t, "answer <node>...")
	}
	var nodes []wire.NodeID
	for _, a := range d.CmdArgs {
		nodes = append(nodes, it.node(d, a.Key))
	}
	var todo []pendingSend
	it.pending = slices.DeleteFunc(it.pending, func(p pendingSend) bool {
		if slices.Contains(nodes, p.node) {
			todo = append(todo, p)
			return true
		}
		return false
	})
	return it.call(func(env wire.Env) {
		for _, p := range todo {
			it.s.Receive(env, wire.Message{From: p.node, To: 0, Payload: &wire.Reply{Conn: p.cmd.Conn, Seq: p.cmd.Seq, Value: it.routineReply(p.node, p.cmd)}})
		}
	})
}

func (it *interaction) refuse(d *datadriven.TestData) string {
	if len(d.CmdArgs) < 1 {
		d.Fatalf(it.t, "refuse <node> [to=<CMD>]")
	}
	node := it.node(d, d.CmdArgs[0].Key)
	kind := ""
	d.MaybeScanArgs(it.t, "to", &kind)
	p, _ := it.takePending(d, node, kind, false)
	it.dropConn(node, p.cmd.Conn) // the connection is gone
	return it.call(func(env wire.Env) {
		it.s.Receive(env, wire.Message{From: node, To: 0, Payload: &wire.Reset{Payload: p.cmd}})
	})
}

func (it *interaction) hello(d *datadriven.TestData) string {
	if len(d.CmdArgs) < 1 {
		d.Fatalf(it.t, "hello <node> from=<sentinel>")
	}
	node := it.node(d, d.CmdArgs[0].Key)
	payload := strings.TrimSpace(d.Input)
	if payload == "" {
		var from string
		epoch, cepoch := 0, 0
		d.ScanArgs(it.t, "from", &from)
		d.MaybeScanArgs(it.t, "epoch", &epoch)
		d.MaybeScanArgs(it.t, "config-epoch", &cepoch)
		sa := interactionNodes[it.node(d, from)].addr
		m := it.s.masters[0]
		payload = strings.Join([]string{sa.Host, strconv.Itoa(sa.Port), interactionRunID(from), strconv.Itoa(epoch),
			m.name, m.addr.Host, strconv.Itoa(m.addr.Port), strconv.Itoa(cepoch)}, ",")
	}
	var conn wire.ConnID
	for _, p := range it.pending {
		if p.node == node && strings.EqualFold(p.cmd.Args[0], "SUBSCRIBE") {
			conn = p.cmd.Conn
		}
	}
	for _, c := range it.s.conns { // the subscription may have been answered already
		if c.node == node && c.pubsub {
			conn = c.id
		}
	}
	if conn == 0 {
		d.Fatalf(it.t, "no pub/sub connection to %s", it.env.Name(node))
	}
	return it.call(func(env wire.Env) {
		it.s.Receive(env, wire.Message{From: node, To: 0, Payload: &wire.Push{Conn: conn,
			Value: wire.BulkArray("message", helloChannel, payload)}})
	})
}

func (it *interaction) ask(d *datadriven.TestData) string {
	from, runID, master := "s2", "*", "redis1"
	epoch := 0
	d.MaybeScanArgs(it.t, "from", &from)
	d.MaybeScanArgs(it.t, "epoch", &epoch)
	d.MaybeScanArgs(it.t, "runid", &runID)
	d.MaybeScanArgs(it.t, "master", &master)
	node := it.node(d, from)
	if runID != "*" && len(runID) != 40 {
		runID = interactionRunID(runID) // "s2": s2's run id
	}
	ma := interactionNodes[it.node(d, master)].addr
	it.askSeq[node]++
	seq := it.askSeq[node]
	cmd := &wire.Command{Conn: 1, Seq: seq, Open: seq == 1, Args: []string{"SENTINEL", "is-master-down-by-addr",
		ma.Host, strconv.Itoa(ma.Port), strconv.Itoa(epoch), runID}}
	return it.call(func(env wire.Env) { it.s.Receive(env, wire.Message{From: node, To: 0, Payload: cmd}) })
}

func (it *interaction) command(d *datadriven.TestData) string {
	from, conn := "cli", 1
	d.MaybeScanArgs(it.t, "from", &from)
	d.MaybeScanArgs(it.t, "conn", &conn)
	node := it.node(d, from)
	key := node*1000 + wire.NodeID(conn)
	it.cmdSeq[key]++
	seq := it.cmdSeq[key]
	cmd := &wire.Command{Conn: wire.ConnID(conn), Seq: seq, Open: seq == 1, Args: strings.Fields(d.Input)}
	return it.call(func(env wire.Env) { it.s.Receive(env, wire.Message{From: node, To: 0, Payload: cmd}) })
}

func (it *interaction) clock(d *datadriven.TestData) string {
	var jump int
	d.ScanArgs(it.t, "jump", &jump)
	it.env.wallOffset += wire.Time(jump)
	return "ok\n"
}

// status prints the master's fields of interest from SENTINEL MASTER, and
// the flags of its replicas and sentinels, in the engine's order.
func (it *interaction) status() string {
	s := it.s
	var b strings.Builder
	fmt.Fprintf(&b, "current-epoch %d tilt %v\n", s.currentEpoch, s.tilt)
	for _, m := range s.masters {
		kv := s.instanceMap(m).Array
		field := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			field[kv[i].Str] = kv[i+1].Str
		}
		fmt.Fprintf(&b, "master %s %s:", m.name, m.addr)
		for _, k := range []string{"flags", "failover-state", "config-epoch", "quorum", "num-slaves", "num-other-sentinels"} {
			if v, ok := field[k]; ok {
				fmt.Fprintf(&b, " %s=%s", k, v)
			}
		}
		fmt.Fprintf(&b, " leader-epoch=%d\n", m.leaderEpoch)
		for _, r := range m.replicas {
			fmt.Fprintf(&b, "  replica %s flags=%s\n", r.addr, r.flagString())
		}
		for _, r := range m.sentinels {
			fmt.Fprintf(&b, "  sentinel %s flags=%s", r.addr, r.flagString())
			if r.leader != "" {
				fmt.Fprintf(&b, " leader=%s leader-epoch=%d", r.leader[:8], r.leaderEpoch)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// parseValue reads a RESP value in wire.Value.String's notation: +status,
// -error, :int, "bulk", (nil), [a b ...]; a bare word is a bulk string.
func parseValue(text string) (wire.Value, error) {
	p := &valueParser{s: strings.TrimSpace(text)}
	v, err := p.value()
	if err == nil && strings.TrimSpace(p.s[p.i:]) != "" {
		err = fmt.Errorf("trailing text in %q", text)
	}
	return v, err
}

type valueParser struct {
	s string
	i int
}

func (p *valueParser) value() (wire.Value, error) {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
	if p.i >= len(p.s) {
		return wire.Value{}, fmt.Errorf("missing value in %q", p.s)
	}
	switch c := p.s[p.i]; c {
	case '[':
		p.i++
		var elems []wire.Value
		for {
			for p.i < len(p.s) && p.s[p.i] == ' ' {
				p.i++
			}
			if p.i >= len(p.s) {
				return wire.Value{}, fmt.Errorf("unclosed array in %q", p.s)
			}
			if p.s[p.i] == ']' {
				p.i++
				return wire.Array(elems...), nil
			}
			e, err := p.value()
			if err != nil {
				return wire.Value{}, err
			}
			elems = append(elems, e)
		}
	case '"':
		q, err := strconv.QuotedPrefix(p.s[p.i:])
		if err != nil {
			return wire.Value{}, fmt.Errorf("bad string in %q", p.s)
		}
		p.i += len(q)
		u, _ := strconv.Unquote(q)
		return wire.Bulk(u), nil
	}
	word := p.word()
	switch {
	case word == "(nil)":
		return wire.Nil(), nil
	case word[0] == '+':
		return wire.Status(word[1:]), nil
	case word[0] == '-':
		return wire.Error(word[1:] + p.rest()), nil
	case word[0] == ':':
		n, err := strconv.ParseInt(word[1:], 10, 64)
		return wire.Int(n), err
	}
	if n, err := strconv.ParseInt(word, 10, 64); err == nil {
		return wire.Int(n), nil // [1 "runid" 3]: bare numbers are integers
	}
	return wire.Bulk(word), nil
}

func (p *valueParser) word() string {
	j := p.i
	for j < len(p.s) && p.s[j] != ' ' && p.s[j] != ']' {
		j++
	}
	w := p.s[p.i:j]
	p.i = j
	return w
}

// rest takes the rest of a top-level error's text ("-ERR no such key").
func (p *valueParser) rest() string {
	if strings.Contains(p.s[p.i:], "]") {
		return ""
	}
	r := p.s[p.i:]
	p.i = len(p.s)
	return r
}
