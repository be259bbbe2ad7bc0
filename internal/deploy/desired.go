package deploy

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/emit"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/migrations"
	"github.com/ledgerloop/trueup/generator/plan"
)

// ErrStale is returned when the generated folder is not what the spec
// generates: deploy what was reviewed, or nothing.
var ErrStale = errors.New("generated SQL is stale: run trueup generate")

// ErrEdited is returned when a generated file differs from its integrity
// file: a hand edit is refused.
var ErrEdited = migrations.ErrEdited

// Desired is what a target should hold: the objects of the generated
// folder rendered in the target's dialect and the migrations that create
// its tables.
type Desired struct {
	Plan    *plan.Plan
	Dialect string
	R       dialect.Renderer // the target's dialect, configured
	// Dir is the generated folder (for file names in diffs).
	Dir string
	// Files are the plan's objects in the target's dialect, in creation
	// order (the generated folder's order).
	Files []emit.File
	// Migrations are the goose files in the target's dialect.
	Migrations map[string][]byte
	State      *migrations.State
	// SQLHash and MigrationsHash are the first lines of the integrity files.
	SQLHash        string
	MigrationsHash string
}

// Load reads the generated folder dir, checks it against its integrity
// files (a hand edit is refused) and against the spec in models (a stale
// folder is refused), and renders it for a target of dialectName.
func Load(models, dir, dialectName string) (*Desired, error) {
	p, err := generator.Compile(models)
	if err != nil {
		return nil, err
	}
	dir = filepath.ToSlash(filepath.Clean(dir))
	tree, err := generator.ReadTree(dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	sum, ok := tree[emit.SumFile]
	if !ok {
		return nil, fmt.Errorf("%s/%s is missing: run trueup generate", dir, emit.SumFile)
	}
	files := map[string][]byte{}
	for n, data := range tree {
		if n != emit.SumFile {
			files[n] = data
		}
	}
	if err := migrations.CheckSum(dir, files, sum); err != nil {
		return nil, err
	}
	migDir := dir + "/" + migrations.Dir
	migFiles, err := migrations.ReadDir(migDir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", migDir, err)
	}
	st, err := migrations.Verify(migFiles, migDir)
	if err != nil {
		return nil, err
	}
	// The folder must be what the spec generates, in the folder's dialect.
	folder, err := generator.Render(p, st.Dialect)
	if err != nil {
		return nil, err
	}
	if d := generator.Diff(dir, tree, emit.Tree(folder)); d != "" {
		return nil, fmt.Errorf("%s: %w (it differs from what %s generates)", dir, ErrStale, models)
	}
	upd, err := migrations.Update(migFiles, migDir, p, st.Dialect)
	if err != nil {
		return nil, err
	}
	if upd.New != "" {
		return nil, fmt.Errorf("%s: %w (the spec's tables need a new migration)", migDir, ErrStale)
	}
	r, err := dialect.Get(dialectName)
	if err != nil {
		return nil, err
	}
	r.Configure(migrations.Settings(p))
	d := &Desired{Plan: p, Dialect: dialectName, R: r, Dir: dir, State: st,
		SQLHash: firstLine(sum), MigrationsHash: firstLine(migFiles[migrations.SumFile])}
	if d.Files, err = generator.Render(p, dialectName); err != nil {
		return nil, err
	}
	if dialectName == st.Dialect {
		d.Migrations = map[string][]byte{}
		for _, m := range st.Migrations {
			d.Migrations[m.File] = migFiles[m.File]
		}
	} else if d.Migrations, err = migrations.Render(st, r); err != nil {
		return nil, err
	}
	return d, nil
}

func firstLine(b []byte) string {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return strings.TrimSpace(string(line))
}

// stateful kinds are created by migrations, not by their files.
var stateful = map[ir.Kind]bool{ir.KindSchema: true, ir.KindSequence: true, ir.KindTable: true}

// repeatable returns the files of repeatable objects, in creation order.
func (d *Desired) repeatable() []emit.File {
	var out []emit.File
	for _, f := range d.Files {
		if !stateful[f.Object.Kind] {
			out = append(out, f)
		}
	}
	return out
}

// root is the root task, nil when the plan has none.
func (d *Desired) root() *ir.Object {
	for _, t := range d.Plan.Tasks() {
		if t.Task.Root {
			return t
		}
	}
	return nil
}

// schemas are the schemas the plan's objects live in.
func (d *Desired) schemas() []string { return d.State.Snapshot.Schemas }

// path is a file's name in the generated folder.
func (d *Desired) path(f emit.File) string { return d.Dir + "/" + f.Path }

// replaces reports whether a file's statement replaces the object (CREATE
// OR REPLACE, as its renderer says), as opposed to creating it only when
// missing.
func replaces(f emit.File) bool {
	if security[f.Object.Kind] {
		// Idempotent statements (CREATE ... IF NOT EXISTS, SET BODY, SET
		// TAG, GRANT): running the file again restores what differs.
		return true
	}
	return len(f.Statements) > 0 && f.Statements[0].Replaces
}

// resumes reports whether one of a file's statements resumes the task
// graph of root.
func resumes(f emit.File, root ir.Ref) bool {
	for _, s := range f.Statements {
		if s.Resumes != nil && *s.Resumes == root {
			return true
		}
	}
	return false
}
