// Package bench measures the local pipeline at volume: it writes a state
// of customers and batches of events on them with the sample writer, runs
// the state once into a DuckDB file, and times each batch on a copy of
// that file, statement by statement, with DuckDB's profiler, beside the
// bare load of the same files (the floor). Report writes BENCHMARKS.md.
package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/dialect/duckdb"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/generator/sample"
	"github.com/ledgerloop/trueup/internal/app"
	"github.com/ledgerloop/trueup/internal/crypt"
	"github.com/ledgerloop/trueup/internal/local"
)

// Config is what to measure.
type Config struct {
	Models string
	// Work holds the landing files and state databases between runs,
	// keyed by their options (and the databases by the plan's SQL).
	Work string
	// Scales are the numbers of customers of the states.
	Scales            []int
	EventsPerCustomer float64
	Heavy             int // events of the heavy customer of each state
	PeakEvents        int
	SmallEvents       int
	Runs              int
	Late, Duplicates  float64
	// LateWithin, when > 0, puts the late events of the peak and small
	// batches within this long before the batch (sample.Options).
	LateWithin time.Duration
	Conflicts  float64
	Seed       int64
	// SealingCustomers is the state the cost of sealing PII is measured
	// on: run from scratch with the spec as it is and with its pii tags
	// removed (0: not measured).
	SealingCustomers int
	Local            local.Options
	// Log receives progress lines (nil: none).
	Log io.Writer
}

// Stages in the order a batch goes through them; others follow in the
// order they appear.
var stageOrder = []string{local.StageLoad, local.StageObserve, "state", "crosswalk", "resolve", "history", "checks", "publish",
	local.StageReconcile, local.StageCommit, local.StageOps}

// Stage is one stage of one run.
type Stage struct {
	Name        string
	Statements  int
	Wall, CPU   time.Duration
	RowsRead    int64
	RowsScanned int64
	PeakRSS     int64
	// DBSize is the database file (and WAL) after the stage's last
	// statement.
	DBSize int64
}

// Run is one measured pass of load and task graph.
type Run struct {
	Wall, CPU   time.Duration
	PeakRSS     int64
	DBSize      int64
	RowsRead    int64
	RowsScanned int64
	Lines       int64
	Stages      []Stage
	Statements  []local.StatementProfile `json:",omitempty"`
	// Interrupted says why the run did not finish: its figures are what
	// it had done by then.
	Interrupted string `json:",omitempty"`
}

// Floor is the bare load of a batch's files into one table.
type Floor struct {
	Files   int
	Lines   int64
	Wall    time.Duration
	CPU     time.Duration
	PeakRSS int64
}

// Measurement is one batch on one state, run several times.
type Measurement struct {
	Name      string
	Customers int
	Lines     int
	Runs      []Run
	Floor     *Floor `json:",omitempty"`
	// Partial is a run that did not finish (the benchmark was stopped).
	Partial *Run `json:",omitempty"`
}

// MinWall and MaxWall are the fastest and slowest runs.
func (m *Measurement) MinWall() time.Duration { return minMax(m.Runs, false) }
func (m *Measurement) MaxWall() time.Duration { return minMax(m.Runs, true) }

func minMax(rs []Run, biggest bool) time.Duration {
	var out time.Duration
	for i, r := range rs {
		if i == 0 || (biggest && r.Wall > out) || (!biggest && r.Wall < out) {
			out = r.Wall
		}
	}
	return out
}

// Scale is everything measured on one state.
type Scale struct {
	Customers int
	// StateLines and State are the state's landed lines and what running
	// them once cost (measured when the state database was built).
	StateLines     int
	State          Run
	StateReused    bool
	WriteState     time.Duration // writing the state's files (0: reused)
	WriteBatches   time.Duration
	Peak, Small    *Measurement
	Late, Current  *Measurement
	StateDBSize    int64
	StateDBPath    string `json:"-"`
	Elapsed        time.Duration
	Skipped        string `json:",omitempty"`
	PlanSQLVersion string
}

// Sealing compares one state run from scratch with PII sealed (the spec
// as it is) and in plaintext (its pii tags removed).
type Sealing struct {
	Customers, Lines int
	PIIFields        []string
	Sealed, Plain    []Run
	Skipped          string `json:",omitempty"`
}

// Ratio is the fastest sealed run over the fastest plaintext one (0
// before both ran).
func (s *Sealing) Ratio() float64 {
	if s == nil || len(s.Sealed) == 0 || len(s.Plain) == 0 {
		return 0
	}
	return float64(minMax(s.Sealed, false)) / float64(minMax(s.Plain, false))
}

// Result is a whole benchmark.
type Result struct {
	Config  Config
	Started time.Time
	Elapsed time.Duration
	Sealing *Sealing `json:",omitempty"`
	Scales  []*Scale
}

func (c *Config) logf(format string, args ...any) {
	if c.Log != nil {
		fmt.Fprintf(c.Log, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
	}
}

// Execute measures every scale of c. A scale that fails is kept with the
// error in Skipped, so that what was measured is still reported.
func Execute(ctx context.Context, c Config) (*Result, error) {
	p, err := generator.Compile(c.Models)
	if err != nil {
		return nil, err
	}
	if c.Runs < 1 {
		return nil, fmt.Errorf("bench: runs %d: want 1 or more", c.Runs)
	}
	res := &Result{Config: c, Started: time.Now()}
	if c.SealingCustomers > 0 {
		res.Sealing = c.sealing(ctx, p)
		if ctx.Err() != nil {
			res.Elapsed = time.Since(res.Started)
			return res, ctx.Err()
		}
	}
	for _, n := range c.Scales {
		sc, err := c.scale(ctx, p, n)
		if err != nil {
			c.logf("scale %d: %v", n, err)
			if sc == nil {
				sc = &Scale{Customers: n}
			}
			sc.Skipped = err.Error()
			if ctx.Err() != nil {
				sc.Skipped = "interrupted: " + err.Error()
				res.Scales = append(res.Scales, sc)
				res.Elapsed = time.Since(res.Started)
				return res, ctx.Err()
			}
		}
		res.Scales = append(res.Scales, sc)
	}
	res.Elapsed = time.Since(res.Started)
	return res, nil
}

// planVersion hashes the DuckDB SQL the plan runs (objects and task
// steps), so a state database built by other SQL is not reused.
func planVersion(p *plan.Plan) (string, error) {
	files, err := generator.Render(p, duckdb.Name)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%s\x00%s\x00", f.Path, f.Content)
	}
	r := &duckdb.Renderer{}
	for _, t := range p.Tasks() {
		for _, s := range t.Task.Steps {
			fmt.Fprintf(h, "%s\x00%s\x00", t.Ref, s(r))
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

func (c *Config) scale(ctx context.Context, p *plan.Plan, n int) (*Scale, error) {
	start := time.Now()
	ver, err := planVersion(p)
	if err != nil {
		return nil, err
	}
	sc := &Scale{Customers: n, PlanSQLVersion: ver}
	defer func() { sc.Elapsed = time.Since(start) }()
	srcs := app.SampleSources(p.Spec)
	stateOpt := sample.Options{Mode: sample.ModeState, Customers: n, Seed: c.Seed, EventsPerCustomer: c.EventsPerCustomer,
		HeavyEvents: c.Heavy, ConflictRate: c.Conflicts}
	c.logf("scale %d: state files", n)
	stateDir, stateSum, took, err := c.landing(srcs, stateOpt)
	if err != nil {
		return sc, err
	}
	sc.WriteState = took
	sc.StateLines = lines(stateSum)
	batch := func(name string, o sample.Options) (*Measurement, string, error) {
		o.Mode, o.Customers, o.Seed, o.ConflictRate = sample.ModeBatch, n, c.Seed, c.Conflicts
		dir, sum, took, err := c.landing(srcs, o)
		sc.WriteBatches += took
		return &Measurement{Name: name, Customers: n, Lines: lines(sum)}, dir, err
	}
	type job struct {
		m   *Measurement
		dir string
	}
	var jobs []job
	for _, b := range []struct {
		dst  **Measurement
		name string
		opt  sample.Options
	}{
		{&sc.Small, "small batch", sample.Options{Events: c.SmallEvents, LateShare: c.Late, LateWithin: c.LateWithin, DuplicateShare: c.Duplicates}},
		{&sc.Late, "one late event on the heavy customer", sample.Options{Events: 1, BatchCustomers: 1, LateShare: 1}},
		{&sc.Current, "one current event on the heavy customer", sample.Options{Events: 1, BatchCustomers: 1}},
		{&sc.Peak, "peak batch", sample.Options{Events: c.PeakEvents, LateShare: c.Late, LateWithin: c.LateWithin, DuplicateShare: c.Duplicates}},
	} {
		if b.opt.Events == 0 {
			continue
		}
		c.logf("scale %d: %s files (%d lines)", n, b.name, b.opt.Events)
		m, dir, err := batch(b.name, b.opt)
		if err != nil {
			return sc, err
		}
		*b.dst = m
		jobs = append(jobs, job{m, dir})
	}

	dbDir := filepath.Join(c.Work, "db")
	if err := os.MkdirAll(dbDir, 0o755); err != nil {
		return sc, fmt.Errorf("bench: %w", err)
	}
	statePath := filepath.Join(dbDir, filepath.Base(stateDir)+"-sql"+ver+".duckdb")
	sc.StateDBPath = statePath
	costFile := statePath + ".cost.json"
	if b, err := os.ReadFile(costFile); err == nil && json.Unmarshal(b, &sc.State) == nil {
		sc.StateReused = true
		c.logf("scale %d: state database reused (%s)", n, statePath)
	} else {
		c.logf("scale %d: running the state (%d lines) into %s", n, sc.StateLines, statePath)
		os.Remove(statePath)
		os.Remove(statePath + ".wal")
		r, err := c.measure(ctx, p, statePath, stateDir, false)
		if err != nil {
			r.Interrupted = err.Error()
			sc.State, sc.StateDBSize = r, local.FileSize(statePath)
			return sc, fmt.Errorf("state: %w", err)
		}
		sc.State = r
		b, _ := json.Marshal(r)
		if err := os.WriteFile(costFile, b, 0o644); err != nil {
			return sc, fmt.Errorf("bench: %w", err)
		}
		c.logf("scale %d: state took %s", n, r.Wall.Round(time.Millisecond))
	}
	sc.StateDBSize = local.FileSize(statePath)

	runPath := filepath.Join(dbDir, "run.duckdb")
	for _, j := range jobs {
		for i := range c.Runs {
			if err := copyDB(statePath, runPath); err != nil {
				return sc, err
			}
			c.logf("scale %d: %s, run %d of %d", n, j.m.Name, i+1, c.Runs)
			r, err := c.measure(ctx, p, runPath, j.dir, i == 0)
			removeDB(runPath)
			if err != nil {
				r.Interrupted = err.Error()
				j.m.Partial = &r
				return sc, fmt.Errorf("%s: %w", j.m.Name, err)
			}
			c.logf("scale %d: %s, run %d: %s", n, j.m.Name, i+1, r.Wall.Round(time.Millisecond))
			j.m.Runs = append(j.m.Runs, r)
		}
		fl, err := c.floor(ctx, filepath.Join(dbDir, "floor.duckdb"), j.dir)
		if err != nil {
			return sc, fmt.Errorf("%s: floor: %w", j.m.Name, err)
		}
		j.m.Floor = &fl
		c.logf("scale %d: %s, floor: %s", n, j.m.Name, fl.Wall.Round(time.Millisecond))
	}
	return sc, nil
}

// sealing runs a state from scratch, alternately with the plan as it is
// and with a plan of the same spec whose fields are not PII, c.Runs times
// each: what sealing (blind-index tokens, the vault, encrypted raw lines)
// costs.
func (c *Config) sealing(ctx context.Context, p *plan.Plan) *Sealing {
	se := &Sealing{Customers: c.SealingCustomers}
	for _, f := range p.Spec.Fields {
		if f.PII {
			se.PIIFields = append(se.PIIFields, f.Name)
		}
	}
	fail := func(err error) *Sealing {
		se.Skipped = err.Error()
		c.logf("sealing: %v", err)
		return se
	}
	s, err := generator.LoadSpec(c.Models)
	if err != nil {
		return fail(err)
	}
	for _, f := range s.Fields {
		f.PII = false
	}
	plain, err := plan.Build(s)
	if err != nil {
		return fail(err)
	}
	o := sample.Options{Mode: sample.ModeState, Customers: c.SealingCustomers, Seed: c.Seed, EventsPerCustomer: c.EventsPerCustomer, ConflictRate: c.Conflicts}
	dir, sum, _, err := c.landing(app.SampleSources(p.Spec), o)
	if err != nil {
		return fail(err)
	}
	se.Lines = lines(sum)
	dbDir := filepath.Join(c.Work, "db")
	if err := os.MkdirAll(dbDir, 0o755); err != nil {
		return fail(err)
	}
	path := filepath.Join(dbDir, "sealing.duckdb")
	for i := range c.Runs {
		for _, v := range []struct {
			name string
			p    *plan.Plan
			runs *[]Run
		}{{"sealed", p, &se.Sealed}, {"plaintext", plain, &se.Plain}} {
			removeDB(path)
			os.Remove(crypt.VaultPath(path))
			c.logf("sealing: %d customers, %s, run %d of %d", c.SealingCustomers, v.name, i+1, c.Runs)
			r, err := c.measure(ctx, v.p, path, dir, false)
			removeDB(path)
			os.Remove(crypt.VaultPath(path))
			if err != nil {
				return fail(fmt.Errorf("%s: %w", v.name, err))
			}
			*v.runs = append(*v.runs, r)
		}
	}
	c.logf("sealing: %.2f× the plaintext run", se.Ratio())
	return se
}

func lines(s sample.Summary) int {
	n := s.Duplicates + s.Malformed
	for _, e := range s.Events {
		n += e
	}
	return n
}

// landingVersion names the sample writer's output for given options.
const landingVersion = "v2"

// landing writes the sample of o under the work folder, or reuses the one
// written before with the same options (a marker file holds its summary;
// the runner passes over dot files).
func (c *Config) landing(srcs []sample.Source, o sample.Options) (string, sample.Summary, time.Duration, error) {
	// The version changes with what the writer writes for the same
	// options, so that files written before are not taken for them.
	key := fmt.Sprintf("%s|%+v", landingVersion, o)
	h := sha256.Sum256([]byte(key))
	dir := filepath.Join(c.Work, "landing", fmt.Sprintf("%s-%d-%d-%s", o.Mode, o.Customers, o.Events, hex.EncodeToString(h[:])[:10]))
	marker := filepath.Join(dir, ".complete")
	var sum sample.Summary
	if b, err := os.ReadFile(marker); err == nil && json.Unmarshal(b, &sum) == nil {
		return dir, sum, 0, nil
	}
	os.RemoveAll(dir)
	start := time.Now()
	sum, err := sample.Write(dir, srcs, o)
	if err != nil {
		return dir, sum, 0, err
	}
	took := time.Since(start)
	b, _ := json.Marshal(sum)
	if err := os.WriteFile(marker, b, 0o644); err != nil {
		return dir, sum, took, fmt.Errorf("bench: %w", err)
	}
	c.logf("wrote %s: %d lines in %s", dir, lines(sum), took.Round(time.Millisecond))
	return dir, sum, took, nil
}

// measure opens the database, runs load and graph once with profiling, and
// adds the statements up by stage.
func (c *Config) measure(ctx context.Context, p *plan.Plan, dbPath, landing string, keepStatements bool) (Run, error) {
	var r Run
	run, err := local.OpenWith(ctx, dbPath, p, c.Local)
	if err != nil {
		return r, err
	}
	defer run.Close()
	byStage := map[string]*Stage{}
	var seen []string
	if err := run.SetProfile(func(sp local.StatementProfile) {
		rss := local.PeakRSS()
		local.ResetPeakRSS()
		st := byStage[sp.Stage]
		if st == nil {
			st = &Stage{Name: sp.Stage}
			byStage[sp.Stage] = st
			seen = append(seen, sp.Stage)
		}
		st.Statements++
		st.Wall += sp.Wall
		st.CPU += sp.CPU
		st.RowsRead += sp.RowsRead
		st.RowsScanned += sp.RowsScanned
		st.PeakRSS = max(st.PeakRSS, rss)
		st.DBSize = local.FileSize(dbPath)
		r.PeakRSS = max(r.PeakRSS, rss)
		r.RowsRead += sp.RowsRead
		r.RowsScanned += sp.RowsScanned
		if sp.Stage == local.StageLoad {
			r.Lines += sp.Rows
		}
		if keepStatements && sp.Stage != local.StageLoad {
			sp.SQL = ""
			r.Statements = append(r.Statements, sp)
		}
	}); err != nil {
		return r, err
	}
	local.ResetPeakRSS()
	cpu := local.ProcessCPU()
	start := time.Now()
	_, err = run.RunOnce(ctx, landing)
	r.Wall = time.Since(start)
	r.CPU = local.ProcessCPU() - cpu
	r.PeakRSS = max(r.PeakRSS, local.PeakRSS())
	r.DBSize = local.FileSize(dbPath)
	for _, name := range stageOrder {
		if st := byStage[name]; st != nil {
			r.Stages = append(r.Stages, *st)
		}
	}
	for _, name := range seen {
		if !slices.Contains(stageOrder, name) {
			r.Stages = append(r.Stages, *byStage[name])
		}
	}
	return r, err
}

// floor loads the lines of a landing folder's files into one table of a
// new database file, without the runner's load history or parsing: the
// least any pipeline over these files costs.
func (c *Config) floor(ctx context.Context, dbPath, landing string) (Floor, error) {
	var fl Floor
	removeDB(dbPath)
	defer removeDB(dbPath)
	var files []string
	err := filepath.WalkDir(landing, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && !strings.HasPrefix(d.Name(), ".") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return fl, err
	}
	slices.Sort(files)
	db, err := local.OpenDB(dbPath)
	if err != nil {
		return fl, err
	}
	defer db.Close()
	limit := c.Local.MemoryLimit
	if limit == "" {
		limit = local.DefaultMemoryLimit
	}
	setup := []string{"SET memory_limit = '" + strings.ReplaceAll(limit, "'", "") + "'",
		"CREATE TABLE lines (file_name VARCHAR, file_row BIGINT, line VARCHAR)"}
	if c.Local.Threads > 0 {
		setup = append(setup, fmt.Sprintf("SET threads = %d", c.Local.Threads))
	}
	for _, q := range setup {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fl, err
		}
	}
	local.ResetPeakRSS()
	cpu := local.ProcessCPU()
	start := time.Now()
	// One statement over every file, DuckDB's CSV reader as a line reader
	// (no delimiter, quote or escape can occur in a JSON line): the
	// fastest bare load found here, faster than read_text and a split.
	if len(files) > 0 {
		res, err := db.ExecContext(ctx, `INSERT INTO lines
SELECT filename, NULL, line
FROM read_csv(?, columns = {'line': 'VARCHAR'}, header = false, delim = chr(1), quote = '', escape = '',
  auto_detect = false, max_line_size = 16777216, filename = true)`, files)
		if err != nil {
			return fl, err
		}
		fl.Lines, _ = res.RowsAffected()
	}
	if _, err := db.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return fl, err
	}
	fl.Wall = time.Since(start)
	fl.CPU = local.ProcessCPU() - cpu
	fl.PeakRSS = local.PeakRSS()
	fl.Files = len(files)
	return fl, nil
}

// copyDB copies a closed database file (and its WAL, when there is one).
func copyDB(from, to string) error {
	removeDB(to)
	for _, suffix := range []string{"", ".wal"} {
		in, err := os.Open(from + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			return fmt.Errorf("bench: copy %s: %w", from, err)
		}
		out, err := os.Create(to + suffix)
		if err != nil {
			in.Close()
			return fmt.Errorf("bench: copy %s: %w", from, err)
		}
		_, err = io.Copy(out, in)
		in.Close()
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("bench: copy %s: %w", from, err)
		}
	}
	return nil
}

func removeDB(path string) {
	for _, suffix := range []string{"", ".wal", ".tmp"} {
		os.RemoveAll(path + suffix)
	}
}
