package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/migrations"
	"github.com/ledgerloop/trueup/internal/config"
	"github.com/ledgerloop/trueup/internal/monitor"
)

// MonitorOptions are the options of trueup monitor.
type MonitorOptions struct {
	TargetOptions
	JSON   bool
	Window time.Duration
	// Now ends the window (default: the current time).
	Now time.Time
}

// Monitor prints the monitoring report of a target, as text or JSON.
func Monitor(ctx context.Context, w io.Writer, o MonitorOptions) error {
	c, err := connect(o.TargetOptions, false)
	if err != nil {
		return err
	}
	defer c.Close()
	r, err := c.renderer()
	if err != nil {
		return err
	}
	mo := monitor.Options{Target: o.Target, DB: c.target.DB, R: r, Plan: c.plan, Now: o.Now, Window: o.Window}
	if c.cfg.Type == config.Snowflake {
		mo.Source = monitor.Snowflake{R: r, Database: c.plan.Spec.Project.Database, Plan: c.plan}
	} else {
		mo.Source = monitor.Local{R: r, Plan: c.plan}
	}
	rep, err := monitor.Run(ctx, mo)
	if err != nil {
		return fmt.Errorf("monitor: %w", err)
	}
	if o.JSON {
		// A part that could not be read (see notes) is an empty list,
		// never null (docs/schema/monitor.schema.json).
		nonNil(&rep.Tasks)
		nonNil(&rep.Failures)
		nonNil(&rep.Loads)
		nonNil(&rep.Refreshes)
		nonNil(&rep.Conflicts)
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	PrintReport(w, rep)
	return nil
}

// PrintReport writes the report as text.
func PrintReport(w io.Writer, rep *monitor.Report) {
	fmt.Fprintf(w, "target %s, %s to %s (UTC)\n", rep.Target, rep.Since.Format("2006-01-02 15:04"), rep.Until.Format("2006-01-02 15:04"))
	fmt.Fprintf(w, "\n%-32s %9s %6s %7s  %s\n", "task", "succeeded", "failed", "skipped", "last run")
	if len(rep.Tasks) == 0 {
		fmt.Fprintln(w, "(no task runs in the window)")
	}
	for _, t := range rep.Tasks {
		last := "-"
		if t.LastRun != nil {
			last = t.LastRun.Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%-32s %9d %6d %7d  %s\n", t.Task, t.Succeeded, t.Failed, t.Skipped, last)
	}
	if len(rep.Failures) > 0 {
		fmt.Fprintln(w, "\nfailures (newest first):")
		for _, f := range rep.Failures {
			at := ""
			if f.At != nil {
				at = f.At.Format(time.RFC3339)
			}
			fmt.Fprintf(w, "  %s %s %s: %s\n", at, f.Run, f.Task, firstLine(f.Error))
		}
	}
	if len(rep.Loads) > 0 {
		fmt.Fprintln(w, "\nloads:")
		for _, l := range rep.Loads {
			fmt.Fprintf(w, "  %-28s %5d files %9d rows %5d errors\n", l.Table, l.Files, l.Rows, l.Errors)
		}
	}
	fr := rep.Freshness
	status := "ok"
	switch {
	case fr.Events == 0:
		status = "no event in the window: nothing to judge"
	case !fr.OK:
		status = fmt.Sprintf("OVER TARGET for %d events", fr.OverTarget)
	}
	fmt.Fprintf(w, "\nfreshness (source commit to gold, %d events, %d not yet in gold): p50 %s, p95 %s, max %s; target %s: %s\n",
		fr.Events, fr.Unfinished, secs(fr.P50), secs(fr.P95), secs(fr.Max), secs(fr.Target), status)
	if rep.DQ == nil {
		fmt.Fprintln(w, "\ndata quality: no results table")
	} else if rep.DQ.Batch == "" {
		fmt.Fprintln(w, "\ndata quality: no batch has run yet")
	} else {
		fmt.Fprintf(w, "\ndata quality, batch %s: %d passed, %d failed, %d other\n", rep.DQ.Batch, rep.DQ.Passed, rep.DQ.Failed, rep.DQ.Other)
		for _, f := range rep.DQ.Failures {
			subj := ""
			if f.Subject != "" {
				subj = " (" + f.Subject + ")"
			}
			fmt.Fprintf(w, "  %s %s%s\n", f.Severity, f.Check, subj)
		}
	}
	if b := rep.Backfill; b != nil {
		fmt.Fprintf(w, "\nbackfill: %d customers left to re-resolve under rule set %s (since %s)\n", b.Left, b.RulesetVersion, b.Since.Format(time.RFC3339))
	}
	if len(rep.Conflicts) > 0 {
		fmt.Fprintf(w, "\n%-16s %9s %9s %6s\n", "field", "customers", "conflicts", "rate")
		for _, c := range rep.Conflicts {
			fmt.Fprintf(w, "%-16s %9d %9d %5.1f%%\n", c.Field, c.Customers, c.Conflicts, 100*c.Rate)
		}
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}

func secs(s float64) string {
	return (time.Duration(s * float64(time.Second))).Round(time.Millisecond).String()
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// renderer is the target's dialect, configured for the project.
func (c *connected) renderer() (dialect.Renderer, error) {
	name := "duckdb"
	if c.cfg.Type == config.Snowflake {
		name = "snowflake"
	}
	r, err := dialect.Get(name)
	if err != nil {
		return nil, err
	}
	r.Configure(migrations.Settings(c.plan))
	return r, nil
}

// nonNil makes a nil slice an empty one, which JSON writes as [].
func nonNil[T any](s *[]T) {
	if *s == nil {
		*s = []T{}
	}
}
