package bench

import (
	"fmt"
	"strings"
)

// Shape is a deployment to measure: sentinels watching masters, each with
// its replicas, and optionally a client.
type Shape struct {
	Name  string
	About string
	// Sentinels watch every master with quorum Sentinels/2+1.
	Sentinels int
	// Masters each have Replicas replicas; every data node has its own host.
	Masters, Replicas int
	// OpsPerSecond > 0 adds a sentinel-aware client doing that many
	// operations per simulated second (half reads, half writes, on 10 keys).
	OpsPerSecond int
	// Fault, if set, is the scenario's fault timeline (YAML list entries).
	Fault string
}

// Shapes are the deployments the issue names: the 3+3 cluster idle and
// under a client workload, five sentinels and five nodes, ten masters with
// three replicas each, and incident I06's shape: 100 masters watched by 3
// sentinels, alone and each with a replica as in I06.
var Shapes = []Shape{
	{Name: "idle-3s-3n", About: "3 sentinels, 1 master + 2 replicas, idle", Sentinels: 3, Masters: 1, Replicas: 2},
	{Name: "clients-1000ops", About: "3 sentinels, 1 master + 2 replicas, a client at 1,000 ops/s", Sentinels: 3, Masters: 1, Replicas: 2, OpsPerSecond: 1000},
	{Name: "5s-5n", About: "5 sentinels, 1 master + 4 replicas", Sentinels: 5, Masters: 1, Replicas: 4},
	{Name: "10m3r-5s", About: "5 sentinels, 10 masters × 3 replicas (40 nodes)", Sentinels: 5, Masters: 10, Replicas: 3},
	{Name: "100m-3s", About: "3 sentinels, 100 masters (I06's many-masters shape)", Sentinels: 3, Masters: 100},
	{Name: "100m1r-3s", About: "3 sentinels, 100 masters + 1 replica each (I06's groups, 200 nodes)", Sentinels: 3, Masters: 100, Replicas: 1},
}

// FailoverShape is the sweep's scenario: the 3+3 cluster with a client at
// 10 ops/s; the master's host crashes at 2 min and comes back at 4 min.
var FailoverShape = Shape{
	Name: "failover-10m", About: "3 sentinels, 1 master + 2 replicas, a client at 10 ops/s; the master crashes at 2m, restarts at 4m",
	Sentinels: 3, Masters: 1, Replicas: 2, OpsPerSecond: 10,
	Fault: "  - {at: 2m, crash: host(master), for: 2m}\n",
}

// LookupShape finds a shape by name.
func LookupShape(name string) (Shape, bool) {
	for _, s := range append(Shapes[:len(Shapes):len(Shapes)], FailoverShape) {
		if s.Name == name {
			return s, true
		}
	}
	return Shape{}, false
}

// Scenario writes the shape as a scenario file running for duration
// (e.g. "10m").
func (s Shape) Scenario(duration string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "name: bench-%s\nsummary: %s\nduration: %s\nredis:\n", s.Name, s.About, duration)
	for m := range s.Masters {
		for r := 0; r <= s.Replicas; r++ {
			fmt.Fprintf(&b, "  - {name: %s, addr: \"%s:6379\"", nodeName(m, r), nodeIP(m, r))
			if r > 0 {
				fmt.Fprintf(&b, ", replicaof: %s", nodeName(m, 0))
			}
			b.WriteString("}\n")
		}
	}
	b.WriteString("sentinel-config: |\n")
	for m := range s.Masters {
		fmt.Fprintf(&b, "  sentinel monitor %s %s 6379 %d\n", masterName(m), nodeIP(m, 0), s.Sentinels/2+1)
		fmt.Fprintf(&b, "  sentinel down-after-milliseconds %s 5000\n", masterName(m))
		fmt.Fprintf(&b, "  sentinel failover-timeout %s 60000\n", masterName(m))
	}
	b.WriteString("sentinels:\n")
	for i := range s.Sentinels {
		fmt.Fprintf(&b, "  - {name: s%d, addr: \"10.0.0.%d:26379\"}\n", i+1, i+1)
	}
	if s.OpsPerSecond > 0 {
		// A client has one operation in flight at a time (about a LAN
		// round trip each), so the rate is spread over clients of at most
		// clientRate operations per second.
		n := (s.OpsPerSecond + clientRate - 1) / clientRate
		b.WriteString("clients:\n")
		for c := range n {
			rate := s.OpsPerSecond / n
			if c < s.OpsPerSecond%n {
				rate++
			}
			fmt.Fprintf(&b, "  - {name: c%d, kind: sentinel, master: %s, workload: {keys: [k0, k1, k2, k3, k4, k5, k6, k7, k8, k9], reads: 1, writes: 1, rate: %d, max-ops: 10000000}}\n",
				c+1, masterName(0), rate)
		}
	}
	if s.Fault != "" {
		b.WriteString("faults:\n")
		b.WriteString(s.Fault)
	}
	return []byte(b.String())
}

// clientRate is the most operations per second one bench client does.
const clientRate = 250

func masterName(m int) string {
	if m == 0 {
		return "mymaster"
	}
	return fmt.Sprintf("master%d", m)
}

func nodeName(m, r int) string { return fmt.Sprintf("m%dr%d", m, r) }

// nodeIP gives group m's node r an address of its own: 10.1+r.m/256.m%256.
func nodeIP(m, r int) string { return fmt.Sprintf("10.%d.%d.%d", 1+r, m/256, m%256+1) }
