package deploy

import (
	"regexp"
	"sort"
	"strings"

	"github.com/ledgerloop/trueup/internal/sqlparen"
)

// Definitions are compared after normalization, because what a warehouse
// gives back (Snowflake's GET_DDL, DuckDB's catalog) is not the text that
// was sent. The normal form keeps one clause per line so that a unified
// diff of two normal forms is readable. Both sides go through the same
// function, so each rule below can only make equal what Snowflake treats as
// the same object.
//
// What GET_DDL is documented to change
// (https://docs.snowflake.com/en/sql-reference/functions/get_ddl, and
// SNOWFLAKE.md §9 and §11):
//
//   - keywords in lower case (a view comes back as "create or replace
//     view"), the object's own name unqualified (qualified only with the
//     function's third argument) and possibly double-quoted, a final
//     semicolon: words are upper-cased, a quoted identifier that is a plain
//     upper-case name is the same name unquoted
//     (https://docs.snowflake.com/en/sql-reference/identifiers-syntax),
//     only the name's last part is kept, trailing semicolons are dropped;
//   - a view's column list added after its name, and its comments dropped:
//     a parenthesized list after the name of anything but a procedure is
//     dropped, SQL comments are dropped, and so is a view's COMMENT
//     property (a change of a view's comment alone is not drift);
//   - canonical type names: VARCHAR, STRING and TEXT are VARCHAR(16777216)
//     (https://docs.snowflake.com/en/sql-reference/data-types-text); INT,
//     INTEGER, BIGINT, SMALLINT, TINYINT and BYTEINT are NUMBER(38,0), and
//     NUMBER, DECIMAL and NUMERIC without precision are NUMBER(38,0)
//     (https://docs.snowflake.com/en/sql-reference/data-types-numeric);
//     DOUBLE, DOUBLE PRECISION, REAL, FLOAT4 and FLOAT8 are FLOAT (same
//     page); TIMESTAMP_NTZ, TIMESTAMP_LTZ, TIMESTAMP_TZ and TIME without a
//     precision have precision 9, DATETIME is TIMESTAMP_NTZ and TIMESTAMP
//     is TIMESTAMP_NTZ under the default TIMESTAMP_TYPE_MAPPING
//     (https://docs.snowflake.com/en/sql-reference/data-types-datetime);
//   - default property values added: a property whose value is its
//     documented default is dropped from both sides (defaults below), so
//     leaving a property out and GET_DDL printing its default are equal.
//
// Also: COPY GRANTS is a clause of the CREATE OR REPLACE statement (what
// to do with the replaced object's grants), not a property of the object
// (https://docs.snowflake.com/en/sql-reference/sql/create-view), and
// OR REPLACE / IF NOT EXISTS likewise: all are dropped. Properties before
// AS are sorted, whatever order GET_DDL prints them in. Task parameters
// (USER_TASK_TIMEOUT_MS, SUSPEND_TASK_AFTER_NUM_FAILURES,
// TASK_AUTO_RETRY_ATTEMPTS, OVERLAP_POLICY, TARGET_COMPLETION_INTERVAL,
// ...) are properties of the task like any other: a changed value is a
// change.
//
// Not settled by the docs (SNOWFLAKE.md §11 [U]): the exact GET_DDL text of
// tasks, dynamic tables and pipes (whether it qualifies the names a task's
// AFTER or a stream's ON TABLE refer to, how it spells TARGET_LAG or
// SCHEDULE, which defaults it prints). A difference this normalization
// misses makes deploy recreate an object that did not change (a view, a
// task graph, a dynamic table, which is then re-initialised), never skip
// one that did; only a deploy to a real account can show which.

// defaults are the documented default values of properties, per kind of
// object, in normal form.
var defaults = map[string]map[string]string{
	// https://docs.snowflake.com/en/sql-reference/sql/create-task
	"TASK": {"USER_TASK_TIMEOUT_MS": "3600000", "SUSPEND_TASK_AFTER_NUM_FAILURES": "10",
		"TASK_AUTO_RETRY_ATTEMPTS": "0", "ALLOW_OVERLAPPING_EXECUTION": "FALSE"},
	// https://docs.snowflake.com/en/user-guide/dynamic-tables/refresh-modes
	// (INITIALIZE = ON_CREATE is the default, REFRESH_MODE = AUTO).
	"DYNAMIC TABLE": {"INITIALIZE": "ON_CREATE", "REFRESH_MODE": "AUTO"},
	// https://docs.snowflake.com/en/sql-reference/sql/create-pipe
	"PIPE": {"AUTO_INGEST": "FALSE"},
	// https://docs.snowflake.com/en/sql-reference/sql/create-stream
	"STREAM": {"APPEND_ONLY": "FALSE", "SHOW_INITIAL_ROWS": "FALSE"},
	// https://docs.snowflake.com/en/sql-reference/sql/create-file-format
	// (format type options of CSV).
	"FILE FORMAT": {"TYPE": "CSV", "COMPRESSION": "AUTO", "RECORD_DELIMITER": `'\n'`, "FIELD_DELIMITER": "','",
		"SKIP_HEADER": "0", "TRIM_SPACE": "FALSE", "ERROR_ON_COLUMN_COUNT_MISMATCH": "TRUE", "DATE_FORMAT": "AUTO",
		"TIME_FORMAT": "AUTO", "TIMESTAMP_FORMAT": "AUTO", "BINARY_FORMAT": "HEX", "SKIP_BYTE_ORDER_MARK": "TRUE",
		"ENCODING": "UTF8", "PARSE_HEADER": "FALSE"},
}

type token struct {
	text string
	kind byte // 'w' word, 's' string, 'q' quoted identifier, 'd' $$ block, 'p' punctuation, 'n' number
}

var plainUpper = regexp.MustCompile(`^[A-Z_][A-Z0-9_$]*$`)

// tokenize splits SQL into tokens, dropping whitespace and comments.
func tokenize(s string) []token {
	var out []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '-' && strings.HasPrefix(s[i:], "--"):
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '/' && strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				i = len(s)
			} else {
				i += end + 4
			}
		case c == '$' && strings.HasPrefix(s[i:], "$$"):
			end := strings.Index(s[i+2:], "$$")
			if end < 0 {
				out = append(out, token{s[i:], 'd'})
				i = len(s)
			} else {
				// The block is SQL too (a task's or procedure's body).
				out = append(out, token{join(tokenize(s[i+2 : i+2+end])), 'd'})
				i += end + 4
			}
		case c == '\'':
			j := i + 1
			for j < len(s) {
				if s[j] == '\\' {
					j += 2
					continue
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						j += 2
						continue
					}
					break
				}
				j++
			}
			j = min(j+1, len(s))
			out = append(out, token{s[i:j], 's'})
			i = j
		case c == '"':
			j := i + 1
			for j < len(s) {
				if s[j] == '"' {
					if j+1 < len(s) && s[j+1] == '"' {
						j += 2
						continue
					}
					break
				}
				j++
			}
			j = min(j+1, len(s))
			inner := strings.ReplaceAll(s[i+1:j-1], `""`, `"`)
			if plainUpper.MatchString(inner) {
				out = append(out, token{inner, 'w'})
			} else {
				out = append(out, token{s[i:j], 'q'})
			}
			i = j
		case isWordStart(c):
			j := i
			for j < len(s) && isWordChar(s[j]) {
				j++
			}
			out = append(out, token{strings.ToUpper(s[i:j]), 'w'})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			out = append(out, token{s[i:j], 'n'})
			i = j
		default:
			for _, op := range []string{"::", "=>", "<=", ">=", "<>", "!=", "||"} {
				if strings.HasPrefix(s[i:], op) {
					out = append(out, token{op, 'p'})
					i += len(op)
					goto next
				}
			}
			out = append(out, token{string(c), 'p'})
			i++
		next:
		}
	}
	return canonTypes(out)
}

// typeAliases are the types Snowflake stores under another name, when
// written without a length or precision.
var typeAliases = map[string]string{
	"VARCHAR": "VARCHAR(16777216)", "STRING": "VARCHAR(16777216)", "TEXT": "VARCHAR(16777216)",
	"INT": "NUMBER(38, 0)", "INTEGER": "NUMBER(38, 0)", "BIGINT": "NUMBER(38, 0)", "SMALLINT": "NUMBER(38, 0)",
	"TINYINT": "NUMBER(38, 0)", "BYTEINT": "NUMBER(38, 0)", "NUMBER": "NUMBER(38, 0)", "DECIMAL": "NUMBER(38, 0)",
	"NUMERIC": "NUMBER(38, 0)", "DOUBLE": "FLOAT", "REAL": "FLOAT", "FLOAT4": "FLOAT", "FLOAT8": "FLOAT",
	"TIMESTAMP_NTZ": "TIMESTAMP_NTZ(9)", "TIMESTAMP_LTZ": "TIMESTAMP_LTZ(9)", "TIMESTAMP_TZ": "TIMESTAMP_TZ(9)",
	"TIMESTAMP": "TIMESTAMP_NTZ(9)", "DATETIME": "TIMESTAMP_NTZ(9)", "TIME": "TIME(9)",
}

// canonTypes rewrites type names to the names Snowflake stores: an alias
// without parentheses becomes its canonical form, DECIMAL(p, s) and
// NUMERIC(p, s) become NUMBER(p, s) (NUMBER(p) is NUMBER(p, 0)), DOUBLE
// PRECISION becomes FLOAT. A word after '.' is a column, not a type.
func canonTypes(toks []token) []token {
	var out []token
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind != 'w' || i > 0 && toks[i-1].text == "." || i+1 < len(toks) && toks[i+1].text == "." {
			out = append(out, t)
			continue
		}
		next := ""
		if i+1 < len(toks) {
			next = toks[i+1].text
		}
		switch {
		case t.text == "DOUBLE" && next == "PRECISION":
			out = append(out, token{"FLOAT", 'w'})
			i++
		case (t.text == "NUMBER" || t.text == "DECIMAL" || t.text == "NUMERIC") && next == "(":
			// NUMBER(p) or NUMBER(p, s)
			if i+3 < len(toks) && toks[i+2].kind == 'n' && toks[i+3].text == ")" {
				out = append(out, token{"NUMBER", 'w'}, toks[i+1], toks[i+2], token{",", 'p'}, token{"0", 'n'}, toks[i+3])
				i += 3
				continue
			}
			out = append(out, token{"NUMBER", 'w'})
		case next != "(" && typeAliases[t.text] != "" && next != "WITH" && next != "WITHOUT" && next != "ZONE" &&
			!(i+1 < len(toks) && toks[i+1].kind == 's'):
			name, args, _ := strings.Cut(typeAliases[t.text], "(")
			out = append(out, token{name, 'w'})
			if args != "" {
				out = append(out, token{"(", 'p'})
				for j, a := range strings.Split(strings.TrimSuffix(args, ")"), ", ") {
					if j > 0 {
						out = append(out, token{",", 'p'})
					}
					out = append(out, token{a, 'n'})
				}
				out = append(out, token{")", 'p'})
			}
		default:
			out = append(out, t)
		}
	}
	return out
}

func isWordStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isWordChar(c byte) bool { return isWordStart(c) || c >= '0' && c <= '9' || c == '$' }

// join writes tokens with single spaces, none around '.', none inside
// parentheses edges, none before ',' or ';'.
func join(toks []token) string {
	var b strings.Builder
	for i, t := range toks {
		text := t.text
		if t.kind == 'd' {
			text = "$$" + text + "$$"
		}
		if i > 0 {
			prev := toks[i-1]
			space := true
			switch {
			case t.text == "." || prev.text == "." && prev.kind == 'p':
				space = false
			case t.kind == 'p' && (t.text == "," || t.text == ")" || t.text == ";" || t.text == "::"):
				space = false
			case prev.kind == 'p' && (prev.text == "(" || prev.text == "::" || prev.text == "@" || prev.text == "$"):
				space = false
			case t.text == "(" && (prev.kind == 'w' || prev.kind == 'q'):
				space = false
			}
			if space {
				b.WriteByte(' ')
			}
		}
		b.WriteString(text)
	}
	return b.String()
}

// clauseWords start a clause of a CREATE statement's header.
var clauseWords = map[string]bool{"AFTER": true, "WHEN": true, "RETURNS": true, "LANGUAGE": true, "EXECUTE": true, "COMMENT": true, "ON": true}

// breakWords start a new line in a query body.
var breakWords = map[string]bool{"SELECT": true, "FROM": true, "WHERE": true, "GROUP": true, "HAVING": true, "QUALIFY": true,
	"ORDER": true, "LIMIT": true, "UNION": true, "JOIN": true, "LEFT": true, "INNER": true, "CROSS": true, "FULL": true,
	"WITH": true, "MERGE": true, "USING": true, "WHEN": true, "INSERT": true, "UPDATE": true, "DELETE": true, "SET": true,
	"VALUES": true, "COPY": true, "BEGIN": true, "COMMIT": true, "EXCEPTION": true, "END": true, "CALL": true, "AND": true, "OR": true}

// normalize returns the normal form of one CREATE statement (or of a bare
// query when the text does not start with CREATE), one clause per line.
func normalize(sql string) string {
	toks := tokenize(sql)
	for len(toks) > 0 && toks[len(toks)-1].text == ";" {
		toks = toks[:len(toks)-1]
	}
	if len(toks) == 0 || toks[0].text != "CREATE" {
		return pretty(toks)
	}
	// CREATE [OR REPLACE] [kind words] [IF NOT EXISTS] name [(args)]
	i := 1
	if i+1 < len(toks) && toks[i].text == "OR" && toks[i+1].text == "REPLACE" {
		i += 2
	}
	var kind []string
	for i < len(toks) && toks[i].kind == 'w' && isKindWord(toks[i].text) {
		kind = append(kind, toks[i].text)
		i++
	}
	if i+2 < len(toks) && toks[i].text == "IF" && toks[i+1].text == "NOT" && toks[i+2].text == "EXISTS" {
		i += 3
	}
	// The name, qualified or not: keep its last part.
	name := ""
	for i < len(toks) && (toks[i].kind == 'w' || toks[i].kind == 'q') {
		name = toks[i].text
		if i+1 < len(toks) && toks[i+1].text == "." {
			i += 2
			continue
		}
		i++
		break
	}
	head := "CREATE " + strings.Join(kind, " ") + " " + name
	isProc := len(kind) > 0 && (kind[len(kind)-1] == "PROCEDURE" || kind[len(kind)-1] == "FUNCTION")
	// A parenthesized list right after the name: a procedure's arguments
	// (kept) or a view's column list (dropped: GET_DDL may add one).
	if i < len(toks) && toks[i].text == "(" {
		end := matching(toks, i)
		if isProc {
			head += join(toks[i : end+1])
		}
		i = end + 1
	}
	kindName := strings.Join(kind, " ")
	kindName = strings.TrimPrefix(strings.TrimPrefix(kindName, "SECURE "), "TRANSIENT ")
	toks = dropCopyGrants(toks, i)
	// Header clauses up to the AS that starts the body.
	var clauses []string
	var cur []token
	inWhen := false
	flush := func() {
		if len(cur) > 0 {
			if keep(kindName, cur) {
				clauses = append(clauses, join(cur))
			}
			cur = nil
		}
	}
	depth := 0
	bodyAt := len(toks)
	for j := i; j < len(toks); j++ {
		t := toks[j]
		if t.text == "(" {
			depth++
		}
		if t.text == ")" {
			depth--
		}
		if depth == 0 && t.kind == 'w' && t.text == "AS" && !(j > 0 && toks[j-1].text == "EXECUTE") {
			bodyAt = j + 1
			break
		}
		if depth == 0 && t.kind == 'w' && !inWhen && (clauseWords[t.text] || j+1 < len(toks) && toks[j+1].text == "=") {
			if !(t.text == "AS" || len(cur) > 0 && cur[len(cur)-1].text == "EXECUTE") {
				flush()
			}
			inWhen = t.text == "WHEN"
		}
		cur = append(cur, t)
	}
	flush()
	sort.Strings(clauses)
	lines := []string{strings.TrimSpace(head)}
	for _, c := range clauses {
		lines = append(lines, "  "+c)
	}
	if bodyAt < len(toks) {
		body := toks[bodyAt:]
		lines = append(lines, "AS")
		if len(body) == 1 && (body[0].kind == 'd' || body[0].kind == 's' && isProc) {
			inner := body[0].text
			if body[0].kind == 's' {
				inner = unquote(inner)
			}
			lines = append(lines, "$$", pretty(tokenize(inner)), "$$")
		} else {
			lines = append(lines, pretty(body))
		}
	}
	return strings.Join(lines, "\n")
}

// dropCopyGrants removes COPY GRANTS from a CREATE statement's header
// (from token from to the AS of the body).
func dropCopyGrants(toks []token, from int) []token {
	depth := 0
	for j := from; j+1 < len(toks); j++ {
		switch toks[j].text {
		case "(":
			depth++
		case ")":
			depth--
		}
		if depth == 0 && toks[j].kind == 'w' && toks[j].text == "AS" && !(j > 0 && toks[j-1].text == "EXECUTE") {
			break
		}
		if depth == 0 && toks[j].kind == 'w' && toks[j].text == "COPY" && toks[j+1].text == "GRANTS" {
			return append(append([]token(nil), toks[:j]...), toks[j+2:]...)
		}
	}
	return toks
}

// keep reports whether a header clause of an object of the kind is kept in
// the normal form: a view's COMMENT and a property set to its documented
// default are not.
func keep(kind string, clause []token) bool {
	if len(clause) < 3 || clause[1].text != "=" || clause[0].kind != 'w' {
		return true
	}
	if kind == "VIEW" && clause[0].text == "COMMENT" {
		return false
	}
	def, ok := defaults[kind][clause[0].text]
	if !ok {
		return true
	}
	return propertyValue(clause[2:]) != def
}

var plainValue = regexp.MustCompile(`^'[A-Za-z0-9_]+'$`)

// propertyValue is a property's value in normal form: a quoted plain word
// is the word ('UTF8' and UTF8 are the same value).
func propertyValue(v []token) string {
	if len(v) == 1 && v[0].kind == 's' && plainValue.MatchString(v[0].text) {
		return strings.ToUpper(strings.Trim(v[0].text, "'"))
	}
	return join(v)
}

func isKindWord(w string) bool {
	switch w {
	case "SECURE", "TRANSIENT", "TEMPORARY", "TEMP", "DYNAMIC", "TABLE", "VIEW", "TASK", "PIPE", "STREAM", "PROCEDURE",
		"FUNCTION", "FILE", "FORMAT", "STAGE", "SEQUENCE", "SCHEMA", "MATERIALIZED", "RECURSIVE":
		return true
	}
	return false
}

func matching(toks []token, open int) int {
	if j := sqlparen.Closing(toks, open, tokenText); j >= 0 {
		return j
	}
	return len(toks) - 1
}

func tokenText(t token) string { return t.text }

// unquote reads a single-quoted literal (” and \ escapes).
func unquote(s string) string {
	if len(s) < 2 {
		return s
	}
	s = s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(s[i])
			}
		case s[i] == '\'' && i+1 < len(s) && s[i+1] == '\'':
			b.WriteByte('\'')
			i++
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// pretty writes tokens with a line break before the main keywords of a
// query and after each statement of a block.
func pretty(toks []token) string {
	var lines []string
	var cur []token
	for i, t := range toks {
		if t.kind == 'w' && breakWords[t.text] && len(cur) > 0 && !(i > 0 && breakWords[toks[i-1].text] && toks[i-1].kind == 'w') {
			lines = append(lines, join(cur))
			cur = nil
		}
		cur = append(cur, t)
		if t.text == ";" {
			lines = append(lines, join(cur))
			cur = nil
		}
	}
	if len(cur) > 0 {
		lines = append(lines, join(cur))
	}
	for len(lines) > 0 && lines[len(lines)-1] == ";" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}
