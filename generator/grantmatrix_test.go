package generator_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/textdiff"
)

// TestGrantMatrix fixes the roles' grants and the PII columns of the
// project's spec as a readable table (testdata/grants.md): a change to
// who may read what shows in the diff of that file.
func TestGrantMatrix(t *testing.T) {
	p, err := generator.Compile("../tests/testdata/spec")
	if err != nil {
		t.Fatal(err)
	}
	got := p.GrantMatrix()
	path := filepath.Join("testdata", "grants.md")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v: run go test ./generator -run GrantMatrix -update", err)
	}
	if string(want) != got {
		t.Errorf("the grant matrix differs from %s (run go test ./generator -run GrantMatrix -update and review):\n%s", path,
			textdiff.Unified(path, "generated", string(want), got))
	}
}
