package snowflake

import (
	"fmt"
	"strings"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/ir"
)

// policy renders a masking policy: created when missing, then its body set,
// so that a deploy changes the rules in place (a policy attached to a tag
// cannot be replaced). The signature's first argument is the value masked
// (https://docs.snowflake.com/en/sql-reference/sql/create-masking-policy);
// ALTER MASKING POLICY ... SET BODY takes effect at the next query
// (https://docs.snowflake.com/en/sql-reference/sql/alter-masking-policy).
// The body tests roles with IS_ROLE_IN_SESSION, which counts the role
// hierarchy and secondary roles, where CURRENT_ROLE does not
// (https://docs.snowflake.com/en/sql-reference/functions/is_role_in_session).
func (r *Renderer) policy(o *ir.Object) []dialect.Statement {
	p := o.Policy
	name := r.Object(o.Ref)
	body := p.Body(r)
	typ := r.Type(p.Type)
	if p.RowAccess {
		// https://docs.snowflake.com/en/sql-reference/sql/create-row-access-policy;
		// SET BODY: https://docs.snowflake.com/en/sql-reference/sql/alter-row-access-policy.
		// A table holds one row access policy: the attachment drops any
		// before adding this one, so the file can run again
		// (https://docs.snowflake.com/en/sql-reference/sql/alter-table,
		// https://docs.snowflake.com/en/sql-reference/sql/alter-dynamic-table).
		out := []dialect.Statement{
			{SQL: fmt.Sprintf("CREATE ROW ACCESS POLICY IF NOT EXISTS %s AS (%s %s) RETURNS BOOLEAN ->\n%s%s", name, p.Arg, typ, body, r.comment(o.Comment))},
			{SQL: fmt.Sprintf("ALTER ROW ACCESS POLICY %s SET BODY ->\n%s", name, body)},
		}
		for _, c := range p.On {
			t := objectType(c.Kind) + " " + r.Object(c.Object)
			out = append(out,
				dialect.Statement{SQL: "ALTER " + t + " DROP ALL ROW ACCESS POLICIES"},
				dialect.Statement{SQL: fmt.Sprintf("ALTER %s ADD ROW ACCESS POLICY %s ON (%s)", t, name, r.Ident(c.Column))})
		}
		return out
	}
	return []dialect.Statement{
		{SQL: fmt.Sprintf("CREATE MASKING POLICY IF NOT EXISTS %s AS (%s %s) RETURNS %s ->\n%s%s", name, p.Arg, typ, typ, body, r.comment(o.Comment))},
		{SQL: fmt.Sprintf("ALTER MASKING POLICY %s SET BODY ->\n%s", name, body)},
	}
}

// tag renders the PII tag, its masking policies and its assignments.
// CREATE TAG ... ALLOWED_VALUES limits its values
// (https://docs.snowflake.com/en/sql-reference/sql/create-tag). A tag
// holds one masking policy per data type; FORCE replaces the policy of
// that type already set, so the statement can run again
// (https://docs.snowflake.com/en/sql-reference/sql/alter-tag). A column
// is protected when its type matches the policy's signature
// (https://docs.snowflake.com/en/user-guide/tag-based-masking-policies).
// The column form is ALTER TABLE | VIEW | DYNAMIC TABLE ... MODIFY COLUMN
// ... SET TAG (https://docs.snowflake.com/en/sql-reference/sql/alter-table-column,
// https://docs.snowflake.com/en/sql-reference/sql/alter-view,
// https://docs.snowflake.com/en/sql-reference/sql/alter-dynamic-table).
// A view or dynamic table that deploy replaces loses its column tags, so
// deploy runs this file again after replacing one.
func (r *Renderer) tag(o *ir.Object) []dialect.Statement {
	t := o.Tag
	name := r.Object(o.Ref)
	var vals []string
	for _, v := range t.AllowedValues {
		vals = append(vals, r.Str(v))
	}
	allowed := ""
	if len(vals) > 0 {
		allowed = " ALLOWED_VALUES " + strings.Join(vals, ", ")
	}
	out := []dialect.Statement{{SQL: fmt.Sprintf("CREATE TAG IF NOT EXISTS %s%s%s", name, allowed, r.comment(o.Comment))}}
	var pols []string
	for _, p := range t.Policies {
		pols = append(pols, "MASKING POLICY "+r.Object(p))
	}
	if len(pols) > 0 {
		out = append(out, dialect.Statement{SQL: fmt.Sprintf("ALTER TAG %s SET %s FORCE", name, strings.Join(pols, ", "))})
	}
	for _, c := range t.Columns {
		out = append(out, dialect.Statement{SQL: fmt.Sprintf("ALTER %s %s MODIFY COLUMN %s SET TAG %s = %s",
			objectType(c.Kind), r.Object(c.Object), r.Ident(c.Column), name, r.Str(c.Value))})
	}
	return out
}

func objectType(k ir.Kind) string {
	switch k {
	case ir.KindView:
		return "VIEW"
	case ir.KindDynamicTable:
		return "DYNAMIC TABLE"
	}
	return "TABLE"
}

// role renders a role and its grants. GRANT is idempotent: the file runs
// again on every deploy that replaced something, which restores a grant
// that CREATE OR REPLACE TASK dropped (CREATE TASK has no COPY GRANTS).
// Account-level privileges (EXECUTE TASK, CREATE ROLE) are granted by an
// account administrator once, and listed as comments.
func (r *Renderer) role(o *ir.Object) []dialect.Statement {
	ro := o.Role
	role := r.Ident(ro.Name)
	out := []dialect.Statement{{SQL: "CREATE ROLE IF NOT EXISTS " + role}}
	if o.Comment != "" {
		out = append(out, dialect.Statement{SQL: "ALTER ROLE " + role + " SET" + r.comment(o.Comment)})
	}
	for _, in := range ro.Inherits {
		out = append(out, dialect.Statement{SQL: fmt.Sprintf("GRANT ROLE %s TO ROLE %s", r.Ident(in), role)})
	}
	for _, g := range ro.Grants {
		s := fmt.Sprintf("GRANT %s ON %s TO ROLE %s", strings.Join(g.Privileges, ", "), r.GrantTarget(g), role)
		out = append(out, dialect.Statement{SQL: s})
	}
	if len(ro.AccountGrants) > 0 {
		out[0].SQL = fmt.Sprintf("-- account level, granted once by an account administrator:\n-- GRANT %s ON ACCOUNT TO ROLE %s\n%s",
			strings.Join(ro.AccountGrants, ", "), role, out[0].SQL)
	}
	return out
}

var _ dialect.Granter = (*Renderer)(nil)

// GrantTarget implements dialect.Granter: what a grant is on, as GRANT
// writes it.
func (r *Renderer) GrantTarget(g ir.Grant) string {
	switch {
	case g.Future:
		return fmt.Sprintf("FUTURE %s IN SCHEMA %s", g.On, r.Object(ir.Ref{Schema: g.Ref.Schema}))
	case g.On == "DATABASE":
		return "DATABASE " + r.Ident(r.s.Database)
	case g.On == "WAREHOUSE":
		return "WAREHOUSE " + r.Ident(g.Ref.Name)
	case g.On == "PROCEDURE":
		var args []string
		for _, a := range g.Args {
			args = append(args, r.Type(a))
		}
		return "PROCEDURE " + r.Object(g.Ref) + "(" + strings.Join(args, ", ") + ")"
	}
	return g.On + " " + r.Object(g.Ref)
}
