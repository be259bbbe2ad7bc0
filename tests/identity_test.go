package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func landAs(t *testing.T, landing, folder, name string, events ...map[string]any) {
	t.Helper()
	dir := filepath.Join(landing, filepath.FromSlash(folder))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var data []byte
	for _, e := range events {
		line, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		data = append(append(data, line...), '\n')
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func stripeEvent(id, typ string, at time.Duration, customer, email string, meta map[string]any) map[string]any {
	return map[string]any{
		"id": id, "object": "event", "type": typ, "created": t0.Add(at).Unix(),
		"data": map[string]any{"object": map[string]any{"id": customer, "object": "customer", "email": email, "name": "Zeta", "delinquent": false, "metadata": meta}},
	}
}

func crmCreate(replay int, at time.Duration, id, email string) map[string]any {
	return map[string]any{
		"payload": map[string]any{
			"ChangeEventHeader": map[string]any{"entityName": "Account", "recordIds": []string{id}, "changeType": "CREATE",
				"commitTimestamp": t0.Add(at).UnixMilli(), "commitNumber": replay, "sequenceNumber": 1, "changedFields": []string{}},
			"Name": "Zeta LLC", "Billing_Email__c": email,
		},
		"event": map[string]any{"replayId": replay},
	}
}

// TestRelink: two unlinked records (a Stripe customer and a CRM account)
// start as two provisional customers; when the app account with the same
// email appears, both are linked to it by the email match rule, both old
// customers are re-resolved away, and their ids stay as aliases. When the
// Stripe customer later carries the account id, it is linked by it.
func TestRelink(t *testing.T) {
	run := open(t, "testdata/spec")
	landing := t.TempDir()
	landAs(t, landing, "billing/customer", "1.json", stripeEvent("evt_1", "customer.created", day, "cus_A", "Ops@Zeta.io", map[string]any{}))
	landAs(t, landing, "crm/account", "1.json", crmCreate(1, 2*day, "001Z", " ops@zeta.io"))
	runOnce(t, run, landing)
	stripeID, crmID := unmatchedID("billing", "cus_A"), unmatchedID("crm", "001Z")
	if got := query(t, run.DB(), "SELECT customer_id FROM gold.customer_master ORDER BY 1"); len(got) != 2 || got[0] != stripeID && got[1] != stripeID {
		t.Fatalf("before the app account: customers %v, want the two provisional ids %s and %s", got, stripeID, crmID)
	}

	land(t, landing, "1.json", appEvent("c", 100, 3*day, "acct_Z", "OPS@zeta.io"))
	runOnce(t, run, landing)
	db := run.DB()
	if got := query(t, db, "SELECT customer_id FROM gold.customer_master"); len(got) != 1 || got[0] != "acct_Z" {
		t.Fatalf("after the app account: customers %v, want [acct_Z]", got)
	}
	links := query(t, db, "SELECT source || ' ' || record_key || ' ' || customer_id || ' ' || matched_by FROM silver.crosswalk ORDER BY 1")
	want := []string{"app acct_Z acct_Z customer_link", "billing cus_A acct_Z email", "crm 001Z acct_Z email"}
	if len(links) != 3 || links[0] != want[0] || links[1] != want[1] || links[2] != want[2] {
		t.Errorf("crosswalk = %q, want %q", links, want)
	}
	aliases := query(t, db, "SELECT alias_id || ' -> ' || customer_id || ' (' || reason || ')' FROM silver.customer_aliases ORDER BY 1")
	wantAliases := []string{stripeID + " -> acct_Z (email)", crmID + " -> acct_Z (email)"}
	if len(aliases) != 2 || (aliases[0] != wantAliases[0] && aliases[0] != wantAliases[1]) {
		t.Errorf("aliases = %q, want %q", aliases, wantAliases)
	}
	// The old customers are re-resolved away: no current gold, no current history.
	for _, id := range []string{stripeID, crmID} {
		if n := query(t, db, "SELECT COUNT(*) FROM gold.customer_fields WHERE customer_id = '"+id+"'"); n[0] != "0" {
			t.Errorf("%s still has %s resolved fields", id, n[0])
		}
		if n := query(t, db, "SELECT COUNT(*) FROM gold.customer_master_history WHERE customer_id = '"+id+"' AND superseded_at IS NULL"); n[0] != "0" {
			t.Errorf("%s still has %s current versions", id, n[0])
		}
	}
	// acct_Z now resolves over all three records.
	if n := query(t, db, "SELECT COUNT(*) FROM gold.field_candidates WHERE customer_id = 'acct_Z' AND field = 'email'"); n[0] != "3" {
		t.Errorf("acct_Z has %s email candidates, want 3", n[0])
	}

	// The Stripe customer gains the account id: linked by it now.
	landAs(t, landing, "billing/customer", "2.json", stripeEvent("evt_2", "customer.updated", 4*day, "cus_A", "ops@zeta.io", map[string]any{"account_id": "acct_Z"}))
	runOnce(t, run, landing)
	if got := query(t, db, "SELECT matched_by FROM silver.crosswalk WHERE record_key = 'cus_A'"); got[0] != "customer_link" {
		t.Errorf("cus_A matched by %v, want customer_link", got)
	}
	if got := query(t, db, "SELECT COUNT(*) FROM silver.crosswalk_changes"); got[0] != "2" {
		t.Errorf("%s crosswalk changes, want 2 (the customer of cus_A did not change again)", got[0])
	}
}

// TestMatchIgnoresInvalidValues: a placeholder email that fails the field's
// validator never links records to a customer.
func TestMatchIgnoresInvalidValues(t *testing.T) {
	run := open(t, "testdata/spec")
	landing := t.TempDir()
	land(t, landing, "1.json", appEvent("c", 100, 0, "acct_1", "n/a"))
	landAs(t, landing, "billing/customer", "1.json", stripeEvent("evt_1", "customer.created", day, "cus_X", " n/a", map[string]any{}))
	landAs(t, landing, "crm/account", "1.json", crmCreate(1, 2*day, "001X", "N/A"))
	runOnce(t, run, landing)
	got := query(t, run.DB(), "SELECT record_key || ' ' || matched_by FROM silver.crosswalk ORDER BY 1")
	want := []string{"001X unmatched", "acct_1 customer_link", "cus_X unmatched"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("crosswalk = %q, want %q", got, want)
	}
}
