package quietcheck

import (
	"os"
	"testing"

	"github.com/sentinelsim/sentinelsim/sentinel"
)

// Main sets sentinel.Quiet to QuietCheck, runs the tests and exits with
// their status. Call it from TestMain.
func Main(m *testing.M) {
	sentinel.Quiet = sentinel.QuietCheck
	os.Exit(m.Run())
}
