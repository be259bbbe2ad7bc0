package duckdb_test

import (
	"database/sql"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/ledgerloop/trueup/generator/dialect/dialecttest"
	"github.com/ledgerloop/trueup/generator/dialect/duckdb"
	"github.com/ledgerloop/trueup/internal/crypt"
	"github.com/ledgerloop/trueup/internal/local"
)

// TestConformance runs the dialect conformance suite on an in-memory
// DuckDB database holding what the local runtime keeps for the
// fragments: its scalar functions, the running batch, the batch id
// argument and the load errors table (empty).
func TestConformance(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if err := local.RegisterFunctions(db, crypt.MemoryVault()); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		`CREATE SCHEMA ops`,
		`CREATE TABLE ` + duckdb.CurrentBatch + ` AS SELECT '` + dialecttest.Batch + `' AS batch_id`,
		`CREATE TABLE ` + duckdb.LoadErrors + ` (table_name VARCHAR NOT NULL, file_name VARCHAR NOT NULL, status VARCHAR NOT NULL, error_count BIGINT, first_error VARCHAR, seen_at TIMESTAMP)`,
		`SET VARIABLE ` + dialecttest.BatchParam + ` = '` + dialecttest.Batch + `'`,
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	dialecttest.Run(t, &duckdb.Renderer{}, dialecttest.Executing(db))
}
