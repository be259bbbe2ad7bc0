package sfrules

import (
	"encoding/json"
	"iter"
	"slices"
	"sort"
	"strings"
)

// A syntax tree here is sqlparser-rs's serde JSON decoded into any: an
// enum variant is an object with one key ({"Function": {...}}), a struct
// an object, a list an array.

// visit is called for every object in a tree with the keys that lead to
// it from the root (array positions add no key) and the objects above it,
// nearest last. It returns false to skip the object's children.
type visit func(node map[string]any, keys []string, above []map[string]any) bool

func walk(v any, fn visit) { walkIn(v, nil, nil, fn) }

func walkIn(v any, keys []string, above []map[string]any, fn visit) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			walkIn(e, keys, above, fn)
		}
	case map[string]any:
		if !fn(x, keys, above) {
			return
		}
		above = append(above, x)
		for _, k := range sortedKeys(x) {
			walkIn(x[k], append(keys, k), above, fn)
		}
	}
}

// variant returns the single key of an enum variant object and its value.
func variant(v any) (string, any) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return "", nil
	}
	for k, x := range m {
		return k, x
	}
	return "", nil
}

func obj(v any, path ...string) map[string]any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	m, _ := v.(map[string]any)
	return m
}

func list(v any, path ...string) []any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	l, _ := v.([]any)
	return l
}

// identValue is an Ident's name as Snowflake resolves it.
func identValue(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	if id, ok := m["Identifier"]; ok {
		m, _ = id.(map[string]any)
	}
	s, _ := m["value"].(string)
	if m["quote_style"] == nil {
		return strings.ToUpper(s)
	}
	return s
}

// objectNameOf joins an ObjectName's parts.
func objectNameOf(v any) string {
	var parts []string
	for _, p := range asList(v) {
		parts = append(parts, identValue(p))
	}
	return strings.Join(parts, ".")
}

func asList(v any) []any { l, _ := v.([]any); return l }

// columnRef returns the last part of an Identifier or CompoundIdentifier
// expression, upper case, or "".
func columnRef(expr any) string {
	k, v := variant(expr)
	switch k {
	case "Identifier":
		return identValue(v)
	case "CompoundIdentifier":
		l := asList(v)
		if len(l) > 0 {
			return identValue(l[len(l)-1])
		}
	}
	return ""
}

// call is a function call found in a tree.
type call struct {
	name  string // last part of the function's name, upper case
	node  map[string]any
	above []map[string]any
}

func (c call) args() []any {
	var out []any
	for _, a := range list(c.node, "args", "List", "args") {
		if e := obj(a, "Unnamed"); e != nil {
			out = append(out, e["Expr"])
		} else if e := obj(a, "Named", "arg"); e != nil {
			out = append(out, e["Expr"])
		}
	}
	return out
}

// calls returns every function call in a tree.
// callsOf yields, unit by unit of s, every call of a function among names
// with the unit it stands in.
func callsOf(s *Set, names ...string) iter.Seq2[*Unit, call] {
	return func(yield func(*Unit, call) bool) {
		for _, u := range s.Units() {
			for _, c := range calls(u.AST) {
				if slices.Contains(names, c.name) && !yield(u, c) {
					return
				}
			}
		}
	}
}

func calls(tree any) []call {
	var out []call
	walk(tree, func(n map[string]any, keys []string, above []map[string]any) bool {
		if c, ok := asCall(n); ok {
			c.above = withNode(above, n)
			out = append(out, c)
		}
		return true
	})
	return out
}

// asCall is the function call an expression node is, if it is one (its
// name is the last part of a qualified name, upper-cased).
func asCall(expr any) (call, bool) {
	f, ok := obj(expr)["Function"].(map[string]any)
	if !ok {
		return call{}, false
	}
	parts := asList(f["name"])
	if len(parts) == 0 {
		return call{}, false
	}
	return call{name: strings.ToUpper(identValue(parts[len(parts)-1])), node: f}, true
}

// hasIdentifier reports whether an expression refers to a column.
func hasIdentifier(expr any) bool {
	found := false
	walk(expr, func(n map[string]any, keys []string, above []map[string]any) bool {
		if _, ok := n["Identifier"]; ok {
			found = true
		}
		if _, ok := n["CompoundIdentifier"]; ok {
			found = true
		}
		return !found
	})
	return found
}

// canon is a tree's JSON text, for comparing two subtrees.
func canon(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// statementKind is the variant of a parsed statement (Query, Insert, Merge,
// CreateTable, ...).
func statementKind(u *Unit) string {
	k, _ := variant(u.AST)
	return k
}

// tablesRead returns the names of the tables a tree reads (FROM and JOIN
// relations, a MERGE's source).
func tablesRead(tree any) []string {
	var out []string
	walk(tree, func(n map[string]any, keys []string, above []map[string]any) bool {
		if len(keys) > 0 && (keys[len(keys)-1] == "relation" || keys[len(keys)-1] == "source") {
			if t := obj(n, "Table"); t != nil {
				out = append(out, objectNameOf(t["name"]))
			}
		}
		return true
	})
	return out
}

// schemaOf returns the schema part of a database.schema.name or
// schema.name object name.
func schemaOf(name string) string {
	parts := strings.Split(name, ".")
	if len(parts) >= 2 {
		return parts[len(parts)-2]
	}
	return ""
}

func lastPart(name string) string {
	parts := strings.Split(name, ".")
	return parts[len(parts)-1]
}

// dataTypeName names a DataType tree: the variant ("Varchar", "Custom"
// names its type: "NUMBER", "VARIANT"), upper case.
func dataTypeName(dt any) string {
	if s, ok := dt.(string); ok {
		return strings.ToUpper(s)
	}
	k, v := variant(dt)
	if k == "Custom" {
		l := asList(v)
		if len(l) > 0 {
			return objectNameOf(l[0])
		}
	}
	return strings.ToUpper(k)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// firstStringArg is a function call's first argument when it is a string
// constant, else "".
func firstStringArg(f map[string]any) string {
	args := asList(obj(f, "args", "List")["args"])
	if len(args) == 0 {
		return ""
	}
	v, _ := obj(args[0], "Unnamed", "Expr", "Value", "value")["SingleQuotedString"].(string)
	return v
}

// withNode is a copy of the ancestors of a node with the node itself: walk
// reuses the slice it passes, so a path kept beyond the callback is copied.
func withNode(above []map[string]any, n map[string]any) []map[string]any {
	return append(append(make([]map[string]any, 0, len(above)+1), above...), n)
}
