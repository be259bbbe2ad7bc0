package plan_test

import (
	"os"
	"testing"

	"github.com/ledgerloop/trueup/generator/dialect"
	_ "github.com/ledgerloop/trueup/generator/dialect/all"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/generator/spec"
)

// fixture builds the plan of the company spec fixture.
func fixture(t *testing.T) *plan.Plan {
	t.Helper()
	s, err := spec.Load(os.DirFS("../../tests/testdata/spec"), ".", "models")
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Build(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPlanDAG: a built plan names each object once, every dependency is an
// object of the plan that comes before it, kinds come in ir.Kinds order,
// and every object has what its kind needs.
func TestPlanDAG(t *testing.T) {
	p := fixture(t)
	rank := map[ir.Kind]int{}
	for i, k := range ir.Kinds {
		rank[k] = i
	}
	seen := map[ir.Ref]bool{}
	last := -1
	for _, o := range p.Objects {
		if seen[o.Ref] {
			t.Errorf("%s: defined twice", o.Ref)
		}
		r, ok := rank[o.Kind]
		if !ok {
			t.Errorf("%s: unknown kind %q", o.Ref, o.Kind)
		}
		if r < last {
			t.Errorf("%s (%s) comes after an object of a later kind", o.Ref, o.Kind)
		}
		last = r
		for _, d := range o.Deps {
			if !seen[d] {
				t.Errorf("%s depends on %s, which does not come before it", o.Ref, d)
			}
		}
		seen[o.Ref] = true
		if o.Kind == ir.KindSchema && o.Ref.Name != "" || o.Kind != ir.KindSchema && o.Kind != ir.KindRole && o.Ref.Name == "" {
			t.Errorf("%s (%s): a schema's ref has no name, any other object's has", o.Ref, o.Kind)
		}
		var missing bool
		switch o.Kind {
		case ir.KindTable:
			missing = len(o.Columns) == 0
		case ir.KindView:
			missing = o.Query == nil
		case ir.KindDynamicTable:
			missing = o.Query == nil || o.DynamicTable == nil
		case ir.KindStage:
			missing = o.Stage == nil
		case ir.KindPipe:
			missing = o.Pipe == nil
		case ir.KindStream:
			missing = o.Stream == nil || o.Stream.Ref != o.Ref
		case ir.KindTask:
			missing = o.Task == nil
		case ir.KindProcedure:
			missing = o.Procedure == nil
		}
		if missing {
			t.Errorf("%s (%s): lacks what its kind needs", o.Ref, o.Kind)
		}
	}
	// A task graph: one root with the graph's settings, every other
	// batch task after another (or the finalizer, of the root).
	roots := 0
	for _, o := range p.Tasks() {
		if o.Task.Root {
			roots++
			if o.Task.Graph == nil {
				t.Errorf("%s: a root without graph settings", o.Ref)
			}
		} else if len(o.Task.After) == 0 && o.Task.FinalizerOf == nil {
			t.Errorf("%s: a child task after nothing", o.Ref)
		}
	}
	if roots != 1 {
		t.Errorf("%d root tasks in the batch graph, want 1", roots)
	}
}

// TestPlanDeterministic: building the same spec twice gives the same
// objects in the same order, with the same SQL.
func TestPlanDeterministic(t *testing.T) {
	a, b := fixture(t), fixture(t)
	if a.RulesetVersion != b.RulesetVersion {
		t.Errorf("ruleset version %s, then %s", a.RulesetVersion, b.RulesetVersion)
	}
	if len(a.Objects) != len(b.Objects) {
		t.Fatalf("%d objects, then %d", len(a.Objects), len(b.Objects))
	}
	for _, name := range dialect.Names() {
		r, err := dialect.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		for i := range a.Objects {
			if a.Objects[i].Ref != b.Objects[i].Ref {
				t.Fatalf("object %d is %s, then %s", i, a.Objects[i].Ref, b.Objects[i].Ref)
			}
			sa, sb := r.Render(a.Objects[i]), r.Render(b.Objects[i])
			if len(sa) != len(sb) {
				t.Fatalf("%s %s: %d statements, then %d", name, a.Objects[i].Ref, len(sa), len(sb))
			}
			for j := range sa {
				if sa[j].SQL != sb[j].SQL {
					t.Errorf("%s %s: statement %d differs between builds", name, a.Objects[i].Ref, j)
				}
			}
		}
	}
}
