package sentinel

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sentinel/conf"
)

// persist shares the previous file's entry of a master whose state gives
// the same entry, and builds it again after any change of what the entry
// holds: the shared result equals the one built afresh after each change.
func TestPersistedMastersShareOnlyUnchangedEntries(t *testing.T) {
	c, err := conf.Parse("sentinel.conf", []byte("sentinel monitor a 10.0.0.1 6379 2\nsentinel monitor b 10.0.0.2 6379 2\n"))
	require.NoError(t, err)
	s := &Sentinel{conf: c}
	for _, mc := range c.Masters {
		m := &instance{kind: kindMaster, name: mc.Name, addr: mc.Addr, quorum: mc.Quorum}
		m.replicas = []*instance{{kind: kindReplica, master: m, addr: wire.Addr{Host: "10.0.1.1", Port: 6379}}}
		m.sentinels = []*instance{{kind: kindSentinel, master: m, addr: wire.Addr{Host: "10.0.2.1", Port: 26379}, runID: "r1"}}
		s.masters = append(s.masters, m)
	}
	a := s.masters[0]
	for _, change := range []struct {
		what string
		do   func()
	}{
		{"nothing", func() {}},
		{"a sentinel's run id", func() { a.sentinels[0].runID = "r2" }},
		{"a sentinel's address", func() { a.sentinels[0].addr.Port = 26380 }},
		{"a new sentinel", func() {
			a.sentinels = append(a.sentinels, &instance{kind: kindSentinel, master: a, addr: wire.Addr{Host: "10.0.2.2", Port: 26379}, runID: "r3"})
		}},
		{"a replica's address", func() { a.replicas[0].addr.Host = "10.0.1.2" }},
		{"a replica gone", func() { a.replicas = nil }},
		{"the master's address", func() { a.addr = wire.Addr{Host: "10.0.0.9", Port: 6380} }},
		{"the config epoch", func() { a.configEpoch = 4 }},
		{"the leader epoch", func() { a.leaderEpoch = 5 }},
	} {
		prev := s.persistedMasters(nil)
		change.do()
		kept, fresh := s.persistedMasters(prev), s.persistedMasters(nil)
		require.Equal(t, fresh, kept, change.what)
		// The other master's entry is the previous one, not a copy.
		require.Same(t, &prev[1].KnownSentinels[0], &kept[1].KnownSentinels[0], change.what)
		if change.what != "nothing" {
			require.NotEqual(t, prev[0], kept[0], change.what)
		} else {
			require.Same(t, &prev[0].KnownSentinels[0], &kept[0].KnownSentinels[0])
		}
	}
}
