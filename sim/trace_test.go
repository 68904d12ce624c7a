package sim_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sim"
)

// shortHash is the content hash a persist line carries: the first 8 hex
// digits of the SHA-256 of the state.
func shortHash(state string) string {
	sum := sha256.Sum256([]byte(state))
	return hex.EncodeToString(sum[:4])
}

// Text that processes hand to the trace (events, payloads, panic values)
// cannot forge lines: control bytes are escaped, so every record is one
// line.
func TestTraceEscapesControlBytes(t *testing.T) {
	c := newWorld(t, sim.Config{Seed: 50},
		sim.NodeSpec{Name: "a", Start: func() sim.Process {
			return &funcs{
				boot: func(ctx wire.Env, _ []byte) {
					ctx.Emit("fake\n0 fault heal")
					ctx.Send(1, text("p\r\tq\x01\x7f"))
					ctx.After(10, 0)
				},
				fire: func(wire.Env, uint64) { panic("bad\nstop") },
			}
		}},
		sim.NodeSpec{Name: "b", Start: func() sim.Process { return &funcs{} }})
	out := c.w.RunFor(wire.Second)
	require.Equal(t, sim.ProcessPanic, out.Stop)
	var raw []string
	for _, l := range c.lines() {
		raw = append(raw, l.raw)
	}
	require.Equal(t, []string{
		"0 boot a",
		`0 event a fake\n0 fault heal`,
		`0 send #1 a>b p\r\tq\x01\x7f`,
		"0 boot b",
		`0 recv #1 a>b`,
		`10 stop panic process a panicked: bad\nstop`,
	}, raw)
	require.Equal(t, uint64(len(raw)), c.w.Trace().Lines())
}

// Node names go into every line raw, so they may not hold control bytes.
func TestNodeNamesRejectControlBytes(t *testing.T) {
	w, err := sim.New(sim.Config{})
	require.NoError(t, err)
	for _, name := range []string{"a\rb", "a\x00", "a\x7f", "a\x1bb"} {
		_, err := w.AddNode(sim.NodeSpec{Name: name, Start: func() sim.Process { return &funcs{} }})
		require.Error(t, err, "%q", name)
	}
}

// A persist line names the size of the state and a short hash of its
// content, so two states of the same size tell apart in the trace.
func TestPersistLineHashesTheState(t *testing.T) {
	states := []string{"aaaa", "bbbb", ""}
	c := newWorld(t, sim.Config{Seed: 51}, sim.NodeSpec{Name: "a", Start: func() sim.Process {
		i := 0
		return &funcs{
			boot: func(ctx wire.Env, _ []byte) { ctx.After(10, 0) },
			fire: func(ctx wire.Env, _ uint64) {
				ctx.Persist([]byte(states[i]))
				if i++; i < len(states) {
					ctx.After(10, 0)
				}
			},
		}
	}})
	c.runUntil(100)
	var got []string
	for _, l := range grep(c.lines(), "persist") {
		got = append(got, strings.Join(l.rest, " "))
	}
	require.Equal(t, []string{
		"a 4B sha256=" + shortHash("aaaa"),
		"a 4B sha256=" + shortHash("bbbb"),
		"a 0B sha256=" + shortHash(""),
	}, got)
	require.NotEqual(t, got[0], got[1])
}
