package migrations

import (
	"fmt"
	"strings"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/plan"
)

// Deployments is the table every deploy is recorded in. It belongs to
// deploy, not to the pipeline, but is created by a migration like any
// other table.
var Deployments = ir.Ref{Schema: plan.AUDIT, Name: "deployments"}

// DeploymentsTable is the definition of Deployments.
func DeploymentsTable() *ir.Object {
	col := func(name string, t ir.Type, comment string) ir.Column {
		return ir.Column{Name: name, Type: t, Comment: comment}
	}
	return &ir.Object{Kind: ir.KindTable, Ref: Deployments, Comment: "every trueup deploy: when, by whom, what",
		Columns: []ir.Column{
			{Name: "deployed_at", Type: ir.Timestamp, NotNull: true, Comment: "when the deploy finished (UTC)"},
			col("deployed_by", ir.Text, "the user as the warehouse reports it (CURRENT_USER)"),
			col("target", ir.Text, "the target name in trueup.yaml"),
			col("git_commit", ir.Text, "git rev-parse HEAD where trueup ran, when available"),
			col("ruleset_version", ir.Text, "the rule-set version deployed"),
			col("sql_hash", ir.Text, "first line of sql/trueup.sum: a hash over every generated file"),
			col("migrations_hash", ir.Text, "first line of sql/migrations/trueup.sum"),
			col("migration_version", ir.Int, "the latest migration applied"),
			col("changes", ir.Int, "objects created or replaced, and migrations applied"),
		}}
}

// Desired is the set of stateful objects a plan wants, as migration steps
// that would create all of them from nothing, in creation order.
func Desired(p *plan.Plan) []Step {
	var out []Step
	objects := append(append([]*ir.Object(nil), p.Objects...), DeploymentsTable())
	for _, o := range objects {
		switch o.Kind {
		case ir.KindSchema:
			out = append(out, Step{Op: OpCreateSchema, Schema: o.Ref.Schema, Comment: o.Comment})
			if o.TimeTravelDays != nil {
				days := *o.TimeTravelDays
				out = append(out, Step{Op: OpSetTimeTravel, Schema: o.Ref.Schema, Days: &days})
			}
		case ir.KindSequence:
			out = append(out, Step{Op: OpCreateSequence, Schema: o.Ref.Schema, Name: o.Ref.Name, Comment: o.Comment})
		case ir.KindTable:
			st := Step{Op: OpCreateTable, Schema: o.Ref.Schema, Name: o.Ref.Name, Comment: o.Comment, Transient: o.Transient, obj: o}
			for _, c := range o.Columns {
				st.Columns = append(st.Columns, Column{Name: c.Name, Type: TypeName(c.Type), NotNull: c.NotNull, Default: NeutralDefault(c.Default), Comment: c.Comment})
			}
			out = append(out, st)
		}
	}
	return out
}

// RenameTable is the step that renames table o from its former name
// (ir.Object.Was).
func RenameTable(o *ir.Object) Step {
	return Step{Op: OpRenameTable, Schema: o.Ref.Schema, Name: o.Ref.Name, From: o.Was}
}

// MoveRows is the step that moves into the new table o the rows it takes
// over (ir.Object.Moves).
func MoveRows(o *ir.Object) Step {
	var cols []Column
	for _, c := range o.Columns {
		cols = append(cols, Column{Name: c.Name, Type: TypeName(c.Type)})
	}
	return Step{Op: OpMoveRows, Schema: o.Ref.Schema, Name: o.Ref.Name, From: o.Moves.From.String(), Where: o.Moves.Where, Key: o.Moves.Key, Columns: cols}
}

// Settings are the renderer settings of a plan.
func Settings(p *plan.Plan) dialect.Settings {
	return dialect.Settings{Database: p.Spec.Project.Database, Warehouse: p.Spec.Project.Warehouse}
}

// diff returns the steps that take the snapshot to the desired objects,
// and notes on differences no migration is written for (objects and
// columns no longer in the spec are kept: data is never dropped). A column
// whose type changed is an error: that takes a migration written by hand.
func diff(snap Snapshot, desired []Step) (steps []Step, notes []string, err error) {
	have := map[string]bool{}
	for _, s := range snap.Schemas {
		have["schema "+s] = true
	}
	for _, s := range snap.Sequences {
		have["sequence "+s] = true
	}
	want := map[string]bool{}
	// Renames come first: a table created below may take over rows of a
	// renamed one.
	renamed := map[ir.Ref]bool{}
	for _, st := range desired {
		if st.Op == OpCreateTable && st.obj.Was != "" && snap.Table(st.Ref()) == nil && snap.Table(ir.Ref{Schema: st.Schema, Name: st.obj.Was}) != nil {
			steps = append(steps, RenameTable(st.obj))
			renamed[st.Ref()] = true
		}
	}
	var typeErrs []string
	for _, st := range desired {
		switch st.Op {
		case OpCreateSchema:
			want["schema "+st.Schema] = true
			if !have["schema "+st.Schema] {
				steps = append(steps, st)
			}
		case OpSetTimeTravel:
			if days, ok := snap.TimeTravel[st.Schema]; !ok || days != *st.Days {
				steps = append(steps, st)
			}
		case OpCreateSequence:
			want["sequence "+st.Ref().String()] = true
			if !have["sequence "+st.Ref().String()] {
				steps = append(steps, st)
			}
		case OpCreateTable:
			want["table "+st.Ref().String()] = true
			t := snap.Table(st.Ref())
			if renamed[st.Ref()] {
				// A table renamed: the columns are compared with its own.
				old := snap.Table(ir.Ref{Schema: st.Schema, Name: st.obj.Was})
				want["table "+old.Ref().String()] = true
				t = old
			}
			if t == nil {
				create := st
				create.obj = nil
				steps = append(steps, create)
				if m := st.obj.Moves; m != nil && (snap.Table(m.From) != nil || renamed[m.From]) {
					steps = append(steps, MoveRows(st.obj))
				}
				continue
			}
			var add, widen []Column
			wantCols := map[string]bool{}
			for _, c := range st.Columns {
				wantCols[c.Name] = true
				old := t.column(c.Name)
				switch {
				case old == nil:
					if c.NotNull && c.Default == nil {
						// Existing rows have no value for it: added nullable.
						notes = append(notes, fmt.Sprintf("table %s: column %q is added without NOT NULL (existing rows have no value for it)", st.Ref(), c.Name))
						c.NotNull = false
					}
					add = append(add, c)
				case old.Type != c.Type && widens(old.Type, c.Type):
					widen = append(widen, c)
				case old.Type != c.Type:
					typeErrs = append(typeErrs, fmt.Sprintf("table %s: column %q changes type from %s to %s: write that migration by hand (trueup generate only adds tables and columns)", st.Ref(), c.Name, old.Type, c.Type))
				}
			}
			for _, c := range t.Columns {
				if !wantCols[c.Name] {
					notes = append(notes, fmt.Sprintf("table %s: column %q is no longer in the spec; it is kept (trueup never drops data)", st.Ref(), c.Name))
				}
			}
			if len(add) > 0 {
				steps = append(steps, Step{Op: OpAddColumn, Schema: st.Schema, Name: st.Name, Columns: add})
			}
			if len(widen) > 0 {
				steps = append(steps, Step{Op: OpWidenColumn, Schema: st.Schema, Name: st.Name, Columns: widen})
			}
		}
	}
	for _, t := range snap.Tables {
		if !want["table "+t.Ref().String()] {
			notes = append(notes, fmt.Sprintf("table %s is no longer in the spec; it is kept (trueup never drops data)", t.Ref()))
		}
	}
	if len(typeErrs) > 0 {
		return nil, notes, fmt.Errorf("%s", strings.Join(typeErrs, "\n"))
	}
	return steps, notes, nil
}
