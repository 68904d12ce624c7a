package scenarios

import (
	"testing"
)

// The demo's trace for seed 7, pinned. Every way of running the tests
// (go test, go test -race, any GOMAXPROCS, any machine) must produce exactly
// this run; TestDemoDeterminism only compares a build with itself.
const (
	demoSeed7Hash  = "0ae7b1fbcceadfea38f12879a105ffc9d0a953ea4ff860ee9f5387df6a53016c"
	demoSeed7Lines = 70585
)

func TestDemoGoldenHash(t *testing.T) {
	res, err := RunExample(Params{Example: "demo", Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if res.TraceHash != demoSeed7Hash || res.TraceLines != demoSeed7Lines {
		t.Fatalf(`the demo's trace for seed 7 changed:
	got    %s (%d lines)
	pinned %s (%d lines)
A different hash means simulated behaviour changed: the simulator, the
stand-in traffic or the demo's fault schedule now produce a different run.
If that is intended, review the new trace
	go run ./cmd/sentinelsim run --seed 7 --trace /tmp/demo7.txt
and update demoSeed7Hash and demoSeed7Lines in scenarios/golden_test.go to
the values above; otherwise, find what changed the run.`,
			res.TraceHash, res.TraceLines, demoSeed7Hash, demoSeed7Lines)
	}
}

// The failover example's trace for seed 9, pinned: the Sentinel engine, the
// Redis nodes and the client together. A change here means a decision,
// a message or an event of the real engine changed.
const (
	failoverSeed9Hash  = "2fe8dcc54ae6726135aaad4c0bc873fabeede8b427a9d56ad8a05cc505616819"
	failoverSeed9Lines = 39944
)

func TestFailoverGoldenHash(t *testing.T) {
	res, err := RunExample(Params{Example: "failover", Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	if res.TraceHash != failoverSeed9Hash || res.TraceLines != failoverSeed9Lines {
		t.Fatalf(`the failover example's trace for seed 9 changed:
	got    %s (%d lines)
	pinned %s (%d lines)
The engine, the nodes or the client now behave differently. If that is
intended, review the new trace
	go run ./cmd/sentinelsim run --example failover --seed 9 --trace /tmp/f9.txt
and update failoverSeed9Hash and failoverSeed9Lines in scenarios/golden_test.go.`,
			res.TraceHash, res.TraceLines, failoverSeed9Hash, failoverSeed9Lines)
	}
}
