package sim

import "github.com/sentinelsim/sentinelsim/internal/wire"

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

// event is one entry of the queue. It is a plain value so the heap moves no
// pointers around and the loop allocates nothing per event.
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
	msg wire.Message
}

func (e *event) before(o *event) bool {
	return e.at < o.at || (e.at == o.at && e.seq < o.seq)
}

// queue is a binary min-heap ordered by (at, seq). The heap holds small
// keys; the events themselves stay put in slots (reused through a free
// list), so sifting moves 24 bytes per step rather than a whole event.
// Since seq is unique, the order is total and the run is the same whatever
// the heap's internal layout.
type queue struct {
	keys  []qkey
	slots []event
	free  []int32
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

func (q *queue) len() int { return len(q.keys) }

func (q *queue) push(e event) {
	var slot int32
	if n := len(q.free); n > 0 {
		slot = q.free[n-1]
		q.free = q.free[:n-1]
		q.slots[slot] = e
	} else {
		slot = int32(len(q.slots))
		q.slots = append(q.slots, e)
	}
	q.keys = append(q.keys, qkey{at: e.at, seq: e.seq, slot: slot})
	q.up(len(q.keys) - 1)
}

func (q *queue) up(i int) {
	keys := q.keys
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

// each calls f on every queued event, in no particular order; f may change
// an event's time, after which fix must run before the next pop.
func (q *queue) each(f func(e *event)) {
	for _, k := range q.keys {
		f(&q.slots[k.slot])
	}
}

// fix restores the heap order after events' times were changed in place.
func (q *queue) fix() {
	keys := q.keys
	q.keys = q.keys[:0]
	for _, k := range keys {
		k.at = q.slots[k.slot].at
		q.keys = append(q.keys, k)
		q.up(len(q.keys) - 1)
	}
}

// peek returns the earliest event; the queue must not be empty.
func (q *queue) peek() *event { return &q.slots[q.keys[0].slot] }

// peekAt returns the time of the earliest event; the queue must not be
// empty.
func (q *queue) peekAt() wire.Time { return q.keys[0].at }

// pop removes and returns the earliest event; the queue must not be empty.
func (q *queue) pop() event {
	slot := q.take()
	top := q.slots[slot]
	q.release(slot)
	return top
}

// release frees the slot of an event that take removed from the heap.
func (q *queue) release(slot int32) {
	q.slots[slot] = event{} // drop the payload reference for the GC
	q.free = append(q.free, slot)
}

// take removes the earliest event from the heap and returns its slot, which
// stays the event's until release; the queue must not be empty.
func (q *queue) take() int32 {
	keys := q.keys
	slot := keys[0].slot
	last := len(keys) - 1
	k := keys[last]
	keys = keys[:last]
	q.keys = keys
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
