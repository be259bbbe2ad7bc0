package tests

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/internal/app"
	"github.com/ledgerloop/trueup/internal/auditlog"
	"github.com/ledgerloop/trueup/internal/local"
)

// TestLink: a CRM account matched into an app account by its email is
// unlinked by a steward and becomes a customer of its own in the next
// batch; the old customer is re-resolved, its previous version closed in
// system time (kept), the crosswalk change names the steward and the
// reason, and the audit log has a relink entry without PII. A later event
// of the record with the same email does not merge it again; linking it
// elsewhere and back moves it, matched_by manual each time. Wrong calls
// are refused and change nothing.
func TestLink(t *testing.T) {
	ctx := context.Background()
	landing := t.TempDir()
	land(t, landing, "1.json",
		appEvent("c", 100, 0, "acct_Z", "ops@zeta.io"),
		appEvent("c", 101, 0, "acct_Y", "it@yonder.io"))
	landAs(t, landing, "crm/account", "1.json", crmCreate(1, 2*day, "001Z", "OPS@zeta.io"))
	dbPath := filepath.Join(t.TempDir(), "t.duckdb")
	p, err := generator.Compile("testdata/spec")
	if err != nil {
		t.Fatal(err)
	}
	run, err := local.Open(ctx, dbPath, p)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if run != nil {
			run.Close()
		}
	}()
	runOnce(t, run, landing)
	db := run.DB()
	crmID := unmatchedID("crm", "001Z")
	link := func() string {
		return strings.Join(query(t, db, "SELECT customer_id || ' ' || matched_by FROM silver.crosswalk WHERE source = 'crm' AND record_key = '001Z'"), ",")
	}
	if got := link(); got != "acct_Z email" {
		t.Fatalf("crm 001Z before the unlink: %s, want acct_Z email", got)
	}
	if got := query(t, db, "SELECT value FROM gold.customer_fields WHERE customer_id = 'acct_Z' AND field = 'company_name'"); got[0] != "Zeta LLC" {
		t.Fatalf("acct_Z company_name = %v, want the CRM's Zeta LLC", got)
	}
	before := query(t, db, "SELECT version_hash FROM gold.customer_master_history WHERE customer_id = 'acct_Z' AND superseded_at IS NULL AND valid_to IS NULL")

	// Refusals: nothing is written.
	for _, c := range []struct {
		source, record, customer, reason string
		want                             error
	}{
		{"crm", "001Z", "", " ", local.ErrNoReason},
		{"erp", "001Z", "", "x", local.ErrUnknownSource},
		{"crm", "001Q", "", "x", local.ErrUnknownRecord},
		{"crm", "001Z", "acct_Q", "x", local.ErrUnknownCustomer},
		{"crm", "001Z", "acct_Z", "x", local.ErrAlreadyThere},
		{"app", "acct_Y", "acct_Y", "x", local.ErrAlreadyThere},
	} {
		if _, err := run.Link(ctx, c.source, c.record, c.customer, c.reason, "steward.sam"); !errors.Is(err, c.want) {
			t.Errorf("link %s %s %q: %v, want %v", c.source, c.record, c.customer, err, c.want)
		}
	}
	if n := query(t, db, "SELECT COUNT(*) FROM silver.manual_links"); n[0] != "0" {
		t.Fatalf("refused links wrote %s manual links", n[0])
	}

	// Unlink: applied by the next batch, with no new file landed.
	l, err := run.Link(ctx, "crm", "001Z", "", "wrong email match, TICKET-7", "steward.sam")
	if err != nil {
		t.Fatal(err)
	}
	if l.From != "acct_Z" || l.To != crmID {
		t.Errorf("unlink: %+v, want from acct_Z to %s", l, crmID)
	}
	// Not applied yet, but decided: a second unlink is refused; a link
	// back and a new unlink are decisions that replace it.
	if _, err := run.Link(ctx, "crm", "001Z", "", "again", "steward.sam"); !errors.Is(err, local.ErrAlreadyThere) {
		t.Fatalf("second unlink before the batch: %v, want %v", err, local.ErrAlreadyThere)
	}
	if _, err := run.Link(ctx, "crm", "001Z", "acct_Z", "oops", "steward.sam"); err != nil {
		t.Fatalf("link back before the batch: %v", err)
	}
	if _, err := run.Link(ctx, "crm", "001Z", "", "again", "steward.sam"); err != nil {
		t.Fatalf("unlink again before the batch: %v", err)
	}
	if res := runOnce(t, run, landing); !res.Batch.Ran {
		t.Fatal("the manual link did not wake the graph")
	}
	if got := link(); got != crmID+" manual" {
		t.Errorf("crm 001Z after the unlink: %s, want %s manual", got, crmID)
	}
	if got := query(t, db, "SELECT customer_id FROM gold.customer_master ORDER BY 1"); strings.Join(got, ",") != "acct_Y,acct_Z,"+crmID {
		t.Errorf("customers after the unlink: %v", got)
	}
	if got := query(t, db, "SELECT value FROM gold.customer_fields WHERE customer_id = 'acct_Z' AND field = 'company_name'"); got[0] != "Acme" {
		t.Errorf("acct_Z company_name after the unlink = %v, want the app's Acme", got)
	}
	if got := query(t, db, "SELECT value FROM gold.customer_fields WHERE customer_id = '"+crmID+"' AND field = 'company_name'"); got[0] != "Zeta LLC" {
		t.Errorf("%s company_name = %v, want Zeta LLC", crmID, got)
	}
	// The version gold held before is closed in system time, not deleted.
	if got := query(t, db, "SELECT COUNT(*) FROM gold.customer_master_history WHERE customer_id = 'acct_Z' AND version_hash = '"+before[0]+"' AND superseded_at IS NOT NULL AND trueup_open_value(company_name) = 'Zeta LLC'"); got[0] != "1" {
		t.Errorf("acct_Z's previous version closed in system time: %s rows, want 1 (before %v): %q", got[0], before,
			query(t, db, "SELECT valid_from || ' ' || COALESCE(CAST(superseded_at AS VARCHAR), '-') || ' ' || version_hash || ' ' || company_name FROM gold.customer_master_history WHERE customer_id = 'acct_Z' ORDER BY recorded_at, valid_from"))
	}
	if got := query(t, db, "SELECT COUNT(*) FROM gold.customer_master_history WHERE customer_id = 'acct_Z' AND superseded_at IS NULL AND trueup_open_value(company_name) = 'Acme'"); got[0] != "1" {
		t.Errorf("acct_Z's current version: %s rows, want 1 with Acme", got[0])
	}
	changes := query(t, db, "SELECT old_customer_id || ' -> ' || new_customer_id || ' ' || reason || ' by ' || author || ': ' || note FROM silver.crosswalk_changes WHERE record_key = '001Z' ORDER BY changed_at")
	if len(changes) != 1 || changes[0] != "acct_Z -> "+crmID+" manual by steward.sam: again" {
		t.Errorf("crosswalk changes: %q", changes)
	}
	if got := query(t, db, "SELECT COUNT(*) FROM silver.manual_links WHERE ended_at IS NULL"); got[0] != "1" {
		t.Errorf("%s manual links in force, want 1", got[0])
	}

	// A later event of the record with the same email, and one of the app
	// account: no match rule undoes the steward's decision.
	landAs(t, landing, "crm/account", "2.json", crmCreate(2, 5*day, "001Z", "ops@zeta.io"))
	land(t, landing, "2.json", appEvent("u", 200, 6*day, "acct_Z", "ops@zeta.io"))
	runOnce(t, run, landing)
	if got := link(); got != crmID+" manual" {
		t.Errorf("crm 001Z after a new event with the same email: %s, want %s manual", got, crmID)
	}

	// Elsewhere, then back.
	for _, to := range []string{"acct_Y", "acct_Z"} {
		if _, err := run.Link(ctx, "crm", "001Z", to, "steward's call", "steward.kim"); err != nil {
			t.Fatal(err)
		}
		runOnce(t, run, landing)
		if got := link(); got != to+" manual" {
			t.Errorf("crm 001Z after the link to %s: %s", to, got)
		}
	}
	if got := query(t, db, "SELECT COUNT(*) FROM gold.customer_master_history WHERE customer_id = '"+crmID+"' AND superseded_at IS NULL"); got[0] != "0" {
		t.Errorf("%s keeps %s current versions after its record left", crmID, got[0])
	}
	if got := query(t, db, "SELECT customer_id FROM gold.customer_master ORDER BY 1"); strings.Join(got, ",") != "acct_Y,acct_Z" {
		t.Errorf("customers after the link back: %v", got)
	}

	// A rebuild from RAW honours the manual links as the batches did.
	want := snapshot(t, db)
	if _, err := run.Replay(ctx, local.ReplayOptions{}); err != nil {
		t.Fatal(err)
	}
	checkHistory(t, db)
	if got := snapshot(t, db); got != want {
		t.Errorf("replay differs from incremental processing with manual links:\n%s", firstDiff(want, got))
	}

	entries, err := run.VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var relinks []auditlog.Entry
	for _, e := range entries {
		if e.Action == auditlog.Relink {
			relinks = append(relinks, e)
		}
	}
	if len(relinks) != 5 {
		t.Fatalf("%d relink entries, want 5: %+v", len(relinks), relinks)
	}
	for _, e := range relinks {
		if e.Subject != "crm:001Z" || !strings.Contains(e.Detail, `"author":"steward.`) || strings.Contains(strings.ToLower(e.Detail), "zeta.io") {
			t.Errorf("relink entry: %+v", e)
		}
	}
	if !strings.Contains(relinks[0].Detail, "TICKET-7") || !strings.Contains(relinks[0].Detail, `"to":"`+crmID+`"`) {
		t.Errorf("first relink entry: %+v", relinks[0])
	}
	run.Close()
	run = nil

	// Through the commands: explain names the rule, audit verify holds.
	var out bytes.Buffer
	if err := app.Explain(ctx, &out, app.ExplainOptions{Models: "testdata/spec", DB: dbPath, Customer: "acct_Z"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "crm 001Z (manual by steward.kim at ") || !strings.Contains(out.String(), ": steward's call)") {
		t.Errorf("explain acct_Z does not show the manual link:\n%s", out.String())
	}
	out.Reset()
	if err := app.AuditVerify(ctx, &out, app.AuditOptions{TargetOptions: app.TargetOptions{Models: "testdata/spec"}, DB: dbPath}); err != nil {
		t.Fatalf("audit verify: %v\n%s", err, out.String())
	}
	err = app.Link(ctx, &out, app.LinkOptions{Models: "testdata/spec", DB: dbPath, Source: "crm", Record: "001Z", Reason: "", Author: "x"})
	if !errors.Is(err, local.ErrNoReason) {
		t.Errorf("link without a reason: %v", err)
	}
}
