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
// (the master, its replicas, its sentinels) the tick works out the earliest
// time at which a visit could act (groupQuietUntil), and skips the group's
// visits before that time unless something woke it: a reply or a message
// that changes what the visit reads, a closed connection, a command, a new
// epoch. A skipped visit is one that would have changed nothing, so the
// behaviour and the trace are those of visiting every record: QuietCheck
// runs the skipped visits anyway and panics if one acts, and the tests run
// with it.
//
// What a visit reads comes in three kinds, and each has its rule:
//   - the time: every time test of handle-instance is now−t > d, true
//     from t+d+1 on; groupQuietUntil takes the earliest of them;
//   - the group's own state (flags, roles, the failover state): only
//     visits, replies to the group's commands, hellos and commands change
//     it, and those wake the group (or every group);
//   - a link shared with other groups (the sentinel records of one peer
//     share a link, spec §5.5): other groups' visits and replies change it
//     without waking this group, so groupQuietUntil reads it as the latest
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

// Quiet is how every Sentinel treats quiet groups. Tests and benchmarks set
// it before running anything; it is never changed during a run.
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

// isQuiet reports whether the group at slot i may be skipped now.
// (Working out a new quiet time when the old one has passed, before
// visiting, skips more visits of a small cluster but costs the
// many-masters shape more than it saves: its visits are mostly due.)
func (s *Sentinel) isQuiet(i int) bool {
	q := s.quiet[i]
	return Quiet != QuietOff && q.gen != 0 && q.gen == s.wakeGen && s.now < q.until && !s.tilt
}

// settle records group m's quiet time after a visit.
func (s *Sentinel) settle(m *instance) {
	if Quiet == QuietOff {
		return
	}
	until, ok := s.groupQuietUntil(m)
	if !ok {
		s.quiet[m.slot].gen = 0
		return
	}
	s.quiet[m.slot] = quietSlot{until: until, gen: s.wakeGen}
}

// groupQuietUntil is the earliest time a visit of m's group could act; ok
// is false when the next tick must visit it whatever the time (TILT, a
// failover, a record down or disconnected).
func (s *Sentinel) groupQuietUntil(m *instance) (until wire.Time, ok bool) {
	if s.tilt || s.dead || m.failoverState != stateNone || m.has(fSDown|fODown|fFailoverInProgress|fForceFailover) {
		return 0, false
	}
	if s.ownersStale {
		s.linkOwners()
	}
	until = math.MaxInt64
	if !s.recordQuietUntil(m, &until) {
		return 0, false
	}
	for _, r := range m.replicas {
		if !s.recordQuietUntil(r, &until) {
			return 0, false
		}
	}
	for _, r := range m.sentinels {
		if !s.recordQuietUntil(r, &until) {
			return 0, false
		}
		// ask's reset of an old vote (spec §9.1); the rest of ask needs
		// the master SDOWN.
		if r.has(fMasterDown) || r.leader != "" {
			until = min(until, after(r.lastMasterDownReplyTime, 5*s.timing.AskPeriod))
		}
	}
	return until, true
}

// after is the first time at which now.Sub(t) > d holds.
func after(t wire.Time, d wire.Duration) wire.Time { return t.Add(d + 1) }

// recordQuietUntil lowers until to the earliest time handle could act on r
// (reconnect, periodic, checkSDown, recycle), or returns false when it
// could act at any tick.
func (s *Sentinel) recordQuietUntil(r *instance, until *wire.Time) bool {
	l := r.link
	if r.has(fSDown) || l.disconnected || l.pendingCommands >= maxPending*l.refs {
		return false
	}
	due := *until
	// periodic (spec §6).
	if r.kind != kindSentinel {
		if r.infoRefresh == 0 {
			return false
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
	*until = due
	return true
}

// visitChecked is a skipped visit run under QuietCheck: it must change no
// record or link of the group and make no call on the Env.
func (s *Sentinel) visitChecked(m *instance) {
	type snapshot struct {
		r    *instance
		rec  instance
		link link
	}
	var before []snapshot
	keep := func(r *instance) { before = append(before, snapshot{r, *r, *r.link}) }
	keep(m)
	for _, r := range m.replicas {
		keep(r)
	}
	for _, r := range m.sentinels {
		keep(r)
	}
	epoch, dirty, events, conns := s.currentEpoch, s.dirty, len(s.events), s.nextConn
	env := &countingEnv{Env: s.env}
	s.env = env
	s.visit(m)
	s.env = env.Env
	problem := ""
	switch {
	case env.calls != 0:
		problem = fmt.Sprintf("%d calls on the Env (%s)", env.calls, env.last)
	case s.currentEpoch != epoch || s.dirty != dirty || len(s.events) != events || s.nextConn != conns || s.tilt:
		problem = "the sentinel's state changed"
	case len(m.replicas)+len(m.sentinels)+1 != len(before):
		problem = "the group's records changed"
	}
	for i := 0; problem == "" && i < len(before); i++ {
		b := before[i]
		if !reflect.DeepEqual(b.rec, *b.r) || !reflect.DeepEqual(b.link, *b.r.link) {
			problem = fmt.Sprintf("record %s %s changed", b.r.kind, b.r.name)
		}
	}
	if problem != "" {
		panic(fmt.Sprintf("sentinel: a skipped visit of master %s at %d acted: %s (quiet until %d)",
			m.name, s.now, problem, s.quiet[m.slot].until))
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
