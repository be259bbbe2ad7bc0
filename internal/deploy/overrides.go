package deploy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ledgerloop/trueup/generator/dialect/snowflake"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/plan"
)

// Override is the action of a change that calls AUDIT.SET_OVERRIDE for an
// entry of models/overrides/.
const Override Action = "override"

// FileOverrideAuthor is the author of the clearing of a file's override
// whose entry was removed.
const FileOverrideAuthor = "models/overrides"

// overrideChanges are the calls of AUDIT.SET_OVERRIDE that bring a
// Snowflake target's overrides in line with models/overrides/: an entry
// never applied is set, an applied one is left alone even once it ended,
// and an override from a file whose entry is gone is cleared. The values
// travel as bind variables, so that no value (a PII one included) is in
// the statement's text, which QUERY_HISTORY keeps (a CALL argument is any
// expression: https://docs.snowflake.com/en/sql-reference/sql/call). On
// DuckDB the local runner applies them itself (it seals PII values; a
// deploy handle has no vault).
func overrideChanges(ctx context.Context, t *Target, d *Desired) ([]Change, error) {
	proc := d.Plan.Object(plan.OverrideProc)
	if proc == nil || d.Dialect != snowflake.Name {
		return nil, nil
	}
	tables, err := t.Warehouse.Tables(ctx, t.DB, []string{plan.Overrides.Schema})
	if err != nil {
		return nil, fmt.Errorf("overrides: %w", err)
	}
	applied := map[string]bool{}
	type live struct{ customer, field, origin string }
	var inForce []live
	if _, ok := tables[plan.Overrides]; ok {
		rows, err := t.DB.QueryContext(ctx, "SELECT origin, customer_id, field, ended_at IS NULL FROM "+d.R.Object(plan.Overrides)+" WHERE origin LIKE 'file:%'")
		if err != nil {
			return nil, fmt.Errorf("overrides: %w", err)
		}
		for rows.Next() {
			var l live
			var open bool
			if err := rows.Scan(&l.origin, &l.customer, &l.field, &open); err != nil {
				rows.Close()
				return nil, fmt.Errorf("overrides: %w", err)
			}
			applied[l.origin] = true
			if open {
				inForce = append(inForce, l)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("overrides: %w", err)
		}
	}
	marks := make([]string, len(proc.Procedure.Args))
	for i := range marks {
		marks[i] = "?"
	}
	call := fmt.Sprintf("CALL %s(%s)", d.R.Object(plan.OverrideProc), strings.Join(marks, ", "))
	var out []Change
	want := map[string]bool{}
	now := time.Now()
	for _, fo := range d.Plan.Spec.Overrides {
		origin := fo.Origin()
		want[origin] = true
		if applied[origin] || (!fo.Until.IsZero() && !fo.Until.After(now)) {
			continue
		}
		var until any
		if !fo.Until.IsZero() {
			until = fo.Until.UTC()
		}
		args := map[string]any{"customer_id": fo.Customer, "field": fo.Field, "value": fo.Value, "reason": fo.Reason,
			"author": fo.Author, "expires_at": until, "origin": origin}
		out = append(out, Change{Action: Override, Kind: "override", Object: fo.Customer + " " + fo.Field, Path: fo.Pos.File,
			Comment: fmt.Sprintf("%s: set by %s: %s", fo.Pos, fo.Author, fo.Reason), SQL: []string{call}, Args: [][]any{callArgs(proc, args)}})
	}
	for _, l := range inForce {
		if want[l.origin] {
			continue
		}
		args := map[string]any{"customer_id": l.customer, "field": l.field, "value": nil, "reason": "its entry was removed from models/overrides",
			"author": FileOverrideAuthor, "expires_at": nil, "origin": nil}
		out = append(out, Change{Action: Override, Kind: "override", Object: l.customer + " " + l.field,
			Comment: "cleared: its entry was removed from models/overrides", SQL: []string{call}, Args: [][]any{callArgs(proc, args)}})
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
