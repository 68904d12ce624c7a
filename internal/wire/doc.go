// Package wire is the leaf vocabulary shared by every layer of sentinelsim:
// node identities, simulated time, and the message envelope that the
// simulator carries between processes.
//
// It imports nothing from the module, so the Sentinel engine (package
// sentinel) and the Redis data nodes (package model) can speak to the
// simulator (package sim) without importing it.
//
// Time is an integer count of milliseconds. Redis Sentinel measures
// everything in milliseconds (mstime()), and integers keep every decision
// exact and reproducible on every architecture.
package wire
