package app

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/internal/docs"
)

// DocsOptions are the options of trueup docs.
type DocsOptions struct {
	Models string
	// Out is the folder the site is written to (created when missing).
	Out string
	// DB, when set, is a local database whose resolution figures the
	// site shows.
	DB string
}

// ErrNoOut is returned by docs without an output folder.
var ErrNoOut = errors.New("docs: --out is required: the folder to write the site to")

// Docs writes the static documentation site of the spec's plan, with the
// figures of a local database when DB is set.
func Docs(ctx context.Context, w io.Writer, o DocsOptions) error {
	if o.Out == "" {
		return ErrNoOut
	}
	p, err := generator.Compile(o.Models)
	if err != nil {
		return err
	}
	var stats *docs.Stats
	if o.DB != "" {
		run, err := openLocal(ctx, o.Models, o.DB, true)
		if err != nil {
			return fmt.Errorf("docs: %w", err)
		}
		s, err := run.DocsStats(ctx)
		run.Close()
		if err != nil {
			return err
		}
		stats = &s
	}
	path, err := docs.Write(o.Out, p, stats)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s: %d fields, %d objects, %d checks", path, len(p.Spec.Fields), len(p.Objects), len(p.Spec.Checks))
	if stats != nil {
		fmt.Fprintf(w, ", figures of %d customers from %s", stats.Customers, o.DB)
	}
	fmt.Fprintln(w)
	return nil
}
