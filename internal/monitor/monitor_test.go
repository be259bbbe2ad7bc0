package monitor_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strings"
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
	p, err := generator.Compile("../../tests/testdata/spec")
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

// freshnessScenario fills a local log by hand. Eleven events, committed
// 10, 20, ..., 100 and 700 seconds before F (each asserting two fields: an
// event counts once), are observed at F-5s in batch b1, whose reconcile
// failed (F-4s..F-3s) although its finalizer ran; the next batch b2
// reconciles them (F-2s..F). A twelfth event is observed at F+60s, after
// every reconcile. refreshed is when the dynamic table last refreshed.
func freshnessScenario(t *testing.T, db *sql.DB, F, refreshed time.Time) {
	t.Helper()
	exec(t, db, "INSERT INTO ops.batches (batch_id, started_at, finished_at) VALUES ('b1', ?, ?), ('b2', ?, ?)",
		F.Add(-6*time.Second), F.Add(-3*time.Second), F.Add(-2*time.Second), F)
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
  ('b1', 'ops.task_observe_app', 'SUCCEEDED', ?, ?, NULL),
  ('b1', 'ops.task_reconcile', 'FAILED', ?, ?, 'step 2: boom'),
  ('b1', 'ops.task_finish', 'SUCCEEDED', ?, ?, NULL),
  ('b2', 'ops.task_root', 'SUCCEEDED', ?, ?, NULL),
  ('b2', 'ops.task_observe_app', 'SKIPPED', ?, ?, NULL),
  ('b2', 'ops.task_reconcile', 'SUCCEEDED', ?, ?, NULL),
  ('b0', 'ops.task_root', 'SUCCEEDED', ?, ?, NULL)`,
		F.Add(-6*time.Second), F.Add(-6*time.Second), F.Add(-6*time.Second), F.Add(-5*time.Second),
		F.Add(-4*time.Second), F.Add(-3*time.Second), F.Add(-3*time.Second), F.Add(-3*time.Second),
		F.Add(-2*time.Second), F.Add(-2*time.Second), F.Add(-2*time.Second), F.Add(-2*time.Second),
		F.Add(-2*time.Second), F, F.Add(-48*time.Hour), F.Add(-48*time.Hour))
	exec(t, db, "INSERT OR REPLACE INTO ops.dynamic_refreshes (name, batch_id, refreshed_at) VALUES ('gold.customer_master', 'b2', ?)", refreshed)
}

// TestFreshnessHandComputed: in freshnessScenario, the eleven events are
// visible at F, when b2's reconcile ended and the dynamic table had
// refreshed since; b1's finalizer publishes nothing. By hand, with linear
// interpolation between ranks (PERCENTILE_CONT): p50 = the 6th of 11 =
// 60 s; p95 = rank 9.5 = 100 + 0.5 * (700 - 100) = 400 s; max 700 s; 1
// event over the 10-minute target; the late event is unfinished.
func TestFreshnessHandComputed(t *testing.T) {
	run, p, r := openLocal(t)
	db := run.DB()
	F := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	freshnessScenario(t, db, F, F.Add(time.Second))
	rep, err := monitor.Run(context.Background(), monitor.Options{Target: "dev", DB: db, Source: monitor.Local{R: r, Plan: p}, R: r, Plan: p,
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
	if got["ops.task_root"].Succeeded != 2 || got["ops.task_reconcile"].Failed != 1 || got["ops.task_reconcile"].Succeeded != 1 || got["ops.task_observe_app"].Skipped != 1 {
		t.Errorf("tasks in the window: %+v (the run two days before is outside it)", rep.Tasks)
	}
	if len(rep.Failures) != 1 || rep.Failures[0].Error != "step 2: boom" || rep.Failures[0].Run != "b1" {
		t.Errorf("failures: %+v", rep.Failures)
	}
}

// TestFreshnessWaitsForReconcileAndRefresh: the same events are not in
// gold while no reconcile after them succeeded (b2's reconcile failed
// too), nor while the dynamic table has not refreshed since the reconcile
// that did.
func TestFreshnessWaitsForReconcileAndRefresh(t *testing.T) {
	F := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	for name, edit := range map[string]string{
		"reconcile failed":       "UPDATE ops.task_runs SET state = 'FAILED' WHERE task = 'ops.task_reconcile'",
		"dynamic table is stale": "UPDATE ops.dynamic_refreshes SET refreshed_at = refreshed_at - INTERVAL 10 SECOND",
	} {
		t.Run(name, func(t *testing.T) {
			run, p, r := openLocal(t)
			db := run.DB()
			freshnessScenario(t, db, F, F.Add(time.Second))
			exec(t, db, edit)
			rep, err := monitor.Run(context.Background(), monitor.Options{Target: "dev", DB: db, Source: monitor.Local{R: r, Plan: p}, R: r, Plan: p,
				Now: F.Add(time.Hour), Window: 24 * time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			if f := rep.Freshness; f.Events != 0 || f.Unfinished != 12 || len(rep.Notes) > 0 {
				t.Errorf("freshness %+v (notes %v), want 12 events not yet in gold", f, rep.Notes)
			}
		})
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
	rep, err := monitor.Run(context.Background(), monitor.Options{Target: "dev", DB: db, Source: monitor.Local{R: r, Plan: p}, R: r, Plan: p, Window: time.Hour})
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
	// The lags by hand: per event, the end of the first successful
	// reconcile that started after it was observed (the dynamic table is
	// refreshed right after) minus its commit time.
	type batch struct{ start, end time.Time }
	var batches []batch
	brows, err := db.Query(`SELECT CAST(timezone('UTC', started_at) AS TIMESTAMP), CAST(timezone('UTC', completed_at) AS TIMESTAMP)
FROM ops.task_runs WHERE task = 'ops.task_reconcile' AND state = 'SUCCEEDED' ORDER BY started_at`)
	if err != nil {
		t.Fatal(err)
	}
	for brows.Next() {
		var b batch
		if err := brows.Scan(&b.start, &b.end); err != nil {
			t.Fatal(err)
		}
		batches = append(batches, b)
	}
	if err := brows.Err(); err != nil {
		t.Fatal(err)
	}
	brows.Close()
	if len(batches) == 0 {
		t.Fatal("no successful reconcile task run")
	}
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
			if !b.start.Before(obs) {
				lags = append(lags, float64(b.end.Sub(ev).Milliseconds())/1000)
				break
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
	o := monitor.Options{Target: "dev", DB: db, Source: monitor.Local{R: r, Plan: p}, R: r, Plan: p, Window: time.Hour}
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

// TestMonitorJudgesOnlyWhatItReads: a target that cannot be reached is an
// error, and a window without events is not reported as fresh.
func TestMonitorJudgesOnlyWhatItReads(t *testing.T) {
	run, p, r := openLocal(t)
	db := run.DB()
	rep, err := monitor.Run(context.Background(), monitor.Options{Target: "dev", DB: db, Source: monitor.Local{R: r, Plan: p}, R: r, Plan: p, Window: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Freshness.Events != 0 || rep.Freshness.OK {
		t.Errorf("an empty window judged fresh: %+v", rep.Freshness)
	}
	run.Close()
	_, err = monitor.Run(context.Background(), monitor.Options{Target: "dev", DB: db, Source: monitor.Local{R: r, Plan: p}, R: r, Plan: p, Window: time.Hour})
	if err == nil || !strings.Contains(err.Error(), "cannot reach target dev") {
		t.Errorf("a closed database: %v", err)
	}
}
