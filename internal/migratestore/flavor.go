package migratestore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pressly/goose/v3/database"
)

// Flavor is what differs between warehouses in the version table and the
// deploy lock. Every method returns SQL text or names and runs nothing,
// except ListSQL, which may read the catalog to choose its query.
type Flavor interface {
	// Schema returns the qualified AUDIT schema of the project's database.
	Schema(database string) (string, error)
	// TableName spells an unquoted table name as the catalog keeps it.
	TableName(name string) string
	// CreateSQL creates the version table (statements separated by ";\n").
	CreateSQL(table string) string
	// ListSQL lists version_id, is_applied in the order goose's Store
	// contract wants: newest insertion first.
	ListSQL(ctx context.Context, db database.DBTxConn, table string) (string, error)
	// ExistsSQL is a query counting the version tables of schema, with
	// its arguments.
	ExistsSQL(schema string) (string, []any)
	// LockSetupSQL creates the lock's table and its one row when missing.
	LockSetupSQL(schema, table string) []string
	// LockTakeSQL is the conditional UPDATE taking the lock when it is
	// free or older than staleSecs; its arguments are the new token and
	// the holder's description.
	LockTakeSQL(table string, staleSecs int64) string
}

// DuckDB is the flavor of the local warehouse: one attached file, whose
// AUDIT schema is audit.
type DuckDB struct{}

// Snowflake is the flavor of Snowflake: the AUDIT schema of the project's
// database, names in upper case.
type Snowflake struct{}

var (
	_ Flavor = DuckDB{}
	_ Flavor = Snowflake{}
)

// Schema implements Flavor.
func (DuckDB) Schema(string) (string, error) { return "audit", nil }

// TableName implements Flavor.
func (DuckDB) TableName(name string) string { return name }

// CreateSQL implements Flavor. id comes from a sequence: insertion order,
// as on Snowflake. A version table created before it had no id; its rows
// are listed by time of insertion (tstamp is the inserting transaction's
// start).
func (DuckDB) CreateSQL(table string) string {
	return "CREATE SEQUENCE IF NOT EXISTS " + table + "_id_seq;\n" +
		"CREATE TABLE IF NOT EXISTS " + table + " (\n  id BIGINT DEFAULT nextval('" + table + "_id_seq'),\n  version_id BIGINT NOT NULL,\n  is_applied BOOLEAN NOT NULL,\n  tstamp TIMESTAMP DEFAULT now()\n)"
}

// ListSQL implements Flavor.
func (DuckDB) ListSQL(ctx context.Context, db database.DBTxConn, table string) (string, error) {
	var n int
	err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? AND column_name = 'id'", "audit", Table).Scan(&n)
	if err != nil {
		return "", err
	}
	order := "tstamp DESC, version_id DESC"
	if n > 0 {
		order = "id DESC"
	}
	return "SELECT version_id, is_applied FROM " + table + " ORDER BY " + order, nil
}

// ExistsSQL implements Flavor.
func (DuckDB) ExistsSQL(string) (string, []any) {
	return "SELECT COUNT(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?", []any{"audit", Table}
}

// LockSetupSQL implements Flavor.
func (DuckDB) LockSetupSQL(schema, table string) []string {
	return []string{
		"CREATE SCHEMA IF NOT EXISTS " + schema,
		"CREATE TABLE IF NOT EXISTS " + table + " (\n  lock_name VARCHAR PRIMARY KEY,\n  token VARCHAR,\n  locked_by VARCHAR,\n  locked_at TIMESTAMPTZ\n)",
		"INSERT INTO " + table + " (lock_name) VALUES ('deploy') ON CONFLICT DO NOTHING",
	}
}

// LockTakeSQL implements Flavor.
func (DuckDB) LockTakeSQL(table string, secs int64) string {
	return fmt.Sprintf("UPDATE %s SET token = ?, locked_by = current_user || ' ' || ?, locked_at = now()\n"+
		"WHERE lock_name = 'deploy' AND (token IS NULL OR locked_at < now() - to_seconds(%d))", table, secs)
}

// Schema implements Flavor: database is required.
func (Snowflake) Schema(database string) (string, error) {
	if database == "" {
		return "", errors.New("migratestore: snowflake needs the database name")
	}
	return strings.ToUpper(database) + ".AUDIT", nil
}

// TableName implements Flavor.
func (Snowflake) TableName(name string) string { return strings.ToUpper(name) }

// CreateSQL implements Flavor.
func (Snowflake) CreateSQL(table string) string {
	return "CREATE TABLE IF NOT EXISTS " + table + " (\n  ID NUMBER(38, 0) AUTOINCREMENT START 1 INCREMENT 1 ORDER,\n  VERSION_ID NUMBER(38, 0) NOT NULL,\n  IS_APPLIED BOOLEAN NOT NULL,\n  TSTAMP TIMESTAMP_LTZ DEFAULT CURRENT_TIMESTAMP()\n)"
}

// ListSQL implements Flavor. AUTOINCREMENT ... ORDER gives values that
// increase in insertion order
// (https://docs.snowflake.com/en/sql-reference/sql/create-table,
// AUTOINCREMENT | IDENTITY: ORDER | NOORDER).
func (Snowflake) ListSQL(_ context.Context, _ database.DBTxConn, table string) (string, error) {
	return "SELECT version_id, is_applied FROM " + table + " ORDER BY ID DESC", nil
}

// ExistsSQL implements Flavor.
func (Snowflake) ExistsSQL(schema string) (string, []any) {
	db, _, _ := strings.Cut(schema, ".")
	return "SELECT COUNT(*) FROM " + db + ".INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'AUDIT' AND TABLE_NAME = ?", []any{strings.ToUpper(Table)}
}

// LockSetupSQL implements Flavor.
func (Snowflake) LockSetupSQL(schema, table string) []string {
	return []string{
		"CREATE SCHEMA IF NOT EXISTS " + schema,
		"CREATE TABLE IF NOT EXISTS " + table + " (\n  LOCK_NAME VARCHAR NOT NULL,\n  TOKEN VARCHAR,\n  LOCKED_BY VARCHAR,\n  LOCKED_AT TIMESTAMP_LTZ\n)",
		"MERGE INTO " + table + " AS t USING (SELECT 'deploy' AS lock_name) AS s ON t.lock_name = s.lock_name\nWHEN NOT MATCHED THEN INSERT (lock_name) VALUES (s.lock_name)",
	}
}

// LockTakeSQL implements Flavor.
func (Snowflake) LockTakeSQL(table string, secs int64) string {
	return fmt.Sprintf("UPDATE %s SET token = ?, locked_by = CURRENT_USER() || ' ' || ?, locked_at = CURRENT_TIMESTAMP()\n"+
		"WHERE lock_name = 'deploy' AND (token IS NULL OR locked_at < DATEADD(SECOND, -%d, CURRENT_TIMESTAMP()))", table, secs)
}
