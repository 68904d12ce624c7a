// Package client holds the simulated clients of a Redis deployment, each a
// pure state machine with the simulator's process methods (Boot, Receive,
// Fire) that acts only through the wire.Env it is handed: no goroutines, no
// wall clock, no global randomness.
//
//   - SentinelClient finds the master the way redis-py's
//     Sentinel.master_for and the Redis client guidelines do: it asks the
//     sentinels in order SENTINEL get-master-addr-by-name, moves the first
//     one that answers to the front, checks ROLE on the address it got, and
//     rediscovers after a timeout, a closed connection or a READONLY,
//     LOADING or MASTERDOWN error.
//   - StaticClient is bound to one address (a data node, or a proxy) and
//     only ever reconnects to it.
//   - HAProxy is the proxy of seed 002: clients connect to it as if it were
//     Redis; it health-checks every backend with PING and INFO replication
//     (tcp-check "expect string role:master"), with HAProxy's rise/fall
//     health counter, and relays each client connection to the first
//     backend that is up.
//
// # Operations and history
//
// Both clients run a Workload: one operation in flight at a time (like one
// application thread), GET, SET, INCR or APPEND on a few keys, at a fixed
// rate, up to a maximum count. Every attempt at an operation goes through
// the history.Recorder given at construction as one history op, and ends
// ok (a reply), fail (an error reply, or never sent) or unknown (sent, then
// a timeout or a closed connection). SET and APPEND write a value unique to
// the client and the attempt ("c1-17", or "c1.2-17" after the client's
// first restart), so histories are checkable. A failed attempt is retried
// (a bounded number of times, with exponential backoff) when the failure is
// one that a reconnection can cure; each retry is a new history op with a
// fresh value. An op's call is when its attempt starts, before any
// discovery or connection setup, so its interval covers them; an attempt
// that never got as far as sending its command is Fail with no node.
//
// # Connections
//
// A client opens a connection by sending a wire.Command with Open set and
// Seq 1, and numbers later commands on it 2, 3, ...; it closes one with
// wire.Hangup. Only timeouts reveal a lost message or a dead peer, so every
// command a client or the proxy sends is covered by a timer. Connection ids
// carry the process's incarnation (counted in what it persists), so a
// restarted client never reuses the id of a connection a server may still
// hold.
//
// Each process emits short, deterministic trace events at notable moments:
// "client c1 master redis2:6379 via s1", "client c1 readonly
// redis1:6379", "haproxy hp down redis1:6379 (expect role:master; 2
// sessions killed)".
package client
