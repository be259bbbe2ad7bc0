package deploy_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/emit"
	gplan "github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/generator/spec"
	"github.com/ledgerloop/trueup/internal/auditlog"
	"github.com/ledgerloop/trueup/internal/deploy"
	"github.com/ledgerloop/trueup/internal/deploy/deploytest"
	"github.com/ledgerloop/trueup/internal/migratestore"
	"github.com/ledgerloop/trueup/internal/testenv"
	"github.com/ledgerloop/trueup/tests/sfparse"
	"github.com/ledgerloop/trueup/tests/sfrules"
)

// versionTable answers the version-table queries of the goose store and
// the audit log's from what the recorder has seen inserted: the state a
// deploy reads back. Everything else answers with no rows: an empty account.
type versionTable struct {
	rec     *deploytest.Recorder
	initial []int64 // versions present before the deploy
	// token is the deploy lock's holder token, "" when free.
	token string
}

// affected answers the rows changed by the deploy lock's UPDATEs: the
// conditional UPDATE takes a free lock, the release frees the lock it holds.
func (v *versionTable) affected(q string, args []any) int64 {
	if !strings.HasPrefix(q, "UPDATE TRUEUP.AUDIT.DEPLOY_LOCK SET token = ") {
		return 0
	}
	if strings.Contains(q, "token = NULL") {
		if v.token != "" && args[0] == v.token {
			v.token = ""
			return 1
		}
		return 0
	}
	if v.token != "" {
		return 0
	}
	v.token = args[0].(string)
	return 1
}

func (v *versionTable) answer(q string, args []any) ([]string, [][]any) {
	versions := append([]int64(nil), v.initial...)
	created := len(v.initial) > 0
	var log [][]any // the audit log's rows, as inserted
	for _, s := range v.rec.Statements() {
		if strings.Contains(s.SQL, "CREATE TABLE IF NOT EXISTS TRUEUP.AUDIT.GOOSE_DB_VERSION") {
			created = true
		}
		if strings.HasPrefix(s.SQL, "INSERT INTO TRUEUP.AUDIT.GOOSE_DB_VERSION") {
			versions = append(versions, s.Args[0].(int64))
		}
		if strings.HasPrefix(s.SQL, "INSERT INTO TRUEUP.AUDIT.LOG ") {
			log = append(log, s.Args)
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
	case q == "SELECT CURRENT_USER()":
		return []string{"user"}, [][]any{{"DEPLOY_BOT"}}
	case strings.HasPrefix(q, "SELECT seq, entry_hash FROM TRUEUP.AUDIT.LOG ORDER BY seq DESC LIMIT 1"):
		if len(log) == 0 {
			return nil, nil
		}
		last := log[len(log)-1]
		return []string{"seq", "entry_hash"}, [][]any{{last[0], last[7]}}
	case strings.HasPrefix(q, "SELECT COUNT(*) FROM TRUEUP.AUDIT.LOG WHERE action = ? AND subject = ?"):
		n := int64(0)
		for _, e := range log {
			if e[3] == args[0] && e[4] == args[1] {
				n++
			}
		}
		return []string{"n"}, [][]any{{n}}
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
	rec := &deploytest.Recorder{}
	vt := &versionTable{rec: rec}
	rec.Answer, rec.Affected = vt.answer, vt.affected
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
	// Order: the deploy lock taken, the version table, the migration and
	// its version, then the repeatable objects by kind, the graph resumed,
	// the deployment, the lock released.
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
		"CREATE TABLE IF NOT EXISTS TRUEUP.AUDIT.DEPLOY_LOCK",
		"MERGE INTO TRUEUP.AUDIT.DEPLOY_LOCK",
		"UPDATE TRUEUP.AUDIT.DEPLOY_LOCK SET token = ?, locked_by = CURRENT_USER()",
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
		"UPDATE TRUEUP.AUDIT.DEPLOY_LOCK SET token = NULL",
	}
	// Each is found after the one before it.
	prev := 0
	for _, p := range order {
		prev = index(p, prev) + 1
	}
	if n := strings.Count(strings.Join(writes, "\n"), "INSERT INTO TRUEUP.AUDIT.GOOSE_DB_VERSION"); n != 2 {
		t.Errorf("%d versions inserted, want 2 (0 and 1)", n)
	}
	if vt.token != "" {
		t.Error("the deploy lock is not released")
	}
	if last := writes[len(writes)-4]; !strings.HasPrefix(last, "INSERT INTO TRUEUP.AUDIT.DEPLOYMENTS") || !strings.Contains(last, "CURRENT_USER()") || !strings.Contains(last, "'abc123'") {
		t.Errorf("the statement before the audit log's entries does not record the deployment: %s", last)
	}
	// Then the audit log: the deployment and the rule set it puts in
	// force, chained from the genesis hash.
	var entries []auditlog.Entry
	for _, s := range rec.Statements() {
		if strings.HasPrefix(s.SQL, "INSERT INTO TRUEUP.AUDIT.LOG ") {
			a := s.Args
			entries = append(entries, auditlog.Entry{Seq: a[0].(int64), At: a[1].(time.Time), Actor: a[2].(string), Action: a[3].(string),
				Subject: a[4].(string), Detail: a[5].(string), PrevHash: a[6].(string), Hash: a[7].(string)})
		}
	}
	if len(entries) != 2 || entries[0].Action != auditlog.Deploy || entries[0].Subject != "prod" || entries[1].Action != auditlog.Ruleset ||
		entries[1].Subject != d.Plan.RulesetVersion || !strings.HasPrefix(entries[0].Actor, "DEPLOY_BOT") || !strings.Contains(entries[0].Detail, `"git_commit":"abc123"`) {
		t.Errorf("audit log entries: %+v", entries)
	}
	if err := auditlog.Verify(entries); err != nil {
		t.Error(err)
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

// getDDLFixtures reads the hand-written GET_DDL answers of
// testdata/getddl (see its README): object name -> GET_DDL text.
func getDDLFixtures(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("testdata/getddl/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no GET_DDL fixtures: %v", err)
	}
	out := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".sql")] = string(data)
	}
	return out
}

// TestSnowflakeChangeSuspendsGraph proves the statement order against an
// account described only by hand-written GET_DDL answers
// (testdata/getddl): a hand-edited view is recreated between suspending
// the root task and resuming the graph, a pipe that differs is reported
// and never replaced, a stream that did not change is left alone, the
// objects GET_DDL does not know are created, and the task graph is
// recreated as a whole. What it cannot prove is that a real account's
// GET_DDL prints tasks, pipes and streams as those files do (SNOWFLAKE.md
// §11 [U]); a real deploy followed by `trueup drift` can.
func TestSnowflakeChangeSuspendsGraph(t *testing.T) {
	_, d := snowflakeDesired(t)
	rec := &deploytest.Recorder{}
	vt := &versionTable{rec: rec, initial: []int64{0, 1}}
	getDDL := regexp.MustCompile(`^SELECT GET_DDL\('([A-Z_]+)', '([^']+)'\)$`)
	fixtures := getDDLFixtures(t)
	byName := map[string]string{}
	for _, f := range d.Files {
		if text, ok := fixtures[f.Object.Ref.String()]; ok {
			byName[d.R.Object(f.Object.Ref)] = text
		}
	}
	if len(byName) != len(fixtures) {
		t.Fatalf("%d of %d fixtures name a generated object", len(byName), len(fixtures))
	}
	rec.Affected = vt.affected
	rec.Answer = func(q string, args []any) ([]string, [][]any) {
		if m := getDDL.FindStringSubmatch(q); m != nil {
			name, _, _ := strings.Cut(m[2], "(")
			if s, ok := byName[name]; ok {
				return []string{"ddl"}, [][]any{{s}}
			}
			return nil, nil
		}
		if strings.Contains(q, "INFORMATION_SCHEMA.STAGES") {
			return nil, nil
		}
		return vt.answer(q, args)
	}
	tg := &deploy.Target{Name: "prod", DB: rec.DB(), Warehouse: deploy.Snowflake{Database: "TRUEUP"}}
	c, err := deploy.Plan(context.Background(), tg, d)
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]deploy.Action{}
	var got []string
	for _, ch := range c.Items {
		if ch.Action != deploy.Suspend && ch.Action != deploy.Resume {
			actions[ch.Object] = ch.Action
		}
		got = append(got, fmt.Sprintf("%s %s", ch.Action, ch.Object))
	}
	plan := strings.Join(got, "\n  ")
	if got[0] != "suspend ops.task_root" || got[len(got)-1] != "record audit.deployments" {
		t.Errorf("plan does not suspend first and record last:\n  %s", plan)
	}
	for obj, want := range map[string]deploy.Action{"raw.app_pipe": deploy.Keep, "gold.field_conflicts": deploy.Replace,
		"raw.app_docs": deploy.Create, "ops.task_root": deploy.Replace, "ops.task_reconcile": deploy.Create} {
		if actions[obj] != want {
			t.Errorf("%s: %q, want %q; plan:\n  %s", obj, actions[obj], want, plan)
		}
	}
	if a, ok := actions["raw.app_lines_stream"]; ok {
		t.Errorf("the unchanged stream is in the plan (%s):\n  %s", a, plan)
	}
	for _, ch := range c.Items {
		if ch.Object == "raw.app_pipe" && (!strings.Contains(ch.Diff, "\n-FROM @TRUEUP.RAW.APP_STAGE) ON_ERROR = SKIP_FILE\n") || !strings.Contains(ch.Comment, "load history")) {
			t.Errorf("the pipe's difference is not reported: %s\n%s", ch.Comment, ch.Diff)
		}
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
	first := -1
	for i, w := range writes {
		if strings.HasPrefix(w, "ALTER TASK") {
			first = i
			break
		}
		if !strings.Contains(w, "DEPLOY_LOCK") && !strings.HasPrefix(w, "CREATE SCHEMA IF NOT EXISTS TRUEUP.AUDIT") {
			t.Fatalf("%q is sent before the graph is suspended", w)
		}
	}
	if first < 0 || writes[first] != "ALTER TASK IF EXISTS TRUEUP.OPS.TASK_ROOT SUSPEND" {
		t.Fatalf("the root is not suspended:\n%s", strings.Join(writes, "\n"))
	}
	// The batch graph is resumed after its last task; the purge, a task of
	// its own, after itself.
	lastTask, resume, purge, purgeResume := -1, -1, -1, -1
	for i, w := range writes {
		switch {
		case strings.HasPrefix(w, "CREATE OR REPLACE TASK TRUEUP.OPS.TASK_PURGE"):
			purge = i
		case strings.HasPrefix(w, "CREATE OR REPLACE TASK TRUEUP.AUDIT.TASK_COPY_ACCESS_HISTORY"):
			// a task of its own, like the purge
		case strings.HasPrefix(w, "CREATE OR REPLACE TASK"):
			lastTask = i
		case strings.HasPrefix(w, "SELECT SYSTEM$TASK_DEPENDENTS_ENABLE('TRUEUP.OPS.TASK_PURGE')"):
			purgeResume = i
		case strings.HasPrefix(w, "SELECT SYSTEM$TASK_DEPENDENTS_ENABLE('TRUEUP.OPS.TASK_ROOT')"):
			resume = i
		case strings.HasPrefix(w, "GRANT "):
			// the roles' grants on them are granted again, not the objects
		case strings.Contains(w, "APP_PIPE") || strings.Contains(w, "APP_LINES_STREAM"):
			t.Errorf("sent for an object deploy must not touch: %s", w)
		}
	}
	if lastTask < 0 || resume < lastTask {
		t.Errorf("the graph is not resumed after its tasks are recreated:\n%s", strings.Join(writes, "\n"))
	}
	if purge < 0 || purgeResume < purge {
		t.Errorf("the purge task is not resumed after it is recreated:\n%s", strings.Join(writes, "\n"))
	}
	n := len(writes)
	if !strings.HasPrefix(writes[n-4], "INSERT INTO TRUEUP.AUDIT.DEPLOYMENTS") || !strings.HasPrefix(writes[n-3], "INSERT INTO TRUEUP.AUDIT.LOG ") ||
		!strings.HasPrefix(writes[n-2], "INSERT INTO TRUEUP.AUDIT.LOG ") || !strings.HasPrefix(writes[n-1], "UPDATE TRUEUP.AUDIT.DEPLOY_LOCK SET token = NULL") {
		t.Errorf("the deployment is not recorded and audited, then the lock released, last:\n%s", strings.Join(writes[n-4:], "\n"))
	}
	parseAll(t, d, rec.Statements())
}

// TestSnowflakeDeployLocked: while another deploy holds the lock, deploy
// sends nothing after its failed attempt to take it, and says who holds
// it and since when.
func TestSnowflakeDeployLocked(t *testing.T) {
	_, d := snowflakeDesired(t)
	rec := &deploytest.Recorder{}
	vt := &versionTable{rec: rec, token: "held by another deploy"}
	since := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	rec.Affected = vt.affected
	rec.Answer = func(q string, args []any) ([]string, [][]any) {
		if strings.HasPrefix(q, "SELECT locked_by, locked_at FROM TRUEUP.AUDIT.DEPLOY_LOCK") {
			return []string{"locked_by", "locked_at"}, [][]any{{"DEPLOYER (alice@ci-7, pid 4242)", since}}
		}
		return vt.answer(q, args)
	}
	tg := &deploy.Target{Name: "prod", DB: rec.DB(), Warehouse: deploy.Snowflake{Database: "TRUEUP"}}
	_, err := deploy.Apply(context.Background(), tg, d, deploy.Info{Holder: "(bob@laptop, pid 1)"})
	if !errors.Is(err, migratestore.ErrLocked) || !strings.Contains(err.Error(), "another deploy holds the lock since 2026-11-20T09:30:00Z by DEPLOYER (alice@ci-7, pid 4242)") {
		t.Fatalf("deploy while locked: %v", err)
	}
	stmts := rec.Statements()
	last := stmts[len(stmts)-1].SQL
	if !strings.HasPrefix(last, "SELECT locked_by, locked_at FROM TRUEUP.AUDIT.DEPLOY_LOCK") {
		t.Errorf("sent after the lock was refused: %s", last)
	}
	for _, s := range stmts {
		if strings.Contains(s.SQL, "GOOSE_DB_VERSION") || strings.HasPrefix(s.SQL, "CREATE OR REPLACE") || strings.HasPrefix(s.SQL, "ALTER TASK") {
			t.Errorf("sent while another deploy holds the lock: %s", s.SQL)
		}
	}
}

var (
	alterTask = regexp.MustCompile(`^ALTER TASK IF EXISTS [A-Z_]+\.[A-Z_]+\.[A-Z_]+ (SUSPEND|RESUME)$`)
	// alterPipe (impact's pause of a clone's pipes) is outside the
	// parser's grammar; its whole form is checked here, as ALTER PIPE
	// documents it (https://docs.snowflake.com/en/sql-reference/sql/alter-pipe).
	alterPipe   = regexp.MustCompile(`^ALTER PIPE [A-Z0-9_]+\.[A-Z_]+\.[A-Z_]+ SET PIPE_EXECUTION_PAUSED = TRUE$`)
	addColumnIf = regexp.MustCompile(`(?i)ADD COLUMN IF NOT EXISTS `)
	// schemaTimeTravel is outside the parser's grammar; its form is checked
	// here instead (https://docs.snowflake.com/sql-reference/sql/alter-schema).
	schemaTimeTravel = regexp.MustCompile(`^ALTER SCHEMA [A-Z_]+\.[A-Z_]+ SET DATA_RETENTION_TIME_IN_DAYS = ([0-9]|[1-8][0-9]|90)$`)
)

// parseAll parses every recorded statement with the Snowflake parser. A
// statement outside the parser's grammar (sfrules.PartsOf) (CREATE
// STREAM/TASK/PIPE/PROCEDURE/FILE FORMAT) is checked through its bodies;
// ALTER TASK ... SUSPEND (outside the grammar, nothing to parse inside) is
// matched exactly; ALTER TABLE ... ADD COLUMN IF NOT EXISTS, documented
// Snowflake syntax the parser lacks (datafusion-sqlparser-rs PR 2639), is
// parsed without IF NOT EXISTS.
// readBySfrules reports whether tests/sfrules reads the statement (a
// security statement outside the parser's grammar: tags, grants on tasks,
// stages, pipes, streams, file formats, dynamic tables, ALTER ROLE).
func readBySfrules(sql string) bool {
	st := sfrules.FromSQL(sql).Statements[0]
	return st.Header != nil && st.Error == ""
}

func parseAll(t *testing.T, d *deploy.Desired, recs []deploytest.Recorded) {
	t.Helper()
	if err := sfparse.Available(); err != nil {
		testenv.MissingTool(t, testenv.ToolParser, err.Error(), "")
	}
	bodies := map[string][]string{}
	for _, f := range d.Files {
		for _, s := range f.Statements {
			if parts := sfrules.PartsOf(s.SQL); !parts.Whole {
				bodies[strings.TrimSpace(s.SQL)] = parts.Bodies
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
			if len(b) == 0 && !strings.HasPrefix(sql, "CREATE STREAM") && !strings.HasPrefix(sql, "CREATE FILE FORMAT") && !readBySfrules(sql) {
				t.Errorf("%s: outside the parser's grammar and no body to check:\n%s", name, sql)
			}
			for j, body := range b {
				stmts = append(stmts, sfparse.Stmt{Name: fmt.Sprintf("%s body %d", name, j+1), SQL: sfparse.WithoutInto(body)})
			}
			continue
		}
		if alterTask.MatchString(sql) || alterPipe.MatchString(sql) {
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
	rec := &deploytest.Recorder{}
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

// TestSnowflakeDeployAppliesFileOverrides: a deploy calls
// AUDIT.SET_OVERRIDE once for each entry of models/overrides/ the account
// has not applied, after the objects, with the values as bind variables
// (none in the statement's text), an expired entry left out.
func TestSnowflakeDeployAppliesFileOverrides(t *testing.T) {
	dir := project(t)
	ov := filepath.Join(dir, "models", "overrides")
	if err := os.MkdirAll(ov, 0o755); err != nil {
		t.Fatal(err)
	}
	body := "overrides:\n  - {customer: acct_1, field: email, value: ann.private@x.io, reason: ticket 4, author: sam, until: 2099-01-01}\n" +
		"  - {customer: acct_2, field: seats, value: 40, reason: contract, author: kim}\n" +
		"  - {customer: acct_3, field: seats, value: 1, reason: old, author: kim, until: 2020-01-01}\n"
	if err := os.WriteFile(filepath.Join(ov, "a.yaml"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := deploy.Load(filepath.Join(dir, "models"), filepath.Join(dir, "sql"), "snowflake")
	if err != nil {
		t.Fatal(err)
	}
	rec := &deploytest.Recorder{}
	vt := &versionTable{rec: rec}
	rec.Answer, rec.Affected = vt.answer, vt.affected
	tg := &deploy.Target{Name: "prod", DB: rec.DB(), Warehouse: deploy.Snowflake{Database: "TRUEUP"}}
	if _, err := deploy.Apply(context.Background(), tg, d, deploy.Info{}); err != nil {
		t.Fatal(err)
	}
	var calls []deploytest.Recorded
	procAt, callAt := -1, -1
	for i, s := range rec.Statements() {
		if strings.HasPrefix(s.SQL, "CREATE OR REPLACE PROCEDURE TRUEUP.AUDIT.SET_OVERRIDE") {
			procAt = i
		}
		if strings.HasPrefix(s.SQL, "CALL ") {
			calls = append(calls, s)
			if callAt < 0 {
				callAt = i
			}
		}
	}
	if len(calls) != 2 || procAt < 0 || callAt < procAt {
		t.Fatalf("calls %+v (procedure at %d, first call at %d)", calls, procAt, callAt)
	}
	for _, c := range calls {
		if c.SQL != "CALL TRUEUP.AUDIT.SET_OVERRIDE(?, ?, ?, ?, ?, ?, ?)" || len(c.Args) != 7 {
			t.Errorf("call: %s %v", c.SQL, c.Args)
		}
	}
	if a := calls[0].Args; a[0] != "acct_1" || a[1] != "email" || a[2] != "ann.private@x.io" || a[3] != "ticket 4" || a[4] != "sam" ||
		a[5].(time.Time).Year() != 2099 || !strings.HasPrefix(a[6].(string), "file:") {
		t.Errorf("first call's arguments: %v", a)
	}
	if a := calls[1].Args; a[0] != "acct_2" || a[2] != "40" || a[5] != nil {
		t.Errorf("second call's arguments: %v", a)
	}
	parseAll(t, d, rec.Statements())
}

// TestSnowflakeImpactRecorded: trueup impact on a Snowflake target clones
// the database, pauses the clone's pipes, creates the edited plan's
// reconcile procedure in the clone, calls it until the backfill is empty,
// compares the clone's gold with the target's and drops the clone; every
// statement parses. The figures come from the recorder's hand-written
// answers, so what this proves is the statements and the report's
// assembly, not Snowflake's results.
func TestSnowflakeImpactRecorded(t *testing.T) {
	_, d := snowflakeDesired(t)
	rec := &deploytest.Recorder{}
	backfill := []int64{40, 0}
	rec.Answer = func(q string, args []any) ([]string, [][]any) {
		switch {
		case strings.HasPrefix(q, "SELECT COUNT(*) FROM TRUEUP_IMPACT_20261204T100000.SILVER.BACKFILL"):
			n := backfill[0]
			backfill = backfill[1:]
			return []string{"n"}, [][]any{{n}}
		case strings.HasPrefix(q, "SELECT COALESCE(MAX(ruleset_version), '') FROM TRUEUP.GOLD.CUSTOMER_FIELDS"):
			return []string{"v"}, [][]any{{"old-version"}}
		case strings.HasPrefix(q, "SELECT COUNT(DISTINCT customer_id) FROM TRUEUP_IMPACT_20261204T100000.GOLD.CUSTOMER_FIELDS"):
			return []string{"n"}, [][]any{{int64(25)}}
		case strings.HasPrefix(q, "SELECT COUNT_IF(") && args[0] == "email":
			return []string{"a", "b"}, [][]any{{int64(2), int64(3)}}
		case strings.HasPrefix(q, "SELECT CASE WHEN had") && args[0] == "email":
			return []string{"f", "t", "n"}, [][]any{{"app/trust", "crm/trust", int64(3)}}
		case strings.HasPrefix(q, "SELECT customer_id, had") && args[0] == "email":
			return []string{"c", "had", "ov", "os", "or", "has", "nv", "ns", "nr"},
				[][]any{{"acct_1", true, "***@a.io", "app", "trust", true, "***@b.io", "crm", "trust"}}
		case strings.HasPrefix(q, "SELECT COUNT_IF("):
			return []string{"a", "b"}, [][]any{{int64(0), int64(0)}}
		}
		return nil, nil
	}
	tg := &deploy.Target{Name: "prod", DB: rec.DB(), Warehouse: deploy.Snowflake{Database: "TRUEUP"}}
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	im, err := deploy.Impact(context.Background(), tg, d.Plan, 5, now)
	if err != nil {
		t.Fatal(err)
	}
	var writes []string
	for _, s := range rec.Statements() {
		if !s.Query {
			writes = append(writes, strings.SplitN(s.SQL, "\n", 2)[0])
		}
	}
	want := []string{
		"CREATE DATABASE TRUEUP_IMPACT_20261204T100000 CLONE TRUEUP",
		"ALTER PIPE TRUEUP_IMPACT_20261204T100000.RAW.",
		"CREATE OR REPLACE PROCEDURE TRUEUP_IMPACT_20261204T100000.OPS.RECONCILE(",
		"CALL TRUEUP_IMPACT_20261204T100000.OPS.RECONCILE(?)",
		"CALL TRUEUP_IMPACT_20261204T100000.OPS.RECONCILE(?)",
		"CREATE TEMPORARY TABLE TRUEUP_IMPACT_20261204T100000.OPS.IMPACT_DIFF AS",
		"DROP DATABASE IF EXISTS TRUEUP_IMPACT_20261204T100000",
	}
	at := 0
	for _, w := range want {
		for at < len(writes) && !strings.HasPrefix(writes[at], w) {
			at++
		}
		if at == len(writes) {
			t.Fatalf("no %q in order among:\n%s", w, strings.Join(writes, "\n"))
		}
		at++
	}
	for _, w := range writes {
		if strings.Contains(w, " TRUEUP.") && !strings.HasPrefix(w, "CREATE TEMPORARY TABLE") && !strings.HasPrefix(w, "CREATE DATABASE") {
			t.Errorf("a write touches the target itself: %s", w)
		}
	}
	if im.RulesetBefore != "old-version" || im.RulesetAfter != d.Plan.RulesetVersion || im.Customers != 25 || im.Held || !im.Changed() {
		t.Errorf("report: %+v", im)
	}
	email := im.Fields[0]
	if email.Field != "email" || email.ValuesChanged != 2 || email.WinnersMoved != 3 || len(email.Moves) != 1 || email.Moves[0].To != "crm/trust" ||
		len(email.Samples) != 1 || *email.Samples[0].After.Value != "***@b.io" {
		t.Errorf("email: %+v", email)
	}
	// The clone's procedure parses as the generator's own files do.
	s := *d.Plan.Spec
	s.Project.Database = "TRUEUP_IMPACT_20261204T100000"
	files := renderPlan(t, &s)
	parseAll(t, &deploy.Desired{Files: files}, rec.Statements())
}

// renderPlan renders a spec's plan for Snowflake.
func renderPlan(t *testing.T, s *spec.Spec) []emit.File {
	t.Helper()
	p, err := gplan.Build(s)
	if err != nil {
		t.Fatal(err)
	}
	files, err := generator.Render(p, "snowflake")
	if err != nil {
		t.Fatal(err)
	}
	return files
}
