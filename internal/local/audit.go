package local

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/dialect/duckdb"

	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/internal/auditlog"
)

// auditLog is the database's hash-chained AUDIT.LOG.
func (run *Runner) auditLog() auditlog.Log {
	return auditlog.Log{Table: run.r.Object(plan.AuditLog)}
}

// actor is who the local database's entries name: the operating-system
// user, host and process, and the database user.
func actor() string { return "local (" + auditlog.Process() + ")" }

// auditRuleset appends the plan's rule-set version to the audit log when
// the log has no entry for it: the first run under a rule set puts it in
// force locally, as a deploy does in a warehouse.
func (run *Runner) auditRuleset(ctx context.Context, c auditlog.Conn) error {
	v := run.plan.RulesetVersion
	has, err := run.auditLog().Has(ctx, c, auditlog.Ruleset, v)
	if err != nil || has {
		return err
	}
	_, err = run.auditLog().Append(ctx, c, actor(), auditlog.Ruleset, v, map[string]any{
		"label": run.plan.Spec.Project.RulesetLabel, "deployed_to": "local",
	})
	return err
}

// AuditEntries reads the audit log, in order.
func (run *Runner) AuditEntries(ctx context.Context) ([]auditlog.Entry, error) {
	return run.auditLog().Entries(ctx, run.db)
}

// VerifyAudit reads the audit log and recomputes its chain: it returns the
// entries and a *auditlog.BrokenError naming the first that does not hold.
func (run *Runner) VerifyAudit(ctx context.Context) ([]auditlog.Entry, error) {
	es, err := run.AuditEntries(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit verify: %w", err)
	}
	return es, auditlog.Verify(es)
}

// AuditRead appends a pii_read entry to the audit log of the database file
// at path: a read of PII in full is recorded before it is shown, and is
// refused when it cannot be recorded. It opens the file for writing for
// the one entry (nothing else is created or changed).
func AuditRead(ctx context.Context, path string, p *plan.Plan, subject string, detail map[string]any) error {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("open %s: %w", path, ErrNoDatabase)
		}
		return fmt.Errorf("open %s: %w", path, err)
	}
	db, err := OpenDB(path)
	if err != nil {
		return fmt.Errorf("audit the read of PII: %w (a read of PII in full is recorded first: the database must be writable)", err)
	}
	defer db.Close()
	if _, err := (auditlog.Log{Table: rendererFor(p).Object(plan.AuditLog)}).Append(ctx, db, actor(), auditlog.PIIRead, subject, detail); err != nil {
		return fmt.Errorf("audit the read of PII: %w", err)
	}
	return nil
}

// rendererFor is the DuckDB dialect configured for the plan's project.
func rendererFor(p *plan.Plan) *duckdb.Renderer {
	r := &duckdb.Renderer{}
	r.Configure(dialect.Settings{Database: p.Spec.Project.Database, Warehouse: p.Spec.Project.Warehouse})
	return r
}
