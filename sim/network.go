package sim

import (
	"fmt"
	"math/rand/v2"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// LinkConfig sets how one directed link between two nodes behaves. Knob names
// follow TigerBeetle's packet simulator; probabilities are integer ratios.
type LinkConfig struct {
	// DelayMin, DelayMean and DelayMax bound the one-way delay of a message.
	// The delay is drawn from a two-piece uniform distribution whose mean is
	// exactly DelayMean: with probability (max-mean)/(max-min) uniform in
	// [min, mean], otherwise uniform in [mean, max]. A mean close to the
	// minimum gives the long right tail of real networks.
	DelayMin  wire.Duration
	DelayMean wire.Duration
	DelayMax  wire.Duration
	// Loss is the probability that a message is silently dropped.
	Loss Ratio
	// Duplicate is the probability that a message is delivered twice (the
	// copy gets its own delay).
	Duplicate Ratio
	// Reorder is the probability that a message may overtake the messages
	// sent before it on the same link. Without it a link is FIFO, like the
	// TCP connections Sentinel uses: a message never arrives before one sent
	// earlier on the same link.
	Reorder Ratio
	// MaxInFlight bounds the messages travelling on the link at once; a send
	// beyond it is dropped as "full" (a full socket buffer). 0 means no bound
	// other than the run's.
	MaxInFlight int
}

// LAN is a default link: sub-millisecond to a few milliseconds of delay, no
// loss, FIFO.
var LAN = LinkConfig{DelayMin: 0, DelayMean: 1, DelayMax: 5}

// Validate checks that the knobs make sense.
func (c LinkConfig) Validate() error {
	if c.DelayMin < 0 || c.DelayMean < c.DelayMin || c.DelayMax < c.DelayMean {
		return fmt.Errorf("link delay needs 0 <= min <= mean <= max, got %d/%d/%d ms", c.DelayMin, c.DelayMean, c.DelayMax)
	}
	for _, r := range []struct {
		name string
		r    Ratio
	}{{"loss", c.Loss}, {"duplicate", c.Duplicate}, {"reorder", c.Reorder}} {
		if err := r.r.Validate(); err != nil {
			return fmt.Errorf("link %s: %w", r.name, err)
		}
	}
	if c.MaxInFlight < 0 {
		return fmt.Errorf("link max in-flight must not be negative, got %d", c.MaxInFlight)
	}
	return nil
}

// String is the canonical form used in the trace.
func (c LinkConfig) String() string {
	return fmt.Sprintf("delay=%d/%d/%d loss=%s dup=%s reorder=%s inflight=%d",
		c.DelayMin, c.DelayMean, c.DelayMax, c.Loss, c.Duplicate, c.Reorder, c.MaxInFlight)
}

// drawDelay draws one delay from the link's distribution.
func (c *LinkConfig) drawDelay(rng linkRand) wire.Duration {
	span := c.DelayMax - c.DelayMin
	if span <= 0 {
		return c.DelayMin
	}
	r := wire.Duration(rng.int64N(int64(span)))
	if r < c.DelayMax-c.DelayMean {
		return c.DelayMin + wire.Duration(rng.int64N(int64(c.DelayMean-c.DelayMin)+1))
	}
	return c.DelayMean + wire.Duration(rng.int64N(int64(c.DelayMax-c.DelayMean)+1))
}

// link is the state of one directed link.
//
// A link is one cache line (64 bytes, and the links' array is aligned):
// every message reads most of it, and the links of 100 nodes are a
// 10,000-entry matrix, mostly out of the nearer caches.
type link struct {
	// cfg is the link's settings: the world's default (Config.Network) or a
	// copy of its own (set with custom by World.configure).
	cfg *LinkConfig
	rng linkRand // the link's own stream, made on first use
	// lastAt is the latest arrival time given to a message on the link, to
	// keep it FIFO.
	lastAt wire.Time
	// streams holds the state of each direction of each TCP connection
	// from this link's sender to its receiver (tcp.go), by streamKey.id.
	streams []linkStream
	// inFlight counts messages sent on the link and not yet delivered or
	// dropped.
	inFlight int32
	// flapsDown counts the flappers currently holding this link down.
	flapsDown int32
	// stalled counts the TCP streams on the link with segments waiting for
	// retransmission (World.Stalled).
	stalled int32
	// cut is set by scripted partitions and cleared by heals.
	cut bool
	// custom: cfg is not the network's default.
	custom bool
}

func (l *link) down() bool { return l.cut || l.flapsDown > 0 }

// impaired reports whether the link is not clear by its own state: down,
// stalled or not at the network's default settings.
func (l *link) impaired() bool { return l.down() || l.stalled > 0 || l.custom }

// change runs f, which may change l's state, and keeps World.impaired (the
// count of impaired links) right.
func (w *World) change(l *link, f func(l *link)) {
	was := l.impaired()
	f(l)
	switch now := l.impaired(); {
	case now && !was:
		w.impaired++
	case was && !now:
		w.impaired--
	}
}

func (l *link) full() bool { return l.cfg.MaxInFlight > 0 && int(l.inFlight) >= l.cfg.MaxInFlight }

// FlapSpec makes a link or a node alternate down and up.
type FlapSpec struct {
	// Down and Up are how long each phase lasts.
	Down wire.Duration
	Up   wire.Duration
	// Jitter widens every phase by a uniform draw in [-Jitter, +Jitter]; a
	// phase never lasts less than 1 ms.
	Jitter wire.Duration
	// For is how long the flapping goes on; 0 means until the next heal.
	For wire.Duration
}

// Validate checks the periods.
func (s FlapSpec) Validate() error {
	if s.Down <= 0 || s.Up <= 0 || s.Jitter < 0 || s.For < 0 {
		return fmt.Errorf("flap needs down > 0, up > 0, jitter >= 0, for >= 0; got down=%d up=%d jitter=%d for=%d", s.Down, s.Up, s.Jitter, s.For)
	}
	return nil
}

// flapper drives one flapping fault.
type flapper struct {
	id     int
	label  string   // what flaps, for the trace: "s1>r1", "s1<>r1" or "node s1"
	links  [][2]int // the directed links it holds down (from, to)
	spec   FlapSpec
	rng    *rand.Rand // its own stream, so flaps do not perturb each other
	isDown bool
	until  wire.Time // 0: until healed
	done   bool
}

func (f *flapper) phase(d wire.Duration) wire.Duration {
	if f.spec.Jitter > 0 {
		d += wire.Duration(f.rng.Int64N(int64(2*f.spec.Jitter)+1)) - f.spec.Jitter
	}
	return max(d, 1)
}
