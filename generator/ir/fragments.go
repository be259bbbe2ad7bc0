// Package ir is the plan's vocabulary: the warehouse objects trueup
// generates (a DAG), and the Fragments interface through which the
// dialect-neutral SQL of their bodies reaches a dialect.
package ir

// Type is a dialect-neutral column type.
type Type int

// Column types.
const (
	Text Type = iota
	Int
	Decimal // NUMBER(38,0)-range integers such as LSNs
	Float
	Bool
	Timestamp   // UTC, without time zone
	TimestampTZ // an instant, with time zone
	JSON        // a parsed document
	LongText    // text as long as the warehouse can hold: a landed line
)

// The epoch milliseconds MillisToTimestamp converts: 1970-01-01T00:00:00Z
// to 9999-12-31T23:59:59.999Z.
const (
	MillisMin int64 = 0
	MillisMax int64 = 253402300799999
)

// The reasons JSONRejection gives.
const (
	JSONNotJSON      = "invalid JSON"
	JSONDuplicateKey = "invalid JSON: duplicate key in an object"
	JSONNotObject    = "not a JSON object"
)

// Fragments are the small pieces of SQL in which dialects differ. Every
// method returns SQL text; arguments named expr are SQL expressions, path
// segments and strings are raw values the method must quote itself. A
// path segment of digits only is an array index (it reads no key of an
// object); any other is an object key, never empty (the spec's paths have
// no empty segment). Package generator/dialect/dialecttest holds the
// cases every dialect passes.
type Fragments interface {
	// Name is the dialect's registered name.
	Name() string
	// Ident quotes a column or other unqualified identifier.
	Ident(name string) string
	// Object names a schema object, qualified as the dialect needs.
	Object(r Ref) string
	// Str renders a string literal; any content is safe.
	Str(s string) string
	// Type renders a column type.
	Type(t Type) string
	// ParseJSON parses text into a document, NULL when the text is not JSON.
	ParseJSON(expr string) string
	// Scratch is a relation the statements of one task read more than
	// once, query (a SELECT) being its rows: either query itself, which
	// each statement computes again (a dialect that computes it about as
	// cheaply as it would read it back), or the name of a temporary table
	// of its rows that the runtime fills before the task's first statement
	// and drops after its last. The task declares it (Task.Scratch) under
	// name, unique within the task; the query passed is the declared one.
	Scratch(name, query string) string
	// ParseJSONValues parses the text expr once and reads from it the
	// documents at paths, for JSONValue; a statement that reads many values
	// of one line parses it once this way instead of reading each value of
	// ParseJSON's document (which some dialects parse again at every read).
	// The result is NULL exactly when ParseJSON(expr) is, or when an
	// object repeats a key (see JSONRejection).
	ParseJSONValues(expr string, paths [][]string) string
	// JSONRejection is why the text expr, whose ParseJSONValues are
	// values, is not a document a format reads: JSONNotJSON,
	// JSONDuplicateKey (an object repeats a key: the line is rejected in
	// every dialect, as Snowflake's PARSE_JSON does) or JSONNotObject (an
	// array or a scalar); NULL when it is a JSON object. expr and values
	// may be evaluated more than once: pass columns.
	JSONRejection(expr, values string) string
	// JSONIsKey is true when the document doc is a JSON string or an
	// integer: a value that can name a record. NULL when doc is NULL.
	JSONIsKey(doc string) string
	// JSONArrayAllKeys is true when every element of the array doc is a
	// key (JSONIsKey); true for an empty array. Callers check first that
	// doc holds an array.
	JSONArrayAllKeys(doc string) string
	// JSONValues reads the documents at paths from a document, for
	// JSONValue.
	JSONValues(doc string, paths [][]string) string
	// JSONValue is JSONGet(doc, path) of the document that values were read
	// from (by ParseJSONValues or JSONValues), path being the i-th (from 0)
	// of the paths they were read with.
	JSONValue(values string, i int, path []string) string
	// JSONGet returns the sub-document at path (NULL when absent). In the
	// JSON fragments an empty path is the document itself.
	JSONGet(doc string, path []string) string
	// JSONText returns the value at path as text: strings unquoted, numbers
	// and booleans in their JSON spelling, objects as JSON text; NULL when
	// the path is absent or holds JSON null.
	JSONText(doc string, path []string) string
	// JSONHas is true when the path is present, even if it holds JSON null.
	JSONHas(doc string, path []string) string
	// JSONArrayHas is true when the array at path contains the string s.
	JSONArrayHas(doc string, path []string, s string) string
	// FlattenArray is a FROM-clause item, joined laterally, yielding one row
	// per element of the array at path of doc; ArrayElement(alias) is the
	// element as text.
	FlattenArray(doc string, path []string, alias string) string
	ArrayElement(alias string) string
	// JSONPairsObject turns the array at path of doc, whose elements are
	// objects {nameField: "n", valueField: v} (wal2json's columns), into one
	// object n -> v. A JSON null value is kept; an element without a name or
	// without the value field is skipped; on a repeated name the first
	// element wins: reading the name (JSONGet, JSONText, JSONHas,
	// JSONValues) gives its value. The object is for reading by path: its
	// JSON text is the dialect's (it may keep the later pairs of a
	// repeated name, unread). NULL or an empty object when the path holds
	// no array or an empty one.
	JSONPairsObject(doc string, path []string, nameField, valueField string) string
	// TextToDecimal is TRY_CAST(expr AS Type(Decimal)) of a text expr as
	// Snowflake reads it: the number the text spells, rounded to an
	// integer; NULL when it spells no number (as TextToFloat) or one out
	// of the Decimal range. expr may be evaluated more than once: pass a
	// column.
	TextToDecimal(expr string) string
	// TextToFloat is TRY_CAST(expr AS Type(Float)) of a text expr as
	// Snowflake reads it: the number the text spells in digits, with an
	// optional sign, fraction and exponent; NULL when it spells no number
	// (text with a digit separator "_" spells none). expr may be
	// evaluated more than once: pass a column.
	TextToFloat(expr string) string
	// HexToNumber converts text of 1 to 16 hexadecimal digits (either case)
	// to the integer it spells, exactly (Decimal range); NULL for any other
	// text.
	HexToNumber(expr string) string
	// TimestampTextToMillis converts an instant written as PostgreSQL
	// prints a timestamptz with DateStyle ISO, "YYYY-MM-DD HH:MI:SS" with an
	// optional fraction of 1 to 6 digits and a UTC offset "+HH" or "+HH:MM"
	// (or "-"), to epoch milliseconds, truncated. Callers check the shape
	// first: the result for other text is NULL or unspecified.
	TimestampTextToMillis(expr string) string
	// MillisToTimestamp converts epoch milliseconds to a timestamp; NULL
	// outside [MillisMin, MillisMax], so that no value fails the
	// conversion. expr may be evaluated more than once: pass a column.
	MillisToTimestamp(expr string) string
	// TimestampToMillis converts a timestamp to epoch milliseconds.
	TimestampToMillis(expr string) string
	// RegexpFull is true when the whole of expr matches the pattern.
	RegexpFull(expr, pattern string) string
	// SealValue is how a PII value expr is stored: in a dialect that
	// protects values itself (Snowflake: encryption at rest, masking
	// policies) the value; otherwise a token, equal for equal values, from
	// which OpenValue gives the value back. NULL stays NULL.
	SealValue(expr string) string
	// OpenValue is the value a SealValue token stands for (NULL once
	// erased); other text is returned as it is.
	OpenValue(expr string) string
	// SealText is how a text holding PII (a raw line) is stored: the text,
	// or the text encrypted; OpenText gives it back.
	SealText(expr string) string
	OpenText(expr string) string
	// AsOfJoin is a FROM-clause item joining the relation right (a table
	// or a parenthesised query) as alias to the rows before it: for each
	// left row, the one right row with the greatest rightTime <= leftTime
	// among those equal on every pair of on (left expression, right
	// expression). Left rows without such a row may be kept with NULLs or
	// dropped: callers filter on a right column. Right rows must be unique
	// on (on, rightTime) for the result to be deterministic.
	AsOfJoin(right, alias string, on [][2]string, leftTime, rightTime string) string
	// Now is the current time for bookkeeping columns (never for resolution).
	Now() string
	// DaysAgo is the instant days × 24 hours before the current time, as a
	// TimestampTZ: a retention horizon.
	DaysAgo(days int) string
	// UTC converts an instant (a TimestampTZ expr) to the UTC Timestamp
	// that Now would have given at that instant.
	UTC(expr string) string
	// BatchID is the identifier of the running task graph run.
	BatchID() string
	// NextVal draws from a sequence.
	NextVal(seq Ref) string
	// Param references a procedure argument.
	Param(name string) string
	// SetVar is a statement setting the variable name, of type t, to the
	// value of SELECT expr FROM from, where expr is an aggregate (the query
	// gives one row). Later steps of the same task or procedure read it
	// with Var. A predicate on a variable prunes storage where one on a
	// subquery does not.
	SetVar(name string, t Type, expr, from string) string
	// Var reads a variable an earlier step set with SetVar.
	Var(name string) string
	// Stream reads the unconsumed rows of a stream.
	Stream(s *Stream) string
	// LoadErrors is a query of the files whose load into one of tables
	// (the RAW line tables) lost lines or failed within the last hours
	// hours, one row per file and load, with columns table_name,
	// file_name, status, error_count (lines not loaded, NULL when
	// unknown) and first_error: what a load left out of RAW.
	LoadErrors(tables []Ref, hours int) string
}
