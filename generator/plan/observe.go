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

// format is how one producer's events become observations. Its SQL reads the
// "lines" CTE (load_seq, file_name, file_row, doc) and yields, per event:
// load_seq, file_name, file_row, doc, rec (the record document), op
// (upsert, delete or something to flag), event_ms, seq, sub_seq, event_id,
// record_key and reason (NULL for a good event).
type format interface {
	// events is the SELECT over "lines" (one row per event and record).
	events(f ir.Fragments) string
	// reason is the SELECT over "lines" of lines to flag, with columns
	// load_seq, file_name, file_row, reason, detail, event_ms.
	flagged(f ir.Fragments) string
	// asserted is the condition, over the events row, that the event asserts
	// the value at path.
	asserted(f ir.Fragments, path []string) string
}

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

// debezium reads the Debezium JSON envelope, bare or wrapped in
// {schema, payload}.
type debezium struct{ src *spec.Source }

// env unwraps {schema, payload} (Kafka Connect with schemas enabled).
func (d debezium) env(f ir.Fragments, doc string) string {
	return fmt.Sprintf("CASE WHEN %s THEN %s ELSE %s END", f.JSONHas(doc, p("payload", "op")), f.JSONGet(doc, p("payload")), doc)
}

func (d debezium) events(f ir.Fragments) string {
	table := d.src.Table
	return fmt.Sprintf(`SELECT
    e.*,
    CASE e.op_code WHEN 'c' THEN 'upsert' WHEN 'u' THEN 'upsert' WHEN 'r' THEN 'upsert' WHEN 'd' THEN 'delete' WHEN 't' THEN 'truncate' ELSE 'unknown' END AS op,
    CASE WHEN e.op_code = 'd' THEN %[1]s ELSE %[2]s END AS rec,
    %[3]s AS record_key,
    'lsn:' || COALESCE(e.lsn, '') || ':' || e.tbl || ':' || COALESCE(%[3]s, '') AS event_id,
    0 AS sub_seq
  FROM (
    SELECT
      l.*,
      %[4]s AS op_code,
      TRY_CAST(%[5]s AS %[6]s) AS event_ms,
      TRY_CAST(%[7]s AS %[6]s) AS seq,
      %[7]s AS lsn,
      COALESCE(%[8]s, '') || '.' || COALESCE(%[9]s, '') AS tbl
    FROM (SELECT lines.load_seq, lines.file_name, lines.file_row, %[10]s AS doc FROM lines WHERE lines.doc IS NOT NULL) l
  ) e
  WHERE e.tbl = %[11]s`,
		f.JSONGet("e.doc", p("before")), f.JSONGet("e.doc", p("after")),
		f.JSONText(fmt.Sprintf("CASE WHEN e.op_code = 'd' THEN %s ELSE %s END", f.JSONGet("e.doc", p("before")), f.JSONGet("e.doc", p("after"))), d.src.Key),
		f.JSONText("l.doc", p("op")), f.JSONText("l.doc", p("source", "ts_ms")), f.Type(ir.Decimal),
		f.JSONText("l.doc", p("source", "lsn")), f.JSONText("l.doc", p("source", "schema")), f.JSONText("l.doc", p("source", "table")),
		d.env(f, "lines.doc"), f.Str(table))
}

func (d debezium) flagged(f ir.Fragments) string {
	return fmt.Sprintf(`SELECT load_seq, file_name, file_row, reason, detail, event_ms FROM (
  SELECT
    load_seq, file_name, file_row, event_ms,
    CASE
      WHEN doc IS NULL THEN 'invalid JSON'
      WHEN tbl <> %[1]s THEN 'event for another table'
      WHEN op_code = 't' THEN 'truncate is not applied: re-sync needed'
      WHEN op_code IS NULL OR op_code NOT IN ('c', 'u', 'r', 'd') THEN 'unknown op'
      WHEN event_ms IS NULL THEN 'missing source.ts_ms'
      WHEN record_key IS NULL THEN 'missing record key'
      WHEN lsn IS NULL THEN 'missing source.lsn'
    END AS reason,
    CASE WHEN doc IS NULL THEN NULL ELSE tbl END AS detail
  FROM (
    SELECT
      l.load_seq, l.file_name, l.file_row, l.doc,
      %[2]s AS op_code,
      TRY_CAST(%[3]s AS %[4]s) AS event_ms,
      %[5]s AS lsn,
      COALESCE(%[6]s, '') || '.' || COALESCE(%[7]s, '') AS tbl,
      %[8]s AS record_key
    FROM (SELECT lines.load_seq, lines.file_name, lines.file_row, %[9]s AS doc FROM lines) l
  ) x
) y WHERE reason IS NOT NULL`,
		f.Str(d.src.Table),
		f.JSONText("l.doc", p("op")), f.JSONText("l.doc", p("source", "ts_ms")), f.Type(ir.Decimal), f.JSONText("l.doc", p("source", "lsn")),
		f.JSONText("l.doc", p("source", "schema")), f.JSONText("l.doc", p("source", "table")),
		f.JSONText(fmt.Sprintf("CASE WHEN %s = 'd' THEN %s ELSE %s END", f.JSONText("l.doc", p("op")), f.JSONGet("l.doc", p("before")), f.JSONGet("l.doc", p("after"))), d.src.Key),
		d.env(f, "lines.doc"))
}

// asserted: a snapshot asserts every column present in after, except
// TOAST columns that did not change.
func (d debezium) asserted(f ir.Fragments, path []string) string {
	return fmt.Sprintf("(ev.op = 'upsert' AND %s AND COALESCE(%s, '') <> '__debezium_unavailable_value')",
		f.JSONHas("ev.rec", path), f.JSONText("ev.rec", path))
}

// salesforce reads change events as the Pub/Sub API delivers them.
type salesforce struct{ src *spec.Source }

func (s salesforce) header(f ir.Fragments, doc string) string {
	return f.JSONGet(doc, p("payload", "ChangeEventHeader"))
}

func (s salesforce) base(f ir.Fragments) string {
	return fmt.Sprintf(`SELECT
      l.load_seq, l.file_name, l.file_row, l.doc,
      %[1]s AS rec,
      %[2]s AS hdr,
      %[3]s AS change_type,
      %[4]s AS entity,
      TRY_CAST(%[5]s AS %[8]s) AS event_ms,
      TRY_CAST(%[6]s AS %[8]s) AS seq,
      TRY_CAST(%[7]s AS %[8]s) AS sub_seq,
      %[9]s AS replay_id
    FROM lines l`,
		f.JSONGet("l.doc", p("payload")), s.header(f, "l.doc"),
		f.JSONText("l.doc", p("payload", "ChangeEventHeader", "changeType")),
		f.JSONText("l.doc", p("payload", "ChangeEventHeader", "entityName")),
		f.JSONText("l.doc", p("payload", "ChangeEventHeader", "commitTimestamp")),
		f.JSONText("l.doc", p("payload", "ChangeEventHeader", "commitNumber")),
		f.JSONText("l.doc", p("payload", "ChangeEventHeader", "sequenceNumber")),
		f.Type(ir.Decimal),
		f.JSONText("l.doc", p("event", "replayId")))
}

func (s salesforce) events(f ir.Fragments) string {
	return fmt.Sprintf(`SELECT
    h.*,
    CASE WHEN h.change_type = 'DELETE' THEN 'delete' ELSE 'upsert' END AS op,
    %[1]s AS record_key,
    'replay:' || h.replay_id || ':' || %[1]s AS event_id
  FROM (
    %[2]s
  ) h,
  %[3]s
  WHERE h.doc IS NOT NULL
    AND h.entity = %[4]s
    AND h.change_type IN ('CREATE', 'UPDATE', 'DELETE', 'UNDELETE')
    AND h.event_ms IS NOT NULL
    AND h.replay_id IS NOT NULL`,
		f.ArrayElement("rid"), s.base(f), f.FlattenArray("h.hdr", p("recordIds"), "rid"), f.Str(s.src.Object))
}

func (s salesforce) flagged(f ir.Fragments) string {
	return fmt.Sprintf(`SELECT load_seq, file_name, file_row, reason, detail, event_ms FROM (
  SELECT
    load_seq, file_name, file_row, event_ms,
    CASE
      WHEN doc IS NULL THEN 'invalid JSON'
      WHEN entity IS NULL OR entity <> %[1]s THEN 'event for another object'
      WHEN change_type LIKE 'GAP%%' THEN change_type || ': values were not sent, re-sync needed'
      WHEN change_type IS NULL OR change_type NOT IN ('CREATE', 'UPDATE', 'DELETE', 'UNDELETE') THEN 'unknown changeType'
      WHEN event_ms IS NULL THEN 'missing commitTimestamp'
      WHEN replay_id IS NULL THEN 'missing event.replayId'
      WHEN NOT %[2]s THEN 'missing recordIds'
    END AS reason,
    CASE WHEN change_type = 'GAP_OVERFLOW' THEN 'object ' || COALESCE(entity, '') ELSE %[3]s END AS detail
  FROM (
    %[4]s
  ) h
) y WHERE reason IS NOT NULL`,
		f.Str(s.src.Object),
		f.JSONHas("hdr", p("recordIds", "0")),
		f.JSONText("hdr", p("recordIds")),
		s.base(f))
}

// asserted: CREATE and UNDELETE assert the fields they carry; UPDATE asserts
// changedFields and nulledFields only: an absent field is unchanged.
func (s salesforce) asserted(f ir.Fragments, path []string) string {
	names := []string{strings.Join(path, ".")}
	if len(path) > 1 {
		names = append(names, path[0])
	}
	var listed []string
	for _, n := range names {
		listed = append(listed, f.JSONArrayHas("ev.hdr", p("changedFields"), n), f.JSONArrayHas("ev.hdr", p("nulledFields"), n))
	}
	return fmt.Sprintf("(ev.op = 'upsert' AND CASE WHEN ev.change_type = 'UPDATE' THEN (%s) ELSE %s END)",
		strings.Join(listed, " OR "), f.JSONHas("ev.rec", path))
}

// stripe reads Stripe event objects.
type stripe struct{ src *spec.Source }

func (s stripe) base(f ir.Fragments) string {
	obj := s.src.Object
	return fmt.Sprintf(`SELECT
      l.load_seq, l.file_name, l.file_row, l.doc,
      %[1]s AS rec,
      %[2]s AS event_type,
      CASE WHEN %[2]s IN (%[3]s, %[4]s) THEN 'upsert' WHEN %[2]s = %[5]s THEN 'delete' END AS op,
      TRY_CAST(%[6]s AS %[7]s) * 1000 AS event_ms,
      0 AS seq,
      0 AS sub_seq,
      %[8]s AS event_id,
      %[9]s AS record_key
    FROM lines l`,
		f.JSONGet("l.doc", p("data", "object")), f.JSONText("l.doc", p("type")),
		f.Str(obj+".created"), f.Str(obj+".updated"), f.Str(obj+".deleted"),
		f.JSONText("l.doc", p("created")), f.Type(ir.Decimal), f.JSONText("l.doc", p("id")),
		f.JSONText(f.JSONGet("l.doc", p("data", "object")), s.src.Key))
}

func (s stripe) events(f ir.Fragments) string {
	return fmt.Sprintf(`SELECT h.* FROM (
    %s
  ) h
  WHERE h.doc IS NOT NULL AND h.op IS NOT NULL AND h.event_ms IS NOT NULL AND h.event_id IS NOT NULL AND h.record_key IS NOT NULL`, s.base(f))
}

// flagged: events of other types (subscriptions, invoices) are not flagged:
// they stay in RAW for the feeds that read them.
func (s stripe) flagged(f ir.Fragments) string {
	return fmt.Sprintf(`SELECT load_seq, file_name, file_row, reason, detail, event_ms FROM (
  SELECT
    load_seq, file_name, file_row, event_ms,
    CASE
      WHEN doc IS NULL THEN 'invalid JSON'
      WHEN op IS NULL THEN NULL
      WHEN event_id IS NULL THEN 'missing id'
      WHEN event_ms IS NULL THEN 'missing created'
      WHEN record_key IS NULL THEN 'missing record key'
    END AS reason,
    event_type AS detail
  FROM (
    %s
  ) h
) y WHERE reason IS NOT NULL`, s.base(f))
}

// asserted: a Stripe object is a full snapshot: an absent key is null.
func (s stripe) asserted(f ir.Fragments, path []string) string {
	return "ev.op = 'upsert'"
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
		v = fmt.Sprintf("COALESCE(CAST(TRY_CAST(%[1]s AS %[2]s) AS %[3]s), %[1]s)", v, f.Type(ir.Decimal), f.Type(ir.Text))
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
		conds = append(conds, fmt.Sprintf("TRY_CAST(%s AS %s) IS NOT NULL", v, f.Type(ir.Decimal)))
	case spec.TypeNumber:
		conds = append(conds, fmt.Sprintf("TRY_CAST(%s AS %s) IS NOT NULL", v, f.Type(ir.Float)))
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

// observeSteps are the statements of a source's observe task: flag what
// cannot be observed, then add new observations, both reading the same
// relation (the RAW stream, in one transaction) given by from.
func (b *builder) observeSteps(src *spec.Source, from ir.SQL) []ir.SQL {
	fm := formatOf(src)
	lines := func(f ir.Fragments) string {
		return fmt.Sprintf(`WITH lines AS (
  SELECT load_seq, file_name, file_row, %s AS doc
  FROM %s
)`, f.ParseJSON("line"), from(f))
	}
	flag := func(f ir.Fragments) string {
		return fmt.Sprintf(`INSERT INTO %[1]s (source, load_seq, file_name, file_row, reason, detail, event_time, flagged_at, batch_id)
SELECT %[2]s, load_seq, file_name, file_row, reason, detail, %[3]s, %[4]s, %[7]s
FROM (
%[5]s
%[6]s
) flagged
WHERE NOT EXISTS (SELECT 1 FROM %[1]s AS q WHERE q.source = %[2]s AND q.load_seq = flagged.load_seq)`, f.Object(Quarantine), f.Str(src.Name), f.MillisToTimestamp("event_ms"), f.Now(), lines(f), fm.flagged(f), f.BatchID())
	}
	observe := func(f ir.Fragments) string {
		entries := []entry{
			{FieldRecord, "CAST(NULL AS " + f.Type(ir.Text) + ")", "TRUE"},
			{FieldLink, fmt.Sprintf("NULLIF(TRIM(%s), '')", f.JSONText("ev.rec", src.Customer)), fm.asserted(f, src.Customer)},
		}
		for _, m := range src.Fields {
			if m.Child == "" {
				entries = append(entries, entry{m.Field, f.JSONText("ev.rec", m.Path), fm.asserted(f, m.Path)})
			}
		}
		return observeStatement(f, src.Name, fm, lines(f), entries)
	}
	steps := []ir.SQL{flag, observe}
	for _, c := range src.Children {
		c := c
		cf := stripeChild{stripe{src}, c}
		steps = append(steps, func(f ir.Fragments) string {
			entries := []entry{
				{FieldRecord, "CAST(NULL AS " + f.Type(ir.Text) + ")", "TRUE"},
				{FieldParent, fmt.Sprintf("NULLIF(TRIM(%s), '')", f.JSONText("ev.rec", c.Parent)), cf.asserted(f, c.Parent)},
			}
			for _, path := range childPaths(src, c) {
				entries = append(entries, entry{ChildFieldName(c, path), f.JSONText("ev.rec", path), cf.asserted(f, path)})
			}
			return observeStatement(f, c.Label(src), cf, lines(f), entries)
		})
	}
	return steps
}

// entry is one observed field of an event: its name, its value and the
// condition under which the event asserts it.
type entry struct{ name, value, asserted string }

// observeStatement merges one row per (event, record, asserted entry) of the
// events of fm into SILVER.OBSERVATIONS under the source label, skipping
// those already observed (same event identity).
func observeStatement(f ir.Fragments, label string, fm format, lines string, entries []entry) string {
	var names, values, asserted []string
	for _, e := range entries {
		names = append(names, fmt.Sprintf("(%s)", f.Str(e.name)))
		values = append(values, fmt.Sprintf("\n        WHEN %s THEN %s", f.Str(e.name), e.value))
		asserted = append(asserted, fmt.Sprintf("\n        WHEN %s THEN %s", f.Str(e.name), e.asserted))
	}
	orderKey := fmt.Sprintf("LPAD(CAST(event_ms AS %[1]s), 15, '0') || '|' || LPAD(CAST(COALESCE(seq, 0) AS %[1]s), 20, '0') || '|' || LPAD(CAST(COALESCE(sub_seq, 0) AS %[1]s), 10, '0') || '|' || event_id", f.Type(ir.Text))
	cols := "source, record_key, field, op, value, event_time, seq, sub_seq, event_id, order_key, load_seq, file_name, file_row, observed_at"
	var ins []string
	for _, c := range strings.Split(cols, ", ") {
		ins = append(ins, "n."+c)
	}
	return fmt.Sprintf(`MERGE INTO %[1]s AS o
USING (
%[2]s,
ev AS (
  %[3]s
)
SELECT
  %[4]s AS source,
  record_key,
  field,
  CASE WHEN field = %[5]s THEN op ELSE 'set' END AS op,
  value,
  %[6]s AS event_time,
  seq,
  sub_seq,
  event_id,
  %[7]s AS order_key,
  load_seq,
  file_name,
  file_row,
  %[8]s AS observed_at
FROM (
  SELECT
    ev.load_seq, ev.file_name, ev.file_row, ev.op, ev.event_ms, ev.seq, ev.sub_seq, ev.event_id, ev.record_key,
    fl.field,
    CASE fl.field%[9]s
    END AS value,
    CASE fl.field%[10]s
    END AS is_asserted
  FROM ev CROSS JOIN (VALUES %[11]s) AS fl (field)
  WHERE ev.record_key IS NOT NULL
) AS x
WHERE is_asserted AND (op = 'upsert' OR field = %[5]s)
QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id, record_key, field ORDER BY load_seq) = 1
) AS n
ON o.source = n.source AND o.event_id = n.event_id AND o.record_key = n.record_key AND o.field = n.field
WHEN NOT MATCHED THEN INSERT (%[12]s)
VALUES (%[13]s)`,
		f.Object(Observations), lines, fm.events(f), f.Str(label), f.Str(FieldRecord),
		f.MillisToTimestamp("event_ms"), orderKey, f.Now(),
		strings.Join(values, ""), strings.Join(asserted, ""), strings.Join(names, ", "),
		cols, strings.Join(ins, ", "))
}
