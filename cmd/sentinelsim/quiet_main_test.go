package main

import (
	"os"
	"testing"

	"github.com/sentinelsim/sentinelsim/sentinel"
)

// TestMain runs every test with the sentinels' skipped visits checked: a
// visit the tick skips as quiet must change nothing (sentinel/quiet.go).
func TestMain(m *testing.M) {
	sentinel.Quiet = sentinel.QuietCheck
	os.Exit(m.Run())
}

func TestSetQuiet(t *testing.T) {
	defer func(old sentinel.QuietMode) { sentinel.Quiet = old }(sentinel.Quiet)
	for text, want := range map[string]sentinel.QuietMode{"": sentinel.QuietSkip, "skip": sentinel.QuietSkip, "check": sentinel.QuietCheck, "off": sentinel.QuietOff} {
		if err := setQuiet(text); err != nil || sentinel.Quiet != want {
			t.Errorf("SENTINELSIM_QUIET=%q: mode %d, error %v; want mode %d", text, sentinel.Quiet, err, want)
		}
	}
	if err := setQuiet("never"); err == nil {
		t.Error(`SENTINELSIM_QUIET="never" was accepted`)
	}
}
