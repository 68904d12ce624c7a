package sentinel

import "github.com/sentinelsim/sentinelsim/internal/wire"

// MasterView is what a sentinel currently believes about one monitored
// master: the answer of SENTINEL GET-MASTER-ADDR-BY-NAME (the promoted
// replica's address while a failover is past promotion, spec §22.2) and the
// epochs behind it. Scenarios read it to resolve "the current master" and
// "the leader"; nothing in the engine depends on it.
type MasterView struct {
	Name          string
	Addr          wire.Addr
	ConfigEpoch   uint64
	FailoverEpoch uint64 // the epoch of this sentinel's latest failover attempt
	InFailover    bool
	SDown, ODown  bool
}

// Masters returns the sentinel's view of every monitored master, in
// configuration order; nil before the process booted.
func (s *Sentinel) Masters() []MasterView {
	out := make([]MasterView, 0, len(s.masters))
	for _, m := range s.masters {
		out = append(out, MasterView{
			Name: m.name, Addr: m.currentAddr(), ConfigEpoch: m.configEpoch, FailoverEpoch: m.failoverEpoch,
			InFailover: m.has(fFailoverInProgress), SDown: m.has(fSDown), ODown: m.has(fODown),
		})
	}
	return out
}

// MasterCount is the number of monitored masters; MasterAddr(i) gives the
// name and current address of the i-th, in configuration order: what the
// stability checker reads ten times a simulated second, without building
// Masters' views.
func (s *Sentinel) MasterCount() int { return len(s.masters) }

// MasterAddr returns the name and current address of the i-th master.
func (s *Sentinel) MasterAddr(i int) (string, wire.Addr) {
	m := s.masters[i]
	return m.name, m.currentAddr()
}

// MasterAddrGen changes whenever the masters or a master's current address
// (MasterAddr) may have changed: a caller that looks at every master's
// address often can keep them while it stays the same. (It counts the
// masters' replacements and the failover state changes, which every change
// of an address goes with: a switch resets the failover state, and the
// promoted replica becomes the current address at a state change.)
func (s *Sentinel) MasterAddrGen() uint64 { return s.addrGen }

// CurrentEpoch is the sentinel's current epoch (spec §10.1).
func (s *Sentinel) CurrentEpoch() uint64 { return s.currentEpoch }

// Tilt reports whether the sentinel is in TILT mode (spec §18).
func (s *Sentinel) Tilt() bool { return s.tilt }

// TickVisits returns how many times the tick visited a master's group (the
// master, its replicas and sentinels) and how many visits it skipped as
// quiet (sentinel/quiet.go), since the sentinel was made.
func (s *Sentinel) TickVisits() (visited, skipped uint64) { return s.visits, s.skips }
