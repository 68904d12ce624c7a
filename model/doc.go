// Package model holds the simulated Redis data nodes (roles, REPLICAOF,
// asynchronous replication, the INFO and ROLE text Sentinel parses, pub/sub,
// auth) and clients, as pure state machines driven by package sim.
//
// Status: not written yet (issue 3).
package model
