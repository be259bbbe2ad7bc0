package monitor_test

import (
	"testing"
	"time"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/migrations"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/internal/monitor"
	"github.com/ledgerloop/trueup/internal/testenv"
	"github.com/ledgerloop/trueup/tests/sfparse"
)

// TestSnowflakeQueriesParse parses every query monitor sends to Snowflake.
func TestSnowflakeQueriesParse(t *testing.T) {
	if err := sfparse.Available(); err != nil {
		testenv.MissingTool(t, testenv.ToolParser, err.Error(), "")
	}
	p, err := generator.Compile("../../tests/testdata/spec")
	if err != nil {
		t.Fatal(err)
	}
	r, _ := dialect.Get("snowflake")
	r.Configure(migrations.Settings(p))
	s := monitor.Snowflake{R: r, Database: p.Spec.Project.Database, Plan: p}
	until := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	since := until.Add(-24 * time.Hour)
	stmts := []sfparse.Stmt{
		{Name: "tasks", SQL: s.TasksSQL(since, until)},
		{Name: "failures", SQL: s.FailuresSQL(since, until)},
		{Name: "loads", SQL: s.LoadsSQL(plan.LinesTable("app"), since)},
		{Name: "refreshes", SQL: s.RefreshesSQL(since, until)},
		{Name: "published", SQL: s.PublishedSQL(since, until)},
		{Name: "freshness", SQL: monitor.FreshnessSQL(r, s, since, until, 10*time.Minute)},
	}
	res, err := sfparse.Parse(stmts)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range res {
		if !x.OK || x.Statements != 1 {
			t.Errorf("%s does not parse: %s\n%s", x.Name, x.Error, stmts[i].SQL)
		}
	}
}
