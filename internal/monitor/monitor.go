// Package monitor reports on a running pipeline, through database/sql:
// task runs and failures, loads, dynamic-table refreshes, freshness from
// source commit to gold against the spec's target, the latest data-quality
// results, and conflict rates per field. The report is data; the CLI
// prints it as text or JSON.
//
// Freshness, as defined here: for every source event (a distinct source and
// event id in silver.observations) observed in the window, the time from
// its source commit (event_time) to when it was visible in gold: the first
// run of the reconcile task that succeeded and started at or after the
// observation (observe and reconcile run in one graph run; when reconcile
// fails or is skipped, the observations wait in their stream for the next
// run whose reconcile succeeds), and then the first refresh of the gold
// dynamic tables that read data at or after that reconcile's end. A run
// whose reconcile failed publishes nothing, even though its finalizer ran;
// events not yet visible are counted apart (Unfinished). Where the
// reconcile runs and the refreshes are logged is the Source's part
// (PublishedSQL).
package monitor

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/plan"
)

// Report is what monitor found.
type Report struct {
	// SchemaVersion is the version of this JSON document's shape.
	SchemaVersion int       `json:"schema_version"`
	Target        string    `json:"target"`
	Since         time.Time `json:"since"`
	Until         time.Time `json:"until"`
	Tasks         []Task    `json:"tasks"`
	// Failures are the latest failed task runs, newest first (at most 20).
	Failures  []Failure `json:"failures"`
	Loads     []Load    `json:"loads"`
	Refreshes []Refresh `json:"refreshes"`
	Freshness Freshness `json:"freshness"`
	// DQ is nil when the warehouse has no data-quality results table.
	DQ        *DQ        `json:"dq"`
	Conflicts []Conflict `json:"conflicts"`
	// Backfill is the rule-set backfill under way, nil when there is none.
	Backfill *Backfill `json:"backfill"`
	// Notes say what could not be read, and why.
	Notes []string `json:"notes,omitempty"`
}

// Backfill is the progress of re-resolving every customer under a new
// rule-set version, a slice per run.
type Backfill struct {
	RulesetVersion string    `json:"ruleset_version"`
	Left           int64     `json:"left"`
	Since          time.Time `json:"since"`
}

// Task counts one task's runs in the window by state.
type Task struct {
	Task      string     `json:"task"`
	Succeeded int64      `json:"succeeded"`
	Failed    int64      `json:"failed"`
	Skipped   int64      `json:"skipped"`
	Other     int64      `json:"other"`
	LastRun   *time.Time `json:"last_run"`
}

// Failure is one failed task run.
type Failure struct {
	Run   string     `json:"run"`
	Task  string     `json:"task"`
	At    *time.Time `json:"at"`
	Error string     `json:"error"`
}

// Load counts the files loaded into one RAW table.
type Load struct {
	Table  string `json:"table"`
	Files  int64  `json:"files"`
	Rows   int64  `json:"rows"`
	Errors int64  `json:"errors"`
}

// Refresh counts one dynamic table's refreshes.
type Refresh struct {
	Table  string     `json:"table"`
	Count  int64      `json:"count"`
	Failed int64      `json:"failed"`
	Last   *time.Time `json:"last"`
}

// Freshness is the lag from source commit to gold, in seconds.
type Freshness struct {
	Events     int64   `json:"events"`
	Unfinished int64   `json:"unfinished"`
	P50        float64 `json:"p50_seconds"`
	P95        float64 `json:"p95_seconds"`
	Max        float64 `json:"max_seconds"`
	Target     float64 `json:"target_seconds"`
	// OverTarget counts events whose lag exceeded the target.
	OverTarget int64 `json:"over_target"`
	OK         bool  `json:"ok"`
}

// DQ is the latest batch's data-quality results.
type DQ struct {
	Batch    string        `json:"batch"`
	Passed   int64         `json:"passed"`
	Failed   int64         `json:"failed"`
	Other    int64         `json:"other"`
	Failures []CheckResult `json:"failures"`
}

// CheckResult is one check that did not pass.
type CheckResult struct {
	Check    string `json:"check"`
	Subject  string `json:"subject,omitempty"`
	Severity string `json:"severity"`
	Status   string `json:"status"`
}

// Conflict is one field's conflict rate in gold.
type Conflict struct {
	Field     string  `json:"field"`
	Customers int64   `json:"customers"`
	Conflicts int64   `json:"conflicts"`
	Rate      float64 `json:"rate"`
}

// Source is what differs between warehouses: where task runs, loads and
// refreshes are logged.
type Source interface {
	Tasks(ctx context.Context, db *sql.DB, since, until time.Time) ([]Task, []Failure, error)
	Loads(ctx context.Context, db *sql.DB, since, until time.Time) ([]Load, error)
	Refreshes(ctx context.Context, db *sql.DB, since, until time.Time) ([]Refresh, error)
	// DateDiffMillis is the SQL of b - a in milliseconds.
	DateDiffMillis(a, b string) string
	// Exists reports whether a table or view exists.
	Exists(ctx context.Context, db *sql.DB, ref ir.Ref) (bool, error)
	// PublishedSQL is a query of the reconcile runs that succeeded in the
	// window: started_at, and visible_at, when their result was in gold
	// (the end of the first refresh of every dynamic table that read data
	// at or after the run's end; NULL while one has not refreshed yet),
	// both UTC timestamps as silver.observations.observed_at.
	PublishedSQL(since, until time.Time) string
}

// Options are what Run needs.
type Options struct {
	Target string
	DB     *sql.DB
	Source Source
	// R is the target's dialect, configured for the project.
	R    dialect.Renderer
	Plan *plan.Plan
	// Now and Window bound the report: (Now-Window, Now].
	Now    time.Time
	Window time.Duration
}

// Run reads the report. A part that cannot be read becomes a note; the
// rest is still reported.
func Run(ctx context.Context, o Options) (*Report, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Window <= 0 {
		o.Window = 24 * time.Hour
	}
	rep := &Report{SchemaVersion: 1, Target: o.Target, Until: o.Now.UTC(), Since: o.Now.UTC().Add(-o.Window),
		Tasks: []Task{}, Failures: []Failure{}, Loads: []Load{}, Refreshes: []Refresh{}, Conflicts: []Conflict{}}
	// A target that cannot be reached is an error, never a report of
	// nothing wrong.
	if err := o.DB.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("cannot reach target %s: %w", o.Target, err)
	}
	var err error
	if rep.Tasks, rep.Failures, err = o.Source.Tasks(ctx, o.DB, rep.Since, rep.Until); err != nil {
		rep.Notes = append(rep.Notes, "task runs: "+err.Error())
	}
	if rep.Loads, err = o.Source.Loads(ctx, o.DB, rep.Since, rep.Until); err != nil {
		rep.Notes = append(rep.Notes, "loads: "+err.Error())
	}
	if rep.Refreshes, err = o.Source.Refreshes(ctx, o.DB, rep.Since, rep.Until); err != nil {
		rep.Notes = append(rep.Notes, "dynamic-table refreshes: "+err.Error())
	}
	if rep.Freshness, err = freshness(ctx, o, rep.Since, rep.Until); err != nil {
		rep.Notes = append(rep.Notes, "freshness: "+err.Error())
	}
	if rep.DQ, err = dq(ctx, o); err != nil {
		rep.Notes = append(rep.Notes, "data quality: "+err.Error())
	}
	if rep.Conflicts, err = conflicts(ctx, o); err != nil {
		rep.Notes = append(rep.Notes, "conflicts: "+err.Error())
	}
	if rep.Backfill, err = backfill(ctx, o); err != nil {
		rep.Notes = append(rep.Notes, "backfill: "+err.Error())
	}
	if len(rep.Notes) == 7 {
		return nil, fmt.Errorf("monitor: target %s: nothing could be read:\n  %s", o.Target, strings.Join(rep.Notes, "\n  "))
	}
	return rep, nil
}

// ts is a UTC timestamp literal of the dialect.
func ts(r dialect.Renderer, t time.Time) string {
	return fmt.Sprintf("CAST(%s AS %s)", r.Str(t.UTC().Format("2006-01-02 15:04:05.000000")), r.Type(ir.Timestamp))
}

// FreshnessSQL is the query behind Freshness (see the package comment):
// events, unfinished, p50, p95 and max lag in milliseconds, and events over
// the target. Events and published runs are put on one timeline; an
// event's visible_at is the least visible_at of the runs at or after it
// (visible_at grows with started_at, so that is the first run's).
func FreshnessSQL(r dialect.Renderer, src Source, since, until time.Time, target time.Duration) string {
	lag := src.DateDiffMillis("event_time", "visible_at")
	return fmt.Sprintf(`WITH events AS (
  SELECT source, event_id, MIN(event_time) AS event_time, MIN(observed_at) AS observed_at
  FROM %s
  WHERE observed_at > %s AND observed_at <= %s
  GROUP BY source, event_id
), published AS (
%s
), timeline AS (
  SELECT observed_at AS t, 0 AS kind, event_time, CAST(NULL AS %s) AS visible_at FROM events
  UNION ALL
  SELECT started_at AS t, 1 AS kind, CAST(NULL AS %s) AS event_time, visible_at FROM published
), firsts AS (
  SELECT kind, event_time, MIN(visible_at) OVER (ORDER BY t, kind ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS visible_at
  FROM timeline
), lags AS (
  SELECT CASE WHEN visible_at IS NULL THEN NULL ELSE %s END AS lag_ms
  FROM firsts
  WHERE kind = 0
)
SELECT
  COUNT(lag_ms),
  COUNT(*) - COUNT(lag_ms),
  PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY lag_ms),
  PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY lag_ms),
  MAX(lag_ms),
  SUM(CASE WHEN lag_ms > %d THEN 1 ELSE 0 END)
FROM lags`, r.Object(plan.Observations), ts(r, since), ts(r, until), src.PublishedSQL(since, until),
		r.Type(ir.Timestamp), r.Type(ir.Timestamp), lag, target.Milliseconds())
}

func freshness(ctx context.Context, o Options, since, until time.Time) (Freshness, error) {
	target := o.Plan.Spec.Project.FreshnessTarget
	f := Freshness{Target: target.Seconds(), OK: true}
	for _, ref := range []ir.Ref{plan.Observations} {
		ok, err := o.Source.Exists(ctx, o.DB, ref)
		if err != nil {
			return f, err
		}
		if !ok {
			return f, fmt.Errorf("%s does not exist (deploy first)", ref)
		}
	}
	var p50, p95, mx sql.NullFloat64
	var over sql.NullInt64
	err := o.DB.QueryRowContext(ctx, FreshnessSQL(o.R, o.Source, since, until, target)).Scan(&f.Events, &f.Unfinished, &p50, &p95, &mx, &over)
	if err != nil {
		return f, err
	}
	f.P50, f.P95, f.Max, f.OverTarget = p50.Float64/1000, p95.Float64/1000, mx.Float64/1000, over.Int64
	// No event in the window: nothing to judge, not "ok".
	f.OK = f.Events > 0 && f.OverTarget == 0
	return f, nil
}

func dq(ctx context.Context, o Options) (*DQ, error) {
	results := ir.Ref{Schema: plan.DQ, Name: "results"}
	ok, err := o.Source.Exists(ctx, o.DB, results)
	if err != nil || !ok {
		return nil, err
	}
	t := o.R.Object(results)
	q := fmt.Sprintf(`SELECT r.batch_id, r.check_name, r.subject, r.severity, r.status
FROM %s r
WHERE r.batch_id = (SELECT batch_id FROM %s ORDER BY checked_at DESC LIMIT 1)
ORDER BY r.check_name, r.subject`, t, t)
	rows, err := o.DB.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := &DQ{Failures: []CheckResult{}}
	for rows.Next() {
		var batch, check, subject, sev, status sql.NullString
		if err := rows.Scan(&batch, &check, &subject, &sev, &status); err != nil {
			return nil, err
		}
		out.Batch = batch.String
		switch status.String {
		case "pass":
			out.Passed++
		case "fail":
			out.Failed++
			out.Failures = append(out.Failures, CheckResult{Check: check.String, Subject: subject.String, Severity: sev.String, Status: status.String})
		default:
			out.Other++
		}
	}
	return out, rows.Err()
}

func conflicts(ctx context.Context, o Options) ([]Conflict, error) {
	out := []Conflict{}
	view := ir.Ref{Schema: plan.GOLD, Name: "field_conflicts"}
	ok, err := o.Source.Exists(ctx, o.DB, view)
	if err != nil || !ok {
		return out, err
	}
	rows, err := o.DB.QueryContext(ctx, "SELECT field, customers, conflicts FROM "+o.R.Object(view)+" ORDER BY field")
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var c Conflict
		var customers, conflicts sql.NullInt64
		if err := rows.Scan(&c.Field, &customers, &conflicts); err != nil {
			return out, err
		}
		c.Customers, c.Conflicts = customers.Int64, conflicts.Int64
		if c.Customers > 0 {
			c.Rate = float64(c.Conflicts) / float64(c.Customers)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func backfill(ctx context.Context, o Options) (*Backfill, error) {
	ok, err := o.Source.Exists(ctx, o.DB, plan.Backfill)
	if err != nil || !ok {
		return nil, err
	}
	var b Backfill
	var v sql.NullString
	var since sql.NullTime
	err = o.DB.QueryRowContext(ctx, "SELECT MAX(ruleset_version), COUNT(*), MIN(queued_at) FROM "+o.R.Object(plan.Backfill)).Scan(&v, &b.Left, &since)
	if err != nil || b.Left == 0 {
		return nil, err
	}
	b.RulesetVersion, b.Since = v.String, since.Time.UTC()
	return &b, nil
}
