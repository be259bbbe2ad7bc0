package migrations

import (
	"fmt"
	"strings"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/dialect/common"
	"github.com/ledgerloop/trueup/generator/ir"
)

// transactional says whether a dialect's DDL runs inside a transaction. In
// Snowflake a DDL statement commits the open transaction (so a migration is
// not atomic there): its migrations run without one, and every statement is
// written to be re-run safely (IF NOT EXISTS), so that a deploy that failed
// half-way finishes when it is run again.
var transactional = map[string]bool{"duckdb": true}

// inlineColumnComment says whether a dialect writes a column's comment in
// its definition (Snowflake) rather than in a COMMENT ON statement.
var inlineColumnComment = map[string]bool{"snowflake": true}

// Statements renders the steps of a migration in a dialect.
func Statements(r dialect.Renderer, steps []Step) ([]string, error) {
	var out []string
	for _, st := range steps {
		switch st.Op {
		case OpCreateSchema:
			out = append(out, sqls(r.Render(&ir.Object{Kind: ir.KindSchema, Ref: ir.Ref{Schema: st.Schema}, Comment: st.Comment}))...)
		case OpSetTimeTravel:
			out = append(out, timeTravelStatements(r, st)...)
		case OpCreateSequence:
			out = append(out, sqls(r.Render(&ir.Object{Kind: ir.KindSequence, Ref: st.Ref(), Comment: st.Comment}))...)
		case OpCreateTable:
			cols, err := irColumns(r.Name(), st)
			if err != nil {
				return nil, err
			}
			out = append(out, sqls(r.Render(&ir.Object{Kind: ir.KindTable, Ref: st.Ref(), Comment: st.Comment, Columns: cols, Transient: st.Transient}))...)
		case OpAddColumn:
			cols, err := irColumns(r.Name(), st)
			if err != nil {
				return nil, err
			}
			for _, c := range cols {
				inline := inlineColumnComment[r.Name()]
				def := common.Columns(r, []ir.Column{c}, func(c ir.Column) string {
					if inline && c.Comment != "" {
						return " COMMENT " + r.Str(c.Comment)
					}
					return ""
				})
				out = append(out, fmt.Sprintf("ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s", r.Object(st.Ref()), strings.TrimSpace(def)))
				if !inline && c.Comment != "" {
					out = append(out, fmt.Sprintf("COMMENT ON COLUMN %s.%s IS %s", r.Object(st.Ref()), r.Ident(c.Name), r.Str(c.Comment)))
				}
			}
		case OpWidenColumn:
			cols, err := irColumns(r.Name(), st)
			if err != nil {
				return nil, err
			}
			for _, c := range cols {
				// Snowflake increases the length of a text column in place
				// (https://docs.snowflake.com/en/sql-reference/sql/alter-table-column);
				// where both types render alike there is nothing to do.
				if r.Type(c.Type) == r.Type(ir.Text) {
					continue
				}
				out = append(out, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET DATA TYPE %s", r.Object(st.Ref()), r.Ident(c.Name), r.Type(c.Type)))
			}
		case OpRenameTable:
			old := r.Object(ir.Ref{Schema: st.Schema, Name: st.From})
			if r.Name() == "snowflake" {
				// IF EXISTS: a migration run again after the rename
				// renames nothing (https://docs.snowflake.com/en/sql-reference/sql/alter-table).
				out = append(out, fmt.Sprintf("ALTER TABLE IF EXISTS %s RENAME TO %s", old, r.Object(st.Ref())))
			} else {
				out = append(out, fmt.Sprintf("ALTER TABLE %s RENAME TO %s", old, r.Ident(st.Name)))
			}
		case OpMoveRows:
			from := r.Object(ir.ParseRef(st.From))
			var cols, key []string
			for _, c := range st.Columns {
				cols = append(cols, r.Ident(c.Name))
			}
			for _, k := range st.Key {
				key = append(key, fmt.Sprintf("t.%[1]s = m.%[1]s", r.Ident(k)))
			}
			out = append(out,
				fmt.Sprintf("INSERT INTO %[1]s (%[2]s)\nSELECT %[2]s FROM %[3]s AS m\nWHERE (%[4]s)\n  AND NOT EXISTS (SELECT 1 FROM %[1]s AS t WHERE %[5]s)",
					r.Object(st.Ref()), strings.Join(cols, ", "), from, st.Where, strings.Join(key, " AND ")),
				fmt.Sprintf("DELETE FROM %s\nWHERE %s", from, st.Where))
		default:
			return nil, fmt.Errorf("unknown migration step %q", st.Op)
		}
	}
	return out, nil
}

func sqls(stmts []dialect.Statement) []string {
	out := make([]string, len(stmts))
	for i, s := range stmts {
		out[i] = s.SQL
	}
	return out
}

func irColumns(dialectName string, st Step) ([]ir.Column, error) {
	var out []ir.Column
	for _, c := range st.Columns {
		t, err := ParseType(c.Type)
		if err != nil {
			return nil, fmt.Errorf("table %s: column %q: %w", st.Ref(), c.Name, err)
		}
		col := ir.Column{Name: c.Name, Type: t, NotNull: c.NotNull, Comment: c.Comment}
		if c.Default != nil {
			d, ok := c.Default[dialectName]
			if !ok {
				return nil, fmt.Errorf("table %s: column %q has no default rendered for dialect %s: regenerate the migration", st.Ref(), c.Name, dialectName)
			}
			col.Default = func(ir.Fragments) string { return d }
		}
		out = append(out, col)
	}
	return out, nil
}

// File renders a migration as a goose SQL file in a dialect.
func File(r dialect.Renderer, m Migration) ([]byte, error) {
	stmts, err := Statements(r, m.Steps)
	if err != nil {
		return nil, fmt.Errorf("migration %d: %w", m.Version, err)
	}
	var b strings.Builder
	b.WriteString("-- +goose Up\n")
	fmt.Fprintf(&b, "-- Migration %d: %s\n", m.Version, summary(m.Steps))
	b.WriteString("-- Generated by trueup from models/. Do not edit: a later change of the spec gets a migration of its own.\n")
	if !transactional[r.Name()] {
		b.WriteString("-- DDL commits on its own in this warehouse: no transaction; every statement can run again safely.\n")
		b.WriteString("-- +goose NO TRANSACTION\n")
	}
	for _, s := range stmts {
		b.WriteString("\n-- +goose StatementBegin\n" + s + ";\n-- +goose StatementEnd\n")
	}
	return []byte(b.String()), nil
}

// summary says in a few words what the steps do.
func summary(steps []Step) string {
	n := map[string]int{}
	var tables []string
	for _, st := range steps {
		n[st.Op]++
		if st.Op == OpCreateTable || st.Op == OpAddColumn || st.Op == OpWidenColumn || st.Op == OpRenameTable {
			tables = append(tables, st.Ref().String())
		}
	}
	var parts []string
	for _, op := range []struct{ op, one, many string }{
		{OpCreateSchema, "schema", "schemas"}, {OpCreateSequence, "sequence", "sequences"},
		{OpCreateTable, "new table", "new tables"}, {OpAddColumn, "table with new columns", "tables with new columns"},
		{OpWidenColumn, "table with longer text columns", "tables with longer text columns"},
		{OpSetTimeTravel, "schema's Time Travel", "schemas' Time Travel"},
		{OpRenameTable, "table renamed", "tables renamed"}, {OpMoveRows, "move of rows", "moves of rows"},
	} {
		switch k := n[op.op]; {
		case k == 1:
			parts = append(parts, "1 "+op.one)
		case k > 1:
			parts = append(parts, fmt.Sprintf("%d %s", k, op.many))
		}
	}
	s := strings.Join(parts, ", ")
	if len(tables) > 0 && len(tables) <= 3 {
		s += " (" + strings.Join(tables, ", ") + ")"
	}
	return s
}

// name is the file name of a new migration.
func name(version int64, steps []Step) string {
	var label string
	if version == 1 {
		label = "initial"
	} else {
		var tables []string
		op, renames := "", 0
		for _, st := range steps {
			if st.Op == OpCreateTable || st.Op == OpAddColumn || st.Op == OpWidenColumn {
				tables = append(tables, st.Schema+"_"+st.Name)
				if op == "" || op == st.Op {
					op = st.Op
				} else {
					op = "change"
				}
			}
			if st.Op == OpRenameTable {
				renames++
			}
		}
		switch {
		case renames > 0:
			label = "rename_tables"
		case len(tables) == 1 && op == OpAddColumn:
			label = "add_columns_" + tables[0]
		case op == OpWidenColumn:
			label = "widen_columns"
		case len(tables) == 1:
			label = "create_" + tables[0]
		case len(tables) == 0 && onlyTimeTravel(steps):
			label = "time_travel"
		case len(tables) == 0:
			label = "schemas"
		default:
			label = "tables"
		}
	}
	label = strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' {
			return c
		}
		if c >= 'A' && c <= 'Z' {
			return c + 'a' - 'A'
		}
		return '_'
	}, label)
	if len(label) > 60 {
		label = label[:60]
	}
	return fmt.Sprintf("%05d_%s.sql", version, label)
}
