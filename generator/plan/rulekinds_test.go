package plan

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/ledgerloop/trueup/generator/spec"
)

// TestRuleScores: every kind of spec.RuleKinds has a score, and every
// score is a kind's.
func TestRuleScores(t *testing.T) {
	for _, k := range spec.RuleKinds {
		if ruleScores[k.Name] == nil {
			t.Errorf("rule kind %q has no score (ruleScores)", k.Name)
		}
	}
	for name := range ruleScores {
		if spec.RuleKindByName(name) == nil {
			t.Errorf("ruleScores scores %q, which is no kind of spec.RuleKinds", name)
		}
	}
}

// ruleExamples are a rule of each kind with every parameter set (and
// positions), for TestRulesetHashesEveryParameter.
var ruleExamples = map[string]func() spec.Rule{
	spec.RulePriority: func() spec.Rule {
		return spec.Rule{Kind: spec.RulePriority, Priority: []string{"app", "crm"},
			PriorityPos: []spec.Pos{{File: "r.yaml", Line: 2, Col: 5}, {File: "r.yaml", Line: 2, Col: 10}}, Pos: spec.Pos{File: "r.yaml", Line: 2, Col: 3}}
	},
	spec.RuleTrust: func() spec.Rule {
		return spec.Rule{Kind: spec.RuleTrust,
			Trust: []spec.SourceWeight{{Source: "app", Weight: 0.5, Pos: spec.Pos{File: "r.yaml", Line: 3, Col: 5}}, {Source: "crm", Weight: 0.25, Pos: spec.Pos{File: "r.yaml", Line: 3, Col: 15}}},
			Decay: &spec.Decay{Curve: "exponential", HalfLife: 24 * time.Hour, Over: 48 * time.Hour, Min: 0.125, Max: 0.75},
			Pos:   spec.Pos{File: "r.yaml", Line: 3, Col: 3}}
	},
	spec.RuleValid: func() spec.Rule {
		return spec.Rule{Kind: spec.RuleValid, Downgrade: true, Pos: spec.Pos{File: "r.yaml", Line: 4, Col: 3}}
	},
	spec.RuleMostRecent: func() spec.Rule {
		return spec.Rule{Kind: spec.RuleMostRecent, Pos: spec.Pos{File: "r.yaml", Line: 5, Col: 3}}
	},
	spec.RuleNonNull: func() spec.Rule {
		return spec.Rule{Kind: spec.RuleNonNull, Pos: spec.Pos{File: "r.yaml", Line: 6, Col: 3}}
	},
	spec.RuleFrequency: func() spec.Rule {
		return spec.Rule{Kind: spec.RuleFrequency, Pos: spec.Pos{File: "r.yaml", Line: 7, Col: 3}}
	},
}

// ruleVersion is the rule-set version of a spec whose one field has the
// chain [r].
func ruleVersion(r spec.Rule) string {
	return RulesetVersion(&spec.Spec{Fields: []*spec.Field{{Name: "email", Type: spec.TypeString, Valid: "email", Rules: []spec.Rule{r}}}})
}

// A ruleChange is one change of one value inside a rule.
type ruleChange struct {
	path string
	// position is true when the value is a source position, which must
	// not change the version.
	position bool
	apply    func()
}

var posType = reflect.TypeOf(spec.Pos{})

// ruleChanges lists a change of every value reachable from v (addressable,
// inside a rule): each scalar, each slice's length and order, each
// pointer's presence. The changes of two equal rules come in the same
// order.
func ruleChanges(v reflect.Value, path string, position bool) []ruleChange {
	if v.Type() == posType {
		position = true
	}
	var out []ruleChange
	change := func(suffix string, f func()) {
		out = append(out, ruleChange{path + suffix, position, f})
	}
	switch v.Kind() {
	case reflect.String:
		change("", func() { v.SetString(v.String() + "x") })
	case reflect.Bool:
		change("", func() { v.SetBool(!v.Bool()) })
	case reflect.Int, reflect.Int64:
		step := int64(1)
		if v.Type() == reflect.TypeOf(time.Duration(0)) {
			step = int64(time.Hour)
		}
		change("", func() { v.SetInt(v.Int() + step) })
	case reflect.Float64:
		change("", func() { v.SetFloat(v.Float() + 0.0625) })
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			out = append(out, ruleChanges(v.Field(i), path+"."+v.Type().Field(i).Name, position)...)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			change("=nil", func() { v.Set(reflect.Zero(v.Type())) })
			out = append(out, ruleChanges(v.Elem(), path, position)...)
		}
	case reflect.Slice:
		if v.Len() == 0 {
			break
		}
		change("+=last", func() { v.Set(reflect.Append(v, v.Index(v.Len()-1))) })
		change("-=last", func() { v.Set(v.Slice(0, v.Len()-1)) })
		if v.Len() > 1 {
			change(" swapped", func() {
				a, b := reflect.ValueOf(v.Index(0).Interface()), reflect.ValueOf(v.Index(1).Interface())
				v.Index(0).Set(b)
				v.Index(1).Set(a)
			})
		}
		for i := 0; i < v.Len(); i++ {
			out = append(out, ruleChanges(v.Index(i), fmt.Sprintf("%s[%d]", path, i), position)...)
		}
	default:
		panic(fmt.Sprintf("ruleChanges: %s is a %s: say how to change it", path, v.Kind()))
	}
	return out
}

// TestRulesetHashesEveryParameter: changing any parameter of a rule of any
// kind (every value under the Rule fields the kind names as parameters,
// found by reflection) changes the rule-set version; changing a position
// does not.
func TestRulesetHashesEveryParameter(t *testing.T) {
	for _, k := range spec.RuleKinds {
		example := ruleExamples[k.Name]
		if example == nil {
			t.Errorf("rule kind %q has no example rule in ruleExamples", k.Name)
			continue
		}
		before := ruleVersion(example())
		listed := example()
		changes := ruleChanges(reflect.ValueOf(&listed).Elem(), "Rule", false)
		tested := map[string]bool{}
		for i, c := range changes {
			field := topField(c.path)
			param := slices.Contains(k.Params, field)
			if field == "Kind" || (!param && !c.position) {
				continue
			}
			r := example()
			ruleChanges(reflect.ValueOf(&r).Elem(), "Rule", false)[i].apply()
			if reflect.DeepEqual(r, example()) {
				t.Fatalf("%s: the change of %s changed nothing", k.Name, c.path)
			}
			after := ruleVersion(r)
			switch {
			case c.position && after != before:
				t.Errorf("%s: changing the position %s changed the rule-set version", k.Name, c.path)
			case !c.position && after == before:
				t.Errorf("%s: changing %s leaves the rule-set version as it was: the parameter is not hashed", k.Name, c.path)
			}
			if param {
				tested[field] = true
			}
		}
		for _, p := range k.Params {
			if !tested[p] {
				t.Errorf("%s: the example rule leaves parameter %s empty: nothing of it was changed", k.Name, p)
			}
		}
	}
}

// topField is the Rule field a change's path starts with.
func topField(path string) string {
	rest := path[len("Rule."):]
	for i, c := range rest {
		if c == '.' || c == '[' || c == '=' || c == '+' || c == '-' || c == ' ' {
			return rest[:i]
		}
	}
	return rest
}
