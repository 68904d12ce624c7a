package client

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/history"
	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Options are what SentinelClient and StaticClient have in common. Zero
// fields take the defaults named in their comments.
type Options struct {
	// Name names the client in its history ops, values and events.
	// Default: the name of its node.
	Name string
	// Workload is what the client does.
	Workload Workload
	// Recorder receives every attempt as a history op; nil records nothing.
	Recorder history.Recorder
	// Directory resolves addresses to nodes. Required.
	Directory wire.Directory
	// OpTimeout bounds the wait for the reply to a command, like redis-py's
	// socket_timeout. Default DefaultOpTimeout.
	OpTimeout wire.Duration
	// ConnectTimeout bounds each step of setting up a new data connection
	// (AUTH, ROLE). Default: OpTimeout.
	ConnectTimeout wire.Duration
	// MaxAttempts bounds the attempts at one operation, the first included;
	// 1 means never retry. Default DefaultMaxAttempts. Only failures a
	// reconnection can cure are retried: a timeout, a closed connection,
	// READONLY, LOADING, MASTERDOWN, and failing to reach a node at all.
	MaxAttempts int
	// BackoffMin and BackoffMax bound the wait before a retry: BackoffMin
	// before the second attempt, doubling up to BackoffMax. Defaults
	// DefaultBackoffMin and DefaultBackoffMax.
	BackoffMin, BackoffMax wire.Duration
	// Password, when set, is sent with AUTH on every new data connection.
	Password string
}

// Defaults of Options.
const (
	DefaultOpTimeout   = 1000 * wire.Millisecond
	DefaultMaxAttempts = 3
	DefaultBackoffMin  = 100 * wire.Millisecond
	DefaultBackoffMax  = 2000 * wire.Millisecond
	maxAttemptsLimit   = 100
)

func (o Options) withDefaults() (Options, error) {
	var err error
	if o.Workload, err = o.Workload.withDefaults(); err != nil {
		return o, err
	}
	if o.Directory == nil {
		return o, errors.New("no Directory to resolve addresses")
	}
	if strings.ContainsAny(o.Name, " \t\r\n") {
		return o, fmt.Errorf("name %q has white space", o.Name)
	}
	if o.OpTimeout < 0 || o.ConnectTimeout < 0 || o.BackoffMin < 0 || o.BackoffMax < 0 {
		return o, errors.New("timeouts and backoffs must not be negative")
	}
	if o.OpTimeout == 0 {
		o.OpTimeout = DefaultOpTimeout
	}
	if o.ConnectTimeout == 0 {
		o.ConnectTimeout = o.OpTimeout
	}
	switch {
	case o.MaxAttempts < 0 || o.MaxAttempts > maxAttemptsLimit:
		return o, fmt.Errorf("max attempts %d is outside 0..%d", o.MaxAttempts, maxAttemptsLimit)
	case o.MaxAttempts == 0:
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.BackoffMin == 0 {
		o.BackoffMin = DefaultBackoffMin
	}
	if o.BackoffMax == 0 {
		o.BackoffMax = max(DefaultBackoffMax, o.BackoffMin)
	}
	if o.BackoffMax < o.BackoffMin {
		return o, fmt.Errorf("backoff max %s is below backoff min %s", o.BackoffMax, o.BackoffMin)
	}
	return o, nil
}

// locator finds the address of the node a client should talk to.
type locator interface {
	// locate starts looking; it ends by calling core.located or
	// core.unlocated, at once or from a later Receive or Fire.
	locate(c *core, env wire.Env)
	// receive handles a message on the locator's own connections and
	// reports whether it was one.
	receive(c *core, env wire.Env, m *wire.Message) bool
	// fire handles one of the locator's timers and reports whether it was
	// one.
	fire(c *core, env wire.Env, tag uint64) bool
	// checkRole reports whether new data connections must pass ROLE.
	checkRole() bool
}

// phase is where a client is in its cycle of operations.
type phase uint8

const (
	phaseWait      phase = iota // until the next operation starts
	phaseLocate                 // the locator is finding the node
	phaseHandshake              // a setup command is out on a new data connection
	phaseCommand                // the operation's command is out
	phaseBackoff                // until the next attempt
	phaseDone                   // MaxOps reached
)

// step is one setup command on a new data connection, with the check of
// its reply: "" if it passed, else a short reason.
type step struct {
	args  []string
	check func(v wire.Value) string
}

// reconnectCodes are the error replies after which a client drops the
// connection and rediscovers (redis-py raises ConnectionError for the
// first; the other two say the node cannot serve now).
var reconnectCodes = []string{"READONLY", "LOADING", "MASTERDOWN"}

// core is the engine SentinelClient and StaticClient share: the workload,
// attempts and retries, the data connection and its setup, and recording.
type core struct {
	opt Options
	loc locator

	name string
	id   identity
	tm   timers

	phase phase
	timer uint64 // tag of the phase's timer (next op, backoff, timeouts)

	ops      int    // operations started in this incarnation
	attempts int    // attempts at the current operation
	values   uint64 // attempts in this incarnation, numbering unique values
	kind     opKind
	key      string
	opStart  wire.Time // monotonic
	opID     uint64    // history id of the current attempt
	args     []string

	data  *conn
	ready bool   // the data connection passed its setup
	setup []step // setup steps still to pass
}

func (c *core) init(opt Options, loc locator) { c.opt, c.loc = opt, loc }

// Boot counts the incarnation and schedules the first operation.
func (c *core) Boot(env wire.Env, persisted []byte) {
	c.id.boot(env, persisted)
	c.name = c.opt.Name
	if c.name == "" {
		c.name = env.Name(env.Self())
	}
	c.phase = phaseWait
	c.timer = c.tm.after(env, c.opt.Workload.Start)
}

// Receive handles replies and closes on the data connection and hands the
// rest to the locator.
func (c *core) Receive(env wire.Env, m wire.Message) {
	// The host of a dead process bounced the very command the op awaits:
	// no process received it, so it was not applied (a refused
	// connection), not an unknown outcome.
	bounced := false
	if r, ok := m.Payload.(*wire.Reset); ok && c.phase == phaseCommand && c.data != nil {
		cmd, ok := r.Payload.(*wire.Command)
		bounced = ok && c.data.is(m.From, cmd.Conn) && cmd.Seq == c.data.want
	}
	m = unreset(m)
	switch p := m.Payload.(type) {
	case *wire.Reply:
		if v, ok := c.data.reply(&m); ok {
			c.onReply(env, v)
			return
		}
	case *wire.Closed:
		if c.data.is(m.From, p.Conn) {
			c.onClosed(env, p.Reason, bounced)
			return
		}
	}
	c.loc.receive(c, env, &m)
}

// Fire runs the phase's timer or one of the locator's; stale tags are
// ignored.
func (c *core) Fire(env wire.Env, tag uint64) {
	if tag != c.timer {
		c.loc.fire(c, env, tag)
		return
	}
	c.timer = 0
	switch c.phase {
	case phaseWait:
		c.startOp(env)
	case phaseBackoff:
		c.startAttempt(env)
	case phaseHandshake:
		addr := c.data.addr
		c.emit(env, "timeout "+addr.String())
		c.dropData(env, true)
		c.endAttempt(env, history.Fail, "", wire.Error("TIMEOUT setting up "+addr.String()), true)
	case phaseCommand:
		node, addr := env.Name(c.data.node), c.data.addr
		c.emit(env, "timeout "+addr.String())
		c.dropData(env, true)
		c.endAttempt(env, history.Unknown, node, wire.Error("TIMEOUT after "+c.opt.OpTimeout.String()), true)
	}
}

func (c *core) emit(env wire.Env, what string) {
	env.Emit("client " + c.name + " " + what)
}

// startOp begins a new operation of the workload.
func (c *core) startOp(env wire.Env) {
	c.ops++
	c.attempts = 0
	c.opStart = env.Mono()
	c.kind, c.key = c.opt.Workload.pick(env)
	c.startAttempt(env)
}

// startAttempt records a new attempt and sends it, finding the node first
// if there is no ready data connection.
func (c *core) startAttempt(env wire.Env) {
	c.attempts++
	c.values++
	c.args = c.kind.args(c.key, uniqueValue(c.name, c.id.inc, c.values))
	c.opID = 0
	if c.opt.Recorder != nil {
		c.opID = c.opt.Recorder.Invoke(c.name, c.args)
	}
	if c.data != nil && c.ready {
		c.sendCommand(env)
		return
	}
	c.dropData(env, true)
	c.phase = phaseLocate
	c.loc.locate(c, env)
}

// located is the locator's answer: use the node at addr.
func (c *core) located(env wire.Env, addr wire.Addr) {
	if c.phase != phaseLocate {
		return
	}
	node, ok := c.opt.Directory.Resolve(addr)
	if !ok {
		c.emit(env, "no-route "+addr.String())
		c.endAttempt(env, history.Fail, "", wire.Error("NOROUTE "+addr.String()+" is not in the directory"), true)
		return
	}
	c.data = c.id.open(node, addr)
	c.ready = false
	c.setup = c.setup[:0]
	if c.opt.Password != "" {
		c.setup = append(c.setup, step{args: []string{"AUTH", c.opt.Password}, check: checkOK})
	}
	if c.loc.checkRole() {
		c.setup = append(c.setup, step{args: []string{"ROLE"}, check: checkMaster})
	}
	c.nextStep(env)
}

// unlocated is the locator's answer that it found nothing.
func (c *core) unlocated(env wire.Env, why wire.Value) {
	if c.phase != phaseLocate {
		return
	}
	c.endAttempt(env, history.Fail, "", why, true)
}

// nextStep sends the next setup command, or the operation once the
// connection is set up.
func (c *core) nextStep(env wire.Env) {
	if len(c.setup) == 0 {
		c.ready = true
		c.sendCommand(env)
		return
	}
	c.data.send(env, c.setup[0].args...)
	c.phase = phaseHandshake
	c.timer = c.tm.after(env, c.opt.ConnectTimeout)
}

func (c *core) sendCommand(env wire.Env) {
	c.data.send(env, c.args...)
	c.phase = phaseCommand
	c.timer = c.tm.after(env, c.opt.OpTimeout)
}

func (c *core) onReply(env wire.Env, v wire.Value) {
	switch c.phase {
	case phaseHandshake:
		s := c.setup[0]
		if why := s.check(v); why != "" {
			addr := c.data.addr
			c.emit(env, why+" "+addr.String())
			c.dropData(env, true)
			c.endAttempt(env, history.Fail, "", wire.Error("SETUP "+addr.String()+" "+why+": "+v.String()), true)
			return
		}
		c.setup = c.setup[1:]
		c.nextStep(env)
	case phaseCommand:
		node := env.Name(c.data.node)
		code := v.ErrorCode()
		if !v.IsError() {
			c.endAttempt(env, history.OK, node, v, false)
			return
		}
		for _, rc := range reconnectCodes {
			if code == rc {
				c.emit(env, strings.ToLower(code)+" "+c.data.addr.String())
				c.dropData(env, true)
				c.endAttempt(env, history.Fail, node, v, true)
				return
			}
		}
		c.endAttempt(env, history.Fail, node, v, false)
	}
}

// onClosed handles the server closing the data connection; bounced: the
// awaited command itself came back unread from a dead process's host.
func (c *core) onClosed(env wire.Env, reason string, bounced bool) {
	node, addr := env.Name(c.data.node), c.data.addr
	c.emit(env, "closed "+addr.String()+" "+reason)
	c.dropData(env, false)
	why := wire.Error("CLOSED " + reason)
	switch c.phase {
	case phaseHandshake:
		c.endAttempt(env, history.Fail, "", why, true)
	case phaseCommand:
		if bounced {
			c.endAttempt(env, history.Fail, "", why, true)
			return
		}
		c.endAttempt(env, history.Unknown, node, why, true)
	}
}

// dropData forgets the data connection, hanging up if asked.
func (c *core) dropData(env wire.Env, hangup bool) {
	if c.data != nil && hangup {
		c.data.hangup(env)
	}
	c.data = nil
	c.ready = false
	c.setup = c.setup[:0]
}

// endAttempt records how the attempt ended and retries or moves on.
func (c *core) endAttempt(env wire.Env, o history.Outcome, node string, reply wire.Value, retry bool) {
	if c.opt.Recorder != nil {
		c.opt.Recorder.Complete(c.opID, node, o, reply)
	}
	c.opID = 0
	if retry && c.attempts < c.opt.MaxAttempts {
		c.phase = phaseBackoff
		c.timer = c.tm.after(env, c.backoff())
		return
	}
	if c.ops >= c.opt.Workload.MaxOps {
		c.phase = phaseDone
		c.emit(env, fmt.Sprintf("done %d ops", c.ops))
		return
	}
	c.phase = phaseWait
	next := c.opStart.Add(c.opt.Workload.gap(env))
	c.timer = c.tm.after(env, max(next.Sub(env.Mono()), 0))
}

// backoff is the wait before the next attempt: BackoffMin doubling per
// failed attempt, capped at BackoffMax.
func (c *core) backoff() wire.Duration {
	d := c.opt.BackoffMin
	for i := 1; i < c.attempts && d < c.opt.BackoffMax; i++ {
		d *= 2
	}
	return min(d, c.opt.BackoffMax)
}

// Ops returns how many operations the client started in this incarnation.
func (c *core) Ops() int { return c.ops }

// Done reports whether the client has run its whole workload.
func (c *core) Done() bool { return c.phase == phaseDone }

// Connected returns the address of the data connection the client would use
// for its next command, if it has a ready one.
func (c *core) Connected() (wire.Addr, bool) {
	if c.data == nil || !c.ready {
		return wire.Addr{}, false
	}
	return c.data.addr, true
}

// checkOK passes a +OK reply (AUTH).
func checkOK(v wire.Value) string {
	if v.Kind == wire.KindStatus && v.Str == "OK" {
		return ""
	}
	if code := v.ErrorCode(); code != "" {
		return "auth-" + strings.ToLower(code)
	}
	return "auth-failed"
}

// checkMaster passes a ROLE reply that says master: ["master", offset,
// [replicas]]. Others name the role ("role slave", "role sentinel") or the
// error.
func checkMaster(v wire.Value) string {
	if v.Kind == wire.KindArray && len(v.Array) > 0 && v.Array[0].Kind == wire.KindBulk {
		if v.Array[0].Str == "master" {
			return ""
		}
		return "role " + safeWord(v.Array[0].Str)
	}
	if code := v.ErrorCode(); code != "" {
		return "role " + strings.ToLower(code)
	}
	return "role unknown"
}

// safeWord keeps a word from a reply short and free of spaces for an event.
func safeWord(s string) string {
	if len(s) > 16 {
		s = s[:16]
	}
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r >= 0x7f {
			return '?'
		}
		return r
	}, s)
}
