package local

import (
	"context"
	"fmt"

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
