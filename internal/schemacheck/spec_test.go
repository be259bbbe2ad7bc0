package schemacheck

import (
	"encoding/json"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/docs/schema"
	"github.com/ledgerloop/trueup/generator/spec"
	"github.com/ledgerloop/trueup/internal/scaffold"
)

// repoRoot is the module's root, two folders up.
const repoRoot = "../.."

// specDirs are the repository's spec folders: every folder with a .yaml
// file that git tracks whose files hold the sections of a spec (a rule
// test or overrides file is checked with its spec folder).
func specDirs(t *testing.T) []string {
	out, err := exec.Command("git", "-C", repoRoot, "ls-files", "*.yaml", "*.yml").Output()
	if err != nil {
		t.Skipf("git ls-files: %v", err)
	}
	dirs := map[string]bool{}
	for _, f := range strings.Fields(string(out)) {
		d := path.Dir(f)
		if path.Base(f) == "trueup.yaml" && path.Base(d) != "models" {
			continue // a project's targets (the starter's), not a spec file
		}
		switch path.Base(d) {
		case spec.RuleTestDir, spec.OverridesDir:
			d = path.Dir(d)
		}
		dirs[d] = true
	}
	var list []string
	for d := range dirs {
		list = append(list, d)
	}
	sort.Strings(list)
	return list
}

// TestRepoSpecs validates every spec folder of the repository that the
// loader accepts against the schema (the schema is never stricter than
// the loader on a real spec); a folder the loader refuses is a fixture of
// bad input (generator/plan/testdata/errors), which the schema need not
// accept. The company spec and the tests' copy must be accepted by both.
func TestRepoSpecs(t *testing.T) {
	dirs := specDirs(t)
	for _, want := range []string{"models", "tests/testdata/spec"} {
		found := false
		for _, d := range dirs {
			found = found || d == want
		}
		if !found {
			t.Fatalf("spec folder %s not found among %v", want, dirs)
		}
	}
	for _, d := range dirs {
		t.Run(d, func(t *testing.T) {
			fsys := os.DirFS(filepath.Join(repoRoot, d))
			if _, err := spec.Load(fsys, ".", d); err != nil {
				if d == "models" || d == "tests/testdata/spec" {
					t.Fatalf("the loader refuses %s: %v", d, err)
				}
				t.Logf("a fixture of bad input (the loader refuses it): %v", err)
				return
			}
			if errs := Spec(fsys, ".", d); len(errs) > 0 {
				t.Errorf("schema violations:\n%v", errs)
			}
		})
	}
}

// TestStarterSpec validates the spec trueup init writes.
func TestStarterSpec(t *testing.T) {
	if errs := Spec(scaffold.Models(), ".", "models"); len(errs) > 0 {
		t.Errorf("schema violations:\n%v", errs)
	}
}

// TestBuiltinChecks keeps the schema's checks in line with the loader's.
func TestBuiltinChecks(t *testing.T) {
	data, err := schema.FS.ReadFile(schema.Spec)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Defs struct {
			Checks struct {
				Properties map[string]any `json:"properties"`
			} `json:"checks"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for n := range doc.Defs.Checks.Properties {
		got = append(got, n)
	}
	for _, c := range spec.BuiltinChecks {
		want = append(want, c.Name)
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("schema checks %v, loader's built-in checks %v", got, want)
	}
}

// TestBadSpec: each wrong file is refused with the position of the
// offending node and a message that names it.
func TestBadSpec(t *testing.T) {
	for _, c := range []struct {
		name, schema, text string
		want               []string
	}{
		{"unknown type", schema.Spec, "customer:\n  fields:\n    email:\n      type: text\n",
			[]string{`f.yaml:4:13: schema (spec.schema.json): customer.fields.email.type: value must be one of 'string', 'integer', 'number', 'boolean', 'timestamp'`}},
		{"misspelt key", schema.Spec, "sources:\n  app:\n    format: debezium\n    table: public.accounts\n    key: id\n    feilds: {email: email}\n",
			[]string{`f.yaml:6:5: schema (spec.schema.json): sources.app.feilds: key "feilds" is not allowed here`}},
		{"unknown section", schema.Spec, "project: {database: D, warehouse: W}\nrulez: {}\n",
			[]string{`f.yaml:2:1: schema (spec.schema.json): rulez: key "rulez" is not allowed here`}},
		{"missing table", schema.Spec, "sources:\n  app:\n    format: debezium\n    key: id\n",
			[]string{`f.yaml:2:3: schema (spec.schema.json): sources.app: missing "table"`}},
		{"bad name", schema.Spec, "sources:\n  App:\n    format: stripe_events\n    object: customer\n    key: id\n",
			[]string{`f.yaml:2:3: schema (spec.schema.json): sources.App: "App" is not a valid name`}},
		{"bad rule", schema.Spec, "rules:\n  email:\n    - newest\n",
			[]string{`f.yaml:3:7: schema (spec.schema.json): rules.email.0: value must be one of 'valid', 'most_recent', 'non_null', 'frequency'`}},
		{"trust above 1", schema.Spec, "rules:\n  email:\n    - trust: {app: 1.5}\n",
			[]string{`f.yaml:3:20: schema (spec.schema.json): rules.email.0.trust.app: maximum: got 1.5, want 1`}},
		{"duration", schema.Spec, "project:\n  database: D\n  warehouse: W\n  schedule: 1 minute\n",
			[]string{`f.yaml:4:13: schema (spec.schema.json): project.schedule: '1 minute' does not match pattern`}},
		{"type of a value", schema.Spec, "customer:\n  fields:\n    email: {pii: yes please}\n",
			[]string{`f.yaml:3:18: schema (spec.schema.json): customer.fields.email.pii: got string, want boolean`}},
		{"override without reason", schema.Overrides, "overrides:\n  - {customer: c1, field: email, value: a@b.c, author: me}\n",
			[]string{`f.yaml:2:5: schema (overrides.schema.json): overrides.0: missing "reason"`}},
		{"rule test", schema.RuleTests, "tests:\n  - name: t\n    field: email\n    candidates: {app: {value: a, when: 2026-01-01}}\n    expect: {source: app}\n",
			[]string{`f.yaml:4:34: schema (rule-tests.schema.json): tests.0.candidates.app.when: key "when" is not allowed here`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			errs := YAML(c.schema, "f.yaml", []byte(c.text))
			if len(errs) == 0 {
				t.Fatal("accepted")
			}
			got := errs.Error()
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("got\n%s\nwant a line with\n%s", got, w)
				}
			}
		})
	}
}
