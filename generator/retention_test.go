package generator_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/dialect/snowflake"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/plan"
)

// timeTravelStatement is the one schema statement outside the parser's
// grammar: ALTER SCHEMA <db>.<schema> SET DATA_RETENTION_TIME_IN_DAYS = n
// (https://docs.snowflake.com/sql-reference/sql/alter-schema), n from 0
// to 90 for a permanent schema
// (https://docs.snowflake.com/user-guide/data-cdp-storage-costs).
var timeTravelStatement = regexp.MustCompile(`^ALTER SCHEMA ([A-Z_][A-Z0-9_]*|"[^"]+")\.([A-Z_][A-Z0-9_]*|"[^"]+") SET DATA_RETENTION_TIME_IN_DAYS = ([0-9]+)$`)

// checkTimeTravel checks, in place of the parser, a statement that sets a
// schema's Time Travel.
func checkTimeTravel(sql string) error {
	m := timeTravelStatement.FindStringSubmatch(sql)
	if m == nil {
		return fmt.Errorf("not ALTER SCHEMA <db>.<schema> SET DATA_RETENTION_TIME_IN_DAYS = <days>: %q", sql)
	}
	if n, err := strconv.Atoi(m[3]); err != nil || n > 90 {
		return fmt.Errorf("DATA_RETENTION_TIME_IN_DAYS = %s: a permanent object takes 0 to 90 days", m[3])
	}
	return nil
}

func TestCheckTimeTravel(t *testing.T) {
	if err := checkTimeTravel("ALTER SCHEMA TRUEUP.GOLD SET DATA_RETENTION_TIME_IN_DAYS = 7"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{
		"ALTER SCHEMA TRUEUP.GOLD SET DATA_RETENTION_TIME_IN_DAYS = 91",
		"ALTER SCHEMA GOLD SET DATA_RETENTION_TIME_IN_DAYS = 7",
		"ALTER SCHEMA TRUEUP.GOLD SET DATA_RETENTION_TIME_IN_DAYS = -1",
		"ALTER SCHEMA TRUEUP.GOLD SET DATA_RETENTION_TIME_IN_DAYS = 7; DROP SCHEMA TRUEUP.GOLD",
		"CREATE SCHEMA TRUEUP.GOLD DATA_RETENTION_TIME_IN_DAYS = 7",
	} {
		if checkTimeTravel(bad) == nil {
			t.Errorf("accepted: %s", bad)
		}
	}
}

// TestRetentionRendering: every schema sets the Time Travel of its layer,
// work tables keep none, and the purge runs in a daily task of its own,
// outside the batch graph.
func TestRetentionRendering(t *testing.T) {
	p, err := generator.Compile("../tests/testdata/spec")
	if err != nil {
		t.Fatal(err)
	}
	files, err := generator.Render(p, snowflake.Name)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"RAW": 1, "SILVER": 1, "GOLD": 7, "DQ": 1, "AUDIT": 30, "OPS": 1}
	for _, f := range files {
		switch f.Object.Kind {
		case ir.KindSchema:
			var days []string
			for _, s := range f.Statements {
				if m := timeTravelStatement.FindStringSubmatch(s.SQL); m != nil {
					days = append(days, m[3])
				}
			}
			if name := strings.ToUpper(f.Object.Ref.Schema); len(days) != 1 || days[0] != strconv.Itoa(want[name]) {
				t.Errorf("%s: Time Travel %v, want %d", f.Path, days, want[name])
			}
		case ir.KindTable:
			if f.Object.Transient && !strings.Contains(f.Statements[0].SQL, "DATA_RETENTION_TIME_IN_DAYS = 0") {
				t.Errorf("%s: a work table keeps Time Travel", f.Path)
			}
		}
	}
	for _, task := range p.Tasks() {
		if task.Ref == plan.PurgeTask {
			t.Error("the purge is part of the batch graph")
		}
	}
	purge := p.Object(plan.PurgeTask)
	if purge == nil || !purge.Task.Root || purge.Task.Cron != plan.PurgeCron || purge.Task.Call == nil || *purge.Task.Call != plan.PurgeProc {
		t.Fatalf("purge task: %+v", purge)
	}
	for _, f := range files {
		if f.Object.Ref != plan.PurgeTask {
			continue
		}
		if !strings.Contains(f.Statements[0].SQL, "SCHEDULE = 'USING CRON 0 3 * * * UTC'") || !strings.Contains(f.Statements[0].SQL, "CALL TRUEUP.OPS.PURGE()") {
			t.Errorf("%s:\n%s", f.Path, f.Statements[0].SQL)
		}
		if len(f.Statements) != 2 || f.Statements[1].SQL != "SELECT SYSTEM$TASK_DEPENDENTS_ENABLE('TRUEUP.OPS.TASK_PURGE')" {
			t.Errorf("%s: the purge task is not resumed: %+v", f.Path, f.Statements[1:])
		}
	}
}
