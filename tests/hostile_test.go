package tests

import "testing"

// TestHostileSpec runs the spec under generator/testdata/hostile, whose
// values, paths, table and folder names carry quotes, semicolons, comment
// markers, $$ and non-ASCII text: they must arrive in SQL as data. The same
// spec's Snowflake SQL is parsed in the generator's tests.
func TestHostileSpec(t *testing.T) {
	run := open(t, "../generator/testdata/hostile/models")
	res := runOnce(t, run, "testdata/hostile/landing")
	if len(res.Loaded) != 1 || res.Loaded[0].Lines != 3 {
		t.Fatalf("loaded %+v", res.Loaded)
	}
	db := run.DB()
	got := query(t, db, `SELECT customer_id || ' ' || field || ' = ' || COALESCE(value, 'NULL') || ' (' || rule || ')' FROM gold.customer_fields ORDER BY 1`)
	want := []string{
		// k3 maps "a$$b" to "--x"; its note is null.
		"c;3 note = NULL (only_candidate)",
		"c;3 status = --x (only_candidate)",
		// k1 and k2 share the customer: "can'celled" maps to "can'cel;led",
		// "x'y" to "ok" (a source map); priority [src] ties, and the
		// tie-break takes the later event (k2); note uses the default chain
		// [non_null, most_recent].
		"cust'1 note = é ü $$ (most_recent)",
		"cust'1 status = ok (tie_break)",
	}
	if len(got) != len(want) {
		t.Fatalf("gold:\n%q\nwant:\n%q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("gold[%d] = %q, want %q", i, got[i], want[i])
		}
	}
	if flagged := countOf(t, db, "SELECT COUNT(*) FROM silver.quarantine"); flagged != 0 {
		t.Errorf("%d lines flagged, want 0: %q", flagged, query(t, db, "SELECT reason || ' ' || COALESCE(detail, '') FROM silver.quarantine"))
	}
}
