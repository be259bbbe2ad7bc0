package plan

import (
	"fmt"
	"strings"

	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/spec"
)

// Objects of the resolution timeline.
var (
	AsOfState          = ref(SILVER, "asof_state")
	TimelineCandidates = ref(SILVER, "timeline_candidates")
	HistoryWork        = ref(SILVER, "history_work")
	History            = ref(GOLD, "customer_master_history")
	Rulesets           = ref(AUDIT, "rulesets")
)

// The resolution of a customer is computed at every point of its valid
// time: every event time of an observation of one of its records. At each
// point, each (source, record, field) holds its last-writer-wins value as of
// that point; the rules rank those candidates; consecutive points that give
// the same resolved record collapse into one version. The last point is the
// current gold. Late data adds a point in the past and changes the versions
// after it; system time (recorded_at, superseded_at) keeps the belief it
// replaced.

// timelineTables are the work tables of resolution (empty between runs) and
// the history table.
func (b *builder) timeline() {
	silver, gold := ir.Ref{Schema: SILVER}, ir.Ref{Schema: GOLD}
	b.add(&ir.Object{Kind: ir.KindTable, Ref: AsOfState, Deps: []ir.Ref{silver},
		Comment: "work table of the reconcile task: source state of the queued customers at each point of their timelines",
		Columns: []ir.Column{
			notNull("customer_id", ir.Text), notNull("valid_from", ir.Timestamp), notNull("source", ir.Text), notNull("record_key", ir.Text),
			notNull("field", ir.Text), col("op", ir.Text), col("raw_value", ir.Text), col("value", ir.Text), col("valid", ir.Bool),
			col("event_time", ir.Timestamp), col("event_id", ir.Text), col("order_key", ir.Text),
			{Name: "via", Type: ir.Text, Comment: "for a derived field, the child the value comes from"},
		}})
	tc := append([]ir.Column{notNull("customer_id", ir.Text), notNull("valid_from", ir.Timestamp)}, candidateColumns[1:]...)
	b.add(&ir.Object{Kind: ir.KindTable, Ref: TimelineCandidates, Deps: []ir.Ref{silver}, Columns: tc,
		Comment: "work table of the reconcile task: ranked candidates at each point of the queued customers' timelines"})
	hist := b.historyColumns()
	b.add(&ir.Object{Kind: ir.KindTable, Ref: HistoryWork, Deps: []ir.Ref{silver}, Columns: hist,
		Comment: "work table of the reconcile task: the recomputed versions of the queued customers"})
	full := append(append([]ir.Column{}, hist...),
		ir.Column{Name: "recorded_at", Type: ir.Timestamp, NotNull: true, Comment: "system time: when trueup came to hold this version"},
		ir.Column{Name: "superseded_at", Type: ir.Timestamp, Comment: "system time: when a later belief replaced it; NULL while current"},
	)
	b.add(&ir.Object{Kind: ir.KindTable, Ref: History, Deps: []ir.Ref{gold}, Columns: full,
		Comment: "bitemporal history of the customer master: valid time from event times, system time from processing"})
	b.add(&ir.Object{Kind: ir.KindTable, Ref: Rulesets, Deps: []ir.Ref{{Schema: AUDIT}},
		Comment: "every rule-set version that resolved customers, with its definition",
		Columns: []ir.Column{
			notNull("ruleset_version", ir.Text), col("label", ir.Text), col("definition", ir.Text), col("first_used_at", ir.Timestamp),
		}})
}

func (b *builder) historyColumns() []ir.Column {
	cols := []ir.Column{
		notNull("customer_id", ir.Text),
		{Name: "valid_from", Type: ir.Timestamp, NotNull: true, Comment: "valid time: the event time this version starts at"},
		{Name: "valid_to", Type: ir.Timestamp, Comment: "valid time: the next version's start; NULL for the latest"},
		{Name: "is_deleted", Type: ir.Bool, Comment: "no live source record at this time"},
		{Name: "version_hash", Type: ir.Text, Comment: "hash of the resolved values, lineage and rule-set version"},
		col("ruleset_version", ir.Text),
	}
	for _, fld := range b.s.Fields {
		cols = append(cols,
			col(fld.Name, ir.Text),
			col(fld.Name+"__source", ir.Text),
			col(fld.Name+"__record_key", ir.Text),
			col(fld.Name+"__event_time", ir.Timestamp),
			col(fld.Name+"__rule", ir.Text),
		)
	}
	return cols
}

// normalizedValue renders the canonical value of field fld from raw_value of
// any source: the source's value map, the field's normalizers and map.
func (b *builder) normalizedValue(f ir.Fragments, fld *spec.Field) string {
	v := "raw_value"
	var bySource []string
	for _, src := range b.s.Sources {
		if m := src.Mapping(fld.Name); m != nil && len(m.Map) > 0 {
			bySource = append(bySource, fmt.Sprintf(" WHEN %s THEN %s", f.Str(src.Name), caseMap(f, v, m.Map)))
		}
	}
	if len(bySource) > 0 {
		v = fmt.Sprintf("(CASE source%s ELSE raw_value END)", strings.Join(bySource, ""))
	}
	return normalize(f, fld, v)
}

// resolveSteps re-resolve every queued customer over its whole timeline.
func (b *builder) resolveSteps() []ir.SQL {
	inQueue := func(f ir.Fragments, col string) string {
		return fmt.Sprintf("%s IN (SELECT customer_id FROM %s)", col, f.Object(CustomerQueue))
	}
	v := b.p.RulesetVersion
	steps := []ir.SQL{
		// A new rule-set version re-resolves every customer, once.
		func(f ir.Fragments) string {
			return fmt.Sprintf(`INSERT INTO %s (customer_id)
SELECT DISTINCT customer_id FROM %s
WHERE NOT EXISTS (SELECT 1 FROM %s WHERE ruleset_version = %s)`, f.Object(CustomerQueue), f.Object(Crosswalk), f.Object(Rulesets), f.Str(v))
		},
		func(f ir.Fragments) string {
			return fmt.Sprintf(`INSERT INTO %s (ruleset_version, label, definition, first_used_at)
SELECT %s, %s, %s, %s
WHERE NOT EXISTS (SELECT 1 FROM %s WHERE ruleset_version = %s)`, f.Object(Rulesets), f.Str(v), f.Str(b.s.Project.RulesetLabel), f.Str(RulesetText(b.s)), f.Now(), f.Object(Rulesets), f.Str(v))
		},
		b.asOfState,
	}
	for _, src := range b.s.Sources {
		for _, c := range src.Children {
			steps = append(steps, b.derivedState(src, c))
		}
	}
	for _, fld := range b.s.Fields {
		if fld.SameRecordAs == "" {
			steps = append(steps, b.candidates(fld))
		}
	}
	for _, fld := range b.s.Fields {
		if fld.SameRecordAs != "" {
			steps = append(steps, b.candidates(fld))
		}
	}
	// Checks run on the staged resolution; every publishing statement below
	// is a no-op when an error-level check failed (the batch is held back).
	steps = append(steps, b.historyWork)
	steps = append(steps, b.checkSteps()...)
	steps = append(steps,
		func(f ir.Fragments) string {
			return fmt.Sprintf("DELETE FROM %s WHERE %s AND NOT %s", f.Object(FieldCandidates), inQueue(f, "customer_id"), blocked(f))
		},
		func(f ir.Fragments) string {
			var cols []string
			for _, c := range candidateColumns {
				cols = append(cols, c.Name)
			}
			var sel []string
			for _, c := range cols {
				sel = append(sel, "t."+c)
			}
			return fmt.Sprintf(`INSERT INTO %s (%s)
SELECT %s
FROM %s AS t
JOIN %s AS l ON l.customer_id = t.customer_id AND l.valid_from = t.valid_from
WHERE NOT %s`,
				f.Object(FieldCandidates), strings.Join(cols, ", "), strings.Join(sel, ", "), f.Object(TimelineCandidates), lastPoints(f), blocked(f))
		},
		func(f ir.Fragments) string {
			return fmt.Sprintf("DELETE FROM %s WHERE %s AND NOT %s", f.Object(CustomerFields), inQueue(f, "customer_id"), blocked(f))
		},
		func(f ir.Fragments) string {
			return fmt.Sprintf(`INSERT INTO %[1]s (customer_id, field, value, source, record_key, event_time, event_id, rule, ruleset_version, candidates, distinct_values, conflict)
SELECT
  w.customer_id,
  w.field,
  CASE WHEN w.is_winner THEN w.value END,
  CASE WHEN w.is_winner THEN w.source END,
  CASE WHEN w.is_winner THEN w.record_key END,
  CASE WHEN w.is_winner THEN w.event_time END,
  CASE WHEN w.is_winner THEN w.event_id END,
  w.decided_by,
  w.ruleset_version,
  st.candidates,
  st.distinct_values,
  st.distinct_values > 1
FROM %[2]s AS w
JOIN (
  SELECT
    customer_id,
    field,
    COUNT(*) AS candidates,
    COUNT(DISTINCT value) + MAX(CASE WHEN value IS NULL THEN 1 ELSE 0 END) AS distinct_values
  FROM %[2]s
  WHERE %[3]s
  GROUP BY customer_id, field
) AS st ON st.customer_id = w.customer_id AND st.field = w.field
WHERE w.rank = 1 AND %[4]s AND NOT %[5]s`, f.Object(CustomerFields), f.Object(FieldCandidates), inQueue(f, "customer_id"), inQueue(f, "w.customer_id"), blocked(f))
		},
		// Versions no longer believed: close them in system time.
		func(f ir.Fragments) string {
			return fmt.Sprintf(`UPDATE %[1]s AS h
SET superseded_at = %[2]s
WHERE h.superseded_at IS NULL
  AND %[3]s
  AND NOT %[5]s
  AND NOT EXISTS (
    SELECT 1 FROM %[4]s AS w
    WHERE w.customer_id = h.customer_id AND w.valid_from = h.valid_from AND w.valid_to IS NOT DISTINCT FROM h.valid_to AND w.version_hash = h.version_hash
  )`, f.Object(History), f.Now(), inQueue(f, "h.customer_id"), f.Object(HistoryWork), blocked(f))
		},
		// Versions newly believed: record them.
		func(f ir.Fragments) string {
			cols := []string{}
			for _, c := range b.historyColumns() {
				cols = append(cols, c.Name)
			}
			var sel []string
			for _, c := range cols {
				sel = append(sel, "w."+f.Ident(c))
			}
			quoted := make([]string, len(cols))
			for i, c := range cols {
				quoted[i] = f.Ident(c)
			}
			return fmt.Sprintf(`INSERT INTO %[1]s (%[2]s, recorded_at, superseded_at)
SELECT %[3]s, %[4]s, NULL
FROM %[5]s AS w
WHERE NOT %[6]s
  AND NOT EXISTS (
  SELECT 1 FROM %[1]s AS h
  WHERE h.superseded_at IS NULL AND h.customer_id = w.customer_id AND h.valid_from = w.valid_from AND h.valid_to IS NOT DISTINCT FROM w.valid_to AND h.version_hash = w.version_hash
)`, f.Object(History), strings.Join(quoted, ", "), strings.Join(sel, ", "), f.Now(), f.Object(HistoryWork), blocked(f))
		},
	)
	steps = append(steps, b.heldSteps()...)
	steps = append(steps,
		func(f ir.Fragments) string { return "DELETE FROM " + f.Object(AsOfState) },
		func(f ir.Fragments) string { return "DELETE FROM " + f.Object(TimelineCandidates) },
		func(f ir.Fragments) string { return "DELETE FROM " + f.Object(HistoryWork) },
		// A held batch keeps its customers queued for the next run.
		func(f ir.Fragments) string {
			return fmt.Sprintf("DELETE FROM %s WHERE NOT %s", f.Object(CustomerQueue), blocked(f))
		},
	)
	return steps
}

// lastPoints is, per queued customer, the last point of its timeline: the
// present, which gold publishes.
func lastPoints(f ir.Fragments) string {
	return fmt.Sprintf("(SELECT customer_id, MAX(valid_from) AS valid_from FROM %s GROUP BY customer_id)", f.Object(AsOfState))
}

// asOfState fills silver.asof_state: for each queued customer and each
// point of its timeline, the last-writer-wins observation of every (source,
// record, field) of its records, with the canonical value and its validity.
func (b *builder) asOfState(f ir.Fragments) string {
	var norm, valid []string
	for _, fld := range b.s.Fields {
		n := b.normalizedValue(f, fld)
		norm = append(norm, fmt.Sprintf("\n    WHEN %s THEN %s", f.Str(fld.Name), n))
		valid = append(valid, fmt.Sprintf("\n    WHEN %s THEN %s", f.Str(fld.Name), validity(f, fld, n)))
	}
	return fmt.Sprintf(`INSERT INTO %[1]s (customer_id, valid_from, source, record_key, field, op, raw_value, value, valid, event_time, event_id, order_key)
SELECT
  customer_id, valid_from, source, record_key, field, op, raw_value,
  CASE field%[2]s
    ELSE raw_value
  END,
  CASE field%[3]s
    ELSE TRUE
  END,
  event_time, event_id, order_key
FROM (
  SELECT pt.customer_id, pt.valid_from, o.source, o.record_key, o.field, o.op, o.value AS raw_value, o.event_time, o.event_id, o.order_key
  FROM (
    SELECT DISTINCT x.customer_id, o.event_time AS valid_from
    FROM %[4]s AS x
    JOIN %[5]s AS o ON o.source = x.source AND o.record_key = x.record_key
    WHERE x.customer_id IN (SELECT customer_id FROM %[6]s)%[7]s
  ) AS pt
  JOIN %[4]s AS x ON x.customer_id = pt.customer_id
  JOIN %[5]s AS o ON o.source = x.source AND o.record_key = x.record_key AND o.event_time <= pt.valid_from
  QUALIFY ROW_NUMBER() OVER (PARTITION BY pt.customer_id, pt.valid_from, o.source, o.record_key, o.field ORDER BY o.order_key DESC) = 1
) AS s`, f.Object(AsOfState), strings.Join(norm, ""), strings.Join(valid, ""), f.Object(Crosswalk), f.Object(Observations), f.Object(CustomerQueue), b.childPoints(f))
}

// childPoints adds to the points of a customer's timeline the event times
// of the children of its records.
func (b *builder) childPoints(f ir.Fragments) string {
	var out strings.Builder
	for _, src := range b.s.Sources {
		for _, c := range src.Children {
			fmt.Fprintf(&out, `
    UNION
    SELECT DISTINCT x.customer_id, o.event_time AS valid_from
    FROM %[1]s AS x
    JOIN %[2]s AS par ON par.source = %[3]s AND par.field = %[4]s AND par.value = x.record_key
    JOIN %[5]s AS o ON o.source = par.source AND o.record_key = par.record_key
    WHERE x.source = %[6]s AND x.customer_id IN (SELECT customer_id FROM %[7]s)`,
				f.Object(Crosswalk), f.Object(SourceState), f.Str(c.Label(src)), f.Str(FieldParent), f.Object(Observations), f.Str(src.Name), f.Object(CustomerQueue))
		}
	}
	return out.String()
}

// historyWork pivots the winners at every point into one row per point,
// collapses consecutive points that resolve to the same record, and sets
// valid_to to the next version's start.
func (b *builder) historyWork(f ir.Fragments) string {
	var pivot, hashParts, outCols []string
	for _, fld := range b.s.Fields {
		pick := func(c string) string {
			return fmt.Sprintf("MAX(CASE WHEN t.field = %s AND t.rank = 1 THEN %s END)", f.Str(fld.Name), c)
		}
		win := func(c string) string { return fmt.Sprintf("CASE WHEN t.is_winner THEN t.%s END", c) }
		for _, p := range []struct{ suffix, expr string }{
			{"", pick(win("value"))},
			{"__source", pick(win("source"))},
			{"__record_key", pick(win("record_key"))},
			{"__event_time", pick(win("event_time"))},
			{"__rule", pick("t.decided_by")},
		} {
			name := f.Ident(fld.Name + p.suffix)
			pivot = append(pivot, fmt.Sprintf("      %s AS %s", p.expr, name))
			outCols = append(outCols, name)
			v := name
			if p.suffix == "__event_time" {
				v = fmt.Sprintf("CAST(%s AS %s)", name, f.Type(ir.Text))
			}
			hashParts = append(hashParts, fmt.Sprintf("COALESCE('v' || %s, 'n')", v))
		}
	}
	hash := fmt.Sprintf("MD5(%s || '|' || %s)", f.Str(b.p.RulesetVersion), strings.Join(hashParts, " || '|' || "))
	var cols []string
	for _, c := range b.historyColumns() {
		cols = append(cols, f.Ident(c.Name))
	}
	return fmt.Sprintf(`INSERT INTO %[1]s (%[2]s)
SELECT customer_id, valid_from, LEAD(valid_from) OVER (PARTITION BY customer_id ORDER BY valid_from), is_deleted, version_hash, %[3]s, %[4]s
FROM (
  SELECT
    v.*,
    LAG(version_hash) OVER (PARTITION BY customer_id ORDER BY valid_from) AS previous_hash
  FROM (
    SELECT
      p.customer_id,
      p.valid_from,
      p.is_deleted,
      %[5]s AS version_hash,
      %[4]s
    FROM (
      SELECT
        pt.customer_id,
        pt.valid_from,
        MAX(CASE WHEN pt.field = %[6]s AND pt.op = 'upsert' THEN 1 ELSE 0 END) = 0 AS is_deleted,
%[7]s
      FROM %[8]s AS pt
      LEFT JOIN %[9]s AS t ON t.customer_id = pt.customer_id AND t.valid_from = pt.valid_from AND t.field = pt.field AND t.source = pt.source AND t.record_key = pt.record_key
      GROUP BY pt.customer_id, pt.valid_from
    ) AS p
  ) AS v
) AS c
WHERE previous_hash IS NULL OR previous_hash <> version_hash`,
		f.Object(HistoryWork), strings.Join(cols, ", "), f.Str(b.p.RulesetVersion), strings.Join(outCols, ", "),
		hash, f.Str(FieldRecord), strings.Join(pivot, ",\n"), f.Object(AsOfState), f.Object(TimelineCandidates))
}
