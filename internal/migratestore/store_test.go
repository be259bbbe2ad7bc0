package migratestore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/pressly/goose/v3/database"

	"github.com/ledgerloop/trueup/internal/local"
	"github.com/ledgerloop/trueup/internal/migratestore"
)

func versions(list []*database.ListMigrationsResult) []int64 {
	var out []int64
	for _, m := range list {
		out = append(out, m.Version)
	}
	return out
}

// TestDuckDBStore runs the database.Store contract on DuckDB: a missing
// version is ErrVersionNotFound, versions list newest first.
func TestDuckDBStore(t *testing.T) {
	ctx := context.Background()
	db, err := local.OpenDB("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := migratestore.New(migratestore.DuckDB{}, "")
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
	for _, v := range []int64{0, 2, 1} {
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
	if err != nil || len(list) != 3 || list[0].Version != 1 || list[1].Version != 2 || list[2].Version != 0 {
		t.Errorf("list: %v %v (want the last inserted first: 1, 2, 0)", versions(list), err)
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
	sf, _ := migratestore.New(migratestore.Snowflake{}, "trueup")
	if sf.Tablename() != "TRUEUP.AUDIT.GOOSE_DB_VERSION" {
		t.Errorf("snowflake table %s", sf.Tablename())
	}
}

// TestDuckDBStoreWithoutID: a version table created before it had an id
// lists its rows by insertion time, the last inserted first.
func TestDuckDBStoreWithoutID(t *testing.T) {
	ctx := context.Background()
	db, err := local.OpenDB("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		"CREATE SCHEMA audit",
		"CREATE TABLE audit.goose_db_version (version_id BIGINT NOT NULL, is_applied BOOLEAN NOT NULL, tstamp TIMESTAMP DEFAULT now())",
		"INSERT INTO audit.goose_db_version VALUES (0, TRUE, TIMESTAMP '2026-01-01 10:00:00'), (3, TRUE, TIMESTAMP '2026-01-02 10:00:00'), (2, TRUE, TIMESTAMP '2026-01-03 10:00:00')",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	s, _ := migratestore.New(migratestore.DuckDB{}, "")
	list, err := s.ListMigrations(ctx, db)
	if got := versions(list); err != nil || len(got) != 3 || got[0] != 2 || got[1] != 3 || got[2] != 0 {
		t.Errorf("list %v %v, want 2, 3, 0", got, err)
	}
}
