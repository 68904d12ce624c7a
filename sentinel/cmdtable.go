package sentinel

import (
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// The command table of a sentinel (spec §22.1): the 15 commands and 57
// subcommands of redis-sentinel 7.0.15, read from commandInfoTable, the
// reply of COMMAND captured from the real binary (commandtable.go). It
// gives processCommand's arity checks, ACL categories and flags, and the
// replies of COMMAND COUNT/LIST/INFO/DOCS.

// cmdSpec is one command or subcommand.
type cmdSpec struct {
	id       int    // index in cmdByID: the ACL permission bit
	name     string // full name: "ping", "sentinel|myid"
	arity    int
	flags    []string // "admin", "no_auth", …
	cats     []string // ACL categories, without the '@'
	parent   *cmdSpec
	subs     []*cmdSpec
	info     wire.Value // its COMMAND INFO entry
	topLevel bool
	// Worked out once, for the checks every command goes through.
	noAuth          bool   // flags hold no_auth
	aclName, aclSub string // name split at '|', as ACL rules name it
}

func (c *cmdSpec) hasFlag(f string) bool {
	for _, x := range c.flags {
		if x == f {
			return true
		}
	}
	return false
}

func (c *cmdSpec) inCategory(cat string) bool {
	for _, x := range c.cats {
		if strings.EqualFold(x, cat) {
			return true
		}
	}
	return false
}

var (
	cmdTop  []*cmdSpec          // top-level commands, in COMMAND's order
	cmdByID []*cmdSpec          // every command and subcommand: top-level, then its subcommands
	cmdName map[string]*cmdSpec // by full name, lower case
)

func init() {
	cmdName = map[string]*cmdSpec{}
	var add func(v wire.Value, parent *cmdSpec) *cmdSpec
	add = func(v wire.Value, parent *cmdSpec) *cmdSpec {
		a := v.Array
		c := &cmdSpec{id: len(cmdByID), name: a[0].Str, arity: int(a[1].Int), parent: parent, info: v, topLevel: parent == nil}
		for _, f := range a[2].Array {
			c.flags = append(c.flags, f.Str)
		}
		for _, f := range a[6].Array {
			c.cats = append(c.cats, strings.TrimPrefix(f.Str, "@"))
		}
		c.noAuth = c.hasFlag("no_auth")
		c.aclName, c.aclSub, _ = strings.Cut(c.name, "|")
		cmdByID = append(cmdByID, c)
		cmdName[c.name] = c
		// Also under the upper-case name, so that the usual spelling is
		// found without lower-casing it (an allocation per command).
		if parent == nil {
			cmdName[strings.ToUpper(c.name)] = c
		}
		for _, sv := range a[9].Array {
			c.subs = append(c.subs, add(sv, c))
		}
		return c
	}
	for _, v := range commandInfoTable {
		cmdTop = append(cmdTop, add(v, nil))
	}
	cmdPublish, cmdPing = cmdName["publish"], cmdName["ping"]
}

// cmdPublish and cmdPing are the commands peers send a sentinel all the
// time (a hello for every master every 2 s, a PING every second), found
// without hashing their names.
var cmdPublish, cmdPing *cmdSpec

// lookupCommand is processCommand's lookup of argv: the command, or for a
// container (ACL, CLIENT, COMMAND, SENTINEL) called with a subcommand, the
// subcommand; nil with ok false if unknown, the container itself when it
// has no subcommand argument (its arity then fails).
func lookupCommand(args []string) (c *cmdSpec, subUnknown bool) {
	switch args[0] {
	case "PUBLISH":
		return cmdPublish, false
	case "PING":
		return cmdPing, false
	}
	c = cmdName[args[0]] // sentinels and clients send names in upper case
	if c == nil {
		c = cmdName[strings.ToLower(args[0])]
	}
	if c == nil || len(c.subs) == 0 || len(args) < 2 {
		return c, false
	}
	sub := cmdName[c.name+"|"+strings.ToLower(args[1])]
	if sub == nil {
		return c, true
	}
	return sub, false
}

// commandCommand is COMMAND (spec §22.1), answered from the captured table.
// COMMAND GETKEYS and GETKEYSANDFLAGS find no keys: no sentinel command has
// key arguments.
func (s *Sentinel) commandCommand(args []string) wire.Value {
	if len(args) == 1 {
		return wire.Array(commandInfoTable...)
	}
	switch strings.ToLower(args[1]) {
	case "count":
		return wire.Int(int64(len(cmdTop)))
	case "help":
		return statusLines(commandHelp)
	case "info":
		if len(args) == 2 {
			return wire.Array(commandInfoTable...)
		}
		out := make([]wire.Value, 0, len(args)-2)
		for _, n := range args[2:] {
			if c := cmdName[strings.ToLower(n)]; c != nil {
				out = append(out, c.info)
			} else {
				out = append(out, wire.Nil())
			}
		}
		return wire.Array(out...)
	case "docs":
		if len(args) == 2 {
			return wire.Array(commandDocsTable...)
		}
		var out []wire.Value
		for _, n := range args[2:] {
			for i := 0; i+1 < len(commandDocsTable); i += 2 {
				if strings.EqualFold(commandDocsTable[i].Str, n) {
					out = append(out, commandDocsTable[i], commandDocsTable[i+1])
				}
			}
		}
		return wire.Array(out...)
	case "list":
		return commandList(args[2:])
	case "getkeys", "getkeysandflags":
		c, unknown := lookupCommand(args[2:])
		if c == nil || unknown {
			return wire.Error("ERR Invalid command specified")
		}
		if !arityOK(c.arity, len(args)-2) {
			return wire.Error("ERR Invalid number of arguments specified for command")
		}
		return wire.Error("ERR The command has no key arguments")
	}
	return wire.Error("ERR unknown subcommand '" + trunc(args[1], 128) + "'. Try COMMAND HELP.")
}

// commandList is COMMAND LIST [FILTERBY MODULE m|ACLCAT c|PATTERN p]:
// each command followed by its subcommands. An unknown category or any
// module gives an empty list (checked against the real binary).
func commandList(opts []string) wire.Value {
	keep := func(*cmdSpec) bool { return true }
	switch {
	case len(opts) == 0:
	case len(opts) == 3 && strings.EqualFold(opts[0], "filterby"):
		arg := opts[2]
		switch strings.ToLower(opts[1]) {
		case "module":
			keep = func(*cmdSpec) bool { return false }
		case "aclcat":
			keep = func(c *cmdSpec) bool { return c.inCategory(arg) }
		case "pattern":
			keep = func(c *cmdSpec) bool { return stringMatch(arg, c.name, true) }
		default:
			return wire.Error("ERR syntax error")
		}
	default:
		return wire.Error("ERR syntax error")
	}
	var out []wire.Value
	for _, c := range cmdByID {
		if keep(c) {
			out = append(out, wire.Bulk(c.name))
		}
	}
	return wire.Array(out...)
}

// statusLines is a HELP reply: one status string per line.
func statusLines(lines []string) wire.Value {
	out := make([]wire.Value, len(lines))
	for i, l := range lines {
		out[i] = wire.Status(l)
	}
	return wire.Array(out...)
}

// Helpers for the generated table.
func ta(v ...wire.Value) wire.Value { return wire.Array(v...) }
func tb(s string) wire.Value        { return wire.Bulk(s) }
func ti(n int64) wire.Value         { return wire.Int(n) }
func ts(s string) wire.Value        { return wire.Status(s) }
