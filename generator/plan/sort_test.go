package plan

import (
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/generator/ir"
)

func obj(kind ir.Kind, name string, deps ...string) *ir.Object {
	o := &ir.Object{Kind: kind, Ref: ir.ParseRef(name)}
	for _, d := range deps {
		o.Deps = append(o.Deps, ir.ParseRef(d))
	}
	return o
}

func names(objs []*ir.Object) string {
	var out []string
	for _, o := range objs {
		out = append(out, o.Ref.String())
	}
	return strings.Join(out, " ")
}

// TestSortOrder: objects come by kind in ir.Kinds order, within a kind
// after what they depend on, and otherwise in the order they were added.
func TestSortOrder(t *testing.T) {
	b := &builder{p: &Plan{Objects: []*ir.Object{
		obj(ir.KindTask, "ops.child", "ops.root", "silver.t"),
		obj(ir.KindView, "gold.v", "silver.t"),
		obj(ir.KindTable, "silver.t", "silver"),
		obj(ir.KindTask, "ops.root", "silver.t"),
		obj(ir.KindSchema, "silver"),
		obj(ir.KindTable, "silver.a", "silver"),
		obj(ir.KindTask, "ops.last", "ops.child"),
		obj(ir.KindSchema, "gold"),
	}}}
	if err := b.sort(); err != nil {
		t.Fatal(err)
	}
	want := "silver gold silver.t silver.a gold.v ops.root ops.child ops.last"
	if got := names(b.p.Objects); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestSortErrors: the plan's DAG is checked as it is sorted.
func TestSortErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		objs []*ir.Object
		want string
	}{
		{"duplicate", []*ir.Object{obj(ir.KindSchema, "raw"), obj(ir.KindSchema, "raw")}, "plan: object raw is defined twice"},
		{"unknown", []*ir.Object{obj(ir.KindTable, "raw.t", "raw")}, "plan: raw.t depends on unknown object raw"},
		{"later kind", []*ir.Object{obj(ir.KindSchema, "raw"), obj(ir.KindTable, "raw.t", "raw", "raw.v"), obj(ir.KindView, "raw.v", "raw")},
			"plan: raw.t (table) depends on raw.v (view), created later"},
		{"cycle", []*ir.Object{obj(ir.KindTask, "ops.a", "ops.b"), obj(ir.KindTask, "ops.b", "ops.a")}, "plan: dependency cycle through ops.a"},
		{"self", []*ir.Object{obj(ir.KindTask, "ops.a", "ops.a")}, "plan: dependency cycle through ops.a"},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := &builder{p: &Plan{Objects: c.objs}}
			err := b.sort()
			if err == nil || err.Error() != c.want {
				t.Errorf("got %v, want %s", err, c.want)
			}
		})
	}
}
