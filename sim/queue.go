package sim

import (
	"math/bits"
	"slices"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// eventKind says what an event does when it comes due.
type eventKind uint8

const (
	evTimer      eventKind = iota + 1 // a process timer fires
	evDeliver                         // a message arrives at its destination
	evAction                          // a scheduled fault or callback runs
	evFlap                            // a flapping link or node toggles
	evBoot                            // the nodes that start up boot, in the order added
	evRetransmit                      // a TCP stream's retransmission timer (tcp.go)
)

// event is one entry of the queue. It is a plain value so the queue moves
// no pointers around and the loop allocates nothing per event.
type event struct {
	at   wire.Time
	seq  uint64 // tie-break: events due at the same time run in the order scheduled
	kind eventKind
	node wire.NodeID // the process a timer or delivery is for
	// inc is the incarnation of node the event belongs to; an event for an
	// earlier incarnation is stale (its process crashed) and is discarded.
	inc uint32
	// aux is the sender incarnation for deliveries; the slow-down in ms a
	// timer was set with (at most maxSlow), so a re-timed timer keeps it.
	aux uint32
	// ref is the timer tag, or the index of an action or flapper.
	ref uint64
	// due is a timer's deadline on its node's monotonic clock, so the timer
	// can be re-timed when the node's drift changes.
	due wire.Time
	// msg.Payload is the event's only pointer, which release clears for
	// the collector (a pointer field added here must be cleared there).
	msg wire.Message
}

func (e *event) before(o *event) bool {
	return e.at < o.at || (e.at == o.at && e.seq < o.seq)
}

// wheelSize is how many milliseconds ahead the queue's timing wheel
// reaches (a power of two): deliveries, sentinel ticks, PINGs and node
// crons all fall within it.
const (
	wheelBits = 11
	wheelSize = 1 << wheelBits
	wheelMask = wheelSize - 1
)

// queue orders events by (at, seq). Most events are due within
// wheelSize ms: those go into a timing wheel, one bucket per millisecond,
// each in seq order (a FIFO: events are pushed with ever larger seqs, but
// for the boot); the rest go into a binary min-heap of
// small keys. The earliest event is the earlier of the first non-empty
// bucket's head and the heap's top, so no event ever moves between the
// two. The events themselves stay put in slots (reused through a free
// list). Since seq is unique the order is total, and the run is the same
// whatever the layout.
type queue struct {
	slots []event
	free  []int32
	n     int
	// base is the time of the last event taken: every event in the wheel
	// is due in [base, base+wheelSize), so its bucket (at & wheelMask) is
	// its own. An event due before base (never, from the world) or from
	// base+wheelSize on goes to far.
	base    wire.Time
	buckets [wheelSize]bucket
	used    [wheelSize / 64]uint64 // non-empty buckets
	far     []qkey
}

// bucket is one millisecond's events, in seq order, from head on; last is
// the largest seq it holds (read without touching the event).
type bucket struct {
	items []int32
	head  int
	last  uint64
}

// qkey is an event's place in the heap: its order and its slot.
type qkey struct {
	at   wire.Time
	seq  uint64
	slot int32
}

func (a *qkey) before(b *qkey) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

func (q *queue) len() int { return q.n }

func (q *queue) push(e event) {
	p, slot := q.alloc()
	*p = e
	q.file(slot)
}

// alloc returns a free slot for an event, to be filled in place and then
// filed: a delivery's event is written once, not built and copied (the
// world queues one for every message).
func (q *queue) alloc() (*event, int32) {
	if n := len(q.free); n > 0 {
		slot := q.free[n-1]
		q.free = q.free[:n-1]
		return &q.slots[slot], slot
	}
	q.slots = append(q.slots, event{})
	slot := int32(len(q.slots) - 1)
	return &q.slots[slot], slot
}

// file queues the event alloc gave slot, once it is filled in.
func (q *queue) file(slot int32) {
	q.n++
	e := &q.slots[slot]
	q.place(e.at, e.seq, slot)
}

// place files slot, due at at with sequence number seq, in the wheel or
// the heap.
func (q *queue) place(at wire.Time, seq uint64, slot int32) {
	if at >= q.base && at < q.base+wheelSize {
		i := int(at & wheelMask)
		b := &q.buckets[i]
		if b.head == len(b.items) {
			b.items, b.head = b.items[:0], 0
			q.used[i>>6] |= 1 << (i & 63)
		}
		b.items = append(b.items, slot)
		if len(b.items)-b.head == 1 || seq > b.last {
			b.last = seq
			return
		}
		// Almost always the largest seq yet; the boot (seq 0, pushed
		// after the faults scheduled for time 0) is not.
		for k := len(b.items) - 1; k > b.head && q.slots[b.items[k-1]].seq > seq; k-- {
			b.items[k], b.items[k-1] = b.items[k-1], b.items[k]
		}
		return
	}
	q.far = append(q.far, qkey{at: at, seq: seq, slot: slot})
	q.up(len(q.far) - 1)
}

func (q *queue) up(i int) {
	keys := q.far
	k := keys[i]
	for i > 0 {
		p := (i - 1) / 2
		if !k.before(&keys[p]) {
			break
		}
		keys[i] = keys[p]
		i = p
	}
	keys[i] = k
}

// firstBucket returns the index of the earliest non-empty bucket, -1 if
// the wheel is empty: the first set bit at or after base's bucket, going
// round.
func (q *queue) firstBucket() int {
	start := int(q.base & wheelMask)
	w := start >> 6
	if x := q.used[w] &^ (1<<(start&63) - 1); x != 0 {
		return w<<6 | bits.TrailingZeros64(x)
	}
	for k := 1; k <= len(q.used); k++ {
		j := (w + k) % len(q.used)
		x := q.used[j]
		if j == w {
			x &= 1<<(start&63) - 1 // the wrapped-round part of the first word
		}
		if x != 0 {
			return j<<6 | bits.TrailingZeros64(x)
		}
	}
	return -1
}

// earliest returns where the earliest event is: its bucket, or -1 for the
// heap's top. The queue must not be empty.
func (q *queue) earliest() int {
	i := q.firstBucket()
	if i < 0 {
		return -1
	}
	if len(q.far) > 0 {
		b := &q.buckets[i]
		e := &q.slots[b.items[b.head]]
		if q.far[0].at < e.at || q.far[0].at == e.at && q.far[0].seq < e.seq {
			return -1
		}
	}
	return i
}

// each calls f on every queued event, in no particular order; f may change
// an event's time, after which fix must run before the next take.
func (q *queue) each(f func(e *event)) {
	for i := range q.buckets {
		b := &q.buckets[i]
		for _, s := range b.items[b.head:] {
			f(&q.slots[s])
		}
	}
	for _, k := range q.far {
		f(&q.slots[k.slot])
	}
}

// fix files every event again after their times were changed in place.
func (q *queue) fix() {
	all := make([]qkey, 0, q.n)
	for i := range q.buckets {
		b := &q.buckets[i]
		for _, s := range b.items[b.head:] {
			all = append(all, qkey{at: q.slots[s].at, seq: q.slots[s].seq, slot: s})
		}
		b.items, b.head = b.items[:0], 0
	}
	for _, k := range q.far {
		all = append(all, qkey{at: q.slots[k.slot].at, seq: k.seq, slot: k.slot})
	}
	q.far = q.far[:0]
	clear(q.used[:])
	slices.SortFunc(all, func(a, b qkey) int {
		switch {
		case a.before(&b):
			return -1
		case b.before(&a):
			return 1
		}
		return 0
	})
	for _, k := range all {
		q.place(k.at, k.seq, k.slot)
	}
}

// peek returns the earliest event; the queue must not be empty.
func (q *queue) peek() *event { return q.head(q.earliest()) }

// head returns the first event of where (a bucket, or -1 for the heap).
func (q *queue) head(where int) *event {
	if where >= 0 {
		b := &q.buckets[where]
		return &q.slots[b.items[b.head]]
	}
	return &q.slots[q.far[0].slot]
}

// release frees the slot of an event that take removed from the queue.
func (q *queue) release(slot int32) {
	q.slots[slot].msg.Payload = nil // drop the event's one reference for the GC
	q.free = append(q.free, slot)
}

// take removes the earliest event and returns its slot, which stays the
// event's until release; the queue must not be empty.
func (q *queue) take() int32 { return q.takeFrom(q.earliest()) }

// takeFrom is take for the earliest event's place, found by earliest (the
// loop looks at the event's time before it takes it: one search, not two).
func (q *queue) takeFrom(where int) int32 {
	q.n--
	var slot int32
	if i := where; i >= 0 {
		b := &q.buckets[i]
		slot = b.items[b.head]
		b.head++
		if b.head == len(b.items) {
			b.items, b.head = b.items[:0], 0
			q.used[i>>6] &^= 1 << (i & 63)
		}
	} else {
		slot = q.popFar()
	}
	// Later events are due no earlier than this one (the world never
	// schedules into the past), so the wheel's window can start here.
	q.base = max(q.base, q.slots[slot].at)
	return slot
}

// popFar removes the heap's top and returns its slot.
func (q *queue) popFar() int32 {
	keys := q.far
	slot := keys[0].slot
	last := len(keys) - 1
	k := keys[last]
	keys = keys[:last]
	q.far = keys
	n := last
	if n == 0 {
		return slot
	}
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && keys[r].before(&keys[l]) {
			m = r
		}
		if !keys[m].before(&k) {
			break
		}
		keys[i] = keys[m]
		i = m
	}
	keys[i] = k
	return slot
}
