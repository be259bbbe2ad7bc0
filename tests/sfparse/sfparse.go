// Package sfparse checks Snowflake SQL text with a real SQL parser:
// datafusion-sqlparser-rs v0.62 (Snowflake dialect), compiled to WASM and
// shipped on npm as @guanmingchiu/sqlparser-ts 0.62.0.
//
// Contract:
//
//   - The parser runs in Node.js. The npm project lives in tests/sqlparser
//     (package.json + package-lock.json pinning the exact version) and its
//     dependencies are installed with
//     `npm ci --prefix tests/sqlparser --no-audit --no-fund` (`make deps`).
//     [Available] reports whether node and that install are present; callers
//     (tests) decide whether a missing install is a skip or a failure.
//   - [Parse] starts one `node check.mjs` process per call, for the whole
//     batch: the statements go as a JSON array on stdin, the results come
//     back as a JSON array on stdout, one [Result] per [Stmt], in input order.
//   - A SQL text that does not parse is a Result with OK false and the
//     parser's message in Error (e.g. "sql parser error: Expected: an SQL
//     statement, found: SELEC at Line: 1, Column: 1"); Parse itself returns an
//     error only when the checker could not run or answered something
//     unexpected. Statements is the number of statements the parser found in
//     the text (texts may hold several statements separated by ';').
//   - Cost: ~0.2 s per call (node start + WASM init) plus ~0.3-2.5 ms per
//     statement (a MERGE is at the top), so batch statements into one call.
//   - Parsing only checks syntax as the parser understands it: it says nothing
//     about whether objects exist, and the parser is stricter than Snowflake in
//     places (see below), so a failure on a statement kind listed below is a
//     parser gap, not necessarily a bug in the SQL.
//
// Quirks callers must know:
//
//   - SELECT ... INTO :var FROM ..., which sets Snowflake Scripting
//     variables (https://docs.snowflake.com/en/sql-reference/constructs/into),
//     does not parse: [WithoutInto] gives the query without its INTO
//     clause.
//   - A text with no statement (empty, ";", only comments) is OK with
//     Statements == 0: check Statements when a statement is expected.
//   - EXECUTE IMMEDIATE $$...$$ parses, but the $$ body is an opaque string:
//     it is not checked (EXECUTE IMMEDIATE $$ this is not sql $$ is OK).
//     $$...$$ strings work anywhere a string literal does.
//   - The parser is laxer than Snowflake in places (SELECT select FROM t is
//     OK), so a pass is not proof that Snowflake accepts the text.
//   - Tokenizer errors lack the "sql parser error: " prefix (e.g. an
//     unbalanced quote: "Expected close delimiter '"' before EOF. at Line: 1,
//     Column: 15"); some errors at end of input carry no position.
//
// Coverage of the Snowflake dialect in sqlparser-rs 0.62, as recorded by
// TestProbe (go test -v -run Probe ./tests/sfparse), which logs the answer
// for each probe so that an upgrade of the parser shows what changed; only
// TestParses and TestRejects assert.
//
// Parses: SELECT with v:a.b[0] / v['a'] / v:"Key" paths and :: cast chains,
// QUALIFY, LATERAL FLATTEN(input => ...), CHANGES/AT, @stage queries,
// METADATA$ columns, SYSTEM$...() calls, IDENTIFIER('x') / IDENTIFIER($v) /
// IDENTIFIER(:b) (also as a DDL name), "we""ird" quoted names, ? and :1 binds;
// MERGE (with subquery source, DELETE), INSERT OVERWRITE, INSERT ALL;
// COPY INTO table FROM @stage and FROM (SELECT $1, METADATA$FILENAME ...);
// CREATE [OR REPLACE] STAGE; CREATE DYNAMIC TABLE ... TARGET_LAG = '...'
// WAREHOUSE = ... REFRESH_MODE = ... AS SELECT; ALTER DYNAMIC TABLE REFRESH;
// CREATE [TRANSIENT] TABLE IF NOT EXISTS with AUTOINCREMENT START 1 INCREMENT 1
// ORDER / IDENTITY(1,1), TIMESTAMP_NTZ, VARIANT, WITH MASKING POLICY, CLUSTER
// BY, table properties, CLONE, AS SELECT; CREATE OR REPLACE VIEW;
// CREATE SCHEMA/DATABASE/ROLE IF NOT EXISTS; CREATE SEQUENCE [IF NOT EXISTS] s
// [INCREMENT BY n START WITH n]; EXECUTE IMMEDIATE $$...$$; EXECUTE TASK;
// BEGIN [TRANSACTION], COMMIT, ROLLBACK; GRANT (privileges on ALL/FUTURE
// objects, USAGE, OWNERSHIP ... COPY CURRENT GRANTS, ROLE); USE, SET,
// ALTER SESSION, SHOW, LIST @stage, seq.NEXTVAL.
//
// Does not parse (parser error text):
//
//   - CREATE STREAM / TASK / PIPE / MASKING POLICY / FILE FORMAT / WAREHOUSE /
//     FUNCTION: "Expected: an object type after CREATE, found: STREAM"
//     (resp. TASK, PIPE, MASKING, FILE, WAREHOUSE, FUNCTION).
//   - CREATE OR REPLACE STREAM / SCHEMA / SEQUENCE / PROCEDURE / ... :
//     "Expected: [EXTERNAL] TABLE or [MATERIALIZED] VIEW or FUNCTION after
//     CREATE OR REPLACE, found: SCHEMA" (OR REPLACE STAGE, TABLE, VIEW and
//     DYNAMIC TABLE are fine).
//   - ALTER TASK t RESUME|SUSPEND, ALTER PIPE p REFRESH: "Expected: one of VIEW
//     or TYPE or COLLATION or TABLE or INDEX or FUNCTION or AGGREGATE or ROLE or
//     POLICY or CONNECTOR or ICEBERG or SCHEMA or USER or OPERATOR, found: TASK".
//   - Snowflake sequence options: START = 1 INCREMENT = 1 ("Expected: a value,
//     found: =") and START WITH 1 INCREMENT BY 1 ("Expected: end of statement,
//     found: INCREMENT"; INCREMENT must come first).
//   - TARGET_LAG = DOWNSTREAM ("Expected: literal string, found: DOWNSTREAM").
//   - ALTER TABLE t SET CHANGE_TRACKING = TRUE ("Expected: (, found:
//     CHANGE_TRACKING"); ALTER TABLE ... ALTER COLUMN a SET MASKING POLICY m.
//   - Snowflake Scripting outside EXECUTE IMMEDIATE (DECLARE ... BEGIN ... END),
//     PUT, UNDROP ("Expected: an SQL statement, found: PUT").
package sfparse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// Stmt is one SQL text to check. SQL may hold several ';'-separated statements.
type Stmt struct {
	Name string `json:"name"`
	SQL  string `json:"sql"`
}

// Result is the parser's answer for one Stmt. AST, filled by [ParseTrees]
// when the text parsed, is a JSON array with one element per statement:
// sqlparser-rs's serde form of its Statement (an object keyed by the
// variant, e.g. {"Query": {...}}, {"CreateTable": {...}}, {"Merge": {...}}),
// without source spans and tokens, unset fields as null.
type Result struct {
	Name       string          `json:"name"`
	OK         bool            `json:"ok"`
	Error      string          `json:"error"`
	Statements int             `json:"statements"`
	AST        json.RawMessage `json:"ast,omitempty"`
}

// pkgPath is the npm package check.mjs imports, relative to node_modules.
const pkgPath = "@guanmingchiu/sqlparser-ts"

const installHint = "run `make deps` (or `npm ci --prefix tests/sqlparser --no-audit --no-fund`)"

// Dir returns the tests/sqlparser folder of the module, found by walking up
// from the current working directory to the folder containing go.mod.
func Dir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("sfparse: getwd: %w", err)
	}
	for d := wd; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			dir := filepath.Join(d, "tests", "sqlparser")
			if _, err := os.Stat(filepath.Join(dir, "check.mjs")); err != nil {
				return "", fmt.Errorf("sfparse: find checker: %w", err)
			}
			return dir, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("sfparse: no go.mod in %s or any parent", wd)
		}
		d = parent
	}
}

// Available reports whether Parse can run: nil when node is on PATH and the
// npm dependencies of tests/sqlparser are installed.
func Available() error {
	if _, err := exec.LookPath("node"); err != nil {
		return fmt.Errorf("sfparse: node not found on PATH (install Node.js 20+, then %s): %w", installHint, err)
	}
	dir, err := Dir()
	if err != nil {
		return err
	}
	mod := filepath.Join(dir, "node_modules", filepath.FromSlash(pkgPath))
	if _, err := os.Stat(mod); err != nil {
		return fmt.Errorf("sfparse: %s is not installed: %s", pkgPath, installHint)
	}
	return nil
}

// Parse checks every statement with the Snowflake dialect in a single node
// process and returns one Result per Stmt, in input order.
func Parse(stmts []Stmt) ([]Result, error) { return run(stmts, false) }

// ParseTrees is Parse that also returns each parsed text's syntax tree in
// Result.AST. The trees make the answer about ten times larger than Parse's.
func ParseTrees(stmts []Stmt) ([]Result, error) { return run(stmts, true) }

// request is a Stmt as check.mjs reads it.
type request struct {
	Stmt
	AST bool `json:"ast,omitempty"`
}

func run(stmts []Stmt, trees bool) ([]Result, error) {
	if len(stmts) == 0 {
		return []Result{}, nil
	}
	if err := Available(); err != nil {
		return nil, err
	}
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	reqs := make([]request, len(stmts))
	for i, s := range stmts {
		reqs[i] = request{Stmt: s, AST: trees}
	}
	in, err := json.Marshal(reqs)
	if err != nil {
		return nil, fmt.Errorf("sfparse: encode input: %w", err)
	}

	var stdout, stderr bytes.Buffer
	cmd := exec.Command("node", "check.mjs")
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(in)
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		return nil, fmt.Errorf("sfparse: run node: %w", err)
	}

	var out []Result
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return nil, fmt.Errorf("sfparse: decode output: %w (stdout %q)", err, truncate(stdout.String(), 200))
	}
	if len(out) != len(stmts) {
		return nil, fmt.Errorf("sfparse: got %d results for %d statements", len(out), len(stmts))
	}
	for i := range out {
		if out[i].Name != stmts[i].Name {
			return nil, fmt.Errorf("sfparse: result %d is for %q, want %q", i, out[i].Name, stmts[i].Name)
		}
		if !out[i].OK && out[i].Error == "" {
			return nil, errors.New("sfparse: failed result without error text for " + stmts[i].Name)
		}
	}
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// intoClause is the INTO :var [, :var] clause of a Snowflake Scripting
// SELECT.
var intoClause = regexp.MustCompile(`(?i)\sINTO\s+:[A-Z_][A-Z0-9_$]*(\s*,\s*:[A-Z_][A-Z0-9_$]*)*\s`)

// WithoutInto returns sql without the INTO :variable clause of a SELECT
// that sets Snowflake Scripting variables, which the parser lacks; other
// text is returned as it is.
func WithoutInto(sql string) string {
	return intoClause.ReplaceAllString(sql, " ")
}
