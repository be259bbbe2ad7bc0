// Package warehouse is the runtime registry of the warehouses trueup
// deploys to, plans against, checks for drift and monitors: one Driver per
// target type of trueup.yaml, registered by name as database/sql drivers
// are (and as Atlas's sqlclient registers its drivers).
//
// A Driver bundles what the runtime needs of one warehouse: the generated
// dialect its SQL is rendered in (generator/dialect, which holds the
// renderer and the migration DDL), how to open a target of its type, its
// deploy.Warehouse (catalog reads for plan and drift), its monitor.Source
// and its goose version-table flavor (migratestore.Flavor). The interface
// is the contract: a driver missing a part does not compile. Optional
// capabilities are further interfaces a driver (or its deploy.Warehouse)
// may implement, found by type assertion (Checker here; deploy.Cloner and
// deploy.OverrideCaller for the deploy.Warehouse).
//
// This package links no database driver (link_test.go checks it, with the
// generator and the packages of its interfaces). The drivers live in
// internal/warehouse/<type>, which may import internal/local (DuckDB) or
// internal/sfconn (gosnowflake); internal/warehouse/all imports them all
// for their registration.
//
// Adding a warehouse: a generator dialect (generator/dialect/<name>,
// registered there), a target type in internal/config (its keys), and a
// package internal/warehouse/<type> with a type implementing Driver,
// registered in an init function with Register and imported by
// internal/warehouse/all. The tests of internal/warehouse/all check that
// every config target type has exactly one driver and every driver is
// complete.
package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"sync"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/migrations"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/internal/config"
	"github.com/ledgerloop/trueup/internal/deploy"
	"github.com/ledgerloop/trueup/internal/migratestore"
	"github.com/ledgerloop/trueup/internal/monitor"
)

// Driver is one kind of warehouse, the runtime side of a target type.
type Driver interface {
	// Type is the target type of trueup.yaml the driver serves (a name of
	// config.Types).
	Type() string
	// Dialect is the registered generator dialect of the warehouse's SQL.
	Dialect() string
	// Open opens the target t (see Check for what is checked before). The returned database is the
	// command's; the caller closes it.
	Open(ctx context.Context, t *config.Target, o OpenOptions) (*sql.DB, error)
	// Warehouse is what deploy reads from the warehouse of the project's
	// database.
	Warehouse(project string) deploy.Warehouse
	// Monitor is where monitor reads task runs, loads and refreshes; r is
	// the driver's dialect, configured for the plan's project.
	Monitor(r dialect.Renderer, p *plan.Plan) monitor.Source
	// Flavor is the goose version table's flavor (the one Warehouse's
	// Store and Locker use).
	Flavor() migratestore.Flavor
}

// Checker is a Driver that checks a target against the project before
// anything is read for it (the generated SQL, the credentials): a mistake
// in trueup.yaml is reported first.
type Checker interface {
	Driver
	// Check returns an error when the target t cannot hold the SQL
	// generated for the project (project is the spec's project.database).
	Check(t *config.Target, project string) error
}

// Check runs the driver's Checker, if it has one.
func Check(d Driver, t *config.Target, project string) error {
	if c, ok := d.(Checker); ok {
		return c.Check(t, project)
	}
	return nil
}

// OpenOptions are what Open needs besides the target.
type OpenOptions struct {
	// Project is the spec's project.database.
	Project string
	// ReadOnly is true when the command only reads (monitor, audit):
	// a driver that can opens the target read-only.
	ReadOnly bool
	// Env reads environment variables (nil: the process's).
	Env Env
}

// Env reads an environment variable; tests pass their own.
type Env func(name string) (string, bool)

var (
	mu      sync.Mutex
	drivers = map[string]Driver{}
)

// Register makes a driver available by its target type. It panics on a
// duplicate, on a nil driver, and on a type config does not know.
func Register(d Driver) {
	mu.Lock()
	defer mu.Unlock()
	if d == nil {
		panic("warehouse: Register of a nil driver")
	}
	if !config.IsType(d.Type()) {
		panic(fmt.Sprintf("warehouse: driver of type %q, which config does not know", d.Type()))
	}
	if _, dup := drivers[d.Type()]; dup {
		panic("warehouse: duplicate registration of " + d.Type())
	}
	drivers[d.Type()] = d
}

// Lookup returns the driver of a target type.
func Lookup(typ string) (Driver, error) {
	mu.Lock()
	defer mu.Unlock()
	d, ok := drivers[typ]
	if !ok {
		return nil, fmt.Errorf("no warehouse driver for target type %q (known: %v)", typ, typesLocked())
	}
	return d, nil
}

// Types lists the registered target types, sorted.
func Types() []string {
	mu.Lock()
	defer mu.Unlock()
	return typesLocked()
}

func typesLocked() []string {
	var out []string
	for n := range drivers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Renderer returns the driver's dialect, configured for the plan's
// project.
func Renderer(d Driver, p *plan.Plan) (dialect.Renderer, error) {
	r, err := dialect.Get(d.Dialect())
	if err != nil {
		return nil, fmt.Errorf("target type %s: %w", d.Type(), err)
	}
	r.Configure(migrations.Settings(p))
	return r, nil
}
