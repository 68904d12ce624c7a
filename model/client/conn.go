package client

import (
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// conn is one connection a process opened to a server. Commands on it are
// sent one at a time: want is the Seq of the command awaiting its reply.
type conn struct {
	id   wire.ConnID
	node wire.NodeID
	addr wire.Addr
	seq  uint64 // Seq of the last command sent
	want uint64 // Seq awaited, 0 if none
}

// send sends the next command on c (opening the connection with the first)
// and waits for its reply.
func (c *conn) send(env wire.Env, args ...string) {
	c.seq++
	c.want = c.seq
	env.Send(c.node, &wire.Command{Conn: c.id, Seq: c.seq, Open: c.seq == 1, Args: args})
}

// hangup closes c from the client's side.
func (c *conn) hangup(env wire.Env) {
	env.Send(c.node, &wire.Hangup{Conn: c.id})
}

// is reports whether a message from node about connection id is about c.
func (c *conn) is(node wire.NodeID, id wire.ConnID) bool {
	return c != nil && c.node == node && c.id == id
}

// reply returns the reply m carries for c, if it is the one c awaits.
func (c *conn) reply(m *wire.Message) (wire.Value, bool) {
	r, ok := m.Payload.(*wire.Reply)
	if !ok || !c.is(m.From, r.Conn) || c.want == 0 || r.Seq != c.want {
		return wire.Value{}, false
	}
	c.want = 0
	return r.Value, true
}

// connIDBits is how many low bits of a ConnID count connections within one
// incarnation; the bits above hold the incarnation.
const connIDBits = 20

// identity is what a process needs to name its connections: its
// incarnation, kept in what it persists, and a counter.
type identity struct {
	inc   uint64
	conns uint32
}

// persistPrefix starts the state a client or proxy persists.
const persistPrefix = "incarnation "

// boot reads the incarnation of the previous run from persisted, counts this
// one and persists it. A process that never ran before is incarnation 1.
func (id *identity) boot(env wire.Env, persisted []byte) {
	prev := uint64(0)
	if s, ok := strings.CutPrefix(string(persisted), persistPrefix); ok {
		prev, _ = strconv.ParseUint(s, 10, 64)
	}
	id.inc = prev + 1
	id.conns = 0
	env.Persist([]byte(persistPrefix + strconv.FormatUint(id.inc, 10)))
}

// open returns a new connection to node at addr with an id no earlier
// incarnation used (until 4096 restarts wrap the high bits around) and no
// live connection of this one uses (until a million connections wrap the
// counter, by when the old ones are long closed).
func (id *identity) open(node wire.NodeID, addr wire.Addr) *conn {
	id.conns = (id.conns + 1) & (1<<connIDBits - 1)
	if id.conns == 0 {
		id.conns = 1
	}
	high := uint32(id.inc-1) << connIDBits
	return &conn{id: wire.ConnID(high | id.conns), node: node, addr: addr}
}

// timers hands out timer tags: each wait gets a fresh tag and remembers it,
// so a Fire whose tag is no longer remembered is stale (timers cannot be
// cancelled).
type timers struct{ last uint64 }

func (t *timers) after(env wire.Env, d wire.Duration) uint64 {
	t.last++
	env.After(d, t.last)
	return t.last
}

// unreset turns a connection reset (wire.Reset: the peer process is dead or
// restarted) into what it means for the connection it hit: a reset of a
// command we sent is the server closing that connection; a reset of a reply
// or push we sent to a client is that client hanging up. Anything else is
// returned unchanged.
func unreset(m wire.Message) wire.Message {
	r, ok := m.Payload.(*wire.Reset)
	if !ok {
		return m
	}
	switch p := r.Payload.(type) {
	case *wire.Command:
		m.Payload = &wire.Closed{Conn: p.Conn, Reason: "reset"}
	case *wire.Reply:
		m.Payload = &wire.Hangup{Conn: p.Conn}
	case *wire.Push:
		m.Payload = &wire.Hangup{Conn: p.Conn}
	case *wire.Closed:
		m.Payload = &wire.Hangup{Conn: p.Conn}
	}
	return m
}
