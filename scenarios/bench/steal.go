package bench

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"
)

// CPUTimes are the machine's CPU times, all CPUs together, in clock ticks,
// from the "cpu" line of /proc/stat: busy (user, nice, system, irq,
// softirq) and stolen (steal: time a virtual CPU wanted to run while the
// hypervisor ran something else).
type CPUTimes struct {
	Busy, Steal uint64
}

// ReadCPUTimes reads /proc/stat; ok is false where there is none.
func ReadCPUTimes() (t CPUTimes, ok bool) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return CPUTimes{}, false
	}
	defer f.Close()
	return parseCPUTimes(f)
}

// parseCPUTimes reads the aggregate "cpu" line: user nice system idle
// iowait irq softirq steal ...
func parseCPUTimes(r io.Reader) (CPUTimes, bool) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 9 || fields[0] != "cpu" {
			continue
		}
		var v [8]uint64
		for i := range v {
			n, err := strconv.ParseUint(fields[i+1], 10, 64)
			if err != nil {
				return CPUTimes{}, false
			}
			v[i] = n
		}
		return CPUTimes{Busy: v[0] + v[1] + v[2] + v[5] + v[6], Steal: v[7]}, true
	}
	return CPUTimes{}, false
}

// StealShare is the share of the CPU time wanted between a and b that the
// hypervisor gave to others: 0.3 means a run that had the machine to
// itself would have taken about 30 % less wall time. 0 when nothing ran
// or the counters went back (CPUs taken offline).
func StealShare(a, b CPUTimes) float64 {
	if b.Busy < a.Busy || b.Steal < a.Steal {
		return 0
	}
	busy, steal := b.Busy-a.Busy, b.Steal-a.Steal
	if busy+steal == 0 {
		return 0
	}
	return float64(steal) / float64(busy+steal)
}
