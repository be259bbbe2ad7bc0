package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ledgerloop/trueup/internal/local"
)

// OverrideOptions are the options of trueup override.
type OverrideOptions struct {
	Models, DB             string
	Customer, Field, Value string
	Reason, Author         string
	// Until is an RFC 3339 time or a duration from now ("72h"); "" for
	// no expiry.
	Until string
	Clear bool
}

// Override sets a steward's override of a customer's field (or clears the
// one in force), records it in the audit log and runs a batch, so that
// gold, history and explain show it at once.
func Override(ctx context.Context, w io.Writer, o OverrideOptions) error {
	ov := local.Override{Customer: o.Customer, Field: o.Field, Reason: o.Reason, Author: o.Author}
	if ov.Author == "" {
		ov.Author = os.Getenv("USER")
	}
	if o.Clear {
		if o.Value != "" || o.Until != "" {
			return fmt.Errorf("override --clear takes no VALUE and no --until")
		}
	} else {
		v := o.Value
		ov.Value = &v
	}
	if o.Until != "" {
		t, err := parseUntil(o.Until, time.Now())
		if err != nil {
			return err
		}
		ov.Until = t
	}
	run, err := openLocal(ctx, o.Models, o.DB, false)
	if err != nil {
		return err
	}
	defer run.Close()
	b, err := run.SetOverride(ctx, ov)
	if err != nil {
		return err
	}
	switch {
	case o.Clear:
		fmt.Fprintf(w, "cleared the override of %s of customer %s (by %s)", o.Field, o.Customer, ov.Author)
	case ov.Until.IsZero():
		fmt.Fprintf(w, "override of %s of customer %s set by %s, until a source agrees or it is cleared", o.Field, o.Customer, ov.Author)
	default:
		fmt.Fprintf(w, "override of %s of customer %s set by %s, until %s", o.Field, o.Customer, ov.Author, ov.Until.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(w, "; recorded in the audit log; batch %s resolved it\n", b.ID)
	return nil
}

// parseUntil reads --until: an RFC 3339 time, a date, or a duration from
// now.
func parseUntil(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, fmt.Errorf("--until %s: a duration must be positive", s)
		}
		return now.Add(d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--until %q: want an RFC 3339 time (2026-12-31T00:00:00Z), a date (2026-12-31) or a duration (72h)", s)
}
