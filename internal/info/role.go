package info

import (
	"fmt"
	"strconv"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Replication link states of a replica as ROLE names them (replication.c,
// roleCommand). A replica whose link is up is "connected"; "handshake" is
// PING/AUTH/REPLCONF/PSYNC in progress, "sync" the RDB transfer.
const (
	LinkNone       = "none"
	LinkConnect    = "connect"
	LinkConnecting = "connecting"
	LinkHandshake  = "handshake"
	LinkSync       = "sync"
	LinkConnected  = "connected"
)

// RoleSentinel is the first element of a sentinel's ROLE reply.
const RoleSentinel = "sentinel"

// RoleReplica is one replica of a master's ROLE reply.
type RoleReplica struct {
	IP     string
	Port   int
	Offset int64
}

// RoleReply is a decoded ROLE reply.
type RoleReply struct {
	Role string // "master", "slave" or "sentinel"
	// Offset is, for a master, master_repl_offset; for a replica, the
	// offset processed from its master, or -1 when it has no master link
	// (any state but connected).
	Offset int64
	// Replicas are a master's replicas in state online, in slaveN order.
	Replicas []RoleReplica
	// MasterHost, MasterPort and State are a replica's.
	MasterHost string
	MasterPort int
	State      string // LinkConnect … LinkConnected
	// MasterNames are a sentinel's monitored masters (spec §22.5).
	MasterNames []string
}

// RoleOf is the ROLE reply of a data node with INFO i. For a replica
// (Role "slave"), replicaState is its link state; "" derives it from i:
// connected if the link is up, sync while a sync is in progress, else
// connect. Any other Role gives a master's reply, which lists only the
// Slaves in state online, as Redis does.
func RoleOf(i Info, replicaState string) RoleReply {
	if i.Role == RoleSlave {
		if replicaState == "" {
			switch {
			case i.MasterLinkUp:
				replicaState = LinkConnected
			case i.MasterSyncInProgress:
				replicaState = LinkSync
			default:
				replicaState = LinkConnect
			}
		}
		off := int64(-1) // server.master ? server.master->reploff : -1
		if replicaState == LinkConnected {
			off = i.SlaveReplOffset
		}
		return RoleReply{Role: RoleSlave, MasterHost: i.MasterHost, MasterPort: i.MasterPort, State: replicaState, Offset: off}
	}
	r := RoleReply{Role: RoleMaster, Offset: i.MasterReplOffset}
	for _, s := range i.Slaves {
		if s.State == StateOnline {
			r.Replicas = append(r.Replicas, RoleReplica{IP: s.IP, Port: s.Port, Offset: s.Offset})
		}
	}
	return r
}

// Value is r as Redis 7.0.15 sends it:
// master: ["master", :offset, [["ip", "port", "offset"], ...]] (replica
// port and offset are bulk strings); replica: ["slave", "host", :port,
// "state", :offset]; sentinel: ["sentinel", ["name", ...]].
func (r RoleReply) Value() wire.Value {
	switch r.Role {
	case RoleSlave:
		return wire.Array(wire.Bulk(RoleSlave), wire.Bulk(r.MasterHost), wire.Int(int64(r.MasterPort)),
			wire.Bulk(r.State), wire.Int(r.Offset))
	case RoleSentinel:
		return wire.Array(wire.Bulk(RoleSentinel), wire.BulkArray(r.MasterNames...))
	}
	var reps []wire.Value
	for _, s := range r.Replicas {
		reps = append(reps, wire.BulkArray(s.IP, strconv.Itoa(s.Port), strconv.FormatInt(s.Offset, 10)))
	}
	return wire.Array(wire.Bulk(RoleMaster), wire.Int(r.Offset), wire.Array(reps...))
}

// Role returns the ROLE reply of a data node: RoleOf(i, replicaState).Value().
func Role(i Info, replicaState string) wire.Value {
	return RoleOf(i, replicaState).Value()
}

// ParseRole reads a ROLE reply back. It accepts exactly the shapes Value
// produces (strings as bulk or status), and reports an error reply or any
// other shape as an error. Empty lists read as nil.
func ParseRole(v wire.Value) (RoleReply, error) {
	var r RoleReply
	if v.Kind == wire.KindError {
		return r, fmt.Errorf("info: ROLE error reply: %s", v.Str)
	}
	if v.Kind != wire.KindArray || len(v.Array) == 0 {
		return r, fmt.Errorf("info: ROLE reply is not a non-empty array: %s", v)
	}
	a := v.Array
	role, ok := str(a[0])
	if !ok {
		return r, fmt.Errorf("info: ROLE reply does not start with a string: %s", v)
	}
	r.Role = role
	switch role {
	case RoleMaster:
		if len(a) != 3 || a[1].Kind != wire.KindInt || a[2].Kind != wire.KindArray {
			return RoleReply{}, fmt.Errorf("info: master ROLE reply is not [master, int, array]: %s", v)
		}
		r.Offset = a[1].Int
		for _, e := range a[2].Array {
			if e.Kind != wire.KindArray || len(e.Array) != 3 {
				return RoleReply{}, fmt.Errorf("info: master ROLE replica is not [ip, port, offset]: %s", e)
			}
			ip, ok1 := str(e.Array[0])
			port, ok2 := str(e.Array[1])
			off, ok3 := str(e.Array[2])
			p, err1 := strconv.Atoi(port)
			o, err2 := strconv.ParseInt(off, 10, 64)
			if !ok1 || !ok2 || !ok3 || err1 != nil || err2 != nil {
				return RoleReply{}, fmt.Errorf("info: master ROLE replica is not [ip, port, offset]: %s", e)
			}
			r.Replicas = append(r.Replicas, RoleReplica{IP: ip, Port: p, Offset: o})
		}
	case RoleSlave:
		host, ok1 := strAt(a, 1)
		state, ok2 := strAt(a, 3)
		if len(a) != 5 || !ok1 || !ok2 || a[2].Kind != wire.KindInt || a[4].Kind != wire.KindInt {
			return RoleReply{}, fmt.Errorf("info: replica ROLE reply is not [slave, host, int, state, int]: %s", v)
		}
		r.MasterHost, r.MasterPort, r.State, r.Offset = host, int(a[2].Int), state, a[4].Int
	case RoleSentinel:
		if len(a) != 2 || a[1].Kind != wire.KindArray {
			return RoleReply{}, fmt.Errorf("info: sentinel ROLE reply is not [sentinel, array]: %s", v)
		}
		for _, e := range a[1].Array {
			name, ok := str(e)
			if !ok {
				return RoleReply{}, fmt.Errorf("info: sentinel ROLE master name is not a string: %s", e)
			}
			r.MasterNames = append(r.MasterNames, name)
		}
	default:
		return RoleReply{}, fmt.Errorf("info: unknown role %q in ROLE reply", role)
	}
	return r, nil
}

func str(v wire.Value) (string, bool) {
	if v.Kind == wire.KindBulk || v.Kind == wire.KindStatus {
		return v.Str, true
	}
	return "", false
}

func strAt(a []wire.Value, k int) (string, bool) {
	if k >= len(a) {
		return "", false
	}
	return str(a[k])
}
