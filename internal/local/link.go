package local

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/internal/auditlog"
)

// Sentinel errors of Link, for callers that test the condition.
var (
	ErrNoReason        = errors.New("a reason is required")
	ErrUnknownSource   = errors.New("unknown source")
	ErrUnknownRecord   = errors.New("unknown record")
	ErrUnknownCustomer = errors.New("unknown customer")
	ErrAlreadyThere    = errors.New("already in that customer")
)

// Linked is what a manual link decided.
type Linked struct {
	Source, Record string
	// From is the record's customer when the link was made; To the one it
	// goes to (its own id for an unlink).
	From, To string
}

// Link records a steward's decision about one source record: customer ""
// takes it out of the customer it was matched into and makes it a customer
// of its own (unlink); otherwise it goes to that existing customer. The
// decision is a row of SILVER.MANUAL_LINKS, written by the plan's
// LinkSteps (the statements AUDIT.LINK_RECORD runs in the warehouse), and
// a relink entry of the audit log (no PII: the record's source and key,
// the customers, the author and the reason). The next batch applies it:
// the record moves with matched_by 'manual', both customers are
// re-resolved (the old versions closed in system time), and the crosswalk
// change names the author and the reason. No match rule undoes it.
func (run *Runner) Link(ctx context.Context, source, record, customer, reason, author string) (Linked, error) {
	out := Linked{Source: source, Record: record}
	verb := "link"
	if customer == "" {
		verb = "unlink"
	}
	fail := func(err error) (Linked, error) { return out, fmt.Errorf("%s: %w", verb, err) }
	if strings.TrimSpace(reason) == "" {
		return fail(fmt.Errorf("%w (--reason: a ticket, what was wrong)", ErrNoReason))
	}
	var names []string
	known := false
	for _, s := range run.plan.Spec.Sources {
		names = append(names, s.Name)
		known = known || s.Name == source
	}
	if !known {
		return fail(fmt.Errorf("%w %q (the spec's sources: %s)", ErrUnknownSource, source, strings.Join(names, ", ")))
	}
	o := run.r.Object
	err := run.db.QueryRowContext(ctx, "SELECT customer_id FROM "+o(plan.Crosswalk)+" WHERE source = ? AND record_key = ?", source, record).Scan(&out.From)
	if errors.Is(err, sql.ErrNoRows) {
		return fail(fmt.Errorf("%w: source %s has no record %q in the crosswalk (trueup explain lists a customer's records)", ErrUnknownRecord, source, record))
	}
	if err != nil {
		return fail(err)
	}
	if customer != "" {
		var n int
		if err := run.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+o(plan.Crosswalk)+" WHERE customer_id = ?", customer).Scan(&n); err != nil {
			return fail(err)
		}
		if n == 0 {
			return fail(fmt.Errorf("%w %q: no source record belongs to it", ErrUnknownCustomer, customer))
		}
		out.To = customer
	} else if err := run.db.QueryRowContext(ctx, "SELECT "+plan.OwnID("CAST(? AS VARCHAR)", "CAST(? AS VARCHAR)"), source, record).Scan(&out.To); err != nil {
		return fail(err)
	}
	// Where the record is going: its manual link in force (which the
	// next run may not have applied yet), else the crosswalk's customer.
	at, pending := out.From, ""
	var linked sql.NullString
	err = run.db.QueryRowContext(ctx, "SELECT COALESCE(customer_id, "+plan.OwnID("source", "record_key")+") FROM "+o(plan.ManualLinks)+" WHERE source = ? AND record_key = ? AND ended_at IS NULL", source, record).Scan(&linked)
	switch {
	case err == nil && linked.String != out.From:
		at, pending = linked.String, " (by a manual link the next run applies)"
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return fail(err)
	}
	if out.To == at {
		if customer == "" {
			return fail(fmt.Errorf("%w: record %s %s is a customer of its own already (%s)%s", ErrAlreadyThere, source, record, at, pending))
		}
		return fail(fmt.Errorf("%w: record %s %s is in customer %s already%s", ErrAlreadyThere, source, record, at, pending))
	}
	if strings.TrimSpace(author) == "" {
		return fail(errors.New("an author is required (--author)"))
	}
	tx, err := run.db.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()
	var cust any
	if customer != "" {
		cust = customer
	}
	args := map[string]any{plan.LinkArgSource: source, plan.LinkArgRecord: record, plan.LinkArgCustomer: cust,
		plan.LinkArgReason: reason, plan.LinkArgAuthor: author}
	if err := run.setArgs(ctx, tx, run.plan.Object(plan.LinkProc).Procedure.Args, args); err != nil {
		return fail(err)
	}
	for i, step := range run.plan.LinkSteps() {
		if _, err := tx.ExecContext(ctx, step(run.r)); err != nil {
			return fail(fmt.Errorf("step %d: %w", i+1, err))
		}
	}
	// The statements check what was checked above, as the warehouse's
	// procedure does; they must agree.
	var outcome string
	if err := tx.QueryRowContext(ctx, "SELECT "+plan.LinkOutcome(run.r)).Scan(&outcome); err != nil {
		return fail(err)
	}
	if outcome != plan.LinkOK {
		return fail(fmt.Errorf("the link statements say %q", outcome))
	}
	if _, err := run.auditLog().Append(ctx, tx, actor(), auditlog.Relink, source+":"+record, map[string]any{
		"source": source, "record_key": record, "from": out.From, "to": out.To, "reason": reason, "author": author, "unlink": customer == "",
	}); err != nil {
		return fail(err)
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	return out, nil
}
