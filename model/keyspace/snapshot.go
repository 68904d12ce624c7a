package keyspace

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Type is the type of a key's value.
type Type uint8

// The value types a snapshot holds. Geo keys are sorted sets, as in Redis.
const (
	TypeString Type = iota + 1
	TypeList
	TypeHash
	TypeSet
	TypeZSet
)

func (t Type) String() string {
	switch t {
	case TypeString:
		return "string"
	case TypeList:
		return "list"
	case TypeHash:
		return "hash"
	case TypeSet:
		return "set"
	case TypeZSet:
		return "zset"
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// Field is a hash field and its value.
type Field struct{ Name, Value string }

// Member is a sorted-set member and its score.
type Member struct {
	Name  string
	Score float64
}

// Entry is one key with its value and expiry.
type Entry struct {
	Key  string
	Type Type
	// ExpireAt is the absolute simulated time (ms) at which the key
	// expires, if Expires.
	Expires  bool
	ExpireAt wire.Time

	Str    string   // TypeString
	List   []string // TypeList, head first
	Hash   []Field  // TypeHash, sorted by field name
	Set    []string // TypeSet, sorted
	Sorted []Member // TypeZSet, sorted by member name
}

// len is the number of elements of a collection.
func (e *Entry) len() int {
	switch e.Type {
	case TypeList:
		return len(e.List)
	case TypeHash:
		return len(e.Hash)
	case TypeSet:
		return len(e.Set)
	case TypeZSet:
		return len(e.Sorted)
	}
	return 0
}

// Snapshot is a whole dataset at one time: every key, sorted by key, in a
// canonical form, so equal datasets give equal snapshots and equal bytes.
type Snapshot struct {
	Entries []Entry
	// Skipped lists keys of types a snapshot cannot hold (streams,
	// HyperLogLogs), sorted, so nothing is dropped silently. It is always
	// empty in practice: Exec refuses the commands that make such keys.
	// Encode fails on a snapshot with skipped keys.
	Skipped []string
}

// Snapshot captures the whole dataset at simulated time now: keys that have
// expired by now are gone, TTLs become absolute expiry times.
func (k *Keyspace) Snapshot(now wire.Time) Snapshot {
	k.setClock(now)
	db := k.db
	var s Snapshot
	for _, key := range db.Keys() {
		e := Entry{Key: key}
		switch db.Type(key) {
		case "string":
			e.Type = TypeString
			e.Str, _ = db.Get(key)
		case "list":
			e.Type = TypeList
			l, _ := db.List(key)
			e.List = slices.Clone(l)
		case "hash":
			e.Type = TypeHash
			fields, _ := db.HKeys(key)
			e.Hash = make([]Field, len(fields))
			for i, f := range fields {
				e.Hash[i] = Field{f, db.HGet(key, f)}
			}
			sort.Slice(e.Hash, func(i, j int) bool { return e.Hash[i].Name < e.Hash[j].Name })
		case "set":
			e.Type = TypeSet
			m, _ := db.Members(key)
			e.Set = slices.Clone(m)
			slices.Sort(e.Set)
		case "zset":
			e.Type = TypeZSet
			m, _ := db.SortedSet(key)
			e.Sorted = make([]Member, 0, len(m))
			for name, score := range m {
				e.Sorted = append(e.Sorted, Member{name, score})
			}
			sort.Slice(e.Sorted, func(i, j int) bool { return e.Sorted[i].Name < e.Sorted[j].Name })
		default:
			s.Skipped = append(s.Skipped, key)
			continue
		}
		if e.Type != TypeString && e.len() == 0 {
			continue // cannot happen: fixReply deletes empty results
		}
		if at, ok := k.expireAt(key); ok {
			e.Expires = true
			e.ExpireAt = wire.Time(at)
		}
		s.Entries = append(s.Entries, e)
	}
	return s
}

// Restore replaces the dataset with s at simulated time now. Keys whose
// expiry time is not after now are left out, as Redis does when it loads an
// RDB file; so are empty lists, hashes, sets and sorted sets, which Redis
// cannot hold. Skipped keys cannot be restored.
func (k *Keyspace) Restore(now wire.Time, s Snapshot) {
	k.Flush()
	k.setClock(now)
	db := k.db
	for _, e := range s.Entries {
		if e.Expires && e.ExpireAt <= now {
			continue
		}
		switch e.Type {
		case TypeString:
			_ = db.Set(e.Key, e.Str)
		case TypeList:
			if len(e.List) == 0 {
				continue
			}
			_, _ = db.Push(e.Key, e.List...)
		case TypeHash:
			if len(e.Hash) == 0 {
				continue
			}
			fv := make([]string, 0, 2*len(e.Hash))
			for _, f := range e.Hash {
				fv = append(fv, f.Name, f.Value)
			}
			db.HSet(e.Key, fv...)
		case TypeSet:
			if len(e.Set) == 0 {
				continue
			}
			_, _ = db.SetAdd(e.Key, e.Set...)
		case TypeZSet:
			if len(e.Sorted) == 0 {
				continue
			}
			for _, m := range e.Sorted {
				_, _ = db.ZAdd(e.Key, m.Score, m.Name)
			}
		default:
			continue
		}
		if e.Expires {
			k.setExpireAt(e.Key, int64(e.ExpireAt))
		}
	}
}

// Digest returns the hex SHA-256 of the dataset at simulated time now: its
// keys, types, values and absolute expiry times. Equal datasets have equal
// digests on every run and machine.
func (k *Keyspace) Digest(now wire.Time) string {
	s := k.Snapshot(now)
	b := s.appendEncoding(nil)
	for _, key := range s.Skipped {
		b = appendStr(b, key)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// The byte form:
//
//	"SSKS" version(1)
//	uvarint(#entries) entries...
//	crc32-IEEE of everything before, 4 bytes big-endian
//
// entry: str(key) type(1) flags(1: bit 0 expires) [varint(expireAt)] value
// value: string: str; list and set: uvarint(n) str...; hash: uvarint(n)
// (str str)...; zset: uvarint(n) (str float64-bits big-endian)...
// str: uvarint(len) bytes.
const (
	magic   = "SSKS"
	version = 1
)

// Encode returns the snapshot's canonical byte form (RDB-like): the same
// dataset always gives the same bytes. It panics on a snapshot with Skipped
// keys or one that is not canonical (entries not sorted by key, collections
// not sorted or with duplicates), which Snapshot and Decode never return.
func (s Snapshot) Encode() []byte {
	if len(s.Skipped) > 0 {
		panic("keyspace: Encode of a snapshot with skipped keys: " + strings.Join(s.Skipped, ", "))
	}
	if err := s.check(); err != nil {
		panic("keyspace: Encode: " + err.Error())
	}
	b := s.appendEncoding(nil)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

func (s Snapshot) appendEncoding(b []byte) []byte {
	b = append(b, magic...)
	b = append(b, version)
	b = binary.AppendUvarint(b, uint64(len(s.Entries)))
	for _, e := range s.Entries {
		b = appendStr(b, e.Key)
		b = append(b, byte(e.Type))
		if e.Expires {
			b = append(b, 1)
			b = binary.AppendVarint(b, int64(e.ExpireAt))
		} else {
			b = append(b, 0)
		}
		switch e.Type {
		case TypeString:
			b = appendStr(b, e.Str)
		case TypeList:
			b = appendStrs(b, e.List)
		case TypeSet:
			b = appendStrs(b, e.Set)
		case TypeHash:
			b = binary.AppendUvarint(b, uint64(len(e.Hash)))
			for _, f := range e.Hash {
				b = appendStr(b, f.Name)
				b = appendStr(b, f.Value)
			}
		case TypeZSet:
			b = binary.AppendUvarint(b, uint64(len(e.Sorted)))
			for _, m := range e.Sorted {
				b = appendStr(b, m.Name)
				b = binary.BigEndian.AppendUint64(b, math.Float64bits(m.Score))
			}
		}
	}
	return b
}

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendStrs(b []byte, l []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(l)))
	for _, s := range l {
		b = appendStr(b, s)
	}
	return b
}

// check reports whether s is canonical: entries sorted by unique key, known
// types, no empty collection, hash fields, set members and sorted-set members sorted and unique,
// no NaN score.
func (s Snapshot) check() error {
	for i, e := range s.Entries {
		if i > 0 && s.Entries[i-1].Key >= e.Key {
			return fmt.Errorf("entries not sorted by unique key at %q", e.Key)
		}
		if e.Type != TypeString && e.len() == 0 {
			return fmt.Errorf("key %q: empty %s", e.Key, e.Type)
		}
		switch e.Type {
		case TypeString, TypeList:
		case TypeHash:
			for j := 1; j < len(e.Hash); j++ {
				if e.Hash[j-1].Name >= e.Hash[j].Name {
					return fmt.Errorf("hash %q: fields not sorted and unique", e.Key)
				}
			}
		case TypeSet:
			for j := 1; j < len(e.Set); j++ {
				if e.Set[j-1] >= e.Set[j] {
					return fmt.Errorf("set %q: members not sorted and unique", e.Key)
				}
			}
		case TypeZSet:
			for j, m := range e.Sorted {
				if math.IsNaN(m.Score) {
					return fmt.Errorf("zset %q: NaN score", e.Key)
				}
				if j > 0 && e.Sorted[j-1].Name >= m.Name {
					return fmt.Errorf("zset %q: members not sorted and unique", e.Key)
				}
			}
		default:
			return fmt.Errorf("key %q: unknown type %d", e.Key, e.Type)
		}
	}
	return nil
}

// Decode parses the byte form made by Encode. It accepts exactly the
// canonical encodings (Encode(Decode(b)) == b) and returns an error, never
// panics, on anything else.
func Decode(b []byte) (Snapshot, error) {
	if len(b) < len(magic)+1+4 {
		return Snapshot{}, errors.New("keyspace: snapshot too short")
	}
	body, sum := b[:len(b)-4], binary.BigEndian.Uint32(b[len(b)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return Snapshot{}, errors.New("keyspace: snapshot checksum mismatch")
	}
	if string(body[:len(magic)]) != magic {
		return Snapshot{}, errors.New("keyspace: not a snapshot")
	}
	if body[len(magic)] != version {
		return Snapshot{}, fmt.Errorf("keyspace: snapshot version %d not supported", body[len(magic)])
	}
	d := decoder{b: body, i: len(magic) + 1}
	n := d.count(4)
	var s Snapshot
	if n > 0 {
		s.Entries = make([]Entry, 0, n)
	}
	for j := 0; j < n && d.err == nil; j++ {
		e := Entry{Key: d.str(), Type: Type(d.byte())}
		switch d.byte() {
		case 0:
		case 1:
			e.Expires = true
			e.ExpireAt = wire.Time(d.varint())
		default:
			d.fail("bad flags")
		}
		switch e.Type {
		case TypeString:
			e.Str = d.str()
		case TypeList:
			e.List = d.strs()
		case TypeSet:
			e.Set = d.strs()
		case TypeHash:
			m := d.count(2)
			e.Hash = make([]Field, m)
			for i := range e.Hash {
				e.Hash[i] = Field{d.str(), d.str()}
			}
		case TypeZSet:
			m := d.count(9)
			e.Sorted = make([]Member, m)
			for i := range e.Sorted {
				e.Sorted[i].Name = d.str()
				e.Sorted[i].Score = math.Float64frombits(d.uint64())
			}
		default:
			d.fail("unknown type")
		}
		s.Entries = append(s.Entries, e)
	}
	if d.err == nil && d.i != len(body) {
		d.fail("trailing bytes")
	}
	if d.err != nil {
		return Snapshot{}, d.err
	}
	if err := s.check(); err != nil {
		return Snapshot{}, fmt.Errorf("keyspace: snapshot not canonical: %w", err)
	}
	if string(s.appendEncoding(nil)) != string(body) {
		return Snapshot{}, errors.New("keyspace: snapshot not canonical (varint encoding)")
	}
	return s, nil
}

// decoder reads the byte form; after the first error every read returns
// zero values.
type decoder struct {
	b   []byte
	i   int
	err error
}

func (d *decoder) fail(why string) {
	if d.err == nil {
		d.err = fmt.Errorf("keyspace: bad snapshot at byte %d: %s", d.i, why)
	}
}

func (d *decoder) byte() byte {
	if d.err != nil || d.i >= len(d.b) {
		d.fail("truncated")
		return 0
	}
	c := d.b[d.i]
	d.i++
	return c
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.i:])
	if n <= 0 {
		d.fail("bad uvarint")
		return 0
	}
	d.i += n
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b[d.i:])
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.i += n
	return v
}

func (d *decoder) uint64() uint64 {
	if d.err != nil || len(d.b)-d.i < 8 {
		d.fail("truncated")
		return 0
	}
	v := binary.BigEndian.Uint64(d.b[d.i:])
	d.i += 8
	return v
}

// count reads an element count, each element taking at least min bytes,
// and rejects counts the remaining input cannot hold (so garbage cannot
// make Decode allocate much).
func (d *decoder) count(min int) int {
	n := d.uvarint()
	if d.err == nil && n > uint64((len(d.b)-d.i)/min) {
		d.fail("count too large")
		return 0
	}
	return int(n)
}

func (d *decoder) str() string {
	n := d.count(1)
	if d.err != nil {
		return ""
	}
	s := string(d.b[d.i : d.i+n])
	d.i += n
	return s
}

func (d *decoder) strs() []string {
	n := d.count(1)
	l := make([]string, n)
	for i := range l {
		l[i] = d.str()
	}
	return l
}
