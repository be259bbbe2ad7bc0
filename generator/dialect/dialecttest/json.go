package dialecttest

import (
	"fmt"

	"github.com/ledgerloop/trueup/generator/ir"
)

// sample is the document most JSON cases read.
const sample = `{"s":"x\u00e9\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,` +
	`"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\"uote":"q","sin'gle":"s","back\\slash":"b",` +
	`"*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}`

// doc is the parsed sample, or another text.
func doc(text string) ir.SQL {
	return func(f ir.Fragments) string { return f.ParseJSON(f.Str(text)) }
}

func jsonCases() []Case {
	d := doc(sample)
	text := func(path ...string) ir.SQL {
		return value(func(f ir.Fragments) string { return f.JSONText(d(f), path) })
	}
	has := func(path ...string) ir.SQL {
		return value(func(f ir.Fragments) string { return f.JSONHas(d(f), path) })
	}
	isNull := func(e ir.SQL) ir.SQL {
		return value(func(f ir.Fragments) string { return "(" + e(f) + ") IS NULL" })
	}
	isKey := func(path ...string) ir.SQL {
		return value(func(f ir.Fragments) string { return f.JSONIsKey(f.JSONGet(d(f), path)) })
	}
	allKeys := func(path ...string) ir.SQL {
		return value(func(f ir.Fragments) string { return f.JSONArrayAllKeys(f.JSONGet(d(f), path)) })
	}
	arrayHas := func(s string, path ...string) ir.SQL {
		return value(func(f ir.Fragments) string { return f.JSONArrayHas(d(f), path, s) })
	}
	paths := [][]string{{"s"}, {"nested", "x", "y", "0", "z"}, {"absent"}, {"n"}, {"a", "1"}}
	rejection := func(text string) ir.SQL {
		return value(func(f ir.Fragments) string {
			return f.JSONRejection(f.Str(text), f.ParseJSONValues(f.Str(text), paths))
		})
	}
	out := []Case{
		{Name: "ParseJSON/an object", Query: isNull(d), Want: False},
		// The JSON null is a document, not SQL NULL.
		{Name: "ParseJSON/JSON null is a document", Query: isNull(doc("null")), Want: False},
		{Name: "ParseJSON/a scalar", Query: value(func(f ir.Fragments) string { return f.JSONText(doc("12")(f), nil) }), Want: T("12")},
		{Name: "ParseJSON/not JSON", Query: isNull(doc(`{"a":1`)), Want: True},
		{Name: "ParseJSON/trailing text", Query: isNull(doc(`{"a":1} x`)), Want: True},
		{Name: "ParseJSON/single quotes", Query: isNull(doc(`{'a':1}`)), Want: True},
		{Name: "ParseJSON/empty text", Query: isNull(doc(``)), Want: True},

		{Name: "JSONRejection/an object", Query: rejection(`{"a":1}`), Want: Null},
		{Name: "JSONRejection/not JSON", Query: rejection(`{"a":`), Want: T(ir.JSONNotJSON)},
		{Name: "JSONRejection/repeated key", Query: rejection(`{"a":1,"a":2}`), Want: T(ir.JSONDuplicateKey)},
		{Name: "JSONRejection/repeated nested key", Query: rejection(`{"a":{"b":1,"b":1}}`), Want: T(ir.JSONDuplicateKey)},
		{Name: "JSONRejection/an array", Query: rejection(`[{"a":1}]`), Want: T(ir.JSONNotObject)},
		{Name: "JSONRejection/a scalar", Query: rejection(`12`), Want: T(ir.JSONNotObject)},
		{Name: "JSONRejection/JSON null", Query: rejection(`null`), Want: T(ir.JSONNotObject)},

		{Name: "JSONText/string unquoted", Query: text("s"), Want: T(`xé"`)},
		{Name: "JSONText/integer", Query: text("i"), Want: T("12")},
		{Name: "JSONText/integer beyond 64 bits", Query: text("big"), Want: T("12345678901234567890123")},
		{Name: "JSONText/boolean", Query: text("t"), Want: True},
		{Name: "JSONText/JSON null", Query: text("n"), Want: Null},
		{Name: "JSONText/absent", Query: text("absent"), Want: Null},
		{Name: "JSONText/object as JSON", Query: text("o"), Want: T(`{"b":1}`)},
		{Name: "JSONText/nested path", Query: text("nested", "x", "y", "0", "z"), Want: T("deep")},
		{Name: "JSONText/array index", Query: text("a", "1"), Want: T("b")},
		{Name: "JSONText/index out of range", Query: text("a", "5"), Want: Null},
		{Name: "JSONText/path through a scalar", Query: text("s", "x"), Want: Null},
		{Name: "JSONText/key with a dot", Query: text("a.b"), Want: T("dotted")},
		{Name: "JSONText/key with a double quote", Query: text(`q"uote`), Want: T("q")},
		{Name: "JSONText/key with a single quote", Query: text("sin'gle"), Want: T("s")},
		{Name: "JSONText/key with a backslash", Query: text(`back\slash`), Want: T("b")},
		{Name: "JSONText/key *", Query: text("*", "x", "0"), Want: T("star")},
		{Name: "JSONText/key $", Query: text("$"), Want: T("dollar")},
		// A segment of digits is an index: it reads no key of an object.
		{Name: "JSONText/digits segment is an index", Query: text("0"), Want: Null},
		{Name: "JSONText/index of a nested array", Query: text("nested", "x", "y", "0", "z"), Want: T("deep")},

		{Name: "JSONGet/sub-document", Query: value(func(f ir.Fragments) string {
			return f.JSONText(f.JSONGet(d(f), []string{"nested", "x"}), []string{"y", "0", "z"})
		}), Want: T("deep")},
		{Name: "JSONGet/empty path is the document", Query: value(func(f ir.Fragments) string { return f.JSONText(f.JSONGet(d(f), nil), []string{"i"}) }), Want: T("12")},
		{Name: "JSONGet/absent", Query: isNull(func(f ir.Fragments) string { return f.JSONGet(d(f), []string{"absent"}) }), Want: True},
		{Name: "JSONGet/JSON null is present", Query: isNull(func(f ir.Fragments) string { return f.JSONGet(d(f), []string{"n"}) }), Want: False},

		{Name: "JSONHas/present", Query: has("s"), Want: True},
		{Name: "JSONHas/JSON null", Query: has("n"), Want: True},
		{Name: "JSONHas/absent", Query: has("absent"), Want: False},
		{Name: "JSONHas/nested absent", Query: has("o", "c"), Want: False},
		{Name: "JSONHas/empty path", Query: has(), Want: True},

		{Name: "JSONIsKey/string", Query: isKey("s"), Want: True},
		{Name: "JSONIsKey/integer", Query: isKey("i"), Want: True},
		{Name: "JSONIsKey/integer beyond 64 bits", Query: isKey("big"), Want: True},
		{Name: "JSONIsKey/fraction", Query: isKey("f"), Want: False},
		{Name: "JSONIsKey/integral fraction", Query: isKey("f0"), Want: False},
		{Name: "JSONIsKey/exponent", Query: isKey("e"), Want: False},
		{Name: "JSONIsKey/boolean", Query: isKey("t"), Want: False},
		{Name: "JSONIsKey/JSON null", Query: isKey("n"), Want: False},
		{Name: "JSONIsKey/object", Query: isKey("o"), Want: False},
		{Name: "JSONIsKey/array", Query: isKey("a"), Want: False},
		{Name: "JSONIsKey/absent", Query: isKey("absent"), Want: Null},

		{Name: "JSONArrayAllKeys/keys", Query: allKeys("keys"), Want: True},
		{Name: "JSONArrayAllKeys/empty", Query: allKeys("empty"), Want: True},
		{Name: "JSONArrayAllKeys/a fraction", Query: allKeys("mixed"), Want: False},
		{Name: "JSONArrayAllKeys/a null", Query: allKeys("nulls"), Want: False},
		{Name: "JSONArrayAllKeys/an array", Query: allKeys("nest"), Want: False},

		{Name: "JSONArrayHas/contains", Query: arrayHas("b", "a"), Want: True},
		{Name: "JSONArrayHas/does not contain", Query: arrayHas("c", "a"), Want: False},
		{Name: "JSONArrayHas/not an array", Query: arrayHas("x", "s"), Want: False},
		{Name: "JSONArrayHas/absent", Query: arrayHas("a", "absent"), Want: False},
		{Name: "JSONArrayHas/key *", Query: arrayHas("star", "*", "x"), Want: True},

		{Name: "FlattenArray/one row per element", Query: flatten("ids", "CAST(COUNT(*) AS %s)"), Want: T("3")},
		{Name: "FlattenArray/empty array", Query: flatten("empty", "CAST(COUNT(*) AS %s)"), Want: T("0")},
		{Name: "ArrayElement/as text", Query: flatten("ids", "MIN(%[2]s)"), Want: T("7")},
		{Name: "ArrayElement/JSON null is NULL", Query: flatten("ids", "CAST(COUNT(%[2]s) AS %[1]s)"), Want: T("2")},
	}
	for i, p := range paths {
		want := []Value{T(`xé"`), T("deep"), Null, Null, T("b")}[i]
		out = append(out, Case{
			Name: fmt.Sprintf("ParseJSONValues/JSONValue %q", p),
			Query: value(func(f ir.Fragments) string {
				return f.JSONText(f.JSONValue(f.ParseJSONValues(f.Str(sample), paths), i, p), nil)
			}),
			Want: want,
		}, Case{
			Name: fmt.Sprintf("JSONValues/JSONValue %q", p),
			Query: value(func(f ir.Fragments) string {
				return f.JSONText(f.JSONValue(f.JSONValues(d(f), paths), i, p), nil)
			}),
			Want: want,
		})
	}
	out = append(out,
		Case{Name: "ParseJSONValues/JSONHas of JSON null", Query: value(func(f ir.Fragments) string {
			return f.JSONHas(f.JSONValue(f.ParseJSONValues(f.Str(sample), paths), 3, paths[3]), nil)
		}), Want: True},
		Case{Name: "ParseJSONValues/JSONHas of absent", Query: value(func(f ir.Fragments) string {
			return f.JSONHas(f.JSONValue(f.ParseJSONValues(f.Str(sample), paths), 2, paths[2]), nil)
		}), Want: False},
		Case{Name: "ParseJSONValues/not JSON", Query: isNull(func(f ir.Fragments) string { return f.ParseJSONValues(f.Str(`{"s":`), paths) }), Want: True},
		// Snowflake's parser rejects a document that repeats a key; every
		// dialect does.
		Case{Name: "ParseJSONValues/repeated key", Query: isNull(func(f ir.Fragments) string { return f.ParseJSONValues(f.Str(`{"s":1,"s":2}`), paths) }), Want: True},
	)
	return out
}

// flatten is a query over the elements of the sample's array at key,
// selecting sel, a format whose %[1]s is Type(Text) and %[2]s the element.
func flatten(key, sel string) ir.SQL {
	return func(f ir.Fragments) string {
		return fmt.Sprintf("SELECT "+sel+" AS v\nFROM (SELECT %[3]s AS doc) AS d,\n%[4]s",
			f.Type(ir.Text), f.ArrayElement("e"), doc(sample)(f), f.FlattenArray("d.doc", []string{key}, "e"))
	}
}

// pairsCases: JSONPairsObject as wal2json's columns use it. On a
// repeated name the first element wins in every dialect.
func pairsCases() []Case {
	const cols = `{"columns":[{"name":"id","value":"k"},{"name":"n","value":null},{"value":1},{"name":"nov"},` +
		`{"name":"o","value":{"a":1}},{"name":"num","value":12},{"name":"id","value":"k2"}],"empty":[],"scalar":"x"}`
	pairs := func(key string) ir.SQL {
		return func(f ir.Fragments) string { return f.JSONPairsObject(doc(cols)(f), []string{key}, "name", "value") }
	}
	text := func(key string, path ...string) ir.SQL {
		return value(func(f ir.Fragments) string { return f.JSONText(pairs(key)(f), path) })
	}
	has := func(key string, path ...string) ir.SQL {
		return value(func(f ir.Fragments) string { return f.JSONHas(pairs(key)(f), path) })
	}
	return []Case{
		{Name: "JSONPairsObject/repeated name keeps the first", Query: text("columns", "id"), Want: T("k")},
		{Name: "JSONPairsObject/JSON null value is kept", Query: has("columns", "n"), Want: True},
		{Name: "JSONPairsObject/JSON null value reads NULL", Query: text("columns", "n"), Want: Null},
		{Name: "JSONPairsObject/element without value is skipped", Query: has("columns", "nov"), Want: False},
		{Name: "JSONPairsObject/object value", Query: text("columns", "o", "a"), Want: T("1")},
		{Name: "JSONPairsObject/number value", Query: text("columns", "num"), Want: T("12")},
		{Name: "JSONPairsObject/value read with JSONValues", Query: value(func(f ir.Fragments) string {
			return f.JSONText(f.JSONValue(f.JSONValues(pairs("columns")(f), [][]string{{"num"}, {"id"}}), 1, []string{"id"}), nil)
		}), Want: T("k")},
		{Name: "JSONPairsObject/empty array", Query: has("empty", "id"), Want: False},
		{Name: "JSONPairsObject/not an array", Query: has("scalar", "id"), Want: False},
		{Name: "JSONPairsObject/absent", Query: has("absent", "id"), Want: False},
	}
}
