package logs

import (
	"strconv"
	"strings"
	"time"
)

// NoteKind is the kind of a plain (non-event) line Sentinel writes.
type NoteKind uint8

// The plain lines of spec §20.3, and the start-up and shutdown lines of
// any Redis process that a replay wants to see (a restart).
const (
	NoteNone              NoteKind = iota
	NoteSentinelID                 // "Sentinel ID is <id>" (3.2+), "Sentinel runid is <id>" (2.8/3.0): RunID
	NoteConfigSaved                // "Sentinel new configuration saved on disk"
	NoteConfigSaveFailed           // "WARNING: Sentinel was not able to save the new configuration on disk!!!: <err>": Err
	NoteUserFailover               // "Executing user requested FAILOVER of '<name>'": Master
	NoteNextFailover               // "Next failover delay: I will not start a failover before <ctime>": At
	NoteVote                       // "<voter> voted for <runid> <epoch>": Voter, RunID, Epoch
	NoteFailureSimulation          // "Failure simulation: this Sentinel will crash after ..."
	NoteSimulatedCrash             // "Sentinel CRASH because of SENTINEL simulate-failure"
	NoteResolveFailed              // "Failed to resolve hostname '<host>'": Host
	// The kinds from here on are also set on data nodes' lines (Aside).
	NoteStarting    // "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo"
	NoteVersion     // "Redis version=<v>, bits=..., just started": Version
	NoteRunningMode // "Running mode=<mode>, port=<port>.": Mode, Port
	NoteShutdown    // "User requested shutdown...", "Sentinel is now ready to exit, bye bye..."
)

// Note is a decoded plain line. Only the fields its Kind names are set.
type Note struct {
	Kind    NoteKind
	RunID   string    // SentinelID: this sentinel's id; Vote: the run id voted for
	Voter   string    // Vote: the voting sentinel (its "ip:port" in 2.8/3.0)
	Epoch   uint64    // Vote
	Master  string    // UserFailover
	At      time.Time // NextFailover: the ctime, as UTC like Entry.Time
	Host    string    // ResolveFailed
	Version string    // Version
	Mode    string    // RunningMode: "sentinel", "standalone", "cluster"
	Port    int       // RunningMode
	Err     string    // ConfigSaveFailed
}

// parseNote recognises the plain lines above. It returns nil for any other
// text; problem is set when a recognised line has bad fields.
func parseNote(text string) (n *Note, problem string) {
	if id, ok := cutPrefixes(text, "Sentinel ID is ", "Sentinel runid is "); ok {
		return &Note{Kind: NoteSentinelID, RunID: id}, ""
	}
	switch {
	case text == "Sentinel new configuration saved on disk":
		return &Note{Kind: NoteConfigSaved}, ""
	case strings.HasPrefix(text, "WARNING: Sentinel was not able to save the new configuration on disk!!!"):
		e := strings.TrimPrefix(text, "WARNING: Sentinel was not able to save the new configuration on disk!!!")
		return &Note{Kind: NoteConfigSaveFailed, Err: strings.TrimPrefix(e, ": ")}, ""
	case strings.HasPrefix(text, "Failure simulation: "):
		return &Note{Kind: NoteFailureSimulation}, ""
	case text == "Sentinel CRASH because of SENTINEL simulate-failure":
		return &Note{Kind: NoteSimulatedCrash}, ""
	case strings.Contains(text, "Redis is starting"):
		return &Note{Kind: NoteStarting}, ""
	case text == "User requested shutdown..." || strings.HasSuffix(text, "is now ready to exit, bye bye..."):
		return &Note{Kind: NoteShutdown}, ""
	}
	if name, ok := strings.CutPrefix(text, "Executing user requested FAILOVER of '"); ok {
		name, ok = strings.CutSuffix(name, "'")
		if !ok {
			return &Note{Kind: NoteUserFailover}, "unterminated master name"
		}
		return &Note{Kind: NoteUserFailover, Master: name}, ""
	}
	if ct, ok := strings.CutPrefix(text, "Next failover delay: I will not start a failover before "); ok {
		at, err := time.Parse(time.ANSIC, ct)
		if err != nil {
			return &Note{Kind: NoteNextFailover}, "bad time " + quote(ct)
		}
		return &Note{Kind: NoteNextFailover, At: at}, ""
	}
	if h, ok := strings.CutPrefix(text, "Failed to resolve hostname '"); ok {
		return &Note{Kind: NoteResolveFailed, Host: strings.TrimSuffix(h, "'")}, ""
	}
	if v, ok := strings.CutPrefix(text, "Redis version="); ok {
		v, _, _ = strings.Cut(v, ",")
		return &Note{Kind: NoteVersion, Version: v}, ""
	}
	if m, ok := strings.CutPrefix(text, "Running mode="); ok {
		mode, port, _ := strings.Cut(strings.TrimSuffix(m, "."), ", port=")
		p, err := strconv.Atoi(port)
		if err != nil || p < 0 || p > 65535 {
			return &Note{Kind: NoteRunningMode, Mode: mode}, "bad port " + quote(port)
		}
		return &Note{Kind: NoteRunningMode, Mode: mode, Port: p}, ""
	}
	// "<voter> voted for <runid> <epoch>": exactly five words.
	if f := strings.Split(text, " "); len(f) == 5 && f[1] == "voted" && f[2] == "for" {
		n := &Note{Kind: NoteVote, Voter: f[0], RunID: f[3]}
		ep, err := strconv.ParseUint(f[4], 10, 64)
		if err != nil {
			return n, "bad epoch " + quote(f[4])
		}
		n.Epoch = ep
		return n, ""
	}
	return nil, ""
}

func cutPrefixes(s string, prefixes ...string) (string, bool) {
	for _, p := range prefixes {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return rest, true
		}
	}
	return "", false
}
