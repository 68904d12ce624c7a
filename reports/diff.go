package reports

import (
	"fmt"
	"io"
	"strings"
)

// Diff writes how two runs' decisions differ, as a unified listing of the
// decision traces: decisions only in A ("-"), only in B ("+"), and the same
// decision at another time ("~", both times). Decisions are matched by
// node, type and text, in order (a longest common subsequence). It returns
// whether the sequences differ at all (times alone count).
func Diff(w io.Writer, a, b []Decision) (bool, error) {
	key := func(d Decision) string { return d.Node + "\x00" + d.Type + "\x00" + d.Text }
	line := func(mark string, at string, d Decision) {
		node := d.Node
		if node == "" {
			node = "-"
		}
		fmt.Fprintf(w, "%s %-22s %-9s %-30s %s\n", mark, at, node, d.Type, d.Text)
	}
	differ := false
	// The common head and tail need no alignment (only their times are
	// compared), which keeps the table small for long runs.
	head := 0
	for head < len(a) && head < len(b) && key(a[head]) == key(b[head]) {
		if a[head].At != b[head].At {
			differ = true
			line("~", fmt.Sprintf("%s→%s", a[head].At, b[head].At), a[head])
		}
		head++
	}
	var tail []string
	for len(a) > head && len(b) > head && key(a[len(a)-1]) == key(b[len(b)-1]) {
		x, y := a[len(a)-1], b[len(b)-1]
		if x.At != y.At {
			var t strings.Builder
			node := x.Node
			if node == "" {
				node = "-"
			}
			fmt.Fprintf(&t, "~ %-22s %-9s %-30s %s\n", fmt.Sprintf("%s→%s", x.At, y.At), node, x.Type, x.Text)
			tail = append(tail, t.String())
		}
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	a, b = a[head:], b[head:]
	defer func() {
		for k := len(tail) - 1; k >= 0; k-- {
			io.WriteString(w, tail[k])
		}
	}()
	differ = differ || len(tail) > 0
	n, m := len(a), len(b)
	if int64(n)*int64(m) > 50_000_000 {
		return true, fmt.Errorf("the runs part after %d common decisions and then differ too much to align (%d and %d decisions left)", head, n, m)
	}
	// lcs[i][j] is the longest common subsequence of a[i:] and b[j:].
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if key(a[i]) == key(b[j]) {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && key(a[i]) == key(b[j]):
			if a[i].At != b[j].At {
				differ = true
				line("~", fmt.Sprintf("%s→%s", a[i].At, b[j].At), a[i])
			}
			i, j = i+1, j+1
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			differ = true
			line("+", b[j].At.String(), b[j])
			j++
		default:
			differ = true
			line("-", a[i].At.String(), a[i])
			i++
		}
	}
	return differ, nil
}
