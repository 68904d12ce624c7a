package checker

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"

	"github.com/sentinelsim/sentinelsim/internal/history"
	"github.com/sentinelsim/sentinelsim/internal/wire"
)

// genSpec shapes a generated history.
type genSpec struct {
	ops, keys, clients int
	// maxLatency bounds an op's duration (ticks); 0 makes every op take
	// no time and none overlap: a sequential history.
	maxLatency int
	// mix weights GET, SET, APPEND, INCR.
	mix [4]int
	// unknownPct of the writes end unknown (applied or not, drawn);
	// failPct end in an error reply and are not applied.
	unknownPct, failPct int
}

// generate simulates a linearizable Redis: each client has one op in
// flight; an op that is applied takes effect at a point drawn inside its
// interval, and the ops are executed in the order of those points against
// a map of strings. intn(n) draws from [0, n).
func generate(spec genSpec, intn func(n int) int) []history.Op {
	type pending struct {
		op    history.Op
		point int64
		apply bool
	}
	var all []pending
	clock := make([]int64, spec.clients)
	for i := range spec.ops {
		c := intn(spec.clients)
		if spec.maxLatency == 0 {
			// Sequential: one global clock, ops back to back.
			c = i % spec.clients
		}
		call := clock[c] + int64(intn(3))
		if spec.maxLatency == 0 {
			call = int64(2 * i)
		}
		ret := call
		if spec.maxLatency > 0 {
			ret = call + 1 + int64(intn(spec.maxLatency))
		}
		clock[c] = ret + 1
		key := "k" + strconv.Itoa(intn(spec.keys))
		name := "c" + strconv.Itoa(c)
		val := fmt.Sprintf("%s-%d", name, i)
		var args []string
		r := intn(spec.mix[0] + spec.mix[1] + spec.mix[2] + spec.mix[3])
		switch {
		case r < spec.mix[0]:
			args = []string{"GET", key}
		case r < spec.mix[0]+spec.mix[1]:
			args = []string{"SET", key, val}
		case r < spec.mix[0]+spec.mix[1]+spec.mix[2]:
			args = []string{"APPEND", key, val + ";"}
		default:
			args = []string{"INCR", key}
		}
		p := pending{op: history.Op{Client: name, Args: args, Call: wire.Time(call), Return: wire.Time(ret), Outcome: history.OK, Node: "n1"},
			point: call + int64(intn(int(ret-call)+1)), apply: true}
		switch d := intn(100); {
		case d < spec.unknownPct:
			p.op.Outcome = history.Unknown
			p.apply = intn(2) == 0
			if p.apply {
				// A late effect: anywhere after the call.
				p.point = call + int64(intn(4*spec.maxLatency+2))
			}
		case d < spec.unknownPct+spec.failPct:
			p.op.Outcome = history.Fail
			p.op.Reply = wire.Error("READONLY You can't write against a read only replica.")
			p.apply = false
		}
		all = append(all, p)
	}
	order := make([]int, len(all))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(all[a].point, all[b].point) })
	data := map[string]*string{}
	for _, i := range order {
		p := &all[i]
		if !p.apply {
			if p.op.Outcome == history.Unknown {
				p.op.Reply = wire.Error("TIMEOUT")
			}
			continue
		}
		reply := exec(data, p.op.Args)
		if p.op.Outcome == history.Unknown {
			p.op.Reply = wire.Error("TIMEOUT")
			continue
		}
		p.op.Reply = reply
		if reply.IsError() {
			p.op.Outcome = history.Fail
		}
	}
	ops := make([]history.Op, len(all))
	for i := range all {
		ops[i] = all[i].op
		ops[i].ID = uint64(i + 1)
	}
	return ops
}

// exec runs one command on data as Redis would.
func exec(data map[string]*string, args []string) wire.Value {
	key := args[1]
	cur := data[key]
	switch args[0] {
	case "GET":
		if cur == nil {
			return wire.Nil()
		}
		return wire.Bulk(*cur)
	case "SET":
		v := args[2]
		data[key] = &v
		return wire.OK()
	case "APPEND":
		v := args[2]
		if cur != nil {
			v = *cur + v
		}
		data[key] = &v
		return wire.Int(int64(len(v)))
	}
	var n int64
	if cur != nil {
		var ok bool
		if n, ok = parseRedisInt(*cur); !ok {
			return wire.Error("ERR value is not an integer or out of range")
		}
	}
	n++
	v := strconv.FormatInt(n, 10)
	data[key] = &v
	return wire.Int(n)
}
