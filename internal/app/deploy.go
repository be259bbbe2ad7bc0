package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"strings"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/internal/auditlog"
	"github.com/ledgerloop/trueup/internal/config"
	"github.com/ledgerloop/trueup/internal/deploy"
	"github.com/ledgerloop/trueup/internal/local"
	"github.com/ledgerloop/trueup/internal/migratestore"
	"github.com/ledgerloop/trueup/internal/sfconn"
)

// TargetOptions name a target of trueup.yaml.
type TargetOptions struct {
	Models string
	// Config is the configuration file (default trueup.yaml).
	Config string
	Target string
	// Env reads environment variables (default: the process's).
	Env sfconn.Env
}

// ErrChanges is returned (with exit code 2) by plan when deploy would
// change something.
var ErrChanges = errors.New("changes to deploy")

// ErrDrift is returned (with exit code 2) by drift when the warehouse
// differs from the generated SQL.
var ErrDrift = errors.New("the warehouse differs from the generated SQL")

// connected is an open target with what it should hold.
type connected struct {
	cfg     *config.Target
	target  *deploy.Target
	desired *deploy.Desired // nil for monitor
	plan    *plan.Plan
}

func (c *connected) Close() error { return c.target.DB.Close() }

// connect loads the target, checks and renders the generated SQL for it,
// and opens it.
func connect(o TargetOptions, withSQL bool) (*connected, error) {
	path := o.Config
	if path == "" {
		path = config.File
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	if o.Target == "" {
		return nil, errors.New("--target is required (a target of " + path + ")")
	}
	t, err := cfg.Lookup(o.Target)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	p, err := generator.Compile(o.Models)
	if err != nil {
		return nil, err
	}
	project := p.Spec.Project.Database
	c := &connected{cfg: t, target: &deploy.Target{Name: t.Name}, plan: p}
	load := func(dialectName string) error {
		if !withSQL {
			return nil
		}
		c.desired, err = deploy.Load(o.Models, t.SQL, dialectName)
		return err
	}
	switch t.Type {
	case config.DuckDB:
		if err := load("duckdb"); err != nil {
			return nil, err
		}
		c.target.Warehouse = deploy.DuckDB{}
		open := local.OpenDBWith
		if !withSQL {
			// monitor only reads: it opens an existing file read-only.
			open = local.OpenDBReadOnly
		}
		if c.target.DB, err = open(t.Path, local.Options{MemoryLimit: t.MemoryLimit, Threads: t.Threads}); err != nil {
			return nil, fmt.Errorf("target %q: %w", t.Name, err)
		}
		slog.Debug("duckdb target opened", "target", t.Name, "path", t.Path, "read_only", !withSQL)
	case config.Snowflake:
		if t.Database != "" && !strings.EqualFold(t.Database, project) {
			return nil, fmt.Errorf("target %q: database %s, but the SQL is generated for project.database %s", t.Name, t.Database, project)
		}
		if err := load("snowflake"); err != nil {
			return nil, err
		}
		sc, err := sfconn.Config(t, project, o.Env)
		if err != nil {
			return nil, err
		}
		c.target.Warehouse = deploy.Snowflake{Database: project, NotFound: sfconn.IsNotFound}
		c.target.DB = sfconn.Open(sc)
		slog.Debug("snowflake target: one connection for the command", "target", t.Name, "account", t.Account, "user", t.User, "role", t.Role, "warehouse", t.Warehouse, "database", project)
	}
	return c, nil
}

// PlanTarget prints what deploy would do to the target, each change with
// a unified diff. It returns an ExitError with code 2 when something would
// change.
func PlanTarget(ctx context.Context, w io.Writer, o TargetOptions) error {
	c, err := connect(o, true)
	if err != nil {
		return err
	}
	defer c.Close()
	ch, err := deploy.Plan(ctx, c.target, c.desired)
	if err != nil {
		return fmt.Errorf("target %q: %w", o.Target, err)
	}
	printChanges(w, ch, true)
	if ch.Empty() {
		fmt.Fprintf(w, "target %s is up to date: nothing to deploy\n", o.Target)
		return nil
	}
	fmt.Fprintf(w, "plan: %s\n", summarize(ch))
	return &ExitError{Code: 2, Err: fmt.Errorf("target %s: %d %w (trueup deploy --target %s)", o.Target, ch.Pending(), ErrChanges, o.Target)}
}

// Deploy applies the plan to the target and records the deployment.
func Deploy(ctx context.Context, w io.Writer, o TargetOptions) error {
	c, err := connect(o, true)
	if err != nil {
		return err
	}
	defer c.Close()
	ch, err := deploy.Apply(ctx, c.target, c.desired, deploy.Info{GitCommit: gitCommit(), Holder: holder()})
	if ch != nil && !ch.Empty() {
		printChanges(w, ch, false)
	}
	if errors.Is(err, migratestore.ErrLocked) {
		return fmt.Errorf("target %q: %w", o.Target, err)
	}
	if err != nil {
		return fmt.Errorf("target %q: %w (fix the cause and deploy again: it resumes where it stopped)", o.Target, err)
	}
	if ch.Empty() {
		fmt.Fprintf(w, "target %s is up to date: nothing to deploy\n", o.Target)
		return nil
	}
	fmt.Fprintf(w, "deployed to target %s: %s; %s\n", o.Target, summarize(ch), c.desired.SQLHash)
	return nil
}

// Drift prints every difference between the target and the generated SQL,
// with a unified diff per changed object. It returns an ExitError with
// code 2 when there is any (a connection failure is an error: code 1).
func Drift(ctx context.Context, w io.Writer, o TargetOptions) error {
	c, err := connect(o, true)
	if err != nil {
		return err
	}
	defer c.Close()
	diffs, err := deploy.Drift(ctx, c.target, c.desired)
	if err != nil {
		return fmt.Errorf("target %q: %w", o.Target, err)
	}
	if len(diffs) == 0 {
		fmt.Fprintf(w, "no drift: target %s matches %s\n", o.Target, c.desired.Dir)
		return nil
	}
	for _, d := range diffs {
		line := fmt.Sprintf("%-8s %s %s", d.State, strings.ReplaceAll(d.Kind, "_", " "), d.Object)
		if d.Detail != "" {
			line += ": " + d.Detail
		}
		fmt.Fprintln(w, line)
	}
	for _, d := range diffs {
		if d.Diff != "" {
			fmt.Fprintln(w)
			io.WriteString(w, d.Diff)
		}
	}
	return &ExitError{Code: 2, Err: fmt.Errorf("drift: %d objects of target %s differ from %s: %w", len(diffs), o.Target, c.desired.Dir, ErrDrift)}
}

func printChanges(w io.Writer, ch *deploy.Changes, diffs bool) {
	for _, c := range ch.Items {
		line := fmt.Sprintf("%-8s %s %s", c.Action, strings.ReplaceAll(c.Kind, "_", " "), c.Object)
		if c.Comment != "" {
			line += ": " + c.Comment
		}
		fmt.Fprintln(w, line)
	}
	if !diffs {
		return
	}
	for _, c := range ch.Items {
		if c.Diff != "" {
			fmt.Fprintln(w)
			io.WriteString(w, c.Diff)
		}
	}
	if len(ch.Items) > 0 {
		fmt.Fprintln(w)
	}
}

func summarize(ch *deploy.Changes) string {
	var parts []string
	for _, a := range []deploy.Action{deploy.Migrate, deploy.Create, deploy.Replace, deploy.Keep} {
		if n := ch.Count(a); n > 0 || a != deploy.Keep {
			parts = append(parts, fmt.Sprintf("%s %d", a, n))
		}
	}
	return strings.Join(parts, ", ")
}

// gitCommit is `git rev-parse HEAD`, or "" outside a repository.
// holder describes this deploy for the lock: the local user, host and
// process.
func holder() string { return "(" + auditlog.Process() + ")" }

func gitCommit() string {
	out, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
