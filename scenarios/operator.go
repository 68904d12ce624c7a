package scenarios

import (
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// operatorName names the process that sends a scenario's commands.
const operatorName = "operator"

// operator is an administrator at a terminal: at the times the timeline
// says, it opens a connection to a process and sends one command (after
// AUTH when asked), like redis-cli. Replies are recorded as events
// ("reply c3 SENTINEL FAILOVER mymaster -> OK") and handed to the runner.
// It keeps no state across restarts; it is never the target of faults.
type operator struct {
	queue   []opCommand // waiting for the next Wake
	conns   map[wire.ConnID]*opCommand
	next    wire.ConnID
	replies func(cmd opCommand, reply wire.Value)
}

type opCommand struct {
	to    wire.NodeID
	name  string // the target's name, for the log
	args  []string
	auth  string
	line  int
	fault int // the timeline entry that sent it
	sent  wire.Time
	steps int // replies still expected
}

var _ interface {
	Boot(wire.Env, []byte)
	Receive(wire.Env, wire.Message)
	Fire(wire.Env, uint64)
} = (*operator)(nil)

func (o *operator) Boot(wire.Env, []byte) { o.conns = map[wire.ConnID]*opCommand{} }

// Fire sends the queued commands (the runner queues them and wakes it).
func (o *operator) Fire(env wire.Env, _ uint64) {
	for _, c := range o.queue {
		o.next++
		cmd := c
		cmd.sent = env.Now()
		seq := uint64(1)
		open := true
		if cmd.auth != "" {
			env.Send(cmd.to, &wire.Command{Conn: o.next, Seq: seq, Open: true, Args: []string{"AUTH", cmd.auth}})
			seq, open = 2, false
			cmd.steps++
		}
		env.Send(cmd.to, &wire.Command{Conn: o.next, Seq: seq, Open: open, Args: cmd.args})
		cmd.steps++
		o.conns[o.next] = &cmd
		env.Emit("> " + env.Name(cmd.to) + " " + strings.Join(cmd.args, " "))
	}
	o.queue = o.queue[:0]
}

// Receive takes replies; the connection is closed after the last one.
func (o *operator) Receive(env wire.Env, m wire.Message) {
	switch p := m.Payload.(type) {
	case *wire.Reply:
		c := o.conns[p.Conn]
		if c == nil {
			return
		}
		c.steps--
		if c.steps > 0 {
			return // the AUTH reply
		}
		delete(o.conns, p.Conn)
		env.Send(c.to, &wire.Hangup{Conn: p.Conn})
		env.Emit("< " + env.Name(c.to) + " " + p.Value.String())
		o.replies(*c, p.Value)
	case *wire.Closed:
		if c := o.conns[p.Conn]; c != nil {
			delete(o.conns, p.Conn)
			o.replies(*c, wire.Error("CLOSED "+p.Reason))
		}
	case *wire.Reset:
		// The process is dead: the command was refused.
		if cmd, ok := p.Payload.(*wire.Command); ok {
			if c := o.conns[cmd.Conn]; c != nil {
				delete(o.conns, cmd.Conn)
				o.replies(*c, wire.Error("CONNREFUSED"))
			}
		}
	}
}
