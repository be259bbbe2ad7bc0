package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/internal/impact"
)

// The report's types are package impact's, shared with the Snowflake
// target's impact (internal/deploy), which does not link DuckDB.
type (
	Winner       = impact.Winner
	ImpactChange = impact.Change
	ImpactMove   = impact.Move
	FieldImpact  = impact.Field
	Impact       = impact.Report
)

// impactBefore is the copy's snapshot of gold before the re-resolution.
const impactBefore = "main.impact_before"

// ImpactOf re-resolves a copy of the database file at path under the plan
// p (an edited spec) and reports, per field, what would change in gold.
// The database itself is only read (copied); the copy is removed. samples
// is the number of changed customers shown per field.
func ImpactOf(ctx context.Context, path string, p *plan.Plan, samples int) (*Impact, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("open %s: %w", path, ErrNoDatabase)
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	dir, err := os.MkdirTemp(filepath.Dir(path), ".trueup-impact-")
	if err != nil {
		return nil, fmt.Errorf("impact: %w", err)
	}
	defer os.RemoveAll(dir)
	clone := filepath.Join(dir, filepath.Base(path))
	for _, suffix := range cloneSuffixes {
		if err := copyIfExists(path+suffix, clone+suffix); err != nil {
			return nil, fmt.Errorf("impact: copy %s: %w", path+suffix, err)
		}
	}
	// The snapshot is taken before the new plan's setup touches gold.
	if err := snapshotGold(ctx, clone, p); err != nil {
		return nil, err
	}
	run, err := Open(ctx, clone, p)
	if err != nil {
		return nil, err
	}
	defer run.Close()
	im := &Impact{RulesetAfter: p.RulesetVersion}
	o := run.r.Object
	if err := run.db.QueryRowContext(ctx, "SELECT COALESCE(MAX(ruleset_version), '') FROM "+impactBefore).Scan(&im.RulesetBefore); err != nil {
		return nil, fmt.Errorf("impact: %w", err)
	}
	// Re-resolve: the first run under a new rule set queues every
	// customer; the backfill goes on, a slice per run, until it is done.
	if _, err := run.RunGraph(ctx, true); err != nil {
		return nil, fmt.Errorf("impact: %w", err)
	}
	for left, err := run.BackfillLeft(ctx); left > 0; left, err = run.BackfillLeft(ctx) {
		if err != nil {
			return nil, fmt.Errorf("impact: %w", err)
		}
		if _, err := run.RunGraph(ctx, true); err != nil {
			return nil, fmt.Errorf("impact: %w", err)
		}
		if now, err := run.BackfillLeft(ctx); err != nil || now >= left {
			break // held back: reported below
		}
	}
	rep, err := run.DQ(ctx)
	if err != nil {
		return nil, fmt.Errorf("impact: %w", err)
	}
	if rep.Failed() {
		im.Held = true
		for _, r := range rep.Results {
			if r.Severity == "error" && r.Status == "fail" {
				im.HeldBy = append(im.HeldBy, r.Check)
			}
		}
		sort.Strings(im.HeldBy)
	}
	if err := run.db.QueryRowContext(ctx, "SELECT COUNT(DISTINCT customer_id) FROM "+o(plan.CustomerFields)).Scan(&im.Customers); err != nil {
		return nil, fmt.Errorf("impact: %w", err)
	}
	if _, err := run.db.ExecContext(ctx, impact.DiffSQL("impact_diff", impactBefore, o(plan.CustomerFields))); err != nil {
		return nil, fmt.Errorf("impact: %w", err)
	}
	for _, f := range p.Spec.Fields {
		fi, err := impact.ReadField(ctx, run.db, "impact_diff", f.Name, samples)
		if err != nil {
			return nil, fmt.Errorf("impact: %s: %w", f.Name, err)
		}
		if f.PII {
			for _, c := range fi.Samples {
				for _, w := range []*Winner{c.Before, c.After} {
					if w != nil && w.Value != nil {
						v := run.OpenValue(*w.Value)
						w.Value = &v
					}
				}
			}
		}
		im.Fields = append(im.Fields, fi)
	}
	return im, nil
}

// cloneSuffixes are the files of a local database: the file, its WAL and
// its vault.
var cloneSuffixes = []string{"", ".wal", ".vault"}

// snapshotGold copies gold's resolved fields into a table of the copy's
// own, before the new plan's setup runs on it.
func snapshotGold(ctx context.Context, clone string, p *plan.Plan) error {
	db, err := OpenDB(clone)
	if err != nil {
		return fmt.Errorf("impact: %w", err)
	}
	defer db.Close()
	r := rendererFor(p)
	if _, err := db.ExecContext(ctx, "CREATE TABLE "+impactBefore+" AS SELECT customer_id, field, value, source, rule, ruleset_version FROM "+r.Object(plan.CustomerFields)); err != nil {
		return fmt.Errorf("impact: read gold: %w", err)
	}
	return nil
}

func copyIfExists(from, to string) error {
	in, err := os.Open(from)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
