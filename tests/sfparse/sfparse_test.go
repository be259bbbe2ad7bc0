package sfparse

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ledgerloop/trueup/internal/testenv"
)

// requireParser ends the test when the parser is not installed: it fails,
// or is skipped when TRUEUP_SKIP_MISSING names the parser.
func requireParser(t *testing.T) {
	t.Helper()
	if err := Available(); err != nil {
		testenv.MissingTool(t, testenv.ToolParser, err.Error(), "")
	}
}

func parse(t *testing.T, stmts []Stmt) []Result {
	t.Helper()
	res, err := Parse(stmts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(stmts) {
		t.Fatalf("got %d results for %d statements", len(res), len(stmts))
	}
	for i := range res {
		if res[i].Name != stmts[i].Name {
			t.Fatalf("result %d is %q, want %q", i, res[i].Name, stmts[i].Name)
		}
	}
	return res
}

// mustParse are real Snowflake statements of the kinds the project generates.
var mustParse = []Stmt{
	{"merge_qualify", `MERGE INTO gold.t AS t USING (SELECT a, b FROM s QUALIFY ROW_NUMBER() OVER (PARTITION BY a ORDER BY b DESC) = 1) AS s ON t.a = s.a WHEN MATCHED THEN UPDATE SET b = s.b WHEN NOT MATCHED THEN INSERT (a, b) VALUES (s.a, s.b)`},
	{"variant_path_cast", `SELECT v:payload.Name::VARCHAR FROM raw.t`},
	{"dynamic_table", `CREATE DYNAMIC TABLE gold.d TARGET_LAG = '5 minutes' WAREHOUSE = wh REFRESH_MODE = INCREMENTAL AS SELECT a, SUM(b) AS b FROM silver.t GROUP BY a`},
	{"lateral_flatten", `SELECT f.value::VARCHAR FROM t, LATERAL FLATTEN(input => t.doc:a) f`},
	{"copy_into_transform", `COPY INTO raw.t (line, file_name) FROM (SELECT $1, METADATA$FILENAME FROM @raw.stage)`},
}

func TestParses(t *testing.T) {
	requireParser(t)
	for _, r := range parse(t, mustParse) {
		if !r.OK {
			t.Errorf("%s: does not parse: %s", r.Name, r.Error)
			continue
		}
		if r.Statements != 1 {
			t.Errorf("%s: %d statements, want 1", r.Name, r.Statements)
		}
	}
}

func TestMultipleStatements(t *testing.T) {
	requireParser(t)
	res := parse(t, []Stmt{{"two", "SELECT 1; SELECT 2;"}})
	if !res[0].OK || res[0].Statements != 2 {
		t.Errorf("got %+v, want ok with 2 statements", res[0])
	}
}

func TestRejects(t *testing.T) {
	requireParser(t)
	bad := []Stmt{
		{"typo_keyword", `SELEC 1 FROM`},
		{"dangling_from", `SELECT 1 FROM`},
		{"unclosed_paren", `SELECT (1 FROM t`},
	}
	for _, r := range parse(t, bad) {
		if r.OK {
			t.Errorf("%s: parsed, want a parse error", r.Name)
		} else if strings.TrimSpace(r.Error) == "" {
			t.Errorf("%s: failed without an error message", r.Name)
		} else {
			t.Logf("%s: %s", r.Name, r.Error)
		}
	}
}

// A bad statement must not disturb the results of the others in the batch.
func TestBatchIsolation(t *testing.T) {
	requireParser(t)
	res := parse(t, []Stmt{
		{"good1", "SELECT 1"},
		{"bad", "SELEC 1"},
		{"good2", "SELECT 2"},
	})
	if !res[0].OK || res[1].OK || !res[2].OK {
		t.Errorf("got %+v", res)
	}
}

func TestEmpty(t *testing.T) {
	res, err := Parse(nil)
	if err != nil || len(res) != 0 {
		t.Fatalf("Parse(nil) = %v, %v", res, err)
	}
}

// probes are statement kinds we may need. Whether they parse is recorded (t.Log),
// not asserted: the outcome documents the parser's coverage (see package doc).
var probes = []Stmt{
	// the list asked about
	{"create_stream", `CREATE STREAM raw.s ON TABLE raw.t APPEND_ONLY = TRUE`},
	{"create_task", `CREATE TASK raw.k WAREHOUSE = wh SCHEDULE = '5 MINUTE' WHEN SYSTEM$STREAM_HAS_DATA('RAW.S') AS INSERT INTO gold.t SELECT a FROM raw.s`},
	{"create_pipe", `CREATE PIPE raw.p AUTO_INGEST = TRUE AS COPY INTO raw.t FROM @raw.stage FILE_FORMAT = (TYPE = 'JSON')`},
	{"create_masking_policy", `CREATE MASKING POLICY gold.m AS (val STRING) RETURNS STRING -> CASE WHEN CURRENT_ROLE() IN ('ADMIN') THEN val ELSE '***' END`},
	{"create_file_format", `CREATE FILE FORMAT raw.ff TYPE = 'CSV' FIELD_DELIMITER = ',' SKIP_HEADER = 1`},
	{"create_stage", `CREATE STAGE raw.stage URL = 's3://bucket/path/' FILE_FORMAT = (TYPE = 'JSON')`},
	{"execute_immediate_dollar", "EXECUTE IMMEDIATE $$\nBEGIN\n  CREATE TABLE t (a INT);\n  RETURN 'ok';\nEND;\n$$"},
	{"begin_transaction", `BEGIN TRANSACTION`},
	{"commit", `COMMIT`},
	{"create_schema_if_not_exists", `CREATE SCHEMA IF NOT EXISTS raw`},
	{"create_table_autoincrement", `CREATE TABLE IF NOT EXISTS t (a NUMBER(38,0) AUTOINCREMENT START 1 INCREMENT 1 ORDER, b VARCHAR, c TIMESTAMP_NTZ, d VARIANT)`},
	{"create_sequence", `CREATE SEQUENCE IF NOT EXISTS raw.seq`},
	{"alter_task_resume", `ALTER TASK t RESUME`},
	{"system_stream_has_data", `SELECT SYSTEM$STREAM_HAS_DATA('RAW.S')`},
	{"grant_select_all", `GRANT SELECT ON ALL TABLES IN SCHEMA gold TO ROLE reader`},
	{"grant_select_future", `GRANT SELECT ON FUTURE TABLES IN SCHEMA gold TO ROLE reader`},
	{"grant_usage_schema", `GRANT USAGE ON SCHEMA gold TO ROLE reader`},
	{"grant_ownership", `GRANT OWNERSHIP ON TABLE t TO ROLE r COPY CURRENT GRANTS`},
	{"grant_role", `GRANT ROLE r TO USER u`},

	// variants and neighbours of the above
	{"create_or_replace_stream", `CREATE OR REPLACE STREAM raw.s ON TABLE raw.t`},
	{"create_or_replace_stage", `CREATE OR REPLACE STAGE raw.stage`},
	{"create_or_replace_schema", `CREATE OR REPLACE SCHEMA raw`},
	{"create_or_replace_sequence", `CREATE OR REPLACE SEQUENCE raw.seq`},
	{"sequence_start_eq", `CREATE SEQUENCE raw.seq START = 1 INCREMENT = 1`},
	{"sequence_start_with_first", `CREATE SEQUENCE raw.seq START WITH 1 INCREMENT BY 1`},
	{"sequence_increment_first", `CREATE SEQUENCE raw.seq INCREMENT BY 1 START WITH 1`},
	{"alter_task_suspend", `ALTER TASK t SUSPEND`},
	{"execute_task", `EXECUTE TASK t`},
	{"alter_pipe_refresh", `ALTER PIPE p REFRESH`},
	{"execute_immediate_garbage", `EXECUTE IMMEDIATE $$ this is not sql $$`},
	{"begin", `BEGIN`},
	{"rollback", `ROLLBACK`},
	{"begin_select_commit", `BEGIN; SELECT 1; COMMIT;`},
	{"scripting_block", `DECLARE x INT; BEGIN x := 1; END;`},
	{"create_function_dollar", `CREATE OR REPLACE FUNCTION f(x INT) RETURNS INT AS $$ x + 1 $$`},
	{"create_procedure", `CREATE OR REPLACE PROCEDURE p() RETURNS STRING LANGUAGE SQL AS $$ BEGIN RETURN 'x'; END $$`},
	{"create_warehouse", `CREATE WAREHOUSE IF NOT EXISTS wh WAREHOUSE_SIZE = 'XSMALL'`},
	{"create_database", `CREATE DATABASE IF NOT EXISTS db`},
	{"create_role", `CREATE ROLE IF NOT EXISTS r`},
	{"dynamic_table_downstream", `CREATE OR REPLACE DYNAMIC TABLE d TARGET_LAG = DOWNSTREAM WAREHOUSE = wh AS SELECT 1`},
	{"alter_dynamic_table_refresh", `ALTER DYNAMIC TABLE d REFRESH`},
	{"alter_table_change_tracking", `ALTER TABLE t SET CHANGE_TRACKING = TRUE`},
	{"alter_column_masking", `ALTER TABLE t ALTER COLUMN a SET MASKING POLICY m`},
	{"column_with_masking", `CREATE TABLE t (a VARCHAR WITH MASKING POLICY m)`},
	{"create_table_props", `CREATE TABLE t (a INT) DATA_RETENTION_TIME_IN_DAYS = 1 CHANGE_TRACKING = TRUE COMMENT = 'x'`},
	{"create_table_identity", `CREATE TABLE t (a NUMBER(38,0) IDENTITY(1,1), b VARCHAR(16777216) NOT NULL DEFAULT 'x' COMMENT 'c', PRIMARY KEY (a))`},
	{"create_transient_table", `CREATE TRANSIENT TABLE IF NOT EXISTS t (a INT)`},
	{"create_table_cluster_by", `CREATE TABLE t (a INT, b DATE) CLUSTER BY (b)`},
	{"create_or_replace_table_as", `CREATE OR REPLACE TABLE gold.t AS SELECT * FROM silver.t`},
	{"create_table_clone", `CREATE OR REPLACE TABLE t CLONE s`},
	{"create_or_replace_view", `CREATE OR REPLACE VIEW gold.v AS SELECT a FROM t`},
	{"insert_overwrite", `INSERT OVERWRITE INTO t SELECT * FROM s`},
	{"insert_all", `INSERT ALL INTO t1 VALUES (a) INTO t2 VALUES (b) SELECT a, b FROM s`},
	{"merge_delete", `MERGE INTO t USING s ON t.a = s.a WHEN MATCHED AND s.d THEN DELETE WHEN NOT MATCHED THEN INSERT VALUES (s.a)`},
	{"copy_into_plain", `COPY INTO raw.t FROM @raw.stage/path/ FILE_FORMAT = (FORMAT_NAME = 'raw.ff') PATTERN = '.*[.]json' ON_ERROR = 'CONTINUE'`},
	{"stage_query", `SELECT $1:a, $2 FROM @s (FILE_FORMAT => 'ff', PATTERN => '.*')`},
	{"list_stage", `LIST @raw.stage`},
	{"put", `PUT file:///tmp/x @raw.stage`},
	{"undrop", `UNDROP TABLE t`},
	{"stream_metadata", `SELECT METADATA$ACTION, METADATA$ISUPDATE FROM raw.s`},
	{"changes_at", `SELECT * FROM t CHANGES(INFORMATION => DEFAULT) AT(OFFSET => -60)`},
	{"use_schema", `USE SCHEMA raw`},
	{"set_variable", `SET tbl = 'raw.t'`},
	{"alter_session", `ALTER SESSION SET TIMEZONE = 'UTC'`},
	{"show_tables", `SHOW TABLES IN SCHEMA raw`},
	{"nextval", `SELECT raw.seq.NEXTVAL`},

	// lexical quirks
	{"identifier_fn", `SELECT * FROM IDENTIFIER('raw.t')`},
	{"identifier_fn_var", `SELECT * FROM IDENTIFIER($tbl) JOIN IDENTIFIER(:bind) u ON TRUE`},
	{"identifier_fn_ddl", `CREATE TABLE IDENTIFIER('raw.t') (a INT)`},
	{"quoted_embedded_quote", `SELECT "we""ird" FROM raw."My ""S""".T`},
	{"quoted_unbalanced", `SELECT "we"ird"`},
	{"dollar_string_literal", `SELECT $$it's a $$ || 'x'`},
	{"backslash_string", `SELECT 'it''s', 'a\'b'`},
	{"cast_chain", `SELECT a::NUMBER(38,2)::VARCHAR, a::TIMESTAMP_TZ(9), TRY_CAST(b AS DATE) FROM t`},
	{"path_bracket", `SELECT v['a'][0]:b::STRING, v:"Quoted Key"::INT, t.v:a.b[0] FROM t`},
	{"qualify_then_order", `SELECT a FROM t QUALIFY ROW_NUMBER() OVER (PARTITION BY a ORDER BY b) = 1 ORDER BY a`},
	{"reserved_word_as_column", `SELECT select FROM t`},
	{"bind_params", `SELECT a FROM t WHERE b = ? AND c = :1`},
	{"empty_text", ``},
	{"comment_only", `-- only a comment`},
}

func TestProbe(t *testing.T) {
	requireParser(t)
	var ok, bad []string
	for _, r := range parse(t, probes) {
		if r.OK {
			ok = append(ok, r.Name)
			t.Logf("PARSES     %-28s (%d statement(s))", r.Name, r.Statements)
		} else {
			bad = append(bad, r.Name)
			t.Logf("NO PARSE   %-28s %s", r.Name, r.Error)
		}
	}
	t.Logf("parses: %s", strings.Join(ok, ", "))
	t.Logf("does not parse: %s", strings.Join(bad, ", "))
}

// TestBatchTiming measures one Parse call of ~200 statements (one node process).
func TestBatchTiming(t *testing.T) {
	requireParser(t)
	var stmts []Stmt
	for i := 0; len(stmts) < 200; i++ {
		for _, s := range mustParse {
			stmts = append(stmts, Stmt{Name: fmt.Sprintf("%s_%d", s.Name, i), SQL: s.SQL})
		}
	}
	stmts = stmts[:200]
	start := time.Now()
	res := parse(t, stmts)
	el := time.Since(start)
	for _, r := range res {
		if !r.OK {
			t.Fatalf("%s: %s", r.Name, r.Error)
		}
	}
	t.Logf("Parse of %d statements took %v", len(stmts), el)
}
