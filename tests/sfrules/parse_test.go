package sfrules

import (
	"fmt"
	"strings"
	"testing"
)

// TestParseCoverage parses every Snowflake statement generated for the
// project's models and the generator's golden specs. A statement within the
// parser's grammar is parsed whole; the others are split (see Set.Add):
// a pipe into its COPY; a task into its WHEN condition (as SELECT <expr>)
// and its body; a procedure's or an EXECUTE IMMEDIATE's Snowflake
// Scripting body into its statements, split at the semicolons outside
// string constants, quoted names, $$ constants and comments. Every SQL
// unit must parse as exactly one statement; a unit that does not is
// reported by name, and so is a statement whose header or body could not
// be split. The count of unparsed units must be zero.
//
// What the parser (sqlparser-rs 0.62, Snowflake dialect) does not read, and
// what checks it instead:
//
//	construct                              checked by
//	CREATE TASK header (properties,        readHeader (the CREATE TASK grammar) and the rules
//	  AFTER, WHEN ... AS)                    task-timeout, root-failure-policy, task-compute,
//	                                         skippable-predecessors, task-graph-finalizer, replace-copy-grants
//	CREATE PIPE header                     readHeader and the rule pipe-not-replaced
//	CREATE PROCEDURE header                readHeader (CREATE PROCEDURE grammar, body one constant)
//	CREATE STREAM                          readHeader and the rule stream-on-table
//	CREATE FILE FORMAT                     readHeader and the rule file-format-lines-as-text
//	ALTER SCHEMA ... SET <property> = ...  readHeader and the rule schema-time-travel
//	Snowflake Scripting control words      the splitter (balanced BEGIN ... END) and the rule
//	  (BEGIN, EXCEPTION, WHEN ... THEN,      transaction-block-rolls-back
//	  END, IF/ELSE, DECLARE, LET, :=)
//	LET / := / DEFAULT values, IF and      parsed as SELECT <expr>
//	  WHILE conditions
//	the text inside EXECUTE IMMEDIATE $$   split and parsed as a Snowflake Scripting body
//	  (opaque to the parser)
func TestParseCoverage(t *testing.T) {
	var parsed, unparsed, control, headers int
	controls := map[string]int{}
	for _, dir := range sortedKeys(generated(t)) {
		set := generated(t)[dir]
		for _, st := range set.Statements {
			if st.Error != "" {
				unparsed++
				t.Errorf("%s: not split: %s", st.Name, st.Error)
				continue
			}
			if st.Header != nil {
				headers++
			}
			for _, u := range st.Units {
				switch {
				case u.SQL == "":
					control++
					controls[strings.Fields(u.Control)[0]]++
				case !u.Parsed:
					unparsed++
					t.Errorf("%s does not parse: %s\n%s", u.Name, u.Error, excerpt(u.SQL, u.Error))
				case u.Statements != 1:
					unparsed++
					t.Errorf("%s parses as %d statements, want 1", u.Name, u.Statements)
				default:
					parsed++
				}
			}
		}
	}
	t.Logf("%d SQL units parsed, %d unparsed; %d headers read outside the parser; %d Snowflake Scripting control units %v",
		parsed, unparsed, headers, control, controls)
	if unparsed != 0 {
		t.Errorf("%d units not parsed, want 0", unparsed)
	}
}

// excerpt shows the line the parser points at.
func excerpt(sql, msg string) string {
	var line int
	if i := strings.Index(msg, "Line: "); i >= 0 {
		fmt.Sscanf(msg[i:], "Line: %d", &line)
	}
	lines := strings.Split(sql, "\n")
	if line < 1 || line > len(lines) {
		if len(sql) > 400 {
			return sql[:400] + "…"
		}
		return sql
	}
	return fmt.Sprintf("line %d: %s", line, lines[line-1])
}
