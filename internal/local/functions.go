package local

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/duckdb/duckdb-go/v2"

	duckdbsql "github.com/ledgerloop/trueup/generator/dialect/duckdb"
	"github.com/ledgerloop/trueup/internal/jsonkeys"
)

// jsonDuplicateKey is the DuckDB rendering's test for a repeated key in
// any object of a landed line (the DuplicateKeyFunction of the DuckDB dialect).
type jsonDuplicateKey struct{}

func (jsonDuplicateKey) Config() duckdb.ScalarFuncConfig {
	text, _ := duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR)
	boolean, _ := duckdb.NewTypeInfo(duckdb.TYPE_BOOLEAN)
	return duckdb.ScalarFuncConfig{InputTypeInfos: []duckdb.TypeInfo{text}, ResultTypeInfo: boolean}
}

func (jsonDuplicateKey) Executor() duckdb.ScalarFuncExecutor {
	return duckdb.ScalarFuncExecutor{RowExecutor: func(v []driver.Value) (any, error) {
		s, _ := v[0].(string)
		return jsonkeys.Duplicate(s), nil
	}}
}

// RegisterFunctions adds trueup's own scalar functions, which the DuckDB
// rendering calls, to the database behind db: they are registered in its
// catalog, for every connection.
func RegisterFunctions(db *sql.DB) error {
	c, err := db.Conn(context.Background())
	if err != nil {
		return err
	}
	defer c.Close()
	if err := duckdb.RegisterScalarUDF(c, duckdbsql.DuplicateKeyFunction, jsonDuplicateKey{}); err != nil {
		return fmt.Errorf("register %s: %w", duckdbsql.DuplicateKeyFunction, err)
	}
	return nil
}
