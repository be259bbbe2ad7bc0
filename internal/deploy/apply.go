package deploy

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pressly/goose/v3"

	"github.com/ledgerloop/trueup/generator/migrations"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/internal/auditlog"
)

// Info is what a deployment records about where it came from.
type Info struct {
	// GitCommit is `git rev-parse HEAD` where trueup ran ("" when unknown).
	GitCommit string
	// Holder says who deploys (user, host, process): what another deploy
	// is told while this one holds the lock.
	Holder string
}

// Apply takes the target's deploy lock, plans and applies the changes, in
// order: migrations through goose, then the repeatable objects, then the
// record in AUDIT.DEPLOYMENTS, and releases the lock. It returns the plan
// it applied. While another deploy holds the lock it returns an error
// wrapping migratestore.ErrLocked and changes nothing. A failed deploy
// leaves what it applied in place; running it again plans from what the
// target then holds and finishes the job.
func Apply(ctx context.Context, t *Target, d *Desired, info Info) (c *Changes, err error) {
	lk, err := t.Warehouse.Locker(info.Holder)
	if err != nil {
		return nil, fmt.Errorf("deploy: %w", err)
	}
	if err := lk.Lock(ctx, t.DB); err != nil {
		return nil, fmt.Errorf("deploy: %w", err)
	}
	defer func() {
		if uerr := lk.Unlock(context.WithoutCancel(ctx), t.DB); uerr != nil && err == nil {
			err = fmt.Errorf("deploy: %w", uerr)
		}
	}()
	return apply(ctx, t, d, info)
}

func apply(ctx context.Context, t *Target, d *Desired, info Info) (*Changes, error) {
	c, err := Plan(ctx, t, d)
	if err != nil {
		return nil, err
	}
	migrated := false
	for _, ch := range c.Items {
		switch ch.Action {
		case Keep:
		case Migrate:
			if migrated {
				continue
			}
			migrated = true
			if err := migrate(ctx, t, d); err != nil {
				return c, err
			}
		case Record:
			if err := record(ctx, t, d, info, c.Pending()-1); err != nil {
				return c, err
			}
		default:
			for i, s := range ch.SQL {
				var args []any
				if i < len(ch.Args) {
					args = ch.Args[i]
				}
				if _, err := t.DB.ExecContext(ctx, s, args...); err != nil {
					return c, fmt.Errorf("deploy: %s %s %s: %w", ch.Action, ch.Kind, ch.Object, err)
				}
			}
		}
	}
	return c, nil
}

// migrate runs the pending migrations with goose.
func migrate(ctx context.Context, t *Target, d *Desired) error {
	store, err := t.Warehouse.Store()
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectCustom, t.DB, migrationFS(d.Migrations), goose.WithStore(store), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("deploy: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		var pe *goose.PartialError
		if errors.As(err, &pe) && pe.Failed != nil {
			return fmt.Errorf("deploy: migration %s: %w", pe.Failed.Source.Path, pe.Err)
		}
		return fmt.Errorf("deploy: migrations: %w", err)
	}
	return nil
}

// record inserts the deployment's row.
func record(ctx context.Context, t *Target, d *Desired, info Info, changes int) error {
	r := d.R
	commit := "NULL"
	if info.GitCommit != "" {
		commit = r.Str(info.GitCommit)
	}
	q := fmt.Sprintf(`INSERT INTO %s (deployed_at, deployed_by, target, git_commit, ruleset_version, sql_hash, migrations_hash, migration_version, changes)
SELECT %s, %s, %s, %s, %s, %s, %s, %d, %d`,
		r.Object(migrations.Deployments), r.Now(), t.Warehouse.CurrentUser(), r.Str(t.Name), commit,
		r.Str(d.Plan.RulesetVersion), r.Str(d.SQLHash), r.Str(d.MigrationsHash), d.State.Latest(), changes)
	if _, err := t.DB.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("deploy: record the deployment: %w", err)
	}
	return audit(ctx, t, d, info, changes)
}

// audit appends the deployment to the hash-chained AUDIT.LOG, and the
// rule-set version it puts in force when the log has no entry for it yet.
// It runs under the deploy lock: one writer at a time.
func audit(ctx context.Context, t *Target, d *Desired, info Info, changes int) error {
	var user string
	if err := t.DB.QueryRowContext(ctx, "SELECT "+t.Warehouse.CurrentUser()).Scan(&user); err != nil {
		return fmt.Errorf("deploy: audit log: read the current user: %w", err)
	}
	actor := strings.TrimSpace(user + " " + info.Holder)
	log := auditlog.Log{Table: d.R.Object(plan.AuditLog)}
	detail := map[string]any{
		"ruleset_version": d.Plan.RulesetVersion, "sql_hash": d.SQLHash, "migrations_hash": d.MigrationsHash,
		"migration_version": d.State.Latest(), "changes": changes,
	}
	if info.GitCommit != "" {
		detail["git_commit"] = info.GitCommit
	}
	if _, err := log.Append(ctx, t.DB, actor, auditlog.Deploy, t.Name, detail); err != nil {
		return fmt.Errorf("deploy: %w", err)
	}
	has, err := log.Has(ctx, t.DB, auditlog.Ruleset, d.Plan.RulesetVersion)
	if err != nil || has {
		return err
	}
	if _, err := log.Append(ctx, t.DB, actor, auditlog.Ruleset, d.Plan.RulesetVersion, map[string]any{
		"label": d.Plan.Spec.Project.RulesetLabel, "deployed_to": t.Name,
	}); err != nil {
		return fmt.Errorf("deploy: %w", err)
	}
	return nil
}
