package info

import "strings"

// Reparse returns what Parse(text) returns, given prevInfo, what Parse(prev)
// returned without error. A sentinel reads the INFO of every instance every
// 10 s, and the text seldom changes between two readings but in a few
// values (uptime, replication offsets): when the lines where text and prev
// differ are such values, and nothing else in the text reads them, only
// those lines are read, into a copy of prevInfo. Otherwise text is parsed
// whole.
func Reparse(prev string, prevInfo Info, text string) (Info, error) {
	if i, ok := reparse(prev, &prevInfo, text); ok {
		return i, nil
	}
	return Parse(text)
}

// reparse is Reparse's reading of the changed lines only; ok is false when
// the text must be parsed whole.
func reparse(prev string, pi *Info, text string) (Info, bool) {
	p := commonPrefix(prev, text)
	if p == len(prev) && p == len(text) {
		return *pi, true
	}
	s := commonSuffix(prev[p:], text[p:])
	// The changed part, whole lines: from the start of the line of the
	// first difference to the end of the line of the last.
	start := strings.LastIndexByte(text[:p], '\n') + 1
	endText, endPrev := len(text), len(prev)
	if k := strings.IndexByte(text[len(text)-s:], '\n'); k >= 0 {
		endText, endPrev = len(text)-s+k, len(prev)-s+k
	}
	out := *pi
	t, o := text[start:endText], prev[start:endPrev]
	for at := start; ; {
		tl, tRest, tMore := strings.Cut(t, "\n")
		ol, oRest, oMore := strings.Cut(o, "\n")
		if tMore != oMore {
			return Info{}, false // not the same number of lines
		}
		if tl != ol && !reread(&out, text, at, tl, ol) {
			return Info{}, false
		}
		if !tMore {
			return out, true
		}
		at += len(tl) + 1
		t, o = tRest, oRest
	}
}

// reread reads line l of text, at offset at, into i, where the previous
// text had line old: ok is false unless both are key:value lines of the
// same key, one of the keys below, and no later line of text has it.
func reread(i *Info, text string, at int, l, old string) bool {
	l, old = strings.TrimSuffix(l, "\r"), strings.TrimSuffix(old, "\r")
	key, value, ok := strings.Cut(l, ":")
	oldKey, _, oldOK := strings.Cut(old, ":")
	if !ok || !oldOK || key != oldKey {
		return false
	}
	// None of these keys starts like a line Sentinel tests by its prefix
	// (run_id, slaveN, role, master_link_down_since_seconds), and each sets
	// one field of its own, as plain values: what the line says is all
	// there is to read, unless the key comes again later.
	switch key {
	case "uptime_in_days": // not read
		return true
	case "uptime_in_seconds", "connected_clients", "connected_slaves", "master_failover_state",
		"master_replid", "master_replid2", "master_repl_offset", "second_repl_offset",
		"repl_backlog_active", "repl_backlog_size", "repl_backlog_first_byte_offset", "repl_backlog_histlen":
	case "master_last_io_seconds_ago", "master_sync_in_progress", "slave_read_repl_offset",
		"slave_repl_offset", "slave_priority", "slave_read_only", "replica_announced":
		// Replica fields count only under a role:slave line before them,
		// and only if the final role is slave (Normalize).
		if i.Role != RoleSlave || roleBefore(text[:at]) != RoleSlave {
			return true
		}
	default:
		return false
	}
	if hasLine(text[at+len(l):], key+":") {
		return false // a later line sets the field again
	}
	var p parser
	p.field(i, key, value)
	return true
}

// hasLine reports whether a line of text after its first starts with
// prefix. (A search for the prefix, not for "\n"+prefix: a line break is a
// far commoner first byte to try.)
func hasLine(text, prefix string) bool {
	for {
		k := strings.Index(text, prefix)
		if k < 0 {
			return false
		}
		if k > 0 && text[k-1] == '\n' {
			return true
		}
		text = text[k+1:]
	}
}

// roleBefore is the role the last role line of text sets ("" if none): the
// role parse has when it reads the line after text.
func roleBefore(text string) string {
	for len(text) > 0 {
		k := strings.LastIndex(text, "\nrole:")
		l := text[k+1:]
		if k < 0 {
			l = text
			if !strings.HasPrefix(l, "role:") {
				return ""
			}
		}
		switch {
		case strings.HasPrefix(l, "role:master"):
			return RoleMaster
		case strings.HasPrefix(l, "role:slave"):
			return RoleSlave
		}
		if k < 0 {
			return ""
		}
		text = text[:k]
	}
	return ""
}

// commonPrefix is the length of the longest common prefix of a and b: 64
// bytes at a time (memequal's vector compare), then eight, then one.
func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i+64 <= n && a[i:i+64] == b[i:i+64] {
		i += 64
	}
	for ; i+8 <= n; i += 8 {
		if load64(a, i) != load64(b, i) {
			break
		}
	}
	for ; i < n && a[i] == b[i]; i++ {
	}
	return i
}

// commonSuffix is the length of the longest common suffix of a and b, as
// commonPrefix finds a prefix.
func commonSuffix(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i+64 <= n && a[len(a)-i-64:len(a)-i] == b[len(b)-i-64:len(b)-i] {
		i += 64
	}
	for ; i+8 <= n; i += 8 {
		if load64(a, len(a)-i-8) != load64(b, len(b)-i-8) {
			break
		}
	}
	for ; i < n && a[len(a)-1-i] == b[len(b)-1-i]; i++ {
	}
	return i
}

// load64 reads eight bytes of s from i (one load: the compiler merges the
// byte reads).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
