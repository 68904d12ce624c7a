package info

import (
	"strconv"
	"strings"
)

// Version is the Redis version the simulated data nodes report.
const Version = "7.0.15"

// Roles as INFO and ROLE name them.
const (
	RoleMaster = "master"
	RoleSlave  = "slave"
)

// Replica states of a master's slaveN lines.
const (
	StateWaitBgsave = "wait_bgsave"
	StateSendBulk   = "send_bulk"
	StateOnline     = "online"
)

// master_failover_state values (FAILOVER command).
const (
	FailoverNone       = "no-failover"
	FailoverWaitSync   = "waiting-for-sync"
	FailoverInProgress = "failover-in-progress"
)

// NullReplID is master_replid2 when there is no previous replication id.
const NullReplID = "0000000000000000000000000000000000000000"

// DefaultBacklogSize is repl_backlog_size by default (1 MiB).
const DefaultBacklogSize = 1 << 20

// Replica is one slaveN line of a master's INFO.
type Replica struct {
	IP     string
	Port   int
	State  string // wait_bgsave|send_bulk|online
	Offset int64
	Lag    int64
}

// Info is everything a data node reports in INFO that matters to Sentinel,
// clients and tests.
type Info struct {
	// # Server
	RedisVersion  string // "7.0.15"
	RunID         string // 40 hex chars
	TCPPort       int
	UptimeSeconds int64
	// # Clients
	ConnectedClients int
	// # Persistence
	Loading bool // loading:0|1
	// # Replication
	Role                   string // "master" or "slave"
	MasterHost             string
	MasterPort             int
	MasterLinkUp           bool // master_link_status:up|down
	MasterLastIOSecondsAgo int64
	MasterSyncInProgress   bool
	SlaveReadReplOffset    int64
	SlaveReplOffset        int64
	// MasterLinkDownSinceSeconds is emitted only when the link is not up;
	// -1 if never connected.
	MasterLinkDownSinceSeconds int64
	SlavePriority              int
	SlaveReadOnly              bool
	ReplicaAnnounced           bool
	ConnectedSlaves            int
	// MinSlavesGoodSlaves is emitted (min_slaves_good_slaves) only when
	// MinSlavesEnabled, i.e. min-replicas-to-write and min-replicas-max-lag
	// are both configured.
	MinSlavesGoodSlaves        int
	MinSlavesEnabled           bool
	Slaves                     []Replica
	MasterFailoverState        string // "no-failover"
	MasterReplID               string
	MasterReplID2              string
	MasterReplOffset           int64
	SecondReplOffset           int64
	ReplBacklogActive          bool
	ReplBacklogSize            int64
	ReplBacklogFirstByteOffset int64
	ReplBacklogHistlen         int64
}

// Defaults returns the configuration-dependent values of a default Redis
// 7.0.15 that has just started as a master: version, replica-priority 100,
// replica-read-only yes, replica-announced yes, no failover, no previous
// replication id (second_repl_offset -1), a 1 MiB backlog not yet created,
// and master_link_down_since_seconds -1 for when it becomes a replica before
// ever connecting. Run id, port, replication id and offsets are the
// caller's.
func Defaults() Info {
	return Info{
		RedisVersion:               Version,
		Role:                       RoleMaster,
		MasterLinkDownSinceSeconds: -1,
		SlavePriority:              100,
		SlaveReadOnly:              true,
		ReplicaAnnounced:           true,
		MasterFailoverState:        FailoverNone,
		MasterReplID2:              NullReplID,
		SecondReplOffset:           -1,
		ReplBacklogSize:            DefaultBacklogSize,
	}
}

// Normalize returns what Parse(Format(i)) gives for an i whose strings are
// valid (no CR or LF, hosts without commas, RunID of 40 bytes or empty):
// replica-only fields are zeroed unless Role is "slave",
// MasterLinkDownSinceSeconds also when the link is up, MinSlavesGoodSlaves
// unless MinSlavesEnabled, Role unless "master" or "slave", an empty Slaves
// becomes nil, and RunID is cut to 40 bytes ("" if shorter).
func Normalize(i Info) Info {
	if i.Role != RoleMaster && i.Role != RoleSlave {
		i.Role = ""
	}
	if i.Role != RoleSlave {
		i.MasterHost, i.MasterPort, i.MasterLinkUp = "", 0, false
		i.MasterLastIOSecondsAgo, i.MasterSyncInProgress = 0, false
		i.SlaveReadReplOffset, i.SlaveReplOffset = 0, 0
		i.SlavePriority, i.SlaveReadOnly, i.ReplicaAnnounced = 0, false, false
	}
	if i.Role != RoleSlave || i.MasterLinkUp {
		i.MasterLinkDownSinceSeconds = 0
	}
	if !i.MinSlavesEnabled {
		i.MinSlavesGoodSlaves = 0
	}
	if len(i.Slaves) == 0 {
		i.Slaves = nil
	}
	if len(i.RunID) < 40 {
		i.RunID = ""
	} else {
		i.RunID = i.RunID[:40]
	}
	return i
}

// section is one INFO section: its lower-case name, its header and whether
// INFO without arguments ("default") includes it.
type section struct {
	name, header string
	def          bool
	write        func(b *strings.Builder, i *Info)
}

// sections are in the order Redis 7.0.15 prints them.
var sections = []section{
	{"server", "Server", true, writeServer},
	{"clients", "Clients", true, writeClients},
	{"memory", "Memory", true, writeMemory},
	{"persistence", "Persistence", true, writePersistence},
	{"stats", "Stats", true, nil},
	{"replication", "Replication", true, writeReplication},
	{"cpu", "CPU", true, nil},
	{"modules", "Modules", true, nil},
	{"commandstats", "Commandstats", false, nil},
	{"errorstats", "Errorstats", true, nil},
	{"latencystats", "Latencystats", false, nil},
	{"cluster", "Cluster", true, writeCluster},
	{"keyspace", "Keyspace", true, nil},
}

// Sections returns the lower-case names of the sections Format knows, in
// output order.
func Sections() []string {
	out := make([]string, len(sections))
	for k, s := range sections {
		out[k] = s.name
	}
	return out
}

// Format renders INFO as Redis 7.0.15 does for the given sections. No
// sections means the default set (like "default"); "all" and "everything"
// add commandstats and latencystats. Names are case-insensitive, unknown
// names are ignored, and if nothing is selected the result is "" (as Redis
// answers "INFO nosuchsection"). Every line ends with "\r\n", sections are
// separated by an empty line, and string values are written verbatim: they
// must not contain CR or LF (and slave IPs and states no commas) to read back.
func Format(i Info, names ...string) string {
	text, _ := format(&i, names)
	return text
}

// format is Format, and where the uptime's value starts in the text (-1
// without a Server section).
func format(i *Info, names []string) (text string, uptime int) {
	want := make([]bool, len(sections))
	if len(names) == 0 {
		names = []string{"default"}
	}
	for _, n := range names {
		n = strings.ToLower(n)
		for k, s := range sections {
			switch n {
			case "default":
				want[k] = want[k] || s.def
			case "all", "everything":
				want[k] = true
			case s.name:
				want[k] = true
			}
		}
	}
	var b strings.Builder
	b.Grow(formatSize + 96*len(i.Slaves)) // the default sections of a replica take about 1.5 KB
	first := true
	uptime = -1
	for k, s := range sections {
		if !want[k] {
			continue
		}
		if !first {
			b.WriteString("\r\n")
		}
		first = false
		b.WriteString("# ")
		b.WriteString(s.header)
		b.WriteString("\r\n")
		start := b.Len()
		if s.write != nil {
			s.write(&b, i)
		}
		if s.name == "server" {
			// The last uptime line of the section: only constant lines
			// follow it there.
			uptime = start + strings.LastIndex(b.String()[start:], uptimeKey) + len(uptimeKey)
		}
	}
	return b.String(), uptime
}

const uptimeKey = "\r\nuptime_in_seconds:"

func line(b *strings.Builder, key, value string) {
	b.WriteString(key)
	b.WriteByte(':')
	b.WriteString(value)
	b.WriteString("\r\n")
}

func lineInt(b *strings.Builder, key string, v int64) {
	var num [20]byte
	b.WriteString(key)
	b.WriteByte(':')
	b.Write(strconv.AppendInt(num[:0], v, 10))
	b.WriteString("\r\n")
}

func lineBool(b *strings.Builder, key string, v bool) {
	if v {
		line(b, key, "1")
	} else {
		line(b, key, "0")
	}
}

// writeServer writes a subset of the real Server fields, in real order.
func writeServer(b *strings.Builder, i *Info) {
	// (Lines that never change are written as one string each run.)
	line(b, "redis_version", i.RedisVersion)
	b.WriteString("redis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_mode:standalone\r\n" +
		"arch_bits:64\r\nprocess_supervised:no\r\n")
	line(b, "run_id", i.RunID)
	lineInt(b, "tcp_port", int64(i.TCPPort))
	lineInt(b, "uptime_in_seconds", i.UptimeSeconds)
	lineInt(b, "uptime_in_days", i.UptimeSeconds/86400)
	b.WriteString("hz:10\r\nconfigured_hz:10\r\nio_threads_active:0\r\n")
}

func writeClients(b *strings.Builder, i *Info) {
	lineInt(b, "connected_clients", int64(i.ConnectedClients))
	b.WriteString("cluster_connections:0\r\nmaxclients:10000\r\nblocked_clients:0\r\n" +
		"tracking_clients:0\r\nclients_in_timeout_table:0\r\n")
}

func writeMemory(b *strings.Builder, _ *Info) {
	b.WriteString("maxmemory:0\r\nmaxmemory_human:0B\r\nmaxmemory_policy:noeviction\r\n")
}

// writePersistence writes loading and async_loading. A real node that is
// loading adds loading_start_time … loading_eta_seconds at the end of the
// section; Info has no values for them, so they are not emitted.
func writePersistence(b *strings.Builder, i *Info) {
	lineBool(b, "loading", i.Loading)
	line(b, "async_loading", "0")
}

func writeCluster(b *strings.Builder, _ *Info) {
	line(b, "cluster_enabled", "0")
}

// writeReplication writes the Replication section with every field Redis
// 7.0.15 emits, in its order (replication.c, genRedisInfoString).
func writeReplication(b *strings.Builder, i *Info) {
	line(b, "role", i.Role)
	if i.Role == RoleSlave {
		line(b, "master_host", i.MasterHost)
		lineInt(b, "master_port", int64(i.MasterPort))
		if i.MasterLinkUp {
			line(b, "master_link_status", "up")
		} else {
			line(b, "master_link_status", "down")
		}
		lineInt(b, "master_last_io_seconds_ago", i.MasterLastIOSecondsAgo)
		lineBool(b, "master_sync_in_progress", i.MasterSyncInProgress)
		lineInt(b, "slave_read_repl_offset", i.SlaveReadReplOffset)
		lineInt(b, "slave_repl_offset", i.SlaveReplOffset)
		if i.MasterSyncInProgress {
			// Present while the RDB is transferred; Info has no transfer
			// progress, so they read like the start of a diskless
			// transfer (total 0, as the real binary shows then).
			line(b, "master_sync_total_bytes", "0")
			line(b, "master_sync_read_bytes", "0")
			line(b, "master_sync_left_bytes", "0")
			line(b, "master_sync_perc", "0.00")
			line(b, "master_sync_last_io_seconds_ago", "0")
		}
		if !i.MasterLinkUp {
			lineInt(b, "master_link_down_since_seconds", i.MasterLinkDownSinceSeconds)
		}
		lineInt(b, "slave_priority", int64(i.SlavePriority))
		lineBool(b, "slave_read_only", i.SlaveReadOnly)
		lineBool(b, "replica_announced", i.ReplicaAnnounced)
	}
	lineInt(b, "connected_slaves", int64(i.ConnectedSlaves))
	if i.MinSlavesEnabled {
		lineInt(b, "min_slaves_good_slaves", int64(i.MinSlavesGoodSlaves))
	}
	for k, r := range i.Slaves {
		b.WriteString(slaveLine(k, r))
		b.WriteString("\r\n")
	}
	line(b, "master_failover_state", i.MasterFailoverState)
	line(b, "master_replid", i.MasterReplID)
	line(b, "master_replid2", i.MasterReplID2)
	lineInt(b, "master_repl_offset", i.MasterReplOffset)
	lineInt(b, "second_repl_offset", i.SecondReplOffset)
	lineBool(b, "repl_backlog_active", i.ReplBacklogActive)
	lineInt(b, "repl_backlog_size", i.ReplBacklogSize)
	lineInt(b, "repl_backlog_first_byte_offset", i.ReplBacklogFirstByteOffset)
	lineInt(b, "repl_backlog_histlen", i.ReplBacklogHistlen)
}

// formatSize is room for the default sections, grown once.
const formatSize = 2048

// slaveLine is the slaveN line of replica r, without the line ending.
func slaveLine(n int, r Replica) string {
	return "slave" + strconv.Itoa(n) + ":ip=" + r.IP + ",port=" + strconv.Itoa(r.Port) +
		",state=" + r.State + ",offset=" + strconv.FormatInt(r.Offset, 10) +
		",lag=" + strconv.FormatInt(r.Lag, 10)
}
