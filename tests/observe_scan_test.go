package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/dialect/duckdb"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/generator/sample"
	"github.com/ledgerloop/trueup/internal/app"
	"github.com/ledgerloop/trueup/internal/local"
)

// TestObserveReadsTheBatchRange checks DESIGN.md section 11.1 for the
// observe statements: with SILVER.OBSERVATIONS holding a long history in
// event-time order, a small batch's statements read the rows of its range
// of event times, not the table, as DuckDB's profiler counts them.
func TestObserveReadsTheBatchRange(t *testing.T) {
	ctx := context.Background()
	p, err := generator.Compile("testdata/spec")
	if err != nil {
		t.Fatal(err)
	}
	run, err := local.Open(ctx, "", p)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	db := run.DB()
	// 27 months of history, 2024-01 to 2026-03, around the batch's month
	// (2026-01), every
	// source's label, one observation a minute; record keys, fields and
	// event ids spread over the whole range of the batch's, so that only
	// the event time can tell row groups apart.
	const history = 1200000
	if _, err := db.Exec(fmt.Sprintf(`INSERT INTO silver.observations (source, record_key, field, op, value, event_time, seq, sub_seq, event_id, order_key, load_seq, file_name, file_row, observed_at)
SELECT src, lo || i, lo || i, 'set', 'v', ts, 0, 0, lo || i, lo || i, 0, 'old.json', i, ts
FROM (
  SELECT *, CASE WHEN i %% 2 = 0 THEN '!' ELSE '~' END AS lo FROM (
  SELECT i, ['app', 'crm', 'billing', 'billing:subscription'][1 + i %% 4] AS src, TIMESTAMP '2024-01-01' + to_minutes(i) AS ts
  FROM range(%d) t(i)
  )
)
ORDER BY ts`, history)); err != nil {
		t.Fatal(err)
	}
	landing := t.TempDir()
	if _, err := sample.Write(landing, app.SampleSources(p.Spec), sample.Options{Customers: 10, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	if _, err := run.Load(ctx, landing); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE ` + duckdb.StreamOffsets + ` SET reading_to = 9223372036854775807`); err != nil {
		t.Fatal(err)
	}
	r := &duckdb.Renderer{}
	r.Configure(dialect.Settings{Database: p.Spec.Project.Database, Warehouse: p.Spec.Project.Warehouse})
	profile := filepath.Join(t.TempDir(), "profile.json")
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, q := range []string{`PRAGMA enable_profiling = 'json'`, `PRAGMA profiling_output = '` + profile + `'`} {
		if _, err := tx.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	statements := 0
	for _, src := range p.Spec.Sources {
		task := p.Object(plan.ObserveTask(src.Name))
		for _, sc := range task.Task.Scratch {
			if _, err := tx.Exec(r.CreateScratch(sc.Name, sc.Query(r))); err != nil {
				t.Fatalf("%s scratch %s: %v", task.Ref, sc.Name, err)
			}
		}
		for i, step := range task.Task.Steps {
			sql := step(r)
			body := sql
			if strings.HasPrefix(body, plan.StagePrefix) {
				body = body[strings.Index(body, "\n")+1:]
			}
			if !strings.HasPrefix(body, "INSERT INTO silver.observations") {
				continue
			}
			res, err := tx.Exec(sql)
			if err != nil {
				t.Fatalf("%s step %d: %v", task.Ref, i+1, err)
			}
			added, _ := res.RowsAffected()
			scanned := observationScans(t, profile)
			t.Logf("%s step %d: %d observations added, %d rows of silver.observations scanned (of %d)", task.Ref, i+1, added, scanned, history)
			if added == 0 || scanned > history/4 {
				t.Errorf("%s step %d: added %d, scanned %d rows of %d: want the batch's observations added and at most %d rows read", task.Ref, i+1, added, scanned, history, history/4)
			}
			statements++
		}
	}
	if statements != 4 {
		t.Errorf("%d observe statements, want 4 (app, crm, billing, billing:subscription)", statements)
	}
}

// observationScans sums the rows the scans of silver.observations read in
// the profile of the last statement.
func observationScans(t *testing.T, profile string) int64 {
	t.Helper()
	b, err := os.ReadFile(profile)
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(b, &root); err != nil {
		t.Fatal(err)
	}
	var n int64
	var walk func(op map[string]any)
	walk = func(op map[string]any) {
		if info, ok := op["extra_info"].(map[string]any); ok && op["operator_type"] == "TABLE_SCAN" && strings.HasSuffix(fmt.Sprint(info["Table"]), "silver.observations") {
			rows, _ := op["operator_rows_scanned"].(float64)
			n += int64(rows)
		}
		children, _ := op["children"].([]any)
		for _, c := range children {
			walk(c.(map[string]any))
		}
	}
	walk(root)
	return n
}
