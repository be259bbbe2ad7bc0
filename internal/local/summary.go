package local

import (
	"context"
	"fmt"

	"github.com/ledgerloop/trueup/generator/plan"
)

// Summary describes the state of gold and what was flagged on the way.
type Summary struct {
	Lines         int64
	Observations  int64
	Customers     int64
	Unmatched     int64
	Fields        []FieldSummary
	Quarantined   []Count
	RulesetVer    string
	LastBatch     string
	LastFinished  string
	RulesPerField map[string][]Count
}

// FieldSummary is one field's resolution figures.
type FieldSummary struct {
	Field     string
	Customers int64
	Conflicts int64
}

// Count is a labelled count.
type Count struct {
	Label string
	N     int64
}

// Summarize reads the figures of the local database.
func (run *Runner) Summarize(ctx context.Context) (Summary, error) {
	var s Summary
	s.RulesPerField = map[string][]Count{}
	o := run.r.Object
	for _, src := range run.plan.Spec.Sources {
		var n int64
		if err := run.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+o(plan.LinesTable(src.Name))).Scan(&n); err != nil {
			return s, fmt.Errorf("summary: %w", err)
		}
		s.Lines += n
	}
	scalars := []struct {
		q   string
		dst *int64
	}{
		{"SELECT COUNT(*) FROM " + o(plan.Observations), &s.Observations},
		{"SELECT COUNT(*) FROM " + o(plan.CustomerMaster), &s.Customers},
		{"SELECT COUNT(DISTINCT customer_id) FROM " + o(plan.Crosswalk) + " WHERE matched_by = 'unmatched'", &s.Unmatched},
	}
	for _, q := range scalars {
		if err := run.db.QueryRowContext(ctx, q.q).Scan(q.dst); err != nil {
			return s, fmt.Errorf("summary: %w", err)
		}
	}
	rows, err := run.db.QueryContext(ctx, "SELECT field, customers, conflicts FROM "+o(plan.FieldConflicts))
	if err != nil {
		return s, fmt.Errorf("summary: %w", err)
	}
	byField := map[string]FieldSummary{}
	for rows.Next() {
		var f FieldSummary
		if err := rows.Scan(&f.Field, &f.Customers, &f.Conflicts); err != nil {
			rows.Close()
			return s, fmt.Errorf("summary: %w", err)
		}
		byField[f.Field] = f
	}
	rows.Close()
	for _, f := range run.plan.Spec.Fields {
		fs := byField[f.Name]
		fs.Field = f.Name
		s.Fields = append(s.Fields, fs)
	}
	rows, err = run.db.QueryContext(ctx, "SELECT field, rule, customers FROM "+o(plan.RuleDecisions)+" ORDER BY field, customers DESC, rule")
	if err != nil {
		return s, fmt.Errorf("summary: %w", err)
	}
	for rows.Next() {
		var field string
		var c Count
		if err := rows.Scan(&field, &c.Label, &c.N); err != nil {
			rows.Close()
			return s, fmt.Errorf("summary: %w", err)
		}
		s.RulesPerField[field] = append(s.RulesPerField[field], c)
	}
	rows.Close()
	rows, err = run.db.QueryContext(ctx, "SELECT source || ': ' || reason, COUNT(*) FROM "+o(plan.Quarantine)+" GROUP BY 1 ORDER BY 1")
	if err != nil {
		return s, fmt.Errorf("summary: %w", err)
	}
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Label, &c.N); err != nil {
			rows.Close()
			return s, fmt.Errorf("summary: %w", err)
		}
		s.Quarantined = append(s.Quarantined, c)
	}
	rows.Close()
	s.RulesetVer = run.plan.RulesetVersion
	_ = run.db.QueryRowContext(ctx, "SELECT batch_id, COALESCE(CAST(finished_at AS VARCHAR), '') FROM "+o(plan.Batches)+" ORDER BY batch_id DESC LIMIT 1").Scan(&s.LastBatch, &s.LastFinished)
	return s, nil
}
