package deploy

import (
	"strings"
	"testing"
)

// GET_DDL fixtures: what Snowflake returns for an object, written by hand
// in the forms its documentation gives
// (https://docs.snowflake.com/en/sql-reference/functions/get_ddl: lower-case
// "create or replace <kind>", the object's name unqualified, a final
// semicolon, canonical type names; a view with its column list added and
// its comments dropped, SNOWFLAKE.md §11), next to the statement trueup
// sends for the same object. Each case checks (a) that the two normalize
// equal and (b) that a real change to the deployed object is still seen.
//
// For views, procedures and types the documented forms settle the text.
// For tasks, dynamic tables, pipes, streams and file formats they do not
// (SNOWFLAKE.md §11 [U]): those fixtures are the documented rules applied to
// CREATE's grammar (header properties in another order and case, default
// values printed), and the cases are named "undocumented": they prove that
// normalization absorbs those differences, not that Snowflake prints
// exactly this. Only a deploy to a real account can show that.
type getDDLCase struct {
	name string
	// sent is the statement as the generator writes it.
	sent string
	// getDDL is what GET_DDL returns for the object sent creates.
	getDDL string
	// changes are edits to getDDL (old, new) that are each a real change.
	changes [][2]string
}

var getDDLCases = []getDDLCase{
	{
		// The page's own example: "create or replace view BOOKS_VIEW as
		// select title, author from books_table;" — keyword case, the bare
		// name, the body as written. The column list and the dropped
		// comments are SNOWFLAKE.md §11. COPY GRANTS is a clause of the
		// statement (https://docs.snowflake.com/en/sql-reference/sql/create-view).
		name: "view",
		sent: `CREATE OR REPLACE VIEW TRUEUP.GOLD.FIELD_CONFLICTS COPY GRANTS COMMENT = 'customers and conflicts per field'
AS
SELECT
  field,
  COUNT(*) AS customers,
  -- a conflict is two sources disagreeing
  SUM(CASE WHEN conflict THEN 1 ELSE 0 END) AS conflicts
FROM TRUEUP.GOLD.CUSTOMER_FIELDS
GROUP BY field;`,
		getDDL: `create or replace view FIELD_CONFLICTS(
	FIELD,
	CUSTOMERS,
	CONFLICTS
) as
SELECT
  field,
  COUNT(*) AS customers,
  SUM(CASE WHEN conflict THEN 1 ELSE 0 END) AS conflicts
FROM TRUEUP.GOLD.CUSTOMER_FIELDS
GROUP BY field;`,
		changes: [][2]string{
			{"GROUP BY field", "WHERE field <> 'email' GROUP BY field"},
			{"COUNT(*) AS customers,", "COUNT(DISTINCT customer_id) AS customers,"},
			{"create or replace view", "create or replace secure view"},
		},
	},
	{
		// The page's function example: the name and arguments double-quoted,
		// NUMBER(38,0) for a NUMBER, the body in single quotes (the
		// delimiters "might be different"). Types:
		// https://docs.snowflake.com/en/sql-reference/data-types-text (VARCHAR
		// is VARCHAR(16777216)), https://docs.snowflake.com/en/sql-reference/data-types-numeric.
		name: "procedure",
		sent: `CREATE OR REPLACE PROCEDURE TRUEUP.OPS.RECONCILE(batch_id VARCHAR, max_rows INT)
  RETURNS VARCHAR
  LANGUAGE SQL
  COMMENT = 'reconcile one batch'
  EXECUTE AS OWNER
AS
$$
BEGIN
  INSERT INTO TRUEUP.OPS.BATCHES (batch_id, started_at) SELECT :batch_id, SYSDATE();
  RETURN 'ok';
END;
$$;`,
		getDDL: `CREATE OR REPLACE PROCEDURE "RECONCILE"("BATCH_ID" VARCHAR(16777216), "MAX_ROWS" NUMBER(38,0))
RETURNS VARCHAR(16777216)
LANGUAGE SQL
COMMENT='reconcile one batch'
EXECUTE AS OWNER
AS '
BEGIN
  INSERT INTO TRUEUP.OPS.BATCHES (batch_id, started_at) SELECT :batch_id, SYSDATE();
  RETURN ''ok'';
END;
';`,
		changes: [][2]string{
			{"RETURN ''ok'';", "RETURN ''done'';"},
			{"EXECUTE AS OWNER", "EXECUTE AS CALLER"},
			{`"MAX_ROWS" NUMBER(38,0)`, `"MAX_ROWS" NUMBER(38,2)`},
		},
	},
	{
		// Undocumented: a task's GET_DDL text. Its defaults
		// (https://docs.snowflake.com/en/sql-reference/sql/create-task:
		// USER_TASK_TIMEOUT_MS one hour, SUSPEND_TASK_AFTER_NUM_FAILURES 10,
		// TASK_AUTO_RETRY_ATTEMPTS 0) printed, the parameters the generator
		// sets kept.
		name: "undocumented task",
		sent: `CREATE OR REPLACE TASK TRUEUP.OPS.TASK_OBSERVE_APP COPY GRANTS
  WAREHOUSE = TRUEUP_WH
  USER_TASK_TIMEOUT_MS = 600000
  COMMENT = 'turns new lines of source app into observations'
  AFTER TRUEUP.OPS.TASK_ROOT
  WHEN SYSTEM$STREAM_HAS_DATA('TRUEUP.RAW.APP_LINES_STREAM')
AS
CALL TRUEUP.OPS.OBSERVE_APP();`,
		getDDL: `create or replace task TASK_OBSERVE_APP
	warehouse=TRUEUP_WH
	COMMENT='turns new lines of source app into observations'
	USER_TASK_TIMEOUT_MS=600000
	SUSPEND_TASK_AFTER_NUM_FAILURES=10
	TASK_AUTO_RETRY_ATTEMPTS=0
	after TRUEUP.OPS.TASK_ROOT
	when SYSTEM$STREAM_HAS_DATA('TRUEUP.RAW.APP_LINES_STREAM')
	as CALL TRUEUP.OPS.OBSERVE_APP();`,
		changes: [][2]string{
			{"when SYSTEM$STREAM_HAS_DATA('TRUEUP.RAW.APP_LINES_STREAM')", "when SYSTEM$STREAM_HAS_DATA('TRUEUP.RAW.CRM_LINES_STREAM')"},
			{"USER_TASK_TIMEOUT_MS=600000", "USER_TASK_TIMEOUT_MS=3600000"},
			{"TASK_AUTO_RETRY_ATTEMPTS=0", "TASK_AUTO_RETRY_ATTEMPTS=2"},
			{"after TRUEUP.OPS.TASK_ROOT", "after TRUEUP.OPS.TASK_OTHER"},
			{"as CALL TRUEUP.OPS.OBSERVE_APP();", "as CALL TRUEUP.OPS.OBSERVE_CRM();"},
		},
	},
	{
		// Undocumented: a dynamic table's GET_DDL text, with a column list
		// as a view's and INITIALIZE = ON_CREATE, its default
		// (https://docs.snowflake.com/en/user-guide/dynamic-tables/refresh-modes).
		name: "undocumented dynamic table",
		sent: `CREATE OR REPLACE DYNAMIC TABLE TRUEUP.GOLD.CUSTOMER_MASTER
  TARGET_LAG = '1 minutes'
  WAREHOUSE = TRUEUP_WH
  REFRESH_MODE = INCREMENTAL COPY GRANTS COMMENT = 'one row per customer'
AS
SELECT
  customer_id,
  MAX(CASE WHEN field = 'email' THEN value END) AS EMAIL,
  TRY_CAST(MAX(CASE WHEN field = 'seats' THEN value END) AS NUMBER(38, 0)) AS SEATS
FROM TRUEUP.GOLD.CUSTOMER_FIELDS
GROUP BY customer_id;`,
		getDDL: `create or replace dynamic table CUSTOMER_MASTER(
	CUSTOMER_ID,
	EMAIL,
	SEATS
) target_lag = '1 minutes' refresh_mode = INCREMENTAL initialize = ON_CREATE warehouse = TRUEUP_WH
 COMMENT='one row per customer'
 as
SELECT
  customer_id,
  MAX(CASE WHEN field = 'email' THEN value END) AS EMAIL,
  TRY_CAST(MAX(CASE WHEN field = 'seats' THEN value END) AS NUMBER(38,0)) AS SEATS
FROM TRUEUP.GOLD.CUSTOMER_FIELDS
GROUP BY customer_id;`,
		changes: [][2]string{
			{"target_lag = '1 minutes'", "target_lag = '5 minutes'"},
			{"refresh_mode = INCREMENTAL", "refresh_mode = FULL"},
			{"AS EMAIL,", "AS EMAIL_ADDRESS,"},
		},
	},
	{
		// Undocumented: a pipe's GET_DDL text (its COPY statement is its
		// definition, https://docs.snowflake.com/en/sql-reference/sql/create-pipe).
		name: "undocumented pipe",
		sent: `CREATE PIPE IF NOT EXISTS TRUEUP.RAW.APP_PIPE
  AUTO_INGEST = TRUE COMMENT = 'auto-ingest of source app'
AS
COPY INTO TRUEUP.RAW.APP_LINES (file_name, file_row, line, loaded_at)
FROM (
  SELECT METADATA$FILENAME, METADATA$FILE_ROW_NUMBER, $1, METADATA$START_SCAN_TIME
  FROM @TRUEUP.RAW.APP_STAGE
)
ON_ERROR = CONTINUE;`,
		getDDL: `create or replace pipe APP_PIPE auto_ingest=true COMMENT='auto-ingest of source app' as COPY INTO TRUEUP.RAW.APP_LINES (file_name, file_row, line, loaded_at)
FROM (
  SELECT METADATA$FILENAME, METADATA$FILE_ROW_NUMBER, $1, METADATA$START_SCAN_TIME
  FROM @TRUEUP.RAW.APP_STAGE
)
ON_ERROR = CONTINUE;`,
		changes: [][2]string{
			{"ON_ERROR = CONTINUE", "ON_ERROR = SKIP_FILE"},
			{"auto_ingest=true", "auto_ingest=false"},
		},
	},
	{
		// Undocumented: a stream's GET_DDL text, SHOW_INITIAL_ROWS printed
		// with its default (https://docs.snowflake.com/en/sql-reference/sql/create-stream).
		name: "undocumented stream",
		sent: `CREATE STREAM IF NOT EXISTS TRUEUP.RAW.APP_LINES_STREAM
  ON TABLE TRUEUP.RAW.APP_LINES
  APPEND_ONLY = TRUE COMMENT = 'new lines of source app';`,
		getDDL: `create or replace stream APP_LINES_STREAM on table TRUEUP.RAW.APP_LINES append_only = true show_initial_rows = false COMMENT='new lines of source app';`,
		changes: [][2]string{
			{"append_only = true", "append_only = false"},
			{"on table TRUEUP.RAW.APP_LINES", "on table TRUEUP.RAW.CRM_LINES"},
		},
	},
	{
		// Undocumented: a file format's GET_DDL text with every CSV option
		// printed, the defaults of
		// https://docs.snowflake.com/en/sql-reference/sql/create-file-format
		// among them.
		name: "undocumented file format",
		sent: `CREATE FILE FORMAT IF NOT EXISTS TRUEUP.RAW.APP_FORMAT
  TYPE = CSV
  FIELD_DELIMITER = NONE
  ESCAPE = NONE
  ESCAPE_UNENCLOSED_FIELD = NONE
  FIELD_OPTIONALLY_ENCLOSED_BY = NONE
  SKIP_BLANK_LINES = TRUE
  EMPTY_FIELD_AS_NULL = FALSE
  REPLACE_INVALID_CHARACTERS = TRUE
  ENCODING = 'UTF8' COMMENT = 'one line, one text value';`,
		getDDL: `create or replace file format APP_FORMAT
	TYPE = csv
	COMPRESSION = AUTO
	FIELD_DELIMITER = NONE
	RECORD_DELIMITER = '\n'
	SKIP_HEADER = 0
	ESCAPE = NONE
	ESCAPE_UNENCLOSED_FIELD = NONE
	FIELD_OPTIONALLY_ENCLOSED_BY = NONE
	TRIM_SPACE = FALSE
	SKIP_BLANK_LINES = TRUE
	EMPTY_FIELD_AS_NULL = FALSE
	REPLACE_INVALID_CHARACTERS = TRUE
	ENCODING = UTF8
	COMMENT = 'one line, one text value';`,
		changes: [][2]string{
			{"ESCAPE_UNENCLOSED_FIELD = NONE", `ESCAPE_UNENCLOSED_FIELD = '\\'`},
			{"SKIP_HEADER = 0", "SKIP_HEADER = 1"},
			{"ENCODING = UTF8", "ENCODING = 'ISO-8859-1'"},
		},
	},
}

func TestGetDDLFormsNormalizeEqual(t *testing.T) {
	for _, c := range getDDLCases {
		t.Run(c.name, func(t *testing.T) {
			want, got := normalize(c.sent), normalize(c.getDDL)
			if want != got {
				t.Fatalf("unchanged object differs after normalization:\nsent:\n%s\nGET_DDL:\n%s", want, got)
			}
		})
	}
}

func TestGetDDLFormsChangeDetected(t *testing.T) {
	for _, c := range getDDLCases {
		t.Run(c.name, func(t *testing.T) {
			want := normalize(c.sent)
			for _, ch := range c.changes {
				if !strings.Contains(c.getDDL, ch[0]) {
					t.Fatalf("fixture has no %q", ch[0])
				}
				got := normalize(strings.Replace(c.getDDL, ch[0], ch[1], 1))
				if got == want {
					t.Errorf("%q -> %q is not seen as a change:\n%s", ch[0], ch[1], got)
				}
			}
		})
	}
}

// TestCanonicalTypes: the type names Snowflake stores for what the
// generator writes (data-types-text, data-types-numeric,
// data-types-datetime pages), in casts and argument lists alike.
func TestCanonicalTypes(t *testing.T) {
	for _, c := range [][2]string{
		{"SELECT CAST(x AS VARCHAR), y::TEXT, z::STRING", "SELECT CAST(x AS VARCHAR(16777216)), y::VARCHAR(16777216), z::VARCHAR(16777216)"},
		{"SELECT CAST(x AS INT), CAST(y AS BIGINT), CAST(z AS NUMBER)", "SELECT CAST(x AS NUMBER(38,0)), CAST(y AS NUMBER(38,0)), CAST(z AS NUMBER(38,0))"},
		{"SELECT CAST(x AS DECIMAL(10, 2)), CAST(y AS NUMBER(12))", "SELECT CAST(x AS NUMBER(10,2)), CAST(y AS NUMBER(12,0))"},
		{"SELECT CAST(x AS TIMESTAMP_NTZ), CAST(y AS TIMESTAMP)", "SELECT CAST(x AS TIMESTAMP_NTZ(9)), CAST(y AS TIMESTAMP_NTZ(9))"},
		{"SELECT CAST(x AS DOUBLE), CAST(y AS DOUBLE PRECISION)", "SELECT CAST(x AS FLOAT), CAST(y AS FLOAT)"},
		{"SELECT t.text, t.number FROM t", "SELECT t.text, t.number FROM t"},
	} {
		if a, b := normalize(c[0]), normalize(c[1]); a != b {
			t.Errorf("%s\n  -> %s\nwant %s", c[0], a, b)
		}
	}
	for _, c := range [][2]string{
		{"SELECT CAST(x AS VARCHAR(10))", "SELECT CAST(x AS VARCHAR(16777216))"},
		{"SELECT CAST(x AS NUMBER(38, 2))", "SELECT CAST(x AS NUMBER(38, 0))"},
		{"SELECT CAST(x AS TIMESTAMP_LTZ)", "SELECT CAST(x AS TIMESTAMP_NTZ)"},
	} {
		if normalize(c[0]) == normalize(c[1]) {
			t.Errorf("%s and %s normalize equal", c[0], c[1])
		}
	}
}
