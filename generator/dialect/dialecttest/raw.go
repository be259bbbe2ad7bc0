package dialecttest

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/plan"
)

// rawCases: the functions package plan writes as they are, outside
// Fragments, in the shapes it writes them. Every dialect must accept them
// with the meaning the case gives; the Snowflake pages cited are where
// Snowflake documents that meaning (DuckDB's is proved by execution).
func rawCases() []Case {
	var out []Case
	tryCast := func(text string, t ir.Type, then func(f ir.Fragments, e string) string) ir.SQL {
		return value(func(f ir.Fragments) string {
			return then(f, fmt.Sprintf("TRY_CAST(%s AS %s)", f.Str(text), f.Type(t)))
		})
	}
	isNull := func(f ir.Fragments, e string) string { return e + " IS NULL" }
	asIs := func(f ir.Fragments, e string) string { return e }
	// TRY_CAST of text is NULL where CAST fails
	// (https://docs.snowflake.com/en/sql-reference/functions/try_cast):
	// plan's validity checks of number and timestamp fields, and gold's
	// typed columns (observe.go, layers.go).
	out = append(out,
		Case{Name: "TRY_CAST/text to Bool, true", Query: tryCast("true", ir.Bool, asIs), Want: True},
		Case{Name: "TRY_CAST/text to Bool, false", Query: tryCast("false", ir.Bool, asIs), Want: False},
		Case{Name: "TRY_CAST/text to Bool, not a boolean", Query: tryCast("maybe", ir.Bool, isNull), Want: True},
		Case{Name: "TRY_CAST/text to Decimal", Query: tryCast("12", ir.Decimal, asIs), Want: T("12")},
		Case{Name: "TRY_CAST/text to Decimal, not a number", Query: tryCast("x", ir.Decimal, isNull), Want: True},
	)
	for _, c := range []struct {
		text string
		want Value
	}{
		{"2026-01-01 00:00:00", T("1767225600000")},
		{"2026-01-01T00:00:00", T("1767225600000")},
		{"2026-01-01 00:00:00.123", T("1767225600123")},
		{"2026-01-01", T("1767225600000")},
		{"2026-13-01 00:00:00", Null},
		{"2026-02-30", Null},
		{"yesterday noon", Null},
		{"", Null},
	} {
		out = append(out, Case{
			Name:  fmt.Sprintf("TRY_CAST/text to Timestamp %q", c.text),
			Query: tryCast(c.text, ir.Timestamp, func(f ir.Fragments, e string) string { return f.TimestampToMillis(e) }),
			Want:  c.want,
		})
	}

	// QUALIFY filters on a window function after it is computed
	// (https://docs.snowflake.com/en/sql-reference/constructs/qualify):
	// the latest row per key (resolve.go, suffix.go, observe.go).
	qualify := func(sel string) ir.SQL {
		return func(f ir.Fragments) string {
			return fmt.Sprintf(`SELECT %s AS v FROM (
  SELECT k, v FROM (SELECT 'a' AS k, 1 AS s, 'old' AS v UNION ALL SELECT 'a', 2, 'new' UNION ALL SELECT 'b', 1, 'only') AS t
  QUALIFY ROW_NUMBER() OVER (PARTITION BY k ORDER BY s DESC) = 1
) AS q`, strings.ReplaceAll(sel, "%s", f.Type(ir.Text)))
		}
	}
	out = append(out,
		Case{Name: "QUALIFY/one row per partition", Query: qualify("CAST(COUNT(*) AS %s)"), Want: T("2")},
		Case{Name: "QUALIFY/the first in the window's order", Query: qualify("MIN(v)"), Want: T("new")},
	)

	// LPAD pads on the left to the length, and truncates a longer base to
	// it (https://docs.snowflake.com/en/sql-reference/functions/lpad): the
	// sortable order key (override.go) and the LSN's halves (wal2json.go).
	lpad := func(text string, n int) ir.SQL {
		return value(func(f ir.Fragments) string { return fmt.Sprintf("LPAD(%s, %d, '0')", f.Str(text), n) })
	}
	out = append(out,
		Case{Name: "LPAD/pads", Query: lpad("123", 8), Want: T("00000123")},
		Case{Name: "LPAD/exact length", Query: lpad("12345678", 8), Want: T("12345678")},
		Case{Name: "LPAD/truncates", Query: lpad("123456789", 8), Want: T("12345678")},
		Case{Name: "LPAD/empty", Query: lpad("", 3), Want: T("000")},
		Case{Name: "LPAD/of a Decimal cast to text", Query: value(func(f ir.Fragments) string {
			return fmt.Sprintf("LPAD(CAST(CAST('42' AS %s) AS %s), 5, '0')", f.Type(ir.Decimal), f.Type(ir.Text))
		}), Want: T("00042")},
		Case{Name: "LPAD/padded numbers sort as numbers", Query: value(func(f ir.Fragments) string {
			return "LPAD('9', 15, '0') < LPAD('10', 15, '0')"
		}), Want: True},
	)

	// SPLIT_PART counts a negative part from the end, and a part beyond
	// the last is empty
	// (https://docs.snowflake.com/en/sql-reference/functions/split_part):
	// an email's domain (security.go) and an LSN's halves (wal2json.go).
	split := func(text, sep string, part int) ir.SQL {
		return value(func(f ir.Fragments) string {
			return fmt.Sprintf("SPLIT_PART(%s, %s, %d)", f.Str(text), f.Str(sep), part)
		})
	}
	out = append(out,
		Case{Name: "SPLIT_PART/first", Query: split("16/B374D848", "/", 1), Want: T("16")},
		Case{Name: "SPLIT_PART/second", Query: split("16/B374D848", "/", 2), Want: T("B374D848")},
		Case{Name: "SPLIT_PART/beyond the last", Query: split("16", "/", 2), Want: T("")},
		Case{Name: "SPLIT_PART/last", Query: split("ann@mail@x.io", "@", -1), Want: T("x.io")},
		Case{Name: "SPLIT_PART/last of text without separator", Query: split("ann", "@", -1), Want: T("ann")},
		Case{Name: "SPLIT_PART/last, empty", Query: split("ann@", "@", -1), Want: T("")},
		Case{Name: "SPLIT_PART/the LSN's 16 digits", Query: value(func(f ir.Fragments) string {
			return f.HexToNumber("LPAD(SPLIT_PART('16/B374D848', '/', 1), 8, '0') || LPAD(SPLIT_PART('16/B374D848', '/', 2), 8, '0')")
		}), Want: T(fmt.Sprint(0x16<<32 | 0xB374D848))},
	)

	// CONTAINS is true when the text holds the search text
	// (https://docs.snowflake.com/en/sql-reference/functions/contains):
	// MaskSQL, tested whole.
	mask := func(val string, email bool) ir.SQL {
		return value(func(f ir.Fragments) string {
			return plan.MaskSQL(f, f.Str(val), fmt.Sprint(email), "FALSE", "TRUE")
		})
	}
	out = append(out,
		Case{Name: "CONTAINS/true", Query: value(func(f ir.Fragments) string { return "CONTAINS('ann@x.io', '@')" }), Want: True},
		Case{Name: "CONTAINS/false", Query: value(func(f ir.Fragments) string { return "CONTAINS('ann', '@')" }), Want: False},
		Case{Name: "MaskSQL/email keeps its domain", Query: mask("ann@mail@x.io", true), Want: T("***@x.io")},
		Case{Name: "MaskSQL/email without domain", Query: mask("ann@", true), Want: T("***")},
		Case{Name: "MaskSQL/not an email", Query: mask("ann@x.io", false), Want: T("***")},
		Case{Name: "MaskSQL/empty stays empty", Query: mask("", true), Want: T("")},
		Case{Name: "MaskSQL/plaintext reader", Query: value(func(f ir.Fragments) string {
			return plan.MaskSQL(f, f.Str("ann@x.io"), "TRUE", "TRUE", "FALSE")
		}), Want: T("ann@x.io")},
		Case{Name: "MaskSQL/other reader", Query: value(func(f ir.Fragments) string {
			return plan.MaskSQL(f, f.Str("ann@x.io"), "TRUE", "FALSE", "FALSE")
		}), Want: Null},
	)

	// MD5 is the 32 lower-case hexadecimal digits of the digest of the
	// text's UTF-8 bytes (https://docs.snowflake.com/en/sql-reference/functions/md5),
	// SUBSTR counts from 1
	// (https://docs.snowflake.com/en/sql-reference/functions/substr): the
	// id of an unmatched record (links.go, OwnID) and gold's row hash
	// (timeline.go).
	sum := func(s string) string { h := md5.Sum([]byte(s)); return hex.EncodeToString(h[:]) }
	out = append(out,
		Case{Name: "MD5/hex digest", Query: value(func(f ir.Fragments) string { return "MD5(" + f.Str("Snowflake") + ")" }), Want: T(sum("Snowflake"))},
		Case{Name: "MD5/of UTF-8 text", Query: value(func(f ir.Fragments) string { return "MD5(" + f.Str("é|日本") + ")" }), Want: T(sum("é|日本"))},
		Case{Name: "MD5/of the empty text", Query: value(func(f ir.Fragments) string { return "MD5('')" }), Want: T(sum(""))},
		Case{Name: "MD5/OwnID", Query: value(func(f ir.Fragments) string { return plan.OwnID(f.Str("stripe"), f.Str("cus_1")) }), Want: T("unmatched_" + sum("stripe:cus_1")[:16])},
	)
	return out
}
