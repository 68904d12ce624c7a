package sentinel

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/acl"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sentinel/conf"
)

// captureEnv records what the engine persists and sends.
type captureEnv struct {
	saved []byte
	sent  []wire.Message
}

func (e *captureEnv) Self() wire.NodeID       { return 0 }
func (e *captureEnv) Name(wire.NodeID) string { return "x" }
func (e *captureEnv) Now() wire.Time          { return 1000 }
func (e *captureEnv) Mono() wire.Time         { return 1000 }
func (e *captureEnv) Rand() *rand.Rand        { return rand.New(rand.NewPCG(1, 1)) }
func (e *captureEnv) Send(to wire.NodeID, p wire.Payload) {
	e.sent = append(e.sent, wire.Message{To: to, Payload: p})
}
func (e *captureEnv) After(wire.Duration, uint64) {}
func (e *captureEnv) Persist(b []byte)            { e.saved = append([]byte(nil), b...) }
func (e *captureEnv) Emit(string)                 {}

// Spec §24.3: once the failover reached RECONF_SLAVES the file names the
// promoted replica as the master, and the old master in its place among the
// replicas — so a sentinel that crashes right after +promoted-slave restarts
// on the new address instead of failing over a second time.
func TestPersistNamesThePromotedReplicaDuringReconf(t *testing.T) {
	old, promoted, other := wire.Addr{Host: "10.0.0.1", Port: 6379}, wire.Addr{Host: "10.0.0.2", Port: 6379}, wire.Addr{Host: "10.0.0.3", Port: 6379}
	env := &captureEnv{}
	s := &Sentinel{env: env, myID: "0123456789012345678901234567890123456789", currentEpoch: 1, conf: conf.New()}
	s.conf.Masters = []conf.Master{conf.NewMaster("mymaster", old, 2)}
	m := s.newMaster(s.conf.Masters[0])
	s.setMasters([]*instance{m})
	p := s.addReplica(m, promoted)
	s.addReplica(m, other)
	m.flags |= fFailoverInProgress
	m.promoted, m.failoverState, m.configEpoch = p, stateReconfSlaves, 1
	s.persist()
	c, err := conf.Parse("sentinel.conf", env.saved)
	require.NoError(t, err, "%s", env.saved)
	require.Len(t, c.Masters, 1)
	assert.Equal(t, promoted, c.Masters[0].Addr)
	assert.Equal(t, uint64(1), c.Masters[0].ConfigEpoch)
	assert.ElementsMatch(t, []wire.Addr{old, other}, c.Masters[0].KnownReplicas)

	m.failoverState = stateWaitPromotion // before RECONF_SLAVES: still the old address
	s.persist()
	c, err = conf.Parse("sentinel.conf", env.saved)
	require.NoError(t, err)
	assert.Equal(t, old, c.Masters[0].Addr)
}

// A reply that arrives after a missing one shows the connection lost data,
// which TCP never does: the connection is closed (and reopened later)
// instead of leaking pending commands until the cap stops all monitoring.
func TestMissingReplyClosesTheConnection(t *testing.T) {
	env := &captureEnv{}
	s := &Sentinel{env: env, conns: map[wire.ConnID]*conn{}}
	r := &instance{link: newLink(0)}
	c := &conn{id: 7, node: 3, owner: r.link}
	s.conns[7] = c
	r.link.cc = c
	r.link.disconnected = false
	for range 3 {
		s.send(c, cPing, r, "PING")
	}
	require.EqualValues(t, 3, r.link.pendingCommands)
	s.onReply(3, &wire.Reply{Conn: 7, Seq: 1, Value: wire.Status("PONG")})
	assert.EqualValues(t, 2, r.link.pendingCommands)
	s.onReply(3, &wire.Reply{Conn: 7, Seq: 3, Value: wire.Status("PONG")}) // the reply to #2 never came
	assert.Nil(t, r.link.cc, "the connection is dropped")
	assert.Zero(t, r.link.pendingCommands)
	assert.True(t, r.link.disconnected)
}

// A peer that restarted numbers its connections from 1 again; an Open on an
// id we know starts a new connection instead of being taken for a
// duplicate.
func TestReusedConnectionIDIsANewConnection(t *testing.T) {
	env := &captureEnv{}
	s := &Sentinel{env: env, clients: map[clientKey]*client{}, users: acl.New(sentinelKnown, sentinelCategories)}
	for seq := uint64(1); seq <= 5; seq++ {
		s.serve(4, &wire.Command{Conn: 1, Seq: seq, Open: seq == 1, Args: []string{"PING"}})
	}
	require.Len(t, env.sent, 5)
	s.serve(4, &wire.Command{Conn: 1, Seq: 1, Open: true, Args: []string{"PING"}})
	assert.Len(t, env.sent, 6, "the restarted peer's first command is answered")
	s.serve(4, &wire.Command{Conn: 1, Seq: 1, Open: true, Args: []string{"PING"}})
	assert.Len(t, env.sent, 6, "a duplicated opening is still ignored")
}
