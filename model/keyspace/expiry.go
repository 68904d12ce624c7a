package keyspace

import (
	"container/heap"
	"time"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Expiry.
//
// The keyspace keeps every TTL itself, as an absolute expiry time (ms) in
// Keyspace.ttls, the one record of which keys expire and when; miniredis
// holds none. miniredis's TTL handling differs from Redis's in ways that
// are hard to patch one by one (BITOP and COPY REPLACE keep the
// destination's TTL, LMOVE and RPOPLPUSH of a one-element list onto itself
// drop it, BITOP with an empty result leaves a TTL behind on the deleted
// key for the next key of that name to inherit), and with ClockTTL on it
// subtracts the elapsed time from every TTL on each clock step (a scan and
// sort of all keys).
// So no command that would give miniredis a TTL reaches it: SET, SETEX,
// PSETEX and GETEX are run without their expiry options, EXPIRE and
// friends, PERSIST, TTL and friends are the keyspace's own, and after each
// write the keyspace applies Redis 7.0's rule for the keys it wrote
// (afterWrite):
//
//   - a key that no longer exists has no TTL;
//   - a key a command replaces (SET without KEEPTTL, GETSET, MSET, BITOP's
//     destination, SINTERSTORE and the other STORE destinations) loses its
//     TTL;
//   - RENAME, RENAMENX and COPY give the destination the source's TTL, or
//     none;
//   - every other write (APPEND, INCR, SETRANGE, SETBIT, LPUSH, LMOVE's
//     destination, HSET, SADD, SMOVE's destination, ZADD, ...) keeps the
//     TTL of a key that existed, and a key it creates has none.
//
// The rule for deleted keys is the one that needs no knowledge of the
// command: every key a write names that has a TTL is checked, and one that
// no longer exists loses it. Keys disappear only through commands that
// name them, FLUSHALL and FLUSHDB (which clear every TTL) and expiry.
//
// A min-heap of (expiry, key), pushed to whenever a key gets a TTL, finds
// the keys due at each clock step; each is checked against ttls (the TTL
// may have changed or gone since) and deleted if due. Like Redis's, expiry
// times are absolute, so clock jumps either way need nothing special.
//
// miniredis's own clock is frozen at frozenClock: it only stamps its LRU
// data, and freezing it keeps miniredis from reading the wall clock.
var frozenClock = time.UnixMilli(0).UTC()

// expireAt returns the absolute expiry time (ms) of a key, if it has one.
func (k *Keyspace) expireAt(key string) (int64, bool) {
	at, ok := k.ttls[key]
	return at, ok
}

// setExpireAt gives an existing key an absolute expiry time.
func (k *Keyspace) setExpireAt(key string, at int64) {
	if cur, ok := k.ttls[key]; ok && cur == at {
		return
	}
	k.ttls[key] = at
	k.watch(at, key)
}

// persist removes a key's TTL.
func (k *Keyspace) persist(key string) {
	delete(k.ttls, key)
}

// forgetDeleted drops the TTLs of the keys among names that no longer
// exist.
func (k *Keyspace) forgetDeleted(names []string) {
	if len(k.ttls) == 0 {
		return
	}
	for _, key := range names {
		if _, ok := k.ttls[key]; ok && !k.db.Exists(key) {
			delete(k.ttls, key)
		}
	}
}

// clearExpiries drops every TTL (FLUSHALL, FLUSHDB, Flush).
func (k *Keyspace) clearExpiries() {
	clear(k.ttls)
	k.expiries = k.expiries[:0]
	k.rebuildAt = 1024
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
// their time comes; the heap is rebuilt from ttls when it has grown to
// twice what it held after the last rebuild.
func (k *Keyspace) watch(at int64, key string) {
	heap.Push(&k.expiries, expiry{at, key})
	if len(k.expiries) >= k.rebuildAt {
		k.rebuildExpiries()
	}
}

func (k *Keyspace) rebuildExpiries() {
	h := k.expiries[:0]
	for key, at := range k.ttls {
		h = append(h, expiry{at, key})
	}
	// The order of h depends on map iteration, but Less is a total order
	// on distinct entries, so what the heap pops does not.
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
		if at, ok := k.ttls[e.key]; ok && at <= int64(now) {
			delete(k.ttls, e.key)
			k.db.Del(e.key)
		}
	}
}
