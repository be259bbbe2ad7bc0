package app

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/internal/auditlog"
)

// AuditOptions are the options of trueup audit verify: a target of
// trueup.yaml, or a local database file.
type AuditOptions struct {
	TargetOptions
	DB string
	// Head is a head hash printed by an earlier verify: the chain must
	// still pass through it.
	Head string
}

// AuditVerify reads the audit log of a target (or of a local database)
// and recomputes its hash chain. It prints the number of entries and the
// head hash (to keep outside the database: it shows later that no entry
// was cut off the end); a chain that does not hold is an error naming the
// first broken entry.
func AuditVerify(ctx context.Context, w io.Writer, o AuditOptions) error {
	var (
		entries []auditlog.Entry
		where   string
		err     error
	)
	switch {
	case o.Target != "" && o.DB != "":
		return errors.New("audit verify: give --target or --db, not both")
	case o.Target != "":
		where = "target " + o.Target
		entries, err = targetAudit(ctx, o.TargetOptions)
	default:
		where = o.DB
		run, oerr := openLocal(ctx, o.Models, o.DB, true)
		if oerr != nil {
			return oerr
		}
		defer run.Close()
		entries, err = run.AuditEntries(ctx)
	}
	if err != nil {
		return fmt.Errorf("audit verify: %s: %w", where, err)
	}
	if err := auditlog.Verify(entries); err != nil {
		return fmt.Errorf("audit verify: %s: %w", where, err)
	}
	if o.Head != "" {
		found := false
		for _, e := range entries {
			found = found || e.Hash == o.Head
		}
		if !found {
			return fmt.Errorf("audit verify: %s: no entry has the hash %s: the entries it ended at were rewritten or removed", where, o.Head)
		}
	}
	fmt.Fprintf(w, "audit log of %s: %d entries, chain holds\nhead %s\n", where, len(entries), auditlog.Head(entries))
	return nil
}

// targetAudit reads the audit log of a target of trueup.yaml.
func targetAudit(ctx context.Context, o TargetOptions) ([]auditlog.Entry, error) {
	c, err := connect(o, false)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	r, err := c.renderer()
	if err != nil {
		return nil, err
	}
	return auditlog.Log{Table: r.Object(plan.AuditLog)}.Entries(ctx, c.target.DB)
}
