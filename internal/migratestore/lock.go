package migratestore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/pressly/goose/v3/lock"
)

// LockTable is the deploy lock's table name inside the AUDIT schema.
const LockTable = "deploy_lock"

// DefaultStale is how long a lock is honoured: a deploy that died without
// releasing its lock blocks the next ones for at most this long.
const DefaultStale = time.Hour

// ErrLocked is wrapped by Lock.Lock when another deploy holds the lock.
var ErrLocked = errors.New("another deploy holds the lock")

// ErrLockLost is wrapped by Lock.Unlock when the lock is no longer this
// deploy's (it went stale and another deploy took it over).
var ErrLockLost = errors.New("the deploy lock was taken over")

// Lock is the deploy lock of one warehouse: a table of one row, taken by a
// conditional UPDATE (the row is free, or its holder took it longer ago
// than Stale) and released by clearing it. It implements goose's
// lock.Locker, whose Lock and Unlock take a *sql.DB and need not share a
// connection; deploy holds it for the whole deploy, migrations and objects.
//
// goose's own lockers do not apply: its SessionLocker uses Postgres
// advisory locks (and MySQL's GET_LOCK), which neither Snowflake nor DuckDB
// has, and its table locker is written in Postgres SQL.
//
// On Snowflake, UPDATE, DELETE and MERGE statements on one table do not
// run in parallel (https://docs.snowflake.com/en/sql-reference/transactions,
// "Resource locking"): of two deploys that UPDATE the free row at once, the
// second runs after the first committed and no longer finds it free. The
// row is created by MERGE for the same reason: two concurrent INSERTs could
// both add it. A DuckDB file is opened by one process at a time; within it
// the UPDATE is transactional.
type Lock struct {
	flavor Flavor
	schema string
	table  string
	// Holder says who takes the lock (user, host, process), for the error
	// another deploy gets.
	Holder string
	// Stale is how old a lock may be before another deploy takes it over
	// (DefaultStale when zero).
	Stale time.Duration
	token string
}

var _ lock.Locker = (*Lock)(nil)

// Locker returns the deploy lock of the store's warehouse.
func (s *Store) Locker(holder string) *Lock {
	t := s.schema + "." + s.flavor.TableName(LockTable)
	return &Lock{flavor: s.flavor, schema: s.schema, table: t, Holder: holder}
}

// Table is the lock's qualified table.
func (l *Lock) Table() string { return l.table }

func (l *Lock) stale() time.Duration {
	if l.Stale <= 0 {
		return DefaultStale
	}
	return l.Stale
}

// Lock implements lock.Locker: it takes the lock or returns an error
// wrapping ErrLocked that says since when and by whom it is held.
func (l *Lock) Lock(ctx context.Context, db *sql.DB) error {
	for _, q := range l.setupSQL() {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("deploy lock %s: %w", l.table, err)
		}
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return fmt.Errorf("deploy lock: %w", err)
	}
	token := hex.EncodeToString(b)
	res, err := db.ExecContext(ctx, l.TakeSQL(), token, l.Holder)
	if err != nil {
		return fmt.Errorf("deploy lock %s: %w", l.table, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("deploy lock %s: %w", l.table, err)
	} else if n == 1 {
		l.token = token
		return nil
	}
	var by sql.NullString
	var at sql.NullTime
	err = db.QueryRowContext(ctx, "SELECT locked_by, locked_at FROM "+l.table+" WHERE lock_name = 'deploy'").Scan(&by, &at)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("deploy lock %s: %w", l.table, err)
	}
	since := "an unknown time"
	if at.Valid {
		since = at.Time.UTC().Format(time.RFC3339)
	}
	return fmt.Errorf("%w since %s by %s: wait for it to finish; a lock older than %s is taken over (to release it now: DELETE FROM %s)",
		ErrLocked, since, by.String, l.stale(), l.table)
}

// Unlock implements lock.Locker: it releases the lock this Lock took.
func (l *Lock) Unlock(ctx context.Context, db *sql.DB) error {
	if l.token == "" {
		return nil
	}
	res, err := db.ExecContext(ctx, "UPDATE "+l.table+" SET token = NULL, locked_by = NULL, locked_at = NULL WHERE lock_name = 'deploy' AND token = ?", l.token)
	if err != nil {
		return fmt.Errorf("release the deploy lock %s: %w", l.table, err)
	}
	l.token = ""
	if n, err := res.RowsAffected(); err == nil && n != 1 {
		return fmt.Errorf("release the deploy lock %s: %w", l.table, ErrLockLost)
	}
	return nil
}

// setupSQL creates the lock's table and its one row when missing.
func (l *Lock) setupSQL() []string { return l.flavor.LockSetupSQL(l.schema, l.table) }

// TakeSQL is the conditional UPDATE that takes the lock; its arguments are
// the new token and the holder's description.
func (l *Lock) TakeSQL() string {
	return l.flavor.LockTakeSQL(l.table, int64(l.stale()/time.Second))
}
