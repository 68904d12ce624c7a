package client

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Rotation is how a SentinelClient reorders its sentinel list when one
// answers.
type Rotation uint8

const (
	// MoveToFront moves the sentinel that answered to the front and keeps
	// the others in order, as the Redis client guidelines ask.
	MoveToFront Rotation = iota
	// SwapWithFirst swaps it with the first sentinel, as redis-py's
	// Sentinel.discover_master does.
	SwapWithFirst
)

// SentinelConfig configures a SentinelClient. Zero fields take the
// defaults named in their comments.
type SentinelConfig struct {
	Options
	// MasterName is the name the sentinels monitor the master under.
	// Default "mymaster".
	MasterName string
	// Sentinels are the addresses to ask, in the initial order. Required.
	Sentinels []wire.Addr
	// SentinelTimeout bounds the wait for one sentinel's answer (connection
	// included). Default DefaultSentinelTimeout.
	SentinelTimeout wire.Duration
	// SkipRoleCheck turns off the ROLE check of a new master connection
	// (on by default, as the client guidelines ask).
	SkipRoleCheck bool
	// Rotation is how the list is reordered when a sentinel answers.
	Rotation Rotation
}

// Defaults of SentinelConfig.
const (
	DefaultMasterName      = "mymaster"
	DefaultSentinelTimeout = 500 * wire.Millisecond
)

// SentinelClient is an application client that finds the master through
// Redis Sentinel, like redis-py's Sentinel.master_for and the Redis client
// guidelines (https://redis.io/docs/reference/sentinel-clients/):
//
//  1. Ask each sentinel in order `SENTINEL get-master-addr-by-name <name>`
//     (spec §22.2; a [host, port] array of bulk strings, or nil), each
//     within SentinelTimeout; skip one that times out, closes, errs or
//     answers nil.
//  2. Move the first one that gave an address to the front of the list.
//  3. Connect to that address and, unless SkipRoleCheck, check that ROLE
//     says master; if not, drop the connection and retry from step 1 after
//     a backoff.
//  4. Use that connection until a timeout, a closed connection or a
//     READONLY, LOADING or MASTERDOWN error; then drop it and go back to
//     step 1.
//
// It keeps one connection per sentinel and one to the master.
type SentinelClient struct {
	core
	disc discovery
}

var _ locator = (*discovery)(nil)

// NewSentinelClient checks cfg and returns a client ready to boot.
func NewSentinelClient(cfg SentinelConfig) (*SentinelClient, error) {
	opt, err := cfg.Options.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	if len(cfg.Sentinels) == 0 {
		return nil, errors.New("client: a sentinel client needs at least one sentinel address")
	}
	if cfg.MasterName == "" {
		cfg.MasterName = DefaultMasterName
	}
	switch {
	case cfg.SentinelTimeout < 0:
		return nil, errors.New("client: sentinel timeout must not be negative")
	case cfg.SentinelTimeout == 0:
		cfg.SentinelTimeout = DefaultSentinelTimeout
	}
	if cfg.Rotation > SwapWithFirst {
		return nil, fmt.Errorf("client: unknown rotation %d", cfg.Rotation)
	}
	c := &SentinelClient{}
	c.disc = discovery{
		master:    cfg.MasterName,
		timeout:   cfg.SentinelTimeout,
		role:      !cfg.SkipRoleCheck,
		rotation:  cfg.Rotation,
		sentinels: make([]sentinelPeer, len(cfg.Sentinels)),
	}
	for i, a := range cfg.Sentinels {
		c.disc.sentinels[i].addr = a
	}
	c.init(opt, &c.disc)
	return c, nil
}

// Sentinels returns the sentinel addresses in the order the client will ask
// them next.
func (c *SentinelClient) Sentinels() []wire.Addr {
	out := make([]wire.Addr, len(c.disc.sentinels))
	for i, p := range c.disc.sentinels {
		out[i] = p.addr
	}
	return out
}

// sentinelPeer is one sentinel and the client's connection to it.
type sentinelPeer struct {
	addr wire.Addr
	conn *conn
}

// discovery is the SentinelClient's locator.
type discovery struct {
	master    string
	timeout   wire.Duration
	role      bool
	rotation  Rotation
	sentinels []sentinelPeer

	asking bool
	next   int    // index of the sentinel being asked
	timer  uint64 // tag of its timeout
}

func (d *discovery) checkRole() bool { return d.role }

func (d *discovery) locate(c *core, env wire.Env) {
	d.asking = true
	d.next = 0
	d.ask(c, env)
}

// ask sends the question to the next sentinel that resolves, or gives up
// when there is none left.
func (d *discovery) ask(c *core, env wire.Env) {
	for ; d.next < len(d.sentinels); d.next++ {
		p := &d.sentinels[d.next]
		node, ok := c.opt.Directory.Resolve(p.addr)
		if !ok {
			continue
		}
		if p.conn == nil || p.conn.node != node {
			p.conn = c.id.open(node, p.addr)
		}
		p.conn.send(env, "SENTINEL", "get-master-addr-by-name", d.master)
		d.timer = c.tm.after(env, d.timeout)
		return
	}
	d.asking = false
	c.emit(env, "no-master "+d.master)
	c.unlocated(env, wire.Error("NOMASTER no sentinel gave an address for "+d.master))
}

func (d *discovery) receive(c *core, env wire.Env, m *wire.Message) bool {
	var connID wire.ConnID
	switch p := m.Payload.(type) {
	case *wire.Reply:
		connID = p.Conn
	case *wire.Closed:
		connID = p.Conn
	default:
		return false
	}
	i := slices.IndexFunc(d.sentinels, func(p sentinelPeer) bool { return p.conn.is(m.From, connID) })
	if i < 0 {
		return false
	}
	p := &d.sentinels[i]
	current := d.asking && i == d.next
	if _, closed := m.Payload.(*wire.Closed); closed {
		p.conn = nil
		if current {
			d.next++
			d.ask(c, env)
		}
		return true
	}
	v, ok := p.conn.reply(m)
	if !ok || !current {
		return true
	}
	addr, ok := parseMasterAddr(v)
	if !ok {
		d.next++
		d.ask(c, env)
		return true
	}
	d.asking = false
	via := env.Name(p.conn.node)
	d.answered(i)
	c.emit(env, "master "+addr.String()+" via "+via)
	c.located(env, addr)
	return true
}

func (d *discovery) fire(c *core, env wire.Env, tag uint64) bool {
	if tag != d.timer || !d.asking {
		return false
	}
	p := &d.sentinels[d.next]
	c.emit(env, "sentinel-timeout "+env.Name(p.conn.node))
	p.conn.hangup(env)
	p.conn = nil
	d.next++
	d.ask(c, env)
	return true
}

// answered reorders the list after sentinel i gave an address.
func (d *discovery) answered(i int) {
	if i == 0 {
		return
	}
	s := d.sentinels
	if d.rotation == SwapWithFirst {
		s[0], s[i] = s[i], s[0]
		return
	}
	p := s[i]
	copy(s[1:i+1], s[:i])
	s[0] = p
}

// parseMasterAddr reads a get-master-addr-by-name reply: two bulk strings,
// a host and a port (spec §22.2). Nil (no such master) and anything else
// are not an address.
func parseMasterAddr(v wire.Value) (wire.Addr, bool) {
	if v.Kind != wire.KindArray || len(v.Array) != 2 {
		return wire.Addr{}, false
	}
	h, p := v.Array[0], v.Array[1]
	if h.Kind != wire.KindBulk || h.Str == "" || p.Kind != wire.KindBulk {
		return wire.Addr{}, false
	}
	port, err := strconv.Atoi(p.Str)
	if err != nil || port <= 0 || port > 65535 {
		return wire.Addr{}, false
	}
	return wire.Addr{Host: h.Str, Port: port}, true
}
