package tests

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/internal/local"
)

// TestReplay: recomputing from RAW (all of it, since a time, or some
// customers) gives exactly what incremental processing produced, and
// confirms history rather than rewriting it; a replay since a time reads
// only the lines loaded from then on.
func TestReplay(t *testing.T) {
	run := open(t, "testdata/spec")
	db := run.DB()
	landing := t.TempDir()
	copyTree(t, "testdata/scenario/landing", landing)
	runOnce(t, run, landing)
	// The first batch's lines were loaded before since, the late line
	// after it.
	time.Sleep(10 * time.Millisecond)
	since := time.Now()
	time.Sleep(10 * time.Millisecond)
	land(t, landing, "late.json", appEvent("u", 150, 2*day, "acct_1", "late@x.io"))
	runOnce(t, run, landing)

	const historyQ = "SELECT * FROM gold.customer_master_history ORDER BY ALL"
	// The quarantine without the columns of the batch that flagged a line.
	const quarantineQ = "SELECT source, load_seq, file_name, file_row, reason, detail, event_time FROM silver.quarantine ORDER BY ALL"
	want := snapshot(t, db)
	history := strings.Join(query(t, db, historyQ), "\n")
	quarantine := strings.Join(query(t, db, quarantineQ), "\n")
	if quarantine == "" {
		t.Fatal("the scenario flags no line: the quarantine is not compared")
	}
	var raw []string
	for _, src := range []string{"app", "billing", "crm"} {
		raw = append(raw, src+" "+strings.Join(query(t, db, "SELECT COUNT(*) FROM "+plan.LinesTable(src).String()), ""))
	}

	// The replays run in a time zone far from UTC: since is an instant,
	// whatever the session's zone.
	execSQL(t, db, "SET GLOBAL TimeZone = 'Asia/Tokyo'")
	for _, c := range []struct {
		o local.ReplayOptions
		// read is "source lines" for each source whose RAW lines the
		// replay re-observed.
		read []string
	}{
		{local.ReplayOptions{}, raw},
		{local.ReplayOptions{Since: since}, []string{"app 1"}},
		{local.ReplayOptions{Customers: []string{"acct_1", "acct_3"}}, nil},
	} {
		b, err := run.Replay(context.Background(), c.o)
		if err != nil {
			t.Fatalf("replay %+v: %v", c.o, err)
		}
		if !b.Ran {
			t.Fatalf("replay %+v did not run", c.o)
		}
		checkHistory(t, db)
		if got := snapshot(t, db); got != want {
			t.Errorf("replay %+v differs from incremental processing:\n%s", c.o, firstDiff(want, got))
		}
		if got := strings.Join(query(t, db, historyQ), "\n"); got != history {
			t.Errorf("replay %+v changed history:\n%s", c.o, firstDiff(history, got))
		}
		if got := strings.Join(query(t, db, quarantineQ), "\n"); got != quarantine {
			t.Errorf("replay %+v changed the quarantine:\n%s", c.o, firstDiff(quarantine, got))
		}
		read := query(t, db, "SELECT source || ' ' || SUM(lines) FROM silver.line_counts WHERE batch_id = '"+b.ID+"' AND reason = '"+plan.ReasonLanded+"' GROUP BY source ORDER BY source")
		if strings.Join(read, ", ") != strings.Join(c.read, ", ") {
			t.Errorf("replay %+v read the RAW lines %q, want %q", c.o, read, c.read)
		}
	}
}
