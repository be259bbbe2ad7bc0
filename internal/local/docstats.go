package local

import (
	"context"
	"fmt"
	"sort"

	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/internal/docs"
)

// DocsStats reads the resolution figures the documentation site shows:
// per field of the spec, how many customers have a value, how many of
// them had conflicting candidates, and how many values each rule decided.
// Counts only: no value is read.
func (run *Runner) DocsStats(ctx context.Context) (docs.Stats, error) {
	var s docs.Stats
	o := run.r.Object
	if err := run.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+o(plan.CustomerMaster)).Scan(&s.Customers); err != nil {
		return s, fmt.Errorf("docs stats: %w", err)
	}
	byField := map[string]*docs.FieldStats{}
	for _, f := range run.plan.Spec.Fields {
		s.Fields = append(s.Fields, docs.FieldStats{Field: f.Name})
	}
	for i := range s.Fields {
		byField[s.Fields[i].Field] = &s.Fields[i]
	}
	rows, err := run.db.QueryContext(ctx, "SELECT field, customers, conflicts FROM "+o(plan.FieldConflicts))
	if err != nil {
		return s, fmt.Errorf("docs stats: %w", err)
	}
	for rows.Next() {
		var field string
		var customers, conflicts int64
		if err := rows.Scan(&field, &customers, &conflicts); err != nil {
			rows.Close()
			return s, fmt.Errorf("docs stats: %w", err)
		}
		if f := byField[field]; f != nil {
			f.Customers, f.Conflicts = customers, conflicts
		}
	}
	if err := rows.Close(); err != nil {
		return s, fmt.Errorf("docs stats: %w", err)
	}
	rows, err = run.db.QueryContext(ctx, "SELECT field, COALESCE(rule, ''), customers FROM "+o(plan.RuleDecisions))
	if err != nil {
		return s, fmt.Errorf("docs stats: %w", err)
	}
	for rows.Next() {
		var field, rule string
		var n int64
		if err := rows.Scan(&field, &rule, &n); err != nil {
			rows.Close()
			return s, fmt.Errorf("docs stats: %w", err)
		}
		if f := byField[field]; f != nil {
			f.Rules = append(f.Rules, docs.RuleCount{Rule: rule, Values: n})
		}
	}
	if err := rows.Close(); err != nil {
		return s, fmt.Errorf("docs stats: %w", err)
	}
	for i := range s.Fields {
		r := s.Fields[i].Rules
		sort.Slice(r, func(a, b int) bool {
			if r[a].Values != r[b].Values {
				return r[a].Values > r[b].Values
			}
			return r[a].Rule < r[b].Rule
		})
	}
	return s, nil
}
