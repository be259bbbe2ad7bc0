package local_test

import (
	"context"
	"testing"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/sample"
	"github.com/ledgerloop/trueup/internal/app"
	"github.com/ledgerloop/trueup/internal/local"
)

// TestWorkAndScratchInMemory: a run reaches gold with the tasks' work
// tables and parsed lines in memory, writes no row to the database's work
// tables, and leaves no temporary table behind (a temporary table holds
// its memory until it is dropped).
func TestWorkAndScratchInMemory(t *testing.T) {
	p, err := generator.Compile("../../tests/testdata/spec")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	run, err := local.Open(ctx, t.TempDir()+"/t.duckdb", p)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	scratch := 0
	for _, o := range p.Tasks() {
		scratch += len(o.Task.Scratch)
	}
	if scratch != len(p.Spec.Sources) {
		t.Errorf("%d scratch relations, want one per source (%d): its parsed lines", scratch, len(p.Spec.Sources))
	}
	read := map[string]bool{}
	if err := run.SetProfile(func(sp local.StatementProfile) {
		for table := range sp.Tables {
			read[table] = true
		}
	}); err != nil {
		t.Fatal(err)
	}
	landing := t.TempDir()
	if _, err := sample.Write(landing, app.SampleSources(p.Spec), sample.Options{Customers: 5, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	for pass := 0; pass < 2; pass++ {
		if _, err := run.RunOnce(ctx, landing); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := run.DB().QueryRow("SELECT COUNT(*) FROM gold.customer_fields").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Error("nothing reached gold")
	}
	work := 0
	for _, o := range p.Objects {
		if o.Kind != ir.KindTable || !o.Transient {
			continue
		}
		work++
		if read[o.Ref.String()] {
			t.Errorf("a task read the database's work table %s, not its table in memory", o.Ref)
		}
		if !read["main."+o.Ref.Schema+"_"+o.Ref.Name] {
			t.Logf("no statement read %s in memory", o.Ref)
		}
		var rows int
		if err := run.DB().QueryRow("SELECT COUNT(*) FROM " + o.Ref.Schema + "." + o.Ref.Name).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows != 0 {
			t.Errorf("%s holds %d rows: a task wrote to the database's work table", o.Ref, rows)
		}
	}
	if !read["main.parsed_"+p.Spec.Sources[0].Name] {
		t.Errorf("no statement read the parsed lines of %s (read: %v)", p.Spec.Sources[0].Name, read)
	}
	if work == 0 {
		t.Fatal("the plan has no work table")
	}
	var temp int
	if err := run.DB().QueryRow("SELECT COUNT(*) FROM duckdb_tables() WHERE temporary").Scan(&temp); err != nil {
		t.Fatal(err)
	}
	if temp != 0 {
		t.Errorf("%d temporary tables left after the run", temp)
	}
}
