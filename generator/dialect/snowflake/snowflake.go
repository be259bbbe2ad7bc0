// Package snowflake renders the plan as Snowflake SQL: stages and pipes that
// land every line as text, append-only streams, a task graph whose tasks
// consume their streams inside one transaction, MERGE statements and a
// dynamic table with explicit incremental refresh.
package snowflake

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/dialect/common"
	"github.com/ledgerloop/trueup/generator/ir"
)

// Name is the dialect's registered name.
const Name = "snowflake"

func init() { dialect.Register(Name, func() dialect.Renderer { return &Renderer{} }) }

// Renderer renders Snowflake SQL.
type Renderer struct{ s dialect.Settings }

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

// ParseJSONValues implements ir.Fragments: the VARIANT is the parsed
// document, and path access on it does not parse again.
func (r *Renderer) ParseJSONValues(expr string, paths [][]string) string { return r.ParseJSON(expr) }

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
	return fmt.Sprintf("COALESCE(ARRAY_CONTAINS(%s::VARIANT, %s::ARRAY), FALSE)", r.Str(s), r.path(doc, path))
}

// FlattenArray implements ir.Fragments.
func (r *Renderer) FlattenArray(doc string, path []string, alias string) string {
	return fmt.Sprintf("LATERAL FLATTEN(INPUT => %s) AS %s", r.path(doc, path), alias)
}

// ArrayElement implements ir.Fragments.
func (r *Renderer) ArrayElement(alias string) string { return alias + ".value::VARCHAR" }

// JSONPairsObject implements ir.Fragments with the higher-order REDUCE:
// OBJECT_INSERT omits a pair whose name or value is SQL NULL (a JSON null
// value is kept), and a name already present keeps its first value.
func (r *Renderer) JSONPairsObject(doc string, path []string, nameField, valueField string) string {
	name := r.path("trueup_pair", []string{nameField}) + "::VARCHAR"
	return fmt.Sprintf("REDUCE(AS_ARRAY(%[1]s), OBJECT_CONSTRUCT(), (trueup_acc, trueup_pair) -> IFF(trueup_acc[%[2]s] IS NOT NULL, trueup_acc, OBJECT_INSERT(trueup_acc, %[2]s, %[3]s)))",
		r.path(doc, path), name, r.path("trueup_pair", []string{valueField}))
}

// TextToDecimal implements ir.Fragments.
func (r *Renderer) TextToDecimal(expr string) string {
	return "TRY_CAST(" + expr + " AS NUMBER(38, 0))"
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
func (r *Renderer) MillisToTimestamp(expr string) string { return "TO_TIMESTAMP_NTZ(" + expr + ", 3)" }

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

// BatchID is the task graph run.
func (r *Renderer) BatchID() string {
	return "SYSTEM$TASK_RUNTIME_INFO('CURRENT_TASK_GRAPH_RUN_GROUP_ID')"
}

// NextVal implements ir.Fragments.
func (r *Renderer) NextVal(seq ir.Ref) string { return r.Object(seq) + ".NEXTVAL" }

// Param implements ir.Fragments: a Snowflake Scripting variable.
func (r *Renderer) Param(name string) string { return ":" + strings.ToUpper(name) }

// Stream implements ir.Fragments.
func (r *Renderer) Stream(s *ir.Stream) string { return r.Object(s.Ref) }

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
		out := []dialect.Statement{{SQL: "CREATE SCHEMA IF NOT EXISTS " + name, Parseable: true}}
		if o.TimeTravelDays != nil {
			out = append(out, r.schemaTimeTravel(name, *o.TimeTravelDays))
		}
		if o.Comment != "" {
			out = append(out, dialect.Statement{SQL: "COMMENT ON SCHEMA " + name + " IS " + r.Str(o.Comment), Parseable: true})
		}
		return out
	case ir.KindSequence:
		return []dialect.Statement{{SQL: "CREATE SEQUENCE IF NOT EXISTS " + name + " INCREMENT BY 1 START WITH 1", Parseable: true}}
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
		return []dialect.Statement{{SQL: fmt.Sprintf("CREATE %s IF NOT EXISTS %s (\n%s\n)%s%s", kind, name, cols, transientRetention(o), r.comment(o.Comment)), Parseable: true}}
	case ir.KindFileFormat:
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
		return []dialect.Statement{{SQL: fmt.Sprintf("CREATE STAGE IF NOT EXISTS %s\n  URL = %s%s\n  FILE_FORMAT = (FORMAT_NAME = %s)%s",
			name, r.Str(st.URL), integ, r.Str(r.Object(st.FileFormat)), r.comment(o.Comment)), Parseable: true}}
	case ir.KindPipe:
		copyStmt := fmt.Sprintf(`COPY INTO %s (file_name, file_row, line, loaded_at)
FROM (
  SELECT METADATA$FILENAME, METADATA$FILE_ROW_NUMBER, $1, METADATA$START_SCAN_TIME
  FROM @%s
)
ON_ERROR = CONTINUE`, r.Object(o.Pipe.Table), r.Object(o.Pipe.Stage))
		return []dialect.Statement{{
			SQL:    fmt.Sprintf("CREATE PIPE IF NOT EXISTS %s\n  AUTO_INGEST = TRUE%s\nAS\n%s", name, r.comment(o.Comment), copyStmt),
			Bodies: []string{copyStmt},
		}}
	case ir.KindStream:
		appendOnly := "TRUE"
		if o.Stream.Changes {
			appendOnly = "FALSE"
		}
		return []dialect.Statement{{SQL: fmt.Sprintf("CREATE STREAM IF NOT EXISTS %s\n  ON TABLE %s\n  APPEND_ONLY = %s%s",
			name, r.Object(o.Stream.Table), appendOnly, r.comment(o.Comment))}}
	case ir.KindView:
		q := o.Query(r)
		return []dialect.Statement{{SQL: fmt.Sprintf("CREATE OR REPLACE VIEW %s%s\nAS\n%s", name, r.comment(o.Comment), q), Parseable: true, Bodies: []string{q}}}
	case ir.KindDynamicTable:
		q := o.Query(r)
		return []dialect.Statement{{SQL: fmt.Sprintf("CREATE OR REPLACE DYNAMIC TABLE %s\n  TARGET_LAG = '%s'\n  WAREHOUSE = %s\n  REFRESH_MODE = INCREMENTAL%s\nAS\n%s",
			name, strings.ToLower(interval(max(o.DynamicTable.TargetLag, time.Minute))), r.Ident(o.DynamicTable.Warehouse), r.comment(o.Comment), q), Parseable: true, Bodies: []string{q}}}
	case ir.KindProcedure:
		return r.procedure(o)
	case ir.KindTask:
		return r.task(o)
	}
	panic("snowflake: unknown object kind " + string(o.Kind))
}

// task renders a task: a single step as is; several steps as a Snowflake
// Scripting block that runs them in one transaction, so that every step
// reads its streams as of the same point and the offsets advance only when
// all of them succeed.
func (r *Renderer) task(o *ir.Object) []dialect.Statement {
	t := o.Task
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE OR REPLACE TASK %s\n  WAREHOUSE = %s", r.Object(o.Ref), r.Ident(t.Warehouse))
	switch {
	case t.Root && t.Cron != "":
		fmt.Fprintf(&b, "\n  SCHEDULE = %s", r.cronSchedule(t.Cron))
	case t.Root:
		fmt.Fprintf(&b, "\n  SCHEDULE = '%s'", interval(t.Schedule))
	}
	if t.FinalizerOf != nil {
		fmt.Fprintf(&b, "\n  FINALIZE = %s", r.Object(*t.FinalizerOf))
	}
	if o.Comment != "" {
		b.WriteString("\n " + r.comment(o.Comment))
	}
	if len(t.After) > 0 {
		var after []string
		for _, a := range t.After {
			after = append(after, r.Object(a))
		}
		fmt.Fprintf(&b, "\n  AFTER %s", strings.Join(after, ", "))
	}
	if len(t.When) > 0 {
		var when []string
		for _, s := range t.When {
			when = append(when, fmt.Sprintf("SYSTEM$STREAM_HAS_DATA(%s)", r.Str(r.Object(s.Ref))))
		}
		fmt.Fprintf(&b, "\n  WHEN %s", strings.Join(when, "\n    OR "))
	}
	steps := common.Steps(r, t)
	b.WriteString("\nAS\n")
	switch {
	case t.Call != nil:
		call := "CALL " + r.Object(*t.Call) + "()"
		b.WriteString(call)
		steps = []string{call}
	case len(steps) == 1:
		b.WriteString(steps[0])
	default:
		b.WriteString("EXECUTE IMMEDIATE $$\n" + transactionBlock(steps, "") + "$$")
	}
	out := []dialect.Statement{{SQL: b.String(), Bodies: steps}}
	if t.Root && t.Cron != "" {
		out = append(out, resumeStandalone(r, o))
	}
	if t.FinalizerOf != nil {
		// Created last: resume the whole graph, children before the root.
		out = append(out, dialect.Statement{
			SQL:       fmt.Sprintf("SELECT SYSTEM$TASK_DEPENDENTS_ENABLE(%s)", r.Str(r.Object(*t.FinalizerOf))),
			Parseable: true,
		})
	}
	return out
}

// transactionBlock is a Snowflake Scripting block running the statements in
// one transaction, rolled back and re-raised on any error.
func transactionBlock(steps []string, ret string) string {
	var b strings.Builder
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
	var steps []string
	for _, s := range p.Steps {
		steps = append(steps, s(r))
	}
	sql := fmt.Sprintf("CREATE OR REPLACE PROCEDURE %s(%s)\n  RETURNS VARCHAR\n  LANGUAGE SQL\n %s\n  EXECUTE AS OWNER\nAS\n$$\n%s$$",
		r.Object(o.Ref), strings.Join(args, ", "), r.comment(o.Comment), transactionBlock(steps, r.Str("done")))
	return []dialect.Statement{{SQL: sql, Bodies: steps}}
}

func indent(s, pre string) string {
	return pre + strings.ReplaceAll(s, "\n", "\n"+pre)
}
