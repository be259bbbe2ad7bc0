// Package snowflake registers the snowflake target type: a Snowflake
// account reached through internal/sfconn (gosnowflake, key-pair
// authentication).
package snowflake

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"

	"github.com/ledgerloop/trueup/generator/dialect"
	snowflakesql "github.com/ledgerloop/trueup/generator/dialect/snowflake"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/internal/config"
	"github.com/ledgerloop/trueup/internal/deploy"
	"github.com/ledgerloop/trueup/internal/migratestore"
	"github.com/ledgerloop/trueup/internal/monitor"
	"github.com/ledgerloop/trueup/internal/sfconn"
	"github.com/ledgerloop/trueup/internal/warehouse"
)

func init() { warehouse.Register(Driver{}) }

// Driver is the snowflake target type.
type Driver struct{}

var _ warehouse.Driver = Driver{}

// Type implements warehouse.Driver.
func (Driver) Type() string { return config.Snowflake }

// Dialect implements warehouse.Driver.
func (Driver) Dialect() string { return snowflakesql.Name }

var _ warehouse.Checker = Driver{}

// Check implements warehouse.Checker. The SQL names the project's database
// in every statement: a target naming another database is refused.
func (Driver) Check(t *config.Target, project string) error {
	if t.Database != "" && !strings.EqualFold(t.Database, project) {
		return fmt.Errorf("target %q: database %s, but the SQL is generated for project.database %s", t.Name, t.Database, project)
	}
	return nil
}

// Open implements warehouse.Driver. One connection serves the whole
// command (sfconn.Open); nothing is sent before the first statement.
func (Driver) Open(_ context.Context, t *config.Target, o warehouse.OpenOptions) (*sql.DB, error) {
	sc, err := sfconn.Config(t, o.Project, sfconn.Env(o.Env))
	if err != nil {
		return nil, err
	}
	slog.Debug("snowflake target: one connection for the command", "target", t.Name, "account", t.Account, "user", t.User, "role", t.Role, "warehouse", t.Warehouse, "database", o.Project)
	return sfconn.Open(sc), nil
}

// Warehouse implements warehouse.Driver.
func (Driver) Warehouse(project string) deploy.Warehouse {
	return deploy.Snowflake{Database: project, NotFound: sfconn.IsNotFound}
}

// Monitor implements warehouse.Driver: TASK_HISTORY, COPY_HISTORY and
// DYNAMIC_TABLE_REFRESH_HISTORY of the project's database.
func (Driver) Monitor(r dialect.Renderer, p *plan.Plan) monitor.Source {
	return monitor.Snowflake{R: r, Database: p.Spec.Project.Database, Plan: p}
}

// Flavor implements warehouse.Driver.
func (Driver) Flavor() migratestore.Flavor { return migratestore.Snowflake{} }
