package tests

import (
	"context"
	"testing"
	"time"
)

// TestInterruptedRunsLoseNothing cancels runs at many points (during loads,
// inside tasks) and then lets one finish: gold must equal an uninterrupted
// run's, because every step commits or rolls back as a whole.
func TestInterruptedRunsLoseNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	landing := "testdata/scenario/landing"
	clean := open(t, "testdata/spec")
	runOnce(t, clean, landing)
	want := snapshot(t, clean.DB())

	run := open(t, "testdata/spec")
	interrupted := 0
	for i := 0; i < 40; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i)*3*time.Millisecond)
		_, err := run.RunOnce(ctx, landing)
		cancel()
		if err != nil {
			interrupted++
		}
	}
	runOnce(t, run, landing)
	if got := snapshot(t, run.DB()); got != want {
		t.Errorf("after %d interrupted runs gold differs:\n%s", interrupted, firstDiff(want, got))
	}
	if interrupted == 0 {
		t.Log("no run was interrupted: the scenario ran faster than the shortest timeout")
	}
	t.Logf("%d of 40 runs interrupted", interrupted)
}
