package snowflake

import (
	"fmt"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/ir"
)

// Migrations is how Snowflake's goose migrations differ.
type Migrations struct{}

var _ dialect.MigrationDDL = Migrations{}

// TransactionalDDL implements dialect.MigrationDDL: a DDL statement commits
// the open transaction, so a migration is not atomic: it runs without one
// and every statement is written to be re-run safely (IF NOT EXISTS), so
// that a deploy that failed half-way finishes when it is run again.
func (Migrations) TransactionalDDL() bool { return false }

// InlineColumnComment implements dialect.MigrationDDL: a column's comment
// is part of its definition.
func (Migrations) InlineColumnComment() bool { return true }

// RenameTable implements dialect.MigrationDDL. IF EXISTS: a migration run
// again after the rename renames nothing
// (https://docs.snowflake.com/en/sql-reference/sql/alter-table).
func (Migrations) RenameTable(r dialect.Renderer, from, to ir.Ref) string {
	return fmt.Sprintf("ALTER TABLE IF EXISTS %s RENAME TO %s", r.Object(from), r.Object(to))
}
