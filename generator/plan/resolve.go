package plan

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/spec"
)

// stateSteps fold new observations into the last-writer-wins source state
// and queue the records they touch.
func (b *builder) stateSteps() []ir.SQL {
	stream := ObservationsStreamOf()
	cols := []string{"source", "record_key", "field", "op", "value", "event_time", "order_key", "event_id", "load_seq", "updated_at"}
	merge := func(f ir.Fragments) string {
		var set, vals []string
		for _, c := range cols[3:] {
			set = append(set, fmt.Sprintf("%s = n.%s", c, c))
		}
		for _, c := range cols {
			vals = append(vals, "n."+c)
		}
		return named(`MERGE INTO {{source_state}} AS s
USING (
  SELECT source, record_key, field, op, value, event_time, order_key, event_id, load_seq, {{now}} AS updated_at
  FROM {{stream}}
  QUALIFY ROW_NUMBER() OVER (PARTITION BY source, record_key, field ORDER BY order_key DESC) = 1
) AS n
ON s.source = n.source AND s.record_key = n.record_key AND s.field = n.field
WHEN MATCHED AND n.order_key > s.order_key THEN UPDATE SET {{set}}
WHEN NOT MATCHED THEN INSERT ({{cols}})
VALUES ({{vals}})`, map[string]string{
			"source_state": f.Object(SourceState),
			"now":          f.Now(),
			"stream":       f.Stream(stream),
			"set":          strings.Join(set, ", "),
			"cols":         strings.Join(cols, ", "),
			"vals":         strings.Join(vals, ", "),
		})
	}
	// The state, before this batch, of the keys it observes: resolution
	// starts from it where the batch only adds later observations.
	before := func(f ir.Fragments) string {
		return fmt.Sprintf(`INSERT INTO %[1]s (source, record_key, field, had, op, value, event_time, order_key, event_id)
SELECT k.source, k.record_key, k.field, s.source IS NOT NULL, s.op, s.value, s.event_time, s.order_key, s.event_id
FROM (SELECT DISTINCT source, record_key, field FROM %[2]s) AS k
LEFT JOIN %[3]s AS s ON s.source = k.source AND s.record_key = k.record_key AND s.field = k.field`, f.Object(StateBefore), f.Stream(stream), f.Object(SourceState))
	}
	queue := func(f ir.Fragments) string {
		var labels []string
		var children strings.Builder
		for _, src := range b.s.Sources {
			for _, c := range src.Children {
				labels = append(labels, c.Label(src))
				// A changed child changes what its parent derives; a child
				// newly attached to a parent brings its whole past.
				fmt.Fprintf(&children, `
UNION ALL
SELECT %[1]s, par.value, TRUE,
  CASE WHEN MAX(CASE WHEN b.source IS NOT NULL AND (NOT b.had OR b.value IS DISTINCT FROM par.value) THEN 1 ELSE 0 END) = 0 THEN MIN(n.event_time) END
FROM %[2]s AS n
JOIN %[3]s AS par ON par.source = n.source AND par.record_key = n.record_key AND par.field = %[4]s
LEFT JOIN %[6]s AS b ON b.source = par.source AND b.record_key = par.record_key AND b.field = %[4]s
WHERE n.source = %[5]s AND par.value IS NOT NULL
GROUP BY par.value`, f.Str(src.Name), f.Stream(stream), f.Object(SourceState), f.Str(FieldParent), f.Str(c.Label(src)), f.Object(StateBefore))
			}
		}
		where := ""
		if len(labels) > 0 {
			where = "\nWHERE NOT " + inList(f, "source", labels...)
		}
		return fmt.Sprintf(`INSERT INTO %s (source, record_key, observed, from_time)
SELECT source, record_key, TRUE, MIN(event_time)
FROM %s%s
GROUP BY source, record_key%s`, f.Object(RecordQueue), f.Stream(stream), where, children.String())
	}
	tick := func(f ir.Fragments) string {
		return fmt.Sprintf("INSERT INTO %s (now) SELECT %s", f.Object(Clock), f.Now())
	}
	logCols := "source, record_key, field, op, value, event_time, order_key, event_id"
	// The state log starts from the observations already there, once: on
	// the first batch that finds it empty while keys of the batch had a
	// state (a pipeline deployed before the log existed). until_time is
	// then exact: the event time of the key's next observation.
	// Whether it is empty is a variable: a constant false condition reads
	// no observations, where a subquery might.
	logEmpty := func(f ir.Fragments) string {
		return f.SetVar(logEmptyVar, ir.Bool, "COUNT(*) = 0", fmt.Sprintf("(SELECT 1 AS one FROM %s LIMIT 1) AS l", f.Object(StateLog)))
	}
	fillLog := func(f ir.Fragments) string {
		return named(`INSERT INTO {{state_log}} ({{log_cols}}, until_time, logged_at)
SELECT {{log_cols}}, until_time, {{clock}}
FROM (
  SELECT {{log_cols}}, LEAD(event_time) OVER (PARTITION BY source, record_key, field ORDER BY order_key) AS until_time
  FROM {{observations}}
  WHERE {{log_empty}}
    AND EXISTS (SELECT 1 FROM {{state_before}} WHERE had)
    AND obs_seq NOT IN (SELECT obs_seq FROM {{stream}})
) AS o
WHERE until_time IS NOT NULL
ORDER BY until_time`, map[string]string{
			"state_log":    f.Object(StateLog),
			"log_cols":     logCols,
			"clock":        clock(f),
			"observations": f.Object(Observations),
			"state_before": f.Object(StateBefore),
			"stream":       f.Stream(stream),
			"log_empty":    f.Var(logEmptyVar),
		})
	}
	// Every observation of a key the batch observes that is not its new
	// state enters the log: the state it had before (when a later one
	// replaces it) and the batch's others. until_time is the event time of
	// the next of those by order_key: at or after the key's true next
	// observation, which may be an earlier one in the log. Rows are
	// written in until_time order: a batch of a year of history (a first
	// load) keeps the log ordered as a minute's batches do by themselves.
	logBatch := func(f ir.Fragments) string {
		return fmt.Sprintf(`INSERT INTO %[1]s (%[2]s, until_time, logged_at)
SELECT %[2]s, until_time, %[3]s
FROM (
  SELECT %[2]s, LEAD(event_time) OVER (PARTITION BY source, record_key, field ORDER BY order_key) AS until_time
  FROM (
    SELECT %[2]s FROM %[4]s WHERE had
    UNION ALL
    SELECT %[2]s FROM %[5]s
  ) AS u
) AS o
WHERE until_time IS NOT NULL
ORDER BY until_time`, f.Object(StateLog), logCols, clock(f), f.Object(StateBefore), f.Stream(stream))
	}
	return []ir.SQL{tick, before, logEmpty, fillLog, logBatch, merge, queue}
}

// crosswalkSteps link each queued record to a customer through the spec's
// ordered match rules: the customer link the record carries; then each
// match field, whose canonical value must equal that of a record carrying a
// link (the smallest such customer id wins); else a stable id derived from
// the source key, flagged unmatched. Every change of a record's customer is
// logged with its reason, and both the old and the new customer are queued.
func (b *builder) crosswalkSteps() []ir.SQL {
	// Records a steward linked or unlinked since the last run are queued
	// for the whole timeline of their customers (consuming the stream).
	steps := []ir.SQL{func(f ir.Fragments) string {
		return fmt.Sprintf(`INSERT INTO %s (source, record_key, observed, from_time)
SELECT DISTINCT source, record_key, FALSE, CAST(NULL AS %s)
FROM %s`, f.Object(RecordQueue), f.Type(ir.Timestamp), f.Stream(ManualLinksStreamOf()))
	}}
	matchFields := []*spec.Field{}
	for _, m := range b.s.Match {
		if m != spec.MatchLink {
			matchFields = append(matchFields, b.s.FieldByName(m))
		}
	}
	// canon renders, for one match field, a query of (source, record_key,
	// value, link) over the source state rows r: the canonical value of
	// each record, and the customer link it carries. Only valid, non-null
	// canonical values match: a placeholder such as "n/a" must not merge
	// unrelated records.
	canon := func(f ir.Fragments, fld *spec.Field, where string) string {
		return named(`SELECT c.source, c.record_key, c.value, l.value AS link FROM (
  SELECT source, record_key, {{normalized_value}} AS value FROM (SELECT source, record_key, value AS raw_value FROM {{source_state}} AS r WHERE field = {{fld_name}} AND source <> {{override_source}}{{where}}) AS r
) AS c
LEFT JOIN {{source_state}} AS l ON l.source = c.source AND l.record_key = c.record_key AND l.field = {{field_link}} AND l.value IS NOT NULL
WHERE c.value IS NOT NULL AND {{validity}}`, map[string]string{
			"normalized_value": b.normalizedValue(f, fld),
			"source_state":     f.Object(SourceState),
			"fld_name":         f.Str(fld.Name),
			"validity":         validity(f, fld, openIf(f, fld, "c.value")),
			"where":            where,
			"field_link":       f.Str(FieldLink),
			"override_source":  f.Str(spec.OverrideSource),
		})
	}
	linked := func(f ir.Fragments) string {
		return fmt.Sprintf("SELECT source, record_key, value AS link FROM %s WHERE field = %s AND value IS NOT NULL", f.Object(SourceState), f.Str(FieldLink))
	}
	if len(matchFields) > 0 {
		// The match keys follow the source state: rebuilt whole with a new
		// rule set (it decides the canonical values), else only for the
		// records this batch changed. The queued records are an
		// uncorrelated IN: a correlated EXISTS cannot be an argument of OR
		// (https://docs.snowflake.com/en/sql-reference/operators-subquery).
		newRuleset := func(f ir.Fragments) string {
			return fmt.Sprintf("NOT EXISTS (SELECT 1 FROM %s WHERE ruleset_version = %s)", f.Object(Rulesets), f.Str(b.p.RulesetVersion))
		}
		steps = append(steps,
			func(f ir.Fragments) string {
				return fmt.Sprintf(`DELETE FROM %[1]s AS m
WHERE %[3]s
  OR (m.source, m.record_key) IN (SELECT source, record_key FROM %[2]s)`, f.Object(MatchKeys), f.Object(RecordQueue), newRuleset(f))
			})
		for _, fld := range matchFields {
			fld := fld
			steps = append(steps, func(f ir.Fragments) string {
				return fmt.Sprintf(`INSERT INTO %[1]s (field, value, source, record_key, link)
SELECT %[2]s, value, source, record_key, link FROM (
%[3]s
) AS k`, f.Object(MatchKeys), f.Str(fld.Name),
					canon(f, fld, fmt.Sprintf(" AND (%s OR (r.source, r.record_key) IN (SELECT source, record_key FROM %s))", newRuleset(f), f.Object(RecordQueue))))
			})
		}
	}
	for _, fld := range matchFields {
		fld := fld
		// Records matched through this field to a customer that a queued
		// record belongs to, and unlinked records sharing a queued record's
		// value, may change customer: queue them too.
		steps = append(steps, func(f ir.Fragments) string {
			return fmt.Sprintf(`INSERT INTO %[1]s (source, record_key)
SELECT c.source, c.record_key
FROM %[2]s AS c
WHERE c.matched_by = %[3]s
  AND c.customer_id IN (SELECT c2.customer_id FROM %[2]s AS c2 JOIN %[1]s AS q ON q.source = c2.source AND q.record_key = c2.record_key)
UNION
SELECT m.source, m.record_key
FROM %[4]s AS m
JOIN %[4]s AS qm ON qm.field = m.field AND qm.value = m.value
JOIN %[1]s AS q ON q.source = qm.source AND q.record_key = qm.record_key
WHERE m.field = %[3]s AND m.link IS NULL`,
				f.Object(RecordQueue), f.Object(Crosswalk), f.Str(fld.Name), f.Object(MatchKeys))
		})
	}
	// A record whose customer changes, or that joins one, changes the
	// customers' whole timelines; a record with new observations changes
	// its customer's from their earliest event time on.
	queueMoved := func(f ir.Fragments) string {
		return fmt.Sprintf(`INSERT INTO %[1]s (customer_id, from_time)
SELECT c.customer_id, CAST(NULL AS %[4]s)
FROM %[2]s AS n
JOIN %[3]s AS c ON c.source = n.source AND c.record_key = n.record_key
WHERE c.customer_id <> n.customer_id
UNION ALL
SELECT n.customer_id, CAST(NULL AS %[4]s)
FROM %[2]s AS n
LEFT JOIN %[3]s AS c ON c.source = n.source AND c.record_key = n.record_key
WHERE c.customer_id IS NULL OR c.customer_id <> n.customer_id`, f.Object(CustomerQueue), f.Object(CrosswalkWork), f.Object(Crosswalk), f.Type(ir.Timestamp))
	}
	queueChanged := func(f ir.Fragments) string {
		return fmt.Sprintf(`INSERT INTO %[1]s (customer_id, from_time)
SELECT c.customer_id, CASE WHEN COUNT(*) = COUNT(q.from_time) THEN MIN(q.from_time) END
FROM %[2]s AS c
JOIN %[3]s AS q ON q.source = c.source AND q.record_key = c.record_key
WHERE q.observed
GROUP BY c.customer_id`, f.Object(CustomerQueue), f.Object(Crosswalk), f.Object(RecordQueue))
	}
	steps = append(steps, func(f ir.Fragments) string {
		// A steward's link comes first, and no match rule undoes it.
		customer := []string{"WHEN ml.source IS NOT NULL THEN COALESCE(ml.customer_id, " + OwnID("q.source", "q.record_key") + ")",
			"WHEN l.link IS NOT NULL THEN l.link"}
		matchedBy := []string{"WHEN ml.source IS NOT NULL THEN " + f.Str(MatchedManual), "WHEN l.link IS NOT NULL THEN " + f.Str(spec.MatchLink)}
		var joins []string
		for i, fld := range matchFields {
			a := fmt.Sprintf("m%d", i+1)
			joins = append(joins, fmt.Sprintf(`LEFT JOIN (
    SELECT qm.source, qm.record_key, MIN(lm.link) AS customer_id
    FROM %[1]s AS qm
    JOIN %[1]s AS lm ON lm.field = qm.field AND lm.value = qm.value AND lm.link IS NOT NULL
    WHERE qm.field = %[2]s AND EXISTS (SELECT 1 FROM %[4]s AS q WHERE q.source = qm.source AND q.record_key = qm.record_key)
    GROUP BY qm.source, qm.record_key
  ) AS %[3]s ON %[3]s.source = q.source AND %[3]s.record_key = q.record_key`, f.Object(MatchKeys), f.Str(fld.Name), a, f.Object(RecordQueue)))
			customer = append(customer, fmt.Sprintf("WHEN %[1]s.customer_id IS NOT NULL THEN %[1]s.customer_id", a))
			matchedBy = append(matchedBy, fmt.Sprintf("WHEN %s.customer_id IS NOT NULL THEN %s", a, f.Str(fld.Name)))
		}
		return named(`INSERT INTO {{crosswalk_work}} (source, record_key, customer_id, link_value, matched_by)
SELECT
  q.source,
  q.record_key,
  CASE {{customer}} ELSE {{own_id}} END,
  l.link,
  CASE {{matched_by}} ELSE 'unmatched' END
FROM (SELECT DISTINCT source, record_key FROM {{record_queue}}) AS q
JOIN {{source_state}} AS r ON r.source = q.source AND r.record_key = q.record_key AND r.field = {{field_record}}
LEFT JOIN ({{linked}}) AS l ON l.source = q.source AND l.record_key = q.record_key
LEFT JOIN {{manual_links}} AS ml ON ml.source = q.source AND ml.record_key = q.record_key AND ml.ended_at IS NULL
{{joins}}`, map[string]string{
			"crosswalk_work": f.Object(CrosswalkWork),
			"customer":       strings.Join(customer, " "),
			"matched_by":     strings.Join(matchedBy, " "),
			"record_queue":   f.Object(RecordQueue),
			"linked":         linked(f),
			"joins":          strings.Join(joins, "\n"),
			"source_state":   f.Object(SourceState),
			"field_record":   f.Str(FieldRecord),
			"own_id":         OwnID("q.source", "q.record_key"),
			"manual_links":   f.Object(ManualLinks),
		})
	})
	steps = append(steps,
		queueMoved,
		func(f ir.Fragments) string {
			return named(`INSERT INTO {{crosswalk_changes}} (source, record_key, old_customer_id, new_customer_id, reason, changed_at, author, note)
SELECT n.source, n.record_key, c.customer_id, n.customer_id, n.matched_by, {{now}}, ml.author, ml.reason
FROM {{crosswalk_work}} AS n
JOIN {{crosswalk}} AS c ON c.source = n.source AND c.record_key = n.record_key
LEFT JOIN {{manual_links}} AS ml ON ml.source = n.source AND ml.record_key = n.record_key AND ml.ended_at IS NULL AND n.matched_by = {{matched_manual}}
WHERE c.customer_id <> n.customer_id`, map[string]string{
				"crosswalk_changes": f.Object(CrosswalkChanges),
				"crosswalk_work":    f.Object(CrosswalkWork),
				"crosswalk":         f.Object(Crosswalk),
				"now":               f.Now(),
				"manual_links":      f.Object(ManualLinks),
				"matched_manual":    f.Str(MatchedManual),
			})
		},
		func(f ir.Fragments) string {
			return fmt.Sprintf(`MERGE INTO %[1]s AS c
USING %[2]s AS n
ON c.source = n.source AND c.record_key = n.record_key
WHEN MATCHED AND (c.customer_id <> n.customer_id OR c.matched_by <> n.matched_by OR c.link_value IS DISTINCT FROM n.link_value) THEN UPDATE SET customer_id = n.customer_id, link_value = n.link_value, matched_by = n.matched_by, linked_at = %[3]s
WHEN NOT MATCHED THEN INSERT (source, record_key, customer_id, link_value, matched_by, linked_at)
VALUES (n.source, n.record_key, n.customer_id, n.link_value, n.matched_by, %[3]s)`, f.Object(Crosswalk), f.Object(CrosswalkWork), f.Now())
		},
		queueChanged,
		func(f ir.Fragments) string { return "DELETE FROM " + f.Object(CrosswalkWork) },
		func(f ir.Fragments) string { return "DELETE FROM " + f.Object(RecordQueue) },
	)
	return steps
}

// score is one rule's column in the ranking.
type score struct {
	name string // rule kind, reported in decided_by
	expr string // higher is better
	dec  int    // decimals shown in the scores text
}

func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// scores renders a chain as score columns over the "cand" rows, and the
// condition under which a candidate is dropped.
func (b *builder) scores(f ir.Fragments, fld *spec.Field) (dropped string, out []score) {
	dropped = "FALSE"
	ms := f.TimestampToMillis("event_time")
	for _, r := range fld.Rules {
		expr, dec, drop := ruleScores[r.Kind](f, &r, ms)
		if drop != "" {
			dropped = drop
			continue
		}
		out = append(out, score{r.Kind, expr, dec})
	}
	return dropped, out
}

// A ruleScore renders one rule of a chain over the "cand" rows (ms: the
// candidate's event time in milliseconds): its score column (higher is
// better) with the decimals the scores text shows, or instead the
// condition that drops a candidate.
type ruleScore func(f ir.Fragments, r *spec.Rule, ms string) (expr string, dec int, drop string)

// ruleScores are the scores of the kinds of spec.RuleKinds, by name (a test
// checks that each kind has one).
var ruleScores = map[string]ruleScore{
	spec.RuleValid: func(f ir.Fragments, r *spec.Rule, ms string) (string, int, string) {
		if r.Downgrade {
			return "CASE WHEN valid THEN 1 ELSE 0 END", 0, ""
		}
		return "", 0, "NOT COALESCE(valid, FALSE)"
	},
	spec.RulePriority: func(f ir.Fragments, r *spec.Rule, ms string) (string, int, string) {
		var w strings.Builder
		w.WriteString("CASE source")
		for i, s := range r.Priority {
			fmt.Fprintf(&w, " WHEN %s THEN %d", f.Str(s), len(r.Priority)-i)
		}
		w.WriteString(" ELSE 0 END")
		return w.String(), 0, ""
	},
	spec.RuleMostRecent: func(f ir.Fragments, r *spec.Rule, ms string) (string, int, string) {
		return ms, 0, ""
	},
	spec.RuleNonNull: func(f ir.Fragments, r *spec.Rule, ms string) (string, int, string) {
		return "CASE WHEN value IS NULL THEN 0 ELSE 1 END", 0, ""
	},
	spec.RuleFrequency: func(f ir.Fragments, r *spec.Rule, ms string) (string, int, string) {
		return "COUNT(*) OVER (PARTITION BY customer_id, valid_from, value)", 0, ""
	},
	spec.RuleTrust: func(f ir.Fragments, r *spec.Rule, ms string) (string, int, string) {
		var w strings.Builder
		w.WriteString("CASE source")
		for _, t := range r.Trust {
			fmt.Fprintf(&w, " WHEN %s THEN %s", f.Str(t.Source), num(t.Weight))
		}
		w.WriteString(" ELSE 0 END")
		trust := w.String()
		if d := r.Decay; d != nil {
			age := fmt.Sprintf("(MAX(%[1]s) OVER (PARTITION BY customer_id, valid_from) - %[1]s)", ms)
			var decay string
			if d.Curve == "linear" {
				decay = fmt.Sprintf("GREATEST(0, 1 - %s / %d)", age, d.Over.Milliseconds())
			} else {
				decay = fmt.Sprintf("POWER(0.5, %s / %d)", age, d.HalfLife.Milliseconds())
			}
			trust = fmt.Sprintf("GREATEST(%s, LEAST(%s, (%s) * %s))", num(d.Min), num(d.Max), trust, decay)
		}
		return fmt.Sprintf("ROUND(%s, 6)", trust), 6, ""
	},
}

// candidates renders the statement that ranks one field's candidates at
// every point of the queued customers' timelines (silver.asof_state) into
// silver.timeline_candidates.
func (b *builder) candidates(fld *spec.Field) ir.SQL {
	return func(f ir.Fragments) string {
		var dropped string
		var sc []score
		leaderJoin := ""
		if fld.SameRecordAs != "" {
			dropped = "FALSE"
			sc = []score{{"same_record_as", "CASE WHEN ldr.source IS NULL THEN 0 ELSE 1 END", 0}}
			// The leading record is the leader's best candidate from a
			// source: a steward's override of the leader has no record
			// for this field to follow.
			leaderJoin = fmt.Sprintf(`
      LEFT JOIN (
        SELECT customer_id, valid_from, source, record_key FROM %[1]s
        WHERE field = %[2]s AND source <> %[3]s AND NOT dropped
        QUALIFY ROW_NUMBER() OVER (PARTITION BY customer_id, valid_from ORDER BY rank) = 1
      ) AS ldr ON ldr.customer_id = cand.customer_id AND ldr.valid_from = cand.valid_from AND ldr.source = cand.source AND ldr.record_key = cand.record_key`,
				f.Object(TimelineCandidates), f.Str(fld.SameRecordAs), f.Str(spec.OverrideSource))
		} else {
			dropped, sc = b.scores(f, fld)
		}
		const part = "PARTITION BY customer_id, valid_from"
		rank := []string{"dropped"}
		var cols, texts, lead, decide []string
		for i, s := range sc {
			c := fmt.Sprintf("s%d", i+1)
			cols = append(cols, fmt.Sprintf("    %s AS %s", s.expr, c))
			rank = append(rank, c+" DESC")
			texts = append(texts, fmt.Sprintf("%s || CAST(CAST(%s AS DECIMAL(38, %d)) AS %s)", f.Str(s.name+"="), c, s.dec, f.Type(ir.Text)))
			lead = append(lead, fmt.Sprintf("MAX(CASE WHEN rank = ru_rank THEN %s END) OVER (%s) AS n%d", c, part, i+1))
			decide = append(decide, fmt.Sprintf("    WHEN %s <> n%d THEN %s", c, i+1, f.Str(s.name)))
		}
		srcRank := []string{"CASE source"}
		for i, s := range b.s.Sources {
			srcRank = append(srcRank, fmt.Sprintf("WHEN %s THEN %d", f.Str(s.Name), i+1))
		}
		srcRank = append(srcRank, "END")
		rank = append(rank, strings.Join(srcRank, " "), "order_key DESC", "record_key")
		// A steward's override outranks every rule while it is in force;
		// it ends (is dropped) where a source sends the same value after
		// it, unless the project keeps overrides.
		ovr := f.Str(spec.OverrideSource)
		rank = append([]string{rank[0], fmt.Sprintf("CASE WHEN source = %s THEN 0 ELSE 1 END", ovr)}, rank[1:]...)
		agreed := "FALSE"
		if !b.s.Project.KeepOverrides {
			agreed = fmt.Sprintf("COALESCE(MAX(CASE WHEN source <> %s AND NOT base_dropped THEN event_time END) OVER (PARTITION BY customer_id, valid_from, value) >= event_time, FALSE)", ovr)
		}
		winner := "rank = 1 AND NOT dropped"
		decision := fmt.Sprintf(`CASE WHEN rank > 1 THEN NULL
    WHEN dropped THEN 'no_valid_candidate'
    WHEN source = %s THEN 'override'
    WHEN n_cand = 1 THEN 'only_candidate'
    WHEN ru_rank IS NULL AND dropped_other = 1 THEN 'valid'
    WHEN ru_rank IS NULL THEN 'unanimous'
%s
    ELSE 'tie_break'
  END`, ovr, strings.Join(decide, "\n"))
		if fld.SameRecordAs != "" {
			winner = fmt.Sprintf("rank = 1 AND (s1 = 1 OR source = %s AND NOT dropped)", ovr)
			decision = fmt.Sprintf("CASE WHEN rank > 1 THEN NULL WHEN source = %s AND NOT dropped THEN 'override' WHEN s1 = 1 THEN 'same_record_as' ELSE 'same_record_as: no value in the leading record' END", ovr)
		}
		scoresText := "CAST(NULL AS " + f.Type(ir.Text) + ")"
		if len(texts) > 0 {
			scoresText = strings.Join(texts, " || ' ' || ")
		}
		leadCols := ""
		if len(lead) > 0 {
			leadCols = ",\n    " + strings.Join(lead, ",\n    ")
		}
		scoreCols := ""
		if len(cols) > 0 {
			scoreCols = ",\n" + strings.Join(cols, ",\n")
		}
		// Levels, inside out: candidates of live records at each point;
		// their scores; their rank and the winner's value (one ordering:
		// the order is total, ending with source and record, so the first
		// row is rank 1); the best candidate with another value (the
		// runner-up) and its scores; the decision.
		return named(`INSERT INTO {{candidates}} (customer_id, valid_from, field, source, record_key, raw_value, value, valid, event_time, event_id, order_key, via, dropped, scores, rank, is_winner, decided_by, ruleset_version)
SELECT
  customer_id, valid_from, {{field}}, source, record_key, raw_value, value, valid, event_time, event_id, order_key, via, dropped,
  {{scores_text}},
  rank,
  {{winner}},
  {{decision}},
  {{ruleset}}
FROM (
  SELECT
    u.*,
    COUNT(*) OVER ({{partition}}) AS n_cand,
    MAX(CASE WHEN dropped AND value IS DISTINCT FROM winner_value THEN 1 ELSE 0 END) OVER ({{partition}}) AS dropped_other{{lead_cols}}
  FROM (
  SELECT
    w.*,
    MIN(CASE WHEN NOT dropped AND value IS DISTINCT FROM winner_value THEN rank END) OVER ({{partition}}) AS ru_rank
  FROM (
    SELECT
      sc.*,
      ROW_NUMBER() OVER ({{partition}} ORDER BY {{rank}}) AS rank,
      FIRST_VALUE(value) OVER ({{partition}} ORDER BY {{rank}} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS winner_value
    FROM (
      SELECT
        bd.*,
        CASE WHEN source = {{override}} THEN {{agreed}} ELSE base_dropped END AS dropped
      FROM (
      SELECT
        cand.*,
        {{dropped}} AS base_dropped{{score_cols}}
      FROM (
        SELECT s.customer_id, s.valid_from, s.source, s.record_key, s.raw_value, s.value, s.valid, s.event_time, s.event_id, s.order_key, s.via
        FROM {{state}} AS s
        JOIN {{state}} AS rec ON rec.customer_id = s.customer_id AND rec.valid_from = s.valid_from AND rec.source = s.source AND rec.record_key = s.record_key AND rec.field = {{record_field}} AND rec.op = 'upsert' AND rec.parent_key IS NULL
        WHERE s.field = {{field}}
      ) AS cand{{leader_join}}
      ) AS bd
    ) AS sc
  ) AS w
  ) AS u
) AS ranked`, map[string]string{
			"candidates": f.Object(TimelineCandidates), "field": f.Str(fld.Name), "scores_text": scoresText,
			"winner": winner, "decision": decision, "leader_join": leaderJoin, "ruleset": f.Str(b.p.RulesetVersion),
			"lead_cols": leadCols, "rank": strings.Join(rank, ", "), "dropped": dropped, "score_cols": indent(scoreCols, "    "),
			"state": f.Object(AsOfState), "record_field": f.Str(FieldRecord), "partition": part, "override": ovr, "agreed": agreed,
		})
	}
}

func indent(s, pre string) string {
	if s == "" {
		return s
	}
	return strings.ReplaceAll(s, "\n", "\n"+pre)
}

// openIf is the value of a stored column expr of field fld: opened when
// the field is PII (stored sealed).
func openIf(f ir.Fragments, fld *spec.Field, expr string) string {
	if fld.PII {
		return f.OpenValue(expr)
	}
	return expr
}
