package sentinel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Quiet groups: a tick visits every record 10–19 times a second (spec
// §3.2), and with many masters nearly every visit finds nothing to do: no
// command is due, no timeout has passed. After visiting a master's group
// (the master, its replicas, its sentinels) the tick works out, for each
// record, the earliest time at which its visit could act (recordDue), and
// skips the group's visits before the earliest of them, and then the
// visits of its records whose time has not come, unless something woke the
// group: a reply or a message that changes what the visit reads, a closed
// connection, a command, a new epoch. A record's visit changes only its own
// record while the group is quiet, but for the master's, whose ask resets
// old votes of its sentinel records (counted in the master's due time).
// A skipped visit is one that would have changed nothing, so the
// behaviour and the trace are those of visiting every record: QuietCheck
// runs the skipped visits anyway and panics if one acts, and the tests run
// with it.
//
// What a visit reads comes in three kinds, and each has its rule:
//   - the time: every time test of handle-instance is now−t > d, true
//     from t+d+1 on; recordDue takes the earliest of them;
//   - the group's own state (flags, roles, the failover state): only
//     visits, replies to the group's commands, hellos and commands change
//     it, and those wake the group (or every group);
//   - a link shared with other groups (the sentinel records of one peer
//     share a link, spec §5.5): other groups' visits and replies change it
//     without waking this group, so recordDue reads it as the latest
//     such change could leave it: its times only move later (a PING sets
//     last_ping_time and, if unset, act_ping_time to now; a PONG clears
//     act_ping_time and sets last_pong_time to now), so a deadline computed
//     from the times now is never later than the true one, taking an unset
//     act_ping_time as "set now". A shared link that drops (closeConn)
//     wakes every group. A PING due on a shared link is its owner's, the
//     first record in tick order that uses it (linkOwners): the others'
//     visits would find it sent, so their groups need no visit for it.

// QuietMode says how the tick treats quiet groups.
type QuietMode uint8

const (
	// QuietSkip skips a quiet group's visits (the default).
	QuietSkip QuietMode = iota
	// QuietCheck visits quiet groups anyway and panics if a visit acts: a
	// test of the rules above, run by the test suites. The behaviour is
	// QuietSkip's, only slower.
	QuietCheck
	// QuietOff visits every group at every tick, as sentinel.c does.
	QuietOff
)

// Quiet is how every Sentinel treats quiet groups. Test binaries
// (internal/quietcheck) and the CLI (SENTINELSIM_QUIET) set it before
// running anything; it is never changed during a run.
var Quiet = QuietSkip

// quietSlot is what the tick knows of a group: no visit before until,
// while gen is the sentinel's wakeGen (0: visit at the next tick).
type quietSlot struct {
	until wire.Time
	gen   uint64
}

// wakeAll makes the next tick visit every group. Records may have come or
// gone, so the links' owners are found again too.
func (s *Sentinel) wakeAll() { s.wakeGen++; s.ownersStale = true }

// linkOwners sets each link's owner: the first record in tick order that
// uses it. The tick visits records in that order, so at a tick where a
// PING on a shared link is due for a record it is due for the owner too
// (when the owner's period is not longer), and the owner sends it first:
// the other records' visits would find it just sent.
func (s *Sentinel) linkOwners() {
	s.ownersStale = false
	for _, m := range s.masters {
		for _, r := range m.sentinels {
			r.link.owner = nil
		}
	}
	for _, m := range s.masters {
		for _, r := range m.sentinels {
			if r.link.owner == nil {
				r.link.owner = r
			}
		}
	}
}

// wake makes the next tick visit r's group.
func (s *Sentinel) wake(r *instance) {
	m := r
	if r.master != nil {
		m = r.master
	}
	// A record of a removed master may still get a late reply: its slot is
	// another master's now, or gone, and the spurious wake is harmless.
	if m.slot < len(s.quiet) {
		s.quiet[m.slot].gen = 0
	}
}

// quietValid reports whether the group at slot i has a quiet time and its
// records their due times, and nothing woke it since: the tick skips it
// before that time and visits only its due records after. (Working out a
// new quiet time when the old one has passed, before visiting, skips more
// visits of a small cluster but costs the many-masters shape more than it
// saves: its visits are mostly due.)
func (s *Sentinel) quietValid(i int) bool {
	q := s.quiet[i]
	return Quiet != QuietOff && q.gen != 0 && q.gen == s.wakeGen && !s.tilt
}

// quietEligible reports whether m's group can be quiet at all: no TILT, no
// failover, the master neither down nor forced over.
func (s *Sentinel) quietEligible(m *instance) bool {
	return !s.tilt && !s.dead && m.failoverState == stateNone && !m.has(fSDown|fODown|fFailoverInProgress|fForceFailover)
}

// visitDue visits a group whose quiet time has come and that nothing woke:
// only the records whose own due time has come are handled (in tick
// order), the others' visits would change nothing. Once a handled record
// wakes anything or the group stops being eligible, the rest are handled
// as in a full visit, and visitDue returns true (settle then works out
// every record's due time again).
func (s *Sentinel) visitDue(m *instance) (full bool) {
	gen := s.wakeGen
	one := func(r *instance) {
		switch {
		case full || r.due <= s.now:
			s.handle(r)
		case Quiet == QuietCheck:
			s.handleChecked(m, r)
		}
		full = full || s.wakeGen != gen || !s.quietEligible(m)
	}
	one(m)
	for _, r := range m.replicas {
		one(r)
	}
	for _, r := range m.sentinels {
		one(r)
	}
	return full
}

// settle records group m's quiet time after a visit: the earliest due time
// of its records, worked out again for every record after a full visit,
// and after a partial one for those handled (a due time that had come).
func (s *Sentinel) settle(m *instance, full bool) {
	if Quiet == QuietOff {
		return
	}
	if !s.quietEligible(m) {
		s.quiet[m.slot].gen = 0
		return
	}
	if s.ownersStale {
		s.linkOwners()
	}
	until := wire.Time(math.MaxInt64)
	ok := true
	due := func(r *instance) {
		if ok && (full || r.due <= s.now) {
			r.due, ok = s.recordDue(r)
			if ok && r == m {
				r.due = min(r.due, s.askResetDue(m))
			}
		}
		until = min(until, r.due)
	}
	due(m)
	for _, r := range m.replicas {
		due(r)
	}
	for _, r := range m.sentinels {
		due(r)
	}
	if !ok {
		s.quiet[m.slot].gen = 0
		return
	}
	s.quiet[m.slot] = quietSlot{until: until, gen: s.wakeGen}
}

// askResetDue is when ask, run by the master's visit, resets an old vote of
// one of its sentinel records (spec §9.1); the rest of ask needs the
// master SDOWN.
func (s *Sentinel) askResetDue(m *instance) wire.Time {
	due := wire.Time(math.MaxInt64)
	for _, r := range m.sentinels {
		if r.has(fMasterDown) || r.leader != "" {
			due = min(due, after(r.lastMasterDownReplyTime, 5*s.timing.AskPeriod))
		}
	}
	return due
}

// after is the first time at which now.Sub(t) > d holds.
func after(t wire.Time, d wire.Duration) wire.Time { return t.Add(d + 1) }

// recordDue is the earliest time handle could act on r (reconnect,
// periodic, checkSDown, recycle); ok is false when it could act at any
// tick.
func (s *Sentinel) recordDue(r *instance) (due wire.Time, ok bool) {
	l := r.link
	if r.has(fSDown) || l.disconnected || l.pendingCommands >= maxPending*l.refs {
		return 0, false
	}
	due = math.MaxInt64
	// periodic (spec §6).
	if r.kind != kindSentinel {
		if r.infoRefresh == 0 {
			return 0, false
		}
		period := s.timing.InfoPeriod
		if r.kind == kindReplica && r.masterLinkDownTime != 0 {
			period = 1000 // (the master's ODOWN and failover keep the group awake)
		}
		due = min(due, after(r.infoRefresh, period))
	}
	// A PING on a shared link is the owner's to send (linkOwners) unless
	// this record's period is the shorter.
	period := min(r.downAfter, s.timing.PingPeriod)
	if o := l.owner; o == nil || o == r || r.kind != kindSentinel || min(o.downAfter, s.timing.PingPeriod) > period {
		ping := after(l.lastPongTime, period)
		if l.lastPingTime != 0 {
			ping = max(ping, after(l.lastPingTime, period/2))
		}
		due = min(due, ping)
	}
	due = min(due, after(r.lastPubTime, s.timing.PublishPeriod))
	// checkSDown (spec §8.1): an unset act_ping_time may be set by another
	// group's PING on a shared link, at the earliest now.
	act := l.actPingTime
	if act == 0 {
		act = s.now
	}
	due = min(due, after(act, r.downAfter))
	if r.kind == kindMaster && r.roleReported == roleSlave {
		due = min(due, after(r.roleReportedTime, r.downAfter+2*s.timing.InfoPeriod))
	}
	if r.has(fMasterReboot) {
		due = min(due, after(r.rebootSince, r.rebootDownAfter))
	}
	// recycle (spec §5.3): all of its conditions at once.
	if l.cc != nil {
		due = min(due, max(after(l.ccConnTime, s.timing.MinLinkReconnectPeriod),
			after(act, r.downAfter/2), after(l.lastPongTime, r.downAfter/2)))
	}
	if l.pc != nil {
		due = min(due, max(after(l.pcConnTime, s.timing.MinLinkReconnectPeriod),
			after(l.pcLastActivity, 3*s.timing.PublishPeriod)))
	}
	return due, true
}

// visitChecked is a skipped group visit run under QuietCheck.
func (s *Sentinel) visitChecked(m *instance) {
	s.checkNoEffect(m, s.groupRecords(m), "visit of master "+m.name, func() { s.visit(m) })
}

// handleChecked is a record's visit skipped by visitDue, run under
// QuietCheck.
func (s *Sentinel) handleChecked(m, r *instance) {
	records := []*instance{r} // (a replica's or sentinel's visit changes only its record)
	if r == m {
		records = s.groupRecords(m)
	}
	s.checkNoEffect(m, records, "visit of "+r.kind.String()+" "+r.name+" of master "+m.name, func() { s.handle(r) })
}

// groupRecords lists m's group in tick order.
func (s *Sentinel) groupRecords(m *instance) []*instance {
	return append(append([]*instance{m}, m.replicas...), m.sentinels...)
}

// checkNoEffect runs a skipped visit, which must change none of records
// (of m's group) or their links and make no call on the Env, and panics
// if it does.
func (s *Sentinel) checkNoEffect(m *instance, records []*instance, what string, visit func()) {
	type snapshot struct {
		r    *instance
		rec  instance
		link link
	}
	before := make([]snapshot, 0, len(records))
	for _, r := range records {
		before = append(before, snapshot{r, *r, *r.link})
	}
	size := len(m.replicas) + len(m.sentinels)
	epoch, dirty, events, conns := s.currentEpoch, s.dirty, len(s.events), s.nextConn
	env := &countingEnv{Env: s.env}
	s.env = env
	visit()
	s.env = env.Env
	problem := ""
	switch {
	case env.calls != 0:
		problem = fmt.Sprintf("%d calls on the Env (%s)", env.calls, env.last)
	case s.currentEpoch != epoch || s.dirty != dirty || len(s.events) != events || s.nextConn != conns || s.tilt:
		problem = "the sentinel's state changed"
	case len(m.replicas)+len(m.sentinels) != size:
		problem = "the group's records changed"
	}
	for i := 0; problem == "" && i < len(before); i++ {
		b := before[i]
		if !reflect.DeepEqual(b.rec, *b.r) || !reflect.DeepEqual(b.link, *b.r.link) {
			problem = fmt.Sprintf("record %s %s changed", b.r.kind, b.r.name)
		}
	}
	if problem != "" {
		panic(fmt.Sprintf("sentinel: a skipped %s at %d acted: %s (quiet until %d)",
			what, s.now, problem, s.quiet[m.slot].until))
	}
}

// countingEnv counts the calls a visit makes on its Env.
type countingEnv struct {
	wire.Env
	calls int
	last  string
}

func (e *countingEnv) note(what string) { e.calls++; e.last = what }

func (e *countingEnv) Rand() *rand.Rand { e.note("Rand"); return e.Env.Rand() }
func (e *countingEnv) Send(to wire.NodeID, p wire.Payload) {
	e.note("Send " + fmt.Sprint(p))
	e.Env.Send(to, p)
}
func (e *countingEnv) After(d wire.Duration, tag uint64) { e.note("After"); e.Env.After(d, tag) }
func (e *countingEnv) Persist(state []byte)              { e.note("Persist"); e.Env.Persist(state) }
func (e *countingEnv) Emit(event string)                 { e.note("Emit " + event); e.Env.Emit(event) }

// Record forwards facts (the visit would record one only when it acts).
func (e *countingEnv) Record(f wire.Fact) {
	e.note(fmt.Sprintf("Record %T", f))
	if r, ok := e.Env.(wire.Recorder); ok {
		r.Record(f)
	}
}
