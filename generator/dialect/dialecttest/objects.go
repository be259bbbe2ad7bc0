package dialecttest

import (
	"fmt"
	"time"

	"github.com/ledgerloop/trueup/generator/ir"
)

// The schemas and objects the cases create.
var (
	schema    = ir.Ref{Schema: "conformance_s"}
	sequence  = ir.Ref{Schema: "conformance_s", Name: "seq"}
	table     = ir.Ref{Schema: "conformance_s", Name: "t"}
	view      = ir.Ref{Schema: "conformance_s", Name: "v"}
	dynamic   = ir.Ref{Schema: "conformance_s", Name: "d"}
	lines     = ir.Ref{Schema: "conformance_s", Name: "lines"}
	linesFeed = ir.Ref{Schema: "conformance_s", Name: "lines_feed"}
)

// runtimeCases: the fragments whose values come from the run (batch,
// arguments, variables, sequences, streams, load history).
func runtimeCases() []Case {
	stream := &ir.Stream{Ref: linesFeed, Table: lines, SequenceColumn: "n"}
	scratch := ir.Scratch{Name: "conformance_scratch", Query: func(ir.Fragments) string { return "SELECT 41 AS x UNION ALL SELECT 42" }}
	return []Case{
		{
			Name:    "Scratch/the statements read its rows",
			Scratch: []ir.Scratch{scratch},
			Query: value(func(f ir.Fragments) string {
				return fmt.Sprintf("(SELECT MAX(x) + COUNT(*) FROM %s AS s)", f.Scratch(scratch.Name, scratch.Query(f)))
			}),
			Want: T("44"),
		},
		{Name: "BatchID/the running batch", Query: value(func(f ir.Fragments) string { return f.BatchID() }), Want: T(Batch)},
		{Name: "Param/the argument", Query: value(func(f ir.Fragments) string { return f.Param(BatchParam) }), Want: T(Batch)},
		{
			Name: "SetVar/Var reads what SetVar set",
			Setup: []ir.SQL{func(f ir.Fragments) string {
				return f.SetVar("conformance_n", ir.Int, "MAX(x)", "(SELECT 41 AS x UNION ALL SELECT 42) AS q")
			}},
			Query: value(func(f ir.Fragments) string { return f.Var("conformance_n") + " + 1" }),
			Want:  T("43"),
		},
		{
			Name:  "Var/a later statement reads it too",
			Query: value(func(f ir.Fragments) string { return f.Var("conformance_n") }),
			Want:  T("42"),
		},
		{
			Name:    "NextVal/draws from 1",
			Objects: []*ir.Object{{Kind: ir.KindSchema, Ref: schema}, {Kind: ir.KindSequence, Ref: sequence, Deps: []ir.Ref{schema}}},
			Query:   value(func(f ir.Fragments) string { return f.NextVal(sequence) }),
			Want:    T("1"),
		},
		// Later draws are greater; a sequence may leave gaps.
		{
			Name:  "NextVal/then greater",
			Query: value(func(f ir.Fragments) string { return f.NextVal(sequence) + " > 1" }),
			Want:  True,
		},
		{
			Name: "Stream/a new stream of an empty table reads nothing",
			Objects: []*ir.Object{
				{Kind: ir.KindTable, Ref: lines, Columns: []ir.Column{{Name: "n", Type: ir.Int, NotNull: true}, {Name: "line", Type: ir.LongText}}},
				{Kind: ir.KindStream, Ref: linesFeed, Stream: stream},
			},
			Query: func(f ir.Fragments) string {
				return fmt.Sprintf("SELECT CAST(COUNT(*) AS %s) AS v FROM %s AS s", f.Type(ir.Text), f.Stream(stream))
			},
			Want: T("0"),
		},
		{
			Name: "LoadErrors/nothing lost",
			Query: func(f ir.Fragments) string {
				return fmt.Sprintf("SELECT CAST(COUNT(*) AS %s) AS v FROM (%s) AS e", f.Type(ir.Text), f.LoadErrors(nil, 24))
			},
			Want: T("0"),
		},
	}
}

// renderCases: the objects every dialect renders (schemas, sequences,
// tables, views, dynamic tables; streams in runtimeCases) are created,
// filled and read back. Stages, pipes, tasks, procedures and security
// objects are played by a local runtime, not rendered, in some dialects.
func renderCases() []Case {
	cols := []ir.Column{
		{Name: "id", Type: ir.Int, NotNull: true, Default: ir.NextVal(sequence)},
		{Name: "name", Type: ir.Text, Comment: "a name's comment, it's quoted"},
		{Name: "amount", Type: ir.Decimal},
		{Name: "score", Type: ir.Float},
		{Name: "ok", Type: ir.Bool},
		{Name: "set_at", Type: ir.Timestamp},
		{Name: "seen", Type: ir.TimestampTZ},
		{Name: "doc", Type: ir.JSON},
		{Name: "line", Type: ir.LongText},
		{Name: "select", Type: ir.Text},
	}
	// The id is drawn from the sequence by the column's default: a
	// sequence may leave gaps, so its value is not checked.
	query := func(f ir.Fragments) string {
		return fmt.Sprintf("SELECT id, %s, amount + 1 AS amount, ok, %s AS at_ms, %s AS seen_ms, %s AS email, line\nFROM %s",
			f.Ident("select"), f.TimestampToMillis("set_at"), f.TimestampToMillis("seen"), f.JSONText("doc", []string{"email"}), f.Object(table))
	}
	return []Case{
		{
			Name: "Render/table, view and dynamic table",
			Objects: []*ir.Object{
				{Kind: ir.KindTable, Ref: table, Columns: cols, Comment: "the conformance table", Deps: []ir.Ref{schema, sequence}},
				{Kind: ir.KindView, Ref: view, Query: query, Deps: []ir.Ref{table}, Comment: "a view"},
				{Kind: ir.KindDynamicTable, Ref: dynamic, Query: query, Deps: []ir.Ref{table},
					DynamicTable: &ir.DynamicTable{TargetLag: 5 * time.Minute, Warehouse: Settings.Warehouse}},
			},
			Setup: []ir.SQL{func(f ir.Fragments) string {
				return fmt.Sprintf(`INSERT INTO %s (name, amount, score, ok, set_at, seen, doc, line, %s)
SELECT 'ann', CAST('12345678901234567890' AS %s), 1.5, TRUE, %s, %s, %s, %s, 'kept'`,
					f.Object(table), f.Ident("select"), f.Type(ir.Decimal), f.MillisToTimestamp("1767225600123"),
					"CAST('2026-01-01 02:00:00+02:00' AS "+f.Type(ir.TimestampTZ)+")",
					f.ParseJSON(f.Str(`{"email":"ann@x.io"}`)), f.Str("a line"))
			}},
			Query: func(f ir.Fragments) string {
				return fmt.Sprintf("SELECT CAST(id > 0 AS %[1]s) || ' ' || %[2]s || ' ' || CAST(amount AS %[1]s) || ' ' || CAST(ok AS %[1]s) || ' ' || CAST(at_ms AS %[1]s) || ' ' || CAST(seen_ms AS %[1]s) || ' ' || email || ' ' || line AS v FROM %[3]s",
					f.Type(ir.Text), f.Ident("select"), f.Object(view))
			},
			Want: T("true kept 12345678901234567891 true 1767225600123 1767225600000 ann@x.io a line"),
		},
	}
}
