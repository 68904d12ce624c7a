package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const sampleTrace = `0 boot s1
0 event s1 # +monitor master mymaster 10.0.0.1 6379 quorum 2
1000 send #12 s1>r1 c1 #2 PING
1001 recv #12 s1>r1
4000 fault partition {r1} {r2 s1}
7001 event s1 # +sdown master mymaster 10.0.0.1 6379
7001 event s1 # +sdown slave 10.0.0.2:6379 10.0.0.2 6379 @ mymaster 10.0.0.1 6379
7002 event s1 # +odown master mymaster 10.0.0.1 6379 #quorum 2/2
7002 event s1 * +sentinel sentinel abc 10.0.0.3 26379 @ mymaster 10.0.0.1 6379
7002 event s1 # Next failover delay: I will not start a failover before Thu Jan  1 00:02:08 1970
9000 fact s1 vote mymaster epoch=1 for=abc
12000 boot r1 restored=10B
130500 event s2 # +switch-master mymaster 10.0.0.1 6379 10.0.0.2 6379
`

// The decision trace keeps faults, restarts after time 0 and the events
// that change a decision (SDOWN of a master, not of a replica), in trace
// order, and drops traffic, facts, discovery and plain log lines.
func TestDecisionsFromATrace(t *testing.T) {
	ds, err := ReadDecisions(strings.NewReader(sampleTrace))
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, WriteTimeline(&b, ds))
	require.Equal(t, `        0.000s  s1        +monitor                       master mymaster 10.0.0.1 6379 quorum 2
        4.000s  -         fault                          partition {r1} {r2 s1}
        7.001s  s1        +sdown                         master mymaster 10.0.0.1 6379
        7.002s  s1        +odown                         master mymaster 10.0.0.1 6379 #quorum 2/2
       12.000s  r1        boot
      130.500s  s2        +switch-master                 mymaster 10.0.0.1 6379 10.0.0.2 6379
`, b.String())

	// The streaming writer sees the same, however the trace is cut.
	dw := &DecisionWriter{}
	for _, chunk := range []string{sampleTrace[:7], sampleTrace[7:100], sampleTrace[100:101], sampleTrace[101:]} {
		n, err := dw.Write([]byte(chunk))
		require.NoError(t, err)
		require.Equal(t, len(chunk), n)
	}
	require.Equal(t, ds, dw.Decisions)
}
