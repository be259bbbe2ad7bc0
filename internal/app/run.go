package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/internal/local"
)

// RunOptions are the options of trueup run --local.
type RunOptions struct {
	Models  string
	DB      string
	Landing string
	Once    bool
	// Local are DuckDB's settings (memory limit, threads).
	Local local.Options
	// Quiet leaves out the per-pass lines (the summary is still printed).
	Quiet bool
}

// RunLocal runs the pipeline on the local DuckDB database: once, or polling
// on the spec's schedule until ctx is cancelled. It ends with a summary.
func RunLocal(ctx context.Context, w io.Writer, o RunOptions) error {
	if o.Local.MemoryLimit != "" && !local.ValidMemoryLimit(o.Local.MemoryLimit) {
		return fmt.Errorf("run: --memory-limit %q: want a size such as 3GB or 512MB", o.Local.MemoryLimit)
	}
	if o.Local.Threads < 0 {
		return fmt.Errorf("run: --threads %d: want 0 (one per core) or more", o.Local.Threads)
	}
	p, err := generator.Compile(o.Models)
	if err != nil {
		return err
	}
	run, err := local.OpenWith(ctx, o.DB, p, o.Local)
	if err != nil {
		return err
	}
	defer run.Close()
	report := func(res local.Result, err error) {
		if !o.Quiet {
			printPass(w, res)
		}
		if err != nil {
			fmt.Fprintf(w, "error: %v\n", err)
		}
	}
	if o.Once {
		res, err := run.RunOnce(ctx, o.Landing)
		report(res, nil)
		if err != nil {
			return err
		}
	} else {
		fmt.Fprintf(w, "polling %s every %s; interrupt to stop\n", o.Landing, p.Spec.Project.Schedule)
		if err := run.Poll(ctx, o.Landing, p.Spec.Project.Schedule, report); err != nil {
			return err
		}
	}
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
	return nil
}

func printPass(w io.Writer, res local.Result) {
	var lines int64
	for _, f := range res.Loaded {
		if f.Skipped != "" {
			fmt.Fprintf(w, "not loaded: %s/%s: %s\n", f.Source, f.File, f.Skipped)
			continue
		}
		lines += f.Lines
	}
	if len(res.Loaded) > 0 {
		fmt.Fprintf(w, "loaded %d files, %d lines\n", len(res.Loaded), lines)
	}
	if !res.Batch.Ran {
		return
	}
	var total time.Duration
	failed := 0
	for _, t := range res.Batch.Tasks {
		total += t.Duration
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
