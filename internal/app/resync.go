package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/ledgerloop/trueup/internal/local"
)

// ResyncOptions are the options of trueup resync.
type ResyncOptions struct {
	Models, DB string
	// Since is the earliest finding listed ("" lists every finding).
	Since string
	// Source keeps one source's items.
	Source string
	JSON   bool
	// IDs prints one record id per line (one source: --source).
	IDs bool
}

// Resync lists the records to fetch again from the sources' APIs: from the
// gap findings, and for a source silent longer than its replay window.
func Resync(ctx context.Context, w io.Writer, o ResyncOptions) error {
	since, err := parseTime("--since", o.Since)
	if err != nil {
		return err
	}
	if o.IDs && o.JSON {
		return fmt.Errorf("--ids and --json: choose one form")
	}
	run, err := openLocal(ctx, o.Models, o.DB, true)
	if err != nil {
		return err
	}
	defer run.Close()
	if o.Source != "" {
		found := false
		for _, s := range run.Plan().Spec.Sources {
			found = found || s.Name == o.Source
		}
		if !found {
			return fmt.Errorf("--source %s: no such source in %s", o.Source, o.Models)
		}
	} else if o.IDs {
		return fmt.Errorf("--ids prints the ids of one source: give --source")
	}
	list, err := run.Resync(ctx, since)
	if err != nil {
		return err
	}
	if o.Source != "" {
		var keep []local.ResyncItem
		for _, it := range list.Items {
			if it.Source == o.Source {
				keep = append(keep, it)
			}
		}
		list.Items = append([]local.ResyncItem{}, keep...)
	}
	switch {
	case o.IDs:
		for _, it := range list.Items {
			if it.RecordID == "" {
				// A backfill job reading ids cannot express "the whole
				// object": say so where it is read.
				return fmt.Errorf("source %s: an overflow asks for every record of %s since %s (trueup resync --json)", it.Source, it.Object, it.Since.Format(time.RFC3339))
			}
			fmt.Fprintln(w, it.RecordID)
		}
		return nil
	case o.JSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			SchemaVersion int `json:"schema_version"`
			*local.ResyncList
		}{1, list})
	}
	for _, s := range list.Silences {
		fmt.Fprintf(w, "silent: %s has no event since %s, the others' newest is %s (replay window %s)\n",
			s.Source, s.LastEvent.Format(time.RFC3339), s.OthersLast.Format(time.RFC3339), s.Window)
	}
	if len(list.Items) == 0 {
		fmt.Fprintln(w, "nothing to re-sync")
		return nil
	}
	fmt.Fprintf(w, "%-8s %-12s %-22s %-7s %-20s %s\n", "source", "object", "record", "reason", "since", "finding")
	for _, it := range list.Items {
		rec := it.RecordID
		if rec == "" {
			rec = "(every record)"
		}
		fmt.Fprintf(w, "%-8s %-12s %-22s %-7s %-20s %s\n", it.Source, it.Object, rec, it.Reason, it.Since.Format(time.RFC3339), it.Detail)
	}
	return nil
}
