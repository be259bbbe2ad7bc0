package local

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/generator/spec"
)

// RuleTestResult is the outcome of one rule test: what gold holds for the
// test's customer and field, and whether it is what the test expects.
type RuleTestResult struct {
	Test     *spec.RuleTest
	Customer string
	// Found is false when gold has no row for the customer.
	Found  bool
	Source string
	Rule   string
	// Value is nil when gold holds null.
	Value *string
	Pass  bool
	// Candidates are the field's candidates as gold ranked them (today's:
	// none for a test of a time in the past).
	Candidates []Candidate
}

// RunRuleTests runs rule tests through the pipeline of p on a fresh
// in-memory database: each test becomes one customer whose source records
// assert the test's values, written as each source's producer writes its
// events; the events are landed in a temporary folder and loaded, observed
// and reconciled by one pass of the task graph (the same SQL as trueup run
// --local), and gold is read back. Events of all tests are landed at once:
// each test's customer is resolved apart from the others.
func RunRuleTests(ctx context.Context, p *plan.Plan, tests []*spec.RuleTest) ([]RuleTestResult, error) {
	landing, err := os.MkdirTemp("", "trueup-test-")
	if err != nil {
		return nil, fmt.Errorf("test: %w", err)
	}
	defer os.RemoveAll(landing)
	customers, err := landRuleTests(landing, p.Spec, tests)
	if err != nil {
		return nil, err
	}
	run, err := Open(ctx, "", p)
	if err != nil {
		return nil, fmt.Errorf("test: %w", err)
	}
	defer run.Close()
	if _, err := run.RunOnce(ctx, landing); err != nil {
		return nil, fmt.Errorf("test: run the pipeline: %w", err)
	}
	if err := run.quarantined(ctx); err != nil {
		return nil, err
	}
	out := make([]RuleTestResult, len(tests))
	for i, t := range tests {
		res, err := run.ruleTestResult(ctx, t, customers[i])
		if err != nil {
			return nil, err
		}
		out[i] = res
	}
	return out, nil
}

// quarantined fails when the pipeline set any test event aside: the events
// are trueup's own, so that is a fault of the test writer, not a result.
func (run *Runner) quarantined(ctx context.Context) error {
	rows, err := run.db.QueryContext(ctx, "SELECT source || ' ' || file_name || ':' || CAST(file_row AS VARCHAR) || ': ' || reason FROM "+run.r.Object(plan.Quarantine)+" ORDER BY 1")
	if err != nil {
		return fmt.Errorf("test: read quarantine: %w", err)
	}
	defer rows.Close()
	var bad []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("test: read quarantine: %w", err)
		}
		bad = append(bad, s)
	}
	if len(bad) > 0 {
		return fmt.Errorf("test: the pipeline quarantined %d test events: %s", len(bad), strings.Join(bad, "; "))
	}
	return rows.Err()
}

// landRuleTests writes the events of every test below landing, one file
// per source, and returns each test's customer id.
func landRuleTests(landing string, s *spec.Spec, tests []*spec.RuleTest) ([]string, error) {
	w := &eventWriter{lines: map[string][]string{}}
	customers := make([]string, len(tests))
	for i, t := range tests {
		customer := fmt.Sprintf("trueup_test_%04d", i+1)
		customers[i] = customer
		bySource := map[string]*testRecord{}
		for _, v := range append(append([]*spec.TestValue(nil), t.Candidates...), t.Given...) {
			r := bySource[v.Source]
			if r == nil {
				src := s.SourceByName(v.Source)
				key := fmt.Sprintf("%s_%s", src.Name, customer)
				if reflect.DeepEqual(src.Key, src.Customer) {
					// The record's key is the customer id (the app's account).
					key = customer
				}
				r = &testRecord{src: src, key: key, customer: customer}
				bySource[v.Source] = r
			}
			r.values = append(r.values, v)
		}
		for _, src := range s.Sources {
			if r := bySource[src.Name]; r != nil {
				if err := w.record(r); err != nil {
					return nil, fmt.Errorf("test %q: %w", t.Name, err)
				}
			}
		}
	}
	for _, src := range s.Sources {
		lines := w.lines[src.Name]
		if len(lines) == 0 {
			continue
		}
		dir := filepath.Join(landing, filepath.FromSlash(strings.Trim(src.Landing, "/")))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("test: %w", err)
		}
		if err := os.WriteFile(filepath.Join(dir, "trueup-test.json"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			return nil, fmt.Errorf("test: %w", err)
		}
	}
	return customers, nil
}

func (run *Runner) ruleTestResult(ctx context.Context, t *spec.RuleTest, customer string) (RuleTestResult, error) {
	res := RuleTestResult{Test: t, Customer: customer}
	q := fmt.Sprintf("SELECT CAST(%s AS VARCHAR), %s, %s FROM %s WHERE customer_id = ?",
		run.r.Ident(t.Field), run.r.Ident(t.Field+"__source"), run.r.Ident(t.Field+"__rule"), run.r.Object(plan.CustomerMaster))
	args := []any{customer}
	if asOf := t.Expect.AsOf; !asOf.IsZero() {
		// The version valid then, as gold knows it now.
		q = fmt.Sprintf("SELECT CAST(%s AS VARCHAR), %s, %s FROM %s WHERE customer_id = ? AND superseded_at IS NULL AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)",
			run.r.Ident(t.Field), run.r.Ident(t.Field+"__source"), run.r.Ident(t.Field+"__rule"), run.r.Object(plan.History))
		args = append(args, ts(asOf), ts(asOf))
	}
	var value, source, rule sql.NullString
	err := run.db.QueryRowContext(ctx, q, args...).Scan(&value, &source, &rule)
	switch {
	case err == sql.ErrNoRows:
	case err != nil:
		return res, fmt.Errorf("test %q: read gold: %w", t.Name, err)
	default:
		res.Found = true
		res.Source, res.Rule = source.String, rule.String
		if value.Valid {
			v := value.String
			if fld := run.plan.Spec.FieldByName(t.Field); fld != nil && fld.PII {
				v = run.OpenValue(v)
			}
			res.Value = &v
		}
	}
	if t.Expect.AsOf.IsZero() {
		e, err := run.Explain(ctx, customer, t.Field, time.Time{}, time.Time{})
		if err != nil && res.Found {
			return res, fmt.Errorf("test %q: %w", t.Name, err)
		}
		res.Candidates = e.Candidates
	}
	x := t.Expect
	res.Pass = res.Found &&
		(x.Source == nil || *x.Source == res.Source) &&
		(x.Rule == nil || *x.Rule == res.Rule) &&
		(!x.ValueSet || equalValue(x.Value, res.Value))
	return res, nil
}

func equalValue(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}
