// Package logs reads real redis-sentinel log files into structured
// entries, the input of a replay: Parse gives, in file order, the sentinel
// lines with their decoded events (spec §20) and plain lines (§20.3), the
// lines kept aside, and the problems, each as "file:line: message". A bad
// line is a problem, never an error or a panic; the error is only for
// reading.
//
// # Line format (spec §21)
//
// A line is an optional prefix, a Redis header, a level mark and a text:
//
//	[4121] 09 Jan 10:15:42.123 # +sdown master mymaster 127.0.0.1 6379      2.6 to 3.0
//	12345:X 09 Jan 10:15:42.123 # ...                                        3.2 to 5.0
//	12345:X 09 Jan 2024 10:15:42.123 # ...                                   6.0 and later
//	3894:signal-handler (1713937702) Received SIGTERM scheduling shutdown... any version
//
// Role letters are X (sentinel), M (master), S (replica), C (child). Only
// X lines and the role-less 2.x lines become Entries: the 2.x header
// cannot tell a sentinel from a server, so callers filter on content.
// M, S, C and signal-handler lines go to Aside with their decoded header
// (a data node's start-up and shutdown lines with their Note: a replay
// reads from them whether the node restarted),
// as does text without a header (the "#!" source comment of the incident
// logs, raw banners). Level marks: '.' debug, '-' verbose, '*' notice,
// '#' warning.
//
// The header is searched for, not expected at column 0: any text before it
// is the prefix (docker compose "name  | ", the k8s CRI
// "2022-04-05T03:35:15.396Z stdout F ", journald "Apr 05 03:35:15 host
// redis-sentinel[123]: ", a log viewer's "Mon, Apr 4 2022 9:35:15 pm | ",
// the "[host-tag]" of I19). The first place that looks like a header and
// decodes wins. The host or container a prefix names ("[name]", "name |",
// journald's host) goes into the entry's Source with the file name and pid,
// so a file holding several sentinels, or one file per sentinel, can be
// grouped per process. docker compose colour codes are removed.
//
// # Time stamps
//
// Time stamps are read as UTC with millisecond precision: the log has no
// zone, so Time is the sentinel's wall clock, and Stamp keeps the text.
// Redis 2.6 to 5.0 wrote no year: those get Options.Year, 2000 by default
// (a leap year, so 29 Feb is accepted), with YearKnown false, and move to
// the next year when a process's stamps jump back by more than half a year
// (31 Dec to 1 Jan). Only order and differences mean something then.
// Impossible dates (31 Feb, 25:00) are problems, not normalised.
//
// # Events and plain lines
//
// Every channel of the §20.2 catalogue is decoded into Event fields: the
// instance description (master / slave / sentinel, name, address, master
// name and address; host names and IPv6 addresses are kept as written),
// epochs, the run id voted for, "#quorum c/q", the old and new address of
// +switch-master, and so on. The names only older versions emit (Sentinel
// v1's +redirect-to-master, 2.8's -dup-sentinel, ...) are known too, as
// Legacy. An unknown "+x"/"-x" is still an Event (Known false) and a
// problem. Plain lines (§20.3 and a few start-up/shutdown lines) become a
// Note: "Sentinel ID is" / 2.8's "Sentinel runid is", "<voter> voted for
// <runid> <epoch>", "Next failover delay: ... <ctime>", "Sentinel new
// configuration saved on disk", "Redis version=...", and so on. Other text
// is kept in Entry.Text without a Note and is not a problem.
//
// Not handled: master names containing spaces (Redis writes them unquoted,
// so the words shift and the line is a problem); multi-line messages; time
// zones. Lines longer than Options.MaxLine are problems.
package logs
