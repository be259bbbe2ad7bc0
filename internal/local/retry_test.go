package local

import (
	"errors"
	"fmt"
	"testing"
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
