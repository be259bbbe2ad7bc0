package sfrules

import (
	"strings"
	"testing"
)

// ruleCase is a rule's own test: hand-written statements that break it
// (bad; the rule must report at least one violation) and statements that
// satisfy it (good; none).
type ruleCase struct {
	bad, good []string
}

const (
	rawTable = `CREATE TABLE IF NOT EXISTS DB.RAW.L (
  LOAD_SEQ NUMBER(38, 0) NOT NULL DEFAULT DB.RAW.L_SEQ.NEXTVAL,
  FILE_NAME VARCHAR(1024) NOT NULL,
  LINE VARCHAR(134217728)
)`
	rawTableIdentity = `CREATE TABLE IF NOT EXISTS DB.RAW.L (
  LOAD_SEQ NUMBER(38, 0) AUTOINCREMENT START 1 INCREMENT 1 ORDER,
  FILE_NAME VARCHAR(1024) NOT NULL,
  LINE VARCHAR(134217728)
)`
	pipe = `CREATE PIPE IF NOT EXISTS DB.RAW.P
  AUTO_INGEST = TRUE
AS
COPY INTO DB.RAW.L (file_name, line)
FROM (SELECT METADATA$FILENAME, $1 FROM @DB.RAW.S)
ON_ERROR = CONTINUE`
	pipeWithSeq = `CREATE PIPE IF NOT EXISTS DB.RAW.P
  AUTO_INGEST = TRUE
AS
COPY INTO DB.RAW.L (load_seq, file_name, line)
FROM (SELECT DB.RAW.L_SEQ.NEXTVAL, METADATA$FILENAME, $1 FROM @DB.RAW.S)
ON_ERROR = CONTINUE`

	taskParams = "\n  USER_TASK_TIMEOUT_MS = 600000"
	rootParams = taskParams + "\n  SUSPEND_TASK_AFTER_NUM_FAILURES = 0\n  TASK_AUTO_RETRY_ATTEMPTS = 2"
	root       = "CREATE TASK DB.OPS.ROOT\n  WAREHOUSE = WH\n  SCHEDULE = '1 MINUTES'" + rootParams + "\n  WHEN SYSTEM$STREAM_HAS_DATA('DB.RAW.L_STREAM')\nAS\nSELECT 1"
	child      = "CREATE TASK DB.OPS.CHILD\n  WAREHOUSE = WH" + taskParams + "\n  AFTER DB.OPS.ROOT\nAS\nCALL DB.OPS.P(SYSTEM$TASK_RUNTIME_INFO('CURRENT_TASK_GRAPH_RUN_GROUP_ID'))"
	observe    = "CREATE TASK DB.OPS.OBSERVE\n  WAREHOUSE = WH" + taskParams + "\n  AFTER DB.OPS.ROOT\n  WHEN SYSTEM$STREAM_HAS_DATA('DB.RAW.L_STREAM')\nAS\nSELECT 1"
	finalizer  = "CREATE TASK DB.OPS.FINISH\n  WAREHOUSE = WH" + taskParams + "\n  FINALIZE = DB.OPS.ROOT\nAS\nSELECT 1"
)

func proc(body string) string {
	return "CREATE OR REPLACE PROCEDURE DB.OPS.RECONCILE(BATCH_ID VARCHAR)\n  RETURNS VARCHAR\n  LANGUAGE SQL\n  EXECUTE AS OWNER\nAS\n$$\n" + body + "\n$$"
}

func txn(steps ...string) string {
	return "BEGIN\n  BEGIN TRANSACTION;\n  " + strings.Join(steps, ";\n  ") + ";\n  COMMIT;\n  RETURN 'done';\nEXCEPTION\n  WHEN OTHER THEN\n    ROLLBACK;\n    RAISE;\nEND;"
}

var ruleCases = map[string]ruleCase{
	"scripting-variables-declared": {
		bad: []string{
			proc(txn("DELETE FROM DB.SILVER.T WHERE t < :LO")),
			proc(txn("SELECT MIN(t) INTO :LO FROM DB.SILVER.W")),
		},
		good: []string{
			proc("DECLARE\n  LO TIMESTAMP_NTZ;\n" + txn("SELECT MIN(t) INTO :LO FROM DB.SILVER.W", "DELETE FROM DB.SILVER.T WHERE t < :LO AND b = :BATCH_ID", "SELECT v:a FROM DB.SILVER.W")),
		},
	},
	"time-ordered-tables-pruned-by-variable": {
		bad: []string{
			proc(txn("INSERT INTO DB.SILVER.W (a) SELECT a FROM DB.SILVER.STATE_LOG WHERE until_time >= (SELECT MIN(t) FROM DB.SILVER.R)")),
			proc(txn("UPDATE DB.GOLD.CUSTOMER_MASTER_VERSIONS AS h SET superseded_at = 1 WHERE h.customer_id IN (SELECT customer_id FROM DB.SILVER.R)")),
		},
		good: []string{
			proc("DECLARE\n  LO TIMESTAMP_NTZ;\n" + txn(
				"SELECT MIN(t) INTO :LO FROM DB.SILVER.R",
				"INSERT INTO DB.SILVER.W (a) SELECT a FROM (SELECT * FROM DB.SILVER.STATE_LOG WHERE until_time >= :LO) AS o",
				"INSERT INTO DB.SILVER.STATE_LOG (a) SELECT a FROM DB.SILVER.O WHERE NOT EXISTS (SELECT 1 FROM DB.SILVER.STATE_LOG)")),
		},
	},
	"copy-left-out-column-sequence-default": {
		bad:  []string{rawTable, pipe},
		good: []string{rawTable, pipeWithSeq, rawTableIdentity, strings.Replace(pipe, "DB.RAW.P", "DB.RAW.P2", 1)},
	},
	"task-runtime-info-only-in-tasks": {
		bad:  []string{proc(txn("INSERT INTO DB.OPS.B (id) SELECT SYSTEM$TASK_RUNTIME_INFO('CURRENT_TASK_GRAPH_RUN_GROUP_ID')"))},
		good: []string{proc(txn("INSERT INTO DB.OPS.B (id) SELECT :BATCH_ID")), child},
	},
	"skippable-predecessors": {
		bad: []string{root, observe, strings.Replace(child, "AFTER DB.OPS.ROOT", "AFTER DB.OPS.OBSERVE", 1),
			strings.Replace(strings.Replace(child, "DB.OPS.CHILD", "DB.OPS.CHILD2", 1), "AFTER DB.OPS.ROOT", "AFTER DB.OPS.OBSERVE\n  WHEN SYSTEM$PREDECESSORS_STATE('NONE_FAILED_MIN_ONE_SUCCEEDED')", 1)},
		good: []string{root, observe, child, finalizer,
			strings.Replace(strings.Replace(child, "DB.OPS.CHILD", "DB.OPS.CHILD2", 1), "AFTER DB.OPS.ROOT", "AFTER DB.OPS.OBSERVE\n  WHEN SYSTEM$PREDECESSORS_STATE('NONE_FAILED')", 1)},
	},
	"task-timeout": {
		bad:  []string{strings.Replace(child, taskParams, "", 1)},
		good: []string{root, child, finalizer},
	},
	"root-failure-policy": {
		bad:  []string{strings.Replace(root, rootParams, taskParams, 1), strings.Replace(child, taskParams, taskParams+"\n  TASK_AUTO_RETRY_ATTEMPTS = 2", 1)},
		good: []string{root, child, finalizer},
	},
	"task-compute": {
		bad:  []string{strings.Replace(child, "WAREHOUSE = WH", "WAREHOUSE = WH\n  USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE = 'XSMALL'", 1), strings.Replace(child, "\n  WAREHOUSE = WH", "", 1)},
		good: []string{child, strings.Replace(child, "WAREHOUSE = WH", "TARGET_COMPLETION_INTERVAL = '1 MINUTES'", 1)},
	},
	"observe-try-conversions": {
		bad: []string{
			`INSERT INTO DB.SILVER.O (t) SELECT TO_TIMESTAMP_NTZ(TRY_PARSE_JSON(line)['ts']::NUMBER, 3) FROM DB.RAW.L_STREAM`,
			`SELECT CAST(TRY_PARSE_JSON(l.line)['n'] AS NUMBER(38, 0)) FROM DB.RAW.L AS l`,
			`SELECT TO_TIMESTAMP_NTZ(IFF(e BETWEEN 0 AND 253402300799999, f, NULL), 3) FROM (SELECT 1 AS e, 2 AS f FROM DB.RAW.L_STREAM) AS x`,
			`SELECT ARRAY_CONTAINS('a'::VARIANT, TRY_PARSE_JSON(line)['c']::ARRAY) FROM DB.RAW.L_STREAM`,
			`SELECT IFF(IS_OBJECT(j['c']), j['c']::ARRAY, NULL) FROM (SELECT TRY_PARSE_JSON(line) AS j FROM DB.RAW.L_STREAM) AS x`,
		},
		good: []string{
			`INSERT INTO DB.SILVER.O (t) SELECT TRY_TO_TIMESTAMP_NTZ(TRY_CAST(TRY_PARSE_JSON(line)['ts']::VARCHAR AS NUMBER(38, 0)), 3), CONVERT_TIMEZONE('UTC', loaded_at)::TIMESTAMP_NTZ, CAST(NULL AS NUMBER) FROM DB.RAW.L_STREAM`,
			`SELECT TO_TIMESTAMP_NTZ(ms, 3) FROM DB.SILVER.O`,
			`SELECT TO_TIMESTAMP_NTZ(IFF(e BETWEEN 0 AND 253402300799999, e, NULL), 3) FROM (SELECT 1 AS e FROM DB.RAW.L_STREAM) AS x`,
			`SELECT ARRAY_CONTAINS('a'::VARIANT, IFF(IS_ARRAY(j['c']), j['c']::ARRAY, NULL)) FROM (SELECT TRY_PARSE_JSON(line) AS j FROM DB.RAW.L_STREAM) AS x`,
		},
	},
	"higher-order-functions-on-arrays": {
		bad: []string{
			`CREATE OR REPLACE VIEW DB.GOLD.V AS SELECT ARRAY_SIZE(FILTER(t.doc:ids, e -> NOT IS_VARCHAR(e))) AS n FROM DB.RAW.T AS t`,
			`CREATE OR REPLACE VIEW DB.GOLD.V AS SELECT FILTER(TO_ARRAY(t.doc:ids), IS_VARCHAR(t.doc)) AS n FROM DB.RAW.T AS t`,
		},
		good: []string{
			`CREATE OR REPLACE VIEW DB.GOLD.V AS SELECT ARRAY_SIZE(FILTER(TO_ARRAY(t.doc:ids), e -> NOT IS_VARCHAR(e))) AS n FROM DB.RAW.T AS t`,
			`CREATE OR REPLACE VIEW DB.GOLD.V AS SELECT FILTER(t.doc:ids::ARRAY, e -> IS_VARCHAR(e)) AS n FROM DB.RAW.T AS t`,
		},
	},
	"latest-batch-not-max-batch-id": {
		bad:  []string{`CREATE OR REPLACE VIEW DB.DQ.LATEST AS SELECT * FROM DB.DQ.RESULTS WHERE batch_id = (SELECT MAX(batch_id) FROM DB.DQ.RESULTS)`},
		good: []string{`CREATE OR REPLACE VIEW DB.DQ.LATEST AS SELECT * FROM DB.DQ.RESULTS WHERE batch_id = (SELECT b.batch_id FROM DB.OPS.BATCHES AS b ORDER BY b.started_at DESC LIMIT 1)`},
	},
	"one-clock-read-per-run": {
		bad: []string{proc(txn(
			"INSERT INTO DB.SILVER.WORK_CLOCK (now) SELECT SYSDATE()",
			"UPDATE DB.GOLD.CUSTOMER_HISTORY SET superseded_at = SYSDATE() WHERE superseded_at IS NULL",
			"INSERT INTO DB.GOLD.CUSTOMER_HISTORY (id, recorded_at) SELECT id, CURRENT_TIMESTAMP FROM DB.SILVER.WORK_VERSIONS",
		))},
		good: []string{proc(txn(
			"INSERT INTO DB.SILVER.WORK_CLOCK (now) SELECT SYSDATE()",
			"UPDATE DB.GOLD.CUSTOMER_HISTORY SET superseded_at = (SELECT now FROM DB.SILVER.WORK_CLOCK) WHERE superseded_at IS NULL",
			"INSERT INTO DB.GOLD.CUSTOMER_HISTORY (id, recorded_at) SELECT id, (SELECT now FROM DB.SILVER.WORK_CLOCK) FROM DB.SILVER.WORK_VERSIONS",
		))},
	},
	"schema-time-travel": {
		bad: []string{`CREATE SCHEMA IF NOT EXISTS DB.RAW`, `ALTER SCHEMA DB.RAW SET DATA_RETENTION_TIME_IN_DAYS = 91`,
			`ALTER SCHEMA DB.RAW SET DATA_RETENTION_TIME_IN_DAYS = 1.5`, `ALTER SCHEMA DB.RAW SET MAX_DATA_EXTENSION_TIME_IN_DAYS = 3`,
			`ALTER SCHEMA DB.GOLD SET DATA_RETENTION_TIME_IN_DAYS = 7`},
		good: []string{`CREATE SCHEMA IF NOT EXISTS DB.RAW`, `ALTER SCHEMA DB.RAW SET DATA_RETENTION_TIME_IN_DAYS = 1`},
	},
	"raw-varchar-length": {
		bad:  []string{`CREATE TABLE IF NOT EXISTS DB.RAW.L (FILE_NAME VARCHAR NOT NULL, LINE VARCHAR)`, `CREATE TABLE DB.RAW.M (LINE STRING)`},
		good: []string{rawTable, `CREATE TABLE IF NOT EXISTS DB.SILVER.S (V VARCHAR)`, `CREATE TABLE DB.RAW.N (FILE_NAME VARCHAR, LINE VARCHAR(134217728))`},
	},
	"integer-validation-without-rounding": {
		bad: []string{
			`SELECT TRY_CAST(t AS NUMBER(38, 0)) FROM DB.SILVER.S`,
			`SELECT TRY_TO_NUMBER(t) FROM DB.SILVER.S`,
			`SELECT TRY_CAST(t AS INT) FROM DB.SILVER.S`,
		},
		good: []string{
			`SELECT IFF(REGEXP_LIKE(t, '-?[0-9]+'), TRY_CAST(t AS NUMBER(38, 0)), NULL), TRY_CAST(t AS NUMBER(38, 2)), TRY_TO_NUMBER(t, 10, 2) FROM DB.SILVER.S`,
			`SELECT CASE WHEN REGEXP_LIKE(t, '[0-9]+') THEN TRY_TO_NUMBER(t) END FROM DB.SILVER.S`,
		},
	},
	"replace-copy-grants": {
		bad: []string{
			`CREATE OR REPLACE VIEW DB.GOLD.V AS SELECT 1 AS a`,
			`CREATE OR REPLACE DYNAMIC TABLE DB.GOLD.D TARGET_LAG = '1 minutes' WAREHOUSE = WH REFRESH_MODE = INCREMENTAL AS SELECT a FROM DB.SILVER.S`,
			"CREATE OR REPLACE TASK DB.OPS.T\n  COPY GRANTS\n  WAREHOUSE = WH\nAS\nSELECT 1",
		},
		good: []string{
			`CREATE OR REPLACE VIEW DB.GOLD.V COPY GRANTS AS SELECT 1 AS a`,
			`CREATE OR REPLACE DYNAMIC TABLE DB.GOLD.D TARGET_LAG = '1 minutes' WAREHOUSE = WH REFRESH_MODE = INCREMENTAL COPY GRANTS AS SELECT a FROM DB.SILVER.S`,
			"CREATE OR REPLACE TASK DB.OPS.T\n  WAREHOUSE = WH\nAS\nSELECT 1",
			`CREATE VIEW DB.GOLD.W AS SELECT 1 AS a`,
		},
	},
	"subquery-predicates-in-where": {
		bad: []string{
			`SELECT CASE WHEN EXISTS (SELECT 1 FROM DB.DQ.ACKS AS a WHERE a.check_name = 'x') THEN 'acked' ELSE 'fail' END FROM DB.DQ.RESULTS`,
			`SELECT a IN (SELECT b FROM DB.SILVER.U) FROM DB.SILVER.T`,
			`MERGE INTO DB.GOLD.T AS t USING DB.SILVER.S AS s ON t.k = s.k WHEN MATCHED AND s.k IN (SELECT k FROM DB.SILVER.H) THEN DELETE`,
		},
		good: []string{
			`SELECT CASE WHEN (SELECT COUNT(*) FROM DB.DQ.ACKS AS a WHERE a.check_name = 'x') > 0 THEN 'acked' ELSE 'fail' END FROM DB.DQ.RESULTS WHERE NOT EXISTS (SELECT 1 FROM DB.DQ.HELD) AND batch_id IN (SELECT batch_id FROM DB.OPS.BATCHES)`,
			`DELETE FROM DB.SILVER.Q WHERE customer_id IN (SELECT customer_id FROM DB.SILVER.WORK_RESOLVE_SET)`,
		},
	},
	"correlated-subquery-not-under-or": {
		bad: []string{
			`SELECT * FROM DB.SILVER.T AS t WHERE t.a = 1 OR EXISTS (SELECT 1 FROM DB.SILVER.U AS u WHERE u.k = t.k)`,
			`DELETE FROM DB.SILVER.T WHERE a IS NULL OR a = ANY (SELECT b FROM DB.SILVER.U)`,
		},
		good: []string{
			`SELECT * FROM DB.SILVER.T AS t WHERE NOT EXISTS (SELECT 1 FROM DB.AUDIT.R WHERE v = 'x') OR t.a = 1`,
			`SELECT * FROM DB.SILVER.T AS t WHERE t.a = 1 AND EXISTS (SELECT 1 FROM DB.SILVER.U AS u WHERE u.k = t.k)`,
		},
	},
	"work-tables-transient": {
		bad:  []string{`CREATE TABLE IF NOT EXISTS DB.SILVER.WORK_KEYS (K VARCHAR)`},
		good: []string{`CREATE TRANSIENT TABLE IF NOT EXISTS DB.SILVER.WORK_KEYS (K VARCHAR) DATA_RETENTION_TIME_IN_DAYS = 0`, `CREATE TABLE IF NOT EXISTS DB.SILVER.CROSSWALK (K VARCHAR)`},
	},
	"no-ddl-in-transaction": {
		bad: []string{
			proc(txn("CREATE TEMPORARY TABLE DB.SILVER.SCRATCH (K VARCHAR)", "INSERT INTO DB.SILVER.SCRATCH SELECT 'a'")),
			"CREATE TASK DB.OPS.T\n  WAREHOUSE = WH\nAS\nEXECUTE IMMEDIATE $$\n" + txn("DROP TABLE IF EXISTS DB.SILVER.SCRATCH") + "\n$$",
		},
		good: []string{proc("BEGIN\n  CREATE TRANSIENT TABLE IF NOT EXISTS DB.SILVER.WORK_K (K VARCHAR);\n  BEGIN TRANSACTION;\n  INSERT INTO DB.SILVER.WORK_K SELECT 'a';\n  COMMIT;\nEXCEPTION\n  WHEN OTHER THEN\n    ROLLBACK;\n    RAISE;\nEND;")},
	},
	"merge-source-deduplicated": {
		bad: []string{
			`MERGE INTO DB.SILVER.STATE AS s USING (SELECT k, v FROM DB.SILVER.OBS_STREAM) AS n ON s.k = n.k WHEN MATCHED THEN UPDATE SET v = n.v WHEN NOT MATCHED THEN INSERT (k, v) VALUES (n.k, n.v)`,
			`MERGE INTO DB.SILVER.STATE AS s USING DB.SILVER.OBS_STREAM AS n ON s.k = n.k WHEN MATCHED THEN DELETE`,
			`MERGE INTO DB.SILVER.STATE AS s USING (SELECT k, f, v FROM DB.SILVER.T QUALIFY ROW_NUMBER() OVER (PARTITION BY k, f ORDER BY v) = 1) AS n ON s.k = n.k WHEN MATCHED THEN UPDATE SET v = n.v`,
		},
		good: []string{
			`MERGE INTO DB.SILVER.STATE AS s USING (SELECT k, v FROM DB.SILVER.OBS_STREAM QUALIFY ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) = 1) AS n ON s.k = n.k WHEN MATCHED THEN UPDATE SET v = n.v WHEN NOT MATCHED THEN INSERT (k, v) VALUES (n.k, n.v)`,
			`MERGE INTO DB.SILVER.STATE AS s USING (SELECT k, MAX(v) AS v FROM DB.SILVER.OBS_STREAM GROUP BY k) AS n ON s.k = n.k WHEN MATCHED THEN UPDATE SET v = n.v`,
			`MERGE INTO DB.SILVER.LOG AS s USING DB.SILVER.OBS_STREAM AS n ON s.k = n.k WHEN NOT MATCHED THEN INSERT (k) VALUES (n.k)`,
		},
	},
	"asof-match-condition": {
		bad: []string{
			`SELECT * FROM DB.SILVER.P AS p ASOF JOIN DB.SILVER.O AS o MATCH_CONDITION (p.t = o.t) ON p.k = o.k`,
			`SELECT * FROM DB.SILVER.P AS p ASOF JOIN DB.SILVER.O AS o MATCH_CONDITION (p.t >= o.t) ON p.k = o.k AND p.v > o.v`,
		},
		good: []string{`SELECT * FROM DB.SILVER.P AS p ASOF JOIN DB.SILVER.O AS o MATCH_CONDITION (p.t >= o.t) ON p.k = o.k AND p.f = o.f`},
	},
	"task-graph-finalizer": {
		bad: []string{
			root, child,
			strings.Replace(finalizer, "FINALIZE = DB.OPS.ROOT", "FINALIZE = DB.OPS.CHILD", 1),
			strings.Replace(strings.Replace(child, "DB.OPS.CHILD", "DB.OPS.ORPHAN", 1), "AFTER DB.OPS.ROOT", "AFTER DB.OPS.GONE", 1),
			strings.Replace(root, "DB.OPS.ROOT", "DB.OPS.OTHER", 1),
			strings.Replace(strings.Replace(child, "DB.OPS.CHILD", "DB.OPS.OTHER_CHILD", 1), "AFTER DB.OPS.ROOT", "AFTER DB.OPS.OTHER", 1),
		},
		good: []string{root, child, finalizer, strings.Replace(root, "DB.OPS.ROOT", "DB.OPS.DAILY", 1)},
	},
	"pipe-not-replaced": {
		bad: []string{
			strings.Replace(pipe, "CREATE PIPE IF NOT EXISTS", "CREATE OR REPLACE PIPE", 1),
			strings.Replace(pipe, "SELECT METADATA$FILENAME, $1", "SELECT METADATA$FILENAME, CURRENT_TIMESTAMP()", 1),
		},
		good: []string{pipe},
	},
	"stream-on-table": {
		bad: []string{
			"CREATE STREAM IF NOT EXISTS DB.RAW.L_STREAM\n  ON TABLE DB.RAW.NOT_THERE\n  APPEND_ONLY = TRUE",
			rawTable, "CREATE OR REPLACE STREAM DB.RAW.L_STREAM ON TABLE DB.RAW.L",
		},
		good: []string{rawTable, "CREATE STREAM IF NOT EXISTS DB.RAW.L_STREAM\n  ON TABLE DB.RAW.L\n  APPEND_ONLY = TRUE COMMENT = 'new lines'"},
	},
	"file-format-lines-as-text": {
		bad: []string{"CREATE FILE FORMAT IF NOT EXISTS DB.RAW.F\n  TYPE = JSON", "CREATE FILE FORMAT IF NOT EXISTS DB.RAW.G\n  TYPE = CSV\n  FIELD_DELIMITER = NONE",
			"CREATE FILE FORMAT IF NOT EXISTS DB.RAW.H\n  TYPE = JSON\n  STRIP_OUTER_ARRAY = TRUE\n  ALLOW_DUPLICATE = FALSE"},
		good: []string{"CREATE FILE FORMAT IF NOT EXISTS DB.RAW.F\n  TYPE = CSV\n  FIELD_DELIMITER = NONE\n  ESCAPE = NONE\n  ESCAPE_UNENCLOSED_FIELD = NONE\n  FIELD_OPTIONALLY_ENCLOSED_BY = NONE\n  ENCODING = 'UTF8'",
			"CREATE FILE FORMAT IF NOT EXISTS DB.RAW.D\n  TYPE = JSON\n  COMPRESSION = AUTO\n  STRIP_OUTER_ARRAY = FALSE\n  ALLOW_DUPLICATE = FALSE"},
	},
	"stage-s3-kms-encryption": {
		bad: []string{"CREATE STAGE IF NOT EXISTS DB.RAW.S\n  URL = 's3://b/x/'\n  STORAGE_INTEGRATION = I\n  FILE_FORMAT = (FORMAT_NAME = 'DB.RAW.F')",
			"CREATE STAGE IF NOT EXISTS DB.RAW.S\n  URL = 's3://b/x/'\n  ENCRYPTION = (TYPE = 'AWS_SSE_S3')"},
		good: []string{"CREATE STAGE IF NOT EXISTS DB.RAW.S\n  URL = 's3://b/x/'\n  STORAGE_INTEGRATION = I\n  ENCRYPTION = (TYPE = 'AWS_SSE_KMS' KMS_KEY_ID = 'alias/k')\n  FILE_FORMAT = (FORMAT_NAME = 'DB.RAW.F')",
			"CREATE STAGE IF NOT EXISTS DB.RAW.S\n  URL = 'gcs://b/x/'"},
	},
	"policy-is-role-in-session": {
		bad: []string{"CREATE MASKING POLICY IF NOT EXISTS DB.AUDIT.M AS (val VARCHAR) RETURNS VARCHAR ->\nCASE WHEN CURRENT_ROLE() = 'R' THEN val ELSE NULL END",
			"ALTER MASKING POLICY DB.AUDIT.M SET BODY ->\nCASE WHEN INVOKER_ROLE() = 'R' OR IS_ROLE_IN_SESSION('R') THEN val END"},
		good: []string{"CREATE MASKING POLICY IF NOT EXISTS DB.AUDIT.M AS (val VARCHAR) RETURNS VARCHAR ->\nCASE WHEN IS_ROLE_IN_SESSION('R') THEN val ELSE NULL END COMMENT = 'x'"},
	},
	"tag-one-masking-policy-per-type": {
		bad: []string{"CREATE MASKING POLICY IF NOT EXISTS DB.AUDIT.M1 AS (val VARCHAR) RETURNS VARCHAR -> IS_ROLE_IN_SESSION('R')",
			"CREATE MASKING POLICY IF NOT EXISTS DB.AUDIT.M2 AS (val VARCHAR) RETURNS VARCHAR -> IS_ROLE_IN_SESSION('R')",
			"CREATE TAG IF NOT EXISTS DB.AUDIT.T",
			"ALTER TAG DB.AUDIT.T SET MASKING POLICY DB.AUDIT.M1, MASKING POLICY DB.AUDIT.M2",
			"ALTER TABLE DB.GOLD.C MODIFY COLUMN EMAIL SET TAG DB.AUDIT.OTHER = 'email'"},
		good: []string{"CREATE MASKING POLICY IF NOT EXISTS DB.AUDIT.M1 AS (val VARCHAR) RETURNS VARCHAR -> IS_ROLE_IN_SESSION('R')",
			"CREATE TAG IF NOT EXISTS DB.AUDIT.T ALLOWED_VALUES 'email', 'text'",
			"ALTER TAG DB.AUDIT.T SET MASKING POLICY DB.AUDIT.M1 FORCE",
			"ALTER VIEW DB.GOLD.V MODIFY COLUMN EMAIL SET TAG DB.AUDIT.T = 'email'"},
	},
	"granted-replace-copy-grants": {
		bad: []string{"CREATE OR REPLACE PROCEDURE DB.AUDIT.P(A VARCHAR)\n  RETURNS VARCHAR\n  LANGUAGE SQL\nAS\n$$\nBEGIN\n  RETURN 'x';\nEND;\n$$",
			"GRANT OPERATE ON TASK DB.OPS.T TO ROLE R",
			"CREATE OR REPLACE TASK DB.OPS.T" + rootParams + "\n  SCHEDULE = '1 MINUTES'\nAS\nSELECT 1",
			"GRANT USAGE ON PROCEDURE DB.AUDIT.P(VARCHAR) TO ROLE R"},
		good: []string{"CREATE OR REPLACE PROCEDURE DB.AUDIT.P(A VARCHAR)\n  COPY GRANTS\n  RETURNS VARCHAR\n  LANGUAGE SQL\nAS\n$$\nBEGIN\n  RETURN 'x';\nEND;\n$$",
			"CREATE OR REPLACE TASK DB.OPS.T" + rootParams + "\n  SCHEDULE = '1 MINUTES'\nAS\nSELECT 1",
			"GRANT USAGE ON PROCEDURE DB.AUDIT.P(VARCHAR) TO ROLE R",
			"GRANT OPERATE ON TASK DB.OPS.T TO ROLE R"},
	},
	"access-history-incremental": {
		bad:  []string{"INSERT INTO DB.AUDIT.A (q) SELECT query_id FROM SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY"},
		good: []string{"INSERT INTO DB.AUDIT.A (q) SELECT query_id FROM SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY WHERE query_start_time > '2026-01-01'::TIMESTAMP_LTZ"},
	},
	"transaction-block-rolls-back": {
		bad: []string{
			proc("BEGIN\n  BEGIN TRANSACTION;\n  DELETE FROM DB.SILVER.Q;\n  COMMIT;\nEXCEPTION\n  WHEN OTHER THEN\n    RETURN 'failed';\nEND;"),
			proc("BEGIN\n  BEGIN TRANSACTION;\n  DELETE FROM DB.SILVER.Q;\nEND;"),
		},
		good: []string{proc(txn("DELETE FROM DB.SILVER.Q")), proc("BEGIN\n  RETURN 'nothing to do';\nEND;")},
	},
}

// TestRules runs each rule on its own counter-examples and examples.
func TestRules(t *testing.T) {
	requireParser(t)
	bads, goods := map[string]*Set{}, map[string]*Set{}
	var all []*Set
	for name, c := range ruleCases {
		bads[name], goods[name] = FromSQL(c.bad...), FromSQL(c.good...)
		all = append(all, bads[name], goods[name])
	}
	if err := Parse(all...); err != nil {
		t.Fatal(err)
	}
	for _, r := range Catalog {
		t.Run(r.Name, func(t *testing.T) {
			c, ok := ruleCases[r.Name]
			if !ok || len(c.bad) == 0 {
				t.Fatalf("rule %s has no counter-example in ruleCases", r.Name)
			}
			bad := parsedSet(t, bads[r.Name])
			if vs := r.Check(bad); len(vs) == 0 {
				t.Errorf("the counter-example breaks no rule:\n%s", strings.Join(c.bad, ";\n"))
			} else {
				for _, v := range vs {
					t.Logf("reported: %s", v)
				}
			}
			if len(c.good) > 0 {
				for _, v := range r.Check(parsedSet(t, goods[r.Name])) {
					t.Errorf("example reported: %s", v)
				}
			}
		})
	}
	for name := range ruleCases {
		if _, ok := RuleNamed(name); !ok {
			t.Errorf("ruleCases has %s, which is not in the catalog", name)
		}
	}
}

// parsedSet checks that every hand-written statement of a parsed set was
// split and parsed.
func parsedSet(t *testing.T, s *Set) *Set {
	t.Helper()
	for _, st := range s.Statements {
		if st.Error != "" {
			t.Fatalf("%s: %s", st.Name, st.Error)
		}
		for _, u := range st.Units {
			if u.SQL != "" && !u.Parsed {
				t.Fatalf("%s does not parse: %s\n%s", u.Name, u.Error, u.SQL)
			}
		}
	}
	return s
}
