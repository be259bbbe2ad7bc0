package spec

import (
	"reflect"
	"testing"
)

// TestRuleKinds: every kind has a name, a way to be written and a
// canonical text; the fields it names as parameters are fields of Rule;
// and every field of Rule is a position, the kind, or a parameter of some
// kind (a new field that no kind claims would be left out of the rule-set
// version).
func TestRuleKinds(t *testing.T) {
	rule := reflect.TypeOf(Rule{})
	pos := reflect.TypeOf(Pos{})
	claimed := map[string]bool{}
	seen := map[string]bool{}
	for _, k := range RuleKinds {
		switch {
		case k.Name == "":
			t.Errorf("a rule kind has no name: %+v", k)
		case seen[k.Name]:
			t.Errorf("rule kind %q is listed twice", k.Name)
		}
		seen[k.Name] = true
		if !k.Bare && len(k.Keys) == 0 {
			t.Errorf("rule kind %q can be written neither alone nor as a mapping", k.Name)
		}
		if len(k.Keys) > 0 && k.Keys[0].Name != k.Name {
			t.Errorf("rule kind %q: the first key of its mapping is %q, not its name", k.Name, k.Keys[0].Name)
		}
		for _, key := range k.Keys {
			if key.load == nil {
				t.Errorf("rule kind %q: key %q has no loader", k.Name, key.Name)
			}
		}
		if k.Text == nil {
			t.Errorf("rule kind %q has no canonical text", k.Name)
		}
		if len(k.Params) > 0 && (k.Check == nil || len(k.Keys) == 0) {
			t.Errorf("rule kind %q has parameters but no mapping form to write them or no check of them", k.Name)
		}
		for _, p := range k.Params {
			if _, ok := rule.FieldByName(p); !ok {
				t.Errorf("rule kind %q: parameter %q is not a field of Rule", k.Name, p)
			}
			claimed[p] = true
		}
		if RuleKindByName(k.Name) == nil {
			t.Errorf("RuleKindByName(%q) = nil", k.Name)
		}
	}
	for i := 0; i < rule.NumField(); i++ {
		f := rule.Field(i)
		isPos := f.Type == pos || (f.Type.Kind() == reflect.Slice && f.Type.Elem() == pos)
		if f.Name != "Kind" && !isPos && !claimed[f.Name] {
			t.Errorf("Rule.%s is a parameter of no rule kind (RuleKinds[].Params)", f.Name)
		}
	}
}
