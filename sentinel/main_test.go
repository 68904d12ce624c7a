package sentinel_test

import (
	"os"
	"testing"

	"github.com/sentinelsim/sentinelsim/sentinel"
)

// TestMain runs every test with the skipped visits checked: a visit the
// tick skips as quiet must change nothing (sentinel/quiet.go).
func TestMain(m *testing.M) {
	sentinel.Quiet = sentinel.QuietCheck
	os.Exit(m.Run())
}
