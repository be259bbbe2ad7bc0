package migratestore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/pressly/goose/v3/database"

	"github.com/ledgerloop/trueup/internal/local"
	"github.com/ledgerloop/trueup/internal/migratestore"
)

// TestDuckDBStore runs the database.Store contract on DuckDB: a missing
// version is ErrVersionNotFound, versions list newest first.
func TestDuckDBStore(t *testing.T) {
	ctx := context.Background()
	db, err := local.OpenDB("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := migratestore.New("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := s.TableExists(ctx, db); err != nil || ok {
		t.Fatalf("exists before creation: %v %v", ok, err)
	}
	if err := s.CreateVersionTable(ctx, db); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.TableExists(ctx, db); !ok {
		t.Fatal("no version table after creation")
	}
	if _, err := s.GetLatestVersion(ctx, db); !errors.Is(err, database.ErrVersionNotFound) {
		t.Errorf("latest of an empty table: %v", err)
	}
	for _, v := range []int64{0, 1, 2} {
		if err := s.Insert(ctx, db, database.InsertRequest{Version: v}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.GetMigration(ctx, db, 7); !errors.Is(err, database.ErrVersionNotFound) {
		t.Errorf("missing version: %v", err)
	}
	if m, err := s.GetMigration(ctx, db, 2); err != nil || !m.IsApplied {
		t.Errorf("version 2: %+v %v", m, err)
	}
	if v, err := s.GetLatestVersion(ctx, db); err != nil || v != 2 {
		t.Errorf("latest: %d %v", v, err)
	}
	list, err := s.ListMigrations(ctx, db)
	if err != nil || len(list) != 3 || list[0].Version != 2 || list[2].Version != 0 {
		t.Errorf("list: %v %v", list, err)
	}
	if err := s.Delete(ctx, db, 2); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.GetLatestVersion(ctx, db); v != 1 {
		t.Errorf("latest after delete: %d", v)
	}
	if s.Tablename() != "audit.goose_db_version" {
		t.Errorf("table %s", s.Tablename())
	}
	sf, _ := migratestore.New("snowflake", "trueup")
	if sf.Tablename() != "TRUEUP.AUDIT.GOOSE_DB_VERSION" {
		t.Errorf("snowflake table %s", sf.Tablename())
	}
}
