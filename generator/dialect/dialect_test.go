package dialect_test

import (
	"slices"
	"testing"

	"github.com/ledgerloop/trueup/generator/dialect"
	_ "github.com/ledgerloop/trueup/generator/dialect/all"
)

// TestRegistry: the dialects are registered once each, by name, and an
// unknown name is an error that lists the known ones.
func TestRegistry(t *testing.T) {
	names := dialect.Names()
	if !slices.Equal(names, []string{"duckdb", "snowflake"}) {
		t.Errorf("Names() = %v, want [duckdb snowflake]", names)
	}
	for _, n := range names {
		r, err := dialect.Get(n)
		if err != nil {
			t.Fatal(err)
		}
		if r.Name() != n {
			t.Errorf("Get(%q).Name() = %q", n, r.Name())
		}
		if again, _ := dialect.Get(n); again == r {
			t.Errorf("Get(%q) returns the same renderer twice: renderers keep state, each caller needs its own", n)
		}
	}
	_, err := dialect.Get("oracle")
	if want := `unknown dialect "oracle" (known: [duckdb snowflake])`; err == nil || err.Error() != want {
		t.Errorf("Get(oracle): %v, want %s", err, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("a duplicate registration does not panic")
		}
	}()
	dialect.Register("duckdb", nil)
}
