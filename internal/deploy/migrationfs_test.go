package deploy

import (
	"testing"
	"testing/fstest"
)

func TestMigrationFS(t *testing.T) {
	fsys := migrationFS{
		"00001_init.sql":  []byte("-- +goose Up\nCREATE SCHEMA a;\n"),
		"00002_table.sql": []byte("-- +goose Up\nCREATE TABLE a.t (x INT);\n"),
	}
	if err := fstest.TestFS(fsys, "00001_init.sql", "00002_table.sql"); err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(migrationFS{}); err != nil {
		t.Fatal(err)
	}
}
