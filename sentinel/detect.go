package sentinel

import (
	"fmt"
	"strconv"

	"github.com/sentinelsim/sentinelsim/internal/facts"
	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// tick is one run of the sentinel timer (spec §3.2). Records are handled in
// creation order: masters in configuration order, then each master's
// replicas and sentinels in discovery order (the real hash-table order is
// arbitrary; spec §3.2 asks for a documented deterministic one).
func (s *Sentinel) tick() {
	s.checkTilt()
	var toSwitch *instance
	for i, m := range s.masters {
		valid := s.quietValid(i) // (quiet.go)
		if valid && s.now < s.quiet[i].until {
			s.skips++
			if Quiet == QuietCheck {
				s.visitChecked(m)
			}
			continue
		}
		s.visits++
		full := true
		if valid {
			full = s.visitDue(m)
		} else {
			s.visit(m)
		}
		if s.dead {
			return // the process exited in the middle of the tick
		}
		if m.failoverState == stateUpdateConfig {
			toSwitch = m
		}
		s.settle(m, full)
	}
	if toSwitch != nil {
		s.switchToPromoted(toSwitch)
	}
}

// visit handles the records of m's group.
func (s *Sentinel) visit(m *instance) {
	s.handle(m)
	for _, r := range m.replicas {
		s.handle(r)
	}
	for _, r := range m.sentinels {
		s.handle(r)
	}
}

// checkTilt is spec §18's entry rule: a tick gap that is negative or longer
// than tilt-trigger means the measurements are suspect.
func (s *Sentinel) checkTilt() {
	delta := s.now.Sub(s.prevTime)
	if delta < 0 || delta > s.timing.TiltTrigger {
		s.tilt = true
		s.tiltStart = s.now
		s.emit(Warning, "+tilt", nil, "#tilt mode entered")
		s.record(facts.Tilt{On: true})
	}
	s.prevTime = s.now
}

// handle is handle-instance (spec §3.2): the monitoring half always, the
// acting half unless in TILT.
func (s *Sentinel) handle(r *instance) {
	if r.link.disconnected { // (reconnect's first test, without the call)
		s.reconnect(r)
	}
	s.periodic(r)
	switch {
	case !s.tilt:
	case s.now.Sub(s.tiltStart) < s.timing.TiltPeriod:
		if !s.profile.ActInTilt { // mutant-act-in-tilt goes on acting
			return
		}
	default:
		s.tilt = false
		s.emit(Warning, "-tilt", nil, "#tilt mode exited")
		s.record(facts.Tilt{On: false})
	}
	s.checkSDown(r)
	if r.kind != kindMaster {
		return
	}
	s.checkODown(r)
	if s.startFailoverIfNeeded(r) {
		s.ask(r, true)
	}
	s.failoverStep(r)
	s.ask(r, false)
}

// checkSDown is spec §8.1.
func (s *Sentinel) checkSDown(r *instance) {
	l := r.link
	var elapsed wire.Duration
	switch {
	case l.actPingTime != 0:
		elapsed = s.now.Sub(l.actPingTime)
	case l.disconnected:
		elapsed = s.now.Sub(l.lastAvailTime)
	}
	s.recycle(r)
	down := elapsed > r.downAfter ||
		(r.kind == kindMaster && r.roleReported == roleSlave &&
			s.now.Sub(r.roleReportedTime) > r.downAfter+2*s.timing.InfoPeriod) ||
		(r.has(fMasterReboot) && s.now.Sub(r.rebootSince) > r.rebootDownAfter)
	switch {
	case down && !r.has(fSDown):
		s.emit(Warning, "+sdown", r, "")
		r.sDownSince = s.now
		r.flags |= fSDown
	case !down && r.has(fSDown):
		s.emit(Warning, "-sdown", r, "")
		r.flags &^= fSDown | fScriptKillSent
	}
}

// checkODown is spec §8.2: SDOWN here and MASTER_DOWN from enough peers.
func (s *Sentinel) checkODown(m *instance) {
	count := s.agreeing(m)
	odown := m.has(fSDown) && (count >= m.quorum || s.profile.IgnoreQuorum) // IgnoreQuorum: mutant-ignore-quorum
	switch {
	case odown && !m.has(fODown):
		s.emit(Warning, "+odown", m, fmt.Sprintf("#quorum %d/%d", count, m.quorum))
		m.flags |= fODown
		m.oDownSince = s.now
	case !odown && m.has(fODown):
		s.emit(Warning, "-odown", m, "")
		m.flags &^= fODown
	}
}

// ask is spec §9.1: ask the other sentinels whether they see the master
// down (and, during our failover, for their vote).
func (s *Sentinel) ask(m *instance, forced bool) {
	for _, r := range m.sentinels {
		if (r.has(fMasterDown) || r.leader != "") && s.now.Sub(r.lastMasterDownReplyTime) > 5*s.timing.AskPeriod {
			r.flags &^= fMasterDown // (written only when set: every tick visits every record)
			r.leader = ""
		}
		if !m.has(fSDown) || r.link.disconnected || r.link.cc == nil {
			continue
		}
		if !forced && s.now.Sub(r.lastMasterDownReplyTime) < s.timing.AskPeriod {
			continue
		}
		runID := "*"
		if m.failoverState != stateNone {
			runID = s.myID
		}
		ma := s.announced(m.addr)
		s.send(r.link.cc, cAsk, r, m.command("SENTINEL"), "is-master-down-by-addr",
			ma.Host, strconv.Itoa(ma.Port), strconv.FormatUint(s.currentEpoch, 10), runID)
	}
}
