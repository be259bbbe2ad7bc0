package sfrules

import (
	"fmt"
	"testing"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/dialect/snowflake"
	"github.com/ledgerloop/trueup/tests/sfparse"
)

// TestPartsParse parses, for every statement generated for the project's
// models and the golden specs, what PartsOf says the parser reads of it:
// each text must parse as one statement. The count is logged so that a
// change of PartsOf that parses less shows.
func TestPartsParse(t *testing.T) {
	requireParser(t)
	var stmts []sfparse.Stmt
	var outside int
	for _, dir := range append([]string{"../../models"}, specs(t)...) {
		p, err := generator.Compile(dir)
		if err != nil {
			t.Fatal(err)
		}
		files, err := generator.Render(p, snowflake.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			for i, s := range f.Statements {
				parts := PartsOf(s.SQL)
				if !parts.Whole {
					outside++
				}
				for j, text := range parts.Texts(s.SQL) {
					name := fmt.Sprintf("%s: %s #%d part %d", dir, f.Path, i+1, j+1)
					stmts = append(stmts, sfparse.Stmt{Name: name, SQL: sfparse.WithoutInto(text)})
				}
			}
		}
	}
	res, err := sfparse.Parse(stmts)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if !r.OK || r.Statements != 1 {
			t.Errorf("%s: %s (%d statements)\n%.400s", r.Name, r.Error, r.Statements, stmts[i].SQL)
		}
	}
	t.Logf("%d texts parsed; %d statements outside the parser's grammar", len(stmts), outside)
}
