package sim_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sim"
)

// note is a payload for these tests.
type note string

func (n note) String() string { return string(n) }

// pinger sends a note to its peer every 100 ms and records the resets it
// gets back, with the time.
type pinger struct {
	peer   wire.NodeID
	resets *[]string
}

func (p *pinger) Boot(env wire.Env, _ []byte) { env.After(100, 0) }
func (p *pinger) Fire(env wire.Env, _ uint64) {
	env.Send(p.peer, note("ping"))
	env.After(100, 0)
}
func (p *pinger) Receive(env wire.Env, m wire.Message) {
	if r, ok := m.Payload.(*wire.Reset); ok {
		*p.resets = append(*p.resets, r.String()+" from "+env.Name(m.From)+" at "+env.Mono().String())
	}
}

// quiet receives and never answers.
type quiet struct{}

func (quiet) Boot(wire.Env, []byte)          {}
func (quiet) Fire(wire.Env, uint64)          {}
func (quiet) Receive(wire.Env, wire.Message) {}

func resetWorld(t *testing.T, delay wire.Duration) (*sim.World, *[]string, *bytes.Buffer) {
	t.Helper()
	var trace bytes.Buffer
	w, err := sim.New(sim.Config{Seed: 1, Network: sim.LinkConfig{DelayMin: delay, DelayMean: delay, DelayMax: delay}, Trace: &trace})
	require.NoError(t, err)
	resets := &[]string{}
	_, err = w.AddNode(sim.NodeSpec{Name: "a", Start: func() sim.Process { return &pinger{peer: 1, resets: resets} }})
	require.NoError(t, err)
	_, err = w.AddNode(sim.NodeSpec{Name: "b", Start: func() sim.Process { return quiet{} }})
	require.NoError(t, err)
	return w, resets, &trace
}

// A killed process (spec §5.2): its host refuses every message with a
// reset, which reaches the sender after the way back's delay; after the
// restart messages are accepted again.
func TestCrashedProcessRefusesWithResets(t *testing.T) {
	w, resets, trace := resetWorld(t, 5)
	require.NoError(t, w.Schedule(250, sim.Crash{Node: 1}))
	require.NoError(t, w.Schedule(450, sim.Restart{Node: 1}))
	require.True(t, w.RunUntil(700).OK())
	require.NoError(t, w.Trace().Flush())
	assert.Equal(t, []string{"RST ping from b at 305ms", "RST ping from b at 405ms"}, *resets,
		"the pings sent at 300 and 400 ms, while b was down, are refused; the way back takes 5 ms")
	assert.Contains(t, trace.String(), "300 reset #")
	assert.EqualValues(t, 2, w.Stats().Resets)
}

// A message in flight when the process dies, or reaching a new incarnation
// that never had the connection, is reset on arrival.
func TestInFlightMessagesToADeadOrNewProcessAreReset(t *testing.T) {
	w, resets, _ := resetWorld(t, 30)
	require.NoError(t, w.Schedule(210, sim.Crash{Node: 1}))   // the ping of 200 is in flight
	require.NoError(t, w.Schedule(520, sim.Restart{Node: 1})) // the ping of 500 is in flight
	require.NoError(t, w.Schedule(710, sim.Restart{Node: 1})) // kill -9 && start: the ping of 700 is in flight
	require.True(t, w.RunUntil(800).OK())
	assert.Equal(t, []string{
		"RST ping from b at 260ms", // sent 200, arrived 230 at a dead process
		"RST ping from b at 330ms", // sent 300 to a dead process: refused at once
		"RST ping from b at 430ms",
		"RST ping from b at 530ms", // sent 500, still to a dead process
		"RST ping from b at 760ms", // sent 700, arrived 730 at the new incarnation
	}, *resets)
}

// A crashed host, or a cut way back, answers nothing: silence, as in a
// partition.
func TestNoResetsFromADeadHostOrThroughACut(t *testing.T) {
	w, resets, _ := resetWorld(t, 5)
	require.NoError(t, w.Schedule(250, sim.Crash{Node: 1, Host: true}))
	require.NoError(t, w.Schedule(450, sim.Restart{Node: 1}))
	require.NoError(t, w.Schedule(650, sim.Crash{Node: 1}))
	require.NoError(t, w.Schedule(650, sim.OneWay{From: []wire.NodeID{1}, To: []wire.NodeID{0}}))
	require.True(t, w.RunUntil(900).OK())
	assert.Empty(t, *resets)
	assert.Zero(t, w.Stats().Resets)
}

// A reset is never answered with a reset, even when its receiver died too.
func TestResetsAreNotAnswered(t *testing.T) {
	w, _, trace := resetWorld(t, 20)
	require.NoError(t, w.Schedule(250, sim.Crash{Node: 1}))
	require.NoError(t, w.Schedule(310, sim.Crash{Node: 0})) // the reset for the ping of 300 is on its way to a
	require.True(t, w.RunUntil(400).OK())
	require.NoError(t, w.Trace().Flush())
	assert.Equal(t, 1, strings.Count(trace.String(), " reset #"), "only the ping of 300 is refused")
	assert.Contains(t, trace.String(), "down RST ping", "the reset itself is dropped at the dead a")
}
