package info

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ErrNotInfo is returned for text that has no "#" header and no "key:value"
// line at all (an empty string, an error message).
var ErrNotInfo = errors.New("info: not INFO text")

// FieldError is a malformed or ignored value of a known field, as reported
// by ParseStrict. Line counts from 1.
type FieldError struct {
	Line   int
	Field  string
	Value  string
	Reason string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("info: line %d: %s: %s: %q", e.Line, e.Field, e.Reason, e.Value)
}

// Parse reads INFO text (any sections, CRLF or LF line endings, unknown
// fields ignored, '#' headers skipped) back into an Info, with the rules
// Sentinel 7.0.15 applies (see the package comment): it never fails on a
// value, reading numbers like C's atoi. Its only error is ErrNotInfo, with
// the zero Info.
func Parse(text string) (Info, error) {
	p := parse(text, false)
	if !p.sawInfo {
		return Info{}, ErrNotInfo
	}
	return p.info, nil
}

// ParseStrict returns the same Info as Parse and, unless the text is
// well-formed, an error joining one *FieldError per malformed value of a
// known field (not a complete integer, a 0/1 flag that is neither, an
// unknown role or link status, a run_id that is not 40 hex digits, a slaveN
// line that is not in either format or has an unknown state) and per value
// Parse ignores (a replica-only field while the role is not slave,
// master_link_down_since_seconds with the link up, a slaveN line that does
// not read back). Use errors.As to get them. It returns ErrNotInfo alone
// for text that is not INFO.
func ParseStrict(text string) (Info, error) {
	p := parse(text, true)
	if !p.sawInfo {
		return Info{}, ErrNotInfo
	}
	return p.info, errors.Join(p.problems...)
}

type parser struct {
	info     Info
	sawInfo  bool
	strict   bool
	problems []error
	lineNo   int
}

func (p *parser) problem(field, value, reason string) {
	if p.strict {
		p.problems = append(p.problems, &FieldError{Line: p.lineNo, Field: field, Value: value, Reason: reason})
	}
}

// isReplicaField reports whether key is one of the fields honoured only
// while the role is slave.
func isReplicaField(key string) bool {
	switch key {
	case "master_host", "master_port", "master_link_status",
		"master_last_io_seconds_ago", "master_sync_in_progress",
		"slave_read_repl_offset", "slave_repl_offset",
		"slave_priority", "slave_read_only", "replica_announced":
		return true
	}
	return false
}

const linkDownField = "master_link_down_since_seconds"

func parse(text string, strict bool) parser {
	p := parser{strict: strict} // (a value: a pointer would be allocated)
	i := &p.info
	role := ""
	sawRole := false
	linkDownLine := 0
	for start, more := 0, true; more; {
		// (IndexByte directly: Cut's general search costs more than the
		// short lines it splits.)
		end := len(text)
		if k := strings.IndexByte(text[start:], '\n'); k >= 0 {
			end = start + k
		}
		l := text[start:end]
		start, more = end+1, end < len(text)
		p.lineNo++
		l = strings.TrimSuffix(l, "\r")
		if l == "" {
			continue
		}
		if l[0] == '#' {
			p.sawInfo = true
			continue
		}
		colon := strings.IndexByte(l, ':')
		key, value, hasColon := l, "", colon >= 0
		if hasColon {
			key, value = l[:colon], l[colon+1:]
			p.sawInfo = true
		}

		// Sentinel's own matching (sentinelRefreshInstanceInfo), in its order.
		if len(l) >= 47 && strings.HasPrefix(l, "run_id:") {
			i.RunID = l[7:47]
		}
		if len(l) >= 7 && strings.HasPrefix(l, "slave") && isDigit(l[5]) {
			p.slave(l)
			continue
		}
		if len(l) >= 32 && strings.HasPrefix(l, linkDownField) {
			i.MasterLinkDownSinceSeconds = strtoll(l[31:])
			linkDownLine = p.lineNo
			if key == linkDownField {
				p.checkInt(key, value)
			} else {
				p.problem(linkDownField, l, "not a master_link_down_since_seconds line, read as one (Sentinel matches 30 bytes)")
			}
			continue
		}
		if strings.HasPrefix(l, "role:master") || strings.HasPrefix(l, "role:slave") {
			if sawRole {
				p.problem("role", value, "second role line")
			}
			sawRole = true
			role = RoleMaster
			if l[5] == 's' {
				role = RoleSlave
			}
		}
		if !hasColon {
			continue
		}
		// (The first-byte test spares most lines the map lookup: every
		// replica field starts with m, s or r.)
		if role != RoleSlave && isReplicaField(key) {
			p.problem(key, value, "replica field while the role is not slave: ignored")
			continue
		}

		p.field(i, key, value)
	}

	// Keep only what Format can emit for the final role (package comment).
	i.Role = role
	if role != RoleSlave {
		downSince := i.MasterLinkDownSinceSeconds
		*i = Normalize(*i)
		i.RunID = p.info.RunID // Normalize cuts RunID; Parse already did
		if downSince != 0 && linkDownLine != 0 {
			p.lineNo = linkDownLine
			p.problem(linkDownField, strconv.FormatInt(downSince, 10), "link-down time while the role is not slave: ignored")
		}
	} else if i.MasterLinkUp && i.MasterLinkDownSinceSeconds != 0 {
		p.lineNo = linkDownLine
		p.problem(linkDownField, strconv.FormatInt(i.MasterLinkDownSinceSeconds, 10), "link-down time while master_link_status is up: ignored")
		i.MasterLinkDownSinceSeconds = 0
	}
	return p
}

// field reads the value of a key:value line whose key is key, a line none
// of Sentinel's prefix tests took, into i.
func (p *parser) field(i *Info, key, value string) {
	switch key {
	case "redis_version":
		i.RedisVersion = value
	case linkDownField: // shorter than 32 bytes: an empty value
		p.problem(key, value, "empty value: ignored (Sentinel needs 32 bytes)")
	case "run_id":
		if p.strict && (len(value) != 40 || !isHex(value)) {
			p.problem(key, value, "not 40 hex digits")
		}
	case "tcp_port":
		i.TCPPort = p.atoi(key, value)
	case "uptime_in_seconds":
		i.UptimeSeconds = p.int64(key, value)
	case "connected_clients":
		i.ConnectedClients = p.atoi(key, value)
	case "loading":
		i.Loading = p.flag(key, value)
	case "role":
		if value != RoleMaster && value != RoleSlave {
			p.problem(key, value, "not master or slave")
		}

	case "master_host":
		i.MasterHost = value
	case "master_port":
		i.MasterPort = p.atoi(key, value)
	case "master_link_status":
		i.MasterLinkUp = strings.EqualFold(value, "up") // strcasecmp
		if value != "up" && value != "down" {
			p.problem(key, value, "not up or down")
		}
	case "master_last_io_seconds_ago":
		i.MasterLastIOSecondsAgo = p.int64(key, value)
	case "master_sync_in_progress":
		i.MasterSyncInProgress = p.flag(key, value)
	case "slave_read_repl_offset":
		i.SlaveReadReplOffset = p.int64(key, value)
	case "slave_repl_offset":
		i.SlaveReplOffset = int64(strtoull(value))
		p.checkInt(key, value)
	case "slave_priority":
		i.SlavePriority = p.atoi(key, value)
	case "slave_read_only":
		i.SlaveReadOnly = p.flag(key, value)
	case "replica_announced":
		i.ReplicaAnnounced = p.flag(key, value)

	case "connected_slaves":
		i.ConnectedSlaves = p.atoi(key, value)
	case "min_slaves_good_slaves":
		i.MinSlavesEnabled = true
		i.MinSlavesGoodSlaves = p.atoi(key, value)
	case "master_failover_state":
		i.MasterFailoverState = value
	case "master_replid":
		i.MasterReplID = value
	case "master_replid2":
		i.MasterReplID2 = value
	case "master_repl_offset":
		i.MasterReplOffset = p.int64(key, value)
	case "second_repl_offset":
		i.SecondReplOffset = p.int64(key, value)
	case "repl_backlog_active":
		i.ReplBacklogActive = p.flag(key, value)
	case "repl_backlog_size":
		i.ReplBacklogSize = p.int64(key, value)
	case "repl_backlog_first_byte_offset":
		i.ReplBacklogFirstByteOffset = p.int64(key, value)
	case "repl_backlog_histlen":
		i.ReplBacklogHistlen = p.int64(key, value)
	}
}

// slave reads a slaveN line. A line Sentinel cannot parse, or one that
// would not read back the same once reformatted, is skipped.
func (p *parser) slave(l string) {
	r, ok := parseSlaveLine(l)
	if !ok {
		p.problem("slave", l, "neither ip=..,port=.. nor <ip>,<port>,<state>: ignored")
		return
	}
	if back, ok := parseSlaveLine(slaveLine(0, r)); !ok || back != r {
		p.problem("slave", l, "does not read back once reformatted: ignored")
		return
	}
	if p.strict {
		key, _, _ := strings.Cut(l, ":")
		if len(key) < 6 || !allDigits(key[5:]) {
			p.problem("slave", l, "key is not slave<N>")
		}
		if r.State != StateWaitBgsave && r.State != StateSendBulk && r.State != StateOnline {
			p.problem("slave", l, "unknown state")
		}
		if strings.Contains(l, "ip=") {
			_, rest, _ := strings.Cut(l, ":")
			for kv := range strings.SplitSeq(rest, ",") {
				k, v, _ := strings.Cut(kv, "=")
				switch k {
				case "port":
					if !validInt(v, math.MinInt32, math.MaxInt32) {
						p.problem("slave", l, "port is not an integer")
					}
				case "offset", "lag":
					if !validInt(v, math.MinInt64, math.MaxInt64) {
						p.problem("slave", l, k+" is not an integer")
					}
				}
			}
		} else if !validInt(strings.Split(l, ",")[1], math.MinInt32, math.MaxInt32) {
			p.problem("slave", l, "port is not an integer")
		}
	}
	p.info.Slaves = append(p.info.Slaves, r)
}

// parseSlaveLine reads a slaveN line as Sentinel does: ip and port by
// substring search in the new format, by position in the old one. State,
// offset and lag, which Sentinel ignores, are the first state=, offset= and
// lag= items after the first colon (new format) or the third field (old).
func parseSlaveLine(l string) (Replica, bool) {
	var r Replica
	if !strings.Contains(l, "ip=") {
		// Old format: slave0:<ip>,<port>,<state>
		_, rest, ok := strings.Cut(l, ":")
		if !ok {
			return r, false
		}
		ip, rest, ok := strings.Cut(rest, ",")
		if !ok {
			return r, false
		}
		port, rest, ok := strings.Cut(rest, ",")
		if !ok {
			return r, false
		}
		state, _, _ := strings.Cut(rest, ",")
		return Replica{IP: ip, Port: atoi(port), State: state}, true
	}
	// New format: slave0:ip=127.0.0.1,port=9999,state=online,offset=1,lag=0
	ip := l[strings.Index(l, "ip=")+3:]
	pi := strings.Index(l, "port=")
	if pi < 0 {
		return r, false
	}
	port := l[pi+5:]
	ip, _, _ = strings.Cut(ip, ",")
	port, _, _ = strings.Cut(port, ",")
	r.IP, r.Port = ip, atoi(port)
	rest := l
	if _, after, ok := strings.Cut(l, ":"); ok {
		rest = after
	}
	var seenState, seenOffset, seenLag bool
	for kv := range strings.SplitSeq(rest, ",") {
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case k == "state" && !seenState:
			r.State, seenState = v, true
		case k == "offset" && !seenOffset:
			r.Offset, seenOffset = strtoll(v), true
		case k == "lag" && !seenLag:
			r.Lag, seenLag = strtoll(v), true
		}
	}
	return r, true
}

func (p *parser) atoi(key, value string) int {
	if p.strict && !validInt(value, math.MinInt32, math.MaxInt32) {
		p.problem(key, value, "not an integer")
	}
	return atoi(value)
}

func (p *parser) int64(key, value string) int64 {
	p.checkInt(key, value)
	return strtoll(value)
}

func (p *parser) checkInt(key, value string) {
	if p.strict && !validInt(value, math.MinInt64, math.MaxInt64) {
		p.problem(key, value, "not an integer")
	}
}

// flag reads a 0|1 field as Sentinel would read it with atoi: non-zero is
// true.
func (p *parser) flag(key, value string) bool {
	if value != "0" && value != "1" {
		p.problem(key, value, "not 0 or 1")
	}
	return atoi(value) != 0
}

func validInt(s string, lo, hi int64) bool {
	n, err := strconv.ParseInt(s, 10, 64)
	return err == nil && n >= lo && n <= hi && !strings.HasPrefix(s, "+")
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	for k := 0; k < len(s); k++ {
		if !isDigit(s[k]) {
			return false
		}
	}
	return s != ""
}

func isHex(s string) bool {
	for k := 0; k < len(s); k++ {
		if c := s[k]; !isDigit(c) && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}

// isSpace is C's isspace in the "C" locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// digits skips C white space and a sign, and returns whether the number is
// negative and its digit prefix.
func digits(s string) (neg bool, ds string) {
	k := 0
	for k < len(s) && isSpace(s[k]) {
		k++
	}
	if k < len(s) && (s[k] == '+' || s[k] == '-') {
		neg = s[k] == '-'
		k++
	}
	e := k
	for e < len(s) && isDigit(s[e]) {
		e++
	}
	return neg, s[k:e]
}

// strtoull is C's strtoull(s, NULL, 10): a negative number is negated as an
// unsigned value, and a number too large for 64 bits gives 2^64-1.
func strtoull(s string) uint64 {
	neg, ds := digits(s)
	var n uint64
	for k := 0; k < len(ds); k++ {
		d := uint64(ds[k] - '0')
		if n > (math.MaxUint64-d)/10 {
			return math.MaxUint64
		}
		n = n*10 + d
	}
	if neg {
		return -n
	}
	return n
}

// strtoll is C's strtoll(s, NULL, 10): out-of-range values saturate.
func strtoll(s string) int64 {
	neg, ds := digits(s)
	var n uint64
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	for k := 0; k < len(ds); k++ {
		d := uint64(ds[k] - '0')
		if n > (limit-d)/10 {
			n = limit
			break
		}
		n = n*10 + d
	}
	if neg {
		return int64(-n) // -2^63 wraps to itself
	}
	return int64(n)
}

// atoi is glibc's atoi on LP64: (int)strtol(s, NULL, 10), a saturated 64-bit
// value truncated to 32 bits.
func atoi(s string) int { return int(int32(strtoll(s))) }
