package plan

import (
	"fmt"
	"strings"

	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/spec"
)

// Objects of the resolution timeline.
var (
	Clock              = ref(SILVER, "work_clock")
	StateBefore        = ref(SILVER, "work_state_before")
	ResolveSet         = ref(SILVER, "work_resolve_set")
	ResolveKeys        = ref(SILVER, "work_keys")
	StateRows          = ref(SILVER, "work_state_rows")
	AsOfState          = ref(SILVER, "work_point_state")
	LastPoints         = ref(SILVER, "work_last_points")
	TimelineCandidates = ref(SILVER, "work_candidates")
	HistoryWork        = ref(SILVER, "work_versions")
	History            = ref(GOLD, "customer_master_history")
	Versions           = ref(GOLD, "customer_master_versions")
	OpenVersions       = ref(GOLD, "customer_master_open")
	Rulesets           = ref(AUDIT, "rulesets")
	Backfill           = ref(SILVER, "backfill")
	BackfillSeq        = ref(SILVER, "backfill_seq")
	BackfillStream     = ref(SILVER, "backfill_stream")
)

// BackfillStreamOf is the stream that wakes the task graph while a
// backfill is under way: each run's slice deletes rows from the backfill,
// which the next run sees as changes.
func BackfillStreamOf() *ir.Stream {
	return &ir.Stream{Ref: BackfillStream, Table: Backfill, SequenceColumn: "seq", Changes: true}
}

// The resolution of a customer is computed at every point of its valid
// time: every event time of an observation of one of its records (or of
// their children). At each point, each (source, record, field) holds its
// last-writer-wins value as of that point; the rules rank those
// candidates; consecutive points that give the same resolved values,
// winners and rules collapse into one version. The last point is the
// current gold. Late data adds a point in the past and changes the versions
// after it; system time (recorded_at, superseded_at) keeps the belief it
// replaced.
//
// A batch recomputes each touched customer's timeline only from the
// earliest event time its new observations bring (its from_time), starting
// from the state and the version in force just before it (see suffix.go);
// a customer whose records changed customer, or a new rule set, recomputes
// the whole timeline.

// timelineTables are the work tables of resolution (empty between runs) and
// the history table.
func (b *builder) timeline() {
	silver, gold := ir.Ref{Schema: SILVER}, ir.Ref{Schema: GOLD}
	work := func(r ir.Ref, comment string, cols ...ir.Column) {
		b.add(&ir.Object{Kind: ir.KindTable, Ref: r, Deps: []ir.Ref{silver}, Transient: true, Columns: cols,
			Comment: "work table of the reconcile task: " + comment})
	}
	work(Clock, "the time this run records in system time, read once: closing a version and opening the next agree on it",
		notNull("now", ir.Timestamp))
	work(StateBefore, "the source state, before this batch, of the keys the batch observes",
		notNull("source", ir.Text), notNull("record_key", ir.Text), notNull("field", ir.Text),
		ir.Column{Name: "had", Type: ir.Bool, Comment: "the key had a state before this batch"},
		col("op", ir.Text), col("value", ir.Text), col("event_time", ir.Timestamp), col("order_key", ir.Text), col("event_id", ir.Text))
	work(ResolveSet, "the customers this run resolves, from which event time, and the version in force before it",
		notNull("customer_id", ir.Text),
		ir.Column{Name: "from_time", Type: ir.Timestamp, Comment: "resolved from this event time on; NULL: the whole timeline"},
		ir.Column{Name: "prior_from", Type: ir.Timestamp, Comment: "valid_from of the version in force just before from_time"})
	work(ResolveKeys, "every (source, record, field) of the customers resolved, and where its state comes from",
		notNull("customer_id", ir.Text), notNull("source", ir.Text), notNull("record_key", ir.Text), notNull("field", ir.Text),
		ir.Column{Name: "parent_key", Type: ir.Text, Comment: "for a child's key, the parent record"},
		ir.Column{Name: "mode", Type: ir.Text, Comment: "base: its state, unchanged; fast: its state before the batch and the batch; slow: its observations"},
		col("op", ir.Text), col("value", ir.Text), col("event_time", ir.Timestamp), col("event_id", ir.Text), col("order_key", ir.Text))
	work(StateRows, "the observations that make the resolved customers' state from their from_time on, with canonical values",
		notNull("customer_id", ir.Text), notNull("source", ir.Text), notNull("record_key", ir.Text), notNull("field", ir.Text),
		col("op", ir.Text), col("value", ir.Text), notNull("event_time", ir.Timestamp), col("event_id", ir.Text), col("order_key", ir.Text),
		ir.Column{Name: "canon", Type: ir.Text, Comment: "the canonical value after maps and normalizers"},
		ir.Column{Name: "valid", Type: ir.Bool, Comment: "the canonical value passes the field's checks"})
	work(AsOfState, "source state of the resolved customers at each point of their timelines from their from_time on",
		notNull("customer_id", ir.Text), notNull("valid_from", ir.Timestamp), notNull("source", ir.Text), notNull("record_key", ir.Text),
		notNull("field", ir.Text), col("op", ir.Text), col("raw_value", ir.Text), col("value", ir.Text), col("valid", ir.Bool),
		col("event_time", ir.Timestamp), col("event_id", ir.Text), col("order_key", ir.Text),
		ir.Column{Name: "via", Type: ir.Text, Comment: "for a derived field, the child the value comes from"},
		ir.Column{Name: "parent_key", Type: ir.Text, Comment: "for a child's key, the parent record"})
	work(LastPoints, "the last point of each resolved customer's timeline: the present, which gold publishes and the checks measure",
		notNull("customer_id", ir.Text), notNull("valid_from", ir.Timestamp))
	tc := append([]ir.Column{notNull("customer_id", ir.Text), notNull("valid_from", ir.Timestamp)}, candidateColumns[1:]...)
	work(TimelineCandidates, "ranked candidates at each point of the resolved customers' timelines", tc...)
	hist := b.historyColumns()
	work(HistoryWork, "the recomputed versions of the resolved customers, from the version in force before their from_time", hist...)
	recorded := ir.Column{Name: "recorded_at", Type: ir.Timestamp, NotNull: true, Comment: "system time: when trueup came to hold this version"}
	open := append(append([]ir.Column{}, hist...), recorded)
	full := append(append([]ir.Column{}, open...),
		ir.Column{Name: "superseded_at", Type: ir.Timestamp, Comment: "system time: when a later belief replaced it; NULL while current"},
	)
	// History is kept in two tables: the open current version of each
	// customer, which nearly every batch that touches the customer
	// replaces, and the versions closed in valid time or superseded, which
	// only late data reaches back into (by valid_to, the order they are
	// written in). A batch reads the second from its earliest from_time on.
	b.add(&ir.Object{Kind: ir.KindTable, Ref: Versions, Deps: []ir.Ref{gold}, Columns: full, Was: History.Name,
		Comment: "versions of the customer master closed in valid time (valid_to set) or superseded in system time; gold.customer_master_history is these and gold.customer_master_open"})
	b.add(&ir.Object{Kind: ir.KindTable, Ref: OpenVersions, Deps: []ir.Ref{gold}, Columns: open,
		Moves:   &ir.Moves{From: Versions, Where: "valid_to IS NULL AND superseded_at IS NULL", Key: []string{"customer_id", "valid_from"}},
		Comment: "the open current version of each customer (valid_to and superseded_at NULL): one row per customer"})
	b.add(&ir.Object{Kind: ir.KindView, Ref: History, Deps: []ir.Ref{Versions, OpenVersions},
		Comment: "bitemporal history of the customer master: valid time from event times, system time from processing",
		Query: func(f ir.Fragments) string {
			var cols []string
			for _, c := range open {
				cols = append(cols, f.Ident(c.Name))
			}
			return fmt.Sprintf("SELECT %[1]s, superseded_at FROM %[2]s\nUNION ALL\nSELECT %[1]s, CAST(NULL AS %[4]s) AS superseded_at FROM %[3]s",
				strings.Join(cols, ", "), f.Object(Versions), f.Object(OpenVersions), f.Type(ir.Timestamp))
		}})
	b.add(&ir.Object{Kind: ir.KindSequence, Ref: BackfillSeq, Deps: []ir.Ref{silver}, Comment: "order of backfill rows"})
	b.add(&ir.Object{Kind: ir.KindTable, Ref: Backfill, Deps: []ir.Ref{silver, BackfillSeq},
		Comment: "customers still to re-resolve under the current rule-set version, a slice per run",
		Columns: []ir.Column{
			{Name: "seq", Type: ir.Int, NotNull: true, Default: ir.NextVal(BackfillSeq)},
			notNull("customer_id", ir.Text), notNull("ruleset_version", ir.Text), col("queued_at", ir.Timestamp),
		}})
	bs := BackfillStreamOf()
	b.add(&ir.Object{Kind: ir.KindStream, Ref: bs.Ref, Deps: []ir.Ref{Backfill}, Stream: bs, Comment: "changes of the backfill queue"})
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
// any source, as it is stored: a PII field's sealed (ir.Fragments.SealValue).
func (b *builder) normalizedValue(f ir.Fragments, fld *spec.Field) string {
	if fld.PII {
		return f.SealValue(b.canonicalValue(f, fld))
	}
	return b.canonicalValue(f, fld)
}

// canonicalValue renders the canonical value of field fld from raw_value
// of any source: the source's value map, the field's normalizers and map.
// A PII field's raw value is opened first: normalization and validity
// read the value, the tables hold it sealed.
func (b *builder) canonicalValue(f ir.Fragments, fld *spec.Field) string {
	v := "raw_value"
	if fld.PII {
		v = f.OpenValue(v)
	}
	var bySource []string
	for _, src := range b.s.Sources {
		if m := src.Mapping(fld.Name); m != nil && len(m.Map) > 0 {
			bySource = append(bySource, fmt.Sprintf(" WHEN %s THEN %s", f.Str(src.Name), caseMap(f, v, m.Map)))
		}
	}
	if len(bySource) > 0 {
		v = fmt.Sprintf("(CASE source%s ELSE %s END)", strings.Join(bySource, ""), v)
	}
	return normalize(f, fld, v)
}

// resolveSteps re-resolve the queued customers from their from_time on,
// check the staged result, and publish it unless an error-level check
// holds the batch back.
func (b *builder) resolveSteps() []ir.SQL {
	inSet := func(f ir.Fragments, col string) string {
		return fmt.Sprintf("%s IN (SELECT customer_id FROM %s)", col, f.Object(ResolveSet))
	}
	v := b.p.RulesetVersion
	steps := []ir.SQL{
		// A new rule-set version re-resolves every customer's whole
		// timeline, a slice per run: the backfill queue is filled once (the
		// one statement that reads the whole crosswalk, and only then),
		// older versions' leftovers are dropped, and each run moves up to
		// backfill_slice customers to the queue. Meanwhile every gold and
		// history row names the version that decided it.
		func(f ir.Fragments) string {
			return named(`INSERT INTO {{backfill}} (customer_id, ruleset_version, queued_at)
SELECT DISTINCT customer_id, {{v}}, {{now}} FROM {{crosswalk}}
WHERE NOT EXISTS (SELECT 1 FROM {{rulesets}} WHERE ruleset_version = {{v}})`, map[string]string{
				"backfill":  f.Object(Backfill),
				"v":         f.Str(v),
				"now":       f.Now(),
				"crosswalk": f.Object(Crosswalk),
				"rulesets":  f.Object(Rulesets),
			})
		},
		func(f ir.Fragments) string {
			return named(`INSERT INTO {{rulesets}} (ruleset_version, label, definition, first_used_at)
SELECT {{v}}, {{label}}, {{definition}}, {{now}}
WHERE NOT EXISTS (SELECT 1 FROM {{rulesets}} WHERE ruleset_version = {{v}})`, map[string]string{
				"rulesets":   f.Object(Rulesets),
				"v":          f.Str(v),
				"label":      f.Str(b.s.Project.RulesetLabel),
				"definition": f.Str(RulesetText(b.s)),
				"now":        f.Now(),
			})
		},
		func(f ir.Fragments) string {
			return fmt.Sprintf("DELETE FROM %s WHERE ruleset_version <> %s", f.Object(Backfill), f.Str(v))
		},
		func(f ir.Fragments) string {
			return fmt.Sprintf(`INSERT INTO %s (customer_id, from_time)
SELECT customer_id, CAST(NULL AS %s)
FROM (SELECT customer_id FROM %s ORDER BY customer_id LIMIT %d) AS s`, f.Object(CustomerQueue), f.Type(ir.Timestamp), f.Object(Backfill), b.s.Project.BackfillSlice)
		},
	}
	steps = append(steps, b.suffixSteps()...)
	// Customers resolved over their whole timeline leave the backfill;
	// the stream of its changes is consumed, so that it wakes the graph
	// again only after this run's deletions.
	steps = append(steps,
		func(f ir.Fragments) string {
			return fmt.Sprintf("DELETE FROM %s WHERE customer_id IN (SELECT customer_id FROM %s WHERE from_time IS NULL)", f.Object(Backfill), f.Object(ResolveSet))
		},
		func(f ir.Fragments) string {
			return fmt.Sprintf("INSERT INTO %[1]s (customer_id, from_time) SELECT customer_id, CAST(NULL AS %[3]s) FROM %[2]s WHERE 1 = 0", f.Object(CustomerQueue), f.Stream(BackfillStreamOf()), f.Type(ir.Timestamp))
		})
	for _, src := range b.s.Sources {
		for _, c := range src.Children {
			steps = append(steps, b.derivedState(src, c))
		}
	}
	// The last points, once: publishing and every check read them.
	steps = append(steps, func(f ir.Fragments) string {
		return fmt.Sprintf("INSERT INTO %s (customer_id, valid_from)\nSELECT customer_id, MAX(valid_from) FROM %s GROUP BY customer_id", f.Object(LastPoints), f.Object(AsOfState))
	})
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
	steps = staged(StageResolve, steps)
	// Checks run on the staged resolution; every publishing statement below
	// is a no-op when an error-level check failed (the batch is held back).
	steps = append(steps, staged(StageHistory, []ir.SQL{b.historyWork})...)
	steps = append(steps, staged(StageChecks, b.checkSteps())...)
	publish := []ir.SQL{
		func(f ir.Fragments) string {
			return fmt.Sprintf("DELETE FROM %s WHERE %s AND NOT %s", f.Object(FieldCandidates), inSet(f, "customer_id"), blocked(f))
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
			return named(`INSERT INTO {{field_candidates}} ({{cols}})
SELECT {{sel}}
FROM {{timeline_candidates}} AS t
JOIN {{last_points}} AS l ON l.customer_id = t.customer_id AND l.valid_from = t.valid_from
WHERE NOT {{blocked}}`, map[string]string{
				"field_candidates":    f.Object(FieldCandidates),
				"cols":                strings.Join(cols, ", "),
				"sel":                 strings.Join(sel, ", "),
				"timeline_candidates": f.Object(TimelineCandidates),
				"last_points":         lastPoints(f),
				"blocked":             blocked(f),
			})
		},
		// Gold fields are written only where they changed: a MERGE that
		// leaves equal rows alone, and a delete of the fields that lost
		// every candidate.
		func(f ir.Fragments) string {
			return fmt.Sprintf(`DELETE FROM %[1]s AS cf
WHERE %[2]s
  AND NOT %[4]s
  AND NOT EXISTS (SELECT 1 FROM %[3]s AS w WHERE w.customer_id = cf.customer_id AND w.field = cf.field AND w.rank = 1)`,
				f.Object(CustomerFields), inSet(f, "cf.customer_id"), currentCandidates(f), blocked(f))
		},
		func(f ir.Fragments) string {
			set := []string{}
			for _, c := range customerFieldColumns[2:] {
				set = append(set, fmt.Sprintf("%[1]s = n.%[1]s", c.Name))
			}
			var changed, vals, names []string
			for _, c := range customerFieldColumns[2:] {
				changed = append(changed, fmt.Sprintf("c.%[1]s IS DISTINCT FROM n.%[1]s", c.Name))
			}
			for _, c := range customerFieldColumns {
				names = append(names, c.Name)
				vals = append(vals, "n."+c.Name)
			}
			return named(`MERGE INTO {{customer_fields}} AS c
USING (
  SELECT
    w.customer_id,
    w.field,
    CASE WHEN w.is_winner THEN w.value END AS value,
    CASE WHEN w.is_winner THEN w.source END AS source,
    CASE WHEN w.is_winner THEN w.record_key END AS record_key,
    CASE WHEN w.is_winner THEN w.event_time END AS event_time,
    CASE WHEN w.is_winner THEN w.event_id END AS event_id,
    w.decided_by AS rule,
    w.ruleset_version,
    st.candidates,
    st.distinct_values,
    st.distinct_values > 1 AS conflict
  FROM {{current_candidates}} AS w
  JOIN (
    SELECT
      customer_id,
      field,
      COUNT(*) AS candidates,
      COUNT(DISTINCT value) + MAX(CASE WHEN value IS NULL THEN 1 ELSE 0 END) AS distinct_values
    FROM {{current_candidates}} AS a
    GROUP BY customer_id, field
  ) AS st ON st.customer_id = w.customer_id AND st.field = w.field
  WHERE w.rank = 1 AND NOT {{blocked}}
) AS n
ON c.customer_id = n.customer_id AND c.field = n.field
WHEN MATCHED AND ({{changed}}) THEN UPDATE SET {{set}}
WHEN NOT MATCHED THEN INSERT ({{names}})
VALUES ({{vals}})`, map[string]string{
				"customer_fields":    f.Object(CustomerFields),
				"current_candidates": currentCandidates(f),
				"blocked":            blocked(f),
				"changed":            strings.Join(changed, " OR "),
				"set":                strings.Join(set, ", "),
				"names":              strings.Join(names, ", "),
				"vals":               strings.Join(vals, ", "),
			})
		},
		// Versions no longer believed: close them in system time. Only the
		// version in force before from_time and those after it can be:
		// closed ones are read from the history horizon on.
		func(f ir.Fragments) string {
			return named(`UPDATE {{versions}} AS h
SET superseded_at = {{clock}}
WHERE h.superseded_at IS NULL
  AND h.valid_to >= {{history_from}}
  AND EXISTS (SELECT 1 FROM {{resolve_set}} AS r WHERE r.customer_id = h.customer_id AND (r.prior_from IS NULL OR h.valid_from >= r.prior_from))
  AND NOT {{blocked}}
  AND NOT EXISTS (
    SELECT 1 FROM {{history_work}} AS w
    WHERE w.customer_id = h.customer_id AND w.valid_from = h.valid_from AND w.valid_to = h.valid_to AND w.version_hash = h.version_hash
  )`, map[string]string{
				"versions":     f.Object(Versions),
				"clock":        clock(f),
				"resolve_set":  f.Object(ResolveSet),
				"history_work": f.Object(HistoryWork),
				"blocked":      blocked(f),
				"history_from": f.Var(historyFromVar),
			})
		},
		// An open version no longer believed moves to the closed ones,
		// superseded.
		func(f ir.Fragments) string {
			cols := b.openColumnNames(f)
			return fmt.Sprintf(`INSERT INTO %[1]s (%[2]s, superseded_at)
SELECT %[2]s, %[3]s
FROM %[4]s AS h
WHERE %[5]s`, f.Object(Versions), strings.Join(cols, ", "), clock(f), f.Object(OpenVersions), b.openReplaced(f))
		},
		func(f ir.Fragments) string {
			return fmt.Sprintf("DELETE FROM %s AS h\nWHERE %s", f.Object(OpenVersions), b.openReplaced(f))
		},
		// Versions newly believed: record them, the open one apart.
		func(f ir.Fragments) string {
			return b.insertVersions(f, Versions, "w.valid_to IS NOT NULL", fmt.Sprintf("h.superseded_at IS NULL AND h.valid_to >= %s AND h.valid_to = w.valid_to", f.Var(historyFromVar)))
		},
		func(f ir.Fragments) string {
			return b.insertVersions(f, OpenVersions, "w.valid_to IS NULL", "TRUE")
		},
	}
	publish = append(publish, b.overrideAgreed)
	publish = append(publish, b.heldSteps()...)
	for _, w := range []ir.Ref{Clock, StateBefore, ResolveSet, ResolveKeys, StateRows, AsOfState, LastPoints, TimelineCandidates, HistoryWork} {
		w := w
		publish = append(publish, func(f ir.Fragments) string { return "DELETE FROM " + f.Object(w) })
	}
	// A held batch keeps its customers queued for the next run.
	publish = append(publish, func(f ir.Fragments) string {
		return fmt.Sprintf("DELETE FROM %s WHERE NOT %s", f.Object(CustomerQueue), blocked(f))
	})
	return append(steps, staged(StagePublish, publish)...)
}

// openColumnNames are the columns of an open version, quoted.
func (b *builder) openColumnNames(f ir.Fragments) []string {
	var cols []string
	for _, c := range b.historyColumns() {
		cols = append(cols, f.Ident(c.Name))
	}
	return append(cols, "recorded_at")
}

// openReplaced holds for an open version (h) of a resolved customer that
// the recomputed versions no longer have.
func (b *builder) openReplaced(f ir.Fragments) string {
	return fmt.Sprintf(`h.customer_id IN (SELECT customer_id FROM %[1]s)
  AND NOT %[3]s
  AND NOT EXISTS (
    SELECT 1 FROM %[2]s AS w
    WHERE w.customer_id = h.customer_id AND w.valid_from = h.valid_from AND w.valid_to IS NULL AND w.version_hash = h.version_hash
  )`, f.Object(ResolveSet), f.Object(HistoryWork), blocked(f))
}

// insertVersions records the recomputed versions (w) for which which
// holds in table, unless a row of it (h) for which match holds is that
// version already.
func (b *builder) insertVersions(f ir.Fragments, table ir.Ref, which, match string) string {
	var cols, sel []string
	for _, c := range b.historyColumns() {
		cols = append(cols, f.Ident(c.Name))
		sel = append(sel, "w."+f.Ident(c.Name))
	}
	cols, sel = append(cols, "recorded_at"), append(sel, clock(f))
	if table == Versions {
		cols, sel = append(cols, "superseded_at"), append(sel, "NULL")
	}
	order := ""
	if table == Versions {
		// In valid_to order, which later batches read them by.
		order = "\nORDER BY w.valid_to"
	}
	return named(`INSERT INTO {{table}} ({{cols}})
SELECT {{sel}}
FROM {{history_work}} AS w
WHERE {{which}}
  AND NOT {{blocked}}
  AND NOT EXISTS (
  SELECT 1 FROM {{table}} AS h
  WHERE {{match}} AND h.customer_id = w.customer_id AND h.valid_from = w.valid_from AND h.version_hash = w.version_hash
){{order}}`, map[string]string{
		"table":        f.Object(table),
		"cols":         strings.Join(cols, ", "),
		"sel":          strings.Join(sel, ", "),
		"history_work": f.Object(HistoryWork),
		"which":        which,
		"blocked":      blocked(f),
		"match":        match,
		"order":        order,
	})
}

// clock is the run's system time (SYSDATE is evaluated per statement in
// Snowflake: https://docs.snowflake.com/en/sql-reference/functions/sysdate).
func clock(f ir.Fragments) string {
	return fmt.Sprintf("(SELECT now FROM %s)", f.Object(Clock))
}

// currentCandidates are the ranked candidates at each resolved customer's
// last point: what gold publishes, read from the work table rather than
// from gold.
func currentCandidates(f ir.Fragments) string {
	return fmt.Sprintf("(SELECT t.* FROM %s AS t JOIN %s AS l ON l.customer_id = t.customer_id AND l.valid_from = t.valid_from)", f.Object(TimelineCandidates), lastPoints(f))
}

// lastPoints is, per resolved customer, the last point of its timeline: the
// present, which gold publishes.
func lastPoints(f ir.Fragments) string { return f.Object(LastPoints) }

// historyWork pivots the winners at every recomputed point into one row per
// point, prepends the version in force before the customer's from_time,
// collapses consecutive rows whose values, winners and rules are the same
// (their change key), and sets valid_to to the next version's start. A
// re-asserted value opens no version: a version keeps the event times of
// its first point. version_hash covers all of a row, event times included.
func (b *builder) historyWork(f ir.Fragments) string {
	var pivot, outCols []string
	hash := func(q, ruleset string, withTimes bool) string {
		var parts []string
		for _, fld := range b.s.Fields {
			for _, suffix := range []string{"", "__source", "__record_key", "__event_time", "__rule"} {
				name := q + f.Ident(fld.Name+suffix)
				switch {
				case suffix != "__event_time":
					parts = append(parts, fmt.Sprintf("COALESCE('v' || %s, 'n')", name))
				case withTimes:
					parts = append(parts, fmt.Sprintf("COALESCE('v' || CAST(%s AS %s), 'n')", name, f.Type(ir.Text)))
				}
			}
		}
		return fmt.Sprintf("MD5(%s || '|' || %s)", ruleset, strings.Join(parts, " || '|' || "))
	}
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
		}
	}
	var cols, prior []string
	for _, c := range b.historyColumns() {
		cols = append(cols, f.Ident(c.Name))
	}
	for _, c := range outCols {
		prior = append(prior, "h."+c)
	}
	v := f.Str(b.p.RulesetVersion)
	return named(`INSERT INTO {{history_work}} ({{cols}})
SELECT customer_id, valid_from, LEAD(valid_from) OVER (PARTITION BY customer_id ORDER BY valid_from), is_deleted, version_hash, ruleset_version, {{out_cols}}
FROM (
  SELECT
    v.*,
    LAG(change_key) OVER (PARTITION BY customer_id ORDER BY valid_from) AS previous_key
  FROM (
    SELECT
      p.customer_id,
      p.valid_from,
      p.is_deleted,
      {{hash_new}} AS version_hash,
      {{hash_new_values}} AS change_key,
      {{ruleset_version}} AS ruleset_version,
      {{out_cols}}
    FROM (
      SELECT
        pt.customer_id,
        pt.valid_from,
        pt.is_deleted,
{{pivot}}
      FROM (
        SELECT customer_id, valid_from, MAX(CASE WHEN op = 'upsert' THEN 1 ELSE 0 END) = 0 AS is_deleted
        FROM {{as_of_state}}
        WHERE field = {{field_record}} AND parent_key IS NULL
        GROUP BY customer_id, valid_from
      ) AS pt
      LEFT JOIN {{timeline_candidates}} AS t ON t.customer_id = pt.customer_id AND t.valid_from = pt.valid_from AND t.rank = 1
      GROUP BY pt.customer_id, pt.valid_from, pt.is_deleted
    ) AS p
    UNION ALL
    SELECT h.customer_id, h.valid_from, h.is_deleted, h.version_hash, {{hash_old_values}}, h.ruleset_version, {{prior}}
    FROM (
      SELECT {{cols}} FROM {{open_versions}}
      UNION ALL
      SELECT {{cols}} FROM {{versions}} WHERE superseded_at IS NULL AND valid_to >= {{history_from}}
    ) AS h
    JOIN {{resolve_set}} AS r ON r.customer_id = h.customer_id AND r.prior_from = h.valid_from
  ) AS v
) AS c
WHERE previous_key IS NULL OR previous_key <> change_key`, map[string]string{
		"history_work":        f.Object(HistoryWork),
		"cols":                strings.Join(cols, ", "),
		"ruleset_version":     v,
		"out_cols":            strings.Join(outCols, ", "),
		"hash_new":            hash("p.", v, true),
		"field_record":        f.Str(FieldRecord),
		"pivot":               strings.Join(pivot, ",\n"),
		"as_of_state":         f.Object(AsOfState),
		"timeline_candidates": f.Object(TimelineCandidates),
		"prior":               strings.Join(prior, ", "),
		"versions":            f.Object(Versions),
		"resolve_set":         f.Object(ResolveSet),
		"hash_new_values":     hash("p.", v, false),
		"hash_old_values":     hash("h.", "h.ruleset_version", false),
		"open_versions":       f.Object(OpenVersions),
		"history_from":        f.Var(historyFromVar),
	})
}
