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
		RedisVersion:        "7.0.15",
		RunID:               n.runID,
		TCPPort:             n.cfg.Addr.Port,
		UptimeSeconds:       int64(now.Sub(n.startMs) / wire.Second),
		Loading:             n.loading(env),
		Role:                "master",
		ConnectedSlaves:     len(r.replicas),
		MasterFailoverState: "no-failover",
		MasterReplID:        r.id,
		MasterReplID2:       r.id2,
		MasterReplOffset:    r.offset,
		SecondReplOffset:    -1,
		ReplBacklogActive:   r.active,
		ReplBacklogSize:     n.cfg.BacklogSize,
	}
	if r.active {
		i.ReplBacklogFirstByteOffset, i.ReplBacklogHistlen = r.backlogStart+1, r.backlogBytes
	}
	if r.id2 != zeroID {
		i.SecondReplOffset = r.switchOffset + 1
	}
	if n.cfg.MinReplicasToWrite > 0 && n.cfg.MinReplicasMaxLag > 0 {
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
		// A replica with no history to continue (no cached master) shows 1.
		i.SlaveReadReplOffset, i.SlaveReplOffset = 1, 1
		if r.cached || i.MasterLinkUp {
			i.SlaveReadReplOffset, i.SlaveReplOffset = r.offset, r.offset
		}
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
	conn   *conn
	seq    uint64
	offset int64
	want   int64
}

// acked counts the replicas that acknowledged offset.
func (n *Node) acked(offset int64) int {
	count := 0
	for _, rl := range n.repl.replicas {
		if rl.ack >= offset {
			count++
		}
	}
	return count
}

// maxWaitTimer bounds a WAIT's timer (the timeout itself is any int64).
const maxWaitTimer = 1 << 40

// waitCommand implements WAIT numreplicas timeout: it blocks the client
// until that many replicas acknowledged its last write, or the timeout (0:
// none). Inside EXEC it does not block.
func (n *Node) waitCommand(env wire.Env, cn *conn, seq uint64, args []string, inExec bool) (wire.Value, bool) {
	if n.isReplica() {
		return wire.Error("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated."), true
	}
	want, ok := string2ll(args[1])
	if !ok {
		return wire.Error(errNotInteger), true
	}
	timeout, ok := string2ll(args[2])
	switch {
	case !ok:
		return wire.Error("ERR timeout is not an integer or out of range"), true
	case timeout < 0:
		return wire.Error("ERR timeout is negative"), true
	}
	have := n.acked(cn.woff)
	if int64(have) >= want || inExec {
		return wire.Int(int64(have)), true
	}
	n.waitID++
	w := &wait{id: n.waitID, conn: cn, seq: seq, offset: cn.woff, want: want}
	n.waits = append(n.waits, w)
	cn.blocked = true
	for _, rl := range n.repl.replicas {
		env.Send(rl.node, &replGetAck{Link: rl.link})
	}
	if timeout > 0 {
		env.After(wire.Duration(min(timeout, maxWaitTimer)), tagWait|w.id)
	}
	return wire.Value{}, false
}

// checkWaits answers the WAITs that enough replicas acknowledged.
func (n *Node) checkWaits(env wire.Env) {
	var ready []*wait
	kept := n.waits[:0]
	for _, w := range n.waits {
		if int64(n.acked(w.offset)) >= w.want {
			ready = append(ready, w)
			continue
		}
		kept = append(kept, w)
	}
	n.waits = kept
	for _, w := range ready {
		n.answerWait(env, w)
	}
}

func (n *Node) expireWait(env wire.Env, id uint64) {
	for i, w := range n.waits {
		if w.id == id {
			n.waits = append(n.waits[:i], n.waits[i+1:]...)
			n.answerWait(env, w)
			return
		}
	}
}

// answerWait replies to a WAIT with the count so far and releases its
// client.
func (n *Node) answerWait(env wire.Env, w *wait) {
	if !n.alive(w.conn) {
		return
	}
	n.reply(env, w.conn, w.seq, wire.Int(int64(n.acked(w.offset))))
	n.release(env, w.conn)
}

// unblockWaits is disconnectAllBlockedClients: on becoming a replica,
// every client blocked in WAIT gets -UNBLOCKED and is disconnected after
// that reply.
func (n *Node) unblockWaits(env wire.Env) {
	ws := n.waits
	n.waits = nil
	for _, w := range ws {
		if n.alive(w.conn) {
			w.conn.held, w.conn.closeAfterReply = nil, "unblocked"
			n.reply(env, w.conn, w.seq, wire.Error(errUnblocked))
		}
	}
}

// pingError is what the PING that starts a replica's handshake gets from
// processCommand's checks, or "".
func (n *Node) pingError(env wire.Env) string {
	return n.check(env, &conn{authed: true}, "PING", "ping", []string{"PING"}, nodeCommands["PING"].flags)
}
