package local

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ledgerloop/trueup/generator/dialect/duckdb"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/plan"
)

// ReplayOptions choose what to recompute.
type ReplayOptions struct {
	// Since re-observes the RAW lines loaded at or after this time (zero:
	// every line, after clearing SILVER and GOLD).
	Since time.Time
	// Customers only re-resolves these customers from SILVER.
	Customers []string
}

// Replay recomputes SILVER and GOLD from RAW (or the named customers from
// SILVER) and returns the batch that did it. Observations are deduplicated
// by event identity, so re-observing lines already observed adds nothing,
// and history keeps every version that the recomputation confirms: the
// result equals what incremental processing produced.
func (run *Runner) Replay(ctx context.Context, o ReplayOptions) (Batch, error) {
	o2 := run.r.Object
	var stmts []string
	switch {
	case len(o.Customers) > 0:
		var unknown []string
		for _, c := range o.Customers {
			var n int
			if err := run.db.QueryRowContext(ctx, "SELECT (SELECT COUNT(*) FROM "+o2(plan.Crosswalk)+" WHERE customer_id = ?) + (SELECT COUNT(*) FROM "+o2(plan.History)+" WHERE customer_id = ?)", c, c).Scan(&n); err != nil {
				return Batch{}, fmt.Errorf("replay: %w", err)
			}
			if n == 0 {
				unknown = append(unknown, c)
			}
		}
		if len(unknown) > 0 {
			return Batch{}, fmt.Errorf("replay: no customer %s in this database (trueup explain names a customer's id)", strings.Join(unknown, ", "))
		}
		for _, c := range o.Customers {
			stmts = append(stmts, fmt.Sprintf("INSERT INTO %s (customer_id) VALUES (%s)", o2(plan.CustomerQueue), run.r.Str(c)))
		}
	case o.Since.IsZero():
		if err := run.checkNothingPurged(ctx); err != nil {
			return Batch{}, err
		}
		// Everything derived from RAW, except the logs of what trueup
		// believed before (history, crosswalk changes, rule sets).
		for _, t := range []ir.Ref{plan.Observations, plan.Quarantine, plan.SourceState, plan.StateLog, plan.Crosswalk, plan.FieldCandidates, plan.CustomerFields} {
			stmts = append(stmts, "DELETE FROM "+o2(t))
		}
		stmts = append(stmts, fmt.Sprintf("UPDATE %s SET consumed_to = 0, reading_to = 0", duckdb.StreamOffsets))
		// Every customer gold knew is re-resolved, so one that no record
		// belongs to any more is closed in history.
		stmts = append(stmts, fmt.Sprintf("INSERT INTO %s (customer_id) SELECT DISTINCT customer_id FROM %s WHERE superseded_at IS NULL", o2(plan.CustomerQueue), o2(plan.History)))
	default:
		// loaded_at is a TIMESTAMPTZ: the time is given with its zone, or
		// DuckDB would read it in the session's time zone.
		for _, src := range run.plan.Spec.Sources {
			st := plan.LinesStreamOf(src.Name)
			stmts = append(stmts, fmt.Sprintf(`UPDATE %s SET consumed_to = LEAST(consumed_to, COALESCE((SELECT MIN(load_seq) - 1 FROM %s WHERE loaded_at >= CAST('%s+00' AS TIMESTAMPTZ)), consumed_to)) WHERE stream_name = %s`,
				duckdb.StreamOffsets, o2(st.Table), ts(o.Since), run.r.Str(st.Ref.String())))
		}
	}
	tx, err := run.db.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return Batch{}, fmt.Errorf("replay: %w", err)
	}
	defer tx.Rollback()
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return Batch{}, fmt.Errorf("replay: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return Batch{}, fmt.Errorf("replay: %w", err)
	}
	return run.RunGraph(ctx, true)
}
