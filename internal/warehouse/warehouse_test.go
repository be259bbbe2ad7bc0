package warehouse_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/internal/config"
	"github.com/ledgerloop/trueup/internal/deploy"
	"github.com/ledgerloop/trueup/internal/migratestore"
	"github.com/ledgerloop/trueup/internal/monitor"
	"github.com/ledgerloop/trueup/internal/warehouse"
)

// fake is a driver of any type; this test binary registers no real one.
type fake struct{ typ string }

func (f fake) Type() string                                      { return f.typ }
func (fake) Dialect() string                                     { return "duckdb" }
func (fake) Flavor() migratestore.Flavor                         { return migratestore.DuckDB{} }
func (fake) Warehouse(string) deploy.Warehouse                   { return deploy.DuckDB{} }
func (fake) Monitor(dialect.Renderer, *plan.Plan) monitor.Source { return monitor.Local{} }
func (fake) Open(context.Context, *config.Target, warehouse.OpenOptions) (*sql.DB, error) {
	return nil, nil
}

func panics(f func()) (p bool) {
	defer func() { p = recover() != nil }()
	f()
	return false
}

// TestRegister checks that a type has one driver at most and that a
// driver of a type trueup.yaml does not accept is refused.
func TestRegister(t *testing.T) {
	warehouse.Register(fake{config.DuckDB})
	if d, err := warehouse.Lookup(config.DuckDB); err != nil || d.Type() != config.DuckDB {
		t.Fatalf("Lookup: %v, %v", d, err)
	}
	if !panics(func() { warehouse.Register(fake{config.DuckDB}) }) {
		t.Error("a second driver of a type was registered")
	}
	if !panics(func() { warehouse.Register(fake{"postgres"}) }) {
		t.Error("a driver of an unknown type was registered")
	}
	if !panics(func() { warehouse.Register(nil) }) {
		t.Error("a nil driver was registered")
	}
	if err := warehouse.Check(fake{config.DuckDB}, &config.Target{}, "TRUEUP"); err != nil {
		t.Errorf("Check of a driver without Checker: %v", err)
	}
}
