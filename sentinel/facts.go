package sentinel

import (
	"github.com/sentinelsim/sentinelsim/internal/facts"
	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// record hands a decision to the Env when it keeps facts (the simulator
// does); it never changes what the sentinel does.
func (s *Sentinel) record(f wire.Fact) {
	if r, ok := s.env.(wire.Recorder); ok {
		r.Record(f)
	}
}

// agreeing counts the sentinels, this one included, that see m down now:
// the count ODOWN compares with the quorum (spec §8.2).
func (s *Sentinel) agreeing(m *instance) int {
	if !m.has(fSDown) {
		return 0
	}
	n := 1
	for _, r := range m.sentinels {
		if r.has(fMasterDown) {
			n++
		}
	}
	return n
}

// candidateFact is a replica as replica selection sees it.
func (s *Sentinel) candidateFact(r *instance) facts.Candidate {
	return facts.Candidate{
		Addr: r.addr, RunID: r.runID, Priority: r.slavePriority, Offset: r.slaveReplOffset,
		Down: r.has(fSDown | fODown), Disconnected: r.link.disconnected,
		PingAge: s.now.Sub(r.link.lastAvailTime), InfoAge: s.now.Sub(r.infoRefresh),
		MasterLinkDownMs: r.masterLinkDownTime,
	}
}
