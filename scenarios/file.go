package scenarios

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"

	"go.yaml.in/yaml/v3"
)

// File is a scenario as written in YAML: a deployment, its configuration,
// the faults it suffers and what is expected of the run. The README's
// "Scenario files" section documents every field.
type File struct {
	Name     string   `yaml:"name"`
	Summary  string   `yaml:"summary"`
	Source   string   `yaml:"source"`
	Duration Duration `yaml:"duration"`
	// Profile is the sentinels' behaviour profile ("7.0", "2.8.14", ...).
	Profile string       `yaml:"profile"`
	Network *NetworkSpec `yaml:"network"`

	Redis     []RedisSpec    `yaml:"redis"`
	Sentinels []SentinelSpec `yaml:"sentinels"`
	// SentinelConfig is the sentinel.conf text of every sentinel that has
	// none of its own (SentinelConfigFile: read from that file).
	SentinelConfig     string `yaml:"sentinel-config"`
	SentinelConfigFile string `yaml:"sentinel-config-file"`
	// RedisConfig is redis.conf text every node starts from, before its own.
	RedisConfig     string       `yaml:"redis-config"`
	RedisConfigFile string       `yaml:"redis-config-file"`
	Clients         []ClientSpec `yaml:"clients"`

	Faults []FaultSpec  `yaml:"faults"`
	Random []RandomSpec `yaml:"random"`
	// Heal, when set, ends every fault at that time: links healed and reset,
	// crashed processes restarted, paused ones resumed, clock rates
	// restored. The run goes on to Duration so the system can converge.
	Heal   *Duration `yaml:"heal"`
	Expect Expect    `yaml:"expect"`

	// file is where the scenario was read from (for errors and includes).
	file string
	// lines are the lines of the top-level keys, and configLines those of
	// the config texts, by key ("sentinel-config", "redis/2/config").
	lines       map[string]int
	configLines map[string]int
	// digest fingerprints the file's text, so results of an edited
	// scenario are not mixed with the old ones.
	digest string
	text   []byte // the file as read
	// dir resolves *-file references; nil for embedded library files
	// without a directory.
	readFile func(name string) ([]byte, error)
}

// NetworkSpec is the default link behaviour.
type NetworkSpec struct {
	Delay       *DelaySpec `yaml:"delay"`
	Loss        Percent    `yaml:"loss"`
	Duplicate   Percent    `yaml:"duplicate"`
	Reorder     Percent    `yaml:"reorder"`
	MaxInFlight int        `yaml:"max-in-flight"`
}

// DelaySpec bounds a one-way delay (sim.LinkConfig).
type DelaySpec struct {
	Min  Duration `yaml:"min"`
	Mean Duration `yaml:"mean"`
	Max  Duration `yaml:"max"`
}

// RedisSpec is one data node.
type RedisSpec struct {
	Name string `yaml:"name"`
	Addr Addr   `yaml:"addr"`
	// Host names the machine the node runs on (default: its own name).
	Host string `yaml:"host"`
	// Config is redis.conf text, applied after the scenario's RedisConfig;
	// ConfigFile reads it from a file next to the scenario.
	Config     string `yaml:"config"`
	ConfigFile string `yaml:"config-file"`
	// ReplicaOf names the node (or address) to replicate from: a shorthand
	// for "replicaof host port".
	ReplicaOf string `yaml:"replicaof"`
	// Persistence is none, rdb or aof (the simulator's shorthand for save /
	// appendonly).
	Persistence string `yaml:"persistence"`
	// Loading is how long the node answers -LOADING after a restart.
	Loading Duration `yaml:"loading"`
	// Down leaves the node stopped at the start (a restart starts it).
	Down bool `yaml:"down"`
	line int
}

// SentinelSpec is one sentinel.
type SentinelSpec struct {
	Name       string `yaml:"name"`
	Addr       Addr   `yaml:"addr"`
	Host       string `yaml:"host"`
	Config     string `yaml:"config"`
	ConfigFile string `yaml:"config-file"`
	Profile    string `yaml:"profile"`
	Down       bool   `yaml:"down"`
	line       int
}

// ClientSpec is an application client.
type ClientSpec struct {
	Name string `yaml:"name"`
	Host string `yaml:"host"`
	// Kind is "sentinel" (asks the sentinels for the master, like
	// redis-py's Sentinel), "static" (one fixed address) or "haproxy" (an
	// HAProxy routing to whichever server answers role:master, with a
	// static client behind it).
	Kind string `yaml:"kind"`
	// Master is the monitored master's name (kind sentinel).
	Master string `yaml:"master"`
	// Sentinels the client knows (kind sentinel; default all).
	Sentinels Group `yaml:"sentinels"`
	// Target is the node a static client talks to.
	Target string `yaml:"target"`
	// Servers are HAProxy's backends (default all redis nodes).
	Servers  Group         `yaml:"servers"`
	Password string        `yaml:"password"`
	Timeout  Duration      `yaml:"timeout"`
	Attempts int           `yaml:"attempts"`
	Workload *WorkloadSpec `yaml:"workload"`
	line     int
}

// WorkloadSpec is what a client does (client.Workload).
type WorkloadSpec struct {
	Keys     []string `yaml:"keys"`
	Reads    int      `yaml:"reads"`
	Writes   int      `yaml:"writes"`
	Incrs    int      `yaml:"incrs"`
	Appends  int      `yaml:"appends"`
	Rate     int      `yaml:"rate"`
	Interval Duration `yaml:"interval"`
	Jitter   Duration `yaml:"jitter"`
	Start    Duration `yaml:"start"`
	MaxOps   int      `yaml:"max-ops"`
}

// FaultSpec is one entry of the timeline: when, and exactly one action.
type FaultSpec struct {
	// At is an absolute time; After is relative to the previous entry's
	// time; On waits for the first sentinel event of that type (after the
	// previous entry) and then After more.
	At    *Duration `yaml:"at"`
	After *Duration `yaml:"after"`
	On    string    `yaml:"on"`
	// For undoes the action that long after it happened.
	For *Duration `yaml:"for"`
	// Note says why, for the reader and the timeline.
	Note string `yaml:"note"`
	// Optional: if the event this entry waits for (on) never comes, the run
	// is still judged; otherwise that is a problem and the verdict unknown.
	Optional bool `yaml:"optional"`

	Crash             *Group       `yaml:"crash"`
	CrashHost         *Group       `yaml:"crash-host"`
	CrashAfterPersist *Group       `yaml:"crash-after-persist"`
	Restart           *Group       `yaml:"restart"`
	Pause             *Group       `yaml:"pause"`
	Resume            *Group       `yaml:"resume"`
	Isolate           *Group       `yaml:"isolate"`
	Rejoin            *Group       `yaml:"rejoin"`
	Partition         []Group      `yaml:"partition"`
	OneWay            *OneWaySpec  `yaml:"one-way"`
	Bridge            *BridgeSpec  `yaml:"bridge"`
	Connect           []Group      `yaml:"connect"`
	Heal              *bool        `yaml:"heal"`
	HealAll           *bool        `yaml:"heal-all"`
	Flap              *FlapSpec    `yaml:"flap"`
	Links             *LinksSpec   `yaml:"links"`
	Slow              *SlowSpec    `yaml:"slow"`
	ClockJump         *ClockSpec   `yaml:"clock-jump"`
	ClockDrift        *ClockSpec   `yaml:"clock-drift"`
	Command           *CommandSpec `yaml:"command"`
	line              int
	index             int // its position in the timeline
}

// OneWaySpec cuts one direction.
type OneWaySpec struct {
	From Group `yaml:"from"`
	To   Group `yaml:"to"`
}

// BridgeSpec cuts Left from Right except through Via.
type BridgeSpec struct {
	Left  Group    `yaml:"left"`
	Right Group    `yaml:"right"`
	Via   Selector `yaml:"via"`
}

// FlapSpec makes links go down and up: between two groups (both ways unless
// OneWay), or every link of Node.
type FlapSpec struct {
	Between []Group  `yaml:"between"`
	Node    Selector `yaml:"node"`
	OneWay  bool     `yaml:"one-way"`
	Down    Duration `yaml:"down"`
	Up      Duration `yaml:"up"`
	Jitter  Duration `yaml:"jitter"`
	For     Duration `yaml:"for"`
}

// LinksSpec changes how the links from one group to another behave (both
// default to every process).
type LinksSpec struct {
	From        Group      `yaml:"from"`
	To          Group      `yaml:"to"`
	Delay       *DelaySpec `yaml:"delay"`
	Loss        Percent    `yaml:"loss"`
	Duplicate   Percent    `yaml:"duplicate"`
	Reorder     Percent    `yaml:"reorder"`
	MaxInFlight int        `yaml:"max-in-flight"`
}

// SlowSpec slows a process down: every step it takes costs Extra more.
type SlowSpec struct {
	Node  Group    `yaml:"node"`
	Extra Duration `yaml:"extra"`
}

// ClockSpec steps (By) or drifts (PPM) the wall clocks of Node.
type ClockSpec struct {
	Node Group    `yaml:"node"`
	By   Duration `yaml:"by"`
	PPM  int64    `yaml:"ppm"`
}

// CommandSpec sends one command to a process, as an operator would with
// redis-cli (SENTINEL FAILOVER, DEBUG SLEEP, CONFIG SET); the reply is in
// the trace and the result.
type CommandSpec struct {
	// To is one process or a group: the command goes to each.
	To   Group    `yaml:"to"`
	Args []string `yaml:"args"`
	// Auth is sent first with AUTH when set.
	Auth string `yaml:"auth"`
	// Expect, when set, is the reply every target must give, as the trace
	// writes it ("+OK", "-INPROG Failover already in progress"); a
	// trailing * matches any rest ("-NOGOODSLAVE*").
	Expect string `yaml:"expect"`
}

// RandomSpec is a randomised fault phase drawn from the seed.
type RandomSpec struct {
	From Duration `yaml:"from"`
	To   Duration `yaml:"to"`
	// Count is how many faults: a number or a range ("1..5") drawn from
	// the seed.
	Count Count `yaml:"count"`
	// Kinds are sim fault kinds: partition, one-way, isolate, bridge,
	// flap-link, flap-node, degrade, crash, pause, slow, clock-jump,
	// clock-drift (default all).
	Kinds       []string `yaml:"kinds"`
	MaxDuration Duration `yaml:"max-duration"`
	// Among are the candidate processes (default every redis node and
	// sentinel).
	Among Group `yaml:"among"`
	line  int
}

// Expect is the verdict a run must reach and the bounds it must meet.
type Expect struct {
	// Verdict is "pass" (the default) or "violated" (at least one
	// expectation below must fail: a scenario that shows a problem).
	Verdict string `yaml:"verdict"`
	// Failovers bounds the promotions (+promoted-slave events).
	Failovers *Bound `yaml:"failovers"`
	// Promoted names the node the first failover must promote.
	Promoted string `yaml:"promoted"`
	// Master names the node the sentinels agree on at the end.
	Master string `yaml:"master"`
	// WritesLost bounds acknowledged writes missing at the end (APPEND
	// workloads: acknowledged tokens absent from the final master).
	WritesLost *Bound `yaml:"writes-lost"`
	// Masters bounds the live data nodes acting as masters at the end.
	Masters *Bound `yaml:"masters"`
	// ClientErrors bounds the client attempts that failed or timed out.
	ClientErrors *Bound `yaml:"client-errors"`
	// Events bounds the count of sentinel events by type ("+odown": "0").
	Events map[string]Bound `yaml:"events"`
	// Broken lists kinds of Sentinel's promises (safety) the run must be
	// found to break: a scenario that shows a bug (with verdict violated).
	Broken []string `yaml:"broken"`
	// Converged: at the end every live sentinel names the same master
	// address.
	Converged *bool `yaml:"converged"`
	// Linearizable: porcupine finds the clients' histories linearizable
	// (true) or finds a violation (false); unknown fails either way.
	Linearizable *bool `yaml:"linearizable"`
	line         int
}

// lineRecorders: the entries that keep their line for later errors.
func (s *RedisSpec) UnmarshalYAML(n *yaml.Node) error {
	type redisSpec RedisSpec
	s.line = n.Line
	return decodeStrict(n, (*redisSpec)(s))
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (s *SentinelSpec) UnmarshalYAML(n *yaml.Node) error {
	type sentinelSpec SentinelSpec
	s.line = n.Line
	return decodeStrict(n, (*sentinelSpec)(s))
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (s *ClientSpec) UnmarshalYAML(n *yaml.Node) error {
	type clientSpec ClientSpec
	s.line = n.Line
	return decodeStrict(n, (*clientSpec)(s))
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (s *FaultSpec) UnmarshalYAML(n *yaml.Node) error {
	type faultSpec FaultSpec
	s.line = n.Line
	return decodeStrict(n, (*faultSpec)(s))
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (s *RandomSpec) UnmarshalYAML(n *yaml.Node) error {
	type randomSpec RandomSpec
	s.line = n.Line
	return decodeStrict(n, (*randomSpec)(s))
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (s *Expect) UnmarshalYAML(n *yaml.Node) error {
	type expectSpec Expect
	s.line = n.Line
	return decodeStrict(n, (*expectSpec)(s))
}

// Parse reads a scenario file. file names it in errors; readFile, if not
// nil, reads the files it references (config-file), relative to it.
// Every problem is an *InputError (or several joined) with file and line.
func Parse(file string, text []byte, readFile func(name string) ([]byte, error)) (*File, error) {
	dec := yaml.NewDecoder(bytes.NewReader(text))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &InputError{File: file, Msg: "the file is empty"}
		}
		return nil, inputErrors(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &InputError{File: file, Line: extra.Line, Msg: "a second YAML document: a scenario file holds one"}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, &InputError{File: file, Line: root.Line, Msg: "a scenario is a mapping (name: ..., duration: ..., redis: ..., sentinels: ...)"}
	}
	sum := sha256.Sum256(text)
	f := &File{file: file, readFile: readFile, lines: map[string]int{}, configLines: map[string]int{}, digest: hex.EncodeToString(sum[:8]), text: slices.Clone(text)}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		f.lines[key.Value] = key.Line
		switch key.Value {
		case "sentinel-config", "redis-config":
			f.configLines[key.Value] = textLine(val)
		case "redis", "sentinels":
			for j, item := range val.Content {
				for k := 0; k+1 < len(item.Content); k += 2 {
					if item.Content[k].Value == "config" {
						f.configLines[fmt.Sprintf("%s/%d/config", key.Value, j)] = textLine(item.Content[k+1])
					}
				}
			}
		}
	}
	if err := decodeStrict(root, f); err != nil {
		return nil, inputErrors(file, err)
	}
	for i := range f.Faults {
		f.Faults[i].index = i
	}
	if err := f.validate(); err != nil {
		return nil, inputErrors(file, err)
	}
	return f, nil
}

// Name and file of the scenario.
func (f *File) String() string { return fmt.Sprintf("%s (%s)", f.Name, f.file) }

// textLine is the file line of the first line of a config text: the line
// after a block scalar's indicator ("config: |"), the value's own line
// otherwise.
func textLine(n *yaml.Node) int {
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return n.Line + 1
	}
	return n.Line
}

// Text is the scenario file as it was read (not the files it references).
func (f *File) Text() []byte { return f.text }

// Digest fingerprints the scenario file's text (not the files it
// references): sweeps record it with their results.
func (f *File) Digest() string { return f.digest }
