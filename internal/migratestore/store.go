// Package migratestore implements goose's database.Store (the version
// table) for the warehouses goose has no dialect for: Snowflake and DuckDB.
// Pass a store to goose.NewProvider with goose.DialectCustom and
// goose.WithStore.
//
// The version table lives in the AUDIT schema of the project's database.
// CreateVersionTable creates that schema first, because goose creates the
// version table before the first migration (which creates the schemas)
// runs.
//
// Lock (lock.go) is the deploy lock beside it: one row taken with a
// conditional UPDATE, so that two deploys never run at once.
package migratestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pressly/goose/v3/database"
)

// Table is the version table's name inside the AUDIT schema.
const Table = "goose_db_version"

// Store is a goose version table in one warehouse.
type Store struct {
	flavor flavor
	schema string // qualified schema, e.g. TRUEUP.AUDIT or audit
	table  string // qualified table
}

var _ database.StoreExtender = (*Store)(nil)

// flavor is what differs between the warehouses.
type flavor struct {
	name      string
	createSQL func(table string) string
	// listSQL lists the versions in the order goose's Store contract
	// wants: newest insertion first.
	listSQL func(s *Store, ctx context.Context, db database.DBTxConn) (string, error)
	// existsSQL returns a query counting version tables, with its arguments.
	existsSQL func(s *Store) (string, []any)
}

var flavors = map[string]flavor{
	"duckdb": {
		name: "duckdb",
		// id comes from a sequence: insertion order, as on Snowflake. A
		// version table created before it had no id; its rows are listed by
		// time of insertion (tstamp is the inserting transaction's start).
		createSQL: func(table string) string {
			return "CREATE SEQUENCE IF NOT EXISTS " + table + "_id_seq;\n" +
				"CREATE TABLE IF NOT EXISTS " + table + " (\n  id BIGINT DEFAULT nextval('" + table + "_id_seq'),\n  version_id BIGINT NOT NULL,\n  is_applied BOOLEAN NOT NULL,\n  tstamp TIMESTAMP DEFAULT now()\n)"
		},
		listSQL: func(s *Store, ctx context.Context, db database.DBTxConn) (string, error) {
			var n int
			err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? AND column_name = 'id'", "audit", Table).Scan(&n)
			if err != nil {
				return "", err
			}
			order := "tstamp DESC, version_id DESC"
			if n > 0 {
				order = "id DESC"
			}
			return "SELECT version_id, is_applied FROM " + s.table + " ORDER BY " + order, nil
		},
		existsSQL: func(s *Store) (string, []any) {
			return "SELECT COUNT(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?", []any{"audit", Table}
		},
	},
	"snowflake": {
		name: "snowflake",
		createSQL: func(table string) string {
			return "CREATE TABLE IF NOT EXISTS " + table + " (\n  ID NUMBER(38, 0) AUTOINCREMENT START 1 INCREMENT 1 ORDER,\n  VERSION_ID NUMBER(38, 0) NOT NULL,\n  IS_APPLIED BOOLEAN NOT NULL,\n  TSTAMP TIMESTAMP_LTZ DEFAULT CURRENT_TIMESTAMP()\n)"
		},
		// AUTOINCREMENT ... ORDER gives values that increase in insertion
		// order (https://docs.snowflake.com/en/sql-reference/sql/create-table,
		// AUTOINCREMENT | IDENTITY: ORDER | NOORDER).
		listSQL: func(s *Store, _ context.Context, _ database.DBTxConn) (string, error) {
			return "SELECT version_id, is_applied FROM " + s.table + " ORDER BY ID DESC", nil
		},
		existsSQL: func(s *Store) (string, []any) {
			db, _, _ := strings.Cut(s.schema, ".")
			return "SELECT COUNT(*) FROM " + db + ".INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'AUDIT' AND TABLE_NAME = ?", []any{strings.ToUpper(Table)}
		},
	},
}

// New returns the store for a warehouse ("snowflake" or "duckdb"). For
// Snowflake, database is the project's database (a plain identifier);
// DuckDB uses the attached file and ignores it.
func New(warehouse, database string) (*Store, error) {
	f, ok := flavors[warehouse]
	if !ok {
		return nil, fmt.Errorf("migratestore: no version table for warehouse %q", warehouse)
	}
	s := &Store{flavor: f, schema: "audit", table: "audit." + Table}
	if warehouse == "snowflake" {
		if database == "" {
			return nil, errors.New("migratestore: snowflake needs the database name")
		}
		s.schema = strings.ToUpper(database) + ".AUDIT"
		s.table = s.schema + "." + strings.ToUpper(Table)
	}
	return s, nil
}

// Tablename implements database.Store: the qualified version table.
func (s *Store) Tablename() string { return s.table }

// CreateVersionTable implements database.Store.
func (s *Store) CreateVersionTable(ctx context.Context, db database.DBTxConn) error {
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+s.schema); err != nil {
		return fmt.Errorf("create schema %s: %w", s.schema, err)
	}
	for _, q := range strings.Split(s.flavor.createSQL(s.table), ";\n") {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("create version table %s: %w", s.table, err)
		}
	}
	return nil
}

// Insert implements database.Store.
func (s *Store) Insert(ctx context.Context, db database.DBTxConn, req database.InsertRequest) error {
	q := "INSERT INTO " + s.table + " (version_id, is_applied) VALUES (?, TRUE)"
	if _, err := db.ExecContext(ctx, q, req.Version); err != nil {
		return fmt.Errorf("insert version %d: %w", req.Version, err)
	}
	return nil
}

// Delete implements database.Store.
func (s *Store) Delete(ctx context.Context, db database.DBTxConn, version int64) error {
	if _, err := db.ExecContext(ctx, "DELETE FROM "+s.table+" WHERE version_id = ?", version); err != nil {
		return fmt.Errorf("delete version %d: %w", version, err)
	}
	return nil
}

// GetMigration implements database.Store.
func (s *Store) GetMigration(ctx context.Context, db database.DBTxConn, version int64) (*database.GetMigrationResult, error) {
	q := "SELECT tstamp, is_applied FROM " + s.table + " WHERE version_id = ? ORDER BY tstamp DESC LIMIT 1"
	var res database.GetMigrationResult
	var ts sql.NullTime
	err := db.QueryRowContext(ctx, q, version).Scan(&ts, &res.IsApplied)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %d", database.ErrVersionNotFound, version)
	}
	if err != nil {
		return nil, fmt.Errorf("get version %d: %w", version, err)
	}
	res.Timestamp = ts.Time
	if !ts.Valid {
		res.Timestamp = time.Time{}
	}
	return &res, nil
}

// GetLatestVersion implements database.Store.
func (s *Store) GetLatestVersion(ctx context.Context, db database.DBTxConn) (int64, error) {
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT MAX(version_id) FROM "+s.table).Scan(&v); err != nil {
		return -1, fmt.Errorf("get latest version: %w", err)
	}
	if !v.Valid {
		return -1, fmt.Errorf("latest version: %w", database.ErrVersionNotFound)
	}
	return v.Int64, nil
}

// ListMigrations implements database.Store: the rows in the order goose's
// contract (database/store.go of goose v3) asks, "sorted in descending
// order by id or timestamp": the last inserted first, which is not the
// highest version when a migration was applied out of order.
func (s *Store) ListMigrations(ctx context.Context, db database.DBTxConn) ([]*database.ListMigrationsResult, error) {
	q, err := s.flavor.listSQL(s, ctx, db)
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	defer rows.Close()
	out := []*database.ListMigrationsResult{}
	for rows.Next() {
		var r database.ListMigrationsResult
		if err := rows.Scan(&r.Version, &r.IsApplied); err != nil {
			return nil, fmt.Errorf("list migrations: %w", err)
		}
		out = append(out, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	return out, nil
}

// TableExists implements database.StoreExtender, reading the warehouse's
// catalog so that checking never fails on a missing table.
func (s *Store) TableExists(ctx context.Context, db database.DBTxConn) (bool, error) {
	q, args := s.flavor.existsSQL(s)
	var n int64
	if err := db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return false, fmt.Errorf("check version table: %w", err)
	}
	return n > 0, nil
}
