package tests

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ledgerloop/trueup/internal/app"
	"github.com/ledgerloop/trueup/internal/auditlog"
	"github.com/ledgerloop/trueup/internal/local"
)

// appSeats is an app change of account id with that many seats.
func appSeats(lsn int64, at time.Duration, id, mail string, seats int) map[string]any {
	ev := appEvent("u", lsn, at, id, mail)
	ev["after"].(map[string]any)["seats"] = seats
	return ev
}

// gold reads one field of a customer in gold with its source and rule.
func goldField(t *testing.T, run *local.Runner, customer, field string) local.Resolved {
	t.Helper()
	e, err := run.Explain(context.Background(), customer, field, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if e.Version == nil || len(e.Version.Fields) != 1 {
		t.Fatalf("explain %s %s: no current version", customer, field)
	}
	return e.Version.Fields[0]
}

// TestOverride: a steward's override wins over every rule while it lasts,
// enters history as a version of its own (the one before it closed in
// valid time), is named by explain as the decider with its reason and
// author, is recorded in the audit log; a source sending another value
// does not end it, a source sending the same value does; --clear ends
// it, and the value before it comes back.
func TestOverride(t *testing.T) {
	ctx := context.Background()
	landing := t.TempDir()
	land(t, landing, "1.json", appEvent("c", 10, 0, "acct_a", "ann@alpha.io"), appEvent("c", 11, 0, "acct_b", "bob@beta.io"))
	db := filepath.Join(t.TempDir(), "t.duckdb")
	var out bytes.Buffer
	if err := app.RunLocal(ctx, &out, app.RunOptions{Models: "testdata/spec", DB: db, Landing: landing, Once: true}); err != nil {
		t.Fatal(err)
	}
	set := func(o app.OverrideOptions) error {
		o.Models, o.DB = "testdata/spec", db
		out.Reset()
		return app.Override(ctx, &out, o)
	}
	if err := set(app.OverrideOptions{Customer: "acct_a", Field: "seats", Value: "40", Reason: "ticket 7: contract signed", Author: "sam"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "override of seats of customer acct_a set by sam") {
		t.Errorf("override output: %s", out.String())
	}
	run := runFile(t, "testdata/spec", db, landing)
	if got := goldField(t, run.Runner, "acct_a", "seats"); got.Value != "40" || got.Source != "override" || got.Rule != "override" {
		t.Errorf("gold seats under the override: %+v", got)
	}
	if got := goldField(t, run.Runner, "acct_b", "seats"); got.Value != "5" {
		t.Errorf("another customer's seats: %+v", got)
	}
	// History: the version before the override closed when it was set,
	// and the override's version is open.
	if n := query(t, run, `SELECT COUNT(*) FROM gold.customer_master_history a JOIN gold.customer_master_history b ON a.customer_id = b.customer_id AND a.valid_to = b.valid_from
WHERE a.customer_id = 'acct_a' AND a.superseded_at IS NULL AND b.superseded_at IS NULL AND a.seats = 5 AND b.seats = 40 AND b.valid_to IS NULL AND b.seats__rule = 'override'`); n[0] != "1" {
		t.Errorf("history around the override: %s", n[0])
	}
	// A PII override is stored sealed, and the log holds no PII value.
	run.Close()
	if err := set(app.OverrideOptions{Customer: "acct_a", Field: "email", Value: "Ann.Billing@Alpha.io", Reason: "ticket 8", Author: "sam"}); err != nil {
		t.Fatal(err)
	}
	run = runFile(t, "testdata/spec", db, landing)
	if got := goldField(t, run.Runner, "acct_a", "email"); run.OpenValue(got.Value) != "ann.billing@alpha.io" || got.Rule != "override" {
		t.Errorf("gold email under the override: %+v", got)
	}
	if n := query(t, run, "SELECT COUNT(*) FROM silver.overrides WHERE lower(value) LIKE '%ann.billing%'"); n[0] != "0" {
		t.Errorf("a PII override stored in plaintext: %s rows", n[0])
	}
	entries, err := run.VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var logged []auditlog.Entry
	for _, e := range entries {
		if e.Action == auditlog.Override {
			logged = append(logged, e)
		}
	}
	if len(logged) != 2 || logged[0].Subject != "acct_a seats" || !strings.Contains(logged[0].Detail, "ticket 7") || !strings.Contains(logged[0].Detail, `"value":"40"`) ||
		strings.Contains(strings.ToLower(logged[1].Detail), "ann.billing") {
		t.Errorf("audit entries: %+v", logged)
	}
	run.Close()
	out.Reset()
	if err := app.Explain(ctx, &out, app.ExplainOptions{Models: "testdata/spec", DB: db, Customer: "acct_a"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"seats = 40", "by sam: ticket 7: contract signed", "in force"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("explain lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(strings.ToLower(out.String()), "ann.billing") {
		t.Errorf("explain for the default role shows the PII override:\n%s", out.String())
	}

	// A source sending another value after it leaves the override in
	// force; one sending the same value ends it.
	after := time.Since(t0) + time.Minute
	land(t, landing, "2.json", appSeats(20, after, "acct_a", "ann@alpha.io", 41))
	run = runFile(t, "testdata/spec", db, landing)
	if got := goldField(t, run.Runner, "acct_a", "seats"); got.Value != "40" || got.Rule != "override" {
		t.Errorf("seats after another source value: %+v", got)
	}
	run.Close()
	land(t, landing, "3.json", appSeats(30, after+time.Minute, "acct_a", "ann@alpha.io", 40))
	run = runFile(t, "testdata/spec", db, landing)
	runOnce(t, run.Runner, landing) // the next batch writes the end
	if got := goldField(t, run.Runner, "acct_a", "seats"); got.Value != "40" || got.Source != "app" {
		t.Errorf("seats once the app agrees: %+v", got)
	}
	if n := query(t, run, "SELECT end_reason FROM silver.overrides WHERE customer_id = 'acct_a' AND field = 'seats'"); len(n) != 1 || n[0] != "source_agrees" {
		t.Errorf("the override did not end by agreement: %v", n)
	}
	// A later app value wins again: nothing overrides it any more.
	land(t, landing, "4.json", appSeats(40, after+2*time.Minute, "acct_a", "ann@alpha.io", 42))
	runOnce(t, run.Runner, landing)
	if got := goldField(t, run.Runner, "acct_a", "seats"); got.Value != "42" {
		t.Errorf("seats after the override ended: %+v", got)
	}
	run.Close()

	// --clear ends the email override: the app's value is back.
	if err := set(app.OverrideOptions{Customer: "acct_a", Field: "email", Clear: true, Reason: "ticket 9", Author: "kim"}); err != nil {
		t.Fatal(err)
	}
	run = runFile(t, "testdata/spec", db, landing)
	if got := goldField(t, run.Runner, "acct_a", "email"); run.OpenValue(got.Value) != "ann@alpha.io" || got.Source != "app" {
		t.Errorf("email after clear: %+v", got)
	}
	if n := query(t, run, "SELECT end_reason FROM silver.overrides WHERE customer_id = 'acct_a' AND field = 'email'"); len(n) != 1 || n[0] != "cleared" {
		t.Errorf("email override end: %v", n)
	}
	run.Close()

	// Refusals.
	for _, c := range []struct {
		o    app.OverrideOptions
		want string
	}{
		{app.OverrideOptions{Customer: "acct_a", Field: "colour", Value: "x", Reason: "r", Author: "a"}, `no field "colour"`},
		{app.OverrideOptions{Customer: "acct_zz", Field: "seats", Value: "3", Reason: "r", Author: "a"}, `no customer "acct_zz"`},
		{app.OverrideOptions{Customer: "acct_a", Field: "seats", Value: "3", Reason: " ", Author: "a"}, "a reason is required"},
		{app.OverrideOptions{Customer: "acct_a", Field: "seats", Clear: true, Reason: "r", Author: "a"}, "no override of seats in force"},
		{app.OverrideOptions{Customer: "acct_a", Field: "seats", Value: "3", Reason: "r", Author: "a", Until: "2020-01-01"}, "is in the past"},
		{app.OverrideOptions{Customer: "acct_a", Field: "seats", Value: "3", Reason: "r", Author: "a", Until: "soon"}, "want an RFC 3339 time"},
	} {
		if err := set(c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("override %+v: got %v, want %q", c.o, err, c.want)
		}
	}
}

// TestOverrideExpires: an override with --until ends on its own when the
// time comes, even when no source sends anything: the batch runs for it.
func TestOverrideExpires(t *testing.T) {
	ctx := context.Background()
	landing := t.TempDir()
	land(t, landing, "1.json", appEvent("c", 10, 0, "acct_a", "ann@alpha.io"))
	db := filepath.Join(t.TempDir(), "t.duckdb")
	var out bytes.Buffer
	if err := app.RunLocal(ctx, &out, app.RunOptions{Models: "testdata/spec", DB: db, Landing: landing, Once: true}); err != nil {
		t.Fatal(err)
	}
	if err := app.Override(ctx, &out, app.OverrideOptions{Models: "testdata/spec", DB: db, Customer: "acct_a", Field: "seats", Value: "50",
		Reason: "contract signed, billing catches up", Author: "sam", Until: "4s"}); err != nil {
		t.Fatal(err)
	}
	run := runFile(t, "testdata/spec", db, landing)
	defer run.Close()
	if got := goldField(t, run.Runner, "acct_a", "seats"); got.Value != "50" || got.Rule != "override" {
		t.Errorf("seats under the override: %+v", got)
	}
	time.Sleep(time.Until(mustTime(t, query(t, run, "SELECT strftime(expires_at, '%Y-%m-%dT%H:%M:%S.%fZ') FROM silver.overrides")[0]).Add(100 * time.Millisecond)))
	b, err := run.RunGraph(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if !b.Ran {
		t.Error("no batch ran for the expired override")
	}
	if got := goldField(t, run.Runner, "acct_a", "seats"); got.Value != "5" || got.Source != "app" {
		t.Errorf("seats after the expiry: %+v", got)
	}
	if n := query(t, run, "SELECT end_reason || ' ' || CAST(ended_at = expires_at AS VARCHAR) FROM silver.overrides"); n[0] != "expired true" {
		t.Errorf("override end: %v", n)
	}
	// History: the override's version is closed at its expiry.
	if n := query(t, run, "SELECT COUNT(*) FROM gold.customer_master_history h JOIN silver.overrides o ON h.valid_to = o.expires_at WHERE h.seats = 50 AND h.superseded_at IS NULL"); n[0] != "1" {
		t.Errorf("the override's version is not closed at its expiry: %s", n[0])
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestOverrideKept: with project.overrides.keep_when_source_agrees, a
// source sending the override's value leaves the override in force.
func TestOverrideKept(t *testing.T) {
	ctx := context.Background()
	models := filepath.Join(t.TempDir(), "models")
	copyTree(t, "testdata/spec", models)
	proj := filepath.Join(models, "project.yaml")
	data, err := os.ReadFile(proj)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(proj, append(data, []byte("  overrides: {keep_when_source_agrees: true}\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	landing := t.TempDir()
	land(t, landing, "1.json", appEvent("c", 10, 0, "acct_a", "ann@alpha.io"))
	db := filepath.Join(t.TempDir(), "t.duckdb")
	var out bytes.Buffer
	if err := app.RunLocal(ctx, &out, app.RunOptions{Models: models, DB: db, Landing: landing, Once: true}); err != nil {
		t.Fatal(err)
	}
	if err := app.Override(ctx, &out, app.OverrideOptions{Models: models, DB: db, Customer: "acct_a", Field: "seats", Value: "40", Reason: "r", Author: "sam"}); err != nil {
		t.Fatal(err)
	}
	land(t, landing, "2.json", appSeats(20, time.Since(t0)+time.Minute, "acct_a", "ann@alpha.io", 40))
	run := runFile(t, models, db, landing)
	defer run.Close()
	runOnce(t, run.Runner, landing)
	if got := goldField(t, run.Runner, "acct_a", "seats"); got.Source != "override" || got.Rule != "override" {
		t.Errorf("seats with keep_when_source_agrees: %+v", got)
	}
	if n := query(t, run, "SELECT COUNT(*) FROM silver.overrides WHERE ended_at IS NULL"); n[0] != "1" {
		t.Errorf("overrides in force: %s", n[0])
	}
}

// TestOverrideFiles: an override written under models/overrides/ is set by
// the run that first sees its customer, once (an ended one does not come
// back), with its file in the audit log; removing its entry clears it.
func TestOverrideFiles(t *testing.T) {
	ctx := context.Background()
	models := filepath.Join(t.TempDir(), "models")
	copyTree(t, "testdata/spec", models)
	if err := os.MkdirAll(filepath.Join(models, "overrides"), 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(models, "overrides", "legal.yaml")
	entry := "  - customer: acct_a\n    field: billing_status\n    value: paused\n    reason: ticket 7\n    author: sam\n"
	write := func(body string) {
		t.Helper()
		if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("overrides:\n" + entry + "  - {customer: acct_a, field: seats, value: 9, reason: old, author: sam, until: 2020-01-01}\n")
	landing := t.TempDir()
	land(t, landing, "1.json", appEvent("c", 10, 0, "acct_a", "ann@alpha.io"))
	db := filepath.Join(t.TempDir(), "t.duckdb")
	var out bytes.Buffer
	if err := app.RunLocal(ctx, &out, app.RunOptions{Models: models, DB: db, Landing: landing, Once: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "models/overrides: 1 set, 0 cleared") {
		t.Errorf("run output:\n%s", out.String())
	}
	run := runFile(t, models, db, landing)
	if got := goldField(t, run.Runner, "acct_a", "billing_status"); got.Value != "paused" || got.Rule != "override" {
		t.Errorf("billing_status from the file's override: %+v", got)
	}
	// plan_tier follows the record that won billing_status: a source's,
	// never the override's (which carries no plan).
	if got := goldField(t, run.Runner, "acct_a", "plan_tier"); got.Value != "starter" || got.Source != "app" {
		t.Errorf("plan_tier under a billing_status override: %+v", got)
	}
	if got := goldField(t, run.Runner, "acct_a", "seats"); got.Value != "5" {
		t.Errorf("an expired file override was applied: %+v", got)
	}
	entries, err := run.VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var logged []string
	for _, e := range entries {
		if e.Action == auditlog.Override {
			logged = append(logged, e.Detail)
		}
	}
	if len(logged) != 1 || !strings.Contains(logged[0], "overrides/legal.yaml:2:5") {
		t.Errorf("audit entries: %v", logged)
	}
	// The next runs leave it as it is; an ended one is not set again.
	res := runOnce(t, run.Runner, landing)
	if res.Overrides.Set != 0 || res.Overrides.Cleared != 0 {
		t.Errorf("second run: %+v", res.Overrides)
	}
	run.Close()

	// Removing the entry clears it.
	write("overrides: []\n")
	out.Reset()
	if err := app.RunLocal(ctx, &out, app.RunOptions{Models: models, DB: db, Landing: landing, Once: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "models/overrides: 0 set, 1 cleared") {
		t.Errorf("run output:\n%s", out.String())
	}
	run = runFile(t, models, db, landing)
	defer run.Close()
	if got := goldField(t, run.Runner, "acct_a", "billing_status"); got.Value != "active" || got.Source != "app" {
		t.Errorf("billing_status once the entry is removed: %+v", got)
	}
	// A file entry for a customer nobody sent waits, and says so.
	write("overrides:\n  - {customer: acct_new, field: seats, value: 9, reason: r, author: sam}\n")
	run.Close()
	out.Reset()
	if err := app.RunLocal(ctx, &out, app.RunOptions{Models: models, DB: db, Landing: landing, Once: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `overrides/legal.yaml:2:5: override: no customer "acct_new"`) {
		t.Errorf("run output:\n%s", out.String())
	}
}
