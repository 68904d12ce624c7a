package sentinel

import (
	"strconv"

	"github.com/sentinelsim/sentinelsim/internal/facts"
	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// failoverState is a master's failover state (spec §12).
type failoverState uint8

const (
	stateNone failoverState = iota
	stateWaitStart
	stateSelectSlave
	stateSendSlaveofNoone
	stateWaitPromotion
	stateReconfSlaves
	stateUpdateConfig
)

var stateNames = [...]string{"none", "wait_start", "select_slave", "send_slaveof_noone", "wait_promotion", "reconf_slaves", "update_config"}

func (f failoverState) String() string { return stateNames[f] }

// setState changes the failover state (every change stamps the time).
func (s *Sentinel) setState(m *instance, st failoverState) {
	m.failoverState = st
	m.failoverStateAt = s.now
	s.addrGen++ // (every change of a current address comes with one: MasterAddrGen)
}

// newEpoch raises the current epoch to e, persisting and announcing it
// (spec §10.1 cases b and c).
func (s *Sentinel) newEpoch(m *instance, e uint64) {
	if e <= s.currentEpoch {
		return
	}
	s.currentEpoch = e
	s.dirty = true
	s.wakeAll()
	s.emitFor(Warning, "+new-epoch", m, strconv.FormatUint(e, 10))
}

// vote is spec §10.2: one vote per epoch per master, to the first candidate
// that asks with an epoch higher than any we voted in. The vote is
// persisted before the reply leaves (the Env sends after the save).
func (s *Sentinel) vote(m *instance, reqEpoch uint64, candidate string) (string, uint64) {
	s.newEpoch(m, reqEpoch)
	again := s.profile.VoteTwice && m.leaderEpoch == reqEpoch && m.leader != candidate // mutant-vote-twice
	if (m.leaderEpoch < reqEpoch || again) && s.currentEpoch <= reqEpoch {
		m.leader, m.leaderEpoch = candidate, s.currentEpoch
		s.dirty = true
		if s.profile.ReplyBeforePersist {
			// mutant-reply-before-persist: this call's sends (the reply)
			// leave unsaved; the next timer tick saves.
			s.holdPersist = true
		}
		s.emitFor(Warning, "+vote-for-leader", m, candidate+" "+strconv.FormatUint(m.leaderEpoch, 10))
		s.record(facts.Vote{Master: m.name, Epoch: m.leaderEpoch, Candidate: candidate})
		if candidate != s.myID {
			m.failoverStart = s.now.Add(wire.Duration(s.desync()))
		}
	}
	return m.leader, m.leaderEpoch
}

// leaderOf is get-leader (spec §10.3): the run id that has a majority of all
// sentinels ever known and at least the quorum, or "".
func (s *Sentinel) leaderOf(m *instance, epoch uint64) string {
	leader, _, _ := s.leaderCount(m, epoch)
	return leader
}

// leaderCount is leaderOf with the count behind it: the winner's votes and
// the number of sentinels known (itself included), whatever the profile
// takes the majority over.
func (s *Sentinel) leaderCount(m *instance, epoch uint64) (leader string, votes, voters int) {
	voters = len(m.sentinels) + 1
	counts := map[string]int{}
	var order []string // first seen first: the iteration order for ties
	for _, r := range m.sentinels {
		if r.leader != "" && r.leaderEpoch == s.currentEpoch {
			if counts[r.leader] == 0 {
				order = append(order, r.leader)
			}
			counts[r.leader]++
		}
	}
	winner, maxVotes := "", 0
	for _, id := range order {
		if counts[id] > maxVotes {
			winner, maxVotes = id, counts[id]
		}
	}
	want := winner
	if want == "" {
		want = s.myID
	}
	if leader, leaderEpoch := s.vote(m, epoch, want); leaderEpoch == epoch && leader != "" {
		counts[leader]++
		if counts[leader] > maxVotes {
			winner, maxVotes = leader, counts[leader]
		}
	}
	majorityOf := voters
	if s.profile.MajorityOverVoters {
		// Before 2.8.15 the majority was over the sentinels that voted.
		majorityOf = 0
		for _, n := range counts {
			majorityOf += n
		}
	}
	if maxVotes < majorityOf/2+1 || maxVotes < m.quorum {
		return "", maxVotes, voters
	}
	return winner, maxVotes, voters
}

// startFailoverIfNeeded is spec §11; it reports whether a failover started.
func (s *Sentinel) startFailoverIfNeeded(m *instance) bool {
	if !m.has(fODown) || m.has(fFailoverInProgress) {
		return false
	}
	// failover_start_time 0 means "never tried" (spec §11): with real
	// epoch clocks the subtraction below is huge; simulated wall clocks may
	// start near 0, so say it explicitly.
	if m.failoverStart != 0 && s.now.Sub(m.failoverStart) < 2*m.failoverTimeout && !s.profile.SkipGate { // SkipGate: mutant-skip-gate
		if m.delayLogged != m.failoverStart {
			m.delayLogged = m.failoverStart
			s.log(Warning, "Next failover delay: I will not start a failover before "+m.failoverStart.Add(2*m.failoverTimeout).Ctime())
		}
		return false
	}
	s.setState(m, stateWaitStart)
	m.flags |= fFailoverInProgress
	s.currentEpoch++
	m.failoverEpoch = s.currentEpoch
	s.emitFor(Warning, "+new-epoch", m, strconv.FormatUint(s.currentEpoch, 10))
	s.emit(Warning, "+try-failover", m, "")
	s.record(facts.FailoverStart{Master: m.name, Epoch: m.failoverEpoch, ODown: m.has(fODown), Agreeing: s.agreeing(m),
		Quorum: m.quorum, LastAttempt: m.failoverStart, Timeout: m.failoverTimeout, Now: s.now, DownAfter: m.downAfter})
	m.failoverStart = s.now.Add(wire.Duration(s.desync()))
	return true
}

// failoverStep runs the handler of the current failover state (spec §12).
func (s *Sentinel) failoverStep(m *instance) {
	if !m.has(fFailoverInProgress) {
		return
	}
	switch m.failoverState {
	case stateWaitStart:
		s.failoverWaitStart(m)
	case stateSelectSlave:
		s.failoverSelectSlave(m)
	case stateSendSlaveofNoone:
		s.failoverSendSlaveofNoone(m)
	case stateWaitPromotion:
		s.failoverWaitPromotion(m)
	case stateReconfSlaves:
		s.failoverReconfSlaves(m)
	}
}

// failoverWaitStart is T1: wait to be elected, or give up.
func (s *Sentinel) failoverWaitStart(m *instance) {
	leader, votes, voters := s.leaderCount(m, m.failoverEpoch)
	if leader != s.myID && !m.has(fForceFailover) {
		if s.now.Sub(m.failoverStart) > min(s.timing.ElectionTimeout, m.failoverTimeout) {
			s.emit(Warning, "-failover-abort-not-elected", m, "")
			s.abortFailover(m)
		}
		return
	}
	s.emit(Warning, "+elected-leader", m, "")
	if _, ok := s.env.(wire.Recorder); ok {
		known := make([]string, 0, len(m.sentinels))
		for _, r := range m.sentinels {
			known = append(known, r.runID)
		}
		s.record(facts.Elected{Master: m.name, Epoch: m.failoverEpoch, Votes: votes, Voters: voters, Quorum: m.quorum,
			Forced: m.has(fForceFailover), Known: known})
	}
	s.setState(m, stateSelectSlave)
	s.emit(Warning, "+failover-state-select-slave", m, "")
}

// abortFailover ends a failover that did not get to update the
// configuration (spec §12, abort).
func (s *Sentinel) abortFailover(m *instance) {
	m.flags &^= fFailoverInProgress | fForceFailover
	s.setState(m, stateNone)
	if p := m.promoted; p != nil {
		p.flags &^= fPromoted
		m.promoted = nil
	}
}

// reset is spec §15.1.
func (s *Sentinel) reset(m *instance, keepSentinels bool) {
	s.wakeAll()
	for _, r := range m.replicas {
		s.dropLink(r)
	}
	m.replicas = nil
	if !keepSentinels {
		for _, r := range m.sentinels {
			s.dropLink(r)
		}
		m.sentinels = nil
		s.peersGen++
	}
	s.closeConn(m.link.cc, true)
	s.closeConn(m.link.pc, true)
	m.flags = 0
	m.leader = ""
	s.setState(m, stateNone)
	m.failoverStateAt = 0
	m.failoverStart = 0
	m.promoted = nil
	m.runID = ""
	m.slaveMasterHost = ""
	l := m.link
	l.actPingTime, l.lastPingTime, l.lastAvailTime, l.lastPongTime = s.now, 0, s.now, s.now
	m.roleReported, m.roleReportedTime = roleMaster, s.now
}

// dropLink releases a record's link, closing it when no other record
// shares it.
func (s *Sentinel) dropLink(r *instance) {
	r.link.refs--
	if r.link.refs <= 0 {
		s.closeConn(r.link.cc, true)
		s.closeConn(r.link.pc, true)
	}
}

// switchMaster is spec §15.2: reset the master record onto a new address,
// keeping its sentinels, and turn every other known instance (the old
// master among them) into replica records.
func (s *Sentinel) switchMaster(m *instance, to wire.Addr) {
	// Step 1 (resolving the address) only fails for host names, which this
	// engine does not resolve (resolve-hostnames); an address no node
	// listens on is switched to and fails at connection time.
	var keep []wire.Addr
	for _, r := range m.replicas {
		if !sameAddr(r.addr, to) {
			keep = append(keep, r.addr)
		}
	}
	if !sameAddr(m.addr, to) {
		keep = append(keep, m.addr)
	}
	s.reset(m, true)
	m.addr = to
	m.sDownSince, m.oDownSince = 0, 0
	for _, a := range keep {
		r := s.addReplica(m, a)
		s.emit(Notice, "+slave", r, "")
	}
	s.dirty = true
}

// switchToPromoted is UPDATE_CONFIG handled by the tick (spec §3.2, §12).
func (s *Sentinel) switchToPromoted(m *instance) {
	p := m.promoted
	if p == nil {
		s.abortFailover(m)
		return
	}
	from, to := s.announced(m.addr), s.announced(p.addr)
	s.emitFor(Warning, "+switch-master", m, m.name+" "+from.Host+" "+strconv.Itoa(from.Port)+" "+to.Host+" "+strconv.Itoa(to.Port))
	s.switchMaster(m, p.addr)
}

// sendSlaveOf queues the reconfiguration transaction of spec §14 on r's
// command connection: MULTI, SLAVEOF host port (or NO ONE), CONFIG REWRITE,
// CLIENT KILL TYPE normal, CLIENT KILL TYPE pubsub, EXEC. Replies are
// ignored; the effect is observed through INFO. It fails only when there is
// no command connection.
func (s *Sentinel) sendSlaveOf(r *instance, to *wire.Addr) bool {
	c := r.link.cc
	if c == nil {
		return false
	}
	host, port := "NO", "ONE"
	var target wire.Addr
	if to != nil {
		a := s.announced(*to)
		host, port = a.Host, strconv.Itoa(a.Port)
		target = *to
	}
	master := r
	if r.master != nil {
		master = r.master
	}
	s.record(facts.Reconfigure{Master: master.name, Target: r.addr, To: target})
	s.send(c, cIgnore, r, r.command("MULTI"))
	s.send(c, cIgnore, r, r.command("SLAVEOF"), host, port)
	s.send(c, cIgnore, r, r.command("CONFIG"), "REWRITE")
	s.send(c, cIgnore, r, r.command("CLIENT"), "KILL", "TYPE", "normal")
	s.send(c, cIgnore, r, r.command("CLIENT"), "KILL", "TYPE", "pubsub")
	s.send(c, cIgnore, r, r.command("EXEC"))
	return true
}

// failoverSelectSlave is T2.
func (s *Sentinel) failoverSelectSlave(m *instance) {
	r := s.selectReplica(m)
	s.recordSelection(m, r)
	if r == nil {
		s.emit(Warning, "-failover-abort-no-good-slave", m, "")
		s.abortFailover(m)
		return
	}
	s.emit(Warning, "+selected-slave", r, "")
	r.flags |= fPromoted
	m.promoted = r
	s.setState(m, stateSendSlaveofNoone)
	s.emit(Notice, "+failover-state-send-slaveof-noone", r, "")
}

// failoverSendSlaveofNoone is T3.
func (s *Sentinel) failoverSendSlaveofNoone(m *instance) {
	p := m.promoted
	if p.link.disconnected {
		if s.now.Sub(m.failoverStateAt) > m.failoverTimeout {
			s.emit(Warning, "-failover-abort-slave-timeout", m, "")
			s.abortFailover(m)
		}
		return
	}
	if !s.sendSlaveOf(p, nil) {
		return
	}
	s.emit(Notice, "+failover-state-wait-promotion", p, "")
	s.setState(m, stateWaitPromotion)
}

// failoverWaitPromotion is T4: only its timeout; the INFO handler sees the
// promotion.
func (s *Sentinel) failoverWaitPromotion(m *instance) {
	if s.now.Sub(m.failoverStateAt) > m.failoverTimeout {
		s.emit(Warning, "-failover-abort-slave-timeout", m, "")
		s.abortFailover(m)
	}
}

// failoverReconfSlaves is T5, including the quirks the spec describes
// (a timed-out RECONF_SENT replica is marked DONE and may be sent SLAVEOF
// again in the same pass).
func (s *Sentinel) failoverReconfSlaves(m *instance) {
	inProgress := 0
	for _, r := range m.replicas {
		if r.has(fReconfSent | fReconfInprog) {
			inProgress++
		}
	}
	to := m.promoted.addr
	for _, r := range m.replicas {
		if inProgress >= m.parallelSyncs {
			break
		}
		if r.has(fPromoted | fReconfDone) {
			continue
		}
		if r.has(fReconfSent) && s.now.Sub(r.slaveReconfSent) > s.timing.SlaveReconfTimeout {
			s.emit(Notice, "-slave-reconf-sent-timeout", r, "")
			r.flags &^= fReconfSent
			r.flags |= fReconfDone
		}
		if r.has(fReconfSent|fReconfInprog) || r.link.disconnected {
			continue
		}
		if s.sendSlaveOf(r, &to) {
			r.flags |= fReconfSent
			r.slaveReconfSent = s.now
			s.emit(Notice, "+slave-reconf-sent", r, "")
			inProgress++
		}
	}
	s.detectEnd(m)
}

// detectEnd is T5's detect-end.
func (s *Sentinel) detectEnd(m *instance) {
	p := m.promoted
	if p == nil || p.has(fSDown) {
		return
	}
	notReconfigured := 0
	for _, r := range m.replicas {
		if !r.has(fPromoted|fReconfDone) && !r.has(fSDown) {
			notReconfigured++
		}
	}
	timedOut := false
	if s.now.Sub(m.failoverStateAt) > m.failoverTimeout {
		notReconfigured = 0
		timedOut = true
		s.emit(Warning, "+failover-end-for-timeout", m, "")
	}
	if notReconfigured == 0 {
		s.emit(Warning, "+failover-end", m, "")
		s.setState(m, stateUpdateConfig)
	}
	if timedOut {
		to := p.addr
		for _, r := range m.replicas {
			if r.has(fPromoted|fReconfDone|fReconfSent) || r.link.disconnected {
				continue
			}
			if s.sendSlaveOf(r, &to) {
				s.emit(Notice, "+slave-reconf-sent-be", r, "")
				r.flags |= fReconfSent
			}
		}
	}
}

// startFailover is start-failover (spec §11 step 4), for SENTINEL FAILOVER:
// WAIT_START, a new epoch (not persisted by itself: the self-vote that
// follows persists it), +new-epoch, +try-failover and a desynchronised
// start time.
func (s *Sentinel) startFailover(m *instance) {
	s.setState(m, stateWaitStart)
	m.flags |= fFailoverInProgress
	s.currentEpoch++
	m.failoverEpoch = s.currentEpoch
	s.emitFor(Warning, "+new-epoch", m, strconv.FormatUint(s.currentEpoch, 10))
	s.emit(Warning, "+try-failover", m, "")
	s.record(facts.FailoverStart{Master: m.name, Epoch: m.failoverEpoch, Forced: true, ODown: m.has(fODown), Agreeing: s.agreeing(m),
		Quorum: m.quorum, LastAttempt: m.failoverStart, Timeout: m.failoverTimeout, Now: s.now, DownAfter: m.downAfter})
	m.failoverStart = s.now.Add(wire.Duration(s.desync()))
}
