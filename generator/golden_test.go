package generator_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/emit"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// cases are the spec folders under testdata; each holds models/ and, per
// dialect, the expected tree.
func cases(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			if _, err := os.Stat(filepath.Join("testdata", e.Name(), "models")); err == nil {
				out = append(out, e.Name())
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no golden cases under testdata")
	}
	return out
}

func render(t *testing.T, models, dialectName string) map[string][]byte {
	t.Helper()
	p, err := generator.Compile(models)
	if err != nil {
		t.Fatalf("compile %s: %v", models, err)
	}
	files, err := generator.Render(p, dialectName)
	if err != nil {
		t.Fatal(err)
	}
	return emit.Tree(files)
}

func TestGolden(t *testing.T) {
	for _, c := range cases(t) {
		for _, d := range dialect.Names() {
			t.Run(c+"/"+d, func(t *testing.T) {
				want := filepath.Join("testdata", c, "want", d)
				got := render(t, filepath.Join("testdata", c, "models"), d)
				if *update {
					if err := os.RemoveAll(want); err != nil {
						t.Fatal(err)
					}
					if err := generator.WriteTree(want, got); err != nil {
						t.Fatal(err)
					}
					return
				}
				onDisk, err := generator.ReadTree(want)
				if err != nil {
					t.Fatal(err)
				}
				if len(onDisk) == 0 {
					t.Fatalf("no golden files in %s: run go test ./generator -update", want)
				}
				if diff := generator.Diff(want, onDisk, got); diff != "" {
					t.Errorf("generated SQL differs from %s (run go test ./generator -update and review):\n%s", want, diff)
				}
			})
		}
	}
}

// TestModelsMatchSQL guards the checked-in sql/ the same way CI's
// make check-generated does.
func TestModelsMatchSQL(t *testing.T) {
	got := render(t, "../models", "snowflake")
	onDisk, err := generator.ReadTree("../sql")
	if err != nil {
		t.Fatal(err)
	}
	if diff := generator.Diff("sql", onDisk, got); diff != "" {
		t.Errorf("sql/ is stale: run trueup generate\n%s", diff)
	}
}

func TestDeterministic(t *testing.T) {
	for _, models := range []string{"../tests/testdata/spec", "testdata/hostile/models", "testdata/rules/models"} {
		for _, d := range dialect.Names() {
			a, b := render(t, models, d), render(t, models, d)
			if len(a) != len(b) {
				t.Fatalf("%s %s: %d files, then %d", models, d, len(a), len(b))
			}
			names := make([]string, 0, len(a))
			for n := range a {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				if !bytes.Equal(a[n], b[n]) {
					t.Errorf("%s %s: %s differs between two runs", models, d, n)
				}
				if bytes.Contains(a[n], []byte("\r")) {
					t.Errorf("%s %s: %s has a carriage return", models, d, n)
				}
				for _, leak := range []string{"/work/", "/tmp/", "/home/"} {
					if bytes.Contains(a[n], []byte(leak)) {
						t.Errorf("%s %s: %s contains an absolute path (%s)", models, d, n, leak)
					}
				}
			}
		}
	}
}
