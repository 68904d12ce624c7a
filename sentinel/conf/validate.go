package conf

import (
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// This file holds the validation that SENTINEL MONITOR and SENTINEL SET share
// with the config file, with the error texts Redis 7.0.15 replies (without
// the "ERR " prefix), so the engine's command handlers and the file agree.

// ReplyError is an error a sentinel replies to a command, with Redis's text
// (a RESP error reply without its "ERR " prefix).
type ReplyError string

func (e ReplyError) Error() string { return string(e) }

// ErrNoSuchMaster is SENTINEL SET's (and most subcommands') reply for an
// unknown master name.
var ErrNoSuchMaster error = ReplyError("No such master with that name")

// Monitor is SENTINEL MONITOR <name> <host> <port> <quorum>: it validates
// the arguments as Redis does, in Redis's order, and appends the master with
// the default settings. Host names are accepted only with resolve-hostnames,
// and then without resolving them (Redis would refuse a name it cannot
// resolve).
func (c *Config) Monitor(name, host, port, quorum string) (*Master, error) {
	q, ok := string2ll(quorum)
	if !ok {
		return nil, ReplyError("Invalid quorum")
	}
	p, ok := string2ll(port)
	if !ok {
		return nil, ReplyError("Invalid port")
	}
	if q <= 0 {
		return nil, ReplyError("Quorum must be 1 or greater.")
	}
	ip, isIP := NormalizeIP(host)
	if !isIP && !c.ResolveHostnames {
		return nil, ReplyError("Invalid IP address or hostname specified")
	}
	if !isIP {
		ip = host
	}
	if p < 0 || p > 65535 {
		return nil, ReplyError("Invalid port number.")
	}
	if c.Master(name) != nil {
		return nil, ReplyError("Duplicate master name.")
	}
	c.Masters = append(c.Masters, NewMaster(name, wire.Addr{Host: ip, Port: int(p)}, int(uint32(q))))
	return &c.Masters[len(c.Masters)-1], nil
}

// Remove is SENTINEL REMOVE: it deletes the master and reports whether it
// existed.
func (c *Config) Remove(name string) bool {
	for i := range c.Masters {
		if c.Masters[i].Name == name {
			c.Masters = append(c.Masters[:i], c.Masters[i+1:]...)
			return true
		}
	}
	return false
}

// Set is SENTINEL SET <master> <option> <value> [<option> <value> ...]. The
// options are applied one by one as Redis does: on an error the earlier
// ones stay applied. It returns how many were applied (Redis persists the
// config when that is not 0) and the first error. executable checks script
// paths as in Options (nil accepts every path).
//
// Options: down-after-milliseconds, failover-timeout, parallel-syncs, quorum
// (integers > 0), master-reboot-down-after-period (>= 0), auth-pass,
// auth-user ("" unsets), notification-script, client-reconfig-script
// (refused while deny-scripts-reconfig is on; "" unsets),
// rename-command <command> <renamed> (renaming to itself removes the entry).
func (c *Config) Set(executable func(string) bool, master string, args ...string) (applied int, err error) {
	m := c.Master(master)
	if m == nil {
		return 0, ErrNoSuchMaster
	}
	for j := 0; j < len(args); j++ {
		option := args[j]
		more := len(args) - j - 1
		badArg := func(v string) error {
			return ReplyError("Invalid argument '" + v + "' for SENTINEL SET '" + option + "'")
		}
		number := func(min int64) (int64, error) {
			j++
			v, ok := string2ll(args[j])
			if !ok || v < min {
				return 0, badArg(args[j])
			}
			return v, nil
		}
		switch o := strings.ToLower(option); {
		case (o == "down-after-milliseconds" || o == "failover-timeout") && more > 0:
			v, err := number(1)
			if err != nil {
				return applied, err
			}
			if o == "failover-timeout" {
				m.FailoverTimeout = wire.Duration(v)
			} else {
				m.DownAfter = wire.Duration(v)
			}
		case (o == "parallel-syncs" || o == "quorum") && more > 0:
			v, err := number(1)
			if err != nil {
				return applied, err
			}
			if o == "quorum" {
				m.Quorum = int(uint32(v))
			} else {
				m.ParallelSyncs = int(int32(v))
			}
		case o == "master-reboot-down-after-period" && more > 0:
			v, err := number(0)
			if err != nil {
				return applied, err
			}
			m.MasterRebootDownAfterPeriod = wire.Duration(v)
		case (o == "auth-pass" || o == "auth-user") && more > 0:
			j++
			if o == "auth-pass" {
				m.AuthPass = args[j]
			} else {
				m.AuthUser = args[j]
			}
		case (o == "notification-script" || o == "client-reconfig-script") && more > 0:
			j++
			if c.DenyScripts {
				return applied, ReplyError("Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your Sentinel configuration")
			}
			path := args[j]
			if path != "" && executable != nil && !executable(path) {
				if o == "notification-script" {
					return applied, ReplyError("Notification script seems non existing or non executable")
				}
				return applied, ReplyError("Client reconfiguration script seems non existing or non executable")
			}
			if o == "notification-script" {
				m.NotificationScript = path
			} else {
				m.ClientReconfigScript = path
			}
		case o == "rename-command" && more > 1:
			from, to := args[j+1], args[j+2]
			j += 2
			if from == "" || to == "" {
				return applied, badArg("")
			}
			for k := range m.RenameCommands {
				if strings.EqualFold(k, from) {
					delete(m.RenameCommands, k)
				}
			}
			if !strings.EqualFold(from, to) {
				if m.RenameCommands == nil {
					m.RenameCommands = map[string]string{}
				}
				m.RenameCommands[from] = to
			}
			if len(m.RenameCommands) == 0 {
				m.RenameCommands = nil
			}
		default:
			return applied, ReplyError("Unknown option or number of arguments for SENTINEL SET '" + option + "'")
		}
		applied++
	}
	return applied, nil
}
