package local

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ledgerloop/trueup/generator/plan"
)

// PurgeInterval is how often a run purges: as the warehouse's daily task.
const PurgeInterval = 24 * time.Hour

// PurgeResult is what one purge removed.
type PurgeResult struct {
	// Rows is the number of rows the purge deleted, RAW lines and curated
	// rows together.
	Rows int64
}

// Purge runs the plan's purge (the statements of OPS.PURGE, rendered for
// DuckDB) in one transaction, as the warehouse's purge task does, and
// records it in ops.purges.
func (run *Runner) Purge(ctx context.Context) (PurgeResult, error) {
	var res PurgeResult
	tx, err := run.db.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return res, fmt.Errorf("purge: %w", err)
	}
	defer tx.Rollback()
	steps := run.plan.PurgeSteps()
	for i, step := range steps {
		r, err := tx.ExecContext(ctx, step(run.r))
		if err != nil {
			return PurgeResult{}, fmt.Errorf("purge: step %d: %w", i+1, err)
		}
		// The last step records the purge: its row is not a deleted one.
		if n, _ := r.RowsAffected(); i < len(steps)-1 {
			res.Rows += n
		}
	}
	if err := tx.Commit(); err != nil {
		return PurgeResult{}, fmt.Errorf("purge: %w", err)
	}
	return res, nil
}

// PurgeIfDue purges when no purge ran in the last PurgeInterval (by
// ops.purges); nil when it was not due.
func (run *Runner) PurgeIfDue(ctx context.Context) (*PurgeResult, error) {
	var due bool
	q := fmt.Sprintf(`SELECT COALESCE(MAX(purged_at) <= %s - INTERVAL %d SECOND, TRUE) FROM %s`,
		run.r.Now(), int(PurgeInterval/time.Second), run.r.Object(plan.Purges))
	if err := run.db.QueryRowContext(ctx, q).Scan(&due); err != nil {
		return nil, fmt.Errorf("purge: %w", err)
	}
	if !due {
		return nil, nil
	}
	res, err := run.Purge(ctx)
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// ErrPurged is returned by a replay from RAW after the purge removed lines
// that SILVER was built from.
var ErrPurged = errors.New("RAW lines were purged")

// checkNothingPurged fails when RAW holds fewer lines of a source than the
// load history says were loaded: the purge removed lines SILVER was built
// from, and a replay of everything from RAW would lose what they asserted.
func (run *Runner) checkNothingPurged(ctx context.Context) error {
	for _, src := range run.plan.Spec.Sources {
		var loaded, held int64
		q := fmt.Sprintf(`SELECT COALESCE((SELECT SUM(lines) FROM %s WHERE source = ?), 0), (SELECT COUNT(*) FROM %s)`,
			LoadHistory, run.r.Object(plan.LinesTable(src.Name)))
		if err := run.db.QueryRowContext(ctx, q, src.Name).Scan(&loaded, &held); err != nil {
			return fmt.Errorf("replay: %w", err)
		}
		if held < loaded {
			return fmt.Errorf("replay: %w: %d of the %d lines loaded for source %s are no longer in RAW, and a replay of everything from RAW would lose what they asserted; re-observe the lines loaded since a time instead, or re-resolve customers from SILVER", ErrPurged, loaded-held, loaded, src.Name)
		}
	}
	return nil
}
