package plan

import (
	"fmt"

	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/spec"
)

// Data-quality objects.
var (
	DQResults    = ref(DQ, "results")
	DQViolations = ref(DQ, "violations")
	DQHeld       = ref(DQ, "held")
	DQAcks       = ref(AUDIT, "dq_acks")
	DQLatest     = ref(DQ, "latest")
)

// LoadErrorHours is the window of the load_errors check: a file whose
// load lost lines is reported by every batch of the following day.
const LoadErrorHours = 24

// ViolationSample is how many offending rows a check keeps per batch; the
// total is kept beside them.
const ViolationSample = 20

// dqTables adds the tables of data quality.
func (b *builder) dqTables() {
	dq := ir.Ref{Schema: DQ}
	b.add(&ir.Object{Kind: ir.KindTable, Ref: DQResults, Deps: []ir.Ref{dq},
		Comment: "one row per check (and field or source) per batch",
		Columns: []ir.Column{
			col("batch_id", ir.Text), notNull("check_name", ir.Text), {Name: "subject", Type: ir.Text, Comment: "the field or source a rate check measures"},
			{Name: "severity", Type: ir.Text, Comment: "info, warn or error"},
			{Name: "status", Type: ir.Text, Comment: "pass, fail, acknowledged, skipped (too little history, or nothing to measure), or counted (an info count)"},
			col("observed", ir.Float), col("threshold", ir.Float), col("baseline", ir.Float), col("history", ir.Int),
			col("checked_at", ir.Timestamp),
		}})
	b.add(&ir.Object{Kind: ir.KindTable, Ref: DQViolations, Deps: []ir.Ref{dq},
		Comment: fmt.Sprintf("offending rows of failed checks: up to %d per check and batch, with the total", ViolationSample),
		Columns: []ir.Column{
			col("batch_id", ir.Text), notNull("check_name", ir.Text), {Name: "pointer", Type: ir.Text, Comment: "where the offending row is"},
			col("detail", ir.Text), col("total", ir.Int),
		}})
	b.add(&ir.Object{Kind: ir.KindTable, Ref: DQHeld, Deps: []ir.Ref{dq},
		Comment: "customers whose resolution an error-level check holds back from gold, since which batch",
		Columns: []ir.Column{notNull("customer_id", ir.Text), notNull("batch_id", ir.Text)}})
	b.add(&ir.Object{Kind: ir.KindTable, Ref: DQAcks, Deps: []ir.Ref{{Schema: AUDIT}},
		Comment: "acknowledged check failures: the held batch may be published",
		Columns: []ir.Column{
			notNull("check_name", ir.Text), notNull("batch_id", ir.Text), col("reason", ir.Text), col("acked_by", ir.Text), col("acked_at", ir.Timestamp),
		}})
	b.add(&ir.Object{Kind: ir.KindView, Ref: DQLatest, Deps: []ir.Ref{DQResults, Batches},
		Comment: "the results of the latest batch that ran checks",
		Query: func(f ir.Fragments) string {
			// The batch that started last, not the largest id: Snowflake's
			// batch ids (task graph run ids) are not ordered.
			return fmt.Sprintf(`SELECT *
FROM %[1]s
WHERE batch_id = (
  SELECT b.batch_id FROM %[2]s AS b
  WHERE b.batch_id IN (SELECT batch_id FROM %[1]s)
  ORDER BY b.started_at DESC, b.batch_id DESC
  LIMIT 1
)`, f.Object(DQResults), f.Object(Batches))
		}})
}

// blocked is the condition that an error-level check failed in this batch.
func blocked(f ir.Fragments) string {
	return fmt.Sprintf("EXISTS (SELECT 1 FROM %s WHERE batch_id = %s AND severity = 'error' AND status = 'fail')", f.Object(DQResults), f.BatchID())
}

// checkSteps evaluate every check on the staged resolution of the queued
// customers and on what this batch flagged, before anything is published.
func (b *builder) checkSteps() []ir.SQL {
	return append(append(b.simpleChecks(), b.rateChecks()...), b.intakeChecks()...)
}

// batchStart is when the batch started: every row the batch wrote to the
// quarantine and the line counts is at or after it, so that the intake
// checks read the batch's rows by time, which engines prune on (the
// batch ids of Snowflake task graph runs are not ordered).
func batchStart(f ir.Fragments) string {
	return fmt.Sprintf("(SELECT MIN(started_at) FROM %s WHERE batch_id = %s)", f.Object(Batches), f.BatchID())
}

// insertDQResults begins the statement of every check that writes its
// result to DQ_RESULTS: a SELECT of these columns follows.
const insertDQResults = "INSERT INTO {{dq_results}} (batch_id, check_name, subject, severity, status, observed, threshold, baseline, history, checked_at)\n"

// intakeChecks read what the observe tasks of the batch wrote: per source,
// the share of its lines quarantined (a source that breaks wholesale holds
// the batch), and the lines of event types no mapping reads, per type.
func (b *builder) intakeChecks() []ir.SQL {
	var steps []ir.SQL
	for _, src := range b.s.Sources {
		c := b.s.CheckByName(spec.CheckQuarantineShare).For(src.Name)
		steps = append(steps, func(f ir.Fragments) string {
			return named(insertDQResults+`SELECT {{batch_id}}, {{check_quarantine_share}}, {{source}}, {{severity}},
  CASE
    WHEN x IS NULL THEN 'skipped'
    WHEN x >= {{share}} THEN CASE WHEN {{acked}} THEN 'acknowledged' ELSE 'fail' END
    ELSE 'pass'
  END,
  x, {{share}}, NULL, NULL, {{now}}
FROM (
  SELECT CASE WHEN l.n > 0 THEN CAST(q.n AS {{float_type}}) / l.n END AS x
  FROM
    (SELECT COUNT(*) AS n FROM {{quarantine}} WHERE source = {{source}} AND batch_id = {{batch_id}} AND flagged_at >= {{batch_start}}) AS q,
    (SELECT SUM(lines) AS n FROM {{line_counts}} WHERE source = {{source}} AND batch_id = {{batch_id}} AND counted_at >= {{batch_start}} AND reason = {{reason_landed}}) AS l
) AS r`, map[string]string{
				"dq_results":             f.Object(DQResults),
				"batch_id":               f.BatchID(),
				"check_quarantine_share": f.Str(spec.CheckQuarantineShare),
				"source":                 f.Str(src.Name),
				"severity":               f.Str(c.Severity),
				"share":                  num(c.Share),
				"acked":                  acked(f, spec.CheckQuarantineShare),
				"now":                    f.Now(),
				"quarantine":             f.Object(Quarantine),
				"line_counts":            f.Object(LineCounts),
				"float_type":             f.Type(ir.Float),
				"batch_start":            batchStart(f),
				"reason_landed":          f.Str(ReasonLanded),
			})
		})
		// What went wrong, per reason: where to look first.
		steps = append(steps, func(f ir.Fragments) string {
			return named(`INSERT INTO {{dq_violations}} (batch_id, check_name, pointer, detail, total)
SELECT {{batch_id}}, {{check_quarantine_share}}, pointer, detail, total
FROM (
  SELECT {{source}} || ': ' || reason AS pointer,
    CAST(COUNT(*) AS {{text_type}}) || ' lines, the first ' || MIN(file_name || ':' || CAST(file_row AS {{text_type}})) AS detail,
    COUNT(*) OVER () AS total,
    ROW_NUMBER() OVER (ORDER BY COUNT(*) DESC, reason) AS n
  FROM {{quarantine}}
  WHERE source = {{source}} AND batch_id = {{batch_id}} AND flagged_at >= {{batch_start}}
  GROUP BY reason
) AS s
WHERE n <= {{violation_sample}}`, map[string]string{
				"dq_violations":          f.Object(DQViolations),
				"batch_id":               f.BatchID(),
				"check_quarantine_share": f.Str(spec.CheckQuarantineShare),
				"source":                 f.Str(src.Name),
				"quarantine":             f.Object(Quarantine),
				"batch_start":            batchStart(f),
				"text_type":              f.Type(ir.Text),
				"violation_sample":       fmt.Sprint(ViolationSample),
			})
		})
		b.p.Checks[spec.CheckQuarantineShare] = append(b.p.Checks[spec.CheckQuarantineShare], steps[len(steps)-2:]...)
	}
	c := b.s.CheckByName(spec.CheckUnmappedTypes)
	steps = append(steps, func(f ir.Fragments) string {
		// A count, with status counted: it never fails.
		return named(insertDQResults+`SELECT {{batch_id}}, {{check_unmapped_types}}, source || ' ' || COALESCE(detail, ''), {{severity}}, 'counted', SUM(lines), NULL, NULL, NULL, {{now}}
FROM {{line_counts}}
WHERE batch_id = {{batch_id}} AND counted_at >= {{batch_start}} AND reason = {{reason_unmapped_type}}
GROUP BY source, detail`, map[string]string{
			"dq_results":           f.Object(DQResults),
			"batch_id":             f.BatchID(),
			"check_unmapped_types": f.Str(spec.CheckUnmappedTypes),
			"severity":             f.Str(c.Severity),
			"now":                  f.Now(),
			"line_counts":          f.Object(LineCounts),
			"batch_start":          batchStart(f),
			"reason_unmapped_type": f.Str(ReasonUnmappedType),
		})
	})
	b.p.Checks[spec.CheckUnmappedTypes] = append(b.p.Checks[spec.CheckUnmappedTypes], steps[len(steps)-1])
	rc := b.s.CheckByName(spec.CheckReplacedCharacters)
	for _, src := range b.s.Sources {
		steps = append(steps, func(f ir.Fragments) string {
			return named(insertDQResults+`SELECT {{batch_id}}, {{check_replaced_characters}}, {{source}}, {{severity}},
  CASE WHEN n = 0 THEN 'pass' WHEN {{acked}} THEN 'acknowledged' ELSE 'fail' END,
  n, 0, NULL, NULL, {{now}}
FROM (SELECT COALESCE(SUM(lines), 0) AS n FROM {{line_counts}} WHERE source = {{source}} AND batch_id = {{batch_id}} AND counted_at >= {{batch_start}} AND reason = {{reason_replaced}}) AS c`, map[string]string{
				"dq_results":                f.Object(DQResults),
				"batch_id":                  f.BatchID(),
				"check_replaced_characters": f.Str(spec.CheckReplacedCharacters),
				"source":                    f.Str(src.Name),
				"severity":                  f.Str(rc.Severity),
				"acked":                     acked(f, spec.CheckReplacedCharacters),
				"now":                       f.Now(),
				"line_counts":               f.Object(LineCounts),
				"batch_start":               batchStart(f),
				"reason_replaced":           f.Str(ReasonReplaced),
			})
		})
		b.p.Checks[spec.CheckReplacedCharacters] = append(b.p.Checks[spec.CheckReplacedCharacters], steps[len(steps)-1])
	}
	return steps
}

// acked is true when a failure of the check is acknowledged for a batch
// whose customers are still held.
func acked(f ir.Fragments, check string) string {
	// An uncorrelated scalar subquery, not EXISTS: this sits in a CASE of a
	// select list, where Snowflake documents only scalar subqueries
	// (https://docs.snowflake.com/en/user-guide/querying-subqueries).
	return fmt.Sprintf("(SELECT COUNT(*) FROM %s AS a WHERE a.check_name = %s AND a.batch_id IN (SELECT batch_id FROM %s)) > 0",
		f.Object(DQAcks), f.Str(check), f.Object(DQHeld))
}

// WithheldPII is the detail of a violation on a PII field, in place of its
// value.
const WithheldPII = "value withheld (pii)"

type simpleCheck struct {
	name            string
	from            func(f ir.Fragments) string // offending rows
	pointer, detail string                      // expressions over them
}

func (b *builder) simpleChecks() []ir.SQL {
	quarantined := func(cond string) func(f ir.Fragments) string {
		return func(f ir.Fragments) string {
			// This batch's lines, and those of batches still held back.
			return fmt.Sprintf("SELECT * FROM %s WHERE (batch_id = %s OR batch_id IN (SELECT batch_id FROM %s)) AND %s", f.Object(Quarantine), f.BatchID(), f.Object(DQHeld), cond)
		}
	}
	lastPoint := func(f ir.Fragments) string {
		return fmt.Sprintf(`SELECT t.* FROM %s AS t
JOIN %s AS l
  ON l.customer_id = t.customer_id AND l.valid_from = t.valid_from`, f.Object(TimelineCandidates), lastPoints(f))
	}
	var checked, pii []string
	for _, fld := range b.s.Fields {
		if len(fld.Accepted) > 0 || fld.Valid != "" {
			checked = append(checked, fld.Name)
			if fld.PII {
				pii = append(pii, fld.Name)
			}
		}
	}
	checks := []simpleCheck{
		{spec.CheckParseFailures, quarantined("reason LIKE 'invalid JSON%'"),
			"source || ':' || file_name || ':' || CAST(file_row AS VARCHAR)", "reason"},
		{spec.CheckNullKeys, quarantined("reason = 'missing record key'"),
			"source || ':' || file_name || ':' || CAST(file_row AS VARCHAR)", "reason"},
		{spec.CheckGapEvents, quarantined("reason LIKE 'GAP%'"),
			"source || ':' || file_name || ':' || CAST(file_row AS VARCHAR)", "reason || ' ' || COALESCE(detail, '')"},
		{spec.CheckUnconvertible, quarantined(fmt.Sprintf("reason LIKE '%s%%'", UnconvertiblePrefix)),
			"source || ':' || file_name || ':' || CAST(file_row AS VARCHAR)", "reason || ' ' || COALESCE(detail, '')"},
		// Lines a load left out of RAW: nothing downstream can flag them.
		{spec.CheckLoadErrors, func(f ir.Fragments) string {
			var tables []ir.Ref
			for _, src := range b.s.Sources {
				tables = append(tables, LinesTable(src.Name))
			}
			return f.LoadErrors(tables, LoadErrorHours)
		}, "table_name || ':' || file_name", "status || ': ' || COALESCE(CAST(error_count AS VARCHAR) || ' lines not loaded', 'lines not known') || COALESCE(': ' || first_error, '')"},
		{spec.CheckInvalidValues, func(f ir.Fragments) string {
			if len(checked) == 0 {
				return lastPoint(f) + " WHERE FALSE"
			}
			// The value of a PII field is withheld: DQ is read by roles
			// that may not see PII (explain --role pii_reader shows it).
			shown := "COALESCE(c.raw_value, 'NULL') || ' -> ' || COALESCE(c.value, 'NULL')"
			if len(pii) > 0 {
				shown = fmt.Sprintf("CASE WHEN %s THEN %s ELSE %s END", inList(f, "c.field", pii...), f.Str(WithheldPII), shown)
			}
			return fmt.Sprintf("SELECT c.*, %s AS shown FROM (%s) AS c WHERE NOT COALESCE(c.valid, TRUE) AND %s", shown, lastPoint(f), inList(f, "c.field", checked...))
		}, "customer_id || ' ' || field || ' ' || source || ':' || record_key", "shown"},
		{spec.CheckDuplicates, func(f ir.Fragments) string {
			return fmt.Sprintf(`SELECT customer_id, field, COUNT(*) AS n FROM (%s) AS c WHERE c.rank = 1 GROUP BY customer_id, field HAVING COUNT(*) > 1
UNION ALL
SELECT customer_id, 'version', COUNT(*) FROM %s WHERE valid_to IS NULL GROUP BY customer_id HAVING COUNT(*) > 1`, lastPoint(f), f.Object(HistoryWork))
		}, "customer_id || ' ' || field", "CAST(n AS VARCHAR) || ' winners'"},
		{spec.CheckOrphanLinks, func(f ir.Fragments) string {
			return fmt.Sprintf(`SELECT x.* FROM %[1]s AS x
WHERE x.customer_id IN (SELECT customer_id FROM %[2]s)
  AND x.customer_id NOT IN (SELECT customer_id FROM %[3]s)`, f.Object(Crosswalk), f.Object(ResolveSet), f.Object(HistoryWork))
		}, "source || ':' || record_key", "'linked to ' || customer_id || ', which has no version'"},
		{spec.CheckFreshness, func(f ir.Fragments) string {
			return fmt.Sprintf(`SELECT source, MAX(event_time) AS newest FROM %s GROUP BY source
HAVING %s - MAX(%s) > %d`, f.Stream(ObservationsStreamOf()), f.TimestampToMillis(f.Now()), f.TimestampToMillis("event_time"), b.s.Project.FreshnessTarget.Milliseconds())
		}, "source", "'newest commit ' || CAST(newest AS VARCHAR)"},
	}
	var steps []ir.SQL
	for _, c := range checks {
		sev := b.s.CheckByName(c.name).Severity
		steps = append(steps,
			func(f ir.Fragments) string {
				return named(insertDQResults+`SELECT {{batch_id}}, {{check}}, NULL, {{severity}},
  CASE WHEN n = 0 THEN 'pass' WHEN {{acked}} THEN 'acknowledged' ELSE 'fail' END,
  n, 0, NULL, NULL, {{now}}
FROM (SELECT COUNT(*) AS n FROM ({{from}}) AS v) AS c`, map[string]string{
					"dq_results": f.Object(DQResults),
					"batch_id":   f.BatchID(),
					"check":      f.Str(c.name),
					"severity":   f.Str(sev),
					"acked":      acked(f, c.name),
					"now":        f.Now(),
					"from":       c.from(f),
				})
			},
			func(f ir.Fragments) string {
				return named(`INSERT INTO {{dq_violations}} (batch_id, check_name, pointer, detail, total)
SELECT {{batch_id}}, {{check}}, pointer, detail, total
FROM (
  SELECT {{pointer}} AS pointer, {{detail}} AS detail, COUNT(*) OVER () AS total, ROW_NUMBER() OVER (ORDER BY {{pointer}}) AS n
  FROM ({{from}}) AS v
) AS s
WHERE n <= {{violation_sample}}`, map[string]string{
					"dq_violations":    f.Object(DQViolations),
					"batch_id":         f.BatchID(),
					"check":            f.Str(c.name),
					"pointer":          c.pointer,
					"detail":           c.detail,
					"from":             c.from(f),
					"violation_sample": fmt.Sprint(ViolationSample),
				})
			})
		b.p.Checks[c.name] = append([]ir.SQL(nil), steps[len(steps)-2:]...)
	}
	return steps
}

// rateChecks compare a rate of this batch with the trailing baseline of the
// same check and subject: flagged when the z-score passes the threshold and
// the change passes the floor, once enough history exists.
func (b *builder) rateChecks() []ir.SQL {
	type subject struct {
		check, name string
		observed    func(f ir.Fragments) string // a scalar query
	}
	var subjects []subject
	for _, fld := range b.s.Fields {
		subjects = append(subjects, subject{spec.CheckConflictRate, fld.Name, func(f ir.Fragments) string {
			// The share of the customers resolved in this batch whose
			// candidates disagree on the field.
			return fmt.Sprintf(`SELECT CASE WHEN COUNT(*) = 0 THEN NULL ELSE AVG(CASE WHEN d > 1 THEN 1.0 ELSE 0.0 END) END
FROM (
  SELECT t.customer_id, COUNT(DISTINCT t.value) + MAX(CASE WHEN t.value IS NULL THEN 1 ELSE 0 END) AS d
  FROM %[1]s AS t
  JOIN %[2]s AS l
    ON l.customer_id = t.customer_id AND l.valid_from = t.valid_from
  WHERE t.field = %[3]s
  GROUP BY t.customer_id
) AS c`, f.Object(TimelineCandidates), lastPoints(f), f.Str(fld.Name))
		}})
	}
	for _, src := range b.s.Sources {
		subjects = append(subjects, subject{spec.CheckVolume, src.Name, func(f ir.Fragments) string {
			return fmt.Sprintf("SELECT CAST(COUNT(DISTINCT event_id) AS %s) FROM %s WHERE source = %s",
				f.Type(ir.Float), f.Stream(ObservationsStreamOf()), f.Str(src.Name))
		}})
	}
	var steps []ir.SQL
	for _, s := range subjects {
		c := b.s.CheckByName(s.check).For(s.name)
		steps = append(steps, func(f ir.Fragments) string {
			return named(insertDQResults+`SELECT {{batch_id}}, {{check}}, {{subject}}, {{severity}},
  CASE
    WHEN x IS NULL THEN 'skipped'
    WHEN h < {{min_history}} THEN 'skipped'
    WHEN x - m > {{floor}} AND (sd = 0 OR (x - m) / sd > {{z}}) THEN CASE WHEN {{acked}} THEN 'acknowledged' ELSE 'fail' END
    ELSE 'pass'
  END,
  x, {{z}}, m, h, {{now}}
FROM (
  SELECT
    ({{observed}}) AS x,
    AVG(observed) AS m,
    COALESCE(STDDEV_POP(observed), 0) AS sd,
    COUNT(observed) AS h
  FROM (
    SELECT observed FROM {{dq_results}}
    WHERE check_name = {{check}} AND subject = {{subject}} AND observed IS NOT NULL
    ORDER BY checked_at DESC, batch_id DESC
    LIMIT 30
  ) AS past
) AS r`, map[string]string{
				"dq_results":  f.Object(DQResults),
				"batch_id":    f.BatchID(),
				"check":       f.Str(s.check),
				"subject":     f.Str(s.name),
				"severity":    f.Str(c.Severity),
				"min_history": fmt.Sprint(c.MinHistory),
				"floor":       num(c.Floor),
				"z":           num(c.Z),
				"acked":       acked(f, s.check),
				"now":         f.Now(),
				"observed":    s.observed(f),
			})
		})
		b.p.Checks[s.check] = append(b.p.Checks[s.check], steps[len(steps)-1])
	}
	return steps
}

// heldSteps keep the held customers in the queue and remember since which
// batch; a published batch releases its customers.
func (b *builder) heldSteps() []ir.SQL {
	return []ir.SQL{
		func(f ir.Fragments) string {
			return fmt.Sprintf(`INSERT INTO %[1]s (customer_id, batch_id)
SELECT DISTINCT q.customer_id, %[2]s
FROM %[3]s AS q
WHERE %[4]s
  AND q.customer_id NOT IN (SELECT customer_id FROM %[1]s)`, f.Object(DQHeld), f.BatchID(), f.Object(CustomerQueue), blocked(f))
		},
		func(f ir.Fragments) string {
			return fmt.Sprintf(`DELETE FROM %[1]s
WHERE NOT %[2]s
  AND customer_id IN (SELECT customer_id FROM %[3]s)`, f.Object(DQHeld), blocked(f), f.Object(CustomerQueue))
		},
	}
}
