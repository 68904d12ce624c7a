package keyspace

import (
	"container/heap"
	"math"
	"time"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Expiry.
//
// miniredis keeps a key's TTL as a time.Duration and, with ClockTTL on,
// subtracts the elapsed time from every TTL on each clock step: a scan and
// sort of all keys per step (9,400 SET+GET/s with 1,000 keys with TTLs).
// The keyspace instead freezes miniredis's clock at ttlBase and never
// advances it, so the Duration miniredis stores for a key is its absolute
// expiry time: ttlBase + expiry (ms). miniredis computes TTLs only from
// absolute times (SET/GETEX ... PXAT, to which EX, PX and EXAT are
// rewritten; SETEX/PSETEX become SET ... PXAT); EXPIRE and friends, TTL and
// friends are the keyspace's own. A min-heap of (expiry, key), pushed to
// whenever a key may get a TTL, finds the keys due at each clock step; each
// is checked against the TTL miniredis holds (it may have changed since)
// and deleted if due. Like Redis's, expiry times are absolute, so clock
// jumps either way need nothing special.

// ttlBase shifts simulated times so that negative ones (a node clock
// behind the simulation's start) stay positive Durations: 2^40 ms, about
// 35 years. Expiry times up to about 256 years are representable.
const ttlBase = int64(1) << 40

// frozenClock is miniredis's clock, which never moves.
var frozenClock = time.UnixMilli(-ttlBase).UTC()

// ttlDuration is the Duration miniredis holds for an absolute expiry time
// (ms), saturating.
func ttlDuration(at int64) time.Duration {
	ms := at + ttlBase
	if ms > math.MaxInt64/int64(time.Millisecond) {
		return math.MaxInt64
	}
	return time.Duration(max(ms, 1)) * time.Millisecond
}

// expireAt returns the absolute expiry time (ms) of a key, if it has one.
func (k *Keyspace) expireAt(key string) (int64, bool) {
	d := k.db.TTL(key)
	if d == 0 {
		return 0, false
	}
	return int64(d/time.Millisecond) - ttlBase, true
}

// setExpireAt gives an existing key an absolute expiry time.
func (k *Keyspace) setExpireAt(key string, at int64) {
	k.db.SetTTL(key, ttlDuration(at))
	k.watch(at, key)
}

type expiry struct {
	at  int64
	key string
}

type expiryHeap []expiry

func (h expiryHeap) Len() int { return len(h) }
func (h expiryHeap) Less(i, j int) bool {
	return h[i].at < h[j].at || h[i].at == h[j].at && h[i].key < h[j].key
}
func (h expiryHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)   { *h = append(*h, x.(expiry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// watch notes that key may expire at at. Stale entries are dropped when
// their time comes; the heap is rebuilt from the keys' TTLs when it has
// grown to twice what it held after the last rebuild.
func (k *Keyspace) watch(at int64, key string) {
	heap.Push(&k.expiries, expiry{at, key})
	if len(k.expiries) >= k.rebuildAt {
		k.rebuildExpiries()
	}
}

func (k *Keyspace) rebuildExpiries() {
	h := k.expiries[:0]
	for _, key := range k.db.Keys() {
		if at, ok := k.expireAt(key); ok {
			h = append(h, expiry{at, key})
		}
	}
	heap.Init(&h)
	k.expiries = h
	k.rebuildAt = max(1024, 2*len(h))
}

// setClock moves the keyspace to simulated time now and deletes the keys
// whose expiry time is not after now.
func (k *Keyspace) setClock(now wire.Time) {
	k.now = now
	for len(k.expiries) > 0 && k.expiries[0].at <= int64(now) {
		e := heap.Pop(&k.expiries).(expiry)
		if at, ok := k.expireAt(e.key); ok && at <= int64(now) {
			k.db.Del(e.key)
		}
	}
}
