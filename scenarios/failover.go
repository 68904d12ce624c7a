package scenarios

import (
	"errors"
	"strconv"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/model"
	"github.com/sentinelsim/sentinelsim/model/client"
	"github.com/sentinelsim/sentinelsim/sentinel"
	"github.com/sentinelsim/sentinelsim/sim"
)

// failover is the engine's basic case: three Redis nodes and three
// sentinels with the seed documents' usual settings (quorum 2, down-after
// 5 s), a client writing through Sentinel; the master's process is killed,
// the sentinels elect a leader and promote a replica, the client follows,
// and the old master, restarted, is turned into a replica.
var failover = Example{
	Name:     "failover",
	Summary:  "3 Redis nodes, 3 sentinels (quorum 2, down-after 5 s), a sentinel-aware client; the master is killed at 60 s and restarted at 120 s",
	Duration: 4 * wire.Minute,
	Network:  sim.LinkConfig{DelayMin: 0, DelayMean: 1, DelayMax: 10},
	build:    buildFailover,
}

func buildFailover(w *sim.World, _ wire.Duration) error {
	dir := wire.NewStaticDirectory()
	add := func(name string, addr wire.Addr, start func() sim.Process) (wire.NodeID, error) {
		id, err := w.AddNode(sim.NodeSpec{Name: name, Start: start})
		if err == nil {
			dir.Add(id, addr)
		}
		return id, err
	}
	master := wire.Addr{Host: "10.0.0.1", Port: 6379}
	var errs []error
	var nodes []wire.NodeID
	for i := 1; i <= 3; i++ {
		cfg := model.DefaultConfig(wire.Addr{Host: "10.0.0." + strconv.Itoa(i), Port: 6379})
		cfg.Directory = dir
		if i > 1 {
			cfg.ReplicaOf = master
		}
		if _, err := model.NewNode(cfg, int64(i)); err != nil {
			return err
		}
		id, err := add("redis"+strconv.Itoa(i), cfg.Addr, func() sim.Process {
			n, _ := model.NewNode(cfg, int64(i))
			return n
		})
		errs = append(errs, err)
		nodes = append(nodes, id)
	}
	mc := sentinel.MasterConfig{Name: "mymaster", Addr: master, Quorum: 2, DownAfter: 5000, FailoverTimeout: 60_000, ParallelSyncs: 1}
	var sentinels []wire.Addr
	for i := 1; i <= 3; i++ {
		opts := sentinel.Options{Addr: wire.Addr{Host: "10.0.1." + strconv.Itoa(i), Port: 26379}, Masters: []sentinel.MasterConfig{mc}, Directory: dir}
		if _, err := sentinel.New(opts); err != nil {
			return err
		}
		_, err := add("s"+strconv.Itoa(i), opts.Addr, func() sim.Process {
			s, _ := sentinel.New(opts)
			return s
		})
		errs = append(errs, err)
		sentinels = append(sentinels, opts.Addr)
	}
	cc := client.SentinelConfig{
		Options:    client.Options{Directory: dir, Workload: client.Workload{Keys: []string{"a", "b", "c"}, Reads: 1, Writes: 1, Interval: 500, MaxOps: 1000}},
		MasterName: "mymaster", Sentinels: sentinels,
	}
	if _, err := client.NewSentinelClient(cc); err != nil {
		return err
	}
	_, err := w.AddNode(sim.NodeSpec{Name: "app", Start: func() sim.Process {
		c, _ := client.NewSentinelClient(cc)
		return c
	}})
	errs = append(errs, err,
		w.Schedule(60_000, sim.Crash{Node: nodes[0]}),
		w.Schedule(120_000, sim.Restart{Node: nodes[0]}))
	return errors.Join(errs...)
}
