package client

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Workload is what a client does: which commands, on which keys, how often
// and how many. Its zero value is a valid default (see the field comments).
type Workload struct {
	// Keys the operations pick from, uniformly. Default: ["k"].
	Keys []string
	// Weights of the commands, an integer ratio: Reads GET, Writes SET key
	// <unique value>, Incrs INCR key, Appends APPEND key <unique value>";".
	// All zero means 1 read to 1 write. Mixing INCR with SET or APPEND on
	// the same keys makes INCR fail with "ERR value is not an integer".
	Reads, Writes, Incrs, Appends int
	// Rate is the number of operations started per simulated second; the
	// gap between two starts is 1000/Rate ms. Rate and Interval are
	// exclusive; with neither the gap is DefaultInterval.
	Rate int
	// Interval is the gap between the starts of two operations. An
	// operation that takes longer than the gap (retries, timeouts) delays
	// the next one: one operation is in flight at a time.
	Interval wire.Duration
	// Jitter adds a uniform random [0, Jitter] to every gap, drawn from the
	// node's stream, so clients started together drift apart.
	Jitter wire.Duration
	// Start delays the first operation after boot.
	Start wire.Duration
	// MaxOps bounds the operations of one incarnation of the client
	// (attempts are bounded separately by the retry policy). Default
	// DefaultMaxOps; at most MaxMaxOps.
	MaxOps int
}

// Workload defaults and limits.
const (
	DefaultInterval = 100 * wire.Millisecond
	DefaultMaxOps   = 10_000
	MaxMaxOps       = 10_000_000
)

// opKind is a command of the workload.
type opKind uint8

const (
	opGet opKind = iota
	opSet
	opIncr
	opAppend
)

// withDefaults validates w and fills in its defaults.
func (w Workload) withDefaults() (Workload, error) {
	if len(w.Keys) == 0 {
		w.Keys = []string{"k"}
	}
	for i, k := range w.Keys {
		if k == "" {
			return w, fmt.Errorf("workload: key %d is empty", i)
		}
	}
	if w.Reads < 0 || w.Writes < 0 || w.Incrs < 0 || w.Appends < 0 {
		return w, fmt.Errorf("workload: negative weight in reads:writes:incrs:appends %d:%d:%d:%d", w.Reads, w.Writes, w.Incrs, w.Appends)
	}
	if w.Reads+w.Writes+w.Incrs+w.Appends == 0 {
		w.Reads, w.Writes = 1, 1
	}
	switch {
	case w.Rate < 0 || w.Interval < 0 || w.Jitter < 0 || w.Start < 0:
		return w, errors.New("workload: rate, interval, jitter and start must not be negative")
	case w.Rate > 0 && w.Interval > 0:
		return w, fmt.Errorf("workload: give a rate (%d/s) or an interval (%s), not both", w.Rate, w.Interval)
	case w.Rate > 1000:
		return w, fmt.Errorf("workload: rate %d/s is above 1000/s, the finest the millisecond clock can pace", w.Rate)
	case w.Rate > 0:
		w.Interval = wire.Second / wire.Duration(w.Rate)
	case w.Interval == 0:
		w.Interval = DefaultInterval
	}
	switch {
	case w.MaxOps < 0 || w.MaxOps > MaxMaxOps:
		return w, fmt.Errorf("workload: max ops %d is outside 0..%d", w.MaxOps, MaxMaxOps)
	case w.MaxOps == 0:
		w.MaxOps = DefaultMaxOps
	}
	return w, nil
}

// pick draws the command and the key of the next operation.
func (w *Workload) pick(env wire.Env) (opKind, string) {
	r := env.Rand().IntN(w.Reads + w.Writes + w.Incrs + w.Appends)
	kind := opGet
	switch {
	case r < w.Reads:
	case r < w.Reads+w.Writes:
		kind = opSet
	case r < w.Reads+w.Writes+w.Incrs:
		kind = opIncr
	default:
		kind = opAppend
	}
	key := w.Keys[0]
	if len(w.Keys) > 1 {
		key = w.Keys[env.Rand().IntN(len(w.Keys))]
	}
	return kind, key
}

// gap draws the time between two operation starts.
func (w *Workload) gap(env wire.Env) wire.Duration {
	d := w.Interval
	if w.Jitter > 0 {
		d += wire.Duration(env.Rand().Int64N(int64(w.Jitter) + 1))
	}
	return d
}

// args builds the command of one attempt; value is unique to the client and
// the attempt.
func (k opKind) args(key, value string) []string {
	switch k {
	case opSet:
		return []string{"SET", key, value}
	case opIncr:
		return []string{"INCR", key}
	case opAppend:
		return []string{"APPEND", key, value + ";"}
	}
	return []string{"GET", key}
}

// uniqueValue names attempt n of a client's incarnation inc: "c1-7" in the
// first incarnation, "c1.2-7" in the second.
func uniqueValue(name string, inc uint64, n uint64) string {
	if inc <= 1 {
		return name + "-" + strconv.FormatUint(n, 10)
	}
	return name + "." + strconv.FormatUint(inc, 10) + "-" + strconv.FormatUint(n, 10)
}
