package confargs

import (
	"math"
	"strconv"
	"strings"
)

// This file emulates, byte for byte, the C library and Redis number parsers
// that Redis 7.0.15 applies to configuration arguments. Their leniency is
// part of the behaviour: "sentinel down-after-milliseconds m 5000abc" is
// 5000, "sentinel monitor m 127.0.0.1 6379 abc" has quorum 0.

// IsCSpace is isspace() in the C locale.
func IsCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// strtoPrefix parses what strtol/Strtoull accept: leading isspace, an
// optional sign, then decimal digits. It returns the sign, the magnitude
// (saturated at math.MaxUint64 with overflow set), whether any digit was
// read, and the index just past the last byte consumed (0 if none).
func strtoPrefix(s string) (neg bool, mag uint64, overflow, any bool, end int) {
	i := 0
	for i < len(s) && IsCSpace(s[i]) {
		i++
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		d := uint64(s[i] - '0')
		if !overflow {
			if mag > (math.MaxUint64-d)/10 {
				overflow = true
				mag = math.MaxUint64
			} else {
				mag = mag*10 + d
			}
		}
		i++
	}
	if i == start {
		return false, 0, false, false, 0
	}
	return neg, mag, overflow, true, i
}

// Strtol is the C strtol(s, &end, 10) on a 64-bit platform: it saturates at
// math.MinInt64/math.MaxInt64. end is 0 when no digit was read.
func Strtol(s string) (v int64, end int) {
	neg, mag, overflow, any, end := strtoPrefix(s)
	if !any {
		return 0, 0
	}
	switch {
	case neg && (overflow || mag > 1<<63):
		return math.MinInt64, end
	case neg:
		return int64(-mag), end // -(1<<63) wraps to MinInt64, as intended
	case overflow || mag > math.MaxInt64:
		return math.MaxInt64, end
	}
	return int64(mag), end
}

// Atoi is the C atoi: (int)strtol(s, NULL, 10), the 64-bit long truncated to
// 32 bits as x86-64 does.
func Atoi(s string) int {
	v, _ := Strtol(s)
	return int(int32(v))
}

// Strtoull is the C strtoull(s, NULL, 10): out-of-range values saturate at
// math.MaxUint64 and a minus sign negates in unsigned arithmetic, so "-1"
// is math.MaxUint64.
func Strtoull(s string) uint64 {
	neg, mag, overflow, any, _ := strtoPrefix(s)
	if !any {
		return 0
	}
	if overflow {
		return math.MaxUint64
	}
	if neg {
		return -mag
	}
	return mag
}

// String2ll is Redis's strict integer parser (util.c): no spaces, no '+',
// no leading zeros, "-0" rejected, range of int64 exactly.
func String2ll(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	if s == "0" {
		return 0, true
	}
	neg := false
	p := s
	if p[0] == '-' {
		neg = true
		p = p[1:]
		if len(p) == 0 {
			return 0, false
		}
	}
	if p[0] < '1' || p[0] > '9' {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > math.MaxUint64/10 {
			return 0, false
		}
		v *= 10
		if v > math.MaxUint64-uint64(c-'0') {
			return 0, false
		}
		v += uint64(c - '0')
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return int64(-v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// Memtoull is Redis's memory-size parser (util.c): digits followed by an
// optional unit among b, k, kb, m, mb, g, gb (any case). No sign, no
// spaces. Like the C code it accepts an empty number ("" or "kb" is 0),
// saturates a too long number at math.MaxUint64 and lets the unit
// multiplication wrap around.
func Memtoull(s string) (uint64, bool) {
	if strings.HasPrefix(s, "-") {
		return 0, false
	}
	u := 0
	for u < len(s) && s[u] >= '0' && s[u] <= '9' {
		u++
	}
	var mul uint64
	switch strings.ToLower(s[u:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1024
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1024 * 1024
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1024 * 1024 * 1024
	default:
		return 0, false
	}
	if u >= 128 {
		return 0, false
	}
	var v uint64
	if u > 0 {
		var err error
		v, err = strconv.ParseUint(s[:u], 10, 64)
		if err != nil { // only a range error is possible: Strtoull saturates
			v = math.MaxUint64
		}
	}
	return v * mul, true
}

// StrtollFull is strtoll(s, &end, base) (base 8 or 10). It returns the
// value (saturated on overflow, as in C), whether the whole string was
// consumed (*end == '\0'; an empty string counts, as in C) and whether
// errno would be ERANGE.
func StrtollFull(s string, base int) (v int64, full, rangeErr bool) {
	i := 0
	for i < len(s) && IsCSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var mag uint64
	overflow := false
	for i < len(s) {
		c := s[i]
		if c < '0' || c > '9' || uint64(c-'0') >= uint64(base) {
			break
		}
		d := uint64(c - '0')
		if mag > (math.MaxUint64-d)/uint64(base) {
			overflow = true
		} else {
			mag = mag*uint64(base) + d
		}
		i++
	}
	if i == start {
		// No digits: strtoll leaves end at the start of the string.
		return 0, len(s) == 0, false
	}
	full = i == len(s)
	switch {
	case neg && (overflow || mag > 1<<63):
		return math.MinInt64, full, true
	case neg:
		return int64(-mag), full, false
	case overflow || mag > math.MaxInt64:
		return math.MaxInt64, full, true
	}
	return int64(mag), full, false
}

// Yesnotoi is Redis's yes/no parser: 1, 0, or -1 for anything else.
func Yesnotoi(s string) int {
	switch {
	case strings.EqualFold(s, "yes"):
		return 1
	case strings.EqualFold(s, "no"):
		return 0
	}
	return -1
}

// FormatMemory is rewriteConfigFormatMemory: the value as a long long with
// the largest unit among gb, mb, kb that divides it.
func FormatMemory(v int64) string {
	const kb, mb, gb = 1024, 1024 * 1024, 1024 * 1024 * 1024
	switch {
	case v != 0 && v%gb == 0:
		return strconv.FormatInt(v/gb, 10) + "gb"
	case v != 0 && v%mb == 0:
		return strconv.FormatInt(v/mb, 10) + "mb"
	case v != 0 && v%kb == 0:
		return strconv.FormatInt(v/kb, 10) + "kb"
	}
	return strconv.FormatInt(v, 10)
}
