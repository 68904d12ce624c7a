package scenarios

import (
	"errors"

	"github.com/sentinelsim/sentinelsim/internal/traffic"
	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/sim"
)

// demo runs three sentinel-shaped watchers over a master and two replicas
// through one of every kind of fault, then a random fault phase drawn from
// the seed, then heals everything.
var demo = Example{
	Name:     "demo",
	Summary:  "3 watchers, 1 master, 2 replicas (stand-in traffic) through every kind of fault, a random phase, then heal",
	Duration: 11 * wire.Minute,
	Network:  sim.LinkConfig{DelayMin: 0, DelayMean: 1, DelayMax: 20, Loss: sim.Ratio{Num: 1, Den: 1000}},
	build:    buildDemo,
}

func buildDemo(w *sim.World, duration wire.Duration) error {
	topo, err := traffic.Build(w, 2, 3, 5*wire.Second)
	if err != nil {
		return err
	}
	master, r1, r2 := topo.Master, topo.Replicas[0], topo.Replicas[1]
	s1, s2, s3 := topo.Watchers[0], topo.Watchers[1], topo.Watchers[2]
	var errs []error
	at := func(sec int64, f sim.Fault) { errs = append(errs, w.Schedule(wire.Time(sec*1000), f)) }
	ids := func(ns ...wire.NodeID) []wire.NodeID { return ns }

	// The master cut off from two watchers for 35 s: both see +sdown.
	at(60, sim.Partition{Groups: [][]wire.NodeID{ids(master), ids(s1, s2)}})
	at(95, sim.Connect{A: ids(master), B: ids(s1, s2)})
	// A one-way cut: s3 cannot reach redis2, redis2 still reaches s3.
	at(100, sim.OneWay{From: ids(s3), To: ids(r1)})
	at(110, sim.Connect{A: ids(s3), B: ids(r1)})
	// A flapping link, in the manner of the Solaris report.
	at(120, sim.FlapLink{From: s3, To: r2, Both: true, Spec: sim.FlapSpec{Down: 3000, Up: 4000, Jitter: 1000, For: wire.Minute}})
	// A paused watcher: its timer fires 4 s late, which is TILT (spec §18).
	at(200, sim.Pause{Node: s2})
	at(204, sim.Resume{Node: s2})
	// A clock stepped forward on one host only: TILT there, nowhere else.
	at(260, sim.ClockJump{Node: s1, By: 5000})
	// A replica crashed and restarted; a watcher crashed and restarted from
	// what it persisted.
	at(320, sim.Crash{Node: r2})
	at(340, sim.Restart{Node: r2})
	at(400, sim.Crash{Node: s3})
	at(410, sim.Restart{Node: s3})
	// s1 alone on one side, s2 and s3 on the other, the master bridging.
	at(450, sim.Bridge{Left: ids(s1), Right: ids(s2, s3), Via: master})
	at(480, sim.Heal{})

	// A random phase drawn from the seed.
	plan := sim.RandomPlan{
		Nodes:       w.Nodes(),
		From:        wire.Time(500 * wire.Second),
		To:          wire.Time(560 * wire.Second),
		Count:       4,
		MaxDuration: 30 * wire.Second,
	}
	faults, err := plan.Draw(w.Stream("faults/random"))
	if err != nil {
		return err
	}
	for _, f := range faults {
		errs = append(errs, w.Schedule(f.At, f.Fault))
	}
	healAt := min(wire.Time(600*wire.Second), wire.Time(duration))
	errs = append(errs, w.Schedule(healAt, sim.HealAll{}))
	return errors.Join(errs...)
}
