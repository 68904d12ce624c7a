package sentinel

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/facts"
	"github.com/sentinelsim/sentinelsim/internal/info"
	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// onReply dispatches a reply to the command it answers.
func (s *Sentinel) onReply(from wire.NodeID, p *wire.Reply) {
	c := s.conn(p.Conn)
	if c == nil || c.node != from {
		return
	}
	if len(c.pending) == 0 || c.pending[0].seq != p.Seq {
		// A reply is missing before this one: a TCP connection never loses
		// data, so a connection that did is broken; close it and let the
		// reconnection procedure (spec §5.2) open a new one.
		if len(c.pending) > 0 && c.pending[0].seq < p.Seq {
			s.closeConn(c, true)
		}
		return
	}
	pc := c.pending[0]
	// The rest moves to the start of the array (a few commands, at most the
	// pending cap): slicing past the first would leave append nothing to
	// reuse, an allocation every few commands.
	n := copy(c.pending, c.pending[1:])
	c.pending[n] = pendingCmd{} // (its record may go)
	c.pending = c.pending[:n]
	l := c.owner
	if c.pubsub {
		l.pcLastActivity = s.now
	} else if l.pendingCommands > 0 {
		l.pendingCommands--
	}
	r := pc.r
	switch pc.kind {
	case cPing:
		// Only the link's times move later, and MASTER_REBOOT may go: no
		// visit is due sooner (quiet.go).
		s.onPingReply(r, p.Value)
	case cInfo:
		if p.Value.Kind == wire.KindBulk {
			s.onInfo(r, p.Value.Str)
		}
		s.wake(r)
	case cPublish:
		if !p.Value.IsError() {
			r.lastPubTime = s.now // (later: no wake)
		}
	case cAsk:
		s.onAskReply(r, p.Value)
		s.wake(r)
	case cSubscribe:
		// hiredis treats an error reply to SUBSCRIBE (e.g. -NOAUTH) as
		// fatal for the pub/sub connection: it is dropped, so wrong or
		// missing credentials show as "disconnected" (spec §5.2).
		if p.Value.IsError() {
			s.closeConn(c, true)
		}
	}
}

// onPingReply is spec §7.1.
func (s *Sentinel) onPingReply(r *instance, v wire.Value) {
	l := r.link
	l.lastPongTime = s.now
	if v.Kind != wire.KindStatus && v.Kind != wire.KindError {
		return
	}
	switch {
	case strings.HasPrefix(v.Str, "PONG"), strings.HasPrefix(v.Str, "LOADING"), strings.HasPrefix(v.Str, "MASTERDOWN"):
		l.lastAvailTime = s.now
		l.actPingTime = 0
		if strings.HasPrefix(v.Str, "PONG") {
			r.flags &^= fMasterReboot
		}
	case strings.HasPrefix(v.Str, "BUSY") && r.has(fSDown) && !r.has(fScriptKillSent) && l.cc != nil:
		r.flags |= fScriptKillSent
		s.send(l.cc, cIgnore, r, r.command("SCRIPT"), "KILL")
	}
}

// onAskReply is spec §7.4.
func (s *Sentinel) onAskReply(r *instance, v wire.Value) {
	a := v.Array
	if v.Kind != wire.KindArray || len(a) != 3 || a[0].Kind != wire.KindInt ||
		a[1].Kind != wire.KindBulk || a[2].Kind != wire.KindInt {
		return
	}
	r.lastMasterDownReplyTime = s.now
	if a[0].Int == 1 {
		r.flags |= fMasterDown
	} else {
		r.flags &^= fMasterDown
	}
	if a[1].Str != "*" {
		epoch := uint64(a[2].Int)
		if r.leaderEpoch != epoch {
			s.log(Warning, r.name+" voted for "+a[1].Str+" "+strconv.FormatUint(epoch, 10))
		}
		r.leader, r.leaderEpoch = a[1].Str, epoch
	}
}

// log writes a plain log line, not an event (spec §20.3).
func (s *Sentinel) log(level Level, text string) {
	s.env.Emit(string(level) + " " + text)
}

// onInfo parses an INFO reply and acts on it (spec §7.2, §7.3).
// parseInfo parses an INFO reply of r, from the parse of r's previous one
// when there is one (info.Reparse: under QuietCheck also parsed whole, and
// a difference panics), and keeps text and its parse.
func (s *Sentinel) parseInfo(r *instance, text string) (info.Info, error) {
	var in info.Info
	var err error
	if r.infoParsedOK {
		in, err = info.Reparse(r.info, r.infoParsed, text)
		if Quiet == QuietCheck {
			if whole, wholeErr := info.Parse(text); wholeErr != err || !reflect.DeepEqual(whole, in) {
				panic(fmt.Sprintf("sentinel %s: INFO read from the previous one differs from its parse:\nprevious %q\ntext %q\nread %+v\nparse %+v",
					s.myID, r.info, text, in, whole))
			}
		}
	} else {
		in, err = info.Parse(text)
	}
	r.info, r.infoParsed, r.infoParsedOK = text, in, err == nil
	return in, err
}

func (s *Sentinel) onInfo(r *instance, text string) {
	r.masterLinkDownTime = 0
	in, err := s.parseInfo(r, text)
	if err != nil {
		// Redis parses line by line and finds nothing: the role is
		// unknown, and the refresh time and bookkeeping still happen.
		r.infoRefresh = s.now
		s.actOnInfo(r, roleUnknown)
		return
	}
	if len(in.RunID) == 40 {
		switch {
		case r.runID == "":
			r.runID = in.RunID
		case r.runID != in.RunID:
			s.emit(Notice, "+reboot", r, "")
			if r.kind == kindMaster && r.rebootDownAfter != 0 {
				r.flags |= fMasterReboot
				r.rebootSince = s.now
			}
			r.runID = in.RunID
		}
	}
	if r.kind == kindMaster {
		for _, sl := range in.Slaves {
			a := wire.Addr{Host: sl.IP, Port: sl.Port}
			if s.findReplica(r, a) == nil && a.Port != 0 && s.acceptHost(a.Host) {
				nr := s.addReplica(r, a)
				s.emit(Notice, "+slave", nr, "")
				s.dirty = true
			}
		}
	}
	reported := roleUnknown
	switch in.Role {
	case "master":
		reported = roleMaster
	case "slave":
		reported = roleSlave
		r.masterLinkDownTime = in.MasterLinkDownSinceSeconds * 1000
		if !strings.EqualFold(r.slaveMasterHost, in.MasterHost) || r.slaveMasterPort != in.MasterPort {
			r.slaveMasterHost, r.slaveMasterPort = in.MasterHost, in.MasterPort
			r.slaveConfChangeTime = s.now
		}
		r.slaveMasterLinkUp = in.MasterLinkUp
		r.slavePriority = in.SlavePriority
		r.slaveReplOffset = uint64(in.SlaveReplOffset)
		r.replicaAnnounced = in.ReplicaAnnounced
	}
	r.infoRefresh = s.now
	s.actOnInfo(r, reported)
}

// actOnInfo is spec §7.3.
func (s *Sentinel) actOnInfo(r *instance, reported role) {
	if reported != r.roleReported {
		r.roleReportedTime = s.now
		r.roleReported = reported
		if reported == roleSlave {
			r.slaveConfChangeTime = s.now
		}
		sign, name := "-", "slave"
		if reported == roleMaster {
			name = "master"
		}
		if (reported == roleMaster) == (r.kind == kindMaster) {
			sign = "+"
		}
		s.emit(Verbose, sign+"role-change", r, "new reported role is "+name)
	}
	if s.tilt || r.kind != kindReplica {
		return
	}
	m := r.master
	if reported == roleMaster {
		if r.has(fPromoted) && m.has(fFailoverInProgress) && m.failoverState == stateWaitPromotion {
			s.record(facts.ConfigEpoch{Master: m.name, From: m.configEpoch, To: m.failoverEpoch, Addr: r.addr, Source: "promotion", Forced: m.has(fForceFailover)})
			m.configEpoch = m.failoverEpoch
			s.setState(m, stateReconfSlaves)
			s.dirty = true
			s.emit(Warning, "+promoted-slave", r, "")
			s.emit(Warning, "+failover-state-reconf-slaves", m, "")
			s.forceHellos(m)
			return
		}
		if !r.has(fPromoted) && s.masterLooksSane(m) && s.noDownFor(r, 4*s.timing.PublishPeriod) &&
			s.now.Sub(r.roleReportedTime) > 4*s.timing.PublishPeriod {
			if s.sendSlaveOf(r, &m.addr) {
				s.emit(Notice, "+convert-to-slave", r, "")
			}
		}
		return
	}
	if reported != roleSlave {
		return
	}
	if (r.slaveMasterPort != m.addr.Port || !s.hostMatches(r.slaveMasterHost, m.addr)) &&
		s.masterLooksSane(m) && s.noDownFor(r, m.failoverTimeout) && s.now.Sub(r.slaveConfChangeTime) > m.failoverTimeout {
		if s.sendSlaveOf(r, &m.addr) {
			s.emit(Notice, "+fix-slave-config", r, "")
		}
	}
	if r.has(fReconfSent|fReconfInprog) && m.promoted != nil {
		p := m.promoted.addr
		if r.has(fReconfSent) && r.slaveMasterPort == p.Port && s.hostMatches(r.slaveMasterHost, p) {
			r.flags &^= fReconfSent
			r.flags |= fReconfInprog
			s.emit(Notice, "+slave-reconf-inprog", r, "")
		}
		if r.has(fReconfInprog) && r.slaveMasterLinkUp {
			r.flags &^= fReconfInprog
			r.flags |= fReconfDone
			s.emit(Notice, "+slave-reconf-done", r, "")
		}
	}
}

// masterLooksSane is spec §2.3.
func (s *Sentinel) masterLooksSane(m *instance) bool {
	return m.roleReported == roleMaster && !m.has(fSDown|fODown) &&
		m.infoRefresh != 0 && s.now.Sub(m.infoRefresh) < 2*s.timing.InfoPeriod
}

// noDownFor is spec §7.3's "no-down-for": the last SDOWN/ODOWN episode
// began more than d ago, or never.
func (s *Sentinel) noDownFor(r *instance, d wire.Duration) bool {
	t := max(r.sDownSince, r.oDownSince)
	return t == 0 || s.now.Sub(t) > d
}

// forceHellos makes hellos go out on the next tick (spec §7.3 step 4.8).
func (s *Sentinel) forceHellos(m *instance) {
	back := s.timing.PublishPeriod + 1
	m.lastPubTime -= wire.Time(back)
	for _, r := range m.replicas {
		r.lastPubTime -= wire.Time(back)
	}
	for _, r := range m.sentinels {
		r.lastPubTime -= wire.Time(back)
	}
}
