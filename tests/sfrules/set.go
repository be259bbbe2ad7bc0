package sfrules

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/dialect/snowflake"
	"github.com/ledgerloop/trueup/tests/sfparse"
)

// Statement is one generated Snowflake statement and the units it was split
// into.
type Statement struct {
	Name string
	SQL  string
	// Header is set for a CREATE statement outside the parser's grammar
	// (task, pipe, procedure, stream, file format).
	Header *Header
	Units  []*Unit
	// Error says why the statement could not be split (a header or body
	// that the readers here do not understand); it then has no units.
	Error string
}

// Set is the statements of one rendering, which the rules check together.
type Set struct {
	Statements []*Statement
	parsed     bool
}

// Gather compiles the spec in models and renders it for Snowflake.
func Gather(models string) (*Set, error) {
	p, err := generator.Compile(models)
	if err != nil {
		return nil, err
	}
	files, err := generator.Render(p, snowflake.Name)
	if err != nil {
		return nil, err
	}
	set := &Set{}
	for _, f := range files {
		for i, s := range f.Statements {
			set.Add(fmt.Sprintf("%s: %s #%d", models, f.Path, i+1), s.SQL)
		}
	}
	return set, nil
}

// FromSQL makes a set of hand-written statements, named #1, #2, ...
func FromSQL(stmts ...string) *Set {
	set := &Set{}
	for i, s := range stmts {
		set.Add(fmt.Sprintf("#%d", i+1), s)
	}
	return set
}

// Add splits a statement into units and adds it to the set.
func (s *Set) Add(name, sql string) *Statement {
	st := &Statement{Name: name, SQL: sql}
	s.Statements = append(s.Statements, st)
	s.parsed = false
	h, err := readHeader(sql)
	if err != nil {
		st.Error = err.Error()
		return st
	}
	st.Header = h
	if h == nil {
		st.Units = []*Unit{{Name: name, Role: "statement", SQL: strings.TrimSpace(sql)}}
		return st.own()
	}
	switch h.Kind {
	case KindMaskingPolicy, KindRowAccessPolicy, KindAlterPolicy:
		st.Units = []*Unit{{Name: name + " body", Role: "policy body", SQL: "SELECT " + h.Body}}
	case "PIPE":
		st.Units = []*Unit{{Name: name + " COPY", Role: "pipe COPY", SQL: h.Body}}
	case "PROCEDURE":
		units, err := splitScript(name, h.Body, true)
		if err != nil {
			st.Error = err.Error()
			return st
		}
		st.Units = units
	case "TASK":
		if h.When != "" {
			st.Units = append(st.Units, &Unit{Name: name + " WHEN", Role: "task WHEN", SQL: "SELECT " + h.When})
		}
		body := strings.ToUpper(strings.TrimSpace(stripComments(h.Body)))
		if strings.HasPrefix(body, "BEGIN") || strings.HasPrefix(body, "DECLARE") || strings.HasPrefix(body, "EXECUTE IMMEDIATE") {
			units, err := splitScript(name, h.Body, false)
			if err != nil {
				st.Error = err.Error()
				return st
			}
			st.Units = append(st.Units, units...)
		} else {
			st.Units = append(st.Units, &Unit{Name: name + " body", Role: "task body", SQL: h.Body})
		}
	}
	return st.own()
}

func (st *Statement) own() *Statement {
	for _, u := range st.Units {
		u.Statement = st
	}
	return st
}

func stripComments(s string) string {
	toks, err := lex(s)
	if err != nil {
		return s
	}
	var b strings.Builder
	for _, t := range code(toks) {
		b.WriteString(t.text + " ")
	}
	return b.String()
}

// Parse parses every SQL unit of the set in one parser run, keeping the
// trees; it runs once per set.
func (s *Set) Parse() error { return Parse(s) }

// Parse parses the SQL units of several sets in one parser run.
func Parse(sets ...*Set) error {
	var units []*Unit
	var stmts []sfparse.Stmt
	for _, s := range sets {
		if s.parsed {
			continue
		}
		for _, st := range s.Statements {
			for _, u := range st.Units {
				if u.SQL != "" {
					units = append(units, u)
					stmts = append(stmts, sfparse.Stmt{Name: u.Name, SQL: u.SQL})
				}
			}
		}
	}
	if len(units) == 0 {
		return nil
	}
	res, err := sfparse.ParseTrees(stmts)
	if err != nil {
		return err
	}
	for i, r := range res {
		u := units[i]
		u.Parsed, u.Error, u.Statements, u.AST = r.OK, r.Error, r.Statements, nil
		if r.OK && len(r.AST) > 0 {
			var trees []any
			if err := json.Unmarshal(r.AST, &trees); err != nil {
				return fmt.Errorf("%s: decode tree: %w", u.Name, err)
			}
			if len(trees) > 0 {
				u.AST = trees[0]
			}
		}
	}
	for _, s := range sets {
		s.parsed = true
	}
	return nil
}

// Units returns every unit of the set that parsed as one statement.
func (s *Set) Units() []*Unit {
	var out []*Unit
	for _, st := range s.Statements {
		for _, u := range st.Units {
			if u.AST != nil {
				out = append(out, u)
			}
		}
	}
	return out
}

// Headers returns the statements with a header of the given kind.
func (s *Set) Headers(kind string) []*Statement {
	var out []*Statement
	for _, st := range s.Statements {
		if st.Header != nil && st.Header.Kind == kind {
			out = append(out, st)
		}
	}
	return out
}
