package sfrules

import (
	"fmt"
	"testing"

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
		set, err := Gather(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range set.Statements {
			parts := PartsOf(st.SQL)
			if !parts.Whole {
				outside++
			}
			for j, text := range parts.Texts(st.SQL) {
				stmts = append(stmts, sfparse.Stmt{Name: fmt.Sprintf("%s part %d", st.Name, j+1), SQL: sfparse.WithoutInto(text)})
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
