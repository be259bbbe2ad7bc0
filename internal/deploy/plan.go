package deploy

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pressly/goose/v3/database"

	"github.com/ledgerloop/trueup/generator/emit"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/migrations"
	"github.com/ledgerloop/trueup/generator/textdiff"
)

// ErrCannotCompare is wrapped by Warehouse.Canonical when the warehouse
// cannot render the desired definition yet.
var ErrCannotCompare = errors.New("cannot compare yet")

// Action is what a change does.
type Action string

// Actions, in the words plan prints.
const (
	Migrate Action = "migrate" // apply a pending migration
	Create  Action = "create"  // create a missing object
	Replace Action = "replace" // recreate an object that differs
	Suspend Action = "suspend" // suspend the task graph before changing it
	Resume  Action = "resume"  // resume the task graph, children first
	Record  Action = "record"  // record the deployment in AUDIT
	Keep    Action = "keep"    // differs, but deploy never replaces it: a person decides
)

// Change is one step of a plan.
type Change struct {
	Action Action
	Kind   string // "migration", or the object kind
	Object string // the migration file, or schema.name
	Path   string // the generated file, when there is one
	// Comment says why the change is there.
	Comment string
	// SQL is what deploy sends, in order (empty for Keep).
	SQL []string
	// Args are the bind variables of each statement of SQL (nil: none);
	// a plan prints the statements, never the values.
	Args [][]any
	// Diff is a unified diff from what is deployed to what is desired.
	Diff string
}

// Changes is a plan: the changes in the order deploy applies them.
type Changes struct {
	Target string
	Items  []Change
	// latest is the newest migration version.
	latest int64
}

// Pending is the number of changes deploy would apply.
func (c *Changes) Pending() int {
	n := 0
	for _, ch := range c.Items {
		if ch.Action != Keep {
			n++
		}
	}
	return n
}

// Empty reports whether deploy would do nothing.
func (c *Changes) Empty() bool { return c.Pending() == 0 }

// Count returns how many changes have the action.
func (c *Changes) Count(a Action) int {
	n := 0
	for _, ch := range c.Items {
		if ch.Action == a {
			n++
		}
	}
	return n
}

// Applied returns the versions of the migrations applied in the target
// (nil when its version table does not exist yet).
func Applied(ctx context.Context, t *Target) (map[int64]bool, error) {
	store, err := t.Warehouse.Store()
	if err != nil {
		return nil, err
	}
	ext, ok := store.(database.StoreExtender)
	if !ok {
		return nil, fmt.Errorf("the version table of %s cannot be checked", t.Warehouse.Dialect())
	}
	exists, err := ext.TableExists(ctx, t.DB)
	if err != nil {
		return nil, err
	}
	if !exists {
		return nil, nil
	}
	list, err := store.ListMigrations(ctx, t.DB)
	if err != nil {
		return nil, fmt.Errorf("read applied migrations: %w", err)
	}
	out := map[int64]bool{}
	for _, m := range list {
		if m.IsApplied {
			out[m.Version] = true
		}
	}
	return out, nil
}

// Plan compares the target with the desired state and returns the changes
// deploy would apply, in order. It only reads.
func Plan(ctx context.Context, t *Target, d *Desired) (*Changes, error) {
	out := &Changes{Target: t.Name, latest: d.State.Latest()}
	applied, err := Applied(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	for _, m := range d.State.Migrations {
		if applied[m.Version] {
			continue
		}
		stmts, err := migrations.Statements(d.R, m.Steps)
		if err != nil {
			return nil, fmt.Errorf("plan: %w", err)
		}
		path := d.Dir + "/" + migrations.Dir + "/" + m.File
		out.Items = append(out.Items, Change{Action: Migrate, Kind: "migration", Object: m.File, Path: path,
			Comment: fmt.Sprintf("migration %d is not applied", m.Version), SQL: stmts,
			Diff: textdiff.Unified("/dev/null", path, "", string(d.Migrations[m.File]))})
	}
	// Repeatable objects.
	var objs []Change
	rootExists := false
	root := d.root()
	taskChanged := false
	replacedTagged := false
	for _, f := range d.repeatable() {
		ch, exists, err := compare(ctx, t, d, f)
		if err != nil {
			return nil, fmt.Errorf("plan: %w", err)
		}
		if root != nil && f.Object.Ref == root.Ref {
			rootExists = exists
		}
		if ch == nil {
			if f.Object.Kind == ir.KindTag || f.Object.Kind == ir.KindRole {
				// Run again when a view, dynamic table or task is
				// replaced: replacing drops column tags, and a task's
				// grants (CREATE TASK has no COPY GRANTS).
				objs = append(objs, Change{Action: "", Kind: string(f.Object.Kind), Object: f.Object.Ref.String(), Path: d.path(f), SQL: sqlOf(f)})
			}
			if f.Object.Kind == ir.KindTask {
				// Kept in order: tasks are recreated together.
				objs = append(objs, Change{Action: "", Kind: string(f.Object.Kind), Object: f.Object.Ref.String(), Path: d.path(f), SQL: sqlOf(f)})
			}
			continue
		}
		if f.Object.Kind == ir.KindTask && ch.Action != Keep {
			taskChanged = true
		}
		if (f.Object.Kind == ir.KindView || f.Object.Kind == ir.KindDynamicTable) && ch.Action != Keep {
			replacedTagged = true
		}
		objs = append(objs, *ch)
	}
	var changes []Change
	for _, ch := range objs {
		if ch.Action == "" && (ch.Kind == string(ir.KindTag) || ch.Kind == string(ir.KindRole)) {
			if !taskChanged && !replacedTagged {
				continue
			}
			ch.Action, ch.Comment = Replace, "set again: a replaced view, dynamic table or task loses its column tags and grants"
		}
		if ch.Action == "" {
			if !taskChanged {
				continue
			}
			ch.Action, ch.Comment = Replace, "recreated with the rest of the task graph"
		}
		changes = append(changes, ch)
	}
	pending := len(out.Items) > 0
	for _, ch := range changes {
		if ch.Action != Keep {
			pending = true
		}
	}
	if pending && root != nil && rootExists && t.Warehouse.HasTasks() {
		ref := d.R.Object(root.Ref)
		out.Items = append([]Change{{Action: Suspend, Kind: "task", Object: root.Ref.String(),
			Comment: "the task graph is suspended while it changes", SQL: []string{t.Warehouse.SuspendTask(ref)}}}, out.Items...)
	}
	out.Items = append(out.Items, changes...)
	if root != nil && t.Warehouse.HasTasks() && (out.Count(Suspend) > 0 || taskChanged) {
		// The finalizer's file ends with the graph's resume; other
		// scheduled tasks (the purge) may come after it.
		files := map[string]emit.File{}
		for _, f := range d.repeatable() {
			files[d.path(f)] = f
		}
		resumed := false
		for _, it := range out.Items {
			f, ok := files[it.Path]
			resumed = resumed || ok && len(it.SQL) > 0 && resumes(f, root.Ref)
		}
		if !resumed {
			out.Items = append(out.Items, Change{Action: Resume, Kind: "task", Object: root.Ref.String(),
				Comment: "resume the task graph: children first, the root last", SQL: []string{t.Warehouse.ResumeTasks(d.R, root.Ref)}})
		}
	}
	ov, err := overrideChanges(ctx, t, d)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	out.Items = append(out.Items, ov...)
	if rec, err := needsRecord(ctx, t, d, out); err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	} else if rec != nil {
		out.Items = append(out.Items, *rec)
	}
	return out, nil
}

func sqlOf(f emit.File) []string {
	out := make([]string, len(f.Statements))
	for i, s := range f.Statements {
		out[i] = s.SQL
	}
	return out
}

// compare returns the change a repeatable object needs (nil when none) and
// whether it exists.
func compare(ctx context.Context, t *Target, d *Desired, f emit.File) (*Change, bool, error) {
	kind, name := string(f.Object.Kind), f.Object.Ref.String()
	o, err := compareObject(ctx, t, d, f)
	if err != nil {
		return nil, false, fmt.Errorf("read %s %s: %w", strings.ReplaceAll(kind, "_", " "), name, err)
	}
	path := d.path(f)
	if !o.exists {
		return &Change{Action: Create, Kind: kind, Object: name, Path: path, Comment: "missing", SQL: sqlOf(f),
			Diff: textdiff.Unified("/dev/null", path, "", string(f.Content))}, false, nil
	}
	if errors.Is(o.err, ErrCannotCompare) {
		if !replaces(f) {
			return nil, true, nil
		}
		return &Change{Action: Replace, Kind: kind, Object: name, Path: path, SQL: sqlOf(f),
			Comment: "recreated: " + o.err.Error()}, true, nil
	}
	if o.err != nil {
		return nil, true, fmt.Errorf("render %s %s: %w", strings.ReplaceAll(kind, "_", " "), name, o.err)
	}
	if o.same() {
		return nil, true, nil
	}
	diff := o.diff(t, d, f)
	if !replaces(f) {
		return &Change{Action: Keep, Kind: kind, Object: name, Path: path, Diff: diff,
			Comment: keepReason(f.Object.Kind)}, true, nil
	}
	return &Change{Action: Replace, Kind: kind, Object: name, Path: path, SQL: sqlOf(f), Diff: diff,
		Comment: "differs from " + path}, true, nil
}

// keepReason says why deploy does not replace an object created IF NOT
// EXISTS, and what a person can do.
func keepReason(k ir.Kind) string {
	switch k {
	case ir.KindPipe:
		return "differs, not replaced: recreating a pipe drops its load history (files of the last 14 days could load twice); drop it by hand and deploy, or alter it"
	case ir.KindStream:
		return "differs, not replaced: recreating a stream resets its offset (unconsumed rows would be skipped); recreate it by hand when drained"
	case ir.KindStage:
		return "differs, not replaced: pipes read through the stage; change it with ALTER STAGE"
	case ir.KindFileFormat:
		return "differs, not replaced: stages and pipes use the file format; change it with ALTER FILE FORMAT"
	}
	return "differs, not replaced: generated as CREATE IF NOT EXISTS"
}

// needsRecord returns the Record change when deploy has something to
// record: changes to apply, or a deployed SQL hash that is not the one of
// the last recorded deployment (a deploy that failed after its last change).
func needsRecord(ctx context.Context, t *Target, d *Desired, c *Changes) (*Change, error) {
	rec := &Change{Action: Record, Kind: "table", Object: migrations.Deployments.String(),
		Comment: "record the deployment (when, by whom, git commit, rule set, SQL hash)"}
	if !c.Empty() {
		return rec, nil
	}
	last, err := lastHash(ctx, t, d)
	if err != nil {
		return nil, err
	}
	if last != d.SQLHash+" "+d.MigrationsHash {
		rec.Comment = "the last recorded deployment is not of this SQL (" + d.SQLHash + ")"
		return rec, nil
	}
	return nil, nil
}

// lastHash reads the SQL hashes of the target's last recorded deployment.
func lastHash(ctx context.Context, t *Target, d *Desired) (string, error) {
	tables, err := t.Warehouse.Tables(ctx, t.DB, []string{migrations.Deployments.Schema})
	if err != nil {
		return "", err
	}
	if _, ok := tables[migrations.Deployments]; !ok {
		return "", nil
	}
	q := fmt.Sprintf("SELECT sql_hash, migrations_hash FROM %s WHERE target = %s ORDER BY deployed_at DESC LIMIT 1",
		d.R.Object(migrations.Deployments), d.R.Str(t.Name))
	var a, b nullString
	err = t.DB.QueryRowContext(ctx, q).Scan(&a, &b)
	if err != nil && !isNoRows(err) {
		return "", fmt.Errorf("read the last deployment: %w", err)
	}
	return a.s + " " + b.s, nil
}
