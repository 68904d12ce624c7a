package sentinel

import (
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/info"
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
	// Read by every tick (handle, ask) and by the ground-truth sampler,
	// kept together at the start since each sentinel visits every record
	// 10–19 times a second: the first cache line holds all a sentinel
	// record needs (two thirds of the records with many masters), the
	// second what replicas and masters need besides.
	kind                    kind
	roleReported            role
	failoverState           failoverState
	flags                   flag
	link                    *link
	downAfter               wire.Duration
	lastPubTime             wire.Time
	lastMasterDownReplyTime wire.Time
	leader                  string
	infoRefresh             wire.Time
	master                  *instance // replicas and sentinels: the master they belong to
	masterLinkDownTime      int64     // replicas, from their INFO
	addr                    wire.Addr
	name                    string    // master: group name; replica: ip:port; sentinel: run id
	slot                    int       // masters: the index in Sentinel.masters and Sentinel.quiet
	due                     wire.Time // the earliest a visit of this record could act (quiet.go)

	// Read by the tick only in rarer states (a reported role change, a
	// reboot, a failover).
	roleReportedTime wire.Time
	rebootSince      wire.Time
	rebootDownAfter  wire.Duration
	promoted         *instance
	runID            string

	pingArgs []string // the last PING sent, reused (ping)

	configEpoch         uint64
	lastHelloTime       wire.Time
	sDownSince          wire.Time
	oDownSince          wire.Time
	info                string
	slaveConfChangeTime wire.Time
	// infoParsed is info's parse when infoParsedOK: the next INFO, which
	// mostly differs in a few values, is read from it (info.Reparse).
	infoParsed   info.Info
	infoParsedOK bool

	// Masters.
	replicas        []*instance // in discovery order: the deterministic iteration order
	sentinels       []*instance // in discovery order
	quorum          int
	parallelSyncs   int
	failoverTimeout wire.Duration
	authPass        string
	authUser        string
	renamed         map[string]string
	leaderEpoch     uint64
	failoverEpoch   uint64
	failoverStateAt wire.Time
	failoverStart   wire.Time
	delayLogged     wire.Time
	// hello is the last hello text and what it was made of: the same text
	// goes to every instance of the group every 2 s (sendHello).
	hello    string
	helloKey helloKey

	// Replicas, from their INFO.
	slavePriority     int
	replicaAnnounced  bool
	slaveMasterHost   string
	slaveMasterPort   int
	slaveMasterLinkUp bool
	slaveReplOffset   uint64
	slaveReconfSent   wire.Time
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
	return a.Port == b.Port && (a.Host == b.Host || strings.EqualFold(a.Host, b.Host))
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
