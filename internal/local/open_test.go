package local

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDatabaseFilePrivate: the database file and its WAL are created mode
// 0600, and a file made readable by others before is made private again
// when opened.
func TestDatabaseFilePrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.duckdb")
	db, err := OpenDB(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE t (email VARCHAR); INSERT INTO t VALUES ('a@x.io')"); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range []string{path, path + ".wal"} {
		fi, err := os.Stat(f)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		checked++
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s: mode %o, want 600", filepath.Base(f), m)
		}
	}
	if checked == 0 {
		t.Fatal("no database file")
	}
	db.Close()
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err = OpenDB(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("reopened: mode %o, want 600", m)
	}
}
