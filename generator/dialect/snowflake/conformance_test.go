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
	"github.com/ledgerloop/trueup/tests/sfrules"
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

// parse parses what the Snowflake parser reads of each statement
// (sfrules.PartsOf), each text as one statement. A Snowflake Scripting
// SELECT ... INTO :var (SetVar) is parsed without its INTO clause, which
// the parser lacks.
func parse(sqls []string) ([]error, error) {
	var stmts []sfparse.Stmt
	var owner []int
	for i, s := range sqls {
		for _, text := range sfrules.PartsOf(s).Texts(s) {
			stmts = append(stmts, sfparse.Stmt{Name: fmt.Sprint(len(stmts)), SQL: sfparse.WithoutInto(text)})
			owner = append(owner, i)
		}
	}
	res, err := sfparse.Parse(stmts)
	if err != nil {
		return nil, err
	}
	errs := make([]error, len(sqls))
	for i, r := range res {
		var e error
		switch {
		case !r.OK:
			e = errors.New(r.Error)
		case r.Statements != 1:
			e = fmt.Errorf("%d statements, want 1", r.Statements)
		}
		if e != nil {
			errs[owner[i]] = errors.Join(errs[owner[i]], fmt.Errorf("%w\n%s", e, stmts[i].SQL))
		}
	}
	return errs, nil
}
