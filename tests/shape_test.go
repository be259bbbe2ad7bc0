package tests

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/generator/sample"
	"github.com/ledgerloop/trueup/internal/app"
	"github.com/ledgerloop/trueup/internal/local"
)

// Shape of the work per batch (DESIGN.md §11.1): a small batch on a larger
// state must read rows in proportion to the batch, not to the state.
const (
	shapeCustomers = 2500 // customers of the state
	shapeBatch     = 200  // lines of the batch
	// shapeFactor bounds each reconcile statement's rows read by
	// shapeFactor × the batch's lines: room for the observations of each
	// line (one per field and source record) and the whole history of the
	// customers a line touches (a late event re-resolves it all: about 80
	// rows a customer in every layer of this state), and a fraction of
	// what a scan of a whole SILVER or GOLD table of the state reads.
	// TRUEUP_SHAPE_FACTOR overrides it.
	shapeFactor = 100
)

// TestReconcileReadsBoundedByBatch runs a state, then a small batch on it
// with the profiler on, and checks that every statement of the reconcile
// task reads (rows emitted by its table scans) at most a bound
// proportional to the batch. Each offending statement is named with its
// rows read and the tables it read them from.
//
// Gated behind TRUEUP_SHAPE_TEST=1 until the reconcile SQL is bounded by
// the batch.
func TestReconcileReadsBoundedByBatch(t *testing.T) {
	if os.Getenv("TRUEUP_SHAPE_TEST") != "1" {
		t.Skip("set TRUEUP_SHAPE_TEST=1 to check that reconcile statements read rows bounded by the batch")
	}
	factor := float64(shapeFactor)
	if s := os.Getenv("TRUEUP_SHAPE_FACTOR"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f <= 0 {
			t.Fatalf("TRUEUP_SHAPE_FACTOR %q: want a positive number", s)
		}
		factor = f
	}
	p, err := generator.Compile("testdata/spec")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	srcs := app.SampleSources(p.Spec)
	state, batch := filepath.Join(dir, "state"), filepath.Join(dir, "batch")
	if _, err := sample.Write(state, srcs, sample.Options{Mode: sample.ModeState, Customers: shapeCustomers, Seed: 3, EventsPerCustomer: 4, ConflictRate: 0.1}); err != nil {
		t.Fatal(err)
	}
	if _, err := sample.Write(batch, srcs, sample.Options{Mode: sample.ModeBatch, Customers: shapeCustomers, Seed: 3, Events: shapeBatch,
		LateShare: 0.05, DuplicateShare: 0.02, ConflictRate: 0.1}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	run, err := local.Open(ctx, filepath.Join(dir, "shape.duckdb"), p)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	start := time.Now()
	if _, err := run.RunOnce(ctx, state); err != nil {
		t.Fatal(err)
	}
	t.Logf("state: %d customers in %s", shapeCustomers, time.Since(start).Round(time.Millisecond))

	var reconcile []local.StatementProfile
	if err := run.SetProfile(func(sp local.StatementProfile) {
		if sp.Task == plan.ReconcileTask.String() {
			sp.SQL = ""
			reconcile = append(reconcile, sp)
		}
	}); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	if _, err := run.RunOnce(ctx, batch); err != nil {
		t.Fatal(err)
	}
	t.Logf("batch: %d lines in %s", shapeBatch, time.Since(start).Round(time.Millisecond))
	if len(reconcile) == 0 {
		t.Fatal("the profiler reported no statement of the reconcile task")
	}
	bound := int64(factor * shapeBatch)
	var total int64
	type offender struct {
		sp   local.StatementProfile
		line string
	}
	var over []offender
	for _, sp := range reconcile {
		total += sp.RowsRead
		line := fmt.Sprintf("step %2d %-10s %9d rows read %s  %s", sp.Step, sp.Stage, sp.RowsRead, tables(sp), sp.Head)
		t.Log(line)
		if sp.RowsRead > bound {
			over = append(over, offender{sp, line})
		}
	}
	t.Logf("reconcile: %d statements, %d rows read in all, bound per statement %d (%g × %d lines)", len(reconcile), total, bound, factor, shapeBatch)
	for _, o := range over {
		t.Errorf("reads more than %d rows for a batch of %d lines on %d customers: %s%s", bound, shapeBatch, shapeCustomers, o.line, wholeTables(run, o.sp))
	}
}

// wholeTables names the tables of 100 rows or more that a statement read
// (nearly) all the rows of, as they are after the batch (work tables are
// empty by then).
func wholeTables(run *local.Runner, sp local.StatementProfile) string {
	var out []string
	for _, tr := range sp.SortedTables() {
		var n int64
		if tr.Rows == 0 || run.DB().QueryRow("SELECT COUNT(*) FROM "+tr.Table).Scan(&n) != nil {
			continue
		}
		if n >= 100 && tr.Rows*10 >= n*9 {
			out = append(out, fmt.Sprintf("%s (%d of its %d rows)", tr.Table, tr.Rows, n))
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "; reads whole tables: " + strings.Join(out, ", ")
}

// tables lists the tables a statement read most from.
func tables(sp local.StatementProfile) string {
	var parts []string
	for i, tr := range sp.SortedTables() {
		if i == 3 || tr.Rows == 0 {
			break
		}
		parts = append(parts, fmt.Sprintf("%s=%d", tr.Table, tr.Rows))
	}
	return "[" + strings.Join(parts, " ") + "]"
}
