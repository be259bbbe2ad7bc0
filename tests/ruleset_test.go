package tests

import (
	"context"
	"database/sql"
	"os"
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
	copyTree(t, "../models", models)
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
	data, _ := os.ReadFile(path)
	changed := strings.Replace(string(data), "priority: [billing, app, crm]", "priority: [crm, billing, app]", 1)
	if changed == string(data) {
		t.Fatal("the rule to change was not found in models/customer.yaml")
	}
	os.WriteFile(path, []byte(changed), 0o644)
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
