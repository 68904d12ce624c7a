package sentinel

import (
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/acl"
	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// clientKey names a connection to this sentinel.
type clientKey struct {
	node wire.NodeID
	id   wire.ConnID
}

// client is a connection to this sentinel.
type client struct {
	user            *acl.User // the user it runs as (acl.go)
	authed          bool
	closeAfterReply bool // CLIENT KILL of itself
	lastSeq         uint64
	channels        []string // SUBSCRIBE: event types (pubsub.go)
	patterns        []string // PSUBSCRIBE
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
	if s.dead {
		return // exited while running it (SIMULATE-FAILURE)
	}
	s.env.Send(from, &wire.Reply{Conn: c.Conn, Seq: c.Seq, Value: values[0]})
	for _, v := range values[1:] {
		s.env.Send(from, &wire.Push{Conn: c.Conn, Value: v})
	}
	if cl.closeAfterReply && s.clients[k] == cl {
		delete(s.clients, k)
		s.env.Send(from, &wire.Closed{Conn: c.Conn, Reason: "killed"})
	}
}

// commandArity is the arity of the top-level commands served here, as in
// 7.0.15's sentinel command table (negative: at least that many).
var commandArity = map[string]int{
	"acl": -2, "auth": -2, "client": -2, "info": -1, "ping": -1, "psubscribe": -2, "publish": 3,
	"punsubscribe": -1, "role": 1, "sentinel": -2, "subscribe": -2, "unsubscribe": -1,
}

// checkCommand is processCommand's lookup: an unknown command or
// subcommand, or a wrong number of arguments, is refused with Redis's text.
// It returns the command's full name ("sentinel|set").
func checkCommand(args []string) (string, *wire.Value) {
	fail := func(msg string) (string, *wire.Value) {
		v := wire.Error("ERR " + strings.NewReplacer("\r", " ", "\n", " ").Replace(msg))
		return "", &v
	}
	name := strings.ToLower(args[0])
	arity, ok := commandArity[name]
	if !ok {
		var b strings.Builder
		for _, a := range args[1:] {
			if b.Len() >= 128 {
				break
			}
			b.WriteString("'" + trunc(a, 128-b.Len()) + "' ")
		}
		return fail("unknown command '" + trunc(args[0], 128) + "', with args beginning with: " + b.String())
	}
	if name == "sentinel" && len(args) >= 2 {
		sub := strings.ToLower(args[1])
		arity, ok := sentinelArity[sub]
		if !ok {
			return fail("unknown subcommand '" + trunc(args[1], 128) + "'. Try SENTINEL HELP.")
		}
		name += "|" + sub
		if !arityOK(arity, len(args)) {
			return fail("wrong number of arguments for '" + name + "' command")
		}
	}
	if !arityOK(arity, len(args)) {
		return fail("wrong number of arguments for '" + name + "' command")
	}
	return name, nil
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
	fullname, errv := checkCommand(args)
	if errv != nil {
		return []wire.Value{*errv}
	}
	if errv := s.aclCheck(cl, fullname, args); errv != nil {
		return []wire.Value{*errv}
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
		switch {
		case name == "AUTH":
			return []wire.Value{s.authCommand(cl, args)}
		case name == "ACL":
			return []wire.Value{s.aclCommand(k, cl, args)}
		case name == "CLIENT" && upper(args[1]) == "KILL":
			return []wire.Value{s.clientKill(k, args)}
		}
	}
	return []wire.Value{s.command(args)}
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
	case "AUTH", "CLIENT":
		return wire.OK()
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

func (s *Sentinel) master(name string) *instance {
	for _, m := range s.masters {
		if m.name == name {
			return m
		}
	}
	return nil
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
