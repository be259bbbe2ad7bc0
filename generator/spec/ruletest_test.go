package spec_test

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ledgerloop/trueup/generator/spec"
)

var ruleSpec = map[string]string{
	"p.yaml": "project: {database: DB, warehouse: WH}\n",
	"c.yaml": `customer:
  fields:
    email: {valid: email}
    status: {accepted: [a, b]}
    tier: {}
rules:
  email: [valid, {priority: [app, billing]}]
  tier: {same_record_as: status}
`,
	"s.yaml": strings.NewReplacer("fields: {email: email, status: status}", "fields: {email: email, status: status, tier: plan}",
		"fields: {email: email}", "fields: {email: email, status: status, tier: tier}").Replace(validSources) +
		"  crm:\n    format: salesforce_cdc\n    object: Account\n    key: Id\n    customer: Acct__c\n    fields: {status: Status__c}\n",
}

// loadTests loads ruleSpec, with extra files added to models/ (a
// subfolder such as tests/x.yaml is not part of the spec), and the rule
// tests under tests/.
func loadTests(t *testing.T, files map[string]string) ([]*spec.RuleTest, error) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, body := range ruleSpec {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	s, err := spec.Load(fsys, ".", "models")
	if err != nil {
		t.Fatalf("load spec: %v", err)
	}
	return spec.LoadRuleTests(fsys, spec.RuleTestDir, "models/tests", s)
}

// TestLoadSkipsSubfolders: files in folders below models/ (rule tests
// and their subfolders; overrides, read as overrides) are not sections of
// the spec.
func TestLoadSkipsSubfolders(t *testing.T) {
	tests, err := loadTests(t, map[string]string{
		"tests/deep/x.yaml": "not: a spec\n",
		"other/x.yaml":      "not: a spec either\n",
	})
	if err != nil || len(tests) != 0 {
		t.Fatalf("tests = %v, err = %v", tests, err)
	}
}

func TestLoadRuleTests(t *testing.T) {
	tests, err := loadTests(t, map[string]string{"tests/a.yaml": `tests:
  - name: app wins on priority
    field: email
    candidates:
      app: {value: A@x.io, at: 2026-02-01T10:00:00Z}
      billing: b@x.io
    expect: {source: app, rule: priority, value: a@x.io}
  - name: tier follows status
    field: tier
    candidates:
      app: gold
      billing: {value: null, at: 2026-01-02}
    given:
      status:
        crm: {value: 7, at: "2026-01-03 04:05:06"}
    expect: {source: billing, value: null, as_of: 2026-01-02T12:00:00Z}
`})
	if err != nil {
		t.Fatal(err)
	}
	if len(tests) != 2 {
		t.Fatalf("%d tests", len(tests))
	}
	a := tests[0]
	if a.Name != "app wins on priority" || a.Field != "email" || len(a.Candidates) != 2 || a.Pos.Line != 2 {
		t.Fatalf("first test = %+v", a)
	}
	if c := a.Candidates[0]; c.Source != "app" || *c.Value != "A@x.io" || !c.At.Equal(time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)) || c.Pos.Line != 5 {
		t.Errorf("app candidate = %+v", c)
	}
	if c := a.Candidates[1]; *c.Value != "b@x.io" || !c.At.Equal(spec.DefaultTestTime) {
		t.Errorf("billing candidate = %+v", c)
	}
	if e := a.Expect; *e.Source != "app" || *e.Rule != "priority" || !e.ValueSet || *e.Value != "a@x.io" {
		t.Errorf("expect = %+v", e)
	}
	b := tests[1]
	if c := b.Candidates[1]; c.Value != nil || c.Kind != "null" {
		t.Errorf("null candidate = %+v", c)
	}
	if len(b.Given) != 1 || b.Given[0].Field != "status" || *b.Given[0].Value != "7" || b.Given[0].Kind != "number" ||
		!b.Given[0].At.Equal(time.Date(2026, 1, 3, 4, 5, 6, 0, time.UTC)) {
		t.Errorf("given = %+v", b.Given[0])
	}
	if !a.Expect.AsOf.IsZero() || !b.Expect.AsOf.Equal(time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("as_of = %v, %v", a.Expect.AsOf, b.Expect.AsOf)
	}
	if e := b.Expect; e.Rule != nil || !e.ValueSet || e.Value != nil {
		t.Errorf("expect = %+v", e)
	}
}

// TestRuleTestErrors: every problem of every file at once, each at its
// file, line and column, naming the field.
func TestRuleTestErrors(t *testing.T) {
	_, err := loadTests(t, map[string]string{
		"tests/a.yaml": `tests:
  - name: one
    field: emial
    candidates: {app: x}
    expect: {value: x}
  - name: two
    field: status
    candidates:
      stripe: x
      app: {value: [1], at: yesterday}
      crm: {at: 2026-01-01}
    expect: {source: nobody, rule: trust, colour: red}
  - name: one
    field: tier
    candidates: {app: x}
    expect: {}
  - field: email
    candidates: {crm: x}
    expect: {rule: priority}
`,
		"tests/b.yaml": "tests:\n  - name: [unclosed\n",
	})
	if err == nil {
		t.Fatal("no error")
	}
	want := []string{
		`models/tests/a.yaml:3:12: test "one": unknown field "emial" (expected one of email, status, tier)`,
		`models/tests/a.yaml:9:7: test "two": candidates: unknown source "stripe" (expected one of app, billing, crm)`,
		`models/tests/a.yaml:10:20: test "two": candidates "app": value must be a scalar`,
		`models/tests/a.yaml:10:29: test "two": candidates "app": at: want a time such as 2026-01-31 or 2026-01-31T10:00:00Z, got "yesterday"`,
		`models/tests/a.yaml:11:12: test "two": candidates "crm": value is required (null asserts null)`,
		`models/tests/a.yaml:12:22: test "two": expect: unknown source "nobody"`,
		`models/tests/a.yaml:12:36: test "two": expect: rule "trust" cannot decide field "status" (expected one of non_null, most_recent, unanimous, only_candidate, tie_break, no_valid_candidate)`,
		`models/tests/a.yaml:12:43: test "two": expect: unknown key "colour"`,
		`models/tests/a.yaml:13:5: test "one": tier follows the record that wins status: give its values under given.status`,
		`models/tests/a.yaml:13:5: test "one" is already defined at models/tests/a.yaml:2:5`,
		`models/tests/a.yaml:16:13: test "one": expect: give at least one of source, rule, value`,
		`models/tests/a.yaml:17:5: test: name is required`,
		`models/tests/a.yaml:18:18: test: candidates: source "crm" does not map field "email"`,
		`models/tests/b.yaml:1:1: yaml: did not find expected`,
	}
	got := err.Error()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in\n%s", w, got)
		}
	}
	if n := strings.Count(got, "\n") + 1; n != len(want) {
		t.Errorf("%d errors, want %d:\n%s", n, len(want), got)
	}
}

// TestRuleTestNamesUnique: a name repeated in another file is an error at
// the second.
func TestRuleTestNamesUnique(t *testing.T) {
	one := "tests:\n  - name: same\n    field: email\n    candidates: {app: x}\n    expect: {value: x}\n"
	_, err := loadTests(t, map[string]string{"tests/a.yaml": one, "tests/b.yml": one})
	if err == nil || !strings.Contains(err.Error(), `models/tests/b.yml:2:5: test "same" is already defined at models/tests/a.yaml:2:5`) {
		t.Fatalf("err = %v", err)
	}
}

// TestRuleTestValuesOverTime: a source's values may be a list, the
// record's values over time; an empty list is an error.
func TestRuleTestValuesOverTime(t *testing.T) {
	tests, err := loadTests(t, map[string]string{"tests/a.yaml": `tests:
  - name: over time
    field: email
    candidates:
      app: [first@x.io, {value: null, at: 2026-02-01}]
    expect: {value: null}
`})
	if err != nil {
		t.Fatal(err)
	}
	c := tests[0].Candidates
	if len(c) != 2 || *c[0].Value != "first@x.io" || c[1].Value != nil || !c[1].At.After(c[0].At) || c[1].Source != "app" {
		t.Fatalf("candidates = %+v", c)
	}
	_, err = loadTests(t, map[string]string{"tests/a.yaml": "tests:\n  - name: none\n    field: email\n    candidates: {}\n    expect: {value: x}\n"})
	if err == nil || !strings.Contains(err.Error(), `models/tests/a.yaml:4:17: test "none": candidates: give at least one source's value`) {
		t.Fatalf("err = %v", err)
	}
	_, err = loadTests(t, map[string]string{"tests/a.yaml": "tests:\n  - name: empty\n    field: email\n    candidates: {app: []}\n    expect: {value: x}\n"})
	if err == nil || !strings.Contains(err.Error(), `models/tests/a.yaml:4:23: test "empty": candidates "app": give at least one value`) {
		t.Fatalf("err = %v", err)
	}
}
