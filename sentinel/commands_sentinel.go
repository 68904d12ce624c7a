package sentinel

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sentinel/conf"
)

// This file holds the SENTINEL subcommands that act on the sentinel (spec
// §22.2): FAILOVER, RESET, CKQUORUM, FLUSHCONFIG, MONITOR, REMOVE, SET,
// INFO-CACHE, SIMULATE-FAILURE, DEBUG, CONFIG GET/SET, PENDING-SCRIPTS and
// HELP. Reply texts were checked against redis-sentinel 7.0.15.

// commandState is what the commands keep besides the records: the knobs of
// SENTINEL DEBUG and SIMULATE-FAILURE, which a restart resets as in Redis
// (they are process globals there, not configuration), and the pub/sub
// subscribers of the sentinel's own event channels.
type commandState struct {
	simFailure simFailure
	// SENTINEL DEBUG parameters that are not in Timing; 0 is the default.
	defaultDownAfter, defaultFailoverTimeout wire.Duration
	scriptMaxRuntime, scriptRetryDelay       wire.Duration
	// subscribers are the clients with a subscription, sorted.
	subscribers []clientKey
	// bootTime is when the process booted, for INFO's uptime: the time of
	// its first event, which is Boot's first +monitor (a sentinel booted
	// without masters counts from its first event).
	bootTime wire.Time
	started  bool
	// lastClientID is the last CLIENT ID given to a connection.
	lastClientID uint64
}

// simFailure is SENTINEL SIMULATE-FAILURE's flags (INFO shows the mask).
type simFailure uint8

const (
	simCrashAfterElection simFailure = 1 << iota
	simCrashAfterPromotion
)

func arityOK(arity, n int) bool {
	if arity < 0 {
		return n >= -arity
	}
	return n == arity
}

var errNoSuchMaster = wire.Error("ERR No such master with that name")

// replyError is a conf validation error as Redis replies it.
func replyError(err error) wire.Value { return wire.Error("ERR " + err.Error()) }

// sentinelMore runs the subcommands sentinelCommand does not; the name and
// the arity were checked by checkCommand.
func (s *Sentinel) sentinelMore(args []string) wire.Value {
	switch strings.ToLower(args[1]) {
	case "failover":
		return s.failoverCommand(args[2])
	case "reset":
		return s.resetCommand(args[2])
	case "ckquorum":
		return s.ckquorumCommand(args[2])
	case "flushconfig":
		s.dirty = true // saved at the end of the call, before the reply leaves
		return wire.OK()
	case "monitor":
		return s.monitorCommand(args[2], args[3], args[4], args[5])
	case "remove":
		return s.removeCommand(args[2])
	case "set":
		return s.setCommand(args[2], args[3:])
	case "info-cache":
		return s.infoCacheCommand(args[2:])
	case "simulate-failure":
		return s.simulateFailureCommand(args[2:])
	case "debug":
		return s.debugCommand(args[2:])
	case "config":
		return s.configCommand(args[2:])
	case "pending-scripts":
		return wire.Array() // scripts are recorded, never queued (scripts.go)
	case "help":
		return helpReply()
	}
	return wire.Error("ERR unknown subcommand '" + args[1] + "'. Try SENTINEL HELP.")
}

// failoverCommand is SENTINEL FAILOVER (spec §22.2): start a failover now,
// without ODOWN and without being elected (FORCE_FAILOVER).
func (s *Sentinel) failoverCommand(name string) wire.Value {
	m := s.master(name)
	switch {
	case m == nil:
		return errNoSuchMaster
	case m.has(fFailoverInProgress):
		return wire.Error("INPROG Failover already in progress")
	case s.selectReplica(m) == nil:
		return wire.Error("NOGOODSLAVE No suitable replica to promote")
	}
	s.log(Warning, "Executing user requested FAILOVER of '"+m.name+"'")
	s.startFailover(m)
	m.flags |= fForceFailover
	return wire.OK()
}

// resetCommand is SENTINEL RESET <pattern> (spec §15.1, §22.2): reset every
// master whose name matches, forgetting its replicas and sentinels. Not
// persisted (spec §27.2 item 11).
func (s *Sentinel) resetCommand(pattern string) wire.Value {
	n := 0
	for _, m := range slices.Clone(s.masters) {
		if stringMatch(pattern, m.name, false) {
			s.reset(m, false)
			s.emit(Warning, "+reset-master", m, "")
			n++
		}
	}
	return wire.Int(int64(n))
}

// ckquorumCommand is SENTINEL CKQUORUM (spec §22.2).
func (s *Sentinel) ckquorumCommand(name string) wire.Value {
	m := s.master(name)
	if m == nil {
		return errNoSuchMaster
	}
	usable, voters := 1, len(m.sentinels)+1
	for _, r := range m.sentinels {
		if !r.has(fSDown | fODown) {
			usable++
		}
	}
	noQuorum, noAuth := usable < m.quorum, usable < voters/2+1
	head := strconv.Itoa(usable) + " usable Sentinels. "
	if !noQuorum && !noAuth {
		return wire.Status("OK " + head + "Quorum and failover authorization can be reached")
	}
	var why []string
	if noQuorum {
		why = append(why, "Not enough available Sentinels to reach the specified quorum for this master")
	}
	if noAuth {
		why = append(why, "Not enough available Sentinels to reach the majority and authorize a failover")
	}
	return wire.Error("NOQUORUM " + head + strings.Join(why, ". "))
}

// cloneConf copies a configuration deeply enough to change it: the
// sentinel's conf may be shared with the Options it was built from, which
// a restart without persisted state boots from again.
func cloneConf(c *conf.Config) *conf.Config {
	n := *c
	n.Masters = make([]conf.Master, len(c.Masters))
	for i, m := range c.Masters {
		m.RenameCommands = maps.Clone(m.RenameCommands)
		m.KnownReplicas = slices.Clone(m.KnownReplicas)
		m.KnownSentinels = slices.Clone(m.KnownSentinels)
		n.Masters[i] = m
	}
	n.Settings = maps.Clone(c.Settings)
	return &n
}

// monitorCommand is SENTINEL MONITOR (spec §22.2), validated by conf.Monitor.
func (s *Sentinel) monitorCommand(name, host, port, quorum string) wire.Value {
	c := cloneConf(s.conf)
	mc, err := c.Monitor(name, host, port, quorum)
	if err != nil {
		return replyError(err)
	}
	if !s.resolvable(host) {
		// anetResolve fails (spec §25.4). Redis checks this before the
		// duplicate name, which conf.Monitor has already checked.
		return wire.Error("ERR Invalid IP address or hostname specified")
	}
	// Created with the current defaults, which SENTINEL DEBUG may have
	// changed (spec §2.1).
	mc.DownAfter, mc.FailoverTimeout = s.defaultDownAfter(), s.defaultFailoverTimeout()
	s.conf = c
	m := s.newMaster(*mc)
	s.setMasters(append(s.masters, m))
	s.dirty = true
	s.emit(Warning, "+monitor", m, "quorum "+strconv.Itoa(m.quorum))
	return wire.OK()
}

// removeCommand is SENTINEL REMOVE (spec §22.2): the master record, its
// replicas and sentinels are released with their connections.
func (s *Sentinel) removeCommand(name string) wire.Value {
	m := s.master(name)
	if m == nil {
		return errNoSuchMaster
	}
	s.emit(Warning, "-monitor", m, "")
	for _, r := range m.replicas {
		s.dropLink(r)
	}
	for _, r := range m.sentinels {
		s.dropLink(r)
	}
	s.dropLink(m)
	s.setMasters(slices.DeleteFunc(slices.Clone(s.masters), func(x *instance) bool { return x == m }))
	c := cloneConf(s.conf)
	c.Remove(name)
	s.conf = c
	s.dirty = true
	return wire.OK()
}

// setCommand is SENTINEL SET (spec §22.2). Each option goes through
// conf.Set on its own, so that the options before a bad one stay applied
// (and are persisted) as in Redis, each with its +set event.
func (s *Sentinel) setCommand(name string, args []string) wire.Value {
	m := s.master(name)
	if m == nil {
		return errNoSuchMaster
	}
	c := cloneConf(s.conf)
	if c.Master(name) == nil { // not expected: records and conf agree
		c.Masters = append(c.Masters, conf.NewMaster(m.name, m.addr, m.quorum))
	}
	applied := 0
	reply := wire.OK()
	for j := 0; j < len(args); {
		option := args[j]
		end := j + 2
		if strings.EqualFold(option, "rename-command") {
			end++
		}
		end = min(end, len(args)) // too few values: conf.Set says so
		if _, err := c.Set(nil, name, args[j:end]...); err != nil {
			reply = replyError(err)
			break
		}
		s.applySet(m, c.Master(name), strings.ToLower(option))
		values := args[j+1 : end]
		if strings.EqualFold(option, "auth-pass") {
			values = []string{"******"}
		}
		s.emit(Warning, "+set", m, option+" "+strings.Join(values, " "))
		applied++
		j = end
	}
	if applied > 0 {
		s.conf = c
		s.dirty = true
	}
	return reply
}

// applySet copies one option SENTINEL SET changed from the configuration
// to the records.
func (s *Sentinel) applySet(m *instance, mc *conf.Master, option string) {
	switch option {
	case "down-after-milliseconds":
		// Propagated to the master's replicas and sentinels.
		m.downAfter = mc.DownAfter
		for _, r := range m.replicas {
			r.downAfter = mc.DownAfter
		}
		for _, r := range m.sentinels {
			r.downAfter = mc.DownAfter
		}
	case "failover-timeout":
		m.failoverTimeout = mc.FailoverTimeout
	case "parallel-syncs":
		m.parallelSyncs = mc.ParallelSyncs
	case "quorum":
		m.quorum = mc.Quorum
	case "master-reboot-down-after-period":
		m.rebootDownAfter = mc.MasterRebootDownAfterPeriod
	case "auth-pass", "auth-user":
		m.authPass, m.authUser = mc.AuthPass, mc.AuthUser
		// dropInstanceConnections: the master's and its replicas'
		// connections, so they authenticate again.
		for _, r := range append([]*instance{m}, m.replicas...) {
			s.closeConn(r.link.cc, true)
			s.closeConn(r.link.pc, true)
		}
	case "rename-command":
		m.renamed = map[string]string{}
		for k, v := range mc.RenameCommands {
			m.renamed[upper(k)] = v
		}
	}
}

// infoCacheCommand is SENTINEL INFO-CACHE (spec §22.2): per master, the last
// INFO of the master and of each replica with its age. Unknown names are
// skipped and duplicates listed once; masters come in configuration order.
func (s *Sentinel) infoCacheCommand(names []string) wire.Value {
	var out []wire.Value
	for _, m := range s.masters {
		if !slices.Contains(names, m.name) {
			continue
		}
		entry := func(age wire.Duration, info string) wire.Value {
			text := wire.Nil()
			if info != "" {
				text = wire.Bulk(info)
			}
			return wire.Array(wire.Int(int64(age)), text)
		}
		var age wire.Duration
		if m.infoRefresh != 0 {
			age = s.now.Sub(m.infoRefresh)
		}
		entries := []wire.Value{entry(age, m.info)}
		for _, r := range m.replicas {
			// 7.0 tests the master's info_refresh, not the replica's
			// (spec §22.2): a replica never heard from is "now" old.
			age = 0
			if m.infoRefresh != 0 {
				age = s.now.Sub(r.infoRefresh)
			}
			entries = append(entries, entry(age, r.info))
		}
		out = append(out, wire.Bulk(m.name), wire.Array(entries...))
	}
	return wire.Array(out...)
}

// simulateFailureCommand is SENTINEL SIMULATE-FAILURE (spec §22.2): the
// flags are cleared, then set one by one; help replies with the names
// (keeping what was set before it), an unknown name is an error (idem).
func (s *Sentinel) simulateFailureCommand(args []string) wire.Value {
	s.cmd.simFailure = 0
	for _, a := range args {
		switch strings.ToLower(a) {
		case "crash-after-election":
			s.cmd.simFailure |= simCrashAfterElection
			s.log(Warning, "Failure simulation: this Sentinel will crash after being successfully elected as failover leader")
		case "crash-after-promotion":
			s.cmd.simFailure |= simCrashAfterPromotion
			s.log(Warning, "Failure simulation: this Sentinel will crash after promoting the selected replica to master")
		case "help":
			return wire.BulkArray("crash-after-election", "crash-after-promotion")
		default:
			return wire.Error("ERR Unknown failure simulation specified")
		}
	}
	return wire.OK()
}

// simulatedCrash is the exit(99) of SIMULATE-FAILURE, right after the
// event typ was emitted (spec §12 T1, §7.3): it reports whether the process
// died. What was to be persisted in this call still is (Redis flushed its
// config before the event), nothing else leaves.
func (s *Sentinel) simulatedCrash(typ string) bool {
	f := s.cmd.simFailure
	if !(typ == "+elected-leader" && f&simCrashAfterElection != 0) &&
		!(typ == "+promoted-slave" && f&simCrashAfterPromotion != 0) {
		return false
	}
	s.log(Warning, "Sentinel CRASH because of SENTINEL simulate-failure")
	s.exit()
	return true
}

// exit makes the process dead, as exit() would: the kernel closes its
// connections (clients see them closed, the instances see hangups), and
// from now on it neither answers nor acts (Fire and Receive check s.dead)
// until the simulator restarts it from what it persisted. Whatever the rest
// of the current call sends or logs is dropped; its Persist still goes
// through.
func (s *Sentinel) exit() {
	keys := slices.SortedFunc(maps.Keys(s.clients), compareClientKeys)
	for _, k := range keys {
		s.env.Send(k.node, &wire.Closed{Conn: k.id, Reason: "exit"})
	}
	for _, id := range slices.Sorted(maps.Keys(s.conns)) {
		c := s.conns[id]
		s.env.Send(c.node, &wire.Hangup{Conn: c.id})
	}
	s.dead = true
	s.env = exitedEnv{s.env}
}

// Exited reports whether the process has exited (a simulated crash or a
// fatal configuration error): it no longer does anything, and a simulator
// may treat it as crashed.
func (s *Sentinel) Exited() bool { return s.dead }

// exitedEnv is the Env of a process that exited in the middle of a call.
type exitedEnv struct{ wire.Env }

func (exitedEnv) Send(wire.NodeID, wire.Payload) {}
func (exitedEnv) After(wire.Duration, uint64)    {}
func (exitedEnv) Emit(string)                    {}

// debugParam is one SENTINEL DEBUG parameter: where it is kept, and what a
// 0 there means.
type debugParam struct {
	name  string
	field func(s *Sentinel) *wire.Duration
	def   wire.Duration
}

// debugParams are SENTINEL DEBUG's parameters in the order it lists them
// (spec §2.1).
var debugParams = []debugParam{
	{"info-period", func(s *Sentinel) *wire.Duration { return &s.timing.InfoPeriod }, 0},
	{"ping-period", func(s *Sentinel) *wire.Duration { return &s.timing.PingPeriod }, 0},
	{"ask-period", func(s *Sentinel) *wire.Duration { return &s.timing.AskPeriod }, 0},
	{"publish-period", func(s *Sentinel) *wire.Duration { return &s.timing.PublishPeriod }, 0},
	{"default-down-after", func(s *Sentinel) *wire.Duration { return &s.cmd.defaultDownAfter }, conf.DefaultDownAfter},
	{"default-failover-timeout", func(s *Sentinel) *wire.Duration { return &s.cmd.defaultFailoverTimeout }, conf.DefaultFailoverTimeout},
	{"tilt-trigger", func(s *Sentinel) *wire.Duration { return &s.timing.TiltTrigger }, 0},
	{"tilt-period", func(s *Sentinel) *wire.Duration { return &s.timing.TiltPeriod }, 0},
	{"slave-reconf-timeout", func(s *Sentinel) *wire.Duration { return &s.timing.SlaveReconfTimeout }, 0},
	{"min-link-reconnect-period", func(s *Sentinel) *wire.Duration { return &s.timing.MinLinkReconnectPeriod }, 0},
	{"election-timeout", func(s *Sentinel) *wire.Duration { return &s.timing.ElectionTimeout }, 0},
	{"script-max-runtime", func(s *Sentinel) *wire.Duration { return &s.cmd.scriptMaxRuntime }, 60000},
	{"script-retry-delay", func(s *Sentinel) *wire.Duration { return &s.cmd.scriptRetryDelay }, 30000},
}

func (s *Sentinel) debugValue(i int) wire.Duration {
	if v := *debugParams[i].field(s); v != 0 {
		return v
	}
	return debugParams[i].def
}

func (s *Sentinel) defaultDownAfter() wire.Duration       { return s.debugValue(4) }
func (s *Sentinel) defaultFailoverTimeout() wire.Duration { return s.debugValue(5) }

// debugCommand is SENTINEL DEBUG [<param> <ms> ...] (spec §2.1): without
// arguments the parameters; otherwise set them one by one (values > 0),
// stopping at the first bad one with the earlier ones applied.
func (s *Sentinel) debugCommand(args []string) wire.Value {
	if len(args) == 0 {
		var kv []string
		for i, p := range debugParams {
			kv = append(kv, strings.ToUpper(p.name), strconv.FormatInt(int64(s.debugValue(i)), 10))
		}
		return wire.BulkArray(kv...)
	}
	for j := 0; j < len(args); j += 2 {
		i := slices.IndexFunc(debugParams, func(p debugParam) bool { return strings.EqualFold(p.name, args[j]) })
		if i < 0 || j+1 >= len(args) {
			return wire.Error("ERR Unknown option or number of arguments for SENTINEL DEBUG '" + args[j] + "'")
		}
		v, ok := string2ll(args[j+1])
		if !ok || v <= 0 {
			return wire.Error("ERR Invalid argument '" + args[j+1] + "' for SENTINEL DEBUG '" + args[j] + "'")
		}
		*debugParams[i].field(s) = wire.Duration(v)
	}
	return wire.OK()
}

// configParams are the parameters of SENTINEL CONFIG GET in its order.
var configParams = []string{"resolve-hostnames", "announce-hostnames", "announce-ip", "announce-port", "sentinel-user", "sentinel-pass"}

// configCommand is SENTINEL CONFIG GET <pattern> / SET <param> <value>
// (7.0: one pattern or one pair, spec §22.2).
func (s *Sentinel) configCommand(args []string) wire.Value {
	switch {
	case strings.EqualFold(args[0], "set") && len(args) == 3:
		return s.configSet(args[1], args[2])
	case strings.EqualFold(args[0], "get") && len(args) == 2:
		var kv []string
		for _, p := range configParams {
			if stringMatch(args[1], p, true) {
				kv = append(kv, p, s.configValue(p))
			}
		}
		return wire.BulkArray(kv...)
	}
	return wire.Error("ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.")
}

func (s *Sentinel) configValue(p string) string {
	c := s.conf
	switch p {
	case "resolve-hostnames":
		return yesNo(c.ResolveHostnames)
	case "announce-hostnames":
		return yesNo(c.AnnounceHostnames)
	case "announce-ip":
		return c.AnnounceIP
	case "announce-port":
		return strconv.Itoa(c.AnnouncePort)
	case "sentinel-user":
		return c.SentinelUser
	}
	return c.SentinelPass
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// configSet is SENTINEL CONFIG SET: persisted; a new sentinel-user or
// sentinel-pass drops the connections to other sentinels so they
// authenticate again. An empty announce-ip unsets it (Redis 7.0 would then
// announce an empty address).
func (s *Sentinel) configSet(param, value string) wire.Value {
	c := cloneConf(s.conf)
	bad := wire.Error("ERR Invalid value '" + value + "' to SENTINEL CONFIG SET '" + param + "'")
	dropConns := false
	switch strings.ToLower(param) {
	case "resolve-hostnames", "announce-hostnames":
		var b bool
		switch strings.ToLower(value) {
		case "yes":
			b = true
		case "no":
		default:
			return bad
		}
		if strings.EqualFold(param, "resolve-hostnames") {
			c.ResolveHostnames = b
		} else {
			c.AnnounceHostnames = b
		}
	case "announce-ip":
		c.AnnounceIP = value
	case "announce-port":
		v, ok := string2ll(value)
		if !ok || v < 0 || v > 65535 {
			return bad
		}
		c.AnnouncePort = int(v)
	case "sentinel-user":
		c.SentinelUser, dropConns = value, true
	case "sentinel-pass":
		c.SentinelPass, dropConns = value, true
	default:
		return wire.Error("ERR Invalid argument '" + param + "' to SENTINEL CONFIG SET")
	}
	s.conf = c
	s.dirty = true
	if dropConns {
		for _, m := range s.masters {
			for _, r := range m.sentinels {
				if !r.link.disconnected {
					s.closeConn(r.link.pc, true)
					s.closeConn(r.link.cc, true)
				}
			}
		}
	}
	return wire.OK()
}

// string2ll is Redis's strict integer parser (util.c): an optional '-',
// no '+', no spaces, no leading zeros, 64 bits.
func string2ll(s string) (int64, bool) {
	if s == "0" {
		return 0, true
	}
	p := strings.TrimPrefix(s, "-")
	if p == "" || len(s) > 20 || p[0] < '1' || p[0] > '9' {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}

// helpText is SENTINEL HELP's reply, line by line.
var helpText = []string{
	"SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CKQUORUM <master-name>",
	"    Check if the current Sentinel configuration is able to reach the quorum",
	"    needed to failover a master and the majority needed to authorize the",
	"    failover.",
	"CONFIG SET <param> <value>",
	"    Set a global Sentinel configuration parameter.",
	"CONFIG GET <param>",
	"    Get global Sentinel configuration parameter.",
	"DEBUG [<param> <value> ...]",
	"    Show a list of configurable time parameters and their values (milliseconds).",
	"    Or update current configurable parameters values (one or more).",
	"GET-MASTER-ADDR-BY-NAME <master-name>",
	"    Return the ip and port number of the master with that name.",
	"FAILOVER <master-name>",
	"    Manually failover a master node without asking for agreement from other",
	"    Sentinels",
	"FLUSHCONFIG",
	"    Force Sentinel to rewrite its configuration on disk, including the current",
	"    Sentinel state.",
	"INFO-CACHE <master-name>",
	"    Return last cached INFO output from masters and all its replicas.",
	"IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>",
	"    Check if the master specified by ip:port is down from current Sentinel's",
	"    point of view.",
	"MASTER <master-name>",
	"    Show the state and info of the specified master.",
	"MASTERS",
	"    Show a list of monitored masters and their state.",
	"MONITOR <name> <ip> <port> <quorum>",
	"    Start monitoring a new master with the specified name, ip, port and quorum.",
	"MYID",
	"    Return the ID of the Sentinel instance.",
	"PENDING-SCRIPTS",
	"    Get pending scripts information.",
	"REMOVE <master-name>",
	"    Remove master from Sentinel's monitor list.",
	"REPLICAS <master-name>",
	"    Show a list of replicas for this master and their state.",
	"RESET <pattern>",
	"    Reset masters for specific master name matching this pattern.",
	"SENTINELS <master-name>",
	"    Show a list of Sentinel instances for this master and their state.",
	"SET <master-name> <option> <value> [<option> <value> ...]",
	"    Set configuration parameters for certain masters.",
	"SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]",
	"    Simulate a Sentinel crash.",
	"HELP",
	"    Prints this help.",
}

func helpReply() wire.Value {
	out := make([]wire.Value, len(helpText))
	for i, l := range helpText {
		out[i] = wire.Status(l)
	}
	return wire.Array(out...)
}
