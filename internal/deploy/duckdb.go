package deploy

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"

	"github.com/pressly/goose/v3/database"
	"github.com/pressly/goose/v3/lock"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/dialect/duckdb"
	"github.com/ledgerloop/trueup/generator/emit"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/internal/migratestore"
)

// DuckDB is the local warehouse: its catalog functions (duckdb_views(),
// duckdb_tables(), duckdb_columns()) are read back. DuckDB stores a view as
// its own rendering of the parsed query, so the desired query is rendered
// the same way (json_serialize_sql / json_deserialize_sql) before the two
// are compared. A dynamic table is a table the runtime recreates from its
// query: its columns are compared with what the query returns (DESCRIBE).
type DuckDB struct{}

var _ Warehouse = DuckDB{}

// Dialect implements Warehouse.
func (DuckDB) Dialect() string { return duckdb.Name }

// Store implements Warehouse.
func (DuckDB) Store() (database.Store, error) { return migratestore.New(migratestore.DuckDB{}, "") }

// Locker implements Warehouse.
func (DuckDB) Locker(holder string) (lock.Locker, error) {
	s, err := migratestore.New(migratestore.DuckDB{}, "")
	if err != nil {
		return nil, err
	}
	return s.Locker(holder), nil
}

// CurrentUser implements Warehouse.
func (DuckDB) CurrentUser() string { return "current_user" }

// HasTasks implements Warehouse: the local runtime plays tasks itself.
func (DuckDB) HasTasks() bool { return false }

// SuspendTask implements Warehouse.
func (DuckDB) SuspendTask(string) string { return "" }

// ResumeTasks implements Warehouse.
func (DuckDB) ResumeTasks(dialect.Renderer, ir.Ref) string { return "" }

// RuntimeTables implements Warehouse: the local runtime's bookkeeping
// (internal/local and the DuckDB dialect create these beside the plan's
// tables) and the version table.
func (DuckDB) RuntimeTables() []ir.Ref {
	return []ir.Ref{{Schema: "ops", Name: "load_history"}, {Schema: "ops", Name: "task_runs"},
		{Schema: "ops", Name: "dynamic_refreshes"}, {Schema: "ops", Name: "stream_offsets"},
		{Schema: "ops", Name: "current_batch"}, {Schema: "ops", Name: "load_errors"}, {Schema: "audit", Name: migratestore.Table},
		{Schema: "audit", Name: migratestore.LockTable}}
}

var duckTypes = map[string]string{"text": "VARCHAR", "long_text": "VARCHAR", "int": "BIGINT", "decimal": "DECIMAL(38,0)", "float": "DOUBLE",
	"bool": "BOOLEAN", "timestamp": "TIMESTAMP", "timestamp_tz": "TIMESTAMP WITH TIME ZONE", "json": "JSON"}

// TypeName implements Warehouse.
func (DuckDB) TypeName(neutral string) string { return duckTypes[neutral] }

var duckView = regexp.MustCompile(`(?s)^CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+.+?\s+AS\s+(.*?);?\s*$`)

// Definition implements Warehouse.
func (w DuckDB) Definition(ctx context.Context, db *sql.DB, r dialect.Renderer, f emit.File) (string, bool, error) {
	ref := f.Object.Ref
	switch f.Object.Kind {
	case ir.KindView:
		var text string
		err := db.QueryRowContext(ctx, `SELECT sql FROM duckdb_views() WHERE schema_name = ? AND view_name = ? AND NOT internal AND NOT temporary`,
			ref.Schema, ref.Name).Scan(&text)
		if isNoRows(err) {
			return "", false, nil
		}
		if err != nil {
			return "", false, err
		}
		m := duckView.FindStringSubmatch(text)
		if m == nil {
			return normalize(text), true, nil
		}
		return normalize(m[1]), true, nil
	case ir.KindDynamicTable:
		cols, err := w.Tables(ctx, db, []string{ref.Schema})
		if err != nil {
			return "", false, err
		}
		c, ok := cols[ref]
		if !ok {
			return "", false, nil
		}
		return columnLines(c), true, nil
	case ir.KindStream:
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM duckdb_tables() WHERE schema_name = 'ops' AND table_name = 'stream_offsets'`).Scan(&n); err != nil {
			return "", false, err
		}
		if n == 0 {
			return "", false, nil
		}
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+duckdb.StreamOffsets+` WHERE stream_name = ?`, ref.String()).Scan(&n); err != nil {
			return "", false, err
		}
		if n == 0 {
			return "", false, nil
		}
		return "stream " + ref.String(), true, nil
	}
	return "", false, fmt.Errorf("duckdb: no definition for a %s", f.Object.Kind)
}

// Canonical implements Warehouse.
func (w DuckDB) Canonical(ctx context.Context, db *sql.DB, r dialect.Renderer, f emit.File) (string, error) {
	switch f.Object.Kind {
	case ir.KindView:
		var text string
		if err := db.QueryRowContext(ctx, `SELECT json_deserialize_sql(json_serialize_sql(CAST(? AS VARCHAR)))`, f.Object.Query(r)).Scan(&text); err != nil {
			return "", fmt.Errorf("render the query as duckdb does: %w", err)
		}
		return normalize(text), nil
	case ir.KindDynamicTable:
		rows, err := db.QueryContext(ctx, "DESCRIBE ("+f.Object.Query(r)+")")
		if err != nil {
			return "", fmt.Errorf("%w: its query does not run yet (%s)", ErrCannotCompare, firstLineOf(err.Error()))
		}
		defer rows.Close()
		var cols []Column
		for rows.Next() {
			var name, typ string
			var null, key, def, extra sql.NullString
			if err := rows.Scan(&name, &typ, &null, &key, &def, &extra); err != nil {
				return "", err
			}
			cols = append(cols, Column{Name: strings.ToLower(name), Type: strings.ToUpper(typ)})
		}
		return columnLines(cols), rows.Err()
	case ir.KindStream:
		return "stream " + f.Object.Ref.String(), nil
	}
	return "", fmt.Errorf("duckdb: no definition for a %s", f.Object.Kind)
}

// Tables implements Warehouse.
func (DuckDB) Tables(ctx context.Context, db *sql.DB, schemas []string) (map[ir.Ref][]Column, error) {
	q := `SELECT c.schema_name, c.table_name, c.column_name, c.data_type, c.is_nullable
FROM duckdb_columns() c JOIN duckdb_tables() t ON t.table_oid = c.table_oid
WHERE NOT c.internal AND t.database_name = current_database() AND NOT t.temporary AND c.schema_name IN (` + placeholders(len(schemas)) + `)
ORDER BY c.schema_name, c.table_name, c.column_index`
	rows, err := db.QueryContext(ctx, q, anys(schemas)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[ir.Ref][]Column{}
	for rows.Next() {
		var s, t, c, typ string
		var nullable bool
		if err := rows.Scan(&s, &t, &c, &typ, &nullable); err != nil {
			return nil, err
		}
		ref := ir.Ref{Schema: strings.ToLower(s), Name: strings.ToLower(t)}
		out[ref] = append(out[ref], Column{Name: strings.ToLower(c), Type: strings.ToUpper(typ), NotNull: !nullable})
	}
	return out, rows.Err()
}

// Views implements Warehouse.
func (DuckDB) Views(ctx context.Context, db *sql.DB, schemas []string) (map[ir.Ref]bool, error) {
	rows, err := db.QueryContext(ctx, `SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal AND NOT temporary AND database_name = current_database() AND schema_name IN (`+placeholders(len(schemas))+`)`, anys(schemas)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[ir.Ref]bool{}
	for rows.Next() {
		var s, v string
		if err := rows.Scan(&s, &v); err != nil {
			return nil, err
		}
		out[ir.Ref{Schema: strings.ToLower(s), Name: strings.ToLower(v)}] = true
	}
	return out, rows.Err()
}

// Schemas implements Warehouse.
func (DuckDB) Schemas(ctx context.Context, db *sql.DB) (map[string]bool, error) {
	return set(ctx, db, `SELECT schema_name FROM duckdb_schemas() WHERE database_name = current_database()`)
}

// Sequences implements Warehouse.
func (DuckDB) Sequences(ctx context.Context, db *sql.DB) (map[string]bool, error) {
	return set(ctx, db, `SELECT schema_name || '.' || sequence_name FROM duckdb_sequences() WHERE database_name = current_database() AND NOT temporary`)
}

func set(ctx context.Context, db *sql.DB, q string, args ...any) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out[strings.ToLower(s)] = true
	}
	return out, rows.Err()
}

func placeholders(n int) string {
	if n == 0 {
		return "NULL"
	}
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// columnLines writes columns one a line, as drift and plan diff them.
func columnLines(cols []Column) string {
	var b strings.Builder
	for i, c := range cols {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(c.Name + " " + c.Type)
		if c.NotNull {
			b.WriteString(" NOT NULL")
		}
	}
	return b.String()
}

func firstLineOf(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
