package conf

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Check reports the first reason why Redis 7.0.15 could not load back, as
// the same configuration, the file Rewrite writes for c; nil when
// Parse(c.Rewrite()) gives c back. Redis itself does not check any of this:
// a sentinel whose state trips it rewrites a file it cannot restart from,
// or restarts with different values. The reasons:
//
//   - a value written unquoted (master name, address, password, user,
//     script, run id, renamed command, sentinel-user/pass) that is empty
//     or does not read back as one argument (spaces, quotes, newlines);
//   - a number that "sentinel" lines read with atoi (32 bits) out of its
//     range, or one the loader refuses (quorum < 1, down-after or
//     failover-timeout <= 0, negative master-reboot-down-after-period,
//     port outside 0..65535);
//   - a host that is neither an IP in Redis's printed form nor allowed as
//     a host name (resolve-hostnames off);
//   - duplicates (master names, replica addresses, sentinel run ids,
//     renamed commands) and a myid that is not 40 bytes long;
//   - "sentinel known-slave" lines in the parsed file: Redis 7.0 keeps them
//     and also writes known-replica lines, which then clash;
//   - a NUL byte in the parsed file: the rewrite keeps it, the loader does
//     not read past it;
//   - a Settings value or Bind address that does not load back as itself,
//     a config-epoch above current-epoch (loading raises current-epoch).
func (c *Config) Check() error {
	word := func(what, v string) error {
		if a, ok := SplitArgs(v); !ok || len(a) != 1 || a[0] != v {
			return errors.New(what + " " + strconv.Quote(v) + " does not read back as one argument")
		}
		return nil
	}
	i32 := func(what string, v int64) error {
		if v < math.MinInt32 || v > math.MaxInt32 {
			return errors.New(what + " " + strconv.FormatInt(v, 10) + " does not fit the 32 bits atoi reads")
		}
		return nil
	}
	addr := func(what string, a wire.Addr) error {
		if err := word(what+" host", a.Host); err != nil {
			return err
		}
		if a.Port < 0 || a.Port > 65535 {
			return errors.New(what + " port " + itoa(a.Port) + " is out of range")
		}
		if ip, ok := NormalizeIP(a.Host); ok {
			if ip != a.Host {
				return errors.New(what + " host " + a.Host + " is written as " + ip)
			}
		} else if !c.ResolveHostnames {
			return errors.New(what + " host " + a.Host + " is a host name but resolve-hostnames is off")
		}
		return nil
	}
	if c.MyID != "" && len(c.MyID) != IDLength {
		return errors.New("myid " + strconv.Quote(c.MyID) + " is not 40 bytes long")
	}
	if c.MyID != "" {
		if err := word("myid", c.MyID); err != nil {
			return err
		}
	}
	for _, o := range []struct{ what, v string }{{"sentinel-user", c.SentinelUser}, {"sentinel-pass", c.SentinelPass}} {
		if o.v != "" {
			if err := word(o.what, o.v); err != nil {
				return err
			}
		}
	}
	if err := i32("announce-port", int64(c.AnnouncePort)); err != nil {
		return err
	}
	if c.Port < 0 || c.Port > 65535 {
		return errors.New("port " + itoa(c.Port) + " is out of range")
	}
	if c.CurrentEpoch < maxConfigEpoch(c) {
		return errors.New("a config-epoch is above current-epoch: loading raises current-epoch to it")
	}
	for _, b := range c.Bind {
		if err := word("bind address", b); err != nil {
			return err
		}
	}
	for k, v := range c.Settings {
		if err := checkSetting(k, v); err != nil {
			return err
		}
	}
	for _, l := range c.lines {
		if strings.IndexByte(l, 0) >= 0 {
			return errors.New("the file has a NUL byte: a rewrite keeps it, and Redis's loader drops the rest of that line and joins the next one to it")
		}
		if a, ok := SplitArgs(trimLine(l)); ok && len(a) > 1 && strings.EqualFold(a[0], "sentinel") && strings.EqualFold(a[1], "known-slave") {
			return errors.New("the file has sentinel known-slave lines, which a rewrite keeps next to the known-replica lines it writes")
		}
	}
	for i := range c.Masters {
		m := &c.Masters[i]
		if err := word("master name", m.Name); err != nil {
			return err
		}
		for _, o := range c.Masters[:i] {
			if o.Name == m.Name {
				return errors.New("duplicate master name " + m.Name)
			}
		}
		if err := addr("master "+m.Name, m.Addr); err != nil {
			return err
		}
		if m.Quorum < 1 || m.Quorum > math.MaxInt32 {
			return errors.New("master " + m.Name + " quorum " + itoa(m.Quorum) + " does not load back")
		}
		for _, d := range []struct {
			what string
			v    wire.Duration
			min  wire.Duration
		}{{"down-after-milliseconds", m.DownAfter, 1}, {"failover-timeout", m.FailoverTimeout, 1}, {"master-reboot-down-after-period", m.MasterRebootDownAfterPeriod, 0}} {
			if err := i32(m.Name+" "+d.what, int64(d.v)); err != nil {
				return err
			}
			if d.v < d.min {
				return errors.New(m.Name + " " + d.what + " " + dur(d.v) + " is refused on load")
			}
		}
		if err := i32(m.Name+" parallel-syncs", int64(m.ParallelSyncs)); err != nil {
			return err
		}
		for _, o := range []struct{ what, v string }{{"auth-pass", m.AuthPass}, {"auth-user", m.AuthUser},
			{"notification-script", m.NotificationScript}, {"client-reconfig-script", m.ClientReconfigScript}} {
			if o.v != "" {
				if err := word(m.Name+" "+o.what, o.v); err != nil {
					return err
				}
			}
		}
		for j, r := range m.KnownReplicas {
			if err := addr(m.Name+" replica", r); err != nil {
				return err
			}
			if slices.Contains(m.KnownReplicas[:j], r) {
				return errors.New(m.Name + " duplicate replica " + r.String())
			}
		}
		for j, s := range m.KnownSentinels {
			if err := addr(m.Name+" sentinel", s.Addr); err != nil {
				return err
			}
			if err := word(m.Name+" sentinel run id", s.RunID); err != nil {
				return err
			}
			if slices.ContainsFunc(m.KnownSentinels[:j], func(o KnownSentinel) bool { return o.RunID == s.RunID }) {
				return errors.New(m.Name + " duplicate sentinel run id " + s.RunID)
			}
		}
		seen := map[string]bool{}
		for k, v := range m.RenameCommands {
			if err := word(m.Name+" renamed command", k); err != nil {
				return err
			}
			if err := word(m.Name+" command renamed to", v); err != nil {
				return err
			}
			if seen[strings.ToLower(k)] {
				return errors.New(m.Name + " renames " + k + " twice")
			}
			seen[strings.ToLower(k)] = true
		}
	}
	return nil
}

func maxConfigEpoch(c *Config) uint64 {
	var e uint64
	for _, m := range c.Masters {
		e = max(e, m.ConfigEpoch)
	}
	return e
}

// checkSetting reports whether a Settings entry loads back as itself.
func checkSetting(key, value string) error {
	name, class, _ := strings.Cut(key, " ")
	sc := lookupStd(name)
	if sc == nil || sc.Name != name || (class != "" && sc.Special != spCOBL) {
		return errors.New("setting " + key + " is not a directive")
	}
	args, ok := SplitArgs(value)
	if !ok {
		return errors.New("setting " + key + " " + value + " does not read back")
	}
	if class != "" {
		args = append([]string{class}, args...)
	}
	tmp := New()
	if msg := tmp.setStd(sc, args); msg != "" {
		return errors.New("setting " + key + " " + value + " is refused on load: " + msg)
	}
	if got := tmp.Settings[key]; got != value {
		return errors.New("setting " + key + " " + value + " loads back as " + strconv.Quote(got))
	}
	return nil
}
