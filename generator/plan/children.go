package plan

import (
	"fmt"
	"strings"

	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/spec"
)

// FieldParent is the observation field holding a child's parent record key.
const FieldParent = "_parent"

// ChildFieldName is the observation field of a path of a child's document:
// the child's name and the path, which no canonical field name can equal.
func ChildFieldName(c *spec.Child, path []string) string {
	return c.Name + "." + spec.ChildField(path)
}

// childPaths are the paths of a child observed: the ones mappings derive
// fields from, and the ones the choice of the current child reads.
func childPaths(src *spec.Source, c *spec.Child) [][]string {
	seen := map[string]bool{}
	var out [][]string
	add := func(p []string) {
		if p == nil || seen[spec.ChildField(p)] {
			return
		}
		seen[spec.ChildField(p)] = true
		out = append(out, p)
	}
	add(c.ExcludeField)
	add(c.Latest)
	for _, m := range src.Fields {
		if m.Child == c.Name {
			add(m.Path)
		}
	}
	return out
}

// stripeChild reads the events of a Stripe object that belongs to the
// source's records, such as customer.subscription.* for a customer. Every
// such event carries the whole object: a snapshot.
type stripeChild struct {
	stripe
	c *spec.Child
}

// base is the SELECT over lines of every line with its op (upsert for an
// event of the child's object, else NULL), event time, id, the child's
// record key and the values at paths of the child object.
func (s stripeChild) base(f ir.Fragments, d *lineDoc, paths [][]string) string {
	prefix := s.src.Object + "." + s.c.Object + "."
	return fmt.Sprintf(`SELECT
  b.*,
  CASE WHEN SUBSTR(b.event_type, 1, %[1]d) = %[2]s AND b.object_type = %[3]s THEN 'upsert' END AS op,
  %[4]s AS event_ms,
  0 AS seq,
  0 AS sub_seq
FROM %[5]s AS b`, len([]rune(prefix)), f.Str(prefix), f.Str(s.c.Object), epochMillis(f, "b.created_text", 1000), derived(named(`SELECT
  l.load_seq, l.file_name, l.file_row,
  {{type}} AS event_type,
  {{object_type}} AS object_type,
  {{created}} AS created_text,
  {{id}} AS event_id,
  {{record_key}} AS record_key,
  {{key_ok}} AS key_ok{{columns}}
FROM lines AS l`, map[string]string{
		"type":        d.text(f, "type"),
		"object_type": d.text(f, "data", "object", "object"),
		"created":     d.text(f, "created"),
		"id":          d.text(f, "id"),
		"record_key":  d.text(f, join(p("data", "object"), s.c.Key)...),
		"columns":     docColumns(paths, func(path []string) string { return d.text(f, join(p("data", "object"), path)...) }),
		"key_ok":      f.JSONIsKey(d.get(f, join(p("data", "object"), s.c.Key)...)),
	})))
}

func (s stripeChild) events(f ir.Fragments, d *lineDoc, paths [][]string) string {
	return snapshotEvents(s.base(f, d, paths), paths)
}

// derivedState fills silver.asof_state with the fields a source derives
// from its current child: at every point of the queued customers, the
// child of each parent record chosen by the child's current rule, and its
// values under the canonical fields that map them. via names the child.
func (b *builder) derivedState(src *spec.Source, c *spec.Child) ir.SQL {
	return func(f ir.Fragments) string {
		label := c.Label(src)
		var mapCases, norm, valid []string
		for _, m := range src.Fields {
			if m.Child != c.Name {
				continue
			}
			fld := b.s.FieldByName(m.Field)
			mapCases = append(mapCases, fmt.Sprintf("(%s, %s)", f.Str(ChildFieldName(c, m.Path)), f.Str(m.Field)))
			n := b.normalizedValue(f, fld)
			norm = append(norm, fmt.Sprintf("\n    WHEN %s THEN %s", f.Str(fld.Name), n))
			valid = append(valid, fmt.Sprintf("\n    WHEN %s THEN %s", f.Str(fld.Name), validity(f, fld, b.canonicalValue(f, fld))))
		}
		excluded := "0"
		if c.ExcludeField != nil && len(c.ExcludeValues) > 0 {
			excluded = fmt.Sprintf("MAX(CASE WHEN field = %s AND %s THEN 1 ELSE 0 END)", f.Str(ChildFieldName(c, c.ExcludeField)), inList(f, "raw_value", c.ExcludeValues...))
		}
		latest := "CAST(NULL AS " + f.Type(ir.Decimal) + ")"
		if c.Latest != nil {
			latest = fmt.Sprintf("MAX(CASE WHEN field = %s THEN %s END)", f.Str(ChildFieldName(c, c.Latest)), exactInteger(f, "raw_value"))
		}
		// The children's state at each point is in the work table already
		// (their keys carry the parent record): choose the current child of
		// each parent at each point, and map its values to fields.
		child := fmt.Sprintf("SELECT customer_id, valid_from, parent_key, record_key AS child_key, field, raw_value, event_time, event_id, order_key FROM %s WHERE source = %s AND parent_key IS NOT NULL",
			f.Object(AsOfState), f.Str(label))
		return named(`INSERT INTO {{as_of_state}} (customer_id, valid_from, source, record_key, field, op, raw_value, value, valid, event_time, event_id, order_key, via)
SELECT
  customer_id, valid_from, {{source}}, parent_key, field, 'set', raw_value,
  CASE field{{norm}}
    ELSE raw_value
  END,
  CASE field{{valid}}
    ELSE TRUE
  END,
  event_time, event_id, order_key, {{child_object}} || ' ' || child_key
FROM (
  SELECT cs.customer_id, cs.valid_from, cs.parent_key, cs.child_key, m.field, cs.raw_value, cs.event_time, cs.event_id, cs.order_key, {{source}} AS source
  FROM ({{child}}) AS cs
  JOIN (
    SELECT customer_id, valid_from, parent_key, child_key
    FROM (
      SELECT
        customer_id, valid_from, parent_key, child_key,
        ROW_NUMBER() OVER (PARTITION BY customer_id, valid_from, parent_key ORDER BY excluded, latest DESC NULLS LAST, child_key DESC) AS n
      FROM (
        SELECT customer_id, valid_from, parent_key, child_key, {{excluded}} AS excluded, {{latest}} AS latest
        FROM ({{child}}) AS s
        GROUP BY customer_id, valid_from, parent_key, child_key
      ) AS k
    ) AS r
    WHERE n = 1
  ) AS cur ON cur.customer_id = cs.customer_id AND cur.valid_from = cs.valid_from AND cur.parent_key = cs.parent_key AND cur.child_key = cs.child_key
  JOIN (VALUES {{map_cases}}) AS m (child_field, field) ON m.child_field = cs.field
) AS d`, map[string]string{
			"as_of_state":  f.Object(AsOfState),
			"source":       f.Str(src.Name),
			"norm":         strings.Join(norm, ""),
			"valid":        strings.Join(valid, ""),
			"child_object": f.Str(c.Object),
			"child":        child,
			"excluded":     excluded,
			"latest":       latest,
			"map_cases":    strings.Join(mapCases, ", "),
		})
	}
}
