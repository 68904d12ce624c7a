package sim_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sim"
)

// got is what a connection endpoint received, with when.
type got struct {
	at      wire.Time
	payload string
}

// tcpPair is a client that sends commands on connection 1 at the given
// times (the first one opens it) and a server that records them; the
// client records what comes back (resets).
func tcpPair(t *testing.T, cfg sim.Config, sends ...wire.Time) (c *cluster, client, server wire.NodeID, atServer, atClient *[]got) {
	t.Helper()
	c = newCluster(t, cfg)
	atServer, atClient = &[]got{}, &[]got{}
	var err error
	server, err = c.w.AddNode(sim.NodeSpec{Name: "srv", Start: func() sim.Process {
		return &funcs{recv: func(_ wire.Env, m wire.Message) {
			*atServer = append(*atServer, got{c.w.Now(), m.Payload.String()})
		}}
	}})
	require.NoError(t, err)
	client, err = c.w.AddNode(sim.NodeSpec{Name: "cli", Start: func() sim.Process {
		seq := uint64(0)
		return &funcs{
			boot: func(ctx wire.Env, _ []byte) {
				for i, at := range sends {
					ctx.After(wire.Duration(at), uint64(i))
				}
			},
			fire: func(ctx wire.Env, _ uint64) {
				seq++
				ctx.Send(server, &wire.Command{Conn: 1, Seq: seq, Open: seq == 1, Args: []string{"PING"}})
			},
			recv: func(_ wire.Env, m wire.Message) {
				*atClient = append(*atClient, got{c.w.Now(), m.Payload.String()})
			},
		}
	}})
	require.NoError(t, err)
	return c, client, server, atServer, atClient
}

// A connection's segments sent into a partition are retransmitted, not
// lost: they arrive, in order, at the first retransmission after the heal
// (a connect 1, 2, 4, ... s after the first try; data after 200 ms,
// doubling), and a segment sent after the heal waits behind them.
func TestTCPRetransmitsAcrossAPartitionInOrder(t *testing.T) {
	c, cli, srv, atServer, _ := tcpPair(t, sim.Config{Seed: 1, Network: fixed(10)}, 100, 1000, 1100, 5200)
	ids := []wire.NodeID{cli}
	rest := []wire.NodeID{srv}
	require.NoError(t, c.w.Schedule(50, sim.Partition{Groups: [][]wire.NodeID{ids, rest}}))
	require.NoError(t, c.w.Schedule(5000, sim.Heal{}))
	var during, afterHeal bool
	c.w.At(4000, func(w *sim.World) { during = w.Stalled(cli, srv) })
	c.w.At(6000, func(w *sim.World) { afterHeal = w.Stalled(cli, srv) })
	c.runUntil(60_000)
	require.True(t, during, "stalled while cut")
	require.True(t, afterHeal, "still stalled after the heal, until the retransmission at 7.1 s")
	require.False(t, c.w.Stalled(cli, srv))

	// The connect at 100 ms is retried at 1.1, 3.1, 7.1 s: the first try
	// after the heal (5 s) carries it and the two commands behind it; the
	// command sent at 5.2 s waits for them, then goes.
	require.Equal(t, []got{
		{7110, "c1 #1 open PING"}, {7110, "c1 #2 PING"}, {7110, "c1 #3 PING"}, {7110, "c1 #4 PING"},
	}, *atServer)
	lines := c.lines()
	require.Len(t, grep(lines, "stall"), 4)
	require.Equal(t, []wire.Time{1100, 3100}, times(grep(lines, "rto")))
	require.Len(t, grep(lines, "resend"), 4)
	require.Empty(t, grep(lines, "drop"))
}

// A connect into a partition that never heals fails after Linux's 127 s,
// and the client hears it as a reset; data stuck on an established
// connection fails after about 924.6 s (tcp_retries2 15).
func TestTCPGivesUp(t *testing.T) {
	t.Run("connect", func(t *testing.T) {
		c, _, srv, atServer, atClient := tcpPair(t, sim.Config{Seed: 1, Network: fixed(10)}, 100)
		require.NoError(t, c.w.Schedule(50, sim.Isolate{Node: srv}))
		c.runUntil(400_000)
		require.Empty(t, *atServer)
		require.Equal(t, []got{{127_100, "RST c1 #1 open PING"}}, *atClient)
	})
	t.Run("data", func(t *testing.T) {
		c, _, srv, atServer, atClient := tcpPair(t, sim.Config{Seed: 1, Network: fixed(10)}, 100, 1000)
		require.NoError(t, c.w.Schedule(500, sim.Isolate{Node: srv}))
		c.runUntil(2_000_000)
		require.Equal(t, []got{{110, "c1 #1 open PING"}}, *atServer)
		// 0.2+0.4+...+102.4 s, then five times 120 s, then 120 s more.
		require.Equal(t, []got{{1000 + 924_600, "RST c1 #2 PING"}}, *atClient)
	})
}

// Random loss on a connection delays its segments by a retransmission; it
// never loses one, and order holds. Payloads that are not segments are
// still lost.
func TestTCPLossIsDelay(t *testing.T) {
	lossy := fixed(10)
	lossy.Loss = sim.Ratio{Num: 1, Den: 2}
	var sends []wire.Time
	for i := range 200 {
		sends = append(sends, wire.Time(100+50*i))
	}
	c, _, _, atServer, _ := tcpPair(t, sim.Config{Seed: 7, Network: lossy}, sends...)
	c.runUntil(120_000)
	require.Len(t, *atServer, 200)
	for i, g := range *atServer {
		require.Contains(t, g.payload, "#"+strconv.Itoa(i+1)+" ")
		require.GreaterOrEqual(t, g.at, sends[i]+10)
	}
	require.NotEmpty(t, grep(c.lines(), "stall"))
}

// A sender that crashes takes what waits for retransmission with it.
func TestTCPSenderCrashAbandonsStream(t *testing.T) {
	c, cli, srv, atServer, _ := tcpPair(t, sim.Config{Seed: 1, Network: fixed(10)}, 100, 200)
	require.NoError(t, c.w.Schedule(50, sim.Isolate{Node: srv}))
	require.NoError(t, c.w.Schedule(500, sim.Crash{Node: cli}))
	require.NoError(t, c.w.Schedule(600, sim.Heal{}))
	c.runUntil(10_000)
	require.Empty(t, *atServer)
	require.Len(t, grep(c.lines(), "drop"), 2)
}

// Segments sent to a host that is down wait like any others, and when the
// host is back they reach a process that never had the connection: the
// sender gets a reset, and the new process's own connection with the same
// number does not wait behind them.
func TestTCPSegmentsToADeadHostAreReset(t *testing.T) {
	c, _, srv, atServer, atClient := tcpPair(t, sim.Config{Seed: 1, Network: fixed(10)}, 100, 2000)
	require.NoError(t, c.w.Schedule(1000, sim.Crash{Node: srv, Host: true}))
	require.NoError(t, c.w.Schedule(1500, sim.Isolate{Node: srv}))
	require.NoError(t, c.w.Schedule(3000, sim.Restart{Node: srv}))
	require.NoError(t, c.w.Schedule(3100, sim.Heal{}))
	c.runUntil(20_000)
	require.Equal(t, []got{{110, "c1 #1 open PING"}}, *atServer)
	require.Len(t, *atClient, 1)
	require.Equal(t, "RST c1 #2 PING", (*atClient)[0].payload)
	require.Equal(t, 1, len(grep(c.lines(), "stall")), "the command sent while the host was down and cut off")
}
