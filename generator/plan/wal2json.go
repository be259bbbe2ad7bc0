package plan

import (
	"fmt"
	"strings"

	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/spec"
)

// wal2json reads wal2json format-version 2, one JSON object per line, as
//
//	pg_recvlogical --slot S --start -o format-version=2 -o include-lsn=1
//	  -o include-timestamp=1 [-o include-transaction=true] -f FILE
//
// writes it:
//
//	{"action":"I","timestamp":"2026-01-01 10:00:00.123456+00","lsn":"0/1527908","schema":"public","table":"accounts","columns":[{"name":"id","type":"text","value":"acct_1"},...]}
//	{"action":"U",...,"columns":[...],"identity":[{"name":"id","type":"text","value":"acct_1"}]}
//	{"action":"D",...,"identity":[{"name":"id","type":"text","value":"acct_1"}]}
//	{"action":"T",...,"schema":"public","table":"accounts"}
//	{"action":"B"|"C","timestamp":...,"lsn":...,"nextlsn":...}
//	{"action":"M",...,"prefix":...,"content":...}
//
// Every change carries its transaction's commit timestamp (the event time)
// and its own LSN (the sequence, ordering changes of one commit). Values are
// typed JSON (numbers, strings, booleans; json and jsonb columns as text).
// Begin, commit and message lines are bookkeeping: they stay in RAW,
// unflagged. An unchanged TOASTed column is absent from columns: absent is
// unchanged, never null. A delete carries the replica identity only (the key
// under REPLICA IDENTITY DEFAULT). An update that changes the key
// (identity's key differs from the new row's) is also a delete of the old
// key, as Debezium sends it.
type wal2json struct{ src *spec.Source }

// lsnPattern is a PostgreSQL LSN as pg_lsn prints it: two 32-bit halves in
// hexadecimal.
const lsnPattern = `[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}`

// timestampPattern is a timestamptz as PostgreSQL prints it with DateStyle
// ISO (wal2json's include-timestamp).
const timestampPattern = `[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?[+-][0-9]{2}(:[0-9]{2})?`

// base is the SELECT over lines of every line with its action, table,
// event time, sequence, the new row (cols) and the replica identity
// (ident) as objects column -> value.
func (w wal2json) base(f ir.Fragments, d *lineDoc) string {
	return fmt.Sprintf(`SELECT
  t.*,
  %[1]s AS event_ms
FROM %[2]s AS t`, fmt.Sprintf("CASE WHEN t.ts_ms >= %d AND t.ts_ms <= %d THEN t.ts_ms END", EventMillisMin, EventMillisMax), derived(w.converted(f, d)))
}

// converted is the SELECT over lines of every line with its action,
// table, the time (ts_ms, any year) and sequence its text spells, the new
// row and the replica identity.
func (w wal2json) converted(f ir.Fragments, d *lineDoc) string {
	return named(`SELECT
  b.*,
  CASE WHEN {{ts_ok}} THEN CAST({{ts_millis}} AS {{decimal_type}}) END AS ts_ms,
  CASE WHEN {{lsn_ok}} THEN CAST({{lsn_number}} AS {{decimal_type}}) END AS seq
FROM {{fields}} AS b`, map[string]string{
		"ts_ok":        f.RegexpFull("b.ts", timestampPattern),
		"ts_millis":    f.TimestampTextToMillis("b.ts"),
		"decimal_type": f.Type(ir.Decimal),
		"lsn_ok":       f.RegexpFull("b.lsn", lsnPattern),
		// X/Y is X * 2^32 + Y: the two halves, each padded to 8 digits, are
		// the 16 hexadecimal digits of the 64-bit number.
		"lsn_number": f.HexToNumber("LPAD(SPLIT_PART(b.lsn, '/', 1), 8, '0') || LPAD(SPLIT_PART(b.lsn, '/', 2), 8, '0')"),
		"fields": derived(named(`SELECT
  l.load_seq, l.file_name, l.file_row, l.loaded_at, l.excerpt, {{parsed}} AS parsed, {{rejected}} AS rejected,
  {{action}} AS action,
  COALESCE({{schema}}, '') || '.' || COALESCE({{table}}, '') AS tbl,
  {{timestamp}} AS ts,
  {{lsn}} AS lsn,
  {{cols}} AS cols,
  {{ident}} AS ident
FROM lines AS l`, map[string]string{
			"parsed":    d.parsed(),
			"action":    d.text(f, "action"),
			"schema":    d.text(f, "schema"),
			"table":     d.text(f, "table"),
			"timestamp": d.text(f, "timestamp"),
			"lsn":       d.text(f, "lsn"),
			"cols":      f.JSONPairsObject(d.get(f, "columns"), nil, "name", "value"),
			"ident":     f.JSONPairsObject(d.get(f, "identity"), nil, "name", "value"),
			"rejected":  d.rejected(),
		})),
	})
}

// keyed adds the record key of the change (the new row's, or the
// identity's for a delete) and of the old row (the identity's), whether
// both are keys (key_ok: a string or an integer, JSONIsKey) and the one
// that is not (bad_key), and, for events, the values at paths of the new
// row, read at once (cv).
func (w wal2json) keyed(f ir.Fragments, d *lineDoc, paths [][]string) string {
	cv := ""
	if len(paths) > 0 {
		cv = fmt.Sprintf(",\n  %s AS cv", f.JSONValues("b.cols", paths))
	}
	return named(`SELECT
  b.*,
  CASE WHEN b.action = 'D' THEN {{ident_key}} ELSE {{cols_key}} END AS change_key,
  {{ident_key}} AS old_key,
  COALESCE(CASE WHEN b.action = 'D' THEN {{ident_is_key}} ELSE {{cols_is_key}} END AND COALESCE({{ident_is_key}}, TRUE), FALSE) AS key_ok,
  CASE WHEN b.action <> 'D' AND NOT COALESCE({{cols_is_key}}, FALSE) THEN {{cols_key}} ELSE {{ident_key}} END AS bad_key{{cv}}
FROM {{base}} AS b`, map[string]string{
		"ident_key":    f.JSONText("b.ident", w.src.Key),
		"cols_key":     f.JSONText("b.cols", w.src.Key),
		"cv":           cv,
		"base":         derived(w.base(f, d)),
		"ident_is_key": f.JSONIsKey(f.JSONGet("b.ident", w.src.Key)),
		"cols_is_key":  f.JSONIsKey(f.JSONGet("b.cols", w.src.Key)),
	})
}

// events: an insert or update asserts the columns it carries; an absent
// column (an unchanged TOAST value) is unchanged. A delete, and the delete
// of the old key of an update that changes the key, assert no column.
func (w wal2json) events(f ir.Fragments, d *lineDoc, paths [][]string) string {
	value := func(i int) string { return f.JSONValue("k.cv", i, paths[i]) }
	return fmt.Sprintf(`SELECT
  x.*,
  'lsn:' || x.lsn || ':' || x.tbl || ':' || x.record_key AS event_id,
  0 AS sub_seq
FROM %[1]s AS x`, derived(fmt.Sprintf(`SELECT
  k.load_seq, k.file_name, k.file_row, k.action, k.tbl, k.event_ms, k.lsn, k.seq,
  CASE WHEN r.part = 'old' OR k.action = 'D' THEN 'delete' ELSE 'upsert' END AS op,
  CASE WHEN r.part = 'old' THEN k.old_key ELSE k.change_key END AS record_key%[1]s
FROM %[2]s AS k CROSS JOIN (VALUES ('new'), ('old')) AS r (part)
WHERE k.parsed
  AND k.action IN ('I', 'U', 'D')
  AND k.tbl = %[3]s
  AND k.event_ms IS NOT NULL
  AND k.seq IS NOT NULL
  AND k.key_ok
  AND (r.part = 'new' OR (k.action = 'U' AND k.old_key <> k.change_key))`,
		valueColumns(paths,
			func(i int) string { return f.JSONText(value(i), nil) },
			func(i int) string {
				return fmt.Sprintf("(r.part = 'new' AND k.action <> 'D' AND %s)", f.JSONHas(value(i), nil))
			}),
		derived(w.keyed(f, d, paths)), f.Str(w.src.Table))))
}

// flagged: transaction bookkeeping (B, C) and logical messages (M) are not
// flagged; changes of other tables are (add-tables keeps them out).
// wal2jsonBad are the values of a change that must convert.
var wal2jsonBad = []unconvertible{
	{badTime("timestamp", "a PostgreSQL timestamptz"), "ts"},
	{UnconvertiblePrefix + "lsn: not a PostgreSQL LSN", "lsn"},
}

func (w wal2json) flagged(f ir.Fragments, d *lineDoc) string {
	return named(`SELECT load_seq, file_name, file_row, loaded_at, reason, {{detail}} AS detail, event_ms FROM (
  SELECT
    load_seq, file_name, file_row, loaded_at, event_ms, ts, lsn, bad_key,
    CASE
      WHEN rejected IS NOT NULL THEN rejected
      WHEN action IN ('B', 'C', 'M') THEN NULL
      WHEN action IS NULL OR action NOT IN ('I', 'U', 'D', 'T') THEN 'unknown action'
      WHEN tbl <> {{table}} THEN 'event for another table'
      WHEN action = 'T' THEN 'truncate is not applied: re-sync needed'
      WHEN ts IS NULL THEN 'missing timestamp'
      WHEN event_ms IS NULL THEN {{bad_time}}
      WHEN lsn IS NULL THEN 'missing lsn'
      WHEN seq IS NULL THEN {{bad_seq}}
      WHEN change_key IS NULL THEN 'missing record key'
      WHEN NOT key_ok THEN {{reason_bad_key}}
    END AS reason,
    CASE WHEN excerpt IS NOT NULL THEN excerpt ELSE COALESCE(action, '') || ' ' || tbl END AS detail
  FROM {{keyed}} AS k
) y WHERE reason IS NOT NULL`, map[string]string{
		"table":          f.Str(w.src.Table),
		"keyed":          strings.ReplaceAll(derived(w.keyed(f, d, nil)), "\n", "\n  "),
		"bad_time":       f.Str(wal2jsonBad[0].reason),
		"bad_seq":        f.Str(wal2jsonBad[1].reason),
		"detail":         detailOf(f, "reason", append(wal2jsonBad, unconvertible{ReasonBadKey, "bad_key"}), "detail"),
		"reason_bad_key": f.Str(ReasonBadKey),
	})
}

func (wal2json) excerpted(_ ir.Fragments, d *lineDoc) string { return d.rejected() + " IS NOT NULL" }

// counted: transaction bookkeeping (B, C) and logical messages (M), per
// action.
func (w wal2json) counted(f ir.Fragments, d *lineDoc) string {
	return fmt.Sprintf(`SELECT 'transaction bookkeeping' AS reason, action AS detail
FROM %s AS k
WHERE k.rejected IS NULL AND k.action IN ('B', 'C', 'M')`, derived(w.keyed(f, d, nil)))
}
