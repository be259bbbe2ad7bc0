package deploy

import (
	"regexp"
	"sort"
	"strings"
)

// Definitions are compared after normalization, because what a warehouse
// gives back (Snowflake's GET_DDL, DuckDB's catalog) is not the text that
// was sent: whitespace, comments, the case of keywords and identifiers,
// quoting of plain identifiers, trailing semicolons, OR REPLACE / IF NOT
// EXISTS, how the object's own name is qualified, and the order of the
// properties before AS may all differ. The normal form keeps one clause per
// line so that a unified diff of two normal forms is readable.

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
	// Header clauses up to the AS that starts the body.
	var clauses []string
	var cur []token
	inWhen := false
	flush := func() {
		if len(cur) > 0 {
			clauses = append(clauses, join(cur))
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

func isKindWord(w string) bool {
	switch w {
	case "SECURE", "TRANSIENT", "TEMPORARY", "TEMP", "DYNAMIC", "TABLE", "VIEW", "TASK", "PIPE", "STREAM", "PROCEDURE",
		"FUNCTION", "FILE", "FORMAT", "STAGE", "SEQUENCE", "SCHEMA", "MATERIALIZED", "RECURSIVE":
		return true
	}
	return false
}

func matching(toks []token, open int) int {
	depth := 0
	for j := open; j < len(toks); j++ {
		switch toks[j].text {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(toks) - 1
}

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
