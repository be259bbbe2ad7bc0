package tests

import (
	"context"
	"testing"
	"time"

	"github.com/ledgerloop/trueup/internal/local"
)

// TestReplay: recomputing from RAW (all of it, since a time, or some
// customers) gives exactly what incremental processing produced, and
// confirms history rather than rewriting it.
func TestReplay(t *testing.T) {
	run := open(t, "testdata/spec")
	landing := t.TempDir()
	copyTree(t, "testdata/scenario/landing", landing)
	runOnce(t, run, landing)
	land(t, landing, "late.json", appEvent("u", 150, 2*day, "acct_1", "late@x.io"))
	runOnce(t, run, landing)
	want := snapshot(t, run.DB())
	history := query(t, run.DB(), "SELECT customer_id, valid_from, valid_to, version_hash, recorded_at, superseded_at FROM gold.customer_master_history ORDER BY ALL")

	for _, o := range []local.ReplayOptions{
		{},
		{Since: time.Now().Add(-time.Hour)},
		{Customers: []string{"acct_1", "acct_3"}},
	} {
		b, err := run.Replay(context.Background(), o)
		if err != nil {
			t.Fatalf("replay %+v: %v", o, err)
		}
		if !b.Ran {
			t.Fatalf("replay %+v did not run", o)
		}
		checkHistory(t, run.DB())
		if got := snapshot(t, run.DB()); got != want {
			t.Errorf("replay %+v differs from incremental processing:\n%s", o, firstDiff(want, got))
		}
		if got := query(t, run.DB(), "SELECT customer_id, valid_from, valid_to, version_hash, recorded_at, superseded_at FROM gold.customer_master_history ORDER BY ALL"); len(got) != len(history) {
			t.Errorf("replay %+v changed history: %d rows, was %d", o, len(got), len(history))
		}
	}
}
