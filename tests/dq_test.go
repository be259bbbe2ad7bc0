package tests

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/dialect/duckdb"
	"github.com/ledgerloop/trueup/generator/spec"
	"github.com/ledgerloop/trueup/internal/auditlog"
	"github.com/ledgerloop/trueup/internal/local"
)

// results returns "check subject status" of a batch (latest when "").
func results(t *testing.T, run *local.Runner) map[string]string {
	t.Helper()
	rep, err := run.DQ(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rep.Results {
		out[strings.TrimSpace(r.Check+" "+r.Subject)] = r.Status
	}
	return out
}

// recent is an app account created a minute ago: fresh data.
func recent(lsn int64, id, email string) map[string]any {
	return appEvent("c", lsn, time.Since(t0)-time.Minute, id, email)
}

// TestChecksFireAndStaySilent: each built-in check fires on a scenario built
// to trip it and passes on a clean one.
func TestChecksFireAndStaySilent(t *testing.T) {
	// The clean half: every source lands in each batch, and the rate
	// checks need one earlier batch for their baseline, so that every check
	// measures something.
	models := filepath.Join(t.TempDir(), "models")
	copyTree(t, "testdata/spec", models)
	writeFile(t, filepath.Join(models, "checks.yaml"), "checks:\n  conflict_rate: {min_history: 1}\n  volume: {min_history: 1}\n")
	p, err := generator.Compile(models)
	if err != nil {
		t.Fatal(err)
	}
	clean, err := local.Open(context.Background(), "", p)
	if err != nil {
		t.Fatal(err)
	}
	defer clean.Close()
	landing := t.TempDir()
	ago := time.Since(t0) - time.Minute
	for i, acct := range []string{"acct_1", "acct_2"} {
		n := strconv.Itoa(i + 1)
		land(t, landing, n+".json", recent(int64(10+i), acct, "a"+n+"@x.io"))
		landAs(t, landing, "crm/account", n+".json", crmEvent("CREATE", i+1, ago, []string{"001A" + n}, nil, nil,
			map[string]any{"Name": "Acme", "Billing_Email__c": "a" + n + "@x.io", "App_Account_Id__c": acct}))
		landAs(t, landing, "billing/customer", n+".json", stripeEvent("evt_"+n, "customer.created", ago, "cus_"+n, "a"+n+"@x.io", map[string]any{"account_id": acct}))
		runOnce(t, clean, landing)
	}
	cleanResults := results(t, clean)
	ran := map[string]bool{}
	for check, status := range cleanResults {
		ran[strings.Fields(check)[0]] = true
		if status != "pass" {
			t.Errorf("clean data: %s = %s, want pass", check, status)
		}
	}
	if len(p.Checks) == 0 {
		t.Fatal("the spec has no checks")
	}
	for check := range p.Checks {
		// unmapped_event_types is a count (status counted, never a
		// failure) with a row per event type it counts: clean data has
		// none.
		if !ran[check] && check != spec.CheckUnmappedTypes {
			t.Errorf("clean data: check %s produced no result (results: %v)", check, cleanResults)
		}
	}

	dirty := open(t, "testdata/spec")
	landing = t.TempDir()
	land(t, landing, "1.json",
		appEvent("c", 10, 0, "acct_1", "not an email"), // old (freshness), invalid
		map[string]any{"op": "c", "after": map[string]any{"email": "x@y.io"}, "source": map[string]any{"ts_ms": t0.UnixMilli(), "lsn": 11, "schema": "public", "table": "accounts"}}, // no key
	)
	writeFile(t, filepath.Join(landing, "app/accounts/2.json"), "{\"torn\": \n")
	landAs(t, landing, "crm/account", "1.json", crmEvent("GAP_UPDATE", 1, day, []string{"001X"}, nil, nil, nil))
	runOnce(t, dirty, landing)
	got := results(t, dirty)
	for _, check := range []string{"parse_failures", "null_record_keys", "gap_events", "invalid_values", "freshness"} {
		if got[check] != "fail" {
			t.Errorf("%s = %q on data built to trip it, want fail", check, got[check])
		}
	}

	// duplicate_customers and orphan_links guard invariants the pipeline
	// keeps; they are tripped by running their SQL on corrupted staging.
	r := &duckdb.Renderer{}
	db := dirty.DB()
	exec := func(q string) {
		t.Helper()
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec("UPDATE ops.current_batch SET batch_id = 'corrupt'")
	exec("INSERT INTO silver.work_resolve_set (customer_id) VALUES ('ghost'), ('twin')")
	exec("INSERT INTO silver.crosswalk (source, record_key, customer_id, matched_by) VALUES ('app', 'ghost_rec', 'ghost', 'customer_link')")
	exec("INSERT INTO silver.work_point_state (customer_id, valid_from, source, record_key, field) VALUES ('twin', TIMESTAMP '2026-01-01', 'app', 'a', 'email')")
	exec("INSERT INTO silver.work_last_points (customer_id, valid_from) VALUES ('twin', TIMESTAMP '2026-01-01')")
	exec("INSERT INTO silver.work_candidates (customer_id, valid_from, field, source, record_key, rank) VALUES ('twin', TIMESTAMP '2026-01-01', 'email', 'app', 'a', 1), ('twin', TIMESTAMP '2026-01-01', 'email', 'crm', 'b', 1)")
	exec("INSERT INTO silver.work_versions (customer_id, valid_from) VALUES ('twin', TIMESTAMP '2026-01-01')")
	for _, check := range []string{"duplicate_customers", "orphan_links"} {
		for _, step := range p.Checks[check] {
			exec(step(r))
		}
		var status string
		if err := db.QueryRow("SELECT status FROM dq.results WHERE batch_id = 'corrupt' AND check_name = ?", check).Scan(&status); err != nil {
			t.Fatalf("%s on corrupted staging: %v", check, err)
		}
		if status != "fail" {
			t.Errorf("%s on corrupted staging = %q, want fail", check, status)
		}
	}
	pointers := query(t, db, "SELECT check_name || ' ' || pointer FROM dq.violations WHERE batch_id = 'corrupt' ORDER BY 1")
	if strings.Join(pointers, "; ") != "duplicate_customers twin email; orphan_links app:ghost_rec" {
		t.Errorf("violations = %q", pointers)
	}
}

// conflictBatch lands one batch of n new customers, k of which disagree
// between the app and the CRM on their email.
func conflictBatch(t *testing.T, run *local.Runner, landing string, batch, n, k int) string {
	t.Helper()
	var app, crm []map[string]any
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("acct_%d_%d", batch, i)
		email := fmt.Sprintf("c%d_%d@x.io", batch, i)
		crmEmail := email
		if i < k {
			crmEmail = "other_" + email
		}
		at := time.Since(t0) - time.Minute
		app = append(app, appEvent("c", int64(batch*1000+i), at, id, email))
		c := crmEvent("CREATE", batch*1000+i, at, []string{fmt.Sprintf("001_%d_%d", batch, i)}, nil, nil, map[string]any{"Billing_Email__c": crmEmail, "App_Account_Id__c": id})
		crm = append(crm, c)
	}
	name := fmt.Sprintf("%04d.json", batch)
	land(t, landing, name, app...)
	landAs(t, landing, "crm/account", name, crm...)
	runOnce(t, run, landing)
	return results(t, run)["conflict_rate email"]
}

// TestConflictRate: a stable series raises nothing; a spike is flagged; a
// series shorter than the minimum history raises nothing.
func TestConflictRate(t *testing.T) {
	if testing.Short() {
		t.Skip("31 batches")
	}
	run := open(t, "testdata/spec")
	landing := t.TempDir()
	for b := 1; b <= 30; b++ {
		// 2 of 10 conflict, 1 of 10 every third batch: stable with noise.
		k := 2
		if b%3 == 0 {
			k = 1
		}
		status := conflictBatch(t, run, landing, b, 10, k)
		want := "pass"
		if b <= 10 {
			want = "skipped" // fewer than 10 earlier batches
		}
		if status != want {
			t.Fatalf("batch %d: conflict_rate email = %s, want %s", b, status, want)
		}
	}
	if status := conflictBatch(t, run, landing, 31, 10, 9); status != "fail" {
		t.Errorf("spike: conflict_rate email = %s, want fail", status)
	}
	// A spike before the minimum history is not judged.
	young := open(t, "testdata/spec")
	landing = t.TempDir()
	for b := 1; b <= 5; b++ {
		k := 1
		if b == 5 {
			k = 9
		}
		if status := conflictBatch(t, young, landing, b, 10, k); status != "skipped" {
			t.Errorf("young series batch %d = %s, want skipped", b, status)
		}
	}
}

// TestErrorHoldsBatch: an error-level failure holds the batch back: gold
// stays at its last good state, RAW and SILVER keep the data; once the
// failure is acknowledged, the held batch is published.
func TestErrorHoldsBatch(t *testing.T) {
	models := filepath.Join(t.TempDir(), "models")
	copyTree(t, "testdata/spec", models)
	writeFile(t, filepath.Join(models, "checks.yaml"), "checks:\n  parse_failures: {severity: error}\n")
	p, err := generator.Compile(models)
	if err != nil {
		t.Fatal(err)
	}
	run, err := local.Open(context.Background(), "", p)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	landing := t.TempDir()
	land(t, landing, "1.json", recent(10, "acct_1", "a@x.io"))
	runOnce(t, run, landing)
	before := goldSnapshot(t, run.DB())

	land(t, landing, "2.json", recent(20, "acct_2", "b@x.io"), appEvent("u", 21, time.Since(t0)-time.Second, "acct_1", "a2@x.io"))
	writeFile(t, filepath.Join(landing, "app/accounts/3.json"), "garbage\n")
	res := runOnce(t, run, landing)
	rep, err := run.DQ(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Failed() {
		t.Fatalf("the parse failure did not fail the batch: %+v", rep.Results)
	}
	if after := goldSnapshot(t, run.DB()); after != before {
		t.Errorf("a held batch changed gold:\n%s", firstDiff(before, after))
	}
	if n := query(t, run.DB(), "SELECT COUNT(*) FROM silver.observations WHERE record_key = 'acct_2'"); n[0] == "0" {
		t.Error("the held batch's observations are not in SILVER")
	}
	if n := query(t, run.DB(), "SELECT COUNT(*) FROM dq.held"); n[0] != "2" {
		t.Errorf("%s customers held, want 2", n[0])
	}
	// A later run with no fix still holds.
	if _, err := run.RunGraph(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	if after := goldSnapshot(t, run.DB()); after != before {
		t.Error("gold changed while the failure stands")
	}
	if _, err := run.Ack(context.Background(), "parse_failures", res.Batch.ID, "garbage line from a test producer"); err != nil {
		t.Fatal(err)
	}
	checkHistory(t, run.DB())
	checkMaster(t, run.DB(), map[string]map[string]want{
		"acct_1": {"email": {"a2@x.io", "app", "only_candidate"}},
		"acct_2": {"email": {"b@x.io", "app", "only_candidate"}},
	})
	if n := query(t, run.DB(), "SELECT COUNT(*) FROM dq.held"); n[0] != "0" {
		t.Errorf("%s customers still held after the ack", n[0])
	}
	if n := query(t, run.DB(), "SELECT COUNT(*) FROM audit.dq_acks"); n[0] != "1" {
		t.Errorf("the ack is not in AUDIT")
	}
	// The ack is in the hash-chained audit log too, after the rule set.
	entries, err := run.VerifyAudit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Action != auditlog.Ruleset || entries[1].Action != auditlog.DQAck ||
		entries[1].Subject != "parse_failures "+res.Batch.ID || !strings.Contains(entries[1].Detail, "garbage line from a test producer") {
		t.Errorf("audit log: %+v", entries)
	}
}
