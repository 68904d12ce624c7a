//go:build !race

package sim_test

// raceEnabled says the tests run under the race detector, which makes the
// simulator about ten times slower; long tests shorten their runs.
const raceEnabled = false
