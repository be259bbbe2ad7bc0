package tests

import (
	"strings"
	"testing"
	"time"
)

func crmEvent(changeType string, replay int, at time.Duration, ids []string, changed, nulled []string, fields map[string]any) map[string]any {
	payload := map[string]any{
		"ChangeEventHeader": map[string]any{"entityName": "Account", "recordIds": ids, "changeType": changeType,
			"transactionKey": "tx", "sequenceNumber": 1, "commitTimestamp": t0.Add(at).UnixMilli(), "commitNumber": replay,
			"changedFields": changed, "nulledFields": nulled, "diffFields": []string{}},
	}
	for k, v := range fields {
		payload[k] = v
	}
	return map[string]any{"payload": payload, "event": map[string]any{"replayId": replay}}
}

// TestSalesforceSemantics: changedFields and nulledFields decide what an
// UPDATE asserts (absent = unchanged, nulled = null); one event names
// several records; DELETE and UNDELETE are observations; gap events carry
// no values and become findings naming the records to re-sync.
func TestSalesforceSemantics(t *testing.T) {
	run := open(t, "testdata/spec")
	landing := t.TempDir()
	landAs(t, landing, "crm/account", "1.json",
		crmEvent("CREATE", 1, 0, []string{"001A"}, nil, nil, map[string]any{"Name": "Alpha", "Billing_Email__c": "a@alpha.io", "Seats__c": 3}),
		crmEvent("CREATE", 2, 0, []string{"001B"}, nil, nil, map[string]any{"Name": "Beta", "Billing_Email__c": "b@beta.io", "Seats__c": 4}),
		// Name is in the payload but not in changedFields: unchanged.
		// Billing_Email__c is nulled. Both records get Seats__c = 9.
		crmEvent("UPDATE", 3, day, []string{"001A", "001B"}, []string{"Seats__c"}, []string{"Billing_Email__c"},
			map[string]any{"Seats__c": 9, "Name": "IGNORED", "Billing_Email__c": nil}),
		crmEvent("DELETE", 4, 2*day, []string{"001B"}, nil, nil, nil),
		crmEvent("GAP_UPDATE", 5, 3*day, []string{"001C", "001D"}, nil, nil, nil),
		crmEvent("GAP_OVERFLOW", 6, 3*day, []string{}, nil, nil, nil),
	)
	runOnce(t, run, landing)
	db := run.DB()
	a, b := unmatchedID("crm", "001A"), unmatchedID("crm", "001B")
	checkMaster(t, db, map[string]map[string]want{
		a: {
			"company_name": {"Alpha", "crm", "only_candidate"},
			"email":        {"NULL", "crm", "only_candidate"},
			"seats":        {"9", "crm", "only_candidate"},
		},
	})
	if n := query(t, db, "SELECT COUNT(*) FROM gold.customer_master WHERE customer_id = '"+b+"'"); n[0] != "0" {
		t.Errorf("the deleted record 001B is still in gold")
	}
	findings := query(t, db, "SELECT reason || ' ' || COALESCE(detail, '') FROM silver.quarantine ORDER BY reason")
	if len(findings) != 2 || !strings.Contains(findings[0], "GAP_OVERFLOW") || !strings.Contains(findings[0], "object Account") ||
		!strings.Contains(findings[1], "GAP_UPDATE") || !strings.Contains(findings[1], "001C") || !strings.Contains(findings[1], "001D") {
		t.Errorf("gap findings = %q", findings)
	}
	// Gap events assert nothing: no observation came from them.
	if n := query(t, db, "SELECT COUNT(*) FROM silver.observations WHERE record_key IN ('001C', '001D')"); n[0] != "0" {
		t.Errorf("gap events were applied as values: %s observations", n[0])
	}

	// UNDELETE brings 001B back with the values it carries.
	landAs(t, landing, "crm/account", "2.json",
		crmEvent("UNDELETE", 7, 4*day, []string{"001B"}, nil, nil, map[string]any{"Name": "Beta again", "Seats__c": 5}))
	runOnce(t, run, landing)
	checkMaster(t, db, map[string]map[string]want{
		b: {
			"company_name": {"Beta again", "crm", "only_candidate"},
			"seats":        {"5", "crm", "only_candidate"},
			// UNDELETE carries no email: the last one asserted (before the
			// delete) was nulled on day 1.
			"email": {"NULL", "crm", "only_candidate"},
		},
	})
}
