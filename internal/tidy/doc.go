// Package tidy holds no code, only a test that enforces the project's rules
// mechanically: the direction of imports between packages (DESIGN.md's
// layer table) and, inside the simulated world (sim, sentinel, model), no
// wall clock, no global randomness, no goroutines, no select, no files or
// sockets. A rule broken by a new file fails `make test` with the file and
// line.
package tidy
