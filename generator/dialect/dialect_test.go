package dialect_test

import (
	"slices"
	"testing"

	"github.com/ledgerloop/trueup/generator/dialect"
	_ "github.com/ledgerloop/trueup/generator/dialect/all"
)

// TestRegistry: the dialects are registered once each, by name, Get
// gives a new renderer at each call, an unknown name is an error that
// lists the known ones, and a duplicate or incomplete registration panics.
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
	d, err := dialect.Lookup("duckdb")
	if err != nil {
		t.Fatal(err)
	}
	for what, reg := range map[string]dialect.Dialect{
		"a duplicate registration":   d,
		"an incomplete registration": dialect.New("partial", d.Renderer, nil),
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s does not panic", what)
				}
			}()
			dialect.Register(reg)
		}()
	}
}
