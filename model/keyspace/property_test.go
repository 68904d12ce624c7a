package keyspace

import (
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// TestDeterminism: the same (time, command) sequence on two fresh keyspaces
// with the same seed gives identical replies, snapshots and digests. Go
// randomises map iteration on every range, so any reply or snapshot built
// from map order would differ between the two.
func TestDeterminism(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		seed := rapid.Int64().Draw(t, "seed")
		steps := genSteps(t, 80)
		a, b := New(seed), New(seed)
		for i, s := range steps {
			ra, rb := a.Exec(s.at, s.args), b.Exec(s.at, s.args)
			require.Equal(t, ra, rb, "step %d %v", i, s.args)
			require.NotEqual(t, "ERR keyspace:", ra.Str[:min(len(ra.Str), 13)], "step %d %v: %s", i, s.args, ra)
			checkInvariants(t, a)
		}
		end := steps[len(steps)-1].at
		require.Equal(t, a.Snapshot(end).Encode(), b.Snapshot(end).Encode())
		require.Equal(t, a.Digest(end+500), b.Digest(end+500))
	})
}

// TestReplication: a replica that applies what Propagate makes of the
// master's commands, at the master's times, has the master's dataset after
// every step, though it draws different random numbers and never sees the
// master's reads. With writesOnly, the raw write commands themselves
// (without Propagate) are applied, on a keyspace with the same seed.
func TestReplication(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		steps := genSteps(t, 80)
		master, replica := New(1), New(2)
		for i, s := range steps {
			reply := master.Exec(s.at, s.args)
			for _, w := range Propagate(s.at, s.args, reply) {
				rr := replica.Exec(s.at, w)
				require.False(t, rr.IsError(), "step %d %v -> %v: %s", i, s.args, w, rr)
			}
			require.Equal(t, master.Digest(s.at), replica.Digest(s.at), "step %d %v -> %s", i, s.args, reply)
			checkInvariants(t, master)
			checkInvariants(t, replica)
		}
	})
}

// TestReplicationOfWriteCommands: applying the master's write commands
// as they are (no Propagate) to a keyspace with the same seed, at the same
// times, gives the same dataset, as long as the master runs only writes (so
// both draw the same random numbers).
func TestReplicationOfWriteCommands(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		steps := genSteps(t, 80)
		master, replica := New(7), New(7)
		for _, s := range steps {
			if !IsWrite(s.args[0]) {
				continue
			}
			master.Exec(s.at, s.args)
			replica.Exec(s.at, s.args)
		}
		end := steps[len(steps)-1].at
		require.Equal(t, master.Digest(end), replica.Digest(end))
	})
}

// TestSnapshotRoundTrip: Snapshot, Encode, Decode and Restore give back the
// same dataset, now and later (as TTLs run out), and the restored keyspace
// then evolves like the original under the same propagated writes.
func TestSnapshotRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		steps := genSteps(t, 60)
		k := New(3)
		for _, s := range steps {
			k.Exec(s.at, s.args)
			checkInvariants(t, k)
		}
		at := steps[len(steps)-1].at + wire.Time(rapid.IntRange(0, 300).Draw(t, "later"))
		snap := k.Snapshot(at)
		b := snap.Encode()
		got, err := Decode(b)
		require.NoError(t, err)
		require.Equal(t, snap, got)
		require.Equal(t, b, got.Encode())

		r := New(4)
		r.Exec(0, []string{"SET", "stale", "1"})
		r.Restore(at, got)
		require.Equal(t, k.Digest(at), r.Digest(at))
		require.Equal(t, k.Len(), r.Len())
		require.Equal(t, b, r.Snapshot(at).Encode())
		checkInvariants(t, r)

		for _, s := range genSteps(t, 30) {
			now := at + s.at
			reply := k.Exec(now, s.args)
			for _, w := range Propagate(now, s.args, reply) {
				r.Exec(now, w)
			}
			require.Equal(t, k.Digest(now), r.Digest(now), "%v", s.args)
			checkInvariants(t, k)
			checkInvariants(t, r)
		}
	})
}

func FuzzDecode(f *testing.F) {
	k := New(1)
	f.Add([]byte{})
	f.Add(k.Snapshot(0).Encode())
	for _, line := range []string{
		"SET s hello PX 1500", "RPUSH l b a c", "HSET h z 1 a 2", "SADD set q p", "ZADD z 2 b 1 a -inf c",
	} {
		k.Exec(1000, splitArgs(line))
		f.Add(k.Snapshot(1000).Encode())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		check := func(b []byte) {
			s, err := Decode(b)
			if err != nil {
				return
			}
			require.Equal(t, b, s.Encode(), "Decode accepts only canonical encodings")
			New(1).Restore(0, s)
		}
		check(b)
		// The same bytes with a valid checksum, so the fuzzer reaches the
		// parser behind the CRC.
		if len(b) >= 4 {
			fixed := binary.BigEndian.AppendUint32(append([]byte(nil), b[:len(b)-4]...), crc32.ChecksumIEEE(b[:len(b)-4]))
			check(fixed)
		}
	})
}

// checkInvariants checks the expiry bookkeeping (expiry.go): miniredis holds
// no TTL, every key with a TTL exists, has not expired by the keyspace's
// time and has its (expiry, key) in the heap, and the heap is a heap.
func checkInvariants(t require.TestingT, k *Keyspace) {
	for _, key := range k.db.Keys() {
		require.Zero(t, k.db.TTL(key), "miniredis holds a TTL for %q", key)
	}
	inHeap := map[expiry]bool{}
	for i, e := range k.expiries {
		inHeap[e] = true
		if i > 0 {
			require.False(t, k.expiries.Less(i, (i-1)/2), "heap order at %d", i)
		}
	}
	for key, at := range k.ttls {
		require.True(t, k.db.Exists(key), "TTL of missing key %q", key)
		require.Greater(t, at, int64(k.now), "key %q expired at %d, now %d", key, at, k.now)
		require.True(t, inHeap[expiry{at, key}], "expiry %d of %q not in the heap", at, key)
	}
}
