// Package common holds the SQL-building helpers the dialects share: quoting
// and the statements whose shape is the same everywhere.
package common

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ledgerloop/trueup/generator/ir"
)

var plainIdent = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// QuoteIdent renders an identifier: plain names in the dialect's folding
// case (upper or lower) and unquoted unless reserved; anything else quoted
// exactly, with embedded double quotes doubled.
func QuoteIdent(name string, upper bool, reserved map[string]bool) string {
	if plainIdent.MatchString(name) {
		folded := strings.ToLower(name)
		if upper {
			folded = strings.ToUpper(name)
		}
		if !reserved[strings.ToUpper(name)] {
			return folded
		}
		return `"` + folded + `"`
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// Quote renders a single-quoted literal with quotes doubled.
func Quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Columns renders a table's column definitions; extra appends dialect text
// after each column (such as an inline comment).
func Columns(f ir.Fragments, cols []ir.Column, extra func(c ir.Column) string) string {
	var b strings.Builder
	for i, c := range cols {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, "  %s %s", f.Ident(c.Name), f.Type(c.Type))
		if c.NotNull {
			b.WriteString(" NOT NULL")
		}
		if c.Default != nil {
			b.WriteString(" DEFAULT " + c.Default.SQL(f))
		}
		if extra != nil {
			b.WriteString(extra(c))
		}
	}
	return b.String()
}

// Steps renders a task's steps.
func Steps(f ir.Fragments, t *ir.Task) []string {
	out := make([]string, len(t.Steps))
	for i, s := range t.Steps {
		out[i] = s(f)
	}
	return out
}

// Reserved is the union of words the dialects reserve that a spec name could
// collide with; quoting one more name than needed is harmless.
var Reserved = toSet(`ALL ALTER AND ANY ANALYSE ANALYZE ARRAY AS ASC ASYMMETRIC BETWEEN BOTH BY CASE CAST CHECK COLLATE COLUMN CONNECT
CONSTRAINT CREATE CROSS CURRENT CURRENT_DATE CURRENT_ROLE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER DEFAULT DEFERRABLE
DELETE DESC DESCRIBE DISTINCT DO DROP ELSE END EXCEPT EXISTS FALSE FETCH FOLLOWING FOR FOREIGN FROM FULL GRANT GROUP GSCLUSTER
HAVING ILIKE IN INCREMENT INITIALLY INNER INSERT INTERSECT INTO IS ISSUE JOIN LATERAL LEADING LEFT LIKE LIMIT LOCALTIME
LOCALTIMESTAMP MINUS NATURAL NOT NULL OF OFFSET ON ONLY OR ORDER PLACING PRIMARY QUALIFY REFERENCES REGEXP RETURNING REVOKE
RIGHT RLIKE ROW ROWS SAMPLE SCHEMA SELECT SET SOME START SYMMETRIC TABLE TABLESAMPLE THEN TO TRAILING TRIGGER TRUE TRY_CAST
UNION UNIQUE UPDATE USING VALUES VARIADIC WHEN WHENEVER WHERE WINDOW WITH`)

func toSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// AsOfEqualities renders the equality pairs of an ASOF join, each followed
// by " AND ".
func AsOfEqualities(on [][2]string) string {
	var b strings.Builder
	for _, p := range on {
		b.WriteString(p[0] + " = " + p[1] + " AND ")
	}
	return b.String()
}
