package local

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/ledgerloop/trueup/internal/crypt"
)

// plannerSettings make every plan independent of the row estimates of
// tables written earlier in the same transaction (DuckDB estimates them at
// about zero rows): without them, an ASOF or inequality join over a work
// table filled in the same reconcile is planned as a nested loop and costs
// the product of its inputs.
var plannerSettings = []string{
	"SET asof_loop_join_threshold = 0",
	"SET nested_loop_join_threshold = 0",
	"SET merge_join_threshold = 0",
}

// connect opens the database named by dsn (a path with DuckDB's settings
// as parameters) with the planner settings applied to every connection
// database/sql makes.
func connect(dsn string, v *crypt.Vault) (*sql.DB, error) {
	c, err := duckdb.NewConnector(dsn, func(ex driver.ExecerContext) error {
		for _, s := range plannerSettings {
			if _, err := ex.ExecContext(context.Background(), s, nil); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(c)
	// One connection: a procedure's arguments are DuckDB variables (SET
	// VARIABLE), which only the connection that set them sees, and one
	// writer keeps load sequences monotonic. The running batch id is a row
	// of ops.current_batch, which every connection would see.
	db.SetMaxOpenConns(1)
	if err := RegisterFunctions(db, v); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// connectPing connects (connect) and makes DuckDB open the file at once,
// so that a file it cannot open fails here, named.
func connectPing(path, dsn string, v *crypt.Vault) (*sql.DB, error) {
	db, err := connect(dsn, v)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// OpenDB opens (or creates) a DuckDB database file (":memory:" or "" for
// an in-memory one) without creating anything in it: the database/sql
// handle a deploy target uses. Use Open to run the pipeline.
func OpenDB(path string) (*sql.DB, error) {
	return OpenDBWith(path, Options{})
}

// privateFiles makes the files the process creates from then on readable
// by their owner only (umask 077): the database file and its WAL, which
// DuckDB creates and re-creates itself, hold customer data. It is set once,
// for the process: trueup writes no file meant for others while a database
// is open.
var privateFiles sync.Once

// restrict applies privateFiles and makes an existing database file and
// its WAL mode 0600 (a database created before, or by another tool).
func restrict(path string) error {
	privateFiles.Do(func() { syscall.Umask(0o077) })
	for _, f := range []string{path, path + ".wal"} {
		if err := os.Chmod(f, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("open %s: make it private (mode 0600): %w", path, err)
		}
	}
	return nil
}

// OpenDBWith is OpenDB with DuckDB's settings.
func OpenDBWith(path string, o Options) (*sql.DB, error) { return openDB(path, o, nil) }

// openDB opens the database with its vault (nil: the sealing functions fail).
func openDB(path string, o Options, v *crypt.Vault) (*sql.DB, error) {
	if path == ":memory:" {
		path = ""
	}
	if path != "" {
		if err := restrict(path); err != nil {
			return nil, err
		}
	}
	dsn, err := o.dsn(path, false)
	if err != nil {
		return nil, err
	}
	return connectPing(path, dsn, v)
}

// ErrNoDatabase is returned when a database file to read does not exist.
var ErrNoDatabase = errors.New("database file does not exist (trueup run --local creates it)")

// OpenDBReadOnly opens an existing DuckDB database file read-only: the
// handle of the commands that only read (monitor, dq, explain). A path
// that does not exist is an error (ErrNoDatabase), never created; an
// in-memory database has nothing to read.
func OpenDBReadOnly(path string, o Options) (*sql.DB, error) { return openDBReadOnly(path, o, nil) }

func openDBReadOnly(path string, o Options, v *crypt.Vault) (*sql.DB, error) {
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("open %q: a read-only open needs a database file", path)
	}
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("open %s: %w", path, ErrNoDatabase)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("open %s: a folder, not a database file", path)
	}
	dsn, err := o.dsn(path, true)
	if err != nil {
		return nil, err
	}
	return connectPing(path, dsn, v)
}
