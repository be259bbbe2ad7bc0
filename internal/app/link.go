package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/user"
)

// LinkOptions are the options of trueup link and trueup unlink; Customer
// is empty for unlink.
type LinkOptions struct {
	Models, DB, Source, Record, Customer, Reason string
	// Author is the steward deciding; empty, $USER (or the current
	// user's name).
	Author string
}

// Link records a steward's link (or, without a customer, unlink) of a
// source record in the local database and in its audit log; the next run
// applies it.
func Link(ctx context.Context, w io.Writer, o LinkOptions) error {
	run, err := openLocal(ctx, o.Models, o.DB, false)
	if err != nil {
		return err
	}
	defer run.Close()
	author := o.Author
	if author == "" {
		author = os.Getenv("USER")
	}
	if author == "" {
		if u, err := user.Current(); err == nil {
			author = u.Username
		}
	}
	l, err := run.Link(ctx, o.Source, o.Record, o.Customer, o.Reason, author)
	if err != nil {
		return err
	}
	verb := "linked"
	if o.Customer == "" {
		verb = "unlinked"
	}
	fmt.Fprintf(w, "%s record %s %s: from customer %s to %s (matched_by manual); recorded in the audit log; the next run (trueup run --local) moves it and re-resolves both customers\n",
		verb, l.Source, l.Record, l.From, l.To)
	return nil
}
