package snowflake_test

import (
	"errors"
	"flag"
	"fmt"
	"testing"

	"github.com/ledgerloop/trueup/generator/dialect/dialecttest"
	"github.com/ledgerloop/trueup/generator/dialect/snowflake"
	"github.com/ledgerloop/trueup/internal/testenv"
	"github.com/ledgerloop/trueup/tests/sfparse"
)

var update = flag.Bool("update", false, "rewrite testdata/conformance.sql")

// TestConformance runs the dialect conformance suite on the Snowflake
// parser: Snowflake cannot run here, so every statement is parsed and the
// rendering is compared with testdata/conformance.sql.
func TestConformance(t *testing.T) {
	if err := sfparse.Available(); err != nil {
		testenv.MissingTool(t, testenv.ToolParser, err.Error(), "")
	}
	dialecttest.Run(t, &snowflake.Renderer{}, dialecttest.Parsing(parse, "testdata/conformance.sql", *update))
}

// parse parses each text as one Snowflake statement. A Snowflake
// Scripting SELECT ... INTO :var (SetVar) is parsed without its INTO
// clause, which the parser lacks.
func parse(texts []string) ([]error, error) {
	stmts := make([]sfparse.Stmt, len(texts))
	for i, s := range texts {
		stmts[i] = sfparse.Stmt{Name: fmt.Sprint(i), SQL: sfparse.WithoutInto(s)}
	}
	res, err := sfparse.Parse(stmts)
	if err != nil {
		return nil, err
	}
	errs := make([]error, len(res))
	for i, r := range res {
		switch {
		case !r.OK:
			errs[i] = errors.New(r.Error)
		case r.Statements != 1:
			errs[i] = fmt.Errorf("%d statements, want 1", r.Statements)
		}
	}
	return errs, nil
}
