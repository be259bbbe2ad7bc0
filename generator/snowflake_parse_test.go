package generator_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/dialect/snowflake"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/tests/sfparse"
)

// outsideGrammar are the kinds whose CREATE statement the parser does not
// know; their bodies (a pipe's COPY, a task's steps) are parsed alone.
var outsideGrammar = map[ir.Kind]bool{
	ir.KindSequence: true, ir.KindFileFormat: true, ir.KindPipe: true, ir.KindStream: true, ir.KindProcedure: true, ir.KindTask: true,
}

// TestSnowflakeParses parses every generated Snowflake statement that the
// Snowflake SQL parser understands, and every body of those it does not.
func TestSnowflakeParses(t *testing.T) {
	if err := sfparse.Available(); err != nil {
		if testingCI() {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	specs := []string{"../models"}
	for _, c := range cases(t) {
		specs = append(specs, filepath.Join("testdata", c, "models"))
	}
	var stmts []sfparse.Stmt
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
				name := fmt.Sprintf("%s: %s #%d", models, f.Path, i+1)
				if s.Parseable {
					stmts = append(stmts, sfparse.Stmt{Name: name, SQL: s.SQL})
				} else if !outsideGrammar[f.Object.Kind] && checkTimeTravel(s.SQL) != nil {
					t.Errorf("%s: a %s statement is marked as outside the parser's grammar", name, f.Object.Kind)
				}
				for j, body := range s.Bodies {
					stmts = append(stmts, sfparse.Stmt{Name: fmt.Sprintf("%s body %d", name, j+1), SQL: body})
				}
				if !s.Parseable && len(s.Bodies) == 0 && (f.Object.Kind == ir.KindTask || f.Object.Kind == ir.KindPipe || f.Object.Kind == ir.KindProcedure) {
					t.Errorf("%s: a %s has no body to parse", name, f.Object.Kind)
				}
			}
		}
	}
	results, err := sfparse.Parse(stmts)
	if err != nil {
		t.Fatal(err)
	}
	ok := 0
	for i, r := range results {
		switch {
		case !r.OK:
			t.Errorf("%s does not parse: %s\n%s", r.Name, r.Error, excerpt(stmts[i].SQL, r.Error))
		case r.Statements != 1:
			t.Errorf("%s parses as %d statements, want 1", r.Name, r.Statements)
		default:
			ok++
		}
	}
	t.Logf("%d Snowflake statements and bodies parsed", ok)
}

// excerpt shows the line the parser points at.
func excerpt(sql, msg string) string {
	var line int
	if i := strings.Index(msg, "Line: "); i >= 0 {
		fmt.Sscanf(msg[i:], "Line: %d", &line)
	}
	lines := strings.Split(sql, "\n")
	if line < 1 || line > len(lines) {
		if len(sql) > 400 {
			return sql[:400] + "…"
		}
		return sql
	}
	return fmt.Sprintf("line %d: %s", line, lines[line-1])
}
