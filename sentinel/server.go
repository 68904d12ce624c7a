package sentinel

import (
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// clientKey names a connection to this sentinel.
type clientKey struct {
	node wire.NodeID
	id   wire.ConnID
}

// client is a connection to this sentinel.
type client struct {
	lastSeq uint64
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
		cl = &client{}
		s.clients[k] = cl
	case c.Seq <= cl.lastSeq:
		return // a duplicated delivery
	}
	cl.lastSeq = c.Seq
	s.env.Send(from, &wire.Reply{Conn: c.Conn, Seq: c.Seq, Value: s.command(c.Args)})
}

// command runs one command (spec §22).
func (s *Sentinel) command(args []string) wire.Value {
	if len(args) == 0 {
		return wire.Error("ERR empty command")
	}
	switch name := upper(args[0]); name {
	case "PING":
		return wire.Status("PONG")
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
		a := m.currentAddr()
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
	return wire.Error("ERR Unknown sentinel subcommand '" + args[1] + "'")
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
		if sameAddr(x.addr, wire.Addr{Host: host, Port: port}) {
			m = x
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
