package sfrules

import (
	"strings"
)

// Parts is what the Snowflake parser of tests/sfparse checks of one
// generated statement.
type Parts struct {
	// Whole is true when the statement as a whole is within the parser's
	// grammar.
	Whole bool
	// Bodies are the parts parsed on their own: a policy's body (as
	// SELECT <body>), a pipe's COPY, a task's or a procedure's steps, a
	// view's or dynamic table's query.
	Bodies []string
}

// Texts are the SQL texts to parse: the statement when it is whole, then
// its bodies.
func (p Parts) Texts(sql string) []string {
	var out []string
	if p.Whole {
		out = append(out, sql)
	}
	return append(out, p.Bodies...)
}

// PartsOf decides by the statement's form what the parser reads of it.
// A statement readHeader knows (CREATE TASK, PIPE, PROCEDURE, STREAM, FILE
// FORMAT, ALTER SCHEMA ... SET, the security statements of security.go) is
// outside the grammar; any other is parsed whole, so that a new form the
// parser lacks fails its test rather than going unchecked.
func PartsOf(sql string) Parts {
	h, err := readHeader(sql)
	if err != nil || h == nil {
		return Parts{Whole: true, Bodies: query(sql)}
	}
	switch h.Kind {
	case KindMaskingPolicy, KindRowAccessPolicy, KindAlterPolicy:
		return Parts{Bodies: []string{"SELECT " + h.Body}}
	case "PIPE":
		return Parts{Bodies: []string{h.Body}}
	case "TASK":
		body := h.Body
		const block = "EXECUTE IMMEDIATE $$"
		if !strings.HasPrefix(body, block) || !strings.HasSuffix(body, "$$") {
			return Parts{Bodies: []string{body}}
		}
		return Parts{Bodies: steps(body[len(block) : len(body)-2])}
	case "PROCEDURE":
		return Parts{Bodies: steps(h.Body)}
	}
	return Parts{}
}

// query is the query of CREATE OR REPLACE VIEW | DYNAMIC TABLE ... AS
// <query>, which is parsed again on its own.
func query(sql string) []string {
	toks, err := lex(sql)
	if err != nil {
		return nil
	}
	toks = code(toks)
	if !words(toks, 0, "CREATE", "OR", "REPLACE", "VIEW") && !words(toks, 0, "CREATE", "OR", "REPLACE", "DYNAMIC", "TABLE") {
		return nil
	}
	for _, t := range toks {
		if t.is("AS") {
			return []string{strings.TrimSpace(sql[t.end:])}
		}
	}
	return nil
}

// steps are the statements of the transaction block the Snowflake renderer
// writes (BEGIN TRANSACTION; <step>; ... COMMIT;), each indented by two
// spaces: the DECLARE, COMMIT, RETURN and EXCEPTION parts are the
// renderer's own and are read by the rules instead.
func steps(block string) []string {
	const begin, commit = "  BEGIN TRANSACTION;\n", "  COMMIT;\n"
	i := strings.Index(block, begin)
	j := strings.LastIndex(block, commit)
	if i < 0 || j < i+len(begin) {
		return nil
	}
	inner := block[i+len(begin) : j]
	toks, err := lex(inner)
	if err != nil {
		return nil
	}
	var out []string
	start := 0
	for _, t := range toks {
		if t.text != ";" {
			continue
		}
		s := strings.TrimPrefix(inner[start:t.start], "\n")
		out = append(out, strings.ReplaceAll(strings.TrimPrefix(s, "  "), "\n  ", "\n"))
		start = t.end
	}
	return out
}
