package local

import (
	"database/sql"
	"fmt"
)

// OpenDB opens (or creates) a DuckDB database file (":memory:" or "" for
// an in-memory one) without creating anything in it: the database/sql
// handle a deploy target uses. Use Open to run the pipeline.
func OpenDB(path string) (*sql.DB, error) {
	return OpenDBWith(path, Options{})
}

// OpenDBWith is OpenDB with DuckDB's settings.
func OpenDBWith(path string, o Options) (*sql.DB, error) {
	if path == ":memory:" {
		path = ""
	}
	dsn, err := o.dsn(path)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("duckdb", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// One writer, as the runtime has.
	db.SetMaxOpenConns(1)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}
