// Package migratestore implements goose's database.Store (the version
// table) for the warehouses goose has no dialect for: Snowflake and DuckDB.
// Pass a store to goose.NewProvider with goose.DialectCustom and
// goose.WithStore. What differs between the warehouses is a Flavor
// (flavor.go); a warehouse's registration (internal/warehouse) names its
// flavor.
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
	flavor Flavor
	schema string // qualified schema, e.g. TRUEUP.AUDIT or audit
	table  string // qualified table
}

var _ database.StoreExtender = (*Store)(nil)

// New returns the version table of a warehouse of the given flavor in the
// project's database (a plain identifier; a flavor may ignore it, as
// DuckDB does, which uses the attached file).
func New(f Flavor, database string) (*Store, error) {
	schema, err := f.Schema(database)
	if err != nil {
		return nil, err
	}
	return &Store{flavor: f, schema: schema, table: schema + "." + f.TableName(Table)}, nil
}

// Tablename implements database.Store: the qualified version table.
func (s *Store) Tablename() string { return s.table }

// CreateVersionTable implements database.Store.
func (s *Store) CreateVersionTable(ctx context.Context, db database.DBTxConn) error {
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+s.schema); err != nil {
		return fmt.Errorf("create schema %s: %w", s.schema, err)
	}
	for _, q := range strings.Split(s.flavor.CreateSQL(s.table), ";\n") {
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
	q, err := s.flavor.ListSQL(ctx, db, s.table)
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
	q, args := s.flavor.ExistsSQL(s.schema)
	var n int64
	if err := db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return false, fmt.Errorf("check version table: %w", err)
	}
	return n > 0, nil
}
