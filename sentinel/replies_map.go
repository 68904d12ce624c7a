package sentinel

import (
	"strconv"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// instanceMap is the flat field/value array SENTINEL MASTER, MASTERS,
// REPLICAS and SENTINELS return for a record (spec §22.3), every value a
// bulk string.
func (s *Sentinel) instanceMap(r *instance) wire.Value {
	var kv []string
	add := func(k, v string) { kv = append(kv, k, v) }
	ms := func(t wire.Time) string { return strconv.FormatInt(int64(s.now.Sub(t)), 10) }
	l := r.link
	add("name", r.name)
	a := s.announced(r.addr)
	add("ip", a.Host)
	add("port", strconv.Itoa(a.Port))
	add("runid", r.runID)
	add("flags", r.flagString())
	add("link-pending-commands", strconv.Itoa(int(l.pendingCommands)))
	add("link-refcount", strconv.Itoa(int(l.refs)))
	if r.has(fFailoverInProgress) {
		add("failover-state", r.failoverState.String())
	}
	lastPingSent := "0"
	if l.actPingTime != 0 {
		lastPingSent = ms(l.actPingTime)
	}
	add("last-ping-sent", lastPingSent)
	add("last-ok-ping-reply", ms(l.lastAvailTime))
	add("last-ping-reply", ms(l.lastPongTime))
	if r.has(fSDown) {
		add("s-down-time", ms(r.sDownSince))
	}
	if r.has(fODown) {
		add("o-down-time", ms(r.oDownSince))
	}
	add("down-after-milliseconds", strconv.FormatInt(int64(r.downAfter), 10))
	if r.kind != kindSentinel {
		refresh := "0"
		if r.infoRefresh != 0 {
			refresh = ms(r.infoRefresh)
		}
		add("info-refresh", refresh)
		reported := "slave"
		if r.roleReported == roleMaster {
			reported = "master"
		}
		add("role-reported", reported)
		add("role-reported-time", ms(r.roleReportedTime))
	}
	switch r.kind {
	case kindMaster:
		add("config-epoch", strconv.FormatUint(r.configEpoch, 10))
		add("num-slaves", strconv.Itoa(len(r.replicas)))
		add("num-other-sentinels", strconv.Itoa(len(r.sentinels)))
		add("quorum", strconv.Itoa(r.quorum))
		add("failover-timeout", strconv.FormatInt(int64(r.failoverTimeout), 10))
		add("parallel-syncs", strconv.Itoa(r.parallelSyncs))
		if mc := s.conf.Master(r.name); mc != nil {
			if mc.NotificationScript != "" {
				add("notification-script", mc.NotificationScript)
			}
			if mc.ClientReconfigScript != "" {
				add("client-reconfig-script", mc.ClientReconfigScript)
			}
		}
	case kindReplica:
		add("master-link-down-time", strconv.FormatInt(r.masterLinkDownTime, 10))
		status := "err"
		if r.slaveMasterLinkUp {
			status = "ok"
		}
		add("master-link-status", status)
		host := r.slaveMasterHost
		if host == "" {
			host = "?"
		}
		add("master-host", host)
		add("master-port", strconv.Itoa(r.slaveMasterPort))
		add("slave-priority", strconv.Itoa(r.slavePriority))
		add("slave-repl-offset", strconv.FormatUint(r.slaveReplOffset, 10))
		announced := "0"
		if r.replicaAnnounced {
			announced = "1"
		}
		add("replica-announced", announced)
	case kindSentinel:
		add("last-hello-message", ms(r.lastHelloTime))
		leader := r.leader
		if leader == "" {
			leader = "?"
		}
		add("voted-leader", leader)
		add("voted-leader-epoch", strconv.FormatUint(r.leaderEpoch, 10))
	}
	return wire.BulkArray(kv...)
}

// instanceMaps replies with the maps of records.
func (s *Sentinel) instanceMaps(rs []*instance, skip func(*instance) bool) wire.Value {
	out := []wire.Value{}
	for _, r := range rs {
		if skip == nil || !skip(r) {
			out = append(out, s.instanceMap(r))
		}
	}
	return wire.Array(out...)
}
