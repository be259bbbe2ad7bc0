// Package dialect defines what a SQL dialect must provide to render the plan:
// a short list of named fragments (identifiers, literals, types, JSON access,
// time conversions, stream references) and the rendering of whole objects.
// The reconciliation logic is written once, in package plan, against this
// interface.
//
// Adding a dialect: create generator/dialect/<name> with a type implementing
// Renderer (assert it with `var _ dialect.Renderer = (*Renderer)(nil)`) and
// one implementing MigrationDDL, register both with
// `dialect.Register(dialect.New(Name, newRenderer, Migrations{}))` in an
// init function, import the package in generator/dialect/all, and run the
// conformance suite from the new package's tests with one call,
// dialecttest.Run(t, &Renderer{}, backend): an Executing backend (a
// database/sql handle on the dialect, as generator/dialect/duckdb's tests
// pass) where the dialect runs in tests, a Parsing one (its parser and a
// golden file, as generator/dialect/snowflake's tests pass) where it does
// not. See package generator/dialect/dialecttest. The runtime side of a
// warehouse (connection, deploy, monitor, version table) registers in
// internal/warehouse.
package dialect

import (
	"fmt"

	"github.com/ledgerloop/trueup/generator/ir"
	"sort"
	"sync"
)

// Renderer renders whole objects of the plan as statements.
type Renderer interface {
	ir.Fragments
	// Configure sets the project-wide names the rendering needs.
	Configure(s Settings)
	// Render returns the statements that create the object, in order.
	Render(o *ir.Object) []Statement
}

// Granter is a Renderer of a dialect with roles and grants, an optional
// capability found by type assertion (Snowflake has it; DuckDB has no
// roles).
type Granter interface {
	Renderer
	// GrantTarget is what the grant is on, as GRANT writes it after ON
	// (the object type, then its qualified name).
	GrantTarget(g ir.Grant) string
}

// Statement is one SQL statement and what it does that deploy acts on.
type Statement struct {
	SQL string
	// Replaces is true when the statement replaces the object whatever
	// exists (CREATE OR REPLACE): running it again restores the object's
	// definition. Deploy recreates an object that differs only then.
	Replaces bool
	// Resumes is the root task whose graph the statement resumes (nil
	// when it resumes none): deploy resumes a graph once.
	Resumes *ir.Ref
}

// Settings are project-wide names a renderer qualifies objects with.
type Settings struct {
	Database  string
	Warehouse string
}

// MigrationDDL is how a dialect's goose migrations differ: what package
// migrations cannot render through Renderer alone.
type MigrationDDL interface {
	// TransactionalDDL reports whether DDL runs inside a transaction. When
	// it does not (in Snowflake a DDL statement commits the open
	// transaction), migrations run without one and every statement is
	// written to be re-run safely.
	TransactionalDDL() bool
	// InlineColumnComment reports whether a column's comment is written in
	// its definition rather than in a COMMENT ON statement.
	InlineColumnComment() bool
	// RenameTable returns the statement renaming the table from to to (in
	// the same schema), rendered with r.
	RenameTable(r Renderer, from, to ir.Ref) string
}

// Dialect is one registered dialect: the renderer and the migration DDL of
// one warehouse's SQL. Make one with New, which needs every part.
type Dialect struct {
	name       string
	renderer   func() Renderer
	migrations MigrationDDL
}

// New returns the registration of a dialect: its name, a constructor of
// unconfigured renderers, and its migration DDL.
func New(name string, renderer func() Renderer, migrations MigrationDDL) Dialect {
	return Dialect{name: name, renderer: renderer, migrations: migrations}
}

// Name is the dialect's registered name (Renderer.Name).
func (d Dialect) Name() string { return d.name }

// Renderer returns a new renderer, to be configured.
func (d Dialect) Renderer() Renderer { return d.renderer() }

// Migrations is how the dialect's migrations differ.
func (d Dialect) Migrations() MigrationDDL { return d.migrations }

var (
	mu       sync.Mutex
	registry = map[string]Dialect{}
)

// Register makes a dialect available by its name. It panics on a
// duplicate or on a registration missing a part.
func Register(d Dialect) {
	mu.Lock()
	defer mu.Unlock()
	if d.name == "" || d.renderer == nil || d.migrations == nil {
		panic("dialect: incomplete registration of " + fmt.Sprintf("%q", d.name))
	}
	if _, dup := registry[d.name]; dup {
		panic("dialect: duplicate registration of " + d.name)
	}
	registry[d.name] = d
}

// Lookup returns a registered dialect.
func Lookup(name string) (Dialect, error) {
	mu.Lock()
	defer mu.Unlock()
	d, ok := registry[name]
	if !ok {
		return Dialect{}, fmt.Errorf("unknown dialect %q (known: %v)", name, namesLocked())
	}
	return d, nil
}

// Get returns a new renderer of a registered dialect.
func Get(name string) (Renderer, error) {
	d, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	return d.Renderer(), nil
}

// All returns the registered dialects, sorted by name.
func All() []Dialect {
	mu.Lock()
	defer mu.Unlock()
	var out []Dialect
	for _, n := range namesLocked() {
		out = append(out, registry[n])
	}
	return out
}

// Names lists the registered dialects.
func Names() []string {
	mu.Lock()
	defer mu.Unlock()
	return namesLocked()
}

func namesLocked() []string {
	var out []string
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ScratchTables is a Renderer whose ir.Fragments.Scratch names a temporary
// table: the runtime creates it, in the task's transaction, before the
// task's first statement (CreateScratch) and drops it after the last
// (DropScratch).
type ScratchTables interface {
	CreateScratch(name, query string) string
	DropScratch(name string) string
}
