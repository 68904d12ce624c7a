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
// dataset (LOADING for a while).
//
// Clients live in package model/client.
package model
