package sentinel

import "strconv"

// Level is an event's log level, written as Redis writes it.
type Level byte

// Redis's log levels (spec §21).
const (
	Debug   Level = '.'
	Verbose Level = '-'
	Notice  Level = '*'
	Warning Level = '#'
)

// Event is one sentinel event: its type is the pub/sub channel and log token
// ("+sdown"), its message the rest of the log line (spec §20).
type Event struct {
	Level   Level
	Type    string
	Message string
}

// String is the event as the log shows it after the level: "+sdown master
// mymaster 10.0.0.1 6379".
func (e Event) String() string {
	if e.Message == "" {
		return e.Type
	}
	return e.Type + " " + e.Message
}

// describe is the instance part of an event message (spec §20.1):
//
//	master <name> <ip> <port>
//	slave <ip>:<port> <ip> <port> @ <master name> <master ip> <master port>
//	sentinel <runid> <ip> <port> @ <master name> <master ip> <master port>
//
// Addresses in their announced form (hostnames.go).
func (s *Sentinel) describe(r *instance) string {
	a := s.announced(r.addr)
	out := r.kind.String() + " " + r.name + " " + a.Host + " " + strconv.Itoa(a.Port)
	if r.master != nil {
		m := r.master
		ma := s.announced(m.addr)
		out += " @ " + m.name + " " + ma.Host + " " + strconv.Itoa(ma.Port)
	}
	return out
}

// emit records an event about an instance (nil: a global event) whose
// message starts with the instance's description (sentinelEvent's "%@").
func (s *Sentinel) emit(level Level, typ string, r *instance, extra string) {
	msg := extra
	if r != nil {
		msg = s.describe(r)
		if extra != "" {
			msg += " " + extra
		}
	}
	s.emitFor(level, typ, r, msg)
}

// emitFor records an event about r whose message does not describe it:
// +new-epoch, +vote-for-leader and +switch-master are emitted by 7.0.15
// with their master as the instance but without "%@" in the format, so
// the message is only the epoch, the vote or the addresses, while the
// master's notification script still runs for them (spec §20.1 step 3;
// sentinelEvent picks the script of ri, or of ri->master). Only +tilt,
// -tilt and the script events have no instance at all.
func (s *Sentinel) emitFor(level Level, typ string, r *instance, msg string) {
	e := Event{Level: level, Type: typ, Message: msg}
	if len(e.String()) > 1024 { // spec §2.2: log lines are truncated
		e.Message = e.Message[:1024-len(e.Type)-1]
	}
	s.events = append(s.events, e)
	if s.env != nil {
		s.env.Emit(string(level) + " " + e.String())
		s.publishEvent(e, r)
	}
}
