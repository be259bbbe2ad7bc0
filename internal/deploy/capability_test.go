package deploy

import (
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/dialect"
)

// TestStatementFactsMatchText checks that what the renderers say about
// their statements (replaces the object, resumes a task graph) is what the
// statements do, for the repository's spec in every dialect deploy targets.
func TestStatementFactsMatchText(t *testing.T) {
	p, err := generator.Compile("../../models")
	if err != nil {
		t.Fatal(err)
	}
	warehouses := map[string]Warehouse{"snowflake": Snowflake{}, "duckdb": DuckDB{}}
	for name, w := range warehouses {
		files, err := generator.Render(p, name)
		if err != nil {
			t.Fatal(err)
		}
		r, err := dialect.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		r.Configure(dialect.Settings{Database: p.Spec.Project.Database, Warehouse: p.Spec.Project.Warehouse})
		replacing, resuming := 0, 0
		for _, f := range files {
			text := len(f.Statements) > 0 && strings.HasPrefix(strings.ToUpper(strings.TrimSpace(f.Statements[0].SQL)), "CREATE OR REPLACE")
			if got, want := replaces(f), security[f.Object.Kind] || text; got != want {
				t.Errorf("%s %s: replaces = %v, its first statement says %v", name, f.Path, got, want)
			}
			if text {
				replacing++
			}
			for i, s := range f.Statements {
				isResume := strings.HasPrefix(s.SQL, "SELECT SYSTEM$TASK_DEPENDENTS_ENABLE(")
				if (s.Resumes != nil) != isResume {
					t.Errorf("%s %s: statement %d: Resumes = %v for %q", name, f.Path, i, s.Resumes, s.SQL)
				}
				if s.Resumes != nil {
					resuming++
					if got := w.ResumeTasks(r, *s.Resumes); got != s.SQL {
						t.Errorf("%s %s: ResumeTasks = %q, the file resumes with %q", name, f.Path, got, s.SQL)
					}
				}
			}
		}
		if replacing == 0 {
			t.Errorf("%s: no statement replaces its object", name)
		}
		if w.HasTasks() && resuming == 0 {
			t.Errorf("%s: no statement resumes a task graph", name)
		}
	}
}
