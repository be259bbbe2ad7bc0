package snowflake_test

import (
	"os"
	"path"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/dialect/snowflake"
	"github.com/ledgerloop/trueup/generator/emit"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/generator/spec"
)

// compile builds the plan of the company spec fixture, with project.tasks
// replaced by tasks when it is not empty, and renders each object's
// statements for Snowflake.
func compile(t *testing.T, tasks string) (*plan.Plan, map[ir.Ref]string) {
	t.Helper()
	const dir = "../../../tests/testdata/spec"
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for _, e := range entries {
		data, err := os.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "project.yaml" && tasks != "" {
			data = []byte(withTasks(string(data), tasks))
		}
		fsys[e.Name()] = &fstest.MapFile{Data: data}
	}
	s, err := spec.Load(fsys, ".", "models")
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Build(s)
	if err != nil {
		t.Fatal(err)
	}
	sql := map[ir.Ref]string{}
	for _, f := range emit.Files(p, &snowflake.Renderer{}) {
		var stmts []string
		for _, st := range f.Statements {
			stmts = append(stmts, st.SQL)
		}
		sql[f.Object.Ref] = strings.Join(stmts, ";\n")
	}
	return p, sql
}

// withTasks replaces the project's tasks block (a key indented by two
// spaces and the lines indented deeper after it) with tasks.
func withTasks(project, tasks string) string {
	var out []string
	in := false
	for _, line := range strings.Split(strings.TrimSuffix(project, "\n"), "\n") {
		switch {
		case line == "  tasks:":
			in = true
			continue
		case in && (strings.HasPrefix(line, "   ") || strings.TrimSpace(line) == ""):
			continue
		}
		in = false
		out = append(out, line)
	}
	return strings.Join(out, "\n") + "\n" + tasks
}

// header is a task's CREATE statement up to AS: its properties.
func header(sql string) string {
	head, _, _ := strings.Cut(sql, "\nAS\n")
	return head
}

// TestPipeLoadsEveryDefaultedColumn: a column left out of a COPY's column
// list may not default to a sequence, so every sequence-defaulted column of
// the RAW table is in the pipe's list and drawn from its sequence in the
// transformation (https://docs.snowflake.com/en/sql-reference/sql/copy-into-table).
func TestPipeLoadsEveryDefaultedColumn(t *testing.T) {
	p, sql := compile(t, "")
	pipes := 0
	for _, o := range p.Objects {
		if o.Kind != ir.KindPipe {
			continue
		}
		pipes++
		text := sql[o.Ref]
		m := regexp.MustCompile(`COPY INTO \S+ \(([^)]*)\)\nFROM \(\n  SELECT ([^\n]*)\n`).FindStringSubmatch(text)
		if m == nil {
			t.Fatalf("%s: no COPY with a column list and a SELECT:\n%s", o.Ref, text)
		}
		cols := strings.Split(m[1], ", ")
		exprs := strings.Split(m[2], ", ")
		if len(cols) != len(exprs) {
			t.Fatalf("%s: %d columns for %d expressions", o.Ref, len(cols), len(exprs))
		}
		r := &snowflake.Renderer{}
		r.Configure(dialect.Settings{Database: p.Spec.Project.Database})
		for _, c := range p.Object(o.Pipe.Table).Columns {
			if c.Default == nil {
				continue
			}
			i := indexOf(cols, c.Name)
			if i < 0 {
				t.Errorf("%s: column %s defaults to %s but is left out of the COPY", o.Ref, c.Name, c.Default.SQL(r))
				continue
			}
			if exprs[i] != c.Default.SQL(r) || exprs[i] != r.NextVal(o.Pipe.Sequence) {
				t.Errorf("%s: %s is loaded from %q, want its default %s", o.Ref, c.Name, exprs[i], c.Default.SQL(r))
			}
		}
	}
	if pipes == 0 {
		t.Fatal("no pipes")
	}
}

// TestProceduresTakeTheBatchID: SYSTEM$TASK_RUNTIME_INFO fails outside a
// task run (https://docs.snowflake.com/en/sql-reference/functions/system_task_runtime_info),
// so the procedures read the batch id from their argument and the task
// reads it once, in its CALL.
func TestProceduresTakeTheBatchID(t *testing.T) {
	_, sql := compile(t, "")
	for proc, sig := range map[ir.Ref]string{
		plan.ReconcileProc: "TRUEUP.OPS.RECONCILE(BATCH_ID VARCHAR)",
		plan.ReobserveProc: "TRUEUP.OPS.REOBSERVE(SINCE TIMESTAMP_LTZ, BATCH_ID VARCHAR)",
	} {
		text := sql[proc]
		if !strings.HasPrefix(text, "CREATE OR REPLACE PROCEDURE "+sig+"\n") {
			t.Errorf("%s: signature:\n%s", proc, firstLine(text))
		}
		if strings.Contains(text, "SYSTEM$TASK_RUNTIME_INFO") {
			t.Errorf("%s calls SYSTEM$TASK_RUNTIME_INFO, which fails in a manual CALL", proc)
		}
		if !strings.Contains(text, "WHERE batch_id = :BATCH_ID") {
			t.Errorf("%s does not use its batch id argument", proc)
		}
		// A manual call is a batch of its own in OPS.BATCHES.
		if !strings.Contains(text, "INSERT INTO TRUEUP.OPS.BATCHES (batch_id, started_at, finished_at, ruleset_version) SELECT :BATCH_ID,") {
			t.Errorf("%s does not record a batch it was called with", proc)
		}
	}
	task := sql[plan.ReconcileTask]
	_, body, _ := strings.Cut(task, "\nAS\n")
	if body != "CALL TRUEUP.OPS.RECONCILE(SYSTEM$TASK_RUNTIME_INFO('CURRENT_TASK_GRAPH_RUN_GROUP_ID'))" {
		t.Errorf("reconcile task body: %s", body)
	}
}

// TestTaskGraphConditions: a false WHEN skips a task and, by default, the
// tasks after it (https://docs.snowflake.com/en/sql-reference/sql/create-task),
// so reconcile runs on SYSTEM$PREDECESSORS_STATE('NONE_FAILED'): a batch
// that only one source landed in, or that the observations, backfill or
// manual links stream alone woke, still reaches it.
func TestTaskGraphConditions(t *testing.T) {
	p, sql := compile(t, "")
	root := header(sql[plan.RootTask])
	var rootStreams []string
	for _, s := range p.Spec.Sources {
		rootStreams = append(rootStreams, plan.LinesStream(s.Name).String())
	}
	rootStreams = append(rootStreams, plan.ObservationsStream.String(), plan.BackfillStream.String(), plan.ManualLinksStream.String())
	for _, s := range rootStreams {
		if !strings.Contains(root, "SYSTEM$STREAM_HAS_DATA('TRUEUP."+strings.ToUpper(s)+"')") {
			t.Errorf("root WHEN lacks %s:\n%s", s, root)
		}
	}
	if strings.Count(root, "SYSTEM$STREAM_HAS_DATA") != len(rootStreams) || strings.Contains(root, " AND ") {
		t.Errorf("root WHEN is not one OR over the streams:\n%s", root)
	}
	for _, s := range p.Spec.Sources {
		h := header(sql[plan.ObserveTask(s.Name)])
		want := "\n  WHEN SYSTEM$STREAM_HAS_DATA('TRUEUP." + strings.ToUpper(plan.LinesStream(s.Name).String()) + "')"
		if !strings.HasSuffix(h, want) {
			t.Errorf("observe %s: WHEN is not its own stream:\n%s", s.Name, h)
		}
	}
	rec := header(sql[plan.ReconcileTask])
	if !strings.HasSuffix(rec, "\n  WHEN SYSTEM$PREDECESSORS_STATE('NONE_FAILED')") {
		t.Errorf("reconcile runs only when every observe task succeeded:\n%s", rec)
	}
	fin := header(sql[plan.FinalizerTask])
	if strings.Contains(fin, "WHEN") || strings.Contains(fin, "AFTER") || !strings.Contains(fin, "FINALIZE = TRUEUP.OPS.TASK_ROOT") {
		t.Errorf("the finalizer must run whatever happened:\n%s", fin)
	}
}

// TestTaskPolicy: the graph-level settings are on the root only
// (TASK_AUTO_RETRY_ATTEMPTS on a child is an error), the timeout and the
// compute on every task, in the order of the CREATE TASK grammar.
func TestTaskPolicy(t *testing.T) {
	graphOnly := []string{"OVERLAP_POLICY", "SUSPEND_TASK_AFTER_NUM_FAILURES", "TASK_AUTO_RETRY_ATTEMPTS", "SCHEDULE"}
	order := []string{"WAREHOUSE", "USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE", "SCHEDULE", "OVERLAP_POLICY", "USER_TASK_TIMEOUT_MS",
		"SUSPEND_TASK_AFTER_NUM_FAILURES", "COMMENT", "FINALIZE", "TASK_AUTO_RETRY_ATTEMPTS", "TARGET_COMPLETION_INTERVAL", "AFTER", "WHEN"}
	check := func(t *testing.T, p *plan.Plan, sql map[ir.Ref]string, want map[string]string, none []string) {
		t.Helper()
		for _, o := range p.Tasks() {
			h := header(sql[o.Ref])
			props := map[string]string{}
			var seen []string
			for _, line := range strings.Split(h, "\n")[1:] {
				k, v, _ := strings.Cut(strings.TrimSpace(line), " ")
				if k == "OR" || k == "AND" {
					continue
				}
				props[k] = strings.TrimPrefix(v, "= ")
				seen = append(seen, k)
			}
			if !ordered(seen, order) {
				t.Errorf("%s: properties %v out of the grammar's order", o.Ref, seen)
			}
			for k, v := range want {
				if contains(graphOnly, k) && !o.Task.Root {
					if _, ok := props[k]; ok {
						t.Errorf("%s: %s set on a task that is not the root", o.Ref, k)
					}
					continue
				}
				if props[k] != v {
					t.Errorf("%s: %s = %q, want %q", o.Ref, k, props[k], v)
				}
			}
			for _, k := range none {
				if _, ok := props[k]; ok {
					t.Errorf("%s: %s set", o.Ref, k)
				}
			}
		}
	}
	t.Run("defaults", func(t *testing.T) {
		p, sql := compile(t, "")
		check(t, p, sql, map[string]string{
			"WAREHOUSE": "TRUEUP_WH", "SCHEDULE": "'1 MINUTES'", "OVERLAP_POLICY": "NO_OVERLAP",
			"USER_TASK_TIMEOUT_MS": "300000", "SUSPEND_TASK_AFTER_NUM_FAILURES": "5", "TASK_AUTO_RETRY_ATTEMPTS": "2",
		}, []string{"USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE", "TARGET_COMPLETION_INTERVAL"})
	})
	t.Run("serverless", func(t *testing.T) {
		p, sql := compile(t, "  tasks:\n    compute: serverless\n    initial_size: small\n    target_completion: 90s\n    timeout: 10m\n    retries: 0\n    suspend_after_failures: 0\n")
		check(t, p, sql, map[string]string{
			"USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE": "'SMALL'", "TARGET_COMPLETION_INTERVAL": "'90 SECONDS'",
			"USER_TASK_TIMEOUT_MS": "600000", "SUSPEND_TASK_AFTER_NUM_FAILURES": "0", "TASK_AUTO_RETRY_ATTEMPTS": "0",
		}, []string{"WAREHOUSE"})
	})
}

// TestCopyGrants: replacing a view, the dynamic table or a procedure keeps
// its grants (https://docs.snowflake.com/en/sql-reference/sql/create-view,
// .../create-dynamic-table, .../create-procedure: COPY GRANTS before
// COMMENT, after it, after the argument list). CREATE TASK has no COPY
// GRANTS (https://docs.snowflake.com/en/sql-reference/sql/create-task).
func TestCopyGrants(t *testing.T) {
	p, sql := compile(t, "")
	position := map[ir.Kind]*regexp.Regexp{
		ir.KindView:         regexp.MustCompile(`^CREATE OR REPLACE VIEW \S+ COPY GRANTS COMMENT = `),
		ir.KindDynamicTable: regexp.MustCompile(`(?s)^CREATE OR REPLACE DYNAMIC TABLE .*\n  REFRESH_MODE = INCREMENTAL COMMENT = '[^\n]*'\n  COPY GRANTS\nAS\n`),
		ir.KindProcedure:    regexp.MustCompile(`^CREATE OR REPLACE PROCEDURE \S+\([^)]*\)\n  COPY GRANTS\n  RETURNS `),
	}
	for _, o := range p.Objects {
		text := sql[o.Ref]
		if re, ok := position[o.Kind]; ok {
			if !re.MatchString(text) {
				t.Errorf("%s %s: COPY GRANTS missing or misplaced:\n%s", o.Kind, o.Ref, firstLines(text, 6))
			}
			continue
		}
		if strings.Contains(text, "CREATE OR REPLACE") && o.Kind != ir.KindTask {
			t.Errorf("%s %s is replaced without COPY GRANTS", o.Kind, o.Ref)
		}
		if o.Kind == ir.KindTask && strings.Contains(header(text), "COPY GRANTS") {
			t.Errorf("task %s: CREATE TASK takes no COPY GRANTS", o.Ref)
		}
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if strings.EqualFold(x, s) {
			return i
		}
	}
	return -1
}

func contains(list []string, s string) bool { return indexOf(list, s) >= 0 }

// ordered reports whether seen follows the order of order.
func ordered(seen, order []string) bool {
	last := -1
	for _, k := range seen {
		i := indexOf(order, k)
		if i < last {
			return false
		}
		last = i
	}
	return true
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}
