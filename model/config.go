package model

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sentinelsim/sentinelsim/internal/acl"
	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// Persistence says what of the dataset survives a crash.
type Persistence string

// Persistence modes.
const (
	// PersistNone keeps nothing: a restarted node comes back empty (the
	// incident where an empty restarted master wipes its replicas).
	PersistNone Persistence = "none"
	// PersistRDB saves a snapshot every SaveInterval and on SHUTDOWN.
	PersistRDB Persistence = "rdb"
	// PersistAOF saves every second (appendfsync everysec): at most about a
	// second of writes is lost in a crash.
	PersistAOF Persistence = "aof"
)

// Config is a data node's configuration: what its redis.conf says. The
// fields a CONFIG REWRITE writes back are the ones a restart reads again.
type Config struct {
	// Addr is where the node listens; other processes name it by it.
	Addr wire.Addr
	// Directory resolves the addresses given to REPLICAOF.
	Directory wire.Directory `json:"-"`
	// ReplicaOf is the master to replicate from (replicaof); zero: master.
	ReplicaOf wire.Addr
	// ReplicaPriority is replica-priority (default 100; 0: never promote).
	ReplicaPriority int
	// ReplicaAnnounced is replica-announced (default true).
	ReplicaAnnounced bool
	// ReplicaReadOnly is replica-read-only (default true).
	ReplicaReadOnly bool
	// ReplicaServeStaleData is replica-serve-stale-data (default true).
	ReplicaServeStaleData bool
	// ReplicaAnnounceIP and ReplicaAnnouncePort are replica-announce-ip/port:
	// what this node tells its master to list it as.
	ReplicaAnnounceIP   string
	ReplicaAnnouncePort int
	// MinReplicasToWrite and MinReplicasMaxLag (seconds) are
	// min-replicas-to-write / min-replicas-max-lag (defaults 0 and 10).
	MinReplicasToWrite int
	MinReplicasMaxLag  int
	// RequirePass and MasterAuth are requirepass and masterauth;
	// MasterUser is masteruser (with it a replica sends AUTH user pass).
	RequirePass string
	MasterAuth  string
	MasterUser  string `json:",omitempty"`
	// Users are the user directives of redis.conf without the word
	// "user": a name then ACL SETUSER modifiers ("testuser on >secret
	// +@all"). They apply after requirepass, as ACLLoadConfiguredUsers
	// does: the default user from reset, the others created afresh; a
	// CONFIG REWRITE writes the current users back.
	Users []string `json:",omitempty"`
	// RenameCommands maps a command name to its new name (rename-command);
	// an empty new name disables the command.
	RenameCommands map[string]string
	// Persistence is what survives a crash; SaveInterval is the RDB period
	// (default 60 s).
	Persistence  Persistence
	SaveInterval wire.Duration
	// LoadingTime is how long a node restarted with a dataset answers
	// -LOADING (default 0).
	LoadingTime wire.Duration
	// HasConfigFile: CONFIG REWRITE works (default true); without it, it
	// fails and a restart forgets every runtime change.
	HasConfigFile bool
	// BacklogSize is repl-backlog-size in bytes (default 1 MiB).
	BacklogSize int64
	// ReplTimeout and ReplPingPeriod are repl-timeout (default 60 s) and
	// repl-ping-replica-period (default 10 s).
	ReplTimeout    wire.Duration
	ReplPingPeriod wire.Duration
	// StopWritesOnBgsaveError is stop-writes-on-bgsave-error (default true):
	// with a failing background save, writes and PING get -MISCONF.
	StopWritesOnBgsaveError bool
}

// DefaultConfig returns Redis 7.0's defaults for a node listening on addr.
func DefaultConfig(addr wire.Addr) Config {
	return Config{
		Addr:                    addr,
		ReplicaPriority:         100,
		ReplicaAnnounced:        true,
		ReplicaReadOnly:         true,
		ReplicaServeStaleData:   true,
		MinReplicasMaxLag:       10,
		Persistence:             PersistNone,
		SaveInterval:            60 * wire.Second,
		HasConfigFile:           true,
		BacklogSize:             1 << 20,
		ReplTimeout:             60 * wire.Second,
		ReplPingPeriod:          10 * wire.Second,
		StopWritesOnBgsaveError: true,
	}
}

// Validate checks the configuration.
func (c Config) Validate() error {
	switch {
	case c.Addr.Host == "" || c.Addr.Port <= 0 || c.Addr.Port > 65535:
		return fmt.Errorf("model: node address %q is not host:port", c.Addr)
	case c.Directory == nil:
		return fmt.Errorf("model: node %s has no directory to resolve addresses", c.Addr)
	case c.ReplicaPriority < 0:
		return fmt.Errorf("model: replica-priority %d is negative", c.ReplicaPriority)
	case c.MinReplicasToWrite < 0 || c.MinReplicasMaxLag < 0:
		return fmt.Errorf("model: min-replicas-to-write/max-lag must not be negative")
	case c.BacklogSize < 16*1024:
		return fmt.Errorf("model: repl-backlog-size %d is below Redis's minimum 16384", c.BacklogSize)
	case c.ReplTimeout <= 0 || c.ReplPingPeriod <= 0:
		return fmt.Errorf("model: repl-timeout and repl-ping-replica-period must be positive")
	case c.Persistence != PersistNone && c.Persistence != PersistRDB && c.Persistence != PersistAOF:
		return fmt.Errorf("model: unknown persistence %q", c.Persistence)
	case c.Persistence == PersistRDB && c.SaveInterval <= 0:
		return fmt.Errorf("model: rdb persistence needs a positive save interval")
	}
	if _, err := c.loadUsers(); err != nil {
		return err
	}
	return nil
}

// loadUsers builds the ACL users the configuration starts with.
func (c Config) loadUsers() (*acl.Users, error) {
	us := acl.New(knownCommand, nil)
	us.SetDefaultPassword(c.RequirePass)
	for _, line := range c.Users {
		f := strings.Fields(line)
		if len(f) == 0 {
			return nil, fmt.Errorf("model: empty user directive")
		}
		ops := f[1:]
		if f[0] == "default" {
			ops = append([]string{"reset"}, ops...)
		} else if us.Lookup(f[0]) != nil {
			return nil, fmt.Errorf("model: user %s: Duplicate user found", f[0])
		}
		if err := us.SetUser(f[0], ops); err != nil {
			return nil, fmt.Errorf("model: user %s: %v", f[0], err)
		}
	}
	return us, nil
}

// renamed returns the configured command table: the name a client must use
// for each renamed command, and which original names are gone.
func (c Config) renameTable() (alias map[string]string, gone map[string]bool) {
	alias, gone = map[string]string{}, map[string]bool{}
	keys := make([]string, 0, len(c.RenameCommands))
	for k := range c.RenameCommands {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, from := range keys {
		to := c.RenameCommands[from]
		from = strings.ToUpper(from)
		gone[from] = true
		if to != "" {
			alias[strings.ToUpper(to)] = from
		}
	}
	return alias, gone
}
