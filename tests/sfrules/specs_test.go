package sfrules

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/ledgerloop/trueup/internal/testenv"
	"github.com/ledgerloop/trueup/tests/sfparse"
)

// specs are the spec folders the generated statements come from: the
// project's models and every golden case of the generator.
func specs(t *testing.T) []string {
	t.Helper()
	out := []string{"../testdata/spec"}
	dirs, err := filepath.Glob("../../generator/testdata/*/models")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("no golden specs under generator/testdata")
	}
	return append(out, dirs...)
}

func requireParser(t *testing.T) {
	t.Helper()
	if err := sfparse.Available(); err != nil {
		testenv.MissingTool(t, testenv.ToolParser, err.Error(), "")
	}
}

var (
	setsOnce sync.Once
	setsErr  error
	sets     map[string]*Set
)

// generated returns the parsed statement set of each spec, built once for
// the package's tests.
func generated(t *testing.T) map[string]*Set {
	t.Helper()
	requireParser(t)
	setsOnce.Do(func() {
		sets = map[string]*Set{}
		for _, dir := range specs(t) {
			s, err := Gather(dir)
			if err != nil {
				setsErr = err
				return
			}
			if err := s.Parse(); err != nil {
				setsErr = err
				return
			}
			sets[dir] = s
		}
	})
	if setsErr != nil {
		t.Fatal(setsErr)
	}
	return sets
}
