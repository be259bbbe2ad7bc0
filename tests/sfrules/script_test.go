package sfrules

import (
	"reflect"
	"strings"
	"testing"
)

// units renders split units as "role: text" or "control: words".
func units(us []*Unit) []string {
	var out []string
	for _, u := range us {
		if u.SQL == "" {
			out = append(out, "control: "+u.Control)
		} else {
			out = append(out, u.Role+": "+strings.Join(strings.Fields(u.SQL), " "))
		}
	}
	return out
}

func TestSplitScript(t *testing.T) {
	for _, c := range []struct {
		name, body string
		want       []string
	}{
		{
			name: "semicolons inside constants, quoted names and comments",
			body: `BEGIN
  INSERT INTO t (a, "b;c") SELECT 'x;y', 'it''s;', 'back\';slash' -- a comment; not a split
  /* nor; this */ FROM u;
  SELECT $$a;b$$;
END;`,
			want: []string{
				"control: BEGIN",
				`step: INSERT INTO t (a, "b;c") SELECT 'x;y', 'it''s;', 'back\';slash' -- a comment; not a split /* nor; this */ FROM u`,
				"step: SELECT $$a;b$$",
				"control: END",
			},
		},
		{
			name: "transaction block with an exception handler",
			body: "BEGIN\n  BEGIN TRANSACTION;\n  DELETE FROM q;\n  COMMIT;\n  RETURN 'done';\nEXCEPTION\n  WHEN OTHER THEN\n    ROLLBACK;\n    RAISE;\nEND;",
			want: []string{
				"control: BEGIN", "step: BEGIN TRANSACTION", "step: DELETE FROM q", "step: COMMIT", "step: RETURN 'done'",
				"control: EXCEPTION", "control: WHEN OTHER THEN", "step: ROLLBACK", "step: RAISE", "control: END",
			},
		},
		{
			name: "declarations, LET, assignment, IF",
			body: `DECLARE
  b VARCHAR DEFAULT SYSTEM$TASK_RUNTIME_INFO('CURRENT_TASK_GRAPH_RUN_GROUP_ID');
  n NUMBER;
BEGIN
  LET m NUMBER := (SELECT COUNT(*) FROM t);
  n := m + 1;
  IF (n > 1) THEN
    CALL p(:b);
  ELSE
    RETURN 'none';
  END IF;
END;`,
			want: []string{
				"control: DECLARE", "control: DECLARE b", "value: SELECT SYSTEM$TASK_RUNTIME_INFO('CURRENT_TASK_GRAPH_RUN_GROUP_ID')", "control: DECLARE n",
				"control: BEGIN", "control: LET m", "value: SELECT (SELECT COUNT(*) FROM t)", "control: n :=", "value: SELECT m + 1",
				"control: IF", "condition: SELECT (n > 1)", "step: CALL p(:b)", "control: ELSE", "step: RETURN 'none'", "control: END IF",
				"control: END",
			},
		},
		{
			name: "SELECT INTO variables is parsed without its INTO clause",
			body: `DECLARE
  lo TIMESTAMP_NTZ;
BEGIN
  SELECT MIN(t), (SELECT 1 INTO x) INTO :lo, :hi FROM w;
  SELECT a FROM into_t;
END;`,
			want: []string{
				"control: DECLARE", "control: DECLARE lo", "control: BEGIN",
				"control: SELECT INTO :LO, :HI", "step: SELECT MIN(t), (SELECT 1 INTO x) FROM w",
				"step: SELECT a FROM into_t", "control: END",
			},
		},
		{
			name: "EXECUTE IMMEDIATE with a quoted body is split in turn",
			body: `BEGIN
  EXECUTE IMMEDIATE 'BEGIN SELECT ''a;b''; DELETE FROM t; END;';
END;`,
			want: []string{
				"control: BEGIN",
				"step: EXECUTE IMMEDIATE 'BEGIN SELECT ''a;b''; DELETE FROM t; END;'",
				"control: BEGIN", "step: SELECT 'a;b'", "step: DELETE FROM t", "control: END",
				"control: END",
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			us, err := splitScript("p", c.body, true)
			if err != nil {
				t.Fatal(err)
			}
			if got := units(us); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(c.want, "\n\t"))
			}
		})
	}
}

func TestSplitScriptTransactions(t *testing.T) {
	us, err := splitScript("p", "BEGIN\n  SELECT 1;\n  BEGIN TRANSACTION;\n  DELETE FROM q;\n  COMMIT;\n  SELECT 2;\nEND;", false)
	if err != nil {
		t.Fatal(err)
	}
	var in []string
	for _, u := range us {
		if u.InTransaction {
			in = append(in, u.SQL)
		}
	}
	if want := []string{"DELETE FROM q", "COMMIT"}; !reflect.DeepEqual(in, want) {
		t.Errorf("in the transaction: %q, want %q", in, want)
	}
}

func TestSplitScriptRejects(t *testing.T) {
	for _, body := range []string{
		"BEGIN\n  SELECT 1;\n",            // no END
		"BEGIN\n  SELECT 'open;\nEND;",    // unterminated constant
		"SELECT 1;\nEND;",                 // END without a block
		"BEGIN\n  LET x;\nEND;",           // LET without a value
		"BEGIN\n  IF (x) SELECT 1;\nEND;", // IF without THEN
	} {
		if _, err := splitScript("p", body, true); err == nil {
			t.Errorf("split %q, want an error", body)
		}
	}
}

func TestReadHeader(t *testing.T) {
	h, err := readHeader(`CREATE OR REPLACE TASK DB.OPS."My Task"
  WAREHOUSE = WH
  SCHEDULE = '1 MINUTES'
  USER_TASK_TIMEOUT_MS = 600000
  COMMENT = 'it''s a task'
  AFTER DB.OPS.A, DB.OPS.B
  WHEN SYSTEM$PREDECESSORS_STATE('NONE_FAILED') AND (1 = 1)
AS
CALL DB.OPS.P(CAST(1 AS VARCHAR));`)
	if err != nil {
		t.Fatal(err)
	}
	want := &Header{
		Kind: "TASK", OrReplace: true, Name: "DB.OPS.My Task",
		Options: map[string]string{"WAREHOUSE": "WH", "SCHEDULE": "1 MINUTES", "USER_TASK_TIMEOUT_MS": "600000", "COMMENT": "it's a task"},
		After:   []string{"DB.OPS.A", "DB.OPS.B"},
		When:    "SYSTEM$PREDECESSORS_STATE('NONE_FAILED') AND (1 = 1)",
		Body:    "CALL DB.OPS.P(CAST(1 AS VARCHAR))",
	}
	if !reflect.DeepEqual(h, want) {
		t.Errorf("got %+v\nwant %+v", h, want)
	}
	for _, bad := range []string{
		"CREATE TASK t WAREHOUSE = WH",                     // no AS
		"CREATE TASK t WAREHOUSE WH AS SELECT 1",           // property without =
		"CREATE PROCEDURE p() RETURNS VARCHAR AS SELECT 1", // body not a constant
	} {
		if _, err := readHeader(bad); err == nil {
			t.Errorf("read %q, want an error", bad)
		}
	}
	if h, err := readHeader("CREATE TABLE t (a INT)"); h != nil || err != nil {
		t.Errorf("CREATE TABLE: got %+v, %v; want nil, nil", h, err)
	}
}
