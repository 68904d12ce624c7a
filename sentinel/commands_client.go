package sentinel

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// clientCmd is CLIENT on a sentinel: SETNAME, GETNAME, ID and KILL as
// 7.0.15 does them (texts checked against redis-sentinel 7.0.15); the
// other subcommands (LIST, INFO, PAUSE, …) are accepted and answer +OK,
// unmodelled.
func (s *Sentinel) clientCmd(k clientKey, cl *client, args []string) wire.Value {
	switch strings.ToLower(args[1]) {
	case "setname":
		if len(args) != 3 {
			return wire.Error("ERR wrong number of arguments for 'client|setname' command")
		}
		if !validClientName(args[2]) {
			return errClientName
		}
		cl.name = args[2]
		return wire.OK()
	case "getname":
		if cl.name == "" {
			return wire.Nil()
		}
		return wire.Bulk(cl.name)
	case "id":
		return wire.Int(int64(cl.id))
	case "kill":
		return s.clientKill(k, args)
	}
	return wire.OK()
}

// clientKill is CLIENT KILL <ip:port> (no client has an address here: "No
// such client") or CLIENT KILL <filter> <value> … with the filters ID,
// TYPE, USER and SKIPME (ADDR and LADDR match nothing); it replies with
// the number of connections closed. The caller's own connection is
// skipped unless SKIPME no, and then closed after the reply.
func (s *Sentinel) clientKill(self clientKey, args []string) wire.Value {
	if len(args) == 3 {
		return wire.Error("ERR No such client")
	}
	var (
		id       uint64
		typ      string
		user     string
		addr     bool
		skipMe   = true
		syntaxOK = true
	)
	for i := 2; i < len(args); i += 2 {
		if i+1 >= len(args) {
			syntaxOK = false
			break
		}
		v := args[i+1]
		switch strings.ToLower(args[i]) {
		case "id":
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil || n == 0 {
				return wire.Error("ERR client-id should be greater than 0")
			}
			id = n
		case "type":
			switch t := strings.ToLower(v); t {
			case "normal", "pubsub", "master", "replica", "slave":
				typ = t
			default:
				return wire.Error("ERR Unknown client type '" + v + "'")
			}
		case "user":
			if s.users.Lookup(v) == nil {
				return wire.Error("ERR No such user '" + v + "'")
			}
			user = v
		case "addr", "laddr":
			addr = true
		case "skipme":
			switch strings.ToLower(v) {
			case "yes":
				skipMe = true
			case "no":
				skipMe = false
			default:
				return wire.Error("ERR syntax error")
			}
		default:
			syntaxOK = false
		}
		if !syntaxOK {
			break
		}
	}
	if !syntaxOK {
		return wire.Error("ERR syntax error")
	}
	match := func(k clientKey, c *client) bool {
		switch {
		case addr, id != 0 && c.id != id, user != "" && c.user != user:
			return false
		case typ == "normal" && c.subscribed(), typ == "pubsub" && !c.subscribed(), typ == "master" || typ == "replica" || typ == "slave":
			return false
		case k == self && skipMe:
			return false
		}
		return true
	}
	return wire.Int(int64(s.killClients(match, self)))
}

// killClients closes the connections that match, in connection order,
// and returns how many; self, if it matches, is closed after its reply.
func (s *Sentinel) killClients(match func(clientKey, *client) bool, self clientKey) int {
	n := 0
	for _, k := range slices.SortedFunc(maps.Keys(s.clients), compareClientKeys) {
		c := s.clients[k]
		if !match(k, c) {
			continue
		}
		n++
		if k == self {
			c.closeAfter = true
			continue
		}
		delete(s.clients, k)
		s.env.Send(k.node, &wire.Closed{Conn: k.id, Reason: "killed"})
	}
	return n
}

// shutdownCommand is SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: the
// sentinel logs and exits (status 0) the way SIMULATE-FAILURE's crash
// exits: every connection closes, the caller gets no reply, and the
// simulator sees a dead process until it is restarted. A sentinel saves
// nothing at shutdown (no RDB in sentinel mode; its config is saved as it
// changes). Checked against redis-sentinel 7.0.15: the log lines, the
// syntax errors (NOSAVE with SAVE, ABORT with anything) and "No shutdown
// in progress." for ABORT.
func (s *Sentinel) shutdownCommand(args []string) wire.Value {
	var save, nosave, abort, other bool
	for _, a := range args[1:] {
		switch strings.ToLower(a) {
		case "nosave":
			nosave = true
		case "save":
			save = true
		case "now", "force":
			other = true
		case "abort":
			abort = true
		default:
			return wire.Error("ERR syntax error")
		}
	}
	if abort && (save || nosave || other) || save && nosave {
		return wire.Error("ERR syntax error")
	}
	if abort {
		return wire.Error("ERR No shutdown in progress.")
	}
	s.log(Warning, "User requested shutdown...")
	s.log(Warning, "Sentinel is now ready to exit, bye bye...")
	s.exit()
	return wire.OK() // never sent: the process is gone
}
