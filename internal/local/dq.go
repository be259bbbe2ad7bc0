package local

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/internal/auditlog"
)

// CheckResult is one data-quality result.
type CheckResult struct {
	Batch      string      `json:"batch"`
	Check      string      `json:"check"`
	Subject    string      `json:"subject"`
	Severity   string      `json:"severity"`
	Status     string      `json:"status"`
	Observed   *float64    `json:"observed"`
	Threshold  *float64    `json:"threshold"`
	Baseline   *float64    `json:"baseline"`
	History    *int64      `json:"history"`
	Violations []Violation `json:"violations"`
}

// Violation is one offending row of a failed check.
type Violation struct {
	Pointer string `json:"pointer"`
	Detail  string `json:"detail"`
	Total   int64  `json:"total"`
}

// DQReport is the latest batch's results and what is held back.
type DQReport struct {
	Batch   string        `json:"batch"`
	Results []CheckResult `json:"results"`
	// Held counts customers held back from gold, per batch that held them.
	Held map[string]int64 `json:"held"`
}

// Failed reports whether an error-level check failed (and was not
// acknowledged) in the latest batch.
func (r DQReport) Failed() bool {
	for _, c := range r.Results {
		if c.Severity == "error" && c.Status == "fail" {
			return true
		}
	}
	return false
}

// DQ reads the latest data-quality results.
func (run *Runner) DQ(ctx context.Context) (DQReport, error) {
	o := run.r.Object
	rep := DQReport{Held: map[string]int64{}}
	if err := run.db.QueryRowContext(ctx, "SELECT COALESCE(MAX(batch_id), '') FROM "+o(plan.DQResults)).Scan(&rep.Batch); err != nil {
		return rep, fmt.Errorf("dq: %w", err)
	}
	rows, err := run.db.QueryContext(ctx, `SELECT batch_id, check_name, COALESCE(subject, ''), severity, status, observed, threshold, baseline, history
FROM `+o(plan.DQResults)+` WHERE batch_id = ? ORDER BY check_name, subject`, rep.Batch)
	if err != nil {
		return rep, fmt.Errorf("dq: %w", err)
	}
	for rows.Next() {
		var c CheckResult
		var obs, thr, base sql.NullFloat64
		var hist sql.NullInt64
		if err := rows.Scan(&c.Batch, &c.Check, &c.Subject, &c.Severity, &c.Status, &obs, &thr, &base, &hist); err != nil {
			rows.Close()
			return rep, fmt.Errorf("dq: %w", err)
		}
		if obs.Valid {
			c.Observed = &obs.Float64
		}
		if thr.Valid {
			c.Threshold = &thr.Float64
		}
		if base.Valid {
			c.Baseline = &base.Float64
		}
		if hist.Valid {
			c.History = &hist.Int64
		}
		rep.Results = append(rep.Results, c)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return rep, fmt.Errorf("dq: %w", err)
	}
	rows.Close()
	for i := range rep.Results {
		c := &rep.Results[i]
		if c.Status == "pass" || c.Status == "skipped" {
			continue
		}
		vr, err := run.db.QueryContext(ctx, "SELECT pointer, COALESCE(detail, ''), total FROM "+o(plan.DQViolations)+" WHERE batch_id = ? AND check_name = ? ORDER BY pointer", rep.Batch, c.Check)
		if err != nil {
			return rep, fmt.Errorf("dq: %w", err)
		}
		for vr.Next() {
			var v Violation
			vr.Scan(&v.Pointer, &v.Detail, &v.Total)
			c.Violations = append(c.Violations, v)
		}
		vr.Close()
	}
	hr, err := run.db.QueryContext(ctx, "SELECT batch_id, COUNT(*) FROM "+o(plan.DQHeld)+" GROUP BY batch_id")
	if err != nil {
		return rep, fmt.Errorf("dq: %w", err)
	}
	defer hr.Close()
	for hr.Next() {
		var b string
		var n int64
		hr.Scan(&b, &n)
		rep.Held[b] = n
	}
	return rep, nil
}

// Ack acknowledges a failed check of a batch, records it in AUDIT, and runs
// the reconciliation again so that the held customers are published.
func (run *Runner) Ack(ctx context.Context, check, batch, reason string) (Batch, error) {
	if reason == "" {
		return Batch{}, fmt.Errorf("dq ack: a reason is required")
	}
	var n int
	if err := run.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+run.r.Object(plan.DQResults)+" WHERE check_name = ? AND batch_id = ? AND status = 'fail'", check, batch).Scan(&n); err != nil {
		return Batch{}, fmt.Errorf("dq ack: %w", err)
	}
	if n == 0 {
		return Batch{}, fmt.Errorf("dq ack: check %q did not fail in batch %q", check, batch)
	}
	// The acknowledgement and its audit entry are written together.
	tx, err := run.db.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return Batch{}, fmt.Errorf("dq ack: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "INSERT INTO "+run.r.Object(plan.DQAcks)+" (check_name, batch_id, reason, acked_by, acked_at) VALUES (?, ?, ?, current_user, now())", check, batch, reason); err != nil {
		return Batch{}, fmt.Errorf("dq ack: %w", err)
	}
	if _, err := run.auditLog().Append(ctx, tx, actor(), auditlog.DQAck, check+" "+batch, map[string]any{
		"check": check, "batch": batch, "reason": reason,
	}); err != nil {
		return Batch{}, fmt.Errorf("dq ack: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Batch{}, fmt.Errorf("dq ack: %w", err)
	}
	return run.RunGraph(ctx, true)
}
