package deploy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/migrations"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/internal/impact"
)

// ImpactRuns bounds the reconcile calls of a Snowflake impact: each
// re-resolves a backfill slice (project.backfill_slice customers).
const ImpactRuns = 1000

// Impact re-resolves a zero-copy clone of a Snowflake target's database
// under the edited plan and reports what would change in gold, without
// touching the target: CREATE DATABASE ... CLONE, the pipes of the clone
// paused, the edited plan's OPS.RECONCILE created in the clone and called
// until its rule-set backfill is done, gold compared with the target's,
// the clone dropped. In the clone the tasks are suspended (they are
// cloned suspended: https://docs.snowflake.com/en/user-guide/object-clone)
// and its streams start with nothing unconsumed, so the calls re-resolve
// the backfill alone. A change that needs a migration (a new field) is
// refused by the first call (its column is missing in the clone): deploy
// the migration first. now names the clone.
func Impact(ctx context.Context, t *Target, edited *plan.Plan, samples int, now time.Time) (_ *impact.Report, err error) {
	cl, ok := t.Warehouse.(Cloner)
	if !ok {
		return nil, fmt.Errorf("impact: target %s is %s: use trueup impact --db for a local database", t.Name, t.Warehouse.Dialect())
	}
	dialectName := t.Warehouse.Dialect()
	db := edited.Spec.Project.Database
	clone := fmt.Sprintf("%s_IMPACT_%s", db, now.UTC().Format("20060102T150405"))
	s := *edited.Spec
	s.Project.Database = clone
	cp, err := plan.Build(&s)
	if err != nil {
		return nil, fmt.Errorf("impact: %w", err)
	}
	files, err := generator.Render(cp, dialectName)
	if err != nil {
		return nil, fmt.Errorf("impact: %w", err)
	}
	r, err := dialect.Get(dialectName)
	if err != nil {
		return nil, err
	}
	r.Configure(migrations.Settings(cp))
	before, err := dialect.Get(dialectName)
	if err != nil {
		return nil, err
	}
	before.Configure(migrations.Settings(edited))

	exec := func(q string, args ...any) error {
		if _, err := t.DB.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("impact: %s: %w", firstLineOf(q), err)
		}
		return nil
	}
	if err := exec(cl.CloneSQL(clone, db)); err != nil {
		return nil, err
	}
	defer func() {
		if derr := exec(cl.DropCloneSQL(clone)); derr != nil && err == nil {
			err = derr
		}
	}()
	// Pipes on external stages are cloned (and would load into the
	// clone): paused (https://docs.snowflake.com/en/sql-reference/sql/alter-pipe).
	var proc []string
	for _, f := range files {
		switch {
		case f.Object.Kind == ir.KindPipe:
			if err := exec(cl.PausePipeSQL(r.Object(f.Object.Ref))); err != nil {
				return nil, err
			}
		case f.Object.Ref == plan.ReconcileProc:
			proc = sqlOf(f)
		}
	}
	if len(proc) == 0 {
		return nil, fmt.Errorf("impact: the plan has no %s", plan.ReconcileProc)
	}
	for _, q := range proc {
		if err := exec(q); err != nil {
			return nil, err
		}
	}
	count := func(q string, args ...any) (int64, error) {
		var n int64
		if err := t.DB.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			return 0, fmt.Errorf("impact: %s: %w", firstLineOf(q), err)
		}
		return n, nil
	}
	// The first call finds the new rule-set version and queues every
	// customer; each call re-resolves a slice, until none is left or a
	// call moves nothing (a batch held back).
	call := fmt.Sprintf("CALL %s(?)", r.Object(plan.ReconcileProc))
	left := int64(-1)
	var batches []string
	for i := 1; i <= ImpactRuns; i++ {
		batch := fmt.Sprintf("impact-%d", i)
		batches = append(batches, batch)
		if err := exec(call, batch); err != nil {
			return nil, err
		}
		n, err := count("SELECT COUNT(*) FROM " + r.Object(plan.Backfill))
		if err != nil {
			return nil, err
		}
		if n == 0 || (left >= 0 && n >= left) {
			break
		}
		left = n
	}
	im := &impact.Report{RulesetAfter: edited.RulesetVersion, Fields: []impact.Field{}}
	if err := t.DB.QueryRowContext(ctx, "SELECT COALESCE(MAX(ruleset_version), '') FROM "+before.Object(plan.CustomerFields)).Scan(&im.RulesetBefore); err != nil {
		return nil, fmt.Errorf("impact: %w", err)
	}
	rows, err := t.DB.QueryContext(ctx, fmt.Sprintf("SELECT DISTINCT check_name FROM %s WHERE batch_id IN (%s) AND severity = 'error' AND status = 'fail' ORDER BY 1",
		r.Object(plan.DQResults), strings.TrimSuffix(strings.Repeat("?, ", len(batches)), ", ")), anys(batches)...)
	if err != nil {
		return nil, fmt.Errorf("impact: %w", err)
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return nil, fmt.Errorf("impact: %w", err)
		}
		im.HeldBy = append(im.HeldBy, c)
	}
	rows.Close()
	im.Held = len(im.HeldBy) > 0
	if im.Customers, err = count("SELECT COUNT(DISTINCT customer_id) FROM " + r.Object(plan.CustomerFields)); err != nil {
		return nil, err
	}
	// One pass over the two states, joined on customer and field, kept in
	// a temporary table of the session.
	diff := r.Object(ir.Ref{Schema: plan.OPS, Name: "impact_diff"})
	if err := exec(impact.DiffSQL(diff, before.Object(plan.CustomerFields), r.Object(plan.CustomerFields))); err != nil {
		return nil, err
	}
	for _, f := range edited.Spec.Fields {
		fi, err := impact.ReadField(ctx, t.DB, diff, f.Name, samples)
		if err != nil {
			return nil, fmt.Errorf("impact: %s: %w", f.Name, err)
		}
		im.Fields = append(im.Fields, fi)
	}
	return im, nil
}
