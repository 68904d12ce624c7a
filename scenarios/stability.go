package scenarios

import (
	"fmt"
	"strings"

	"github.com/sentinelsim/sentinelsim/checker"
	"github.com/sentinelsim/sentinelsim/internal/facts"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/model"
	"github.com/sentinelsim/sentinelsim/sentinel"
	"github.com/sentinelsim/sentinelsim/sim"
)

// RuleStable is the stability promise: a failover needs a quorum of
// sentinels that really lost the master.
const RuleStable = "no failover unless a quorum of sentinels lost the master for down-after (spec §8)"

// stabilitySample is how often the ground truth is sampled.
const stabilitySample = 100 * wire.Millisecond

// stabilitySlack widens the window in which a sentinel counts as having
// lost the master: a sentinel that lost its link keeps no valid reply
// until it reconnects (up to the 15 s reconnection period, spec §5.2) and
// PINGs again (a ping period); answers to is-master-down-by-addr count
// for 5 s; plus the sampling step and a second of margin. Found by the
// fuzzer: a failover 13 s after a heal is Sentinel reconnecting, not a
// false alarm.
const stabilitySlack = 15*wire.Second + wire.Second + 5*wire.Second + stabilitySample + wire.Second

// sampleHealth records, for every sentinel and the master it monitors,
// the last time the simulator's ground truth said the sentinel could not
// get a valid reply from that master: the master down, paused, slowed,
// blocked (DEBUG SLEEP, a script), failing its disk (MISCONF), reporting
// itself a replica, a link either way cut, flapping or degraded, TCP
// segments either way waiting for retransmission (a connect stuck in its
// SYN retries outlives the cut that caused it), or the
// sentinel itself paused or slowed. Anything doubtful counts as lost, so
// the rule only fires on failovers with no excuse.
func (r *runner) sampleHealth(w *sim.World) {
	r.sampleOnce(w)
	if w.Flapping() {
		r.flapTime += stabilitySample
	}
	if next := w.Now().Add(stabilitySample); next < wire.Time(r.f.Duration) {
		w.At(next, r.sampleFn)
	}
}

// sampleOnce takes one sample of the ground truth: every 100 ms and right
// after every fault (sim.Config.AfterFault), so that a fault shorter than
// the sampling step is seen too. A slow-down counts until what it delayed
// has arrived (sim.World.SlowedUntil).
func (r *runner) sampleOnce(w *sim.World) {
	now := w.Now()
	r.samples++
	allClear := w.AllClear() // mostly: no link to look at per master
	// Mostly every redis process serves and no link is impaired: then a
	// sentinel whose masters' addresses are all redis processes lost none
	// of them, and its masters need no look one by one.
	allServe := allClear && r.redisesServe()
	for _, x := range r.procs {
		if x.kind != kindSentinel || !w.Up(x.id) {
			continue
		}
		s, ok := w.Process(x.id).(*sentinel.Sentinel)
		if !ok {
			continue
		}
		selfBad := w.Paused(x.id) || w.SlowedUntil(x.id) > now
		c := r.masterProcsOf(x.id, s)
		// (Test binaries look anyway, and panic if that finds a loss.)
		skip := allServe && !selfBad && c.allRedis
		if skip && sentinel.Quiet != sentinel.QuietCheck {
			continue
		}
		cache := c.procs
		for i := range cache {
			// The ground truth of "the sentinel gets valid replies from the
			// master" (no process at the address: it does not).
			if selfBad || !r.serves(cache[i].p) || !allClear && !w.Clear(x.id, cache[i].p.id) {
				if skip {
					panic(fmt.Sprintf("scenarios: sentinel %s lost master %d in a sample that skipped it", x.name, i))
				}
				name, _ := s.MasterAddr(i)
				if r.lastLost[x.name] == nil {
					r.lastLost[x.name] = map[string]wire.Time{}
				}
				r.lastLost[x.name][name] = now
			}
		}
	}
}

// masterProcs is, for one sentinel process, the process at each of its
// masters' current addresses.
type masterProcs struct {
	s     *sentinel.Sentinel
	gen   uint64 // s.MasterAddrGen() when procs was last brought up to date
	procs []addrProc
	// allRedis: every address is a redis process's (none is nobody's, a
	// sentinel's or a client's).
	allRedis bool
}

// redisesServe reports whether every redis process serves (serves) at this
// sample.
func (r *runner) redisesServe() bool {
	for _, p := range r.redises {
		if !r.serves(p) {
			return false
		}
	}
	return true
}

// masterProcsOf returns the process at each of s's masters' addresses. Each
// is found by address once while the address stays the same (hashing
// addresses was most of this sampler's cost with 100 masters), and the
// addresses are read again only when the sentinel's MasterAddrGen moved
// (reading 100 masters' records ten times a second was most of what was
// left); test binaries (sentinel.QuietCheck) read them every time and
// panic if the kept ones are stale.
func (r *runner) masterProcsOf(id wire.NodeID, s *sentinel.Sentinel) *masterProcs {
	c := r.masterProcs[id]
	if c == nil {
		c = &masterProcs{}
		r.masterProcs[id] = c
	}
	gen := s.MasterAddrGen()
	if c.s == s && c.gen == gen && len(c.procs) == s.MasterCount() {
		if sentinel.Quiet == sentinel.QuietCheck {
			for i, ap := range c.procs {
				if _, addr := s.MasterAddr(i); addr != ap.addr {
					panic(fmt.Sprintf("scenarios: master %d of %s moved to %s without a new MasterAddrGen (kept %s)", i, r.byID[id].name, addr, ap.addr))
				}
			}
		}
		return c
	}
	if c.s != s || len(c.procs) != s.MasterCount() {
		c.procs = make([]addrProc, s.MasterCount())
	}
	c.s, c.gen, c.allRedis = s, gen, true
	for i := range c.procs {
		_, addr := s.MasterAddr(i)
		ap := &c.procs[i]
		if ap.p == nil || ap.addr != addr {
			ap.addr, ap.p = addr, r.atAddr(addr)
		}
		c.allRedis = c.allRedis && ap.p != nil && ap.p.kind == kindRedis
	}
	return c
}

// serves is serving, worked out once per sample; false for no process.
// (Small enough to inline: a sample asks it of every redis process, and
// of every master of each sentinel whose masters it looks at one by one.)
func (r *runner) serves(p *proc) bool {
	if p != nil && p.servedAt == r.samples {
		return p.served
	}
	return r.servesNow(p)
}

// servesNow is serves for a process not yet asked about in this sample
// (kept out of line, so that serves inlines).
//
//go:noinline
func (r *runner) servesNow(p *proc) bool {
	if p == nil {
		return false
	}
	p.served, p.servedAt = r.serving(p), r.samples
	return p.served
}

// serving is healthy's half that does not depend on the sentinel: the
// process at the address is up, awake, not slowed, and a master that
// answers.
func (r *runner) serving(p *proc) bool {
	w := r.w
	if !w.Up(p.id) || w.Paused(p.id) || w.SlowedUntil(p.id) > w.Now() {
		return false
	}
	n, ok := w.Process(p.id).(*model.Node)
	// A master restarted in the last 30 s may be seen as rebooted (spec
	// §25.5, master-reboot-down-after-period): counted as lost.
	if at, ok := r.rebootedAt(p); ok && w.Now().Sub(at) < 30*wire.Second {
		return false
	}
	return ok && n.Responsive() && n.ReplicaOf().IsZero()
}

// rebootedAt is when p last restarted (rebooted), looked up only when some
// process ever did: serving asks it of every master at every sample.
func (r *runner) rebootedAt(p *proc) (wire.Time, bool) {
	if len(r.rebooted) == 0 {
		return 0, false
	}
	at, ok := r.rebooted[p.name]
	return at, ok
}

// addrProc caches the process at an address.
type addrProc struct {
	addr wire.Addr
	p    *proc
}

// Flaws of the real Sentinel 7.0.15 that break the stability promise; the
// engine does what the real binary does, so a failover they explain is
// reported as a finding, not held against the run (README, "Flaws of
// Sentinel the fuzzer found").
const (
	// FlawResetAfterReconnect (F1): a sentinel that resets its record of
	// the master (+switch-master, +reset-master) just after it opened the
	// link sets act_ping_time to now, but may not reconnect and PING
	// before the 1 s reconnection throttle (last_reconn_time, spec §5.2)
	// lets it; with down-after at most about a second, the check that
	// follows the reconnection finds the healthy master SDOWN. Reproduced
	// on redis-sentinel 7.0.15.
	FlawResetAfterReconnect = "F1 reset-after-reconnect"
	// FlawStaleAfterTilt (F2): sentinelHandleRedisInstance skips the
	// acting half during TILT, so at the ticks that leave TILT the
	// sentinel's own SDOWN (its links were not recycled during TILT) and
	// its peers' SRI_MASTER_DOWN replies (cleared after 5 s only in
	// sentinelAskMasterStateToOtherSentinels, which runs after
	// sentinelStartFailoverIfNeeded) are as old as the TILT: ODOWN and a
	// failover can come from opinions 30 s old.
	FlawStaleAfterTilt = "F2 stale-after-tilt"
	// FlawBackwardClock (F3): Sentinel times everything with the wall
	// clock (spec §18), so after the clock steps back by J ms the
	// reconnection throttle (now - last_reconn_time < 1 s, spec §5.2) and
	// the PING period hold for J ms: a link closed in that time (a
	// switch-master learnt from a hello, which TILT does not stop) is not
	// reopened, and the check after TILT finds the healthy master SDOWN.
	FlawBackwardClock = "F3 backward-clock"
)

// backJump is a backward step of a node's clock by by ms at at.
type backJump struct {
	at wire.Time
	by wire.Duration
}

// resetWindow bounds how long after a reset flaw F1 can strike: the
// reconnection throttle (the 1 s ping period) plus a timer tick or two.
const resetWindow = 250 * wire.Millisecond

// stability judges every failover a sentinel started on its own (not
// forced): enough sentinels must have lost the master within down-after
// (and the slack) before it. A failover that only flaw F1 or F2 explains
// is reported with the flaw's name.
func (r *runner) stability() []checker.Violation {
	var out []checker.Violation
	for i, o := range r.facts {
		f, ok := o.Fact.(facts.FailoverStart)
		if !ok || f.Forced {
			continue
		}
		downAfter := f.DownAfter
		lost := r.lostSince(i, o.At.Add(-(downAfter + stabilitySlack)))
		if lost >= f.Quorum {
			continue
		}
		v := checker.Violation{Kind: checker.Stability, Rule: RuleStable, At: o.At, Node: o.Node,
			Msg: fmt.Sprintf("%s started a failover of %s in epoch %d, but only %d sentinel(s) had lost the master in the %s before (quorum %d)",
				o.Node, f.Master, f.Epoch, lost, downAfter+stabilitySlack, f.Quorum),
			Evidence: []string{fmt.Sprintf("%d fact %s %s", o.At, o.Node, f.Fact())}}
		if t, ok := r.resetAt[i][o.Node]; ok && downAfter <= wire.Second+resetWindow &&
			o.At.Sub(t) > downAfter && o.At.Sub(t) <= downAfter+resetWindow && r.sdownAt(o.Node, f.Master, o.At) {
			// F1's signature: the starter's SDOWN comes in the very tick
			// of the failover, just over down-after after the reset that
			// set act_ping_time (nothing answered since: no PING could go).
			// F1: the starter's own SDOWN came from the reset.
			if _, counted := r.lostAt[i][o.Node]; !counted || r.lostAt[i][o.Node] < o.At.Add(-(downAfter+stabilitySlack)) {
				lost++
			}
			if lost >= f.Quorum {
				v.Known = FlawResetAfterReconnect
				v.Evidence = append(v.Evidence, fmt.Sprintf("%d event %s +switch-master/+reset-master %s (%s before)", t, o.Node, f.Master, o.At.Sub(t)))
			}
		}
		if on, ok := r.tiltExit(i, o); v.Known == "" && ok {
			// F2: the opinions it acted on are as old as its TILT: a
			// quorum had lost the master when the TILT began (the ground
			// truth as it was then, not losses during the TILT).
			// Any peer opinion it counts then is one it held before the
			// TILT (no question is asked in TILT, and the 5 s expiry runs
			// after the ODOWN check): so ODOWN with peers' votes at the
			// exit is F2 by construction, as is a quorum lost at entry.
			if f.Agreeing >= 2 || r.lostBefore(o.Node, on, f.Master, on.Add(-(downAfter+stabilitySlack))) >= f.Quorum {
				v.Known = FlawStaleAfterTilt
				v.Evidence = append(v.Evidence, fmt.Sprintf("%d fact %s tilt on", on, o.Node))
			}
		}
		if v.Known == "" && r.sdownAt(o.Node, f.Master, o.At) {
			// F3: the starter's clock stepped back by J, and the failover
			// comes before J (plus TILT's aftermath and down-after) has
			// passed: its timers could not run.
			for _, j := range r.backJumps[o.Node] {
				if o.At >= j.at && o.At.Sub(j.at) <= j.by+downAfter+tiltAftermath {
					v.Known = FlawBackwardClock
					v.Evidence = append(v.Evidence, fmt.Sprintf("%d fault clock-jump %s -%dms", j.at, o.Node, j.by))
					break
				}
			}
		}
		out = append(out, v)
	}
	return out
}

// sdownAt reports whether sentinel node logged +sdown of master at time at.
func (r *runner) sdownAt(node, master string, at wire.Time) bool {
	for _, e := range r.downEvents {
		if e.At == at && e.Node == node && strings.HasPrefix(e.Text[2:], "+sdown master "+master+" ") {
			return true
		}
	}
	return false
}

// lostSince counts the sentinels that, by the ground truth snapshot taken
// at failover start i, had lost the master at or after from.
func (r *runner) lostSince(i int, from wire.Time) int {
	lost := 0
	for _, x := range r.procs {
		if x.kind == kindSentinel {
			if t, ok := r.lostAt[i][x.name]; ok && t >= from {
				lost++
			}
		}
	}
	return lost
}

// lostBefore counts the sentinels that, by the ground truth when sentinel
// node entered TILT at on, had lost master at or after from.
func (r *runner) lostBefore(node string, on wire.Time, master string, from wire.Time) int {
	snap := r.tiltLost[node][on]
	lost := 0
	for _, x := range r.procs {
		if x.kind == kindSentinel {
			if t, ok := snap[x.name][master]; ok && t >= from {
				lost++
			}
		}
	}
	return lost
}

// tiltAftermath is how long after leaving TILT a sentinel may still act on
// opinions from before it: the tick that leaves TILT recycles the stale
// link, the next one reconnects and PINGs, and the SDOWN check of that tick
// runs before the reply can arrive (found by the fuzzer: seed 17082 fails
// over one tick after the TILT exit). A ping period covers it.
const tiltAftermath = wire.Second

// tiltExit reports whether failover start i (observed as o) came within
// tiltAftermath of its sentinel leaving TILT, and when that TILT began.
func (r *runner) tiltExit(i int, o checker.Observed) (wire.Time, bool) {
	exited := false
	for j := i - 1; j >= 0; j-- {
		p := r.facts[j]
		if p.Node != o.Node {
			continue
		}
		t, ok := p.Fact.(facts.Tilt)
		if !ok {
			continue
		}
		if !t.On {
			if o.At.Sub(p.At) > tiltAftermath {
				return 0, false
			}
			exited = true
			continue
		}
		return p.At, exited
	}
	return 0, false
}
