package local_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/generator/sample"
	"github.com/ledgerloop/trueup/internal/app"
	"github.com/ledgerloop/trueup/internal/local"
)

// TestOneSourceReachesReconcile: a batch in which only one source landed
// lines skips the other observe tasks and still reconciles, as the plan's
// NoneFailed condition on reconcile says (Snowflake skips a task after a
// skipped predecessor unless told otherwise).
func TestOneSourceReachesReconcile(t *testing.T) {
	p, err := generator.Compile("../../tests/testdata/spec")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Object(plan.ReconcileTask).Task.Predecessors; got != ir.NoneFailed {
		t.Fatalf("reconcile runs on %q, the local runner on NoneFailed", got)
	}
	ctx := context.Background()
	run, err := local.Open(ctx, "", p)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	landing := t.TempDir()
	if _, err := sample.Write(landing, app.SampleSources(p.Spec), sample.Options{Customers: 5, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	only := p.Spec.Sources[0]
	for _, src := range p.Spec.Sources[1:] {
		if err := os.RemoveAll(filepath.Join(landing, filepath.FromSlash(src.Landing))); err != nil {
			t.Fatal(err)
		}
	}
	res, err := run.RunOnce(ctx, landing)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, tr := range res.Batch.Tasks {
		states[tr.Task] = tr.State
	}
	for _, src := range p.Spec.Sources {
		want := "SKIPPED"
		if src.Name == only.Name {
			want = "SUCCEEDED"
		}
		if got := states[plan.ObserveTask(src.Name).String()]; got != want {
			t.Errorf("observe %s: %s, want %s", src.Name, got, want)
		}
	}
	for _, task := range []ir.Ref{plan.ReconcileTask, plan.FinalizerTask} {
		if got := states[task.String()]; got != "SUCCEEDED" {
			t.Errorf("%s: %s, want SUCCEEDED (%v)", task, got, res.Batch.Tasks)
		}
	}
	var n int
	if err := run.DB().QueryRow("SELECT COUNT(*) FROM gold.customer_fields").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Error("nothing reached gold")
	}
}
