package scenarios

import (
	"embed"
	"errors"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// library holds the scenario library: every file of library/ is a scenario
// with its source and expected verdict. The files are compiled in, so the
// binary needs nothing next to it; config-file references inside them are
// read from library/ too.
//
//go:embed library/*.yaml library/conf
var library embed.FS

// Library parses every scenario of the library, sorted by name.
func Library() ([]*File, error) {
	entries, err := fs.ReadDir(library, "library")
	if err != nil {
		return nil, err
	}
	var out []*File
	var errs []error
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		f, err := parseLibrary(e.Name())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b *File) int { return strings.Compare(a.Name, b.Name) })
	return out, errors.Join(errs...)
}

func parseLibrary(name string) (*File, error) {
	p := path.Join("library", name)
	text, err := library.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return Parse(p, text, func(ref string) ([]byte, error) {
		return library.ReadFile(path.Join("library", path.Clean("/" + ref)[1:]))
	})
}

// Find returns the library scenario with that name.
func Find(name string) (*File, bool) {
	all, _ := Library()
	for _, f := range all {
		if f.Name == name {
			return f, true
		}
	}
	return nil, false
}

// Path returns where the scenario was read from.
func (f *File) Path() string { return f.file }
