package sentinel

import (
	"slices"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/facts"
	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// selectReplica is spec §13: the best replica that passes every filter, or
// nil.
func (s *Sentinel) selectReplica(m *instance) *instance {
	maxDown, freshness := s.selectionLimits(m)
	var candidates []*instance
	for _, r := range m.replicas {
		switch {
		case r.has(fSDown | fODown), r.link.disconnected,
			s.now.Sub(r.link.lastAvailTime) > 5*s.timing.PingPeriod,
			r.slavePriority == 0 && !s.profile.PromotePriorityZero, // mutant-promote-priority-0
			s.now.Sub(r.infoRefresh) > freshness,
			r.masterLinkDownTime > int64(maxDown):
			continue
		}
		candidates = append(candidates, r)
	}
	if len(candidates) == 0 {
		return nil
	}
	sortReplicas(candidates)
	return candidates[0]
}

// selectionLimits are spec §13's limits given the master's state: the
// longest master link downtime a candidate may have (10 × down-after, plus
// the time the master has been SDOWN) and the oldest INFO it may have
// (3 × info period, or 5 × ping period while the master is SDOWN).
func (s *Sentinel) selectionLimits(m *instance) (maxDown, freshness wire.Duration) {
	maxDown, freshness = 10*m.downAfter, 3*s.timing.InfoPeriod
	if m.has(fSDown) {
		maxDown += s.now.Sub(m.sDownSince)
		freshness = 5 * s.timing.PingPeriod
	}
	return maxDown, freshness
}

// recordSelection records the selection a failover made (not the check
// SENTINEL FAILOVER makes before starting one), with the inputs of every
// filter as selectReplica saw them.
func (s *Sentinel) recordSelection(m *instance, chosen *instance) {
	if _, ok := s.env.(wire.Recorder); !ok {
		return
	}
	maxDown, freshness := s.selectionLimits(m)
	f := facts.Selected{Master: m.name, Epoch: m.failoverEpoch, MaxPingAge: 5 * s.timing.PingPeriod,
		MaxInfoAge: freshness, MaxLinkDownMs: int64(maxDown)}
	if chosen != nil {
		f.Chosen = chosen.addr
	}
	for _, r := range m.replicas {
		f.Candidates = append(f.Candidates, s.candidateFact(r))
	}
	s.record(f)
}

// sortReplicas orders replicas best first (stable: equal ones keep their
// discovery order).
func sortReplicas(rs []*instance) { slices.SortStableFunc(rs, compareReplicas) }

// compareReplicas orders candidates best first: lower priority, higher
// offset, then smaller run id (case-insensitive), an unknown run id last.
func compareReplicas(a, b *instance) int {
	switch {
	case a.slavePriority != b.slavePriority:
		return a.slavePriority - b.slavePriority
	case a.slaveReplOffset > b.slaveReplOffset:
		return -1
	case a.slaveReplOffset < b.slaveReplOffset:
		return 1
	case a.runID == "" && b.runID == "":
		return 0
	case a.runID == "":
		return 1
	case b.runID == "":
		return -1
	}
	return strings.Compare(strings.ToLower(a.runID), strings.ToLower(b.runID))
}
