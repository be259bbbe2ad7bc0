package local

import (
	"context"
	"fmt"
	"strings"

	"github.com/ledgerloop/trueup/generator/dialect/duckdb"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/internal/auditlog"
)

// ErasedLine is what a forgotten record's raw line holds from then on.
const ErasedLine = `{"trueup_erased": true}`

// Forgotten is what an erasure did.
type Forgotten struct {
	Customer string
	Records  int   // source records of the customer
	Values   int   // PII values removed from the vault
	Lines    int64 // raw lines erased
	Shared   int   // values kept because other customers' records hold them too
}

// Forget erases a customer's PII from the local database (crypto-
// shredding): the PII values of its source records are removed from the
// vault, so that their tokens, wherever they are (SILVER, GOLD, history),
// read as erased; its raw lines are replaced by ErasedLine; every other raw
// line and finding is sealed again under a new data key and the old key is
// destroyed, so that nothing left of the erased lines in the file's free
// space can be read. A value another customer's record also holds (a shared
// account owner, say) is kept: it is that customer's data too. The erasure
// is recorded in the audit log (no PII in the entry).
func (run *Runner) Forget(ctx context.Context, customer, reason string) (Forgotten, error) {
	out := Forgotten{Customer: customer}
	if strings.TrimSpace(reason) == "" {
		return out, fmt.Errorf("forget: a reason is required")
	}
	o := run.r.Object
	var pii []string
	for _, f := range run.plan.Spec.Fields {
		if f.PII {
			pii = append(pii, run.r.Str(f.Name))
		}
	}
	if err := run.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+o(plan.Crosswalk)+" WHERE customer_id = ?", customer).Scan(&out.Records); err != nil {
		return out, fmt.Errorf("forget: %w", err)
	}
	if out.Records == 0 {
		return out, fmt.Errorf("forget: no customer %q (trueup explain names a customer's id and records)", customer)
	}
	records := fmt.Sprintf("(source, record_key) IN (SELECT source, record_key FROM %s WHERE customer_id = %s)", o(plan.Crosswalk), run.r.Str(customer))
	others := fmt.Sprintf("(source, record_key) NOT IN (SELECT source, record_key FROM %s WHERE customer_id = %s)", o(plan.Crosswalk), run.r.Str(customer))
	fields := "field IN (" + strings.Join(pii, ", ") + ")"
	// The customer's tokens: values as landed and as normalized.
	mine := fmt.Sprintf(`SELECT value AS t FROM %[1]s WHERE %[2]s AND %[3]s
UNION SELECT value FROM %[4]s WHERE %[2]s AND %[3]s
UNION SELECT raw_value FROM %[5]s WHERE customer_id = %[6]s AND %[3]s
UNION SELECT value FROM %[5]s WHERE customer_id = %[6]s AND %[3]s
UNION SELECT value FROM %[7]s WHERE customer_id = %[6]s AND %[3]s
UNION SELECT value FROM %[8]s WHERE %[2]s AND %[3]s`,
		o(plan.Observations), records, fields, o(plan.SourceState), o(plan.FieldCandidates), run.r.Str(customer), o(plan.CustomerFields), o(plan.MatchKeys))
	theirs := fmt.Sprintf(`SELECT value AS t FROM %[1]s WHERE %[2]s AND %[3]s
UNION SELECT value FROM %[4]s WHERE %[2]s AND %[3]s
UNION SELECT value FROM %[4]s WHERE customer_id <> %[5]s AND %[3]s`,
		o(plan.Observations), others, fields, o(plan.FieldCandidates), run.r.Str(customer))
	rows, err := run.db.QueryContext(ctx, fmt.Sprintf("SELECT t, t IN (%s) FROM (%s) AS m WHERE t IS NOT NULL", theirs, mine))
	if err != nil {
		return out, fmt.Errorf("forget: %w", err)
	}
	drop := map[string]bool{}
	for rows.Next() {
		var t string
		var shared bool
		if err := rows.Scan(&t, &shared); err != nil {
			rows.Close()
			return out, fmt.Errorf("forget: %w", err)
		}
		if shared {
			out.Shared++
		} else {
			drop[t] = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("forget: %w", err)
	}
	// The vault first: values gone, a new data key, the old one kept
	// until the texts are sealed again.
	if out.Values, err = run.vault.Rotate(drop); err != nil {
		return out, fmt.Errorf("forget: %w", err)
	}
	tx, err := run.db.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return out, fmt.Errorf("forget: %w", err)
	}
	defer tx.Rollback()
	for _, src := range run.plan.Spec.Sources {
		lines := o(plan.LinesTable(src.Name))
		erased := fmt.Sprintf("SELECT load_seq FROM %s WHERE source = %s AND %s", o(plan.Observations), run.r.Str(src.Name), records)
		_, err := tx.ExecContext(ctx, fmt.Sprintf(`UPDATE %[1]s SET line = %[2]s(CASE WHEN load_seq IN (%[3]s) THEN %[4]s ELSE %[5]s(line) END)`,
			lines, duckdb.SealTextFunction, erased, run.r.Str(ErasedLine), duckdb.OpenTextFunction))
		if err != nil {
			return out, fmt.Errorf("forget: %s: %w", lines, err)
		}
		var n int64
		if err := tx.QueryRowContext(ctx, fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE load_seq IN (%s)", lines, erased)).Scan(&n); err != nil {
			return out, fmt.Errorf("forget: %w", err)
		}
		out.Lines += n
	}
	// Findings keep excerpts of lines, sealed the same way.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`UPDATE %[1]s SET detail = %[2]s(%[3]s(detail)) WHERE detail LIKE 'tl1:%%'`,
		o(plan.Quarantine), duckdb.SealTextFunction, duckdb.OpenTextFunction)); err != nil {
		return out, fmt.Errorf("forget: %w", err)
	}
	if _, err := run.auditLog().Append(ctx, tx, actor(), auditlog.Forget, customer, map[string]any{
		"records": out.Records, "values": out.Values, "shared_values_kept": out.Shared, "raw_lines": out.Lines, "reason": reason,
	}); err != nil {
		return out, fmt.Errorf("forget: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return out, fmt.Errorf("forget: %w", err)
	}
	if err := run.vault.DropPrevious(); err != nil {
		return out, fmt.Errorf("forget: %w", err)
	}
	// The old pages go back to the file's free space, unreadable now.
	if _, err := run.db.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return out, fmt.Errorf("forget: %w", err)
	}
	return out, nil
}
