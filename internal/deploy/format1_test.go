package deploy_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ledgerloop/trueup/generator/emit"
	"github.com/ledgerloop/trueup/generator/migrations"
)

// TestDuckDBDeploysFormat1History: the repository's sql/ with its history
// as format 1 stored it when Snowflake was the only dialect (defaults
// rendered for Snowflake alone) deploys to DuckDB: every migration renders
// in DuckDB and runs, and the defaults draw from their sequences.
func TestDuckDBDeploysFormat1History(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, "../../models", filepath.Join(dir, "models"))
	copyDir(t, "../../sql", filepath.Join(dir, "sql"))
	migDir := filepath.Join(dir, "sql", migrations.Dir)
	old, err := os.ReadFile("../../generator/migrations/testdata/format1-snowflake.json")
	if err != nil {
		t.Fatal(err)
	}
	files, err := migrations.ReadDir(migDir)
	if err != nil {
		t.Fatal(err)
	}
	files[migrations.StateFile] = old
	delete(files, migrations.SumFile)
	for n, data := range map[string][]byte{migrations.StateFile: old, migrations.SumFile: emit.Sum(files)} {
		if err := os.WriteFile(filepath.Join(migDir, n), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d := load(t, dir)
	if d.State.Dialect != "snowflake" || len(d.Migrations) != len(d.State.Migrations) || len(d.Migrations) < 2 {
		t.Fatalf("history of %s: %d migrations rendered of %d", d.State.Dialect, len(d.Migrations), len(d.State.Migrations))
	}
	tg := duckTarget(t, filepath.Join(dir, "dev.duckdb"))
	apply(t, tg, d)
	if c := plan(t, tg, d); !c.Empty() {
		t.Fatalf("plan after deploy is not empty: %+v", c.Items)
	}
	ctx := context.Background()
	q := "INSERT INTO raw.app_lines (file_name, file_row) VALUES ('a.json', 1), ('a.json', 2)"
	if _, err := tg.DB.ExecContext(ctx, q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if n := count(t, tg.DB, "SELECT COUNT(DISTINCT load_seq) FROM raw.app_lines"); n != 2 {
		t.Errorf("%d distinct load_seq of 2 lines", n)
	}
}
