package plan

import (
	"fmt"
	"strings"

	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/spec"
)

// Special observation fields.
const (
	FieldRecord = "_record" // op upsert or delete: the record's liveness
	FieldLink   = "_link"   // the customer link (the app account id)
)

// EmailPattern is the validator "email": one @, no spaces, a dot in the domain.
const EmailPattern = `[^@ ]+@[^@ .]+(\.[^@ .]+)+`

func fieldType(t string) ir.Type {
	switch t {
	case spec.TypeInteger:
		return ir.Decimal
	case spec.TypeNumber:
		return ir.Float
	case spec.TypeBoolean:
		return ir.Bool
	case spec.TypeTimestamp:
		return ir.Timestamp
	}
	return ir.Text
}

// format is how one producer's events become observations. Its SQL reads
// the "lines" CTE as l (load_seq, file_name, file_row, loaded_at; jv, the
// values read from the line's document: see lineDoc; rejected, why the
// line is not a JSON object; excerpt, its sealed start, for the lines of
// excerpted).
type format interface {
	// events is the SELECT over lines of one row per event and record, with
	// columns load_seq, file_name, file_row, op (upsert, delete or something
	// not to observe), event_ms, seq, sub_seq, event_id, record_key and, for
	// the i-th of paths (paths of the record document), v<i>, the value as
	// text, and a<i>, whether the event asserts it. Every value is computed
	// once per event, before the rows are multiplied by field.
	events(f ir.Fragments, d *lineDoc, paths [][]string) string
	// flagged is the SELECT over lines of the lines to flag, with columns
	// load_seq, file_name, file_row, loaded_at, reason, detail, event_ms.
	flagged(f ir.Fragments, d *lineDoc) string
	// counted is the SELECT over lines of the lines that are neither
	// observed nor flagged (Stripe events of types no mapping reads), with
	// columns reason and detail; "" when every line is one or the other.
	counted(f ir.Fragments, d *lineDoc) string
	// excerpted is the condition over a parsed line l (jv, rejected) under
	// which flagged shows the line's excerpt in the detail: the parsed
	// lines keep an excerpt (sealed: it may hold PII) of those lines only,
	// and flagged's detail is the excerpt wherever there is one.
	excerpted(f ir.Fragments, d *lineDoc) string
}

// Reasons of flagged and counted lines that checks and tests name.
const (
	ReasonBadKey       = "record key is not a string or integer"
	ReasonUnmappedType = "unmapped event type"
	ReasonLanded       = "landed"
	// ReasonReplaced counts landed lines holding U+FFFD: the load replaced
	// invalid UTF-8 in them (REPLACE_INVALID_CHARACTERS = TRUE in the
	// warehouse, the loader locally), or the producer sent that character.
	ReasonReplaced = "replaced characters"
)

func formatOf(src *spec.Source) format {
	switch src.Format {
	case spec.FormatDebezium:
		return debezium{src}
	case spec.FormatSalesforceCDC:
		return salesforce{src}
	case spec.FormatStripeEvents:
		return stripe{src}
	case spec.FormatWal2JSON:
		return wal2json{src}
	}
	panic("plan: unknown format " + src.Format) // spec validation rules this out
}

func p(segs ...string) []string { return segs }

func inList(f ir.Fragments, expr string, values ...string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = f.Str(v)
	}
	return fmt.Sprintf("%s IN (%s)", expr, strings.Join(q, ", "))
}

// lineDoc collects the paths the statements of one observe task read
// from the document of each landed line, so that each line is parsed
// once: the task's scratch relation of parsed lines (observer.parse)
// holds the values at those paths (column jv,
// ir.Fragments.ParseJSONValues), and every value is read from them, never
// from the line again.
type lineDoc struct {
	paths [][]string
	index map[string]int
}

func newLineDoc() *lineDoc { return &lineDoc{index: map[string]int{}} }

// get is the document at path of the line read as l, NULL when absent.
func (d *lineDoc) get(f ir.Fragments, path ...string) string {
	k := fmt.Sprintf("%q", path)
	i, ok := d.index[k]
	if !ok {
		i = len(d.paths)
		d.paths = append(d.paths, path)
		d.index[k] = i
	}
	return f.JSONValue("l.jv", i, path)
}

// text is the value at path as text (ir.Fragments.JSONText).
func (d *lineDoc) text(f ir.Fragments, path ...string) string {
	return f.JSONText(d.get(f, path...), nil)
}

// has is true when path is present (ir.Fragments.JSONHas).
func (d *lineDoc) has(f ir.Fragments, path ...string) string {
	return f.JSONHas(d.get(f, path...), nil)
}

// parsed is true when the line is JSON.
func (d *lineDoc) parsed() string { return "(l.jv IS NOT NULL)" }

// rejected is why the line is not a JSON object (ir.JSONRejection), NULL
// when it is one.
func (d *lineDoc) rejected() string { return "l.rejected" }

// excerpt is the start of a text column, for a detail.
func excerpt(col string) string { return fmt.Sprintf("SUBSTR(%s, 1, 200)", col) }

// linesCTE renders the CTE "lines" the statements read: the task's
// parsed lines, rel (ir.Fragments.Scratch).
func linesCTE(rel string) string {
	return fmt.Sprintf(`WITH lines AS (
  SELECT load_seq, file_name, file_row, loaded_at, jv, rejected, replaced, excerpt
  FROM %s AS parsed
)`, rel)
}

func join(base []string, path []string) []string {
	return append(append([]string{}, base...), path...)
}

// derived renders a query as the body of a derived table, indented under
// its parentheses.
func derived(q string) string {
	return "(\n  " + strings.ReplaceAll(q, "\n", "\n  ") + "\n)"
}

// valueColumns renders, for each of paths, the expressions given by
// value(i) and asserted(i) as select-list items v<i> and a<i>.
func valueColumns(paths [][]string, value, asserted func(i int) string) string {
	var b strings.Builder
	for i := range paths {
		fmt.Fprintf(&b, ",\n  %s AS v%d,\n  %s AS a%d", value(i), i, asserted(i), i)
	}
	return b.String()
}

// docColumns renders, for each of paths, doc(path) as select-list item
// d<i>.
func docColumns(paths [][]string, doc func(path []string) string) string {
	var b strings.Builder
	for i, path := range paths {
		fmt.Fprintf(&b, ",\n  %s AS d%d", doc(path), i)
	}
	return b.String()
}

// column names qualifier.name<i>.
func column(qualifier, name string, i int) string { return fmt.Sprintf("%s.%s%d", qualifier, name, i) }

// debezium reads the Debezium JSON envelope, bare or wrapped in
// {schema, payload}.
type debezium struct{ src *spec.Source }

// at is the document at path of the envelope: under payload when the line
// wraps it in {schema, payload} (Kafka Connect with schemas enabled).
func (x debezium) at(f ir.Fragments, d *lineDoc, path ...string) string {
	return fmt.Sprintf("CASE WHEN %s THEN %s ELSE %s END", d.has(f, "payload", "op"), d.get(f, join(p("payload"), path)...), d.get(f, path...))
}

// base is the SELECT over lines of every line with its op code, event
// time, LSN, table and record key (the after image's, the before image's
// for a delete), and the documents at paths of the after image (d<i>).
func (x debezium) base(f ir.Fragments, d *lineDoc, paths [][]string) string {
	text := func(path ...string) string { return f.JSONText(x.at(f, d, path...), nil) }
	return fmt.Sprintf(`SELECT
  b.*,
  %[1]s AS event_ms,
  %[2]s AS seq,
  CASE WHEN b.op_code = 'd' THEN b.key_before ELSE b.key_after END AS record_key,
  CASE WHEN b.op_code = 'd' THEN b.key_before_ok ELSE b.key_after_ok END AS key_ok
FROM %[3]s AS b`, epochMillis(f, "b.ts_text", 1), sequence(f, "b.lsn", seqDigits), derived(named(`SELECT
  l.load_seq, l.file_name, l.file_row, l.loaded_at, l.excerpt, {{parsed}} AS parsed, {{rejected}} AS rejected,
  {{op}} AS op_code,
  {{ts_ms}} AS ts_text,
  {{lsn}} AS lsn,
  COALESCE({{schema}}, '') || '.' || COALESCE({{table}}, '') AS tbl,
  {{before}} AS key_before,
  {{after}} AS key_after,
  {{json_is_key_before}} AS key_before_ok,
  {{json_is_key_after}} AS key_after_ok{{doc_columns_after}}
FROM lines AS l`, map[string]string{
		"parsed":             d.parsed(),
		"op":                 text("op"),
		"ts_ms":              text("source", "ts_ms"),
		"lsn":                text("source", "lsn"),
		"schema":             text("source", "schema"),
		"table":              text("source", "table"),
		"before":             text(join(p("before"), x.src.Key)...),
		"after":              text(join(p("after"), x.src.Key)...),
		"doc_columns_after":  docColumns(paths, func(path []string) string { return x.at(f, d, join(p("after"), path)...) }),
		"rejected":           d.rejected(),
		"json_is_key_before": f.JSONIsKey(x.at(f, d, join(p("before"), x.src.Key)...)),
		"json_is_key_after":  f.JSONIsKey(x.at(f, d, join(p("after"), x.src.Key)...)),
	})))
}

// events: a snapshot asserts every column present in after, except TOAST
// columns that did not change; a delete asserts no column.
func (x debezium) events(f ir.Fragments, d *lineDoc, paths [][]string) string {
	return fmt.Sprintf(`SELECT
  e.load_seq, e.file_name, e.file_row, e.op, e.event_ms, e.seq, e.sub_seq, e.event_id, e.record_key%[1]s
FROM %[2]s AS e`,
		valueColumns(paths,
			func(i int) string { return f.JSONText(column("e", "d", i), nil) },
			func(i int) string {
				return fmt.Sprintf("(e.op = 'upsert' AND %s AND COALESCE(%s, '') <> '__debezium_unavailable_value')", f.JSONHas(column("e", "d", i), nil), f.JSONText(column("e", "d", i), nil))
			}),
		derived(fmt.Sprintf(`SELECT
  k.*,
  CASE k.op_code WHEN 'c' THEN 'upsert' WHEN 'u' THEN 'upsert' WHEN 'r' THEN 'upsert' WHEN 'd' THEN 'delete' WHEN 't' THEN 'truncate' ELSE 'unknown' END AS op,
  'lsn:' || COALESCE(k.lsn, '') || ':' || k.tbl || ':' || COALESCE(k.record_key, '') AS event_id,
  0 AS sub_seq
FROM %s AS k
WHERE k.tbl = %s
  AND k.op_code IN ('c', 'u', 'r', 'd')
  AND k.event_ms IS NOT NULL
  AND k.seq IS NOT NULL
  AND k.key_ok`, derived(x.base(f, d, paths)), f.Str(x.src.Table))))
}

// debeziumBad are the values of a Debezium line that must convert.
var debeziumBad = []unconvertible{
	{badTime("source.ts_ms", "epoch milliseconds"), "ts_text"},
	{badSequence("source.lsn", seqDigits), "lsn"},
}

func (x debezium) flagged(f ir.Fragments, d *lineDoc) string {
	return named(`SELECT load_seq, file_name, file_row, loaded_at, reason, {{detail}} AS detail, event_ms FROM (
  SELECT
    load_seq, file_name, file_row, loaded_at, event_ms, ts_text, lsn,
    CASE
      WHEN rejected IS NOT NULL THEN rejected
      WHEN tbl <> {{table}} THEN 'event for another table'
      WHEN op_code = 't' THEN 'truncate is not applied: re-sync needed'
      WHEN op_code IS NULL OR op_code NOT IN ('c', 'u', 'r', 'd') THEN 'unknown op'
      WHEN ts_text IS NULL THEN 'missing source.ts_ms'
      WHEN event_ms IS NULL THEN {{bad_time}}
      WHEN record_key IS NULL THEN 'missing record key'
      WHEN NOT key_ok THEN {{reason_bad_key}}
      WHEN lsn IS NULL THEN 'missing source.lsn'
      WHEN seq IS NULL THEN {{bad_seq}}
    END AS reason,
    CASE
      WHEN excerpt IS NOT NULL THEN excerpt
      WHEN record_key IS NOT NULL AND NOT key_ok THEN 'value ' || {{record_key_excerpt}}
      ELSE tbl
    END AS detail
  FROM {{base}} AS x
) y WHERE reason IS NOT NULL`, map[string]string{
		"table":              f.Str(x.src.Table),
		"base":               strings.ReplaceAll(derived(x.base(f, d, nil)), "\n", "\n  "),
		"bad_time":           f.Str(debeziumBad[0].reason),
		"bad_seq":            f.Str(debeziumBad[1].reason),
		"detail":             detailOf(f, "reason", debeziumBad, "detail"),
		"reason_bad_key":     f.Str(ReasonBadKey),
		"record_key_excerpt": excerpt("record_key"),
	})
}

func (debezium) counted(ir.Fragments, *lineDoc) string { return "" }

func (debezium) excerpted(_ ir.Fragments, d *lineDoc) string { return d.rejected() + " IS NOT NULL" }

// salesforce reads change events as the Pub/Sub API delivers them
// decoded ({schema, payload, event}), or as the Streaming API (CometD)
// delivers them, in a message {data: the event, channel}.
type salesforce struct{ src *spec.Source }

// hdr is a path of the change event header.
func hdr(path ...string) []string { return join(p("payload", "ChangeEventHeader"), path) }

// at is the document at path of the event. The root is picked once per
// line, by one condition every value shares: the message's data when the
// line has no payload of its own and data has one (the CometD message),
// else the line.
func (s salesforce) at(f ir.Fragments, d *lineDoc, path ...string) string {
	return fmt.Sprintf("CASE WHEN %s THEN %s ELSE %s END", s.wrapped(f, d), d.get(f, join(p("data"), path)...), d.get(f, path...))
}

func (s salesforce) wrapped(f ir.Fragments, d *lineDoc) string {
	return fmt.Sprintf("(NOT %s AND %s)", d.has(f, "payload"), d.has(f, "data", "payload"))
}

func (s salesforce) text(f ir.Fragments, d *lineDoc, path ...string) string {
	return f.JSONText(s.at(f, d, path...), nil)
}

// base is the SELECT over lines of every line with its header's values and,
// for events, the changed and nulled field lists and the documents at
// paths of the payload (the record, d<i>).
func (s salesforce) base(f ir.Fragments, d *lineDoc, paths [][]string, events bool) string {
	extra := fmt.Sprintf(",\n  %s AS record_ids_ok", f.JSONArrayAllKeys(s.at(f, d, hdr("recordIds")...)))
	if events {
		extra += fmt.Sprintf(",\n  %s AS changed,\n  %s AS nulled", s.at(f, d, hdr("changedFields")...), s.at(f, d, hdr("nulledFields")...)) +
			docColumns(paths, func(path []string) string { return s.at(f, d, join(p("payload"), path)...) })
	} else {
		extra += fmt.Sprintf(",\n  l.excerpt,\n  %s AS rejected,\n  %s AS has_header,\n  %s AS has_record_id,\n  %s AS record_ids_text",
			d.rejected(), f.JSONHas(s.at(f, d, hdr()...), nil), f.JSONHas(s.at(f, d, hdr("recordIds", "0")...), nil), s.text(f, d, hdr("recordIds")...))
	}
	return fmt.Sprintf(`SELECT
  b.*,
  %[1]s AS event_ms,
  %[2]s AS seq,
  %[3]s AS sub_seq
FROM %[4]s AS b`, epochMillis(f, "b.ts_text", 1), sequence(f, "b.commit_text", seqDigits), sequence(f, "b.seq_text", subSeqDigits), derived(named(`SELECT
  l.load_seq, l.file_name, l.file_row, l.loaded_at, {{parsed}} AS parsed,
  {{change_type}} AS change_type,
  {{entity_name}} AS entity,
  {{commit_timestamp}} AS ts_text,
  {{commit_number}} AS commit_text,
  {{sequence_number}} AS seq_text,
  {{replay_id}} AS replay_id,
  {{record_ids}} AS record_ids{{extra}}
FROM lines AS l`, map[string]string{
		"parsed":           d.parsed(),
		"change_type":      s.text(f, d, hdr("changeType")...),
		"entity_name":      s.text(f, d, hdr("entityName")...),
		"commit_timestamp": s.text(f, d, hdr("commitTimestamp")...),
		"commit_number":    s.text(f, d, hdr("commitNumber")...),
		"sequence_number":  s.text(f, d, hdr("sequenceNumber")...),
		"replay_id":        s.text(f, d, "event", "replayId"),
		"record_ids":       s.at(f, d, hdr("recordIds")...),
		"extra":            extra,
	})))
}

// events: CREATE and UNDELETE assert the fields they carry; UPDATE asserts
// changedFields and nulledFields only: an absent field is unchanged. One
// event names one or more records.
func (s salesforce) events(f ir.Fragments, d *lineDoc, paths [][]string) string {
	asserted := func(i int) string {
		names := []string{strings.Join(paths[i], ".")}
		if len(paths[i]) > 1 {
			names = append(names, paths[i][0])
		}
		var listed []string
		for _, n := range names {
			listed = append(listed, f.JSONArrayHas("h.changed", nil, n), f.JSONArrayHas("h.nulled", nil, n))
		}
		return fmt.Sprintf("(h.op = 'upsert' AND CASE WHEN h.change_type = 'UPDATE' THEN (%s) ELSE %s END)",
			strings.Join(listed, " OR "), f.JSONHas(column("h", "d", i), nil))
	}
	var vs []string
	for i := range paths {
		vs = append(vs, column("e", "v", i), column("e", "a", i))
	}
	cols := ""
	if len(vs) > 0 {
		cols = ", " + strings.Join(vs, ", ")
	}
	perEvent := fmt.Sprintf(`SELECT
  h.load_seq, h.file_name, h.file_row, h.op, h.event_ms, h.seq, h.sub_seq, h.replay_id, h.record_ids%[1]s
FROM %[2]s AS h`,
		valueColumns(paths, func(i int) string { return f.JSONText(column("h", "d", i), nil) }, asserted),
		derived(fmt.Sprintf(`SELECT
  c.*,
  CASE WHEN c.change_type = 'DELETE' THEN 'delete' ELSE 'upsert' END AS op
FROM %s AS c
WHERE c.entity = %s
  AND c.change_type IN ('CREATE', 'UPDATE', 'DELETE', 'UNDELETE')
  AND c.event_ms IS NOT NULL
  AND c.replay_id IS NOT NULL
  AND c.record_ids_ok
  AND (c.commit_text IS NULL OR c.seq IS NOT NULL)
  AND (c.seq_text IS NULL OR c.sub_seq IS NOT NULL)`, derived(s.base(f, d, paths, true)), f.Str(s.src.Object))))
	return fmt.Sprintf(`SELECT
  e.load_seq, e.file_name, e.file_row, e.op, e.event_ms, e.seq, e.sub_seq,
  %[1]s AS record_key,
  'replay:' || e.replay_id || ':' || %[1]s AS event_id%[2]s
FROM %[3]s AS e,
%[4]s`, f.ArrayElement("rid"), cols, derived(perEvent), f.FlattenArray("e.record_ids", nil, "rid"))
}

// salesforceBad are the values of a change event that must convert; a
// commitNumber or sequenceNumber may be absent, but not wrong.
var salesforceBad = []unconvertible{
	{badTime("commitTimestamp", "epoch milliseconds"), "ts_text"},
	{badSequence("commitNumber", seqDigits), "commit_text"},
	{badSequence("sequenceNumber", subSeqDigits), "seq_text"},
}

func (s salesforce) flagged(f ir.Fragments, d *lineDoc) string {
	return named(`SELECT load_seq, file_name, file_row, loaded_at, reason, {{detail}} AS detail, event_ms FROM (
  SELECT
    load_seq, file_name, file_row, loaded_at, event_ms, ts_text, commit_text, seq_text,
    CASE
      WHEN rejected IS NOT NULL THEN rejected
      WHEN NOT has_header THEN 'not a change event: no payload.ChangeEventHeader'
      WHEN entity IS NULL THEN 'missing entityName'
      WHEN entity <> {{object}} THEN 'event for another object'
      WHEN change_type LIKE 'GAP%' THEN change_type || ': values were not sent, re-sync needed'
      WHEN change_type IS NULL OR change_type NOT IN ('CREATE', 'UPDATE', 'DELETE', 'UNDELETE') THEN 'unknown changeType'
      WHEN ts_text IS NULL THEN 'missing commitTimestamp'
      WHEN event_ms IS NULL THEN {{bad_0}}
      WHEN replay_id IS NULL THEN 'missing event.replayId'
      WHEN NOT has_record_id THEN 'missing recordIds'
      WHEN NOT record_ids_ok THEN {{reason_bad_key}}
      WHEN commit_text IS NOT NULL AND seq IS NULL THEN {{bad_1}}
      WHEN seq_text IS NOT NULL AND sub_seq IS NULL THEN {{bad_2}}
    END AS reason,
    CASE
      WHEN excerpt IS NOT NULL THEN excerpt
      WHEN entity IS NULL OR entity <> {{object}} THEN 'entityName ' || COALESCE(entity, 'absent')
      WHEN change_type = 'GAP_OVERFLOW' THEN 'object ' || COALESCE(entity, '')
      WHEN change_type LIKE 'GAP%' THEN record_ids_text
      WHEN change_type IS NULL OR change_type NOT IN ('CREATE', 'UPDATE', 'DELETE', 'UNDELETE') THEN 'changeType ' || COALESCE(change_type, 'absent')
      ELSE record_ids_text
    END AS detail
  FROM {{base}} AS h
) y WHERE reason IS NOT NULL`, map[string]string{
		"object":         f.Str(s.src.Object),
		"base":           strings.ReplaceAll(derived(s.base(f, d, nil, false)), "\n", "\n  "),
		"bad_0":          f.Str(salesforceBad[0].reason),
		"bad_1":          f.Str(salesforceBad[1].reason),
		"bad_2":          f.Str(salesforceBad[2].reason),
		"detail":         detailOf(f, "reason", salesforceBad, "detail"),
		"reason_bad_key": f.Str(ReasonBadKey),
	})
}

func (salesforce) counted(ir.Fragments, *lineDoc) string { return "" }

// excerpted: a line that is not JSON or not a change event.
func (s salesforce) excerpted(f ir.Fragments, d *lineDoc) string {
	return fmt.Sprintf("(%s IS NOT NULL OR NOT %s)", d.rejected(), f.JSONHas(s.at(f, d, hdr()...), nil))
}

// stripe reads Stripe event objects.
type stripe struct{ src *spec.Source }

// base is the SELECT over lines of every line with its event type, op,
// event time, id and record key, and the values at paths of the object
// as text (d<i>).
func (s stripe) base(f ir.Fragments, d *lineDoc, paths [][]string) string {
	return s.baseWith(f, d, paths, "")
}

// baseWith is base with extra select-list items over the line l.
func (s stripe) baseWith(f ir.Fragments, d *lineDoc, paths [][]string, extra string) string {
	obj := s.src.Object
	return fmt.Sprintf(`SELECT
  b.*,
  CASE WHEN b.event_type IN (%[1]s, %[2]s) THEN 'upsert' WHEN b.event_type = %[3]s THEN 'delete' END AS op,
  %[4]s AS event_ms,
  0 AS seq,
  0 AS sub_seq
FROM %[5]s AS b`, f.Str(obj+".created"), f.Str(obj+".updated"), f.Str(obj+".deleted"), epochMillis(f, "b.created_text", 1000), derived(named(`SELECT
  l.load_seq, l.file_name, l.file_row, l.loaded_at, {{parsed}} AS parsed,
  {{type}} AS event_type,
  {{created}} AS created_text,
  {{id}} AS event_id,
  {{object}} AS record_key,
  {{json_is_key_object}} AS key_ok{{doc_columns_object}}{{extra}}
FROM lines AS l`, map[string]string{
		"parsed":             d.parsed(),
		"type":               d.text(f, "type"),
		"created":            d.text(f, "created"),
		"id":                 d.text(f, "id"),
		"object":             d.text(f, join(p("data", "object"), s.src.Key)...),
		"doc_columns_object": docColumns(paths, func(path []string) string { return d.text(f, join(p("data", "object"), path)...) }),
		"extra":              extra,
		"json_is_key_object": f.JSONIsKey(d.get(f, join(p("data", "object"), s.src.Key)...)),
	})))
}

// snapshotEvents are the events of a base (with columns op, event_ms,
// seq, sub_seq, event_id, record_key, key_ok and the values d<i>) whose every event
// carries the whole object: an absent key is null.
func snapshotEvents(base string, paths [][]string) string {
	return fmt.Sprintf(`SELECT
  h.load_seq, h.file_name, h.file_row, h.op, h.event_ms, h.seq, h.sub_seq, h.event_id, h.record_key%s
FROM %s AS h
WHERE h.op IS NOT NULL AND h.event_ms IS NOT NULL AND h.event_id IS NOT NULL AND h.record_key IS NOT NULL AND h.key_ok`,
		valueColumns(paths, func(i int) string { return column("h", "d", i) }, func(int) string { return "h.op = 'upsert'" }), derived(base))
}

func (s stripe) events(f ir.Fragments, d *lineDoc, paths [][]string) string {
	return snapshotEvents(s.base(f, d, paths), paths)
}

// stripeBad are the values of a Stripe event that must convert.
var stripeBad = []unconvertible{{badTime("created", "epoch seconds"), "created_text"}}

// classified is the SELECT over lines of every line with the reason to
// flag it (NULL when it is observed or of a type no mapping reads), its
// detail, and whether a mapping reads its type (mapped). Events of other
// types (invoices) are not flagged: they stay in RAW for the feeds that
// read them, and are counted.
func (s stripe) classified(f ir.Fragments, d *lineDoc) string {
	isChild, childKey, childKeyOK := "FALSE", "CAST(NULL AS "+f.Type(ir.Text)+")", "TRUE"
	if len(s.src.Children) > 0 {
		var conds, keys, oks []string
		for _, c := range s.src.Children {
			prefix := s.src.Object + "." + c.Object + "."
			cond := fmt.Sprintf("(SUBSTR(%s, 1, %d) = %s AND %s = %s)", d.text(f, "type"), len([]rune(prefix)), f.Str(prefix), d.text(f, "data", "object", "object"), f.Str(c.Object))
			conds = append(conds, cond)
			keys = append(keys, fmt.Sprintf(" WHEN %s THEN %s", cond, d.text(f, join(p("data", "object"), c.Key)...)))
			oks = append(oks, fmt.Sprintf(" WHEN %s THEN %s", cond, f.JSONIsKey(d.get(f, join(p("data", "object"), c.Key)...))))
		}
		isChild, childKey, childKeyOK = "("+strings.Join(conds, " OR ")+")", "CASE"+strings.Join(keys, "")+" END", "CASE"+strings.Join(oks, "")+" END"
	}
	extra := fmt.Sprintf(",\n  l.excerpt,\n  %s AS rejected,\n  %s AS is_child,\n  %s AS child_key,\n  %s AS child_key_ok", d.rejected(), isChild, childKey, childKeyOK)
	return fmt.Sprintf(`SELECT
  load_seq, file_name, file_row, loaded_at, event_ms, created_text, event_type,
  (op IS NOT NULL OR is_child) AS mapped,
  CASE
    WHEN rejected IS NOT NULL THEN rejected
    WHEN event_type IS NULL THEN 'missing type'
    WHEN op IS NULL AND NOT is_child THEN NULL
    WHEN event_id IS NULL THEN 'missing id'
    WHEN created_text IS NULL THEN 'missing created'
    WHEN event_ms IS NULL THEN %[2]s
    WHEN CASE WHEN op IS NULL THEN child_key ELSE record_key END IS NULL THEN 'missing record key'
    WHEN NOT CASE WHEN op IS NULL THEN child_key_ok ELSE key_ok END THEN %[3]s
  END AS reason,
  CASE
    WHEN excerpt IS NOT NULL THEN excerpt
    WHEN NOT CASE WHEN op IS NULL THEN child_key_ok ELSE key_ok END THEN 'value ' || SUBSTR(CASE WHEN op IS NULL THEN child_key ELSE record_key END, 1, 200)
    ELSE event_type
  END AS detail
FROM %[1]s AS h`, derived(s.baseWith(f, d, nil, extra)), f.Str(stripeBad[0].reason), f.Str(ReasonBadKey))
}

// flagged: the events of the source's object and of its children
// (subscriptions) that cannot be observed.
func (s stripe) flagged(f ir.Fragments, d *lineDoc) string {
	return fmt.Sprintf(`SELECT load_seq, file_name, file_row, loaded_at, reason, %[2]s AS detail, event_ms
FROM %[1]s AS y
WHERE reason IS NOT NULL`, derived(s.classified(f, d)), detailOf(f, "reason", stripeBad, "detail"))
}

// excerpted: a line that is not JSON or has no type.
func (s stripe) excerpted(f ir.Fragments, d *lineDoc) string {
	return fmt.Sprintf("(%s IS NOT NULL OR %s IS NULL)", d.rejected(), d.text(f, "type"))
}

// counted: the events of types no mapping reads, per type.
func (s stripe) counted(f ir.Fragments, d *lineDoc) string {
	return fmt.Sprintf(`SELECT %[2]s AS reason, event_type AS detail
FROM %[1]s AS y
WHERE reason IS NULL AND NOT mapped`, derived(s.classified(f, d)), f.Str(ReasonUnmappedType))
}

// normalize renders the canonical value of a text expression for a field:
// its normalizers, its value map and its type.
func normalize(f ir.Fragments, fld *spec.Field, v string) string {
	for _, n := range fld.Normalize {
		switch n {
		case "trim":
			v = fmt.Sprintf("NULLIF(TRIM(%s), '')", v)
		case "lower":
			v = fmt.Sprintf("LOWER(%s)", v)
		case "upper":
			v = fmt.Sprintf("UPPER(%s)", v)
		}
	}
	if len(fld.Map) > 0 {
		v = caseMap(f, v, fld.Map)
	}
	switch fld.Type {
	case spec.TypeInteger:
		// An integer is written canonically ("+012.0" is "12"); any other
		// text ("12.5") is kept as sent, and validity rejects it.
		v = fmt.Sprintf("COALESCE(CAST(%[2]s AS %[3]s), %[1]s)", v, exactInteger(f, v), f.Type(ir.Text))
	case spec.TypeBoolean:
		v = fmt.Sprintf("LOWER(%s)", v)
	}
	return v
}

func caseMap(f ir.Fragments, v string, m []spec.Pair) string {
	var b strings.Builder
	b.WriteString("CASE ")
	b.WriteString(v)
	for _, kv := range m {
		fmt.Fprintf(&b, " WHEN %s THEN %s", f.Str(kv.From), f.Str(kv.To))
	}
	fmt.Fprintf(&b, " ELSE %s END", v)
	return b.String()
}

// validity renders the condition that a normalized value is valid.
func validity(f ir.Fragments, fld *spec.Field, v string) string {
	var conds []string
	if len(fld.Accepted) > 0 {
		conds = append(conds, inList(f, v, fld.Accepted...))
	}
	if fld.Valid == "email" {
		conds = append(conds, f.RegexpFull(v, EmailPattern))
	}
	switch fld.Type {
	case spec.TypeInteger:
		conds = append(conds, fmt.Sprintf("%s IS NOT NULL", exactInteger(f, v)))
	case spec.TypeNumber:
		conds = append(conds, fmt.Sprintf("%s IS NOT NULL", f.TextToFloat(v)))
	case spec.TypeBoolean:
		conds = append(conds, inList(f, v, "true", "false"))
	case spec.TypeTimestamp:
		conds = append(conds, fmt.Sprintf("TRY_CAST(%s AS %s) IS NOT NULL", v, f.Type(ir.Timestamp)))
	}
	if len(conds) == 0 {
		return "TRUE"
	}
	return fmt.Sprintf("(%s IS NULL OR (%s))", v, strings.Join(conds, " AND "))
}

// observer renders the statements of a source's observe task: flag what
// cannot be observed, add new observations (the source's records', then
// each child's), count the lines, all reading the same lines (the RAW
// stream, in one transaction) given by from. The lines are parsed once
// for all of them: the task's scratch relation (ir.Fragments.Scratch) of
// parsed lines, which holds the values at every path any statement reads
// (one lineDoc for the task).
//
// A line is flagged once. Its load sequence identifies it within its
// source, but the sequences of all sources interleave in the quarantine,
// so the anti-join on it alone would prune nothing but for the source with
// the highest numbers. The flagging time bounds it for all sources: a line
// is flagged after it was loaded, and the anti-join reads only the
// quarantine rows flagged since a day before the batch's oldest load. (A
// clock off by more than that could flag a line twice; it could not lose
// one.)
type observer struct {
	b    *builder
	src  *spec.Source
	fm   format
	from ir.SQL
}

func (b *builder) observer(src *spec.Source, from ir.SQL) observer {
	return observer{b: b, src: src, fm: formatOf(src), from: from}
}

// scratch is the task's relation of parsed lines.
func (o observer) scratch() ir.Scratch {
	return ir.Scratch{Name: "parsed_" + o.src.Name, Query: func(f ir.Fragments) string { return o.parse(f, o.doc(f)) }}
}

// steps are the task's statements.
func (o observer) steps() []ir.SQL {
	steps := make([]ir.SQL, 3+len(o.src.Children))
	for i := range steps {
		steps[i] = func(f ir.Fragments) string {
			d := o.doc(f)
			return o.statements(f, d, f.Scratch(o.scratch().Name, o.parse(f, d)))[i]
		}
	}
	return staged(StageObserve, steps)
}

// doc is every path the statements read, in the order they first read
// them.
func (o observer) doc(f ir.Fragments) *lineDoc {
	d := newLineDoc()
	o.statements(f, d, "")
	o.fm.excerpted(f, d)
	return d
}

// statements renders the task's statements (3 and one per child)
// reading the parsed lines rel.
func (o observer) statements(f ir.Fragments, d *lineDoc, rel string) []string {
	out := []string{o.flag(f, d, rel), o.observe(f, d, rel), o.count(f, d, rel)}
	for _, c := range o.src.Children {
		out = append(out, o.child(f, d, rel, c))
	}
	return out
}

// parse is the query of the parsed lines: each line opened and parsed
// once, with why it is not a JSON object, whether it holds the
// replacement character, and the sealed excerpt of the lines whose
// flagged detail shows it.
func (o observer) parse(f ir.Fragments, d *lineDoc) string {
	excerpted := o.fm.excerpted(f, d)
	return named(`SELECT load_seq, file_name, file_row, loaded_at, jv, rejected, replaced, CASE WHEN {{excerpted}} THEN {{excerpt}} END AS excerpt
FROM (
  SELECT load_seq, file_name, file_row, loaded_at, text, jv, {{rejection}} AS rejected, {{replaced}} AS replaced
  FROM (
    SELECT load_seq, file_name, file_row, loaded_at, text, {{values}} AS jv
    FROM (SELECT load_seq, file_name, file_row, loaded_at, {{open}} AS text FROM {{from}} AS sealed) AS o
  ) AS p
) AS l`, map[string]string{
		"excerpted": excerpted,
		"excerpt":   f.SealText(excerpt("l.text")),
		"rejection": f.JSONRejection("p.text", "p.jv"),
		// Snowflake's load replaces invalid UTF-8 without a word in
		// COPY_HISTORY (https://docs.snowflake.com/en/sql-reference/sql/create-file-format,
		// REPLACE_INVALID_CHARACTERS): the replacement character is counted.
		"replaced": fmt.Sprintf("p.text LIKE %s", f.Str("%\uFFFD%")),
		"values":   f.ParseJSONValues("o.text", d.paths),
		"open":     f.OpenText("line"),
		"from":     o.from(f),
	})
}

func (o observer) flag(f ir.Fragments, d *lineDoc, rel string) string {
	return named(`INSERT INTO {{quarantine}} (source, load_seq, file_name, file_row, reason, detail, event_time, flagged_at, batch_id)
SELECT {{source}}, load_seq, file_name, file_row, reason, detail, {{event_time}}, {{now}}, {{batch_id}}
FROM (
{{lines}}
{{flagged}}
) flagged
WHERE NOT EXISTS (
  SELECT 1 FROM {{quarantine}} AS q
  WHERE q.source = {{source}} AND q.load_seq = flagged.load_seq AND q.flagged_at >= {{loaded_at_utc}} - INTERVAL '1 day'
)`, map[string]string{
		"quarantine":    f.Object(Quarantine),
		"source":        f.Str(o.src.Name),
		"event_time":    f.MillisToTimestamp("event_ms"),
		"now":           f.Now(),
		"lines":         linesCTE(rel),
		"flagged":       o.fm.flagged(f, d),
		"batch_id":      f.BatchID(),
		"loaded_at_utc": f.UTC("flagged.loaded_at"),
	})
}

func (o observer) observe(f ir.Fragments, d *lineDoc, rel string) string {
	entries := []entry{{name: FieldRecord}, {name: FieldLink, path: o.src.Customer, trim: true}}
	for _, m := range o.src.Fields {
		if m.Child == "" {
			entries = append(entries, entry{name: m.Field, path: m.Path, pii: o.b.s.FieldByName(m.Field).PII})
		}
	}
	return observeStatement(f, d, o.src.Name, o.fm, rel, entries)
}

func (o observer) child(f ir.Fragments, d *lineDoc, rel string, c *spec.Child) string {
	entries := []entry{{name: FieldRecord}, {name: FieldParent, path: c.Parent, trim: true}}
	for _, path := range childPaths(o.src, c) {
		entries = append(entries, entry{name: ChildFieldName(c, path), path: path})
	}
	return observeStatement(f, d, c.Label(o.src), stripeChild{stripe{o.src}, c}, rel, entries)
}

// count counts every line read (reason landed), and every line neither
// observed nor flagged, per reason: lines landed = lines accounted for,
// and the quarantine share of a batch reads these rows and not RAW.
func (o observer) count(f ir.Fragments, d *lineDoc, rel string) string {
	body := fmt.Sprintf("SELECT %s AS reason, CAST(NULL AS %s) AS detail FROM lines", f.Str(ReasonLanded), f.Type(ir.Text))
	if counted := o.fm.counted(f, d); counted != "" {
		body += "\nUNION ALL\n" + counted
	}
	body += fmt.Sprintf("\nUNION ALL\nSELECT %s AS reason, CAST(NULL AS %s) AS detail FROM lines WHERE replaced", f.Str(ReasonReplaced), f.Type(ir.Text))
	return named(`INSERT INTO {{line_counts}} (source, batch_id, reason, detail, lines, counted_at)
SELECT {{source}}, {{batch_id}}, reason, detail, COUNT(*), {{now}}
FROM (
{{lines}}
{{body}}
) c
GROUP BY reason, detail`, map[string]string{
		"line_counts": f.Object(LineCounts),
		"source":      f.Str(o.src.Name),
		"batch_id":    f.BatchID(),
		"now":         f.Now(),
		"lines":       linesCTE(rel),
		"body":        body,
	})
}

// entry is one observed field of an event: its name and the path of its
// value in the record document (nil for _record, which has no value and is
// always asserted); trim turns a blank value into NULL.
type entry struct {
	name string
	path []string
	trim bool
	// pii stores the value sealed (ir.Fragments.SealValue).
	pii bool
}

// observeStatement inserts one row per (event, record, asserted entry) of
// the events of fm into SILVER.OBSERVATIONS under the source label, but
// none already there. An observation's identity is (source, event id,
// record key, field, event time): a redelivery of an event carries the
// source position and commit time of the original, so the anti-join that
// skips what is already observed has the event time among its equalities,
// which restricts the rows of SILVER.OBSERVATIONS it reads to the batch's
// range of event times (engines prune by the min and max of the batch's
// join keys). Within the batch the first line loaded of each identity is
// kept. An INSERT rather than a MERGE: the observe tasks of all sources
// write the table in parallel.
func observeStatement(f ir.Fragments, d *lineDoc, label string, fm format, rel string, entries []entry) string {
	var paths [][]string
	index := map[string]int{}
	col := map[string]int{}
	for _, e := range entries {
		if e.path == nil {
			continue
		}
		k := fmt.Sprintf("%q", e.path)
		i, ok := index[k]
		if !ok {
			i = len(paths)
			paths = append(paths, e.path)
			index[k] = i
		}
		col[e.name] = i
	}
	var names, values, asserted []string
	for _, e := range entries {
		names = append(names, fmt.Sprintf("(%s)", f.Str(e.name)))
		v, a := "CAST(NULL AS "+f.Type(ir.Text)+")", "TRUE"
		if e.path != nil {
			v, a = fmt.Sprintf("ev.v%d", col[e.name]), fmt.Sprintf("ev.a%d", col[e.name])
			if e.trim {
				v = fmt.Sprintf("NULLIF(TRIM(%s), '')", v)
			}
			if e.pii {
				v = f.SealValue(v)
			}
		}
		values = append(values, fmt.Sprintf("\n        WHEN %s THEN %s", f.Str(e.name), v))
		asserted = append(asserted, fmt.Sprintf("\n        WHEN %s THEN %s", f.Str(e.name), a))
	}
	events := fm.events(f, d, paths)
	cols := "source, record_key, field, op, value, event_time, seq, sub_seq, event_id, order_key, load_seq, file_name, file_row, observed_at"
	var sel []string
	for _, c := range strings.Split(cols, ", ") {
		sel = append(sel, "n."+c)
	}
	return named(`INSERT INTO {{observations}} ({{cols}})
SELECT {{select}}
FROM (
{{lines}},
ev AS {{derived}}
SELECT
  {{label}} AS source,
  record_key,
  field,
  CASE WHEN field = {{field_record}} THEN op ELSE 'set' END AS op,
  value,
  {{event_time}} AS event_time,
  seq,
  sub_seq,
  event_id,
  {{order_key}} AS order_key,
  load_seq,
  file_name,
  file_row,
  {{now}} AS observed_at
FROM (
  SELECT
    ev.load_seq, ev.file_name, ev.file_row, ev.op, ev.event_ms, ev.seq, ev.sub_seq, ev.event_id, ev.record_key,
    fl.field,
    CASE fl.field{{values}}
    END AS value,
    CASE fl.field{{asserted}}
    END AS is_asserted
  FROM ev CROSS JOIN (VALUES {{names}}) AS fl (field)
  WHERE ev.record_key IS NOT NULL
) AS x
WHERE is_asserted AND (op = 'upsert' OR field = {{field_record}})
QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id, record_key, field, event_ms ORDER BY load_seq) = 1
) AS n
WHERE NOT EXISTS (
  SELECT 1 FROM {{observations}} AS o
  WHERE o.source = {{label}} AND o.event_time = n.event_time AND o.event_id = n.event_id AND o.record_key = n.record_key AND o.field = n.field
)`, map[string]string{
		"observations": f.Object(Observations),
		"lines":        linesCTE(rel),
		"derived":      derived(events),
		"label":        f.Str(label),
		"field_record": f.Str(FieldRecord),
		"event_time":   f.MillisToTimestamp("event_ms"),
		"order_key":    orderKey(f, "event_ms", "COALESCE(seq, 0)", "COALESCE(sub_seq, 0)", "event_id"),
		"now":          f.Now(),
		"values":       strings.Join(values, ""),
		"asserted":     strings.Join(asserted, ""),
		"names":        strings.Join(names, ", "),
		"cols":         cols,
		"select":       strings.Join(sel, ", "),
	})
}
