package keyspace

import (
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Propagate returns the commands a master sends to its replicas for a
// command it ran with Exec at now and that replied reply, as Redis 7.0
// propagates them, so a replica that applies them gets the master's
// dataset whatever its own clock and random state:
//
//   - reads, errors and writes that changed nothing visible by their reply
//     (EXPIRE answering 0, SET NX answering nil, SPOP of nothing) give none;
//   - SET with EX/PX/EXAT/PXAT, SETEX and PSETEX become SET key value PXAT
//     ms (absolute, in simulated milliseconds);
//   - EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT become PEXPIREAT key ms, or
//     DEL key when the time is not after now; GETEX with an expiry becomes
//     PEXPIREAT (or DEL), with PERSIST becomes PERSIST;
//   - SPOP becomes SREM of the popped members (the replica's random source
//     differs);
//   - INCRBYFLOAT becomes SET key result KEEPTTL and HINCRBYFLOAT becomes
//     HSET key field result (the replica may format floats the same way, but
//     Redis sends the result);
//   - every other write is sent as is.
//
// The returned slices may share args' strings but never args itself.
func Propagate(now wire.Time, args []string, reply wire.Value) [][]string {
	if len(args) == 0 || reply.Kind == wire.KindError || !IsWrite(args[0]) {
		return nil
	}
	lname := strings.ToLower(args[0])
	abs := func(ms int64) string { return strconv.FormatInt(ms, 10) }
	switch lname {
	case "set":
		return propagateSet(now, args, reply)
	case "setex", "psetex":
		if len(args) != 4 {
			return nil
		}
		n, _ := strconv.ParseInt(args[2], 10, 64)
		if lname == "setex" {
			n *= 1000
		}
		return [][]string{{"SET", args[1], args[3], "PXAT", abs(int64(now) + n)}}
	case "expire", "pexpire", "expireat", "pexpireat":
		if reply.Kind != wire.KindInt || reply.Int != 1 {
			return nil
		}
		when, _ := strconv.ParseInt(args[2], 10, 64)
		if lname == "expire" || lname == "expireat" {
			when *= 1000
		}
		if lname == "expire" || lname == "pexpire" {
			when += int64(now)
		}
		if when <= int64(now) {
			return [][]string{{"DEL", args[1]}}
		}
		return [][]string{{"PEXPIREAT", args[1], abs(when)}}
	case "getex":
		if reply.Kind != wire.KindBulk {
			return nil
		}
		return propagateGetex(now, args)
	case "spop":
		var members []string
		switch reply.Kind {
		case wire.KindBulk:
			members = []string{reply.Str}
		case wire.KindArray:
			for _, m := range reply.Array {
				members = append(members, m.Str)
			}
		}
		if len(members) == 0 {
			return nil
		}
		return [][]string{append([]string{"SREM", args[1]}, members...)}
	case "incrbyfloat":
		return [][]string{{"SET", args[1], reply.Str, "KEEPTTL"}}
	case "hincrbyfloat":
		return [][]string{{"HSET", args[1], args[2], reply.Str}}
	}
	return [][]string{append([]string(nil), args...)}
}

// propagateSet handles SET: nothing when NX/XX kept it from setting, SET key
// value PXAT ms when it had a relative expiry, else as is.
func propagateSet(now wire.Time, args []string, reply wire.Value) [][]string {
	var nx, xx, get bool
	unit, expire := "", ""
	for i := 3; i < len(args); i++ {
		switch o := strings.ToUpper(args[i]); o {
		case "NX":
			nx = true
		case "XX":
			xx = true
		case "GET":
			get = true
		case "EX", "PX", "EXAT", "PXAT":
			if i+1 < len(args) {
				unit, expire = o, args[i+1]
				i++
			}
		}
	}
	if !setHappened(nx, xx, get, reply) {
		return nil
	}
	if unit == "" {
		return [][]string{append([]string(nil), args...)}
	}
	ms, _ := strconv.ParseInt(expire, 10, 64)
	if unit == "EX" || unit == "EXAT" {
		ms *= 1000
	}
	if unit == "EX" || unit == "PX" {
		ms += int64(now)
	}
	return [][]string{{"SET", args[1], args[2], "PXAT", strconv.FormatInt(ms, 10)}}
}

func propagateGetex(now wire.Time, args []string) [][]string {
	for i := 2; i < len(args); i++ {
		o := strings.ToUpper(args[i])
		if o == "PERSIST" {
			return [][]string{{"PERSIST", args[1]}}
		}
		if i+1 >= len(args) {
			break
		}
		ms, _ := strconv.ParseInt(args[i+1], 10, 64)
		switch o {
		case "EX":
			ms = ms*1000 + int64(now)
		case "PX":
			ms += int64(now)
		case "EXAT":
			ms *= 1000
		case "PXAT":
		default:
			continue
		}
		if ms <= int64(now) {
			return [][]string{{"DEL", args[1]}}
		}
		return [][]string{{"PEXPIREAT", args[1], strconv.FormatInt(ms, 10)}}
	}
	return nil
}
