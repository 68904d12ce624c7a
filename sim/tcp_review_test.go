package sim_test

// Review tests for sim/tcp.go. Each fails on 064ac2d and shows one defect.

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sim"
)

func payloads(gs []got) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.payload)
	}
	return out
}

// Segment #1 is in flight when the link is cut; #2 is sent into the cut and
// stalls first (it creates the stream). #1 then arrives at the cut link and
// is queued BEHIND #2: after the heal the server gets #2 before #1.
func TestReviewTCPInFlightSegmentQueuedBehindLaterOne(t *testing.T) {
	c, cli, srv, atServer, _ := tcpPair(t, sim.Config{Seed: 1, Network: fixed(10)}, 100, 106)
	require.NoError(t, c.w.Schedule(105, sim.Partition{Groups: [][]wire.NodeID{{cli}, {srv}}}))
	require.NoError(t, c.w.Schedule(150, sim.Heal{}))
	c.runUntil(10_000)
	require.Equal(t, []string{"c1 #1 open PING", "c1 #2 PING"}, payloads(*atServer))
	require.Zero(t, c.w.Stats().InFlight)
}

// Segment #1 stalls at arrival (cut for 3 ms); #2, sent while the client is
// slowed, is still in flight when #1's retransmission fires at 310 ms and
// the stream is deleted. #1's resend is FIFO-clamped to #2's arrival time but
// pushed after it, so #2 overtakes #1.
func TestReviewTCPResendOvertakenByInFlightSegment(t *testing.T) {
	c, cli, srv, atServer, _ := tcpPair(t, sim.Config{Seed: 1, Network: fixed(10)}, 100, 102)
	require.NoError(t, c.w.Schedule(101, sim.Slow{Node: cli, Extra: 1000}))
	require.NoError(t, c.w.Schedule(105, sim.Partition{Groups: [][]wire.NodeID{{cli}, {srv}}}))
	require.NoError(t, c.w.Schedule(115, sim.Heal{}))
	c.runUntil(10_000)
	require.Equal(t, []string{"c1 #1 open PING", "c1 #2 PING"}, payloads(*atServer))
}

// With Reorder on the link, a connection's segments reach the process out of
// order although the connection is TCP.
func TestReviewTCPReorderBreaksStreamOrder(t *testing.T) {
	cfg := sim.LinkConfig{DelayMin: 1, DelayMean: 50, DelayMax: 200, Reorder: sim.Ratio{Num: 1, Den: 2}}
	var sends []wire.Time
	for i := range 50 {
		sends = append(sends, wire.Time(100+5*i))
	}
	c, _, _, atServer, _ := tcpPair(t, sim.Config{Seed: 3, Network: cfg}, sends...)
	c.runUntil(10_000)
	for i, g := range *atServer {
		require.Truef(t, strings.Contains(g.payload, "#"+itoa(i+1)+" "), "segment %d is %q", i+1, g.payload)
	}
}

// With Duplicate on the link, a command on a TCP connection is handed to the
// server twice (TCP would discard the duplicate).
func TestReviewTCPDuplicateDeliversTwice(t *testing.T) {
	cfg := fixed(10)
	cfg.Duplicate = sim.Ratio{Num: 1, Den: 1}
	c, _, _, atServer, _ := tcpPair(t, sim.Config{Seed: 1, Network: cfg}, 100)
	c.runUntil(10_000)
	require.Len(t, *atServer, 1)
}

// A connect stuck in a partition fails after 127 s — unless the stream was
// first created by the same-numbered segment of ANOTHER connection. Here the
// server Y answers X's connection 1 (reply stalls on Y>X), then opens its own
// connection 1 to X: both share streamKey{Y, X, 1}. Y's connect waits behind
// the reply on the data schedule and, at ~924.6 s, Y is told of a reset of the
// REPLY; its own connect is dropped silently.
func TestReviewTCPConnIDsOfBothDirectionsCollide(t *testing.T) {
	c := newCluster(t, sim.Config{Seed: 1, Network: fixed(10)})
	var atY []got
	var x, y wire.NodeID
	var err error
	x, err = c.w.AddNode(sim.NodeSpec{Name: "x", Start: func() sim.Process {
		return &funcs{
			boot: func(ctx wire.Env, _ []byte) { ctx.After(100, 0) },
			fire: func(ctx wire.Env, _ uint64) {
				ctx.Send(y, &wire.Command{Conn: 1, Seq: 1, Open: true, Args: []string{"PING"}})
			},
		}
	}})
	require.NoError(t, err)
	y, err = c.w.AddNode(sim.NodeSpec{Name: "y", Start: func() sim.Process {
		return &funcs{
			boot: func(ctx wire.Env, _ []byte) { ctx.After(120, 0) },
			fire: func(ctx wire.Env, _ uint64) {
				ctx.Send(x, &wire.Command{Conn: 1, Seq: 1, Open: true, Args: []string{"PING"}})
			},
			recv: func(ctx wire.Env, m wire.Message) {
				if cmd, ok := m.Payload.(*wire.Command); ok {
					ctx.Send(m.From, &wire.Reply{Conn: cmd.Conn, Seq: cmd.Seq, Value: wire.Bulk("PONG")})
					return
				}
				atY = append(atY, got{c.w.Now(), m.Payload.String()})
			},
		}
	}})
	require.NoError(t, err)
	require.NoError(t, c.w.Schedule(50, sim.OneWay{From: []wire.NodeID{y}, To: []wire.NodeID{x}}))
	c.runUntil(1_000_000)
	require.NotEmpty(t, atY)
	require.Equal(t, "RST c1 #1 open PING", atY[0].payload, "y's own connect must fail on the SYN schedule")
	require.Equal(t, wire.Time(120+127_000), atY[0].at)
}

// The abandon in stalled() ("restarted") leaves the old stream's
// retransmission timer pending; it then drives the NEW stream with the same
// key too: two timer chains double the RTO twice as fast and count tries
// twice, so the data connection gives up long before 924.6 s.
func TestReviewTCPStaleTimerDrivesNewStream(t *testing.T) {
	c, _, srv, atServer, atClient := tcpPair(t, sim.Config{Seed: 1, Network: fixed(10)}, 100, 4000)
	require.NoError(t, c.w.Schedule(50, sim.Isolate{Node: srv}))
	require.NoError(t, c.w.Schedule(2000, sim.Crash{Node: srv}))
	require.NoError(t, c.w.Schedule(2500, sim.Restart{Node: srv}))
	c.runUntil(2_000_000)
	require.Empty(t, *atServer)
	// The connect never completed: TCP gives up on it 127 s after it began,
	// with what waited behind it.
	require.Equal(t, []got{{100 + 127_000, "RST c1 #1 open PING"}}, *atClient)
}

func itoa(i int) string { return strconv.Itoa(i) }

// In-flight accounting across pauses, crashes, duplicates and stalls: the
// run must end with nothing in flight.
func TestReviewTCPInFlightReturnsToZero(t *testing.T) {
	cfg := sim.LinkConfig{DelayMin: 1, DelayMean: 20, DelayMax: 80, Loss: sim.Ratio{Num: 1, Den: 4}, Duplicate: sim.Ratio{Num: 1, Den: 4}}
	var sends []wire.Time
	for i := range 300 {
		sends = append(sends, wire.Time(100+37*i))
	}
	for seed := uint64(1); seed <= 20; seed++ {
		c, cli, srv, _, _ := tcpPair(t, sim.Config{Seed: seed, Network: cfg}, sends...)
		require.NoError(t, c.w.Schedule(500, sim.Pause{Node: srv}))
		require.NoError(t, c.w.Schedule(900, sim.Partition{Groups: [][]wire.NodeID{{cli}, {srv}}}))
		require.NoError(t, c.w.Schedule(2000, sim.Crash{Node: srv}))
		require.NoError(t, c.w.Schedule(2100, sim.Restart{Node: srv}))
		require.NoError(t, c.w.Schedule(3000, sim.Heal{}))
		require.NoError(t, c.w.Schedule(4000, sim.Pause{Node: cli}))
		require.NoError(t, c.w.Schedule(4300, sim.Partition{Groups: [][]wire.NodeID{{cli}, {srv}}}))
		require.NoError(t, c.w.Schedule(6000, sim.Resume{Node: cli}))
		require.NoError(t, c.w.Schedule(7000, sim.HealAll{}))
		c.runUntil(3_000_000)
		require.Zerof(t, c.w.Stats().InFlight, "seed %d", seed)
	}
}

// A host that is down gives silence, yet TCP on the sender never times out:
// the segment is dropped at send ("down", no reset because the host is down)
// instead of being retransmitted until ETIMEDOUT as for a partition.
func TestReviewTCPDeadHostNeverTimesOut(t *testing.T) {
	c, _, srv, _, atClient := tcpPair(t, sim.Config{Seed: 1, Network: fixed(10)}, 100, 2000)
	require.NoError(t, c.w.Schedule(1000, sim.Crash{Node: srv, Host: true}))
	c.runUntil(2_000_000)
	require.NotEmpty(t, *atClient, "the client should learn of the dead connection (ETIMEDOUT)")
}

// The resend after a heal enqueues every held segment without the checks
// send makes: the run's MaxInFlight bound is exceeded and never hit.
func TestReviewTCPResendBypassesInFlightBound(t *testing.T) {
	var sends []wire.Time
	for i := range 10 {
		sends = append(sends, wire.Time(100+i))
	}
	c, cli, srv, _, _ := tcpPair(t, sim.Config{Seed: 1, Network: fixed(10), Bounds: sim.Bounds{MaxInFlight: 3}}, sends...)
	require.NoError(t, c.w.Schedule(50, sim.Partition{Groups: [][]wire.NodeID{{cli}, {srv}}}))
	require.NoError(t, c.w.Schedule(150, sim.Heal{}))
	peak := 0
	for at := wire.Time(1000); at <= 1500; at++ {
		c.w.At(at, func(w *sim.World) { peak = max(peak, w.Stats().InFlight) })
	}
	out := c.w.RunUntil(5000)
	require.LessOrEqual(t, peak, 3, "outcome %v", out)
}
