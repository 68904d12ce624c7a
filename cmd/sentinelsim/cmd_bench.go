package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/sentinelsim/sentinelsim/internal/wire"
	"github.com/sentinelsim/sentinelsim/scenarios/bench"
)

// cmdBench measures the simulator: speed of each deployment shape, sweep
// throughput on one and on all cores, porcupine's time per 10,000 client
// operations, and memory per run and over a long sweep. Seeds are fixed
// (1, 2, …), so two runs measure the same work.
func cmdBench(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlags("bench", stderr)
	var duration durationFlag
	fs.Var(&duration, "duration", "simulated time of each shape's run (default 10m)")
	shapes := fs.String("shapes", "all", "comma-separated shapes to measure, or all, or none ("+shapeNames()+")")
	minTime := fs.Duration("min-time", 2*time.Second, "wall time to spend on each shape at least (runs repeat with the next seed)")
	sweepSeeds := fs.Int("sweep-seeds", 100, "seeds of the 10-minute failover scenario per worker count (0: skip)")
	workers := fs.Int("workers", runtime.NumCPU(), "the all-cores worker count of the sweep")
	porcupineOps := fs.Int("porcupine-ops", 10000, "client operations of the porcupine measurement (0: skip)")
	memorySeeds := fs.Int("memory-seeds", 1000, "seeds of the sweep-memory measurement (0: skip; the issue's figure uses 10000)")
	untraced := fs.Bool("untraced", true, "also measure each shape with the trace off, to show what tracing costs")
	traced := fs.Bool("trace", true, "measure each shape with the trace on (false: only with it off, the world's own cost, as make cost COST_TRACE=off counts it)")
	format := fs.String("format", "text", "output format: text or json (a list of {name, value, unit})")
	if err := parse(fs, args); err != nil {
		return 0, err
	}
	if *format != "text" && *format != "json" {
		return 0, usagef("bench: --format must be text or json")
	}
	if *workers < 1 || *sweepSeeds < 0 || *porcupineOps < 0 || *memorySeeds < 0 {
		return 0, usagef("bench: --workers must be positive; --sweep-seeds, --porcupine-ops and --memory-seeds not negative")
	}
	if err := duration.atLeast1ms("bench"); err != nil {
		return 0, err
	}
	d := duration.d
	if d == 0 {
		d = 10 * wire.Minute
	}
	var chosen []bench.Shape
	switch *shapes {
	case "all":
		chosen = bench.Shapes
	case "none", "":
	default:
		for name := range strings.SplitSeq(*shapes, ",") {
			s, ok := bench.LookupShape(strings.TrimSpace(name))
			if !ok {
				return 0, usagef("bench: unknown shape %q (known: %s)", name, shapeNames())
			}
			chosen = append(chosen, s)
		}
	}

	// Progress and the machine go to stderr in JSON mode, so stdout is
	// the figures alone.
	info := stdout
	if *format == "json" {
		info = stderr
	}
	fmt.Fprintf(info, "bench: seeds 1, 2, … (fixed); %s\n", machine())
	var figs []bench.Figure
	add := func(name string, value float64, unit string) {
		figs = append(figs, bench.Figure{Name: name, Value: value, Unit: unit})
		if *format == "text" {
			fmt.Fprintf(stdout, "  %-44s %14s %s\n", name, number(value), unit)
		}
	}

	// Steal is printed with the figures it clouds: on a shared virtual
	// machine the hypervisor's share of the time wanted is the largest
	// source of noise in wall-time figures.
	benchStart, benchOK := bench.ReadCPUTimes()
	steal := func(name string, since bench.CPUTimes, sinceOK bool) {
		if now, ok := bench.ReadCPUTimes(); ok && sinceOK {
			add(name, 100*bench.StealShare(since, now), "%")
		}
	}

	// So is contention, which steal does not show: whether the CPUs run
	// in parallel (about 1) or share fewer physical ones (up to their
	// number); around a shape or the sweep, the worse of before and after.
	contention := func(name string, c float64, clouds string) {
		add(name, c, "x")
		if c >= contended {
			fmt.Fprintf(info, "  (the CPUs ran as fewer than %d %s)\n", runtime.GOMAXPROCS(0), clouds)
		}
	}
	contention("machine/contention", bench.Contention(), "as the bench began: another tenant, or the host, shares them")

	for _, s := range chosen {
		fmt.Fprintf(info, "shape %s: %s, %s simulated per run …\n", s.Name, s.About, d)
		contentionBefore := bench.Contention()
		shapeStart, shapeOK := bench.ReadCPUTimes()
		var sp bench.Speed
		if *traced {
			var err error
			if sp, err = bench.MeasureShape(s, d, *minTime, true); err != nil {
				return 0, err
			}
			add("shape/"+s.Name+"/speed", sp.Factor(), "sim/wall")
		}
		if *untraced || !*traced {
			off, err := bench.MeasureShape(s, d, *minTime, false)
			if err != nil {
				return 0, err
			}
			add("shape/"+s.Name+"/speed-untraced", off.Factor(), "sim/wall")
			if !*traced {
				sp = off // the figures below are of the untraced runs
			}
		}
		add("shape/"+s.Name+"/events", float64(sp.Events)/sp.Wall.Seconds(), "events/s")
		if *traced {
			add("shape/"+s.Name+"/trace-lines", float64(sp.TraceLines)/sp.Wall.Seconds(), "lines/s")
		}
		add("shape/"+s.Name+"/peak-heap", float64(sp.PeakHeap)/(1<<20), "MiB")
		steal("shape/"+s.Name+"/steal", shapeStart, shapeOK)
		contention("shape/"+s.Name+"/contention", max(contentionBefore, bench.Contention()),
			"around this shape: its traced figures lose the trace's CPU to the world's")
	}

	if *sweepSeeds > 0 {
		f, err := bench.FailoverShape.Load(10 * wire.Minute)
		if err != nil {
			return 0, err
		}
		counts := []int{1}
		if *workers > 1 {
			counts = append(counts, *workers)
		}
		var rates []float64
		contentionBefore := bench.Contention()
		for _, w := range counts {
			fmt.Fprintf(info, "sweep %s: %d seeds on %d worker(s) …\n", bench.FailoverShape.Name, *sweepSeeds*w, w)
			wall, err := bench.Sweep(f, *sweepSeeds*w, w, nil)
			if err != nil {
				return 0, err
			}
			rate := float64(*sweepSeeds*w) / wall.Minutes()
			rates = append(rates, rate)
			add(fmt.Sprintf("sweep/%s/workers=%d", bench.FailoverShape.Name, w), rate, "seeds/min")
		}
		if len(rates) == 2 {
			add(fmt.Sprintf("sweep/%s/scaling-%d-vs-1", bench.FailoverShape.Name, *workers), rates[1]/rates[0], "x")
		}
		// The scaling needs CPUs that run in parallel, as no other figure does.
		contention("sweep/"+bench.FailoverShape.Name+"/contention", max(contentionBefore, bench.Contention()),
			"around the sweep: its scaling cannot reach their number")
	}

	if *porcupineOps > 0 {
		fmt.Fprintf(info, "porcupine: a recorded history of about %d client operations …\n", *porcupineOps)
		p, err := bench.MeasurePorcupine(*porcupineOps, time.Second)
		if err != nil {
			return 0, err
		}
		add("porcupine/check-per-10k-ops", float64(p.Per10k())/float64(time.Millisecond), "ms")
		add("porcupine/ops-checked", float64(p.Ops), "ops")
	}

	if *memorySeeds > 0 {
		f, err := bench.FailoverShape.Load(10 * wire.Minute)
		if err != nil {
			return 0, err
		}
		fmt.Fprintf(info, "memory: heap after GC through a sweep of %d seeds on %d worker(s) …\n", *memorySeeds, *workers)
		samples, err := bench.SweepMemory(f, *memorySeeds, *workers, 10, func(s bench.HeapSample) {
			fmt.Fprintf(info, "  %d/%d seeds: heap after GC %.2f MiB\n", s.Done, *memorySeeds, float64(s.Heap)/(1<<20))
		})
		if err != nil {
			return 0, err
		}
		first, last := samples[0], samples[len(samples)-1]
		add("memory/sweep-heap-first-tenth", float64(first.Heap)/(1<<20), "MiB")
		add("memory/sweep-heap-end", float64(last.Heap)/(1<<20), "MiB")
		add("memory/sweep-heap-max", float64(slices.MaxFunc(samples, func(a, b bench.HeapSample) int { return int(a.Heap) - int(b.Heap) }).Heap)/(1<<20), "MiB")
		add("memory/sweep-heap-growth", float64(last.Heap)/float64(first.Heap), "x")
		add("memory/sweep-seeds", float64(*memorySeeds), "seeds")
	}

	steal("machine/steal", benchStart, benchOK)

	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(figs); err != nil {
			return 0, err
		}
	}
	fmt.Fprintf(info, "replay:   %s bench %s\n", program(), strings.Join(args, " "))
	return exitPass, nil
}

// contended is the contention from which bench says the CPUs ran as fewer
// than their number: parallel CPUs measure 1.0–1.1 here, two vCPUs on one
// CPU's worth 1.7–2.
const contended = 1.3

func shapeNames() string {
	var names []string
	for _, s := range bench.Shapes {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}

// number prints a figure with sensible precision.
func number(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

// machine describes where the figures were measured.
func machine() string {
	cpu := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%s/%s, %d CPUs (%s), GOMAXPROCS %d, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpu, runtime.GOMAXPROCS(0), runtime.Version())
}
