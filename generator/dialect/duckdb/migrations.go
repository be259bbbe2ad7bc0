package duckdb

import (
	"fmt"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/ir"
)

// Migrations is how DuckDB's goose migrations differ.
type Migrations struct{}

var _ dialect.MigrationDDL = Migrations{}

// TransactionalDDL implements dialect.MigrationDDL: DuckDB runs DDL inside
// a transaction, so a migration is atomic.
func (Migrations) TransactionalDDL() bool { return true }

// InlineColumnComment implements dialect.MigrationDDL: a column's comment
// is a COMMENT ON COLUMN statement.
func (Migrations) InlineColumnComment() bool { return false }

// RenameTable implements dialect.MigrationDDL: the new name is unqualified.
func (Migrations) RenameTable(r dialect.Renderer, from, to ir.Ref) string {
	return fmt.Sprintf("ALTER TABLE %s RENAME TO %s", r.Object(from), r.Ident(to.Name))
}
