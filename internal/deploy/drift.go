package deploy

import (
	"context"
	"fmt"
	"sort"

	"github.com/ledgerloop/trueup/generator/emit"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/migrations"
	"github.com/ledgerloop/trueup/generator/textdiff"
)

// State says how a deployed object differs from the generated SQL.
type State string

// Drift states.
const (
	Missing State = "missing" // in the SQL, not in the warehouse
	Changed State = "changed" // in both, different
	Extra   State = "extra"   // in the warehouse's trueup schemas, not in the SQL
	Pending State = "pending" // a migration not applied
)

// Difference is one drifted object.
type Difference struct {
	State  State
	Kind   string
	Object string
	Detail string
	// Diff is a unified diff from the deployed object to the generated one.
	Diff string
}

// Drift lists every difference between what the target holds and the
// generated SQL: pending migrations, missing schemas, sequences and tables,
// columns missing, extra or of another type, repeatable objects missing or
// changed (hand edits, failed deploys), and tables and views in trueup's
// schemas that the SQL does not have. It only reads.
func Drift(ctx context.Context, t *Target, d *Desired) ([]Difference, error) {
	var out []Difference
	applied, err := Applied(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("drift: %w", err)
	}
	for _, m := range d.State.Migrations {
		if !applied[m.Version] {
			out = append(out, Difference{State: Pending, Kind: "migration", Object: m.File, Detail: fmt.Sprintf("migration %d is not applied", m.Version)})
		}
	}
	w := t.Warehouse
	snap := d.State.Snapshot
	schemas, err := w.Schemas(ctx, t.DB)
	if err != nil {
		return nil, fmt.Errorf("drift: read schemas: %w", err)
	}
	for _, s := range snap.Schemas {
		if !schemas[s] {
			out = append(out, Difference{State: Missing, Kind: "schema", Object: s})
		}
	}
	seqs, err := w.Sequences(ctx, t.DB)
	if err != nil {
		return nil, fmt.Errorf("drift: read sequences: %w", err)
	}
	for _, s := range snap.Sequences {
		if !seqs[s] {
			out = append(out, Difference{State: Missing, Kind: "sequence", Object: s})
		}
	}
	tables, err := w.Tables(ctx, t.DB, snap.Schemas)
	if err != nil {
		return nil, fmt.Errorf("drift: read tables: %w", err)
	}
	known := map[ir.Ref]bool{}
	for _, r := range w.RuntimeTables() {
		known[r] = true
	}
	for _, tb := range snap.Tables {
		known[tb.Ref()] = true
		have, ok := tables[tb.Ref()]
		if !ok {
			out = append(out, Difference{State: Missing, Kind: "table", Object: tb.Ref().String()})
			continue
		}
		var want []Column
		for _, c := range tb.Columns {
			want = append(want, Column{Name: c.Name, Type: w.TypeName(c.Type), NotNull: c.NotNull})
		}
		a, b := columnLines(have), columnLines(want)
		if a != b {
			out = append(out, Difference{State: Changed, Kind: "table", Object: tb.Ref().String(), Detail: columnsDetail(have, want),
				Diff: textdiff.Unified(t.Name+": "+tb.Ref().String(), d.Dir+"/"+migrations.Dir+"/"+migrations.StateFile, a+"\n", b+"\n")})
		}
	}
	for _, f := range d.repeatable() {
		diff, err := driftOf(ctx, t, d, f)
		if err != nil {
			return nil, fmt.Errorf("drift: %w", err)
		}
		known[f.Object.Ref] = true
		if diff != nil {
			out = append(out, *diff)
		}
	}
	views, err := w.Views(ctx, t.DB, snap.Schemas)
	if err != nil {
		return nil, fmt.Errorf("drift: read views: %w", err)
	}
	extra := map[ir.Ref]string{}
	for r := range tables {
		if !known[r] {
			extra[r] = "table"
		}
	}
	for r := range views {
		if !known[r] {
			extra[r] = "view"
		}
	}
	var refs []ir.Ref
	for r := range extra {
		refs = append(refs, r)
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].String() < refs[j].String() })
	for _, r := range refs {
		out = append(out, Difference{State: Extra, Kind: extra[r], Object: r.String(), Detail: "not in the generated SQL"})
	}
	return out, nil
}

// driftOf returns how a repeatable object drifted (nil when it did not).
func driftOf(ctx context.Context, t *Target, d *Desired, f emit.File) (*Difference, error) {
	o, err := compareObject(ctx, t, d, f)
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", f.Object.Kind, f.Object.Ref, err)
	}
	kind, name := string(f.Object.Kind), f.Object.Ref.String()
	switch {
	case !o.exists:
		return &Difference{State: Missing, Kind: kind, Object: name}, nil
	case o.err != nil:
		return &Difference{State: Changed, Kind: kind, Object: name, Detail: o.err.Error()}, nil
	case !o.same():
		return &Difference{State: Changed, Kind: kind, Object: name, Diff: o.diff(t, d, f)}, nil
	}
	return nil, nil
}

// columnsDetail says which columns differ.
func columnsDetail(have, want []Column) string {
	h, w := map[string]Column{}, map[string]Column{}
	for _, c := range have {
		h[c.Name] = c
	}
	for _, c := range want {
		w[c.Name] = c
	}
	var parts []string
	for _, c := range want {
		switch hc, ok := h[c.Name]; {
		case !ok:
			parts = append(parts, fmt.Sprintf("column %q missing", c.Name))
		case hc.Type != c.Type:
			parts = append(parts, fmt.Sprintf("column %q is %s, want %s", c.Name, hc.Type, c.Type))
		case hc.NotNull != c.NotNull:
			parts = append(parts, fmt.Sprintf("column %q nullability differs", c.Name))
		}
	}
	for _, c := range have {
		if _, ok := w[c.Name]; !ok {
			parts = append(parts, fmt.Sprintf("extra column %q", c.Name))
		}
	}
	if len(parts) == 0 {
		return "column order differs"
	}
	return fmt.Sprint(join2(parts))
}

func join2(parts []string) string {
	s := ""
	for i, p := range parts {
		if i > 0 {
			s += ", "
		}
		s += p
	}
	return s
}
