package sentinel_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sentinel"
	"github.com/sentinelsim/sentinelsim/sim"
)

// asker sends commands to one sentinel at given times and keeps the replies.
type asker struct {
	to      wire.NodeID
	at      []wire.Duration
	cmds    [][]string
	replies *[]wire.Value
	seq     uint64
}

func (a *asker) Boot(env wire.Env, _ []byte) {
	for i, t := range a.at {
		env.After(t, uint64(i))
	}
}
func (a *asker) Fire(env wire.Env, i uint64) {
	a.seq++
	env.Send(a.to, &wire.Command{Conn: 1, Seq: a.seq, Open: a.seq == 1, Args: a.cmds[i]})
}
func (a *asker) Receive(_ wire.Env, m wire.Message) {
	if r, ok := m.Payload.(*wire.Reply); ok {
		*a.replies = append(*a.replies, r.Value)
	}
}

func TestSentinelReplyShapes(t *testing.T) {
	c := newCluster(t, 7, sentinel.MasterConfig{Quorum: 2, DownAfter: 5000, FailoverTimeout: 60_000})
	replies := &[]wire.Value{}
	s1 := c.ids["s1"]
	cmds := [][]string{
		{"SENTINEL", "master", "mymaster"},
		{"SENTINEL", "replicas", "mymaster"},
		{"SENTINEL", "sentinels", "mymaster"},
		{"SENTINEL", "get-master-addr-by-name", "mymaster"},
		{"SENTINEL", "get-master-addr-by-name", "nope"},
		{"SENTINEL", "is-master-down-by-addr", "10.0.0.1", "6379", "0", "*"},
		{"SENTINEL", "master", "nope"},
		{"PUBLISH", "other", "x"},
		{"ROLE"},
	}
	at := make([]wire.Duration, len(cmds))
	for i := range at {
		at[i] = wire.Duration(15_000 + i*10)
	}
	_, err := c.w.AddNode(sim.NodeSpec{Name: "cli", Start: func() sim.Process {
		return &asker{to: s1, at: at, cmds: cmds, replies: replies}
	}})
	require.NoError(t, err)
	c.run(16 * wire.Second)
	require.Len(t, *replies, len(cmds))
	r := *replies

	m := r[0].Array
	require.Len(t, m, 2*20, "a healthy master's map: 20 fields")
	assert.Equal(t, "num-other-sentinels", m[32].Str, "index 33 holds num-other-sentinels (spec §22.3, Redis test 11)")
	assert.Equal(t, "2", m[33].Str)
	assert.Equal(t, "flags", m[8].Str)
	assert.Equal(t, "master", m[9].Str)
	assert.Len(t, r[1].Array, 2, "two replicas")
	assert.Len(t, r[2].Array, 2, "two other sentinels")
	assert.Equal(t, `["10.0.0.1" "6379"]`, r[3].String())
	assert.Equal(t, "(nil)", r[4].String())
	assert.Equal(t, `[:0 "*" :0]`, r[5].String())
	assert.Equal(t, "-ERR No such master with that name", r[6].String())
	assert.Equal(t, "-ERR Only HELLO messages are accepted by Sentinel instances.", r[7].String())
	assert.Equal(t, `["sentinel" ["mymaster"]]`, r[8].String())
}
