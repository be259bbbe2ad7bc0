package sfrules

import (
	"fmt"
	"strings"
)

// Unit is one piece of a generated statement: either SQL text handed to the
// parser on its own, or Snowflake Scripting control words (BEGIN, EXCEPTION,
// WHEN ... THEN, END, ELSE) that have no SQL of their own.
type Unit struct {
	Name string
	// Role says what the text is: "statement" (a statement within the
	// parser's grammar, whole), "pipe COPY", "task WHEN", "task body",
	// "step" (a statement of a Snowflake Scripting body), "value" (the
	// expression of a LET, an assignment or a DEFAULT, parsed as SELECT
	// <expr>), "condition" (of an IF or WHILE, likewise).
	Role    string
	SQL     string
	Control string
	// InTransaction is true for a step between BEGIN TRANSACTION and the
	// COMMIT or ROLLBACK that follows it in the text.
	InTransaction bool
	// Procedure is true for the steps of a procedure's body.
	Procedure bool
	Statement *Statement

	// Filled by Set.Parse.
	Parsed     bool
	Error      string
	Statements int
	AST        any // the first parsed statement
}

// splitter turns a Snowflake Scripting body into units.
type splitter struct {
	name      string
	procedure bool
	depth     int
	declaring bool
	inTxn     bool
	steps     int
	out       []*Unit
}

// splitScript splits a Snowflake Scripting body (a block, or DECLARE ...
// BEGIN ... END) into its statements, at the semicolons outside string
// constants, quoted names and comments; control words are split off the
// statements they precede, and EXECUTE IMMEDIATE bodies given as constants
// are split in turn.
func splitScript(name, body string, procedure bool) ([]*Unit, error) {
	sp := &splitter{name: name, procedure: procedure}
	if err := sp.split(body); err != nil {
		return nil, err
	}
	if sp.depth != 0 {
		return nil, fmt.Errorf("%s: %d block(s) not closed by END", name, sp.depth)
	}
	return sp.out, nil
}

func (sp *splitter) split(body string) error {
	all, err := lex(body)
	if err != nil {
		return fmt.Errorf("%s: %w", sp.name, err)
	}
	var piece []token
	for _, t := range all {
		if t.kind == punct && t.text == ";" {
			if err := sp.piece(body, code(piece), t.start); err != nil {
				return err
			}
			piece = nil
			continue
		}
		piece = append(piece, t)
	}
	return sp.piece(body, code(piece), len(body))
}

func (sp *splitter) control(words string) {
	sp.out = append(sp.out, &Unit{Name: sp.name, Role: "control", Control: words, InTransaction: sp.inTxn, Procedure: sp.procedure})
}

func (sp *splitter) sql(role, text string) *Unit {
	sp.steps++
	u := &Unit{Name: fmt.Sprintf("%s %s %d", sp.name, role, sp.steps), Role: role, SQL: strings.TrimSpace(text), InTransaction: sp.inTxn, Procedure: sp.procedure}
	sp.out = append(sp.out, u)
	return u
}

// upTo returns the index of the first word among words at parenthesis
// depth 0 in toks from i, or -1.
func upTo(toks []token, i int, words ...string) int {
	depth := 0
	for j := i; j < len(toks); j++ {
		switch toks[j].text {
		case "(":
			depth++
		case ")":
			depth--
		}
		if depth == 0 && toks[j].is(words...) {
			return j
		}
	}
	return -1
}

// piece handles the text of one ;-terminated piece, toks its code tokens,
// end the offset of its semicolon.
func (sp *splitter) piece(body string, toks []token, end int) error {
	rest := func(k int) string { return body[toks[k].start:end] }
	for k := 0; k < len(toks); {
		t := toks[k]
		next := func(words ...string) bool { return k+1 < len(toks) && toks[k+1].is(words...) }
		switch {
		case sp.declaring && !t.is("BEGIN"):
			// name [type] [DEFAULT | := expr] | name CURSOR FOR query | name RESULTSET ...
			if c := upTo(toks, k, "CURSOR"); c == k+1 && c+1 < len(toks) && toks[c+1].is("FOR") {
				sp.control("DECLARE " + t.text + " CURSOR FOR")
				sp.sql("step", rest(c+2))
				return nil
			}
			for j := k + 1; j < len(toks); j++ {
				if toks[j].is("DEFAULT") || toks[j].text == ":=" {
					sp.control("DECLARE " + t.text)
					if j+1 >= len(toks) {
						return fmt.Errorf("%s: declaration of %s has no value", sp.name, t.text)
					}
					sp.sql("value", "SELECT "+rest(j+1))
					return nil
				}
			}
			sp.control("DECLARE " + t.text)
			return nil
		case t.is("DECLARE"):
			sp.declaring = true
			sp.control("DECLARE")
			k++
		case t.is("BEGIN") && !next("TRANSACTION", "WORK", "NAME"):
			sp.declaring = false
			sp.depth++
			sp.control("BEGIN")
			k++
		case t.is("EXCEPTION"):
			sp.control("EXCEPTION")
			k++
		case t.is("WHEN"):
			j := upTo(toks, k, "THEN")
			if j < 0 {
				return fmt.Errorf("%s: exception handler WHEN without THEN", sp.name)
			}
			sp.control(strings.ToUpper(body[t.start:toks[j].end]))
			k = j + 1
		case t.is("END"):
			words := "END"
			if next("IF", "FOR", "LOOP", "WHILE", "CASE", "REPEAT") {
				words += " " + toks[k+1].upper()
			} else {
				sp.depth--
				if sp.depth < 0 {
					return fmt.Errorf("%s: END without a block", sp.name)
				}
			}
			sp.control(words)
			return nil
		case t.is("IF", "ELSEIF", "WHILE"):
			j := upTo(toks, k+1, "THEN", "DO")
			if j < 0 {
				return fmt.Errorf("%s: %s without THEN or DO", sp.name, t.upper())
			}
			sp.control(t.upper())
			sp.sql("condition", "SELECT "+body[toks[k+1].start:toks[j].start])
			k = j + 1
		case t.is("ELSE", "LOOP", "REPEAT"):
			sp.control(t.upper())
			k++
		case t.is("FOR"):
			j := upTo(toks, k+1, "DO", "LOOP")
			if j < 0 {
				return fmt.Errorf("%s: FOR without DO", sp.name)
			}
			sp.control(strings.ToUpper(body[t.start:toks[j].end]))
			k = j + 1
		case t.is("LET"):
			if k+3 < len(toks) && toks[k+2].is("CURSOR") && toks[k+3].is("FOR") {
				sp.control("LET " + toks[k+1].text + " CURSOR FOR")
				sp.sql("step", rest(k+4))
				return nil
			}
			for j := k + 2; j < len(toks); j++ {
				if toks[j].is("DEFAULT") || toks[j].text == ":=" {
					if j+1 >= len(toks) {
						break
					}
					sp.control("LET " + toks[k+1].text)
					sp.sql("value", "SELECT "+rest(j+1))
					return nil
				}
			}
			return fmt.Errorf("%s: LET %s without a value", sp.name, toks[min(k+1, len(toks)-1)].text)
		case k+1 < len(toks) && t.kind == word && toks[k+1].text == ":=":
			sp.control(t.text + " :=")
			if k+2 >= len(toks) {
				return fmt.Errorf("%s: assignment to %s without a value", sp.name, t.text)
			}
			sp.sql("value", "SELECT "+rest(k+2))
			return nil
		case t.is("EXECUTE") && next("IMMEDIATE"):
			sp.sql("step", rest(k))
			if k+2 < len(toks) && (toks[k+2].kind == dollar || toks[k+2].kind == str) {
				inner := &splitter{name: fmt.Sprintf("%s step %d EXECUTE IMMEDIATE", sp.name, sp.steps), procedure: sp.procedure, inTxn: sp.inTxn}
				if err := inner.split(unquote(toks[k+2])); err != nil {
					return err
				}
				if inner.depth != 0 {
					return fmt.Errorf("%s: %d block(s) not closed by END", inner.name, inner.depth)
				}
				sp.out = append(sp.out, inner.out...)
			}
			return nil
		case t.is("SELECT") && intoVars(toks, k) > 0:
			// SELECT ... INTO :v [, :w] FROM ... sets Snowflake Scripting
			// variables (https://docs.snowflake.com/en/sql-reference/constructs/into);
			// the parser has no INTO clause, so the query is parsed
			// without it.
			j := upTo(toks, k, "INTO")
			after := intoVars(toks, k)
			var names []string
			for i := j + 1; i < after; i++ {
				if toks[i].kind == word {
					names = append(names, toks[i].upper())
				}
			}
			sp.control("SELECT INTO :" + strings.Join(names, ", :"))
			sp.sql("step", body[t.start:toks[j].start]+rest(after))
			return nil
		default:
			sp.sql("step", rest(k))
			switch {
			case t.is("BEGIN", "START") && next("TRANSACTION", "WORK"):
				sp.inTxn = true
			case t.is("COMMIT", "ROLLBACK"):
				sp.inTxn = false
			}
			return nil
		}
	}
	return nil
}

// intoVars returns, for a SELECT at toks[k] with an INTO :variable list at
// parenthesis depth 0, the index of the token after that list; 0 when the
// SELECT has none.
func intoVars(toks []token, k int) int {
	j := upTo(toks, k, "INTO")
	if j < 0 {
		return 0
	}
	i := j + 1
	for i+1 < len(toks) && toks[i].text == ":" && toks[i+1].kind == word {
		i += 2
		if i < len(toks) && toks[i].text == "," {
			i++
			continue
		}
		break
	}
	if i == j+1 || i >= len(toks) {
		return 0
	}
	return i
}
