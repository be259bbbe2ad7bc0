package app

import (
	"context"
	"fmt"
	"io"

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
