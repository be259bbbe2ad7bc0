package local_test

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/spec"
	"github.com/ledgerloop/trueup/internal/local"
)

// runRuleTests compiles the spec in models and runs the rule tests of body
// (a rule test file) on it.
func runRuleTests(t *testing.T, models, body string) map[string]local.RuleTestResult {
	t.Helper()
	p, err := generator.Compile(models)
	if err != nil {
		t.Fatal(err)
	}
	tests, err := spec.LoadRuleTests(fstest.MapFS{"tests/t.yaml": {Data: []byte(body)}}, "tests", "tests", p.Spec)
	if err != nil {
		t.Fatal(err)
	}
	results, err := local.RunRuleTests(context.Background(), p, tests)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]local.RuleTestResult{}
	for _, r := range results {
		out[r.Test.Name] = r
	}
	return out
}

// got is what gold held, as "source/rule value".
func got(r local.RuleTestResult) string {
	v := "null"
	if r.Value != nil {
		v = *r.Value
	}
	return r.Source + "/" + r.Rule + " " + v
}

func checkRuleTests(t *testing.T, results map[string]local.RuleTestResult, want map[string]string, failing ...string) {
	t.Helper()
	for name, w := range want {
		r, ok := results[name]
		if !ok {
			t.Errorf("%s: no result", name)
			continue
		}
		if g := got(r); g != w {
			t.Errorf("%s: got %s, want %s (candidates %+v)", name, g, w, r.Candidates)
		}
		wantPass := true
		for _, f := range failing {
			wantPass = wantPass && f != name
		}
		if r.Pass != wantPass {
			t.Errorf("%s: pass = %v, want %v", name, r.Pass, wantPass)
		}
	}
}

// TestRuleTestsWal2JSON: the app's events written as wal2json changes (an
// insert, then updates naming the replica identity), the company spec's
// other sources as theirs, and a test whose expectation is wrong fails.
func TestRuleTestsWal2JSON(t *testing.T) {
	results := runRuleTests(t, "../../tests/testdata/wal2json/models", `tests:
  - name: app over time
    field: email
    candidates:
      app:
        - {value: first@acme.io, at: 2026-01-01}
        - {value: Second@Acme.io, at: 2026-02-01T10:00:00.5Z}
      crm: {value: crm@acme.io, at: 2026-02-01}
    expect: {source: app, rule: trust, value: second@acme.io}
  - name: app before crm
    field: email
    candidates:
      app:
        - {value: first@acme.io, at: 2026-01-01}
        - {value: Second@Acme.io, at: 2026-02-01T10:00:00.5Z}
      crm: {value: crm@acme.io, at: 2026-02-01}
    expect: {source: app, rule: only_candidate, value: first@acme.io, as_of: 2026-01-15}
  - name: app nulls the seats
    field: seats
    candidates:
      app:
        - {value: 4, at: 2026-01-01}
        - {value: null, at: 2026-01-02}
      billing: {value: "9", at: 2026-01-01}
    expect: {source: billing, rule: non_null, value: "9"}
  - name: wrong expectation
    field: company_name
    candidates:
      app: Acme
      billing: Acme Billing
    expect: {source: billing}
  - name: plan of the billing record
    field: plan_tier
    candidates:
      billing:
        - {value: starter_monthly, at: 2026-01-01}
        - {value: enterprise_annual, at: 2026-01-05}
    given:
      billing_status:
        billing: {value: trialing, at: 2026-01-01}
        app: {value: active, at: 2026-01-03}
    expect: {source: billing, rule: same_record_as, value: enterprise}
`)
	checkRuleTests(t, results, map[string]string{
		"app over time":              "app/trust second@acme.io",
		"app before crm":             "app/only_candidate first@acme.io",
		"app nulls the seats":        "billing/non_null 9",
		"wrong expectation":          "app/priority Acme",
		"plan of the billing record": "billing/same_record_as enterprise",
	}, "wrong expectation")
}

// TestRuleTestsRuleKinds: the spec of generator/testdata/rules: a
// downgrade, linear decay, a boolean, a source value map and a nested
// Salesforce path sent in an UPDATE.
func TestRuleTestsRuleKinds(t *testing.T) {
	results := runRuleTests(t, "../../generator/testdata/rules/models", `tests:
  - name: downgraded
    field: email
    candidates:
      app: {value: bad, at: 2026-01-02}
      crm: {value: c@crm.io, at: 2026-01-01}
    expect: {source: crm, rule: valid, value: c@crm.io}
  - name: linear decay
    field: email
    candidates:
      app: {value: a@app.io, at: 2026-01-01}
      crm: {value: c@crm.io, at: 2026-01-21}
    expect: {source: crm, rule: trust, value: c@crm.io}
  - name: mapped status
    field: status
    candidates:
      crm: {value: Closed, at: 2026-01-01}
      app: {value: active, at: 2026-01-01}
    expect: {source: crm, rule: priority, value: canceled}
  - name: boolean
    field: vip
    candidates:
      app: {value: true, at: 2026-01-01}
    expect: {source: app, rule: only_candidate, value: "true"}
  - name: nested owner in an update
    field: owner
    candidates:
      crm:
        - {value: o1@crm.io, at: 2026-01-01}
        - {value: o2@crm.io, at: 2026-01-03}
      app: {value: o@app.io, at: 2026-01-02}
    expect: {source: crm, rule: most_recent, value: o2@crm.io}
`)
	checkRuleTests(t, results, map[string]string{
		"downgraded":                "crm/valid c@crm.io",
		"linear decay":              "crm/trust c@crm.io",
		"mapped status":             "crm/priority canceled",
		"boolean":                   "app/only_candidate true",
		"nested owner in an update": "crm/most_recent o2@crm.io",
	})
}
