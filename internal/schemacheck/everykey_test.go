package schemacheck

import (
	"encoding/json"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/ledgerloop/trueup/docs/schema"
	"github.com/ledgerloop/trueup/generator/spec"
)

// TestEveryKey keeps the hand-written spec schema honest in the other
// direction from TestRepoSpecs: the specs of testdata/every-key and
// testdata/serverless set every key the schema describes, the loader must
// accept them, and every key of the schema must be used by them. A key
// added to the schema without the loader knowing it fails here; a key
// added to the loader without the schema fails TestRepoSpecs once a spec
// of the repository uses it.
func TestEveryKey(t *testing.T) {
	defs := schemaDefs(t)
	used := map[string]bool{}
	for _, dir := range []string{"testdata/every-key", "testdata/serverless"} {
		fsys := os.DirFS(dir)
		s, err := spec.Load(fsys, ".", dir)
		if err != nil {
			t.Fatalf("the loader refuses %s:\n%v", dir, err)
		}
		if _, err := spec.LoadRuleTests(fsys, spec.RuleTestDir, path.Join(dir, spec.RuleTestDir), s); err != nil {
			t.Fatalf("the loader refuses the rule tests of %s:\n%v", dir, err)
		}
		if errs := Spec(fsys, ".", dir); len(errs) > 0 {
			t.Fatalf("schema violations in %s:\n%v", dir, errs)
		}
		for _, d := range []struct{ sub, def string }{{"", "#"}, {spec.RuleTestDir, "rule_test_file"}, {spec.OverridesDir, "overrides_file"}} {
			files, _ := fs.Glob(fsys, path.Join(".", d.sub, "*.yaml"))
			for _, f := range files {
				data, _ := fs.ReadFile(fsys, f)
				var root yaml.Node
				if err := yaml.Unmarshal(data, &root); err != nil || len(root.Content) == 0 {
					continue
				}
				c := converter{values: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}}
				walkUsed(defs, defs[d.def], c.value(root.Content[0], nil), d.def, used)
			}
		}
	}
	var missing []string
	for def, sch := range defs {
		for _, p := range schemaKeys(sch, def) {
			if !used[p] {
				missing = append(missing, p)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("keys of %s that testdata/every-key does not set (add them, so that the loader is known to accept them):\n  %s", schema.Spec, strings.Join(missing, "\n  "))
	}
}

// schemaDefs are the root ("#") and the $defs of the spec schema.
func schemaDefs(t *testing.T) map[string]map[string]any {
	data, err := schema.FS.ReadFile(schema.Spec)
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	defs := map[string]map[string]any{"#": root}
	for name, d := range root["$defs"].(map[string]any) {
		defs[name] = d.(map[string]any)
	}
	return defs
}

// schemaKeys lists the properties a schema describes inline, each named
// at/key (a map of names is at/*, a list's items at/[]); a $ref is
// listed under its own definition.
func schemaKeys(sch map[string]any, at string) []string {
	var out []string
	if props, ok := sch["properties"].(map[string]any); ok {
		for k, p := range props {
			out = append(out, at+"/"+k)
			out = append(out, schemaKeys(p.(map[string]any), at+"/"+k)...)
		}
	}
	if ap, ok := sch["additionalProperties"].(map[string]any); ok {
		out = append(out, schemaKeys(ap, at+"/*")...)
	}
	if it, ok := sch["items"].(map[string]any); ok {
		out = append(out, schemaKeys(it, at+"/[]")...)
	}
	for _, kw := range []string{"anyOf", "oneOf", "allOf"} {
		if list, ok := sch[kw].([]any); ok {
			for _, b := range list {
				out = append(out, schemaKeys(b.(map[string]any), at)...)
			}
		}
	}
	return out
}

// walkUsed marks, with the names of schemaKeys, the properties of sch that
// the instance v sets.
func walkUsed(defs map[string]map[string]any, sch map[string]any, v any, at string, used map[string]bool) {
	if sch == nil {
		return
	}
	if ref, ok := sch["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/$defs/")
		walkUsed(defs, defs[name], v, name, used)
	}
	for _, kw := range []string{"anyOf", "oneOf", "allOf"} {
		if list, ok := sch[kw].([]any); ok {
			for _, b := range list {
				walkUsed(defs, b.(map[string]any), v, at, used)
			}
		}
	}
	switch x := v.(type) {
	case map[string]any:
		props, _ := sch["properties"].(map[string]any)
		ap, _ := sch["additionalProperties"].(map[string]any)
		for k, val := range x {
			if p, ok := props[k].(map[string]any); ok {
				used[at+"/"+k] = true
				walkUsed(defs, p, val, at+"/"+k, used)
			} else if ap != nil {
				walkUsed(defs, ap, val, at+"/*", used)
			}
		}
	case []any:
		if it, ok := sch["items"].(map[string]any); ok {
			for _, e := range x {
				walkUsed(defs, it, e, at+"/[]", used)
			}
		}
	}
}
