package sentinel

import (
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// kind is what a record describes.
type kind uint8

const (
	kindMaster kind = iota
	kindReplica
	kindSentinel
)

func (k kind) String() string {
	switch k {
	case kindMaster:
		return "master"
	case kindReplica:
		return "slave"
	}
	return "sentinel"
}

// flag is a record flag (spec §4.5).
type flag uint32

const (
	fSDown flag = 1 << iota
	fODown
	fMasterDown
	fFailoverInProgress
	fPromoted
	fReconfSent
	fReconfInprog
	fReconfDone
	fForceFailover
	fScriptKillSent
	fMasterReboot
)

// flagNames in the fixed order SENTINEL replies list them (spec §4.5); the
// type and "disconnected" are inserted by flagString.
var flagNames = []struct {
	f    flag
	name string
}{
	{fMasterDown, "master_down"}, {fFailoverInProgress, "failover_in_progress"},
	{fPromoted, "promoted"}, {fReconfSent, "reconf_sent"}, {fReconfInprog, "reconf_inprog"},
	{fReconfDone, "reconf_done"}, {fForceFailover, "force_failover"}, {fScriptKillSent, "script_kill_sent"},
}

// role is what an instance's INFO says it is.
type role uint8

const (
	roleUnknown role = iota
	roleMaster
	roleSlave
)

// instance is a record of a master, replica or other sentinel (spec §4.3).
// Field names follow sentinel.c; times are the sentinel's wall clock in ms.
type instance struct {
	pingArgs []string // the last PING sent, reused (ping)
	// hello is a master's last hello text and what it was made of: the
	// same text goes to every instance of the group every 2 s (sendHello).
	hello    string
	helloKey helloKey
	kind     kind
	flags    flag
	name     string // master: group name; replica: ip:port; sentinel: run id
	runID    string
	addr     wire.Addr
	link     *link
	master   *instance // replicas and sentinels: the master they belong to

	configEpoch             uint64
	lastPubTime             wire.Time
	lastHelloTime           wire.Time
	lastMasterDownReplyTime wire.Time
	sDownSince, oDownSince  wire.Time
	downAfter               wire.Duration
	rebootDownAfter         wire.Duration
	rebootSince             wire.Time
	infoRefresh             wire.Time
	info                    string
	roleReported            role
	roleReportedTime        wire.Time
	slaveConfChangeTime     wire.Time

	// Masters.
	replicas        []*instance // in discovery order: the deterministic iteration order
	sentinels       []*instance // in discovery order
	quorum          int
	parallelSyncs   int
	failoverTimeout wire.Duration
	authPass        string
	authUser        string
	renamed         map[string]string
	leader          string
	leaderEpoch     uint64
	failoverEpoch   uint64
	failoverState   failoverState
	failoverStateAt wire.Time
	failoverStart   wire.Time
	delayLogged     wire.Time
	promoted        *instance

	// Replicas, from their INFO.
	masterLinkDownTime int64
	slavePriority      int
	replicaAnnounced   bool
	slaveMasterHost    string
	slaveMasterPort    int
	slaveMasterLinkUp  bool
	slaveReplOffset    uint64
	slaveReconfSent    wire.Time
}

func (r *instance) has(f flag) bool { return r.flags&f != 0 }

// flagString is the "flags" field of SENTINEL replies.
func (r *instance) flagString() string {
	var parts []string
	if r.has(fSDown) {
		parts = append(parts, "s_down")
	}
	if r.has(fODown) {
		parts = append(parts, "o_down")
	}
	parts = append(parts, r.kind.String())
	if r.link.disconnected {
		parts = append(parts, "disconnected")
	}
	for _, fn := range flagNames {
		if r.has(fn.f) {
			parts = append(parts, fn.name)
		}
	}
	return strings.Join(parts, ",")
}

// command returns the name to send for a command, through the master's
// rename-command table (spec §25.2; replicas and sentinels use their
// master's table, §27.2 item 6).
func (r *instance) command(name string) string {
	m := r
	if r.master != nil {
		m = r.master
	}
	if len(m.renamed) == 0 {
		return name // no rename-command: no need to look
	}
	if to, ok := m.renamed[strings.ToUpper(name)]; ok {
		return to
	}
	return name
}

// sameAddr compares addresses as spec §4.2 does for literal IPs: equal ports
// and hosts equal ignoring case.
func sameAddr(a, b wire.Addr) bool {
	return a.Port == b.Port && strings.EqualFold(a.Host, b.Host)
}

// findReplica returns the master's replica record at addr, compared as
// spec §4.2 does (by IP or by host name: hostnames.go).
func (s *Sentinel) findReplica(m *instance, addr wire.Addr) *instance {
	for _, r := range m.replicas {
		if s.sameHost(r.addr, addr) {
			return r
		}
	}
	return nil
}
