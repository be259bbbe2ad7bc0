package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/internal/local"
)

// DQOptions are the options of trueup dq.
type DQOptions struct {
	Models, DB string
	JSON       bool
}

// ErrDQFailed is returned when an error-level check failed.
var ErrDQFailed = errors.New("an error-level data-quality check failed: the batch is held back from gold")

// openLocal opens an existing local database: read-only for the commands
// that only read it, so that they neither create a missing file nor
// write into the one they read, and can run beside a poller's passes.
func openLocal(ctx context.Context, models, db string, readOnly bool) (*local.Runner, error) {
	p, err := generator.Compile(models)
	if err != nil {
		return nil, err
	}
	if readOnly {
		return local.OpenReadOnly(ctx, db, p)
	}
	if _, err := os.Stat(db); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("open %s: %w", db, local.ErrNoDatabase)
		}
		return nil, fmt.Errorf("open %s: %w", db, err)
	}
	return local.Open(ctx, db, p)
}

// DQ prints the latest data-quality results; exit 2 when an error-level
// check failed.
func DQ(ctx context.Context, w io.Writer, o DQOptions) error {
	run, err := openLocal(ctx, o.Models, o.DB, true)
	if err != nil {
		return err
	}
	defer run.Close()
	rep, err := run.DQ(ctx)
	if err != nil {
		return err
	}
	if o.JSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		// One key style across commands: snake_case, with a schema version.
		doc := struct {
			SchemaVersion int `json:"schema_version"`
			local.DQReport
		}{1, rep}
		if doc.Results == nil {
			doc.Results = []local.CheckResult{} // no batch yet: a list, never null
		}
		for i := range doc.Results {
			if doc.Results[i].Violations == nil {
				doc.Results[i].Violations = []local.Violation{}
			}
		}
		if err := enc.Encode(doc); err != nil {
			return err
		}
	} else {
		PrintDQ(w, rep)
	}
	if rep.Failed() {
		return &ExitError{Code: 2, Err: ErrDQFailed}
	}
	return nil
}

// PrintDQ writes a DQ report for people.
func PrintDQ(w io.Writer, rep local.DQReport) {
	if rep.Batch == "" {
		fmt.Fprintln(w, "data quality: no batch has run checks yet")
		return
	}
	counts := map[string]int{}
	for _, c := range rep.Results {
		counts[c.Status]++
	}
	fmt.Fprintf(w, "data quality, batch %s: %d pass, %d fail, %d acknowledged, %d skipped (too little history)\n",
		rep.Batch, counts["pass"], counts["fail"], counts["acknowledged"], counts["skipped"])
	for _, c := range rep.Results {
		if c.Status == "pass" || c.Status == "skipped" {
			continue
		}
		name := c.Check
		if c.Subject != "" {
			name += " " + c.Subject
		}
		fmt.Fprintf(w, "  %-5s %-12s %-30s observed %s", c.Severity, c.Status, name, f64(c.Observed))
		if c.Baseline != nil {
			fmt.Fprintf(w, ", baseline %s over %d batches, z threshold %s", f64(c.Baseline), *c.History, f64(c.Threshold))
		}
		fmt.Fprintln(w)
		const shown = 5
		for i, v := range c.Violations {
			if i == shown {
				fmt.Fprintf(w, "        ... %d more (trueup dq --json, or dq.violations)\n", v.Total-shown)
				break
			}
			fmt.Fprintf(w, "        %s  %s\n", v.Pointer, v.Detail)
		}
	}
	for b, n := range rep.Held {
		fmt.Fprintf(w, "  held back from gold: %d customers since batch %s (trueup dq ack CHECK --batch %s --reason ...)\n", n, b, b)
	}
}

func f64(p *float64) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprintf("%.4g", *p)
}

// AckOptions are the options of trueup dq ack.
type AckOptions struct {
	Models, DB, Check, Batch, Reason string
}

// Ack acknowledges a failed check and publishes the held batch.
func Ack(ctx context.Context, w io.Writer, o AckOptions) error {
	run, err := openLocal(ctx, o.Models, o.DB, false)
	if err != nil {
		return err
	}
	defer run.Close()
	b, err := run.Ack(ctx, o.Check, o.Batch, o.Reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "acknowledged %s in batch %s; reconciled in batch %s\n", o.Check, o.Batch, b.ID)
	rep, err := run.DQ(ctx)
	if err != nil {
		return err
	}
	PrintDQ(w, rep)
	return nil
}
