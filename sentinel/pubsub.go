package sentinel

import (
	"cmp"
	"slices"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Events on the sentinel's own pub/sub (spec §20.1): a client that sends
// SUBSCRIBE <event type> or PSUBSCRIBE <pattern> to the sentinel receives
// every event that is not DEBUG as a push, ["message", type, message] or
// ["pmessage", pattern, type, message], in emission order. Subscriptions
// belong to the client connection and go with it.

// subscribed reports whether the connection is in pub/sub mode (RESP2).
func (cl *client) subscribed() bool { return len(cl.channels)+len(cl.patterns) > 0 }

func (cl *client) subscriptions() int64 { return int64(len(cl.channels) + len(cl.patterns)) }

func compareClientKeys(a, b clientKey) int {
	if c := cmp.Compare(a.node, b.node); c != 0 {
		return c
	}
	return cmp.Compare(a.id, b.id)
}

// pubsubCommand runs SUBSCRIBE, PSUBSCRIBE, UNSUBSCRIBE and PUNSUBSCRIBE:
// one confirmation per channel or pattern, the first as the reply and the
// others as pushes after it.
func (s *Sentinel) pubsubCommand(k clientKey, cl *client, name string, targets []string) []wire.Value {
	kind := strings.ToLower(name)
	list := &cl.channels
	if kind[0] == 'p' {
		list = &cl.patterns
	}
	confirm := func(t wire.Value) wire.Value {
		return wire.Array(wire.Bulk(kind), t, wire.Int(cl.subscriptions()))
	}
	var out []wire.Value
	switch kind {
	case "subscribe", "psubscribe":
		for _, t := range targets {
			if !slices.Contains(*list, t) {
				*list = append(*list, t)
			}
			out = append(out, confirm(wire.Bulk(t)))
		}
		if i, found := slices.BinarySearchFunc(s.cmd.subscribers, k, compareClientKeys); !found {
			s.cmd.subscribers = slices.Insert(s.cmd.subscribers, i, k)
		}
	default: // unsubscribe, punsubscribe
		if len(targets) == 0 {
			targets = slices.Clone(*list)
		}
		if len(targets) == 0 {
			return []wire.Value{confirm(wire.Nil())}
		}
		for _, t := range targets {
			*list = slices.DeleteFunc(*list, func(x string) bool { return x == t })
			out = append(out, confirm(wire.Bulk(t)))
		}
	}
	return out
}

// publishEvent is emit's hook for everything an event does besides being
// logged (spec §20.1): a simulated crash right after it, its publication
// on the sentinel's pub/sub (not DEBUG events), and the scripts it would
// run (scripts.go). r is the instance the event concerns, or nil.
func (s *Sentinel) publishEvent(e Event, r *instance) {
	if s.env == nil || s.dead {
		return
	}
	if !s.cmd.started { // the first event: Boot's +monitor lines
		s.cmd.started, s.cmd.bootTime = true, s.now
	}
	if s.simulatedCrash(e.Type) {
		return
	}
	if e.Level != Debug {
		s.publish(e.Type, e.Message)
	}
	s.scriptsFor(e, r)
}

// publish delivers a message to the subscribers of channel, in client
// order; clients that went away or unsubscribed leave the list.
func (s *Sentinel) publish(channel, msg string) {
	kept := s.cmd.subscribers[:0]
	for _, k := range s.cmd.subscribers {
		cl := s.clients[k]
		if cl == nil || !cl.subscribed() {
			continue
		}
		kept = append(kept, k)
		if slices.Contains(cl.channels, channel) {
			s.env.Send(k.node, &wire.Push{Conn: k.id, Value: wire.BulkArray("message", channel, msg)})
		}
		for _, p := range cl.patterns {
			if stringMatch(p, channel, false) {
				s.env.Send(k.node, &wire.Push{Conn: k.id, Value: wire.BulkArray("pmessage", p, channel, msg)})
			}
		}
	}
	clear(s.cmd.subscribers[len(kept):])
	s.cmd.subscribers = kept
}

// pubsubCounts are INFO's pubsub_channels and pubsub_patterns: distinct
// channels and patterns with a subscriber.
func (s *Sentinel) pubsubCounts() (channels, patterns int) {
	chs, pats := map[string]bool{}, map[string]bool{}
	for _, k := range s.cmd.subscribers {
		if cl := s.clients[k]; cl != nil {
			for _, c := range cl.channels {
				chs[c] = true
			}
			for _, p := range cl.patterns {
				pats[p] = true
			}
		}
	}
	return len(chs), len(pats)
}

// stringMatch is Redis's glob matcher (util.c stringmatchlen): * ? [...]
// with ^ negation and ranges, \ escapes; nocase folds ASCII letters.
func stringMatch(pattern, str string, nocase bool) bool {
	skip := false
	return globMatch(pattern, str, nocase, &skip)
}

func globMatch(p, s string, nocase bool, skipLonger *bool) bool {
	pc := func(i int) byte { // C strings end in a NUL
		if i < len(p) {
			return p[i]
		}
		return 0
	}
	fold := func(c byte) byte {
		if nocase && 'A' <= c && c <= 'Z' {
			return c + 'a' - 'A'
		}
		return c
	}
	pi, si := 0, 0
	for pi < len(p) && si < len(s) {
		switch p[pi] {
		case '*':
			for pc(pi+1) == '*' {
				pi++
			}
			if pi == len(p)-1 {
				return true
			}
			for si < len(s) {
				if globMatch(p[pi+1:], s[si:], nocase, skipLonger) {
					return true
				}
				if *skipLonger {
					return false
				}
				si++
			}
			// No match for the rest anywhere: longer matches of an
			// earlier * cannot help either.
			*skipLonger = true
			return false
		case '?':
			si++
		case '[':
			pi++
			not := pc(pi) == '^'
			if not {
				pi++
			}
			match := false
			for {
				n := len(p) - pi
				if pc(pi) == '\\' && n >= 2 {
					pi++
					if p[pi] == s[si] {
						match = true
					}
				} else if pc(pi) == ']' {
					break
				} else if n == 0 {
					pi-- // an unterminated class ends the pattern
					break
				} else if n >= 3 && p[pi+1] == '-' {
					lo, hi := p[pi], p[pi+2]
					if lo > hi {
						lo, hi = hi, lo
					}
					c := fold(s[si])
					lo, hi = fold(lo), fold(hi)
					pi += 2
					if lo <= c && c <= hi {
						match = true
					}
				} else if fold(p[pi]) == fold(s[si]) {
					match = true
				}
				pi++
			}
			if not {
				match = !match
			}
			if !match {
				return false
			}
			si++
		case '\\':
			if len(p)-pi >= 2 {
				pi++
			}
			fallthrough
		default:
			if fold(p[pi]) != fold(s[si]) {
				return false
			}
			si++
		}
		pi++
		if si == len(s) {
			for pc(pi) == '*' {
				pi++
			}
			break
		}
	}
	return pi == len(p) && si == len(s)
}
