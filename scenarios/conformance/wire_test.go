package conformance

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/alicebob/miniredis/v2/server"
	"github.com/stretchr/testify/require"

	"github.com/sentinelsim/sentinelsim/internal/info"
	"github.com/sentinelsim/sentinelsim/scenarios"
)

// segment is one command a simulated sentinel sent, with the reply the
// simulated node gave, as the trace writes them.
type segment struct {
	args  []string
	reply string
}

// traceConversations reads, from a canonical trace, each sentinel→node
// connection's commands in order with the node's replies.
func traceConversations(t *testing.T, trace string) map[string][]segment {
	t.Helper()
	replies := map[string]string{} // "r2>s4 c3 #54" -> reply text
	var order []string
	cmds := map[string][]string{}
	for _, line := range strings.Split(trace, "\n") {
		f := strings.Fields(line)
		if len(f) < 6 || f[1] != "send" {
			continue
		}
		dir, conn, seq := f[3], f[4], f[5]
		from, to, _ := strings.Cut(dir, ">")
		if len(f) >= 8 && f[6] == "->" {
			replies[dir+" "+conn+" "+seq] = strings.Join(f[7:], " ")
			continue
		}
		if !strings.HasPrefix(from, "s") || !strings.HasPrefix(to, "r") || !strings.HasPrefix(seq, "#") {
			continue
		}
		args := f[6:]
		if len(args) > 0 && args[0] == "open" {
			args = args[1:]
		}
		for i, a := range args {
			if strings.HasPrefix(a, `"`) {
				if u, err := strconv.Unquote(a); err == nil {
					args[i] = u
				}
			}
		}
		key := dir + " " + conn + " " + seq
		cmds[key] = args
		order = append(order, key)
	}
	out := map[string][]segment{}
	for _, key := range order {
		f := strings.Fields(key)
		from, to, _ := strings.Cut(f[0], ">")
		conn := f[0] + " " + f[1]
		out[conn] = append(out[conn], segment{args: cmds[key], reply: replies[to+">"+from+" "+f[1]+" "+f[2]]})
	}
	return out
}

// kindOfTrace is the RESP type of a reply as the trace writes it.
func kindOfTrace(r string) string {
	switch {
	case r == "":
		return "none"
	case strings.HasPrefix(r, "+"):
		return "status"
	case strings.HasPrefix(r, "-"):
		return "error"
	case strings.HasPrefix(r, ":"):
		return "int"
	case strings.HasPrefix(r, `"`), r == "(nil)":
		return "bulk"
	case strings.HasPrefix(r, "["):
		return "array"
	}
	return "other"
}

// The engine's protocol knowledge, over real RESP: the commands simulated
// sentinels send to Redis nodes during a failover (connection setup, PING,
// INFO, hellos, SUBSCRIBE, and the MULTI / SLAVEOF NO ONE / CONFIG REWRITE
// / CLIENT KILL / EXEC transaction) are sent, in order, over a real TCP
// connection to miniredis nodes extended with the replication commands
// Sentinel needs; every reply has the RESP type the simulated node gave,
// and the INFO text parses as the engine parses it. No Redis install.
func TestWireProtocol(t *testing.T) {
	f, ok := scenarios.Find("redis-suite-kill-master")
	require.True(t, ok)
	var trace bytes.Buffer
	_, err := scenarios.RunWith(f, 1, scenarios.Options{Trace: &trace})
	require.NoError(t, err)
	convs := traceConversations(t, trace.String())

	m := miniredis.RunT(t)
	srv := m.Server()
	infoText := info.Format(info.Defaults())
	// miniredis extended with what Sentinel needs of a Redis node (its own
	// INFO and CLIENT lack them): a hook answers before miniredis does.
	// The hook answers a transaction itself (it sits before miniredis's
	// own MULTI): commands are queued, and EXEC runs them in order.
	var answer func(c *server.Peer, cmd string, args ...string) bool
	queued := map[*server.Peer][][]string{}
	inTx := map[*server.Peer]bool{}
	srv.SetPreHook(func(c *server.Peer, cmd string, args ...string) bool {
		switch up := strings.ToUpper(cmd); {
		case up == "MULTI":
			inTx[c], queued[c] = true, nil
			c.WriteOK()
			return true
		case up == "EXEC" && inTx[c]:
			q := queued[c]
			delete(inTx, c)
			delete(queued, c)
			c.WriteLen(len(q))
			for _, a := range q {
				if !answer(c, a[0], a[1:]...) {
					srv.Dispatch(c, a)
				}
			}
			return true
		case inTx[c]:
			queued[c] = append(queued[c], append([]string{cmd}, args...))
			c.WriteInline("QUEUED")
			return true
		}
		return answer(c, cmd, args...)
	})
	answer = func(c *server.Peer, cmd string, args ...string) bool {
		switch strings.ToUpper(cmd) {
		case "INFO":
			c.WriteBulk(infoText)
		case "SLAVEOF", "REPLICAOF":
			c.WriteOK()
		case "CONFIG":
			if len(args) == 1 && strings.EqualFold(args[0], "REWRITE") {
				c.WriteOK()
			} else {
				c.WriteError("ERR CONFIG subcommand not modelled here")
			}
		case "CLIENT":
			switch {
			case len(args) == 2 && strings.EqualFold(args[0], "SETNAME"):
				c.WriteOK()
			case len(args) == 3 && strings.EqualFold(args[0], "KILL") && strings.EqualFold(args[1], "TYPE"):
				c.WriteInt(0)
			default:
				c.WriteError("ERR CLIENT subcommand not modelled here")
			}
		default:
			return false
		}
		return true
	}

	// The command link that carried the failover transaction, and one
	// pub/sub link.
	var tx, pubsub string
	keys := make([]string, 0, len(convs))
	for k := range convs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, s := range convs[k] {
			// A transaction the node answered (not one sent to a dead node).
			if len(s.args) > 0 && s.args[0] == "MULTI" && s.reply != "" && tx == "" {
				tx = k
			}
			if len(s.args) > 0 && s.args[0] == "SUBSCRIBE" && s.reply != "" && pubsub == "" {
				pubsub = k
			}
		}
	}
	require.NotEmpty(t, tx, "no failover transaction in the trace")
	require.NotEmpty(t, pubsub)
	seen := map[string]bool{}
	for _, conn := range []string{tx, pubsub} {
		c, err := net.DialTimeout("tcp", m.Addr(), time.Second)
		require.NoError(t, err)
		r := bufio.NewReader(c)
		for i, s := range convs[conn] {
			if s.reply == "" {
				continue // not answered in the simulation (a push connection after SUBSCRIBE)
			}
			var b strings.Builder
			fmt.Fprintf(&b, "*%d\r\n", len(s.args))
			for _, a := range s.args {
				fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
			}
			_, err := c.Write([]byte(b.String()))
			require.NoError(t, err)
			kind, text, err := readReply(r)
			require.NoError(t, err, "%s #%d %v", conn, i, s.args)
			require.NotContains(t, text, "unknown command", "%v", s.args)
			require.Equal(t, kindOfTrace(s.reply), kind, "%s: %v answered %q over RESP, %q in the simulation", conn, s.args, text, s.reply)
			if s.args[0] == "INFO" {
				_, err := info.Parse(text)
				require.NoError(t, err, "the engine's parser reads INFO from the wire")
			}
			seen[s.args[0]] = true
			if s.args[0] == "SUBSCRIBE" {
				break // from here on the connection only pushes
			}
		}
		c.Close()
	}
	for _, cmd := range []string{"CLIENT", "PING", "INFO", "MULTI", "SLAVEOF", "CONFIG", "EXEC", "SUBSCRIBE"} {
		require.True(t, seen[cmd], "%s was not exercised", cmd)
	}
}
