// Package deploy compares what a warehouse holds with the generated SQL and
// makes them equal: Plan lists the changes (data: each with a comment, its
// SQL and a unified diff), Apply runs them, Drift reports every difference.
//
// Stateful objects (schemas, sequences, tables) evolve only through the
// numbered goose migrations of sql/migrations, run by goose with the
// version table of package migratestore. Repeatable objects are compared
// with what the warehouse reports (GET_DDL in Snowflake, the catalog in
// DuckDB) and recreated, in file order, when they differ, if their
// generated statement replaces them (CREATE OR REPLACE, as the renderer
// marks it on the statement: views, dynamic
// tables, procedures, tasks). Objects generated with CREATE ... IF NOT
// EXISTS (pipes, streams, stages, file formats) are created when missing
// and never replaced: recreating a pipe loses its load history and a
// stream its offset; a difference is reported for a person to decide.
// Tasks are recreated together, after the root is suspended, and resumed
// at the end with SYSTEM$TASK_DEPENDENTS_ENABLE (children first, root
// last).
//
// Everything goes through database/sql: the same code deploys to DuckDB
// (the local target) and to Snowflake; deploytest.Recorder captures what a
// deploy would send without a warehouse.
package deploy

import (
	"context"
	"database/sql"

	"github.com/pressly/goose/v3/database"
	"github.com/pressly/goose/v3/lock"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/emit"
	"github.com/ledgerloop/trueup/generator/ir"
)

// Target is a warehouse to deploy to, through database/sql.
type Target struct {
	Name      string
	DB        *sql.DB
	Warehouse Warehouse
}

// Column is a column as the warehouse's catalog reports it.
type Column struct {
	Name    string // lower case
	Type    string // as the catalog names it, upper case
	NotNull bool
}

// Warehouse is what deploy needs to know about one kind of warehouse. Every
// method reads through db and never writes.
type Warehouse interface {
	// Dialect is the dialect the warehouse runs ("snowflake", "duckdb").
	Dialect() string
	// Store is the goose version table.
	Store() (database.Store, error)
	// Locker is the deploy lock; holder says who takes it.
	Locker(holder string) (lock.Locker, error)
	// Definition returns the deployed definition of a repeatable object in
	// normal form; ok is false when the object does not exist. r is the
	// target's dialect, configured for the project.
	Definition(ctx context.Context, db *sql.DB, r dialect.Renderer, f emit.File) (def string, ok bool, err error)
	// Canonical returns the definition the file creates, in the form
	// Definition returns. An error wrapping ErrCannotCompare means the
	// warehouse cannot tell yet (the object's inputs are missing).
	Canonical(ctx context.Context, db *sql.DB, r dialect.Renderer, f emit.File) (string, error)
	// Tables returns the deployed tables of the given schemas with their
	// columns in order (names in lower case).
	Tables(ctx context.Context, db *sql.DB, schemas []string) (map[ir.Ref][]Column, error)
	// Views returns the deployed views of the given schemas.
	Views(ctx context.Context, db *sql.DB, schemas []string) (map[ir.Ref]bool, error)
	// Schemas and Sequences return what exists (names in lower case,
	// sequences as schema.name).
	Schemas(ctx context.Context, db *sql.DB) (map[string]bool, error)
	Sequences(ctx context.Context, db *sql.DB) (map[string]bool, error)
	// TypeName is how the catalog names a column of a neutral type.
	TypeName(neutral string) string
	// RuntimeTables are tables the warehouse's runtime keeps beside the
	// plan's (not drift).
	RuntimeTables() []ir.Ref
	// CurrentUser is the SQL expression of the user the session runs as.
	CurrentUser() string
	// HasTasks reports whether the warehouse schedules the plan's tasks
	// itself, so that deploy suspends and resumes their graph.
	HasTasks() bool
	// SuspendTask is the statement suspending a task ("" when the
	// warehouse has no tasks).
	SuspendTask(ref string) string
	// ResumeTasks is the statement resuming the task graph of root,
	// children first and root last ("" when the warehouse has no tasks).
	ResumeTasks(r dialect.Renderer, root ir.Ref) string
}

// Optional capabilities of a Warehouse, found by type assertion.
type (
	// Cloner is a Warehouse that clones a database without copying its
	// data, which Impact needs to re-resolve gold beside the target.
	Cloner interface {
		Warehouse
		// CloneSQL is the statement creating clone as a clone of db.
		CloneSQL(clone, db string) string
		// DropCloneSQL is the statement dropping clone if it exists.
		DropCloneSQL(clone string) string
		// PausePipeSQL is the statement pausing the pipe ref of a clone,
		// so that the clone loads nothing.
		PausePipeSQL(ref string) string
	}

	// OverrideCaller is a Warehouse whose deploy applies the overrides of
	// models/overrides/ by calling the plan's AUDIT.SET_OVERRIDE (on
	// DuckDB the local runner applies them itself: it seals PII values, and
	// a deploy handle has no vault).
	OverrideCaller interface {
		Warehouse
		// OverrideCall is the statement calling the procedure proc with
		// n bind variables.
		OverrideCall(proc string, n int) string
	}
)
