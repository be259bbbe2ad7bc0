package tests

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/internal/local"
)

// TestRulesetChange: changing a rule gives a new rule-set version; the next
// run re-resolves every customer (even those without new data), history
// records which version decided each value, and nothing is lost.
func TestRulesetChange(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "t.duckdb")
	models := filepath.Join(dir, "models")
	copyTree(t, "testdata/spec", models)
	landing := t.TempDir()
	copyTree(t, "testdata/scenario/landing", landing)

	first := runFile(t, models, dbPath, landing)
	if got := query(t, first, "SELECT value || ' ' || source FROM gold.customer_fields WHERE customer_id = 'acct_1' AND field = 'billing_status'"); got[0] != "active billing" {
		t.Fatalf("before: %v", got)
	}
	oldVersion := query(t, first, "SELECT DISTINCT ruleset_version FROM gold.customer_fields")
	first.Close()

	// Prefer the CRM for billing status now.
	path := filepath.Join(models, "customer.yaml")
	editFile(t, path, "priority: [billing, app, crm]", "priority: [crm, billing, app]")
	// One new line, for an unrelated customer: the run is triggered, and
	// every customer must be re-resolved anyway.
	land(t, landing, "9.json", appEvent("c", 900, 60*day, "acct_9", "new@x.io"))
	second := runFile(t, models, dbPath, landing)
	defer second.Close()

	if got := query(t, second, "SELECT value || ' ' || source FROM gold.customer_fields WHERE customer_id = 'acct_1' AND field = 'billing_status'"); got[0] != "active crm" {
		t.Errorf("after the rule change acct_1 billing_status = %v, want active crm", got)
	}
	versions := query(t, second, "SELECT DISTINCT ruleset_version FROM gold.customer_fields")
	if len(versions) != 1 || versions[0] == oldVersion[0] {
		t.Errorf("rule-set versions in gold = %v (old %v): not everything was re-resolved", versions, oldVersion)
	}
	open := query(t, second, "SELECT DISTINCT ruleset_version FROM gold.customer_master_history WHERE superseded_at IS NULL")
	if len(open) != 1 || open[0] != versions[0] {
		t.Errorf("current history versions decided by %v, want only %v", open, versions)
	}
	old := query(t, second, "SELECT COUNT(*) FROM gold.customer_master_history WHERE superseded_at IS NOT NULL AND ruleset_version = '"+oldVersion[0]+"'")
	if old[0] == "0" {
		t.Error("the versions decided by the old rule set were not kept as superseded")
	}
	logged := query(t, second, "SELECT ruleset_version FROM audit.rulesets ORDER BY first_used_at")
	if len(logged) != 2 || logged[1] != versions[0] {
		t.Errorf("audit.rulesets = %v", logged)
	}
}

// runFile runs the spec in models on a database file and returns it open.
func runFile(t *testing.T, models, dbPath, landing string) *sqlDB {
	t.Helper()
	p, err := generator.Compile(models)
	if err != nil {
		t.Fatal(err)
	}
	run, err := local.Open(context.Background(), dbPath, p)
	if err != nil {
		t.Fatal(err)
	}
	runOnce(t, run, landing)
	return &sqlDB{run}
}

// sqlDB lets query take an open runner.
type sqlDB struct{ *local.Runner }

// Query implements queryer.
func (d *sqlDB) Query(q string, args ...any) (*sql.Rows, error) { return d.DB().Query(q, args...) }

// TestRulesetBackfillSlices: with backfill_slice 2, a rule change
// re-resolves the customers two per run; while it is under way every gold
// row names the version that decided it, and when it is done gold and
// current history equal a rebuild under the new rules from scratch.
func TestRulesetBackfillSlices(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "t.duckdb")
	models := filepath.Join(dir, "models")
	copyTree(t, "testdata/spec", models)
	proj := filepath.Join(models, "project.yaml")
	editFile(t, proj, "project:\n", "project:\n  backfill_slice: 2\n")
	landing := t.TempDir()
	copyTree(t, "testdata/scenario/landing", landing)

	first := runFile(t, models, dbPath, landing)
	customers := query(t, first, "SELECT COUNT(DISTINCT customer_id) FROM gold.customer_fields")
	first.Close()

	path := filepath.Join(models, "customer.yaml")
	editFile(t, path, "priority: [billing, app, crm]", "priority: [crm, billing, app]")
	p, err := generator.Compile(models)
	if err != nil {
		t.Fatal(err)
	}
	run, err := local.Open(context.Background(), dbPath, p)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	// One graph run by hand: the first slice only.
	if _, err := run.RunGraph(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	left, err := run.BackfillLeft(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	fmtSscan(t, customers[0], &n)
	if left != n-2 {
		t.Errorf("after one run the backfill has %d customers left, want %d of %d", left, n-2, n)
	}
	mixed := query(t, run.DB(), "SELECT COUNT(DISTINCT ruleset_version) FROM gold.customer_fields")
	if mixed[0] != "2" {
		t.Errorf("mid-backfill gold is decided by %s rule-set versions, want 2 (each row naming its own)", mixed[0])
	}
	res := runOnce(t, run, landing)
	if res.BackfillLeft != 0 || res.BackfillRuns == 0 {
		t.Errorf("backfill: %d runs, %d left", res.BackfillRuns, res.BackfillLeft)
	}
	if got := query(t, run.DB(), "SELECT COUNT(DISTINCT ruleset_version) FROM gold.customer_fields"); got[0] != "1" {
		t.Errorf("after the backfill gold is decided by %s versions", got[0])
	}

	fresh := runFile(t, models, filepath.Join(dir, "fresh.duckdb"), landing)
	defer fresh.Close()
	for _, q := range []string{
		"SELECT customer_id, field, value, source, record_key, event_time, rule, ruleset_version FROM gold.customer_fields ORDER BY ALL",
		"SELECT * EXCLUDE (version_hash, recorded_at, superseded_at) FROM gold.customer_master_history WHERE superseded_at IS NULL ORDER BY customer_id, valid_from",
	} {
		a, b := query(t, run.DB(), q), query(t, fresh, q)
		if strings.Join(a, "\n") != strings.Join(b, "\n") {
			t.Errorf("after the backfill %q differs from a rebuild:\n%s\nvs\n%s", q, strings.Join(a, "\n"), strings.Join(b, "\n"))
		}
	}
}

func fmtSscan(t *testing.T, s string, n *int64) {
	t.Helper()
	if _, err := fmt.Sscan(s, n); err != nil {
		t.Fatal(err)
	}
}
