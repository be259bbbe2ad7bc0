package deploy

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/pressly/goose/v3/database"
	"github.com/pressly/goose/v3/lock"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/dialect/snowflake"
	"github.com/ledgerloop/trueup/generator/emit"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/internal/migratestore"
)

// Snowflake reads definitions back with GET_DDL (views, dynamic tables,
// tasks, pipes, streams, procedures, file formats) and the database's
// INFORMATION_SCHEMA (tables and columns, views, schemas, sequences, and
// stages, which GET_DDL does not cover: only their URL is compared).
//
// Not verifiable here: how closely GET_DDL's text follows the statement
// that created the object (case, whitespace, property order, a view's
// column list); both sides are normalized (see normalize.go), and a
// difference that normalization misses makes deploy recreate an object
// that did not change, never skip one that did.
type Snowflake struct {
	// Database is the project's database (a plain identifier).
	Database string
	// NotFound reports whether an error is Snowflake's "does not exist or
	// not authorized" (what GET_DDL answers for a missing object).
	NotFound func(error) bool
}

var (
	_ Warehouse      = Snowflake{}
	_ Cloner         = Snowflake{}
	_ OverrideCaller = Snowflake{}
)

// CloneSQL implements Cloner: a zero-copy clone
// (https://docs.snowflake.com/en/user-guide/object-clone).
func (Snowflake) CloneSQL(clone, db string) string {
	return fmt.Sprintf("CREATE DATABASE %s CLONE %s", clone, db)
}

// DropCloneSQL implements Cloner.
func (Snowflake) DropCloneSQL(clone string) string {
	return fmt.Sprintf("DROP DATABASE IF EXISTS %s", clone)
}

// PausePipeSQL implements Cloner
// (https://docs.snowflake.com/en/sql-reference/sql/alter-pipe).
func (Snowflake) PausePipeSQL(ref string) string {
	return fmt.Sprintf("ALTER PIPE %s SET PIPE_EXECUTION_PAUSED = TRUE", ref)
}

// OverrideCall implements OverrideCaller: the values travel as bind
// variables (a CALL argument is any expression:
// https://docs.snowflake.com/en/sql-reference/sql/call).
func (Snowflake) OverrideCall(proc string, n int) string {
	marks := make([]string, n)
	for i := range marks {
		marks[i] = "?"
	}
	return fmt.Sprintf("CALL %s(%s)", proc, strings.Join(marks, ", "))
}

// Dialect implements Warehouse.
func (Snowflake) Dialect() string { return snowflake.Name }

// Store implements Warehouse.
func (w Snowflake) Store() (database.Store, error) {
	return migratestore.New(migratestore.Snowflake{}, w.Database)
}

// Locker implements Warehouse.
func (w Snowflake) Locker(holder string) (lock.Locker, error) {
	s, err := migratestore.New(migratestore.Snowflake{}, w.Database)
	if err != nil {
		return nil, err
	}
	return s.Locker(holder), nil
}

// CurrentUser implements Warehouse.
func (Snowflake) CurrentUser() string { return "CURRENT_USER()" }

// HasTasks implements Warehouse.
func (Snowflake) HasTasks() bool { return true }

// SuspendTask implements Warehouse.
func (Snowflake) SuspendTask(ref string) string { return "ALTER TASK IF EXISTS " + ref + " SUSPEND" }

// ResumeTasks implements Warehouse: the statement the generator writes
// after the finalizer
// (https://docs.snowflake.com/en/sql-reference/functions/system_task_dependents_enable).
func (Snowflake) ResumeTasks(r dialect.Renderer, root ir.Ref) string {
	return fmt.Sprintf("SELECT SYSTEM$TASK_DEPENDENTS_ENABLE(%s)", r.Str(r.Object(root)))
}

// RuntimeTables implements Warehouse.
func (Snowflake) RuntimeTables() []ir.Ref {
	return []ir.Ref{{Schema: "audit", Name: migratestore.Table}, {Schema: "audit", Name: migratestore.LockTable}}
}

var snowTypes = map[string]string{"text": "TEXT", "long_text": "TEXT", "int": "NUMBER", "decimal": "NUMBER", "float": "FLOAT",
	"bool": "BOOLEAN", "timestamp": "TIMESTAMP_NTZ", "timestamp_tz": "TIMESTAMP_LTZ", "json": "VARIANT"}

// TypeName implements Warehouse: INFORMATION_SCHEMA.COLUMNS.DATA_TYPE.
func (Snowflake) TypeName(neutral string) string { return snowTypes[neutral] }

// getDDLType is GET_DDL's object type per kind.
var getDDLType = map[ir.Kind]string{
	ir.KindView: "VIEW", ir.KindDynamicTable: "DYNAMIC_TABLE", ir.KindTask: "TASK", ir.KindPipe: "PIPE",
	ir.KindStream: "STREAM", ir.KindProcedure: "PROCEDURE", ir.KindFileFormat: "FILE_FORMAT",
}

func (w Snowflake) infoSchema() string { return strings.ToUpper(w.Database) + ".INFORMATION_SCHEMA" }

// Definition implements Warehouse.
func (w Snowflake) Definition(ctx context.Context, db *sql.DB, r dialect.Renderer, f emit.File) (string, bool, error) {
	o := f.Object
	if security[o.Kind] {
		return w.securityDefinition(ctx, db, r, f)
	}
	if o.Kind == ir.KindStage {
		q := fmt.Sprintf("SELECT STAGE_URL FROM %s.STAGES WHERE STAGE_SCHEMA = %s AND STAGE_NAME = %s",
			w.infoSchema(), r.Str(strings.ToUpper(o.Ref.Schema)), r.Str(strings.ToUpper(o.Ref.Name)))
		var url nullString
		err := db.QueryRowContext(ctx, q).Scan(&url)
		if isNoRows(err) {
			return "", false, nil
		}
		if err != nil {
			return "", false, err
		}
		return "URL " + url.s, true, nil
	}
	typ, ok := getDDLType[o.Kind]
	if !ok {
		return "", false, fmt.Errorf("snowflake: no definition for a %s", o.Kind)
	}
	name := r.Object(o.Ref)
	if o.Kind == ir.KindProcedure {
		var args []string
		for _, a := range o.Procedure.Args {
			args = append(args, r.Type(a.Type))
		}
		name += "(" + strings.Join(args, ", ") + ")"
	}
	var text nullString
	err := db.QueryRowContext(ctx, fmt.Sprintf("SELECT GET_DDL(%s, %s)", r.Str(typ), r.Str(name))).Scan(&text)
	if isNoRows(err) || err != nil && w.NotFound != nil && w.NotFound(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return normalize(text.s), true, nil
}

// Canonical implements Warehouse.
func (w Snowflake) Canonical(_ context.Context, _ *sql.DB, r dialect.Renderer, f emit.File) (string, error) {
	if security[f.Object.Kind] {
		return w.securityCanonical(r, f)
	}
	if f.Object.Kind == ir.KindStage {
		return "URL " + f.Object.Stage.URL, nil
	}
	return normalize(f.Statements[0].SQL), nil
}

func (w Snowflake) schemaList(schemas []string) string {
	var out []string
	for _, s := range schemas {
		out = append(out, "'"+strings.ToUpper(strings.ReplaceAll(s, "'", "''"))+"'")
	}
	if len(out) == 0 {
		return "NULL"
	}
	return strings.Join(out, ", ")
}

// Tables implements Warehouse.
func (w Snowflake) Tables(ctx context.Context, db *sql.DB, schemas []string) (map[ir.Ref][]Column, error) {
	is := w.infoSchema()
	q := fmt.Sprintf(`SELECT c.TABLE_SCHEMA, c.TABLE_NAME, c.COLUMN_NAME, c.DATA_TYPE, c.IS_NULLABLE
FROM %s.COLUMNS c JOIN %s.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
WHERE t.TABLE_TYPE = 'BASE TABLE' AND c.TABLE_SCHEMA IN (%s)
ORDER BY c.TABLE_SCHEMA, c.TABLE_NAME, c.ORDINAL_POSITION`, is, is, w.schemaList(schemas))
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[ir.Ref][]Column{}
	for rows.Next() {
		var s, t, c, typ, nullable string
		if err := rows.Scan(&s, &t, &c, &typ, &nullable); err != nil {
			return nil, err
		}
		ref := ir.Ref{Schema: strings.ToLower(s), Name: strings.ToLower(t)}
		out[ref] = append(out[ref], Column{Name: strings.ToLower(c), Type: strings.ToUpper(typ), NotNull: nullable == "NO"})
	}
	return out, rows.Err()
}

// Views implements Warehouse.
func (w Snowflake) Views(ctx context.Context, db *sql.DB, schemas []string) (map[ir.Ref]bool, error) {
	q := fmt.Sprintf("SELECT TABLE_SCHEMA || '.' || TABLE_NAME FROM %s.VIEWS WHERE TABLE_SCHEMA IN (%s)", w.infoSchema(), w.schemaList(schemas))
	names, err := set(ctx, db, q)
	if err != nil {
		return nil, err
	}
	out := map[ir.Ref]bool{}
	for n := range names {
		s, v, _ := strings.Cut(n, ".")
		out[ir.Ref{Schema: s, Name: v}] = true
	}
	return out, nil
}

// Schemas implements Warehouse.
func (w Snowflake) Schemas(ctx context.Context, db *sql.DB) (map[string]bool, error) {
	return set(ctx, db, fmt.Sprintf("SELECT SCHEMA_NAME FROM %s.SCHEMATA", w.infoSchema()))
}

// Sequences implements Warehouse.
func (w Snowflake) Sequences(ctx context.Context, db *sql.DB) (map[string]bool, error) {
	return set(ctx, db, fmt.Sprintf("SELECT SEQUENCE_SCHEMA || '.' || SEQUENCE_NAME FROM %s.SEQUENCES", w.infoSchema()))
}
