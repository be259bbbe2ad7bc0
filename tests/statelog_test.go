package tests

import (
	"path/filepath"
	"testing"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/sample"
	"github.com/ledgerloop/trueup/internal/app"
	"github.com/ledgerloop/trueup/internal/local"
)

// TestStateLogFilledOnce: a pipeline whose state log is empty while it has
// observations (deployed before the log existed) fills the log from them
// on its next batch, and late data then resolves as it would have with the
// log kept all along.
func TestStateLogFilledOnce(t *testing.T) {
	p, err := generator.Compile("testdata/spec")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	srcs := app.SampleSources(p.Spec)
	state, batch := filepath.Join(dir, "state"), filepath.Join(dir, "batch")
	if _, err := sample.Write(state, srcs, sample.Options{Mode: sample.ModeState, Customers: 300, Seed: 5, EventsPerCustomer: 4, HeavyEvents: 60, ConflictRate: 0.2}); err != nil {
		t.Fatal(err)
	}
	if _, err := sample.Write(batch, srcs, sample.Options{Mode: sample.ModeBatch, Customers: 300, Seed: 5, Events: 6,
		BatchCustomers: 1, LateShare: 1, ConflictRate: 0.2}); err != nil {
		t.Fatal(err)
	}
	landing := func(run string) string {
		l := filepath.Join(dir, run)
		copyTree(t, state, l)
		return l
	}
	kept, dropped := open(t, "testdata/spec"), open(t, "testdata/spec")
	keptLanding, droppedLanding := landing("kept"), landing("dropped")
	runOnce(t, kept, keptLanding)
	runOnce(t, dropped, droppedLanding)
	var logged int
	if err := dropped.DB().QueryRow("SELECT COUNT(*) FROM silver.state_log").Scan(&logged); err != nil {
		t.Fatal(err)
	}
	if logged == 0 {
		t.Fatal("the state logged nothing: no key has two observations")
	}
	if n := resolvedKeys(t, kept); n == 0 {
		t.Fatal("no key of the heavy customer")
	}
	if _, err := dropped.DB().Exec("DELETE FROM silver.state_log"); err != nil {
		t.Fatal(err)
	}
	copyTree(t, batch, keptLanding)
	copyTree(t, batch, droppedLanding)
	runOnce(t, kept, keptLanding)
	runOnce(t, dropped, droppedLanding)
	if a, b := propertySnapshot(t, kept.DB()), propertySnapshot(t, dropped.DB()); a != b {
		t.Errorf("gold after the log was filled differs from gold with the log kept:\n%s", firstDiff(a, b))
	}
	var versions int
	if err := kept.DB().QueryRow(`SELECT COUNT(*) FROM gold.customer_master_history WHERE superseded_at IS NOT NULL`).Scan(&versions); err != nil {
		t.Fatal(err)
	}
	if versions == 0 {
		t.Error("the late events superseded no version: they exercised nothing")
	}
}

// resolvedKeys counts the state keys of the customer with the most.
func resolvedKeys(t *testing.T, run *local.Runner) int {
	t.Helper()
	var n int
	if err := run.DB().QueryRow(`SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM silver.source_state AS s
JOIN silver.crosswalk AS x ON x.source = s.source AND x.record_key = s.record_key GROUP BY x.customer_id)`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
