package local

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ledgerloop/trueup/generator"
)

// TestOpenAddsNewColumns: a database written by an earlier version, whose
// tables lack columns the plan now has, opens with those columns added
// (nullable), as a migration would add them.
func TestOpenAddsNewColumns(t *testing.T) {
	p, err := generator.Compile("../../tests/testdata/spec")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "old.duckdb")
	run, err := Open(context.Background(), path, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"INSERT INTO silver.customer_queue (customer_id, from_time) VALUES ('c1', NULL)",
		"ALTER TABLE silver.customer_queue DROP COLUMN from_time",
		"ALTER TABLE silver.work_state_rows DROP COLUMN canon",
	} {
		if _, err := run.DB().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	run.Close()
	run, err = Open(context.Background(), path, p)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer run.Close()
	var id string
	var from any
	if err := run.DB().QueryRow("SELECT customer_id, from_time FROM silver.customer_queue").Scan(&id, &from); err != nil || id != "c1" || from != nil {
		t.Errorf("customer_queue after reopening: %q %v %v", id, from, err)
	}
	var n int
	if err := run.DB().QueryRow("SELECT COUNT(*) FROM duckdb_columns() WHERE schema_name = 'silver' AND table_name = 'work_state_rows' AND column_name = 'canon'").Scan(&n); err != nil || n != 1 {
		t.Errorf("work_state_rows.canon after reopening: %d %v", n, err)
	}
}
