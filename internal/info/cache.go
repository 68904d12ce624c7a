package info

import (
	"slices"
	"strconv"
	"strings"
)

// A Cache formats one node's INFO replies: what Format returns, but from
// the previous reply when the Info and the sections asked for are the same
// but for the uptime (a sentinel asks every 10 s, and mostly only the
// uptime has moved): its lines are written into a copy of the old text.
// The zero Cache is ready to use.
type Cache struct {
	in    Info
	names []string
	text  string
	// uptime is where the uptime's value starts in text (-1: no Server
	// section); the value and the uptime_in_days line end at days.
	uptime, days int
}

// Format returns Format(i, names...).
func (c *Cache) Format(i Info, names ...string) string {
	if c.text != "" && slices.Equal(c.names, names) && sameButUptime(&c.in, &i) {
		if c.uptime >= 0 && i.UptimeSeconds != c.in.UptimeSeconds {
			c.text, c.days = c.withUptime(i.UptimeSeconds)
		}
		c.in.UptimeSeconds = i.UptimeSeconds
		return c.text
	}
	text, uptime := format(&i, names)
	c.in, c.names, c.text, c.uptime = i, slices.Clone(names), text, uptime
	if uptime >= 0 {
		c.days = uptime + len(strconv.FormatInt(i.UptimeSeconds, 10)) + len(daysKey) +
			len(strconv.FormatInt(i.UptimeSeconds/86400, 10))
	}
	return text
}

const daysKey = "\r\nuptime_in_days:"

// withUptime is the cached text with the uptime lines for seconds, and
// where their values end in it.
func (c *Cache) withUptime(seconds int64) (string, int) {
	var b strings.Builder // (its String makes no copy)
	b.Grow(len(c.text) + 40)
	b.WriteString(c.text[:c.uptime])
	var num [20]byte
	b.Write(strconv.AppendInt(num[:0], seconds, 10))
	b.WriteString(daysKey)
	b.Write(strconv.AppendInt(num[:0], seconds/86400, 10))
	days := b.Len()
	b.WriteString(c.text[c.days:])
	return b.String(), days
}

// sameButUptime reports whether a and b are equal but for their uptime.
// (Info holds a slice, so == cannot compare it; TestSameButUptimeSeesEveryField
// fails when a field added to Info is not compared here.)
func sameButUptime(a, b *Info) bool {
	return a.RedisVersion == b.RedisVersion && a.RunID == b.RunID && a.TCPPort == b.TCPPort &&
		a.ConnectedClients == b.ConnectedClients && a.Loading == b.Loading &&
		a.Role == b.Role && a.MasterHost == b.MasterHost && a.MasterPort == b.MasterPort &&
		a.MasterLinkUp == b.MasterLinkUp && a.MasterLastIOSecondsAgo == b.MasterLastIOSecondsAgo &&
		a.MasterSyncInProgress == b.MasterSyncInProgress && a.SlaveReadReplOffset == b.SlaveReadReplOffset &&
		a.SlaveReplOffset == b.SlaveReplOffset && a.MasterLinkDownSinceSeconds == b.MasterLinkDownSinceSeconds &&
		a.SlavePriority == b.SlavePriority && a.SlaveReadOnly == b.SlaveReadOnly &&
		a.ReplicaAnnounced == b.ReplicaAnnounced && a.ConnectedSlaves == b.ConnectedSlaves &&
		a.MinSlavesGoodSlaves == b.MinSlavesGoodSlaves && a.MinSlavesEnabled == b.MinSlavesEnabled &&
		a.MasterFailoverState == b.MasterFailoverState && a.MasterReplID == b.MasterReplID &&
		a.MasterReplID2 == b.MasterReplID2 && a.MasterReplOffset == b.MasterReplOffset &&
		a.SecondReplOffset == b.SecondReplOffset && a.ReplBacklogActive == b.ReplBacklogActive &&
		a.ReplBacklogSize == b.ReplBacklogSize && a.ReplBacklogFirstByteOffset == b.ReplBacklogFirstByteOffset &&
		a.ReplBacklogHistlen == b.ReplBacklogHistlen && slices.Equal(a.Slaves, b.Slaves)
}
