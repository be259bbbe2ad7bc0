package tests

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/generator/sample"
	"github.com/ledgerloop/trueup/generator/textdiff"
	"github.com/ledgerloop/trueup/internal/app"
)

// The README's sample output is what `make demo` prints, run here with the
// same spec, customers and seed: it cannot go stale. TRUEUP_UPDATE_README=1
// writes the current output into the README.
const (
	readmeBegin = "<!-- make demo output: written by tests/readme_test.go -->\n```\n"
	readmeEnd   = "```\n<!-- end of make demo output -->"
)

// elapsed matches the wall time a batch line ends with ("2.757s",
// "812ms", "1m3.2s"): the one part of the output that is not a function of
// the spec and the sample.
var elapsed = regexp.MustCompile(`(?m)(tasks, \d+ failed, )[0-9][0-9.hms]*$`)

func TestReadmeSampleOutput(t *testing.T) {
	dir := t.TempDir()
	landing := filepath.Join(dir, "landing")
	var out bytes.Buffer
	// make demo: trueup sample --customers 200 --seed 7, then run --local --once.
	if err := app.Sample(&out, app.SampleOptions{Models: "../models", Out: landing, Writer: sample.Options{Customers: 200, Seed: 7}}); err != nil {
		t.Fatal(err)
	}
	o := app.RunOptions{Models: "../models", DB: filepath.Join(dir, "trueup.duckdb"), Landing: landing, Once: true}
	o.Local.Settle = 0
	if err := app.RunLocal(context.Background(), &out, o); err != nil {
		t.Fatal(err)
	}
	// make demo works in .landing/demo.
	got := strings.ReplaceAll(out.String(), dir, ".landing/demo")
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	i := strings.Index(text, readmeBegin)
	j := strings.Index(text, readmeEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md: no block between %q and %q", readmeBegin, readmeEnd)
	}
	shown := text[i+len(readmeBegin) : j]
	if os.Getenv("TRUEUP_UPDATE_README") == "1" {
		if err := os.WriteFile("../README.md", []byte(text[:i+len(readmeBegin)]+got+text[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	norm := func(s string) string { return elapsed.ReplaceAllString(s, "${1}<elapsed>") }
	if norm(shown) != norm(got) {
		t.Errorf("README.md's sample output is not what make demo prints (TRUEUP_UPDATE_README=1 go test ./tests -run TestReadmeSampleOutput rewrites it):\n%s", textdiff.Unified("README.md", "make demo", norm(shown), norm(got)))
	}
}
