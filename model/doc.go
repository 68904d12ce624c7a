// Package model holds the simulated Redis data nodes: pure state machines,
// driven by package sim through the wire.Env interface, that answer what
// Sentinel and clients send as Redis 7.0 does where they can tell the
// difference (shared/reference/sentinel-spec.md §26).
//
// A Node keeps its data in a miniredis keyspace (package model/keyspace)
// and implements around it what miniredis lacks: roles and REPLICAOF,
// asynchronous replication with PSYNC semantics (replication ids, offsets, a
// bounded backlog, partial and full resynchronisation — where acknowledged
// writes are lost), the INFO and ROLE text Sentinel parses, connections that
// CLIENT KILL really drops, authentication, rename-command, MULTI/EXEC,
// pub/sub with propagation to replicas, min-replicas-to-write, WAIT, DEBUG
// SLEEP, SHUTDOWN, and restart from the config file and the persisted
// dataset (LOADING for a while). Replies and error texts were checked
// against redis-server 7.0.15.
//
// # Commands
//
// Every command goes through processCommand's checks in Redis's order:
// existence (with rename-command), arity (subcommands have their own:
// "wrong number of arguments for 'config|get' command", "unknown subcommand
// 'FOO'. Try CONFIG HELP."), NOAUTH (only AUTH and QUIT are allowed before
// AUTH; HELLO is not implemented), commands refused inside MULTI (SHUTDOWN,
// SAVE), NOPERM (ACL users, acl.go over internal/acl: the command,
// subcommand or first-arg rule, its keys, its channels; ACL categories
// other than @all are refused as not modelled on a data node), MISCONF, NOREPLICAS, READONLY, the pub/sub context, MASTERDOWN,
// LOADING, BUSY — each command with the flags of its 7.0.15 COMMAND INFO
// entry (arity.go, nodeCommands). Any rejection inside MULTI marks the
// transaction, so EXEC answers EXECABORT. EXEC is checked again as the
// whole transaction (a write if anything queued writes; stale-ok and
// loading-ok only if everything queued is), and an EXEC that is rejected
// answers "EXECABORT Transaction discarded because of: <error>".
//
// SELECT accepts databases 0 to 15, but the node has one keyspace, which
// they all share. CONFIG SET is all or nothing, with Redis's ranges and
// texts; CONFIG GET takes several patterns. CLIENT KILL takes the old form
// (an address: no client has one, so "No such client") and the filters ID,
// TYPE, ADDR, LADDR, USER and SKIPME; without TYPE it kills replicas and
// the link to the master too, and a client that kills itself is closed
// after its reply. Subcommands not listed in nodeCommands (CONFIG HELP,
// CLIENT LIST, ...) are unknown subcommands here.
//
// # Blocking
//
// WAIT blocks its client until enough replicas acknowledged the client's
// last write (or the timeout; 0 is none); EVAL of a script containing
// "while true" blocks its client and makes the node answer -BUSY until
// SCRIPT KILL, which answers the caller "ERR Script killed by user with
// SCRIPT KILL... script: <sha1>, on @user_script:1.". A blocked client's
// later commands are held, in order, until it is released. Becoming a
// replica unblocks WAITs with -UNBLOCKED and closes their connections.
// (Redis is unresponsive for lua-time-limit before a script becomes busy;
// here it is busy at once.) DEBUG SLEEP blocks the whole event loop, inside
// EXEC too: messages and timers that arrive meanwhile are handled after
// the wake, in order; its argument is read as strtod does, negative, NaN,
// infinite or out-of-range values do not sleep, and sleeps are capped at
// maxDebugSleep.
//
// # Connections
//
// A connection opens with a command carrying Open; an Open on a known
// connection (a restarted client reusing the id) replaces it and drops the
// old one's transaction, subscriptions and WAITs; duplicated deliveries,
// also of the opening command after the connection closed, are ignored.
// A wire.Reset of a reply or push the node sent means the client process
// is gone: its connection is dropped without a Closed. A Reset of
// replication traffic means the peer process is gone: from the master the
// link is down at once ("Connection with master lost.", reconnect at the
// next cron), from a replica its link is removed at once. A node after
// SHUTDOWN answers everything with a Reset, like a host whose process
// exited.
//
// # Replication
//
// REPLICAOF host port connects at once and keeps the node's own replicas
// (they are disconnected when its history changes: a full sync, or a
// partial one that brings a new replication id); a master made a replica
// offers its own history (PSYNC id offset), a replica that never had one
// asks PSYNC ? -1 and shows offset 1 in INFO (-1 in ROLE).
// master_link_down_since_seconds counts from the first link that went down
// and is reset by REPLICAOF NO ONE. A loading node refuses PSYNC with
// -LOADING and connects to its own master only when loading ends; a master
// address is resolved again at every attempt. The WAIT GETACK travels out
// of band (Redis sends REPLCONF GETACK in the stream, which advances the
// offset), and a master's offset advances without replicas too.
//
// # Persistence
//
// Persistence none keeps nothing by itself, but SAVE, BGSAVE and SHUTDOWN
// SAVE write the dataset, and so does a replica's full sync (a disk-based
// load keeps the master's RDB as dump.rdb); a restart loads whatever was
// written. rdb also saves every SaveInterval and at SHUTDOWN; aof saves
// every second and at any SHUTDOWN. An RDB file records its replication
// history: a replica restarted from one continues it (partial resync), a
// master starts a new id with the file's as its second id up to the
// file's offset, so replicas that went further fully resync. The AOF
// records none (Redis 7.0): a restarted node starts a new history at
// offset 0.
//
// DEBUG SIMULATE-BGSAVE-ERROR 1|0 (not in Redis) makes the disk fail: with
// rdb, background saves fail and writes and PING get MISCONF if
// stop-writes-on-bgsave-error; with aof, AOF writes fail and writes and
// PING get "MISCONF Errors writing to the AOF file: No space left on
// device" whatever that setting; with none nothing is written, so nothing
// fails. Replicas are refused too (only their master's stream is exempt).
// Meanwhile nothing of the dataset is saved, SAVE answers -ERR, and a
// SHUTDOWN that would write an RDB refuses to stop ("ERR Errors trying to
// SHUTDOWN. Check logs.") unless FORCE.
//
// SHUTDOWN stops at once: Redis 7.0's wait for lagging replicas
// (shutdown-timeout) is not modelled, so SHUTDOWN ABORT always answers "No
// shutdown in progress.".
//
// Clients live in package model/client.
package model
