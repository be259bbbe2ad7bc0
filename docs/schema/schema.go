// Package schema holds trueup's published JSON Schemas (draft 2020-12):
// spec.schema.json for the files of the spec folder models/ (with
// rule-tests.schema.json for models/tests/ and overrides.schema.json for
// models/overrides/), and one schema per command's --json output
// (dq.schema.json, ...). They are embedded so that trueup validate and the
// tests check against the files editors and consumers read.
package schema

import "embed"

// FS holds the schema files, by their names (spec.schema.json, ...).
//
//go:embed *.schema.json
var FS embed.FS

// Names of the spec's schemas.
const (
	Spec      = "spec.schema.json"
	RuleTests = "rule-tests.schema.json"
	Overrides = "overrides.schema.json"
)
