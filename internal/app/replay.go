package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/internal/local"
)

// ReplayOptions are the options of trueup replay --local.
type ReplayOptions struct {
	Models, DB string
	Since      string
	Customers  []string
}

// Replay recomputes SILVER and GOLD on the local database.
func Replay(ctx context.Context, w io.Writer, o ReplayOptions) error {
	since, err := parseTime("--since", o.Since)
	if err != nil {
		return err
	}
	p, err := generator.Compile(o.Models)
	if err != nil {
		return err
	}
	run, err := local.Open(ctx, o.DB, p)
	if err != nil {
		return err
	}
	defer run.Close()
	b, err := run.Replay(ctx, local.ReplayOptions{Since: since, Customers: o.Customers})
	if err == nil {
		switch {
		case len(o.Customers) > 0:
			fmt.Fprintf(w, "replayed %d customers from SILVER: %s\n", len(o.Customers), strings.Join(o.Customers, ", "))
		case since.IsZero():
			fmt.Fprintln(w, "replayed everything from RAW: SILVER and GOLD recomputed (history kept, superseded where it changed)")
		default:
			fmt.Fprintf(w, "replayed the lines loaded since %s from RAW\n", since.UTC().Format(time.RFC3339))
		}
	}
	printPass(w, local.Result{Batch: b})
	if err != nil {
		return err
	}
	s, err := run.Summarize(ctx)
	if err != nil {
		return err
	}
	PrintSummary(w, s)
	fmt.Fprintln(w)
	return nil
}
