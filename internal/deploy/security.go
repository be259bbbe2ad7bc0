package deploy

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/emit"
	"github.com/ledgerloop/trueup/generator/ir"
)

// Security objects (masking policies, the PII tag, roles) are compared as
// lists of facts, one a line, sorted: what the warehouse reports against
// what the generated statements establish. A grant revoked by hand, a
// policy detached from the tag, a tag unset from a column or a policy body
// edited shows as a changed object with the missing or extra line in its
// diff; deploy runs the object's file again (its statements are
// idempotent), which restores what is missing. It does not revoke what a
// person granted beyond the file: drift reports it.
//
// Sources (not verifiable here without an account):
//   - a policy's body: GET_DDL('POLICY', name)
//     (https://docs.snowflake.com/en/sql-reference/functions/get_ddl);
//   - a tag: SHOW TAGS (https://docs.snowflake.com/en/sql-reference/sql/show-tags),
//     its column assignments per object from INFORMATION_SCHEMA.TAG_REFERENCES_ALL_COLUMNS
//     (https://docs.snowflake.com/en/sql-reference/functions/tag_references_all_columns),
//     the columns each policy protects through it from INFORMATION_SCHEMA.POLICY_REFERENCES
//     (https://docs.snowflake.com/en/sql-reference/functions/policy_references);
//   - a role: SHOW ROLES, SHOW GRANTS TO ROLE and SHOW FUTURE GRANTS TO ROLE
//     (https://docs.snowflake.com/en/sql-reference/sql/show-grants); OWNERSHIP rows are left out
//     (the deployer owns what it creates).
var security = map[ir.Kind]bool{ir.KindPolicy: true, ir.KindTag: true, ir.KindRole: true}

func (w Snowflake) securityDefinition(ctx context.Context, db *sql.DB, r dialect.Renderer, f emit.File) (string, bool, error) {
	o := f.Object
	switch o.Kind {
	case ir.KindPolicy:
		var text nullString
		err := db.QueryRowContext(ctx, fmt.Sprintf("SELECT GET_DDL('POLICY', %s)", r.Str(r.Object(o.Ref)))).Scan(&text)
		if isNoRows(err) || err != nil && w.NotFound != nil && w.NotFound(err) {
			return "", false, nil
		}
		if err != nil {
			return "", false, err
		}
		return policyBody(text.s), true, nil
	case ir.KindTag:
		rows, err := showRows(ctx, db, fmt.Sprintf("SHOW TAGS LIKE %s IN SCHEMA %s", r.Str(strings.ToUpper(o.Ref.Name)), r.Object(ir.Ref{Schema: o.Ref.Schema})))
		if err != nil || len(rows) == 0 {
			return "", false, err
		}
		var lines []string
		tag := upperName(r.Object(o.Ref))
		seen := map[ir.Ref]bool{}
		for _, c := range o.Tag.Columns {
			if seen[c.Object] {
				continue
			}
			seen[c.Object] = true
			q := fmt.Sprintf("SELECT * FROM TABLE(%s.INFORMATION_SCHEMA.TAG_REFERENCES_ALL_COLUMNS(%s, 'table'))", r.Ident(w.Database), r.Str(r.Object(c.Object)))
			refs, err := showRows(ctx, db, q)
			if err != nil {
				return "", false, err
			}
			for _, row := range refs {
				if upperName(row["tag_database"]+"."+row["tag_schema"]+"."+row["tag_name"]) == tag {
					lines = append(lines, fmt.Sprintf("column %s.%s tag %s", lowerRef(c.Object), strings.ToLower(row["column_name"]), row["tag_value"]))
				}
			}
		}
		for _, p := range o.Tag.Policies {
			q := fmt.Sprintf("SELECT * FROM TABLE(%s.INFORMATION_SCHEMA.POLICY_REFERENCES(POLICY_NAME => %s))", r.Ident(w.Database), r.Str(r.Object(p)))
			refs, err := showRows(ctx, db, q)
			if err != nil {
				return "", false, err
			}
			for _, row := range refs {
				if upperName(row["tag_database"]+"."+row["tag_schema"]+"."+row["tag_name"]) != tag {
					continue
				}
				lines = append(lines, fmt.Sprintf("policy %s protects %s.%s.%s", p, strings.ToLower(row["ref_schema_name"]), strings.ToLower(row["ref_entity_name"]), strings.ToLower(row["ref_column_name"])))
			}
		}
		return sortedLines(lines), true, nil
	case ir.KindRole:
		role := o.Role.Name
		rows, err := showRows(ctx, db, "SHOW ROLES LIKE "+r.Str(role))
		if err != nil || len(rows) == 0 {
			return "", false, err
		}
		var lines []string
		grants, err := showRows(ctx, db, "SHOW GRANTS TO ROLE "+r.Ident(role))
		if err != nil {
			return "", false, err
		}
		for _, g := range grants {
			if g["privilege"] != "OWNERSHIP" {
				lines = append(lines, grantLine(g["privilege"], g["granted_on"], g["name"], false))
			}
		}
		future, err := showRows(ctx, db, "SHOW FUTURE GRANTS TO ROLE "+r.Ident(role))
		if err != nil {
			return "", false, err
		}
		for _, g := range future {
			lines = append(lines, grantLine(g["privilege"], g["grant_on"], g["name"], true))
		}
		return sortedLines(lines), true, nil
	}
	return "", false, fmt.Errorf("snowflake: no definition for a %s", o.Kind)
}

func (w Snowflake) securityCanonical(r dialect.Renderer, f emit.File) (string, error) {
	o := f.Object
	switch o.Kind {
	case ir.KindPolicy:
		return policyBody(f.Statements[0].SQL), nil
	case ir.KindTag:
		var lines []string
		for _, c := range o.Tag.Columns {
			lines = append(lines, fmt.Sprintf("column %s.%s tag %s", lowerRef(c.Object), c.Column, c.Value))
			for _, p := range o.Tag.Policies {
				if p == policyFor(o, c) {
					lines = append(lines, fmt.Sprintf("policy %s protects %s.%s", p, lowerRef(c.Object), c.Column))
				}
			}
		}
		return sortedLines(lines), nil
	case ir.KindRole:
		sf, ok := r.(dialect.Granter)
		if !ok {
			return "", fmt.Errorf("snowflake: a role needs the Snowflake renderer")
		}
		var lines []string
		for _, in := range o.Role.Inherits {
			lines = append(lines, grantLine("USAGE", "ROLE", in, false))
		}
		for _, g := range o.Role.Grants {
			target := sf.GrantTarget(g)
			for _, p := range g.Privileges {
				if g.Future {
					name := r.Object(ir.Ref{Schema: g.Ref.Schema}) + ".<" + strings.TrimSuffix(g.On, "S") + ">"
					lines = append(lines, grantLine(p, strings.TrimSuffix(g.On, "S"), name, true))
					continue
				}
				on, name, _ := strings.Cut(target, " ")
				if g.On == "FILE FORMAT" || g.On == "DYNAMIC TABLE" {
					on, name = g.On, strings.TrimPrefix(target, g.On+" ")
				}
				lines = append(lines, grantLine(p, on, name, false))
			}
		}
		return sortedLines(lines), nil
	}
	return "", fmt.Errorf("snowflake: no definition for a %s", o.Kind)
}

// policyFor is the tag's policy whose type is the column's: every tagged
// column is text today, so the first policy.
func policyFor(o *ir.Object, c ir.TagColumn) ir.Ref {
	if len(o.Tag.Policies) == 0 {
		return ir.Ref{}
	}
	return o.Tag.Policies[0]
}

// grantLine is one privilege in the form both sides are written in.
func grantLine(priv, on, name string, future bool) string {
	on = strings.ReplaceAll(strings.ToUpper(on), "_", " ")
	name = upperName(name)
	if i := strings.IndexByte(name, '('); i >= 0 {
		name = name[:i] // a procedure: its arguments differ in form
	}
	if future {
		return fmt.Sprintf("%s ON FUTURE %s %s", strings.ToUpper(priv), on, name)
	}
	return fmt.Sprintf("%s ON %s %s", strings.ToUpper(priv), on, name)
}

func upperName(s string) string { return strings.ToUpper(strings.ReplaceAll(s, `"`, "")) }

func lowerRef(r ir.Ref) string { return strings.ToLower(r.String()) }

func sortedLines(lines []string) string {
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// policyBody is the normalized text after a policy's "->".
func policyBody(ddl string) string {
	_, body, ok := strings.Cut(ddl, "->")
	if !ok {
		return normalize(ddl)
	}
	body = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(body), ";"))
	if i := strings.LastIndex(strings.ToUpper(body), " COMMENT = '"); i >= 0 && strings.HasSuffix(body, "'") {
		body = body[:i]
	}
	return normalize(body)
}

// showRows runs a query and returns its rows by lower-case column name.
func showRows(ctx context.Context, db *sql.DB, q string) ([]map[string]string, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []map[string]string
	for rows.Next() {
		vals := make([]nullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		m := map[string]string{}
		for i, c := range cols {
			m[strings.ToLower(c)] = vals[i].s
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
