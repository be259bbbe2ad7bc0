package migratestore_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/internal/local"
	"github.com/ledgerloop/trueup/internal/migratestore"
)

// TestDuckDBLock: two deploys on one database. The second is refused with
// who holds the lock and since when; once the first releases it, it can
// take it. A lock older than Stale is taken over, and its first holder is
// told, on release, that it lost it.
func TestDuckDBLock(t *testing.T) {
	ctx := context.Background()
	db, err := local.OpenDB("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, _ := migratestore.New(migratestore.DuckDB{}, "")
	first, second := s.Locker("alice@build-1 pid 10"), s.Locker("bob@laptop pid 20")
	if err := first.Lock(ctx, db); err != nil {
		t.Fatal(err)
	}
	err = second.Lock(ctx, db)
	if !errors.Is(err, migratestore.ErrLocked) || !strings.Contains(err.Error(), "another deploy holds the lock since ") ||
		!strings.Contains(err.Error(), " by ") || !strings.Contains(err.Error(), "alice@build-1 pid 10") {
		t.Fatalf("second lock: %v", err)
	}
	if err := first.Unlock(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := second.Lock(ctx, db); err != nil {
		t.Fatalf("after release: %v", err)
	}
	// The second deploy dies holding the lock; an hour later it is stale.
	if _, err := db.Exec("UPDATE audit.deploy_lock SET locked_at = locked_at - INTERVAL 2 HOUR"); err != nil {
		t.Fatal(err)
	}
	third := s.Locker("carol@ci pid 30")
	if err := third.Lock(ctx, db); err != nil {
		t.Fatalf("a stale lock is not taken over: %v", err)
	}
	if err := second.Unlock(ctx, db); !errors.Is(err, migratestore.ErrLockLost) {
		t.Errorf("release of a lock taken over: %v", err)
	}
	if err := third.Unlock(ctx, db); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM audit.deploy_lock WHERE token IS NULL").Scan(&n); err != nil || n != 1 {
		t.Errorf("lock rows after release: %d %v", n, err)
	}
}
