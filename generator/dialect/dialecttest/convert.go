package dialecttest

import (
	"fmt"
	"strings"

	"github.com/ledgerloop/trueup/generator/ir"
)

// conversionCases: the number and pattern fragments.
func conversionCases() []Case {
	var out []Case
	for _, c := range []struct {
		text string
		want Value
	}{
		{"12", T("12")}, {"-12", T("-12")}, {"+12", T("12")}, {"0", T("0")}, {"007", T("7")},
		{"12.4", T("12")}, {"12.5", T("13")}, {"-12.5", T("-13")},
		{"999999999999999999", T("999999999999999999")},
		{"1000000000000000000", T("1000000000000000000")},
		{"99999999999999999999999999999999999999", T("99999999999999999999999999999999999999")},
		{"100000000000000000000000000000000000000", Null},
		{"", Null}, {"x", Null}, {"1x", Null}, {"0x1F", Null}, {"1_000", Null},
	} {
		out = append(out, Case{
			Name:  fmt.Sprintf("TextToDecimal/%q", c.text),
			Query: value(func(f ir.Fragments) string { return f.TextToDecimal(f.Str(c.text)) }),
			Want:  c.want,
		})
	}
	for _, c := range []struct {
		text, want string // want: the number, or "" for NULL
	}{
		{"1.5", "1.5"}, {"-0.25", "-0.25"}, {"+2", "2"}, {"1e3", "1000"}, {"1.5E-1", "0.15"}, {"12", "12"},
		{"", ""}, {"x", ""}, {"1.5 EUR", ""}, {"1_000", ""}, {"0x1F", ""},
	} {
		q := func(f ir.Fragments) string { return f.TextToFloat(f.Str(c.text)) + " IS NULL" }
		if c.want != "" {
			q = func(f ir.Fragments) string { return f.TextToFloat(f.Str(c.text)) + " = " + c.want }
		}
		out = append(out, Case{Name: fmt.Sprintf("TextToFloat/%q", c.text), Query: value(q), Want: True})
	}
	for _, c := range []struct {
		text string
		want Value
	}{
		{"0", T("0")}, {"ff", T("255")}, {"FF", T("255")}, {"1A2b", T("6699")},
		{"00000001", T("1")},
		{"FFFFFFFFFFFFFFFF", T("18446744073709551615")},
		{"0000000100000000", T("4294967296")},
		{"10000000000000000", Null}, {"", Null}, {"g", Null}, {"0x1", Null}, {" 1", Null}, {"-1", Null},
	} {
		out = append(out, Case{
			Name:  fmt.Sprintf("HexToNumber/%q", c.text),
			Query: value(func(f ir.Fragments) string { return f.HexToNumber(f.Str(c.text)) }),
			Want:  c.want,
		})
	}
	for _, c := range []struct {
		text, pattern string
		want          Value
	}{
		{"abc", "a.c", True},
		{"xabc", "a.c", False},
		{"abcx", "a.c", False},
		{"abc", "b", False},
		{"b", "a|b", True},
		{"ab", "a|b", False},
		{"2026-01-01", "[0-9]{4}-[0-9]{2}-[0-9]{2}", True},
		{"it's", "it's", True},
		{`a\b`, `a\\b`, True},
		{"a.b", `a\.b`, True},
		{"axb", `a\.b`, False},
		{"", "x*", True},
	} {
		out = append(out, Case{
			Name:  fmt.Sprintf("RegexpFull/%q %q", c.text, c.pattern),
			Query: value(func(f ir.Fragments) string { return f.RegexpFull(f.Str(c.text), c.pattern) }),
			Want:  c.want,
		})
	}
	out = append(out, Case{
		Name:  "RegexpFull/NULL",
		Query: value(func(f ir.Fragments) string { return f.RegexpFull("CAST(NULL AS "+f.Type(ir.Text)+")", "x") }),
		Want:  Null,
	})
	return out
}

// timeCases: the time conversions, and the clock fragments checked
// against each other (the clock's value is not known).
func timeCases() []Case {
	var out []Case
	for _, c := range []struct {
		text string
		want Value
	}{
		{"2026-01-01 00:00:00+00", T("1767225600000")},
		{"2026-01-01 00:00:00+00:00", T("1767225600000")},
		{"2026-01-01 02:00:00+02", T("1767225600000")},
		{"2025-12-31 19:00:00-05", T("1767225600000")},
		{"2026-01-01 05:30:00+05:30", T("1767225600000")},
		{"2026-01-01 00:00:00.5+00", T("1767225600500")},
		{"2026-01-01 00:00:00.123456+00", T("1767225600123")},
		{"2026-01-01 00:00:00.1239+00", T("1767225600123")},
		{"1969-12-31 23:59:59+00", T("-1000")},
	} {
		out = append(out, Case{
			Name:  fmt.Sprintf("TimestampTextToMillis/%q", c.text),
			Query: value(func(f ir.Fragments) string { return f.TimestampTextToMillis(f.Str(c.text)) }),
			Want:  c.want,
		})
	}
	for _, c := range []struct {
		ms   int64
		want Value
	}{
		{0, T("0")}, {1767225600123, T("1767225600123")}, {ir.MillisMax, T(fmt.Sprint(ir.MillisMax))},
		{-1, Null}, {ir.MillisMax + 1, Null},
	} {
		out = append(out, Case{
			Name: fmt.Sprintf("MillisToTimestamp/%d", c.ms),
			Query: value(func(f ir.Fragments) string {
				return f.TimestampToMillis(f.MillisToTimestamp(fmt.Sprintf("CAST(%d AS %s)", c.ms, f.Type(ir.Decimal))))
			}),
			Want: c.want,
		})
	}
	ts := func(f ir.Fragments, text string) string {
		return "CAST(" + f.Str(text) + " AS " + f.Type(ir.Timestamp) + ")"
	}
	tz := func(f ir.Fragments, text string) string {
		return "CAST(" + f.Str(text) + " AS " + f.Type(ir.TimestampTZ) + ")"
	}
	out = append(out,
		Case{Name: "MillisToTimestamp/is a Timestamp", Query: value(func(f ir.Fragments) string {
			return f.MillisToTimestamp("1767225600123") + " = " + ts(f, "2026-01-01 00:00:00.123")
		}), Want: True},
		Case{Name: "TimestampToMillis/Timestamp", Query: value(func(f ir.Fragments) string { return f.TimestampToMillis(ts(f, "2026-01-01 00:00:00.123")) }), Want: T("1767225600123")},
		Case{Name: "TimestampToMillis/TimestampTZ", Query: value(func(f ir.Fragments) string { return f.TimestampToMillis(tz(f, "2026-01-01 01:00:00.5+01:00")) }), Want: T("1767225600500")},
		Case{Name: "UTC/an instant's UTC wall time", Query: value(func(f ir.Fragments) string {
			return f.TimestampToMillis(f.UTC(tz(f, "2026-01-01 10:00:00+02:00")))
		}), Want: T("1767254400000")},
		Case{Name: "UTC/is a Timestamp", Query: value(func(f ir.Fragments) string {
			return f.UTC(tz(f, "2026-01-01 10:00:00+02:00")) + " = " + ts(f, "2026-01-01 08:00:00")
		}), Want: True},
		Case{Name: "Now/is today", Query: value(func(f ir.Fragments) string {
			return f.TimestampToMillis(f.Now()) + " > 1767225600000"
		}), Want: True},
		Case{Name: "Now/is UTC", Query: value(func(f ir.Fragments) string {
			return fmt.Sprintf("ABS(%s - %s) < 60000", f.TimestampToMillis(f.Now()), f.TimestampToMillis(f.UTC(f.DaysAgo(0))))
		}), Want: True},
		Case{Name: "DaysAgo/days of 24 hours", Query: value(func(f ir.Fragments) string {
			return fmt.Sprintf("ABS(%s - %s - 2 * 86400000) < 60000", f.TimestampToMillis(f.Now()), f.TimestampToMillis(f.UTC(f.DaysAgo(2))))
		}), Want: True},
	)
	return out
}

// sealCases: a sealed value or text opens to itself; equal values seal
// equal.
func sealCases() []Case {
	null := func(f ir.Fragments) string { return "CAST(NULL AS " + f.Type(ir.Text) + ")" }
	return []Case{
		{Name: "SealValue/opens", Query: value(func(f ir.Fragments) string { return f.OpenValue(f.SealValue(f.Str("ann@x.io"))) }), Want: T("ann@x.io")},
		{Name: "SealValue/equal for equal values", Query: value(func(f ir.Fragments) string {
			return f.SealValue(f.Str("ann@x.io")) + " = " + f.SealValue(f.Str("ann@x.io"))
		}), Want: True},
		{Name: "SealValue/NULL stays NULL", Query: value(func(f ir.Fragments) string { return f.SealValue(null(f)) }), Want: Null},
		{Name: "OpenValue/other text as it is", Query: value(func(f ir.Fragments) string { return f.OpenValue(f.Str("not a token")) }), Want: T("not a token")},
		{Name: "OpenText/a line with quotes and a newline", Query: value(func(f ir.Fragments) string { return f.OpenText(f.SealText(f.Str("it's \"quoted\"\nand more"))) }), Want: T("it's \"quoted\"\nand more")},
		{Name: "OpenText/NULL stays NULL", Query: value(func(f ir.Fragments) string { return f.OpenText(f.SealText(null(f))) }), Want: Null},
		{Name: "SealText/opens", Query: value(func(f ir.Fragments) string { return f.OpenText(f.SealText(f.Str(`{"email":"ann@x.io"}`))) }), Want: T(`{"email":"ann@x.io"}`)},
	}
}

// joinCases: AsOfJoin picks, per left row, the right row with the
// greatest time not after the left row's, among those with equal keys.
func joinCases() []Case {
	const right = `(SELECT 'k' AS k, 5 AS t, 'a' AS v UNION ALL SELECT 'k', 9, 'b' UNION ALL SELECT 'k', 11, 'c' UNION ALL SELECT 'j', 10, 'd')`
	join := func(leftTime int, sel string) ir.SQL {
		return func(f ir.Fragments) string {
			return fmt.Sprintf("SELECT %s AS v\nFROM (SELECT 'k' AS k, %d AS t) AS l\n%s", strings.ReplaceAll(sel, "%s", f.Type(ir.Text)), leftTime,
				f.AsOfJoin(right, "r", [][2]string{{"l.k", "r.k"}}, "l.t", "r.t"))
		}
	}
	return []Case{
		{Name: "AsOfJoin/latest before", Query: join(10, "MAX(r.v)"), Want: T("b")},
		{Name: "AsOfJoin/at the same time", Query: join(9, "MAX(r.v)"), Want: T("b")},
		{Name: "AsOfJoin/one row per left row", Query: join(12, "CAST(COUNT(r.v) AS %s)"), Want: T("1")},
		{Name: "AsOfJoin/none before", Query: join(4, "MAX(r.v)"), Want: Null},
	}
}
