package model

import (
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/model/keyspace"
)

// ReplicaOf reports what the node is now: a master (zero address) or a
// replica of the address returned. Scenarios and checkers read it; a node
// that has not booted reports its configuration.
func (n *Node) ReplicaOf() wire.Addr { return n.cfg.ReplicaOf }

// Dataset captures the node's whole dataset as of now, its own wall clock
// (keys expired by then are gone): how a checker reads what survived at
// the end of a run. It is a read for the end of a run: reading expires
// keys, as a client read would. A node that has not booted has no data.
func (n *Node) Dataset(now wire.Time) keyspace.Snapshot {
	if n.ks == nil {
		return keyspace.Snapshot{}
	}
	return n.ks.Snapshot(now)
}

// Responsive reports whether the node, as far as its own state goes, gives
// a valid PING reply now and looks like the node it was: not blocked
// (DEBUG SLEEP), no script running, no failing disk (MISCONF), not loading
// (Sentinel accepts -LOADING, but a rebooted master that loads is what
// master-reboot-down-after-period declares down). A checker uses it as a
// conservative ground truth for "the master answers".
func (n *Node) Responsive() bool {
	return !n.dead && n.blockedUntil == 0 && !n.busy() && n.diskError() == "" && n.loadingUntil == 0
}
