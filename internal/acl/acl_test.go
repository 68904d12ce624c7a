package acl

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// known is a small command table: get, set, ping, config with get/set.
func known(cmd, sub string) (bool, bool) {
	switch cmd {
	case "get", "set", "ping", "subscribe", "publish", "acl":
		return sub == "", false
	case "config", "client":
		return sub == "" || sub == "get" || sub == "set" || sub == "kill", true
	}
	return false, false
}

// The expected lines and errors below were produced by redis-server 7.0.15
// for the same ACL SETUSER calls.
func TestListMatchesRedis(t *testing.T) {
	us := New(known, nil)
	require.Equal(t, []string{"user default on nopass ~* &* +@all"}, us.List())
	require.NoError(t, us.SetUser("testuser", []string{"on", ">secret", "allchannels", "+@all"}))
	require.NoError(t, us.SetUser("fresh", nil))
	require.NoError(t, us.SetUser("u2", []string{"on", "nopass", "+get"}))
	require.NoError(t, us.SetUser("p", []string{"on", ">a", ">b", ">a", "~k*", "~j", "&ch*", "+@all", "-set", "+set", "-get", "-config|get"}))
	require.NoError(t, us.SetUser("y", []string{"+@all", "-config", "+config|get", "-@all", "+config", "-config|set"}))
	require.NoError(t, us.SetUser("s", []string{"ON", "NOPASS", "+@ALL", "+GET", "~*", "ALLCHANNELS"}))
	require.NoError(t, us.SetUser("q", []string{"on", "nopass", ">z"}))
	require.NoError(t, us.SetUser("r", []string{"on", ">z", "nopass"}))
	require.NoError(t, us.SetUser("x", []string{"reset"}))
	require.Equal(t, []string{
		"user default on nopass ~* &* +@all",
		"user fresh off resetchannels -@all",
		"user p on #ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb #3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d ~k* ~j resetchannels &ch* +@all -config|get -get",
		"user q on #594e519ae499312b29433b7dd8a97ff068defcba9755b6d5d00e84c524d67b06 resetchannels -@all",
		"user r on nopass resetchannels -@all",
		"user s on nopass ~* &* +@all",
		"user testuser on #2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b &* +@all",
		"user u2 on nopass resetchannels -@all +get",
		"user x off sanitize-payload resetchannels -@all",
		"user y off resetchannels -@all +config -config|set",
	}, us.List())
	require.NoError(t, us.SetUser("p", []string{"<a", "resetkeys", "~x", "allkeys"}))
	require.Equal(t, "user p on #3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d ~* resetchannels &ch* +@all -config|get -get", us.Lookup("p").Describe())
}

func TestSetUserErrors(t *testing.T) {
	us := New(known, nil)
	for _, c := range []struct {
		ops  []string
		want string
	}{
		{[]string{"+@foo"}, "Error in ACL SETUSER modifier '+@foo': Unknown command or category name in ACL"},
		{[]string{"foo"}, "Error in ACL SETUSER modifier 'foo': Syntax error"},
		{[]string{"+nosuch"}, "Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL"},
		{[]string{"+config|nosub"}, "Error in ACL SETUSER modifier '+config|nosub': Unknown command or category name in ACL"},
		{[]string{"<nope"}, "Error in ACL SETUSER modifier '<nope': The password you are trying to remove from the user does not exist"},
		{[]string{"#abc"}, "Error in ACL SETUSER modifier '#abc': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"},
		{[]string{"allkeys", "~a"}, "Error in ACL SETUSER modifier '~a': Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"},
		{[]string{"allchannels", "&a"}, "Error in ACL SETUSER modifier '&a': Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"},
		{[]string{"-get|x"}, "Error in ACL SETUSER modifier '-get|x': Unknown command or category name in ACL"},
	} {
		err := us.SetUser("bad", c.ops)
		require.EqualError(t, err, c.want, "%v", c.ops)
	}
	// A failed SETUSER changes nothing, and creates nothing.
	require.Nil(t, us.Lookup("bad"))
	require.NoError(t, us.SetUser("u", []string{"on", ">p"}))
	require.Error(t, us.SetUser("u", []string{"off", "+nosuch"}))
	require.True(t, us.Lookup("u").On)
}

func TestAuthenticateAndDefaultPassword(t *testing.T) {
	us := New(known, nil)
	require.Equal(t, us.Default(), us.Authenticate("default", "anything"))
	us.SetDefaultPassword("foo")
	require.Equal(t, "user default on #2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae ~* &* +@all", us.Default().Describe())
	require.Nil(t, us.Authenticate("default", "bar"))
	require.NotNil(t, us.Authenticate("default", "foo"))
	us.SetDefaultPassword("")
	require.Equal(t, "user default on nopass ~* &* +@all", us.Default().Describe())

	require.NoError(t, us.SetUser("t", []string{">secret"}))
	require.Nil(t, us.Authenticate("t", "secret"), "an off user cannot authenticate")
	require.NoError(t, us.SetUser("t", []string{"on"}))
	require.NotNil(t, us.Authenticate("t", "secret"))
	require.Nil(t, us.Authenticate("nobody", "secret"))

	_, err := us.DelUser([]string{"t", "default"})
	require.EqualError(t, err, "The 'default' user cannot be removed")
	require.NotNil(t, us.Lookup("t"))
	gone, err := us.DelUser([]string{"t", "nosuch", "t"})
	require.NoError(t, err)
	require.Len(t, gone, 1)
	require.Equal(t, []string{"default"}, us.Names())
}

func TestPermissions(t *testing.T) {
	us := New(known, nil)
	require.NoError(t, us.SetUser("p", []string{"on", "~k*", "&ch*", "+@all", "-get", "-config|get"}))
	u := us.Lookup("p")
	require.False(t, u.CanRun("get", ""))
	require.True(t, u.CanRun("set", ""))
	require.False(t, u.CanRun("config", "get"))
	require.True(t, u.CanRun("config", "set"))
	require.True(t, u.CanKey("k1"))
	require.False(t, u.CanKey("j"))
	require.True(t, u.CanChannel("chx", false))
	require.False(t, u.CanChannel("other", false))
	require.False(t, u.CanChannel("ch?", true))
	require.True(t, u.CanChannel("ch*", true))

	require.NoError(t, us.SetUser("n", []string{"-@all", "+config|get"}))
	n := us.Lookup("n")
	require.True(t, n.CanRun("config", "get"))
	require.False(t, n.CanRun("config", "set"))
	require.False(t, n.CanKey("any"))
	require.False(t, n.CanChannel("any", false))
}

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		p, s string
		ok   bool
	}{
		{"*", "", true}, {"a*", "abc", true}, {"a*c", "abc", true}, {"a*c", "abd", false},
		{"h?llo", "hello", true}, {"h?llo", "hllo", false}, {"h[ae]llo", "hallo", true},
		{"h[^e]llo", "hello", false}, {"h[a-b]llo", "hbllo", true}, {`h\*`, "h*", true},
		{`h\*`, "hx", false}, {"__sentinel__:*", "__sentinel__:hello", true},
	} {
		require.Equal(t, c.ok, Match(c.p, c.s), "%q %q", c.p, c.s)
	}
}

// cats is a small category table for known: ping and client|kill are in
// "connection", client|kill and config|set in "dangerous".
var cats = &Categories{
	Names: []string{"connection", "dangerous", "read"},
	In: func(cmd, sub, cat string) bool {
		switch cmd + "|" + sub + "|" + cat {
		case "ping||connection", "client|kill|connection", "client|kill|dangerous", "config|set|dangerous", "get||read":
			return true
		}
		return false
	},
}

// Rule checks and descriptions checked against redis-server and
// redis-sentinel 7.0.15 (ports 30010/30011, 2026-11-23): the errors are
// theirs; the descriptions are theirs where the package comment does not
// say otherwise.
func TestRulesMatchRedis(t *testing.T) {
	for _, c := range []struct{ rules, want string }{
		{"clearselectors", "-@all"},
		{"+acl|whoami|x", "Error in ACL SETUSER modifier '+acl|whoami|x': Unknown command or category name in ACL"}, // acl has no subcommands in known
		{"+config|get|x", "Error in ACL SETUSER modifier '+config|get|x': Allowing first-arg of a subcommand is not supported"},
		{"+ping|x", "-@all +ping|x"},
		{"+ping|x +ping|y", "-@all +ping|x +ping|y"},
		{"+ping|x -ping", "-@all"},
		{"-ping|x", "Error in ACL SETUSER modifier '-ping|x': Unknown command or category name in ACL"},
		{"+config|", "Error in ACL SETUSER modifier '+config|': Syntax error"},
		{"+ping|", "Error in ACL SETUSER modifier '+ping|': Syntax error"},
		{"+nosuch|x", "Error in ACL SETUSER modifier '+nosuch|x': Unknown command or category name in ACL"},
		{"%R~k", "-@all"},
		{"%X~k", "Error in ACL SETUSER modifier '%X~k': Syntax error"},
		{"+@foo", "Error in ACL SETUSER modifier '+@foo': Unknown command or category name in ACL"},
		{"-@all +client|kill +@dangerous", "-@all +@dangerous"},
		{"+@all -config|set", "+@all -config|set"},
		{"(+ping)", "Error in ACL SETUSER modifier '(+ping)': not modelled by the simulation (selectors)"},
	} {
		us := New(known, cats)
		err := us.SetUser("u", strings.Fields(c.rules))
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = us.Lookup("u").CommandsText()
		}
		require.Equal(t, c.want, got, c.rules)
	}
	us := New(known, nil)
	require.EqualError(t, us.SetUser("u", []string{"+@read"}), "Error in ACL SETUSER modifier '+@read': not modelled by the simulation (command categories other than @all)")
	require.EqualError(t, us.SetUser("u", []string{"+@foo"}), "Error in ACL SETUSER modifier '+@foo': Unknown command or category name in ACL")
}

func TestCategoriesAndFirstArgs(t *testing.T) {
	us := New(known, cats)
	require.NoError(t, us.SetUser("u", []string{"-@all", "+@dangerous", "-client|kill", "+ping|x"}))
	u := us.Lookup("u")
	require.True(t, u.CanRun("config", "set"))
	require.False(t, u.CanRun("config", "get"))
	require.False(t, u.CanRun("client", "kill"))
	require.False(t, u.CanRun("ping", ""))
	require.True(t, u.CanRunArgs("ping", "", []string{"PING", "X"}))
	require.False(t, u.CanRunArgs("ping", "", []string{"PING", "y"}))
	require.Equal(t, "-@all +@dangerous -client|kill +ping|x", u.CommandsText())
	// A later category rule overrides the command rules before it.
	require.NoError(t, us.SetUser("u", []string{"+@connection"}))
	require.True(t, u.CanRun("client", "kill"))
	require.True(t, u.CanRunArgs("ping", "", []string{"PING"}))
	require.Equal(t, "-@all +@dangerous +@connection", u.CommandsText())
	// Keys: %R~ alone does not grant read and write.
	require.NoError(t, us.SetUser("k", []string{"%R~a*", "%RW~b*", "~c"}))
	k := us.Lookup("k")
	require.False(t, k.CanKey("a1"))
	require.True(t, k.CanKey("b1"))
	require.True(t, k.CanKey("c"))
	require.Equal(t, "%R~a* %RW~b* ~c", k.KeysText())
	require.Equal(t, []string{"off"}, k.Flags())
}

func TestSyntaxError(t *testing.T) {
	for op, want := range map[string]string{
		"on": "", "ALLKEYS": "", "clearselectors": "", ">x": "", "(~a +get)": "", "+@nosuch": "",
		"": "Syntax error", "bogus": "Syntax error", "#abc": errHash, "!" + hash("x"): "",
	} {
		require.Equal(t, want, SyntaxError(op), op)
	}
}

// Unrestricted is the shortcut the node takes past every permission check:
// only a user allowed every command, key and channel with no rule since.
func TestUnrestricted(t *testing.T) {
	us := New(known, nil)
	require.True(t, us.Lookup("default").Unrestricted(), "the default user: +@all ~* &*")
	for name, ops := range map[string][]string{
		"rule":     {"on", "nopass", "~*", "&*", "+@all", "-get"},
		"keys":     {"on", "nopass", "~k*", "&*", "+@all"},
		"channels": {"on", "nopass", "~*", "resetchannels", "+@all"},
		"commands": {"on", "nopass", "~*", "&*", "-@all"},
	} {
		require.NoError(t, us.SetUser(name, ops))
		require.False(t, us.Lookup(name).Unrestricted(), name)
	}
	require.NoError(t, us.SetUser("all", []string{"on", "nopass", "~*", "&*", "+@all"}))
	require.True(t, us.Lookup("all").Unrestricted())
}
