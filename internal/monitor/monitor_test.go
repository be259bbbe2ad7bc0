package monitor_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"testing"
	"time"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/migrations"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/internal/local"
	"github.com/ledgerloop/trueup/internal/monitor"
)

func openLocal(t *testing.T) (*local.Runner, *plan.Plan, dialect.Renderer) {
	t.Helper()
	p, err := generator.Compile("../../models")
	if err != nil {
		t.Fatal(err)
	}
	run, err := local.Open(context.Background(), "", p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	r, _ := dialect.Get("duckdb")
	r.Configure(migrations.Settings(p))
	return run, p, r
}

func exec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestFreshnessHandComputed: eleven events observed in one batch that
// finished at F, committed 10, 20, ..., 100 and 700 seconds before F (each
// asserting two fields: an event counts once), and one event observed after
// the batch (not yet in gold). By hand, with linear interpolation between
// ranks (PERCENTILE_CONT): p50 = the 6th of 11 = 60 s; p95 = rank 9.5 =
// 100 + 0.5 * (700 - 100) = 400 s; max 700 s; 1 event over the 10-minute
// target.
func TestFreshnessHandComputed(t *testing.T) {
	run, p, r := openLocal(t)
	db := run.DB()
	F := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	exec(t, db, "INSERT INTO ops.batches (batch_id, started_at, finished_at) VALUES ('b1', ?, ?)", F.Add(-30*time.Second), F)
	lags := []int{10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 700}
	ins := `INSERT INTO silver.observations (source, record_key, field, op, value, event_time, event_id, order_key, observed_at)
VALUES ('app', ?, ?, 'set', 'x', ?, ?, 'k', ?)`
	for i, lag := range lags {
		for _, field := range []string{"email", "seats"} {
			exec(t, db, ins, fmt.Sprint(i), field, F.Add(-time.Duration(lag)*time.Second), fmt.Sprintf("e%d", i), F.Add(-5*time.Second))
		}
	}
	exec(t, db, ins, "late", "email", F.Add(-time.Second), "e-late", F.Add(time.Minute))
	exec(t, db, `INSERT INTO ops.task_runs VALUES
  ('b1', 'ops.task_root', 'SUCCEEDED', ?, ?, NULL),
  ('b1', 'ops.task_reconcile', 'FAILED', ?, ?, 'step 2: boom'),
  ('b1', 'ops.task_observe_app', 'SKIPPED', ?, ?, NULL),
  ('b0', 'ops.task_root', 'SUCCEEDED', ?, ?, NULL)`,
		F.Add(-30*time.Second), F.Add(-29*time.Second), F.Add(-20*time.Second), F.Add(-10*time.Second),
		F.Add(-28*time.Second), F.Add(-28*time.Second), F.Add(-48*time.Hour), F.Add(-48*time.Hour))

	rep, err := monitor.Run(context.Background(), monitor.Options{Target: "dev", DB: db, Source: monitor.Local{R: r}, R: r, Plan: p,
		Now: F.Add(time.Hour), Window: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Notes) > 0 {
		t.Fatalf("notes: %v", rep.Notes)
	}
	f := rep.Freshness
	want := monitor.Freshness{Events: 11, Unfinished: 1, P50: 60, P95: 400, Max: 700, Target: 600, OverTarget: 1, OK: false}
	if f != want {
		t.Errorf("freshness %+v, want %+v", f, want)
	}
	got := map[string]monitor.Task{}
	for _, tk := range rep.Tasks {
		got[tk.Task] = tk
	}
	if got["ops.task_root"].Succeeded != 1 || got["ops.task_reconcile"].Failed != 1 || got["ops.task_observe_app"].Skipped != 1 {
		t.Errorf("tasks in the window: %+v (the run two days before is outside it)", rep.Tasks)
	}
	if len(rep.Failures) != 1 || rep.Failures[0].Error != "step 2: boom" || rep.Failures[0].Run != "b1" {
		t.Errorf("failures: %+v", rep.Failures)
	}
}

// TestMonitorLocalRun reads a real local run's log: every task run of the
// batch is counted, and freshness equals the lags computed here, in Go,
// from the same rows.
func TestMonitorLocalRun(t *testing.T) {
	run, p, r := openLocal(t)
	res, err := run.RunOnce(context.Background(), "../../tests/testdata/scenario/landing")
	if err != nil {
		t.Fatal(err)
	}
	db := run.DB()
	rep, err := monitor.Run(context.Background(), monitor.Options{Target: "dev", DB: db, Source: monitor.Local{R: r}, R: r, Plan: p, Window: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	var runs int64
	for _, tk := range rep.Tasks {
		runs += tk.Succeeded + tk.Failed + tk.Skipped + tk.Other
	}
	if runs != int64(len(res.Batch.Tasks)) || len(rep.Failures) != 0 {
		t.Errorf("%d task runs counted, the batch ran %d; failures %v", runs, len(res.Batch.Tasks), rep.Failures)
	}
	if len(rep.Loads) == 0 || len(rep.Conflicts) == 0 {
		t.Errorf("loads %v, conflicts %v", rep.Loads, rep.Conflicts)
	}
	// The lags by hand: per event, the end of the batch that observed it
	// minus its commit time.
	type batch struct{ start, end time.Time }
	var batches []batch
	brows, err := db.Query(`SELECT started_at, finished_at FROM ops.batches WHERE finished_at IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	for brows.Next() {
		var b batch
		brows.Scan(&b.start, &b.end)
		batches = append(batches, b)
	}
	brows.Close()
	// (One connection: the batches are read before the events.)
	rows, err := db.Query(`SELECT MIN(o.event_time), MIN(o.observed_at) FROM silver.observations o GROUP BY o.source, o.event_id`)
	if err != nil {
		t.Fatal(err)
	}
	var lags []float64
	for rows.Next() {
		var ev, obs time.Time
		if err := rows.Scan(&ev, &obs); err != nil {
			t.Fatal(err)
		}
		for _, b := range batches {
			if !obs.Before(b.start) && !obs.After(b.end) {
				lags = append(lags, float64(b.end.Sub(ev).Milliseconds())/1000)
			}
		}
	}
	rows.Close()
	sort.Float64s(lags)
	pct := func(q float64) float64 {
		x := q * float64(len(lags)-1)
		lo := int(math.Floor(x))
		hi := min(lo+1, len(lags)-1)
		return lags[lo] + (x-float64(lo))*(lags[hi]-lags[lo])
	}
	f := rep.Freshness
	if f.Events != int64(len(lags)) || len(lags) == 0 {
		t.Fatalf("%d events, want %d", f.Events, len(lags))
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"p50", f.P50, pct(0.5)}, {"p95", f.P95, pct(0.95)}, {"max", f.Max, lags[len(lags)-1]}} {
		if math.Abs(c.got-c.want) > 0.001 {
			t.Errorf("%s = %v s, by hand %v s", c.name, c.got, c.want)
		}
	}
}

// TestMonitorBackfill: a backfill under way is reported with what is left
// and since when; none is reported once it is done.
func TestMonitorBackfill(t *testing.T) {
	run, p, r := openLocal(t)
	db := run.DB()
	o := monitor.Options{Target: "dev", DB: db, Source: monitor.Local{R: r}, R: r, Plan: p, Window: time.Hour}
	rep, err := monitor.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Backfill != nil {
		t.Errorf("backfill %+v on an empty database", rep.Backfill)
	}
	exec(t, db, "INSERT INTO silver.backfill (customer_id, ruleset_version, queued_at) VALUES ('a', 'v2', TIMESTAMP '2026-03-01 10:00:00'), ('b', 'v2', TIMESTAMP '2026-03-01 10:00:00')")
	if rep, err = monitor.Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	want := monitor.Backfill{RulesetVersion: "v2", Left: 2, Since: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	if rep.Backfill == nil || *rep.Backfill != want {
		t.Errorf("backfill = %+v, want %+v", rep.Backfill, want)
	}
}
