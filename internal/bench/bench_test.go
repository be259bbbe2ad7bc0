package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestExecuteAndReport measures a tiny configuration twice: the second time
// reuses the landing files and the state database, and the report has
// every section, the targets and a floor for each batch.
func TestExecuteAndReport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the pipeline")
	}
	c := Config{Models: "../../tests/testdata/spec", Work: t.TempDir(), Scales: []int{20, 40}, EventsPerCustomer: 5, Heavy: 30,
		PeakEvents: 60, SmallEvents: 10, Runs: 1, Late: 0.1, Duplicates: 0.1, Conflicts: 0.1, Seed: 1, SealingCustomers: 30}
	ctx := context.Background()
	res, err := Execute(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	// trueup-bench -json writes the result as it is.
	if _, err := json.Marshal(res); err != nil {
		t.Fatalf("the result does not marshal to JSON: %v", err)
	}
	for _, s := range res.Scales {
		if s.Skipped != "" {
			t.Fatalf("scale %d: %s", s.Customers, s.Skipped)
		}
		if s.StateReused || s.WriteState == 0 || s.State.Wall == 0 || s.State.Lines != int64(s.StateLines) {
			t.Errorf("scale %d: state %+v", s.Customers, s)
		}
		for _, m := range []*Measurement{s.Peak, s.Small, s.Late, s.Current} {
			if m == nil || len(m.Runs) != 1 || m.Floor == nil || m.Floor.Lines != int64(m.Lines) || m.Runs[0].Lines != int64(m.Lines) {
				t.Fatalf("scale %d: measurement %+v", s.Customers, m)
			}
			if len(m.Runs[0].Statements) == 0 || m.Runs[0].RowsRead == 0 || m.Runs[0].Stages[0].Name != "load" {
				t.Errorf("scale %d: %s: %d statements, %d rows read, stages %+v", s.Customers, m.Name, len(m.Runs[0].Statements), m.Runs[0].RowsRead, m.Runs[0].Stages)
			}
		}
	}
	if se := res.Sealing; se == nil || se.Skipped != "" || len(se.Sealed) != 1 || len(se.Plain) != 1 || se.Ratio() <= 0 ||
		se.Sealed[0].Lines != int64(se.Lines) || se.Plain[0].Lines != int64(se.Lines) || len(se.PIIFields) == 0 {
		t.Errorf("sealing: %+v", se)
	}
	c.Scales, c.SealingCustomers = c.Scales[:1], 0
	again, err := Execute(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if s := again.Scales[0]; !s.StateReused || s.WriteState != 0 || s.WriteBatches != 0 {
		t.Errorf("second run: state reused %v, writing took %s and %s", s.StateReused, s.WriteState, s.WriteBatches)
	}
	var b bytes.Buffer
	if err := Report(&b, res, ThisMachine(), []string{"trueup-bench -quick"}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"## Machine", "| CPUs (nproc) |", "## Commands", "trueup-bench -quick", "## Targets",
		"peak RSS ≤ 4 GB", "## State of 40 customers", "### Peak batch: 60 lines on 40 customers", "× the floor", "| load |", "| **total** |",
		"### One late event on the heavy customer", "## Cost of sealing PII", "sealing PII ≤ 1.3×"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if n := len(Targets(res)); n != 6 {
		t.Errorf("%d targets, want 6", n)
	}
	for _, tg := range Targets(res) {
		if !tg.Known {
			t.Errorf("target %q not measured", tg.What)
		}
	}
}

// TestRSSTargetCountsStoppedRuns: a run stopped part way (out of memory,
// out of time) counts towards the peak RSS target: it is a run the
// machine had to hold.
func TestRSSTargetCountsStoppedRuns(t *testing.T) {
	const gib = 1 << 30
	res := &Result{Scales: []*Scale{{
		Customers: 10,
		State:     Run{PeakRSS: gib},
		Small:     &Measurement{Name: "small batch", Runs: []Run{{PeakRSS: 2 * gib}}},
		Peak:      &Measurement{Name: "peak batch", Partial: &Run{PeakRSS: 5 * gib}},
	}}}
	for _, tg := range Targets(res) {
		if strings.HasPrefix(tg.What, "peak RSS") {
			if !tg.Known || tg.OK || !strings.HasPrefix(tg.Measured, "5") {
				t.Errorf("peak RSS target %+v: want 5 GB, failed", tg)
			}
			return
		}
	}
	t.Fatal("no peak RSS target")
}
