package sentinel

import (
	"crypto/sha1"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// infoCommand is INFO on a sentinel (spec §22.4). The sections are server,
// clients, stats, cpu and sentinel, in that order; no argument, "all",
// "everything" and "default" give all five, other names are ignored (an
// INFO of only unknown sections is empty). The sentinel section is exactly
// Redis's; the others hold the fields a simulated process can give (no
// process id, memory, network or CPU accounting: CPU times are 0).
func (s *Sentinel) infoCommand(args []string) wire.Value {
	want := map[string]bool{}
	all := len(args) == 1
	for _, a := range args[1:] {
		switch a = strings.ToLower(a); a {
		case "all", "everything", "default":
			all = true
		default:
			want[a] = true
		}
	}
	var sections []string
	for _, sec := range []struct {
		name string
		gen  func() []string
	}{
		{"server", s.infoServer}, {"clients", s.infoClients}, {"stats", s.infoStats},
		{"cpu", infoCPU}, {"sentinel", s.infoSentinel},
	} {
		if all || want[sec.name] {
			sections = append(sections, strings.Join(sec.gen(), "\r\n")+"\r\n")
		}
	}
	return wire.Bulk(strings.Join(sections, "\r\n"))
}

func (s *Sentinel) infoServer() []string {
	up := max(0, int64(s.now.Sub(s.cmd.bootTime))/1000)
	// A run id of the process (not its myid), stable for one boot.
	sum := sha1.Sum([]byte("run_id " + s.myID + " " + strconv.FormatInt(int64(s.cmd.bootTime), 10)))
	return []string{
		"# Server",
		"redis_version:7.0.15",
		"redis_git_sha1:00000000",
		"redis_git_dirty:0",
		"redis_mode:sentinel",
		"os:sentinelsim",
		"arch_bits:64",
		"run_id:" + hex.EncodeToString(sum[:]),
		"tcp_port:" + strconv.Itoa(s.opts.Addr.Port),
		"server_time_usec:" + strconv.FormatInt(int64(s.now)*1000, 10),
		"uptime_in_seconds:" + strconv.FormatInt(up, 10),
		"uptime_in_days:" + strconv.FormatInt(up/86400, 10),
		"configured_hz:10",
	}
}

func (s *Sentinel) infoClients() []string {
	return []string{
		"# Clients",
		"connected_clients:" + strconv.Itoa(len(s.clients)),
		"maxclients:" + strconv.Itoa(maxClients),
		"blocked_clients:0",
	}
}

func (s *Sentinel) infoStats() []string {
	ch, pat := s.pubsubCounts()
	return []string{
		"# Stats",
		"pubsub_channels:" + strconv.Itoa(ch),
		"pubsub_patterns:" + strconv.Itoa(pat),
	}
}

func infoCPU() []string {
	return []string{
		"# CPU",
		"used_cpu_sys:0.000000",
		"used_cpu_user:0.000000",
		"used_cpu_sys_children:0.000000",
		"used_cpu_user_children:0.000000",
	}
}

// infoSentinel is the sentinel section, exactly as 7.0.15 writes it.
func (s *Sentinel) infoSentinel() []string {
	tilt, since := "0", "-1"
	if s.tilt {
		tilt, since = "1", strconv.FormatInt(int64(s.now.Sub(s.tiltStart))/1000, 10)
	}
	out := []string{
		"# Sentinel",
		"sentinel_masters:" + strconv.Itoa(len(s.masters)),
		"sentinel_tilt:" + tilt,
		"sentinel_tilt_since_seconds:" + since,
		"sentinel_running_scripts:0",
		"sentinel_scripts_queue_length:0",
		"sentinel_simulate_failure_flags:" + strconv.Itoa(int(s.cmd.simFailure)),
	}
	for i, m := range s.masters {
		status := "ok"
		switch {
		case m.has(fODown):
			status = "odown"
		case m.has(fSDown):
			status = "sdown"
		}
		out = append(out, "master"+strconv.Itoa(i)+":name="+m.name+",status="+status+
			",address="+s.announced(m.addr).String()+
			",slaves="+strconv.Itoa(len(m.replicas))+",sentinels="+strconv.Itoa(len(m.sentinels)+1))
	}
	return out
}
