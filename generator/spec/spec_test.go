package spec_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"

	"github.com/ledgerloop/trueup/generator/spec"
)

const validSources = `sources:
  app:
    format: debezium
    table: public.accounts
    key: id
    customer: id
    fields: {email: email, status: status}
  billing:
    format: stripe_events
    object: customer
    key: id
    customer: metadata.account_id
    fields: {email: email}
`

func load(t *testing.T, files map[string]string) (*spec.Spec, error) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return spec.Load(fsys, ".", "models")
}

func TestLoadCompanySpec(t *testing.T) {
	s, err := load(t, map[string]string{
		"a.yaml": "project: {database: DB, warehouse: WH, schedule: 2m, ruleset: v1}\n",
		"b.yaml": "customer:\n  fields:\n    email: {type: string, pii: true, normalize: [trim, lower], valid: email}\n    status: {accepted: [a, b]}\nrules:\n  email: [valid, most_recent]\n",
		"c.yaml": validSources,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Fields) != 2 || len(s.Sources) != 2 || s.Fields[0].Name != "email" || s.Sources[1].Name != "billing" {
		t.Fatalf("declaration order lost: %+v %+v", s.Fields, s.Sources)
	}
	if got := s.Project.Schedule.String(); got != "2m0s" {
		t.Errorf("schedule = %s", got)
	}
	// status has no rules: the default chain.
	if r := s.FieldByName("status").Rules; len(r) != 2 || r[0].Kind != spec.RuleNonNull || r[1].Kind != spec.RuleMostRecent {
		t.Errorf("default chain = %+v", r)
	}
	if got := strings.Join(s.SourceByName("billing").Customer, "/"); got != "metadata/account_id" {
		t.Errorf("customer path = %s", got)
	}
}

// TestErrorsAtOnce: every problem is reported, each at its file:line:col.
func TestErrorsAtOnce(t *testing.T) {
	_, err := load(t, map[string]string{
		"project.yaml": "project:\n  database: DB\n  warehouse: WH\n  schedule: soon\n",
		"customer.yaml": `customer:
  fields:
    email: {type: text, normalize: [trim, shout]}
    Bad-Name: {type: string}
    status: {accepted: [a]}
rules:
  email:
    - trust: {app: 0.9, stripe2: 0.5}
  status:
    - priority: [app, app]
    - sometimes
  nope: [most_recent]
`,
		"sources.yaml": validSources,
	})
	if err == nil {
		t.Fatal("no error")
	}
	if !errors.Is(err, spec.ErrInvalid) {
		t.Errorf("error does not wrap ErrInvalid: %v", err)
	}
	want := []string{
		`models/customer.yaml:3:19: field "email": unknown type "text" (expected one of string, integer, number, boolean, timestamp)`,
		`models/customer.yaml:3:43: field "email": unknown normalizer "shout" (expected one of trim, lower, upper)`,
		`models/customer.yaml:4:5: field name "Bad-Name" must start with a lower-case letter and contain only a-z, 0-9 and _ (at most 40 characters): it becomes a SQL identifier`,
		`models/customer.yaml:8:25: rule "trust" names unknown source "stripe2"`,
		`models/customer.yaml:10:23: rules for "status": priority lists "app" twice`,
		`models/customer.yaml:11:7: rules for "status": unknown rule "sometimes"`,
		`models/customer.yaml:12:3: rules: unknown field "nope"`,
		`models/project.yaml:4:13: project.schedule: invalid duration "soon" (expected a number and a unit s, m, h or d)`,
	}
	got := strings.Split(err.Error(), "\n")
	for _, w := range want {
		found := false
		for _, g := range got {
			if strings.HasPrefix(g, w) {
				found = true
			}
		}
		if !found {
			t.Errorf("missing error:\n  %s\ngot:\n  %s", w, strings.Join(got, "\n  "))
		}
	}
}

// TestHostileNames: names that become identifiers are refused with the
// reason, never quoted into SQL.
func TestHostileNames(t *testing.T) {
	_, err := load(t, map[string]string{
		"p.yaml": "project: {database: \"DB; DROP\", warehouse: WH}\n",
		"c.yaml": "customer:\n  fields:\n    \"e'mail\": {type: string}\n    \"x;--\": {type: string}\n    customer_id: {type: string}\n",
		"s.yaml": "sources:\n  \"a b\":\n    format: stripe_events\n    object: customer\n    key: id\n    customer: id\n    fields: {\"e'mail\": email}\n",
	})
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{
		`models/p.yaml:1:21: project.database "DB; DROP" must be a plain identifier`,
		`models/c.yaml:3:5: field name "e'mail" must start with a lower-case letter`,
		`models/c.yaml:4:5: field name "x;--" must start with a lower-case letter`,
		`models/c.yaml:5:5: field name "customer_id" is reserved`,
		`models/s.yaml:2:3: source name "a b" must start with a lower-case letter`,
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in:\n%v", w, err)
		}
	}
}

func TestYAMLSyntaxError(t *testing.T) {
	_, err := load(t, map[string]string{"a.yaml": "project:\n  database: [unclosed\n"})
	if err == nil || !strings.HasPrefix(err.Error(), "models/a.yaml:") {
		t.Fatalf("err = %v", err)
	}
}

func TestDuplicateSection(t *testing.T) {
	_, err := load(t, map[string]string{
		"a.yaml": "project: {database: DB, warehouse: WH}\n",
		"b.yaml": "project: {database: DB, warehouse: WH}\n",
	})
	if err == nil || !strings.Contains(err.Error(), `models/b.yaml:1:1: section "project" is already defined at models/a.yaml:1:1`) {
		t.Fatalf("err = %v", err)
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]string{"30s": "30s", "5m": "5m0s", "2h": "2h0m0s", "180d": "4320h0m0s", "1.5h": "1h30m0s"} {
		d, err := spec.ParseDuration(in)
		if err != nil || d.String() != want {
			t.Errorf("%s = %v, %v; want %s", in, d, err, want)
		}
	}
	for _, bad := range []string{"", "5", "5w", "-1m", "m"} {
		if _, err := spec.ParseDuration(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// TestIntakeChecks: quarantine_share is an error at share 1 by default, a
// lower share is set per source, a share outside (0, 1] is refused, and
// unmapped_event_types is an info count.
func TestIntakeChecks(t *testing.T) {
	base := map[string]string{
		"project.yaml":  "project:\n  database: DB\n  warehouse: WH\n",
		"customer.yaml": "customer:\n  fields:\n    email: {type: string}\n    status: {type: string}\n",
		"sources.yaml":  validSources,
	}
	s, err := load(t, base)
	if err != nil {
		t.Fatal(err)
	}
	if c := s.CheckByName(spec.CheckQuarantineShare); c == nil || c.Severity != "error" || c.Share != 1 {
		t.Errorf("quarantine_share default = %+v", c)
	}
	if c := s.CheckByName(spec.CheckUnmappedTypes); c == nil || c.Severity != "info" {
		t.Errorf("unmapped_event_types default = %+v", c)
	}
	base["checks.yaml"] = "checks:\n  quarantine_share:\n    fields:\n      billing: {share: 0.5}\n"
	s, err = load(t, base)
	if err != nil {
		t.Fatal(err)
	}
	c := s.CheckByName(spec.CheckQuarantineShare)
	if c.For("billing").Share != 0.5 || c.For("app").Share != 1 {
		t.Errorf("share billing = %v, app = %v; want 0.5 and 1", c.For("billing").Share, c.For("app").Share)
	}
	base["checks.yaml"] = "checks:\n  quarantine_share: {share: 0}\n"
	if _, err := load(t, base); err == nil || !strings.Contains(err.Error(), `check "quarantine_share": share must be above 0 and at most 1, not 0`) {
		t.Errorf("share 0: %v", err)
	}
}

// TestFraming: a source's files are lines unless it says documents; any
// other framing is an error at its line.
func TestFraming(t *testing.T) {
	base := map[string]string{
		"project.yaml":  "project:\n  database: DB\n  warehouse: WH\n",
		"customer.yaml": "customer:\n  fields:\n    email: {type: string}\n    status: {type: string}\n",
		"sources.yaml":  strings.Replace(validSources, "    format: stripe_events\n", "    format: stripe_events\n    framing: documents\n", 1),
	}
	s, err := load(t, base)
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range s.Sources {
		want := spec.FramingLines
		if src.Name == "billing" {
			want = spec.FramingDocuments
		}
		if src.Framing != want {
			t.Errorf("source %s: framing %q, want %q", src.Name, src.Framing, want)
		}
	}
	base["sources.yaml"] = strings.Replace(validSources, "    format: stripe_events\n", "    format: stripe_events\n    framing: json\n", 1)
	if _, err := load(t, base); err == nil || !strings.Contains(err.Error(), `models/sources.yaml:10:14: source "billing": framing "json": want lines`) {
		t.Errorf("framing json: %v", err)
	}
}

func TestOverrideSettings(t *testing.T) {
	c := "customer:\n  fields:\n    email: {type: string}\n    status: {type: string}\n"
	s, err := load(t, map[string]string{
		"p.yaml": "project:\n  database: DB\n  warehouse: WH\n  overrides: {keep_when_source_agrees: true}\n",
		"c.yaml": c, "s.yaml": validSources,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Project.KeepOverrides {
		t.Error("keep_when_source_agrees: true not read")
	}
	_, err = load(t, map[string]string{
		"p.yaml": "project:\n  database: DB\n  warehouse: WH\n  overrides: {keep_when_source_agrees: maybe, expire: 1d}\n",
		"c.yaml": c,
		"s.yaml": strings.Replace(validSources, "  billing:", "  override:", 1),
	})
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{
		`models/p.yaml:4:40: project.overrides.keep_when_source_agrees must be true or false`,
		`models/p.yaml:4:47: project.overrides: unknown key "expire"`,
		`models/s.yaml:8:3: source name "override" is reserved`,
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in:\n%v", w, err)
		}
	}
}

func TestOverrideFiles(t *testing.T) {
	p := "project: {database: DB, warehouse: WH}\n"
	c := "customer:\n  fields:\n    email: {type: string}\n    status: {type: string}\n"
	s, err := load(t, map[string]string{"p.yaml": p, "c.yaml": c, "s.yaml": validSources,
		"overrides/a.yaml": "overrides:\n  - customer: acct_1\n    field: status\n    value: active\n    reason: ticket 1\n    author: sam\n    until: 2027-01-31\n",
		"overrides/b.yaml": "overrides:\n  - {customer: acct_2, field: email, value: a@b.io, reason: r, author: kim}\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Overrides) != 2 {
		t.Fatalf("overrides: %+v", s.Overrides)
	}
	o := s.Overrides[0]
	if o.Customer != "acct_1" || o.Field != "status" || o.Value != "active" || o.Author != "sam" || o.Until.Format("2006-01-02") != "2027-01-31" || o.Pos.String() != "models/overrides/a.yaml:2:5" {
		t.Errorf("override: %+v", o)
	}
	moved := o
	moved.Pos = spec.Pos{File: "elsewhere.yaml"}
	changed := o
	changed.Value = "paused"
	if o.Origin() != moved.Origin() || o.Origin() == changed.Origin() || !strings.HasPrefix(o.Origin(), "file:") {
		t.Errorf("origins: %s %s %s", o.Origin(), moved.Origin(), changed.Origin())
	}
	_, err = load(t, map[string]string{"p.yaml": p, "c.yaml": c, "s.yaml": validSources,
		"overrides/a.yaml": "overrides:\n  - customer: acct_1\n    field: colour\n    value: red\n    reason: r\n    author: a\n    until: soon\n    note: x\n  - {customer: acct_2, field: status, value: ~, reason: r, author: a}\n  - {customer: acct_3, field: status, value: active}\n",
		"overrides/b.yaml": "overrides:\n  - {customer: acct_3, field: status, value: paused, reason: r, author: a}\n  - {customer: acct_3, field: status, value: active, reason: r, author: a}\n",
		"overrides/c.yaml": "overrides: nope\n",
	})
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{
		`models/overrides/a.yaml:3:12: override.field: no field "colour" (fields: email, status)`,
		`models/overrides/a.yaml:7:12: override.until: "soon": want an RFC 3339 time`,
		`models/overrides/a.yaml:8:5: override: unknown key "note"`,
		`models/overrides/a.yaml:9:46: override.value must be a value`,
		`models/overrides/a.yaml:10:5: override: reason is required`,
		`models/overrides/b.yaml:3:5: customer acct_3 field status is already overridden at models/overrides/b.yaml:2`,
		`models/overrides/c.yaml:1:12: overrides must be a list of overrides`,
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in:\n%v", w, err)
		}
	}
}

func TestValidateCatchesEarly(t *testing.T) {
	c := "customer:\n  fields:\n    email: {type: string}\n    status: {type: string}\n    valid_from: {type: string}\n    email__rule: {type: string}\n" +
		"rules:\n  status:\n    - priority: [app, billing, app]\n"
	_, err := load(t, map[string]string{"p.yaml": "project:\n  database: DB\n  warehouse: WH\n  schedule: 0s\n", "c.yaml": c, "s.yaml": validSources})
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{
		`models/p.yaml:4:13: project.schedule 0s: want 1s or more`,
		`models/c.yaml:5:5: field name "valid_from" is reserved`,
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in:\n%v", w, err)
		}
	}
	_, err = load(t, map[string]string{"p.yaml": "project:\n  database: DB\n  warehouse: \"W\x00H\"\n"})
	if err == nil || !strings.Contains(err.Error(), "models/p.yaml:3:16: a NUL byte") {
		t.Errorf("NUL byte: %v", err)
	}
	_, err = spec.Load(fstest.MapFS{}, "nowhere", "models")
	if err == nil || !strings.Contains(err.Error(), "the models folder models/nowhere does not exist") {
		t.Errorf("missing folder: %v", err)
	}
}

func TestDidYouMean(t *testing.T) {
	c := "customer:\n  match: [customer_link, emial]\n  fields:\n    email: {type: string}\n    status: {type: string}\n" +
		"rules:\n  staus: [most_recent]\n  email:\n    - priority: [ap, billing]\n"
	_, err := load(t, map[string]string{"p.yaml": "project: {database: DB, warehouse: WH, schedul: 1m}\n", "c.yaml": c, "s.yaml": validSources})
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{
		`project: unknown key "schedul" (did you mean "schedule"?)`,
		`customer.match names unknown field "emial" (did you mean "email"?)`,
		`rules: unknown field "staus" (did you mean "status"?)`,
		`names unknown source "ap" (did you mean "app"?)`,
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in:\n%v", w, err)
		}
	}
}

// TestFIFORefused: a FIFO named like a spec file is refused at once, not
// read (which would block).
func TestFIFORefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "p.yaml"), []byte("project: {database: DB, warehouse: WH}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.yaml"), 0o644); err != nil {
		t.Skip("no FIFO here:", err)
	}
	_, err := spec.Load(os.DirFS(dir), ".", "models")
	if err == nil || !strings.Contains(err.Error(), "models/pipe.yaml: not a regular file") {
		t.Errorf("a FIFO: %v", err)
	}
}

// TestRuleForms: the errors of a chain's rules name the kinds of
// spec.RuleKinds, as written alone and as mappings.
func TestRuleForms(t *testing.T) {
	_, err := load(t, map[string]string{
		"project.yaml": "project:\n  database: DB\n  warehouse: WH\n",
		"customer.yaml": `customer:
  fields:
    email: {type: string, valid: email}
    company_name: {type: string}
    seats: {type: integer}
    billing_status: {type: string}
rules:
  email:
    - sometimes
    - {decay: {half_life: 1d}}
  company_name:
    - {priority: [app], decay: {half_life: 1d}}
    - {valid: maybe}
  seats:
    - {colour: red}
  billing_status:
    - valid
`,
		"sources.yaml": validSources,
	})
	if err == nil {
		t.Fatal("no error")
	}
	want := []string{
		`models/customer.yaml:9:7: rules for "email": unknown rule "sometimes" (expected valid, most_recent, non_null, frequency, or a mapping with priority, trust or valid)`,
		`models/customer.yaml:10:7: rules for "email": a rule mapping needs priority, trust or valid`,
		`models/customer.yaml:12:7: rules for "company_name": decay goes with trust`,
		`models/customer.yaml:13:15: rules for "company_name": valid must be drop or downgrade, not "maybe"`,
		`models/customer.yaml:15:8: rules for "seats": unknown key "colour" (expected one of priority, trust, decay, valid)`,
		`models/customer.yaml:15:7: rules for "seats": a rule mapping needs priority, trust or valid`,
		`models/customer.yaml:17:7: rules for "billing_status": rule valid needs the field to declare accepted values or a validator`,
	}
	got := strings.Split(err.Error(), "\n")
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("missing error:\n  %s\ngot:\n  %s", w, strings.Join(got, "\n  "))
		}
	}
}
