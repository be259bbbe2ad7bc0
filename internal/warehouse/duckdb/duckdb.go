// Package duckdb registers the duckdb target type: a local DuckDB file,
// opened through internal/local, deployed to and monitored like a
// warehouse.
package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/ledgerloop/trueup/generator/dialect"
	duckdbsql "github.com/ledgerloop/trueup/generator/dialect/duckdb"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/internal/config"
	"github.com/ledgerloop/trueup/internal/deploy"
	"github.com/ledgerloop/trueup/internal/local"
	"github.com/ledgerloop/trueup/internal/migratestore"
	"github.com/ledgerloop/trueup/internal/monitor"
	"github.com/ledgerloop/trueup/internal/warehouse"
)

func init() { warehouse.Register(Driver{}) }

// Driver is the duckdb target type.
type Driver struct{}

var _ warehouse.Driver = Driver{}

// Type implements warehouse.Driver.
func (Driver) Type() string { return config.DuckDB }

// Dialect implements warehouse.Driver.
func (Driver) Dialect() string { return duckdbsql.Name }

// Open implements warehouse.Driver: a command that only reads opens an
// existing file read-only.
func (Driver) Open(_ context.Context, t *config.Target, o warehouse.OpenOptions) (*sql.DB, error) {
	open := local.OpenDBWith
	if o.ReadOnly {
		open = local.OpenDBReadOnly
	}
	db, err := open(t.Path, local.Options{MemoryLimit: t.MemoryLimit, Threads: t.Threads})
	if err != nil {
		return nil, fmt.Errorf("target %q: %w", t.Name, err)
	}
	slog.Debug("duckdb target opened", "target", t.Name, "path", t.Path, "read_only", o.ReadOnly)
	return db, nil
}

// Warehouse implements warehouse.Driver.
func (Driver) Warehouse(string) deploy.Warehouse { return deploy.DuckDB{} }

// Monitor implements warehouse.Driver: the local runtime's own log.
func (Driver) Monitor(r dialect.Renderer, p *plan.Plan) monitor.Source {
	return monitor.Local{R: r, Plan: p}
}

// Flavor implements warehouse.Driver.
func (Driver) Flavor() migratestore.Flavor { return migratestore.DuckDB{} }
