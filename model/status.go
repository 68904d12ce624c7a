package model

import (
	"github.com/sentinelsim/sentinelsim/internal/info"
	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// info gathers what INFO and ROLE report (spec §26.2).
func (n *Node) info(env wire.Env) info.Info {
	now, mono := env.Now(), env.Mono()
	r := &n.repl
	i := info.Info{
		RedisVersion:               "7.0.15",
		RunID:                      n.runID,
		TCPPort:                    n.cfg.Addr.Port,
		UptimeSeconds:              int64(now.Sub(n.startMs) / wire.Second),
		Loading:                    n.loading(env),
		Role:                       "master",
		ConnectedSlaves:            len(r.replicas),
		MasterFailoverState:        "no-failover",
		MasterReplID:               r.id,
		MasterReplID2:              r.id2,
		MasterReplOffset:           r.offset,
		SecondReplOffset:           -1,
		ReplBacklogActive:          true,
		ReplBacklogSize:            n.cfg.BacklogSize,
		ReplBacklogFirstByteOffset: r.backlogStart + 1,
		ReplBacklogHistlen:         r.backlogBytes,
	}
	if r.id2 != zeroID {
		i.SecondReplOffset = r.switchOffset + 1
	}
	if n.cfg.MinReplicasToWrite > 0 {
		i.MinSlavesEnabled = true
		i.MinSlavesGoodSlaves = n.goodReplicas(env)
	}
	for _, rl := range r.replicas {
		i.Slaves = append(i.Slaves, info.Replica{
			IP: rl.addr.Host, Port: rl.addr.Port, State: "online",
			Offset: rl.ack, Lag: int64(mono.Sub(rl.lastAck) / wire.Second),
		})
	}
	if m := r.master; m != nil {
		i.Role = "slave"
		i.MasterHost, i.MasterPort = m.addr.Host, m.addr.Port
		i.MasterLinkUp = m.state == "connected"
		i.MasterSyncInProgress = m.state == "connecting"
		i.SlaveReadReplOffset, i.SlaveReplOffset = r.offset, r.offset
		if i.MasterLinkUp {
			i.MasterLastIOSecondsAgo = int64(mono.Sub(m.lastIO) / wire.Second)
		} else {
			i.MasterLastIOSecondsAgo = -1
			i.MasterLinkDownSinceSeconds = -1
			if m.downSince != 0 {
				i.MasterLinkDownSinceSeconds = int64(now.Sub(m.downSince) / wire.Second)
			}
		}
		i.SlavePriority = n.cfg.ReplicaPriority
		i.SlaveReadOnly = n.cfg.ReplicaReadOnly
		i.ReplicaAnnounced = n.cfg.ReplicaAnnounced
	}
	return i
}

// wait is a client blocked in WAIT.
type wait struct {
	id     uint64
	conn   connKey
	seq    uint64
	offset int64
	want   int
}

func (n *Node) acked(offset int64) int {
	count := 0
	for _, rl := range n.repl.replicas {
		if rl.ack >= offset {
			count++
		}
	}
	return count
}

// waitCommand implements WAIT numreplicas timeout: it blocks until that many
// replicas acknowledged everything written so far, or the timeout.
func (n *Node) waitCommand(env wire.Env, cn *conn, seq uint64, args []string, inExec bool) (wire.Value, bool) {
	if n.isReplica() {
		return wire.Error("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated."), true
	}
	want, err1 := atoi(args[1])
	timeout, err2 := atoi(args[2])
	if err1 || err2 || timeout < 0 {
		return wire.Error("ERR timeout is not an integer or out of range"), true
	}
	have := n.acked(n.repl.offset)
	if have >= want || inExec {
		return wire.Int(int64(have)), true
	}
	n.waitID++
	w := &wait{id: n.waitID, conn: cn.key, seq: seq, offset: n.repl.offset, want: want}
	n.waits = append(n.waits, w)
	for _, rl := range n.repl.replicas {
		env.Send(rl.node, &replGetAck{Link: rl.link})
	}
	if timeout > 0 {
		env.After(wire.Duration(timeout), tagWait|w.id)
	}
	return wire.Value{}, false
}

// checkWaits answers the WAITs that enough replicas acknowledged.
func (n *Node) checkWaits(env wire.Env) {
	kept := n.waits[:0]
	for _, w := range n.waits {
		if have := n.acked(w.offset); have >= w.want {
			n.answerWait(env, w, have)
			continue
		}
		kept = append(kept, w)
	}
	n.waits = kept
}

func (n *Node) expireWait(env wire.Env, id uint64) {
	for i, w := range n.waits {
		if w.id == id {
			n.waits = append(n.waits[:i], n.waits[i+1:]...)
			n.answerWait(env, w, n.acked(w.offset))
			return
		}
	}
}

func (n *Node) answerWait(env wire.Env, w *wait, have int) {
	if _, open := n.conns[w.conn]; open {
		env.Send(w.conn.node, &wire.Reply{Conn: w.conn.id, Seq: w.seq, Value: wire.Int(int64(have))})
	}
}

// atoi parses a decimal integer; bad reports failure.
func atoi(s string) (v int, bad bool) {
	if s == "" {
		return 0, true
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	for _, c := range s {
		if c < '0' || c > '9' || v > 1<<40 {
			return 0, true
		}
		v = v*10 + int(c-'0')
	}
	if neg {
		v = -v
	}
	return v, false
}
