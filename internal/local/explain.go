package local

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ledgerloop/trueup/generator/plan"
)

// ErrNoCustomer is returned when explain finds no such customer.
var ErrNoCustomer = errors.New("no such customer")

// Resolved is one field of a customer as gold states it.
type Resolved struct {
	Field, Value, Source, RecordKey, Rule string
	EventTime                             string
}

// Candidate is one source record's value for a field, as ranked.
type Candidate struct {
	Field, Source, RecordKey, RawValue, Value, Scores string
	Valid, Dropped, Winner                            bool
	// RawNull and ValueNull say the value as sent, or canonical, is NULL.
	RawNull, ValueNull bool
	Rank               int
	EventTime          string
}

// Version is one row of the bitemporal history.
type Version struct {
	ValidFrom, ValidTo, RecordedAt, SupersededAt string
	Deleted                                      bool
	RulesetVersion                               string
	Fields                                       []Resolved
}

// Explanation is everything gold says about one customer.
type Explanation struct {
	CustomerID string
	// AsOf and KnownAt are zero for the current state.
	AsOf, KnownAt time.Time
	// Version is the version valid at AsOf as known at KnownAt (the latest
	// when both are zero); nil when gold held nothing then.
	Version *Version
	// Candidates are today's candidates (only for the current state).
	Candidates []Candidate
	// History lists every version ever recorded, current and superseded.
	History []Version
	Links   []string
	// Overrides are the customer's overrides, newest first.
	Overrides []OverrideRow
	// Record is the source record id explain was asked for, when it was
	// not a customer id ("" otherwise).
	Record string
}

// Explain reads what gold says about a customer. With a zero asOf it
// explains the current record with every candidate; otherwise the version
// valid at asOf, as gold knew it at knownAt (zero: now).
func (run *Runner) Explain(ctx context.Context, customer, field string, asOf, knownAt time.Time) (Explanation, error) {
	e := Explanation{CustomerID: customer, AsOf: asOf, KnownAt: knownAt}
	o := run.r.Object
	if field != "" && run.plan.Spec.FieldByName(field) == nil {
		return e, fmt.Errorf("explain: --field %q: no such field (fields: %s)", field, strings.Join(run.plan.Spec.FieldNames(), ", "))
	}
	var n int
	if err := run.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+o(plan.History)+" WHERE customer_id = ?", customer).Scan(&n); err != nil {
		return e, fmt.Errorf("explain: %w", err)
	}
	if n == 0 {
		// A source record's id (a Salesforce account, a Stripe customer)
		// names the customer it belongs to.
		var ids []string
		rows, err := run.db.QueryContext(ctx, "SELECT DISTINCT customer_id FROM "+o(plan.Crosswalk)+" WHERE record_key = ? ORDER BY 1", customer)
		if err != nil {
			return e, fmt.Errorf("explain: %w", err)
		}
		for rows.Next() {
			var id string
			rows.Scan(&id)
			ids = append(ids, id)
		}
		rows.Close()
		switch len(ids) {
		case 0:
			return e, fmt.Errorf("explain %q: %w (neither a customer id nor a source record's id)", customer, ErrNoCustomer)
		case 1:
			e.Record, customer, e.CustomerID = customer, ids[0], ids[0]
		default:
			return e, fmt.Errorf("explain %q: records of that id in several sources belong to customers %s: name one", customer, strings.Join(ids, ", "))
		}
	}
	// A manual link names its steward and reason.
	rows, err := run.db.QueryContext(ctx, `SELECT c.source || ' ' || c.record_key || ' (' || c.matched_by ||
  COALESCE(CASE WHEN c.matched_by = 'manual' THEN ' by ' || m.author || ' at ' || strftime(m.set_at, '%Y-%m-%dT%H:%M:%SZ') || ': ' || m.reason END, '') || ')'
FROM `+o(plan.Crosswalk)+` AS c
LEFT JOIN `+o(plan.ManualLinks)+` AS m ON m.source = c.source AND m.record_key = c.record_key AND m.ended_at IS NULL
WHERE c.customer_id = ? ORDER BY 1`, customer)
	if err != nil {
		return e, fmt.Errorf("explain: %w", err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		e.Links = append(e.Links, s)
	}
	rows.Close()
	all, err := run.versions(ctx, customer, field, "")
	if err != nil {
		return e, err
	}
	e.History = all
	known := "h.superseded_at IS NULL"
	if !knownAt.IsZero() {
		known = fmt.Sprintf("h.recorded_at <= '%s' AND (h.superseded_at IS NULL OR h.superseded_at > '%s')", ts(knownAt), ts(knownAt))
	}
	valid := "h.valid_to IS NULL"
	if !asOf.IsZero() {
		valid = fmt.Sprintf("h.valid_from <= '%s' AND (h.valid_to IS NULL OR h.valid_to > '%s')", ts(asOf), ts(asOf))
	}
	v, err := run.versions(ctx, customer, field, known+" AND "+valid)
	if err != nil {
		return e, err
	}
	if len(v) > 0 {
		e.Version = &v[len(v)-1]
	}
	if asOf.IsZero() && knownAt.IsZero() {
		q := `SELECT field, source, record_key, COALESCE(raw_value, ''), COALESCE(value, ''), COALESCE(scores, ''), COALESCE(valid, FALSE), dropped, is_winner, rank,
  strftime(event_time, '%Y-%m-%dT%H:%M:%S.%gZ'), raw_value IS NULL, value IS NULL
FROM ` + o(plan.FieldCandidates) + ` WHERE customer_id = ? AND (? = '' OR field = ?) ORDER BY field, rank`
		rows, err := run.db.QueryContext(ctx, q, customer, field, field)
		if err != nil {
			return e, fmt.Errorf("explain: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c Candidate
			if err := rows.Scan(&c.Field, &c.Source, &c.RecordKey, &c.RawValue, &c.Value, &c.Scores, &c.Valid, &c.Dropped, &c.Winner, &c.Rank, &c.EventTime, &c.RawNull, &c.ValueNull); err != nil {
				return e, fmt.Errorf("explain: %w", err)
			}
			e.Candidates = append(e.Candidates, c)
		}
	}
	ovs, err := run.Overrides(ctx, customer)
	if err != nil {
		return e, err
	}
	for _, ov := range ovs {
		if field == "" || ov.Field == field {
			e.Overrides = append(e.Overrides, ov)
		}
	}
	run.openExplanation(&e)
	return e, nil
}

func ts(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000000") }

// versions reads history rows of a customer matching cond ("" for all).
func (run *Runner) versions(ctx context.Context, customer, field, cond string) ([]Version, error) {
	where := "h.customer_id = ?"
	if cond != "" {
		where += " AND " + cond
	}
	q := "SELECT * FROM " + run.r.Object(plan.History) + " AS h WHERE " + where + " ORDER BY h.valid_from, h.recorded_at"
	rows, err := run.db.QueryContext(ctx, q, customer)
	if err != nil {
		return nil, fmt.Errorf("explain: %w", err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []Version
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("explain: %w", err)
		}
		get := map[string]string{}
		for i, c := range cols {
			if vals[i].Valid {
				get[c] = vals[i].String
			}
		}
		v := Version{ValidFrom: get["valid_from"], ValidTo: get["valid_to"], RecordedAt: get["recorded_at"],
			SupersededAt: get["superseded_at"], Deleted: get["is_deleted"] == "true", RulesetVersion: get["ruleset_version"]}
		for _, f := range run.plan.Spec.Fields {
			if field != "" && f.Name != field {
				continue
			}
			v.Fields = append(v.Fields, Resolved{Field: f.Name, Value: get[f.Name], Source: get[f.Name+"__source"],
				RecordKey: get[f.Name+"__record_key"], EventTime: get[f.Name+"__event_time"], Rule: get[f.Name+"__rule"]})
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Erased is what a PII value reads as once its customer was forgotten.
const Erased = "(erased)"

// OpenValue is the value a stored PII token stands for (Erased once
// forgotten); other text is returned as it is.
func (run *Runner) OpenValue(s string) string {
	if run.vault == nil {
		return s
	}
	if p, ok := run.vault.OpenValue(s); ok {
		return p
	}
	return Erased
}

// openExplanation opens the PII values of an explanation (the caller masks
// them by role).
func (run *Runner) openExplanation(e *Explanation) {
	pii := map[string]bool{}
	for _, f := range run.plan.Spec.Fields {
		pii[f.Name] = f.PII
	}
	fields := func(fs []Resolved) {
		for i := range fs {
			if pii[fs[i].Field] {
				fs[i].Value = run.OpenValue(fs[i].Value)
			}
		}
	}
	if e.Version != nil {
		fields(e.Version.Fields)
	}
	for i := range e.History {
		fields(e.History[i].Fields)
	}
	for i := range e.Candidates {
		if c := &e.Candidates[i]; pii[c.Field] {
			c.RawValue, c.Value = run.OpenValue(c.RawValue), run.OpenValue(c.Value)
		}
	}
}
