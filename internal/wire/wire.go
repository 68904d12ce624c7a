package wire

import (
	"strconv"
	"time"
)

// NodeID names a process in a simulated world. IDs are dense small integers
// handed out by the simulator in the order processes are added, so tables
// indexed by NodeID stay compact.
type NodeID int32

// None is the NodeID of no node.
const None NodeID = -1

// Time is a point in time in milliseconds. For the simulator it counts from
// the start of the run; a node's wall clock reads Time too, shifted by the
// node's offset, drift and jumps.
type Time int64

// Duration is a span of time in milliseconds.
type Duration int64

// Common durations.
const (
	Millisecond Duration = 1
	Second      Duration = 1000 * Millisecond
	Minute      Duration = 60 * Second
	Hour        Duration = 60 * Minute
)

// Add returns t+d.
func (t Time) Add(d Duration) Time { return t + Time(d) }

// Sub returns the duration t-u.
func (t Time) Sub(u Time) Duration { return Duration(t - u) }

// String formats t as milliseconds, e.g. "1500ms".
func (t Time) String() string { return strconv.FormatInt(int64(t), 10) + "ms" }

// String formats d as milliseconds, e.g. "250ms".
func (d Duration) String() string { return strconv.FormatInt(int64(d), 10) + "ms" }

// Payload is the body of a message. The simulator never looks inside; it only
// records String() in the canonical trace, so String must be deterministic and
// describe everything about the payload that matters to a reader of the trace.
type Payload interface {
	String() string
}

// TraceAppender is a payload that can append its String text to a buffer
// without allocating; the trace uses it for the payloads of every run.
type TraceAppender interface {
	AppendTrace(b []byte) []byte
}

// AppendPayload appends p's String text to b, through AppendTrace when p
// has it.
func AppendPayload(b []byte, p Payload) []byte {
	if a, ok := p.(TraceAppender); ok {
		return a.AppendTrace(b)
	}
	return append(b, p.String()...)
}

// Message is the envelope the simulator carries from one process to another.
type Message struct {
	// ID numbers messages in the order they were sent, from 1; the trace
	// names a message by it, so a send and its delivery can be matched.
	ID      uint64
	From    NodeID
	To      NodeID
	Payload Payload
}

// Ctime formats t, read as milliseconds since the Unix epoch in UTC, the way
// C's ctime() does without its newline ("Thu Jan  1 00:02:25 1970"), as
// Redis prints times in some log lines. It only formats; it reads no clock.
func (t Time) Ctime() string {
	return time.UnixMilli(int64(t)).UTC().Format("Mon Jan _2 15:04:05 2006")
}
