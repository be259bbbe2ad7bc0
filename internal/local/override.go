package local

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/generator/spec"
	"github.com/ledgerloop/trueup/internal/auditlog"
)

// Override is a steward's decision for one field of one customer.
type Override struct {
	Customer, Field string
	// Value is the value set; nil clears the override in force.
	Value  *string
	Reason string
	Author string
	Until  time.Time // zero: no expiry
	// Origin is "" (cli) or a FileOverride's Origin; Pos names where a
	// file's override is written (for the audit log).
	Origin string
	Pos    string
}

// OverrideRow is one row of silver.overrides, for explain.
type OverrideRow struct {
	ID, Field, Value, Reason, Author string
	SetAt, ExpiresAt, EndedAt        string
	EndReason                        string
}

// SetOverride records a steward's override (or clears the one in force)
// through the plan's own statements (the procedure AUDIT.SET_OVERRIDE
// runs the same), appends an override entry to the audit log in the same
// transaction, and runs a batch, so that gold and history show it at once.
func (run *Runner) SetOverride(ctx context.Context, o Override) (Batch, error) {
	if err := run.setOverride(ctx, o); err != nil {
		return Batch{}, err
	}
	return run.RunGraph(ctx, true)
}

// setOverride records an override and its audit entry in one transaction,
// without running a batch.
func (run *Runner) setOverride(ctx context.Context, o Override) error {
	if strings.TrimSpace(o.Reason) == "" {
		return fmt.Errorf("override: a reason is required")
	}
	if strings.TrimSpace(o.Author) == "" {
		return fmt.Errorf("override: an author is required: --author, or $USER")
	}
	fld := run.plan.Spec.FieldByName(o.Field)
	if fld == nil {
		return fmt.Errorf("override: no field %q (fields: %s)", o.Field, strings.Join(run.plan.Spec.FieldNames(), ", "))
	}
	if o.Value != nil && *o.Value == "" {
		return fmt.Errorf("override: an empty value; to end the override in force, use --clear")
	}
	if !o.Until.IsZero() && !o.Until.After(time.Now()) {
		return fmt.Errorf("override: --until %s is in the past", o.Until.UTC().Format(time.RFC3339))
	}
	var n int
	if err := run.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+run.r.Object(plan.Crosswalk)+" WHERE customer_id = ? AND source <> ?", o.Customer, spec.OverrideSource).Scan(&n); err != nil {
		return fmt.Errorf("override: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("override: no customer %q (trueup explain names a customer's id)", o.Customer)
	}
	if o.Value == nil {
		if err := run.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+run.r.Object(plan.Overrides)+" WHERE customer_id = ? AND field = ? AND ended_at IS NULL", o.Customer, o.Field).Scan(&n); err != nil {
			return fmt.Errorf("override: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("override: customer %s has no override of %s in force", o.Customer, o.Field)
		}
	}
	tx, err := run.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("override: %w", err)
	}
	defer tx.Rollback()
	args := map[string]any{"customer_id": o.Customer, "field": o.Field, "reason": o.Reason, "author": o.Author}
	if o.Origin != "" {
		args["origin"] = o.Origin
	}
	if o.Value != nil {
		args["value"] = *o.Value
	}
	if !o.Until.IsZero() {
		args["expires_at"] = o.Until.UTC()
	}
	params, steps := run.plan.OverrideSetSteps()
	if err := run.setArgs(ctx, tx, params, args); err != nil {
		return fmt.Errorf("override: %w", err)
	}
	for i, step := range steps {
		if _, err := tx.ExecContext(ctx, step(run.r)); err != nil {
			return fmt.Errorf("override: step %d: %w", i+1, err)
		}
	}
	detail := map[string]any{"field": o.Field, "reason": o.Reason, "author": o.Author, "pii": fld.PII}
	switch {
	case o.Value == nil:
		detail["cleared"] = true
	case !fld.PII:
		// A PII value stays out of the log: the vault holds it.
		detail["value"] = *o.Value
	}
	if !o.Until.IsZero() {
		detail["until"] = o.Until.UTC().Format(time.RFC3339)
	}
	if o.Pos != "" {
		detail["file"] = o.Pos
	}
	if _, err := run.auditLog().Append(ctx, tx, actor(), auditlog.Override, o.Customer+" "+o.Field, detail); err != nil {
		return fmt.Errorf("override: %w", err)
	}
	if err := run.commit(tx, &StatementProfile{}); err != nil {
		return fmt.Errorf("override: %w", err)
	}
	return nil
}

// setArgs sets, for the statements of a procedure that the local runner
// runs itself, the DuckDB variable each argument renders as
// (Fragments.Param is getvariable(name)), of the argument's type, bound;
// a missing or nil value is a NULL of that type.
func (run *Runner) setArgs(ctx context.Context, tx *sql.Tx, params []ir.Arg, values map[string]any) error {
	for _, a := range params {
		typ := run.r.Type(a.Type)
		var err error
		switch x := values[a.Name].(type) {
		case nil:
			_, err = tx.ExecContext(ctx, fmt.Sprintf("SET VARIABLE %s = CAST(NULL AS %s)", a.Name, typ))
		case time.Time:
			_, err = tx.ExecContext(ctx, fmt.Sprintf("SET VARIABLE %s = CAST(? AS %s)", a.Name, typ), x.UTC().Format("2006-01-02 15:04:05.999999"))
		default:
			_, err = tx.ExecContext(ctx, fmt.Sprintf("SET VARIABLE %s = CAST(? AS %s)", a.Name, typ), x)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Overrides lists a customer's overrides, newest first (values opened).
func (run *Runner) Overrides(ctx context.Context, customer string) ([]OverrideRow, error) {
	rows, err := run.db.QueryContext(ctx, `SELECT override_id, field, value, reason, author,
  strftime(set_at, '%Y-%m-%dT%H:%M:%S.%gZ'), COALESCE(strftime(expires_at, '%Y-%m-%dT%H:%M:%S.%gZ'), ''),
  COALESCE(strftime(ended_at, '%Y-%m-%dT%H:%M:%S.%gZ'), ''), COALESCE(end_reason, '')
FROM `+run.r.Object(plan.Overrides)+` WHERE customer_id = ? ORDER BY set_at DESC, override_id DESC`, customer)
	if err != nil {
		return nil, fmt.Errorf("overrides: %w", err)
	}
	defer rows.Close()
	var out []OverrideRow
	for rows.Next() {
		var r OverrideRow
		var v sql.NullString
		if err := rows.Scan(&r.ID, &r.Field, &v, &r.Reason, &r.Author, &r.SetAt, &r.ExpiresAt, &r.EndedAt, &r.EndReason); err != nil {
			return nil, fmt.Errorf("overrides: %w", err)
		}
		r.Value = run.OpenValue(v.String)
		out = append(out, r)
	}
	return out, rows.Err()
}

// overridesDue says whether an override expired or ended without its end
// in the observations: a batch must run even when no stream has data.
func (run *Runner) overridesDue(ctx context.Context) (bool, error) {
	var n int
	err := run.db.QueryRowContext(ctx, fmt.Sprintf(`SELECT COUNT(*) FROM %s
WHERE (ended_at IS NULL AND expires_at <= %s) OR (ended_at IS NOT NULL AND retracted_at IS NULL)`, run.r.Object(plan.Overrides), run.r.Now())).Scan(&n)
	return n > 0, err
}

// OverrideSync is what applying models/overrides/ did.
type OverrideSync struct {
	Set, Cleared int
	// Waiting are the overrides not applied yet, each with why: a
	// customer not in the crosswalk yet, say. They are tried again at
	// each run.
	Waiting []string
}

// ApplyFileOverrides brings silver.overrides in line with the spec's
// models/overrides/: an entry that was never applied is set (replacing the
// override in force of that field), one applied before is left alone even
// once it ended (an expired override does not come back), and an override
// from a file whose entry is gone is cleared. Overrides set with trueup
// override are not touched. An entry that cannot be applied yet waits.
func (run *Runner) ApplyFileOverrides(ctx context.Context) (OverrideSync, error) {
	var res OverrideSync
	var applied []spec.AppliedOverride
	rows, err := run.db.QueryContext(ctx, plan.AppliedOverridesSQL(run.r))
	if err != nil {
		return res, fmt.Errorf("overrides: %w", err)
	}
	for rows.Next() {
		var a spec.AppliedOverride
		if err := rows.Scan(&a.Origin, &a.Customer, &a.Field, &a.InForce); err != nil {
			rows.Close()
			return res, fmt.Errorf("overrides: %w", err)
		}
		applied = append(applied, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("overrides: %w", err)
	}
	set, clear := run.plan.Spec.OverridesToApply(applied, time.Now())
	for _, fo := range set {
		v := fo.Value
		err := run.setOverride(ctx, Override{Customer: fo.Customer, Field: fo.Field, Value: &v, Reason: fo.Reason, Author: fo.Author,
			Until: fo.Until, Origin: fo.Origin(), Pos: fo.Pos.String()})
		if err != nil {
			if ctx.Err() != nil {
				return res, err
			}
			res.Waiting = append(res.Waiting, fmt.Sprintf("%s: %v", fo.Pos, err))
			continue
		}
		res.Set++
	}
	for _, a := range clear {
		if err := run.setOverride(ctx, Override{Customer: a.Customer, Field: a.Field, Reason: spec.FileOverrideRemoved, Author: spec.FileOverrideAuthor}); err != nil {
			return res, err
		}
		res.Cleared++
	}
	return res, nil
}
