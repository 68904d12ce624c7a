package conformance

import (
	"testing"

	"github.com/sentinelsim/sentinelsim/internal/quietcheck"
)

// TestMain runs every test with the sentinels' skipped visits checked
// (internal/quietcheck).
func TestMain(m *testing.M) { quietcheck.Main(m) }
