// Package plan turns a validated spec into the IR: a DAG of warehouse objects
// (schemas, tables, stages, pipes, streams, views, dynamic tables, tasks)
// whose SQL bodies are written once, dialect-neutral, against
// ir.Fragments. The same plan is rendered for Snowflake and run on DuckDB.
package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/spec"
)

// Schemas, in the order of the data's flow.
const (
	RAW    = "raw"
	SILVER = "silver"
	GOLD   = "gold"
	DQ     = "dq"
	AUDIT  = "audit"
	OPS    = "ops"
)

// Plan is the DAG of objects for one spec, in creation order.
type Plan struct {
	Spec           *spec.Spec
	RulesetVersion string
	Objects        []*ir.Object
	// Checks are the statements of each data-quality check (also part of
	// the reconcile task), by check name, for tests and tools.
	Checks map[string][]ir.SQL
	// overrideSet are the statements of AUDIT.SET_OVERRIDE before its
	// audit log entry (the local runner writes that entry itself).
	overrideSet []ir.SQL
}

// Object returns the object named r, or nil.
func (p *Plan) Object(r ir.Ref) *ir.Object {
	for _, o := range p.Objects {
		if o.Ref == r {
			return o
		}
	}
	return nil
}

// Tasks returns the task objects of the batch graph in the order they run:
// a parent before its children, the finalizer last. Tasks scheduled by
// cron (the purge) run apart and are not among them.
func (p *Plan) Tasks() []*ir.Object {
	var out []*ir.Object
	for _, o := range p.Objects {
		if o.Kind == ir.KindTask && o.Task.Cron == "" {
			out = append(out, o)
		}
	}
	return out
}

// Build plans every object of the spec.
func Build(s *spec.Spec) (*Plan, error) {
	b := &builder{s: s, p: &Plan{Spec: s, RulesetVersion: RulesetVersion(s), Checks: map[string][]ir.SQL{}}}
	b.schemas()
	b.raw()
	b.silver()
	b.gold()
	b.timeline()
	b.overrides()
	b.dqTables()
	b.auditLog()
	b.ops()
	b.tasks()
	b.security()
	b.retention()
	if err := b.sort(); err != nil {
		return nil, err
	}
	return b.p, nil
}

type builder struct {
	s *spec.Spec
	p *Plan
}

func (b *builder) add(o *ir.Object) *ir.Object {
	b.p.Objects = append(b.p.Objects, o)
	return o
}

// sort orders objects by kind, then by dependencies within a kind, keeping
// declaration order otherwise, so that output is deterministic and every
// object comes after what it depends on.
func (b *builder) sort() error {
	byRef := map[ir.Ref]*ir.Object{}
	index := map[*ir.Object]int{}
	for i, o := range b.p.Objects {
		if _, dup := byRef[o.Ref]; dup {
			return fmt.Errorf("plan: object %s is defined twice", o.Ref)
		}
		byRef[o.Ref] = o
		index[o] = i
	}
	kindRank := map[ir.Kind]int{}
	for i, k := range ir.Kinds {
		kindRank[k] = i
	}
	objs := append([]*ir.Object(nil), b.p.Objects...)
	sort.SliceStable(objs, func(i, j int) bool { return kindRank[objs[i].Kind] < kindRank[objs[j].Kind] })
	var out []*ir.Object
	state := map[*ir.Object]int{} // 1 visiting, 2 done
	var visit func(o *ir.Object) error
	visit = func(o *ir.Object) error {
		switch state[o] {
		case 1:
			return fmt.Errorf("plan: dependency cycle through %s", o.Ref)
		case 2:
			return nil
		}
		state[o] = 1
		for _, d := range o.Deps {
			dep, ok := byRef[d]
			if !ok {
				return fmt.Errorf("plan: %s depends on unknown object %s", o.Ref, d)
			}
			if kindRank[dep.Kind] > kindRank[o.Kind] {
				return fmt.Errorf("plan: %s (%s) depends on %s (%s), created later", o.Ref, o.Kind, d, dep.Kind)
			}
			if err := visit(dep); err != nil {
				return err
			}
		}
		state[o] = 2
		out = append(out, o)
		return nil
	}
	for _, o := range objs {
		if err := visit(o); err != nil {
			return err
		}
	}
	b.p.Objects = out
	return nil
}

// RulesetVersion is the rule set's label plus a hash of RulesetText: any
// change to what decides a value yields a new version, and nothing else
// (comments, layout, positions) does.
func RulesetVersion(s *spec.Spec) string {
	sum := sha256.Sum256([]byte(RulesetText(s)))
	h := hex.EncodeToString(sum[:])[:12]
	if s.Project.RulesetLabel == "" {
		return h
	}
	return s.Project.RulesetLabel + "+" + h
}

// RulesetText is the canonical description of everything that decides a
// value: fields with their normalizers and validity, source mappings, and
// rules, one line per field and per source.
func RulesetText(s *spec.Spec) string {
	var b strings.Builder
	pairs := func(ps []spec.Pair) string {
		var out []string
		for _, p := range ps {
			out = append(out, fmt.Sprintf("%q:%q", p.From, p.To))
		}
		return "{" + strings.Join(out, ",") + "}"
	}
	for _, f := range s.Fields {
		fmt.Fprintf(&b, "field %q type=%s normalize=%q map=%s accepted=%q valid=%q", f.Name, f.Type, f.Normalize, pairs(f.Map), f.Accepted, f.Valid)
		if f.SameRecordAs != "" {
			fmt.Fprintf(&b, " same_record_as=%q", f.SameRecordAs)
		}
		for _, r := range f.Rules {
			fmt.Fprintf(&b, " rule=%s%s", r.Kind, spec.RuleKindByName(r.Kind).Text(&r))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "match %q\n", s.Match)
	if s.Project.KeepOverrides {
		b.WriteString("overrides keep_when_source_agrees\n")
	}
	for _, src := range s.Sources {
		fmt.Fprintf(&b, "source %q format=%s table=%q object=%q key=%q customer=%q", src.Name, src.Format, src.Table, src.Object, src.Key, src.Customer)
		for _, m := range src.Fields {
			fmt.Fprintf(&b, " %q=%q%s", m.Field, m.Path, pairs(m.Map))
			if m.Child != "" {
				fmt.Fprintf(&b, "child=%q", m.Child)
			}
		}
		for _, c := range src.Children {
			fmt.Fprintf(&b, " child %q object=%q key=%q parent=%q exclude=%q%q latest=%q", c.Name, c.Object, c.Key, c.Parent, c.ExcludeField, c.ExcludeValues, c.Latest)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func ref(schema, name string) ir.Ref { return ir.Ref{Schema: schema, Name: name} }

// static wraps fixed SQL that needs no fragments.
func static(s string) ir.SQL { return func(ir.Fragments) string { return s } }
