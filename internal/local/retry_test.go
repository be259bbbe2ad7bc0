package local

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ledgerloop/trueup/generator"
)

// TestTransientStorageError: the DuckDB fault a task is run again after is
// recognised through the step's wrapping; other failures are not retried.
func TestTransientStorageError(t *testing.T) {
	fault := fmt.Errorf("step 4: %w", errors.New("Invalid Input Error: Invalid unicode (byte sequence mismatch) detected in segment statistics update"))
	if !transientStorageError(fault) {
		t.Errorf("%v: not transient", fault)
	}
	for _, err := range []error{
		errors.New("step 2: Conversion Error: Could not convert string 'x' to INT64"),
		errors.New("Invalid Input Error: Invalid unicode (byte sequence mismatch) detected in value construction"),
		errors.New("context canceled"),
	} {
		if transientStorageError(err) {
			t.Errorf("%v: transient", err)
		}
	}
}

// TestOneThread: a task run again after the fault runs on one thread, and
// the setting is put back afterwards, whatever the task returned.
func TestOneThread(t *testing.T) {
	p, err := generator.Compile("../../tests/testdata/spec")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	run, err := OpenWith(ctx, "", p, Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	threads := func() int64 {
		var n int64
		if err := run.db.QueryRow("SELECT CAST(current_setting('threads') AS BIGINT)").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	failed := errors.New("task failed")
	for _, ret := range []error{nil, failed} {
		var during int64
		err := run.oneThread(ctx, func() error { during = threads(); return ret })
		if !errors.Is(err, ret) && err != ret {
			t.Errorf("oneThread returned %v, want %v", err, ret)
		}
		if during != 1 {
			t.Errorf("threads %d during the run, want 1", during)
		}
		if after := threads(); after != 2 {
			t.Errorf("threads %d after the run, want 2 back", after)
		}
	}
}
