package sentinel

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/acl"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sentinel/conf"
)

// cmdRig drives one booted sentinel with commands from client
// connections, without a simulator.
type cmdRig struct {
	t   *testing.T
	s   *Sentinel
	env *logEnv
	seq map[wire.ConnID]uint64
}

// logEnv is a captureEnv that also keeps the log lines.
type logEnv struct {
	captureEnv
	logs []string
}

func (e *logEnv) Emit(l string) { e.logs = append(e.logs, l) }

func newCmdRig(t *testing.T, confText string) *cmdRig {
	c, err := conf.Parse("sentinel.conf", []byte(confText))
	require.NoError(t, err)
	s, err := New(Options{Addr: wire.Addr{Host: "10.0.0.11", Port: 26379}, Conf: c, Directory: wire.NewStaticDirectory()})
	require.NoError(t, err)
	r := &cmdRig{t: t, s: s, env: &logEnv{}, seq: map[wire.ConnID]uint64{}}
	s.Boot(r.env, nil)
	return r
}

const rigConf = "sentinel myid 1111111111111111111111111111111111111111\nsentinel monitor mymaster 10.0.0.1 6379 2\n"

// do sends a command on a connection and returns its reply as
// wire.Value.String shows it, or "(closed)" if the connection was closed
// instead.
func (r *cmdRig) do(conn wire.ConnID, args ...string) string {
	r.seq[conn]++
	seq := r.seq[conn]
	r.env.sent = nil
	r.s.Receive(r.env, wire.Message{From: 7, To: 0, Payload: &wire.Command{Conn: conn, Seq: seq, Open: seq == 1, Args: args}})
	for _, m := range r.env.sent {
		if rep, ok := m.Payload.(*wire.Reply); ok && rep.Conn == conn && rep.Seq == seq {
			return rep.Value.String()
		}
	}
	return "(closed)"
}

// Replies of AUTH, HELLO, COMMAND, SHUTDOWN and ACL on a sentinel without a
// password, each checked against redis-sentinel 7.0.15 (spec §22.1).
func TestCommandsWithoutPassword(t *testing.T) {
	r := newCmdRig(t, rigConf)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"AUTH", "foo"}, "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"},
		{[]string{"AUTH", "a", "b"}, "-WRONGPASS invalid username-password pair or user is disabled."},
		{[]string{"AUTH"}, "-ERR wrong number of arguments for 'auth' command"},
		{[]string{"auth", "a", "b", "c"}, "-ERR syntax error"},
		{[]string{"ACL", "WHOAMI"}, `"default"`},
		{[]string{"ACL", "WHOAMI", "x"}, "-ERR wrong number of arguments for 'acl|whoami' command"},
		{[]string{"ACL", "SETUSER"}, "-ERR wrong number of arguments for 'acl|setuser' command"},
		{[]string{"ACL", "FOO"}, "-ERR unknown subcommand 'FOO'. Try ACL HELP."},
		{[]string{"ACL", "LIST"}, `["user default on nopass ~* &* +@all"]`},
		{[]string{"ACL", "GETUSER", "default"}, `["flags" ["on" "nopass"] "passwords" [] "commands" "+@all" "keys" "~*" "channels" "&*" "selectors" []]`},
		{[]string{"ACL", "GETUSER", "nobody"}, "(nil)"},
		{[]string{"ACL", "DELUSER", "default"}, "-ERR The 'default' user cannot be removed"},
		{[]string{"ACL", "DELUSER", "nobody"}, ":0"},
		{[]string{"ACL", "CAT", "nosuch"}, "-ERR Unknown category 'nosuch'"},
		{[]string{"ACL", "DRYRUN", "default", "ping"}, "+OK"},
		{[]string{"ACL", "DRYRUN", "nobody", "ping"}, "-ERR User 'nobody' not found"},
		{[]string{"ACL", "DRYRUN", "default", "foo"}, "-ERR Command 'foo' not found"},
		{[]string{"ACL", "LOG", "x"}, "-ERR value is not an integer or out of range"},
		{[]string{"ACL", "LOG", "RESET"}, "+OK"},
		{[]string{"ACL", "GENPASS", "0"}, "-ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096"},
		{[]string{"ACL", "SAVE"}, "-ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration."},
		{[]string{"HELLO", "4"}, "-NOPROTO unsupported protocol version"},
		{[]string{"HELLO", "x"}, "-ERR Protocol version is not an integer or out of range"},
		{[]string{"HELLO", "2", "SETNAME", "a", "b"}, "-ERR Syntax error in HELLO option 'b'"},
		{[]string{"HELLO", "2", "FOO"}, "-ERR Syntax error in HELLO option 'FOO'"},
		{[]string{"HELLO", "1"}, "-NOPROTO unsupported protocol version"},
		{[]string{"HELLO", "2", "AUTH", "bob"}, "-ERR Syntax error in HELLO option 'AUTH'"},
		{[]string{"HELLO", "2", "SETNAME", "a b"}, "-ERR Client names cannot contain spaces, newlines or special characters."},
		{[]string{"HELLO", "2", "AUTH", "default", "x"}, `["server" "redis" "version" "7.0.15" "proto" :2 "id" :1 "mode" "sentinel" "modules" []]`},
		{[]string{"COMMAND", "COUNT"}, ":15"},
		{[]string{"COMMAND", "COUNT", "x"}, "-ERR wrong number of arguments for 'command|count' command"},
		{[]string{"COMMAND", "FOO"}, "-ERR unknown subcommand 'FOO'. Try COMMAND HELP."},
		{[]string{"COMMAND", "GETKEYS", "ping"}, "-ERR wrong number of arguments for 'command|getkeys' command"},
		{[]string{"COMMAND", "GETKEYS", "ping", "a"}, "-ERR The command has no key arguments"},
		{[]string{"COMMAND", "GETKEYS", "get", "a"}, "-ERR Invalid command specified"},
		{[]string{"COMMAND", "DOCS", "nosuch"}, "[]"},
		{[]string{"COMMAND", "LIST", "FILTERBY", "MODULE", "x"}, "[]"},
		{[]string{"COMMAND", "LIST", "FOO"}, "-ERR syntax error"},
		{[]string{"COMMAND", "INFO", "nosuch", "ping"}, `[(nil) ["ping" :-1 [+fast] :0 :0 :0 [+@fast +@connection] ["request_policy:all_shards" "response_policy:all_succeeded"] [] []]]`},
		{[]string{"CLIENT", "FOO"}, "-ERR unknown subcommand 'FOO'. Try CLIENT HELP."},
		{[]string{"CLIENT", "SETNAME", "a b"}, "-ERR Client names cannot contain spaces, newlines or special characters."},
		{[]string{"CLIENT", "KILL", "1.2.3.4:5"}, "-ERR No such client"},
		{[]string{"CLIENT", "KILL", "USER", "nosuch"}, "-ERR No such user 'nosuch'"},
		{[]string{"CLIENT", "KILL", "ID", "99999"}, ":0"},
		{[]string{"SHUTDOWN", "FOO"}, "-ERR syntax error"},
		{[]string{"SHUTDOWN", "ABORT"}, "-ERR No shutdown in progress."},
		{[]string{"SHUTDOWN", "NOSAVE", "SAVE"}, "-ERR syntax error"},
		{[]string{"FOO", "bar"}, "-ERR unknown command 'FOO', with args beginning with: 'bar' "},
	} {
		assert.Equal(t, tc.want, r.do(1, tc.args...), "%v", tc.args)
	}
	assert.False(t, r.s.Exited())

	list := r.do(1, "COMMAND", "LIST")
	assert.Equal(t, 72, strings.Count(list, `"`)/2, "spec §22.1: COMMAND LIST returns 72 names")
	assert.True(t, strings.HasPrefix(list, `["acl" "acl|dryrun" "acl|users"`), list)
	cat := r.do(1, "ACL", "CAT", "admin")
	assert.True(t, strings.HasPrefix(cat, `["acl|dryrun" "acl|users" "acl|setuser"`), cat)
	assert.Contains(t, cat, `"sentinel" "sentinel|replicas"`)
	assert.Contains(t, cat, `"role" "shutdown" "client|kill"`)
	assert.Len(t, r.do(1, "ACL", "GENPASS"), 66, "64 hex characters, quoted")
	assert.Len(t, r.do(1, "ACL", "GENPASS", "5"), 4, "2 hex characters, quoted")
}

// With requirepass, everything but AUTH and HELLO … AUTH is refused with
// -NOAUTH until the connection authenticates; unknown commands and arity
// errors come first (redis-sentinel 7.0.15, requirepass secret).
func TestCommandsWithPassword(t *testing.T) {
	r := newCmdRig(t, rigConf+"requirepass secret\n")
	noauth := "-NOAUTH Authentication required."
	helloNoauth := "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"PING"}, noauth},
		{[]string{"SENTINEL", "MYID"}, noauth},
		{[]string{"ACL", "WHOAMI"}, noauth},
		{[]string{"COMMAND", "COUNT"}, noauth},
		{[]string{"SUBSCRIBE", "x"}, noauth},
		{[]string{"SHUTDOWN"}, noauth},
		{[]string{"PUBLISH", "__sentinel__:hello", "x"}, noauth},
		{[]string{"ACL", "SETUSER"}, "-ERR wrong number of arguments for 'acl|setuser' command"},
		{[]string{"FOO", "bar"}, "-ERR unknown command 'FOO', with args beginning with: 'bar' "},
		{[]string{"HELLO"}, helloNoauth},
		{[]string{"HELLO", "3"}, "-NOPROTO unsupported protocol version"}, // RESP3 is not modelled
		{[]string{"HELLO", "2", "AUTH", "default", "wrong"}, "-WRONGPASS invalid username-password pair or user is disabled."},
		{[]string{"AUTH", "wrong"}, "-WRONGPASS invalid username-password pair or user is disabled."},
		{[]string{"AUTH", "default", "wrong"}, "-WRONGPASS invalid username-password pair or user is disabled."},
		{[]string{"AUTH", "secret"}, "+OK"},
		{[]string{"PING"}, "+PONG"},
		{[]string{"ACL", "LIST"}, `["user default on #2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b ~* &* +@all"]`},
		// A user who may only PING.
		{[]string{"ACL", "SETUSER", "carol", "on", ">cpw", "-@all", "+ping"}, "+OK"},
		{[]string{"ACL", "SETUSER", "bob", "badrule"}, "-ERR Error in ACL SETUSER modifier 'badrule': Syntax error"},
		{[]string{"ACL", "USERS"}, `["carol" "default"]`},
		{[]string{"AUTH", "carol", "cpw"}, "+OK"},
		{[]string{"PING"}, "+PONG"},
		{[]string{"SENTINEL", "MYID"}, "-NOPERM this user has no permissions to run the 'sentinel|myid' command"},
		{[]string{"ACL", "WHOAMI"}, "-NOPERM this user has no permissions to run the 'acl|whoami' command"},
		{[]string{"INFO", "sentinel"}, "-NOPERM this user has no permissions to run the 'info' command"},
		{[]string{"CLIENT", "GETNAME"}, "-NOPERM this user has no permissions to run the 'client|getname' command"},
		{[]string{"AUTH", "bob", "wrong"}, "-WRONGPASS invalid username-password pair or user is disabled."},
		{[]string{"HELLO", "2", "SETNAME", "myname"}, `["server" "redis" "version" "7.0.15" "proto" :2 "id" :1 "mode" "sentinel" "modules" []]`},
	} {
		assert.Equal(t, tc.want, r.do(1, tc.args...), "%v", tc.args)
	}
	assert.Equal(t, noauth, r.do(2, "PING"), "a new connection starts unauthenticated")
	assert.Equal(t, `["server" "redis" "version" "7.0.15" "proto" :2 "id" :2 "mode" "sentinel" "modules" []]`, r.do(2, "HELLO", "2", "AUTH", "carol", "cpw"))
	assert.Equal(t, "+PONG", r.do(2, "PING"), "HELLO … AUTH authenticated it")
}

// ACL SETUSER rules and how ACL LIST shows them, each case checked against
// redis-sentinel 7.0.15 (a fresh user "u" each time).
func TestACLSetUserRules(t *testing.T) {
	r := newCmdRig(t, rigConf)
	for _, tc := range []struct{ rules, want string }{
		{"on >pw ~* +@all", "user u on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~* resetchannels +@all"},
		{"on >pw allchannels +@all", "user u on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 &* +@all"},
		{"+@all -ping", "user u off resetchannels +@all -ping"},
		{"-@all +ping +ping", "user u off resetchannels -@all +ping"},
		{"+ping -@all", "user u off resetchannels -@all"},
		{"nocommands +sentinel|myid", "user u off resetchannels -@all +sentinel|myid"},
		{"allkeys allcommands", "user u off ~* resetchannels +@all"},
		{"reset", "user u off sanitize-payload resetchannels -@all"},
		{"on nopass", "user u on nopass resetchannels -@all"},
		{">a >b <a", "user u off #3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d resetchannels -@all"},
		{"-ping +ping", "user u off resetchannels -@all +ping"},
		{"~a ~b resetkeys ~c", "user u off ~c resetchannels -@all"},
		{"&x", "user u off resetchannels &x -@all"},
		{"%R~k", "user u off %R~k resetchannels -@all"},
		{"on #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8", "user u on #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 resetchannels -@all"},
		{"+sentinel|nosuch", "-ERR Error in ACL SETUSER modifier '+sentinel|nosuch': Unknown command or category name in ACL"},
		{"+nosuch", "-ERR Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL"},
		{"-@nosuch", "-ERR Error in ACL SETUSER modifier '-@nosuch': Unknown command or category name in ACL"},
		{"-ping|x", "-ERR Error in ACL SETUSER modifier '-ping|x': Unknown command or category name in ACL"},
		{"+ping|x +ping|y", "user u off resetchannels -@all +ping|x +ping|y"},
		{"+@all -sentinel|myid", "user u off resetchannels +@all -sentinel|myid"},
		{"+acl|whoami|x", "-ERR Error in ACL SETUSER modifier '+acl|whoami|x': Allowing first-arg of a subcommand is not supported"},
		{"<nope", "-ERR Error in ACL SETUSER modifier '<nope': The password you are trying to remove from the user does not exist"},
		{"#abc", "-ERR Error in ACL SETUSER modifier '#abc': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"},
		{"allkeys ~x", "-ERR Error in ACL SETUSER modifier '~x': Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"},
		{"allchannels &x", "-ERR Error in ACL SETUSER modifier '&x': Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"},
	} {
		r.do(1, "ACL", "DELUSER", "u")
		got := r.do(1, append([]string{"ACL", "SETUSER", "u"}, strings.Fields(tc.rules)...)...)
		if got == "+OK" {
			got = strings.Trim(strings.TrimSuffix(strings.TrimPrefix(r.do(1, "ACL", "LIST"), `["user default on nopass ~* &* +@all" "`), `"]`), `"`)
		} else {
			assert.Equal(t, ":0", r.do(1, "ACL", "DELUSER", "u"), "a refused SETUSER creates nothing: %s", tc.rules)
		}
		assert.Equal(t, tc.want, got, tc.rules)
	}
	r.do(1, "ACL", "SETUSER", "u", "reset", "on", ">pw", "+@all", "~*")
	assert.Equal(t, `["flags" ["on" "sanitize-payload"] "passwords" ["30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4"] "commands" "+@all" "keys" "~*" "channels" "" "selectors" []]`,
		r.do(1, "ACL", "GETUSER", "u"))
	// Permission checks follow the rules.
	r.do(1, "ACL", "SETUSER", "v", "on", "nopass", "-@all", "+ping")
	assert.Equal(t, `"This user has no permissions to run the 'info' command"`, r.do(1, "ACL", "DRYRUN", "v", "info"))
	assert.Equal(t, "+OK", r.do(1, "ACL", "DRYRUN", "v", "ping"))
	assert.Equal(t, `"This user has no permissions to run the 'sentinel|myid' command"`, r.do(1, "ACL", "DRYRUN", "v", "sentinel", "myid"))
	assert.Equal(t, "-ERR Command 'sentinel' not found", r.do(1, "ACL", "DRYRUN", "v", "sentinel", "nosuch"))
	// A first-argument rule allows the command with that argument only
	// (case-insensitive).
	r.do(1, "ACL", "SETUSER", "w2", "on", "nopass", "+ping|x")
	for args, want := range map[string]string{"ping x": "+OK", "ping X": "+OK",
		"ping": `"This user has no permissions to run the 'ping' command"`, "ping y": `"This user has no permissions to run the 'ping' command"`} {
		assert.Equal(t, want, r.do(1, append([]string{"ACL", "DRYRUN", "w2"}, strings.Fields(args)...)...), args)
	}
	// Channels: PUBLISH and SUBSCRIBE need a channel pattern that matches.
	r.do(1, "ACL", "SETUSER", "pub", "on", "nopass", "+@all", "resetchannels", "&foo")
	assert.Equal(t, "+OK", r.do(2, "AUTH", "pub", "x"))
	assert.Equal(t, "-NOPERM this user has no permissions to access one of the channels used as arguments", r.do(2, "PUBLISH", "__sentinel__:hello", "x"))
	assert.Equal(t, "-NOPERM this user has no permissions to access one of the channels used as arguments", r.do(2, "SUBSCRIBE", "bar"))
	assert.Equal(t, `["subscribe" "foo" :1]`, r.do(2, "SUBSCRIBE", "foo"))

	// Deleting a user closes its connections, the caller's after the reply
	// (redis-sentinel 7.0.15: ":1", then "Server closed the connection").
	r.do(3, "ACL", "SETUSER", "x", "on", "nopass", "+@all")
	assert.Equal(t, "+OK", r.do(3, "AUTH", "x", "y"))
	assert.Equal(t, ":1", r.do(3, "ACL", "DELUSER", "x"))
	require.NotEmpty(t, r.env.sent)
	_, closed := r.env.sent[len(r.env.sent)-1].Payload.(*wire.Closed)
	assert.True(t, closed, "%v", r.env.sent)
	assert.Equal(t, "(closed)", r.do(3, "PING"), "the connection is gone")
}

// SHUTDOWN ends the process as SIMULATE-FAILURE's crash does: the log
// lines of redis-sentinel 7.0.15, no reply, every client connection
// closed, and nothing more until a restart.
func TestShutdownExits(t *testing.T) {
	r := newCmdRig(t, rigConf)
	assert.Equal(t, "+PONG", r.do(2, "PING"))
	assert.Equal(t, "(closed)", r.do(1, "SHUTDOWN", "NOSAVE"))
	assert.True(t, r.s.Exited())
	assert.Equal(t, []string{"# User requested shutdown...", "# Sentinel is now ready to exit, bye bye..."}, r.env.logs[len(r.env.logs)-2:])
	var closed []wire.ConnID
	for _, m := range r.env.sent {
		if c, ok := m.Payload.(*wire.Closed); ok {
			closed = append(closed, c.Conn)
		}
	}
	assert.ElementsMatch(t, []wire.ConnID{1, 2}, closed)
	assert.Equal(t, "(closed)", r.do(2, "PING"), "a dead process answers nothing")
}

// The S-ACL-1 sequence on one sentinel (reference redis-sentinel-tests.md
// §6): a user with every command and channel, the default user off, the
// default user's connections killed (the caller's own too, after the
// reply), then only that user can authenticate.
func TestACLSwitchKillsDefaultUsers(t *testing.T) {
	r := newCmdRig(t, rigConf)
	assert.Equal(t, "+PONG", r.do(2, "PING"))
	assert.Equal(t, "+PONG", r.do(3, "PING"))
	assert.Equal(t, "+OK", r.do(1, "ACL", "SETUSER", "sentinel-user", "on", ">s3cret", "allchannels", "+@all"))
	assert.Equal(t, "+OK", r.do(1, "ACL", "SETUSER", "default", "off"))
	assert.Equal(t, "+PONG", r.do(2, "PING"), "7.0.15 keeps existing connections when a user changes")
	r.seq[1]++
	r.env.sent = nil
	r.s.Receive(r.env, wire.Message{From: 7, Payload: &wire.Command{Conn: 1, Seq: r.seq[1], Args: []string{"CLIENT", "KILL", "USER", "default", "SKIPME", "no"}}})
	var got []string
	for _, m := range r.env.sent {
		got = append(got, m.Payload.String())
	}
	require.Len(t, got, 4, "%v", got)
	assert.Contains(t, got[2], ":3", "three connections killed: %v", got)
	assert.Contains(t, got[3], "closed", "the caller's own connection closes after the reply: %v", got)
	// New connections: the default user is off, so authentication is needed
	// and only the new user has it.
	r.seq = map[wire.ConnID]uint64{}
	assert.Equal(t, "-NOAUTH Authentication required.", r.do(4, "PING"))
	assert.Equal(t, "-WRONGPASS invalid username-password pair or user is disabled.", r.do(4, "AUTH", "default", "x"))
	assert.Equal(t, "+OK", r.do(4, "AUTH", "sentinel-user", "s3cret"))
	assert.Equal(t, `"sentinel-user"`, r.do(4, "ACL", "WHOAMI"))
	assert.Equal(t, ":1", r.do(4, "PUBLISH", "__sentinel__:hello", "x"))

	// The users are written with the next config save and survive a restart.
	assert.Equal(t, "+OK", r.do(4, "SENTINEL", "FLUSHCONFIG"))
	saved := string(r.env.saved)
	assert.Contains(t, saved, "user default off nopass ~* &* +@all\n")
	assert.Contains(t, saved, "user sentinel-user on #")
	r2 := &cmdRig{t: t, s: r.s, env: &logEnv{}, seq: map[wire.ConnID]uint64{}}
	r.s.Boot(r2.env, []byte(saved))
	assert.Equal(t, "-NOAUTH Authentication required.", r2.do(5, "PING"))
	assert.Equal(t, "+OK", r2.do(5, "AUTH", "sentinel-user", "s3cret"))
}

// The captured command table agrees with spec §22.1: 15 commands, 72 names
// with the subcommands (13 acl, 16 client, 7 command, 21 sentinel), and the
// SENTINEL subcommand arities the spec lists.
func TestCommandTableMatchesSpec(t *testing.T) {
	assert.Len(t, cmdTop, 15)
	assert.Len(t, cmdByID, 72)
	subs := map[string]int{}
	for _, c := range cmdTop {
		subs[c.name] = len(c.subs)
	}
	assert.Equal(t, map[string]int{"acl": 13, "client": 16, "command": 7, "sentinel": 21}, map[string]int{
		"acl": subs["acl"], "client": subs["client"], "command": subs["command"], "sentinel": subs["sentinel"]})
	for name, arity := range map[string]int{
		"ckquorum": 3, "config": -3, "debug": -2, "failover": 3, "flushconfig": 2,
		"get-master-addr-by-name": 3, "help": 2, "info-cache": -3, "is-master-down-by-addr": 6,
		"master": 3, "masters": 2, "monitor": 6, "myid": 2, "pending-scripts": 2, "remove": 3,
		"replicas": 3, "reset": 3, "sentinels": 3, "set": -5, "simulate-failure": -3, "slaves": 3,
	} {
		c := cmdName["sentinel|"+name]
		if assert.NotNil(t, c, name) {
			assert.Equal(t, arity, c.arity, name)
		}
	}
}

// The categories of the captured table are internal/acl's list of Redis
// 7.0.15's, and a category rule reaches the subcommands in it.
func TestACLCategoriesFromTheCapturedTable(t *testing.T) {
	assert.Equal(t, acl.RedisCategories, aclCategories)
	r := newCmdRig(t, rigConf)
	assert.Equal(t, "+OK", r.do(1, "ACL", "SETUSER", "d", "on", "nopass", "-@all", "+@dangerous", "-@all", "+@connection", "+@admin", "-sentinel|myid"))
	assert.Equal(t, "+OK", r.do(2, "AUTH", "d", "x"))
	assert.Equal(t, "+PONG", r.do(2, "PING"))
	assert.Equal(t, "-NOPERM this user has no permissions to run the 'sentinel|myid' command", r.do(2, "SENTINEL", "MYID"))
	assert.Equal(t, "-NOPERM this user has no permissions to run the 'info' command", r.do(2, "INFO"))
	// clearselectors is accepted (there are none), as 7.0.15 does.
	assert.Equal(t, "+OK", r.do(1, "ACL", "SETUSER", "d", "clearselectors"))
}
