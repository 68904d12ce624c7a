package traffic

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sim"
)

// Periods of the traffic, from spec §2.1.
const (
	PingPeriod    = 1000 * wire.Millisecond
	InfoPeriod    = 10 * wire.Second
	HelloPeriod   = 2 * wire.Second
	AckPeriod     = 1 * wire.Second
	ReplPingEvery = 10 * wire.Second
	TiltTrigger   = 2000 * wire.Millisecond
)

// Msg is a command or reply of the stand-in protocol.
type Msg struct {
	Verb string
	Arg  string
}

func (m *Msg) String() string {
	if m.Arg == "" {
		return m.Verb
	}
	return m.Verb + " " + m.Arg
}

// Shared payloads that carry no data, so the hot path allocates nothing.
var (
	msgPing      = &Msg{Verb: "PING"}
	msgPong      = &Msg{Verb: "PONG"}
	msgInfo      = &Msg{Verb: "INFO"}
	msgSubscribe = &Msg{Verb: "SUBSCRIBE", Arg: "__sentinel__:hello"}
	msgAck       = &Msg{Verb: "REPLCONF", Arg: "ACK"}
)

// Topology names the nodes of one deployment.
type Topology struct {
	Master   wire.NodeID
	Replicas []wire.NodeID
	Watchers []wire.NodeID
}

// Data returns the master followed by the replicas.
func (t Topology) Data() []wire.NodeID { return append([]wire.NodeID{t.Master}, t.Replicas...) }

// Build adds a master, replicas and watchers to w (named redis1.., s1..) and
// returns their ids. downAfter is the watchers' down-after-milliseconds.
func Build(w *sim.World, replicas, watchers int, downAfter wire.Duration) (Topology, error) {
	var topo Topology
	// The ids are dense and in order, so every process can be told the
	// topology before it exists.
	n := wire.NodeID(0)
	topo.Master = n
	for i := 0; i < replicas; i++ {
		n++
		topo.Replicas = append(topo.Replicas, n)
	}
	for i := 0; i < watchers; i++ {
		n++
		topo.Watchers = append(topo.Watchers, n)
	}
	add := func(name string, start func() sim.Process) error {
		_, err := w.AddNode(sim.NodeSpec{Name: name, Start: start})
		return err
	}
	if err := add("redis1", func() sim.Process { return &Data{topo: topo, master: true} }); err != nil {
		return topo, err
	}
	for i := range topo.Replicas {
		if err := add("redis"+strconv.Itoa(i+2), func() sim.Process { return &Data{topo: topo} }); err != nil {
			return topo, err
		}
	}
	for i := range topo.Watchers {
		if err := add("s"+strconv.Itoa(i+1), func() sim.Process { return &Watcher{topo: topo, downAfter: downAfter} }); err != nil {
			return topo, err
		}
	}
	return topo, nil
}

// Data is a Redis-shaped data node: it answers PING and INFO, fans hello
// messages out to its subscribers, and replicates (acknowledgements only).
type Data struct {
	topo        Topology
	master      bool
	subscribers []wire.NodeID
	offset      int64
}

const (
	tagAck uint64 = iota + 1
	tagReplPing
	tagTick
)

// Boot starts the replication timers.
func (d *Data) Boot(ctx wire.Env, _ []byte) {
	if d.master {
		ctx.After(ReplPingEvery, tagReplPing)
	} else {
		ctx.After(AckPeriod, tagAck)
	}
}

// Receive answers the stand-in protocol.
func (d *Data) Receive(ctx wire.Env, m wire.Message) {
	p, ok := m.Payload.(*Msg)
	if !ok {
		return
	}
	switch p.Verb {
	case "PING":
		ctx.Send(m.From, msgPong)
	case "INFO":
		role := "slave"
		if d.master {
			role = "master"
		}
		ctx.Send(m.From, &Msg{Verb: "INFO-REPLY", Arg: "role:" + role + " offset:" + strconv.FormatInt(d.offset, 10)})
	case "SUBSCRIBE":
		for _, s := range d.subscribers {
			if s == m.From {
				return
			}
		}
		d.subscribers = append(d.subscribers, m.From)
	case "PUBLISH":
		for _, s := range d.subscribers {
			ctx.Send(s, &Msg{Verb: "MESSAGE", Arg: p.Arg})
		}
	case "REPLCONF":
		d.offset++
	}
}

// Fire runs the replication timers.
func (d *Data) Fire(ctx wire.Env, tag uint64) {
	switch tag {
	case tagAck:
		d.offset++
		ctx.Send(d.topo.Master, msgAck)
		ctx.After(AckPeriod, tagAck)
	case tagReplPing:
		for _, r := range d.topo.Replicas {
			ctx.Send(r, msgPing)
		}
		ctx.After(ReplPingEvery, tagReplPing)
	}
}

// peer is what a watcher knows of one instance.
type peer struct {
	id        wire.NodeID
	data      bool
	lastPing  wire.Time
	lastInfo  wire.Time
	lastHello wire.Time
	lastReply wire.Time
	sdown     bool
}

// Watcher is a sentinel-shaped process: it pings, asks for INFO and sends
// hello messages on the sentinel cadence, and reports silence as SDOWN.
type Watcher struct {
	topo      Topology
	downAfter wire.Duration
	peers     []peer
	lastTick  wire.Time
	epoch     int // counts the +sdown it has seen; persisted
}

// Boot restores the persisted counter, subscribes to the data nodes and
// starts the timer.
func (s *Watcher) Boot(ctx wire.Env, persisted []byte) {
	if v, ok := strings.CutPrefix(string(persisted), "sdown-seen "); ok {
		s.epoch, _ = strconv.Atoi(v)
	}
	now := ctx.Now()
	s.lastTick = now
	for _, id := range s.topo.Data() {
		s.peers = append(s.peers, peer{id: id, data: true, lastReply: now, lastPing: now, lastInfo: now - wire.Time(InfoPeriod)})
		ctx.Send(id, msgSubscribe)
	}
	for _, id := range s.topo.Watchers {
		if id != ctx.Self() {
			s.peers = append(s.peers, peer{id: id, lastReply: now, lastPing: now})
		}
	}
	ctx.After(s.period(ctx), tagTick)
}

// period draws the next timer gap like the sentinel timer: 1000/hz with hz
// uniform in 10..19 (spec §3.1).
func (s *Watcher) period(ctx wire.Env) wire.Duration {
	return wire.Duration(1000 / (10 + ctx.Rand().IntN(10)))
}

func (s *Watcher) find(id wire.NodeID) *peer {
	for i := range s.peers {
		if s.peers[i].id == id {
			return &s.peers[i]
		}
	}
	return nil
}

// Receive records signs of life. A connection reset is none.
func (s *Watcher) Receive(ctx wire.Env, m wire.Message) {
	p := s.find(m.From)
	if _, reset := m.Payload.(*wire.Reset); p == nil || reset {
		return
	}
	if pl, ok := m.Payload.(*Msg); ok && (pl.Verb == "PING" || pl.Verb == "PUBLISH") {
		ctx.Send(m.From, msgPong)
		return
	}
	p.lastReply = ctx.Now()
	if p.sdown {
		p.sdown = false
		ctx.Emit("-sdown " + ctx.Name(p.id))
	}
}

// Fire runs one tick: TILT check, periodic commands, silence detection.
func (s *Watcher) Fire(ctx wire.Env, tag uint64) {
	if tag != tagTick {
		return
	}
	now := ctx.Now()
	if gap := now.Sub(s.lastTick); gap < 0 || gap > TiltTrigger {
		ctx.Emit(fmt.Sprintf("+tilt #tilt mode entered (timer gap %dms)", gap))
	}
	s.lastTick = now
	for i := range s.peers {
		p := &s.peers[i]
		if now.Sub(p.lastPing) >= PingPeriod {
			p.lastPing = now
			ctx.Send(p.id, msgPing)
		}
		if p.data && now.Sub(p.lastInfo) >= InfoPeriod {
			p.lastInfo = now
			ctx.Send(p.id, msgInfo)
		}
		if now.Sub(p.lastHello) >= HelloPeriod {
			p.lastHello = now
			ctx.Send(p.id, &Msg{Verb: "PUBLISH", Arg: ctx.Name(ctx.Self()) + "," + strconv.Itoa(s.epoch)})
		}
		if !p.sdown && now.Sub(p.lastReply) > s.downAfter {
			p.sdown = true
			s.epoch++
			ctx.Persist([]byte("sdown-seen " + strconv.Itoa(s.epoch)))
			ctx.Emit("+sdown " + ctx.Name(p.id))
		}
	}
	ctx.After(s.period(ctx), tagTick)
}
