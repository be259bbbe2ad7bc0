package tests

import "testing"

// TestRuleKinds runs the spec under generator/testdata/rules, which uses the
// rule kinds the company spec does not make decisive: valid as a downgrade,
// linear trust decay with min and max, non_null, most_recent, nested paths,
// source value maps and typed columns.
func TestRuleKinds(t *testing.T) {
	run := open(t, "../generator/testdata/rules/models")
	runOnce(t, run, "testdata/rules/landing")
	db := run.DB()
	cases := map[string]map[string]want{
		"r1": {
			// app's "bad" is not an email: downgraded, not dropped; crm wins on valid.
			"email": {"r1@crm.io", "crm", "valid"},
			// app asserts null: non_null decides before priority.
			"status": {"canceled", "crm", "non_null"},
			// upper-cased, from the record that won status.
			"tier": {"SILVER", "crm", "same_record_as"},
			// both say 5; the more recent record (crm) carries the lineage.
			"seats": {"5", "crm", "unanimous"},
			"vip":   {"true", "app", "only_candidate"},
			// default chain [non_null, most_recent]; a nested path Owner.Email.
			"owner": {"o@crm.io", "crm", "most_recent"},
		},
		"r2": {
			// trust app 1 vs crm 0.5, but app's value is 20 days older than
			// crm's: linear decay over 30 days gives 1*(1-20/30) = 0.333 < 0.5.
			"email": {"new@crm.io", "crm", "trust"},
			// crm "Open" maps to active: both agree; priority picks crm's record.
			"status": {"active", "crm", "unanimous"},
			// 3 against 4, one each: frequency ties, the more recent wins.
			"seats": {"4", "crm", "most_recent"},
			"vip":   {"false", "app", "only_candidate"},
		},
	}
	checkMaster(t, db, cases)
	scores := query(t, db, "SELECT source || ' ' || scores FROM gold.field_candidates WHERE customer_id = 'r2' AND field = 'email' ORDER BY rank")
	want := []string{"crm valid=1 trust=0.500000", "app valid=1 trust=0.333333"}
	if len(scores) != 2 || scores[0] != want[0] || scores[1] != want[1] {
		t.Errorf("r2 email scores = %q, want %q", scores, want)
	}
}
