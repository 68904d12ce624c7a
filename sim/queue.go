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

// queue is a binary min-heap of events ordered by (at, seq). Since seq is
// unique, the order is total and the run is the same whatever the heap's
// internal layout.
type queue struct {
	items []event
}

func (q *queue) len() int { return len(q.items) }

func (q *queue) push(e event) {
	q.items = append(q.items, e)
	i := len(q.items) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !q.items[i].before(&q.items[p]) {
			break
		}
		q.items[i], q.items[p] = q.items[p], q.items[i]
		i = p
	}
}

// fix restores the heap order after events' times were changed in place.
func (q *queue) fix() {
	items := q.items
	q.items = q.items[:0]
	for _, e := range items {
		q.push(e)
	}
}

// peek returns the earliest event; the queue must not be empty.
func (q *queue) peek() *event { return &q.items[0] }

// pop removes and returns the earliest event; the queue must not be empty.
func (q *queue) pop() event {
	top := q.items[0]
	last := len(q.items) - 1
	q.items[0] = q.items[last]
	q.items[last] = event{} // drop the payload reference for the GC
	q.items = q.items[:last]
	n := last
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && q.items[r].before(&q.items[l]) {
			m = r
		}
		if !q.items[m].before(&q.items[i]) {
			break
		}
		q.items[i], q.items[m] = q.items[m], q.items[i]
		i = m
	}
	return top
}
