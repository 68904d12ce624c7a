package keyspace

// Sorted-set writes the keyspace runs itself rather than through miniredis:
// ZADD and ZINCRBY (miniredis stores the NaN of inf + -inf, ignores GT and LT
// with INCR, folds repeated members into one and checks its options in
// another order), and ZUNIONSTORE, ZINTERSTORE, ZUNION and ZINTER (miniredis
// stores NaN for inf + -inf and 0 * inf, which Redis turns into 0, and
// combines the inputs in the order given, where Redis takes the smallest
// first, which decides the result where infinities meet).

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

var errNaNScore = wire.Error("ERR resulting score is not a number (NaN)")

// string2d is Redis 7.0's getDoubleFromObject: strtod of the whole string
// (decimal or hexadecimal, "inf", "infinity"), no leading space, no NaN, no
// overflow, no underflow to zero.
func string2d(s string) (float64, bool) {
	if s == "" || strings.ContainsAny(s, "_\x00") {
		return 0, false
	}
	switch s[0] {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return 0, false
	}
	t := strings.TrimLeft(s, "+-")
	if len(t) != len(s) && len(s)-len(t) > 1 {
		return 0, false // one sign at most
	}
	hex := len(t) > 1 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')
	in := s
	if hex && !strings.ContainsAny(t, "pP") {
		in += "p0" // strtod takes hexadecimal without an exponent, Go does not
	}
	f, err := strconv.ParseFloat(in, 64)
	if err != nil || math.IsNaN(f) {
		return 0, false
	}
	if f == 0 { // underflow to zero is ERANGE for strtod
		mant, digits := t, "123456789"
		if hex {
			mant, digits = t[2:], "123456789abcdefABCDEF"
			if i := strings.IndexAny(mant, "pP"); i >= 0 {
				mant = mant[:i]
			}
		} else if i := strings.IndexAny(mant, "eE"); i >= 0 {
			mant = mant[:i]
		}
		if strings.ContainsAny(mant, digits) {
			return 0, false
		}
	}
	return f, true
}

// formatDouble is Redis 7.0's addReplyDouble: "%.17g", "inf", "-inf", and
// "0" for zero.
func formatDouble(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case f == 0:
		return "0"
	}
	return strconv.FormatFloat(f, 'g', 17, 64)
}

// zscores returns a copy of a sorted set's scores, or of a set's members
// with score 1 (as ZUNIONSTORE takes sets), or nil for a missing key.
func (k *Keyspace) zscores(key string) map[string]float64 {
	switch k.db.Type(key) {
	case "zset":
		m, _ := k.db.SortedSet(key)
		out := make(map[string]float64, len(m))
		for name, score := range m {
			out[name] = score
		}
		return out
	case "set":
		members, _ := k.db.Members(key)
		out := make(map[string]float64, len(members))
		for _, name := range members {
			out[name] = 1
		}
		return out
	}
	return nil
}

// zadd runs ZADD and ZINCRBY as Redis 7.0's zaddGenericCommand and zsetAdd
// do: options, argument count, incompatible options, every score, the
// key's type; then each score-member pair in turn.
func (k *Keyspace) zadd(lname string, args []string) wire.Value {
	var nx, xx, ch, incr, gt, lt bool
	scoreIdx := 2
	if lname == "zincrby" {
		if len(args) != 4 {
			return errArity(lname)
		}
		incr = true
	} else {
		if len(args) < 4 {
			return errArity(lname)
		}
	options:
		for ; scoreIdx < len(args); scoreIdx++ {
			switch strings.ToUpper(args[scoreIdx]) {
			case "NX":
				nx = true
			case "XX":
				xx = true
			case "CH":
				ch = true
			case "INCR":
				incr = true
			case "GT":
				gt = true
			case "LT":
				lt = true
			default:
				break options
			}
		}
		n := len(args) - scoreIdx
		if n == 0 || n%2 != 0 {
			return errSyntax
		}
		if nx && xx {
			return wire.Error("ERR XX and NX options at the same time are not compatible")
		}
		if gt && nx || lt && nx || gt && lt {
			return wire.Error("ERR GT, LT, and/or NX options at the same time are not compatible")
		}
		if incr && n > 2 {
			return wire.Error("ERR INCR option supports a single increment-element pair")
		}
	}
	pairs := args[scoreIdx:]
	scores := make([]float64, len(pairs)/2)
	for i := range scores {
		f, ok := string2d(pairs[2*i])
		if !ok {
			return errNotFloat
		}
		scores[i] = f
	}
	key := args[1]
	var cur map[string]float64
	switch k.db.Type(key) {
	case "":
	case "zset":
		cur = k.zscores(key)
	default:
		return errWrongType
	}
	added, updated, processed := 0, 0, 0
	var score float64
	if cur != nil || !xx { // a missing key with XX: nothing to do
		for i, s := range scores {
			member := pairs[2*i+1]
			old, exists := cur[member]
			switch {
			case exists:
				if nx {
					continue
				}
				if incr {
					s += old
					if math.IsNaN(s) {
						return errNaNScore
					}
				}
				if lt && s >= old || gt && s <= old {
					continue
				}
				if s != old {
					_, _ = k.db.ZAdd(key, s, member)
					updated++
				}
			case xx:
				continue
			default:
				_, _ = k.db.ZAdd(key, s, member)
				added++
			}
			if cur == nil {
				cur = map[string]float64{}
			}
			cur[member] = s
			score = s
			processed++
		}
	}
	if incr {
		if processed == 0 {
			return wire.Nil()
		}
		return wire.Bulk(formatDouble(score))
	}
	if ch {
		return wire.Int(int64(added + updated))
	}
	return wire.Int(int64(added))
}

// zunionInter runs ZUNIONSTORE, ZINTERSTORE, ZUNION and ZINTER as Redis
// 7.0's zunionInterDiffGenericCommand does: the key count, the sources'
// types, then WEIGHTS, AGGREGATE and (without a destination) WITHSCORES;
// the inputs are combined smallest first (a stable sort, as glibc's qsort
// is for these), and a product or sum that is NaN counts as 0.
func (k *Keyspace) zunionInter(lname string, args []string) wire.Value {
	store := strings.HasSuffix(lname, "store")
	union := strings.HasPrefix(lname, "zunion")
	i := 1 // numkeys
	if store {
		i = 2
	}
	if len(args) < i+2 {
		return errArity(lname)
	}
	n, ok := string2ll(args[i])
	if !ok {
		return errNotInt
	}
	if n < 1 {
		return wire.Error("ERR at least 1 input key is needed for '" + lname + "' command")
	}
	if n > int64(len(args)-i-1) {
		return errSyntax
	}
	type source struct {
		scores map[string]float64
		weight float64
	}
	src := make([]source, n)
	for j, key := range args[i+1 : i+1+int(n)] {
		switch k.db.Type(key) {
		case "", "set", "zset":
		default:
			return errWrongType
		}
		src[j] = source{k.zscores(key), 1}
	}
	const (
		sum = iota
		aggMin
		aggMax
	)
	aggregate, withScores := sum, false
	for j := i + 1 + int(n); j < len(args); {
		remaining := len(args) - j
		switch opt := strings.ToLower(args[j]); {
		case opt == "weights" && remaining >= len(src)+1:
			j++
			for s := range src {
				w, ok := string2d(args[j])
				if !ok {
					return wire.Error("ERR weight value is not a float")
				}
				src[s].weight = w
				j++
			}
		case opt == "aggregate" && remaining >= 2:
			switch strings.ToLower(args[j+1]) {
			case "sum":
				aggregate = sum
			case "min":
				aggregate = aggMin
			case "max":
				aggregate = aggMax
			default:
				return errSyntax
			}
			j += 2
		case opt == "withscores" && !store:
			withScores = true
			j++
		default:
			return errSyntax
		}
	}
	slices.SortStableFunc(src, func(a, b source) int { return len(a.scores) - len(b.scores) })
	combine := func(target *float64, v float64) {
		switch aggregate {
		case sum:
			*target += v
			if math.IsNaN(*target) {
				*target = 0
			}
		case aggMin:
			if v < *target {
				*target = v
			}
		case aggMax:
			if v > *target {
				*target = v
			}
		}
	}
	result := map[string]float64{}
	if union {
		for _, s := range src {
			for member, score := range s.scores {
				v := s.weight * score
				if math.IsNaN(v) {
					v = 0
				}
				if cur, ok := result[member]; ok {
					combine(&cur, v)
					result[member] = cur
				} else {
					result[member] = v
				}
			}
		}
	} else {
	members:
		for member, score := range src[0].scores {
			v := src[0].weight * score
			if math.IsNaN(v) {
				v = 0
			}
			for _, s := range src[1:] {
				other, ok := s.scores[member]
				if !ok {
					continue members
				}
				combine(&v, other*s.weight)
			}
			result[member] = v
		}
	}
	if store {
		dst := args[1]
		k.db.Del(dst)
		for member, score := range result {
			_, _ = k.db.ZAdd(dst, score, member)
		}
		return wire.Int(int64(len(result)))
	}
	members := make([]string, 0, len(result))
	for member := range result {
		members = append(members, member)
	}
	slices.SortFunc(members, func(a, b string) int {
		if result[a] != result[b] {
			if result[a] < result[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	out := make([]wire.Value, 0, 2*len(members))
	for _, m := range members {
		out = append(out, wire.Bulk(m))
		if withScores {
			out = append(out, wire.Bulk(formatDouble(result[m])))
		}
	}
	return wire.Array(out...)
}
