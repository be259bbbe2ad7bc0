package tests

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/internal/local"
)

// TestHistoryUpgrade: a database written when gold.customer_master_history
// was one table opens with that table renamed to
// gold.customer_master_versions, its open current versions moved to
// gold.customer_master_open and the history a view of both; the history
// reads as it did, and later batches (late data among them) give what a
// database created with the new layout gives.
func TestHistoryUpgrade(t *testing.T) {
	p, err := generator.Compile("testdata/spec")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	dir := t.TempDir()
	openAt := func(path string) *local.Runner {
		run, err := local.Open(ctx, path, p)
		if err != nil {
			t.Fatal(err)
		}
		return run
	}
	fresh, oldPath := openAt(filepath.Join(dir, "fresh.duckdb")), filepath.Join(dir, "old.duckdb")
	defer fresh.Close()
	old := openAt(oldPath)
	landing := t.TempDir()
	land(t, landing, "1.json", appEvent("c", 100, 0, "acct_1", "a@x.io"), appEvent("u", 300, 10*day, "acct_1", "b@x.io"),
		appEvent("c", 110, day, "acct_2", "z@x.io"))
	runOnce(t, fresh, landing)
	runOnce(t, old, landing)
	history := "SELECT * EXCLUDE (recorded_at) FROM gold.customer_master_history ORDER BY ALL"
	before := query(t, old.DB(), history)
	var cols []string
	for _, c := range p.Object(ir.Ref{Schema: "gold", Name: "customer_master_open"}).Columns {
		cols = append(cols, c.Name)
	}
	for _, q := range []string{
		"DROP VIEW gold.customer_master_history",
		"ALTER TABLE gold.customer_master_versions RENAME TO customer_master_history",
		"INSERT INTO gold.customer_master_history (" + strings.Join(cols, ", ") + ", superseded_at) SELECT " + strings.Join(cols, ", ") + ", NULL FROM gold.customer_master_open",
		"DROP TABLE gold.customer_master_open",
	} {
		if _, err := old.DB().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	old.Close()
	old = openAt(oldPath)
	defer old.Close()
	if after := query(t, old.DB(), history); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("history after the upgrade differs:\n%s", firstDiff(strings.Join(before, "\n"), strings.Join(after, "\n")))
	}
	var open int
	if err := old.DB().QueryRow("SELECT COUNT(*) FROM gold.customer_master_open").Scan(&open); err != nil || open != 2 {
		t.Errorf("open versions after the upgrade: %d (%v), want 2", open, err)
	}
	checkHistory(t, old.DB())
	land(t, landing, "2.json", appEvent("u", 200, 5*day, "acct_1", "c@x.io"), appEvent("u", 120, 2*day, "acct_2", "y@x.io"))
	land(t, landing, "3.json", appEvent("u", 400, 20*day, "acct_1", "d@x.io"))
	runOnce(t, fresh, landing)
	runOnce(t, old, landing)
	// Compared by value: version_hash hashes the stored tokens, which each
	// database's keys make its own; sorted once opened.
	versions := "SELECT * EXCLUDE (version_hash, recorded_at, superseded_at), superseded_at IS NULL FROM gold.customer_master_history"
	sorted := func(rows []string) string { sort.Strings(rows); return strings.Join(rows, "\n") }
	if a, b := sorted(query(t, fresh.DB(), versions)), sorted(query(t, old.DB(), versions)); a != b {
		t.Errorf("history of the upgraded database differs from a new one's:\n%s", firstDiff(a, b))
	}
}
