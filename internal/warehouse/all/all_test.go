package all_test

import (
	"slices"
	"testing"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/generator/spec"
	"github.com/ledgerloop/trueup/internal/config"
	"github.com/ledgerloop/trueup/internal/migratestore"
	"github.com/ledgerloop/trueup/internal/warehouse"
	_ "github.com/ledgerloop/trueup/internal/warehouse/all"
)

// TestEveryTypeHasOneDriver checks that the target types trueup.yaml
// accepts and the registered drivers are the same set: Register refuses a
// second driver of a type and a type config does not know, so equal sets
// mean exactly one driver per type.
func TestEveryTypeHasOneDriver(t *testing.T) {
	if got, want := warehouse.Types(), config.Types(); !slices.Equal(got, want) {
		t.Fatalf("registered drivers %v, config target types %v", got, want)
	}
	for _, typ := range config.Types() {
		if _, err := warehouse.Lookup(typ); err != nil {
			t.Error(err)
		}
	}
	if _, err := warehouse.Lookup("postgres"); err == nil {
		t.Error("Lookup of an unknown type succeeded")
	}
}

// TestDriversComplete checks every part of every driver: its dialect is
// registered on the generator side with a renderer of that name, and its
// deploy warehouse, monitor source and version-table flavor are there and
// agree with each other.
func TestDriversComplete(t *testing.T) {
	const project = "TRUEUP"
	p := &plan.Plan{Spec: &spec.Spec{Project: spec.Project{Database: project}}}
	for _, typ := range warehouse.Types() {
		d, err := warehouse.Lookup(typ)
		if err != nil {
			t.Fatal(err)
		}
		if d.Type() != typ {
			t.Errorf("driver registered as %q says its type is %q", typ, d.Type())
		}
		dl, err := dialect.Lookup(d.Dialect())
		if err != nil {
			t.Errorf("type %s: %v", typ, err)
			continue
		}
		if dl.Migrations() == nil {
			t.Errorf("type %s: dialect %s has no migration DDL", typ, d.Dialect())
		}
		r, err := warehouse.Renderer(d, p)
		if err != nil {
			t.Errorf("type %s: %v", typ, err)
			continue
		}
		if r.Name() != d.Dialect() {
			t.Errorf("type %s: renderer %q for dialect %q", typ, r.Name(), d.Dialect())
		}
		w := d.Warehouse(project)
		if w == nil {
			t.Errorf("type %s: no deploy warehouse", typ)
			continue
		}
		if w.Dialect() != d.Dialect() {
			t.Errorf("type %s: deploy warehouse runs %q, the driver %q", typ, w.Dialect(), d.Dialect())
		}
		if d.Monitor(r, p) == nil {
			t.Errorf("type %s: no monitor source", typ)
		}
		if d.Flavor() == nil {
			t.Errorf("type %s: no version-table flavor", typ)
			continue
		}
		want, err := migratestore.New(d.Flavor(), project)
		if err != nil {
			t.Errorf("type %s: %v", typ, err)
			continue
		}
		got, err := w.Store()
		if err != nil {
			t.Errorf("type %s: %v", typ, err)
			continue
		}
		if got.Tablename() != want.Tablename() {
			t.Errorf("type %s: deploy uses version table %s, the driver's flavor %s", typ, got.Tablename(), want.Tablename())
		}
	}
}
