package scenarios

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// selExpr is a parsed selector.
type selExpr struct {
	kind  string   // "name" or a keyword
	name  string   // kind "name": the process; "master", "replica", "replicas": the master group ("" = the first)
	epoch uint64   // "leader": 0 = the latest election
	sub   *selExpr // "host", "sentinels-on"
}

// Selector keywords.
var selectorKeywords = []string{"all", "clients", "host", "leader", "master", "redis", "replica", "replicas", "rest", "sentinels", "sentinels-on"}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

func parseSelector(s string) (selExpr, error) {
	s = strings.TrimSpace(s)
	head, arg, call := strings.Cut(s, "(")
	if call {
		var ok bool
		if arg, ok = strings.CutSuffix(arg, ")"); !ok {
			return selExpr{}, fmt.Errorf("selector %q: missing )", s)
		}
	}
	if !nameRE.MatchString(head) {
		return selExpr{}, fmt.Errorf("selector %q: names are letters, digits, '.', '_' and '-'", s)
	}
	if !slices.Contains(selectorKeywords, head) {
		if call {
			return selExpr{}, fmt.Errorf("selector %q: %q is not a selector function (known: host(X), sentinels-on(X), leader(N), master(NAME), replica(NAME), replicas(NAME))", s, head)
		}
		return selExpr{kind: "name", name: head}, nil
	}
	e := selExpr{kind: head}
	switch head {
	case "host", "sentinels-on":
		if !call || arg == "" {
			return e, fmt.Errorf("selector %q needs a process: %s(master), %s(redis1)", s, head, head)
		}
		sub, err := parseSelector(arg)
		if err != nil {
			return e, err
		}
		if sub.kind == "rest" {
			return e, fmt.Errorf("selector %q: rest cannot be nested", s)
		}
		e.sub = &sub
	case "leader":
		if call {
			n, err := strconv.ParseUint(arg, 10, 64)
			if err != nil || n == 0 {
				return e, fmt.Errorf("selector %q: the epoch must be a positive number", s)
			}
			e.epoch = n
		}
	case "master", "replica", "replicas":
		if call {
			if !nameRE.MatchString(arg) {
				return e, fmt.Errorf("selector %q: %q is not a master name", s, arg)
			}
			e.name = arg
		}
	default:
		if call {
			return e, fmt.Errorf("selector %q takes no argument", s)
		}
	}
	return e, nil
}

// dynamic reports whether the selector depends on the run's state (roles),
// not only on the topology.
func (e selExpr) dynamic() bool {
	switch e.kind {
	case "master", "replica", "replicas", "leader":
		return true
	case "host", "sentinels-on":
		return e.sub.dynamic()
	}
	return false
}
