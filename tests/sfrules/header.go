package sfrules

import (
	"fmt"
	"strings"

	"github.com/ledgerloop/trueup/internal/sqlparen"
)

// Header is the part of a CREATE statement that the parser's grammar does
// not cover (tasks, pipes, procedures, streams, file formats), read by the
// grammar of Snowflake's CREATE pages: the name, the properties and
// clauses, and the body after AS.
type Header struct {
	Kind        string // TASK, PIPE, PROCEDURE, STREAM, FILE FORMAT or ALTER SCHEMA
	OrReplace   bool
	IfNotExists bool
	Name        string
	Args        string            // a procedure's argument list, without the parentheses
	Options     map[string]string // KEY = value properties (string constants unquoted), RETURNS, LANGUAGE, EXECUTE AS
	CopyGrants  bool
	After       []string // a task's predecessors
	When        string   // a task's WHEN expression, as written
	OnTable     string   // a stream's table
	Body        string   // after AS: a task's or pipe's statement, a procedure's unquoted body
}

// Option returns a property's value and whether it is set.
func (h *Header) Option(key string) (string, bool) {
	v, ok := h.Options[key]
	return v, ok
}

// headerKinds are the CREATE statements read here, longest first.
var headerKinds = [][]string{{"FILE", "FORMAT"}, {"TASK"}, {"PIPE"}, {"PROCEDURE"}, {"STREAM"}}

// readHeader reads the header of a CREATE statement outside the parser's
// grammar; it returns nil and no error for any other statement.
func readHeader(sql string) (*Header, error) {
	all, err := lex(sql)
	if err != nil {
		return nil, err
	}
	toks := code(all)
	if len(toks) > 0 && toks[len(toks)-1].text == ";" {
		toks = toks[:len(toks)-1]
	}
	i := 0
	if h, ok, err := readSecurity(sql, toks); ok {
		return h, err
	}
	if len(toks) > 1 && toks[0].is("ALTER") && toks[1].is("SCHEMA") {
		return readAlterSchema(toks)
	}
	if i >= len(toks) || !toks[i].is("CREATE") {
		return nil, nil
	}
	i++
	h := &Header{Options: map[string]string{}}
	if i+1 < len(toks) && toks[i].is("OR") && toks[i+1].is("REPLACE") {
		h.OrReplace = true
		i += 2
	}
	for _, kind := range headerKinds {
		if i+len(kind) > len(toks) {
			continue
		}
		match := true
		for j, w := range kind {
			if !toks[i+j].is(w) {
				match = false
			}
		}
		if match {
			h.Kind = strings.Join(kind, " ")
			i += len(kind)
			break
		}
	}
	if h.Kind == "" {
		return nil, nil
	}
	if i+2 < len(toks) && toks[i].is("IF") && toks[i+1].is("NOT") && toks[i+2].is("EXISTS") {
		h.IfNotExists = true
		i += 3
	}
	var n int
	h.Name, n = objectName(toks[i:])
	if n == 0 {
		return nil, fmt.Errorf("CREATE %s: no name", h.Kind)
	}
	i += n
	if h.Kind == "PROCEDURE" {
		end := group(toks, i)
		if end < 0 {
			return nil, fmt.Errorf("CREATE PROCEDURE %s: no argument list", h.Name)
		}
		h.Args = strings.TrimSpace(sql[toks[i].end:toks[end].start])
		i = end + 1
	}
	for i < len(toks) {
		t := toks[i]
		switch {
		case t.is("AS"):
			if h.Kind == "PROCEDURE" {
				if i != len(toks)-2 || (toks[i+1].kind != dollar && toks[i+1].kind != str) {
					return nil, fmt.Errorf("CREATE PROCEDURE %s: the body after AS is not one string constant", h.Name)
				}
				h.Body = unquote(toks[i+1])
			} else {
				h.Body = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(sql[t.end:]), ";"))
				if h.Kind == "STREAM" || h.Kind == "FILE FORMAT" {
					return nil, fmt.Errorf("CREATE %s %s: unexpected AS", h.Kind, h.Name)
				}
			}
			return h, nil
		case t.is("COPY") && i+1 < len(toks) && toks[i+1].is("GRANTS"):
			h.CopyGrants = true
			i += 2
		case t.is("AFTER") && h.Kind == "TASK":
			i++
			for {
				nm, n := objectName(toks[i:])
				if n == 0 {
					return nil, fmt.Errorf("CREATE TASK %s: AFTER without a task name", h.Name)
				}
				h.After = append(h.After, nm)
				i += n
				if i < len(toks) && toks[i].text == "," {
					i++
					continue
				}
				break
			}
		case t.is("WHEN") && h.Kind == "TASK":
			j, depth := i+1, 0
			for ; j < len(toks); j++ {
				switch toks[j].text {
				case "(":
					depth++
				case ")":
					depth--
				}
				if depth == 0 && toks[j].is("AS") {
					break
				}
			}
			if j >= len(toks) || j == i+1 {
				return nil, fmt.Errorf("CREATE TASK %s: WHEN without a condition or AS", h.Name)
			}
			h.When = strings.TrimSpace(sql[t.end:toks[j].start])
			i = j
		case t.is("ON") && h.Kind == "STREAM" && i+1 < len(toks) && toks[i+1].is("TABLE", "VIEW"):
			nm, n := objectName(toks[i+2:])
			if n == 0 {
				return nil, fmt.Errorf("CREATE STREAM %s: ON %s without a name", h.Name, toks[i+1].upper())
			}
			h.OnTable = nm
			i += 2 + n
		case t.is("WITH") && i+1 < len(toks) && toks[i+1].is("TAG"):
			end := group(toks, i+2)
			if end < 0 {
				return nil, fmt.Errorf("CREATE %s %s: WITH TAG without a list", h.Kind, h.Name)
			}
			h.Options["TAG"] = sql[toks[i+2].start:toks[end].end]
			i = end + 1
		case h.Kind == "PROCEDURE" && t.is("RETURNS"):
			j := i + 1
			for j < len(toks) && !toks[j].is("LANGUAGE", "COMMENT", "EXECUTE", "AS", "CALLED", "STRICT", "IMMUTABLE", "VOLATILE") {
				j++
			}
			if j == i+1 || j >= len(toks) {
				return nil, fmt.Errorf("CREATE PROCEDURE %s: RETURNS without a type", h.Name)
			}
			h.Options["RETURNS"] = strings.TrimSpace(sql[t.end:toks[j].start])
			i = j
		case h.Kind == "PROCEDURE" && t.is("LANGUAGE") && i+1 < len(toks):
			h.Options["LANGUAGE"] = toks[i+1].upper()
			i += 2
		case h.Kind == "PROCEDURE" && t.is("EXECUTE") && i+2 < len(toks) && toks[i+1].is("AS"):
			h.Options["EXECUTE AS"] = toks[i+2].upper()
			i += 3
		case t.kind == word && i+2 < len(toks) && toks[i+1].text == "=":
			key := t.upper()
			v := toks[i+2]
			switch {
			case v.kind == str || v.kind == dollar:
				h.Options[key] = unquote(v)
				i += 3
			case v.text == "(":
				end := group(toks, i+2)
				if end < 0 {
					return nil, fmt.Errorf("CREATE %s %s: %s = ( without )", h.Kind, h.Name, key)
				}
				h.Options[key] = sql[v.start:toks[end].end]
				i = end + 1
			default:
				nm, n := objectName(toks[i+2:])
				if n == 0 {
					if v.kind != number {
						return nil, fmt.Errorf("CREATE %s %s: %s = %q is not a value", h.Kind, h.Name, key, v.text)
					}
					nm, n = v.text, 1
				}
				h.Options[key] = nm
				i += 2 + n
			}
		default:
			return nil, fmt.Errorf("CREATE %s %s: unexpected %q in the header", h.Kind, h.Name, t.text)
		}
	}
	if h.Kind == "TASK" || h.Kind == "PIPE" || h.Kind == "PROCEDURE" {
		return nil, fmt.Errorf("CREATE %s %s: no AS", h.Kind, h.Name)
	}
	return h, nil
}

// objectName reads a dotted name at the start of toks and returns it with
// the number of tokens it took (0 when toks does not start with a name).
func objectName(toks []token) (string, int) {
	n := 0
	for n < len(toks) && (toks[n].kind == word || toks[n].kind == quoted) {
		n++
		if n < len(toks) && toks[n].text == "." {
			n++
			continue
		}
		break
	}
	if n == 0 {
		return "", 0
	}
	if toks[n-1].text == "." {
		return "", 0
	}
	return name(toks[:n]), n
}

// group returns the index of the ) closing the ( at toks[i], or -1.
func group(toks []token, i int) int {
	if i >= len(toks) || toks[i].text != "(" {
		return -1
	}
	return sqlparen.Closing(toks, i, func(t token) string { return t.text })
}

// readAlterSchema reads ALTER SCHEMA <name> SET <key> = <value> [...], the
// form the parser's grammar lacks; any other ALTER SCHEMA is an error.
func readAlterSchema(toks []token) (*Header, error) {
	h := &Header{Kind: "ALTER SCHEMA", Options: map[string]string{}}
	name, n := objectName(toks[2:])
	if n == 0 {
		return nil, fmt.Errorf("ALTER SCHEMA: no name")
	}
	h.Name = name
	i := 2 + n
	if i >= len(toks) || !toks[i].is("SET") {
		return nil, fmt.Errorf("ALTER SCHEMA %s: only SET <property> = <value> is read", h.Name)
	}
	i++
	for i < len(toks) {
		if i+2 >= len(toks) || toks[i+1].text != "=" {
			return nil, fmt.Errorf("ALTER SCHEMA %s: want <property> = <value> at %q", h.Name, toks[i].text)
		}
		v := toks[i+2]
		if v.kind == str || v.kind == dollar {
			h.Options[strings.ToUpper(toks[i].text)] = unquote(v)
		} else {
			h.Options[strings.ToUpper(toks[i].text)] = v.text
		}
		i += 3
		if i < len(toks) && toks[i].text == "," {
			i++
		}
	}
	if len(h.Options) == 0 {
		return nil, fmt.Errorf("ALTER SCHEMA %s: SET without a property", h.Name)
	}
	return h, nil
}
