// Package snowflake renders the plan as Snowflake SQL: stages and pipes that
// land every line as text, append-only streams, a task graph whose tasks
// consume their streams inside one transaction, MERGE statements and a
// dynamic table with explicit incremental refresh.
package snowflake

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/dialect/common"
	"github.com/ledgerloop/trueup/generator/ir"
)

// Name is the dialect's registered name.
const Name = "snowflake"

func init() {
	dialect.Register(dialect.New(Name, func() dialect.Renderer { return &Renderer{} }, Migrations{}))
}

// Renderer renders Snowflake SQL.
type Renderer struct {
	s dialect.Settings
	// vars are the variables that SetVar set in the steps rendered since
	// the last takeVars: the block that runs them declares them.
	vars map[string]ir.Type
}

var _ dialect.Renderer = (*Renderer)(nil)

// Configure implements dialect.Renderer.
func (r *Renderer) Configure(s dialect.Settings) { r.s = s }

// Name implements ir.Fragments.
func (r *Renderer) Name() string { return Name }

// Ident folds plain names to upper case, as Snowflake resolves them.
func (r *Renderer) Ident(name string) string { return common.QuoteIdent(name, true, common.Reserved) }

// Object qualifies names with the database, so task bodies and views do not
// depend on the session's current database.
func (r *Renderer) Object(ref ir.Ref) string {
	parts := []string{r.Ident(r.s.Database), r.Ident(ref.Schema)}
	if ref.Name != "" {
		parts = append(parts, r.Ident(ref.Name))
	}
	return strings.Join(parts, ".")
}

// Str escapes backslashes (an escape character in Snowflake string
// constants) and quotes.
func (r *Renderer) Str(s string) string {
	return common.Quote(strings.ReplaceAll(s, `\`, `\\`))
}

// literal matches a string literal as Str writes it.
var literal = regexp.MustCompile(`'(?:[^'\\]|''|\\.)*'`)

// noDollarQuote rewrites every literal that contains "$$" as a
// concatenation, so that a step can sit inside a $$-quoted block.
func noDollarQuote(sql string) string {
	return literal.ReplaceAllStringFunc(sql, func(lit string) string {
		if !strings.Contains(lit, "$$") {
			return lit
		}
		return "(" + strings.ReplaceAll(lit, "$$", "$' || '$") + ")"
	})
}

// Type implements ir.Fragments.
func (r *Renderer) Type(t ir.Type) string {
	switch t {
	case ir.Int, ir.Decimal:
		return "NUMBER(38, 0)"
	case ir.Float:
		return "FLOAT"
	case ir.Bool:
		return "BOOLEAN"
	case ir.Timestamp:
		return "TIMESTAMP_NTZ"
	case ir.TimestampTZ:
		return "TIMESTAMP_LTZ"
	case ir.JSON:
		return "VARIANT"
	case ir.LongText:
		// The maximum length: without one a VARCHAR holds 16 MB, and a
		// longer line would be skipped by the load
		// (https://docs.snowflake.com/en/sql-reference/data-types-text).
		return "VARCHAR(134217728)"
	}
	return "VARCHAR"
}

// ParseJSON implements ir.Fragments.
func (r *Renderer) ParseJSON(expr string) string { return "TRY_PARSE_JSON(" + expr + ")" }

// pathExpr matches a name followed by path segments as path writes them,
// which a further segment or cast needs no parentheses around.
var pathExpr = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]*(\[([0-9]+|'(?:[^'\\]|''|\\.)*')\])*$`)

func (r *Renderer) path(doc string, path []string) string {
	var b strings.Builder
	if plain(doc) || pathExpr.MatchString(doc) {
		b.WriteString(doc)
	} else {
		b.WriteString("(" + doc + ")")
	}
	for _, seg := range path {
		if isIndex(seg) {
			b.WriteString("[" + seg + "]")
		} else {
			b.WriteString("[" + r.Str(seg) + "]")
		}
	}
	return b.String()
}

// Scratch implements ir.Fragments: the query itself. A statement reads
// a VARIANT's paths without parsing the text again, so computing the rows
// again costs about what reading them back would, and a temporary table
// could not be created inside the task's transaction (DDL commits it:
// https://docs.snowflake.com/en/sql-reference/transactions#ddl).
func (r *Renderer) Scratch(name, query string) string {
	return "(\n  " + strings.ReplaceAll(query, "\n", "\n  ") + "\n)"
}

// ParseJSONValues implements ir.Fragments: the VARIANT is the parsed
// document, and path access on it does not parse again.
func (r *Renderer) ParseJSONValues(expr string, paths [][]string) string { return r.ParseJSON(expr) }

// JSONRejection implements ir.Fragments. TRY_PARSE_JSON returns NULL on a
// parse error, and by default (parameter 's') an object with a duplicate
// key is one; parameter 'd' allows them, so a text that parses only with
// 'd' repeats a key
// (https://docs.snowflake.com/en/sql-reference/functions/parse_json,
// https://docs.snowflake.com/en/sql-reference/functions/try_parse_json).
// It parses again only the lines the strict parse rejected. IS_OBJECT is
// false for an array, a scalar and the JSON null
// (https://docs.snowflake.com/en/sql-reference/functions/is_object).
func (r *Renderer) JSONRejection(expr, values string) string {
	return fmt.Sprintf("CASE WHEN %[2]s IS NULL THEN CASE WHEN TRY_PARSE_JSON(%[1]s, 'd') IS NOT NULL THEN %[3]s ELSE %[4]s END WHEN NOT IS_OBJECT(%[2]s) THEN %[5]s END",
		expr, values, r.Str(ir.JSONDuplicateKey), r.Str(ir.JSONNotJSON), r.Str(ir.JSONNotObject))
}

// JSONIsKey implements ir.Fragments. PARSE_JSON keeps 12.5 and 12.0 as
// NUMBER with a scale, which IS_INTEGER rejects, and a number in
// scientific notation as DOUBLE
// (https://docs.snowflake.com/en/sql-reference/functions/parse_json,
// https://docs.snowflake.com/en/sql-reference/functions/is_integer).
func (r *Renderer) JSONIsKey(doc string) string {
	return fmt.Sprintf("(IS_VARCHAR(%[1]s) OR IS_INTEGER(%[1]s))", doc)
}

// JSONArrayAllKeys implements ir.Fragments: FILTER keeps the elements
// for which the lambda is TRUE
// (https://docs.snowflake.com/en/sql-reference/functions/filter) of the
// array TO_ARRAY leaves unchanged
// (https://docs.snowflake.com/en/sql-reference/functions/to_array).
func (r *Renderer) JSONArrayAllKeys(doc string) string {
	return fmt.Sprintf("(ARRAY_SIZE(FILTER(TO_ARRAY(%s), elem -> NOT %s)) = 0)", doc, r.JSONIsKey("elem"))
}

// JSONValues implements ir.Fragments: the document itself.
func (r *Renderer) JSONValues(doc string, paths [][]string) string {
	if plain(doc) {
		return doc
	}
	return "(" + doc + ")"
}

// JSONValue implements ir.Fragments.
func (r *Renderer) JSONValue(values string, i int, path []string) string { return r.path(values, path) }

// JSONGet implements ir.Fragments.
func (r *Renderer) JSONGet(doc string, path []string) string { return r.path(doc, path) }

// JSONText casts to VARCHAR, which turns a JSON null into SQL NULL.
func (r *Renderer) JSONText(doc string, path []string) string { return r.path(doc, path) + "::VARCHAR" }

// JSONHas implements ir.Fragments: a JSON null is a non-NULL VARIANT.
func (r *Renderer) JSONHas(doc string, path []string) string {
	return "(" + r.path(doc, path) + " IS NOT NULL)"
}

// JSONArrayHas implements ir.Fragments.
func (r *Renderer) JSONArrayHas(doc string, path []string, s string) string {
	// A value that is not an array contains nothing (as DuckDB's [*] path
	// finds nothing in it); the cast is guarded by IS_ARRAY, so that no
	// value fails it (https://docs.snowflake.com/en/sql-reference/functions/is_array).
	p := r.path(doc, path)
	return fmt.Sprintf("COALESCE(ARRAY_CONTAINS(%s::VARIANT, IFF(IS_ARRAY(%s), %s::ARRAY, NULL)), FALSE)", r.Str(s), p, p)
}

// FlattenArray implements ir.Fragments.
func (r *Renderer) FlattenArray(doc string, path []string, alias string) string {
	return fmt.Sprintf("LATERAL FLATTEN(INPUT => %s) AS %s", r.path(doc, path), alias)
}

// ArrayElement implements ir.Fragments.
func (r *Renderer) ArrayElement(alias string) string { return alias + ".value::VARCHAR" }

// JSONPairsObject implements ir.Fragments with the higher-order REDUCE,
// which folds the array's elements in order
// (https://docs.snowflake.com/en/sql-reference/functions/reduce):
// OBJECT_INSERT omits a pair whose name or value is SQL NULL (a JSON null
// value is kept), and fails on a name already present unless told to
// update it (https://docs.snowflake.com/en/sql-reference/functions/object_insert),
// so a name already present is left as it is: the first element wins, as
// the contract says.
func (r *Renderer) JSONPairsObject(doc string, path []string, nameField, valueField string) string {
	name := r.path("trueup_pair", []string{nameField}) + "::VARCHAR"
	return fmt.Sprintf("REDUCE(AS_ARRAY(%[1]s), OBJECT_CONSTRUCT(), (trueup_acc, trueup_pair) -> IFF(trueup_acc[%[2]s] IS NOT NULL, trueup_acc, OBJECT_INSERT(trueup_acc, %[2]s, %[3]s)))",
		r.path(doc, path), name, r.path("trueup_pair", []string{valueField}))
}

// TextToDecimal implements ir.Fragments.
func (r *Renderer) TextToDecimal(expr string) string {
	return "TRY_CAST(" + expr + " AS NUMBER(38, 0))"
}

// TextToFloat implements ir.Fragments: TRY_CAST gives NULL where the
// cast fails (https://docs.snowflake.com/en/sql-reference/functions/try_cast);
// Snowflake's numbers have no digit separator "_" (the number elements of
// https://docs.snowflake.com/en/sql-reference/sql-format-models have
// none), so "1_000" is none.
func (r *Renderer) TextToFloat(expr string) string {
	return "TRY_CAST(" + expr + " AS " + r.Type(ir.Float) + ")"
}

// HexToNumber implements ir.Fragments with the hexadecimal format model,
// on exactly 16 digits.
func (r *Renderer) HexToNumber(expr string) string {
	return fmt.Sprintf("IFF(REGEXP_LIKE(%[1]s, '[0-9A-Fa-f]{1,16}'), TRY_TO_NUMBER(LPAD(UPPER(%[1]s), 16, '0'), 'XXXXXXXXXXXXXXXX'), NULL)", expr)
}

// TimestampTextToMillis implements ir.Fragments: an offset of hours only
// gets its minutes, then the text is read with or without a fraction; the
// epoch of a TIMESTAMP_TZ is UTC.
func (r *Renderer) TimestampTextToMillis(expr string) string {
	full := fmt.Sprintf("IFF(REGEXP_LIKE(%[1]s, '.*[+-][0-9]{2}'), %[1]s || ':00', %[1]s)", expr)
	return fmt.Sprintf("DATE_PART(EPOCH_MILLISECOND, COALESCE(TRY_TO_TIMESTAMP_TZ(%[1]s, 'YYYY-MM-DD HH24:MI:SS.FFTZH:TZM'), TRY_TO_TIMESTAMP_TZ(%[1]s, 'YYYY-MM-DD HH24:MI:SSTZH:TZM')))", full)
}

// MillisToTimestamp implements ir.Fragments.
// The bounds are repeated at the call, so that the conversion visibly
// cannot fail on one line (TO_TIMESTAMP_NTZ has no TRY_ form for numbers:
// https://docs.snowflake.com/en/sql-reference/functions/try_to_timestamp).
func (r *Renderer) MillisToTimestamp(expr string) string {
	return fmt.Sprintf("TO_TIMESTAMP_NTZ(IFF(%[1]s BETWEEN %[2]d AND %[3]d, %[1]s, NULL), 3)", expr, ir.MillisMin, ir.MillisMax)
}

// TimestampToMillis implements ir.Fragments.
func (r *Renderer) TimestampToMillis(expr string) string {
	return "DATE_PART(EPOCH_MILLISECOND, " + expr + ")"
}

// RegexpFull implements ir.Fragments: REGEXP_LIKE matches the whole string.
func (r *Renderer) RegexpFull(expr, pattern string) string {
	return "REGEXP_LIKE(" + expr + ", " + r.Str(pattern) + ")"
}

// transientRetention keeps no Time Travel for a transient table.
func transientRetention(o *ir.Object) string {
	if o.Transient {
		return " DATA_RETENTION_TIME_IN_DAYS = 0"
	}
	return ""
}

// AsOfJoin implements ir.Fragments with Snowflake's ASOF JOIN: the
// inequality goes in MATCH_CONDITION, in parentheses and left column first;
// ON takes equalities only
// (https://docs.snowflake.com/en/sql-reference/constructs/asof-join).
func (r *Renderer) AsOfJoin(right, alias string, on [][2]string, leftTime, rightTime string) string {
	eq := strings.TrimSuffix(common.AsOfEqualities(on), " AND ")
	return "ASOF JOIN " + right + " AS " + alias + " MATCH_CONDITION (" + leftTime + " >= " + rightTime + ") ON " + eq
}

// Now is UTC wall time as TIMESTAMP_NTZ.
func (r *Renderer) Now() string { return "SYSDATE()" }

// DaysAgo implements ir.Fragments: DATEADD of a TIMESTAMP_LTZ keeps its
// type (https://docs.snowflake.com/en/sql-reference/functions/dateadd).
func (r *Renderer) DaysAgo(days int) string {
	return fmt.Sprintf("DATEADD(DAY, %d, CURRENT_TIMESTAMP())", -days)
}

// UTC implements ir.Fragments: the two-argument CONVERT_TIMEZONE returns a
// TIMESTAMP_TZ in the target zone, whose wall time the cast keeps
// (https://docs.snowflake.com/en/sql-reference/functions/convert_timezone).
func (r *Renderer) UTC(expr string) string {
	return "CONVERT_TIMEZONE('UTC', " + expr + ")::TIMESTAMP_NTZ"
}

// BatchID is the task graph run, for task bodies; a procedure reads its
// batch id argument instead (procedureFragments).
func (r *Renderer) BatchID() string {
	return "SYSTEM$TASK_RUNTIME_INFO('CURRENT_TASK_GRAPH_RUN_GROUP_ID')"
}

// NextVal implements ir.Fragments.
func (r *Renderer) NextVal(seq ir.Ref) string { return r.Object(seq) + ".NEXTVAL" }

// Param implements ir.Fragments: a Snowflake Scripting variable.
func (r *Renderer) Param(name string) string { return ":" + strings.ToUpper(name) }

// SetVar implements ir.Fragments with SELECT ... INTO a Snowflake Scripting
// variable (https://docs.snowflake.com/en/sql-reference/constructs/into),
// declared by the block that runs the step. Pruning uses constants, and a
// variable is bound as one; a predicate with a subquery prunes nothing
// (https://docs.snowflake.com/en/user-guide/tables-clustering-micropartitions).
func (r *Renderer) SetVar(name string, t ir.Type, expr, from string) string {
	if r.vars == nil {
		r.vars = map[string]ir.Type{}
	}
	r.vars[strings.ToUpper(name)] = t
	return fmt.Sprintf("SELECT %s INTO %s FROM %s", expr, r.Var(name), from)
}

// Var implements ir.Fragments.
func (r *Renderer) Var(name string) string { return ":" + strings.ToUpper(name) }

// takeVars returns the declarations of the variables set since the last
// call, in name order, and forgets them.
func (r *Renderer) takeVars() []string {
	var out []string
	for name, t := range r.vars {
		out = append(out, name+" "+r.Type(t))
	}
	sort.Strings(out)
	r.vars = nil
	return out
}

// Stream implements ir.Fragments.
func (r *Renderer) Stream(s *ir.Stream) string { return r.Object(s.Ref) }

// LoadErrors implements ir.Fragments with the COPY_HISTORY table function
// of the database's INFORMATION_SCHEMA, which reports the loads of COPY
// and of Snowpipe per table and file within the last 14 days, with
// ERROR_COUNT and STATUS (Loaded, Load failed, Partially loaded)
// (https://docs.snowflake.com/en/sql-reference/functions/copy_history).
// With ON_ERROR = CONTINUE a skipped line shows only there
// (https://docs.snowflake.com/en/user-guide/data-load-snowpipe-errors).
// STATUS is compared in upper case: the load-history views spell it
// LOAD FAILED and PARTIALLY LOADED
// (https://docs.snowflake.com/en/sql-reference/info-schema/load_history).
func (r *Renderer) LoadErrors(tables []ir.Ref, hours int) string {
	var parts []string
	for _, t := range tables {
		parts = append(parts, fmt.Sprintf(`SELECT %[1]s AS table_name, file_name, status, error_count, first_error_message AS first_error
FROM TABLE(%[2]s.INFORMATION_SCHEMA.COPY_HISTORY(TABLE_NAME => %[3]s, START_TIME => DATEADD(HOUR, -%[4]d, CURRENT_TIMESTAMP())))
WHERE error_count > 0 OR UPPER(status) IN ('LOAD FAILED', 'PARTIALLY LOADED')`,
			r.Str(t.String()), r.Ident(r.s.Database), r.Str(r.Ident(t.Schema)+"."+r.Ident(t.Name)), hours))
	}
	if len(parts) == 0 {
		return "SELECT CAST(NULL AS VARCHAR) AS table_name, CAST(NULL AS VARCHAR) AS file_name, CAST(NULL AS VARCHAR) AS status, CAST(NULL AS NUMBER(38, 0)) AS error_count, CAST(NULL AS VARCHAR) AS first_error WHERE FALSE"
	}
	return strings.Join(parts, "\nUNION ALL\n")
}

func plain(s string) bool {
	for _, c := range s {
		if !(c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

func isIndex(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func (r *Renderer) comment(s string) string {
	if s == "" {
		return ""
	}
	return " COMMENT = " + r.Str(s)
}

// interval renders a duration as Snowflake's '<n> MINUTES' or '<n> SECONDS'.
func interval(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d MINUTES", int(d/time.Minute))
	}
	return fmt.Sprintf("%d SECONDS", int(d/time.Second))
}

// Render implements dialect.Renderer.
func (r *Renderer) Render(o *ir.Object) []dialect.Statement {
	name := r.Object(o.Ref)
	switch o.Kind {
	case ir.KindSchema:
		out := []dialect.Statement{{SQL: "CREATE SCHEMA IF NOT EXISTS " + name}}
		if o.TimeTravelDays != nil {
			out = append(out, r.schemaTimeTravel(name, *o.TimeTravelDays))
		}
		if o.Comment != "" {
			out = append(out, dialect.Statement{SQL: "COMMENT ON SCHEMA " + name + " IS " + r.Str(o.Comment)})
		}
		return out
	case ir.KindSequence:
		return []dialect.Statement{{SQL: "CREATE SEQUENCE IF NOT EXISTS " + name + " INCREMENT BY 1 START WITH 1"}}
	case ir.KindTable:
		cols := common.Columns(r, o.Columns, func(c ir.Column) string {
			if c.Comment == "" {
				return ""
			}
			return " COMMENT " + r.Str(c.Comment)
		})
		kind := "TABLE"
		if o.Transient {
			// Scratch rows: no Fail-safe, no Time Travel
			// (https://docs.snowflake.com/en/user-guide/tables-temp-transient).
			kind = "TRANSIENT TABLE"
		}
		return []dialect.Statement{{SQL: fmt.Sprintf("CREATE %s IF NOT EXISTS %s (\n%s\n)%s%s", kind, name, cols, transientRetention(o), r.comment(o.Comment))}}
	case ir.KindFileFormat:
		if o.FileFormat != nil && o.FileFormat.Documents {
			// Whole documents, one or several a file, pretty-printed or
			// not: each top-level value is a row. Repeated keys fail the
			// document (ALLOW_DUPLICATE = FALSE), which ON_ERROR = CONTINUE
			// reports in COPY_HISTORY: the load_errors check
			// (https://docs.snowflake.com/en/sql-reference/sql/create-file-format,
			// format type options for JSON).
			return []dialect.Statement{{SQL: fmt.Sprintf(`CREATE FILE FORMAT IF NOT EXISTS %s
  TYPE = JSON
  COMPRESSION = AUTO
  STRIP_OUTER_ARRAY = FALSE
  ALLOW_DUPLICATE = FALSE
  SKIP_BYTE_ORDER_MARK = TRUE
  REPLACE_INVALID_CHARACTERS = TRUE%s`, name, r.comment(o.Comment))}}
		}
		return []dialect.Statement{{SQL: fmt.Sprintf(`CREATE FILE FORMAT IF NOT EXISTS %s
  TYPE = CSV
  FIELD_DELIMITER = NONE
  ESCAPE = NONE
  ESCAPE_UNENCLOSED_FIELD = NONE
  FIELD_OPTIONALLY_ENCLOSED_BY = NONE
  SKIP_BLANK_LINES = TRUE
  EMPTY_FIELD_AS_NULL = FALSE
  REPLACE_INVALID_CHARACTERS = TRUE
  ENCODING = 'UTF8'%s`, name, r.comment(o.Comment))}}
	case ir.KindStage:
		st := o.Stage
		integ := ""
		if st.StorageIntegration != "" {
			integ = "\n  STORAGE_INTEGRATION = " + r.Ident(st.StorageIntegration)
		}
		enc := ""
		if st.KMSKeyID != "" {
			// Server-side encryption of the bucket's files with an AWS
			// KMS key: ENCRYPTION = (TYPE = 'AWS_SSE_KMS' KMS_KEY_ID =
			// '...'), after the credentials
			// (https://docs.snowflake.com/en/sql-reference/sql/create-stage).
			enc = fmt.Sprintf("\n  ENCRYPTION = (TYPE = 'AWS_SSE_KMS' KMS_KEY_ID = %s)", r.Str(st.KMSKeyID))
		}
		return []dialect.Statement{{SQL: fmt.Sprintf("CREATE STAGE IF NOT EXISTS %s\n  URL = %s%s%s\n  FILE_FORMAT = (FORMAT_NAME = %s)%s",
			name, r.Str(st.URL), integ, enc, r.Str(r.Object(st.FileFormat)), r.comment(o.Comment))}}
	case ir.KindPipe:
		// A column left out of a COPY's column list may not default to a
		// sequence, so the transformation draws load_seq itself
		// (https://docs.snowflake.com/en/sql-reference/sql/copy-into-table,
		// "Include sequence columns in loaded data" in
		// https://docs.snowflake.com/en/user-guide/data-load-transform).
		// A document source's rows are VARIANTs: the line is the
		// document's JSON text (https://docs.snowflake.com/en/sql-reference/functions/to_json).
		line := "$1"
		if o.Pipe.Documents {
			line = "TO_JSON($1)"
		}
		copyStmt := fmt.Sprintf(`COPY INTO %s (load_seq, file_name, file_row, line, loaded_at)
FROM (
  SELECT %s, METADATA$FILENAME, METADATA$FILE_ROW_NUMBER, %s, METADATA$START_SCAN_TIME
  FROM @%s
)
ON_ERROR = CONTINUE`, r.Object(o.Pipe.Table), r.NextVal(o.Pipe.Sequence), line, r.Object(o.Pipe.Stage))
		return []dialect.Statement{{
			SQL: fmt.Sprintf("CREATE PIPE IF NOT EXISTS %s\n  AUTO_INGEST = TRUE%s\nAS\n%s", name, r.comment(o.Comment), copyStmt),
		}}
	case ir.KindStream:
		appendOnly := "TRUE"
		if o.Stream.Changes {
			appendOnly = "FALSE"
		}
		return []dialect.Statement{{SQL: fmt.Sprintf("CREATE STREAM IF NOT EXISTS %s\n  ON TABLE %s\n  APPEND_ONLY = %s%s",
			name, r.Object(o.Stream.Table), appendOnly, r.comment(o.Comment))}}
	case ir.KindView:
		// Replacing a view drops its grants unless COPY GRANTS, which
		// comes before COMMENT
		// (https://docs.snowflake.com/en/sql-reference/sql/create-view).
		q := o.Query(r)
		return []dialect.Statement{{SQL: fmt.Sprintf("CREATE OR REPLACE VIEW %s COPY GRANTS%s\nAS\n%s", name, r.comment(o.Comment), q), Replaces: true}}
	case ir.KindDynamicTable:
		// COPY GRANTS comes after COMMENT here
		// (https://docs.snowflake.com/en/sql-reference/sql/create-dynamic-table).
		q := o.Query(r)
		return []dialect.Statement{{SQL: fmt.Sprintf("CREATE OR REPLACE DYNAMIC TABLE %s\n  TARGET_LAG = '%s'\n  WAREHOUSE = %s\n  REFRESH_MODE = INCREMENTAL%s\n  COPY GRANTS\nAS\n%s",
			name, strings.ToLower(interval(max(o.DynamicTable.TargetLag, time.Minute))), r.Ident(o.DynamicTable.Warehouse), r.comment(o.Comment), q), Replaces: true}}
	case ir.KindProcedure:
		return r.procedure(o)
	case ir.KindTask:
		return r.task(o)
	case ir.KindPolicy:
		return r.policy(o)
	case ir.KindTag:
		return r.tag(o)
	case ir.KindRole:
		return r.role(o)
	}
	panic("snowflake: unknown object kind " + string(o.Kind))
}

// task renders a task: a single step as is; several steps as a Snowflake
// Scripting block that runs them in one transaction, so that every step
// reads its streams as of the same point and the offsets advance only when
// all of them succeed. Properties follow the order of the CREATE TASK
// grammar (https://docs.snowflake.com/en/sql-reference/sql/create-task),
// which has no COPY GRANTS: grants on a replaced task are not kept.
func (r *Renderer) task(o *ir.Object) []dialect.Statement {
	t := o.Task
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE OR REPLACE TASK %s", r.Object(o.Ref))
	if t.Warehouse != "" {
		fmt.Fprintf(&b, "\n  WAREHOUSE = %s", r.Ident(t.Warehouse))
	} else if t.InitialSize != "" {
		// Serverless: WAREHOUSE left out, the first runs' size given.
		fmt.Fprintf(&b, "\n  USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE = %s", r.Str(t.InitialSize))
	}
	switch {
	case t.Root && t.Cron != "":
		fmt.Fprintf(&b, "\n  SCHEDULE = %s", r.cronSchedule(t.Cron))
	case t.Root:
		fmt.Fprintf(&b, "\n  SCHEDULE = '%s'", interval(t.Schedule))
	}
	if g := t.Graph; g != nil {
		// Graph-wide settings, on the root only: OVERLAP_POLICY replaces
		// ALLOW_OVERLAPPING_EXECUTION
		// (https://docs.snowflake.com/en/release-notes/2026/other/2026-03-13-tasks-overlap-policy).
		fmt.Fprintf(&b, "\n  OVERLAP_POLICY = %s", strings.ToUpper(g.Overlap))
	}
	if t.Timeout > 0 {
		fmt.Fprintf(&b, "\n  USER_TASK_TIMEOUT_MS = %d", t.Timeout.Milliseconds())
	}
	if g := t.Graph; g != nil {
		// Counts runs of any one task of the graph that fail in a row.
		fmt.Fprintf(&b, "\n  SUSPEND_TASK_AFTER_NUM_FAILURES = %d", g.SuspendAfterFailures)
	}
	if o.Comment != "" {
		b.WriteString("\n " + r.comment(o.Comment))
	}
	if t.FinalizerOf != nil {
		fmt.Fprintf(&b, "\n  FINALIZE = %s", r.Object(*t.FinalizerOf))
	}
	if g := t.Graph; g != nil {
		// Settable on the root task only; a child task gets an error.
		fmt.Fprintf(&b, "\n  TASK_AUTO_RETRY_ATTEMPTS = %d", g.Retries)
	}
	if t.Warehouse == "" && t.TargetCompletion > 0 {
		fmt.Fprintf(&b, "\n  TARGET_COMPLETION_INTERVAL = '%s'", interval(t.TargetCompletion))
	}
	if len(t.After) > 0 {
		var after []string
		for _, a := range t.After {
			after = append(after, r.Object(a))
		}
		fmt.Fprintf(&b, "\n  AFTER %s", strings.Join(after, ", "))
	}
	if when := r.when(t); when != "" {
		fmt.Fprintf(&b, "\n  WHEN %s", when)
	}
	r.takeVars()
	steps := common.Steps(r, t)
	b.WriteString("\nAS\n")
	switch {
	case t.Call != nil:
		var args []string
		for _, a := range t.CallArgs {
			args = append(args, a(r))
		}
		// A CALL's arguments are expressions, evaluated once
		// (https://docs.snowflake.com/en/sql-reference/sql/call).
		call := "CALL " + r.Object(*t.Call) + "(" + strings.Join(args, ", ") + ")"
		b.WriteString(call)
	case len(steps) == 1:
		b.WriteString(steps[0])
	default:
		b.WriteString("EXECUTE IMMEDIATE $$\n" + transactionBlock(r.takeVars(), steps, "") + "$$")
	}
	out := []dialect.Statement{{SQL: b.String(), Replaces: true}}
	if t.Root && t.Cron != "" {
		out = append(out, resumeStandalone(r, o))
	}
	if t.FinalizerOf != nil {
		// Created last: resume the whole graph, children before the root.
		out = append(out, dialect.Statement{
			SQL:     fmt.Sprintf("SELECT SYSTEM$TASK_DEPENDENTS_ENABLE(%s)", r.Str(r.Object(*t.FinalizerOf))),
			Resumes: t.FinalizerOf,
		})
	}
	return out
}

// when is a task's WHEN condition. A false WHEN skips the task and, by
// default, every task after it; SYSTEM$PREDECESSORS_STATE makes a task run
// on other outcomes of its predecessors
// (https://docs.snowflake.com/en/sql-reference/functions/system_predecessors_state).
func (r *Renderer) when(t *ir.Task) string {
	var conds []string
	switch t.Predecessors {
	case ir.AllSucceeded:
	case ir.NoneFailed:
		conds = append(conds, "SYSTEM$PREDECESSORS_STATE('NONE_FAILED')")
	default:
		panic("snowflake: unknown predecessors condition " + string(t.Predecessors))
	}
	var streams []string
	for _, s := range t.When {
		streams = append(streams, fmt.Sprintf("SYSTEM$STREAM_HAS_DATA(%s)", r.Str(r.Object(s.Ref))))
	}
	if len(streams) > 0 {
		some := strings.Join(streams, "\n    OR ")
		if len(conds) > 0 {
			some = "(" + some + ")"
		}
		conds = append(conds, some)
	}
	return strings.Join(conds, "\n    AND ")
}

// transactionBlock is a Snowflake Scripting block running the statements in
// one transaction, rolled back and re-raised on any error.
func transactionBlock(decls, steps []string, ret string) string {
	var b strings.Builder
	if len(decls) > 0 {
		b.WriteString("DECLARE\n")
		for _, d := range decls {
			b.WriteString("  " + d + ";\n")
		}
	}
	b.WriteString("BEGIN\n  BEGIN TRANSACTION;\n")
	for _, s := range steps {
		b.WriteString(indent(noDollarQuote(s), "  ") + ";\n")
	}
	b.WriteString("  COMMIT;\n")
	if ret != "" {
		b.WriteString("  RETURN " + ret + ";\n")
	}
	b.WriteString("EXCEPTION\n  WHEN OTHER THEN\n    ROLLBACK;\n    RAISE;\nEND;\n")
	return b.String()
}

// procedure renders a SQL procedure whose body runs its steps in one
// transaction.
func (r *Renderer) procedure(o *ir.Object) []dialect.Statement {
	p := o.Procedure
	var args []string
	for _, a := range p.Args {
		args = append(args, strings.ToUpper(a.Name)+" "+r.Type(a.Type))
	}
	var f ir.Fragments = r
	if p.BatchArg != "" {
		f = procedureFragments{r, p.BatchArg}
	}
	r.takeVars()
	var steps []string
	for _, s := range p.Steps {
		steps = append(steps, s(f))
	}
	ret := r.Str("done")
	if p.Result != nil {
		ret = p.Result(f)
	}
	decls := r.takeVars()
	// COPY GRANTS keeps the grants (USAGE for the roles that call the
	// procedure by hand) when it is replaced; it follows the argument list
	// (https://docs.snowflake.com/en/sql-reference/sql/create-procedure).
	sql := fmt.Sprintf("CREATE OR REPLACE PROCEDURE %s(%s)\n  COPY GRANTS\n  RETURNS VARCHAR\n  LANGUAGE SQL\n %s\n  EXECUTE AS OWNER\nAS\n$$\n%s$$",
		r.Object(o.Ref), strings.Join(args, ", "), r.comment(o.Comment), transactionBlock(decls, steps, ret))
	return []dialect.Statement{{SQL: sql, Replaces: true}}
}

// procedureFragments renders a procedure's steps: the batch id is the
// argument the caller passes, since SYSTEM$TASK_RUNTIME_INFO fails outside
// a task run
// (https://docs.snowflake.com/en/sql-reference/functions/system_task_runtime_info).
type procedureFragments struct {
	*Renderer
	batchArg string
}

// BatchID implements ir.Fragments.
func (f procedureFragments) BatchID() string { return f.Param(f.batchArg) }

func indent(s, pre string) string {
	return pre + strings.ReplaceAll(s, "\n", "\n"+pre)
}

// SealValue implements ir.Fragments: Snowflake encrypts every table at
// rest and the PII tag's masking policy controls who reads the value
// (https://docs.snowflake.com/en/user-guide/security-encryption-end-to-end),
// so the value is stored as it is.
func (r *Renderer) SealValue(expr string) string { return expr }

// OpenValue implements ir.Fragments.
func (r *Renderer) OpenValue(expr string) string { return expr }

// SealText implements ir.Fragments: as SealValue.
func (r *Renderer) SealText(expr string) string { return expr }

// OpenText implements ir.Fragments.
func (r *Renderer) OpenText(expr string) string { return expr }
