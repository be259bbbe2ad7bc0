package local

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

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
		var names []string
		for _, f := range run.plan.Spec.Fields {
			names = append(names, f.Name)
		}
		return fmt.Errorf("override: no field %q (fields: %s)", o.Field, strings.Join(names, ", "))
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
	for _, a := range params {
		if err := setVariable(ctx, tx, a.Name, run.r.Type(a.Type), args[a.Name]); err != nil {
			return fmt.Errorf("override: %w", err)
		}
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

// setVariable sets the DuckDB variable that a procedure's argument
// renders as (Fragments.Param is getvariable(name)), of the argument's
// type; nil sets a NULL of that type.
func setVariable(ctx context.Context, tx *sql.Tx, name, typ string, v any) error {
	switch x := v.(type) {
	case nil:
		_, err := tx.ExecContext(ctx, fmt.Sprintf("SET VARIABLE %s = CAST(NULL AS %s)", name, typ))
		return err
	case time.Time:
		_, err := tx.ExecContext(ctx, fmt.Sprintf("SET VARIABLE %s = CAST(? AS %s)", name, typ), x.UTC().Format("2006-01-02 15:04:05.999999"))
		return err
	default:
		_, err := tx.ExecContext(ctx, fmt.Sprintf("SET VARIABLE %s = CAST(? AS %s)", name, typ), x)
		return err
	}
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

// FileOverrideAuthor is the author of the clearing of a file's override
// whose entry was removed.
const FileOverrideAuthor = "models/overrides"

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
	applied := map[string]bool{}
	type live struct{ customer, field, origin string }
	var inForce []live
	rows, err := run.db.QueryContext(ctx, "SELECT origin, customer_id, field, ended_at IS NULL FROM "+run.r.Object(plan.Overrides)+" WHERE origin LIKE 'file:%'")
	if err != nil {
		return res, fmt.Errorf("overrides: %w", err)
	}
	for rows.Next() {
		var l live
		var open bool
		if err := rows.Scan(&l.origin, &l.customer, &l.field, &open); err != nil {
			rows.Close()
			return res, fmt.Errorf("overrides: %w", err)
		}
		applied[l.origin] = true
		if open {
			inForce = append(inForce, l)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("overrides: %w", err)
	}
	want := map[string]bool{}
	now := time.Now()
	for _, fo := range run.plan.Spec.Overrides {
		origin := fo.Origin()
		want[origin] = true
		if applied[origin] {
			continue
		}
		if !fo.Until.IsZero() && !fo.Until.After(now) {
			// Expired before it could be applied: nothing to do, ever.
			continue
		}
		v := fo.Value
		err := run.setOverride(ctx, Override{Customer: fo.Customer, Field: fo.Field, Value: &v, Reason: fo.Reason, Author: fo.Author,
			Until: fo.Until, Origin: origin, Pos: fo.Pos.String()})
		if err != nil {
			if ctx.Err() != nil {
				return res, err
			}
			res.Waiting = append(res.Waiting, fmt.Sprintf("%s: %v", fo.Pos, err))
			continue
		}
		res.Set++
	}
	for _, l := range inForce {
		if want[l.origin] {
			continue
		}
		err := run.setOverride(ctx, Override{Customer: l.customer, Field: l.field, Reason: "its entry was removed from models/overrides", Author: FileOverrideAuthor})
		if err != nil {
			return res, err
		}
		res.Cleared++
	}
	return res, nil
}
