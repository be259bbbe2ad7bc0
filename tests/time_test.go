package tests

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ledgerloop/trueup/internal/local"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

// appEvent is a Debezium change of public.accounts committed at t0+at.
func appEvent(op string, lsn int64, at time.Duration, id, email string) map[string]any {
	row := map[string]any{"id": id, "email": email, "name": "Acme", "status": "active", "plan": "starter", "owner_email": "ann@ours.com", "seats": 5}
	ev := map[string]any{
		"op":     op,
		"source": map[string]any{"ts_ms": t0.Add(at).UnixMilli(), "lsn": lsn, "schema": "public", "table": "accounts"},
		"ts_ms":  t0.Add(at).UnixMilli() + 10,
	}
	if op == "d" {
		ev["before"], ev["after"] = map[string]any{"id": id}, nil
	} else {
		ev["before"], ev["after"] = nil, row
	}
	return ev
}

// land writes events as a new file of the app's landing folder.
func land(t *testing.T, landing, name string, events ...map[string]any) {
	t.Helper()
	var b strings.Builder
	for _, e := range events {
		data, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
		b.WriteByte('\n')
	}
	dir := filepath.Join(landing, "app", "accounts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func email(t *testing.T, run *local.Runner, customer string, asOf, knownAt time.Time) string {
	t.Helper()
	e, err := run.Explain(context.Background(), customer, "email", asOf, knownAt)
	if err != nil {
		t.Fatal(err)
	}
	if e.Version == nil {
		return "<none>"
	}
	if e.Version.Deleted {
		return "<deleted>"
	}
	return e.Version.Fields[0].Value
}

func dbNow(t *testing.T, run *local.Runner) time.Time {
	t.Helper()
	var now time.Time
	if err := run.DB().QueryRow("SELECT CAST(timezone('UTC', now()) AS TIMESTAMP)").Scan(&now); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond) // the next batch records strictly later
	return now
}

// TestLateData: a late event older than the current value corrects history
// and leaves the present alone; a newer one replaces the present. What gold
// said before the correction stays queryable in system time.
func TestLateData(t *testing.T) {
	run := open(t, "testdata/spec")
	landing := t.TempDir()
	land(t, landing, "1.json", appEvent("c", 100, 0, "acct_1", "a@x.io"), appEvent("u", 300, 10*day, "acct_1", "b@x.io"))
	runOnce(t, run, landing)
	afterFirst := dbNow(t, run)
	if got := email(t, run, "acct_1", time.Time{}, time.Time{}); got != "b@x.io" {
		t.Fatalf("current email = %s, want b@x.io", got)
	}

	// Late and older: day 5, between the two.
	land(t, landing, "2.json", appEvent("u", 200, 5*day, "acct_1", "c@x.io"))
	runOnce(t, run, landing)
	afterLate := dbNow(t, run)
	if got := email(t, run, "acct_1", time.Time{}, time.Time{}); got != "b@x.io" {
		t.Errorf("a late older event changed the present: %s", got)
	}
	if got := email(t, run, "acct_1", t0.Add(7*day), time.Time{}); got != "c@x.io" {
		t.Errorf("as of day 7 now = %s, want c@x.io (the corrected past)", got)
	}
	if got := email(t, run, "acct_1", t0.Add(7*day), afterFirst); got != "a@x.io" {
		t.Errorf("as of day 7 known after the first batch = %s, want a@x.io (the superseded belief)", got)
	}
	if got := email(t, run, "acct_1", t0.Add(2*day), time.Time{}); got != "a@x.io" {
		t.Errorf("as of day 2 = %s, want a@x.io", got)
	}

	// Newer: day 20 replaces the present.
	land(t, landing, "3.json", appEvent("u", 400, 20*day, "acct_1", "d@x.io"))
	runOnce(t, run, landing)
	if got := email(t, run, "acct_1", time.Time{}, time.Time{}); got != "d@x.io" {
		t.Errorf("current email = %s, want d@x.io", got)
	}
	if got := email(t, run, "acct_1", t0.Add(15*day), afterLate); got != "b@x.io" {
		t.Errorf("as of day 15 known after the late batch = %s, want b@x.io", got)
	}
	if countOf(t, run.DB(), "SELECT COUNT(*) FROM gold.customer_master_history WHERE superseded_at IS NOT NULL") == 0 {
		t.Error("no version was superseded: the late event did not correct history")
	}
}

// TestDeletes: a delete is a tombstone with its own event time. An older
// upsert arriving after it leaves the record deleted; a newer one
// resurrects it.
func TestDeletes(t *testing.T) {
	run := open(t, "testdata/spec")
	landing := t.TempDir()
	land(t, landing, "1.json", appEvent("c", 100, 0, "acct_1", "a@x.io"), appEvent("d", 300, 10*day, "acct_1", ""))
	runOnce(t, run, landing)
	if got := email(t, run, "acct_1", time.Time{}, time.Time{}); got != "<deleted>" {
		t.Fatalf("after delete: %s", got)
	}
	land(t, landing, "2.json", appEvent("u", 200, 5*day, "acct_1", "older@x.io"))
	runOnce(t, run, landing)
	if got := email(t, run, "acct_1", time.Time{}, time.Time{}); got != "<deleted>" {
		t.Errorf("an older upsert resurrected the record: %s", got)
	}
	if got := email(t, run, "acct_1", t0.Add(7*day), time.Time{}); got != "older@x.io" {
		t.Errorf("as of day 7 = %s, want older@x.io", got)
	}
	if countOf(t, run.DB(), "SELECT COUNT(*) FROM gold.customer_master WHERE customer_id = 'acct_1'") != 0 {
		t.Errorf("a deleted customer is in gold.customer_master")
	}
	land(t, landing, "3.json", appEvent("u", 400, 12*day, "acct_1", "back@x.io"))
	runOnce(t, run, landing)
	if got := email(t, run, "acct_1", time.Time{}, time.Time{}); got != "back@x.io" {
		t.Errorf("a newer upsert did not resurrect the record: %s", got)
	}
}
