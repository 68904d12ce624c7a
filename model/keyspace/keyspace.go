package keyspace

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/alicebob/miniredis/v2"
	"github.com/alicebob/miniredis/v2/server"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// CodeNotKeyspace is the error code (first word of the error text) of
// Exec's reply to a command Redis knows but the keyspace does not run:
// connection, server, transaction, pub/sub, scripting, blocking, stream and
// HyperLogLog commands, and COPY ... DB. The node recognises it with
// v.ErrorCode() == CodeNotKeyspace and answers the command itself.
const CodeNotKeyspace = "NOTKEYSPACE"

// Keyspace is the dataset of one simulated Redis data node: a miniredis
// database driven without a network, on the simulated clock.
//
// A Keyspace is not safe for concurrent use; the simulator is
// single-threaded.
type Keyspace struct {
	m    *miniredis.Miniredis
	srv  *server.Server
	db   *miniredis.RedisDB
	buf  bytes.Buffer
	w    *bufio.Writer
	peer *server.Peer
	rng  *rand.Rand // RANDOMKEY

	now       wire.Time        // the time of the last command
	ttls      map[string]int64 // absolute expiry time (ms) of every key that has one (expiry.go)
	expiries  expiryHeap       // keys that may expire, by time
	rebuildAt int              // heap size at which to rebuild it
}

// New makes an empty keyspace whose random choices (SPOP, SRANDMEMBER,
// HRANDFIELD, ZRANDMEMBER, RANDOMKEY) are drawn from seed.
func New(seed int64) *Keyspace {
	m := miniredis.NewMiniRedis()
	m.Seed(int(seed))
	m.SetTime(frozenClock) // never moves: the keyspace keeps the TTLs (expiry.go)
	// Dial is the only listener-less way to start miniredis (it registers
	// the commands on a server without a listener). It also serves the
	// returned pipe on a goroutine; closing the server closes the pipe and
	// waits for that goroutine to end, before it read anything, so no
	// goroutine of ours outlives New and none ever touches the dataset.
	// (Waiting by spinning on runtime.Gosched cost half the CPU of a run
	// when the other cores were busy: the goroutine could not get one.)
	conn, err := m.Dial()
	if err != nil {
		panic("keyspace: miniredis Dial: " + err.Error())
	}
	srv := m.Server()
	srv.Close()
	_ = conn.Close()
	k := &Keyspace{
		m:   m,
		srv: srv,
		db:  m.DB(0),
		rng: rand.New(rand.NewPCG(uint64(seed), 0x6b657973706163)), // "keyspac"

		ttls:      map[string]int64{},
		rebuildAt: 1024,
	}
	k.w = bufio.NewWriterSize(&k.buf, 4096)
	k.peer = server.NewPeer(k.w) // RESP2: HELLO is refused, so it stays RESP2
	return k
}

// Exec runs one data command at simulated time now (milliseconds) and
// returns Redis's reply. args[0] is the command name, in any case.
//
// Commands Redis does not know get Redis's "ERR unknown command" error.
// Commands Redis knows but the keyspace does not run (Supported is false)
// get an error with code CodeNotKeyspace and change nothing.
func (k *Keyspace) Exec(now wire.Time, args []string) (v wire.Value) {
	if len(args) == 0 {
		return wire.Error("ERR empty command")
	}
	// A defect in miniredis must not crash the simulated node: the client
	// gets an error, and the run goes on (the command is reported, so the
	// defect can be fixed here).
	defer func() {
		if r := recover(); r != nil {
			v = wire.Error(fmt.Sprintf("ERR simulated keyspace failed on %s: %v", strings.ToUpper(args[0]), r))
		}
	}()
	if bad, ok := badScan(args); ok {
		return bad
	}
	c := lookup(args[0])
	if c.flags&flagSupported == 0 {
		if c.flags&flagKnown == 0 {
			return UnknownCommand(args)
		}
		return notKeyspace(c.name)
	}
	lname := c.name
	if lname == "copy" && copyHasDB(args) {
		return wire.Error(CodeNotKeyspace + " COPY with DB is not supported by the keyspace (one database)")
	}
	k.setClock(now)
	if lname == "randomkey" {
		v = k.randomKey(args)
	} else if r, fixed, done := k.precheck(lname, args); done {
		v = r
	} else {
		v = k.fixReply(lname, args, k.dispatch(fixed))
	}
	if c.flags&flagWrite != 0 {
		k.afterWrite(lname, args, v)
	}
	return v
}

// dispatch runs args through miniredis's command table on the reusable peer
// and decodes the reply. Dispatch is synchronous for every supported
// command: the handler runs, locked, on this goroutine (withTx) and writes
// its reply before returning.
func (k *Keyspace) dispatch(args []string) wire.Value {
	k.buf.Reset()
	k.srv.Dispatch(k.peer, args)
	k.peer.Flush()
	v, err := decodeReply(k.buf.Bytes())
	if err != nil {
		return wire.Error("ERR keyspace: cannot decode miniredis reply " + strconv.Quote(k.buf.String()))
	}
	return v
}

// randomKey implements RANDOMKEY from the sorted key list: miniredis picks
// by Go map iteration order, which is not reproducible.
func (k *Keyspace) randomKey(args []string) wire.Value {
	if len(args) != 1 {
		return wire.Error("ERR wrong number of arguments for 'randomkey' command")
	}
	keys := k.db.Keys()
	if len(keys) == 0 {
		return wire.Nil()
	}
	return wire.Bulk(keys[k.rng.IntN(len(keys))])
}

func copyHasDB(args []string) bool {
	if len(args) <= 3 {
		return false
	}
	for _, a := range args[3:] {
		if strings.EqualFold(a, "db") {
			return true
		}
	}
	return false
}

func notKeyspace(lname string) wire.Value {
	return wire.Error(CodeNotKeyspace + " '" + lname + "' is not a keyspace command")
}

// UnknownCommand is Redis 7.0's reply to a command it does not know, with
// the same truncation of the name and the arguments (128 bytes) and CR/LF
// turned into spaces.
func UnknownCommand(args []string) wire.Value {
	var quoted []byte
	for _, a := range args[1:] {
		if len(quoted) >= 128 {
			break
		}
		quoted = append(quoted, '\'')
		quoted = append(quoted, trunc(a, 128-len(quoted)+1)...)
		quoted = append(quoted, '\'', ' ')
	}
	msg := "ERR unknown command '" + trunc(args[0], 128) + "', with args beginning with: " + string(quoted)
	b := []byte(msg)
	for i, c := range b {
		if c == '\r' || c == '\n' {
			b[i] = ' '
		}
	}
	return wire.Error(string(b))
}

func trunc(s string, n int) string {
	if n < 0 {
		n = 0
	}
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Flush empties the dataset.
func (k *Keyspace) Flush() {
	k.m.FlushAll()
	k.clearExpiries()
}

// Len returns the number of keys, as of the last time given to Exec,
// Snapshot, Restore or Digest.
func (k *Keyspace) Len() int {
	v := k.dispatch([]string{"DBSIZE"})
	return int(v.Int)
}

// badScan answers SCAN, SSCAN, HSCAN and ZSCAN with Redis's errors for a
// cursor that is not an unsigned number ("invalid cursor") and a COUNT below
// 1 ("syntax error"), which miniredis does not check (a negative cursor
// made it panic).
func badScan(args []string) (wire.Value, bool) {
	cursorAt := 2
	switch strings.ToUpper(args[0]) {
	case "SCAN":
		cursorAt = 1
	case "SSCAN", "HSCAN", "ZSCAN":
	default:
		return wire.Value{}, false
	}
	if len(args) <= cursorAt {
		return wire.Value{}, false // the arity check answers
	}
	if _, err := strconv.ParseUint(args[cursorAt], 10, 64); err != nil {
		return wire.Error("ERR invalid cursor"), true
	}
	for i := cursorAt + 1; i+1 < len(args); i++ {
		if strings.EqualFold(args[i], "COUNT") {
			if n, err := strconv.ParseInt(args[i+1], 10, 64); err != nil || n < 1 {
				if err != nil {
					return wire.Error("ERR value is not an integer or out of range"), true
				}
				return wire.Error("ERR syntax error"), true
			}
		}
	}
	return wire.Value{}, false
}
