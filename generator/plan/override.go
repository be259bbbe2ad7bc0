package plan

import (
	"fmt"

	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/spec"
)

// Objects of a steward's overrides.
var (
	Overrides     = ref(SILVER, "overrides")
	OverrideProc  = ref(AUDIT, "set_override")
	OverridesTask = ref(OPS, "task_overrides")
)

// Override end reasons (silver.overrides.end_reason).
const (
	OverrideExpired  = "expired"
	OverrideAgreed   = "source_agrees"
	OverrideReplaced = "replaced"
	OverrideCleared  = "cleared"
)

// An override is a record of the source "override" (spec.OverrideSource),
// keyed customer/field, that carries the customer's link and the value:
// the timeline gets a point when it is set, the ranking puts it first
// (candidates), and it ends as any record does, by a delete observation:
// at its expiry, when a steward clears or replaces it, or (unless the
// project keeps overrides) at the event time of a source's observation of
// the same value after it. silver.overrides keeps every override with its
// reason and author.
func (b *builder) overrides() {
	b.add(&ir.Object{Kind: ir.KindTable, Ref: Overrides, Deps: []ir.Ref{{Schema: SILVER}},
		Comment: "a steward's overrides: a field of a customer set to a value, with reason and author, until it ends",
		Columns: []ir.Column{
			notNull("override_id", ir.Text), notNull("customer_id", ir.Text), notNull("field", ir.Text),
			{Name: "value", Type: ir.Text, Comment: "the value as set, stored as the field's values are (sealed for PII)"},
			notNull("reason", ir.Text), notNull("author", ir.Text),
			{Name: "origin", Type: ir.Text, NotNull: true, Comment: "cli (trueup override, AUDIT.SET_OVERRIDE) or file:<hash> (an entry of models/overrides/)"},
			{Name: "set_at", Type: ir.Timestamp, NotNull: true, Comment: "valid time: when the override starts"},
			{Name: "expires_at", Type: ir.Timestamp, Comment: "valid time: when it expires; NULL: until a source agrees or a steward clears it"},
			{Name: "ended_at", Type: ir.Timestamp, Comment: "valid time: when it ended"},
			{Name: "end_reason", Type: ir.Text, Comment: "expired, source_agrees, replaced or cleared"},
			{Name: "retracted_at", Type: ir.Timestamp, Comment: "system time: when its end reached the observations"},
		}})
	arg := func(f ir.Fragments, name string) string { return f.Param(name) }
	set := []ir.SQL{
		func(f ir.Fragments) string {
			return named(`UPDATE {{overrides}}
SET ended_at = {{now}}, end_reason = CASE WHEN {{value}} IS NULL THEN {{override_cleared}} ELSE {{override_replaced}} END, retracted_at = CASE WHEN {{value}} IS NULL THEN NULL ELSE {{now}} END
WHERE customer_id = {{customer_id}} AND field = {{field}} AND ended_at IS NULL`, map[string]string{
				"overrides":         f.Object(Overrides),
				"now":               f.Now(),
				"value":             arg(f, "value"),
				"override_cleared":  f.Str(OverrideCleared),
				"override_replaced": f.Str(OverrideReplaced),
				"customer_id":       arg(f, "customer_id"),
				"field":             arg(f, "field"),
			})
		},
		func(f ir.Fragments) string {
			return named(`INSERT INTO {{overrides}} (override_id, customer_id, field, value, reason, author, origin, set_at, expires_at)
SELECT {{customer_id}} || '/' || {{field}} || '@' || CAST({{now_ms}} AS {{text_type}}), {{customer_id}}, {{field}}, {{sealed_value}}, {{reason}}, {{author}}, COALESCE({{origin}}, 'cli'), {{now}}, {{expires_at}}
WHERE {{value}} IS NOT NULL`, map[string]string{
				"overrides":    f.Object(Overrides),
				"customer_id":  arg(f, "customer_id"),
				"field":        arg(f, "field"),
				"now_ms":       f.TimestampToMillis(f.Now()),
				"text_type":    f.Type(ir.Text),
				"sealed_value": b.sealedArg(f, arg(f, "value"), arg(f, "field")),
				"reason":       arg(f, "reason"),
				"author":       arg(f, "author"),
				"now":          f.Now(),
				"expires_at":   arg(f, "expires_at"),
				"value":        arg(f, "value"),
				"origin":       arg(f, "origin"),
			})
		},
		func(f ir.Fragments) string {
			return b.overrideObservations(f, fmt.Sprintf("o.customer_id = %s AND o.field = %s AND o.ended_at IS NULL", arg(f, "customer_id"), arg(f, "field")))
		},
		// A cleared override ends now.
		b.retractOverrides,
		b.markRetracted,
	}
	b.p.overrideSet = staged(StageOps, set)
	steps := append(staged(StageOps, set), auditLogEntrySteps(OverrideAction,
		func(f ir.Fragments) string { return arg(f, "customer_id") + " || ' ' || " + arg(f, "field") },
		b.overrideDetail, nil)...)
	b.add(&ir.Object{Kind: ir.KindProcedure, Ref: OverrideProc, Deps: []ir.Ref{Overrides, Observations, AuditLog},
		Comment: "sets (or, with a NULL value, clears) a steward's override of a customer's field; the next batch resolves it",
		Procedure: &ir.Procedure{Args: []ir.Arg{
			{Name: "customer_id", Type: ir.Text}, {Name: "field", Type: ir.Text}, {Name: "value", Type: ir.Text},
			{Name: "reason", Type: ir.Text}, {Name: "author", Type: ir.Text}, {Name: "expires_at", Type: ir.Timestamp},
			{Name: "origin", Type: ir.Text},
		}, Steps: steps}})
}

// OverrideAction is the action of an override's audit log entry
// (internal/auditlog.Override).
const OverrideAction = "override"

// overrideDetail is the detail of an override's audit log entry, as JSON
// text: field, reason, author, the value unless the field is PII, until,
// origin; cleared for a clearing (OBJECT_CONSTRUCT leaves NULLs out:
// https://docs.snowflake.com/en/sql-reference/functions/object_construct).
func (b *builder) overrideDetail(f ir.Fragments) string {
	pii := b.piiFields()
	value := f.Param("value")
	if len(pii) > 0 {
		value = fmt.Sprintf("CASE WHEN %s THEN NULL ELSE %s END", inList(f, f.Param("field"), pii...), value)
	}
	return named("TO_JSON(OBJECT_CONSTRUCT('author', {{author}}, 'cleared', CASE WHEN {{value_param}} IS NULL THEN TRUE END, 'field', {{field}}, 'origin', COALESCE({{origin}}, 'cli'), 'pii', {{pii_flag}}, 'reason', {{reason}}, 'until', TO_VARCHAR({{expires_at}}, {{audit_log_time}}), 'value', {{new_value}}))", map[string]string{
		"author":         f.Param("author"),
		"value_param":    f.Param("value"),
		"field":          f.Param("field"),
		"origin":         f.Param("origin"),
		"pii_flag":       b.piiFlag(f, pii),
		"reason":         f.Param("reason"),
		"expires_at":     f.Param("expires_at"),
		"audit_log_time": AuditLogTime,
		"new_value":      value,
	})
}

// piiFields are the names of the fields tagged pii.
func (b *builder) piiFields() []string {
	var out []string
	for _, fld := range b.s.Fields {
		if fld.PII {
			out = append(out, fld.Name)
		}
	}
	return out
}

func (b *builder) piiFlag(f ir.Fragments, pii []string) string {
	if len(pii) == 0 {
		return "FALSE"
	}
	return inList(f, f.Param("field"), pii...)
}

// OverrideSetSteps are the statements that set or clear an override, over
// the procedure's arguments (Fragments.Param): what the local runner runs.
func (p *Plan) OverrideSetSteps() ([]ir.Arg, []ir.SQL) {
	if o := p.Object(OverrideProc); o != nil {
		return o.Procedure.Args, p.overrideSet
	}
	return nil, nil
}

// sealedArg is a value argument as the field it names stores it: sealed
// when the field is PII.
func (b *builder) sealedArg(f ir.Fragments, value, field string) string {
	pii := b.piiFields()
	if len(pii) == 0 || f.SealValue(value) == value {
		return value
	}
	return fmt.Sprintf("CASE WHEN %s THEN %s ELSE %s END", inList(f, field, pii...), f.SealValue(value), value)
}

// overrideObservations inserts the observations of the overrides o for
// which where holds: the record, its customer link and the field's value,
// at the time the override was set.
func (b *builder) overrideObservations(f ir.Fragments, where string) string {
	return named(`INSERT INTO {{observations}} (source, record_key, field, op, value, event_time, event_id, order_key, observed_at)
SELECT {{override_source}}, o.customer_id || '/' || o.field, CASE WHEN k.kind = 'value' THEN o.field ELSE k.kind END,
  CASE WHEN k.kind = {{field_record}} THEN 'upsert' ELSE 'set' END,
  CASE WHEN k.kind = {{field_record}} THEN NULL WHEN k.kind = {{field_link}} THEN o.customer_id ELSE o.value END,
  o.set_at, o.override_id, {{order_key}}, {{now}}
FROM {{overrides}} AS o
CROSS JOIN (SELECT {{field_record}} AS kind UNION ALL SELECT {{field_link}} UNION ALL SELECT 'value') AS k
WHERE {{where}}`, map[string]string{
		"observations":    f.Object(Observations),
		"override_source": f.Str(spec.OverrideSource),
		"field_record":    f.Str(FieldRecord),
		"field_link":      f.Str(FieldLink),
		"order_key":       orderKey(f, f.TimestampToMillis("o.set_at"), "0", "0", "o.override_id"),
		"now":             f.Now(),
		"overrides":       f.Object(Overrides),
		"where":           where,
	})
}

// retractOverrides writes the end of every override that ended and whose
// end has not reached the observations: a delete of its record at the
// time it ended (a replaced override needs none: the new one's record
// takes its place).
func (b *builder) retractOverrides(f ir.Fragments) string {
	return named(`INSERT INTO {{observations}} (source, record_key, field, op, value, event_time, event_id, order_key, observed_at)
SELECT {{override_source}}, o.customer_id || '/' || o.field, {{field_record}}, 'delete', NULL, o.ended_at, o.override_id || ':end', {{order_key}}, {{now}}
FROM {{overrides}} AS o
WHERE o.ended_at IS NOT NULL AND o.retracted_at IS NULL`, map[string]string{
		"observations":    f.Object(Observations),
		"override_source": f.Str(spec.OverrideSource),
		"field_record":    f.Str(FieldRecord),
		"order_key":       orderKey(f, f.TimestampToMillis("o.ended_at"), "0", "0", "o.override_id || ':end'"),
		"now":             f.Now(),
		"overrides":       f.Object(Overrides),
	})
}

func (b *builder) markRetracted(f ir.Fragments) string {
	return fmt.Sprintf("UPDATE %s SET retracted_at = %s WHERE ended_at IS NOT NULL AND retracted_at IS NULL", f.Object(Overrides), f.Now())
}

// AppliedOverridesSQL reads the overrides of models/overrides/ a database
// holds: origin, customer_id, field, and whether it is in force
// (spec.AppliedOverride).
func AppliedOverridesSQL(f ir.Fragments) string {
	return "SELECT origin, customer_id, field, ended_at IS NULL FROM " + f.Object(Overrides) + " WHERE origin LIKE 'file:%'"
}

// overrideEndSteps end the overrides whose expiry has come and write the
// ends of those that ended: the first task after the root runs them, so
// that the reconcile of the same batch reads them from the stream.
func (b *builder) overrideEndSteps() []ir.SQL {
	return []ir.SQL{
		func(f ir.Fragments) string {
			return fmt.Sprintf("UPDATE %s SET ended_at = expires_at, end_reason = %s WHERE ended_at IS NULL AND expires_at <= %s",
				f.Object(Overrides), f.Str(OverrideExpired), f.Now())
		},
		b.retractOverrides,
		b.markRetracted,
	}
}

// overrideAgreed ends, after a batch resolved, the overrides a source
// agreed with: the earliest point at which the ranking dropped the
// override because a source's observation after it holds the same value.
// Its end reaches the observations in the next batch; until then the
// ranking keeps dropping it at those points.
func (b *builder) overrideAgreed(f ir.Fragments) string {
	return fmt.Sprintf(`UPDATE %[1]s AS o
SET ended_at = a.ended_at, end_reason = %[2]s
FROM (
  SELECT customer_id, field, MIN(valid_from) AS ended_at
  FROM %[3]s
  WHERE source = %[4]s AND dropped
  GROUP BY customer_id, field
) AS a
WHERE o.customer_id = a.customer_id AND o.field = a.field AND o.ended_at IS NULL AND a.ended_at >= o.set_at AND NOT %[5]s`,
		f.Object(Overrides), f.Str(OverrideAgreed), f.Object(TimelineCandidates), f.Str(spec.OverrideSource), blocked(f))
}

// orderKey is the sortable order key of an observation: event time,
// source sequence, sub-sequence and event id.
func orderKey(f ir.Fragments, ms, seq, subSeq, eventID string) string {
	return fmt.Sprintf("LPAD(CAST(%[2]s AS %[1]s), 15, '0') || '|' || LPAD(CAST(%[3]s AS %[1]s), 20, '0') || '|' || LPAD(CAST(%[4]s AS %[1]s), 10, '0') || '|' || %[5]s",
		f.Type(ir.Text), ms, seq, subSeq, eventID)
}
