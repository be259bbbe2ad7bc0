package local

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/duckdb/duckdb-go/v2"

	duckdbsql "github.com/ledgerloop/trueup/generator/dialect/duckdb"
	"github.com/ledgerloop/trueup/internal/crypt"
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

// textFunction is a scalar function of one text to one text, NULL to NULL.
type textFunction struct {
	fn func(string) (any, error)
}

func (textFunction) Config() duckdb.ScalarFuncConfig {
	text, _ := duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR)
	return duckdb.ScalarFuncConfig{InputTypeInfos: []duckdb.TypeInfo{text}, ResultTypeInfo: text}
}

func (t textFunction) Executor() duckdb.ScalarFuncExecutor {
	return duckdb.ScalarFuncExecutor{RowExecutor: func(v []driver.Value) (any, error) {
		s, ok := v[0].(string)
		if !ok {
			return nil, nil
		}
		return t.fn(s)
	}}
}

// errNoVault is what the sealing functions answer on a database opened
// without its vault (a deploy target's handle).
var errNoVault = errors.New("PII is sealed with the vault beside the database file, and this handle was opened without it (open the database with trueup run --local)")

// sealFunctions are the DuckDB rendering's SealValue, OpenValue, SealText
// and OpenText, through the vault v (nil: every call fails).
func sealFunctions(v *crypt.Vault) map[string]textFunction {
	if v == nil {
		fail := textFunction{func(string) (any, error) { return nil, errNoVault }}
		return map[string]textFunction{duckdbsql.SealValueFunction: fail, duckdbsql.OpenValueFunction: fail, duckdbsql.SealTextFunction: fail, duckdbsql.OpenTextFunction: fail}
	}
	return map[string]textFunction{
		duckdbsql.SealValueFunction: {func(s string) (any, error) { return v.SealValue(s), nil }},
		duckdbsql.OpenValueFunction: {func(s string) (any, error) {
			if p, ok := v.OpenValue(s); ok {
				return p, nil
			}
			return nil, nil // erased
		}},
		duckdbsql.SealTextFunction: {func(s string) (any, error) { return v.SealText(s), nil }},
		duckdbsql.OpenTextFunction: {func(s string) (any, error) { return v.OpenText(s) }},
	}
}

// RegisterFunctions adds trueup's own scalar functions, which the DuckDB
// rendering calls, to the database behind db: they are registered in its
// catalog, for every connection. v is the database's vault (nil for a
// handle that runs no pipeline statement).
func RegisterFunctions(db *sql.DB, v *crypt.Vault) error {
	c, err := db.Conn(context.Background())
	if err != nil {
		return err
	}
	defer c.Close()
	if err := duckdb.RegisterScalarUDF(c, duckdbsql.DuplicateKeyFunction, jsonDuplicateKey{}); err != nil {
		return fmt.Errorf("register %s: %w", duckdbsql.DuplicateKeyFunction, err)
	}
	fns := sealFunctions(v)
	for _, name := range []string{duckdbsql.SealValueFunction, duckdbsql.OpenValueFunction, duckdbsql.SealTextFunction, duckdbsql.OpenTextFunction} {
		if err := duckdb.RegisterScalarUDF(c, name, fns[name]); err != nil {
			return fmt.Errorf("register %s: %w", name, err)
		}
	}
	return nil
}
