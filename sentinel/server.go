package sentinel

import (
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/acl"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sentinel/conf"
)

// clientKey names a connection to this sentinel.
type clientKey struct {
	node wire.NodeID
	id   wire.ConnID
}

// client is a connection to this sentinel.
type client struct {
	lastSeq  uint64
	channels []string // SUBSCRIBE: event types (pubsub.go)
	patterns []string // PSUBSCRIBE

	id            uint64 // CLIENT ID: numbered from 1 in connection order
	name          string // CLIENT SETNAME
	user          string // the ACL user (acl.go)
	authenticated bool
	closeAfter    bool // CLIENT KILL killed the client's own connection
}

// newClient is a new connection: the default user, authenticated if that
// user has no password and is on (as createClient does).
func (s *Sentinel) newClient() *client {
	s.cmd.lastClientID++
	if s.users == nil { // a Sentinel built without Boot, in tests
		s.users = newUsers(conf.New())
	}
	d := s.users.Default()
	return &client{id: s.cmd.lastClientID, user: "default", authenticated: d.NoPass && d.On}
}

// maxClients bounds the connections a sentinel keeps.
const maxClients = 10_000

// serve answers a command sent to this sentinel.
func (s *Sentinel) serve(from wire.NodeID, c *wire.Command) {
	k := clientKey{from, c.Conn}
	cl := s.clients[k]
	switch {
	case cl == nil && !c.Open:
		s.env.Send(from, &wire.Closed{Conn: c.Conn, Reason: "unknown connection"})
		return
	case cl == nil:
		if len(s.clients) >= maxClients {
			s.env.Send(from, &wire.Closed{Conn: c.Conn, Reason: "max clients"})
			return
		}
		cl = s.newClient()
		s.clients[k] = cl
	case c.Open && c.Seq == 1 && cl.lastSeq != 1:
		// A new connection under an id we know: its peer restarted and
		// numbers connections from 1 again (the old one never hung up).
		cl = s.newClient()
		s.clients[k] = cl
	case c.Seq <= cl.lastSeq:
		return // a duplicated delivery
	}
	cl.lastSeq = c.Seq
	// A command may answer more than once (SUBSCRIBE a b): the first
	// value is the reply, the others follow as pushes.
	values := s.clientCommand(k, cl, c.Args)
	if len(c.Args) == 0 || !quietCommand(c.Args[0]) {
		// A command may change any record (SENTINEL SET, RESET, a vote):
		// the next tick visits every group. A hello (PUBLISH) wakes what
		// it changes itself (onParsedHello).
		s.wakeAll()
	}
	if s.dead {
		return // exited while running it (SIMULATE-FAILURE)
	}
	r := s.replies.New()
	*r = wire.Reply{Conn: c.Conn, Seq: c.Seq, Value: values[0]}
	s.env.Send(from, r)
	for _, v := range values[1:] {
		s.env.Send(from, &wire.Push{Conn: c.Conn, Value: v})
	}
	if cl.closeAfter { // CLIENT KILL … SKIPME no: after the reply
		delete(s.clients, k)
		s.env.Send(from, &wire.Closed{Conn: c.Conn, Reason: "killed"})
	}
}

// quietCommand reports whether a command changes nothing a tick reads
// without waking the groups it changes: PING, and PUBLISH (a peer's hello).
func quietCommand(name string) bool {
	switch upper(name) { // (no copy when already upper case, as sentinels send them)
	case "PING", "PUBLISH":
		return true
	}
	return false
}

// checkCommand is processCommand's lookup (spec §22.1): an unknown command
// or subcommand, or a wrong number of arguments, is refused with Redis's
// text. It returns the command or subcommand.
func checkCommand(args []string) (*cmdSpec, *wire.Value) {
	fail := func(msg string) (*cmdSpec, *wire.Value) {
		v := wire.Error("ERR " + strings.NewReplacer("\r", " ", "\n", " ").Replace(msg))
		return nil, &v
	}
	c, subUnknown := lookupCommand(args)
	switch {
	case c == nil:
		var b strings.Builder
		for _, a := range args[1:] {
			if b.Len() >= 128 {
				break
			}
			b.WriteString("'" + trunc(a, 128-b.Len()) + "' ")
		}
		return fail("unknown command '" + trunc(args[0], 128) + "', with args beginning with: " + b.String())
	case subUnknown:
		return fail("unknown subcommand '" + trunc(args[1], 128) + "'. Try " + upper(args[0]) + " HELP.")
	case !arityOK(c.arity, len(args)):
		return fail("wrong number of arguments for '" + c.name + "' command")
	}
	return c, nil
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// clientCommand runs a command from a client connection: the checks, the
// pub/sub commands and context (RESP2: a subscribed connection may only
// (un)subscribe and PING), then command.
func (s *Sentinel) clientCommand(k clientKey, cl *client, args []string) []wire.Value {
	if len(args) == 0 {
		return []wire.Value{wire.Error("ERR empty command")}
	}
	spec, errv := checkCommand(args)
	if errv != nil {
		return []wire.Value{*errv}
	}
	fullname := spec.name
	// processCommand's order: authentication, then ACL permissions, then
	// the pub/sub context (spec §22.1; texts from redis-sentinel 7.0.15).
	if s.authRequired(cl) && !spec.noAuth {
		return []wire.Value{wire.Error("NOAUTH Authentication required.")}
	}
	if u := s.users.Lookup(cl.user); u == nil || !canRun(u, spec, args) {
		return []wire.Value{wire.Error("NOPERM this user has no permissions to run the '" + fullname + "' command")}
	} else if !channelsAllowed(u, args) {
		return []wire.Value{wire.Error("NOPERM this user has no permissions to access one of the channels used as arguments")}
	}
	switch name := upper(args[0]); name {
	case "SUBSCRIBE", "PSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE":
		return s.pubsubCommand(k, cl, name, args[1:])
	case "PING":
		if cl.subscribed() {
			msg := ""
			if len(args) > 1 {
				msg = args[1]
			}
			return []wire.Value{wire.BulkArray("pong", msg)}
		}
	default:
		if cl.subscribed() {
			return []wire.Value{wire.Error("ERR Can't execute '" + fullname +
				"': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")}
		}
	}
	switch upper(args[0]) {
	case "AUTH":
		return []wire.Value{s.authCommand(cl, args)}
	case "HELLO":
		return []wire.Value{s.helloCommand(cl, args)}
	case "ACL":
		return []wire.Value{s.aclCommand(k, cl, args)}
	case "CLIENT":
		return []wire.Value{s.clientCmd(k, cl, args)}
	case "COMMAND":
		return []wire.Value{s.commandCommand(args)}
	case "SHUTDOWN":
		return []wire.Value{s.shutdownCommand(args)}
	}
	// The usual answer, one value, in a slice kept for it: serve sends it
	// at once (a sentinel answers every peer's hello for every master).
	s.oneValue[0] = s.command(args)
	return s.oneValue[:]
}

// channelsAllowed is the channel part of the ACL check: PUBLISH's channel,
// SUBSCRIBE's channels, PSUBSCRIBE's patterns.
func channelsAllowed(u *acl.User, args []string) bool {
	var chans []string
	pattern := false
	switch upper(args[0]) {
	case "PUBLISH":
		chans = args[1:2]
	case "SUBSCRIBE":
		chans = args[1:]
	case "PSUBSCRIBE":
		chans, pattern = args[1:], true
	}
	for _, ch := range chans {
		if !u.CanChannel(ch, pattern) {
			return false
		}
	}
	return true
}

// command runs one command (spec §22).
func (s *Sentinel) command(args []string) wire.Value {
	if len(args) == 0 {
		return wire.Error("ERR empty command")
	}
	switch name := upper(args[0]); name {
	case "PING":
		if len(args) > 1 {
			return wire.Bulk(args[1])
		}
		return wire.Status("PONG")
	case "INFO":
		return s.infoCommand(args)
	case "PUBLISH":
		if len(args) != 3 {
			return wire.Error("ERR wrong number of arguments for 'publish' command")
		}
		if args[1] != helloChannel {
			return wire.Error("ERR Only HELLO messages are accepted by Sentinel instances.")
		}
		s.onHello(args[2])
		return wire.Int(1)
	case "ROLE":
		names := make([]wire.Value, len(s.masters))
		for i, m := range s.masters {
			names[i] = wire.Bulk(m.name)
		}
		return wire.Array(wire.Bulk("sentinel"), wire.Array(names...))
	case "SENTINEL":
		if len(args) < 2 {
			return wire.Error("ERR wrong number of arguments for 'sentinel' command")
		}
		return s.sentinelCommand(args)
	default:
		return wire.Error("ERR unknown command '" + args[0] + "', with args beginning with: ")
	}
}

func (s *Sentinel) sentinelCommand(args []string) wire.Value {
	switch sub := strings.ToLower(args[1]); {
	case sub == "myid" && len(args) == 2:
		return wire.Bulk(s.myID)
	case sub == "get-master-addr-by-name" && len(args) == 3:
		m := s.master(args[2])
		if m == nil {
			return wire.Value{Kind: wire.KindNil}
		}
		a := s.announced(m.currentAddr())
		return wire.BulkArray(a.Host, strconv.Itoa(a.Port))
	case sub == "is-master-down-by-addr" && len(args) == 6:
		return s.isMasterDownByAddr(args[2], args[3], args[4], args[5])
	case sub == "masters" && len(args) == 2:
		return s.instanceMaps(s.masters, nil)
	case (sub == "master" || sub == "replicas" || sub == "slaves" || sub == "sentinels") && len(args) == 3:
		m := s.master(args[2])
		if m == nil {
			return wire.Error("ERR No such master with that name")
		}
		switch sub {
		case "master":
			return s.instanceMap(m)
		case "sentinels":
			return s.instanceMaps(m.sentinels, nil)
		}
		// Hidden replicas (replica-announced no) are not listed (spec §22.2).
		return s.instanceMaps(m.replicas, func(r *instance) bool { return !r.replicaAnnounced })
	}
	return s.sentinelMore(args)
}

// master finds a monitored master by name (case-sensitive, as Redis's
// masters dictionary).
func (s *Sentinel) master(name string) *instance { return s.byName[name] }

// setMasters replaces the list of masters and the index by name.
func (s *Sentinel) setMasters(ms []*instance) {
	s.masters = ms
	s.mastersGen++
	s.addrGen++
	s.peersGen++
	s.byName = make(map[string]*instance, len(ms))
	for i, m := range ms {
		s.byName[m.name] = m
		m.slot = i
	}
	s.quiet = make([]quietSlot, len(ms))
	s.wakeAll()
}

// isMasterDownByAddr is spec §9.2.
func (s *Sentinel) isMasterDownByAddr(host, portText, epochText, runID string) wire.Value {
	port, err1 := strconv.Atoi(portText)
	epoch, err2 := strconv.ParseUint(epochText, 10, 64)
	if err1 != nil || err2 != nil {
		return wire.Error("ERR value is not an integer or out of range")
	}
	var m *instance
	for _, x := range s.masters {
		if s.sameHost(x.addr, wire.Addr{Host: host, Port: port}) {
			m = x
			break
		}
	}
	down := int64(0)
	if m != nil && m.has(fSDown) && !s.tilt {
		down = 1
	}
	leader, leaderEpoch := "*", uint64(0)
	if m != nil && runID != "*" {
		leader, leaderEpoch = s.vote(m, epoch, runID)
		if leader == "" {
			leader = "*"
		}
	}
	return wire.Array(wire.Int(down), wire.Bulk(leader), wire.Int(int64(leaderEpoch)))
}
