package sfrules

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Rule is one Snowflake fact the generated pipeline relies on.
type Rule struct {
	Name string
	// URL is the Snowflake documentation page that states the fact.
	URL string
	// Doc says what the check looks at, and whether it reads the parsed
	// tree or a header's text.
	Doc string
	// Pending names the issue item whose fix the generated SQL still
	// waits for; while set, violations in the generated SQL are logged,
	// not failed.
	Pending string
	Check   func(s *Set) []Violation
}

// Violation is one place where a set breaks a rule.
type Violation struct {
	Where   string
	Message string
}

func (v Violation) String() string { return v.Where + ": " + v.Message }

func violation(where, format string, args ...any) Violation {
	return Violation{Where: where, Message: fmt.Sprintf(format, args...)}
}

// Catalog is every rule.
var Catalog = []Rule{
	{
		Name:  "copy-left-out-column-sequence-default",
		URL:   "https://docs.snowflake.com/en/sql-reference/sql/copy-into-table",
		Doc:   "tree: for each COPY INTO <table> (<columns>), the CREATE TABLE of that table in the set; a column left out of the list must not default to <sequence>.NEXTVAL",
		Check: copyLeftOutSequence,
	},
	{
		Name:  "task-runtime-info-only-in-tasks",
		URL:   "https://docs.snowflake.com/en/sql-reference/functions/system_task_runtime_info",
		Doc:   "tree: no statement of a procedure body calls SYSTEM$TASK_RUNTIME_INFO, which fails outside a task run; a task body reads it and passes it on",
		Check: runtimeInfoInProcedures,
	},
	{
		Name:  "skippable-predecessors",
		URL:   "https://docs.snowflake.com/en/sql-reference/functions/system_predecessors_state",
		Doc:   "header and tree: a task after a predecessor other than the root that has a WHEN (and so can be SKIPPED) has a WHEN calling SYSTEM$PREDECESSORS_STATE('ALL_DONE') or ('NONE_FAILED'): by default a task runs only when every predecessor succeeded, so a skipped one would skip it and every task after it, also when every predecessor was skipped (the recovery run the root starts for the observations or backfill stream)",
		Check: skippablePredecessors,
	},
	{
		Name:  "task-timeout",
		URL:   "https://docs.snowflake.com/en/sql-reference/sql/create-task",
		Doc:   "header: every task sets USER_TASK_TIMEOUT_MS to a positive number (the default, one hour, is not chosen for a one-minute graph)",
		Check: taskTimeout,
	},
	{
		Name:  "root-failure-policy",
		URL:   "https://docs.snowflake.com/en/user-guide/tasks-graphs",
		Doc:   "header: the root task sets SUSPEND_TASK_AFTER_NUM_FAILURES and TASK_AUTO_RETRY_ATTEMPTS, which apply to the whole graph; no other task sets TASK_AUTO_RETRY_ATTEMPTS",
		Check: rootFailurePolicy,
	},
	{
		Name:  "task-compute",
		URL:   "https://docs.snowflake.com/en/sql-reference/sql/create-task",
		Doc:   "header: every task names a WAREHOUSE or is serverless (USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE or TARGET_COMPLETION_INTERVAL), never both",
		Check: taskCompute,
	},
	{
		Name:  "observe-try-conversions",
		URL:   "https://docs.snowflake.com/en/sql-reference/functions/try_cast",
		Doc:   "tree: a statement that reads a table of schema RAW (the landed lines or their streams) converts column values only with TRY_ forms: no TO_TIMESTAMP*, TO_NUMBER, TO_DECIMAL, TO_NUMERIC, TO_DOUBLE, TO_DATE, TO_TIME, TO_BOOLEAN, PARSE_JSON, and no CAST or :: to a type other than text or VARIANT, on an expression that refers to a column (a constant cast is not checked), unless the call bounds it: a conversion of IFF(x BETWEEN low AND high, x, NULL) with constant bounds, a cast to T of x inside IFF(IS_T(x), ...). One line that does not convert would fail the statement on every run.",
		Check: observeTryConversions,
	},
	{
		Name:  "higher-order-functions-on-arrays",
		URL:   "https://docs.snowflake.com/en/sql-reference/functions/filter",
		Doc:   "tree: FILTER, TRANSFORM and REDUCE take as first argument an ARRAY: a TO_ARRAY call or a cast to ARRAY (TO_ARRAY leaves an array unchanged, https://docs.snowflake.com/en/sql-reference/functions/to_array), never a bare VARIANT path; FILTER and TRANSFORM take a lambda of one argument as second",
		Check: higherOrderOnArrays,
	},
	{
		Name:  "latest-batch-not-max-batch-id",
		URL:   "https://docs.snowflake.com/en/sql-reference/functions/system_task_runtime_info",
		Doc:   "tree: no MAX or MIN of a column named BATCH_ID: batch ids are the graph run's UUID, which does not order runs",
		Check: latestNotMaxBatchID,
	},
	{
		Name:  "one-clock-read-per-run",
		URL:   "https://docs.snowflake.com/en/sql-reference/functions/sysdate",
		Doc:   "tree: in a procedure that keeps a clock (writes a table whose name ends in CLOCK) or writes a history table, at most one statement reads the system time (SYSDATE, CURRENT_TIMESTAMP, GETDATE, SYSTIMESTAMP, LOCALTIMESTAMP), the one writing the clock; the others read the clock, since SYSDATE is evaluated per statement. A clock read in the arguments of a table function (the window of COPY_HISTORY) is not a recorded time and is not counted",
		Check: oneClockRead,
	},
	{
		Name:  "raw-varchar-length",
		URL:   "https://docs.snowflake.com/en/sql-reference/data-types-text",
		Doc:   "tree: the LINE column of a table in schema RAW (a landed line, whatever its length) declares its length, at most 134217728; without one a line longer than 16 MB is skipped by the load. Other RAW text (file names) is short and keeps the default",
		Check: rawVarcharLength,
	},
	{
		Name:  "integer-validation-without-rounding",
		URL:   "https://docs.snowflake.com/en/sql-reference/functions/cast",
		Doc:   "tree: a TRY_CAST / TRY_TO_NUMBER / TRY_TO_DECIMAL / TRY_TO_NUMERIC to scale 0 (NUMBER, NUMBER(p), NUMBER(p, 0), INT, INTEGER, BIGINT, DECIMAL(p, 0), or no scale argument) rounds '12.5' to 13; it must sit in an IFF or CASE whose condition tests the same value with REGEXP_LIKE",
		Check: integerRounding,
	},
	{
		Name:  "replace-copy-grants",
		URL:   "https://docs.snowflake.com/en/sql-reference/sql/create-view",
		Doc:   "tree for views and dynamic tables, header for tasks: CREATE OR REPLACE of a VIEW or DYNAMIC TABLE carries COPY GRANTS, or the replaced object's grants are dropped; CREATE TASK has no COPY GRANTS in its grammar (https://docs.snowflake.com/en/sql-reference/sql/create-task), so a task never carries it",
		Check: replaceCopyGrants,
	},
	{
		Name:  "stage-s3-kms-encryption",
		URL:   "https://docs.snowflake.com/en/sql-reference/sql/create-stage",
		Doc:   "header text: a CREATE STAGE whose URL is s3:// declares ENCRYPTION = (TYPE = 'AWS_SSE_KMS' KMS_KEY_ID = '<key>'), server-side encryption of the landing files with the company's KMS key",
		Check: stageKMS,
	},
	{
		Name:  "policy-is-role-in-session",
		URL:   "https://docs.snowflake.com/en/sql-reference/functions/is_role_in_session",
		Doc:   "header: every masking and row access policy body (CREATE and ALTER ... SET BODY) tests roles with IS_ROLE_IN_SESSION, which counts the role hierarchy, and calls neither CURRENT_ROLE nor INVOKER_ROLE (https://docs.snowflake.com/en/user-guide/security-column-advanced)",
		Check: policyRoles,
	},
	{
		Name:  "tag-one-masking-policy-per-type",
		URL:   "https://docs.snowflake.com/en/sql-reference/sql/alter-tag",
		Doc:   "header: ALTER TAG ... SET MASKING POLICY names policies created in the set, at most one per data type (https://docs.snowflake.com/en/user-guide/tag-based-masking-policies), with FORCE so that the statement can run again; a tag set on a column (ALTER ... MODIFY COLUMN ... SET TAG) is created in the set (https://docs.snowflake.com/en/sql-reference/sql/create-tag)",
		Check: tagPolicies,
	},
	{
		Name:  "granted-replace-copy-grants",
		URL:   "https://docs.snowflake.com/en/sql-reference/sql/create-procedure",
		Doc:   "header text: an object a GRANT of the set names, created with CREATE OR REPLACE, carries COPY GRANTS where its CREATE accepts it (TABLE, VIEW, DYNAMIC TABLE: https://docs.snowflake.com/en/sql-reference/sql/create-view; PROCEDURE); CREATE TASK has none (https://docs.snowflake.com/en/sql-reference/sql/create-task), so a granted task's GRANT comes after the task in the set",
		Check: grantedCopyGrants,
	},
	{
		Name:  "access-history-incremental",
		URL:   "https://docs.snowflake.com/en/sql-reference/account-usage/access_history",
		Doc:   "text: a statement reading SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY (a year of every query's accesses) bounds QUERY_START_TIME from below, so that each run reads only what is new",
		Check: accessHistoryIncremental,
	},
	{
		Name:  "subquery-predicates-in-where",
		URL:   "https://docs.snowflake.com/en/sql-reference/operators-subquery",
		Doc:   "tree: EXISTS, IN (subquery), ANY and ALL with a subquery appear only in a WHERE clause (of SELECT, UPDATE or DELETE), not in a select list, CASE, ON, HAVING, QUALIFY or a MERGE clause; elsewhere use a scalar subquery (https://docs.snowflake.com/en/user-guide/querying-subqueries). The page allows an uncorrelated EXISTS anywhere a Boolean is; this check holds every EXISTS to the correlated form's place",
		Check: subqueryPredicatesInWhere,
	},
	{
		Name:  "correlated-subquery-not-under-or",
		URL:   "https://docs.snowflake.com/en/sql-reference/operators-subquery",
		Doc:   "tree: a correlated EXISTS (its subquery names a table alias it does not define) and any ANY or ALL subquery are not an argument of OR, which the page says is not supported",
		Check: correlatedSubqueryNotUnderOr,
	},
	{
		Name:  "schema-time-travel",
		URL:   "https://docs.snowflake.com/en/sql-reference/sql/alter-schema",
		Doc:   "header: ALTER SCHEMA sets only DATA_RETENTION_TIME_IN_DAYS, an integer from 0 to 90 (https://docs.snowflake.com/en/user-guide/data-time-travel: 90 days at most, on Enterprise Edition; 1 on Standard), on a schema the set creates; the tables a schema holds inherit it",
		Check: schemaTimeTravel,
	},
	{
		Name:  "scripting-variables-declared",
		URL:   "https://docs.snowflake.com/en/developer-guide/snowflake-scripting/variables",
		Doc:   "units: every :NAME a Snowflake Scripting step reads, and every SELECT ... INTO :NAME target, is a variable of its block (DECLARE, LET) or an argument of its procedure; a variable must be declared before use",
		Check: variablesDeclared,
	},
	{
		Name:  "time-ordered-tables-pruned-by-variable",
		URL:   "https://docs.snowflake.com/en/user-guide/tables-clustering-micropartitions",
		Doc:   "text: every step of the reconcile procedure that reads a table written in time order (SILVER.STATE_LOG by until_time, GOLD.CUSTOMER_MASTER_VERSIONS by valid_to) bounds that column by a variable (column >= :NAME): pruning by micro-partition min/max needs a constant, and a predicate with a subquery prunes nothing, even when the subquery gives a constant",
		Check: timeOrderedPruned,
	},
	{
		Name:  "work-tables-transient",
		URL:   "https://docs.snowflake.com/en/user-guide/tables-temp-transient",
		Doc:   "tree: every CREATE TABLE of a table named WORK_* (the reconcile's work tables) is TRANSIENT or TEMPORARY",
		Check: workTablesTransient,
	},
	{
		Name:  "no-ddl-in-transaction",
		URL:   "https://docs.snowflake.com/en/sql-reference/transactions",
		Doc:   "tree: no CREATE, ALTER, DROP, UNDROP or COMMENT between BEGIN TRANSACTION and COMMIT of a Snowflake Scripting body: DDL commits the open transaction",
		Check: noDDLInTransaction,
	},
	{
		Name:  "merge-source-deduplicated",
		URL:   "https://docs.snowflake.com/en/sql-reference/sql/merge",
		Doc:   "tree: a MERGE with an UPDATE or DELETE action errors when several source rows match one target row. Checked: a source that reads a stream deduplicates at its top level (QUALIFY ROW_NUMBER() OVER (PARTITION BY p) = 1, or GROUP BY g); and any top-level deduplication of a source is on columns among those its ON equalities use. Not checked: sources that read only tables, whose uniqueness rests on how the table was filled",
		Check: mergeSourceDeduplicated,
	},
	{
		Name:  "asof-match-condition",
		URL:   "https://docs.snowflake.com/en/sql-reference/constructs/asof-join",
		Doc:   "tree: every ASOF JOIN has a MATCH_CONDITION comparing two expressions with >=, <=, > or < (never =), and an ON of equalities joined by AND",
		Check: asofMatchCondition,
	},
	{
		Name:  "task-graph-finalizer",
		URL:   "https://docs.snowflake.com/en/user-guide/tasks-graphs",
		Doc:   "header: every AFTER names a task of the set; a root (no AFTER, no FINALIZE) with children has exactly one finalizer, whose FINALIZE names it, so that its batch is closed whatever happened to its tasks; a finalizer finalizes a root and has no AFTER; a standalone scheduled task (a root without children) needs none",
		Check: taskGraph,
	},
	{
		Name:  "pipe-not-replaced",
		URL:   "https://docs.snowflake.com/en/sql-reference/functions/copy_history",
		Doc:   "header and tree: no CREATE OR REPLACE PIPE (recreating a pipe drops its load history, so files already loaded would load again), and a pipe's COPY calls no CURRENT_TIMESTAMP, SYSDATE or the like (https://docs.snowflake.com/en/sql-reference/sql/create-pipe: use METADATA$START_SCAN_TIME)",
		Check: pipeNotReplaced,
	},
	{
		Name:  "stream-on-table",
		URL:   "https://docs.snowflake.com/en/sql-reference/sql/create-stream",
		Doc:   "header: a CREATE STREAM (outside the parser's grammar) is ON TABLE a table created in the set, says APPEND_ONLY explicitly and is not CREATE OR REPLACE (a recreated stream starts at a new offset)",
		Check: streamOnTable,
	},
	{
		Name:  "file-format-lines-as-text",
		URL:   "https://docs.snowflake.com/en/sql-reference/sql/create-file-format",
		Doc:   "header: a CREATE FILE FORMAT (outside the parser's grammar) lands each line as one text column: TYPE = CSV with FIELD_DELIMITER, ESCAPE, ESCAPE_UNENCLOSED_FIELD and FIELD_OPTIONALLY_ENCLOSED_BY all NONE, so nothing in a JSON line is rewritten; or, for a source of whole JSON documents, TYPE = JSON with STRIP_OUTER_ARRAY = FALSE (a top-level array stays one document, flagged downstream) and ALLOW_DUPLICATE = FALSE (a repeated key fails the document, reported by COPY_HISTORY, instead of the last value winning)",
		Check: fileFormatLinesAsText,
	},
	{
		Name:  "transaction-block-rolls-back",
		URL:   "https://docs.snowflake.com/en/developer-guide/snowflake-scripting/exceptions",
		Doc:   "split units: a Snowflake Scripting body that begins a transaction ends it with COMMIT and has an EXCEPTION handler WHEN OTHER THEN that runs ROLLBACK and then RAISE, so a failed step neither commits the others nor hides the error",
		Check: transactionBlockRollsBack,
	},
}

// RuleNamed returns the catalog's rule of that name.
func RuleNamed(name string) (Rule, bool) {
	for _, r := range Catalog {
		if r.Name == name {
			return r, true
		}
	}
	return Rule{}, false
}

func copyLeftOutSequence(s *Set) []Violation {
	tables := map[string]map[string]any{}
	for _, u := range s.Units() {
		if k, t := variant(u.AST); k == "CreateTable" {
			tables[objectNameOf(obj(t)["name"])] = obj(t)
		}
	}
	var out []Violation
	for _, u := range s.Units() {
		k, c := variant(u.AST)
		if k != "CopyIntoSnowflake" || obj(c)["kind"] != "Table" {
			continue
		}
		target := objectNameOf(obj(c)["into"])
		listed := map[string]bool{}
		for _, col := range list(c, "into_columns") {
			listed[identValue(col)] = true
		}
		if len(listed) == 0 {
			continue
		}
		t, ok := tables[target]
		if !ok {
			out = append(out, violation(u.Name, "COPY INTO %s: the table's CREATE TABLE is not among the statements", target))
			continue
		}
		for _, col := range list(t, "columns") {
			name := identValue(obj(col)["name"])
			if listed[name] {
				continue
			}
			for _, opt := range list(col, "options") {
				def := obj(opt, "option")["Default"]
				if def == nil {
					continue
				}
				if columnRef(def) == "NEXTVAL" {
					out = append(out, violation(u.Name, "COPY INTO %s leaves out %s, whose default is a sequence", target, name))
				}
			}
		}
	}
	return out
}

func runtimeInfoInProcedures(s *Set) []Violation {
	var out []Violation
	for _, u := range s.Units() {
		if !u.Procedure {
			continue
		}
		for _, c := range calls(u.AST) {
			if c.name == "SYSTEM$TASK_RUNTIME_INFO" {
				out = append(out, violation(u.Name, "SYSTEM$TASK_RUNTIME_INFO in a procedure body"))
				break
			}
		}
	}
	return out
}

// skippingTolerated are the predecessor conditions under which a task
// runs when its predecessors were skipped, every one of them included.
var skippingTolerated = map[string]bool{"ALL_DONE": true, "NONE_FAILED": true}

func skippablePredecessors(s *Set) []Violation {
	var out []Violation
	tasks := map[string]*Header{}
	for _, st := range s.Headers("TASK") {
		tasks[st.Header.Name] = st.Header
	}
	for _, st := range s.Headers("TASK") {
		h := st.Header
		var skippable []string
		for _, p := range h.After {
			if ph := tasks[p]; ph != nil && !isRoot(ph) && ph.When != "" {
				skippable = append(skippable, p)
			}
		}
		if len(skippable) == 0 {
			continue
		}
		ok := false
		for _, u := range st.Units {
			if u.Role != "task WHEN" || u.AST == nil {
				continue
			}
			for _, c := range calls(u.AST) {
				if c.name == "SYSTEM$PREDECESSORS_STATE" && skippingTolerated[strings.ToUpper(firstStringArg(c.node))] {
					ok = true
				}
			}
		}
		if !ok {
			out = append(out, violation(st.Name, "task %s runs after %s, which can be skipped, and its WHEN has no SYSTEM$PREDECESSORS_STATE('ALL_DONE' or 'NONE_FAILED')", h.Name, strings.Join(skippable, ", ")))
		}
	}
	return out
}

// isRoot reports whether a task header is a graph's root.
func isRoot(h *Header) bool {
	_, final := h.Option("FINALIZE")
	return len(h.After) == 0 && !final
}

func positive(v string) bool {
	n, err := strconv.Atoi(v)
	return err == nil && n > 0
}

func taskTimeout(s *Set) []Violation {
	var out []Violation
	for _, st := range s.Headers("TASK") {
		if v, ok := st.Header.Option("USER_TASK_TIMEOUT_MS"); !ok || !positive(v) {
			out = append(out, violation(st.Name, "task %s sets no USER_TASK_TIMEOUT_MS", st.Header.Name))
		}
	}
	return out
}

func rootFailurePolicy(s *Set) []Violation {
	var out []Violation
	for _, st := range s.Headers("TASK") {
		h := st.Header
		if isRoot(h) {
			for _, p := range []string{"SUSPEND_TASK_AFTER_NUM_FAILURES", "TASK_AUTO_RETRY_ATTEMPTS"} {
				if _, ok := h.Option(p); !ok {
					out = append(out, violation(st.Name, "root task %s sets no %s", h.Name, p))
				}
			}
		} else if _, ok := h.Option("TASK_AUTO_RETRY_ATTEMPTS"); ok {
			out = append(out, violation(st.Name, "task %s is not the root but sets TASK_AUTO_RETRY_ATTEMPTS", h.Name))
		}
	}
	return out
}

func taskCompute(s *Set) []Violation {
	var out []Violation
	for _, st := range s.Headers("TASK") {
		h := st.Header
		_, wh := h.Option("WAREHOUSE")
		_, size := h.Option("USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE")
		_, interval := h.Option("TARGET_COMPLETION_INTERVAL")
		switch {
		case wh && (size || interval):
			out = append(out, violation(st.Name, "task %s names a WAREHOUSE and serverless sizing", h.Name))
		case !wh && !size && !interval:
			out = append(out, violation(st.Name, "task %s names no WAREHOUSE and no serverless sizing", h.Name))
		}
	}
	return out
}

// failingConversions are the conversion functions that fail on a value they
// cannot convert; each has a TRY_ form.
var failingConversions = map[string]bool{
	"TO_TIMESTAMP": true, "TO_TIMESTAMP_NTZ": true, "TO_TIMESTAMP_LTZ": true, "TO_TIMESTAMP_TZ": true,
	"TO_NUMBER": true, "TO_DECIMAL": true, "TO_NUMERIC": true, "TO_DOUBLE": true,
	"TO_DATE": true, "DATE": true, "TO_TIME": true, "TIME": true, "TO_BOOLEAN": true,
	"PARSE_JSON": true, "TO_BINARY": true, "TO_GEOGRAPHY": true,
}

// safeCastTypes never fail a cast: any value has a text and a VARIANT form.
var safeCastTypes = map[string]bool{
	"VARCHAR": true, "STRING": true, "TEXT": true, "CHAR": true, "CHARACTER": true, "CHARVARYING": true,
	"CHARACTERVARYING": true, "NVARCHAR": true, "VARIANT": true,
}

func readsRaw(u *Unit) bool {
	switch statementKind(u) {
	case "CreateTable", "CopyIntoSnowflake":
		return false
	}
	for _, t := range tablesRead(u.AST) {
		if schemaOf(t) == "RAW" {
			return true
		}
	}
	return false
}

func observeTryConversions(s *Set) []Violation {
	var out []Violation
	for _, u := range s.Units() {
		if !readsRaw(u) {
			continue
		}
		seen := map[string]bool{}
		note := func(msg string) {
			if !seen[msg] {
				seen[msg] = true
				out = append(out, violation(u.Name, "%s", msg))
			}
		}
		for _, c := range calls(u.AST) {
			if failingConversions[c.name] && !rangeGuarded(c) {
				note(c.name + " of source data (use TRY_" + c.name + ", or bound its argument at the call)")
			}
		}
		walk(u.AST, func(n map[string]any, keys []string, above []map[string]any) bool {
			c := obj(n, "Cast")
			if c == nil || c["kind"] == "TryCast" || c["kind"] == "SafeCast" {
				return true
			}
			if k, v := variant(c["expr"]); k == "Function" && len(asList(obj(v)["name"])) == 1 && identValue(asList(obj(v)["name"])[0]) == "CONVERT_TIMEZONE" {
				return true // a timestamp in another zone: converting it cannot fail
			}
			if tn := dataTypeName(c["data_type"]); !safeCastTypes[tn] && hasIdentifier(c["expr"]) && !typeGuarded(c["expr"], tn, above) {
				note(fmt.Sprintf("cast of source data to %s (use a TRY_ form, or guard it)", tn))
			}
			return true
		})
	}
	return out
}

// rangeGuarded reports whether a conversion's first argument is
// IFF(x BETWEEN low AND high, x, NULL) with constant bounds: the value
// converted is bounded at the call, so the call cannot fail on it.
func rangeGuarded(c call) bool {
	args := c.args()
	if len(args) == 0 {
		return false
	}
	iff, ok := asCall(args[0])
	ia := iff.args()
	if !ok || iff.name != "IFF" || len(ia) != 3 {
		return false
	}
	b := obj(ia[0], "Between")
	return b != nil && b["negated"] != true && !hasIdentifier(b["low"]) && !hasIdentifier(b["high"]) && canon(b["expr"]) == canon(ia[1])
}

// typeGuarded reports whether a cast of expr to type tn sits in the second
// argument of IFF(IS_<tn>(expr), ...): only a value of that type reaches
// it.
func typeGuarded(expr any, tn string, above []map[string]any) bool {
	for i := len(above) - 1; i >= 0; i-- {
		iff, ok := asCall(above[i])
		args := iff.args()
		if !ok || iff.name != "IFF" || len(args) != 3 {
			continue
		}
		test, ok := asCall(args[0])
		if ga := test.args(); ok && test.name == "IS_"+tn && len(ga) == 1 && canon(ga[0]) == canon(expr) {
			return true
		}
	}
	return false
}

func schemaTimeTravel(s *Set) []Violation {
	var out []Violation
	created := map[string]bool{}
	for _, u := range s.Units() {
		if k, v := variant(u.AST); k == "CreateSchema" {
			created[objectNameOf(obj(v, "schema_name")["Simple"])] = true
		}
	}
	for _, st := range s.Headers("ALTER SCHEMA") {
		h := st.Header
		for k, v := range h.Options {
			n, err := strconv.Atoi(v)
			switch {
			case k != "DATA_RETENTION_TIME_IN_DAYS":
				out = append(out, violation(st.Name, "ALTER SCHEMA %s sets %s, which the catalog does not check", h.Name, k))
			case err != nil || n < 0 || n > 90:
				out = append(out, violation(st.Name, "ALTER SCHEMA %s: DATA_RETENTION_TIME_IN_DAYS = %s is not an integer from 0 to 90", h.Name, v))
			}
		}
		if len(created) > 0 && !created[h.Name] {
			out = append(out, violation(st.Name, "ALTER SCHEMA %s: no CREATE SCHEMA for it in the generated SQL", h.Name))
		}
	}
	return out
}

func higherOrderOnArrays(s *Set) []Violation {
	var out []Violation
	for u, c := range callsOf(s, "FILTER", "TRANSFORM", "REDUCE") {
		args := c.args()
		if len(args) < 2 {
			out = append(out, violation(u.Name, "%s with %d arguments", c.name, len(args)))
			continue
		}
		array := false
		if a, ok := asCall(args[0]); ok && a.name == "TO_ARRAY" {
			array = true
		}
		if cast := obj(args[0], "Cast"); cast != nil && dataTypeName(cast["data_type"]) == "ARRAY" {
			array = true
		}
		if !array {
			out = append(out, violation(u.Name, "%s of a value not made an ARRAY (TO_ARRAY or ::ARRAY)", c.name))
		}
		if c.name != "REDUCE" && obj(args[1], "Lambda", "params", "One") == nil {
			out = append(out, violation(u.Name, "%s without a lambda of one argument", c.name))
		}
	}
	return out
}

func latestNotMaxBatchID(s *Set) []Violation {
	var out []Violation
	for u, c := range callsOf(s, "MAX", "MIN") {
		for _, a := range c.args() {
			if columnRef(a) == "BATCH_ID" {
				out = append(out, violation(u.Name, "%s(batch_id) taken as the latest or first batch", c.name))
			}
		}
	}
	return out
}

var clockFunctions = map[string]bool{
	"SYSDATE": true, "CURRENT_TIMESTAMP": true, "GETDATE": true, "SYSTIMESTAMP": true, "LOCALTIMESTAMP": true,
}

// writeTarget is the table an INSERT, MERGE, UPDATE or DELETE writes, or "".
func writeTarget(u *Unit) string {
	k, v := variant(u.AST)
	switch k {
	case "Insert":
		if t := list(v, "table", "TableName"); t != nil {
			return objectNameOf(t)
		}
		if t := list(v, "table_name"); t != nil {
			return objectNameOf(t)
		}
	case "Merge":
		return objectNameOf(list(v, "table", "Table", "name"))
	case "Update":
		return objectNameOf(list(v, "table", "relation", "Table", "name"))
	}
	return ""
}

func oneClockRead(s *Set) []Violation {
	var out []Violation
	for _, st := range s.Headers("PROCEDURE") {
		var reads []*Unit
		var clockWriter *Unit
		keeps := false
		for _, u := range st.Units {
			if u.AST == nil {
				continue
			}
			target := lastPart(writeTarget(u))
			if strings.HasSuffix(target, "CLOCK") {
				keeps = true
				clockWriter = u
			}
			if strings.Contains(target, "HISTORY") {
				keeps = true
			}
			for _, c := range calls(u.AST) {
				if clockFunctions[c.name] && !inTableFunction(c.above) {
					reads = append(reads, u)
					break
				}
			}
		}
		if !keeps {
			continue
		}
		for _, u := range reads {
			if u != clockWriter {
				out = append(out, violation(u.Name, "reads the system time; procedure %s reads it once, into its clock", st.Header.Name))
			}
		}
	}
	return out
}

// inTableFunction reports whether a node sits in the arguments of a table
// function (TABLE(INFORMATION_SCHEMA.COPY_HISTORY(START_TIME => ...))): a
// window of a history function, not a time the run records.
func inTableFunction(above []map[string]any) bool {
	for _, n := range above {
		if _, ok := n["TableFunction"]; ok {
			return true
		}
	}
	return false
}

var textTypes = map[string]bool{"VARCHAR": true, "STRING": true, "TEXT": true, "CHARVARYING": true, "CHARACTERVARYING": true, "NVARCHAR": true}

func rawVarcharLength(s *Set) []Violation {
	var out []Violation
	for _, u := range s.Units() {
		k, t := variant(u.AST)
		if k != "CreateTable" {
			continue
		}
		table := objectNameOf(obj(t)["name"])
		if schemaOf(table) != "RAW" {
			continue
		}
		for _, col := range list(t, "columns") {
			dt := obj(col)["data_type"]
			if !textTypes[dataTypeName(dt)] {
				continue
			}
			_, v := variant(dt)
			n, ok := obj(v, "IntegerLength")["length"].(float64)
			col := identValue(obj(col)["name"])
			if !strings.EqualFold(col, "line") {
				continue
			}
			switch {
			case !ok:
				out = append(out, violation(u.Name, "%s.%s is text without a length", table, col))
			case n > 134217728:
				out = append(out, violation(u.Name, "%s.%s is longer than 134217728", table, col))
			}
		}
	}
	return out
}

// scaleZero reports whether a data type is a number of scale 0.
func scaleZero(dt any) bool {
	switch dataTypeName(dt) {
	case "INT", "INTEGER", "BIGINT", "SMALLINT", "TINYINT", "BYTEINT":
		return true
	case "NUMBER", "NUMERIC", "DECIMAL":
		k, v := variant(dt)
		if k == "Custom" {
			mods := asList(asList(v)[1])
			return len(mods) < 2 || mods[1] == "0"
		}
		if p := asList(obj(v)["PrecisionAndScale"]); len(p) == 2 {
			return p[1] == float64(0)
		}
		return true
	}
	return false
}

func integerRounding(s *Set) []Violation {
	var out []Violation
	for _, u := range s.Units() {
		type candidate struct {
			what  string
			arg   any
			above []map[string]any
		}
		var found []candidate
		for _, c := range calls(u.AST) {
			switch c.name {
			case "TRY_TO_NUMBER", "TRY_TO_DECIMAL", "TRY_TO_NUMERIC":
				args := c.args()
				if len(args) == 0 {
					continue
				}
				// (x), (x, fmt), (x, p), (x, p, s), (x, fmt, p, s): the scale is 0 unless given.
				scale := "0"
				if len(args) >= 3 {
					if _, v := variant(args[len(args)-1]); v != nil {
						if n := list(obj(v), "value", "Number"); len(n) > 0 {
							scale, _ = n[0].(string)
						}
					}
				}
				if scale == "0" {
					found = append(found, candidate{c.name, args[0], c.above})
				}
			}
		}
		walk(u.AST, func(n map[string]any, keys []string, above []map[string]any) bool {
			if c := obj(n, "Cast"); c != nil && c["kind"] == "TryCast" && scaleZero(c["data_type"]) {
				found = append(found, candidate{"TRY_CAST to " + dataTypeName(c["data_type"]) + " of scale 0", c["expr"], withNode(above, n)})
			}
			return true
		})
		for _, f := range found {
			if !regexpGuarded(f.arg, f.above) {
				out = append(out, violation(u.Name, "%s rounds a fraction to an integer; guard it with REGEXP_LIKE on the same value", f.what))
			}
		}
	}
	return out
}

// regexpGuarded reports whether one of the IFF or CASE expressions above a
// conversion tests, in its condition, with REGEXP_LIKE, a value that the
// converted argument contains.
func regexpGuarded(arg any, above []map[string]any) bool {
	argText := canon(arg)
	var conds []any
	for _, n := range above {
		if f := obj(n, "Function"); f != nil && len(asList(f["name"])) > 0 && identValue(asList(f["name"])[len(asList(f["name"]))-1]) == "IFF" {
			c := call{node: f}
			if a := c.args(); len(a) > 0 {
				conds = append(conds, a[0])
			}
		}
		if cs := obj(n, "Case"); cs != nil {
			for _, w := range list(cs, "conditions") {
				conds = append(conds, obj(w)["condition"])
			}
		}
	}
	for _, cond := range conds {
		for _, c := range calls(cond) {
			if c.name != "REGEXP_LIKE" && c.name != "RLIKE" {
				continue
			}
			if a := c.args(); len(a) > 0 && strings.Contains(argText, canon(a[0])) {
				return true
			}
		}
	}
	return false
}

func replaceCopyGrants(s *Set) []Violation {
	var out []Violation
	for _, u := range s.Units() {
		k, v := variant(u.AST)
		m := obj(v)
		switch {
		case k == "CreateView" && m["or_replace"] == true && m["copy_grants"] != true:
			out = append(out, violation(u.Name, "CREATE OR REPLACE VIEW %s without COPY GRANTS", objectNameOf(m["name"])))
		case k == "CreateTable" && m["dynamic"] == true && m["or_replace"] == true && m["copy_grants"] != true:
			out = append(out, violation(u.Name, "CREATE OR REPLACE DYNAMIC TABLE %s without COPY GRANTS", objectNameOf(m["name"])))
		}
	}
	for _, st := range s.Headers("TASK") {
		if st.Header.CopyGrants {
			out = append(out, violation(st.Name, "CREATE TASK %s with COPY GRANTS, which CREATE TASK does not accept", st.Header.Name))
		}
	}
	return out
}

// clauseKeys are the tree keys of the clauses a subquery predicate may sit
// in; "selection" is WHERE.
var clauseKeys = map[string]bool{
	"selection": true, "projection": true, "having": true, "qualify": true, "on": true, "On": true,
	"constraint": true, "match_condition": true, "clauses": true, "assignments": true, "conditions": true,
	"condition": true, "else_result": true, "result": true, "order_by": true, "group_by": true, "args": true,
	"partition_by": true, "values": true, "source": true,
}

// quantifiedSubquery names n when it compares with ANY or ALL of a
// subquery, and is "" otherwise.
func quantifiedSubquery(n map[string]any) string {
	switch {
	case obj(n, "AnyOp", "right")["Subquery"] != nil:
		return "ANY (subquery)"
	case obj(n, "AllOp", "right")["Subquery"] != nil:
		return "ALL (subquery)"
	}
	return ""
}

func subqueryPredicatesInWhere(s *Set) []Violation {
	var out []Violation
	for _, u := range s.Units() {
		walk(u.AST, func(n map[string]any, keys []string, above []map[string]any) bool {
			kind := quantifiedSubquery(n)
			switch {
			case n["Exists"] != nil:
				kind = "EXISTS"
			case n["InSubquery"] != nil:
				kind = "IN (subquery)"
			}
			if kind == "" {
				return true
			}
			clause := ""
			for i := len(keys) - 1; i >= 0; i-- {
				if clauseKeys[keys[i]] {
					clause = keys[i]
					break
				}
			}
			if clause != "selection" {
				out = append(out, violation(u.Name, "%s in %s, outside a WHERE clause", kind, clauseName(clause)))
				return true
			}
			return true
		})
	}
	return out
}

// correlated reports whether a query refers to a qualifier (table alias
// or name) that none of its own FROM clauses defines.
func correlated(query any) bool {
	defined := map[string]bool{}
	walk(query, func(n map[string]any, keys []string, above []map[string]any) bool {
		if t := obj(n, "Table"); t != nil && len(keys) > 0 && keys[len(keys)-1] == "relation" {
			defined[lastPart(objectNameOf(t["name"]))] = true
			if a := obj(t, "alias"); a != nil {
				defined[identValue(a["name"])] = true
			}
		}
		if d := obj(n, "Derived"); d != nil && len(keys) > 0 && keys[len(keys)-1] == "relation" {
			if a := obj(d, "alias"); a != nil {
				defined[identValue(a["name"])] = true
			}
		}
		return true
	})
	outer := false
	walk(query, func(n map[string]any, keys []string, above []map[string]any) bool {
		if parts := list(n, "CompoundIdentifier"); len(parts) >= 2 && !defined[identValue(parts[len(parts)-2])] {
			outer = true
		}
		return !outer
	})
	return outer
}

func correlatedSubqueryNotUnderOr(s *Set) []Violation {
	var out []Violation
	for _, u := range s.Units() {
		walk(u.AST, func(n map[string]any, keys []string, above []map[string]any) bool {
			kind := quantifiedSubquery(n)
			if obj(n, "Exists") != nil && correlated(obj(n, "Exists")["subquery"]) {
				kind = "a correlated EXISTS"
			}
			if kind == "" {
				return true
			}
			for i := len(above) - 1; i >= 0; i-- {
				if b := obj(above[i], "BinaryOp"); b != nil && b["op"] == "Or" {
					out = append(out, violation(u.Name, "%s is an argument of OR", kind))
					break
				}
				if above[i]["Subquery"] != nil || above[i]["subquery"] != nil || above[i]["body"] != nil {
					break
				}
			}
			return true
		})
	}
	return out
}

func clauseName(key string) string {
	switch key {
	case "projection":
		return "a select list"
	case "conditions", "condition", "result", "else_result":
		return "a CASE"
	case "on", "On", "constraint", "match_condition":
		return "an ON condition"
	case "clauses":
		return "a MERGE clause"
	case "":
		return "a statement"
	}
	return "a " + strings.ToUpper(strings.ReplaceAll(key, "_", " ")) + " clause"
}

func workTablesTransient(s *Set) []Violation {
	var out []Violation
	for _, u := range s.Units() {
		k, v := variant(u.AST)
		m := obj(v)
		if k != "CreateTable" || m["dynamic"] == true {
			continue
		}
		name := objectNameOf(m["name"])
		if strings.HasPrefix(lastPart(name), "WORK_") && m["transient"] != true && m["temporary"] != true {
			out = append(out, violation(u.Name, "work table %s is not TRANSIENT", name))
		}
	}
	return out
}

func noDDLInTransaction(s *Set) []Violation {
	var out []Violation
	for _, u := range s.Units() {
		if !u.InTransaction {
			continue
		}
		k := statementKind(u)
		if strings.HasPrefix(k, "Create") || strings.HasPrefix(k, "Alter") || strings.HasPrefix(k, "Drop") || k == "Undrop" || k == "Comment" {
			out = append(out, violation(u.Name, "%s inside BEGIN TRANSACTION ... COMMIT commits the transaction", k))
		}
	}
	return out
}

// dedupKeys returns the columns a query deduplicates on at its top level:
// QUALIFY ROW_NUMBER() OVER (PARTITION BY ...) = 1, or GROUP BY; ok is
// false when it does neither.
func dedupKeys(query any) (keys []string, ok bool) {
	sel := obj(query, "body", "Select")
	if sel == nil {
		return nil, false
	}
	if q := obj(sel, "qualify", "BinaryOp"); q != nil {
		if f := obj(q, "left", "Function"); f != nil && identValue(asList(f["name"])[0]) == "ROW_NUMBER" {
			for _, p := range list(f, "over", "WindowSpec", "partition_by") {
				keys = append(keys, columnRef(p))
			}
			return keys, true
		}
	}
	if g := list(sel, "group_by", "Expressions"); len(g) > 0 && len(asList(g[0])) > 0 {
		for _, e := range asList(g[0]) {
			keys = append(keys, columnRef(e))
		}
		return keys, true
	}
	return nil, false
}

func mergeSourceDeduplicated(s *Set) []Violation {
	streams := map[string]bool{}
	for _, st := range s.Headers("STREAM") {
		streams[st.Header.Name] = true
	}
	var out []Violation
	for _, u := range s.Units() {
		k, m := variant(u.AST)
		if k != "Merge" {
			continue
		}
		updates := false
		for _, c := range list(m, "clauses") {
			if k, _ := variant(obj(c)["action"]); k == "Update" || k == "Delete" {
				updates = true
			}
			if obj(c)["action"] == "Delete" {
				updates = true
			}
		}
		if !updates {
			continue
		}
		onCols := map[string]bool{}
		walk(obj(m)["on"], func(n map[string]any, keys []string, above []map[string]any) bool {
			if b := obj(n, "BinaryOp"); b != nil && b["op"] == "Eq" {
				onCols[columnRef(b["left"])] = true
				onCols[columnRef(b["right"])] = true
			}
			return true
		})
		source := obj(m)["source"]
		readsStream := false
		for _, t := range tablesRead(source) {
			if streams[t] || strings.HasSuffix(lastPart(t), "_STREAM") {
				readsStream = true
			}
		}
		if t := obj(source, "Table"); t != nil {
			name := objectNameOf(t["name"])
			if streams[name] || strings.HasSuffix(lastPart(name), "_STREAM") {
				out = append(out, violation(u.Name, "MERGE updates from stream %s without deduplicating it", name))
			}
			continue
		}
		keys, ok := dedupKeys(obj(source, "Derived", "subquery"))
		switch {
		case !ok && readsStream:
			out = append(out, violation(u.Name, "MERGE updates from a source that reads a stream and is not deduplicated at its top level"))
		case ok:
			for _, key := range keys {
				if !onCols[key] {
					out = append(out, violation(u.Name, "MERGE source deduplicated on %s, which its ON does not use", key))
				}
			}
		}
	}
	return out
}

var asofOps = map[string]bool{"GtEq": true, "LtEq": true, "Gt": true, "Lt": true}

func asofMatchCondition(s *Set) []Violation {
	var out []Violation
	for _, u := range s.Units() {
		walk(u.AST, func(n map[string]any, keys []string, above []map[string]any) bool {
			a := obj(n, "join_operator", "AsOf")
			if a == nil {
				return true
			}
			b := obj(a, "match_condition", "BinaryOp")
			if b == nil || !asofOps[fmt.Sprint(b["op"])] {
				out = append(out, violation(u.Name, "ASOF JOIN MATCH_CONDITION is not one comparison with >=, <=, > or <"))
			}
			var eqOnly func(e any) bool
			eqOnly = func(e any) bool {
				b := obj(e, "BinaryOp")
				if b == nil {
					if k, v := variant(e); k == "Nested" {
						return eqOnly(v)
					}
					return false
				}
				switch b["op"] {
				case "Eq":
					return true
				case "And":
					return eqOnly(b["left"]) && eqOnly(b["right"])
				}
				return false
			}
			if on := obj(a, "constraint")["On"]; on != nil && !eqOnly(on) {
				out = append(out, violation(u.Name, "ASOF JOIN ON holds more than equalities joined by AND"))
			}
			return true
		})
	}
	return out
}

func taskGraph(s *Set) []Violation {
	tasks := s.Headers("TASK")
	names := map[string]bool{}
	children := map[string]int{}
	for _, st := range tasks {
		names[st.Header.Name] = true
		for _, a := range st.Header.After {
			children[a]++
		}
	}
	var out []Violation
	finalized := map[string]int{}
	for _, st := range tasks {
		h := st.Header
		for _, a := range h.After {
			if !names[a] {
				out = append(out, violation(st.Name, "task %s runs after %s, which is not a task of the set", h.Name, a))
			}
		}
		f, ok := h.Option("FINALIZE")
		if !ok {
			continue
		}
		finalized[f]++
		if th := taskHeader(tasks, f); th == nil || !isRoot(th) {
			out = append(out, violation(st.Name, "finalizer %s finalizes %s, which is not a root task of the set", h.Name, f))
		}
		if len(h.After) > 0 {
			out = append(out, violation(st.Name, "finalizer %s also has AFTER", h.Name))
		}
	}
	for _, st := range tasks {
		h := st.Header
		if !isRoot(h) {
			continue
		}
		switch n := finalized[h.Name]; {
		case children[h.Name] > 0 && n != 1:
			out = append(out, violation(st.Name, "the graph of root %s has %d finalizers, want 1", h.Name, n))
		case children[h.Name] == 0 && n > 1:
			out = append(out, violation(st.Name, "standalone task %s has %d finalizers", h.Name, n))
		}
	}
	return out
}

func taskHeader(tasks []*Statement, name string) *Header {
	for _, st := range tasks {
		if st.Header.Name == name {
			return st.Header
		}
	}
	return nil
}

func pipeNotReplaced(s *Set) []Violation {
	var out []Violation
	for _, st := range s.Headers("PIPE") {
		if st.Header.OrReplace {
			out = append(out, violation(st.Name, "CREATE OR REPLACE PIPE %s drops its load history", st.Header.Name))
		}
		for _, u := range st.Units {
			for _, c := range calls(u.AST) {
				if clockFunctions[c.name] || c.name == "CURRENT_DATE" || c.name == "CURRENT_TIME" {
					out = append(out, violation(u.Name, "%s in a pipe's COPY", c.name))
				}
			}
		}
	}
	return out
}

func streamOnTable(s *Set) []Violation {
	tables := map[string]bool{}
	for _, u := range s.Units() {
		if k, t := variant(u.AST); k == "CreateTable" {
			tables[objectNameOf(obj(t)["name"])] = true
		}
	}
	var out []Violation
	for _, st := range s.Headers("STREAM") {
		h := st.Header
		switch {
		case h.OnTable == "":
			out = append(out, violation(st.Name, "stream %s is not ON TABLE", h.Name))
		case !tables[h.OnTable]:
			out = append(out, violation(st.Name, "stream %s is on %s, which no CREATE TABLE of the set makes", h.Name, h.OnTable))
		}
		if v, ok := h.Option("APPEND_ONLY"); !ok || (v != "TRUE" && v != "FALSE") {
			out = append(out, violation(st.Name, "stream %s does not say APPEND_ONLY = TRUE or FALSE", h.Name))
		}
		if h.OrReplace {
			out = append(out, violation(st.Name, "CREATE OR REPLACE STREAM %s starts a new offset", h.Name))
		}
	}
	return out
}

func fileFormatLinesAsText(s *Set) []Violation {
	var out []Violation
	want := [][2]string{{"TYPE", "CSV"}, {"FIELD_DELIMITER", "NONE"}, {"ESCAPE", "NONE"}, {"ESCAPE_UNENCLOSED_FIELD", "NONE"}, {"FIELD_OPTIONALLY_ENCLOSED_BY", "NONE"}}
	for _, st := range s.Headers("FILE FORMAT") {
		if v, _ := st.Header.Option("TYPE"); strings.EqualFold(v, "JSON") {
			// A document source: every top-level document a row, none
			// with a repeated key taken silently, no outer array split.
			for _, w := range [][2]string{{"STRIP_OUTER_ARRAY", "FALSE"}, {"ALLOW_DUPLICATE", "FALSE"}} {
				if v, _ := st.Header.Option(w[0]); !strings.EqualFold(v, w[1]) {
					out = append(out, violation(st.Name, "file format %s: %s = %q, want %s", st.Header.Name, w[0], v, w[1]))
				}
			}
			continue
		}
		for _, w := range want {
			if v, _ := st.Header.Option(w[0]); !strings.EqualFold(v, w[1]) {
				out = append(out, violation(st.Name, "file format %s: %s = %q, want %s", st.Header.Name, w[0], v, w[1]))
			}
		}
	}
	return out
}

func transactionBlockRollsBack(s *Set) []Violation {
	var out []Violation
	for _, st := range s.Statements {
		var begun, committed, handler, rolledBack, raised bool
		for _, u := range st.Units {
			k := statementKind(u)
			switch {
			case u.AST == nil && u.Control == "WHEN OTHER THEN":
				handler = true
			case k == "StartTransaction" && obj(u.AST, "StartTransaction")["transaction"] != nil:
				begun = true
			case k == "Commit" && begun && !handler:
				committed = true
			case k == "Rollback" && handler:
				rolledBack = true
			case k == "Raise" && handler && rolledBack:
				raised = true
			}
		}
		if !begun {
			continue
		}
		switch {
		case !committed:
			out = append(out, violation(st.Name, "BEGIN TRANSACTION without COMMIT"))
		case !handler:
			out = append(out, violation(st.Name, "a transaction without an EXCEPTION handler WHEN OTHER THEN"))
		case !rolledBack || !raised:
			out = append(out, violation(st.Name, "the exception handler does not ROLLBACK and then RAISE"))
		}
	}
	return out
}

// binds returns the names (upper case) of the Snowflake Scripting
// variables that text reads as :NAME; a colon after a name, a quoted name
// or a bracket is a path into a VARIANT (v:a), not a variable.
func binds(text string) []string {
	toks, err := lex(text)
	if err != nil {
		return nil
	}
	var out []string
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].text != ":" || toks[i].kind != punct || toks[i+1].kind != word {
			continue
		}
		if i > 0 {
			if p := toks[i-1]; p.kind == word || p.kind == quoted || p.text == ")" || p.text == "]" {
				continue
			}
		}
		out = append(out, toks[i+1].upper())
	}
	return out
}

func variablesDeclared(s *Set) []Violation {
	var out []Violation
	for _, st := range s.Statements {
		if len(st.Units) == 0 {
			continue
		}
		known := map[string]bool{}
		if h := st.Header; h != nil && h.Kind == "PROCEDURE" {
			for _, a := range strings.Split(h.Args, ",") {
				if f := strings.Fields(a); len(f) > 0 {
					known[strings.ToUpper(f[0])] = true
				}
			}
		}
		for _, u := range st.Units {
			if u.Role == "control" {
				w := strings.Fields(u.Control)
				switch {
				case len(w) == 2 && (w[0] == "DECLARE" || w[0] == "LET"):
					known[strings.ToUpper(w[1])] = true
				case len(w) >= 2 && w[0] == "SELECT" && w[1] == "INTO":
					for _, v := range strings.Split(strings.TrimPrefix(u.Control, "SELECT INTO "), ",") {
						if name := strings.TrimPrefix(strings.TrimSpace(v), ":"); !known[name] {
							out = append(out, violation(u.Name, "SELECT INTO :%s: no variable %s is declared", name, name))
						}
					}
				}
				continue
			}
			for _, name := range binds(u.SQL) {
				if !known[name] {
					out = append(out, violation(u.Name, ":%s is neither an argument nor a declared variable", name))
				}
			}
		}
	}
	return out
}

// timeOrdered are the tables written in the order of a time column, which
// a batch reads from a bound on.
var timeOrdered = map[string]string{"SILVER.STATE_LOG": "UNTIL_TIME", "GOLD.CUSTOMER_MASTER_VERSIONS": "VALID_TO"}

func timeOrderedPruned(s *Set) []Violation {
	// What reads no rows of a table, or stops at the first: writing it,
	// and asking whether it is empty (EXISTS, or a LIMIT 1 probe).
	notReads := map[string]*regexp.Regexp{}
	for table := range timeOrdered {
		q := regexp.QuoteMeta(table)
		notReads[table] = regexp.MustCompile(`INSERT INTO [A-Z0-9_$."]*` + q + `\b|\(SELECT 1(?: AS [A-Z_]+)? FROM [A-Z0-9_$."]*` + q + `(?: LIMIT 1)?\)`)
	}
	var out []Violation
	for _, st := range s.Statements {
		if st.Header == nil || st.Header.Kind != "PROCEDURE" || !strings.HasSuffix(st.Header.Name, ".RECONCILE") {
			continue
		}
		for _, u := range st.Units {
			if u.Role != "step" {
				continue
			}
			up := strings.ToUpper(u.SQL)
			for table, col := range timeOrdered {
				if !strings.Contains(notReads[table].ReplaceAllString(up, ""), table) {
					continue
				}
				ok := false
				for _, name := range binds(u.SQL) {
					if strings.Contains(up, col+" >= :"+name) {
						ok = true
					}
				}
				if !ok {
					out = append(out, violation(u.Name, "reads %s without %s >= :<variable>", table, strings.ToLower(col)))
				}
			}
		}
	}
	return out
}
