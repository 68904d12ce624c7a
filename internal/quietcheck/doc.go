// Package quietcheck is the TestMain of every test binary that runs
// sentinels: it runs the tests with sentinel.QuietCheck, so that every
// visit a sentinel's tick skips as quiet is run anyway and must change
// nothing (sentinel/quiet.go).
package quietcheck
