package plan

import (
	"fmt"
	"strings"

	"github.com/ledgerloop/trueup/generator/ir"
)

// Modes of a key (source, record, field) of a resolved customer: where its
// state from the customer's from_time on comes from.
const (
	// modeBase: no observation at or after from_time; its source state is
	// its state at every recomputed point.
	modeBase = "base"
	// modeFast: every observation this batch brings is at or after
	// from_time and every earlier one before it: its state before the batch
	// and the batch's observations.
	modeFast = "fast"
	// modeSlow: observations on both sides of from_time (late data, a
	// batch held back, a whole timeline): its observations from from_time
	// on and the last one before it, from the state log (the rows whose
	// until_time reaches from_time) and its state; a whole timeline reads
	// all of the key's observations.
	modeSlow = "slow"
)

// Variables of the reconcile, set from the customer queue before the
// resolve set is built.
const (
	// minFromVar is the earliest from_time of the customers queued (NULL
	// when every one is resolved whole): the state log is read from it on.
	minFromVar = "min_from"
	// historyFromVar is the same, but the start of time when a customer
	// is resolved whole: closed history versions are read from it on.
	historyFromVar = "history_from"
	// wholeVar is true when a customer queued is resolved whole: only then
	// are observations read (all of a key's).
	wholeVar = "whole_timelines"
	// logEmptyVar is true while the state log is empty (see stateSteps).
	logEmptyVar = "state_log_empty"
)

// suffixSteps fill the work tables of resolution for the customers queued:
// which customers from which event time, their keys, the observations that
// make their state from then on, and that state at each point.
//
// No statement joins points with every earlier observation: the state at a
// point comes from an ASOF join of the points with the ordered observations
// of each key, and the observations read are those of the batch, the
// current source state, and, for keys with late data only, the key's
// state log from the earliest from_time on (a bound the warehouse prunes
// by, since the log is written in until_time order).
func (b *builder) suffixSteps() []ir.SQL {
	stream := ObservationsStreamOf()
	keyCols := func(a string) string {
		return fmt.Sprintf("%[1]s.source, %[1]s.record_key, %[1]s.field", a)
	}
	sameKey := func(x, y string) string {
		return fmt.Sprintf("%[1]s.source = %[2]s.source AND %[1]s.record_key = %[2]s.record_key AND %[1]s.field = %[2]s.field", x, y)
	}
	stateCols := func(a string) string {
		return fmt.Sprintf("%[1]s.op, %[1]s.value, %[1]s.event_time, %[1]s.event_id, %[1]s.order_key", a)
	}
	resolveSet := func(f ir.Fragments) string {
		// A customer queued more than once is resolved from the earliest
		// from_time; any whole-timeline request wins.
		// The version in force just before from_time is the open one
		// when it began before from_time, else the closed current one
		// whose valid time spans from_time.
		return fmt.Sprintf(`INSERT INTO %[1]s (customer_id, from_time, prior_from)
SELECT q.customer_id, q.from_time, COALESCE(MAX(CASE WHEN o.valid_from < q.from_time THEN o.valid_from END), MAX(h.valid_from))
FROM (
  SELECT customer_id, CASE WHEN COUNT(from_time) = COUNT(*) THEN MIN(from_time) END AS from_time
  FROM %[2]s
  GROUP BY customer_id
) AS q
LEFT JOIN %[4]s AS o ON o.customer_id = q.customer_id
LEFT JOIN (SELECT customer_id, valid_from, valid_to FROM %[3]s WHERE superseded_at IS NULL AND valid_to >= %[5]s) AS h
  ON h.customer_id = q.customer_id AND h.valid_from < q.from_time AND h.valid_to >= q.from_time
GROUP BY q.customer_id, q.from_time`, f.Object(ResolveSet), f.Object(CustomerQueue), f.Object(Versions), f.Object(OpenVersions), f.Var(historyFromVar))
	}
	// The bounds, as constants: the state log and the closed history
	// versions are read from them on, which prunes what is older.
	bounds := []ir.SQL{
		func(f ir.Fragments) string {
			return f.SetVar(minFromVar, ir.Timestamp, "MIN(from_time)", f.Object(CustomerQueue))
		},
		func(f ir.Fragments) string {
			return f.SetVar(wholeVar, ir.Bool, "COUNT(*) > COUNT(from_time)", f.Object(CustomerQueue))
		},
		func(f ir.Fragments) string {
			return f.SetVar(historyFromVar, ir.Timestamp,
				fmt.Sprintf("CASE WHEN COUNT(*) > COUNT(from_time) THEN CAST('1970-01-01 00:00:00' AS %s) ELSE MIN(from_time) END", f.Type(ir.Timestamp)),
				f.Object(CustomerQueue))
		},
	}
	keys := func(f ir.Fragments) string {
		var children strings.Builder
		for _, src := range b.s.Sources {
			for _, c := range src.Children {
				fmt.Fprintf(&children, `
  UNION ALL
  SELECT x.customer_id, s.source, s.record_key, s.field, x.record_key AS parent_key, s.op, s.value, s.event_time, s.event_id, s.order_key
  FROM %[1]s AS x
  JOIN %[2]s AS par ON par.source = %[3]s AND par.field = %[4]s AND par.value = x.record_key
  JOIN %[2]s AS s ON s.source = par.source AND s.record_key = par.record_key
  WHERE x.source = %[5]s AND x.customer_id IN (SELECT customer_id FROM %[6]s)`,
					f.Object(Crosswalk), f.Object(SourceState), f.Str(c.Label(src)), f.Str(FieldParent), f.Str(src.Name), f.Object(ResolveSet))
			}
		}
		// The current state comes along: it is the state of the keys in
		// base mode.
		return named(`INSERT INTO {{resolve_keys}} (customer_id, source, record_key, field, parent_key, mode, op, value, event_time, event_id, order_key)
SELECT k.customer_id, k.source, k.record_key, k.field, k.parent_key,
  CASE
    WHEN r.from_time IS NULL THEN {{mode_slow}}
    WHEN b.source IS NOT NULL THEN CASE WHEN NOT b.had OR b.event_time < r.from_time THEN {{mode_fast}} ELSE {{mode_slow}} END
    WHEN k.event_time < r.from_time THEN {{mode_base}}
    ELSE {{mode_slow}}
  END,
  k.op, k.value, k.event_time, k.event_id, k.order_key
FROM (
  SELECT x.customer_id, s.source, s.record_key, s.field, CAST(NULL AS {{text}}) AS parent_key, s.op, s.value, s.event_time, s.event_id, s.order_key
  FROM {{crosswalk}} AS x
  JOIN {{source_state}} AS s ON s.source = x.source AND s.record_key = x.record_key
  WHERE x.customer_id IN (SELECT customer_id FROM {{resolve_set}}){{children}}
) AS k
JOIN {{resolve_set}} AS r ON r.customer_id = k.customer_id
LEFT JOIN {{state_before}} AS b ON {{same_key}}`, map[string]string{
			"resolve_keys": f.Object(ResolveKeys),
			"crosswalk":    f.Object(Crosswalk),
			"source_state": f.Object(SourceState),
			"resolve_set":  f.Object(ResolveSet),
			"children":     children.String(),
			"state_before": f.Object(StateBefore),
			"mode_slow":    f.Str(modeSlow),
			"mode_fast":    f.Str(modeFast),
			"mode_base":    f.Str(modeBase),
			"text":         f.Type(ir.Text),
			"same_key":     sameKey("b", "k"),
		})
	}
	rows := func(f ir.Fragments) string {
		// One row per key and event time (the last by order_key): the
		// ASOF join below needs a unique right side.
		// Canonical values and validity are computed here, once per
		// observation, not at every point that holds it.
		var norm, valid []string
		for _, fld := range b.s.Fields {
			n := b.normalizedValue(f, fld)
			norm = append(norm, fmt.Sprintf("\n    WHEN %s THEN %s", f.Str(fld.Name), n))
			valid = append(valid, fmt.Sprintf("\n    WHEN %s THEN %s", f.Str(fld.Name), validity(f, fld, b.canonicalValue(f, fld))))
		}
		return named(`INSERT INTO {{rows}} (customer_id, source, record_key, field, op, value, event_time, event_id, order_key, canon, valid)
SELECT customer_id, source, record_key, field, op, raw_value, event_time, event_id, order_key,
  CASE field{{canon}}
    ELSE raw_value
  END,
  CASE field{{valid}}
    ELSE TRUE
  END
FROM (
SELECT customer_id, source, record_key, field, op, value AS raw_value, event_time, event_id, order_key
FROM (
  SELECT k.customer_id, {{key_k}}, {{state_k}}
  FROM {{keys}} AS k
  WHERE k.mode = {{mode_base}}
  UNION ALL
  SELECT k.customer_id, {{key_b}}, {{state_b}}
  FROM {{keys}} AS k
  JOIN {{before}} AS b ON {{same_b}}
  WHERE k.mode = {{mode_fast}} AND b.had
  UNION ALL
  SELECT k.customer_id, {{key_n}}, {{state_n}}
  FROM {{keys}} AS k
  JOIN {{stream}} AS n ON {{same_n}}
  WHERE k.mode = {{mode_fast}}
  UNION ALL
  SELECT customer_id, source, record_key, field, op, value, event_time, event_id, order_key
  FROM (
    SELECT sk.*,
      ROW_NUMBER() OVER (PARTITION BY customer_id, source, record_key, field, CASE WHEN event_time < from_time THEN 1 ELSE 0 END ORDER BY order_key DESC) AS n
    FROM (
      SELECT k.customer_id, {{key_o}}, {{state_o}}, r.from_time
      FROM {{keys}} AS k
      JOIN {{resolve_set}} AS r ON r.customer_id = k.customer_id
      JOIN {{observations}} AS o ON {{same_o}}
      WHERE {{whole}} AND k.mode = {{mode_slow}} AND r.from_time IS NULL
      UNION ALL
      SELECT k.customer_id, {{key_o}}, {{state_o}}, r.from_time
      FROM {{keys}} AS k
      JOIN {{resolve_set}} AS r ON r.customer_id = k.customer_id
      JOIN (SELECT * FROM {{state_log}} WHERE until_time >= {{min_from}}) AS o ON {{same_o}} AND o.until_time >= r.from_time
      WHERE k.mode = {{mode_slow}}
      UNION ALL
      SELECT k.customer_id, {{key_k}}, {{state_k}}, r.from_time
      FROM {{keys}} AS k
      JOIN {{resolve_set}} AS r ON r.customer_id = k.customer_id
      WHERE k.mode = {{mode_slow}} AND r.from_time IS NOT NULL
    ) AS sk
  ) AS sl
  WHERE from_time IS NULL OR event_time >= from_time OR n = 1
) AS u
QUALIFY ROW_NUMBER() OVER (PARTITION BY customer_id, source, record_key, field, event_time ORDER BY order_key DESC) = 1
) AS d`, map[string]string{
			"rows": f.Object(StateRows), "keys": f.Object(ResolveKeys), "before": f.Object(StateBefore),
			"stream": f.Stream(stream), "mode_base": f.Str(modeBase), "mode_fast": f.Str(modeFast),
			"mode_slow": f.Str(modeSlow), "key_k": keyCols("k"), "state_k": stateCols("k"), "key_b": keyCols("b"),
			"state_b": stateCols("b"), "same_b": sameKey("b", "k"), "key_n": keyCols("n"), "state_n": stateCols("n"),
			"same_n": sameKey("n", "k"), "key_o": keyCols("o"), "state_o": stateCols("o"),
			"resolve_set": f.Object(ResolveSet), "observations": f.Object(Observations), "same_o": sameKey("o", "k"),
			"canon": strings.Join(norm, ""), "valid": strings.Join(valid, ""), "state_log": f.Object(StateLog),
			"min_from": f.Var(minFromVar), "whole": f.Var(wholeVar),
		})
	}
	points := func(f ir.Fragments) string {
		on := [][2]string{{"g.customer_id", "s.customer_id"}, {"g.source", "s.source"}, {"g.record_key", "s.record_key"}, {"g.field", "s.field"}}
		return fmt.Sprintf(`INSERT INTO %[1]s (customer_id, valid_from, source, record_key, field, op, raw_value, value, valid, event_time, event_id, order_key, parent_key)
SELECT customer_id, valid_from, source, record_key, field, op, raw_value, value, valid, event_time, event_id, order_key, parent_key
FROM (
  SELECT g.customer_id, g.valid_from, g.source, g.record_key, g.field, g.parent_key, s.op, s.value AS raw_value, s.canon AS value, s.valid, s.event_time, s.event_id, s.order_key
  FROM (
    SELECT p.customer_id, p.valid_from, k.source, k.record_key, k.field, k.parent_key
    FROM (
      SELECT DISTINCT w.customer_id, w.event_time AS valid_from
      FROM %[2]s AS w
      JOIN %[3]s AS q ON q.customer_id = w.customer_id
      WHERE q.from_time IS NULL OR w.event_time >= q.from_time
    ) AS p
    JOIN %[4]s AS k ON k.customer_id = p.customer_id
  ) AS g
  %[5]s
) AS x
WHERE event_time IS NOT NULL`,
			f.Object(AsOfState), f.Object(StateRows), f.Object(ResolveSet), f.Object(ResolveKeys),
			f.AsOfJoin(f.Object(StateRows), "s", on, "g.valid_from", "s.event_time"))
	}
	return append(bounds, resolveSet, keys, rows, points)
}
