// Package migrations evolves the stateful objects of the plan (schemas,
// sequences, tables) through numbered goose migrations, never rewriting one
// already written.
//
// The folder <out>/migrations holds the goose SQL files (NNNNN_name.sql,
// rendered in the out folder's dialect), schema.json (the machine-readable
// history: every migration as dialect-neutral steps, and the snapshot of
// schemas, sequences and tables they create) and trueup.sum (the integrity
// file over both). Update compares the tables the plan wants with the
// snapshot and appends a migration for the difference: CREATE TABLE for a
// new table, ALTER TABLE ... ADD COLUMN for a new column. Because the
// history is dialect-neutral (no SQL of one dialect is stored: a column
// default is an ir.Default as data), a target of another dialect, the
// local DuckDB target deploying sql/ or a dialect registered after the
// history was written, renders the same versions in its own dialect with
// Render. Format 1 files, which stored each default per dialect, are read
// back to the neutral form (format1.go) and written as format 2.
package migrations

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/ledgerloop/trueup/generator/ir"
)

// Dir is the migrations folder inside an output folder.
const Dir = "migrations"

// StateFile is the machine-readable history and snapshot.
const StateFile = "schema.json"

// SumFile is the integrity file of the migrations folder.
const SumFile = "trueup.sum"

// Format is the version of schema.json's layout that Marshal writes. Format
// 1 stored a column default as each dialect registered at the time
// rendered it; Parse still reads it (see format1.go).
const Format = 2

// State is schema.json: the history of migrations and the snapshot of the
// objects they create.
type State struct {
	Format int `json:"format"`
	// Dialect is the dialect the .sql files of this folder are written in.
	Dialect    string      `json:"dialect"`
	Migrations []Migration `json:"migrations"`
	// Snapshot is what applying every migration creates; it is derived from
	// Migrations and kept for readers (and checked on load).
	Snapshot Snapshot `json:"snapshot"`
}

// Migration is one goose migration.
type Migration struct {
	Version int64  `json:"version"`
	File    string `json:"file"`
	Steps   []Step `json:"steps"`
}

// Step operations.
const (
	OpCreateSchema   = "create_schema"
	OpCreateSequence = "create_sequence"
	OpCreateTable    = "create_table"
	OpAddColumn      = "add_column"
	OpWidenColumn    = "widen_column" // text to long_text: the column holds longer text
	// OpSetTimeTravel sets a schema's Time Travel (Days) for the tables it
	// holds and will hold.
	OpSetTimeTravel = "set_time_travel"
	// OpRenameTable renames table From of the schema to Name.
	OpRenameTable = "rename_table"
	// OpMoveRows moves the rows of table From ("schema.name") for which
	// Where holds into table Name, copying Columns; Key identifies a row.
	OpMoveRows = "move_rows"
)

// Step is one dialect-neutral change.
type Step struct {
	Op      string `json:"op"`
	Schema  string `json:"schema"`
	Name    string `json:"name,omitempty"`
	Comment string `json:"comment,omitempty"`
	// Transient: a work table of scratch rows (see ir.Object.Transient).
	Transient bool     `json:"transient,omitempty"`
	Columns   []Column `json:"columns,omitempty"`
	// Days is the Time Travel of a set_time_travel step.
	Days *int `json:"days,omitempty"`
	// From is the table renamed (its name in Schema) or the table rows
	// are moved from (schema.name).
	From string `json:"from,omitempty"`
	// Where is the condition of the rows moved, in SQL both dialects read.
	Where string `json:"where,omitempty"`
	// Key are the columns that identify a row moved.
	Key []string `json:"key,omitempty"`

	// obj is the table a create_table step of Desired is for (its Was
	// and Moves are read by diff).
	obj *ir.Object
}

// Ref is the object the step is about.
func (s Step) Ref() ir.Ref { return ir.Ref{Schema: s.Schema, Name: s.Name} }

// Column is a dialect-neutral column definition.
type Column struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	NotNull bool   `json:"not_null,omitempty"`
	// Default is what the column defaults to, rendered in the dialect of
	// each migration rendered.
	Default *Default `json:"default,omitempty"`
	Comment string   `json:"comment,omitempty"`
}

// Default is the dialect-neutral form of ir.Default: {"sequence":
// "schema.name"}, the next value of a sequence.
type Default struct {
	Sequence string `json:"sequence"`

	// raw is the default as read, until Parse reads it in the file's
	// format.
	raw json.RawMessage
}

// UnmarshalJSON keeps the default as read: its form depends on the
// file's format, which Parse knows.
func (d *Default) UnmarshalJSON(data []byte) error {
	d.raw = append(json.RawMessage(nil), data...)
	return nil
}

// NeutralDefault is the stored form of an ir.Default; nil for none.
func NeutralDefault(d *ir.Default) *Default {
	if d == nil {
		return nil
	}
	return &Default{Sequence: d.Sequence.String()}
}

// IR is the ir.Default the stored form stands for.
func (d *Default) IR() *ir.Default {
	if d == nil {
		return nil
	}
	return ir.NextVal(ir.ParseRef(d.Sequence))
}

// Snapshot is the set of stateful objects the migrations create.
type Snapshot struct {
	Schemas   []string `json:"schemas"`
	Sequences []string `json:"sequences"`
	Tables    []Table  `json:"tables"`
	// TimeTravel is the Time Travel in days of each schema that has one.
	TimeTravel map[string]int `json:"time_travel,omitempty"`
}

// Table is one table of the snapshot.
type Table struct {
	Schema  string   `json:"schema"`
	Name    string   `json:"name"`
	Comment string   `json:"comment,omitempty"`
	Columns []Column `json:"columns"`
}

// Ref names the table.
func (t Table) Ref() ir.Ref { return ir.Ref{Schema: t.Schema, Name: t.Name} }

// Table returns the snapshot's table r, or nil.
func (s Snapshot) Table(r ir.Ref) *Table {
	for i := range s.Tables {
		if s.Tables[i].Ref() == r {
			return &s.Tables[i]
		}
	}
	return nil
}

// Latest is the highest version, 0 when there is none.
func (st *State) Latest() int64 {
	if len(st.Migrations) == 0 {
		return 0
	}
	return st.Migrations[len(st.Migrations)-1].Version
}

var typeNames = map[ir.Type]string{
	ir.Text: "text", ir.Int: "int", ir.Decimal: "decimal", ir.Float: "float", ir.Bool: "bool",
	ir.Timestamp: "timestamp", ir.TimestampTZ: "timestamp_tz", ir.JSON: "json", ir.LongText: "long_text",
}

// widens says whether a column of type from can take type to in place.
func widens(from, to string) bool { return from == typeNames[ir.Text] && to == typeNames[ir.LongText] }

// TypeName is the neutral name of a column type in schema.json.
func TypeName(t ir.Type) string { return typeNames[t] }

// ParseType is the inverse of TypeName.
func ParseType(name string) (ir.Type, error) {
	for t, n := range typeNames {
		if n == name {
			return t, nil
		}
	}
	return 0, fmt.Errorf("unknown column type %q", name)
}

// fold applies the migrations in order and returns the snapshot.
func fold(ms []Migration) (Snapshot, error) {
	var s Snapshot
	schemas, seqs := map[string]bool{}, map[string]bool{}
	tables := map[ir.Ref]*Table{}
	for _, m := range ms {
		for _, st := range m.Steps {
			switch st.Op {
			case OpCreateSchema:
				schemas[st.Schema] = true
			case OpCreateSequence:
				seqs[st.Ref().String()] = true
			case OpCreateTable:
				if tables[st.Ref()] == nil {
					tables[st.Ref()] = &Table{Schema: st.Schema, Name: st.Name, Comment: st.Comment, Columns: append([]Column(nil), st.Columns...)}
				}
			case OpAddColumn:
				t := tables[st.Ref()]
				if t == nil {
					return s, fmt.Errorf("migration %d adds a column to table %s, which no earlier migration creates", m.Version, st.Ref())
				}
				for _, c := range st.Columns {
					if t.column(c.Name) == nil {
						t.Columns = append(t.Columns, c)
					}
				}
			case OpWidenColumn:
				t := tables[st.Ref()]
				if t == nil {
					return s, fmt.Errorf("migration %d widens a column of table %s, which no earlier migration creates", m.Version, st.Ref())
				}
				for _, c := range st.Columns {
					for i := range t.Columns {
						if t.Columns[i].Name == c.Name {
							t.Columns[i].Type = c.Type
						}
					}
				}
			case OpRenameTable:
				old := ir.Ref{Schema: st.Schema, Name: st.From}
				t := tables[old]
				if t == nil {
					return s, fmt.Errorf("migration %d renames table %s, which no earlier migration creates", m.Version, old)
				}
				if tables[st.Ref()] != nil {
					return s, fmt.Errorf("migration %d renames table %s to %s, which exists", m.Version, old, st.Ref())
				}
				delete(tables, old)
				t.Name = st.Name
				tables[st.Ref()] = t
			case OpMoveRows:
				for _, r := range []ir.Ref{st.Ref(), ir.ParseRef(st.From)} {
					if tables[r] == nil {
						return s, fmt.Errorf("migration %d moves rows between %s and %s: no earlier migration creates %s", m.Version, st.From, st.Ref(), r)
					}
				}
			case OpSetTimeTravel:
				if st.Days == nil {
					return s, fmt.Errorf("migration %d sets the Time Travel of schema %s without days", m.Version, st.Schema)
				}
				if s.TimeTravel == nil {
					s.TimeTravel = map[string]int{}
				}
				s.TimeTravel[st.Schema] = *st.Days
			default:
				return s, fmt.Errorf("migration %d: unknown step %q", m.Version, st.Op)
			}
		}
	}
	s.Schemas, s.Sequences = sortedKeys(schemas), sortedKeys(seqs)
	s.Tables = []Table{}
	for _, t := range tables {
		s.Tables = append(s.Tables, *t)
	}
	sort.Slice(s.Tables, func(i, j int) bool { return s.Tables[i].Ref().String() < s.Tables[j].Ref().String() })
	return s, nil
}

func (t *Table) column(name string) *Column {
	for i := range t.Columns {
		if t.Columns[i].Name == name {
			return &t.Columns[i]
		}
	}
	return nil
}

func sortedKeys(m map[string]bool) []string {
	out := []string{}
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Parse reads schema.json and checks that its snapshot is what its
// migrations create. name is used in errors.
func Parse(name string, data []byte) (*State, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var st State
	if err := dec.Decode(&st); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if st.Format != 1 && st.Format != Format {
		return nil, fmt.Errorf("%s: format %d, this trueup reads formats 1 and %d", name, st.Format, Format)
	}
	if err := readDefaults(&st); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// Read, the history is in the current format; Marshal writes it so.
	st.Format = Format
	for i, m := range st.Migrations {
		if m.Version != int64(i+1) {
			return nil, fmt.Errorf("%s: migration %d is numbered %d: versions must be 1, 2, 3, ...", name, i+1, m.Version)
		}
	}
	snap, err := fold(st.Migrations)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	a, _ := json.Marshal(snap)
	b, _ := json.Marshal(st.Snapshot)
	if !bytes.Equal(a, b) {
		return nil, fmt.Errorf("%s: the snapshot is not what the migrations create (edited by hand?)", name)
	}
	return &st, nil
}

// Marshal writes schema.json, indented, with a final newline.
func (st *State) Marshal() []byte {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		panic(err) // plain data
	}
	return append(data, '\n')
}
