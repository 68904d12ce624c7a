package logs

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func parse(t *testing.T, text string, opt Options) *Log {
	t.Helper()
	l, err := Parse("t.log", strings.NewReader(text), opt)
	require.NoError(t, err)
	return l
}

func TestFormatsAndPrefixes(t *testing.T) {
	const ev = "+sdown master mymaster 127.0.0.1 6379"
	t2024 := utc(2024, time.January, 9, 10, 15, 42, 123)
	tNoYear := utc(DefaultYear, time.January, 9, 10, 15, 42, 123)
	for _, c := range []struct {
		name, line     string
		prefix, host   string
		pid            int
		role           Role
		time           time.Time
		yearKnown      bool
		level          Level
		stamp          string
		aside, noEvent bool
	}{
		{name: "2.8", line: "[4121] 09 Jan 10:15:42.123 # " + ev, pid: 4121, time: tNoYear, level: LevelWarning, stamp: "09 Jan 10:15:42.123"},
		{name: "3.2", line: "12345:X 09 Jan 10:15:42.123 # " + ev, pid: 12345, role: RoleSentinel, time: tNoYear, level: LevelWarning, stamp: "09 Jan 10:15:42.123"},
		{name: "6.0", line: "12345:X 09 Jan 2024 10:15:42.123 # " + ev, pid: 12345, role: RoleSentinel, time: t2024, yearKnown: true, level: LevelWarning, stamp: "09 Jan 2024 10:15:42.123"},
		{name: "notice", line: "1:X 09 Jan 2024 10:15:42.123 * " + ev, pid: 1, role: RoleSentinel, time: t2024, yearKnown: true, level: LevelNotice},
		{name: "verbose", line: "1:X 09 Jan 2024 10:15:42.123 - " + ev, pid: 1, role: RoleSentinel, time: t2024, yearKnown: true, level: LevelVerbose},
		{name: "debug", line: "1:X 09 Jan 2024 10:15:42.123 . " + ev, pid: 1, role: RoleSentinel, time: t2024, yearKnown: true, level: LevelDebug},
		{name: "master role", line: "7:M 09 Jan 2024 10:15:42.123 * Ready to accept connections", pid: 7, role: RoleMaster, time: t2024, yearKnown: true, level: LevelNotice, aside: true},
		{name: "replica role", line: "7:S 09 Jan 2024 10:15:42.123 * MASTER <-> REPLICA sync started", pid: 7, role: RoleReplica, time: t2024, yearKnown: true, level: LevelNotice, aside: true},
		{name: "child role", line: "8:C 09 Jan 2024 10:15:42.123 * DB saved on disk", pid: 8, role: RoleChild, time: t2024, yearKnown: true, level: LevelNotice, aside: true},
		{name: "k8s cri", line: "2024-01-09T10:15:42.123456789Z stdout F 1:X 09 Jan 2024 10:15:42.123 # " + ev,
			prefix: "2024-01-09T10:15:42.123456789Z stdout F ", pid: 1, role: RoleSentinel, time: t2024, yearKnown: true, level: LevelWarning},
		{name: "journald", line: "Jan 09 10:15:42 node-a redis-sentinel[812]: 812:X 09 Jan 2024 10:15:42.123 # " + ev,
			prefix: "Jan 09 10:15:42 node-a redis-sentinel[812]: ", host: "node-a", pid: 812, role: RoleSentinel, time: t2024, yearKnown: true, level: LevelWarning},
		{name: "journald iso", line: "2024-01-09T10:15:42+0000 node-b redis-sentinel[9]: 9:X 09 Jan 2024 10:15:42.123 # " + ev,
			prefix: "2024-01-09T10:15:42+0000 node-b redis-sentinel[9]: ", host: "node-b", pid: 9, role: RoleSentinel, time: t2024, yearKnown: true, level: LevelWarning},
		{name: "docker compose", line: "redis-sentinel_1  | 1:X 09 Jan 2024 10:15:42.123 # " + ev,
			prefix: "redis-sentinel_1  | ", host: "redis-sentinel_1", pid: 1, role: RoleSentinel, time: t2024, yearKnown: true, level: LevelWarning},
		{name: "docker compose colours", line: "\x1b[36msentinel-2  |\x1b[0m 1:X 09 Jan 2024 10:15:42.123 # " + ev,
			prefix: "sentinel-2  | ", host: "sentinel-2", pid: 1, role: RoleSentinel, time: t2024, yearKnown: true, level: LevelWarning},
		{name: "kubectl --prefix", line: "[pod/redis-node-0/sentinel] 1:X 09 Jan 2024 10:15:42.123 # " + ev,
			prefix: "[pod/redis-node-0/sentinel] ", host: "pod/redis-node-0/sentinel", pid: 1, role: RoleSentinel, time: t2024, yearKnown: true, level: LevelWarning},
		{name: "log viewer (I16)", line: "Tue, Jan 9 2024 2:15:42 am | 1:X 09 Jan 2024 10:15:42.123 # " + ev,
			prefix: "Tue, Jan 9 2024 2:15:42 am | ", pid: 1, role: RoleSentinel, time: t2024, yearKnown: true, level: LevelWarning},
		{name: "glued tag (I19)", line: "[10.0.0.1-sentinel]3980:X 09 Jan 10:15:42.123 # " + ev,
			prefix: "[10.0.0.1-sentinel]", host: "10.0.0.1-sentinel", pid: 3980, role: RoleSentinel, time: tNoYear, level: LevelWarning},
		{name: "2.8 under journald", line: "Jan 09 10:15:42 h redis-sentinel[4121]: [4121] 09 Jan 10:15:42.123 # " + ev,
			prefix: "Jan 09 10:15:42 h redis-sentinel[4121]: ", host: "h", pid: 4121, time: tNoYear, level: LevelWarning},
		{name: "crlf and trailing blanks", line: "1:X 09 Jan 2024 10:15:42.123 # " + ev + " \t \r", pid: 1, role: RoleSentinel, time: t2024, yearKnown: true, level: LevelWarning},
		{name: "empty text", line: "1:X 09 Jan 2024 10:15:42.123 #", pid: 1, role: RoleSentinel, time: t2024, yearKnown: true, level: LevelWarning, noEvent: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := parse(t, "\n"+c.line+"\n", Options{})
			require.Empty(t, l.Problems)
			var e *Entry
			if c.aside {
				require.Empty(t, l.Entries)
				require.Len(t, l.Aside, 1)
				e = l.Aside[0].Entry
				require.NotNil(t, e)
				assert.Equal(t, 2, l.Aside[0].Line)
			} else {
				require.Empty(t, l.Aside)
				require.Len(t, l.Entries, 1)
				e = &l.Entries[0]
			}
			assert.Equal(t, 2, e.Line)
			assert.Equal(t, c.prefix, e.Prefix)
			assert.Equal(t, Source{File: "t.log", Host: c.host, PID: c.pid}, e.Source)
			assert.Equal(t, c.pid, e.PID)
			assert.Equal(t, c.role, e.Role)
			assert.Equal(t, c.time, e.Time)
			assert.Equal(t, c.yearKnown, e.YearKnown)
			assert.Equal(t, c.level, e.Level)
			if c.stamp != "" {
				assert.Equal(t, c.stamp, e.Stamp)
			}
			switch {
			case c.aside:
				assert.Nil(t, e.Event)
			case c.noEvent:
				assert.Nil(t, e.Event)
				assert.Equal(t, "", e.Text)
			default:
				assert.Equal(t, ev, e.Text)
				require.NotNil(t, e.Event)
				assert.Equal(t, master("mymaster", "127.0.0.1", 6379), e.Event.Inst)
			}
		})
	}
}

func TestLinesAndLineNumbers(t *testing.T) {
	text := "#! https://example.com\r\n\r\n   \r\nplain text from a wrapper script\r\n" +
		"1:X 09 Jan 2024 10:15:42.123 # +tilt #tilt mode entered\r\n" +
		"\n" +
		"1:X 09 Jan 2024 10:16:12.200 # -tilt #tilt mode exited" // no final newline
	l := parse(t, text, Options{})
	require.Empty(t, l.Problems)
	require.Len(t, l.Aside, 2)
	assert.Equal(t, Aside{Line: 1, Text: "#! https://example.com"}, l.Aside[0])
	assert.Equal(t, Aside{Line: 4, Text: "plain text from a wrapper script"}, l.Aside[1])
	require.Len(t, l.Entries, 2)
	assert.Equal(t, 5, l.Entries[0].Line)
	assert.Equal(t, 7, l.Entries[1].Line)
	assert.Equal(t, "-tilt", l.Entries[1].Event.Type)

	for _, empty := range []string{"", "\n", "\n\n\r\n", "  "} {
		l := parse(t, empty, Options{})
		assert.Empty(t, l.Entries)
		assert.Empty(t, l.Aside)
		assert.Empty(t, l.Problems)
	}
}

func TestYears(t *testing.T) {
	text := "[1] 31 Dec 23:59:59.900 # +new-epoch 1\n" +
		"[2] 02 Jan 00:00:00.000 # +new-epoch 1\n" + // another process: not compared
		"[1] 01 Jan 00:00:00.100 # +new-epoch 2\n" +
		"[1] 29 Feb 00:00:00.000 # +new-epoch 3\n" +
		"[1] 29 Feb 00:00:00.000 # +new-epoch 3\n"
	l := parse(t, text, Options{Year: 2023})
	// 29 Feb exists in 2024, the year the log rolled into.
	require.Empty(t, l.Problems)
	assert.Equal(t, utc(2023, time.December, 31, 23, 59, 59, 900), l.Entries[0].Time)
	assert.Equal(t, utc(2023, time.January, 2, 0, 0, 0, 0), l.Entries[1].Time)
	assert.Equal(t, utc(2024, time.January, 1, 0, 0, 0, 100), l.Entries[2].Time)
	assert.Equal(t, 200*time.Millisecond, l.Entries[2].Time.Sub(l.Entries[0].Time))
	assert.Equal(t, utc(2024, time.February, 29, 0, 0, 0, 0), l.Entries[3].Time)

	l = parse(t, "[1] 29 Feb 00:00:00.000 # x\n", Options{})
	require.Empty(t, l.Problems)
	assert.Equal(t, utc(2000, time.February, 29, 0, 0, 0, 0), l.Entries[0].Time)

	l = parse(t, "[1] 28 Feb 00:00:00.000 # x\n[1] 29 Feb 00:00:00.000 # x\n", Options{Year: 2023})
	require.Len(t, l.Problems, 1)
	assert.Equal(t, `t.log:2: no such date "29 Feb 00:00:00.000 (year 2023)"`, l.Problems[0].String())
}

// TestEvents decodes one line of every channel of spec §20.2 and checks
// that the table covers the whole catalogue.
func TestEvents(t *testing.T) {
	m := master("mymaster", "10.0.0.1", 6379)
	r := sub(KindReplica, "10.0.0.2:6379", "10.0.0.2", 6379, m)
	s := sub(KindSentinel, "0123456789abcdef0123456789abcdef01234567", "10.0.0.3", 26379, m)
	const mi = "master mymaster 10.0.0.1 6379"
	const ri = "slave 10.0.0.2:6379 10.0.0.2 6379 @ mymaster 10.0.0.1 6379"
	const si = "sentinel 0123456789abcdef0123456789abcdef01234567 10.0.0.3 26379 @ mymaster 10.0.0.1 6379"
	const id = "fedcba9876543210fedcba9876543210fedcba98"
	a := func(h string, p int) wire.Addr { return wire.Addr{Host: h, Port: p} }
	cases := map[string]Event{
		"+monitor " + mi + " quorum 2":     {Inst: m, Quorum: Quorum{Need: 2}},
		"-monitor " + mi:                   {Inst: m},
		"+set " + mi + " auth-pass ******": {Inst: m, Option: "auth-pass", Value: "******"},
		"+reset-master " + mi:              {Inst: m},
		"+slave " + ri:                     {Inst: r},
		"+sentinel " + si:                  {Inst: s},
		"+sentinel-address-switch " + mi + " ip ::1 port 26380 for " + id:     {Inst: m, To: a("::1", 26380), RunID: id},
		"+sentinel-address-update " + si + " 2 additional matching instances": {Inst: s, Count: 2},
		"+sentinel-invalid-addr " + si:                                        {Inst: s},
		"+reboot " + ri:                                                       {Inst: r},
		"+role-change " + ri + " new reported role is slave":                  {Inst: r, Role: "slave"},
		"-role-change " + ri + " new reported role is master":                 {Inst: r, Role: "master"},
		"+sdown " + si:                                               {Inst: s},
		"-sdown " + mi:                                               {Inst: m},
		"+odown " + mi + " #quorum 3/2":                              {Inst: m, Quorum: Quorum{Count: 3, Need: 2}},
		"-odown " + mi:                                               {Inst: m},
		"+new-epoch 18446744073709551615":                            {Epoch: 18446744073709551615},
		"+try-failover " + mi:                                        {Inst: m},
		"+vote-for-leader " + id + " 7":                              {Leader: id, Epoch: 7},
		"+elected-leader " + mi:                                      {Inst: m},
		"-failover-abort-not-elected " + mi:                          {Inst: m},
		"+failover-state-select-slave " + mi:                         {Inst: m},
		"-failover-abort-no-good-slave " + mi:                        {Inst: m},
		"+selected-slave " + ri:                                      {Inst: r},
		"+failover-state-send-slaveof-noone " + ri:                   {Inst: r},
		"+failover-state-wait-promotion " + ri:                       {Inst: r},
		"-failover-abort-slave-timeout " + mi:                        {Inst: m},
		"+promoted-slave " + ri:                                      {Inst: r},
		"+failover-state-reconf-slaves " + mi:                        {Inst: m},
		"+slave-reconf-sent " + ri:                                   {Inst: r},
		"-slave-reconf-sent-timeout " + ri:                           {Inst: r},
		"+slave-reconf-inprog " + ri:                                 {Inst: r},
		"+slave-reconf-done " + ri:                                   {Inst: r},
		"+failover-end-for-timeout " + mi:                            {Inst: m},
		"+slave-reconf-sent-be " + ri:                                {Inst: r},
		"+failover-end " + mi:                                        {Inst: m},
		"+switch-master mymaster 10.0.0.1 6379 10.0.0.2 6379":        {Master: "mymaster", From: a("10.0.0.1", 6379), To: a("10.0.0.2", 6379)},
		"+config-update-from " + si:                                  {Inst: s},
		"+convert-to-slave " + ri:                                    {Inst: r},
		"+fix-slave-config " + ri:                                    {Inst: r},
		"+tilt #tilt mode entered":                                   {},
		"-tilt #tilt mode exited":                                    {},
		"-script-error /usr/local/bin/notify.sh 0 2":                 {Path: "/usr/local/bin/notify.sh", Sig: 0, Exit: 2},
		"-script-timeout /usr/local/bin/notify.sh 4242":              {Path: "/usr/local/bin/notify.sh", PID: 4242},
		"+script-child 4242":                                         {PID: 4242},
		"-script-child 4242 1 0":                                     {PID: 4242, Exit: 1},
		"-cmd-link-reconnection " + ri + " #Connection refused":      {Inst: r, Err: "Connection refused"},
		"-pubsub-link-reconnection " + mi + " #Connection timed out": {Inst: m, Err: "Connection timed out"},
		// Older names (Legacy).
		"+failover-detected " + mi:                                       {Inst: m},
		"+redirect-to-master mymaster 10.0.0.1 6379 10.0.0.2 6379":       {Master: "mymaster", From: a("10.0.0.1", 6379), To: a("10.0.0.2", 6379)},
		"+failover-triggered " + mi:                                      {Inst: m},
		"+failover-takedown " + mi:                                       {Inst: m},
		"+failover-state-wait-start " + mi:                               {Inst: m},
		"+demote-old-slave " + ri:                                        {Inst: r},
		"-failover-abort-master-is-back " + mi:                           {Inst: m},
		"-failover-abort-race " + mi:                                     {Inst: m},
		"-failover-abort-x-sdown " + mi:                                  {Inst: m},
		"-promotion-timeout " + ri:                                       {Inst: r},
		"-slave-restart-as-master " + ri:                                 {Inst: r},
		"-slave-reconf-undo " + ri:                                       {Inst: r},
		"-demote-flag-cleared " + ri:                                     {Inst: r},
		"-dup-sentinel " + mi + " #duplicate of 10.0.0.3:26379 or " + id: {Inst: m, Rest: "#duplicate of 10.0.0.3:26379 or " + id},
	}
	seen := map[string]bool{}
	for text, want := range cases {
		typ, _, _ := strings.Cut(text, " ")
		seen[typ] = true
		l := parse(t, "1:X 09 Jan 2024 10:15:42.123 # "+text+"\n", Options{})
		require.Empty(t, l.Problems, text)
		require.Len(t, l.Entries, 1)
		want.Type = typ
		want.Known = true
		_, want.Legacy = Known(typ)
		assert.Equal(t, &want, l.Entries[0].Event, text)
	}
	for typ := range catalogue {
		assert.True(t, seen[typ], "no test line for %s", typ)
	}
}

// TestIPv6AndHostNames: addresses are kept as written, whatever they are.
func TestIPv6AndHostNames(t *testing.T) {
	l := parse(t, "1:X 09 Jan 2024 10:15:42.123 * +slave slave [::1]:6380 ::1 6380 @ m fe80::1 6379\n"+
		"1:X 09 Jan 2024 10:15:42.124 # +switch-master m fe80::1 6379 redis-1.redis.svc.cluster.local 6380\n", Options{})
	require.Empty(t, l.Problems)
	assert.Equal(t, &Instance{Kind: KindReplica, Name: "[::1]:6380", Addr: wire.Addr{Host: "::1", Port: 6380},
		Master: "m", MasterAddr: wire.Addr{Host: "fe80::1", Port: 6379}}, l.Entries[0].Event.Inst)
	assert.Equal(t, wire.Addr{Host: "redis-1.redis.svc.cluster.local", Port: 6380}, l.Entries[1].Event.To)
}

func TestNotes(t *testing.T) {
	for text, want := range map[string]Note{
		"Sentinel ID is 0a0fb46009b23769519c12e7894447bad06bed19":                                    {Kind: NoteSentinelID, RunID: "0a0fb46009b23769519c12e7894447bad06bed19"},
		"Sentinel runid is 0a0fb46009b23769519c12e7894447bad06bed19":                                 {Kind: NoteSentinelID, RunID: "0a0fb46009b23769519c12e7894447bad06bed19"},
		"Sentinel new configuration saved on disk":                                                   {Kind: NoteConfigSaved},
		"WARNING: Sentinel was not able to save the new configuration on disk!!!: Permission denied": {Kind: NoteConfigSaveFailed, Err: "Permission denied"},
		"Executing user requested FAILOVER of 'my master'":                                           {Kind: NoteUserFailover, Master: "my master"},
		"Next failover delay: I will not start a failover before Tue Jan  9 10:21:42 2024":           {Kind: NoteNextFailover, At: time.Date(2024, time.January, 9, 10, 21, 42, 0, time.UTC)},
		"abc voted for def 12": {Kind: NoteVote, Voter: "abc", RunID: "def", Epoch: 12},
		"Failure simulation: this Sentinel will crash after being successfully elected as failover leader": {Kind: NoteFailureSimulation},
		"Sentinel CRASH because of SENTINEL simulate-failure":                                              {Kind: NoteSimulatedCrash},
		"Failed to resolve hostname 'redis-0.redis'":                                                       {Kind: NoteResolveFailed, Host: "redis-0.redis"},
		"oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo":                                                    {Kind: NoteStarting},
		"Redis version=7.0.15, bits=64, commit=00000000, modified=0, pid=1, just started":                  {Kind: NoteVersion, Version: "7.0.15"},
		"Running mode=sentinel, port=26379.":                                                               {Kind: NoteRunningMode, Mode: "sentinel", Port: 26379},
		"User requested shutdown...":                                                                       {Kind: NoteShutdown},
		"Sentinel is now ready to exit, bye bye...":                                                        {Kind: NoteShutdown},
	} {
		l := parse(t, "1:X 09 Jan 2024 10:15:42.123 # "+text+"\n", Options{})
		require.Empty(t, l.Problems, text)
		require.Len(t, l.Entries, 1)
		assert.Nil(t, l.Entries[0].Event)
		assert.Equal(t, &want, l.Entries[0].Note, text)
		assert.Equal(t, text, l.Entries[0].Text)
	}
	l := parse(t, "1:X 09 Jan 2024 10:15:42.123 # Configuration loaded\n", Options{})
	require.Empty(t, l.Problems)
	assert.Nil(t, l.Entries[0].Note)
}

// TestMalformed: each bad line, put at line 3 between good ones, is one
// problem at line 3, and the good lines are still decoded.
func TestMalformed(t *testing.T) {
	const good = "1:X 09 Jan 2024 10:15:42.123 # +new-epoch 1"
	long := "1:X 09 Jan 2024 10:15:42.123 # " + strings.Repeat("x", DefaultMaxLine)
	for bad, msg := range map[string]string{
		"1:X 09 Jan 2024 10:1":                                                    "truncated header",
		"1:X 09 Jan":                                                              "truncated header",
		"1:X":                                                                     "truncated header",
		"1:X ":                                                                    "truncated header",
		"[29218]":                                                                 "truncated header",
		"[29218] 05 Dec 16:40:10.020":                                             "truncated header",
		"1:X 09 Jan 2024 10:15:42.123 ":                                           "truncated header",
		"1:X 31 Feb 2023 10:15:42.123 # x":                                        `no such date "31 Feb 2023 10:15:42.123"`,
		"1:X 29 Feb 2023 10:15:42.123 # x":                                        "no such date",
		"1:X 00 Jan 2023 10:15:42.123 # x":                                        "no such date",
		"1:X 09 Jan 2024 25:15:42.123 # x":                                        "bad time stamp",
		"1:X 09 Jan 2024 10:60:42.123 # x":                                        "bad time stamp",
		"1:X 09 Foo 2024 10:15:42.123 # x":                                        `bad month "Foo"`,
		"1:X 09 Jan 2024 10:15:42,123 # x":                                        "bad time stamp",
		"1:X 09 Jan 2024 10:15:42.1234 # x":                                       "bad time stamp",
		"1:X 9 Jan 2024 10:15:42.123 # x":                                         "bad time stamp",
		"1:X 09 Jan 2024 10:15:42.123 ! x":                                        `unknown level mark "!"`,
		"1:X 09 Jan 2024 10:15:42.123 #x":                                         "no space after level mark",
		"1:Q 09 Jan 2024 10:15:42.123 # x":                                        `unknown role "Q"`,
		"99999999999999999999:X 09 Jan 2024 10:15:42.123 # x":                     "out of range",
		"[99999999999] 09 Jan 10:15:42.123 # x":                                   "out of range",
		"1:signal-handler (99999999999999999999999) x":                            "bad signal-handler time",
		"1:signal-handler (12":                                                    "truncated header",
		"1:X 09 Jan 2024 10:15:42.123 # +new-epoch 99999999999999999999":          `+new-epoch: bad epoch "99999999999999999999"`,
		"1:X 09 Jan 2024 10:15:42.123 # +new-epoch":                               "+new-epoch: bad epoch",
		"1:X 09 Jan 2024 10:15:42.123 # +sdown master m 10.0.0.1 70000":           `+sdown: bad port "70000"`,
		"1:X 09 Jan 2024 10:15:42.123 # +sdown master m 10.0.0.1":                 "+sdown: port missing",
		"1:X 09 Jan 2024 10:15:42.123 # +sdown":                                   "+sdown: instance missing",
		"1:X 09 Jan 2024 10:15:42.123 # +sdown replica a b 1":                     `want an instance (master, slave or sentinel), got "replica"`,
		"1:X 09 Jan 2024 10:15:42.123 # +odown slave a:1 a 1 @ m b 2 #quorum 2/2": "+odown: want a master instance, got slave",
		"1:X 09 Jan 2024 10:15:42.123 # +odown master m a 1 #quorum 2":            "+odown: want \"#quorum",
		"1:X 09 Jan 2024 10:15:42.123 # +odown master m a 1 #quorum 99999999999999999999/2":           "+odown: want \"#quorum",
		"1:X 09 Jan 2024 10:15:42.123 # +slave slave a:1 a 1 m b 2":                                   `+slave: want "@", got "m"`,
		"1:X 09 Jan 2024 10:15:42.123 # +switch-master m a 1 b":                                       "+switch-master: port missing",
		"1:X 09 Jan 2024 10:15:42.123 # +switch-master m a 1 b 2 c":                                   "+switch-master: unexpected text",
		"1:X 09 Jan 2024 10:15:42.123 # +tilt entered":                                                "+tilt: unexpected text",
		"1:X 09 Jan 2024 10:15:42.123 # +vote-for-leader abc":                                         "+vote-for-leader: bad epoch",
		"1:X 09 Jan 2024 10:15:42.123 # +role-change master m a 1 new reported role is sentinel":      `unknown role "sentinel"`,
		"1:X 09 Jan 2024 10:15:42.123 # +frobnicate master m a 1":                                     `unknown event "+frobnicate"`,
		"1:X 09 Jan 2024 10:15:42.123 # Next failover delay: I will not start a failover before soon": "bad time",
		"1:X 09 Jan 2024 10:15:42.123 # a voted for b c":                                              `bad epoch "c"`,
		"\x00\x00\x00\x00\x00\x00":                                                                    "binary data at byte 1",
		"1:X 09 Jan 2024 10:15:42.123 # +sdown \xff\xfe":                                              "binary data at byte 39",
		"\x89PNG\r\x1a": "binary data",
		long:            fmt.Sprintf("line too long: %d bytes (limit %d)", len(long), DefaultMaxLine),
	} {
		l := parse(t, good+"\n"+good+"\n"+bad+"\n"+good+"\n", Options{})
		name := bad
		if len(name) > 60 {
			name = name[:60]
		}
		require.Len(t, l.Problems, 1, name)
		p := l.Problems[0]
		assert.Equal(t, 3, p.Line, name)
		assert.Contains(t, p.Msg, msg, name)
		assert.Equal(t, "t.log:3: "+p.Msg, p.String())
		var lines []int
		for _, e := range l.Entries {
			lines = append(lines, e.Line)
		}
		assert.Subset(t, lines, []int{1, 2, 4}, name)
	}
	// A lone CR inside a line is binary.
	l := parse(t, "a\rb\n", Options{})
	require.Len(t, l.Problems, 1)
}

// TestUnknownEventKept: an unknown event is still an event, for replay.
func TestUnknownEventKept(t *testing.T) {
	l := parse(t, "1:X 09 Jan 2024 10:15:42.123 # +frobnicate master m 10.0.0.1 6379 extra\n", Options{})
	require.Len(t, l.Problems, 1)
	assert.Equal(t, &Event{Type: "+frobnicate", Inst: master("m", "10.0.0.1", 6379), Rest: "extra"}, l.Entries[0].Event)
	// Text that merely starts with a sign is not an event.
	l = parse(t, "1:X 09 Jan 2024 10:15:42.123 # -1 is not an event\n1:X 09 Jan 2024 10:15:42.123 # +Foo\n", Options{})
	require.Empty(t, l.Problems)
	assert.Nil(t, l.Entries[0].Event)
	assert.Nil(t, l.Entries[1].Event)
}

func TestMaxLine(t *testing.T) {
	line := "1:X 09 Jan 2024 10:15:42.123 # +new-epoch 1"
	l := parse(t, line+"\n"+line+"x\n", Options{MaxLine: len(line)})
	require.Len(t, l.Entries, 1)
	require.Len(t, l.Problems, 1)
	assert.Equal(t, 2, l.Problems[0].Line)
	// A line far longer than the read buffer is skipped whole.
	huge := strings.Repeat("y", 1<<20)
	l = parse(t, huge+"\n"+line+"\n"+huge, Options{})
	require.Len(t, l.Entries, 1)
	assert.Equal(t, 2, l.Entries[0].Line)
	require.Len(t, l.Problems, 2)
	assert.Equal(t, []int{1, 3}, []int{l.Problems[0].Line, l.Problems[1].Line})
}

type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n > 0 {
		r.n = 0
		return copy(p, "1:X 09 Jan 2024 10:15:42.123 # +new-epoch 1\n"), nil
	}
	return 0, errors.New("disk on fire")
}

func TestReadError(t *testing.T) {
	l, err := Parse("t.log", &failingReader{n: 1}, Options{})
	require.EqualError(t, err, "disk on fire")
	require.Len(t, l.Entries, 1)
	_, err = ParseFile("testdata/no-such-file", Options{})
	require.Error(t, err)
}
