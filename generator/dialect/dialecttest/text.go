package dialecttest

import (
	"fmt"

	"github.com/ledgerloop/trueup/generator/ir"
)

// identCases: a name quoted by Ident names the same column where it is
// defined and where it is read, whatever its spelling.
func identCases() []Case {
	var out []Case
	for _, name := range []string{"customer_id", "Customer_Id", "select", "order", "value", "Mixed Case", `we"ird`, "é", "1st"} {
		out = append(out, Case{
			Name: fmt.Sprintf("Ident/%q", name),
			Query: func(f ir.Fragments) string {
				return fmt.Sprintf("SELECT CAST(q.%[1]s AS %[2]s) AS v FROM (SELECT 'x' AS %[1]s) AS q", f.Ident(name), f.Type(ir.Text))
			},
			Want: T("x"),
		})
	}
	return out
}

// strCases: any text survives Str.
func strCases() []Case {
	var out []Case
	for _, s := range []string{"", "plain", "it's", "''", `back\slash`, `\'`, `\n`, "$$", "a $$ b", "line\nbreak", "tab\there", "-- not a comment", "/* nor this */", "é ü 日本", ":name", "?"} {
		out = append(out, Case{
			Name:  fmt.Sprintf("Str/%q", s),
			Query: value(func(f ir.Fragments) string { return f.Str(s) }),
			Want:  T(s),
		})
	}
	return out
}

// typeCases: text cast to each Type reads back as the same value.
func typeCases() []Case {
	cast := func(t ir.Type, text string) ir.SQL {
		return func(f ir.Fragments) string { return "CAST(" + f.Str(text) + " AS " + f.Type(t) + ")" }
	}
	millis := func(e ir.SQL) ir.SQL {
		return func(f ir.Fragments) string { return f.TimestampToMillis(e(f)) }
	}
	return []Case{
		{Name: "Type/Text", Query: value(cast(ir.Text, "abc")), Want: T("abc")},
		{Name: "Type/LongText", Query: value(cast(ir.LongText, "abc")), Want: T("abc")},
		{Name: "Type/Int", Query: value(cast(ir.Int, "-42")), Want: T("-42")},
		{Name: "Type/Int 64 bits", Query: value(cast(ir.Int, "9223372036854775807")), Want: T("9223372036854775807")},
		{Name: "Type/Decimal 38 digits", Query: value(cast(ir.Decimal, "99999999999999999999999999999999999999")), Want: T("99999999999999999999999999999999999999")},
		{Name: "Type/Float", Query: value(func(f ir.Fragments) string { return cast(ir.Float, "1.5")(f) + " = 1.5" }), Want: True},
		{Name: "Type/Bool", Query: value(cast(ir.Bool, "true")), Want: True},
		{Name: "Type/Timestamp", Query: value(millis(cast(ir.Timestamp, "2026-01-01 00:00:00.123"))), Want: T("1767225600123")},
		// An instant written with an offset is that instant.
		{Name: "Type/TimestampTZ", Query: value(millis(cast(ir.TimestampTZ, "2026-01-01 02:00:00+02:00"))), Want: T("1767225600000")},
	}
}
