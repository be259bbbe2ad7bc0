package local_test

import (
	"context"
	"testing"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/generator/sample"
	"github.com/ledgerloop/trueup/internal/app"
	"github.com/ledgerloop/trueup/internal/local"
)

// TestProfile runs a tiny landing with profiling on and checks that every
// task statement and every loaded file is reported with its stage and the
// rows its scans read, and that the settings reach DuckDB.
func TestProfile(t *testing.T) {
	p, err := generator.Compile("../../tests/testdata/spec")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	run, err := local.OpenWith(ctx, "", p, local.Options{MemoryLimit: "1GB", Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	var limit string
	var threads int
	if err := run.DB().QueryRow("SELECT current_setting('memory_limit'), current_setting('threads')").Scan(&limit, &threads); err != nil {
		t.Fatal(err)
	}
	if threads != 1 || limit == "" {
		t.Errorf("settings: memory_limit %q, threads %d; want 1 thread", limit, threads)
	}
	var got []local.StatementProfile
	if err := run.SetProfile(func(sp local.StatementProfile) { got = append(got, sp) }); err != nil {
		t.Fatal(err)
	}
	landing := t.TempDir()
	if _, err := sample.Write(landing, app.SampleSources(p.Spec), sample.Options{Customers: 5, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := run.RunOnce(ctx, landing); err != nil {
		t.Fatal(err)
	}
	stages := map[string]int{}
	var loadRows, reconcileRead int64
	for _, sp := range got {
		stages[sp.Stage]++
		if sp.Wall <= 0 {
			t.Errorf("%s step %d: no wall time", sp.Task, sp.Step)
		}
		switch sp.Stage {
		case local.StageLoad:
			loadRows += sp.Rows
		case local.StageObserve, local.StageOps, local.StageCommit:
		default:
			reconcileRead += sp.RowsRead
			if sp.Task != plan.ReconcileTask.String() {
				t.Errorf("%s step %d: stage %q outside the reconcile task", sp.Task, sp.Step, sp.Stage)
			}
		}
		var sum int64
		for _, n := range sp.Tables {
			sum += n
		}
		if sum != sp.RowsRead {
			t.Errorf("%s step %d: tables add up to %d, rows read %d", sp.Task, sp.Step, sum, sp.RowsRead)
		}
	}
	if stages[local.StageLoad] == 0 || stages[local.StageObserve] == 0 || loadRows == 0 || reconcileRead == 0 {
		t.Errorf("stages %v, %d lines loaded, %d rows read by reconcile", stages, loadRows, reconcileRead)
	}
	if err := run.SetProfile(nil); err != nil {
		t.Fatal(err)
	}
}

func TestStageOf(t *testing.T) {
	p, err := generator.Compile("../../tests/testdata/spec")
	if err != nil {
		t.Fatal(err)
	}
	rec := p.Object(plan.ReconcileTask)
	obs := p.Object(plan.ObserveTask("app"))
	root := p.Object(plan.RootTask)
	for _, c := range []struct {
		name, sql, want string
	}{
		{"comment", "-- stage: crosswalk\nINSERT INTO x SELECT 1", "crosswalk"},
		{"reconcile", "INSERT INTO x SELECT 1", local.StageReconcile},
		{"observe", "INSERT INTO x SELECT 1", local.StageObserve},
		{"root", "INSERT INTO x SELECT 1", local.StageOps},
	} {
		o := rec
		switch c.name {
		case "observe":
			o = obs
		case "root":
			o = root
		}
		if got := local.StageOf(o, c.sql); got != c.want {
			t.Errorf("%s: stage %q, want %q", c.name, got, c.want)
		}
	}
}
