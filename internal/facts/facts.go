// Package facts holds the structured records of the decisions a sentinel
// makes — a vote, the start of a failover, an election, a replica
// selection with the inputs it was made from, a configuration epoch change,
// TILT — so that a checker can judge each decision against the rules of
// spec §8–§18 without parsing log lines or reaching into the engine.
//
// The engine records a fact through wire.Recorder when its Env implements
// it (the simulator does: each fact is a trace line and goes to
// sim.Config.OnFact). Facts state what the engine saw and did; they never
// say whether that was right: that is the checker's job. Times are the
// sentinel's own wall clock, as the rules use it.
package facts

import (
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Vote: the sentinel gave its vote for Master in Epoch to Candidate (a run
// id, possibly its own), spec §10.2.
type Vote struct {
	Master    string
	Epoch     uint64
	Candidate string
}

// FailoverStart: the sentinel started a failover of Master in Epoch (spec
// §11). Forced is SENTINEL FAILOVER. Agreeing counts the sentinels
// (itself included) that saw the master down when it started, against
// Quorum. LastAttempt is when the previous attempt (or a vote for another
// sentinel) set the failover start time, 0 if never; Timeout is the
// master's failover-timeout: a start before LastAttempt + 2 × Timeout
// breaks the gate.
type FailoverStart struct {
	Master      string
	Epoch       uint64
	Forced      bool
	ODown       bool
	Agreeing    int
	Quorum      int
	LastAttempt wire.Time
	Timeout     wire.Duration
	Now         wire.Time
	// DownAfter is the master's down-after-milliseconds then (SENTINEL SET
	// may have changed it since the configuration was read).
	DownAfter wire.Duration
}

// Start: the sentinel process started (boot or restart) with RunID and the
// current epoch it persisted; it is not in TILT.
type Start struct {
	RunID        string
	CurrentEpoch uint64
}

// Elected: the sentinel found itself leader for Master in Epoch with Votes
// of Voters known sentinels (spec §10.3); Forced failovers skip the count.
type Elected struct {
	Master string
	Epoch  uint64
	Votes  int
	Voters int
	Quorum int
	Forced bool
	// Known are the run ids of the other sentinels it knew for Master:
	// the electorate its majority was taken over (with itself).
	Known []string
}

// Candidate is a replica as selection saw it, with the raw inputs of the
// spec §13 filters.
type Candidate struct {
	Addr             wire.Addr
	RunID            string
	Priority         int
	Offset           uint64
	Down             bool          // SDOWN or ODOWN
	Disconnected     bool          // its link
	PingAge          wire.Duration // since its last valid PING reply
	InfoAge          wire.Duration // since its last INFO
	MasterLinkDownMs int64
}

// Selected: the replica selection of a failover (spec §13). Chosen is the
// zero address when none qualified. The limits are those the filters use
// given the master's state: MaxPingAge (5 × ping period), MaxInfoAge
// (3 × info period, or 5 × ping period while the master is SDOWN) and
// MaxLinkDownMs (10 × down-after, plus the time the master has been SDOWN).
type Selected struct {
	Master        string
	Epoch         uint64
	Chosen        wire.Addr
	Candidates    []Candidate
	MaxPingAge    wire.Duration
	MaxInfoAge    wire.Duration
	MaxLinkDownMs int64
}

// ConfigEpoch: the sentinel's configuration epoch of Master went from From
// to To, because it promoted Addr itself (Source "promotion") or adopted a
// peer's configuration from a hello (Source "hello").
type ConfigEpoch struct {
	Master string
	From   uint64
	To     uint64
	Addr   wire.Addr
	Source string
	// Forced: a promotion that an operator's SENTINEL FAILOVER made,
	// without an election.
	Forced bool
}

// Tilt: the sentinel entered (On) or left TILT mode (spec §18).
type Tilt struct{ On bool }

// Reconfigure: the sentinel sent the spec §14 transaction to Target,
// making it a replica of To (zero: SLAVEOF NO ONE), while handling Master.
type Reconfigure struct {
	Master string
	Target wire.Addr
	To     wire.Addr
}

// Fact methods: the text each fact has in the trace.

func (f Vote) Fact() string {
	return "vote " + f.Master + " epoch=" + u(f.Epoch) + " for=" + f.Candidate
}

func (f FailoverStart) Fact() string {
	return "failover-start " + f.Master + " epoch=" + u(f.Epoch) + " forced=" + b(f.Forced) + " odown=" + b(f.ODown) +
		" agreeing=" + strconv.Itoa(f.Agreeing) + "/" + strconv.Itoa(f.Quorum) +
		" last-attempt=" + strconv.FormatInt(int64(f.LastAttempt), 10) + " timeout=" + strconv.FormatInt(int64(f.Timeout), 10) +
		" now=" + strconv.FormatInt(int64(f.Now), 10) + " down-after=" + strconv.FormatInt(int64(f.DownAfter), 10)
}

func (f Start) Fact() string { return "start " + f.RunID + " epoch=" + u(f.CurrentEpoch) }

func (f Elected) Fact() string {
	return "elected " + f.Master + " epoch=" + u(f.Epoch) + " votes=" + strconv.Itoa(f.Votes) + "/" + strconv.Itoa(f.Voters) +
		" quorum=" + strconv.Itoa(f.Quorum) + " forced=" + b(f.Forced) + " known=" + strconv.Itoa(len(f.Known)) + ":" + strings.Join(f.Known, ",")
}

func (f Selected) Fact() string {
	var sb strings.Builder
	sb.WriteString("selected " + f.Master + " epoch=" + u(f.Epoch) + " chosen=" + f.Chosen.String() +
		" max-ping=" + strconv.FormatInt(int64(f.MaxPingAge), 10) + " max-info=" + strconv.FormatInt(int64(f.MaxInfoAge), 10) +
		" max-linkdown=" + strconv.FormatInt(f.MaxLinkDownMs, 10))
	for _, c := range f.Candidates {
		sb.WriteString(" [" + c.Addr.String() + " id=" + c.RunID + " prio=" + strconv.Itoa(c.Priority) + " offset=" + u(c.Offset) +
			" down=" + b(c.Down) + " disc=" + b(c.Disconnected) + " ping=" + strconv.FormatInt(int64(c.PingAge), 10) +
			" info=" + strconv.FormatInt(int64(c.InfoAge), 10) + " linkdown=" + strconv.FormatInt(c.MasterLinkDownMs, 10) + "]")
	}
	return sb.String()
}

func (f ConfigEpoch) Fact() string {
	s := "config-epoch " + f.Master + " " + u(f.From) + "->" + u(f.To) + " " + f.Addr.String() + " via=" + f.Source
	if f.Forced {
		s += " forced"
	}
	return s
}

func (f Tilt) Fact() string {
	if f.On {
		return "tilt on"
	}
	return "tilt off"
}

func (f Reconfigure) Fact() string {
	to := "NO ONE"
	if !f.To.IsZero() {
		to = f.To.String()
	}
	return "reconfigure " + f.Master + " " + f.Target.String() + " slaveof " + to
}

func u(v uint64) string { return strconv.FormatUint(v, 10) }

func b(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}
