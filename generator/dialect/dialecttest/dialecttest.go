// Package dialecttest is the conformance suite every dialect.Renderer
// passes: for each method of ir.Fragments, and for the objects
// dialect.Renderer renders in every dialect, a table of cases, each a
// query of one row and one column and the value it must have. The cases
// also cover the SQL functions package plan writes directly, outside
// Fragments (TRY_CAST, QUALIFY, LPAD, SPLIT_PART, MD5, SUBSTR, CONTAINS),
// which every dialect must accept with the same meaning.
//
// A case proves its contract in one of two ways, chosen by the Backend
// passed to Run:
//
//   - Executing runs the case's statements on a database of the dialect
//     and compares the query's value with the case's (DuckDB, in
//     generator/dialect/duckdb's tests).
//   - Parsing, for a dialect that cannot run here (Snowflake), checks
//     every statement with the dialect's real parser and compares the
//     whole rendering with a golden file, rewritten by the caller's
//     -update flag; the expected values are then the contract the
//     rendering's comments justify from the dialect's documentation.
//
// Adding a dialect: call Run from the new package's tests with an
// Executing backend when a database of the dialect can run in tests, a
// Parsing one otherwise.
package dialecttest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/textdiff"
)

// Settings are the project-wide names Run configures the renderer with.
var Settings = dialect.Settings{Database: "conformance", Warehouse: "conformance_wh"}

// The values an executing database must hold for the cases of the
// runtime fragments: BatchID reads Batch, and Param(BatchParam) reads
// Batch too (the local runtime and a Snowflake task pass the batch id so).
const (
	Batch      = "batch-7"
	BatchParam = "batch_id"
)

// Value is what a case's query returns, as text (the query casts it to
// Type(ir.Text)).
type Value struct {
	Text string
	Null bool
}

// Null is the SQL NULL.
var Null = Value{Null: true}

// T is a text value.
func T(s string) Value { return Value{Text: s} }

// True and False are booleans cast to text.
var (
	True  = T("true")
	False = T("false")
)

func (v Value) String() string {
	if v.Null {
		return "NULL"
	}
	return fmt.Sprintf("%q", v.Text)
}

// Case is one conformance case.
type Case struct {
	// Name is the method (or function) under test, a slash, and what the
	// case shows.
	Name string
	// Objects are rendered (Render) and created first, in order; their
	// names must be unique across cases.
	Objects []*ir.Object
	// Scratch are the scratch relations (ir.Fragments.Scratch) the case
	// reads: a renderer whose Scratch names temporary tables
	// (dialect.ScratchTables) creates them after the objects.
	Scratch []ir.Scratch
	// Setup are statements run after the objects, before Query.
	Setup []ir.SQL
	// Query is a query of one row and one column, cast to Type(ir.Text).
	Query ir.SQL
	Want  Value
}

// Backend proves a rendering's cases: Executing or Parsing.
type Backend interface {
	run(t *testing.T, r dialect.Renderer, cases []Case)
}

// Run runs every case of the suite with the renderer r, configured with
// Settings, on the backend b.
func Run(t *testing.T, r dialect.Renderer, b Backend) {
	t.Helper()
	r.Configure(Settings)
	b.run(t, r, Cases())
}

// Cases returns the suite's cases, every group in method order.
func Cases() []Case {
	var out []Case
	for _, g := range [][]Case{
		identCases(), strCases(), typeCases(),
		jsonCases(), pairsCases(),
		conversionCases(), timeCases(), sealCases(), joinCases(),
		runtimeCases(), renderCases(), rawCases(),
	} {
		out = append(out, g...)
	}
	return out
}

// value is the query of one expression, cast to text.
func value(e ir.SQL) ir.SQL {
	return func(f ir.Fragments) string {
		return "SELECT CAST((" + e(f) + ") AS " + f.Type(ir.Text) + ") AS v"
	}
}

// statements are the SQL texts of a case, in the order they run.
func statements(r dialect.Renderer, c Case) []string {
	var out []string
	for _, o := range c.Objects {
		for _, s := range r.Render(o) {
			out = append(out, s.SQL)
		}
	}
	if st, ok := r.(dialect.ScratchTables); ok {
		for _, sc := range c.Scratch {
			out = append(out, st.CreateScratch(sc.Name, sc.Query(r)))
		}
	}
	for _, s := range c.Setup {
		out = append(out, s(r))
	}
	return append(out, c.Query(r))
}

// Executing is the backend that runs the cases on db, all on one
// connection (session variables are per connection), in order. The
// database must hold what the dialect's runtime keeps for its fragments:
// BatchID must read Batch, Param(BatchParam) too, and LoadErrors must be
// a query that runs (and finds nothing).
func Executing(db *sql.DB) Backend { return executing{db} }

type executing struct{ db *sql.DB }

func (e executing) run(t *testing.T, r dialect.Renderer, cases []Case) {
	ctx := context.Background()
	conn, err := e.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			stmts := statements(r, c)
			for _, s := range stmts[:len(stmts)-1] {
				if _, err := conn.ExecContext(ctx, s); err != nil {
					t.Fatalf("%s\n%v", s, err)
				}
			}
			q := stmts[len(stmts)-1]
			var got sql.NullString
			if err := conn.QueryRowContext(ctx, q).Scan(&got); err != nil {
				t.Fatalf("%s\n%v", q, err)
			}
			if v := (Value{Text: got.String, Null: !got.Valid}); v != c.Want {
				t.Errorf("%s\ngot %v, want %v", q, v, c.Want)
			}
		})
	}
}

// Parser checks rendered statements with a dialect's parser: one error
// (nil when the statement, or what the parser's grammar covers of it,
// parses) per statement, or an error when the parser could not run. What
// of a statement is within the grammar is the Parser's knowledge.
type Parser func(stmts []string) ([]error, error)

// Parsing is the backend that parses every statement of the cases with
// parse and compares the rendering of all cases with the golden file,
// rewriting it when update is set.
func Parsing(parse Parser, golden string, update bool) Backend {
	return parsing{parse, golden, update}
}

type parsing struct {
	parse  Parser
	golden string
	update bool
}

func (p parsing) run(t *testing.T, r dialect.Renderer, cases []Case) {
	var texts []string
	var owner []int
	var b strings.Builder
	for i, c := range cases {
		fmt.Fprintf(&b, "-- %s: %v\n", c.Name, c.Want)
		for _, s := range statements(r, c) {
			b.WriteString(s + ";\n")
			texts = append(texts, s)
			owner = append(owner, i)
		}
		b.WriteString("\n")
	}
	errs, err := p.parse(texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != len(texts) {
		t.Fatalf("parser gave %d answers for %d texts", len(errs), len(texts))
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("%s: does not parse: %v\n%s", cases[owner[i]].Name, err, texts[i])
		}
	}
	got := b.String()
	if p.update {
		if err := os.MkdirAll(filepath.Dir(p.golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p.golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p.golden)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	if string(want) != got {
		t.Errorf("rendering differs from %s (run the test with -update to rewrite it):\n%s", p.golden, textdiff.Unified(p.golden, "rendered", string(want), got))
	}
}
