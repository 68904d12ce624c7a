package sentinel

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/facts"
	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// currentAddr is the master address a sentinel advertises: the promoted
// replica's once the failover reached RECONF_SLAVES (spec §16.1).
func (m *instance) currentAddr() wire.Addr {
	if m.has(fFailoverInProgress) && m.promoted != nil && m.failoverState >= stateReconfSlaves {
		return m.promoted.addr
	}
	return m.addr
}

// sendHello publishes our hello on r's command connection (spec §16.1).
func (s *Sentinel) sendHello(r *instance) {
	if r.link.cc == nil {
		return
	}
	m := r
	if r.master != nil {
		m = r.master
	}
	ma := s.announced(m.currentAddr())
	host, port := s.opts.Addr.Host, s.opts.Addr.Port
	if s.conf.AnnounceIP != "" {
		host = s.conf.AnnounceIP
	}
	if s.conf.AnnouncePort != 0 {
		port = s.conf.AnnouncePort
	}
	key := helloKey{host: host, port: port, epoch: s.currentEpoch, master: ma, configEpoch: m.configEpoch}
	if m.hello == "" || m.helloKey != key {
		m.hello, m.helloKey = s.helloText(key, m.name), key
	}
	s.send(r.link.cc, cPublish, r, r.command("PUBLISH"), helloChannel, m.hello)
}

// helloKey is what a hello says besides the sentinel's run id and the
// master's name (which never change).
type helloKey struct {
	host        string
	port        int
	epoch       uint64
	master      wire.Addr
	configEpoch uint64
}

// helloText formats a hello (spec §16.1): our address, run id and current
// epoch, then the master's name, address and configuration epoch.
func (s *Sentinel) helloText(k helloKey, name string) string {
	// Built in one buffer: one allocation for the eight fields (a
	// Builder's String does not copy).
	var b strings.Builder
	b.Grow(96 + len(k.host) + len(name) + len(k.master.Host))
	var num [20]byte
	b.WriteString(k.host)
	b.WriteByte(',')
	b.Write(strconv.AppendInt(num[:0], int64(k.port), 10))
	b.WriteByte(',')
	b.WriteString(s.myID)
	b.WriteByte(',')
	b.Write(strconv.AppendUint(num[:0], k.epoch, 10))
	b.WriteByte(',')
	b.WriteString(name)
	b.WriteByte(',')
	b.WriteString(k.master.Host)
	b.WriteByte(',')
	b.Write(strconv.AppendInt(num[:0], int64(k.master.Port), 10))
	b.WriteByte(',')
	b.Write(strconv.AppendUint(num[:0], k.configEpoch, 10))
	return b.String()
}

// onPubSub handles a message on a master's or replica's hello channel.
func (s *Sentinel) onPubSub(v wire.Value) {
	a := v.Array
	if v.Kind != wire.KindArray || len(a) != 3 || a[0].Str != "message" || a[1].Str != helloChannel {
		return
	}
	h := s.readHello(a[2].Str)
	if h.own {
		return // our own hello, echoed back
	}
	s.onParsedHello(h)
}

// parsedHello is a hello payload read into its fields (spec §16.2).
type parsedHello struct {
	ok          bool // eight comma-separated fields
	own         bool // the payload holds our run id (onPubSub drops it)
	addr        wire.Addr
	runID       string
	epoch       uint64
	master      string
	to          wire.Addr // the master's address
	configEpoch uint64
	// m is the master named, found when the masters were those of
	// generation mastersGen (Sentinel.mastersGen; 0: not looked up yet).
	m          *instance
	mastersGen uint64
	// known is m's record of the sender, found when the peers were those
	// of generation peersGen (Sentinel.peersGen; 0: not found yet).
	known    *instance
	peersGen uint64
}

// helloCacheSize bounds the parsed hellos a sentinel keeps: one per peer
// and master is what the steady state needs.
const helloCacheSize = 4096

// readHello parses a hello payload, or returns the parse of an equal
// payload read before: every sentinel reads a hello from every peer for
// every master every 2 s, and the text changes only with an epoch or an
// address. The result depends on the text alone, so the cache changes no
// behaviour.
func (s *Sentinel) readHello(payload string) *parsedHello {
	// First by where the text is: a sender formats its hello once and
	// sends that string until something in it changes, and the data node
	// forwards the same string to each subscriber, so most hellos are a
	// string read before, found without hashing or comparing its hundred
	// bytes. The slot keeps its string alive, so an equal address and
	// length mean the same text.
	if s.helloSeen == nil {
		s.helloSeen = new([helloSeenSize]seenHello)
	}
	slot := &s.helloSeen[wire.TextSlot(payload, helloSeenBits)]
	if slot.h != nil && wire.SameText(slot.text, payload) {
		return slot.h
	}
	h, ok := s.hellos[payload]
	if !ok {
		h = s.parseNewHello(payload)
	}
	*slot = seenHello{text: payload, h: h}
	return h
}

// seenHello is a hello text read before and what it says.
type seenHello struct {
	text string
	h    *parsedHello
}

// helloSeenSize is the number of slots of Sentinel.helloSeen: a power of
// two, a few times the hellos of a steady state (one a peer and master).
const helloSeenSize = 1 << helloSeenBits

const helloSeenBits = 10

// parseNewHello parses a hello text not in the cache and adds it.
func (s *Sentinel) parseNewHello(payload string) *parsedHello {
	h := parseHello(payload)
	h.own = strings.Contains(payload, s.myID)
	if len(s.hellos) >= helloCacheSize {
		clear(s.hellos) // epochs moved on: the old texts come back no more
	}
	if s.hellos == nil {
		// Room for more than a small map holds: a small map compares the
		// text with every key of its length, a bigger one hashes it.
		s.hellos = make(map[string]*parsedHello, 64)
	}
	s.hellos[payload] = &h
	return &h
}

// parseHello splits a hello's eight comma-separated fields, numbers read
// like atoi/strtoull (a malformed number is 0).
func parseHello(payload string) parsedHello {
	var f [8]string
	rest := payload
	for i := range f {
		var found bool
		f[i], rest, found = strings.Cut(rest, ",")
		if found != (i < len(f)-1) {
			return parsedHello{}
		}
	}
	port, _ := strconv.Atoi(f[1])
	epoch, _ := strconv.ParseUint(f[3], 10, 64)
	mport, _ := strconv.Atoi(f[6])
	cepoch, _ := strconv.ParseUint(f[7], 10, 64)
	return parsedHello{ok: true, addr: wire.Addr{Host: f[0], Port: port}, runID: f[2], epoch: epoch,
		master: f[4], to: wire.Addr{Host: f[5], Port: mport}, configEpoch: cepoch}
}

// onHello processes a hello (spec §16.2).
func (s *Sentinel) onHello(payload string) { s.onParsedHello(s.readHello(payload)) }

// onParsedHello is onHello once the payload is read.
func (s *Sentinel) onParsedHello(h *parsedHello) {
	if !h.ok {
		return
	}
	addr, runID, port, epoch, cepoch := h.addr, h.runID, h.addr.Port, h.epoch, h.configEpoch
	if h.mastersGen != s.mastersGen || h.mastersGen == 0 {
		h.m, h.mastersGen = s.master(h.master), s.mastersGen
	}
	m := h.m
	if m == nil {
		return
	}
	known := h.known
	if h.peersGen != s.peersGen || h.peersGen == 0 { // (a new master list is a new peersGen too)
		known = s.findPeer(m, runID, addr)
		h.known, h.peersGen = known, s.peersGen
	} else if Quiet == QuietCheck {
		if found := s.findPeer(m, runID, addr); found != known {
			panic(fmt.Sprintf("sentinel: the record of %s in %s changed without a new peersGen", runID, m.name))
		}
	}
	if known == nil {
		s.wakeAll()
		removed := s.removeSentinels(m, func(r *instance) bool { return r.runID == runID })
		if removed > 0 {
			s.emit(Notice, "+sentinel-address-switch", m, "ip "+addr.Host+" port "+strconv.Itoa(port)+" for "+runID)
		} else {
			for _, r := range m.sentinels {
				if sameAddr(r.addr, addr) {
					old := r.runID
					s.emit(Notice, "+sentinel-invalid-addr", r, "")
					for _, om := range s.masters {
						s.removeSentinels(om, func(x *instance) bool { return x.runID == old })
					}
					break
				}
			}
		}
		if !s.acceptHost(addr.Host) {
			// createSentinelRedisInstance refuses a host name without
			// resolve-hostnames (spec §4.2): no record, but the epoch
			// still counts.
			s.newEpoch(m, epoch)
			return
		}
		known = s.addSentinel(m, addr, runID)
		if removed == 0 {
			s.emit(Notice, "+sentinel", known, "")
		} else {
			s.updateSentinelAddr(known, addr)
		}
		s.dirty = true
	}
	s.newEpoch(m, epoch)
	to := h.to
	// mutant-accept-lower-epoch: a hello naming another master is adopted
	// whatever its configuration epoch.
	if m.configEpoch < cepoch || s.profile.AcceptLowerEpoch && !s.sameHost(m.addr, to) {
		s.record(facts.ConfigEpoch{Master: m.name, From: m.configEpoch, To: cepoch, Addr: to, Source: "hello"})
		s.wakeAll()
		m.configEpoch = cepoch
		if !s.sameHost(m.addr, to) {
			from, shown := s.announced(m.addr), s.announced(to)
			s.emit(Warning, "+config-update-from", known, "")
			s.emitFor(Warning, "+switch-master", m, m.name+" "+from.Host+" "+strconv.Itoa(from.Port)+" "+shown.Host+" "+strconv.Itoa(shown.Port))
			s.switchMaster(m, to)
		}
	}
	known.lastHelloTime = s.now
}

// findPeer is m's record of the sentinel with the run id at the address
// (the last one, as the loop of sentinelProcessHelloMessage finds it).
func (s *Sentinel) findPeer(m *instance, runID string, addr wire.Addr) *instance {
	var known *instance
	for _, r := range m.sentinels {
		if r.runID == runID && sameAddr(r.addr, addr) {
			known = r
		}
	}
	return known
}

// removeSentinels drops a master's sentinel records that match; it returns
// how many.
func (s *Sentinel) removeSentinels(m *instance, match func(*instance) bool) int {
	kept := m.sentinels[:0]
	n := 0
	for _, r := range m.sentinels {
		if match(r) {
			s.dropLink(r)
			n++
			continue
		}
		kept = append(kept, r)
	}
	m.sentinels = kept
	s.peersGen++
	return n
}

// updateSentinelAddr moves every other record of a sentinel to its new
// address (spec §5.5), as 7.0.15's sentinelUpdateSentinelAddressInAllMasters
// does: under every master, the record with that run id has its connection
// closed — updated's own too, since it may be a link shared with a record
// still at the old address — and, if it is not updated itself, takes the
// new address and counts as one "additional matching instance", whether or
// not its address differed. updated is the record that learned the address.
func (s *Sentinel) updateSentinelAddr(updated *instance, addr wire.Addr) {
	others := 0
	for _, m := range s.masters {
		for _, r := range m.sentinels {
			if r.runID != updated.runID {
				continue
			}
			s.closeConn(r.link.cc, true)
			if r != updated {
				r.addr = addr
				s.peersGen++
				others++
			}
			break // getSentinelRedisInstanceByAddrAndRunID: the first match
		}
	}
	if others > 0 {
		s.emit(Notice, "+sentinel-address-update", updated, strconv.Itoa(others)+" additional matching instances")
	}
}
