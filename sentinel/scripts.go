package sentinel

import (
	"strconv"
	"strings"
)

// Scripts (spec §19) are never executed: a simulated sentinel has no
// processes to fork. Each run Redis would schedule is recorded in the trace
// instead, as one line holding the script's argv:
//
//	script notification-script <path> <event type> <event message>
//	script client-reconfig-script <path> <master name> <role> start <from ip> <from port> <to ip> <to port>
//
// with role "leader" (the leader, when it sees the promotion) or "observer"
// (a sentinel that switched because of a hello). The retry, timeout and
// queue rules of real script jobs are not modelled: every run is taken to
// succeed at once, so SENTINEL PENDING-SCRIPTS is always empty and INFO
// shows no running or queued scripts.

// scriptsFor records the scripts an event about r runs: the scripts of r's
// master, or of r when r is a master (sentinelEvent, spec §20.1 step 3).
// Events emitted without an instance (+tilt, -tilt) run none. +new-epoch,
// +vote-for-leader and +switch-master carry the master they are about even
// though their messages do not describe it (emitFor), so with several
// masters monitored each runs only that master's script.
func (s *Sentinel) scriptsFor(e Event, r *instance) {
	if r == nil {
		return
	}
	m := r
	if r.master != nil {
		m = r.master
	}
	if s.conf == nil {
		return
	}
	mc := s.conf.Master(m.name)
	if mc == nil {
		return
	}
	// The notification script: every WARNING event about an instance.
	if e.Level == Warning && mc.NotificationScript != "" {
		s.recordScript("notification-script", mc.NotificationScript, e.Type, e.Message)
	}
	if mc.ClientReconfigScript == "" {
		return
	}
	switch e.Type {
	case "+failover-state-reconf-slaves":
		// The leader, having seen the promotion (spec §7.3): from the old
		// master to the promoted replica.
		if p := m.promoted; p != nil {
			from, to := s.announced(m.addr), s.announced(p.addr)
			s.recordScript("client-reconfig-script", mc.ClientReconfigScript, m.name, "leader", "start",
				from.Host, strconv.Itoa(from.Port), to.Host, strconv.Itoa(to.Port))
		}
	case "+switch-master":
		// An observer adopting a newer configuration from a hello; the
		// leader's own switch (UPDATE_CONFIG) runs no script (spec §19).
		f := strings.Fields(e.Message) // <name> <old ip> <old port> <new ip> <new port>
		if m.failoverState != stateUpdateConfig && len(f) == 5 {
			s.recordScript("client-reconfig-script", mc.ClientReconfigScript, m.name, "observer", "start", f[1], f[2], f[3], f[4])
		}
	}
}

func (s *Sentinel) recordScript(kind, path string, args ...string) {
	s.env.Emit("script " + kind + " " + path + " " + strings.Join(args, " "))
}
