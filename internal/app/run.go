package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/internal/local"
)

// RunOptions are the options of trueup run --local.
type RunOptions struct {
	Models string
	DB     string
	// Target, when set, is a duckdb target of the configuration file
	// Config (default trueup.yaml): the database is its path, and its
	// memory_limit, threads and master_key apply (Local's memory limit
	// and threads, when set, win).
	Target  string
	Config  string
	Landing string
	Once    bool
	// Local are DuckDB's settings (memory limit, threads).
	Local local.Options
	// Quiet leaves out the per-pass lines (the summary is still printed)
	// and the progress.
	Quiet bool
	// Progress, when set, shows the progress of the work as it happens
	// (stderr): live on a terminal, one line per stage otherwise.
	Progress io.Writer
}

// RunLocal runs the pipeline on the local DuckDB database: once, or polling
// on the spec's schedule until ctx is cancelled. It ends with a summary.
func RunLocal(ctx context.Context, w io.Writer, o RunOptions) error {
	if o.Target != "" {
		t, mk, err := localTarget(ctx, o.Config, o.Target)
		if err != nil {
			return err
		}
		o.DB = t.Path
		if o.Local.MemoryLimit == "" {
			o.Local.MemoryLimit = t.MemoryLimit
		}
		if o.Local.Threads == 0 {
			o.Local.Threads = t.Threads
		}
		o.Local.MasterKey = mk
	}
	if o.Local.MemoryLimit != "" && !local.ValidMemoryLimit(o.Local.MemoryLimit) {
		return fmt.Errorf("run: --memory-limit %q: want a size such as 3GB or 512MB", o.Local.MemoryLimit)
	}
	if o.Local.Threads < 0 {
		return fmt.Errorf("run: --threads %d: want 0 (one per core) or more", o.Local.Threads)
	}
	if o.Local.Settle < 0 {
		return fmt.Errorf("run: --settle %s: want 0 or more", o.Local.Settle)
	}
	p, err := generator.Compile(o.Models)
	if err != nil {
		return err
	}
	if !o.Quiet {
		o.Local.Progress = newProgress(o.Progress)
	}
	// A mistyped landing folder fails before a database is created.
	if fi, err := os.Stat(o.Landing); err != nil || !fi.IsDir() {
		return fmt.Errorf("run: landing folder %s: %w", o.Landing, local.ErrNoLanding)
	}
	warned := map[string]bool{}
	report := func(res local.Result, err error) {
		for _, m := range res.Warnings {
			// A poller says it once, not at every pass.
			if !warned[m] {
				warned[m] = true
				fmt.Fprintf(w, "warning: %s\n", m)
			}
		}
		if !o.Quiet {
			printPass(w, res)
		}
		if err != nil {
			fmt.Fprintf(w, "error: %v\n", err)
		}
	}
	if o.Once {
		run, err := local.OpenWith(ctx, o.DB, p, o.Local)
		if err != nil {
			return err
		}
		defer run.Close()
		// One run loads what is landed: a file still settling (just
		// written, or being written) is waited for, a settle time at a
		// time, while it keeps changing for at most onceWaits of them.
		for i := 0; ; i++ {
			res, err := run.RunOnce(ctx, o.Landing)
			report(res, nil)
			if err != nil {
				return err
			}
			if !anyWaiting(res) || o.Local.Settle <= 0 {
				break
			}
			if i == onceWaits {
				fmt.Fprintf(w, "warning: files still being written after %s were left for the next run\n", time.Duration(onceWaits)*o.Local.Settle)
				break
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(o.Local.Settle):
			}
		}
		return printOutcome(ctx, w, run)
	}
	fmt.Fprintf(w, "polling %s every %s; interrupt to stop\n", o.Landing, p.Spec.Project.Schedule)
	if err := local.PollFile(ctx, o.DB, p, o.Local, o.Landing, p.Spec.Project.Schedule, report); err != nil {
		return err
	}
	if o.DB == "" || o.DB == ":memory:" {
		return nil // closed with the poller
	}
	run, err := local.OpenWith(context.WithoutCancel(ctx), o.DB, p, o.Local)
	if err != nil {
		return err
	}
	defer run.Close()
	return printOutcome(ctx, w, run)
}

// printOutcome prints the summary of gold and the data-quality report.
func printOutcome(ctx context.Context, w io.Writer, run *local.Runner) error {
	s, err := run.Summarize(context.WithoutCancel(ctx))
	if err != nil {
		return err
	}
	PrintSummary(w, s)
	rep, err := run.DQ(context.WithoutCancel(ctx))
	if err != nil {
		return err
	}
	fmt.Fprintln(w)
	PrintDQ(w, rep)
	if rep.Failed() {
		// The run did its work, but gold holds the batch back: a result
		// that asks for attention (trueup dq ack, or fix the data).
		return &ExitError{Code: 2, Err: fmt.Errorf("run: %w (trueup dq shows it; trueup dq ack publishes it)", ErrDQFailed)}
	}
	return nil
}

func printPass(w io.Writer, res local.Result) {
	var lines int64
	files := 0
	for _, f := range res.Loaded {
		switch {
		case f.Waiting != "":
			fmt.Fprintf(w, "waiting: %s/%s: %s\n", f.Source, f.File, f.Waiting)
			continue
		case f.Skipped != "":
			fmt.Fprintf(w, "not loaded: %s/%s: %s\n", f.Source, f.File, f.Skipped)
		case f.Flagged != "":
			fmt.Fprintf(w, "flagged: %s/%s: %s\n", f.Source, f.File, f.Flagged)
		}
		files++
		lines += f.Lines
	}
	if files > 0 {
		fmt.Fprintf(w, "loaded %d files, %d lines\n", files, lines)
	}
	if o := res.Overrides; o.Set+o.Cleared > 0 {
		fmt.Fprintf(w, "models/overrides: %d set, %d cleared (recorded in the audit log)\n", o.Set, o.Cleared)
	}
	for _, m := range res.Overrides.Waiting {
		fmt.Fprintf(w, "override waiting: %s\n", m)
	}
	if !res.Batch.Ran {
		return
	}
	var total time.Duration
	failed := 0
	for _, t := range res.Batch.Tasks {
		total += t.Duration
		if t.RetriedAfter != "" {
			fmt.Fprintf(w, "task %s ran again after a transient DuckDB fault: %s\n", t.Task, t.RetriedAfter)
		}
		if t.State == "FAILED" {
			failed++
			fmt.Fprintf(w, "task %s failed: %s\n", t.Task, t.Error)
		}
	}
	fmt.Fprintf(w, "batch %s: %d tasks, %d failed, %s\n", res.Batch.ID, len(res.Batch.Tasks), failed, total.Round(time.Millisecond))
	if res.BackfillRuns > 0 || res.BackfillLeft > 0 {
		fmt.Fprintf(w, "rule-set backfill: %d more runs, %d customers left\n", res.BackfillRuns, res.BackfillLeft)
	}
}

// PrintSummary writes the summary of gold.
func PrintSummary(w io.Writer, s local.Summary) {
	fmt.Fprintf(w, "\ngold: %d customers (%d unmatched source records kept apart), rule set %s\n", s.Customers, s.Unmatched, s.RulesetVer)
	fmt.Fprintf(w, "from %d landed lines and %d observations\n", s.Lines, s.Observations)
	fmt.Fprintf(w, "\n%-16s %9s %9s  %s\n", "field", "customers", "conflicts", "decided by")
	for _, f := range s.Fields {
		var rules string
		for i, c := range s.RulesPerField[f.Field] {
			if i > 0 {
				rules += ", "
			}
			rules += fmt.Sprintf("%s %d", c.Label, c.N)
		}
		fmt.Fprintf(w, "%-16s %9d %9d  %s\n", f.Field, f.Customers, f.Conflicts, rules)
	}
	if len(s.Quarantined) > 0 {
		fmt.Fprintf(w, "\nflagged lines (kept in RAW and silver.quarantine):\n")
		for _, c := range s.Quarantined {
			fmt.Fprintf(w, "  %-60s %d\n", c.Label, c.N)
		}
	}
}

// onceWaits is how many settle times a single run waits for files that
// are still being written.
const onceWaits = 12

func anyWaiting(res local.Result) bool {
	for _, f := range res.Loaded {
		if f.Waiting != "" {
			return true
		}
	}
	return false
}
