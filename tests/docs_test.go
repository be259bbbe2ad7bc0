package tests

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/sample"
	"github.com/ledgerloop/trueup/internal/app"
	"github.com/ledgerloop/trueup/internal/docs"
	"github.com/ledgerloop/trueup/internal/local"
)

// TestDocsStats: the documentation site of a database that ran the
// pipeline on sample files shows each field's conflict rate and the
// values each rule decided, with figures that agree with gold: rates in
// [0, 1], rule counts adding up to the field's resolved values, as many
// resolved values as gold.customer_fields holds; and no value of gold.
func TestDocsStats(t *testing.T) {
	ctx := context.Background()
	const models = "testdata/spec"
	dir := t.TempDir()
	landing, db, site := filepath.Join(dir, "landing"), filepath.Join(dir, "t.duckdb"), filepath.Join(dir, "site")
	var out bytes.Buffer
	if err := app.Sample(&out, app.SampleOptions{Models: models, Out: landing, Writer: sample.Options{Customers: 60, Seed: 7}}); err != nil {
		t.Fatal(err)
	}
	if err := app.RunLocal(ctx, &out, app.RunOptions{Models: models, DB: db, Landing: landing, Once: true}); err != nil {
		t.Fatal(err)
	}

	p, err := generator.Compile(models)
	if err != nil {
		t.Fatal(err)
	}
	run, err := local.OpenReadOnly(ctx, db, p)
	if err != nil {
		t.Fatal(err)
	}
	stats, err := run.DocsStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	resolved := map[string]int64{}
	for _, row := range query(t, &sqlDB{run}, "SELECT field, COUNT(*) FROM gold.customer_fields GROUP BY field") {
		var f string
		var n int64
		if _, err := fmt.Sscanf(strings.ReplaceAll(row, " | ", " "), "%s %d", &f, &n); err != nil {
			t.Fatalf("%q: %v", row, err)
		}
		resolved[f] = n
	}
	// The values gold holds (opened), which the page must not show.
	var secrets []string
	for _, v := range query(t, &sqlDB{run}, "SELECT DISTINCT value FROM gold.customer_fields WHERE value IS NOT NULL") {
		if v = strings.TrimSpace(v); len(v) > 3 {
			secrets = append(secrets, v)
		}
	}
	run.Close()

	if stats.Customers < 50 {
		t.Fatalf("%d customers in gold: the sample is too small to test", stats.Customers)
	}
	if len(stats.Fields) != len(p.Spec.Fields) {
		t.Fatalf("figures of %d fields, want %d", len(stats.Fields), len(p.Spec.Fields))
	}
	conflicts := int64(0)
	for i, f := range stats.Fields {
		if f.Field != p.Spec.Fields[i].Name {
			t.Errorf("field %d is %s, want %s (the spec's order)", i, f.Field, p.Spec.Fields[i].Name)
		}
		if r := f.ConflictRate(); r < 0 || r > 1 {
			t.Errorf("%s: conflict rate %v", f.Field, r)
		}
		if f.Customers == 0 || f.Customers > stats.Customers || f.Customers != resolved[f.Field] {
			t.Errorf("%s: %d customers with a value, gold has %d customers and %d values of it", f.Field, f.Customers, stats.Customers, resolved[f.Field])
		}
		if f.Decided() != f.Customers {
			t.Errorf("%s: the rules decided %d values, %d are resolved", f.Field, f.Decided(), f.Customers)
		}
		if len(f.Rules) == 0 {
			t.Errorf("%s: no rule decided a value", f.Field)
		}
		conflicts += f.Conflicts
	}
	if conflicts == 0 {
		t.Error("no conflict in a sample that has conflicts")
	}

	if err := app.Docs(ctx, &out, app.DocsOptions{Models: models, Out: site, DB: db}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(site, docs.IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	if !strings.Contains(page, fmt.Sprintf("%d customers in gold", stats.Customers)) {
		t.Error("the page does not say how many customers gold has")
	}
	for _, f := range stats.Fields {
		want := fmt.Sprintf("%d of %d customers (%.1f%%)", f.Conflicts, f.Customers, 100*f.ConflictRate())
		if !strings.Contains(page, want) {
			t.Errorf("%s: %q is not on the page", f.Field, want)
		}
		for _, r := range f.Rules {
			if !strings.Contains(page, fmt.Sprintf("<td><code>%s</code></td><td class=\"n\">%d</td>", r.Rule, r.Values)) {
				t.Errorf("%s: rule %s deciding %d values is not on the page", f.Field, r.Rule, r.Values)
			}
		}
	}
	if len(secrets) < 20 {
		t.Fatalf("only %d values in gold: too few to test", len(secrets))
	}
	// A value that the spec itself names (a status such as active, an
	// accepted value) is on the page without figures too: no leak.
	bare, err := docs.Render(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if strings.Contains(page, s) && !strings.Contains(string(bare), s) {
			t.Errorf("the page shows the value %q", s)
		}
	}
}
