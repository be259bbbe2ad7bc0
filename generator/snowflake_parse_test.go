package generator_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/dialect/snowflake"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/tests/sfrules"
)

// outsideGrammar are the kinds whose CREATE statement the Snowflake parser
// does not know; tests/sfrules reads their headers and parses their bodies.
var outsideGrammar = map[ir.Kind]bool{
	ir.KindSequence: true, ir.KindFileFormat: true, ir.KindPipe: true, ir.KindStream: true, ir.KindProcedure: true, ir.KindTask: true,
	ir.KindPolicy: true, ir.KindTag: true, ir.KindRole: true,
}

// TestSnowflakeParseMarks checks that sfrules.PartsOf puts only statements
// of the kinds outside the parser's grammar outside it, and that tests/sfrules can split each
// of them. The statements themselves are parsed by TestParseCoverage in
// tests/sfrules, and checked against Snowflake's documentation by its rule
// catalog.
func TestSnowflakeParseMarks(t *testing.T) {
	specs := []string{"../tests/testdata/spec"}
	for _, c := range cases(t) {
		specs = append(specs, filepath.Join("testdata", c, "models"))
	}
	for _, models := range specs {
		p, err := generator.Compile(models)
		if err != nil {
			t.Fatal(err)
		}
		files, err := generator.Render(p, snowflake.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			for i, s := range f.Statements {
				if sfrules.PartsOf(s.SQL).Whole {
					continue
				}
				name := fmt.Sprintf("%s: %s #%d", models, f.Path, i+1)
				if checkTimeTravel(s.SQL) == nil {
					continue // ALTER SCHEMA ... SET DATA_RETENTION_TIME_IN_DAYS: tests/sfrules reads it
				}
				if !outsideGrammar[f.Object.Kind] {
					t.Errorf("%s: a %s statement is marked as outside the parser's grammar", name, f.Object.Kind)
				}
				st := sfrules.FromSQL(s.SQL).Statements[0]
				if f.Object.Kind != ir.KindSequence && (st.Header == nil || st.Error != "") {
					t.Errorf("%s: tests/sfrules cannot split this %s: %s", name, f.Object.Kind, st.Error)
				}
			}
		}
	}
}
