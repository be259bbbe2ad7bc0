// Package local runs the DuckDB rendering of a plan on an embedded DuckDB
// database: it plays the parts Snowflake plays in production. It loads each
// landed file once (the pipe, with a load history), runs the task graph in
// dependency order with stream offsets advanced in the same transaction as
// the statements that consume them, and refreshes dynamic tables.
//
// This is the only package that links DuckDB.
package local

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ledgerloop/trueup/generator/dialect/duckdb"
	"github.com/ledgerloop/trueup/generator/emit"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/migrations"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/generator/spec"
	"github.com/ledgerloop/trueup/internal/crypt"
)

// Runtime tables the local runner keeps beside the plan's objects.
const (
	LoadHistory = duckdb.LoadHistory
	TaskRuns    = duckdb.TaskRuns
	Refreshes   = duckdb.Refreshes
)

// Runner executes a plan on one DuckDB database.
type Runner struct {
	db   *sql.DB
	plan *plan.Plan
	r    *duckdb.Renderer
	// tasks renders the statements of tasks: r with the work tables in
	// memory (duckdb.Renderer.InMemory).
	tasks *duckdb.Renderer
	// work are the work tables (ir.Object.Transient), created in memory
	// by each task that depends on them (workOf).
	work []*ir.Object
	// profile, when set, receives each statement's profile (SetProfile).
	profile    func(StatementProfile)
	profileDir string
	settle     time.Duration
	// vault keeps the PII values the database holds as tokens.
	vault *crypt.Vault
	// progress, when set, receives the run's progress (SetProgress).
	progress func(Progress)
}

// Options are DuckDB's settings for a runner.
type Options struct {
	// MemoryLimit is DuckDB's memory_limit ("3GB"); "" means
	// DefaultMemoryLimit. Past it DuckDB spills to disk.
	MemoryLimit string
	// Threads is DuckDB's threads setting; 0 leaves DuckDB's default (one
	// per core).
	Threads int
	// Settle is how long a landed file must go unmodified before it is
	// loaded: a file modified more recently may still be growing and is
	// left for the next pass. 0 loads every file whose name does not
	// mark it as temporary (Temporary).
	Settle time.Duration
	// MasterKey opens the database's vault; nil takes the environment's
	// (crypt.KeyFromEnv: TRUEUP_MASTER_KEY or TRUEUP_MASTER_KEY_FILE).
	MasterKey crypt.MasterKey
	// Progress, when set, receives the progress of each run (SetProgress).
	Progress func(Progress) `json:"-"`
}

// DefaultSettle is the settle time of trueup run: a producer that writes a
// file in one go finishes within it.
const DefaultSettle = 5 * time.Second

// DefaultMemoryLimit keeps the buffer manager under 3 GB so that the
// process, with what DuckDB allocates outside it, stays under 4 GB.
const DefaultMemoryLimit = "3GB"

// OpenReadOnly opens an existing database file read-only, for commands
// that only read it (dq, explain): nothing is created or changed in it,
// and other processes may read it at the same time. A file that does not
// exist is an error (ErrNoDatabase), never created.
func OpenReadOnly(ctx context.Context, path string, p *plan.Plan) (*Runner, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("open %s: %w", path, ErrNoDatabase)
	}
	v, err := openVault(path, false, nil)
	if err != nil {
		return nil, err
	}
	db, err := openDBReadOnly(path, Options{}, v)
	if err != nil {
		return nil, err
	}
	return newRunner(db, p, v), nil
}

// openVault opens the vault of the database file at path with the master
// key mk, or the environment's when mk is nil (an in-memory database gets
// a vault in memory). create makes a vault for a database that has none.
func openVault(path string, create bool, mk crypt.MasterKey) (*crypt.Vault, error) {
	if path == "" || path == ":memory:" {
		return crypt.MemoryVault(), nil
	}
	if mk == nil {
		var err error
		if mk, err = crypt.KeyFromEnv(nil); err != nil {
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
	}
	// A database file without its vault is one from before the vault
	// (its values are plaintext) or one whose vault was lost: setup tells
	// them apart (checkVault).
	return crypt.OpenVault(crypt.VaultPath(path), mk, create)
}

// Open opens (or creates) the database file (":memory:" or "" for an
// in-memory database) and creates every object of the plan that is
// missing, with the default Options.
func Open(ctx context.Context, path string, p *plan.Plan) (*Runner, error) {
	return OpenWith(ctx, path, p, Options{})
}

// OpenWith is Open with DuckDB's settings.
func OpenWith(ctx context.Context, path string, p *plan.Plan, o Options) (*Runner, error) {
	v, err := openVault(path, true, o.MasterKey)
	if err != nil {
		return nil, err
	}
	db, err := openDB(path, o, v)
	if err != nil {
		return nil, err
	}
	// Transactions begin without the caller's context: a cancelled
	// statement is interrupted through its own context, and the rollback
	// then runs here, never concurrently with it.
	run := newRunner(db, p, v)
	run.settle, run.progress = o.Settle, o.Progress
	if err := run.setup(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return run, nil
}

func newRunner(db *sql.DB, p *plan.Plan, v *crypt.Vault) *Runner {
	run := &Runner{db: db, plan: p, r: rendererFor(p), vault: v}
	var refs []ir.Ref
	for _, o := range p.Objects {
		if o.Kind == ir.KindTable && o.Transient {
			run.work = append(run.work, o)
			refs = append(refs, o.Ref)
		}
	}
	run.tasks = run.r.InMemory(refs)
	return run
}

// workOf are the work tables task t depends on: the ones its statements
// read and write.
func (run *Runner) workOf(t *ir.Object) []*ir.Object {
	var out []*ir.Object
	for _, o := range run.work {
		if slices.Contains(t.Deps, o.Ref) {
			out = append(out, o)
		}
	}
	return out
}

// DB exposes the database for queries (tests, explain, summaries).
func (run *Runner) DB() *sql.DB { return run.db }

// Plan is the plan the runner executes.
func (run *Runner) Plan() *plan.Plan { return run.plan }

// Close closes the database.
func (run *Runner) Close() error {
	if run.profileDir != "" {
		os.RemoveAll(run.profileDir)
	}
	return run.db.Close()
}

var memoryLimit = regexp.MustCompile(`^(?i)[0-9]+(\.[0-9]+)? ?(b|kb|mb|gb|tb|kib|mib|gib|tib)$`)

// ValidMemoryLimit reports whether s is a size DuckDB takes as
// memory_limit ("3GB", "512 MiB").
func ValidMemoryLimit(s string) bool { return memoryLimit.MatchString(s) }

// dsn adds the settings to the path as DuckDB's connection parameters, so
// that every connection the pool opens has them.
func (o Options) dsn(path string, readOnly bool) (string, error) {
	limit := o.MemoryLimit
	if limit == "" {
		limit = DefaultMemoryLimit
	}
	if !ValidMemoryLimit(limit) {
		return "", fmt.Errorf("open %s: memory limit %q: want a size such as 3GB", path, o.MemoryLimit)
	}
	if o.Threads < 0 {
		return "", fmt.Errorf("open %s: threads %d: want 0 (one per core) or more", path, o.Threads)
	}
	q := url.Values{}
	q.Set("memory_limit", limit)
	if o.Threads > 0 {
		q.Set("threads", strconv.Itoa(o.Threads))
	}
	if readOnly {
		q.Set("access_mode", "read_only")
	}
	return path + "?" + q.Encode(), nil
}

func (run *Runner) setup(ctx context.Context) error {
	tx, err := run.db.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	defer tx.Rollback()
	moves, err := run.renameTables(ctx, tx)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	if err := run.addMissingColumns(ctx, tx); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	for _, f := range emit.Files(run.plan, run.r) {
		for _, s := range f.Statements {
			if _, err := tx.ExecContext(ctx, s.SQL); err != nil {
				return fmt.Errorf("setup: %s: %w", f.Path, err)
			}
		}
	}
	for _, o := range moves {
		if err := run.moveRows(ctx, tx, o); err != nil {
			return fmt.Errorf("setup: %w", err)
		}
	}
	for _, ddl := range []string{
		`CREATE TABLE IF NOT EXISTS ` + LoadHistory + ` (
  source VARCHAR NOT NULL,
  file_name VARCHAR NOT NULL,
  size BIGINT,
  md5 VARCHAR,
  lines BIGINT,
  first_load_seq BIGINT,
  last_load_seq BIGINT,
  loaded_at TIMESTAMPTZ,
  PRIMARY KEY (source, file_name)
)`,
		// The file as it was loaded: the SHA-256 of its bytes on disk
		// and its modification time find a later change (md5, of its
		// text, was written by earlier versions), and how it was
		// compressed.
		`ALTER TABLE ` + LoadHistory + ` ADD COLUMN IF NOT EXISTS sha256 VARCHAR`,
		`ALTER TABLE ` + LoadHistory + ` ADD COLUMN IF NOT EXISTS mtime TIMESTAMPTZ`,
		`ALTER TABLE ` + LoadHistory + ` ADD COLUMN IF NOT EXISTS compression VARCHAR`,
		`CREATE TABLE IF NOT EXISTS ` + duckdb.LoadErrors + ` (
  table_name VARCHAR NOT NULL,
  file_name VARCHAR NOT NULL,
  status VARCHAR NOT NULL,
  error_count BIGINT,
  first_error VARCHAR,
  seen_at TIMESTAMP
)`,
		`CREATE TABLE IF NOT EXISTS ` + duckdb.CurrentBatch + ` (batch_id VARCHAR)`,
		`INSERT INTO ` + duckdb.CurrentBatch + ` SELECT NULL WHERE NOT EXISTS (SELECT 1 FROM ` + duckdb.CurrentBatch + `)`,
		`CREATE TABLE IF NOT EXISTS ` + Refreshes + ` (
  name VARCHAR PRIMARY KEY,
  batch_id VARCHAR NOT NULL,
  refreshed_at TIMESTAMPTZ
)`,
		`CREATE TABLE IF NOT EXISTS ` + TaskRuns + ` (
  batch_id VARCHAR NOT NULL,
  task VARCHAR NOT NULL,
  state VARCHAR NOT NULL,
  started_at TIMESTAMPTZ,
  completed_at TIMESTAMPTZ,
  error VARCHAR
)`,
	} {
		if _, err := tx.ExecContext(ctx, ddl); err != nil {
			return fmt.Errorf("setup: %w", err)
		}
	}
	if err := run.auditRuleset(ctx, tx); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	return tx.Commit()
}

// tableType is information_schema's table_type of a table or view ("BASE
// TABLE", "VIEW"), or "" when there is none.
func tableType(ctx context.Context, tx *sql.Tx, r ir.Ref) (string, error) {
	var t string
	err := tx.QueryRowContext(ctx, `SELECT table_type FROM information_schema.tables WHERE table_schema = ? AND table_name = ?`, r.Schema, r.Name).Scan(&t)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return t, err
}

// renameTables renames the tables of a database written by an earlier
// version that the plan has under a new name (ir.Object.Was), as a
// migration would, and returns the plan's tables that do not exist yet and
// take over rows of another (ir.Object.Moves).
func (run *Runner) renameTables(ctx context.Context, tx *sql.Tx) ([]*ir.Object, error) {
	var moves []*ir.Object
	for _, o := range run.plan.Objects {
		if o.Kind != ir.KindTable {
			continue
		}
		have, err := tableType(ctx, tx, o.Ref)
		if err != nil {
			return nil, err
		}
		if have == "" && o.Moves != nil {
			moves = append(moves, o)
		}
		if have != "" || o.Was == "" {
			continue
		}
		old := ir.Ref{Schema: o.Ref.Schema, Name: o.Was}
		if t, err := tableType(ctx, tx, old); err != nil {
			return nil, err
		} else if t != "BASE TABLE" {
			continue
		}
		if err := run.migrate(ctx, tx, migrations.RenameTable(o)); err != nil {
			return nil, err
		}
	}
	return moves, nil
}

// migrate runs a migration step as the migrations render it.
func (run *Runner) migrate(ctx context.Context, tx *sql.Tx, st migrations.Step) error {
	stmts, err := migrations.Statements(run.r, []migrations.Step{st})
	if err != nil {
		return err
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// moveRows moves into the new table o the rows it takes over.
func (run *Runner) moveRows(ctx context.Context, tx *sql.Tx, o *ir.Object) error {
	if t, err := tableType(ctx, tx, o.Moves.From); err != nil || t != "BASE TABLE" {
		return err
	}
	return run.migrate(ctx, tx, migrations.MoveRows(o))
}

// addMissingColumns adds to the plan's tables that exist already the
// columns a newer plan has (nullable: existing rows have no value for
// them), as a migration would, so that a database written by an earlier
// version opens. trueup never drops a column.
func (run *Runner) addMissingColumns(ctx context.Context, tx *sql.Tx) error {
	for _, o := range run.plan.Objects {
		if o.Kind != ir.KindTable {
			continue
		}
		rows, err := tx.QueryContext(ctx, `SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?`, o.Ref.Schema, o.Ref.Name)
		if err != nil {
			return err
		}
		have := map[string]bool{}
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return err
			}
			have[strings.ToLower(c)] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(have) == 0 {
			continue // created below
		}
		for _, c := range o.Columns {
			if have[strings.ToLower(c.Name)] {
				continue
			}
			q := fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", run.r.Object(o.Ref), run.r.Ident(c.Name), run.r.Type(c.Type))
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
	}
	return nil
}

// LoadedFile is one file the load step took in, or passed over.
type LoadedFile struct {
	Source, File string
	Lines        int64
	// Skipped says why a file was not loaded, or not loaded again (""
	// when loaded); the reason is recorded in duckdb.LoadErrors too.
	Skipped string
	// Waiting says why a file that is not complete yet was left for the
	// next pass (nothing is recorded: it is not an error).
	Waiting string
	// Flagged says what the load changed in a file it loaded (invalid
	// UTF-8 replaced); it is recorded in duckdb.LoadErrors too.
	Flagged string
}

// Statuses of duckdb.LoadErrors, in COPY_HISTORY's words where it has
// them.
const (
	LoadFailed = "LOAD FAILED" // the file could not be read: none of its lines is loaded
	NotLoaded  = "NOT LOADED"  // the file changed after it was loaded: its new content is not
	// Replaced: every line is loaded, some with U+FFFD in place of
	// invalid UTF-8 (error_count 0: no line is left out).
	Replaced = "LOADED, INVALID UTF-8 REPLACED"
)

// ChangedAfterLoad is why a file that changed after it was loaded is not
// loaded again.
const ChangedAfterLoad = "changed after it was loaded; not loaded again (land it under a new name)"

// Loaded is what one load pass did.
type Loaded struct {
	Files []LoadedFile
	// Warnings name what looks wrong without stopping the load (a
	// declared source whose folder has no files).
	Warnings []string
}

// Load takes in every file under landing/<source landing> that the load
// history does not have yet (LoadLanding), and returns the files.
func (run *Runner) Load(ctx context.Context, landing string) ([]LoadedFile, error) {
	l, err := run.LoadLanding(ctx, landing)
	return l.Files, err
}

// LoadLanding takes in every complete file under landing/<source landing>
// that the load history does not have yet, each file in its own
// transaction and read once. A file whose content changed after it was
// loaded is reported, not loaded again (as a pipe would): rename it to
// load it. A landing folder that does not exist is an error
// (ErrNoLanding); a source with no files is a warning.
func (run *Runner) LoadLanding(ctx context.Context, landing string) (Loaded, error) {
	var out Loaded
	if fi, err := os.Stat(landing); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return out, fmt.Errorf("load: %s: %w", landing, ErrNoLanding)
		}
		return out, fmt.Errorf("load: %w", err)
	} else if !fi.IsDir() {
		return out, fmt.Errorf("load: %s: %w (it is a file)", landing, ErrNoLanding)
	}
	// Every source's files are listed first: the progress knows how many
	// there are.
	type sourceFiles struct {
		source, root string
		files        []string
	}
	var lists []sourceFiles
	total := 0
	for _, src := range run.plan.Spec.Sources {
		root := filepath.Join(landing, filepath.FromSlash(src.Landing))
		files, err := listFiles(root)
		if err != nil {
			return out, fmt.Errorf("load %s: %w", src.Name, err)
		}
		if len(files) == 0 {
			out.Warnings = append(out.Warnings, fmt.Sprintf("source %s: no files in %s", src.Name, root))
		}
		lists = append(lists, sourceFiles{src.Name, root, files})
		total += len(files)
	}
	run.report(Progress{Kind: ProgressFiles, Files: total})
	done := 0
	for _, l := range lists {
		for _, rel := range l.files {
			if err := ctx.Err(); err != nil {
				return out, err
			}
			start := time.Now()
			lf, err := run.loadFile(ctx, l.source, l.root, rel)
			if err != nil {
				return out, fmt.Errorf("load %s: %s: %w", l.source, rel, err)
			}
			done++
			if lf != nil {
				out.Files = append(out.Files, *lf)
				if lf.Waiting == "" && lf.Skipped == "" {
					run.report(Progress{Kind: ProgressFile, Source: l.source, File: rel, Lines: lf.Lines, Files: total, Done: done, Elapsed: time.Since(start)})
				}
			}
		}
	}
	return out, nil
}

// execer is a *sql.DB or a *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// recordLoadError records in duckdb.LoadErrors, once, that a load of a
// file of source left lines out of RAW (or changed them: Replaced), and
// reports the file as skipped.
func (run *Runner) recordLoadError(ctx context.Context, ex execer, source, rel, status, message string, count *int64) (*LoadedFile, error) {
	table := plan.LinesTable(source).String()
	if _, err := ex.ExecContext(ctx, `INSERT INTO `+duckdb.LoadErrors+` (table_name, file_name, status, error_count, first_error, seen_at)
SELECT ?, ?, ?, ?, ?, `+run.r.Now()+`
WHERE NOT EXISTS (SELECT 1 FROM `+duckdb.LoadErrors+` WHERE table_name = ? AND file_name = ? AND status = ? AND first_error = ?)`,
		table, rel, status, count, message, table, rel, status, message); err != nil {
		return nil, err
	}
	return &LoadedFile{Source: source, File: rel, Skipped: message}, nil
}

// waiting says why a file is not complete yet ("" when it is): it was
// modified less than the settle time ago, so its producer may still be
// writing it.
func (run *Runner) waiting(fi os.FileInfo) string {
	if run.settle <= 0 {
		return ""
	}
	if age := time.Since(fi.ModTime()); age < run.settle {
		return fmt.Sprintf("modified %s ago, less than the settle time %s: left for the next pass", age.Round(time.Millisecond), run.settle)
	}
	return ""
}

// mtime is a file's modification time as the load history keeps it
// (TIMESTAMPTZ holds microseconds).
func mtime(fi os.FileInfo) time.Time { return fi.ModTime().Truncate(time.Microsecond) }

// dbError marks an error of the database (not of the file being read):
// it fails the pass instead of being recorded as a failed load.
type dbError struct{ err error }

func (e dbError) Error() string { return e.err.Error() }
func (e dbError) Unwrap() error { return e.err }

func (run *Runner) loadFile(ctx context.Context, source, root, rel string) (*LoadedFile, error) {
	path := filepath.Join(root, filepath.FromSlash(rel))
	fi, err := os.Stat(path)
	if err != nil {
		return run.recordLoadError(ctx, run.db, source, rel, LoadFailed, err.Error(), nil)
	}
	var oldSize int64
	var oldSHA sql.NullString
	var oldMtime sql.NullTime
	err = run.db.QueryRowContext(ctx, `SELECT size, sha256, mtime FROM `+LoadHistory+` WHERE source = ? AND file_name = ?`, source, rel).Scan(&oldSize, &oldSHA, &oldMtime)
	switch {
	case err == nil:
		return run.checkUnchanged(ctx, source, rel, path, fi, oldSize, oldSHA, oldMtime)
	case !errors.Is(err, sql.ErrNoRows):
		return nil, err
	}
	if w := run.waiting(fi); w != "" {
		return &LoadedFile{Source: source, File: rel, Waiting: w}, nil
	}
	tx, err := run.db.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := run.enableProfiling(ctx, tx); err != nil {
		return nil, err
	}
	prof := StatementProfile{Task: StageLoad, Stage: StageLoad, Head: source + "/" + rel}
	table := run.r.Object(plan.LinesTable(source))
	// Lines are stored encrypted when the spec has PII: any line may
	// carry it. A spec that tags no field pii stores them as they are.
	line := "parts[i]"
	if run.plan.Spec.HasPII() {
		line = duckdb.SealTextFunction + "(parts[i])"
	}
	var n int64
	got, err := readLanded(path, run.documents(source), func(first int64, rows []string) error {
		// Blank lines keep their row number and are not loaded
		// (SKIP_BLANK_LINES = TRUE in the warehouse's file format).
		res, err := run.profileExec(ctx, tx, &prof, `INSERT INTO `+table+` (file_name, file_row, line, loaded_at)
SELECT ?, ? + i - 1, `+line+`, now()
FROM (SELECT string_split(CAST(? AS VARCHAR), chr(10)) AS parts) t, range(1, len(parts) + 1) r(i)
WHERE parts[i] <> ''
ORDER BY i`, rel, first, strings.Join(rows, "\n"))
		if err != nil {
			return dbError{err}
		}
		k, _ := res.RowsAffected()
		n += k
		return nil
	})
	if err != nil {
		if errors.As(err, new(dbError)) {
			return nil, err
		}
		// A file that cannot be read (or decompressed) is reported,
		// not retried until it fails the pass: the other files load.
		// It is tried again at the next pass.
		tx.Rollback()
		return run.recordLoadError(ctx, run.db, source, rel, LoadFailed, err.Error(), nil)
	}
	// A file that changed while it was read is still being written.
	if after, err := os.Stat(path); err != nil || after.Size() != fi.Size() || !after.ModTime().Equal(fi.ModTime()) || got.Size != fi.Size() {
		tx.Rollback()
		return &LoadedFile{Source: source, File: rel, Waiting: "changed while it was read: left for the next pass"}, nil
	}
	if _, err := run.profileExec(ctx, tx, &prof, `INSERT INTO `+LoadHistory+` (source, file_name, size, sha256, mtime, compression, lines, first_load_seq, last_load_seq, loaded_at)
SELECT ?, ?, ?, ?, ?, ?, ?, (SELECT MIN(load_seq) FROM `+table+` WHERE file_name = ?), (SELECT MAX(load_seq) FROM `+table+` WHERE file_name = ?), now()`,
		source, rel, got.Size, got.SHA256, mtime(fi), got.Compression, n, rel, rel); err != nil {
		return nil, err
	}
	out := &LoadedFile{Source: source, File: rel, Lines: n}
	if got.Replaced > 0 {
		// Every line is loaded; the replacement is flagged so that
		// nothing changes silently.
		zero := int64(0)
		out.Flagged = fmt.Sprintf("invalid UTF-8 replaced by U+FFFD in %d of its lines (first: row %d)", got.Replaced, got.FirstReplaced)
		if _, err := run.recordLoadError(ctx, tx, source, rel, Replaced, out.Flagged, &zero); err != nil {
			return nil, err
		}
	}
	if err := run.commit(tx, &prof); err != nil {
		return nil, err
	}
	if run.profile != nil {
		prof.Rows = n
		run.profile(prof)
	}
	return out, nil
}

// checkUnchanged compares a file loaded before with what it was when it
// was loaded. A file whose size and modification time are those recorded
// is not read again; otherwise its SHA-256 is compared with the one
// recorded, so that an edit that keeps the size is found too. A changed
// file is reported (its loaded lines stay), not loaded again.
func (run *Runner) checkUnchanged(ctx context.Context, source, rel, path string, fi os.FileInfo, oldSize int64, oldSHA sql.NullString, oldMtime sql.NullTime) (*LoadedFile, error) {
	if fi.Size() == oldSize && (!oldSHA.Valid || (oldMtime.Valid && oldMtime.Time.Equal(mtime(fi)))) {
		// Loaded by an earlier version (no hash recorded: the size
		// decides), or untouched since the load.
		return nil, nil
	}
	if oldSHA.Valid {
		if run.waiting(fi) != "" {
			return nil, nil // being rewritten: compared when it settles
		}
		cur, err := hashFile(path)
		if err != nil {
			return run.recordLoadError(ctx, run.db, source, rel, NotLoaded, "cannot be read again to compare with what was loaded: "+err.Error(), nil)
		}
		if cur == oldSHA.String {
			return nil, nil // touched, not changed
		}
	}
	return run.recordLoadError(ctx, run.db, source, rel, NotLoaded, ChangedAfterLoad, nil)
}

// TaskRun is the outcome of one task in a batch.
type TaskRun struct {
	Task     string
	State    string // SUCCEEDED, SKIPPED, FAILED
	Duration time.Duration
	Error    string
	// RetriedAfter is the transient DuckDB fault after which the task was
	// run again (see runTask); empty when it ran once.
	RetriedAfter string
}

// Batch is one run of the task graph.
type Batch struct {
	ID    string
	Tasks []TaskRun
	// Ran is false when the root's condition found no new lines.
	Ran bool
}

// RunGraph runs the task graph once, as Snowflake would on its schedule:
// the root's condition first, then every task in dependency order, each in
// its own transaction; a failed task skips the tasks after it, and the
// finalizer always runs. Dynamic tables are refreshed after the graph.
//
// force runs the graph even when the root's condition is false, as
// EXECUTE TASK does (replay uses it: the queue has work, no stream has data).
func (run *Runner) RunGraph(ctx context.Context, force bool) (Batch, error) {
	tasks := run.plan.Tasks()
	var root *ir.Object
	for _, t := range tasks {
		if t.Task.Root {
			root = t
		}
	}
	if root == nil {
		return Batch{}, errors.New("run: the plan has no root task")
	}
	has, err := run.anyHasData(ctx, root.Task.When)
	if err != nil {
		return Batch{}, fmt.Errorf("run: %w", err)
	}
	if !has && !force {
		// An override that expired, or ended, changes gold by itself.
		if due, err := run.overridesDue(ctx); err != nil || !due {
			return Batch{}, err
		}
	}
	var n int
	if err := run.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+run.r.Object(plan.Batches)).Scan(&n); err != nil {
		return Batch{}, fmt.Errorf("run: %w", err)
	}
	b := Batch{ID: fmt.Sprintf("local-%06d", n+1), Ran: true}
	if _, err := run.db.ExecContext(ctx, "UPDATE "+duckdb.CurrentBatch+" SET batch_id = ?", b.ID); err != nil {
		return b, fmt.Errorf("run: %w", err)
	}
	var failed error
	for _, t := range tasks {
		if t.Task.FinalizerOf != nil {
			continue
		}
		tr := TaskRun{Task: t.Ref.String(), State: "SKIPPED"}
		if failed == nil {
			tr = run.runTask(ctx, t)
			if tr.State == "FAILED" {
				failed = fmt.Errorf("run: task %s: %s", tr.Task, tr.Error)
			}
		}
		b.Tasks = append(b.Tasks, tr)
		run.logTask(b.ID, tr)
	}
	for _, t := range tasks {
		if t.Task.FinalizerOf != nil {
			tr := run.runTask(context.WithoutCancel(ctx), t)
			b.Tasks = append(b.Tasks, tr)
			run.logTask(b.ID, tr)
		}
	}
	if failed != nil {
		return b, failed
	}
	if err := run.Refresh(ctx); err != nil {
		return b, err
	}
	return b, nil
}

// refreshIfStale refreshes the dynamic tables when the last batch that
// committed is not the one they were last refreshed after (a refresh that
// was interrupted, say).
func (run *Runner) refreshIfStale(ctx context.Context) error {
	var stale bool
	q := `SELECT COALESCE((SELECT MAX(batch_id) FROM ` + run.r.Object(plan.Batches) + `), '') <> COALESCE((SELECT MIN(batch_id) FROM ` + Refreshes + `), '')`
	if err := run.db.QueryRowContext(ctx, q).Scan(&stale); err != nil {
		return fmt.Errorf("refresh: %w", err)
	}
	if !stale {
		return nil
	}
	return run.Refresh(ctx)
}

func (run *Runner) logTask(batch string, tr TaskRun) {
	var errText any
	switch {
	case tr.Error != "":
		errText = tr.Error
	case tr.RetriedAfter != "":
		errText = "ran again after: " + tr.RetriedAfter
	}
	// Bookkeeping only: a failure to log must not fail the batch.
	_, _ = run.db.Exec(`INSERT INTO `+TaskRuns+` (batch_id, task, state, started_at, completed_at, error)
VALUES (?, ?, ?, now() - to_microseconds(?), now(), ?)`, batch, tr.Task, tr.State, tr.Duration.Microseconds(), errText)
}

// anyHasData is SYSTEM$STREAM_HAS_DATA over several streams.
func (run *Runner) anyHasData(ctx context.Context, streams []*ir.Stream) (bool, error) {
	for _, s := range streams {
		var n int
		q := fmt.Sprintf(`SELECT COUNT(*) FROM %s WHERE %s > (SELECT consumed_to FROM %s WHERE stream_name = ?)`,
			run.r.Object(s.Table), run.r.Ident(s.SequenceColumn), duckdb.StreamOffsets)
		if err := run.db.QueryRowContext(ctx, q, s.Ref.String()).Scan(&n); err != nil {
			return false, err
		}
		if n > 0 {
			return true, nil
		}
	}
	return false, nil
}

// runTask runs one task in one transaction: fix the streams' read offsets,
// run the steps, advance the offsets, commit.
func (run *Runner) runTask(ctx context.Context, t *ir.Object) TaskRun {
	start := time.Now()
	tr := TaskRun{Task: t.Ref.String(), State: "SUCCEEDED"}
	fail := func(err error) TaskRun {
		tr.State, tr.Error, tr.Duration = "FAILED", err.Error(), time.Since(start)
		return tr
	}
	if !t.Task.Root && len(t.Task.When) > 0 {
		has, err := run.anyHasData(ctx, t.Task.When)
		if err != nil {
			return fail(err)
		}
		if !has {
			tr.State, tr.Duration = "SKIPPED", time.Since(start)
			return tr
		}
	}
	// A task runs in one transaction: on an error it rolls back and its
	// streams stay where they were, so running it again is safe. DuckDB
	// v1.5 now and then fails a large append with an error about invalid
	// UTF-8 in a segment's statistics, which the same transaction passes
	// when run again (every landed line is valid UTF-8: the loader
	// replaces what is not): such a task is run once more, on one thread.
	// The fault comes with memory pressure and two threads: a case that
	// failed in two of three runs on two threads passed in three of three
	// on one.
	err := run.attemptTask(ctx, t)
	if err != nil && transientStorageError(err) {
		tr.RetriedAfter = err.Error()
		err = run.oneThread(ctx, func() error { return run.attemptTask(ctx, t) })
	}
	if err != nil {
		tr = fail(err)
	} else {
		tr.Duration = time.Since(start)
	}
	run.report(Progress{Kind: ProgressTaskDone, Task: tr.Task, State: tr.State, Elapsed: tr.Duration})
	return tr
}

// oneThread runs fn with DuckDB's threads setting at 1, then puts the
// setting back.
func (run *Runner) oneThread(ctx context.Context, fn func() error) error {
	var threads int64
	if err := run.db.QueryRowContext(ctx, "SELECT CAST(current_setting('threads') AS BIGINT)").Scan(&threads); err != nil {
		return err
	}
	if _, err := run.db.ExecContext(ctx, "SET threads = 1"); err != nil {
		return err
	}
	ferr := fn()
	if _, err := run.db.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("SET threads = %d", threads)); err != nil && ferr == nil {
		return err
	}
	return ferr
}

// transientStorageError is DuckDB's fault that running the same
// transaction again passes.
func transientStorageError(err error) bool {
	return strings.Contains(err.Error(), "detected in segment statistics update")
}

// attemptTask runs a task's steps in one transaction and commits it.
func (run *Runner) attemptTask(ctx context.Context, t *ir.Object) error {
	tx, err := run.db.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := run.enableProfiling(ctx, tx); err != nil {
		return err
	}
	for _, s := range t.Task.Consumes {
		q := fmt.Sprintf(`UPDATE %s SET reading_to = (SELECT COALESCE(MAX(%s), 0) FROM %s) WHERE stream_name = ?`,
			duckdb.StreamOffsets, run.r.Ident(s.SequenceColumn), run.r.Object(s.Table))
		if _, err := tx.ExecContext(ctx, q, s.Ref.String()); err != nil {
			return err
		}
	}
	// Statements are not prepared and reused: DuckDB plans with the
	// tables' statistics at preparation, and a plan made while a work
	// table was empty would stay empty.
	// The work tables are in memory, created by each task that depends on
	// them and dropped at its end (dropping frees their memory; a
	// rollback drops them too).
	work := run.workOf(t)
	for _, o := range work {
		if _, err := tx.ExecContext(ctx, run.tasks.CreateInMemory(o)); err != nil {
			return fmt.Errorf("work table %s: %w", o.Ref, err)
		}
	}
	// The relations the steps read more than once are filled first, in
	// the task's transaction, and dropped after the last step.
	for _, sc := range t.Task.Scratch {
		prof := StatementProfile{Task: t.Ref.String(), Step: 0}
		q := run.tasks.CreateScratch(sc.Name, sc.Query(run.tasks))
		if _, err := run.profileExec(ctx, tx, &prof, q); err != nil {
			return fmt.Errorf("scratch %s: %w", sc.Name, err)
		}
		if run.profile != nil {
			prof.Stage, prof.Head, prof.SQL = StageOf(t, q), headOf(q), q
			run.profile(prof)
		}
	}
	stages := stageTracker{run: run, task: t}
	for i, step := range t.Task.Steps {
		q := step(run.tasks)
		stages.statement(i+1, q)
		prof := StatementProfile{Task: t.Ref.String(), Step: i + 1}
		if _, err := run.profileExec(ctx, tx, &prof, q); err != nil {
			return fmt.Errorf("step %d: %w", i+1, err)
		}
		if run.profile != nil {
			prof.Stage, prof.Head, prof.SQL = StageOf(t, q), headOf(q), q
			run.profile(prof)
		}
	}
	stages.done(len(t.Task.Steps) + 1)
	for _, sc := range t.Task.Scratch {
		if _, err := tx.ExecContext(ctx, run.tasks.DropScratch(sc.Name)); err != nil {
			return err
		}
	}
	for _, o := range work {
		if _, err := tx.ExecContext(ctx, run.tasks.DropInMemory(o)); err != nil {
			return err
		}
	}
	for _, s := range t.Task.Consumes {
		q := fmt.Sprintf(`UPDATE %s SET consumed_to = reading_to WHERE stream_name = ?`, duckdb.StreamOffsets)
		if _, err := tx.ExecContext(ctx, q, s.Ref.String()); err != nil {
			return err
		}
	}
	var commitProf StatementProfile
	if err := run.commit(tx, &commitProf); err != nil {
		return err
	}
	if run.profile != nil && commitProf.Wall > 0 {
		commitProf.Task, commitProf.Step, commitProf.Head = t.Ref.String(), len(t.Task.Steps)+1, "COMMIT"
		commitProf.Stage = StageOf(t, "")
		if commitProf.Stage == StageReconcile {
			commitProf.Stage = StageCommit
		}
		run.profile(commitProf)
	}
	return nil
}

// commit commits tx; when profiling, its time (the WAL written, a
// checkpoint) is added to p.
func (run *Runner) commit(tx *sql.Tx, p *StatementProfile) error {
	// The values sealed by the transaction reach the vault first: no
	// committed token without its value.
	if err := run.vault.Flush(); err != nil {
		return err
	}
	if run.profile == nil {
		return tx.Commit()
	}
	m := startMeasure()
	err := tx.Commit()
	p.Wall += time.Since(m.start)
	p.CPU += ProcessCPU() - m.cpu
	return err
}

// Refresh recomputes every dynamic table from its query.
func (run *Runner) Refresh(ctx context.Context) error {
	tx, err := run.db.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return fmt.Errorf("refresh: %w", err)
	}
	defer tx.Rollback()
	for _, o := range run.plan.Objects {
		if o.Kind != ir.KindDynamicTable {
			continue
		}
		if _, err := tx.ExecContext(ctx, duckdb.RefreshSQL(run.r, o)); err != nil {
			return fmt.Errorf("refresh %s: %w", o.Ref, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO `+Refreshes+` (name, batch_id, refreshed_at)
SELECT ?, COALESCE(MAX(batch_id), ''), now() FROM `+run.r.Object(plan.Batches), o.Ref.String()); err != nil {
			return fmt.Errorf("refresh %s: %w", o.Ref, err)
		}
	}
	return tx.Commit()
}

// Result is what one pass of load and graph did.
type Result struct {
	Loaded []LoadedFile
	// Warnings are the load's (Loaded.Warnings).
	Warnings []string
	Batch    Batch
	// Backfill counts the runs a rule-set backfill took in this pass (after
	// the first) and the customers it still has to re-resolve.
	BackfillRuns int
	BackfillLeft int64
	// Purge is what the daily purge removed, when this pass ran it.
	Purge *PurgeResult
	// Overrides is what applying models/overrides/ did.
	Overrides OverrideSync
}

// BackfillLeft is how many customers the rule-set backfill has yet to
// re-resolve.
func (run *Runner) BackfillLeft(ctx context.Context) (int64, error) {
	var n int64
	err := run.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+run.r.Object(plan.Backfill)).Scan(&n)
	return n, err
}

// RunOnce loads what has landed and runs the graph until the streams are
// drained.
func (run *Runner) RunOnce(ctx context.Context, landing string) (Result, error) {
	var res Result
	loaded, err := run.LoadLanding(ctx, landing)
	res.Loaded, res.Warnings = loaded.Files, loaded.Warnings
	if err != nil {
		return res, err
	}
	// The overrides of models/overrides/ first, so that this batch
	// resolves them; those of customers the batch brings, after it.
	if res.Overrides, err = run.ApplyFileOverrides(ctx); err != nil {
		return res, err
	}
	res.Batch, err = run.RunGraph(ctx, res.Overrides.Set+res.Overrides.Cleared > 0)
	if err == nil && len(res.Overrides.Waiting) > 0 && res.Batch.Ran {
		var again OverrideSync
		if again, err = run.ApplyFileOverrides(ctx); err == nil && again.Set > 0 {
			res.Overrides.Set += again.Set
			res.Overrides.Waiting = again.Waiting
			res.Batch, err = run.RunGraph(ctx, true)
		}
	}
	if err == nil && !res.Batch.Ran {
		err = run.refreshIfStale(ctx)
	}
	if err != nil {
		return res, err
	}
	// A rule-set backfill goes on, a slice per run, until it is done (as
	// the backfill stream wakes the graph in the warehouse); a run that
	// moves nothing ends the pass (a batch held back, say).
	left, err := run.BackfillLeft(ctx)
	for err == nil && left > 0 && ctx.Err() == nil {
		var b Batch
		if b, err = run.RunGraph(ctx, true); err != nil {
			break
		}
		res.Batch, res.BackfillRuns = b, res.BackfillRuns+1
		var now int64
		if now, err = run.BackfillLeft(ctx); err == nil && now >= left {
			left = now
			break
		}
		left = now
	}
	res.BackfillLeft = left
	if err == nil {
		res.Purge, err = run.PurgeIfDue(ctx)
	}
	return res, err
}

// Poll runs RunOnce every interval until ctx is done. Each step commits on
// its own, so an interruption loses nothing: the next run resumes where the
// last commit left off. report, when not nil, receives each pass's result.
func (run *Runner) Poll(ctx context.Context, landing string, interval time.Duration, report func(Result, error)) error {
	return every(ctx, interval, func() (Result, error) { return run.RunOnce(ctx, landing) }, report)
}

// every runs pass, then waits interval, until ctx is done; report, when
// not nil, receives each pass's result (not that of a pass ctx cut short).
func every(ctx context.Context, interval time.Duration, pass func() (Result, error), report func(Result, error)) error {
	for {
		res, err := pass()
		if ctx.Err() != nil {
			return nil
		}
		if report != nil {
			report(res, err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(interval):
		}
	}
}

// PollFile runs a pass (RunOnce) every interval until ctx is done, opening
// the database file for each pass and closing it after: between passes
// the file is free, so that read commands (OpenReadOnly) can open it. A
// pass whose open fails (another process holds the file) is reported and
// tried again at the next. An in-memory database (path "" or ":memory:")
// stays open: closing it would lose it.
func PollFile(ctx context.Context, path string, p *plan.Plan, o Options, landing string, interval time.Duration, report func(Result, error)) error {
	if path == "" || path == ":memory:" {
		run, err := OpenWith(ctx, path, p, o)
		if err != nil {
			return err
		}
		defer run.Close()
		return run.Poll(ctx, landing, interval, report)
	}
	return every(ctx, interval, func() (Result, error) { return passOnFile(ctx, path, p, o, landing) }, report)
}

func passOnFile(ctx context.Context, path string, p *plan.Plan, o Options, landing string) (Result, error) {
	run, err := OpenWith(ctx, path, p, o)
	if err != nil {
		return Result{}, err
	}
	defer run.Close()
	return run.RunOnce(ctx, landing)
}

// documents reports whether a source's files are JSON documents rather
// than lines (its spec's framing).
func (run *Runner) documents(source string) bool {
	for _, src := range run.plan.Spec.Sources {
		if src.Name == source {
			return src.Framing == spec.FramingDocuments
		}
	}
	return false
}
