package info

import "strings"

// Reparse returns what Parse(text) returns, given prevInfo, what Parse(prev)
// returned without error. A sentinel reads the INFO of every instance every
// 10 s, and the text seldom changes between two readings but in a few
// values (uptime, replication offsets): when the lines where text and prev
// differ are such values, and nothing else in the text reads them under
// Sentinel's rules (spec §7.2: the prefix tests, the role gate of the
// replica fields), only those lines are read, into a copy of prevInfo.
// Otherwise text is parsed whole.
func Reparse(prev string, prevInfo Info, text string) (Info, error) {
	if i, ok := reparse(prev, &prevInfo, text); ok {
		return i, nil
	}
	return Parse(text)
}

// reparse is Reparse's reading of the changed lines only; ok is false when
// the text must be parsed whole. It goes from one difference to the next
// (the lines between are the same in both texts), comparing many bytes at
// a time.
func reparse(prev string, pi *Info, text string) (Info, bool) {
	if text == prev {
		return *pi, true
	}
	out := *pi
	// t and o are where the rest of text and of prev start, at a line
	// start, after the same lines in both.
	for t, o := 0, 0; ; {
		d := commonPrefix(text[t:], prev[o:])
		if t+d == len(text) && o+d == len(prev) {
			return out, true
		}
		// The lines holding the difference start at the same offset.
		start := strings.LastIndexByte(text[t:t+d], '\n') + 1
		tl, ol := text[t+start:], prev[o+start:]
		tEnd, oEnd := strings.IndexByte(tl, '\n'), strings.IndexByte(ol, '\n')
		if (tEnd < 0) != (oEnd < 0) {
			return Info{}, false // one text has more lines
		}
		if tEnd < 0 {
			tEnd, oEnd = len(tl), len(ol)
		}
		if !reread(&out, text, t+start, tl[:tEnd], ol[:oEnd]) {
			return Info{}, false
		}
		if tEnd == len(tl) {
			return out, true // the last lines of both
		}
		t, o = t+start+tEnd+1, o+start+oEnd+1
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
	role := ""
	for i := 0; ; {
		k := strings.Index(text[i:], "role:")
		if k < 0 {
			return role
		}
		k += i
		if k == 0 || text[k-1] == '\n' {
			switch {
			case strings.HasPrefix(text[k:], "role:master"):
				role = RoleMaster
			case strings.HasPrefix(text[k:], "role:slave"):
				role = RoleSlave
			}
		}
		i = k + 1
	}
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

// load64 reads eight bytes of s from i (one load: the compiler merges the
// byte reads).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
