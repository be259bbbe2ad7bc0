// Package duckdb renders the plan for the embedded DuckDB database the local
// runtime uses. Objects DuckDB lacks are emulated: a stream is a row of
// ops.stream_offsets over the table's monotonic column, a dynamic table is
// a table the runtime recreates from its query, and stages, pipes, tasks
// and procedures are played by the runtime itself (they render no SQL
// here); the runtime keeps the running batch id in ops.current_batch.
//
// This package renders text only; it does not link DuckDB (its tests do,
// to execute the conformance suite of generator/dialect/dialecttest).
package duckdb

import (
	"fmt"
	"strings"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/dialect/common"
	"github.com/ledgerloop/trueup/generator/ir"
)

// Name is the dialect's registered name.
const Name = "duckdb"

// The local runtime's log, kept beside the plan's tables: every landed
// file loaded, every task run, the last refresh of every dynamic table
// (internal/local writes them; monitor reads them).
const (
	LoadHistory = "ops.load_history"
	TaskRuns    = "ops.task_runs"
	Refreshes   = "ops.dynamic_refreshes"
)

// StreamOffsets is the table that emulates stream offsets.
const StreamOffsets = "ops.stream_offsets"

// LoadErrors is the table in which the runtime records what its loads
// left out of RAW: a file it could not read, or one that changed after
// it was loaded (its new lines are not loaded), as COPY_HISTORY records
// the failed and partial loads of a pipe.
const LoadErrors = "ops.load_errors"

// CurrentBatch is the one-row table holding the running batch id, kept by
// the runtime. (A table, not a session variable: DuckDB folds variables
// into prepared statements, and the runtime prepares every step once.)
const CurrentBatch = "ops.current_batch"

func init() {
	dialect.Register(dialect.New(Name, func() dialect.Renderer { return &Renderer{} }, Migrations{}))
}

// Renderer renders DuckDB SQL.
type Renderer struct {
	s dialect.Settings
	// work are the tables Object names as temporary tables (InMemory).
	work map[ir.Ref]bool
}

var (
	_ dialect.Renderer      = (*Renderer)(nil)
	_ dialect.ScratchTables = (*Renderer)(nil)
)

// Configure implements dialect.Renderer.
func (r *Renderer) Configure(s dialect.Settings) { r.s = s }

// Name implements ir.Fragments.
func (r *Renderer) Name() string { return Name }

// Ident implements ir.Fragments.
func (r *Renderer) Ident(name string) string { return common.QuoteIdent(name, false, common.Reserved) }

// Object implements ir.Fragments: the database is the attached file.
func (r *Renderer) Object(ref ir.Ref) string {
	if r.work[ref] {
		return "temp.main." + r.Ident(ref.Schema+"_"+ref.Name)
	}
	if ref.Name == "" {
		return r.Ident(ref.Schema)
	}
	return r.Ident(ref.Schema) + "." + r.Ident(ref.Name)
}

// Str implements ir.Fragments; backslash is an ordinary character.
func (r *Renderer) Str(s string) string { return common.Quote(s) }

// Type implements ir.Fragments.
func (r *Renderer) Type(t ir.Type) string {
	switch t {
	case ir.Int:
		return "BIGINT"
	case ir.Decimal:
		return "DECIMAL(38, 0)"
	case ir.Float:
		return "DOUBLE"
	case ir.Bool:
		return "BOOLEAN"
	case ir.Timestamp:
		return "TIMESTAMP"
	case ir.TimestampTZ:
		return "TIMESTAMPTZ"
	case ir.JSON:
		return "JSON"
	}
	return "VARCHAR"
}

// ParseJSON implements ir.Fragments.
func (r *Renderer) ParseJSON(expr string) string { return "TRY_CAST(" + expr + " AS JSON)" }

// jsonPath renders a JSONPath with every key quoted. DuckDB reads the
// quoted key "*" as a wildcard: a path with such a key is written as a
// JSON pointer instead (RFC 6901, where ~ and / are escaped), which
// addresses the same value unless a digits-only segment meets an object.
func (r *Renderer) jsonPath(path []string) string {
	for _, seg := range path {
		if seg == "*" {
			var b strings.Builder
			for _, seg := range path {
				b.WriteString("/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(seg))
			}
			return b.String()
		}
	}
	var b strings.Builder
	b.WriteString("$")
	for _, seg := range path {
		if isIndex(seg) {
			b.WriteString("[" + seg + "]")
			continue
		}
		b.WriteString(`."`)
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(seg))
		b.WriteString(`"`)
	}
	return b.String()
}

// elements is the JSONPath of the elements of the array at path of doc,
// and the document it applies to.
func (r *Renderer) elements(doc string, path []string) (string, string) {
	p := r.jsonPath(path)
	if strings.HasPrefix(p, "/") {
		return fmt.Sprintf("json_extract(%s, %s)", doc, r.Str(p)), r.Str("$[*]")
	}
	return doc, r.Str(p + "[*]")
}

// DuplicateKeyFunction is the scalar function, registered by the local
// runtime, that is true when any object of a JSON text repeats a key
// (internal/jsonkeys).
const DuplicateKeyFunction = "trueup_json_duplicate_key"

// InMemory returns a copy of r that names each of the tables work as a
// temporary table of the same columns (CreateInMemory creates one): the
// rows a work table holds while the task that fills it runs stay in
// memory (spilled to the temporary directory under memory pressure),
// where the database's own table would write them to the file and its WAL
// only for the task to delete them. The runtime runs its tasks with it;
// the database's work tables stay, empty, for deploy and drift.
func (r *Renderer) InMemory(work []ir.Ref) *Renderer {
	c := *r
	c.work = map[ir.Ref]bool{}
	for _, ref := range work {
		c.work[ref] = true
	}
	return &c
}

// CreateInMemory is the statement that creates table o in memory, when
// InMemory names it so (empty: its rows are the task's).
func (r *Renderer) CreateInMemory(o *ir.Object) string {
	return fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s (\n%s\n)", r.Object(o.Ref), common.Columns(r, o.Columns, nil))
}

// DropInMemory is the statement that drops table o, when InMemory names
// it as a temporary table: a temporary table keeps the memory of deleted
// rows until it is dropped.
func (r *Renderer) DropInMemory(o *ir.Object) string {
	return "DROP TABLE IF EXISTS " + r.Object(o.Ref)
}

// Scratch implements ir.Fragments: a temporary table, which lives in
// memory (spilled to the temporary directory under memory pressure, as a
// query's intermediate rows are) and never reaches the database file or
// its WAL (https://duckdb.org/docs/stable/sql/statements/create_table#temporary-tables).
// The runtime creates it with CreateScratch and drops it with DropScratch.
func (r *Renderer) Scratch(name, query string) string { return "temp.main." + r.Ident(name) }

// CreateScratch is the statement that fills the scratch table name with
// the rows of query, in the task's transaction.
func (r *Renderer) CreateScratch(name, query string) string {
	return "CREATE OR REPLACE TEMP TABLE " + r.Scratch(name, "") + " AS\n" + query
}

// DropScratch is the statement that drops the scratch table name.
func (r *Renderer) DropScratch(name string) string {
	return "DROP TABLE IF EXISTS " + r.Scratch(name, "")
}

// ParseJSONValues implements ir.Fragments: json_extract with a list of
// paths parses the text once and returns the list of documents (NULL for
// an absent path, the JSON text null for a null); TRY turns a parse error
// into NULL, and the same parser decides what TRY_CAST(... AS JSON)
// accepts.
//
// DuckDB's parser takes the first of repeated keys without a word, where
// Snowflake's rejects the document. So the values are NULL as well when
// an object, anywhere in the document, repeats a key:
// DuplicateKeyFunction reads the text once more, without building it.
func (r *Renderer) ParseJSONValues(expr string, paths [][]string) string {
	return fmt.Sprintf("CASE WHEN COALESCE(%s(%s), FALSE) THEN NULL ELSE TRY(%s) END",
		DuplicateKeyFunction, expr, r.JSONValues(expr, paths))
}

// JSONRejection implements ir.Fragments: json_valid uses the parser of
// ParseJSONValues, so valid text with NULL values repeats a key.
func (r *Renderer) JSONRejection(expr, values string) string {
	return fmt.Sprintf("CASE WHEN NOT COALESCE(json_valid(%[1]s), FALSE) THEN %[3]s WHEN json_type(%[1]s) <> 'OBJECT' THEN %[5]s WHEN %[2]s IS NULL THEN %[4]s END",
		expr, values, r.Str(ir.JSONNotJSON), r.Str(ir.JSONDuplicateKey), r.Str(ir.JSONNotObject))
}

// JSONIsKey implements ir.Fragments: json_type names the integers that
// fit 64 bits BIGINT or UBIGINT, and every other number DOUBLE; a DOUBLE
// whose text is an integer of at most 38 digits is one Snowflake's
// PARSE_JSON keeps as an integer NUMBER (NUMBER's precision is 38:
// https://docs.snowflake.com/en/sql-reference/data-types-numeric), and
// json_extract_string gives its digits as written.
func (r *Renderer) JSONIsKey(doc string) string {
	return fmt.Sprintf(`(CASE WHEN json_type(%[1]s) IN ('VARCHAR', 'BIGINT', 'UBIGINT') THEN TRUE WHEN json_type(%[1]s) = 'DOUBLE' THEN regexp_full_match(json_extract_string(%[1]s, '$'), '-?[0-9]{1,38}') WHEN json_type(%[1]s) IS NOT NULL THEN FALSE END)`, doc)
}

// JSONArrayAllKeys implements ir.Fragments.
func (r *Renderer) JSONArrayAllKeys(doc string) string {
	return fmt.Sprintf("COALESCE(list_bool_and([%s FOR elem IN json_extract(%s, '$[*]')]), TRUE)", r.JSONIsKey("elem"), doc)
}

// JSONValues implements ir.Fragments.
func (r *Renderer) JSONValues(doc string, paths [][]string) string {
	var ps []string
	for _, p := range paths {
		ps = append(ps, r.Str(r.jsonPath(p)))
	}
	if len(ps) == 0 {
		ps = []string{r.Str("$")}
	}
	return fmt.Sprintf("json_extract(%s, [%s])", doc, strings.Join(ps, ", "))
}

// JSONValue implements ir.Fragments: lists are indexed from 1.
func (r *Renderer) JSONValue(values string, i int, path []string) string {
	return fmt.Sprintf("%s[%d]", paren(values), i+1)
}

// JSONGet implements ir.Fragments.
func (r *Renderer) JSONGet(doc string, path []string) string {
	if len(path) == 0 {
		return doc
	}
	return fmt.Sprintf("json_extract(%s, %s)", doc, r.Str(r.jsonPath(path)))
}

// JSONText implements ir.Fragments.
func (r *Renderer) JSONText(doc string, path []string) string {
	return fmt.Sprintf("json_extract_string(%s, %s)", doc, r.Str(r.jsonPath(path)))
}

// JSONHas implements ir.Fragments; a document is never SQL NULL when
// present (a JSON null is the text null).
func (r *Renderer) JSONHas(doc string, path []string) string {
	if len(path) == 0 {
		return "(" + doc + " IS NOT NULL)"
	}
	return fmt.Sprintf("COALESCE(json_exists(%s, %s), FALSE)", doc, r.Str(r.jsonPath(path)))
}

// JSONArrayHas implements ir.Fragments.
func (r *Renderer) JSONArrayHas(doc string, path []string, s string) string {
	d, elems := r.elements(doc, path)
	return fmt.Sprintf("COALESCE(list_contains(json_extract_string(%s, %s), %s), FALSE)", d, elems, r.Str(s))
}

// FlattenArray implements ir.Fragments.
func (r *Renderer) FlattenArray(doc string, path []string, alias string) string {
	d, elems := r.elements(doc, path)
	return fmt.Sprintf("unnest(json_extract_string(%s, %s)) AS %s (value)", d, elems, alias)
}

// ArrayElement implements ir.Fragments.
func (r *Renderer) ArrayElement(alias string) string { return alias + ".value" }

// JSONPairsObject implements ir.Fragments with a correlated subquery over
// the unnested array. json_group_object keeps every pair of a repeated
// name, and json_extract reads the first of repeated keys: the first
// element wins, as the contract says.
func (r *Renderer) JSONPairsObject(doc string, path []string, nameField, valueField string) string {
	name := r.Str(r.jsonPath([]string{nameField}))
	value := r.Str(r.jsonPath([]string{valueField}))
	return fmt.Sprintf("(SELECT json_group_object(json_extract_string(trueup_pair.e, %[2]s), json_extract(trueup_pair.e, %[3]s)) FROM unnest(TRY_CAST(json_extract(%[1]s, %[4]s) AS JSON[])) AS trueup_pair (e) WHERE json_extract_string(trueup_pair.e, %[2]s) IS NOT NULL AND json_exists(trueup_pair.e, %[3]s))",
		doc, name, value, r.Str(r.jsonPath(path)))
}

// TextToDecimal implements ir.Fragments. DuckDB 1.5.6 casts text to a
// DECIMAL wider than 18 digits about a hundred times more slowly than to
// BIGINT: text of at most 18 digits (every timestamp and sequence number a
// source sends) takes the BIGINT cast, which gives the same value; other
// text takes the DECIMAL cast itself. DuckDB's cast reads "_" as a
// digit separator ("1_000" is 1000), which Snowflake's does not: such
// text is no number.
func (r *Renderer) TextToDecimal(expr string) string {
	return fmt.Sprintf("CASE WHEN regexp_full_match(%[1]s, '-?[0-9]{1,18}') THEN CAST(CAST(%[1]s AS BIGINT) AS DECIMAL(38, 0)) WHEN NOT contains(%[1]s, '_') THEN TRY_CAST(%[1]s AS DECIMAL(38, 0)) END", expr)
}

// TextToFloat implements ir.Fragments: as TextToDecimal, text with a
// digit separator is no number.
func (r *Renderer) TextToFloat(expr string) string {
	return fmt.Sprintf("CASE WHEN NOT contains(%[1]s, '_') THEN TRY_CAST(%[1]s AS DOUBLE) END", expr)
}

// HexToNumber implements ir.Fragments: DuckDB reads 0x literals as
// unsigned 64-bit integers.
func (r *Renderer) HexToNumber(expr string) string {
	return fmt.Sprintf("CASE WHEN regexp_full_match(%[1]s, '[0-9A-Fa-f]{1,16}') THEN CAST(TRY_CAST('0x' || %[1]s AS UBIGINT) AS DECIMAL(38, 0)) END", expr)
}

// TimestampTextToMillis implements ir.Fragments: the cast to TIMESTAMPTZ
// honours the offset, and epoch_ms of an instant does not depend on the
// session's time zone.
func (r *Renderer) TimestampTextToMillis(expr string) string {
	return "epoch_ms(TRY_CAST(" + expr + " AS TIMESTAMPTZ))"
}

// MillisToTimestamp implements ir.Fragments.
func (r *Renderer) MillisToTimestamp(expr string) string {
	return fmt.Sprintf("make_timestamp(CAST(CASE WHEN %[1]s BETWEEN %[2]d AND %[3]d THEN %[1]s END AS BIGINT) * 1000)", expr, ir.MillisMin, ir.MillisMax)
}

// TimestampToMillis implements ir.Fragments.
func (r *Renderer) TimestampToMillis(expr string) string { return "epoch_ms(" + expr + ")" }

// RegexpFull implements ir.Fragments.
func (r *Renderer) RegexpFull(expr, pattern string) string {
	return "regexp_full_match(" + expr + ", " + r.Str(pattern) + ")"
}

// Now implements ir.Fragments.
func (r *Renderer) Now() string { return "CAST(timezone('UTC', now()) AS TIMESTAMP)" }

// DaysAgo implements ir.Fragments.
func (r *Renderer) DaysAgo(days int) string { return fmt.Sprintf("(now() - INTERVAL %d DAY)", days) }

// UTC implements ir.Fragments.
func (r *Renderer) UTC(expr string) string { return "CAST(timezone('UTC', " + expr + ") AS TIMESTAMP)" }

// BatchID implements ir.Fragments.
func (r *Renderer) BatchID() string { return "(SELECT batch_id FROM " + CurrentBatch + ")" }

// NextVal implements ir.Fragments.
func (r *Renderer) NextVal(seq ir.Ref) string { return "nextval(" + r.Str(seq.String()) + ")" }

// AsOfJoin implements ir.Fragments with DuckDB's ASOF JOIN, whose ON takes
// the equalities and one inequality.
func (r *Renderer) AsOfJoin(right, alias string, on [][2]string, leftTime, rightTime string) string {
	return "ASOF JOIN " + right + " AS " + alias + " ON " + common.AsOfEqualities(on) + leftTime + " >= " + rightTime
}

// Param implements ir.Fragments: a session variable set by the runtime.
func (r *Renderer) Param(name string) string { return "getvariable(" + r.Str(name) + ")" }

// SetVar implements ir.Fragments with a session variable
// (https://duckdb.org/docs/stable/sql/statements/set_variable): the
// planner reads its value as a constant, so a filter on it prunes row
// groups by their min/max.
func (r *Renderer) SetVar(name string, t ir.Type, expr, from string) string {
	return fmt.Sprintf("SET VARIABLE %s = (SELECT CAST(%s AS %s) FROM %s)", r.Ident(name), expr, r.Type(t), from)
}

// Var implements ir.Fragments.
func (r *Renderer) Var(name string) string { return "getvariable(" + r.Str(name) + ")" }

// Stream reads the rows between the consumed offset and the offset the
// runtime fixed when the consuming task began.
func (r *Renderer) Stream(s *ir.Stream) string {
	col := r.Ident(s.SequenceColumn)
	key := r.Str(s.Ref.String())
	return fmt.Sprintf("(SELECT * FROM %s WHERE %s > (SELECT consumed_to FROM %s WHERE stream_name = %s) AND %s <= (SELECT reading_to FROM %s WHERE stream_name = %s))",
		r.Object(s.Table), col, StreamOffsets, key, col, StreamOffsets, key)
}

// LoadErrors implements ir.Fragments over the runtime's LoadErrors table.
func (r *Renderer) LoadErrors(tables []ir.Ref, hours int) string {
	names := []string{"NULL"}
	for _, t := range tables {
		names = append(names, r.Str(t.String()))
	}
	return fmt.Sprintf(`SELECT table_name, file_name, status, error_count, first_error
FROM %s
WHERE table_name IN (%s) AND seen_at >= %s - INTERVAL '%d hours'`, LoadErrors, strings.Join(names, ", "), r.Now(), hours)
}

// paren wraps an expression in parentheses unless it is a plain
// (qualified) name.
func paren(s string) string {
	for _, c := range s {
		if !(c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return "(" + s + ")"
		}
	}
	return s
}

func isIndex(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func (r *Renderer) commentOn(kind, name, comment string) []dialect.Statement {
	if comment == "" {
		return nil
	}
	return []dialect.Statement{{SQL: fmt.Sprintf("COMMENT ON %s %s IS %s", kind, name, r.Str(comment))}}
}

// Render implements dialect.Renderer.
func (r *Renderer) Render(o *ir.Object) []dialect.Statement {
	name := r.Object(o.Ref)
	switch o.Kind {
	case ir.KindSchema:
		return []dialect.Statement{{SQL: "CREATE SCHEMA IF NOT EXISTS " + name}}
	case ir.KindSequence:
		return []dialect.Statement{{SQL: "CREATE SEQUENCE IF NOT EXISTS " + name + " START 1"}}
	case ir.KindTable:
		out := []dialect.Statement{{SQL: fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (\n%s\n)", name, common.Columns(r, o.Columns, nil))}}
		out = append(out, r.commentOn("TABLE", name, o.Comment)...)
		// DuckDB 1.5.6 cannot replay from its write-ahead log a column
		// comment on a table whose defaults draw from a sequence (the
		// database then fails to open after a crash): no column comments
		// on such tables.
		hasDefault := false
		for _, c := range o.Columns {
			hasDefault = hasDefault || c.Default != nil
		}
		for _, c := range o.Columns {
			if !hasDefault {
				out = append(out, r.commentOn("COLUMN", name+"."+r.Ident(c.Name), c.Comment)...)
			}
		}
		return out
	case ir.KindFileFormat, ir.KindStage, ir.KindPipe, ir.KindTask, ir.KindProcedure, ir.KindPolicy, ir.KindTag, ir.KindRole:
		return nil
	case ir.KindStream:
		return []dialect.Statement{
			{SQL: "CREATE TABLE IF NOT EXISTS " + StreamOffsets + " (\n  stream_name VARCHAR PRIMARY KEY,\n  consumed_to BIGINT NOT NULL,\n  reading_to BIGINT NOT NULL\n)"},
			{SQL: fmt.Sprintf("INSERT INTO %s (stream_name, consumed_to, reading_to) VALUES (%s, 0, 0) ON CONFLICT DO NOTHING", StreamOffsets, r.Str(o.Ref.String()))},
		}
	case ir.KindView:
		out := []dialect.Statement{{SQL: fmt.Sprintf("CREATE OR REPLACE VIEW %s AS\n%s", name, o.Query(r)), Replaces: true}}
		return append(out, r.commentOn("VIEW", name, o.Comment)...)
	case ir.KindDynamicTable:
		out := []dialect.Statement{{SQL: RefreshSQL(r, o), Replaces: true}}
		return append(out, r.commentOn("TABLE", name, o.Comment)...)
	}
	panic("duckdb: unknown object kind " + string(o.Kind))
}

// RefreshSQL recreates a dynamic table from its query: the local refresh.
func RefreshSQL(r *Renderer, o *ir.Object) string {
	return fmt.Sprintf("CREATE OR REPLACE TABLE %s AS\n%s", r.Object(o.Ref), o.Query(r))
}

// The scalar functions, registered by the local runtime from Go
// (internal/local), that keep PII out of the database file: a value
// becomes its blind-index token (the value kept in the vault beside the
// file), a raw line is encrypted with AES-256-GCM (internal/crypt).
const (
	SealValueFunction = "trueup_seal_value"
	OpenValueFunction = "trueup_open_value"
	SealTextFunction  = "trueup_seal_text"
	OpenTextFunction  = "trueup_open_text"
)

// SealValue implements ir.Fragments.
func (r *Renderer) SealValue(expr string) string { return SealValueFunction + "(" + expr + ")" }

// OpenValue implements ir.Fragments.
func (r *Renderer) OpenValue(expr string) string { return OpenValueFunction + "(" + expr + ")" }

// SealText implements ir.Fragments.
func (r *Renderer) SealText(expr string) string { return SealTextFunction + "(" + expr + ")" }

// OpenText implements ir.Fragments.
func (r *Renderer) OpenText(expr string) string { return OpenTextFunction + "(" + expr + ")" }
