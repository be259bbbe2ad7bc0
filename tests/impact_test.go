package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/internal/app"
	"github.com/ledgerloop/trueup/internal/local"
)

// goldFields reads gold's resolved fields as customer|field -> value|source|rule.
func goldFields(t *testing.T, db queryer) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, r := range query(t, db, "SELECT customer_id || '|' || field, COALESCE(value, '<null>') || '|' || COALESCE(source, '') || '|' || COALESCE(rule, '') FROM gold.customer_fields") {
		k, v, _ := strings.Cut(r, " | ")
		out[k] = v
	}
	return out
}

// TestImpactEqualsDeployedChange: trueup impact of a rule change reports,
// per field, exactly the values and winners that running the change then
// changes in gold, with samples as gold then holds them; the database it
// reads is left as it was; an unchanged spec reports nothing (exit 0).
func TestImpactEqualsDeployedChange(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	models := filepath.Join(dir, "models")
	copyTree(t, "testdata/spec", models)
	landing := t.TempDir()
	copyTree(t, "testdata/scenario/landing", landing)
	run := runFile(t, models, db, landing)
	before := goldFields(t, run)
	run.Close()

	// No change: exit 0, nothing reported.
	var out bytes.Buffer
	if err := app.Impact(ctx, &out, app.ImpactOptions{Models: models, DB: db, Samples: 3}); err != nil {
		t.Fatalf("impact of the same spec: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "no change") {
		t.Errorf("impact of the same spec:\n%s", out.String())
	}

	// The CRM first for billing status (and plan tier, decided by the
	// same record).
	path := filepath.Join(models, "customer.yaml")
	editFile(t, path, "priority: [billing, app, crm]", "priority: [crm, billing, app]")
	out.Reset()
	err := app.Impact(ctx, &out, app.ImpactOptions{Models: models, DB: db, JSON: true, Samples: 1000, Role: "pii_reader"})
	var exit *app.ExitError
	if !errors.As(err, &exit) || exit.Code != 2 {
		t.Fatalf("impact of a rule change: %v, want exit 2", err)
	}
	var im local.Impact
	if err := json.Unmarshal(out.Bytes(), &im); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	// The database impact read is as it was.
	ro, err := local.OpenReadOnly(ctx, db, run.Plan())
	if err != nil {
		t.Fatal(err)
	}
	if got := goldFields(t, ro.DB()); !equalMaps(got, before) {
		t.Error("impact changed the database it read")
	}
	ro.Close()

	// The same change deployed: the graph runs under the new rule set
	// until its backfill is done.
	p, err := generator.Compile(models)
	if err != nil {
		t.Fatal(err)
	}
	deployed, err := local.Open(ctx, db, p)
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := deployed.RunGraph(ctx, true); err != nil {
			t.Fatal(err)
		}
		if left, err := deployed.BackfillLeft(ctx); err != nil || left == 0 {
			break
		}
	}
	after := goldFields(t, deployed.DB())
	// The samples show PII opened (pii_reader): gold holds it sealed.
	opened := map[string]string{}
	for k, v := range after {
		if f := strings.SplitN(k, "|", 2)[1]; f == "email" || f == "account_owner" {
			val, rest, _ := strings.Cut(v, "|")
			if val != "<null>" {
				val = deployed.OpenValue(val)
			}
			v = val + "|" + rest
		}
		opened[k] = v
	}
	deployed.Close()
	values, winners := map[string]int64{}, map[string]int64{}
	for k := range union(before, after) {
		field := strings.SplitN(k, "|", 2)[1]
		b, okb := before[k]
		a, oka := after[k]
		bv, _, _ := strings.Cut(b, "|")
		av, _, _ := strings.Cut(a, "|")
		if okb != oka || bv != av {
			values[field]++
		}
		if okb != oka || b[len(bv):] != a[len(av):] {
			winners[field]++
		}
	}
	changed := false
	for _, f := range im.Fields {
		if f.ValuesChanged != values[f.Field] || f.WinnersMoved != winners[f.Field] {
			t.Errorf("%s: impact %d values, %d winners; the deployed change %d, %d", f.Field, f.ValuesChanged, f.WinnersMoved, values[f.Field], winners[f.Field])
		}
		changed = changed || f.WinnersMoved > 0
		for _, s := range f.Samples {
			want, ok := opened[s.Customer+"|"+f.Field]
			got := "<absent>"
			if s.After != nil {
				v := "<null>"
				if s.After.Value != nil {
					v = *s.After.Value
				}
				got = v + "|" + s.After.Source + "|" + s.After.Rule
			}
			if !ok {
				want = "<absent>"
			}
			if got != want {
				t.Errorf("sample %s %s: impact says %s, gold after the change %s", s.Customer, f.Field, got, want)
			}
		}
	}
	if !changed || winners["billing_status"] == 0 || values["plan_tier"] == 0 {
		t.Errorf("the change moved no billing status, or changed no plan tier: %+v", im.Fields)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func union(a, b map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}
