package local

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/internal/auditlog"
	"github.com/ledgerloop/trueup/internal/mask"
)

func openTestDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := OpenDB(filepath.Join(t.TempDir(), "s.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func sqlStr(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// TestMaskPolicyAgrees runs the masked form of the Snowflake masking
// policy (plan.MaskSQL, with the role tests replaced by constants) on
// DuckDB and compares it with internal/mask.Value, which the CLI applies
// locally, on the same inputs.
func TestMaskPolicyAgrees(t *testing.T) {
	db := openTestDB(t)
	values := []string{"", "a@example.com", "first.last+tag@sub.example.org", "a@b@c.io", "nobody@", "@example.com", "plain",
		"é@ü.de", "x@y", "@", "***@example.com", "***"}
	for _, role := range []mask.Role{mask.PIIReader, mask.Analyst, mask.Steward} {
		for _, kind := range []string{"email", ""} {
			for _, v := range values {
				cond := func(b bool) string {
					if b {
						return "TRUE"
					}
					return "FALSE"
				}
				q := "SELECT " + plan.MaskSQL(nil, sqlStr(v), cond(kind == "email"), cond(role == mask.PIIReader), cond(role == mask.Analyst || role == mask.Steward))
				var got sql.NullString
				if err := db.QueryRow(q).Scan(&got); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				if want := mask.Value(role, kind, v); got.String != want {
					t.Errorf("role %s, kind %q, value %q: policy %q, mask.Value %q", role, kind, v, got.String, want)
				}
			}
		}
	}
	// A role that is none of them reads NULL in the warehouse.
	var got sql.NullString
	if err := db.QueryRow("SELECT " + plan.MaskSQL(nil, "'a@b.io'", "TRUE", "FALSE", "FALSE")).Scan(&got); err != nil || got.Valid {
		t.Errorf("other role: %v %v, want NULL", got, err)
	}
}

// TestForgetHashAgrees computes the audit log hash of AUDIT.FORGET's
// entry (plan.AuditLogHash) on DuckDB, with DuckDB's names for Snowflake's
// OCTET_LENGTH (strlen: bytes), SHA2(x, 256) (sha256) and CHR, and
// compares it with internal/auditlog.Sum. The timestamp text is given as
// Sum formats it (Snowflake's TO_VARCHAR with AuditLogTime writes the
// same form; not run here).
func TestForgetHashAgrees(t *testing.T) {
	db := openTestDB(t)
	e := auditlog.Entry{Seq: 42, At: time.Date(2026, 12, 3, 11, 5, 6, 123456000, time.UTC), Actor: "JSMITH", Action: plan.ForgetAction,
		Subject: "acct_é'1", Detail: plan.ForgetDetail, PrevHash: strings.Repeat("ab", 32)}
	expr := plan.AuditLogHash(sqlStr(e.PrevHash), "'42'", sqlStr(e.At.Format("2006-01-02T15:04:05.000000Z")), sqlStr(e.Actor), sqlStr(e.Action), sqlStr(e.Subject), sqlStr(e.Detail))
	expr = strings.NewReplacer("OCTET_LENGTH(", "strlen(", "CHR(10)", "chr(10)").Replace(expr)
	expr = strings.Replace(expr, "SHA2(", "sha256(", 1)
	expr = strings.TrimSuffix(expr, ", 256)") + ")"
	var got string
	if err := db.QueryRow("SELECT " + expr).Scan(&got); err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	if want := auditlog.Sum(e); got != want {
		t.Errorf("hash in SQL %s, auditlog.Sum %s", got, want)
	}
}
