package deploy_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/generator/emit"
	"github.com/ledgerloop/trueup/internal/deploy"
	"github.com/ledgerloop/trueup/tests/sfparse"
)

// versionTable answers the version-table queries of the goose store from
// what the recorder has seen inserted: the one piece of state a deploy
// reads back. Everything else answers with no rows: an empty account.
type versionTable struct {
	rec     *deploy.Recorder
	initial []int64 // versions present before the deploy
}

func (v *versionTable) answer(q string, args []any) ([]string, [][]any) {
	versions := append([]int64(nil), v.initial...)
	created := len(v.initial) > 0
	for _, s := range v.rec.Statements() {
		if strings.Contains(s.SQL, "CREATE TABLE IF NOT EXISTS TRUEUP.AUDIT.GOOSE_DB_VERSION") {
			created = true
		}
		if strings.HasPrefix(s.SQL, "INSERT INTO TRUEUP.AUDIT.GOOSE_DB_VERSION") {
			versions = append(versions, s.Args[0].(int64))
		}
	}
	switch {
	case strings.Contains(q, "INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'AUDIT'"):
		n := int64(0)
		if created {
			n = 1
		}
		return []string{"n"}, [][]any{{n}}
	case strings.HasPrefix(q, "SELECT version_id, is_applied FROM TRUEUP.AUDIT.GOOSE_DB_VERSION"):
		var rows [][]any
		for i := len(versions) - 1; i >= 0; i-- {
			rows = append(rows, []any{versions[i], true})
		}
		return []string{"version_id", "is_applied"}, rows
	case strings.HasPrefix(q, "SELECT MAX(version_id)"):
		var mx any
		for _, x := range versions {
			if mx == nil || x > mx.(int64) {
				mx = x
			}
		}
		return []string{"max"}, [][]any{{mx}}
	}
	return nil, nil
}

func snowflakeDesired(t *testing.T) (string, *deploy.Desired) {
	t.Helper()
	dir := project(t)
	d, err := deploy.Load(filepath.Join(dir, "models"), filepath.Join(dir, "sql"), "snowflake")
	if err != nil {
		t.Fatal(err)
	}
	return dir, d
}

// TestSnowflakeFirstDeployRecorded captures, in order, every statement a
// first deploy to an empty Snowflake account sends, and parses each with
// the Snowflake SQL parser (the bodies of the statements outside its
// grammar).
func TestSnowflakeFirstDeployRecorded(t *testing.T) {
	_, d := snowflakeDesired(t)
	rec := &deploy.Recorder{}
	vt := &versionTable{rec: rec}
	rec.Answer = vt.answer
	tg := &deploy.Target{Name: "prod", DB: rec.DB(), Warehouse: deploy.Snowflake{Database: "TRUEUP"}}
	if _, err := deploy.Apply(context.Background(), tg, d, deploy.Info{GitCommit: "abc123"}); err != nil {
		t.Fatal(err)
	}
	var writes []string
	for _, s := range rec.Statements() {
		if !s.Query {
			writes = append(writes, s.SQL)
		}
	}
	// Order: the version table, the migration and its version, then the
	// repeatable objects by kind, the graph resumed, the deployment.
	index := func(prefix string, from int) int {
		for i, s := range writes[from:] {
			i += from
			if strings.HasPrefix(s, prefix) {
				return i
			}
		}
		t.Fatalf("no statement starts with %q", prefix)
		return -1
	}
	order := []string{
		"CREATE SCHEMA IF NOT EXISTS TRUEUP.AUDIT",
		"CREATE TABLE IF NOT EXISTS TRUEUP.AUDIT.GOOSE_DB_VERSION",
		"CREATE SCHEMA IF NOT EXISTS TRUEUP.RAW;",
		"CREATE TABLE IF NOT EXISTS TRUEUP.SILVER.OBSERVATIONS",
		"INSERT INTO TRUEUP.AUDIT.GOOSE_DB_VERSION",
		"CREATE FILE FORMAT IF NOT EXISTS",
		"CREATE STAGE IF NOT EXISTS",
		"CREATE PIPE IF NOT EXISTS",
		"CREATE STREAM IF NOT EXISTS",
		"CREATE OR REPLACE VIEW",
		"CREATE OR REPLACE DYNAMIC TABLE",
		"CREATE OR REPLACE PROCEDURE",
		"CREATE OR REPLACE TASK TRUEUP.OPS.TASK_ROOT",
		"CREATE OR REPLACE TASK TRUEUP.OPS.TASK_FINISH",
		"SELECT SYSTEM$TASK_DEPENDENTS_ENABLE('TRUEUP.OPS.TASK_ROOT')",
		"INSERT INTO TRUEUP.AUDIT.DEPLOYMENTS",
	}
	// Each is found after the one before it.
	prev := 0
	for _, p := range order {
		prev = index(p, prev) + 1
	}
	if n := strings.Count(strings.Join(writes, "\n"), "INSERT INTO TRUEUP.AUDIT.GOOSE_DB_VERSION"); n != 2 {
		t.Errorf("%d versions inserted, want 2 (0 and 1)", n)
	}
	if last := writes[len(writes)-1]; !strings.HasPrefix(last, "INSERT INTO TRUEUP.AUDIT.DEPLOYMENTS") || !strings.Contains(last, "CURRENT_USER()") || !strings.Contains(last, "'abc123'") {
		t.Errorf("the last statement does not record the deployment: %s", last)
	}
	for _, s := range writes {
		if strings.Contains(s, "REPLACE PIPE") || strings.Contains(s, "REPLACE STREAM") {
			t.Errorf("a pipe or stream is replaced: %s", s)
		}
		if strings.Contains(s, "ALTER TASK") {
			t.Errorf("an empty account has no task to suspend: %s", s)
		}
	}
	parseAll(t, d, rec.Statements())
}

// TestSnowflakeChangeSuspendsGraph: in an account holding the deployed
// objects (GET_DDL answers their definitions, reformatted as Snowflake
// might), a hand-edited view is recreated between suspending the root task
// and resuming the graph; a pipe that differs is reported, never replaced.
func TestSnowflakeChangeSuspendsGraph(t *testing.T) {
	_, d := snowflakeDesired(t)
	rec := &deploy.Recorder{}
	vt := &versionTable{rec: rec, initial: []int64{0, 1}}
	getDDL := regexp.MustCompile(`^SELECT GET_DDL\('([A-Z_]+)', '([^']+)'\)$`)
	deployed := map[string]string{}
	for _, f := range d.Files {
		name := d.R.Object(f.Object.Ref)
		sql := f.Statements[0].SQL
		switch f.Object.Ref.String() {
		case "gold.field_conflicts":
			sql = strings.Replace(sql, "GROUP BY field", "WHERE field <> 'email' GROUP BY field", 1)
		case "raw.app_pipe":
			sql = strings.Replace(sql, "ON_ERROR = CONTINUE", "ON_ERROR = SKIP_FILE", 1)
		}
		// As GET_DDL might give it back: keywords in lower case, the name
		// unqualified, the header's whitespace collapsed, a final semicolon.
		short := name[strings.LastIndex(name, ".")+1:]
		sql = strings.Replace(sql, name, short, 1)
		sql = strings.Replace(sql, "CREATE OR REPLACE", "create or replace", 1)
		if head, body, ok := strings.Cut(sql, "\nAS\n"); ok {
			sql = strings.Join(strings.Fields(head), " ") + " as\n" + body
		}
		sql += ";"
		deployed[name] = sql
	}
	rec.Answer = func(q string, args []any) ([]string, [][]any) {
		if m := getDDL.FindStringSubmatch(q); m != nil {
			name, _, _ := strings.Cut(m[2], "(")
			if s, ok := deployed[name]; ok {
				return []string{"ddl"}, [][]any{{s}}
			}
			return nil, nil
		}
		if strings.Contains(q, "INFORMATION_SCHEMA.STAGES") {
			for _, f := range d.Files {
				if f.Object.Stage != nil && strings.Contains(q, "'"+strings.ToUpper(f.Object.Ref.Name)+"'") {
					return []string{"url"}, [][]any{{f.Object.Stage.URL}}
				}
			}
			return nil, nil
		}
		return vt.answer(q, args)
	}
	tg := &deploy.Target{Name: "prod", DB: rec.DB(), Warehouse: deploy.Snowflake{Database: "TRUEUP"}}
	c, err := deploy.Plan(context.Background(), tg, d)
	if err != nil {
		t.Fatal(err)
	}
	var keep *deploy.Change
	for i := range c.Items {
		if c.Items[i].Action == deploy.Keep {
			keep = &c.Items[i]
		}
	}
	if keep == nil || keep.Object != "raw.app_pipe" || !strings.Contains(keep.Diff, "\n-FROM @TRUEUP.RAW.APP_STAGE) ON_ERROR = SKIP_FILE\n+FROM @TRUEUP.RAW.APP_STAGE) ON_ERROR = CONTINUE\n") || !strings.Contains(keep.Comment, "load history") {
		t.Errorf("the changed pipe is not reported and kept: %+v", c.Items)
	}
	var got []string
	for _, ch := range c.Items {
		got = append(got, fmt.Sprintf("%s %s", ch.Action, ch.Object))
	}
	want := []string{"suspend ops.task_root", "keep raw.app_pipe", "replace gold.field_conflicts", "resume ops.task_root", "record audit.deployments"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Fatalf("plan:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	before := len(rec.Statements())
	if _, err := deploy.Apply(context.Background(), tg, d, deploy.Info{}); err != nil {
		t.Fatal(err)
	}
	var writes []string
	for _, s := range rec.Statements()[before:] {
		if !s.Query {
			writes = append(writes, strings.SplitN(s.SQL, "\n", 2)[0])
		}
	}
	wantW := []string{
		"ALTER TASK IF EXISTS TRUEUP.OPS.TASK_ROOT SUSPEND",
		"CREATE OR REPLACE VIEW TRUEUP.GOLD.FIELD_CONFLICTS COMMENT = 'customers and conflicts per field'",
		"SELECT SYSTEM$TASK_DEPENDENTS_ENABLE('TRUEUP.OPS.TASK_ROOT')",
		"INSERT INTO TRUEUP.AUDIT.DEPLOYMENTS (deployed_at, deployed_by, target, git_commit, ruleset_version, sql_hash, migrations_hash, migration_version, changes)",
	}
	if strings.Join(writes, "\n") != strings.Join(wantW, "\n") {
		t.Errorf("sent:\n%s\nwant:\n%s", strings.Join(writes, "\n"), strings.Join(wantW, "\n"))
	}
	parseAll(t, d, rec.Statements())
}

var (
	alterTask   = regexp.MustCompile(`^ALTER TASK IF EXISTS [A-Z_]+\.[A-Z_]+\.[A-Z_]+ (SUSPEND|RESUME)$`)
	addColumnIf = regexp.MustCompile(`(?i)ADD COLUMN IF NOT EXISTS `)
	// schemaTimeTravel is outside the parser's grammar; its form is checked
	// here instead (https://docs.snowflake.com/sql-reference/sql/alter-schema).
	schemaTimeTravel = regexp.MustCompile(`^ALTER SCHEMA [A-Z_]+\.[A-Z_]+ SET DATA_RETENTION_TIME_IN_DAYS = ([0-9]|[1-8][0-9]|90)$`)
)

// parseAll parses every recorded statement with the Snowflake parser. A
// statement the generator marks as outside the parser's grammar (CREATE
// STREAM/TASK/PIPE/PROCEDURE/FILE FORMAT) is checked through its bodies;
// ALTER TASK ... SUSPEND (outside the grammar, nothing to parse inside) is
// matched exactly; ALTER TABLE ... ADD COLUMN IF NOT EXISTS, documented
// Snowflake syntax the parser lacks (datafusion-sqlparser-rs PR 2639), is
// parsed without IF NOT EXISTS.
func parseAll(t *testing.T, d *deploy.Desired, recs []deploy.Recorded) {
	t.Helper()
	if err := sfparse.Available(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	bodies := map[string][]string{}
	for _, f := range d.Files {
		for _, s := range f.Statements {
			if !s.Parseable {
				bodies[strings.TrimSpace(s.SQL)] = s.Bodies
			}
		}
	}
	var stmts []sfparse.Stmt
	for i, r := range recs {
		sql := strings.TrimSuffix(strings.TrimSpace(r.SQL), ";")
		name := fmt.Sprintf("statement %d", i+1)
		if schemaTimeTravel.MatchString(sql) {
			continue
		}
		if b, ok := bodies[sql]; ok {
			if len(b) == 0 && !strings.HasPrefix(sql, "CREATE STREAM") && !strings.HasPrefix(sql, "CREATE FILE FORMAT") {
				t.Errorf("%s: outside the parser's grammar and no body to check:\n%s", name, sql)
			}
			for j, body := range b {
				stmts = append(stmts, sfparse.Stmt{Name: fmt.Sprintf("%s body %d", name, j+1), SQL: body})
			}
			continue
		}
		if alterTask.MatchString(sql) {
			continue
		}
		sql = addColumnIf.ReplaceAllString(sql, "ADD COLUMN ")
		stmts = append(stmts, sfparse.Stmt{Name: name, SQL: sql})
	}
	results, err := sfparse.Parse(stmts)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if !r.OK || r.Statements != 1 {
			t.Errorf("%s does not parse as one statement (%d): %s\n%s", r.Name, r.Statements, r.Error, stmts[i].SQL)
		}
	}
	t.Logf("%d statements and bodies parsed", len(results))
	_ = emit.SumFile
}

// TestSnowflakeDriftQueriesParse: drift against an empty account reports
// everything missing, and every query it sends parses.
func TestSnowflakeDriftQueriesParse(t *testing.T) {
	_, d := snowflakeDesired(t)
	rec := &deploy.Recorder{}
	tg := &deploy.Target{Name: "prod", DB: rec.DB(), Warehouse: deploy.Snowflake{Database: "TRUEUP"}}
	diffs, err := deploy.Drift(context.Background(), tg, d)
	if err != nil {
		t.Fatal(err)
	}
	states := map[deploy.State]int{}
	for _, x := range diffs {
		states[x.State]++
	}
	if states[deploy.Pending] != 1 || states[deploy.Missing] == 0 {
		t.Errorf("drift of an empty account: %v", states)
	}
	for _, s := range rec.Statements() {
		if !s.Query {
			t.Errorf("drift wrote: %s", s.SQL)
		}
	}
	parseAll(t, d, rec.Statements())
}
