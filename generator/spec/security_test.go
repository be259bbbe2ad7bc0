package spec_test

import (
	"strings"
	"testing"
)

// TestSecuritySettings: an s3:// stage needs its KMS key, and a row access
// setting needs a known field and a mapping table name; each error names
// its line.
func TestSecuritySettings(t *testing.T) {
	_, err := load(t, map[string]string{
		"project.yaml":  "project:\n  database: DB\n  warehouse: WH\n  stage: {url: \"s3://b/l/\"}\n  row_access: {field: region}\n",
		"customer.yaml": "customer:\n  fields:\n    email: {type: string, pii: true}\n    status: {type: string}\n",
		"sources.yaml":  validSources,
	})
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{
		`models/project.yaml:4:3: project.stage: kms_key_id is required with an s3:// url`,
		`models/project.yaml:5:3: project.row_access: field and mapping are required`,
		`models/project.yaml:5:23: project.row_access.field: unknown field "region"`,
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing error:\n  %s\ngot:\n  %s", w, err)
		}
	}
	if _, err := load(t, map[string]string{
		"project.yaml":  "project:\n  database: DB\n  warehouse: WH\n  stage: {url: \"s3://b/l/\", kms_key_id: alias/k}\n  row_access: {field: status, mapping: status_readers}\n",
		"customer.yaml": "customer:\n  fields:\n    email: {type: string, pii: true}\n    status: {type: string}\n",
		"sources.yaml":  validSources,
	}); err != nil {
		t.Errorf("valid settings refused: %v", err)
	}
}
