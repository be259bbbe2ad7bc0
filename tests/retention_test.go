package tests

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/internal/local"
)

// rowsText reads a query's rows as text, one line per row.
func rowsText(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&b, vals...)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func execSQL(t *testing.T, db *sql.DB, q string) {
	t.Helper()
	if _, err := db.Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestRetentionPurge lands the scenario, ages part of what it wrote past
// the retention periods, and shows that the run's daily purge removes the
// RAW lines loaded more than a year ago and the curated rows no longer in
// force for more than seven years, while silver, gold and the history in
// force stay as they were; and that a run purges once a day, not at every
// pass.
func TestRetentionPurge(t *testing.T) {
	run := open(t, "testdata/spec")
	db := run.DB()
	landing := "testdata/scenario/landing"
	res := runOnce(t, run, landing)
	if res.Purge == nil || res.Purge.Rows != 0 {
		t.Fatalf("the first pass purges nothing but records the purge: %+v", res.Purge)
	}
	// Before any purge a replay of everything from RAW is allowed.
	if _, err := run.Replay(context.Background(), local.ReplayOptions{}); err != nil {
		t.Fatalf("replay before any purge: %v", err)
	}
	gold := `SELECT * FROM gold.customer_fields ORDER BY customer_id, field`
	observations := `SELECT * FROM silver.observations ORDER BY obs_seq`
	current := `SELECT * EXCLUDE (recorded_at) FROM gold.customer_master_history WHERE superseded_at IS NULL ORDER BY customer_id, valid_from`
	goldBefore, obsBefore, currentBefore := rowsText(t, db, gold), rowsText(t, db, observations), rowsText(t, db, current)
	app, crm := countOf(t, db, `SELECT COUNT(*) FROM raw.app_lines`), countOf(t, db, `SELECT COUNT(*) FROM raw.crm_lines`)
	if app == 0 || crm == 0 || obsBefore == "" || goldBefore == "" {
		t.Fatal("the scenario landed nothing")
	}

	// Every app line was loaded 400 days ago, and one crm line 365 days
	// ago (within the year); every check result and every version of the
	// history was written 3000 days ago.
	execSQL(t, db, `UPDATE raw.app_lines SET loaded_at = now() - INTERVAL 400 DAY`)
	execSQL(t, db, `UPDATE raw.crm_lines SET loaded_at = now() - INTERVAL 365 DAY WHERE load_seq = (SELECT MIN(load_seq) FROM raw.crm_lines)`)
	execSQL(t, db, `UPDATE dq.results SET checked_at = checked_at - INTERVAL 3000 DAY`)
	execSQL(t, db, `UPDATE ops.batches SET started_at = started_at - INTERVAL 3000 DAY`)
	// A belief superseded 3000 days ago: a copy of each current version.
	execSQL(t, db, `INSERT INTO gold.customer_master_versions
  SELECT * REPLACE (recorded_at - INTERVAL 3001 DAY AS recorded_at, recorded_at - INTERVAL 3000 DAY AS superseded_at)
  FROM gold.customer_master_history WHERE superseded_at IS NULL`)
	// and one superseded within the horizon.
	execSQL(t, db, `INSERT INTO gold.customer_master_versions
  SELECT * REPLACE (recorded_at - INTERVAL 11 DAY AS recorded_at, recorded_at - INTERVAL 10 DAY AS superseded_at)
  FROM gold.customer_master_history WHERE superseded_at IS NULL LIMIT 1`)
	results := countOf(t, db, `SELECT COUNT(*) FROM dq.results`)
	violations := countOf(t, db, `SELECT COUNT(*) FROM dq.violations`)
	if results == 0 || violations == 0 {
		t.Fatal("the scenario recorded no check results or violations to purge")
	}
	superseded := countOf(t, db, `SELECT COUNT(*) FROM gold.customer_master_history WHERE superseded_at IS NOT NULL`)

	// Within a day of the last purge, a pass purges nothing.
	if res := runOnce(t, run, landing); res.Purge != nil {
		t.Fatalf("a pass purged again within a day: %+v", res.Purge)
	}
	if n := countOf(t, db, `SELECT COUNT(*) FROM raw.app_lines`); n != app {
		t.Fatalf("app lines %d, want %d before the purge is due", n, app)
	}

	// A day later the pass purges.
	execSQL(t, db, `UPDATE ops.purges SET purged_at = purged_at - INTERVAL 25 HOUR`)
	res = runOnce(t, run, landing)
	if res.Purge == nil {
		t.Fatal("no purge a day after the last")
	}
	for _, c := range []struct {
		what string
		q    string
		want int64
	}{
		{"app lines", `SELECT COUNT(*) FROM raw.app_lines`, 0},
		{"crm lines", `SELECT COUNT(*) FROM raw.crm_lines`, crm},
		{"check results", `SELECT COUNT(*) FROM dq.results WHERE checked_at < now() - INTERVAL 2557 DAY`, 0},
		{"violations of old batches", `SELECT COUNT(*) FROM dq.violations`, 0},
		{"versions superseded past the horizon", `SELECT COUNT(*) FROM gold.customer_master_history WHERE superseded_at < now() - INTERVAL 2557 DAY`, 0},
		{"versions superseded within the horizon", `SELECT COUNT(*) FROM gold.customer_master_history WHERE superseded_at >= now() - INTERVAL 2557 DAY`, 1},
		{"purges recorded", `SELECT COUNT(*) FROM ops.purges`, 2},
	} {
		if n := countOf(t, db, c.q); n != c.want {
			t.Errorf("after the purge: %s = %d, want %d", c.what, n, c.want)
		}
	}
	left := countOf(t, db, `SELECT COUNT(*) FROM dq.results`)
	if want := app + results - left + violations + superseded - 1; res.Purge.Rows != want {
		t.Errorf("purge reports %d rows, want %d", res.Purge.Rows, want)
	}
	if got := rowsText(t, db, observations); got != obsBefore {
		t.Error("the purge changed silver.observations")
	}
	if got := rowsText(t, db, gold); got != goldBefore {
		t.Error("the purge changed gold.customer_fields")
	}
	if got := rowsText(t, db, current); got != currentBefore {
		t.Error("the purge changed the history in force")
	}

	// The purged lines' files stay in the load history: landing them again
	// loads nothing, and gold does not move.
	res = runOnce(t, run, landing)
	for _, f := range res.Loaded {
		if f.Skipped == "" && f.Lines > 0 {
			t.Errorf("%s/%s was loaded again after its lines were purged", f.Source, f.File)
		}
	}
	if got := rowsText(t, db, gold); got != goldBefore {
		t.Error("gold moved after the purge")
	}

	// Once lines are purged, a replay of everything from RAW is refused:
	// it would lose what the purged lines asserted.
	if _, err := run.Replay(context.Background(), local.ReplayOptions{}); !errors.Is(err, local.ErrPurged) {
		t.Fatalf("replay after the purge: %v, want ErrPurged", err)
	}
	if got := rowsText(t, db, gold); got != goldBefore {
		t.Error("a refused replay changed gold")
	}
}
