package conf

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/confargs"
)

// NormalizeIP reports whether host is a numeric IP address as Redis accepts
// one when resolve-hostnames is off (getaddrinfo with AI_NUMERICHOST in
// glibc), and returns it in the form Redis prints it (inet_ntop).
//
// IPv4 follows inet_aton: one to four parts, each decimal, octal (leading
// 0) or hexadecimal (0x), the last part filling the remaining bytes, so
// "127.1", "0x7f.0.0.1" and "2130706433" are all 127.0.0.1. IPv6 follows
// inet_pton; a zone (fe80::1%2) is accepted only when numeric, because an
// interface name depends on the host, and is dropped as inet_ntop drops it.
func NormalizeIP(host string) (string, bool) {
	if v4, ok := inetAton(host); ok {
		return strconv.Itoa(int(v4>>24)) + "." + strconv.Itoa(int(v4>>16&0xff)) + "." +
			strconv.Itoa(int(v4>>8&0xff)) + "." + strconv.Itoa(int(v4&0xff)), true
	}
	if !strings.Contains(host, ":") {
		return "", false
	}
	h, zone, hasZone := strings.Cut(host, "%")
	if hasZone {
		if zone == "" {
			return "", false
		}
		for i := 0; i < len(zone); i++ {
			if zone[i] < '0' || zone[i] > '9' {
				return "", false
			}
		}
	}
	a, err := netip.ParseAddr(h)
	if err != nil || !a.Is6() || a.Zone() != "" {
		return "", false
	}
	return ntop6(a.As16()), true
}

// inetAton is glibc's __inet_aton_exact.
func inetAton(s string) (uint32, bool) {
	var parts []uint64
	i := 0
	for {
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v, n, ok := strtoulBase0(s[i:])
		if !ok {
			return 0, false
		}
		i += n
		if i < len(s) && s[i] == '.' {
			if len(parts) > 2 || v > 0xff {
				return 0, false
			}
			parts = append(parts, v)
			i++
			continue
		}
		if i != len(s) {
			return 0, false
		}
		max := [4]uint64{0xffffffff, 0xffffff, 0xffff, 0xff}[len(parts)]
		if v > max {
			return 0, false
		}
		var r uint32
		for j, p := range parts {
			r |= uint32(p) << (24 - 8*j)
		}
		return r | uint32(v), true
	}
}

// strtoulBase0 parses an unsigned number the way strtoul(s, &end, 0) does
// from a string that starts with a digit: 0x hex, leading-0 octal, else
// decimal. It returns the value, the bytes consumed, and false when the
// value does not fit in 32 bits (inet_aton rejects those).
func strtoulBase0(s string) (uint64, int, bool) {
	base, i := uint64(10), 0
	if s[0] == '0' {
		if len(s) > 2 && (s[1] == 'x' || s[1] == 'X') && confargs.IsHex(s[2]) {
			base, i = 16, 2
		} else {
			base = 8
		}
	}
	var v uint64
	for ; i < len(s); i++ {
		c := s[i]
		var d uint64
		switch {
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case base == 16 && confargs.IsHex(c):
			d = uint64(confargs.Unhex(c))
		default:
			d = base
		}
		if d >= base {
			break
		}
		v = v*base + d
		if v > 0xffffffff {
			return 0, 0, false
		}
	}
	return v, i, true
}

// ntop6 formats an IPv6 address as glibc's inet_ntop does: the longest run
// of at least two zero words (the first on a tie) becomes "::", and an
// IPv4-compatible or IPv4-mapped address ends in dotted quad.
func ntop6(b [16]byte) string {
	var w [8]uint16
	for i := range w {
		w[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	bestBase, bestLen, curBase, curLen := -1, 0, -1, 0
	for i := 0; i < 8; i++ {
		if w[i] == 0 {
			if curBase == -1 {
				curBase, curLen = i, 1
			} else {
				curLen++
			}
			continue
		}
		if curBase != -1 {
			if bestBase == -1 || curLen > bestLen {
				bestBase, bestLen = curBase, curLen
			}
			curBase = -1
		}
	}
	if curBase != -1 && (bestBase == -1 || curLen > bestLen) {
		bestBase, bestLen = curBase, curLen
	}
	if bestBase != -1 && bestLen < 2 {
		bestBase = -1
	}
	var sb strings.Builder
	for i := 0; i < 8; i++ {
		if bestBase != -1 && i >= bestBase && i < bestBase+bestLen {
			if i == bestBase {
				sb.WriteByte(':')
			}
			continue
		}
		if i != 0 {
			sb.WriteByte(':')
		}
		if i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xffff)) {
			sb.WriteString(strconv.Itoa(int(b[12])) + "." + strconv.Itoa(int(b[13])) + "." +
				strconv.Itoa(int(b[14])) + "." + strconv.Itoa(int(b[15])))
			break
		}
		sb.WriteString(strconv.FormatUint(uint64(w[i]), 16))
	}
	if bestBase != -1 && bestBase+bestLen == 8 {
		sb.WriteByte(':')
	}
	return sb.String()
}
