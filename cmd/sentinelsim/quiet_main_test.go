package main

import (
	"testing"

	"github.com/sentinelsim/sentinelsim/internal/quietcheck"
	"github.com/sentinelsim/sentinelsim/sentinel"
)

// TestMain runs every test with the sentinels' skipped visits checked
// (internal/quietcheck).
func TestMain(m *testing.M) { quietcheck.Main(m) }

func TestParseQuiet(t *testing.T) {
	for text, want := range map[string]sentinel.QuietMode{"": sentinel.QuietSkip, "skip": sentinel.QuietSkip, "check": sentinel.QuietCheck, "off": sentinel.QuietOff} {
		if got, err := parseQuiet(text); err != nil || got != want {
			t.Errorf("SENTINELSIM_QUIET=%q: mode %d, error %v; want mode %d", text, got, err, want)
		}
	}
	if _, err := parseQuiet("never"); err == nil {
		t.Error(`SENTINELSIM_QUIET="never" was accepted`)
	}
}
