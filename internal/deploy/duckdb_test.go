package deploy_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/internal/auditlog"
	"github.com/ledgerloop/trueup/internal/deploy"
	"github.com/ledgerloop/trueup/internal/local"
	"github.com/ledgerloop/trueup/internal/migratestore"
)

func duckTarget(t *testing.T, path string) *deploy.Target {
	t.Helper()
	db, err := local.OpenDB(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &deploy.Target{Name: "dev", DB: db, Warehouse: deploy.DuckDB{}}
}

func load(t *testing.T, dir string) *deploy.Desired {
	t.Helper()
	d, err := deploy.Load(filepath.Join(dir, "models"), filepath.Join(dir, "sql"), "duckdb")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func plan(t *testing.T, tg *deploy.Target, d *deploy.Desired) *deploy.Changes {
	t.Helper()
	c, err := deploy.Plan(context.Background(), tg, d)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func apply(t *testing.T, tg *deploy.Target, d *deploy.Desired) *deploy.Changes {
	t.Helper()
	c, err := deploy.Apply(context.Background(), tg, d, deploy.Info{GitCommit: "0123abcd"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func count(t *testing.T, db *sql.DB, q string) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestDuckDBLifecycle deploys to a DuckDB target through the same
// database/sql path Snowflake uses: into an empty database, again (nothing
// to do), after the local pipeline ran on it, after a spec change (a new
// migration, rows kept), and after hand edits (drift).
func TestDuckDBLifecycle(t *testing.T) {
	ctx := context.Background()
	dir := project(t)
	dbPath := filepath.Join(dir, "dev.duckdb")
	d := load(t, dir)
	tg := duckTarget(t, dbPath)

	// 1. An empty database: the initial migration and every object.
	c := plan(t, tg, d)
	if c.Count(deploy.Migrate) != 1 || c.Count(deploy.Create) == 0 || c.Count(deploy.Record) != 1 {
		t.Fatalf("first plan: %d migrations, %d creates, %d records", c.Count(deploy.Migrate), c.Count(deploy.Create), c.Count(deploy.Record))
	}
	apply(t, tg, d)
	if n := count(t, tg.DB, "SELECT COUNT(*) FROM audit.deployments WHERE git_commit = '0123abcd' AND deployed_by IS NOT NULL AND sql_hash LIKE 'h1:%'"); n != 1 {
		t.Fatalf("%d deployments recorded, want 1", n)
	}

	// 2. Again: nothing to do, nothing recorded, no drift.
	if c := plan(t, tg, d); !c.Empty() {
		t.Fatalf("plan after deploy is not empty: %+v", c.Items)
	}
	if c := apply(t, tg, d); !c.Empty() {
		t.Fatalf("second deploy did something: %+v", c.Items)
	}
	if n := count(t, tg.DB, "SELECT COUNT(*) FROM audit.deployments"); n != 1 {
		t.Fatalf("%d deployments recorded after a deploy with nothing to do, want 1", n)
	}
	noDrift(t, tg, d)

	// 3. The local pipeline runs on the deployed database (it creates only
	// what is missing: its runtime tables) and lands rows.
	tg.DB.Close()
	p, err := generator.Compile(filepath.Join(dir, "models"))
	if err != nil {
		t.Fatal(err)
	}
	run, err := local.Open(ctx, dbPath, p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run.RunOnce(ctx, "../../tests/testdata/scenario/landing"); err != nil {
		t.Fatal(err)
	}
	run.Close()
	tg = duckTarget(t, dbPath)
	obs := count(t, tg.DB, "SELECT COUNT(*) FROM silver.observations")
	hist := count(t, tg.DB, "SELECT COUNT(*) FROM gold.customer_master_history")
	if obs == 0 || hist == 0 {
		t.Fatalf("the pipeline landed nothing: %d observations, %d history rows", obs, hist)
	}
	if c := plan(t, tg, d); !c.Empty() {
		t.Fatalf("plan after a local run is not empty: %+v", c.Items)
	}
	noDrift(t, tg, d)

	// 4. A new field: generate writes a new migration and leaves the first
	// one as it was; plan shows it; deploy applies it and keeps every row.
	first, err := os.ReadFile(filepath.Join(dir, "sql/migrations/00001_initial.sql"))
	if err != nil {
		t.Fatal(err)
	}
	addField(t, filepath.Join(dir, "models"))
	if _, err := deploy.Load(filepath.Join(dir, "models"), filepath.Join(dir, "sql"), "duckdb"); !errors.Is(err, deploy.ErrStale) {
		t.Fatalf("deploy of a stale sql/: %v, want ErrStale", err)
	}
	out := generate(t, dir)
	if !strings.Contains(out, "migrations/00002_") {
		t.Fatalf("generate wrote no new migration:\n%s", out)
	}
	again, _ := os.ReadFile(filepath.Join(dir, "sql/migrations/00001_initial.sql"))
	if string(again) != string(first) {
		t.Fatal("generate rewrote migration 1")
	}
	d = load(t, dir)
	c = plan(t, tg, d)
	var mig *deploy.Change
	for i := range c.Items {
		if c.Items[i].Action == deploy.Migrate {
			mig = &c.Items[i]
		}
	}
	if c.Count(deploy.Migrate) != 1 || mig == nil || !strings.HasPrefix(mig.Object, "00002_") ||
		!strings.Contains(mig.Diff, "+ALTER TABLE gold.customer_master_versions ADD COLUMN IF NOT EXISTS industry VARCHAR;") {
		t.Fatalf("plan after a new field: %+v", c.Items)
	}
	apply(t, tg, d)
	if n := count(t, tg.DB, "SELECT COUNT(*) FROM silver.observations"); n != obs {
		t.Errorf("observations: %d rows after the migration, %d before", n, obs)
	}
	if n := count(t, tg.DB, "SELECT COUNT(*) FROM gold.customer_master_history WHERE industry IS NULL"); n != hist {
		t.Errorf("history: %d rows with the new column after the migration, %d rows before", n, hist)
	}
	if c := plan(t, tg, d); !c.Empty() {
		t.Fatalf("plan after deploying the migration is not empty: %+v", c.Items)
	}
	noDrift(t, tg, d)

	// 5. Hand edits: drift reports each, with a diff; plan recreates the
	// view.
	for _, s := range []string{
		"CREATE OR REPLACE VIEW gold.field_conflicts AS SELECT 1 AS hand_edited",
		"DROP VIEW gold.rule_decisions",
		"ALTER TABLE silver.quarantine ADD COLUMN extra_col VARCHAR",
	} {
		if _, err := tg.DB.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	diffs, err := deploy.Drift(ctx, tg, d)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]deploy.Difference{}
	for _, x := range diffs {
		found[string(x.State)+" "+x.Object] = x
	}
	if x, ok := found["changed gold.field_conflicts"]; !ok || !strings.Contains(x.Diff, "-SELECT 1 AS HAND_EDITED") || !strings.Contains(x.Diff, "+++ "+d.Dir+"/08_view/gold.field_conflicts.sql") {
		t.Errorf("hand-edited view not reported with a diff: %+v", x)
	}
	if _, ok := found["missing gold.rule_decisions"]; !ok {
		t.Errorf("dropped view not reported: %+v", diffs)
	}
	if x, ok := found["changed silver.quarantine"]; !ok || !strings.Contains(x.Detail, `extra column "extra_col"`) || !strings.Contains(x.Diff, "-extra_col VARCHAR") {
		t.Errorf("extra column not reported: %+v", x)
	}
	if len(diffs) != 3 {
		t.Errorf("%d differences, want 3: %+v", len(diffs), diffs)
	}
	c = plan(t, tg, d)
	if c.Count(deploy.Replace) != 1 || c.Count(deploy.Create) != 1 {
		t.Errorf("plan after hand edits: %+v", c.Items)
	}
	apply(t, tg, d)
	if diffs, err = deploy.Drift(ctx, tg, d); err != nil {
		t.Fatal(err)
	}
	if len(diffs) != 1 || diffs[0].Object != "silver.quarantine" {
		t.Errorf("after deploy, drift: %+v (the extra column is left for a person)", diffs)
	}

	// 6. The audit log: the three deployments and the rule sets they put
	// in force, in one chain that holds; an entry changed by hand breaks
	// it there.
	log := auditlog.Log{Table: "audit.log"}
	entries, err := log.Entries(ctx, tg.DB)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, " "); got != "deploy ruleset deploy ruleset deploy" {
		t.Errorf("audit log actions: %s", got)
	}
	if err := auditlog.Verify(entries); err != nil {
		t.Fatal(err)
	}
	if _, err := tg.DB.Exec(`UPDATE audit.log SET detail = '{"changes": 0}' WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	if entries, err = log.Entries(ctx, tg.DB); err != nil {
		t.Fatal(err)
	}
	var broken *auditlog.BrokenError
	if err := auditlog.Verify(entries); !errors.As(err, &broken) || broken.Seq != 3 {
		t.Errorf("a changed entry: %v, want entry 3 named", err)
	}
}

func noDrift(t *testing.T, tg *deploy.Target, d *deploy.Desired) {
	t.Helper()
	diffs, err := deploy.Drift(context.Background(), tg, d)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range diffs {
		t.Errorf("drift: %s %s %s: %s\n%s", x.State, x.Kind, x.Object, x.Detail, x.Diff)
	}
}

// TestDuckDBFailedDeployResumes: a deploy that fails half-way (an object
// in the way) leaves what it applied; once the cause is removed, deploying
// again finishes the job.
func TestDuckDBFailedDeployResumes(t *testing.T) {
	dir := project(t)
	d := load(t, dir)
	tg := duckTarget(t, filepath.Join(dir, "dev.duckdb"))
	if _, err := tg.DB.Exec("CREATE SCHEMA gold; CREATE TABLE gold.rule_decisions (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	if _, err := deploy.Apply(context.Background(), tg, d, deploy.Info{}); err == nil || !strings.Contains(err.Error(), "gold.rule_decisions") {
		t.Fatalf("deploy with a table in the way of a view: %v", err)
	}
	c := plan(t, tg, d)
	if c.Count(deploy.Migrate) != 0 {
		t.Errorf("the migration was not kept after the failure: %+v", c.Items)
	}
	if n := count(t, tg.DB, "SELECT COUNT(*) FROM audit.deployments"); n != 0 {
		t.Errorf("a failed deploy was recorded")
	}
	if _, err := tg.DB.Exec("DROP TABLE gold.rule_decisions"); err != nil {
		t.Fatal(err)
	}
	apply(t, tg, d)
	if c := plan(t, tg, d); !c.Empty() {
		t.Fatalf("plan after the re-run is not empty: %+v", c.Items)
	}
	noDrift(t, tg, d)
}

// TestIntegrity: a hand edit of sql/ is refused before anything runs.
func TestIntegrity(t *testing.T) {
	dir := project(t)
	for _, c := range []struct{ file, old, new string }{
		{"sql/08_view/gold.field_conflicts.sql", "GROUP BY", "-- hand edit\nGROUP BY"},
		{"sql/migrations/00001_initial.sql", "CREATE SCHEMA IF NOT EXISTS TRUEUP.RAW;", "CREATE SCHEMA IF NOT EXISTS TRUEUP.RAW2;"},
	} {
		path := filepath.Join(dir, c.file)
		orig, _ := os.ReadFile(path)
		edit(t, path, c.old, c.new)
		_, err := deploy.Load(filepath.Join(dir, "models"), filepath.Join(dir, "sql"), "duckdb")
		if !errors.Is(err, deploy.ErrEdited) || !strings.Contains(err.Error(), filepath.Base(c.file)) {
			t.Errorf("%s edited by hand: %v, want ErrEdited naming the file", c.file, err)
		}
		os.WriteFile(path, orig, 0o644)
	}
	load(t, dir)
}

// TestDuckDBDeployLocked: a deploy started while another holds the lock of
// the same database fails, naming the holder, and changes nothing; once the
// lock is released the deploy runs, and releases the lock itself.
func TestDuckDBDeployLocked(t *testing.T) {
	ctx := context.Background()
	dir := project(t)
	d := load(t, dir)
	tg := duckTarget(t, filepath.Join(dir, "dev.duckdb"))
	store, err := migratestore.New("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	other := store.Locker("(alice@build-1, pid 10)")
	if err := other.Lock(ctx, tg.DB); err != nil {
		t.Fatal(err)
	}
	_, err = deploy.Apply(ctx, tg, d, deploy.Info{Holder: "(bob@laptop, pid 20)"})
	if !errors.Is(err, migratestore.ErrLocked) || !strings.Contains(err.Error(), "(alice@build-1, pid 10)") {
		t.Fatalf("deploy while locked: %v", err)
	}
	if n := count(t, tg.DB, "SELECT COUNT(*) FROM duckdb_tables() WHERE schema_name IN ('raw', 'silver', 'gold')"); n != 0 {
		t.Errorf("%d tables created while another deploy held the lock", n)
	}
	if err := other.Unlock(ctx, tg.DB); err != nil {
		t.Fatal(err)
	}
	apply(t, tg, d)
	if n := count(t, tg.DB, "SELECT COUNT(*) FROM audit.deploy_lock WHERE token IS NULL"); n != 1 {
		t.Errorf("the deploy did not release its lock")
	}
}
