package impact

import (
	"context"
	"database/sql"
	"fmt"
)

// DiffSQL is the statement that writes, into the temporary table table,
// the customer fields whose value, source or rule differ between the gold
// tables before and after (a customer_fields each): one pass over the two
// states, joined on customer and field. It reads the same in DuckDB and
// Snowflake.
func DiffSQL(table, before, after string) string {
	return fmt.Sprintf(`CREATE TEMPORARY TABLE %s AS
SELECT COALESCE(a.customer_id, b.customer_id) AS customer_id, COALESCE(a.field, b.field) AS field,
  a.customer_id IS NOT NULL AS had, a.value AS old_value, a.source AS old_source, a.rule AS old_rule,
  b.customer_id IS NOT NULL AS has, b.value AS new_value, b.source AS new_source, b.rule AS new_rule
FROM %s a FULL JOIN %s b ON a.customer_id = b.customer_id AND a.field = b.field
WHERE a.customer_id IS NULL OR b.customer_id IS NULL OR a.value IS DISTINCT FROM b.value
   OR a.source IS DISTINCT FROM b.source OR a.rule IS DISTINCT FROM b.rule`, table, before, after)
}

// ReadField reads one field's counts, moves and samples (at most samples)
// from the table DiffSQL wrote.
func ReadField(ctx context.Context, db *sql.DB, table, field string, samples int) (Field, error) {
	fi := Field{Field: field, Moves: []Move{}, Samples: []Change{}}
	var values, winners sql.NullInt64
	err := db.QueryRowContext(ctx, `SELECT COUNT_IF(had <> has OR old_value IS DISTINCT FROM new_value),
  COUNT_IF(had <> has OR old_source IS DISTINCT FROM new_source OR old_rule IS DISTINCT FROM new_rule)
FROM `+table+` WHERE field = ?`, field).Scan(&values, &winners)
	if err != nil {
		return fi, err
	}
	// DuckDB's COUNT_IF over no row is NULL, Snowflake's 0.
	fi.ValuesChanged, fi.WinnersMoved = values.Int64, winners.Int64
	rows, err := db.QueryContext(ctx, `SELECT CASE WHEN had THEN COALESCE(old_source, '') || '/' || COALESCE(old_rule, '') ELSE '' END AS f,
  CASE WHEN has THEN COALESCE(new_source, '') || '/' || COALESCE(new_rule, '') ELSE '' END AS t, COUNT(*) AS n
FROM `+table+` WHERE field = ? AND (had <> has OR old_source IS DISTINCT FROM new_source OR old_rule IS DISTINCT FROM new_rule)
GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`, field)
	if err != nil {
		return fi, err
	}
	for rows.Next() {
		var m Move
		if err := rows.Scan(&m.From, &m.To, &m.Customers); err != nil {
			rows.Close()
			return fi, err
		}
		fi.Moves = append(fi.Moves, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fi, err
	}
	rows, err = db.QueryContext(ctx, `SELECT customer_id, had, old_value, old_source, old_rule, has, new_value, new_source, new_rule
FROM `+table+` WHERE field = ? AND (had <> has OR old_value IS DISTINCT FROM new_value)
ORDER BY customer_id LIMIT ?`, field, samples)
	if err != nil {
		return fi, err
	}
	defer rows.Close()
	for rows.Next() {
		c := Change{Field: field}
		var had, has bool
		var ov, os, or, nv, ns, nr sql.NullString
		if err := rows.Scan(&c.Customer, &had, &ov, &os, &or, &has, &nv, &ns, &nr); err != nil {
			return fi, err
		}
		if had {
			c.Before = &Winner{Value: nullable(ov), Source: os.String, Rule: or.String}
		}
		if has {
			c.After = &Winner{Value: nullable(nv), Source: ns.String, Rule: nr.String}
		}
		fi.Samples = append(fi.Samples, c)
	}
	return fi, rows.Err()
}

func nullable(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}
