package redisconf

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sentinelsim/sentinelsim/internal/confargs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzParse: Parse never panics, is deterministic, accepts only
// configurations the model accepts, and every error names a line of the
// file and that line's text. Seeds: the small testdata files and
// testdata/fuzz/FuzzParse (TestDebianConf covers the big one).
func FuzzParse(f *testing.F) {
	for _, pat := range []string{"testdata/*.conf", "testdata/seeds/*.conf"} {
		files, _ := filepath.Glob(pat)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil && len(b) < 4096 { // small seeds fuzz faster
				f.Add(b)
			}
		}
	}
	f.Add([]byte("replicaof 10.0.0.2 6379\nsave 900 1\nsave \"\"\nappendonly yes\nrename-command get x\n"))
	f.Add([]byte("port 1\x00x\nsave 1 2\nclient-output-buffer-limit normal 1mb 2mb 3\nbind a b\n"))
	f.Add([]byte("cluster-enabled yes\nslaveof a 1\n"))
	b := base()
	b.Directory = fakeDirectory{}
	f.Fuzz(func(t *testing.T, text []byte) {
		c, err := Parse("f.conf", text, b)
		c2, err2 := Parse("f.conf", text, b)
		assert.Equal(t, c, c2)
		assert.Equal(t, err, err2)
		if err == nil {
			require.NoError(t, c.Validate())
			return
		}
		var e *Error
		require.True(t, errors.As(err, &e), "%v", err)
		lines := strings.Split(confargs.LoadText(text), "\n")
		require.GreaterOrEqual(t, e.Line, 1, "%v", err)
		require.LessOrEqual(t, e.Line, len(lines), "%v", err)
		require.LessOrEqual(t, e.Line, strings.Count(string(text), "\n")+1, "%v", err)
		require.Equal(t, confargs.TrimLine(lines[e.Line-1]), e.Text, "%v", err)
		require.NotEmpty(t, e.Msg)
		require.Equal(t, "f.conf", e.File)
	})
}
