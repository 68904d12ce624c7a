package logs

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testdata/incidents holds copies of the incident logs of the reference
// material (/work/shared/reference/incident-logs, see incidents.md).
func incident(t *testing.T, prefix string) *Log {
	t.Helper()
	files, err := filepath.Glob("testdata/incidents/" + prefix + "-*.log")
	require.NoError(t, err)
	require.Len(t, files, 1, prefix)
	l, err := ParseFile(files[0], Options{})
	require.NoError(t, err)
	return l
}

// entry returns the entry of line no.
func entry(t *testing.T, l *Log, no int) Entry {
	t.Helper()
	for _, e := range l.Entries {
		if e.Line == no {
			return e
		}
	}
	t.Fatalf("%s: no entry at line %d", l.Name, no)
	return Entry{}
}

func utc(y int, mo time.Month, d, h, mi, s, ms int) time.Time {
	return time.Date(y, mo, d, h, mi, s, ms*int(time.Millisecond), time.UTC)
}

func master(name, host string, port int) *Instance {
	a := wire.Addr{Host: host, Port: port}
	return &Instance{Kind: KindMaster, Name: name, Addr: a, Master: name, MasterAddr: a}
}

func sub(kind Kind, name, host string, port int, m *Instance) *Instance {
	return &Instance{Kind: kind, Name: name, Addr: wire.Addr{Host: host, Port: port}, Master: m.Name, MasterAddr: m.Addr}
}

// TestIncidentLogsParseCleanly: every incident log decodes without a
// problem; the only lines aside are the "#!" source comments and, in I19,
// the Redis master's lines and the signal-handler lines.
func TestIncidentLogsParseCleanly(t *testing.T) {
	files, err := filepath.Glob("testdata/incidents/*.log")
	require.NoError(t, err)
	require.Len(t, files, 15)
	for _, f := range files {
		l, err := ParseFile(f, Options{})
		require.NoError(t, err)
		assert.Empty(t, l.Problems, f)
		require.NotEmpty(t, l.Aside, f)
		assert.True(t, strings.HasPrefix(l.Aside[0].Text, "#! https://"), f)
		assert.Nil(t, l.Aside[0].Entry, f)
		for _, e := range l.Entries {
			assert.Greater(t, e.Line, 1, f)
			assert.Contains(t, []Role{RoleNone, RoleSentinel}, e.Role, f)
			if e.Event != nil {
				assert.True(t, e.Event.Known, "%s:%d", f, e.Line)
				assert.False(t, e.Event.Legacy, "%s:%d", f, e.Line)
			}
		}
		if !strings.Contains(f, "I19-") {
			assert.Len(t, l.Aside, 1, f)
		}
	}
}

func TestI05SplitVote(t *testing.T) {
	l := incident(t, "I05")
	const me = "5c921439489b49743e91da2a232075c19f403135"
	e := entry(t, l, 2)
	assert.Equal(t, &Note{Kind: NoteSentinelID, RunID: me}, e.Note)
	assert.Equal(t, RoleNone, e.Role)
	assert.Equal(t, Source{File: l.Name, PID: 50155}, e.Source)
	assert.Equal(t, utc(DefaultYear, time.December, 1, 21, 52, 15, 658), e.Time)
	assert.False(t, e.YearKnown)
	assert.Equal(t, "01 Dec 21:52:15.658", e.Stamp)

	m := master("mymaster", "127.0.0.1", 6379)
	assert.Equal(t, sub(KindSentinel, "127.0.0.1:26389", "127.0.0.1", 26389, m), entry(t, l, 6).Event.Inst)
	assert.Equal(t, sub(KindReplica, "127.0.0.1:6399", "127.0.0.1", 6399, m), entry(t, l, 5).Event.Inst)

	od := entry(t, l, 8)
	assert.Equal(t, &Event{Type: "+odown", Known: true, Inst: m, Quorum: Quorum{Count: 2, Need: 2}}, od.Event)
	assert.Equal(t, LevelWarning, od.Level)
	assert.Equal(t, &Event{Type: "+new-epoch", Known: true, Epoch: 1}, entry(t, l, 9).Event)
	assert.Equal(t, &Event{Type: "+vote-for-leader", Known: true, Leader: me, Epoch: 1}, entry(t, l, 11).Event)
	// The other sentinel (named by address in 2.8) voted for a third one:
	// the split vote of the incident.
	assert.Equal(t, &Note{Kind: NoteVote, Voter: "127.0.0.1:26389", RunID: "51462e8b9de1aee218eed6659df2bc7e240eb6a1", Epoch: 1},
		entry(t, l, 12).Note)
	assert.Equal(t, 101*time.Millisecond, entry(t, l, 8).Time.Sub(entry(t, l, 7).Time))
}

func TestI06VotesWithYear(t *testing.T) {
	l := incident(t, "I06")
	e := entry(t, l, 2)
	assert.Equal(t, Quorum{Count: 4, Need: 3}, e.Event.Quorum)
	assert.Equal(t, RoleSentinel, e.Role)
	assert.True(t, e.YearKnown)
	assert.Equal(t, utc(2023, time.December, 4, 13, 21, 25, 883), e.Time)
	assert.Equal(t, &Note{Kind: NoteVote, Voter: "fdf9c299ac37b84d15c7be55d4d983c839905002",
		RunID: "7c99908273ed894d926d86bf4fe998378e1a288d", Epoch: 45}, entry(t, l, 7).Note)
}

func TestI07NextFailoverDelay(t *testing.T) {
	l := incident(t, "I07")
	assert.Equal(t, "-failover-abort-not-elected", entry(t, l, 9).Event.Type)
	n := entry(t, l, 10).Note
	require.NotNil(t, n)
	assert.Equal(t, NoteNextFailover, n.Kind)
	// The ctime has the year the 3.2–5.0 header lacks.
	assert.Equal(t, time.Date(2021, time.November, 10, 3, 52, 47, 0, time.UTC), n.At)
	assert.Equal(t, Source{File: l.Name, PID: 1}, entry(t, l, 2).Source)
}

func TestI08ZeroPaddedPID(t *testing.T) {
	l := incident(t, "I08")
	for _, e := range l.Entries {
		assert.Equal(t, 1888, e.PID)
	}
	assert.Equal(t, &Note{Kind: NoteConfigSaved}, entry(t, l, 7).Note)
	assert.Equal(t, &Note{Kind: NoteVote, Voter: "65e1c1f97fec14e0afe4d9fff2902bc12bc9fa4b",
		RunID: "38da212fc28d246df0939b5ec61958b5eb1ccd70", Epoch: 56}, entry(t, l, 35).Note)
}

func TestI13StartupAndSet(t *testing.T) {
	l := incident(t, "I13")
	assert.Equal(t, NoteStarting, entry(t, l, 2).Note.Kind)
	assert.Equal(t, &Note{Kind: NoteVersion, Version: "6.2.1"}, entry(t, l, 3).Note)
	assert.Nil(t, entry(t, l, 4).Note) // "Configuration loaded": plain text
	assert.Equal(t, &Note{Kind: NoteRunningMode, Mode: "sentinel", Port: 20001}, entry(t, l, 6).Note)
	m := master("mymaster", "127.0.0.1", 10001)
	assert.Equal(t, &Event{Type: "+monitor", Known: true, Inst: m, Quorum: Quorum{Need: 2}}, entry(t, l, 9).Event)
	assert.Equal(t, &Event{Type: "+set", Known: true, Inst: m, Option: "down-after-milliseconds", Value: "500"}, entry(t, l, 10).Event)
}

func TestI15HostNames(t *testing.T) {
	l := incident(t, "I15")
	assert.Equal(t, &Note{Kind: NoteResolveFailed, Host: "redis-persistent-master-0.redis-persistent-master-svc.service-software"}, entry(t, l, 2).Note)
	m := master("mymaster", "redis-persistent-master-0.redis-persistent-master-svc.service-software", 6379)
	assert.Equal(t, m, entry(t, l, 3).Event.Inst)
	assert.Equal(t, sub(KindSentinel, "e0e60aafa5fad733a7176e2d4c28d0f6d9106cf5",
		"redis-persistent-sentinel-2.redis-persistent-sentinel-svc.service-software", 26379, m), entry(t, l, 6).Event.Inst)
	assert.Equal(t, &Event{Type: "+tilt", Known: true}, entry(t, l, 7).Event)
}

func TestI16KubernetesPrefix(t *testing.T) {
	l := incident(t, "I16")
	e := entry(t, l, 2)
	assert.Equal(t, "Mon, Apr 4 2022 9:35:15 pm | ", e.Prefix)
	// The viewer's time stamp names no host: every line is the same process.
	assert.Equal(t, Source{File: l.Name, PID: 1}, e.Source)
	assert.Equal(t, utc(2022, time.April, 5, 3, 35, 15, 396), e.Time)
	m := master("mymaster", "redis1-node-1.redis1", 30019)
	assert.Equal(t, &Event{Type: "-sdown", Known: true,
		Inst: sub(KindSentinel, "33f1828dea40e299b1c83d4824a2c329cc4e3ac7", "redis1-node-1.redis1", 30018, m)}, e.Event)
	var tilts []string
	for _, e := range l.Entries {
		if e.Event.Type == "+tilt" || e.Event.Type == "-tilt" {
			tilts = append(tilts, e.Event.Type)
		}
	}
	assert.Equal(t, []string{"+tilt", "-tilt", "+tilt", "-tilt", "+tilt", "-tilt"}, tilts)
	// TILT lasts 30 s (SENTINEL_TILT_PERIOD) each time.
	assert.Equal(t, 30087*time.Millisecond, entry(t, l, 4).Time.Sub(entry(t, l, 3).Time))
}

func TestI19ProcessesByPrefix(t *testing.T) {
	l := incident(t, "I19")
	require.Len(t, l.Aside, 6)
	sig := l.Aside[1]
	require.NotNil(t, sig.Entry)
	assert.True(t, sig.Entry.Signal)
	assert.Equal(t, "Received SIGTERM scheduling shutdown...", sig.Entry.Text)
	// The handler writes Unix time: 8 h before the local stamps of the
	// same second (the hosts run at UTC+8).
	assert.Equal(t, time.Date(2024, time.April, 24, 5, 48, 22, 0, time.UTC), sig.Entry.Time)
	assert.Equal(t, Source{File: l.Name, Host: "10.250.17.68-redis-6379", PID: 3894}, sig.Entry.Source)
	assert.Equal(t, RoleMaster, l.Aside[2].Entry.Role)
	assert.Equal(t, "User requested shutdown...", l.Aside[2].Entry.Text)
	assert.Equal(t, NoteShutdown, l.Aside[2].Entry.Note.Kind, "a data node's start-up and shutdown lines are notes too")

	require.Len(t, l.Entries, 3)
	assert.Equal(t, Source{File: l.Name, Host: "10.250.17.68-redis-seintiel-6380", PID: 3980}, l.Entries[0].Source)
	assert.Equal(t, NoteShutdown, l.Entries[1].Note.Kind)
	last := l.Entries[2]
	assert.Equal(t, Source{File: l.Name, Host: "10.250.17.32-redis-sentinel", PID: 3812}, last.Source)
	assert.Equal(t, master("sentinel-10.250.17.68-6379", "10.250.17.68", 6379), last.Event.Inst)
}

func TestI22NoGoodSlave(t *testing.T) {
	l := incident(t, "I22")
	m := master("mymaster-2", "127.0.0.1", 6379)
	assert.Equal(t, &Event{Type: "-failover-abort-no-good-slave", Known: true, Inst: m}, entry(t, l, 9).Event)
	assert.Equal(t, &Event{Type: "+elected-leader", Known: true, Inst: m}, entry(t, l, 7).Event)
	assert.Equal(t, "127.0.0.1:26379", entry(t, l, 6).Note.Voter)
}

func TestI24PatchedBuild(t *testing.T) {
	l := incident(t, "I24")
	const me = "5cf8e32e6948336ffc9caf7b87884d5b8231f59a"
	m6 := master("larger_demo-buk-6", "192.168.31.101", 6815)
	m7 := master("larger_demo-buk-7", "192.168.31.101", 6816)
	assert.Equal(t, &Event{Type: "+vote-for-leader", Known: true, Inst: m6, Voter: me, Leader: me, Epoch: 5804}, entry(t, l, 4).Event)
	assert.Equal(t, &Event{Type: "+vote-for-leader", Known: true, Inst: m7, Voter: me,
		Leader: "3863c149d85e2e26f9629279cad2436e3a1f23cc", Epoch: 5805}, entry(t, l, 11).Event)
	// The appended milliseconds (Unix time, UTC) are kept as Rest.
	assert.Equal(t, &Event{Type: "+sdown", Known: true, Inst: m7, Rest: "1432832920356"}, entry(t, l, 9).Event)
	rc := entry(t, l, 12)
	assert.Equal(t, LevelVerbose, rc.Level)
	assert.Equal(t, &Event{Type: "-role-change", Known: true, Role: "master",
		Inst: sub(KindReplica, "192.168.31.100:6815", "192.168.31.100", 6815, m6)}, rc.Event)
}

func TestI25TwoSentinelsOneFile(t *testing.T) {
	l := incident(t, "I25")
	m := master("intra-redis-main", "172.16.31.11", 6380)
	assert.Equal(t, &Event{Type: "+config-update-from", Known: true,
		Inst: sub(KindSentinel, "c380523571d35a022a95e13d2747e3432365596f", "172.16.31.10", 26379, m)}, entry(t, l, 3).Event)
	assert.Equal(t, &Event{Type: "+switch-master", Known: true, Master: "intra-redis-main",
		From: wire.Addr{Host: "172.16.31.11", Port: 6380}, To: wire.Addr{Host: "172.16.31.10", Port: 6380}}, entry(t, l, 4).Event)
	assert.Equal(t, &Event{Type: "+switch-master", Known: true, Master: "intra-redis-main",
		From: wire.Addr{Host: "172.16.31.10", Port: 6380}, To: wire.Addr{Host: "172.16.31.11", Port: 6380}}, entry(t, l, 8).Event)
	per := map[Source]int{}
	for _, e := range l.Entries {
		per[e.Source]++
	}
	assert.Equal(t, map[Source]int{{File: l.Name, PID: 18631}: 12, {File: l.Name, PID: 16180}: 11}, per)
	// The file is two logs one after the other: time goes back between
	// them, and no year roll-over is inferred across processes.
	assert.True(t, entry(t, l, 14).Time.Before(entry(t, l, 13).Time))
	assert.Equal(t, DefaultYear, entry(t, l, 14).Time.Year())
}

func TestI02TwoSentinelsFailover(t *testing.T) {
	l := incident(t, "I02")
	assert.Equal(t, &Note{Kind: NoteUserFailover, Master: "test"}, entry(t, l, 2).Note)
	m := master("test", "10.33.25.13", 6379)
	r := sub(KindReplica, "10.33.25.11:6379", "10.33.25.11", 6379, m)
	assert.Equal(t, &Event{Type: "+selected-slave", Known: true, Inst: r}, entry(t, l, 8).Event)
	assert.Equal(t, &Event{Type: "+convert-to-slave", Known: true, Inst: r}, entry(t, l, 12).Event)
	assert.Equal(t, 26006, entry(t, l, 12).PID)
	assert.Equal(t, &Event{Type: "-failover-abort-slave-timeout", Known: true, Inst: m}, entry(t, l, 13).Event)
	// 180 s: the default failover-timeout.
	assert.Equal(t, 180*time.Second+20*time.Millisecond, entry(t, l, 13).Time.Sub(entry(t, l, 10).Time))
}

func TestI18Reboot(t *testing.T) {
	l := incident(t, "I18")
	e := entry(t, l, 2)
	assert.Equal(t, 1091433, e.PID)
	assert.Equal(t, LevelNotice, e.Level)
	assert.Equal(t, &Event{Type: "+reboot", Known: true, Inst: master("mymaster", "100.64.0.25", 6379)}, e.Event)
}
