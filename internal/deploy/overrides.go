package deploy

import (
	"context"
	"fmt"
	"time"

	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/generator/spec"
)

// Override is the action of a change that calls AUDIT.SET_OVERRIDE for an
// entry of models/overrides/.
const Override Action = "override"

// overrideChanges are the calls of AUDIT.SET_OVERRIDE that bring the
// overrides of a target whose warehouse is an OverrideCaller (Snowflake) in line with models/overrides/: an entry
// never applied is set, an applied one is left alone even once it ended,
// and an override from a file whose entry is gone is cleared. The values
// travel as bind variables, so that no value (a PII one included) is in
// the statement's text, which QUERY_HISTORY keeps (a CALL argument is any
// expression: https://docs.snowflake.com/en/sql-reference/sql/call). On
// DuckDB the local runner applies them itself (it seals PII values; a
// deploy handle has no vault).
func overrideChanges(ctx context.Context, t *Target, d *Desired) ([]Change, error) {
	proc := d.Plan.Object(plan.OverrideProc)
	oc, ok := t.Warehouse.(OverrideCaller)
	if proc == nil || !ok {
		return nil, nil
	}
	tables, err := t.Warehouse.Tables(ctx, t.DB, []string{plan.Overrides.Schema})
	if err != nil {
		return nil, fmt.Errorf("overrides: %w", err)
	}
	var applied []spec.AppliedOverride
	if _, ok := tables[plan.Overrides]; ok {
		rows, err := t.DB.QueryContext(ctx, plan.AppliedOverridesSQL(d.R))
		if err != nil {
			return nil, fmt.Errorf("overrides: %w", err)
		}
		for rows.Next() {
			var a spec.AppliedOverride
			if err := rows.Scan(&a.Origin, &a.Customer, &a.Field, &a.InForce); err != nil {
				rows.Close()
				return nil, fmt.Errorf("overrides: %w", err)
			}
			applied = append(applied, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("overrides: %w", err)
		}
	}
	call := oc.OverrideCall(d.R.Object(plan.OverrideProc), len(proc.Procedure.Args))
	var out []Change
	set, clear := d.Plan.Spec.OverridesToApply(applied, time.Now())
	for _, fo := range set {
		var until any
		if !fo.Until.IsZero() {
			until = fo.Until.UTC()
		}
		args := map[string]any{"customer_id": fo.Customer, "field": fo.Field, "value": fo.Value, "reason": fo.Reason,
			"author": fo.Author, "expires_at": until, "origin": fo.Origin()}
		out = append(out, Change{Action: Override, Kind: "override", Object: fo.Customer + " " + fo.Field, Path: fo.Pos.File,
			Comment: fmt.Sprintf("%s: set by %s: %s", fo.Pos, fo.Author, fo.Reason), SQL: []string{call}, Args: [][]any{callArgs(proc, args)}})
	}
	for _, a := range clear {
		args := map[string]any{"customer_id": a.Customer, "field": a.Field, "value": nil, "reason": spec.FileOverrideRemoved,
			"author": spec.FileOverrideAuthor, "expires_at": nil, "origin": nil}
		out = append(out, Change{Action: Override, Kind: "override", Object: a.Customer + " " + a.Field,
			Comment: "cleared: " + spec.FileOverrideRemoved, SQL: []string{call}, Args: [][]any{callArgs(proc, args)}})
	}
	return out, nil
}

// callArgs orders named arguments as the procedure declares them.
func callArgs(proc *ir.Object, named map[string]any) []any {
	out := make([]any, len(proc.Procedure.Args))
	for i, a := range proc.Procedure.Args {
		out[i] = named[a.Name]
	}
	return out
}
