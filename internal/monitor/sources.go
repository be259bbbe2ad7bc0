package monitor

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/dialect/duckdb"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/plan"
)

// Local reads the local runtime's own log: ops.task_runs (batch_id, task,
// state, started_at, completed_at, error), ops.load_history and
// ops.dynamic_refreshes.
type Local struct {
	R dialect.Renderer
	// Plan names the dynamic tables a reconcile must wait for (nil: those
	// in ops.dynamic_refreshes).
	Plan *plan.Plan
}

// PublishedSQL implements Source. The runtime refreshes the dynamic tables
// right after a graph run whose reconcile succeeded and keeps each table's
// last refresh only: a run's result is visible at its reconcile's end once
// every dynamic table has refreshed since (the refresh itself, seconds
// locally, is not counted).
func (l Local) PublishedSQL(since, until time.Time) string {
	refreshed := "NOT EXISTS (SELECT 1 FROM " + duckdb.Refreshes + " f WHERE f.refreshed_at < r.completed_at)"
	if l.Plan != nil {
		n := 0
		for _, o := range l.Plan.Objects {
			if o.Kind == ir.KindDynamicTable {
				n++
			}
		}
		refreshed = fmt.Sprintf("(SELECT COUNT(*) FROM %s f WHERE f.refreshed_at >= r.completed_at) >= %d", duckdb.Refreshes, n)
	}
	return fmt.Sprintf(`  SELECT CAST(timezone('UTC', r.started_at) AS TIMESTAMP) AS started_at,
    CASE WHEN %s THEN CAST(timezone('UTC', r.completed_at) AS TIMESTAMP) END AS visible_at
  FROM %s r
  WHERE r.task = %s AND r.state = 'SUCCEEDED'
    AND CAST(timezone('UTC', r.completed_at) AS TIMESTAMP) > %s AND CAST(timezone('UTC', r.started_at) AS TIMESTAMP) <= %s`,
		refreshed, duckdb.TaskRuns, l.R.Str(plan.ReconcileTask.String()), l.ts(since), l.ts(until))
}

func (l Local) ts(t time.Time) string { return ts(l.R, t) }

// DateDiffMillis implements Source.
func (Local) DateDiffMillis(a, b string) string {
	return "date_diff('millisecond', " + a + ", " + b + ")"
}

// Exists implements Source.
func (Local) Exists(ctx context.Context, db *sql.DB, ref ir.Ref) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?)
  + (SELECT COUNT(*) FROM duckdb_views() WHERE schema_name = ? AND view_name = ?)`, ref.Schema, ref.Name, ref.Schema, ref.Name).Scan(&n)
	return n > 0, err
}

// Tasks implements Source. Times in the log are instants (TIMESTAMPTZ);
// the window is compared in UTC.
func (l Local) Tasks(ctx context.Context, db *sql.DB, since, until time.Time) ([]Task, []Failure, error) {
	if ok, err := l.Exists(ctx, db, ir.Ref{Schema: "ops", Name: "task_runs"}); err != nil || !ok {
		return []Task{}, []Failure{}, err
	}
	window := fmt.Sprintf("CAST(timezone('UTC', completed_at) AS TIMESTAMP) > %s AND CAST(timezone('UTC', completed_at) AS TIMESTAMP) <= %s", l.ts(since), l.ts(until))
	rows, err := db.QueryContext(ctx, `SELECT task, state, COUNT(*), MAX(CAST(timezone('UTC', completed_at) AS TIMESTAMP))
FROM ops.task_runs WHERE `+window+` GROUP BY task, state ORDER BY task, state`)
	if err != nil {
		return nil, nil, err
	}
	tasks, err := collectTasks(rows)
	if err != nil {
		return nil, nil, err
	}
	frows, err := db.QueryContext(ctx, `SELECT batch_id, task, CAST(timezone('UTC', completed_at) AS TIMESTAMP), error
FROM ops.task_runs WHERE state = 'FAILED' AND `+window+` ORDER BY completed_at DESC, task LIMIT 20`)
	if err != nil {
		return nil, nil, err
	}
	fails, err := collectFailures(frows)
	return tasks, fails, err
}

// Loads implements Source.
func (l Local) Loads(ctx context.Context, db *sql.DB, since, until time.Time) ([]Load, error) {
	if ok, err := l.Exists(ctx, db, ir.Ref{Schema: "ops", Name: "load_history"}); err != nil || !ok {
		return []Load{}, err
	}
	rows, err := db.QueryContext(ctx, `SELECT source, COUNT(*), COALESCE(SUM(lines), 0) FROM ops.load_history
WHERE CAST(timezone('UTC', loaded_at) AS TIMESTAMP) > `+l.ts(since)+` AND CAST(timezone('UTC', loaded_at) AS TIMESTAMP) <= `+l.ts(until)+`
GROUP BY source ORDER BY source`)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(rows *sql.Rows) (Load, error) {
		var src string
		var ld Load
		err := rows.Scan(&src, &ld.Files, &ld.Rows)
		ld.Table = plan.LinesTable(src).String()
		return ld, err
	})
}

// Refreshes implements Source: the runtime keeps the last refresh only.
func (l Local) Refreshes(ctx context.Context, db *sql.DB, since, until time.Time) ([]Refresh, error) {
	if ok, err := l.Exists(ctx, db, ir.Ref{Schema: "ops", Name: "dynamic_refreshes"}); err != nil || !ok {
		return []Refresh{}, err
	}
	rows, err := db.QueryContext(ctx, `SELECT name, CAST(timezone('UTC', refreshed_at) AS TIMESTAMP) FROM ops.dynamic_refreshes ORDER BY name`)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(rows *sql.Rows) (Refresh, error) {
		var r Refresh
		var at sql.NullTime
		err := rows.Scan(&r.Table, &at)
		r.Last = utc(at)
		if r.Last != nil && r.Last.After(since) && !r.Last.After(until) {
			r.Count = 1
		}
		return r, err
	})
}

func collectTasks(rows *sql.Rows) ([]Task, error) {
	defer rows.Close()
	byName := map[string]*Task{}
	var order []string
	for rows.Next() {
		var name, state string
		var n int64
		var last sql.NullTime
		if err := rows.Scan(&name, &state, &n, &last); err != nil {
			return nil, err
		}
		t := byName[name]
		if t == nil {
			t = &Task{Task: strings.ToLower(name)}
			byName[name] = t
			order = append(order, name)
		}
		switch strings.ToUpper(state) {
		case "SUCCEEDED":
			t.Succeeded += n
		case "FAILED":
			t.Failed += n
		case "SKIPPED":
			t.Skipped += n
		default:
			t.Other += n
		}
		if last.Valid && (t.LastRun == nil || last.Time.After(*t.LastRun)) {
			lt := last.Time.UTC()
			t.LastRun = &lt
		}
	}
	out := []Task{}
	for _, n := range order {
		out = append(out, *byName[n])
	}
	return out, rows.Err()
}

func collectFailures(rows *sql.Rows) ([]Failure, error) {
	return collect(rows, func(rows *sql.Rows) (Failure, error) {
		var f Failure
		var run, msg sql.NullString
		var at sql.NullTime
		err := rows.Scan(&run, &f.Task, &at, &msg)
		f.Run, f.Error, f.Task, f.At = run.String, msg.String, strings.ToLower(f.Task), utc(at)
		return f, err
	})
}

// collect reads every row of rows with scan and closes rows: an empty
// result is an empty slice, not nil.
func collect[T any](rows *sql.Rows, scan func(*sql.Rows) (T, error)) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// utc is the instant at in UTC, or nil when at is NULL.
func utc(at sql.NullTime) *time.Time {
	if !at.Valid {
		return nil
	}
	t := at.Time.UTC()
	return &t
}

// Snowflake reads the account's own history through the INFORMATION_SCHEMA
// table functions of the project's database: TASK_HISTORY
// (https://docs.snowflake.com/en/sql-reference/functions/task_history: the
// last 7 days, at most 10,000 rows a call, RESULT_LIMIT applied before any
// WHERE), DYNAMIC_TABLE_REFRESH_HISTORY
// (https://docs.snowflake.com/en/sql-reference/functions/dynamic_table_refresh_history:
// refreshes whose DATA_TIMESTAMP is within 7 days, at most 10,000 rows a
// call) and COPY_HISTORY (14 days).
//
// A one-minute graph runs each task up to 1,440 times a day, so one call
// for the whole graph over 7 days (over 60,000 rows) would return only the
// newest 10,000. Each task and each dynamic table is therefore read with
// its own calls (TASK_NAME =>, NAME =>), one per day of the window, joined
// with UNION ALL: at most 1,440 rows a call. (TASK_NAME takes an
// unqualified name: a task of the same name elsewhere in the account
// shares the limit, and is filtered out after it.)
//
// SNOWFLAKE.ACCOUNT_USAGE.TASK_HISTORY (365 days, no row limit,
// https://docs.snowflake.com/en/sql-reference/account-usage/task_history)
// was not chosen: its rows arrive with a latency of up to 45 minutes, too
// late for a freshness target of minutes, it never shows runs that are
// scheduled or executing, and reading it needs a grant on the SNOWFLAKE
// database. A window longer than 7 days is shortened to 7.
type Snowflake struct {
	R        dialect.Renderer
	Database string
	Plan     *plan.Plan
}

func (s Snowflake) is() string { return strings.ToUpper(s.Database) + ".INFORMATION_SCHEMA" }

// maxHistory is how far back TASK_HISTORY and
// DYNAMIC_TABLE_REFRESH_HISTORY answer.
const maxHistory = 7 * 24 * time.Hour

// days splits (since, until] into windows of at most a day, after
// shortening it to the last 7 days of until.
func days(since, until time.Time) [][2]time.Time {
	if limit := until.Add(-maxHistory + time.Minute); since.Before(limit) {
		since = limit
	}
	var out [][2]time.Time
	for start := since; start.Before(until); start = start.Add(24 * time.Hour) {
		end := start.Add(24 * time.Hour)
		if end.After(until) {
			end = until
		}
		out = append(out, [2]time.Time{start, end})
	}
	return out
}

// DateDiffMillis implements Source.
func (Snowflake) DateDiffMillis(a, b string) string {
	return "DATEDIFF(MILLISECOND, " + a + ", " + b + ")"
}

// Exists implements Source.
func (s Snowflake) Exists(ctx context.Context, db *sql.DB, ref ir.Ref) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, fmt.Sprintf("SELECT COUNT(*) FROM %s.TABLES WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s",
		s.is(), s.R.Str(strings.ToUpper(ref.Schema)), s.R.Str(strings.ToUpper(ref.Name)))).Scan(&n)
	if err == sql.ErrNoRows {
		return false, nil
	}
	return n > 0, err
}

func (s Snowflake) tsLTZ(t time.Time) string {
	return "TO_TIMESTAMP_LTZ(" + s.R.Str(t.UTC().Format("2006-01-02 15:04:05.000000 +0000")) + ", 'YYYY-MM-DD HH24:MI:SS.FF6 TZHTZM')"
}

// taskRuns is the TASK_HISTORY rows of the plan's tasks (or of the given
// tasks) scheduled in the window, one call per task and day.
func (s Snowflake) taskRuns(since, until time.Time, tasks ...ir.Ref) string {
	if len(tasks) == 0 {
		for _, t := range s.Plan.Tasks() {
			tasks = append(tasks, t.Ref)
		}
	}
	var parts []string
	for _, t := range tasks {
		for _, d := range days(since, until) {
			parts = append(parts, fmt.Sprintf(`  SELECT NAME, STATE, GRAPH_RUN_GROUP_ID, QUERY_START_TIME, COMPLETED_TIME, ERROR_MESSAGE
  FROM TABLE(%s.TASK_HISTORY(SCHEDULED_TIME_RANGE_START => %s, SCHEDULED_TIME_RANGE_END => %s, RESULT_LIMIT => 10000, TASK_NAME => %s))
  WHERE DATABASE_NAME = %s AND SCHEMA_NAME = %s`, s.is(), s.tsLTZ(d[0]), s.tsLTZ(d[1]), s.R.Str(strings.ToUpper(t.Name)),
				s.R.Str(strings.ToUpper(s.Database)), s.R.Str(strings.ToUpper(t.Schema))))
		}
	}
	return strings.Join(parts, "\n  UNION ALL\n")
}

// TasksSQL is the TASK_HISTORY query by task and state.
func (s Snowflake) TasksSQL(since, until time.Time) string {
	return fmt.Sprintf(`SELECT NAME, STATE, COUNT(*), MAX(COMPLETED_TIME)
FROM (
%s
) AS h
GROUP BY NAME, STATE ORDER BY NAME, STATE`, s.taskRuns(since, until))
}

// FailuresSQL is the TASK_HISTORY query of failed runs.
func (s Snowflake) FailuresSQL(since, until time.Time) string {
	return fmt.Sprintf(`SELECT GRAPH_RUN_GROUP_ID, NAME, COMPLETED_TIME, ERROR_MESSAGE
FROM (
%s
) AS h
WHERE STATE = 'FAILED'
ORDER BY COMPLETED_TIME DESC LIMIT 20`, s.taskRuns(since, until))
}

// Tasks implements Source.
func (s Snowflake) Tasks(ctx context.Context, db *sql.DB, since, until time.Time) ([]Task, []Failure, error) {
	rows, err := db.QueryContext(ctx, s.TasksSQL(since, until))
	if err != nil {
		return nil, nil, err
	}
	tasks, err := collectTasks(rows)
	if err != nil {
		return nil, nil, err
	}
	frows, err := db.QueryContext(ctx, s.FailuresSQL(since, until))
	if err != nil {
		return nil, nil, err
	}
	fails, err := collectFailures(frows)
	return tasks, fails, err
}

// dynamicTables are the plan's dynamic tables.
func (s Snowflake) dynamicTables() []ir.Ref {
	var out []ir.Ref
	for _, o := range s.Plan.Objects {
		if o.Kind == ir.KindDynamicTable {
			out = append(out, o.Ref)
		}
	}
	return out
}

// PublishedSQL implements Source. The reconcile runs are TASK_HISTORY's
// SUCCEEDED runs of the reconcile task (QUERY_START_TIME, COMPLETED_TIME);
// a dynamic table shows their result once a refresh whose DATA_TIMESTAMP
// (the time as of which it read its inputs) is at or after the run's end
// has finished (REFRESH_END_TIME), both from
// DYNAMIC_TABLE_REFRESH_HISTORY's SUCCEEDED rows. A dynamic table refreshes
// one refresh after another, so the first such refresh is found on a
// timeline of runs and refreshes ordered by time. Times are TIMESTAMP_LTZ,
// converted to UTC wall time as observed_at (SYSDATE()) is.
func (s Snowflake) PublishedSQL(since, until time.Time) string {
	reconciles := strings.ReplaceAll(s.taskRuns(since, until, plan.ReconcileTask), "\n", "\n  ")
	dts := s.dynamicTables()
	if len(dts) == 0 {
		return fmt.Sprintf(`  SELECT %s AS started_at, %s AS visible_at
  FROM (
  %s
  ) AS h
  WHERE STATE = 'SUCCEEDED'`, s.R.UTC("QUERY_START_TIME"), s.R.UTC("COMPLETED_TIME"), reconciles)
	}
	var refreshes, names []string
	for _, dt := range dts {
		names = append(names, "SELECT "+s.R.Str(dt.String())+" AS dt")
		for _, d := range days(since, until) {
			refreshes = append(refreshes, fmt.Sprintf(`    SELECT %s AS dt, %s AS data_ts, %s AS end_ts
    FROM TABLE(%s.DYNAMIC_TABLE_REFRESH_HISTORY(DATA_TIMESTAMP_START => %s, DATA_TIMESTAMP_END => %s, RESULT_LIMIT => 10000, NAME => %s))
    WHERE STATE = 'SUCCEEDED'`, s.R.Str(dt.String()), s.R.UTC("DATA_TIMESTAMP"), s.R.UTC("REFRESH_END_TIME"), s.is(),
				s.tsLTZ(d[0]), s.tsLTZ(d[1]), s.R.Str(s.R.Object(dt))))
		}
	}
	ntz := s.R.Type(ir.Timestamp)
	return fmt.Sprintf(`  SELECT started_at, CASE WHEN COUNT(end_ts) = %d THEN MAX(end_ts) END AS visible_at
  FROM (
    SELECT dt, kind, started_at, MIN(end_ts) OVER (PARTITION BY dt ORDER BY t, kind ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS end_ts
    FROM (
      SELECT d.dt, r.completed_at AS t, 0 AS kind, r.started_at, CAST(NULL AS %s) AS end_ts
      FROM (
        SELECT %s AS started_at, %s AS completed_at
        FROM (
  %s
        ) AS h
        WHERE STATE = 'SUCCEEDED'
      ) AS r CROSS JOIN (%s) AS d
      UNION ALL
      SELECT dt, data_ts AS t, 1 AS kind, CAST(NULL AS %s) AS started_at, end_ts
      FROM (
%s
      ) AS f
    ) AS marks
  ) AS firsts
  WHERE kind = 0
  GROUP BY started_at`, len(dts), ntz, s.R.UTC("QUERY_START_TIME"), s.R.UTC("COMPLETED_TIME"), reconciles,
		strings.Join(names, " UNION ALL "), ntz, strings.Join(refreshes, "\n    UNION ALL\n"))
}

// LoadsSQL is the COPY_HISTORY query of one RAW table.
func (s Snowflake) LoadsSQL(table ir.Ref, since time.Time) string {
	return fmt.Sprintf(`SELECT COUNT(*), COALESCE(SUM(ROW_COUNT), 0), COALESCE(SUM(ERROR_COUNT), 0)
FROM TABLE(%s.COPY_HISTORY(TABLE_NAME => %s, START_TIME => %s))`, s.is(), s.R.Str(s.R.Object(table)), s.tsLTZ(since))
}

// Loads implements Source.
func (s Snowflake) Loads(ctx context.Context, db *sql.DB, since, until time.Time) ([]Load, error) {
	out := []Load{}
	for _, src := range s.Plan.Spec.Sources {
		t := plan.LinesTable(src.Name)
		ld := Load{Table: t.String()}
		if err := db.QueryRowContext(ctx, s.LoadsSQL(t, since)).Scan(&ld.Files, &ld.Rows, &ld.Errors); err != nil && err != sql.ErrNoRows {
			return out, err
		}
		out = append(out, ld)
	}
	return out, nil
}

// RefreshesSQL is the DYNAMIC_TABLE_REFRESH_HISTORY query, one call per
// dynamic table and day.
func (s Snowflake) RefreshesSQL(since, until time.Time) string {
	var parts []string
	for _, dt := range s.dynamicTables() {
		for _, d := range days(since, until) {
			parts = append(parts, fmt.Sprintf(`  SELECT NAME, STATE, REFRESH_END_TIME
  FROM TABLE(%s.DYNAMIC_TABLE_REFRESH_HISTORY(DATA_TIMESTAMP_START => %s, DATA_TIMESTAMP_END => %s, RESULT_LIMIT => 10000, NAME => %s))`,
				s.is(), s.tsLTZ(d[0]), s.tsLTZ(d[1]), s.R.Str(s.R.Object(dt))))
		}
	}
	if len(parts) == 0 {
		parts = []string{"  SELECT CAST(NULL AS VARCHAR) AS NAME, CAST(NULL AS VARCHAR) AS STATE, CAST(NULL AS TIMESTAMP_LTZ) AS REFRESH_END_TIME WHERE FALSE"}
	}
	return fmt.Sprintf(`SELECT NAME, COUNT(*), SUM(CASE WHEN STATE = 'FAILED' THEN 1 ELSE 0 END), MAX(REFRESH_END_TIME)
FROM (
%s
) AS h
GROUP BY NAME ORDER BY NAME`, strings.Join(parts, "\n  UNION ALL\n"))
}

// Refreshes implements Source.
func (s Snowflake) Refreshes(ctx context.Context, db *sql.DB, since, until time.Time) ([]Refresh, error) {
	rows, err := db.QueryContext(ctx, s.RefreshesSQL(since, until))
	if err != nil {
		return nil, err
	}
	return collect(rows, func(rows *sql.Rows) (Refresh, error) {
		var r Refresh
		var failed sql.NullInt64
		var last sql.NullTime
		err := rows.Scan(&r.Table, &r.Count, &failed, &last)
		r.Table, r.Failed, r.Last = strings.ToLower(r.Table), failed.Int64, utc(last)
		return r, err
	})
}
