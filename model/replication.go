package model

import (
	"slices"

	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/model/keyspace"
)

// Replication follows Redis 7.0 (replication.c): every node has a
// replication history — an id, a second id with the offset up to which it is
// valid, and an offset counting the bytes of the command stream — plus a
// bounded backlog of the latest stream. A replica asks its master for a
// partial resync from its own id and offset (PSYNC); the master accepts when
// it knows that history (its id, or its previous id up to the switch offset)
// and its backlog still holds the missing bytes, and otherwise sends a full
// snapshot, which replaces the replica's dataset. That is where writes
// accepted by an isolated old master are lost: when it rejoins as a replica
// its history has bytes the new master never had, so it gets a full resync.

// entry is one command of the replication stream, ending at offset end.
type entry struct {
	end  int64
	args []string
}

// respLen is the size of a command in the replication stream: its RESP
// encoding, which is what Redis's offsets count.
func respLen(args []string) int64 {
	n := int64(len(strconv.Itoa(len(args)))) + 3 // *N\r\n
	for _, a := range args {
		n += int64(len(strconv.Itoa(len(a)))) + 3 + int64(len(a)) + 2 // $len\r\n a \r\n
	}
	return n
}

// masterLink is a replica's link to its master.
type masterLink struct {
	addr      wire.Addr
	node      wire.NodeID // wire.None when the address does not resolve
	state     string      // connect, connecting, connected
	link      uint64      // id of the current attempt or connection
	since     wire.Time   // mono: when the attempt started
	lastIO    wire.Time   // mono: last data from the master
	downSince wire.Time   // wall: when the link went down; 0: never up since REPLICAOF
}

// replicaLink is a master's view of one replica.
type replicaLink struct {
	node    wire.NodeID
	link    uint64
	addr    wire.Addr // as announced
	ack     int64
	lastAck wire.Time // mono
	stalled bool      // the previous ACK was already behind and did not move
	user    string    // the ACL user it authenticated as (CLIENT KILL USER)
}

type replication struct {
	id, id2      string
	switchOffset int64 // id2 is valid for offsets up to this
	offset       int64
	backlog      []entry
	backlogStart int64 // the offset before the first backlog entry
	backlogBytes int64
	// active: the node has a backlog (repl_backlog != NULL). A master gets
	// one with its first replica (under a new id), or at boot from an RDB
	// file that records a history; a replica with its first sync. Until
	// then a master records nothing and its offset stays where it was
	// (replicationFeedSlaves), as redis-server 7.0.15 shows:
	// master_repl_offset:0 and repl_backlog_active:0 after writes.
	active bool

	master   *masterLink // nil: this node is a master
	replicas []*replicaLink
	lastPing wire.Time // mono
	// cached: a replica that has a history to continue (Redis's cached
	// master: it was a master, it had a link, or its RDB file recorded
	// one) asks for a partial resync; otherwise it sends PSYNC ? -1, and
	// INFO shows offset 1.
	cached bool
}

func newReplication(env wire.Env) replication {
	return replication{id: randomID(env), id2: zeroID}
}

const zeroID = "0000000000000000000000000000000000000000"

// restore takes the history an RDB file recorded (loadDataFromDisk). A
// replica continues it; a master starts a new history that continues it,
// with the file's id as its second id, valid up to the file's offset, so
// replicas that are exactly there can partially resync and replicas that
// went further (writes after the snapshot, lost with the crash) cannot.
func (r *replication) restore(id string, offset int64, asReplica bool) {
	if id == "" {
		return
	}
	if asReplica {
		r.id, r.cached = id, true
	} else {
		// loadDataFromDisk keeps the backlog it created for a master
		// only when the file has a history to continue.
		r.id2, r.switchOffset, r.active = id, offset, true
	}
	r.offset, r.backlogStart = offset, offset
}

func (r *replication) linkUp() bool { return r.master != nil && r.master.state == "connected" }

// roleState is the replica state ROLE reports.
func (r *replication) roleState() string {
	if r.master == nil {
		return ""
	}
	switch r.master.state {
	case "connected":
		return "connected"
	case "connecting":
		return "sync"
	}
	return "connect"
}

// Replication messages between nodes. They stand for the replication
// connection's traffic: AUTH, REPLCONF and PSYNC in one request, then
// +FULLRESYNC with the RDB or +CONTINUE with the backlog, then the command
// stream and REPLCONF ACKs.
type (
	syncRequest struct {
		Link     uint64
		ReplID   string
		Offset   int64
		Announce wire.Addr
		Auth     string
		User     string `json:",omitempty"` // masteruser: AUTH User Auth
	}
	syncFull struct {
		Link     uint64
		ReplID   string
		Offset   int64
		Snapshot []byte
	}
	syncContinue struct {
		Link    uint64
		ReplID  string
		From    int64
		Entries []entry
	}
	// syncError is an error reply during the handshake: to the PING that
	// starts it, to AUTH, or to PSYNC (Stage).
	syncError struct {
		Link  uint64
		Stage string
		Err   string
	}
	replData struct {
		Link  uint64
		Start int64
		Args  []string
	}
	replAck struct {
		Link   uint64
		Offset int64
	}
	replGetAck struct{ Link uint64 }
	replClose  struct {
		Link   uint64
		Reason string
	}
)

func (m *syncRequest) String() string {
	offset := "-1"
	if m.ReplID != "?" {
		offset = strconv.FormatInt(m.Offset+1, 10)
	}
	return "PSYNC " + m.ReplID + " " + offset + " link=" + strconv.FormatUint(m.Link, 16) + " announce=" + m.Announce.String()
}
func (m *syncFull) String() string {
	return "+FULLRESYNC " + m.ReplID + " " + strconv.FormatInt(m.Offset, 10) + " rdb=" + strconv.Itoa(len(m.Snapshot)) + "B"
}
func (m *syncContinue) String() string {
	return "+CONTINUE " + m.ReplID + " from=" + strconv.FormatInt(m.From, 10) + " entries=" + strconv.Itoa(len(m.Entries))
}
func (m *syncError) String() string { return "sync-error " + m.Err }
func (m *replData) String() string  { return string(m.AppendTrace(nil)) }
func (m *replData) AppendTrace(b []byte) []byte {
	b = strconv.AppendInt(append(b, "repl @"...), m.Start, 10)
	return wire.AppendArgs(append(b, ' '), m.Args)
}
func (m *replAck) String() string { return string(m.AppendTrace(nil)) }
func (m *replAck) AppendTrace(b []byte) []byte {
	return strconv.AppendInt(append(b, "REPLCONF ACK "...), m.Offset, 10)
}
func (m *replGetAck) String() string { return "REPLCONF GETACK *" }
func (m *replClose) String() string  { return "repl-close " + m.Reason }

// append adds a command to this node's stream and backlog and sends it to
// the replicas.
func (r *replication) append(n *Node, env wire.Env, args []string) {
	if !r.streams() {
		return
	}
	start := r.offset
	r.offset += respLen(args)
	r.backlog = append(r.backlog, entry{end: r.offset, args: args})
	r.backlogBytes += r.offset - start
	r.trimBacklog(n.cfg.BacklogSize)
	for _, rl := range r.replicas {
		env.Send(rl.node, &replData{Link: rl.link, Start: start, Args: args})
	}
}

// streams reports whether a write goes anywhere: to a backlog or a
// replica (a master that never had a replica keeps no stream).
func (r *replication) streams() bool {
	return r.master != nil || r.active || len(r.replicas) > 0
}

func (r *replication) trimBacklog(size int64) {
	drop := 0
	for r.backlogBytes > size && drop < len(r.backlog)-1 {
		e := r.backlog[drop]
		prev := r.backlogStart
		r.backlogStart = e.end
		r.backlogBytes -= e.end - prev
		drop++
	}
	// Reslicing, not copying to the front: a full backlog drops an entry
	// on nearly every write, and append reallocates (copying only the live
	// entries) once the array's tail is used up, so a write costs O(1).
	r.backlog = r.backlog[drop:]
}

// becomeReplica points the node at a new master (REPLICAOF host port,
// replicationSetMaster): the old link goes, clients blocked in WAIT are
// unblocked with an error and disconnected, and the node connects at once.
// Its own replicas stay: they may be able to partially resync with it
// later; they are disconnected when its history changes (a full sync, or
// a partial one that brings a new replication id). A master keeps its own
// history to offer its new master (replicationCacheMasterUsingMyself);
// master_link_down_since_seconds carries over from the previous link.
func (r *replication) becomeReplica(n *Node, env wire.Env, addr wire.Addr) {
	var downSince wire.Time
	if m := r.master; m != nil {
		r.dropMasterLink(env, "replicaof", true)
		downSince = m.downSince
	} else {
		r.cached = true
	}
	n.unblockWaits(env)
	r.master = &masterLink{addr: addr, node: wire.None, state: "connect", downSince: downSince}
	n.cfg.ReplicaOf = addr
	r.connect(n, env)
}

// bootReplica is the replicaof of the config file: the node starts as a
// replica, connecting once loading is over.
func (r *replication) bootReplica(n *Node, env wire.Env, addr wire.Addr) {
	r.master = &masterLink{addr: addr, node: wire.None, state: "connect"}
	r.connect(n, env)
}

// connect starts a connection attempt to the master (connectWithMaster),
// resolving its address again each time; nothing happens while loading.
func (r *replication) connect(n *Node, env wire.Env) {
	m := r.master
	if m == nil || m.state != "connect" || n.loading(env) {
		return
	}
	env.Emit("* Connecting to MASTER " + m.addr.String())
	id, ok := n.cfg.Directory.Resolve(m.addr)
	if !ok {
		m.node = wire.None
		env.Emit("# Unable to connect to MASTER: Resource temporarily unavailable")
		return
	}
	m.node = id
	m.link = env.Rand().Uint64() | 1
	m.state, m.since = "connecting", env.Mono()
	env.Emit("* MASTER <-> REPLICA sync started")
	env.Send(m.node, r.request(n, m))
}

// becomeMaster turns a replica into a master (REPLICAOF NO ONE): a new
// replication id, the old one kept as id2 so its replicas can partially
// resync, and its replicas disconnected so they notice (spec §26.3).
func (r *replication) becomeMaster(n *Node, env wire.Env) {
	r.dropMasterLink(env, "replicaof no one", true)
	r.master = nil
	r.cached = false
	n.cfg.ReplicaOf = wire.Addr{}
	r.shiftID(randomID(env))
	r.dropReplicas(env, "master mode")
}

// shiftID starts a new history that continues the current one.
func (r *replication) shiftID(newID string) {
	r.id2, r.switchOffset, r.id = r.id, r.offset, newID
}

// dropMasterLink closes the link to the master; notify: tell the master
// (not when the master's process is known to be gone).
func (r *replication) dropMasterLink(env wire.Env, reason string, notify bool) {
	m := r.master
	if m == nil {
		return
	}
	if notify && m.state != "connect" && m.node != wire.None {
		env.Send(m.node, &replClose{Link: m.link, Reason: reason})
	}
	if m.state == "connected" {
		m.downSince = env.Now()
		env.Emit("# Connection with master lost.")
	}
	m.state = "connect"
	m.link = 0
}

// dropReplicas disconnects every replica; it returns how many there were.
func (r *replication) dropReplicas(env wire.Env, reason string) int {
	n := len(r.replicas)
	for _, rl := range r.replicas {
		env.Send(rl.node, &replClose{Link: rl.link, Reason: reason})
	}
	r.replicas = nil
	return n
}

// dropReplicasOf disconnects the replicas that authenticated as user; it
// returns how many there were.
func (r *replication) dropReplicasOf(env wire.Env, user, reason string) int {
	n := 0
	for _, rl := range slices.Clone(r.replicas) {
		if rl.user == user {
			env.Send(rl.node, &replClose{Link: rl.link, Reason: reason})
			r.removeReplica(rl.node, rl.link)
			n++
		}
	}
	return n
}

func (r *replication) shutdown(env wire.Env) {
	if r.master != nil && r.master.state != "connect" && r.master.node != wire.None {
		env.Send(r.master.node, &replClose{Link: r.master.link, Reason: "shutdown"})
	}
	r.dropReplicas(env, "shutdown")
}

// cron is replicationCron: connect, time out, acknowledge, ping.
func (r *replication) cron(n *Node, env wire.Env) {
	now := env.Mono()
	if m := r.master; m != nil {
		switch m.state {
		case "connect":
			r.connect(n, env)
		case "connecting":
			if now.Sub(m.since) > n.cfg.ReplTimeout {
				env.Emit("# Timeout connecting to the MASTER...")
				m.state = "connect"
				break
			}
			// The handshake runs over TCP, which retransmits what a
			// partition lost: ask again on the same link.
			env.Send(m.node, r.request(n, m))
		case "connected":
			if now.Sub(m.lastIO) > n.cfg.ReplTimeout {
				env.Emit("# MASTER timeout: no data nor PING received...")
				r.dropMasterLink(env, "timeout", true)
				break
			}
			env.Send(m.node, &replAck{Link: m.link, Offset: r.offset})
		}
	}
	// Replicas that stopped acknowledging are dropped after repl-timeout.
	kept := r.replicas[:0]
	for _, rl := range r.replicas {
		if now.Sub(rl.lastAck) > n.cfg.ReplTimeout {
			env.Emit("# Disconnecting timedout replica " + rl.addr.String())
			env.Send(rl.node, &replClose{Link: rl.link, Reason: "timeout"})
			continue
		}
		kept = append(kept, rl)
	}
	r.replicas = kept
	// A master pings its replicas through the stream, which advances the
	// offset (repl-ping-replica-period).
	if r.master == nil && len(r.replicas) > 0 && now.Sub(r.lastPing) >= n.cfg.ReplPingPeriod {
		r.lastPing = now
		r.append(n, env, []string{"PING"})
	}
}

// request is the PSYNC of the current link attempt.
func (r *replication) request(n *Node, m *masterLink) *syncRequest {
	announce := wire.Addr{Host: n.cfg.ReplicaAnnounceIP, Port: n.cfg.ReplicaAnnouncePort}
	if announce.Host == "" {
		announce.Host = n.cfg.Addr.Host
	}
	if announce.Port == 0 {
		announce.Port = n.cfg.Addr.Port
	}
	if !r.cached {
		return &syncRequest{Link: m.link, ReplID: "?", Offset: -1, Announce: announce, Auth: n.cfg.MasterAuth, User: n.cfg.MasterUser}
	}
	return &syncRequest{Link: m.link, ReplID: r.id, Offset: r.offset, Announce: announce, Auth: n.cfg.MasterAuth, User: n.cfg.MasterUser}
}

// receive handles replication traffic.
func (r *replication) receive(n *Node, env wire.Env, msg wire.Message) {
	switch p := msg.Payload.(type) {
	case *syncRequest:
		r.serveSync(n, env, msg.From, p)
	case *replAck:
		for _, rl := range r.replicas {
			if rl.node == msg.From && rl.link == p.Link {
				r.retransmit(env, rl, p.Offset)
				rl.ack = max(rl.ack, p.Offset)
				rl.lastAck = env.Mono()
				n.checkWaits(env)
				return
			}
		}
		// An ack on a link this node does not know (it restarted, or
		// dropped the replica): close it so the replica reconnects.
		env.Send(msg.From, &replClose{Link: p.Link, Reason: "unknown link"})
	case *replClose:
		if m := r.master; m != nil && m.node == msg.From && m.link == p.Link && m.state != "connect" {
			r.dropMasterLink(env, "closed by master: "+p.Reason, false)
		}
		r.removeReplica(msg.From, p.Link)
	default:
		m := r.master
		if m == nil || m.node != msg.From || m.link == 0 {
			return
		}
		r.fromMaster(n, env, m, msg.Payload)
	}
}

// retransmit stands for TCP's reliability on the replication connection: a
// partition delays the stream, it does not lose it. When two ACKs in a row
// (a second apart) report the same offset behind ours, what was sent after
// it was lost on the way, and is sent again from the backlog; if the backlog
// no longer has it, the link is closed and the replica resyncs.
func (r *replication) retransmit(env wire.Env, rl *replicaLink, acked int64) {
	behind := acked < r.offset
	if !behind || acked != rl.ack || !rl.stalled {
		rl.stalled = behind && acked == rl.ack
		return
	}
	rl.stalled = false
	if acked < r.backlogStart {
		env.Send(rl.node, &replClose{Link: rl.link, Reason: "backlog overrun"})
		r.removeReplica(rl.node, rl.link)
		return
	}
	start := r.backlogStart
	for _, e := range r.backlog {
		if start >= acked {
			env.Send(rl.node, &replData{Link: rl.link, Start: start, Args: e.args})
		}
		start = e.end
	}
}

func (r *replication) removeReplica(node wire.NodeID, link uint64) {
	for i, rl := range r.replicas {
		if rl.node == node && rl.link == link {
			r.replicas = append(r.replicas[:i], r.replicas[i+1:]...)
			return
		}
	}
}

// serveSync answers a replica's handshake: PING, AUTH, REPLCONF, PSYNC,
// each subject to processCommand's checks, then PSYNC itself.
func (r *replication) serveSync(n *Node, env wire.Env, from wire.NodeID, req *syncRequest) {
	fail := func(stage, err string) { env.Send(from, &syncError{Link: req.Link, Stage: stage, Err: "-" + err}) }
	// PING: without a password on the default user it meets the checks
	// (NOAUTH is tolerated).
	needAuth := n.authRequired(&conn{})
	if !needAuth {
		if e := n.pingError(env); e != "" {
			fail("PING", e)
			return
		}
	}
	user := "default"
	switch {
	case req.Auth != "" && req.User == "" && n.users.Default().NoPass:
		// A replica with masterauth (no masteruser) sends AUTH <password>,
		// which a master without a password on the default user refuses;
		// the replica gives up the attempt (checked with redis-server
		// 7.0.15).
		fail("AUTH", errNoPassword)
		return
	case needAuth && req.Auth == "":
		fail("PSYNC", errNoAuth) // no AUTH sent: PSYNC meets NOAUTH
		return
	case req.Auth != "" && (needAuth || req.User != ""):
		// AUTH [masteruser] masterauth.
		if req.User != "" {
			user = req.User
		}
		if n.users.Authenticate(user, req.Auth) == nil {
			fail("AUTH", errWrongPass)
			return
		}
	}
	// PSYNC is neither stale-ok nor loading-ok nor allowed while busy.
	switch {
	case n.isReplica() && !r.linkUp() && !n.cfg.ReplicaServeStaleData:
		fail("PSYNC", errMasterDown)
		return
	case n.loading(env):
		fail("PSYNC", errLoading)
		return
	case n.busy():
		fail("PSYNC", errBusy)
		return
	case r.master != nil && r.master.state != "connected":
		fail("PSYNC", "NOMASTERLINK Can't SYNC while not connected with my master")
		return
	}
	env.Emit("* Replica " + req.Announce.String() + " asks for synchronization")
	r.removeReplicaNode(from)
	rl := &replicaLink{node: from, link: req.Link, addr: req.Announce, ack: req.Offset, lastAck: env.Mono(), user: user}
	r.replicas = append(r.replicas, rl)
	p := req.Offset
	knowsHistory := req.ReplID != "?" && (req.ReplID == r.id || (req.ReplID == r.id2 && p <= r.switchOffset))
	if r.active && knowsHistory && r.backlogStart <= p && p <= r.offset {
		var entries []entry
		start := r.backlogStart
		for _, e := range r.backlog {
			if start >= p {
				entries = append(entries, e)
			}
			start = e.end
		}
		env.Send(from, &syncContinue{Link: req.Link, ReplID: r.id, From: p, Entries: entries})
		env.Emit("* Partial resynchronization request from " + req.Announce.String() + " accepted. Sending " + strconv.FormatInt(r.offset-p, 10) + " bytes of backlog starting from offset " + strconv.FormatInt(p+1, 10) + ".")
		return
	}
	if r.master == nil && !r.active {
		// syncCommand: a master's first replica creates the backlog, under
		// a new replication id and without a second one (there is no past
		// history); checked with redis-server 7.0.15.
		r.id, r.id2, r.switchOffset = randomID(env), zeroID, -1
		r.backlog, r.backlogStart, r.backlogBytes, r.active = nil, r.offset, 0, true
		env.Emit("* Replication backlog created, my new replication IDs are '" + r.id + "' and '" + r.id2 + "'")
	}
	snap := n.ks.Snapshot(env.Now())
	rl.ack = r.offset
	env.Send(from, &syncFull{Link: req.Link, ReplID: r.id, Offset: r.offset, Snapshot: snap.Encode()})
	env.Emit("* Full resync requested by replica " + req.Announce.String())
}

func (r *replication) removeReplicaNode(node wire.NodeID) {
	for i, rl := range r.replicas {
		if rl.node == node {
			r.replicas = append(r.replicas[:i], r.replicas[i+1:]...)
			return
		}
	}
}

// fromMaster handles the master's side of the replication link.
func (r *replication) fromMaster(n *Node, env wire.Env, m *masterLink, payload wire.Payload) {
	now := env.Mono()
	switch p := payload.(type) {
	case *syncError:
		if p.Link == m.link && m.state == "connecting" {
			switch {
			case p.Stage == "PING":
				env.Emit("# Error reply to PING from master: '" + p.Err + "'")
			case p.Stage == "AUTH":
				env.Emit("# Unable to AUTH to MASTER: " + p.Err)
			case strings.HasPrefix(p.Err, "-NOMASTERLINK") || strings.HasPrefix(p.Err, "-LOADING"):
				env.Emit("* Master is currently unable to PSYNC but should be in the future: " + p.Err)
			case strings.HasPrefix(p.Err, "-ERR"):
				env.Emit("* Master does not support PSYNC or is in error state (reply: " + p.Err + ")")
			default:
				env.Emit("# Unexpected reply to PSYNC from master: " + p.Err)
			}
			m.state, m.link = "connect", 0
		}
	case *syncFull:
		if p.Link != m.link || m.state != "connecting" {
			return
		}
		snap, err := keyspace.Decode(p.Snapshot)
		if err != nil {
			env.Emit("# Failed trying to load the MASTER synchronization DB from socket: " + err.Error())
			r.dropMasterLink(env, "bad rdb", true)
			return
		}
		n.ks.Restore(env.Now(), snap)
		n.dirty = true
		r.id, r.id2, r.switchOffset, r.offset = p.ReplID, zeroID, -1, p.Offset
		r.backlog, r.backlogStart, r.backlogBytes, r.active = nil, p.Offset, 0, true
		r.dropReplicas(env, "full resync") // our history changed: they must resync too
		// A disk-based load keeps the master's RDB file as dump.rdb, with
		// the master's history: a restart loads it.
		n.saveSnapshot(env, p.Snapshot, p.ReplID, p.Offset)
		m.state, m.lastIO, r.cached = "connected", now, true
		env.Emit("* MASTER <-> REPLICA sync: Finished with success")
	case *syncContinue:
		if p.Link != m.link || m.state != "connecting" {
			return
		}
		if p.ReplID != r.id {
			// The master's history has a new id: ours follows, and our
			// replicas must be told (disconnectSlaves).
			env.Emit("# Master replication ID changed to " + p.ReplID)
			r.shiftID(p.ReplID)
			r.dropReplicas(env, "replication id changed")
		}
		m.state, m.lastIO, r.cached, r.active = "connected", now, true, true
		env.Emit("* Successful partial resynchronization with master.")
		start := p.From
		for _, e := range p.Entries {
			r.apply(n, env, start, e.args)
			start = e.end
		}
	case *replData:
		if p.Link != m.link || m.state != "connected" {
			return
		}
		m.lastIO = now
		if p.Start != r.offset {
			// A duplicate, or data past a gap that a partition left: TCP
			// would hold it until the lost part is retransmitted, which
			// the master does when our ACKs stall (retransmit).
			return
		}
		r.apply(n, env, p.Start, p.Args)
	case *replGetAck:
		if p.Link == m.link && m.state == "connected" {
			env.Send(m.node, &replAck{Link: m.link, Offset: r.offset})
		}
	}
}

// apply runs one command of the master's stream on this replica and passes
// it on to this node's own replicas.
func (r *replication) apply(n *Node, env wire.Env, start int64, args []string) {
	if start != r.offset {
		return
	}
	switch upper(args[0]) {
	case "PING", "MULTI", "EXEC", "SELECT":
	case "PUBLISH":
		if len(args) == 3 {
			n.publish(env, args[1], args[2])
		}
	default:
		n.ks.Exec(env.Now(), args)
		n.dirty = true
	}
	r.append(n, env, args)
}

// reset handles replication traffic of ours that was refused: the process
// at the other end is gone. From the master: the link is down now, and the
// next cron reconnects. From a replica: its link is removed at once, so it
// leaves INFO's list and the min-replicas count.
func (r *replication) reset(n *Node, env wire.Env, from wire.NodeID, p wire.Payload) {
	var link uint64
	toMaster := false
	switch q := p.(type) {
	case *syncRequest:
		link, toMaster = q.Link, true
	case *replAck:
		link, toMaster = q.Link, true
	case *replData:
		link = q.Link
	case *syncFull:
		link = q.Link
	case *syncContinue:
		link = q.Link
	case *replGetAck:
		link = q.Link
	default:
		return // a close or an error reply: that link is already gone
	}
	if toMaster {
		m := r.master
		if m == nil || m.node != from || m.link != link || m.state == "connect" {
			return
		}
		if m.state == "connecting" {
			env.Emit("# Error condition on socket for SYNC: Connection refused")
			m.state, m.link = "connect", 0
			return
		}
		r.dropMasterLink(env, "reset", false)
		return
	}
	for _, rl := range r.replicas {
		if rl.node == from && rl.link == link {
			env.Emit("# Connection with replica " + rl.addr.String() + " lost.")
			r.removeReplica(from, link)
			return
		}
	}
}

// goodReplicasOK is checkGoodReplicasStatus: true unless this is a master
// with min-replicas-to-write and min-replicas-max-lag both set and too few
// replicas that acknowledged within the lag.
func (n *Node) goodReplicasOK(env wire.Env) bool {
	return n.isReplica() || n.cfg.MinReplicasMaxLag == 0 || n.cfg.MinReplicasToWrite == 0 ||
		n.goodReplicas(env) >= n.cfg.MinReplicasToWrite
}

// goodReplicas counts the replicas whose last acknowledgement is at most
// min-replicas-max-lag seconds old (refreshGoodSlavesCount).
func (n *Node) goodReplicas(env wire.Env) int {
	good := 0
	now := env.Mono()
	for _, rl := range n.repl.replicas {
		if int(now.Sub(rl.lastAck)/wire.Second) <= n.cfg.MinReplicasMaxLag {
			good++
		}
	}
	return good
}
