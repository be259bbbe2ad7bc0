package local

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/generator/spec"
)

// ReplayWindows are how long each producer keeps its events for a
// subscriber to read again: Salesforce stores change data capture events
// for 72 hours
// (https://developer.salesforce.com/docs/platform/pub-sub-api/guide/event-message-durability.html)
// and Stripe lists events going back up to 30 days
// (https://docs.stripe.com/api/events/list). A silence longer than that, or a
// gap event, is recovered only by fetching records again. Debezium reads
// a replication slot, which keeps the WAL until it is consumed: no window.
var ReplayWindows = map[string]time.Duration{
	spec.FormatSalesforceCDC: 72 * time.Hour,
	spec.FormatStripeEvents:  30 * 24 * time.Hour,
}

// Resync reasons.
const (
	ResyncGap    = "gap"    // a gap event named the record
	ResyncObject = "object" // an overflow: every record of the object
	ResyncSilent = "silent" // the source was silent longer than its replay window while others were not
)

// ResyncItem is a record (or, with RecordID empty, a whole object) to
// fetch again from a source's API.
type ResyncItem struct {
	Source   string `json:"source"`
	Object   string `json:"object"`
	RecordID string `json:"record_id,omitempty"`
	Reason   string `json:"reason"`
	// Since is the time from which the record's events may be missing.
	Since  time.Time `json:"since"`
	Detail string    `json:"detail"`
}

// ResyncSilence is a source whose newest event is older than the newest of
// the other sources by more than its replay window.
type ResyncSilence struct {
	Source     string        `json:"source"`
	LastEvent  time.Time     `json:"last_event"`
	OthersLast time.Time     `json:"others_last_event"`
	Window     time.Duration `json:"-"`
	WindowText string        `json:"replay_window"`
}

// ResyncList is what trueup resync reports.
type ResyncList struct {
	Since    time.Time       `json:"since"`
	Items    []ResyncItem    `json:"items"`
	Silences []ResyncSilence `json:"silences"`
}

// Resync lists, per source, the records to fetch again: those named by the
// gap events flagged since the given time (every record of the object for
// an overflow), and, for a source silent longer than its replay window
// while the others went on, the records linked to customers that changed
// in another source during the silence. The list is deduplicated (one item
// per source, object and record, the earliest time kept).
func (run *Runner) Resync(ctx context.Context, since time.Time) (*ResyncList, error) {
	out := &ResyncList{Since: since, Items: []ResyncItem{}, Silences: []ResyncSilence{}}
	o := run.r.Object
	objects := map[string]string{}
	for _, s := range run.plan.Spec.Sources {
		objects[s.Name] = resyncObject(s)
	}
	rows, err := run.db.QueryContext(ctx, `SELECT source, reason, COALESCE(detail, ''), COALESCE(event_time, flagged_at), file_name, file_row
FROM `+o(plan.Quarantine)+` WHERE reason LIKE 'GAP%' AND COALESCE(event_time, flagged_at) >= ? ORDER BY 4, 1, 5, 6`, since)
	if err != nil {
		return nil, fmt.Errorf("resync: %w", err)
	}
	for rows.Next() {
		var src, reason, detail, file string
		var at time.Time
		var row int64
		if err := rows.Scan(&src, &reason, &detail, &at, &file, &row); err != nil {
			rows.Close()
			return nil, fmt.Errorf("resync: %w", err)
		}
		kind, _, _ := strings.Cut(reason, ":")
		where := fmt.Sprintf("%s %s:%d", kind, file, row)
		if strings.HasPrefix(detail, "object ") {
			out.Items = append(out.Items, ResyncItem{Source: src, Object: objects[src], Reason: ResyncObject, Since: at.UTC(), Detail: where})
			continue
		}
		var ids []string
		if err := json.Unmarshal([]byte(detail), &ids); err != nil || len(ids) == 0 {
			// A gap whose records cannot be read: the object.
			out.Items = append(out.Items, ResyncItem{Source: src, Object: objects[src], Reason: ResyncObject, Since: at.UTC(), Detail: where + " (record ids unreadable)"})
			continue
		}
		for _, id := range ids {
			out.Items = append(out.Items, ResyncItem{Source: src, Object: objects[src], RecordID: id, Reason: ResyncGap, Since: at.UTC(), Detail: where})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("resync: %w", err)
	}
	if err := run.resyncSilences(ctx, out, objects); err != nil {
		return nil, fmt.Errorf("resync: %w", err)
	}
	out.Items = dedupResync(out.Items)
	return out, nil
}

// resyncSilences finds the sources silent longer than their replay window
// and the records of theirs whose customers changed elsewhere meanwhile.
func (run *Runner) resyncSilences(ctx context.Context, out *ResyncList, objects map[string]string) error {
	o := run.r.Object
	last := map[string]time.Time{}
	// A line flagged with an event time (a gap event, say) shows the
	// stream was read then as much as an observation does.
	rows, err := run.db.QueryContext(ctx, "SELECT source, MAX(t) FROM (SELECT source, event_time AS t FROM "+o(plan.Observations)+
		" UNION ALL SELECT source, event_time FROM "+o(plan.Quarantine)+" WHERE event_time IS NOT NULL) GROUP BY source")
	if err != nil {
		return err
	}
	for rows.Next() {
		var s string
		var t sql.NullTime
		if err := rows.Scan(&s, &t); err != nil {
			rows.Close()
			return err
		}
		if t.Valid {
			last[s] = t.Time.UTC()
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, s := range run.plan.Spec.Sources {
		window, ok := ReplayWindows[s.Format]
		mine, seen := last[s.Name]
		if !ok || !seen {
			continue
		}
		var others time.Time
		for name, t := range last {
			if name != s.Name && t.After(others) {
				others = t
			}
		}
		if others.Sub(mine) <= window {
			continue
		}
		out.Silences = append(out.Silences, ResyncSilence{Source: s.Name, LastEvent: mine, OthersLast: others, Window: window, WindowText: window.String()})
		rows, err := run.db.QueryContext(ctx, `SELECT DISTINCT x.record_key FROM `+o(plan.Crosswalk)+` x
WHERE x.source = ? AND x.customer_id IN (
  SELECT c.customer_id FROM `+o(plan.Observations)+` b JOIN `+o(plan.Crosswalk)+` c ON c.source = b.source AND c.record_key = b.record_key
  WHERE b.source <> ? AND b.event_time > ?)
ORDER BY 1`, s.Name, s.Name, mine)
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("no event since %s, %s before the other sources' newest (replay window %s)", mine.Format(time.RFC3339), others.Sub(mine).Round(time.Minute), window)
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			out.Items = append(out.Items, ResyncItem{Source: s.Name, Object: objects[s.Name], RecordID: id, Reason: ResyncSilent, Since: mine, Detail: detail})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// resyncObject names what a source's API is asked for.
func resyncObject(s *spec.Source) string {
	switch {
	case s.Object != "":
		return s.Object
	case s.Table != "":
		return s.Table
	}
	return s.Name
}

// dedupResync keeps one item per source, object and record: the earliest,
// with an object-wide item covering the object's records.
func dedupResync(items []ResyncItem) []ResyncItem {
	whole := map[string]bool{}
	for _, it := range items {
		if it.RecordID == "" {
			whole[it.Source+"\x00"+it.Object] = true
		}
	}
	best := map[string]int{}
	var out []ResyncItem
	for _, it := range items {
		if it.RecordID != "" && whole[it.Source+"\x00"+it.Object] {
			continue
		}
		k := it.Source + "\x00" + it.Object + "\x00" + it.RecordID
		if i, ok := best[k]; ok {
			if it.Since.Before(out[i].Since) {
				out[i] = it
			}
			continue
		}
		best[k] = len(out)
		out = append(out, it)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		if a.RecordID != b.RecordID {
			return a.RecordID < b.RecordID
		}
		return a.Since.Before(b.Since)
	})
	if out == nil {
		out = []ResyncItem{}
	}
	return out
}
