package scaffold_test

import (
	"path"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/generator/spec"
	"github.com/ledgerloop/trueup/internal/scaffold"
)

// TestModelsValidate loads the embedded starter spec and its rule tests
// as trueup validate does.
func TestModelsValidate(t *testing.T) {
	s, err := spec.Load(scaffold.Models(), ".", "models")
	if err != nil {
		t.Fatalf("the starter spec does not validate:\n%v", err)
	}
	if got := strings.Join(s.SourceNames(), ","); got != "app,crm,billing" {
		t.Errorf("sources %s, want app,crm,billing", got)
	}
	formats := map[string]bool{}
	for _, src := range s.Sources {
		formats[src.Format] = true
	}
	for _, f := range []string{spec.FormatDebezium, spec.FormatSalesforceCDC, spec.FormatStripeEvents} {
		if !formats[f] {
			t.Errorf("no source of format %s", f)
		}
	}
	tests, err := spec.LoadRuleTests(scaffold.Models(), "tests", "models/tests", s)
	if err != nil {
		t.Fatalf("the starter rule tests do not validate:\n%v", err)
	}
	if len(tests) == 0 {
		t.Error("no rule tests")
	}
}

func TestFiles(t *testing.T) {
	want := map[string]bool{".gitignore": true, "trueup.yaml": true, "models/customer.yaml": true,
		"models/project.yaml": true, "models/sources.yaml": true, "models/tests/rules.yaml": true,
		".trueup/schema/spec.schema.json": true, ".trueup/schema/rule-tests.schema.json": true, ".trueup/schema/overrides.schema.json": true}
	for _, f := range scaffold.Files() {
		if !want[f.Path] {
			t.Errorf("unexpected file %s", f.Path)
		}
		delete(want, f.Path)
		if strings.HasPrefix(f.Path, "models/") && !strings.HasPrefix(string(f.Data), "# yaml-language-server: $schema=") {
			t.Errorf("%s: no yaml-language-server modeline on its first line", f.Path)
		}
		if strings.Contains(string(f.Data), "\r") {
			t.Errorf("%s: CR in a template", f.Path)
		}
	}
	// Each modeline names a schema the project holds.
	have := map[string]bool{}
	for _, f := range scaffold.Files() {
		have[f.Path] = true
	}
	for _, f := range scaffold.Files() {
		first, _, _ := strings.Cut(string(f.Data), "\n")
		if ref, ok := strings.CutPrefix(first, "# yaml-language-server: $schema="); ok {
			if p := path.Join(path.Dir(f.Path), ref); !have[p] {
				t.Errorf("%s: its modeline names %s, which init does not write", f.Path, p)
			}
		}
	}
	for p := range want {
		t.Errorf("missing file %s", p)
	}
}
