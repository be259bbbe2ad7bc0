package tests

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/internal/app"
	"github.com/ledgerloop/trueup/internal/auditlog"
	"github.com/ledgerloop/trueup/internal/local"
)

// TestForget: trueup forget erases one customer's PII everywhere in the
// local database (gold, history, candidates, the raw lines), keeps the
// other customers' and the values they share, records the erasure in the
// audit log, and a later run keeps it erased.
func TestForget(t *testing.T) {
	ctx := context.Background()
	landing := t.TempDir()
	land(t, landing, "1.json",
		appEvent("c", 10, 0, "acct_a", "ann.gone@alpha.io"),
		appEvent("c", 11, 0, "acct_b", "bob.stays@beta.io"))
	landAs(t, landing, "crm/account", "1.json", crmCreate(1, day, "001A", "Ann.Gone@alpha.io"))
	db := filepath.Join(t.TempDir(), "t.duckdb")
	var out bytes.Buffer
	if err := app.RunLocal(ctx, &out, app.RunOptions{Models: "testdata/spec", DB: db, Landing: landing, Once: true}); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := app.Forget(ctx, &out, app.ForgetOptions{Models: "testdata/spec", DB: db, Customer: "acct_a", Reason: "GDPR request 42"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "forgot customer acct_a: 2 source records") {
		t.Errorf("forget: %s", out.String())
	}
	for _, c := range []struct{ id, want, not string }{{"acct_a", local.Erased, "ann.gone"}, {"acct_b", "bob.stays@beta.io", local.Erased}} {
		out.Reset()
		if err := app.Explain(ctx, &out, app.ExplainOptions{Models: "testdata/spec", DB: db, Customer: c.id, Role: "pii_reader"}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), c.want) || strings.Contains(strings.ToLower(out.String()), c.not) {
			t.Errorf("explain %s after forget (want %q, not %q):\n%s", c.id, c.want, c.not, out.String())
		}
	}
	// A shared account owner (the app's sample rows all carry one) is kept.
	run := runFile(t, "testdata/spec", db, landing)
	defer run.Close()
	for _, q := range []string{
		"SELECT COUNT(*) FROM raw.app_lines WHERE lower(trueup_open_text(line)) LIKE '%ann.gone%'",
		"SELECT COUNT(*) FROM raw.crm_lines WHERE lower(trueup_open_text(line)) LIKE '%ann.gone%'",
		"SELECT COUNT(*) FROM gold.field_candidates WHERE lower(trueup_open_value(value)) LIKE '%ann.gone%'",
		"SELECT COUNT(*) FROM silver.observations WHERE lower(trueup_open_value(value)) LIKE '%ann.gone%'",
	} {
		if n := query(t, run, q); n[0] != "0" {
			t.Errorf("%s: %s", q, n[0])
		}
	}
	if n := query(t, run, "SELECT COUNT(*) FROM raw.app_lines WHERE trueup_open_text(line) LIKE '%bob.stays@beta.io%'"); n[0] != "1" {
		t.Errorf("the other customer's raw line: %s", n[0])
	}
	if n := query(t, run, "SELECT COUNT(*) FROM gold.field_candidates WHERE field = 'account_owner' AND customer_id = 'acct_a' AND trueup_open_value(value) = 'ann@ours.com'"); n[0] != "1" {
		t.Errorf("the shared account owner was erased: %s", n[0])
	}
	entries, err := run.VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var last auditlog.Entry
	for _, e := range entries {
		if e.Action == auditlog.Forget {
			last = e
		}
	}
	if last.Action != auditlog.Forget || last.Subject != "acct_a" || !strings.Contains(last.Detail, "GDPR request 42") || strings.Contains(last.Detail, "ann") {
		t.Errorf("audit entry: %+v", last)
	}
	if err := app.Forget(ctx, &out, app.ForgetOptions{Models: "testdata/spec", DB: filepath.Join(t.TempDir(), "none.duckdb"), Customer: "acct_a", Reason: "x"}); err == nil {
		t.Error("forget on a missing database")
	}
}
