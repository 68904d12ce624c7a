package keyspace

// Corrections of miniredis towards Redis 7.0: argument checks it is laxer
// about, error texts it words differently, float formats, and the commands
// whose Redis semantics it does not follow (INCRBYFLOAT and HINCRBYFLOAT
// compute in x87 long double). Each is checked against Redis 7.0.15 by the
// reply table (testdata/replies.txt).

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

var (
	errSyntax         = wire.Error("ERR syntax error")
	errNotInt         = wire.Error("ERR value is not an integer or out of range")
	errNotFloat       = wire.Error("ERR value is not a valid float")
	errWrongType      = wire.Error("WRONGTYPE Operation against a key holding the wrong kind of value")
	errNaNOrInf       = wire.Error("ERR increment would produce NaN or Infinity")
	errMustBePositive = wire.Error("ERR value is out of range, must be positive")
)

func errArity(lname string) wire.Value {
	return wire.Error("ERR wrong number of arguments for '" + lname + "' command")
}

func errExpireTime(lname string) wire.Value {
	return wire.Error("ERR invalid expire time in '" + lname + "' command")
}

// precheck returns the reply Redis 7.0 gives before touching the dataset
// where miniredis would answer otherwise, and args rewritten for miniredis
// where needed.
func (k *Keyspace) precheck(lname string, args []string) (wire.Value, []string, bool) {
	switch lname {
	case "set":
		if len(args) < 3 {
			return errArity(lname), nil, true
		}
		return k.set(lname, args), nil, true
	case "getex":
		if len(args) < 2 {
			return errArity(lname), nil, true
		}
		return k.getex(args), nil, true
	case "setex", "psetex":
		// SET key value EX|PX n, with the errors naming SETEX or PSETEX.
		if len(args) != 4 {
			return errArity(lname), nil, true
		}
		unit := "EX"
		if lname == "psetex" {
			unit = "PX"
		}
		return k.set(lname, []string{"SET", args[1], args[3], unit, args[2]}), nil, true
	case "rename", "renamenx", "copy":
		return k.renameOrCopy(lname, args), nil, true
	case "persist":
		if len(args) != 2 {
			return errArity(lname), nil, true
		}
		if _, ok := k.expireAt(args[1]); !ok { // only existing keys have TTLs
			return wire.Int(0), nil, true
		}
		k.persist(args[1])
		return wire.Int(1), nil, true
	case "mset", "msetnx":
		if len(args) < 3 || len(args)%2 == 0 {
			return errArity(lname), nil, true
		}
	case "incr", "decr", "incrby", "decrby":
		if (lname == "incr" || lname == "decr") != (len(args) == 2) || len(args) < 2 || len(args) > 3 {
			return errArity(lname), nil, true
		}
		if len(args) == 3 {
			n, ok := string2ll(args[2])
			if !ok {
				return errNotInt, nil, true
			}
			if lname == "decrby" && n == math.MinInt64 {
				return wire.Error("ERR decrement would overflow"), nil, true
			}
		}
		if k.db.Type(args[1]) == "string" {
			if v, _ := k.db.Get(args[1]); !isInt(v) {
				return errNotInt, nil, true
			}
		}
	case "hincrby":
		if len(args) != 4 {
			return errArity(lname), nil, true
		}
		incr, ok := string2ll(args[3])
		if !ok {
			return errNotInt, nil, true
		}
		if k.db.Type(args[1]) != "hash" {
			break
		}
		old := int64(0)
		if v, exists := k.hashField(args[1], args[2]); exists {
			if old, ok = string2ll(v); !ok {
				return wire.Error("ERR hash value is not an integer"), nil, true
			}
		}
		if incr < 0 && old < 0 && incr < math.MinInt64-old || incr > 0 && old > 0 && incr > math.MaxInt64-old {
			return wire.Error("ERR increment or decrement would overflow"), nil, true
		}
	case "lpop", "rpop":
		if len(args) == 3 {
			if n, ok := string2ll(args[2]); !ok || n < 0 {
				return errMustBePositive, nil, true
			}
		}
	case "zpopmin", "zpopmax":
		if len(args) == 3 {
			n, ok := string2ll(args[2])
			if !ok || n < 0 {
				return errMustBePositive, nil, true
			}
			if n == 0 { // miniredis would pop everything
				switch k.db.Type(args[1]) {
				case "", "zset":
					return wire.Array(), nil, true
				}
				return errWrongType, nil, true
			}
		}
	case "zrank", "zrevrank":
		if len(args) != 3 { // no WITHSCORE before Redis 7.2
			return errArity(lname), nil, true
		}
	case "expire", "pexpire", "expireat", "pexpireat":
		return k.expire(lname, args), nil, true
	case "ttl", "pttl", "expiretime", "pexpiretime":
		return k.ttl(lname, args), nil, true
	case "zadd", "zincrby":
		return k.zadd(lname, args), nil, true
	case "setrange":
		if v, ok := k.checkSetrange(args); !ok {
			return v, nil, true
		}
	case "setbit":
		// Redis refuses offsets past its 512 MB string limit (miniredis
		// would allocate them).
		if len(args) == 4 {
			if n, ok := string2ll(args[2]); !ok || n < 0 || n>>3 >= maxStringLen {
				return wire.Error("ERR bit offset is not an integer or out of range"), nil, true
			}
		}
	case "zunionstore", "zinterstore", "zunion", "zinter":
		return k.zunionInter(lname, args), nil, true
	case "incrbyfloat":
		return k.incrByFloat(args), nil, true
	case "hincrbyfloat":
		return k.hincrByFloat(args), nil, true
	}
	return wire.Value{}, args, false
}

// maxStringLen is Redis's limit on string values (proto-max-bulk-len, 512
// MB).
const maxStringLen = 512 << 20

// checkSetrange gives SETRANGE's replies that need no change, and its
// errors, as Redis 7.0 does: an empty value changes nothing (miniredis
// would pad the string, or create a key), and a result longer than 512 MB
// is refused (miniredis would allocate it).
func (k *Keyspace) checkSetrange(args []string) (wire.Value, bool) {
	if len(args) != 4 {
		return wire.Value{}, true // miniredis gives the arity error
	}
	offset, ok := string2ll(args[2])
	if !ok {
		return errNotInt, false
	}
	if offset < 0 {
		return wire.Error("ERR offset is out of range"), false
	}
	key, value := args[1], args[3]
	switch k.db.Type(key) {
	case "":
		if value == "" {
			return wire.Int(0), false
		}
	case "string":
		if value == "" {
			cur, _ := k.db.Get(key)
			return wire.Int(int64(len(cur))), false
		}
	default:
		return errWrongType, false
	}
	if offset+int64(len(value)) > maxStringLen {
		return wire.Error("ERR string exceeds maximum allowed size (proto-max-bulk-len)"), false
	}
	return wire.Value{}, true
}

// hashField reads a hash field through the direct API.
func (k *Keyspace) hashField(key, field string) (string, bool) {
	fields, err := k.db.HKeys(key)
	if err != nil {
		return "", false
	}
	for _, f := range fields {
		if f == field {
			return k.db.HGet(key, field), true
		}
	}
	return "", false
}

// expiryOptions are the options of SET (from args[3]) or GETEX (from
// args[2]), with the expiry as an absolute time.
type expiryOptions struct {
	nx, xx, get, keepTTL, persist bool
	expires                       bool
	at                            int64 // absolute expiry time (ms), if expires
}

// parseExpiry parses the options of SET (from args[3]) or GETEX (from
// args[2]) as Redis 7.0's parseExtendedStringArgumentsOrReply and
// getExpireMillisecondsOrReply do (relative EX/PX are added to the
// simulated clock), or returns the error Redis replies. GETEX looks the key
// up between the two, as Redis does: for GETEX, a missing key gives a nil
// reply here too.
func (k *Keyspace) parseExpiry(lname string, isSet bool, args []string, from int) (expiryOptions, wire.Value, bool) {
	const (
		nx = 1 << iota
		xx
		get
		keepttl
		persist
		ex
		px
		exat
		pxat
	)
	flags := 0
	expire := ""
	for j := from; j < len(args); j++ {
		opt := strings.ToUpper(args[j])
		hasNext := j+1 < len(args)
		switch {
		case opt == "NX" && isSet && flags&xx == 0:
			flags |= nx
		case opt == "XX" && isSet && flags&nx == 0:
			flags |= xx
		case opt == "GET" && isSet:
			flags |= get
		case opt == "KEEPTTL" && isSet && flags&(persist|ex|exat|px|pxat) == 0:
			flags |= keepttl
		case opt == "PERSIST" && !isSet && flags&(ex|exat|px|pxat|keepttl) == 0:
			flags |= persist
		case opt == "EX" && flags&(keepttl|persist|exat|px|pxat) == 0 && hasNext:
			flags |= ex
			j++
			expire = args[j]
		case opt == "PX" && flags&(keepttl|persist|ex|exat|pxat) == 0 && hasNext:
			flags |= px
			j++
			expire = args[j]
		case opt == "EXAT" && flags&(keepttl|persist|ex|px|pxat) == 0 && hasNext:
			flags |= exat
			j++
			expire = args[j]
		case opt == "PXAT" && flags&(keepttl|persist|ex|exat|px) == 0 && hasNext:
			flags |= pxat
			j++
			expire = args[j]
		default:
			return expiryOptions{}, errSyntax, false
		}
	}
	o := expiryOptions{
		nx: flags&nx != 0, xx: flags&xx != 0, get: flags&get != 0,
		keepTTL: flags&keepttl != 0, persist: flags&persist != 0,
	}
	if !isSet { // GETEX looks the key up before it checks the expiry value
		switch k.db.Type(args[1]) {
		case "":
			return expiryOptions{}, wire.Nil(), false
		case "string":
		default:
			return expiryOptions{}, errWrongType, false
		}
	}
	if flags&(ex|px|exat|pxat) != 0 {
		ms, ok := string2ll(expire)
		if !ok {
			return expiryOptions{}, errNotInt, false
		}
		seconds := flags&(ex|exat) != 0
		if ms <= 0 || seconds && ms > math.MaxInt64/1000 {
			return expiryOptions{}, errExpireTime(lname), false
		}
		if seconds {
			ms *= 1000
		}
		if flags&(ex|px) != 0 {
			ms += int64(k.now) // wraps like C on overflow
		}
		if ms <= 0 {
			return expiryOptions{}, errExpireTime(lname), false
		}
		o.expires, o.at = true, ms
	}
	return o, wire.Value{}, true
}

// set runs SET (SETEX and PSETEX rewritten to it): miniredis sets the
// value, without the expiry options; the keyspace gives the key its TTL:
// the new expiry time, the old one with KEEPTTL, else none. An expiry time
// not after now deletes the key at once, as Redis's next access would.
func (k *Keyspace) set(lname string, args []string) wire.Value {
	o, errv, ok := k.parseExpiry(lname, true, args, 3)
	if !ok {
		return errv
	}
	fixed := args[:3:3] // appends copy
	if o.nx {
		fixed = append(fixed, "NX")
	}
	if o.xx {
		fixed = append(fixed, "XX")
	}
	if o.get {
		fixed = append(fixed, "GET")
	}
	v := k.fixReply(lname, fixed, k.dispatch(fixed))
	if v.IsError() || !setHappened(o.nx, o.xx, o.get, v) {
		return v
	}
	key := args[1]
	switch {
	case o.expires && o.at <= int64(k.now):
		k.db.Del(key)
		k.persist(key)
	case o.expires:
		k.setExpireAt(key, o.at)
	case !o.keepTTL:
		k.persist(key)
	}
	return v
}

// getex runs GETEX: the value, then the TTL change.
func (k *Keyspace) getex(args []string) wire.Value {
	o, errv, ok := k.parseExpiry("getex", false, args, 2)
	if !ok {
		return errv
	}
	key := args[1]
	v := k.dispatch([]string{"GET", key})
	switch {
	case o.expires && o.at <= int64(k.now):
		k.db.Del(key)
		k.persist(key)
	case o.expires:
		k.setExpireAt(key, o.at)
	case o.persist:
		k.persist(key)
	}
	return v
}

// renameOrCopy runs RENAME, RENAMENX and COPY; the destination takes the
// source's TTL, or none. COPY ... REPLACE deletes the destination first, as
// Redis does (miniredis would leave the old value of another type behind,
// unseen, for the next command that makes a key of that type to find).
func (k *Keyspace) renameOrCopy(lname string, args []string) wire.Value {
	if len(args) < 3 {
		return k.fixReply(lname, args, k.dispatch(args))
	}
	src, dst := args[1], args[2]
	at, expires := k.expireAt(src)
	if lname == "copy" && src != dst && len(args) > 3 && k.db.Exists(src) {
		replace := true
		for _, a := range args[3:] {
			replace = replace && strings.EqualFold(a, "replace")
		}
		if replace && k.db.Exists(dst) {
			k.db.Del(dst)
			k.persist(dst)
		}
	}
	v := k.fixReply(lname, args, k.dispatch(args))
	done := v.Kind == wire.KindStatus || v.Kind == wire.KindInt && v.Int == 1
	if v.IsError() || !done || src == dst {
		return v
	}
	if lname != "copy" {
		k.persist(src)
	}
	if expires {
		k.setExpireAt(dst, at)
	} else {
		k.persist(dst)
	}
	return v
}

// afterWrite applies Redis 7.0's TTL rules to the keys a write command
// wrote (see expiry.go): a key a command replaces loses its TTL, and a key
// that no longer exists has none. SET, SETEX, PSETEX, GETEX, RENAME,
// RENAMENX, COPY, EXPIRE and friends and PERSIST have set the TTLs
// themselves.
func (k *Keyspace) afterWrite(lname string, args []string, v wire.Value) {
	if !v.IsError() {
		switch lname {
		case "flushall", "flushdb":
			k.clearExpiries()
			return
		case "getset":
			k.persist(args[1])
		case "setnx", "msetnx": // only new keys, which have no TTL anyway
			if v.Kind == wire.KindInt && v.Int == 1 {
				for i := 1; i < len(args); i += 2 {
					k.persist(args[i])
				}
			}
		case "mset":
			for i := 1; i < len(args); i += 2 {
				k.persist(args[i])
			}
		case "bitop":
			k.persist(args[2])
		case "sinterstore", "sunionstore", "sdiffstore", "zinterstore", "zunionstore":
			k.persist(args[1])
		}
	}
	k.forgetDeleted(args[1:])
}

// setHappened tells from SET's reply whether it set the key.
func setHappened(nx, xx, get bool, reply wire.Value) bool {
	switch {
	case !get:
		return reply.Kind != wire.KindNil
	case nx:
		return reply.Kind == wire.KindNil
	case xx:
		return reply.Kind != wire.KindNil
	}
	return true
}

// fixReply rewrites miniredis's reply to Redis 7.0's.
func (k *Keyspace) fixReply(lname string, args []string, v wire.Value) wire.Value {
	if v.Kind == wire.KindError {
		switch {
		case strings.HasPrefix(v.Str, "ERR invalid expire time in "):
			return errExpireTime(lname)
		case strings.HasPrefix(v.Str, "ERR wrong number of arguments for "):
			return errArity(lname)
		}
		return v
	}
	switch lname {
	case "sinterstore", "sunionstore", "sdiffstore", "zinterstore", "zunionstore":
		// miniredis stores an empty result as an empty key; Redis deletes
		// the destination.
		if v.Kind == wire.KindInt && v.Int == 0 {
			k.db.Del(args[1])
		}
	case "sdiff", "sinter", "sunion":
		// miniredis writes these from a Go map: sort for determinism (Redis
		// gives them in hash-table order, which is unspecified anyway).
		if v.Kind == wire.KindArray {
			sortBulks(v.Array)
		}
	case "zscore":
		formatScore(&v)
	case "zmscore":
		for i := range v.Array {
			formatScore(&v.Array[i])
		}
	case "zpopmin", "zpopmax":
		formatPairs(v.Array)
	case "zrange", "zrangebyscore", "zrevrange", "zrevrangebyscore", "zrandmember":
		for _, a := range args[2:] {
			if strings.EqualFold(a, "withscores") {
				formatPairs(v.Array)
				break
			}
		}
	case "zscan":
		if len(v.Array) == 2 {
			a := v.Array[1].Array
			for i := 1; i < len(a); i += 2 {
				formatListpackScore(&a[i])
			}
		}
	case "zmpop":
		if len(v.Array) == 2 {
			for _, pair := range v.Array[1].Array {
				formatPairs(pair.Array)
			}
		}
	}
	return v
}

func sortBulks(a []wire.Value) {
	for i := 1; i < len(a); i++ { // insertion sort: replies are short
		for j := i; j > 0 && a[j].Str < a[j-1].Str; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// formatPairs reformats the scores of a flat member, score, ... array.
func formatPairs(a []wire.Value) {
	for i := 1; i < len(a); i += 2 {
		formatScore(&a[i])
	}
}

// formatScore rewrites a score from miniredis's shortest form to Redis
// 7.0's addReplyDouble ("%.17g"; "inf", "-inf").
func formatScore(v *wire.Value) {
	if v.Kind != wire.KindBulk {
		return
	}
	if f, err := strconv.ParseFloat(v.Str, 64); err == nil {
		v.Str = formatDouble(f)
	}
}

// string2ll is Redis's strict integer parser: an optional '-', no leading
// zeros, no '+', no spaces, within int64.
func string2ll(s string) (int64, bool) {
	if s == "0" {
		return 0, true
	}
	p := s
	if len(p) > 0 && p[0] == '-' {
		p = p[1:]
	}
	if len(p) == 0 || p[0] < '1' || p[0] > '9' {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func isInt(s string) bool {
	_, ok := string2ll(s)
	return ok
}

// Long double arithmetic for INCRBYFLOAT and HINCRBYFLOAT: Redis 7.0 parses
// with strtold, adds and formats with "%.17Lf" in x87 80-bit extended
// precision (64-bit mantissa, round to nearest even), which big.Float at
// precision 64 reproduces.
const (
	ldPrec   = 64
	ldMaxExp = 16384  // |x| < 2^16384
	ldMinExp = -16444 // smallest subnormal 2^-16445 = 0.5 * 2^-16444
)

// ld is a long double value: finite (x) or infinite (inf = ±1).
type ld struct {
	x   *big.Float
	inf int
}

// string2ld is Redis's string2ld: strtold of the whole string (no NUL
// byte in it), no leading space, no NaN, no overflow, no underflow to zero.
func string2ld(s string) (ld, bool) {
	if len(s) == 0 || len(s) >= 5*1024 {
		return ld{}, false
	}
	if strings.IndexByte(s, 0) >= 0 { // Redis 7.0.15 refuses "1\x00" and "1\x002"
		return ld{}, false
	}
	switch s[0] {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return ld{}, false
	}
	body, sign := s, 1
	if body[0] == '+' || body[0] == '-' {
		if body[0] == '-' {
			sign = -1
		}
		body = body[1:]
	}
	switch strings.ToLower(body) {
	case "inf", "infinity":
		return ld{inf: sign}, true
	}
	if strings.ContainsAny(body, "_nN") || body == "" || body[0] == '+' || body[0] == '-' {
		return ld{}, false
	}
	base := 10
	if len(body) > 1 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X') {
		base = 0
	}
	x, _, err := big.ParseFloat(s, base, ldPrec, big.ToNearestEven)
	if err != nil || x.IsInf() {
		return ld{}, false
	}
	if x.Sign() != 0 {
		if e := x.MantExp(nil); e > ldMaxExp || e < ldMinExp {
			return ld{}, false // ERANGE
		}
	}
	return ld{x: x}, true
}

func ldFromInt(n int64) ld {
	return ld{x: new(big.Float).SetPrec(ldPrec).SetInt64(n)}
}

// add returns a+b, or false if the result is NaN or infinite.
func (a ld) add(b ld) (ld, bool) {
	if a.inf != 0 || b.inf != 0 {
		return ld{}, false
	}
	z := new(big.Float).SetPrec(ldPrec).SetMode(big.ToNearestEven).Add(a.x, b.x)
	if z.Sign() != 0 && z.MantExp(nil) > ldMaxExp {
		return ld{}, false
	}
	return ld{x: z}, true
}

// human formats as Redis's ld2string(LD_STR_HUMAN): "%.17Lf" without
// trailing zeros, "-0" as "0".
func (a ld) human() string {
	s := a.x.Text('f', 17)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// incrByFloat is INCRBYFLOAT as Redis 7.0 runs it: WRONGTYPE, then the
// current value, then the increment; the result keeps the key's TTL.
func (k *Keyspace) incrByFloat(args []string) wire.Value {
	if len(args) != 3 {
		return errArity("incrbyfloat")
	}
	key := args[1]
	cur := ldFromInt(0)
	switch k.db.Type(key) {
	case "":
	case "string":
		s, _ := k.db.Get(key)
		var ok bool
		if cur, ok = string2ld(s); !ok {
			return errNotFloat
		}
	default:
		return errWrongType
	}
	incr, ok := string2ld(args[2])
	if !ok {
		return errNotFloat
	}
	sum, ok := cur.add(incr)
	if !ok {
		return errNaNOrInf
	}
	s := sum.human()
	k.dispatch([]string{"SET", key, s, "KEEPTTL"})
	return wire.Bulk(s)
}

// hincrByFloat is HINCRBYFLOAT as Redis 7.0 runs it: the increment, then
// WRONGTYPE, then the current field value.
func (k *Keyspace) hincrByFloat(args []string) wire.Value {
	if len(args) != 4 {
		return errArity("hincrbyfloat")
	}
	key, field := args[1], args[2]
	incr, ok := string2ld(args[3])
	if !ok {
		return errNotFloat
	}
	if incr.inf != 0 {
		return wire.Error("ERR value is NaN or Infinity")
	}
	cur := ldFromInt(0)
	switch k.db.Type(key) {
	case "":
	case "hash":
		if v, exists := k.hashField(key, field); exists {
			if cur, ok = string2ld(v); !ok {
				return wire.Error("ERR hash value is not a float")
			}
		}
	default:
		return errWrongType
	}
	sum, ok := cur.add(incr)
	if !ok {
		return errNaNOrInf
	}
	s := sum.human()
	k.dispatch([]string{"HSET", key, field, s})
	return wire.Bulk(s)
}

// formatListpackScore rewrites a score as ZSCAN gives it for a small
// (listpack) sorted set in Redis 7.0: whole numbers within ±LLONG_MAX/2 as
// integers (double2ll), others as "%.17g".
func formatListpackScore(v *wire.Value) {
	if v.Kind != wire.KindBulk {
		return
	}
	f, err := strconv.ParseFloat(v.Str, 64)
	if err != nil {
		return
	}
	const half = float64(math.MaxInt64 / 2)
	if f >= -half && f <= half && f == math.Trunc(f) {
		v.Str = strconv.FormatInt(int64(f), 10)
		return
	}
	formatScore(v)
}

// expire is EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT as Redis 7.0's
// expireGenericCommand runs them: options, then the integer, then overflow
// checks, then NX/XX/GT/LT against the current expiry; a time not after
// now deletes the key.
func (k *Keyspace) expire(lname string, args []string) wire.Value {
	if len(args) < 3 {
		return errArity(lname)
	}
	var nx, xx, gt, lt bool
	for _, opt := range args[3:] {
		switch strings.ToUpper(opt) {
		case "NX":
			nx = true
		case "XX":
			xx = true
		case "GT":
			gt = true
		case "LT":
			lt = true
		default:
			return wire.Error("ERR Unsupported option " + opt)
		}
	}
	if nx && (xx || gt || lt) {
		return wire.Error("ERR NX and XX, GT or LT options at the same time are not compatible")
	}
	if gt && lt {
		return wire.Error("ERR GT and LT options at the same time are not compatible")
	}
	when, ok := string2ll(args[2])
	if !ok {
		return errNotInt
	}
	if lname == "expire" || lname == "expireat" {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			return errExpireTime(lname)
		}
		when *= 1000
	}
	base := int64(0)
	if lname == "expire" || lname == "pexpire" {
		base = int64(k.now)
	}
	if when > math.MaxInt64-base {
		return errExpireTime(lname)
	}
	when += base
	key := args[1]
	if k.db.Type(key) == "" {
		return wire.Int(0)
	}
	cur, has := k.expireAt(key)
	switch {
	case nx && has, xx && !has, gt && (!has || when <= cur), lt && has && when >= cur:
		return wire.Int(0)
	}
	if when <= int64(k.now) {
		k.db.Del(key)
		k.persist(key)
		return wire.Int(1)
	}
	k.setExpireAt(key, when)
	return wire.Int(1)
}

// ttl is TTL, PTTL, EXPIRETIME and PEXPIRETIME as in Redis 7.0 (TTL rounds
// to the nearest second, EXPIRETIME truncates).
func (k *Keyspace) ttl(lname string, args []string) wire.Value {
	if len(args) != 2 {
		return errArity(lname)
	}
	if k.db.Type(args[1]) == "" {
		return wire.Int(-2)
	}
	at, ok := k.expireAt(args[1])
	if !ok {
		return wire.Int(-1)
	}
	now := int64(k.now)
	left := int64(math.MaxInt64) // at - now overflows only for a clock behind 0
	if now >= 0 || at <= math.MaxInt64+now {
		left = max(at-now, 0)
	}
	switch lname {
	case "ttl":
		return wire.Int(left/1000 + (left%1000+500)/1000) // (left+500)/1000 without overflow
	case "pttl":
		return wire.Int(left)
	case "expiretime":
		return wire.Int(at / 1000)
	}
	return wire.Int(at)
}
