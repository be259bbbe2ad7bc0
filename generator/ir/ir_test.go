package ir_test

import (
	"testing"
	"time"

	"github.com/ledgerloop/trueup/generator/ir"
)

// TestRef: ParseRef reads what String writes, for schemas and objects.
func TestRef(t *testing.T) {
	for _, c := range []struct {
		ref  ir.Ref
		text string
	}{
		{ir.Ref{Schema: "raw"}, "raw"},
		{ir.Ref{Schema: "raw", Name: "lines"}, "raw.lines"},
		{ir.Ref{Schema: "gold", Name: "customer_master"}, "gold.customer_master"},
	} {
		if got := c.ref.String(); got != c.text {
			t.Errorf("%#v.String() = %q, want %q", c.ref, got, c.text)
		}
		if got := ir.ParseRef(c.text); got != c.ref {
			t.Errorf("ParseRef(%q) = %#v, want %#v", c.text, got, c.ref)
		}
	}
}

// TestKinds: Kinds lists every kind once, in the order files are numbered
// (what is created first comes first: schemas, then what lives in them,
// then what reads it).
func TestKinds(t *testing.T) {
	want := []ir.Kind{ir.KindSchema, ir.KindSequence, ir.KindTable, ir.KindFileFormat, ir.KindStage, ir.KindPipe,
		ir.KindStream, ir.KindView, ir.KindDynamicTable, ir.KindProcedure, ir.KindTask, ir.KindPolicy, ir.KindTag, ir.KindRole}
	if len(ir.Kinds) != len(want) {
		t.Fatalf("Kinds has %d kinds, want %d", len(ir.Kinds), len(want))
	}
	seen := map[ir.Kind]bool{}
	for i, k := range ir.Kinds {
		if k != want[i] {
			t.Errorf("Kinds[%d] = %s, want %s", i, k, want[i])
		}
		if seen[k] {
			t.Errorf("kind %s listed twice", k)
		}
		seen[k] = true
	}
}

// TestMillisRange: the bounds of MillisToTimestamp are the first and last
// millisecond of years 1970 to 9999, the range both dialects' timestamps
// hold.
func TestMillisRange(t *testing.T) {
	if got := time.UnixMilli(ir.MillisMin).UTC(); !got.Equal(time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("MillisMin is %s", got)
	}
	if got := time.UnixMilli(ir.MillisMax).UTC(); !got.Equal(time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC)) {
		t.Errorf("MillisMax is %s", got)
	}
}

// TestJSONReasons: the reasons JSONRejection gives are distinct, and a
// duplicate key is a kind of invalid JSON (its text starts as
// JSONNotJSON's), as Snowflake's parser reports it.
func TestJSONReasons(t *testing.T) {
	reasons := []string{ir.JSONNotJSON, ir.JSONDuplicateKey, ir.JSONNotObject}
	seen := map[string]bool{}
	for _, r := range reasons {
		if r == "" || seen[r] {
			t.Errorf("reason %q is empty or repeated", r)
		}
		seen[r] = true
	}
	if ir.JSONDuplicateKey[:len(ir.JSONNotJSON)] != ir.JSONNotJSON {
		t.Errorf("%q does not start with %q", ir.JSONDuplicateKey, ir.JSONNotJSON)
	}
}
