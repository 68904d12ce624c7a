package sentinel_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/model"
	"github.com/sentinelsim/sentinelsim/sentinel"
	"github.com/sentinelsim/sentinelsim/sentinel/conf"
	"github.com/sentinelsim/sentinelsim/sim"
)

// Scenarios S-AUTH-2 and S-ACL-1 of shared/reference/redis-sentinel-tests.md
// §6 (Redis 03-runtime-reconf test 2, §3.3 item 2, and 09-acl-support,
// §3.9), with the parameters of newSuite; ACL users are internal/acl's,
// on the nodes (model/acl.go) and on the sentinels (sentinel/acl.go).

// connectedPoll adds a probe that asks node SENTINEL MASTER and SENTINEL
// REPLICAS at each time of ms; connectedAt reads it back.
func (s *suite) connectedPoll(node string, ms []int) *probe {
	var at []int
	var cmds [][]string
	for _, m := range ms {
		at = append(at, m, m+1)
		cmds = append(cmds, []string{"SENTINEL", "MASTER", "mymaster"}, []string{"SENTINEL", "REPLICAS", "mymaster"})
	}
	return s.probe(node, msAt(at...), cmds...)
}

// connectedAt is the wait-all-connected condition of the Redis test at each
// poll time: true when neither the master's flags nor any replica's
// contain "disconnected" (and the replies came); false otherwise.
func connectedAt(p *probe, ms []int) map[int]bool {
	out := map[int]bool{}
	for i, at := range ms {
		m, ok1 := p.replies[2*i]
		r, ok2 := p.replies[2*i+1]
		ok := ok1 && ok2 && mapField(m.v, "flags") != "" && !strings.Contains(mapField(m.v, "flags"), "disconnected")
		for _, rep := range r.v.Array {
			ok = ok && !strings.Contains(mapField(rep, "flags"), "disconnected")
		}
		out[at] = ok
	}
	return out
}

// masterDisconnectedAt is whether the master's flags contained
// "disconnected" at each poll time.
func masterDisconnectedAt(p *probe, ms []int) map[int]bool {
	out := map[int]bool{}
	for i, at := range ms {
		if m, ok := p.replies[2*i]; ok {
			out[at] = strings.Contains(mapField(m.v, "flags"), "disconnected")
		}
	}
	return out
}

// firstWhere returns the first poll time at or after from where cond holds
// in m, or -1.
func firstWhere(ms []int, m map[int]bool, from int, want bool) int {
	for _, at := range ms {
		if at >= from && m[at] == want {
			return at
		}
	}
	return -1
}

// S-AUTH-2 (§6 row S-AUTH-2, Redis 03-runtime-reconf test 2, §3.3 item
// 2): the master's ACL changes under the sentinels. s0 is killed; s1 is
// told auth-user testuser / auth-pass secret; every Redis creates testuser,
// turns the default user off and runs CLIENT KILL USER default SKIPME no,
// which drops every sentinel link (they all ran as default) and the admin
// connection itself; a new admin connection authenticates as testuser and
// sets masteruser/masterauth. Then s0 is restarted without credentials.
// Expected (each ≤ 5 s): s0's master shows `disconnected` (its SUBSCRIBE
// meets -NOAUTH), s1's does not (it reconnects with AUTH testuser secret),
// s2's does (untouched: its new connections run as the disabled default
// user). Once every sentinel has the credentials, all connect (≤ 50 s);
// after the ACLs are restored (default on, testuser deleted, masteruser
// and masterauth cleared) all connect again (≤ 50 s).
//
// As in the Redis test, s2–s4 get -NOAUTH PING replies between the kill
// and step 7 (6 s here, up to 5 s plus the test's own delays there), so
// they see the master and its replicas SDOWN, reach ODOWN and may start a
// failover, which aborts with -failover-abort-no-good-slave: every replica
// is SDOWN or disconnected for them too. The master never changes.
func TestSuiteAuth2ACLSwitch(t *testing.T) {
	const (
		kill     = 5000
		s1Set    = 6000
		acls     = 7000  // testuser, default off, CLIENT KILL USER default
		admin2   = 7100  // a new admin link as testuser: masteruser/masterauth
		restart  = 8000  // s0, with no credentials
		allSet   = 13000 // every sentinel gets auth-user/auth-pass (step 7)
		restore  = 70000 // step 8
		restore2 = 70100
		end      = 125000
	)
	s := newSuite2(t, 41, suite2Opts{})
	require.NoError(t, s.w.Schedule(kill, sim.Crash{Node: s.ids["s0"]}))
	require.NoError(t, s.w.Schedule(restart, sim.Restart{Node: s.ids["s0"]}))
	set := func(opt, v string) []string { return []string{"SENTINEL", "SET", "mymaster", opt, v} }
	s1 := s.probe("s1", msAt(s1Set, s1Set+10), set("auth-user", "testuser"), set("auth-pass", "secret"))
	var killers, admins, restorers, cleaners []*probe
	for _, r := range []string{"r0", "r1", "r2", "r3", "r4"} {
		killers = append(killers, s.probe(r, msAt(acls, acls+10, acls+20, acls+30),
			[]string{"ACL", "SETUSER", "testuser", "on", ">secret", "allchannels", "+@all"},
			[]string{"ACL", "SETUSER", "default", "off"},
			[]string{"CLIENT", "KILL", "USER", "default", "SKIPME", "no"},
			[]string{"PING"})) // its connection is gone: no reply
		admins = append(admins, s.probe(r, msAt(admin2, admin2+10, admin2+20, admin2+30, admin2+40),
			[]string{"PING"},
			[]string{"AUTH", "testuser", "secret"},
			[]string{"ACL", "WHOAMI"},
			[]string{"CONFIG", "SET", "masteruser", "testuser"},
			[]string{"CONFIG", "SET", "masterauth", "secret"}))
		restorers = append(restorers, s.probe(r, msAt(restore, restore+10, restore+20, restore+30),
			[]string{"AUTH", "testuser", "secret"},
			[]string{"ACL", "SETUSER", "default", "on"},
			[]string{"ACL", "DELUSER", "testuser"}, // kills this very connection after its reply
			[]string{"PING"}))
		cleaners = append(cleaners, s.probe(r, msAt(restore2, restore2+10),
			[]string{"CONFIG", "SET", "masteruser", ""},
			[]string{"CONFIG", "SET", "masterauth", ""}))
	}
	var sets []*probe
	for _, name := range all() {
		sets = append(sets, s.probe(name, msAt(allSet, allSet+10), set("auth-user", "testuser"), set("auth-pass", "secret")))
	}
	pollMs := every(restart+500, end-500, 500)
	polls := map[string]*probe{}
	for _, name := range all() {
		polls[name] = s.connectedPoll(name, pollMs)
	}
	s.run(end * wire.Millisecond)

	assert.Equal(t, "+OK", s1.reply(0))
	assert.Equal(t, "+OK", s1.reply(1))
	for i := range killers {
		k, a, rs, c := killers[i], admins[i], restorers[i], cleaners[i]
		assert.Equal(t, "+OK", k.reply(0), "r%d", i)
		assert.Equal(t, "+OK", k.reply(1), "r%d", i)
		// The killer's own connection, two or three sentinel links (the
		// replicas of r0 authenticated as default too).
		assert.NotEqual(t, "", k.reply(2), "r%d", i)
		assert.Equal(t, "", k.reply(3), "r%d: killed with SKIPME no", i)
		assert.Equal(t, "-NOAUTH Authentication required.", a.reply(0), "r%d", i)
		assert.Equal(t, "+OK", a.reply(1), "r%d", i)
		assert.Equal(t, `"testuser"`, a.reply(2), "r%d", i)
		assert.Equal(t, "+OK", a.reply(3), "r%d", i)
		assert.Equal(t, "+OK", a.reply(4), "r%d", i)
		assert.Equal(t, "+OK", rs.reply(0), "r%d", i)
		assert.Equal(t, "+OK", rs.reply(1), "r%d", i)
		assert.Equal(t, ":1", rs.reply(2), "r%d", i)
		assert.Equal(t, "", rs.reply(3), "r%d: ACL DELUSER closed its own client", i)
		assert.Equal(t, "+OK", c.reply(0), "r%d", i)
		assert.Equal(t, "+OK", c.reply(1), "r%d", i)
	}
	for i, p := range sets {
		assert.Equal(t, "+OK", p.reply(0), "s%d", i)
		assert.Equal(t, "+OK", p.reply(1), "s%d", i)
	}
	for _, name := range all() {
		t.Logf("%s: %v", name, s.events(name))
	}

	disc := map[string]map[int]bool{}
	for _, name := range all() {
		disc[name] = masterDisconnectedAt(polls[name], pollMs)
	}
	// Step 4: s0, restarted without credentials, shows disconnected ≤ 5 s.
	first := firstWhere(pollMs, disc["s0"], restart, true)
	require.Positive(t, first, "s0 never disconnected")
	assert.LessOrEqual(t, first, restart+5000)
	// Step 5: s1 (correct credentials) is connected ≤ 5 s after the kill,
	// and stays so.
	for _, at := range pollMs {
		if at >= acls+20+5000 && at < allSet { // SENTINEL SET drops the links again
			assert.False(t, disc["s1"][at], "s1 at %d", at)
		}
	}
	// Step 6: s2 (untouched) shows disconnected ≤ 5 s after the kill.
	first = firstWhere(pollMs, disc["s2"], acls+20, true)
	require.Positive(t, first, "s2 never disconnected")
	assert.LessOrEqual(t, first, acls+20+5000)
	// Step 7: with the credentials every sentinel is connected, master and
	// replicas (≤ 50 s), and stays so until the ACLs are restored.
	for _, name := range all() {
		conn := connectedAt(polls[name], pollMs)
		up := firstWhere(pollMs, conn, allSet, true)
		require.Positive(t, up, "%s never connected after auth-user/auth-pass", name)
		assert.LessOrEqual(t, up, allSet+50_000, name)
		t.Logf("%s: all connected at %d", name, up)
		for _, at := range pollMs {
			if at >= allSet+50_000 && at < restore {
				assert.True(t, conn[at], "%s at %d", name, at)
			}
		}
		// Step 8: ACLs restored — every link was dropped again (ACL
		// DELUSER testuser); AUTH testuser now fails, the default user
		// takes them; all connected again (≤ 50 s) and the replicas sync
		// without masteruser.
		up = firstWhere(pollMs, conn, restore2+10, true)
		require.Positive(t, up, "%s never connected after the restore", name)
		assert.LessOrEqual(t, up, restore2+10+50_000, name)
		assert.True(t, conn[end-500], "%s at the end", name)
	}
	for i := 1; i < 5; i++ {
		assert.True(t, s.node("r"+string(rune('0'+i))).MasterLinkUp(), "r%d replicates at the end", i)
	}
	// The master never changed.
	for _, name := range all() {
		assert.Zero(t, s.count(name, "+switch-master"), name)
		assert.Equal(t, "10.0.0.0", s.masterOf(name), name)
	}
}

// S-ACL-1 (§6 row S-ACL-1, Redis 09-acl-support, §3.9): on every sentinel
// testuser is created (">secret +@all on"), the default user turned off
// and CLIENT KILL USER default SKIPME no run, which drops every link
// between sentinels (and the admin connection); a new connection
// authenticates as testuser. s1's links to its peers reconnect as the
// disabled default user, their PINGs get -NOAUTH, so the peers go SDOWN
// and s1's CKQUORUM fails (≤ 10 s). Then every sentinel gets
// SENTINEL CONFIG SET sentinel-user testuser / sentinel-pass secret (each
// drops the sentinel links, which reconnect with AUTH testuser secret), and
// CKQUORUM succeeds (≤ 10 s). Tear-down: default on, testuser deleted,
// sentinel-user/pass emptied; CKQUORUM still succeeds.
func TestSuiteAcl1SentinelUsers(t *testing.T) {
	const (
		acls     = 5000
		login    = 5100
		creds    = 15000 // kill + 10 s: the NOQUORUM deadline
		teardown = 30000
		end      = 45000
	)
	s := newSuite2(t, 43, suite2Opts{})
	var setups, admins, teardowns []*probe
	for _, name := range all() {
		setups = append(setups, s.probe(name, msAt(acls, acls+10, acls+20, acls+30),
			[]string{"ACL", "SETUSER", "testuser", ">secret", "+@all", "on"},
			[]string{"ACL", "SETUSER", "default", "off"},
			[]string{"CLIENT", "KILL", "USER", "default", "SKIPME", "no"},
			[]string{"PING"})) // killed with its reply: no answer
		admins = append(admins, s.probe(name, msAt(creds, creds+10, creds+20),
			[]string{"AUTH", "testuser", "secret"},
			[]string{"SENTINEL", "CONFIG", "SET", "sentinel-user", "testuser"},
			[]string{"SENTINEL", "CONFIG", "SET", "sentinel-pass", "secret"}))
		teardowns = append(teardowns, s.probe(name, msAt(teardown, teardown+10, teardown+20, teardown+30),
			[]string{"AUTH", "testuser", "secret"},
			[]string{"ACL", "SETUSER", "default", "on"},
			[]string{"ACL", "DELUSER", "testuser"}, // closes this connection after its reply
			[]string{"PING"}))
	}
	// The test link of s1, authenticated as testuser, asks CKQUORUM every
	// 500 ms until the tear-down.
	pollMs := every(login+100, teardown-500, 500)
	cmds := [][]string{{"AUTH", "testuser", "secret"}, {"ACL", "WHOAMI"}}
	at := []int{login, login + 10}
	for _, m := range pollMs {
		cmds, at = append(cmds, []string{"SENTINEL", "CKQUORUM", "mymaster"}), append(at, m)
	}
	poll := s.probe("s1", msAt(at...), cmds...)
	var cleans []*probe
	for _, name := range all() {
		cleans = append(cleans, s.probe(name, msAt(teardown+100, teardown+110),
			[]string{"SENTINEL", "CONFIG", "SET", "sentinel-user", ""},
			[]string{"SENTINEL", "CONFIG", "SET", "sentinel-pass", ""}))
	}
	final := s.probe("s1", msAt(end-100), []string{"SENTINEL", "CKQUORUM", "mymaster"})
	s.run(end * wire.Millisecond)

	for i := range setups {
		assert.Equal(t, "+OK", setups[i].reply(0), "s%d", i)
		assert.Equal(t, "+OK", setups[i].reply(1), "s%d", i)
		assert.NotEqual(t, "", setups[i].reply(2), "s%d", i)
		assert.Equal(t, "", setups[i].reply(3), "s%d: its connection was killed", i)
		for j := 0; j < 3; j++ {
			assert.Equal(t, "+OK", admins[i].reply(j), "s%d %d", i, j)
		}
		assert.Equal(t, "+OK", teardowns[i].reply(0), "s%d", i)
		assert.Equal(t, "+OK", teardowns[i].reply(1), "s%d", i)
		assert.Equal(t, ":1", teardowns[i].reply(2), "s%d", i)
		assert.Equal(t, "", teardowns[i].reply(3), "s%d", i)
		assert.Equal(t, "+OK", cleans[i].reply(0), "s%d", i)
		assert.Equal(t, "+OK", cleans[i].reply(1), "s%d", i)
	}
	assert.Equal(t, "+OK", poll.reply(0))
	assert.Equal(t, `"testuser"`, poll.reply(1))
	t.Logf("s1: %v", s.events("s1"))

	ck := func(i int) string { return poll.reply(i + 2) }
	noq := -1
	for i, m := range pollMs {
		if m < creds && strings.HasPrefix(ck(i), "-NOQUORUM") {
			noq = m
			break
		}
	}
	require.Positive(t, noq, "CKQUORUM never failed before the credentials")
	assert.LessOrEqual(t, noq, acls+10_000, "NOQUORUM within 10 s")
	assert.Equal(t, "-NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master. Not enough available Sentinels to reach the majority and authorize a failover", ck(slices.IndexFunc(pollMs, func(m int) bool { return m > creds })-1), "the last CKQUORUM before the credentials")
	ok := -1
	for i, m := range pollMs {
		if m > creds && strings.HasPrefix(ck(i), "+OK") {
			ok = m
			break
		}
	}
	require.Positive(t, ok, "CKQUORUM never succeeded with the credentials")
	assert.LessOrEqual(t, ok, creds+20+10_000, "OK within 10 s")
	t.Logf("NOQUORUM at %d, OK at %d", noq, ok)
	for i, m := range pollMs {
		if m >= ok {
			assert.Equal(t, "+OK 5 usable Sentinels. Quorum and failover authorization can be reached", ck(i), "at %d", m)
		}
	}
	assert.Equal(t, "+OK 5 usable Sentinels. Quorum and failover authorization can be reached", final.reply(0))
	for _, name := range all() {
		assert.Zero(t, s.count(name, "+odown"), name)
		assert.Zero(t, s.count(name, "+sdown master"), name)
	}
}

// The ACL commands on a sentinel's own server; every reply was checked
// against redis-sentinel 7.0.15 with the same commands (a sentinel knows
// only its own commands: +get is unknown there, +sentinel|masters is not).
func TestSentinelACLReplies(t *testing.T) {
	s := newSuite2(t, 44, suite2Opts{})
	adminCmds := []struct{ cmd, want string }{
		{"ACL WHOAMI", `"default"`},
		{"ACL LIST", `["user default on nopass ~* &* +@all"]`},
		{"ACL SETUSER testuser >secret +@all on", "+OK"},
		{"ACL LIST", `["user default on nopass ~* &* +@all" "user testuser on #2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b resetchannels +@all"]`},
		{"ACL SETUSER x +get", "-ERR Error in ACL SETUSER modifier '+get': Unknown command or category name in ACL"},
		{"ACL SETUSER x +sentinel|masters", "+OK"},
		{"ACL SETUSER x +sentinel", "+OK"},
		{"ACL USERS", `["default" "testuser" "x"]`},
		{"ACL DELUSER x", ":1"},
		{"CLIENT KILL USER nosuch", "-ERR No such user 'nosuch'"},
		{"ACL SETUSER lim on nopass -@all +ping", "+OK"},
		{"AUTH x", "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"},
		{"AUTH testuser wrong", "-WRONGPASS invalid username-password pair or user is disabled."},
	}
	var ms []int
	var cmds [][]string
	for i, c := range adminCmds {
		ms = append(ms, 10_000+10*i)
		cmds = append(cmds, strings.Fields(c.cmd))
	}
	ms, cmds = append(ms, 12_000), append(cmds, []string{"ACL", "SETUSER", "default", "off"})
	admin := s.probe("s0", msAt(ms...), cmds...)
	lim := s.probe("s0", msAt(11_000, 11_010, 11_020, 11_030),
		[]string{"AUTH", "lim", "x"}, []string{"SENTINEL", "MASTERS"}, []string{"PING"}, []string{"INFO"})
	tu := s.probe("s0", msAt(11_000, 11_010, 11_020),
		[]string{"AUTH", "testuser", "secret"}, []string{"PUBLISH", "__sentinel__:hello", "x"}, []string{"SUBSCRIBE", "+sdown"})
	anon := s.probe("s0", msAt(12_500, 12_510, 12_520, 12_530),
		[]string{"PING"}, []string{"SENTINEL", "MASTERS"}, []string{"AUTH", "testuser", "secret"}, []string{"ACL", "WHOAMI"})
	s.run(13 * wire.Second)
	for i, c := range adminCmds {
		assert.Equal(t, c.want, admin.reply(i), c.cmd)
	}
	assert.Equal(t, "+OK", admin.reply(len(adminCmds)))
	assert.Equal(t, []string{"+OK", "-NOPERM this user has no permissions to run the 'sentinel|masters' command", "+PONG",
		"-NOPERM this user has no permissions to run the 'info' command"},
		[]string{lim.reply(0), lim.reply(1), lim.reply(2), lim.reply(3)})
	chans := "-NOPERM this user has no permissions to access one of the channels used as arguments"
	assert.Equal(t, []string{"+OK", chans, chans}, []string{tu.reply(0), tu.reply(1), tu.reply(2)})
	noauth := "-NOAUTH Authentication required."
	assert.Equal(t, []string{noauth, noauth, "+OK", `"testuser"`}, []string{anon.reply(0), anon.reply(1), anon.reply(2), anon.reply(3)})
}

// ACL SETUSER changes the users in memory; the next flush of sentinel.conf
// writes them (SENTINEL FLUSHCONFIG here), and a restart reads them back,
// as redis-sentinel 7.0.15 does. (Redis also shows sanitize-payload on
// the default user after such a restart, because it applies the file's
// default-user line from reset; sentinel/conf drops that line when it is
// the one requirepass gives, so the simulation does not.)
func TestSentinelUsersSurviveRestart(t *testing.T) {
	s := newSuite2(t, 45, suite2Opts{})
	require.NoError(t, s.w.Schedule(11_000, sim.Crash{Node: s.ids["s0"]}))
	require.NoError(t, s.w.Schedule(12_000, sim.Restart{Node: s.ids["s0"]}))
	before := s.probe("s0", msAt(10_000, 10_010), []string{"ACL", "SETUSER", "testuser", "on", ">secret", "+@all"}, []string{"SENTINEL", "FLUSHCONFIG"})
	after := s.probe("s0", msAt(13_000, 13_010), []string{"AUTH", "testuser", "secret"}, []string{"ACL", "LIST"})
	s.run(14 * wire.Second)
	assert.Equal(t, "+OK", before.reply(0))
	assert.Equal(t, "+OK", before.reply(1))
	assert.Equal(t, "+OK", after.reply(0))
	assert.Equal(t, `["user default on nopass ~* &* +@all" "user testuser on #2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b resetchannels +@all"]`, after.reply(1))
}

// Spec §25.1: without sentinel-pass a sentinel authenticates to its peers
// with its own requirepass, so sentinels sharing one requirepass see each
// other; a client must AUTH first. A sentinel with another password is
// refused by its peers (-NOAUTH PINGs), so they see it SDOWN.
func TestSentinelRequirepassSharedByPeers(t *testing.T) {
	s := newSuite2(t, 46, suite2Opts{opts: func(i int, o *sentinel.Options) {
		c := conf.New()
		c.RequirePass = "secret"
		if i == 4 {
			c.RequirePass = "other"
		}
		c.Masters = o.Masters
		o.Conf = c
	}})
	p := s.probe("s0", msAt(20_000, 20_010, 20_020, 20_030),
		[]string{"SENTINEL", "CKQUORUM", "mymaster"}, []string{"AUTH", "secret"},
		[]string{"SENTINEL", "CKQUORUM", "mymaster"}, []string{"ACL", "LIST"})
	s.run(21 * wire.Second)
	assert.Equal(t, "-NOAUTH Authentication required.", p.reply(0))
	assert.Equal(t, "+OK", p.reply(1))
	assert.Equal(t, "+OK 4 usable Sentinels. Quorum and failover authorization can be reached", p.reply(2))
	assert.Equal(t, `["user default on #2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b ~* &* +@all"]`, p.reply(3))
	for _, name := range []string{"s0", "s1", "s2", "s3"} {
		assert.Equal(t, 1, s.count(name, "+sdown sentinel"), "%s sees s4 down: %v", name, s.events(name))
	}
	assert.Equal(t, 4, s.count("s4", "+sdown sentinel"), "s4 sees every peer down")
}

// sentinelACL is the ACL the Redis documentation gives a Sentinel user on
// the data nodes ("Redis Access Control List authentication" in the
// Sentinel docs): exactly the commands Sentinel sends.
const sentinelACL = "on >pw allchannels +multi +slaveof +ping +exec +subscribe +config|rewrite +role +publish +info +client|setname +client|kill +script|kill"

// aclSuite runs the suite with a password on the default user of every
// Redis node (the replicas use it as masterauth) and the sentinels
// authenticating as sentinel-user with the given rules.
func aclSuite(t *testing.T, seed uint64, rules string) *suite {
	s := newSuite2(t, seed, suite2Opts{
		redis: func(i int, c *model.Config) {
			c.RequirePass, c.MasterAuth = "adminpw", "adminpw"
			c.Users = []string{"sentinel-user " + rules}
		},
		master: func(mc *sentinel.MasterConfig) { mc.AuthUser, mc.AuthPass = "sentinel-user", "pw" },
	})
	require.NoError(t, s.w.Schedule(10_000, sim.Crash{Node: s.ids["r0"]}))
	return s
}

// With the documented Sentinel ACL on every node, a failover goes through
// every NOPERM check: promotion, the reconfiguration transactions
// (MULTI, SLAVEOF, CONFIG REWRITE, CLIENT KILL, EXEC), hellos.
func TestSuiteFailoverWithSentinelACLUser(t *testing.T) {
	s := aclSuite(t, 47, sentinelACL)
	s.run(60 * wire.Second)
	t.Logf("s0: %v", s.events("s0"))
	master := s.converged(t, all())
	assert.NotEqual(t, "10.0.0.0", master)
	for _, name := range all() {
		assert.Equal(t, 1, s.count(name, "+switch-master"), name)
	}
}

// Without +slaveof the leader's SLAVEOF NO ONE meets -NOPERM inside its
// transaction, so EXEC aborts, the replica is never promoted and the
// failover aborts after failover-timeout (-failover-abort-slave-timeout).
func TestSuiteFailoverNeedsSlaveofPermission(t *testing.T) {
	s := aclSuite(t, 48, strings.Replace(sentinelACL, " +slaveof", "", 1))
	s.run(40 * wire.Second)
	aborts := 0
	for _, name := range all() {
		aborts += s.count(name, "-failover-abort-slave-timeout")
		assert.Zero(t, s.count(name, "+promoted-slave"), name)
		assert.Zero(t, s.count(name, "+switch-master"), name)
	}
	assert.Positive(t, aborts, "the leader gave up waiting for the promotion")
}
