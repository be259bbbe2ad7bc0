package local

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/plan"
)

// Stages a statement is reported under when its SQL names none: observe
// tasks, the reconcile task as a whole, and the bookkeeping of the root and
// the finalizer. The load step is StageLoad.
const (
	StageLoad      = "load"
	StageObserve   = "observe"
	StageReconcile = "reconcile"
	StageOps       = "ops"
	// StageCommit is the commit of the reconcile task, whose statements
	// have stages of their own.
	StageCommit = "commit"
)

// stagePrefix starts the first line of a task statement that names its
// stage ("-- stage: resolve").
const stagePrefix = "-- stage: "

// StatementProfile is what the profiler measured of one task statement, or
// of loading one file (Stage "load": all the statements that took the file
// in, added up).
type StatementProfile struct {
	Task string // the task's name, or "load"
	// Step is the statement's 1-based index among the task's steps (0 for
	// a load).
	Step  int
	Stage string
	// Head is the statement's first line that is not a comment (a load:
	// the file, source/path).
	Head string
	// SQL is the statement as run (empty for a load).
	SQL  string
	Wall time.Duration
	// CPU is the process's user and system time during the statement
	// (DuckDB's threads included).
	CPU time.Duration
	// RowsRead is the sum, over the plan's table scans, of the rows each
	// scan emitted (operator_cardinality): what carries over to Snowflake.
	RowsRead int64
	// RowsScanned is the sum of the rows the scans looked at before their
	// filters (operator_rows_scanned), at least RowsRead.
	RowsScanned int64
	// Tables is RowsRead per scanned table ("silver.source_state"; a
	// table function by its name, "read_text").
	Tables map[string]int64
	// Rows is what the statement returned or changed (a load: the lines
	// loaded).
	Rows int64
	// PeakBuffer is DuckDB's peak buffer memory during the statement.
	PeakBuffer int64
}

// SetProfile makes the runner measure every task statement and every
// loaded file with DuckDB's profiler and report each to f (nil turns
// profiling off). f is called on the goroutine that runs the statement,
// before the task commits.
func (run *Runner) SetProfile(f func(StatementProfile)) error {
	if f == nil {
		run.profile = nil
		if run.profileDir != "" {
			os.RemoveAll(run.profileDir)
			run.profileDir = ""
		}
		_, err := run.db.Exec("PRAGMA disable_profiling")
		return err
	}
	if run.profileDir == "" {
		dir, err := os.MkdirTemp("", "trueup-profile-")
		if err != nil {
			return fmt.Errorf("profile: %w", err)
		}
		run.profileDir = dir
	}
	run.profile = f
	return nil
}

// profileFile is where DuckDB writes the last statement's profile.
func (run *Runner) profileFile() string { return filepath.Join(run.profileDir, "last.json") }

// enableProfiling turns the profiler on for the connection of tx: settings
// are per connection, and the pool may have opened a new one.
func (run *Runner) enableProfiling(ctx context.Context, tx *sql.Tx) error {
	if run.profile == nil {
		return nil
	}
	for _, q := range []string{
		"PRAGMA enable_profiling = 'json'",
		"PRAGMA profiling_output = " + sqlString(run.profileFile()),
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("profile: %w", err)
		}
	}
	return nil
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// measure is a statement in progress.
type measure struct {
	start time.Time
	cpu   time.Duration
}

func startMeasure() measure { return measure{start: time.Now(), cpu: ProcessCPU()} }

// profileExec runs q in tx and, when profiling, adds what the profiler
// says of it to p.
func (run *Runner) profileExec(ctx context.Context, tx *sql.Tx, p *StatementProfile, q string, args ...any) (sql.Result, error) {
	if run.profile == nil {
		return tx.ExecContext(ctx, q, args...)
	}
	m := startMeasure()
	// A stale file must not be taken for this statement's profile.
	os.Remove(run.profileFile())
	res, err := tx.ExecContext(ctx, q, args...)
	p.Wall += time.Since(m.start)
	p.CPU += ProcessCPU() - m.cpu
	if err != nil {
		return res, err
	}
	if n, err := res.RowsAffected(); err == nil {
		p.Rows += n
	}
	if perr := addProfile(p, run.profileFile()); perr != nil {
		return res, perr
	}
	return res, nil
}

// profileQueryRow runs a one-row query in tx, scanning into dest, and adds
// its profile to p.
func (run *Runner) profileQueryRow(ctx context.Context, tx *sql.Tx, p *StatementProfile, dest []any, q string, args ...any) error {
	if run.profile == nil {
		return tx.QueryRowContext(ctx, q, args...).Scan(dest...)
	}
	m := startMeasure()
	os.Remove(run.profileFile())
	err := tx.QueryRowContext(ctx, q, args...).Scan(dest...)
	p.Wall += time.Since(m.start)
	p.CPU += ProcessCPU() - m.cpu
	if err != nil {
		return err
	}
	return addProfile(p, run.profileFile())
}

// profileNode is one operator of DuckDB's JSON profile.
type profileNode struct {
	OperatorType        string          `json:"operator_type"`
	OperatorName        string          `json:"operator_name"`
	OperatorCardinality int64           `json:"operator_cardinality"`
	OperatorRowsScanned int64           `json:"operator_rows_scanned"`
	ExtraInfo           json.RawMessage `json:"extra_info"`
	PeakBuffer          int64           `json:"system_peak_buffer_memory"`
	Children            []profileNode   `json:"children"`
}

// addProfile reads the profile DuckDB wrote for the last statement and
// adds its scans to p. No file means the statement was not profiled (a
// statement DuckDB does not profile, such as a PRAGMA): nothing is added.
func addProfile(p *StatementProfile, file string) error {
	b, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	var root profileNode
	if err := json.Unmarshal(b, &root); err != nil {
		return fmt.Errorf("profile: %s: %w", file, err)
	}
	p.PeakBuffer = max(p.PeakBuffer, root.PeakBuffer)
	if p.Tables == nil {
		p.Tables = map[string]int64{}
	}
	var walk func(n *profileNode)
	walk = func(n *profileNode) {
		if n.OperatorType == "TABLE_SCAN" || n.OperatorName == "SEQ_SCAN" || n.OperatorName == "TABLE_SCAN" {
			p.RowsRead += n.OperatorCardinality
			p.RowsScanned += max(n.OperatorRowsScanned, n.OperatorCardinality)
			p.Tables[scanName(n)] += n.OperatorCardinality
		}
		for i := range n.Children {
			walk(&n.Children[i])
		}
	}
	walk(&root)
	return nil
}

// scanName names what a scan read: the table without its catalog
// ("silver.source_state"), or the table function.
func scanName(n *profileNode) string {
	var info map[string]any
	_ = json.Unmarshal(n.ExtraInfo, &info)
	if t, ok := info["Table"].(string); ok && t != "" {
		if parts := strings.Split(t, "."); len(parts) == 3 {
			return parts[1] + "." + parts[2]
		}
		return t
	}
	if f, ok := info["Function"].(string); ok && f != "" {
		return strings.ToLower(f)
	}
	return strings.ToLower(n.OperatorName)
}

// StageOf is the stage a task statement is reported under: the name on
// its first line ("-- stage: resolve"), else the task's kind.
func StageOf(t *ir.Object, sqlText string) string {
	first, _, _ := strings.Cut(sqlText, "\n")
	if name, ok := strings.CutPrefix(strings.TrimSpace(first), stagePrefix); ok && strings.TrimSpace(name) != "" {
		return strings.TrimSpace(name)
	}
	switch {
	case t.Task.Root || t.Task.FinalizerOf != nil:
		return StageOps
	case strings.HasPrefix(t.Ref.Name, plan.ObserveTask("").Name):
		return StageObserve
	case t.Ref == plan.ReconcileTask:
		return StageReconcile
	}
	return StageOps
}

// headOf is the first line of q that is not a comment, cut to 100 bytes.
func headOf(q string) string {
	for _, l := range strings.Split(q, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "--") {
			continue
		}
		if len(l) > 100 {
			l = l[:100]
		}
		return l
	}
	return ""
}

// SortedTables lists p.Tables by rows read, largest first.
func (p StatementProfile) SortedTables() []TableRows {
	out := make([]TableRows, 0, len(p.Tables))
	for t, n := range p.Tables {
		out = append(out, TableRows{t, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Rows != out[j].Rows {
			return out[i].Rows > out[j].Rows
		}
		return out[i].Table < out[j].Table
	})
	return out
}

// TableRows is the rows read from one table.
type TableRows struct {
	Table string
	Rows  int64
}

// ProcessCPU is the user and system CPU time the process has used.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// PeakRSS is the process's peak resident set size in bytes since it
// started or since the last ResetPeakRSS: VmHWM where /proc has it, else
// getrusage's maxrss.
func PeakRSS() int64 {
	if f, err := os.Open("/proc/self/status"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmHWM:")); ok {
				kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(string(rest)), "kB")), 10, 64)
				if err == nil {
					return kb << 10
				}
			}
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return ru.Maxrss // bytes there, kilobytes on Linux
	}
	return ru.Maxrss << 10
}

// ResetPeakRSS starts a new peak for PeakRSS where Linux allows it
// (/proc/self/clear_refs); it reports whether it could.
func ResetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// CurrentRSS is the process's resident set size in bytes now (0 when /proc
// is not there).
func CurrentRSS() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// FileSize is the size of the database file and its WAL in bytes.
func FileSize(path string) int64 {
	var n int64
	for _, p := range []string{path, path + ".wal"} {
		if fi, err := os.Stat(p); err == nil {
			n += fi.Size()
		}
	}
	return n
}
