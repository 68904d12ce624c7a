package tidy

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/sentinelsim/sentinelsim"

// leaves are the packages anything may import.
var leaves = []string{"internal/wire", "internal/history", "internal/info", "internal/confargs", "internal/acl", "internal/facts"}

// allowedImports lists, for each package directory, the module packages it
// may import besides the leaves. A package missing here fails the test, so a
// new package must take a place in the layering on purpose.
var allowedImports = map[string][]string{
	"internal/wire":         {},
	"internal/history":      {},
	"internal/info":         {},
	"internal/confargs":     {},
	"internal/acl":          {},
	"internal/facts":        {},
	"internal/tidy":         {},
	"sentinel":              {"sentinel/conf"},
	"sentinel/conf":         {},
	"sentinel/logs":         {},
	"model":                 {"model/keyspace"},
	"model/keyspace":        {},
	"model/redisconf":       {"model"},
	"model/client":          {},
	"sim":                   {"internal/tracesink"},
	"internal/tracesink":    {},
	"internal/quietcheck":   {"sentinel"}, // test binaries only: the TestMain that checks skipped visits
	"checker":               {},
	"reports":               {"checker", "scenarios"},
	"scenarios/replay":      {"scenarios", "sentinel", "sentinel/logs", "reports"},
	"scenarios/conformance": {"scenarios", "scenarios/replay", "sentinel/logs"},
	"scenarios/bench":       {"scenarios", "checker", "internal/history"},
	"internal/traffic":      {"sim"},
	"scenarios":             {"sim", "sentinel", "sentinel/conf", "model", "model/keyspace", "model/redisconf", "model/client", "checker", "internal/traffic"},
	"cmd/sentinelsim":       {"*"},
}

// thirdParty lists the modules outside the standard library each package
// may import in non-test files (DESIGN.md: checker imports porcupine;
// the keyspace wraps miniredis; scenario files are YAML; the fuzzer draws
// schedules with rapid); others none.
var thirdParty = map[string][]string{
	"model/keyspace":  {"github.com/alicebob/miniredis/v2"},
	"checker":         {"github.com/anishathalye/porcupine"},
	"scenarios":       {"go.yaml.in/yaml/v3", "pgregory.net/rapid"},
	"cmd/sentinelsim": {"*"},
}

// pure are the packages of the simulated world: everything in them must be
// deterministic under the simulator. model/keyspace is the one exception by
// design: it wraps miniredis, which needs a time.Time; it sets that time from
// the node's simulated clock before every command.
var pure = []string{"internal/facts", "sim", "sentinel", "sentinel/conf", "model", "model/redisconf", "model/client", "internal/info", "internal/acl", "internal/history", "internal/confargs", "internal/traffic"}

// composers may import sim without being part of the simulated world: they
// build worlds and run them.
var composers = []string{"scenarios", "cmd/sentinelsim"}

// bannedImports may not appear in pure packages (non-test files).
var bannedImports = map[string]string{
	"crypto/rand": "randomness comes from the run seed: draw from a seeded *rand.Rand",
	"math/rand":   "use a *rand.Rand from math/rand/v2 seeded by the simulator",
	"os":          "the simulated world has no files: persist through the Context",
	"net":         "the simulated world has no sockets: send through the Context",
	"runtime":     "GOMAXPROCS, goroutines and the scheduler are not part of the simulated world",
	"sync":        "the simulated world is single-threaded",
	"time":        "time is passed in as wire.Time; durations are wire.Duration",
}

// randConstructors are the math/rand/v2 functions that make a generator;
// every other package-level function uses the global, unseeded source.
var randConstructors = []string{"New", "NewPCG", "NewChaCha8", "NewZipf"}

func root(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

type goFile struct {
	pkgDir string // relative to the module root, slash-separated
	path   string
	test   bool
	ast    *ast.File
	fset   *token.FileSet
}

func parseAll(t *testing.T) []goFile {
	t.Helper()
	top := root(t)
	var files []goFile
	err := filepath.WalkDir(top, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != top && (strings.HasPrefix(name, ".") || name == "testdata" || name == "bin") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(top, filepath.Dir(path))
		files = append(files, goFile{
			pkgDir: filepath.ToSlash(rel), path: path, ast: f, fset: fset,
			test: strings.HasSuffix(path, "_test.go"),
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestImportDirection enforces DESIGN.md's layering: no package imports one
// above it, and sentinel and model never import sim.
func TestImportDirection(t *testing.T) {
	for _, f := range parseAll(t) {
		if f.test {
			continue // external tests may assemble worlds from any layer
		}
		allowed, known := allowedImports[f.pkgDir]
		if !known {
			t.Errorf("%s: package %s has no place in the layering: add it to allowedImports", f.path, f.pkgDir)
			continue
		}
		for _, imp := range f.ast.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			dep, ok := strings.CutPrefix(p, module+"/")
			if !ok {
				if first, _, _ := strings.Cut(p, "/"); strings.Contains(first, ".") && !allowedModule(thirdParty[f.pkgDir], p) {
					t.Errorf("%s: %s may not import %s (allowed modules: %v)", f.fset.Position(imp.Pos()), f.pkgDir, p, thirdParty[f.pkgDir])
				}
				continue
			}
			if slices.Contains(leaves, dep) || slices.Contains(allowed, "*") || slices.Contains(allowed, dep) {
				continue
			}
			t.Errorf("%s: %s may not import %s (allowed: leaves and %v)", f.fset.Position(imp.Pos()), f.pkgDir, dep, allowed)
		}
	}
}

// allowedModule reports whether import path p belongs to one of mods.
func allowedModule(mods []string, p string) bool {
	return slices.ContainsFunc(mods, func(m string) bool { return m == "*" || p == m || strings.HasPrefix(p, m+"/") })
}

// TestProcessPackagesArePure: a package that may import sim (to plug
// processes into worlds) is part of the simulated world and must be in pure,
// unless it is a composition root that builds and runs worlds.
func TestProcessPackagesArePure(t *testing.T) {
	for dir, allowed := range allowedImports {
		if slices.Contains(allowed, "sim") && !slices.Contains(composers, dir) && !slices.Contains(pure, dir) {
			t.Errorf("%s may import sim but is not in pure: its processes run in the simulated world", dir)
		}
	}
}

// TestSimulatedWorldIsDeterministic bans what would make a seed stop
// replaying: the wall clock, global randomness, goroutines, select, files
// and sockets.
func TestSimulatedWorldIsDeterministic(t *testing.T) {
	for _, f := range parseAll(t) {
		if f.test || !slices.Contains(pure, f.pkgDir) {
			continue
		}
		for _, v := range impurities(f.fset, f.ast) {
			if !exempt(f.path, v) {
				t.Error(v)
			}
		}
	}
}

// exemptImports are banned imports that one file of the simulated world
// may have, each with why: "file import", the file's path in the module.
var exemptImports = map[string]string{
	// A rewrite renders sentinel.conf where the trace is formatted, on
	// other goroutines (wire.LazyPersister): its pool only lends scratch
	// memory, which each rewrite resets, so nothing it does depends on
	// what ran before it or where.
	"sentinel/conf/rewrite.go sync": "a pool of rewrite states for renders on the trace's goroutines",
}

// exempt reports whether violation v, found in the file at path, is one
// exemptImports allows.
func exempt(path, v string) bool {
	for k := range exemptImports {
		file, imp, _ := strings.Cut(k, " ")
		if strings.HasSuffix(filepath.ToSlash(path), "/"+file) && strings.Contains(v, "import "+strconv.Quote(imp)+" ") {
			return true
		}
	}
	return false
}

// impurities lists what in one file of the simulated world breaks
// determinism, each as "file:line: what".
func impurities(fset *token.FileSet, f *ast.File) []string {
	var out []string
	randName := ""
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if why, banned := bannedImports[p]; banned {
			out = append(out, fmt.Sprintf("%s: import %q in the simulated world: %s", fset.Position(imp.Pos()), p, why))
		}
		if p == "math/rand/v2" {
			randName = "rand"
			if imp.Name != nil {
				randName = imp.Name.Name
			}
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			out = append(out, fmt.Sprintf("%s: go statement in the simulated world: it is single-threaded", fset.Position(n.Pos())))
		case *ast.SelectStmt:
			out = append(out, fmt.Sprintf("%s: select in the simulated world: its choice is random", fset.Position(n.Pos())))
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok && randName != "" && id.Name == randName &&
				ast.IsExported(n.Sel.Name) && !slices.Contains(randConstructors, n.Sel.Name) && !isType(n.Sel.Name) {
				out = append(out, fmt.Sprintf("%s: %s.%s uses the global random source: draw from a seeded *rand.Rand", fset.Position(n.Pos()), randName, n.Sel.Name))
			}
		}
		return true
	})
	return out
}

// isType reports whether name is one of math/rand/v2's types, which are fine
// to name.
func isType(name string) bool {
	switch name {
	case "Rand", "Source", "PCG", "ChaCha8", "Zipf":
		return true
	}
	return false
}

// TestRulesCatchViolations makes sure the checks above can fail: a file
// breaking every rule must be reported for each, and seeded generators must
// not be.
func TestRulesCatchViolations(t *testing.T) {
	src := `package sim
import (
	"crypto/rand"
	"runtime"
	"time"
	r "math/rand/v2"
)
func bad() {
	_ = time.Now()
	_ = r.IntN(3)
	_ = r.New(r.NewPCG(1, 2))
	go bad()
	select {}
}`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "bad.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	found := strings.Join(impurities(fset, f), "\n")
	for _, want := range []string{`import "time"`, `import "crypto/rand"`, `import "runtime"`, "r.IntN uses the global", "go statement", "select in"} {
		if !strings.Contains(found, want) {
			t.Errorf("the rules missed %q; they found:\n%s", want, found)
		}
	}
	for _, fine := range []string{"r.New ", "r.NewPCG"} {
		if strings.Contains(found, fine) {
			t.Errorf("the rules flag the seeded constructor %s:\n%s", fine, found)
		}
	}
	if n := strings.Count(found, "\n") + 1; n != 6 {
		t.Errorf("want exactly 6 findings, got %d:\n%s", n, found)
	}
}
