package sentinel

import (
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sentinel/conf"
)

// Host names (spec §4.2, §25.4). A record keeps its address as it was given
// — a host name when resolve-hostnames allowed one, else a literal IP — and
// the directory (wire.HostResolver) resolves names when the IP is needed:
// to connect (link.go, through Directory.Resolve), to compare, and to show
// an address while announce-hostnames is off. With literal IPs everywhere
// (the default) every function here returns its input unchanged.

// resolveHost is the IP a host resolves to; a literal IP, or a name the
// directory does not know, is returned as it is.
func (s *Sentinel) resolveHost(host string) string {
	if hr, ok := s.dir.(wire.HostResolver); ok {
		if ip, found := hr.LookupHost(host); found {
			return ip
		}
	}
	return host
}

// announced is announceSentinelAddr: the host name when announce-hostnames
// is on, else the IP.
func (s *Sentinel) announced(a wire.Addr) wire.Addr {
	if s.conf.AnnounceHostnames {
		return a
	}
	return wire.Addr{Host: s.resolveHost(a.Host), Port: a.Port}
}

// acceptHost reports whether an address may name an instance: a literal IP
// always, a host name only with resolve-hostnames (spec §4.2: otherwise a
// replica advertised by name is silently not added).
func (s *Sentinel) acceptHost(host string) bool {
	if _, ok := conf.NormalizeIP(host); ok {
		return true
	}
	return s.conf.ResolveHostnames
}

// resolvable reports whether host is a literal IP or a name the directory
// resolves.
func (s *Sentinel) resolvable(host string) bool {
	if _, ok := conf.NormalizeIP(host); ok {
		return true
	}
	hr, ok := s.dir.(wire.HostResolver)
	if !ok {
		return false
	}
	_, ok = hr.LookupHost(host)
	return ok
}

// sameHost compares two addresses as spec §4.2 does: equal ports, and equal
// IPs or equal host names (without case).
func (s *Sentinel) sameHost(a, b wire.Addr) bool {
	return a.Port == b.Port && (strings.EqualFold(a.Host, b.Host) ||
		strings.EqualFold(s.resolveHost(a.Host), s.resolveHost(b.Host)))
}

// hostMatches compares a host reported by a node (master_host) with a
// record's address: the host is resolved and compared with the address's
// IP; unresolvable, it is compared as a string with the address as given
// (sentinelAddrEqualsHostname).
func (s *Sentinel) hostMatches(host string, a wire.Addr) bool {
	return strings.EqualFold(host, a.Host) || strings.EqualFold(s.resolveHost(host), s.resolveHost(a.Host))
}
