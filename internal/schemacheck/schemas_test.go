package schemacheck

import (
	"encoding/json"
	"io/fs"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/docs/schema"
)

// outputs are the commands with --json, each with its schema file.
var outputs = []string{"dq", "impact", "monitor", "resync", "test"}

// TestSchemasCompile compiles every published schema (which checks it
// against the 2020-12 meta-schema) and checks the output schemas' contract:
// a schema_version of 1, required.
func TestSchemasCompile(t *testing.T) {
	names, err := fs.Glob(schema.FS, "*.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 3+len(outputs) {
		t.Errorf("schema files %v: want the spec's three and one per --json output %v", names, outputs)
	}
	for _, n := range names {
		if _, err := Schema(n); err != nil {
			t.Errorf("%s: %v", n, err)
		}
		data, _ := schema.FS.ReadFile(n)
		var doc struct {
			Schema     string `json:"$schema"`
			Properties map[string]struct {
				Const *int `json:"const"`
			} `json:"properties"`
			Required []string `json:"required"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if doc.Schema != "https://json-schema.org/draft/2020-12/schema" {
			t.Errorf("%s: $schema %q, want draft 2020-12", n, doc.Schema)
		}
		if strings.Contains(n, "spec") || n == schema.RuleTests || n == schema.Overrides {
			continue
		}
		if v := doc.Properties["schema_version"].Const; v == nil || *v != 1 {
			t.Errorf("%s: schema_version must be the constant 1", n)
		}
		if len(doc.Required) == 0 || doc.Required[0] != "schema_version" {
			t.Errorf("%s: schema_version must be required", n)
		}
	}
	for _, o := range outputs {
		if _, err := Schema(o + ".schema.json"); err != nil {
			t.Errorf("no schema for %s --json: %v", o, err)
		}
	}
}

// TestJSONStrict: the closed copy refuses a key the schema does not
// describe, at any depth; the published one accepts it.
func TestJSONStrict(t *testing.T) {
	doc := []byte(`{"schema_version": 1, "batch": "b", "held": {}, "results": [{"batch": "b", "check": "c", "subject": "", "severity": "warn",
		"status": "pass", "observed": null, "threshold": null, "baseline": null, "history": null, "violations": [], "new_key": 1}]}`)
	if err := JSON("dq.schema.json", doc); err != nil {
		t.Errorf("open schema: %v", err)
	}
	err := JSONStrict("dq.schema.json", doc)
	if err == nil || !strings.Contains(err.Error(), `/results/0: key "new_key" is not allowed here`) {
		t.Errorf("closed schema: %v", err)
	}
	if err := JSON("dq.schema.json", []byte(`{"schema_version": 2, "batch": "", "results": [], "held": {}}`)); err == nil {
		t.Error("schema_version 2 accepted")
	}
}
