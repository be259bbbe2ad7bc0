package plan_test

import (
	"flag"
	"os"
	"path"
	"path/filepath"
	"testing"

	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/generator/spec"
	"github.com/ledgerloop/trueup/generator/textdiff"
)

var update = flag.Bool("update", false, "rewrite the expected error texts under testdata/errors")

// TestErrors compiles each invalid spec under testdata/errors/<case>/models
// (named models in positions, as the CLI names its --models folder) and
// compares the error, one problem a line, with the case's error.txt, as
// the CLI prints it on stderr. -update rewrites error.txt.
func TestErrors(t *testing.T) {
	cases, err := filepath.Glob("testdata/errors/*")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no cases under testdata/errors")
	}
	for _, dir := range cases {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			_, err := compile(dir)
			if err == nil {
				t.Fatal("the spec compiled without error")
			}
			got := err.Error() + "\n"
			want := filepath.Join(dir, "error.txt")
			if *update {
				if err := os.WriteFile(want, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			b, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("%v (run go test ./generator/plan -run Errors -update)", err)
			}
			if string(b) != got {
				t.Errorf("error differs from %s (run with -update and review):\n%s", want, textdiff.Unified(want, "got", string(b), got))
			}
		})
	}
}

func compile(dir string) (*plan.Plan, error) {
	s, err := spec.Load(os.DirFS(path.Join(filepath.ToSlash(dir), "models")), ".", "models")
	if err != nil {
		return nil, err
	}
	return plan.Build(s)
}
