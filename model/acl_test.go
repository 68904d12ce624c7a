package model

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// ACL users on a node; every reply was checked against redis-server 7.0.15
// with the same commands.
func TestACLCommandsMatchRedis(t *testing.T) {
	d := newDirect(t, nil)
	for _, tc := range []struct {
		conn wire.ConnID
		args []string
		want string
	}{
		{1, []string{"ACL", "WHOAMI"}, `"default"`},
		{1, []string{"ACL", "LIST"}, `["user default on nopass ~* &* +@all"]`},
		{1, []string{"ACL", "SETUSER", "testuser", "on", ">secret", "allchannels", "+@all"}, "+OK"},
		{1, []string{"ACL", "SETUSER", "bad", "+@foo"}, "-ERR Error in ACL SETUSER modifier '+@foo': Unknown command or category name in ACL"},
		{1, []string{"ACL", "SETUSER", "bad", "+nosuch"}, "-ERR Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL"},
		{1, []string{"ACL", "SETUSER", "bad", "+config|nosub"}, "-ERR Error in ACL SETUSER modifier '+config|nosub': Unknown command or category name in ACL"},
		{1, []string{"ACL", "DELUSER", "nosuch"}, ":0"},
		{1, []string{"ACL", "DELUSER", "default"}, "-ERR The 'default' user cannot be removed"},
		{1, []string{"CLIENT", "KILL", "USER", "nosuch"}, "-ERR No such user 'nosuch'"},
		{1, []string{"ACL"}, "-ERR wrong number of arguments for 'acl' command"},
		{1, []string{"ACL", "FOO"}, "-ERR unknown subcommand 'FOO'. Try ACL HELP."},
		{1, []string{"ACL", "SETUSER"}, "-ERR wrong number of arguments for 'acl|setuser' command"},
		{1, []string{"ACL", "WHOAMI", "x"}, "-ERR wrong number of arguments for 'acl|whoami' command"},
		{1, []string{"ACL", "DELUSER"}, "-ERR wrong number of arguments for 'acl|deluser' command"},
		{1, []string{"AUTH", "x"}, "-" + errNoPassword},
		{1, []string{"AUTH", "a", "b", "c"}, "-ERR syntax error"},
		// A failed AUTH keeps the connection's user.
		{2, []string{"AUTH", "testuser", "wrong"}, "-" + errWrongPass},
		{2, []string{"ACL", "WHOAMI"}, `"default"`},
		{2, []string{"AUTH", "testuser", "secret"}, "+OK"},
		{2, []string{"ACL", "WHOAMI"}, `"testuser"`},
		// No key patterns: keys are refused; all channels are allowed.
		{2, []string{"GET", "k"}, "-NOPERM this user has no permissions to access one of the keys used as arguments"},
		{2, []string{"PUBLISH", "__sentinel__:hello", "x"}, ":0"},
		{1, []string{"ACL", "SETUSER", "u2", "on", "nopass", "+get"}, "+OK"},
		{3, []string{"AUTH", "u2", "any"}, "+OK"},
		{3, []string{"SET", "k", "v"}, "-NOPERM this user has no permissions to run the 'set' command"},
		{3, []string{"CONFIG", "GET", "maxmemory"}, "-NOPERM this user has no permissions to run the 'config|get' command"},
		{3, []string{"GET", "k"}, "-NOPERM this user has no permissions to access one of the keys used as arguments"},
		{3, []string{"PING"}, "-NOPERM this user has no permissions to run the 'ping' command"},
		{3, []string{"ACL", "WHOAMI"}, "-NOPERM this user has no permissions to run the 'acl|whoami' command"},
		// AUTH and QUIT need no command permission.
		{3, []string{"AUTH", "testuser", "secret"}, "+OK"},
		{3, []string{"ACL", "WHOAMI"}, `"testuser"`},
		{3, []string{"AUTH", "u2", "x"}, "+OK"},
		{3, []string{"QUIT"}, "+OK"},
		{1, []string{"ACL", "SETUSER", "p", "on", ">b", "~k*", "&ch*", "+@all", "-get", "-config|get"}, "+OK"},
		{4, []string{"AUTH", "p", "b"}, "+OK"},
		{4, []string{"PUBLISH", "other", "m"}, "-NOPERM this user has no permissions to access one of the channels used as arguments"},
		{4, []string{"PUBLISH", "chx", "m"}, ":0"},
		{4, []string{"CONFIG", "GET", "x"}, "-NOPERM this user has no permissions to run the 'config|get' command"},
		{4, []string{"SET", "k1", "v"}, "+OK"},
		{4, []string{"SET", "j", "v"}, "-NOPERM this user has no permissions to access one of the keys used as arguments"},
		{4, []string{"MULTI"}, "+OK"},
		{4, []string{"GET", "k"}, "-NOPERM this user has no permissions to run the 'get' command"},
		{4, []string{"EXEC"}, "-EXECABORT Transaction discarded because of previous errors."},
		{4, []string{"SUBSCRIBE", "ch1", "other"}, "-NOPERM this user has no permissions to access one of the channels used as arguments"},
		// requirepass is the default user's password.
		{1, []string{"CONFIG", "SET", "requirepass", "foo"}, "+OK"},
		{1, []string{"ACL", "LIST"}, `["user default on #2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae ~* &* +@all" "user p on #3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d ~k* resetchannels &ch* +@all -config|get -get" "user testuser on #2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b &* +@all" "user u2 on nopass resetchannels -@all +get"]`},
		{5, []string{"PING"}, "-" + errNoAuth},
		{5, []string{"AUTH", "foo"}, "+OK"},
		{1, []string{"CONFIG", "SET", "requirepass", ""}, "+OK"},
		{1, []string{"ACL", "USERS"}, `["default" "p" "testuser" "u2"]`},
	} {
		v, ok := d.do(tc.conn, tc.args...)
		require.True(t, ok, "%v", tc.args)
		assert.Equal(t, tc.want, v.String(), "conn %d %v", tc.conn, tc.args)
	}
}

// Turning the default user off keeps its authenticated connections
// working; new connections need AUTH; CLIENT KILL USER default drops every
// connection running as default, authenticated or not (checked against
// redis-server 7.0.15: 3 killed, the subscriber's connection closed).
func TestDefaultUserOffAndClientKillUser(t *testing.T) {
	d := newDirect(t, nil)
	require.Equal(t, `["subscribe" "__sentinel__:hello" :1]`, d.reply(2, "SUBSCRIBE", "__sentinel__:hello"))
	require.Equal(t, "+OK", d.reply(3, "ACL", "SETUSER", "testuser", "on", ">secret", "allchannels", "+@all"))
	require.Equal(t, "+OK", d.reply(3, "AUTH", "testuser", "secret"))
	require.Equal(t, "+OK", d.reply(1, "ACL", "SETUSER", "default", "off"))
	require.Equal(t, "+PONG", d.reply(1, "PING"), "an authenticated connection keeps working")
	require.Equal(t, "-"+errNoAuth, d.reply(4, "PING"))
	require.Equal(t, "-"+errNoAuth, d.reply(4, "ACL", "WHOAMI"))
	require.Equal(t, "-"+errNoPassword, d.reply(4, "AUTH", "x"))
	require.Equal(t, "-"+errWrongPass, d.reply(4, "AUTH", "default", "x"))

	require.Equal(t, ":3", d.reply(1, "CLIENT", "KILL", "USER", "default", "SKIPME", "no"))
	closed := map[wire.ConnID]bool{}
	for _, m := range d.env.sent {
		if c, ok := m.Payload.(*wire.Closed); ok {
			closed[c.Conn] = true
		}
	}
	assert.Equal(t, map[wire.ConnID]bool{1: true, 2: true, 4: true}, closed)
	require.Equal(t, "+PONG", d.reply(3, "PING"), "testuser's connection survives")

	// ACL DELUSER disconnects the user's clients.
	require.Equal(t, ":1", d.reply(3, "ACL", "DELUSER", "testuser"))
	_, ok := d.do(3, "PING")
	assert.False(t, ok, "the connection closed after its reply")
}

// User directives in the configuration apply after requirepass, and a
// CONFIG REWRITE writes the current users, which a restart reads back.
func TestUsersInConfigAndRewrite(t *testing.T) {
	_, err := NewNode(func() Config {
		c := DefaultConfig(wire.Addr{Host: "10.0.0.1", Port: 6379})
		c.Directory = wire.NewStaticDirectory()
		c.Users = []string{"bad on +nosuch"}
		return c
	}(), 1)
	require.EqualError(t, err, "model: user bad: Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL")

	d := newDirect(t, func(c *Config) {
		c.RequirePass = "foo"
		c.Users = []string{"sentinel on >pw allchannels +@all"}
	})
	require.Equal(t, "+OK", d.reply(1, "AUTH", "sentinel", "pw"))
	require.Equal(t, "+OK", d.reply(1, "ACL", "SETUSER", "other", "on", "nopass", "~*", "+get"))
	require.Equal(t, "+OK", d.reply(1, "CONFIG", "REWRITE"))
	d.n.Boot(d.env, d.env.saved)
	d.open(1)
	require.Equal(t, "+OK", d.reply(1, "AUTH", "foo"))
	// Redis 7.0.15 after the same rewrite and a restart: the default
	// user's line is applied from reset, which adds sanitize-payload.
	require.Equal(t, `["user default on sanitize-payload #2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae ~* &* +@all" "user other on nopass ~* resetchannels -@all +get" "user sentinel on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 &* +@all"]`,
		d.reply(1, "ACL", "LIST"))
}

// A replica authenticates with masteruser/masterauth; CLIENT KILL USER on
// the master drops it when it ran as that user.
func TestMasteruserSyncAndKill(t *testing.T) {
	for _, tc := range []struct {
		user, pass string
		up         bool
	}{{"", "secret", false}, {"repl", "wrong", false}, {"repl", "secret", true}} {
		w := pair(t, 4, func(c *Config) {
			c.Users = []string{"default off", "repl on >secret +@all"}
		}, func(c *Config) { c.MasterUser, c.MasterAuth = tc.user, tc.pass })
		w.run(10 * wire.Second)
		ri := w.node("redis2").info(fixedEnv(w, "redis2"))
		assert.Equal(t, tc.up, ri.MasterLinkUp, "masteruser %q masterauth %q", tc.user, tc.pass)
	}
	w := pair(t, 4, func(c *Config) { c.Users = []string{"repl on >secret +@all"} },
		func(c *Config) { c.MasterUser, c.MasterAuth = "repl", "secret" })
	log := w.addScript("app", "redis1", at(3000, "CLIENT", "KILL", "USER", "default"), at(3100, "CLIENT", "KILL", "USER", "repl"))
	w.run(3200 * wire.Millisecond)
	assert.Equal(t, []string{":0", ":1"}, *log, "the replica ran as repl")
}

// ACLs are checked again at EXEC: a queued command the user may no longer
// run gets an error in its place, the others run; EXEC itself denied
// aborts the transaction (texts of redis-server 7.0.15).
func TestACLCheckedAgainAtExec(t *testing.T) {
	d := newDirect(t, nil)
	require.Equal(t, "+OK", d.reply(1, "ACL", "SETUSER", "u", "on", "nopass", "~*", "&*", "+@all"))
	require.Equal(t, "+OK", d.reply(2, "AUTH", "u", "x"))
	for _, c := range [][]string{{"MULTI"}, {"SET", "k", "v"}, {"GET", "k"}, {"PUBLISH", "ch", "m"}, {"PING"}} {
		d.reply(2, c...)
	}
	require.Equal(t, "+OK", d.reply(1, "ACL", "SETUSER", "u", "-get", "resetkeys", "~k2", "resetchannels"))
	changed := "-NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: "
	assert.Equal(t, "["+changed+"no permission to touch the specified keys "+
		changed+"no permission to execute the command or subcommand "+
		changed+"no permission to access one of the channels used as arguments +PONG]", d.reply(2, "EXEC"))

	require.Equal(t, "+OK", d.reply(3, "AUTH", "u", "x"))
	require.Equal(t, "+OK", d.reply(3, "MULTI"))
	require.Equal(t, "+QUEUED", d.reply(3, "PING"))
	require.Equal(t, "+OK", d.reply(1, "ACL", "SETUSER", "u", "-exec"))
	assert.Equal(t, "-EXECABORT Transaction discarded because of: NOPERM this user has no permissions to run the 'exec' command", d.reply(3, "EXEC"))
}
