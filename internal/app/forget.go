package app

import (
	"context"
	"fmt"
	"io"
)

// ForgetOptions are the options of trueup forget.
type ForgetOptions struct {
	Models, DB, Customer, Reason string
}

// Forget erases a customer's PII from the local database and records the
// erasure in the audit log.
func Forget(ctx context.Context, w io.Writer, o ForgetOptions) error {
	run, err := openLocal(ctx, o.Models, o.DB, false)
	if err != nil {
		return err
	}
	defer run.Close()
	f, err := run.Forget(ctx, o.Customer, o.Reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "forgot customer %s: %d source records, %d PII values erased (%d kept: other customers hold them too), %d raw lines erased; recorded in the audit log\n",
		f.Customer, f.Records, f.Values, f.Shared, f.Lines)
	return nil
}
