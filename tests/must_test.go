package tests

import (
	"database/sql"
	"os"
	"strings"
	"testing"
)

// The helpers here fail the test when a query or a step of its setup
// fails: a check that reads a zero left by a failed query, or a spec edit
// that matched nothing, would otherwise pass without testing anything.

// countOf returns the one integer q selects.
func countOf(t *testing.T, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// editFile replaces the first old in the file at path with new; the old
// text must be there.
func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s: %q is not in the file", path, old)
	}
	writeFile(t, path, strings.Replace(string(data), old, new, 1))
}

// writeFile writes data to the file at path.
func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
