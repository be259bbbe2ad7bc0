package spec

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// RuleTestDir is the folder below the spec that holds its rule tests.
const RuleTestDir = "tests"

// DefaultTestTime is the event time of a test candidate that gives none.
var DefaultTestTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// RuleTest is one test of a field's survivorship rules: candidate values
// per source, as each source sends them, and the winner gold must pick.
type RuleTest struct {
	Name  string
	Field string
	// Candidates are the tested field's values, one per source record.
	Candidates []*TestValue
	// Given are values of other fields of the same records (the field a
	// same_record_as field follows, say).
	Given  []*TestValue
	Expect TestExpect
	Pos    Pos
}

// TestValue is one value a source record asserts for a field at an event
// time. Value nil asserts null.
type TestValue struct {
	Field  string
	Source string
	Value  *string
	// Kind is how the value is written in the source's document: "string",
	// "number", "boolean" or "null" (from the YAML scalar's type).
	Kind string
	At   time.Time
	Pos  Pos
}

// TestExpect is what a rule test expects gold to hold. A nil pointer is
// not checked; ValueSet with a nil Value expects null.
type TestExpect struct {
	Source   *string
	Rule     *string
	Value    *string
	ValueSet bool
	// AsOf, when set, checks the version of gold valid at that time (valid
	// time, as trueup explain --as-of reads it) instead of the current one.
	AsOf time.Time
	Pos  Pos
}

// LoadRuleTests reads every .yaml and .yml file directly under dir of fsys
// (the spec's tests folder), in lexical order, and checks each test against
// s. prefix is prepended to file names in positions ("models/tests"). A
// missing folder holds no tests. Problems are returned as an ErrorList.
func LoadRuleTests(fsys fs.FS, dir, prefix string, s *Spec) ([]*RuleTest, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("load rule tests: %w", err)
	}
	names, irregular := yamlFiles(entries)
	if len(irregular) > 0 {
		return nil, fmt.Errorf("load rule tests: %s: not a regular file", path.Join(prefix, irregular[0]))
	}
	l := &loader{sections: map[string]section{}}
	var tests []*RuleTest
	seen := map[string]Pos{}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("load rule tests: %w", err)
		}
		file := path.Join(prefix, name)
		for _, t := range l.ruleTestFile(file, data, s) {
			if t.Name == "" {
				continue
			}
			if prev, ok := seen[t.Name]; ok {
				l.errs = append(l.errs, Error{Pos: t.Pos, Msg: fmt.Sprintf("test %q is already defined at %s:%d:%d", t.Name, prev.File, prev.Line, prev.Col)})
				continue
			}
			seen[t.Name] = t.Pos
			tests = append(tests, t)
		}
	}
	if len(l.errs) > 0 {
		l.errs.Sort()
		return nil, l.errs
	}
	return tests, nil
}

// Sort orders the errors by file, line and column (stable: errors at one
// position keep their order).
func (errs ErrorList) Sort() {
	sort.SliceStable(errs, func(i, j int) bool {
		a, b := errs[i].Pos, errs[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

// ruleTestFile reads one file: a mapping with the key tests, a list of tests.
func (l *loader) ruleTestFile(file string, data []byte, s *Spec) []*RuleTest {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		n := len(l.errs)
		l.file(file, data) // records the syntax error with its line
		if len(l.errs) == n {
			l.errs = append(l.errs, Error{Pos: Pos{File: file}, Msg: "yaml: " + err.Error()})
		}
		return nil
	}
	if len(root.Content) == 0 {
		return nil
	}
	doc := root.Content[0]
	var list *yaml.Node
	l.mapping(file, doc, "rule test file", []string{"tests"}, func(key string, k, v *yaml.Node) { list = v })
	if list == nil {
		return nil
	}
	if list.Kind != yaml.SequenceNode {
		l.errf(file, list, "tests must be a list of tests")
		return nil
	}
	var out []*RuleTest
	for _, n := range list.Content {
		if t := l.ruleTest(file, n, s); t != nil {
			out = append(out, t)
		}
	}
	return out
}

// ruleTest reads one test, reporting every problem; it returns nil only
// when the test is not a mapping.
func (l *loader) ruleTest(f string, n *yaml.Node, s *Spec) *RuleTest {
	t := &RuleTest{Pos: pos(f, n)}
	var fieldNode, candNode, givenNode, expectNode *yaml.Node
	ok := l.mapping(f, n, "test", []string{"name", "field", "candidates", "given", "expect"}, func(key string, k, v *yaml.Node) {
		switch key {
		case "name":
			t.Name = l.str(f, v, "test name")
		case "field":
			t.Field = l.str(f, v, "test field")
			fieldNode = v
		case "candidates":
			candNode = v
		case "given":
			givenNode = v
		case "expect":
			expectNode = v
		}
	})
	if !ok {
		return nil
	}
	what := "test"
	if t.Name != "" {
		what = fmt.Sprintf("test %q", t.Name)
	} else {
		l.errf(f, n, "test: name is required")
	}
	var fld *Field
	switch {
	case fieldNode == nil:
		l.errf(f, n, "%s: field is required", what)
	case t.Field != "":
		if fld = s.FieldByName(t.Field); fld == nil {
			l.errf(f, fieldNode, "%s: unknown field %q (expected one of %s)", what, t.Field, strings.Join(s.FieldNames(), ", "))
		}
	}
	if candNode == nil {
		l.errf(f, n, "%s: candidates are required", what)
	} else if fld != nil {
		t.Candidates = l.testValues(f, candNode, what+": candidates", fld, s)
		if candNode.Kind == yaml.MappingNode && len(candNode.Content) == 0 {
			l.errf(f, candNode, "%s: candidates: give at least one source's value", what)
		}
	}
	if givenNode != nil {
		l.mapping(f, givenNode, what+": given", nil, func(key string, k, v *yaml.Node) {
			g := s.FieldByName(key)
			switch {
			case g == nil:
				l.errf(f, k, "%s: given: unknown field %q", what, key)
			case g.Name == t.Field:
				l.errf(f, k, "%s: given: %q is the tested field: its values go under candidates", what, key)
			default:
				t.Given = append(t.Given, l.testValues(f, v, fmt.Sprintf("%s: given %q", what, key), g, s)...)
			}
		})
	}
	if fld != nil && fld.SameRecordAs != "" && !hasField(t.Given, fld.SameRecordAs) {
		l.errf(f, n, "%s: %s follows the record that wins %s: give its values under given.%s", what, fld.Name, fld.SameRecordAs, fld.SameRecordAs)
	}
	if expectNode == nil {
		l.errf(f, n, "%s: expect is required", what)
	} else {
		t.Expect = l.testExpect(f, expectNode, what+": expect", fld, s)
	}
	return t
}

func hasField(vs []*TestValue, field string) bool {
	for _, v := range vs {
		if v.Field == field {
			return true
		}
	}
	return false
}

// testValues reads source -> value, source -> {value, at}, or source -> a
// list of them (the record's values over time).
func (l *loader) testValues(f string, n *yaml.Node, what string, fld *Field, s *Spec) []*TestValue {
	var out []*TestValue
	l.mapping(f, n, what, nil, func(key string, k, v *yaml.Node) {
		src := s.SourceByName(key)
		if src == nil {
			l.errf(f, k, "%s: unknown source %q (expected one of %s)", what, key, strings.Join(s.SourceNames(), ", "))
			return
		}
		if src.Mapping(fld.Name) == nil {
			l.errf(f, k, "%s: source %q does not map field %q", what, key, fld.Name)
			return
		}
		where := fmt.Sprintf("%s %q", what, key)
		if v.Kind == yaml.SequenceNode {
			// The record's values over time: the last is its state.
			if len(v.Content) == 0 {
				l.errf(f, v, "%s: give at least one value", where)
			}
			for _, item := range v.Content {
				out = append(out, l.testValue(f, item, where, fld.Name, key))
			}
			return
		}
		out = append(out, l.testValue(f, v, where, fld.Name, key))
	})
	return out
}

// testValue reads a value (a scalar at DefaultTestTime) or {value, at}.
func (l *loader) testValue(f string, v *yaml.Node, where, field, source string) *TestValue {
	tv := &TestValue{Field: field, Source: source, At: DefaultTestTime, Pos: pos(f, v)}
	if v.Kind == yaml.ScalarNode {
		tv.Value, tv.Kind = scalar(v)
		return tv
	}
	hasValue := false
	if !l.mapping(f, v, where, []string{"value", "at"}, func(key string, k, v *yaml.Node) {
		switch key {
		case "value":
			hasValue = true
			if v.Kind != yaml.ScalarNode {
				l.errf(f, v, "%s: value must be a scalar (a string, number, boolean or null)", where)
				return
			}
			tv.Value, tv.Kind = scalar(v)
		case "at":
			tv.At = l.testTime(f, v, where+": at")
		}
	}) {
		return tv
	}
	if !hasValue {
		l.errf(f, v, "%s: value is required (null asserts null)", where)
	}
	return tv
}

// scalar is the text of a YAML scalar and how a source's JSON writes it.
func scalar(n *yaml.Node) (*string, string) {
	switch n.Tag {
	case "!!null":
		return nil, "null"
	case "!!int", "!!float":
		v := n.Value
		return &v, "number"
	case "!!bool":
		v := n.Value
		return &v, "boolean"
	}
	v := n.Value
	return &v, "string"
}

// testTime reads 2026-01-31, 2026-01-31T10:00:00Z or 2026-01-31 10:00:00 (UTC).
func (l *loader) testTime(f string, n *yaml.Node, what string) time.Time {
	if n.Kind == yaml.ScalarNode {
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
			if t, err := time.Parse(layout, n.Value); err == nil {
				return t.UTC()
			}
		}
	}
	l.errf(f, n, "%s: want a time such as 2026-01-31 or 2026-01-31T10:00:00Z, got %q", what, n.Value)
	return DefaultTestTime
}

func (l *loader) testExpect(f string, n *yaml.Node, what string, fld *Field, s *Spec) TestExpect {
	e := TestExpect{Pos: pos(f, n)}
	l.mapping(f, n, what, []string{"source", "rule", "value", "as_of"}, func(key string, k, v *yaml.Node) {
		switch key {
		case "as_of":
			e.AsOf = l.testTime(f, v, what+": as_of")
		case "source":
			src := l.str(f, v, what+": source")
			if src != "" && s.SourceByName(src) == nil {
				l.errf(f, v, "%s: unknown source %q (expected one of %s)", what, src, strings.Join(s.SourceNames(), ", "))
			}
			e.Source = &src
		case "rule":
			r := l.str(f, v, what+": rule")
			if r != "" && fld != nil {
				if known := deciders(fld); !contains(known, r) {
					l.errf(f, v, "%s: rule %q cannot decide field %q (expected one of %s)", what, r, fld.Name, strings.Join(known, ", "))
				}
			}
			e.Rule = &r
		case "value":
			if v.Kind != yaml.ScalarNode {
				l.errf(f, v, "%s: value must be a scalar (a string, number, boolean or null)", what)
				return
			}
			e.Value, _ = scalar(v)
			e.ValueSet = true
		}
	})
	if n.Kind == yaml.MappingNode && e.Source == nil && e.Rule == nil && !e.ValueSet {
		l.errf(f, n, "%s: give at least one of source, rule, value", what)
	}
	return e
}

// deciders are the names gold can give the rule that decided fld.
func deciders(fld *Field) []string {
	if fld.SameRecordAs != "" {
		return []string{"same_record_as", "same_record_as: no value in the leading record"}
	}
	var out []string
	for _, r := range fld.Rules {
		if !contains(out, r.Kind) {
			out = append(out, r.Kind)
		}
	}
	return append(out, "unanimous", "only_candidate", "tie_break", "no_valid_candidate")
}
