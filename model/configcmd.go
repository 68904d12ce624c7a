package model

import (
	"math"
	"path"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/confargs"
	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// param is one configuration parameter CONFIG GET and SET know, with the
// type and bounds Redis 7.0.15 declares for it (config.c).
type param struct {
	name     string
	kind     paramKind
	min, max int64
	get      func(*Config) string
	set      func(c *Config, s string, i int64, b bool)
}

type paramKind uint8

const (
	pString paramKind = iota
	pBool
	pInt       // string2ll, then bounds
	pMemory    // a memory value (1k, 2mb ...), then bounds
	pImmutable // CONFIG SET refuses it
)

const intMax = math.MaxInt32

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func itoa(i int) string              { return strconv.Itoa(i) }
func seconds(d wire.Duration) string { return strconv.FormatInt(int64(d/wire.Second), 10) }

// params are in the order CONFIG GET lists them.
var params = []param{
	{"masterauth", pString, 0, 0, func(c *Config) string { return c.MasterAuth },
		func(c *Config, s string, _ int64, _ bool) { c.MasterAuth = s }},
	{"masteruser", pString, 0, 0, func(c *Config) string { return c.MasterUser },
		func(c *Config, s string, _ int64, _ bool) { c.MasterUser = s }},
	{"min-replicas-max-lag", pInt, 0, intMax, func(c *Config) string { return itoa(c.MinReplicasMaxLag) },
		func(c *Config, _ string, i int64, _ bool) { c.MinReplicasMaxLag = int(i) }},
	{"min-replicas-to-write", pInt, 0, intMax, func(c *Config) string { return itoa(c.MinReplicasToWrite) },
		func(c *Config, _ string, i int64, _ bool) { c.MinReplicasToWrite = int(i) }},
	// Redis keeps at least 16 kB of backlog whatever is set
	// (resizeReplicationBacklog), and CONFIG GET shows that.
	{"repl-backlog-size", pMemory, 1, math.MaxInt64, func(c *Config) string { return strconv.FormatInt(c.BacklogSize, 10) },
		func(c *Config, _ string, i int64, _ bool) { c.BacklogSize = max(i, 16*1024) }},
	{"repl-ping-replica-period", pInt, 1, intMax, func(c *Config) string { return seconds(c.ReplPingPeriod) },
		func(c *Config, _ string, i int64, _ bool) { c.ReplPingPeriod = wire.Duration(i) * wire.Second }},
	{"repl-timeout", pInt, 1, intMax, func(c *Config) string { return seconds(c.ReplTimeout) },
		func(c *Config, _ string, i int64, _ bool) { c.ReplTimeout = wire.Duration(i) * wire.Second }},
	{"replica-announce-ip", pString, 0, 0, func(c *Config) string { return c.ReplicaAnnounceIP },
		func(c *Config, s string, _ int64, _ bool) { c.ReplicaAnnounceIP = s }},
	{"replica-announce-port", pInt, 0, 65535, func(c *Config) string { return itoa(c.ReplicaAnnouncePort) },
		func(c *Config, _ string, i int64, _ bool) { c.ReplicaAnnouncePort = int(i) }},
	{"replica-announced", pBool, 0, 0, func(c *Config) string { return yesNo(c.ReplicaAnnounced) },
		func(c *Config, _ string, _ int64, b bool) { c.ReplicaAnnounced = b }},
	{"replica-priority", pInt, 0, intMax, func(c *Config) string { return itoa(c.ReplicaPriority) },
		func(c *Config, _ string, i int64, _ bool) { c.ReplicaPriority = int(i) }},
	{"replica-read-only", pBool, 0, 0, func(c *Config) string { return yesNo(c.ReplicaReadOnly) },
		func(c *Config, _ string, _ int64, b bool) { c.ReplicaReadOnly = b }},
	{"replica-serve-stale-data", pBool, 0, 0, func(c *Config) string { return yesNo(c.ReplicaServeStaleData) },
		func(c *Config, _ string, _ int64, b bool) { c.ReplicaServeStaleData = b }},
	{"replicaof", pImmutable, 0, 0, func(c *Config) string {
		if c.ReplicaOf.IsZero() {
			return ""
		}
		return c.ReplicaOf.Host + " " + itoa(c.ReplicaOf.Port)
	}, nil},
	{"requirepass", pString, 0, 0, func(c *Config) string { return c.RequirePass },
		func(c *Config, s string, _ int64, _ bool) { c.RequirePass = s }},
	{"stop-writes-on-bgsave-error", pBool, 0, 0, func(c *Config) string { return yesNo(c.StopWritesOnBgsaveError) },
		func(c *Config, _ string, _ int64, b bool) { c.StopWritesOnBgsaveError = b }},
}

func findParam(name string) *param {
	for i := range params {
		if strings.EqualFold(params[i].name, name) {
			return &params[i]
		}
	}
	return nil
}

// config is CONFIG GET / SET / REWRITE / RESETSTAT (arity checked by the
// command table).
func (n *Node) config(env wire.Env, args []string) wire.Value {
	switch upper(args[1]) {
	case "GET":
		return n.configGet(args[2:])
	case "SET":
		return n.configSet(args[2:])
	case "REWRITE":
		if !n.cfg.HasConfigFile {
			return wire.Error(errNoConfFile)
		}
		n.saveConfig(env)
		env.Emit("* CONFIG REWRITE executed with success.")
		return wire.OK()
	}
	return wire.OK() // RESETSTAT
}

// configGet lists the parameters any pattern matches (glob, without case):
// by their own name for a pattern, as typed for an exact name, in params
// order.
func (n *Node) configGet(patterns []string) wire.Value {
	shown := map[*param]string{}
	for _, pat := range patterns {
		if !strings.ContainsAny(pat, "[*?") {
			if p := findParam(pat); p != nil && shown[p] == "" {
				shown[p] = pat
			}
			continue
		}
		for i := range params {
			p := &params[i]
			if ok, _ := path.Match(strings.ToLower(pat), p.name); ok && shown[p] == "" {
				shown[p] = p.name
			}
		}
	}
	var out []string
	for i := range params {
		if name := shown[&params[i]]; name != "" {
			out = append(out, name, params[i].get(&n.cfg))
		}
	}
	return wire.BulkArray(out...)
}

// configSet applies every name/value pair or none (configSetCommand): the
// names are checked first (unknown, immutable, duplicate), then each value
// is parsed into a copy of the configuration.
func (n *Node) configSet(pairs []string) wire.Value {
	if len(pairs)%2 != 0 {
		return wire.Error(errSyntax)
	}
	failed := func(name, why string) wire.Value {
		return wire.Error("ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + why)
	}
	var set []*param
	for i := 0; i < len(pairs); i += 2 {
		p := findParam(pairs[i])
		switch {
		case p == nil:
			return wire.Error("ERR Unknown option or number of arguments for CONFIG SET - '" + pairs[i] + "'")
		case p.kind == pImmutable:
			return failed(pairs[i], "can't set immutable config")
		}
		for _, q := range set {
			if q == p {
				return failed(pairs[i], "duplicate parameter")
			}
		}
		set = append(set, p)
	}
	next := n.cfg
	for i, p := range set {
		v := pairs[2*i+1]
		var num int64
		var flag bool
		switch p.kind {
		case pBool:
			switch strings.ToLower(v) {
			case "yes":
				flag = true
			case "no":
			default:
				return failed(p.name, "argument must be 'yes' or 'no'")
			}
		case pInt, pMemory:
			var ok bool
			if p.kind == pInt {
				if num, ok = string2ll(v); !ok {
					return failed(p.name, "argument couldn't be parsed into an integer")
				}
			} else {
				// memtoull, then the unsigned value read as a long long:
				// an overflow fails the bounds check, as in Redis.
				var u uint64
				if u, ok = confargs.Memtoull(v); !ok {
					return failed(p.name, "argument must be a memory value")
				}
				num = int64(u)
			}
			if num < p.min || num > p.max {
				return failed(p.name, "argument must be between "+strconv.FormatInt(p.min, 10)+" and "+strconv.FormatInt(p.max, 10)+" inclusive")
			}
		}
		p.set(&next, v, num, flag)
	}
	if next.RequirePass != n.cfg.RequirePass {
		n.users.SetDefaultPassword(next.RequirePass) // updateRequirePass
	}
	n.cfg = next
	n.repl.trimBacklog(n.cfg.BacklogSize)
	return wire.OK()
}
