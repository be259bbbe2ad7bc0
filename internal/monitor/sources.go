package monitor

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/plan"
)

// Local reads the local runtime's own log: ops.task_runs (batch_id, task,
// state, started_at, completed_at, error), ops.load_history and
// ops.dynamic_refreshes.
type Local struct {
	R dialect.Renderer
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
	defer rows.Close()
	out := []Load{}
	for rows.Next() {
		var src string
		var ld Load
		if err := rows.Scan(&src, &ld.Files, &ld.Rows); err != nil {
			return nil, err
		}
		ld.Table = plan.LinesTable(src).String()
		out = append(out, ld)
	}
	return out, rows.Err()
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
	defer rows.Close()
	out := []Refresh{}
	for rows.Next() {
		var r Refresh
		var at sql.NullTime
		if err := rows.Scan(&r.Table, &at); err != nil {
			return nil, err
		}
		if at.Valid {
			t := at.Time.UTC()
			r.Last = &t
			if t.After(since) && !t.After(until) {
				r.Count = 1
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
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
	defer rows.Close()
	out := []Failure{}
	for rows.Next() {
		var f Failure
		var run, msg sql.NullString
		var at sql.NullTime
		if err := rows.Scan(&run, &f.Task, &at, &msg); err != nil {
			return nil, err
		}
		f.Run, f.Error, f.Task = run.String, msg.String, strings.ToLower(f.Task)
		if at.Valid {
			t := at.Time.UTC()
			f.At = &t
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Snowflake reads the account's own history: INFORMATION_SCHEMA table
// functions TASK_HISTORY (7 days, at most 10,000 rows a call),
// DYNAMIC_TABLE_REFRESH_HISTORY and COPY_HISTORY (14 days) of the
// project's database. Column names of DYNAMIC_TABLE_REFRESH_HISTORY were
// not verified here (see SNOWFLAKE.md §4); a failing part becomes a note.
type Snowflake struct {
	R        dialect.Renderer
	Database string
	Plan     *plan.Plan
}

func (s Snowflake) is() string { return strings.ToUpper(s.Database) + ".INFORMATION_SCHEMA" }

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

// TasksSQL is the TASK_HISTORY query by task and state.
func (s Snowflake) TasksSQL(since, until time.Time) string {
	return fmt.Sprintf(`SELECT NAME, STATE, COUNT(*), MAX(COMPLETED_TIME)
FROM TABLE(%s.TASK_HISTORY(SCHEDULED_TIME_RANGE_START => %s, SCHEDULED_TIME_RANGE_END => %s, RESULT_LIMIT => 10000))
WHERE DATABASE_NAME = %s
GROUP BY NAME, STATE ORDER BY NAME, STATE`, s.is(), s.tsLTZ(since), s.tsLTZ(until), s.R.Str(strings.ToUpper(s.Database)))
}

// FailuresSQL is the TASK_HISTORY query of failed runs.
func (s Snowflake) FailuresSQL(since, until time.Time) string {
	return fmt.Sprintf(`SELECT GRAPH_RUN_GROUP_ID, NAME, COMPLETED_TIME, ERROR_MESSAGE
FROM TABLE(%s.TASK_HISTORY(SCHEDULED_TIME_RANGE_START => %s, SCHEDULED_TIME_RANGE_END => %s, RESULT_LIMIT => 10000))
WHERE DATABASE_NAME = %s AND STATE = 'FAILED'
ORDER BY COMPLETED_TIME DESC LIMIT 20`, s.is(), s.tsLTZ(since), s.tsLTZ(until), s.R.Str(strings.ToUpper(s.Database)))
}

// Tasks implements Source. TASK_HISTORY answers only for the last 7 days
// (an error otherwise): a longer window is shortened.
func (s Snowflake) Tasks(ctx context.Context, db *sql.DB, since, until time.Time) ([]Task, []Failure, error) {
	if limit := until.Add(-7*24*time.Hour + time.Minute); since.Before(limit) {
		since = limit
	}
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

// RefreshesSQL is the DYNAMIC_TABLE_REFRESH_HISTORY query.
func (s Snowflake) RefreshesSQL(since time.Time) string {
	return fmt.Sprintf(`SELECT NAME, COUNT(*), SUM(CASE WHEN STATE = 'FAILED' THEN 1 ELSE 0 END), MAX(REFRESH_END_TIME)
FROM TABLE(%s.DYNAMIC_TABLE_REFRESH_HISTORY(DATA_TIMESTAMP_START => %s, RESULT_LIMIT => 10000))
WHERE DATABASE_NAME = %s
GROUP BY NAME ORDER BY NAME`, s.is(), s.tsLTZ(since), s.R.Str(strings.ToUpper(s.Database)))
}

// Refreshes implements Source.
func (s Snowflake) Refreshes(ctx context.Context, db *sql.DB, since, until time.Time) ([]Refresh, error) {
	rows, err := db.QueryContext(ctx, s.RefreshesSQL(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Refresh{}
	for rows.Next() {
		var r Refresh
		var failed sql.NullInt64
		var last sql.NullTime
		if err := rows.Scan(&r.Table, &r.Count, &failed, &last); err != nil {
			return nil, err
		}
		r.Table, r.Failed = strings.ToLower(r.Table), failed.Int64
		if last.Valid {
			t := last.Time.UTC()
			r.Last = &t
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
