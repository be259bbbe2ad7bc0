package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/spec"
)

// Security objects. The tag and the policies live in AUDIT, the schema of
// what governs the pipeline; readers need no privilege on it for the
// policies to apply to them.
var (
	PIITag = ref(AUDIT, "pii")
	// PIIAccess holds the rows of ACCOUNT_USAGE.ACCESS_HISTORY that read
	// or wrote a PII column, one per query and column.
	PIIAccess     = ref(AUDIT, "pii_access")
	PIIReads      = ref(AUDIT, "pii_reads")
	AccessCopy    = ref(AUDIT, "copy_access_history")
	AccessTask    = ref(AUDIT, "task_copy_access_history")
	ForgetProc    = ref(AUDIT, "forget")
	roleSchema    = "role"
	AccessCron    = "0 * * * * UTC"
	tagValueEmail = "email"
	tagValueText  = "text"
)

// Role names, as the spec's readers know them (internal/mask names the
// three that read gold).
const (
	RoleLoader      = "loader"
	RoleTransformer = "transformer"
	RoleAnalyst     = "analyst"
	RolePIIReader   = "pii_reader"
	RoleSteward     = "steward"
	RoleDeployer    = "deployer"
)

// Roles lists the roles in creation order (a role after those it inherits).
var Roles = []string{RoleLoader, RoleTransformer, RoleAnalyst, RolePIIReader, RoleSteward, RoleDeployer}

// RoleName is a role's name in the warehouse: the project's database, an
// underscore and the role, in upper case (TRUEUP_ANALYST), so that two
// pipelines in one account keep apart.
func RoleName(s *spec.Spec, role string) string {
	return strings.ToUpper(s.Project.Database + "_" + role)
}

// RoleRef is the plan's name of a role object.
func RoleRef(role string) ir.Ref { return ref(roleSchema, role) }

// MaskingPolicy is the masking policy of the PII tag for one data type.
func MaskingPolicy(t ir.Type) ir.Ref { return ref(AUDIT, "pii_mask_"+typeWord(t)) }

func typeWord(t ir.Type) string {
	switch t {
	case ir.Int, ir.Decimal:
		return "number"
	case ir.Timestamp:
		return "timestamp"
	}
	return "varchar"
}

// PIIColumn is a column that holds PII values: a PII field's column of a
// wide table (Value "email" when the field is valid: email, else "text"),
// or the value column of a long table that holds every field's values
// ("text": masked as a whole).
type PIIColumn struct {
	Object ir.Ref
	Kind   ir.Kind
	Column string
	Type   ir.Type
	Value  string
}

// PIIColumns are the columns the PII tag is set on, in plan order: every
// PII field column of GOLD's tables, views and dynamic table, and the
// value columns of the SILVER and GOLD tables that keep field values
// (observations, source state and its log, match keys, candidates and
// winners). Work tables are emptied by the task that fills them and are
// not tagged. Empty when no field is PII.
func (p *Plan) PIIColumns() []PIIColumn {
	pii := map[string]string{}
	var names []string
	for _, f := range p.Spec.Fields {
		if f.PII {
			v := tagValueText
			if f.Valid == "email" {
				v = tagValueEmail
			}
			pii[f.Name] = v
			names = append(names, f.Name)
		}
	}
	if len(pii) == 0 {
		return nil
	}
	long := map[ir.Ref][]string{
		Observations: {"value"}, SourceState: {"value"}, StateLog: {"value"}, MatchKeys: {"value"},
		Crosswalk: {"link_value"}, FieldCandidates: {"raw_value", "value"}, CustomerFields: {"value"},
	}
	var out []PIIColumn
	for _, o := range p.Objects {
		if o.Ref.Schema != SILVER && o.Ref.Schema != GOLD || o.Transient {
			continue
		}
		switch o.Kind {
		case ir.KindTable:
			for _, c := range o.Columns {
				if v, ok := pii[c.Name]; ok && o.Ref.Schema == GOLD {
					out = append(out, PIIColumn{o.Ref, o.Kind, c.Name, c.Type, v})
				}
				for _, lc := range long[o.Ref] {
					if c.Name == lc {
						out = append(out, PIIColumn{o.Ref, o.Kind, c.Name, c.Type, tagValueText})
					}
				}
			}
		case ir.KindView, ir.KindDynamicTable:
			// The wide views and the dynamic table carry one column per
			// field, named as the field.
			if o.Ref == History || o.Ref == CustomerMaster {
				for _, n := range names {
					out = append(out, PIIColumn{o.Ref, o.Kind, n, ir.Text, pii[n]})
				}
			}
		}
	}
	return out
}

// MaskSQL is the masked form of a PII value val as internal/mask.Value
// computes it, written once for every dialect: NULL and the empty text stay
// as they are; a reader for whom plaintext holds sees the value; one for
// whom masked holds sees *** (an email value, when email holds, keeps the
// part from its last @ on, when something follows it); anyone else NULL.
// plaintext, masked and email are SQL conditions.
func MaskSQL(f ir.Fragments, val, email, plaintext, masked string) string {
	domain := fmt.Sprintf("SPLIT_PART(%s, '@', -1)", val)
	return fmt.Sprintf(`CASE
  WHEN %[1]s IS NULL OR %[1]s = '' THEN %[1]s
  WHEN %[3]s THEN %[1]s
  WHEN %[4]s THEN
    CASE WHEN %[2]s AND CONTAINS(%[1]s, '@') AND %[5]s <> '' THEN '***@' || %[5]s ELSE '***' END
  ELSE NULL
END`, val, email, plaintext, masked, domain)
}

// RoleCondition is true when the session has one of the roles, through
// the role hierarchy (Snowflake's IS_ROLE_IN_SESSION).
func roleCondition(s *spec.Spec, roles ...string) string {
	var out []string
	for _, r := range roles {
		out = append(out, fmt.Sprintf("IS_ROLE_IN_SESSION('%s')", RoleName(s, r)))
	}
	return strings.Join(out, " OR ")
}

// security plans the PII tag, its masking policies, the audit of PII
// access, erasure, and the roles with their grants.
func (b *builder) security() {
	cols := b.p.PIIColumns()
	b.piiAccess()
	b.linkProcedure()
	if len(cols) > 0 {
		b.forget()
		// Masking policies: one per data type of a tagged column
		// (https://docs.snowflake.com/en/user-guide/tag-based-masking-policies).
		types := map[ir.Type]bool{}
		for _, c := range cols {
			types[c.Type] = true
		}
		var ts []ir.Type
		for t := range types {
			ts = append(ts, t)
		}
		sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
		tag := &ir.Tag{AllowedValues: []string{tagValueEmail, tagValueText}}
		deps := []ir.Ref{{Schema: AUDIT}}
		s := b.s
		tagName := strings.ToUpper(s.Project.Database + "." + AUDIT + "." + PIITag.Name)
		for _, t := range ts {
			pol := MaskingPolicy(t)
			body := func(f ir.Fragments) string {
				// The tag's value on the column being masked says whether
				// the value is an email
				// (https://docs.snowflake.com/en/sql-reference/functions/system_get_tag_on_current_column).
				return MaskSQL(f, "val", fmt.Sprintf("SYSTEM$GET_TAG_ON_CURRENT_COLUMN('%s') = '%s'", tagName, tagValueEmail),
					roleCondition(s, RolePIIReader, RoleTransformer), roleCondition(s, RoleAnalyst, RoleSteward))
			}
			if t != ir.Text {
				// A number or time has no masked form: plaintext or NULL.
				body = func(f ir.Fragments) string {
					return fmt.Sprintf("CASE WHEN %s THEN val ELSE NULL END", roleCondition(s, RolePIIReader, RoleTransformer))
				}
			}
			b.add(&ir.Object{Kind: ir.KindPolicy, Ref: pol, Deps: []ir.Ref{{Schema: AUDIT}},
				Comment: "masks PII values by role: in full for pii_reader and transformer, masked for analyst and steward, NULL for others",
				Policy:  &ir.Policy{Arg: "val", Type: t, Body: body}})
			tag.Policies = append(tag.Policies, pol)
			deps = append(deps, pol)
		}
		for _, c := range cols {
			tag.Columns = append(tag.Columns, ir.TagColumn{Object: c.Object, Kind: c.Kind, Column: c.Column, Value: c.Value})
			deps = appendRef(deps, c.Object)
		}
		b.add(&ir.Object{Kind: ir.KindTag, Ref: PIITag, Deps: deps,
			Comment: "personal data (fields with pii: true); value email or text", Tag: tag})
	}
	b.rowAccess()
	b.roles()
}

// RowAccessPolicy is the row access policy of project.row_access.
var RowAccessPolicy = ref(AUDIT, "row_access")

// rowAccess plans project.row_access: the mapping table (role, value) and
// a row access policy on the field's column of gold's wide tables and
// dynamic table (the history view reads those tables, so their policy
// applies through it). A row is read by the roles that run the pipeline
// (transformer, and deployer through it) and by each role the mapping
// pairs with the row's value
// (https://docs.snowflake.com/en/sql-reference/sql/create-row-access-policy,
// https://docs.snowflake.com/en/user-guide/security-row-intro).
func (b *builder) rowAccess() {
	ra := b.s.Project.RowAccess
	if ra == nil {
		return
	}
	mapping := ref(AUDIT, strings.ToLower(ra.Mapping))
	b.add(&ir.Object{Kind: ir.KindTable, Ref: mapping, Deps: []ir.Ref{{Schema: AUDIT}},
		Comment: fmt.Sprintf("which roles read gold's rows by their %s (row access policy)", ra.Field),
		Columns: []ir.Column{
			{Name: "role_name", Type: ir.Text, NotNull: true, Comment: "a role's name, as IS_ROLE_IN_SESSION takes it"},
			{Name: "value", Type: ir.Text, NotNull: true, Comment: "a value of " + ra.Field + " whose rows the role reads"},
		}})
	s := b.s
	var on []ir.TagColumn
	deps := []ir.Ref{mapping}
	for _, o := range []ir.Ref{Versions, OpenVersions, CustomerMaster} {
		kind := ir.KindTable
		if o == CustomerMaster {
			kind = ir.KindDynamicTable
		}
		on = append(on, ir.TagColumn{Object: o, Kind: kind, Column: ra.Field})
		deps = append(deps, o)
	}
	b.add(&ir.Object{Kind: ir.KindPolicy, Ref: RowAccessPolicy, Deps: deps,
		Comment: "gold's rows by " + ra.Field + ": all for the pipeline's roles, those the mapping pairs with a role for it",
		Policy: &ir.Policy{RowAccess: true, Arg: "val", Type: ir.Text, On: on, Body: func(f ir.Fragments) string {
			return fmt.Sprintf("%s\n  OR (SELECT COUNT(*) FROM %s m WHERE m.value = val AND IS_ROLE_IN_SESSION(m.role_name)) > 0",
				roleCondition(s, RoleTransformer), f.Object(mapping))
		}}})
}

func appendRef(refs []ir.Ref, r ir.Ref) []ir.Ref {
	for _, x := range refs {
		if x == r {
			return refs
		}
	}
	return append(refs, r)
}

// PIIFields are the names of the spec's PII fields, in declaration order.
func (p *Plan) PIIFields() []string {
	var out []string
	for _, f := range p.Spec.Fields {
		if f.PII {
			out = append(out, f.Name)
		}
	}
	return out
}

// piiAccess plans AUDIT.PII_ACCESS, the procedure and task that copy into
// it the ACCESS_HISTORY rows touching PII columns, and the view that joins
// them with gold's lineage.
func (b *builder) piiAccess() {
	b.add(&ir.Object{Kind: ir.KindTable, Ref: PIIAccess, Deps: []ir.Ref{{Schema: AUDIT}},
		Comment: "queries that read or wrote a PII column, from ACCOUNT_USAGE.ACCESS_HISTORY (kept seven years; the view keeps one)",
		Columns: []ir.Column{
			notNull("query_id", ir.Text),
			{Name: "query_start_time", Type: ir.TimestampTZ, NotNull: true, Comment: "ACCESS_HISTORY.QUERY_START_TIME: the copy resumes after the latest"},
			{Name: "user_name", Type: ir.Text},
			{Name: "access", Type: ir.Text, Comment: "direct (the object the query named) or base (a table under a view)"},
			{Name: "object_name", Type: ir.Text, Comment: "database.schema.object, as ACCESS_HISTORY names it"},
			{Name: "column_name", Type: ir.Text},
			{Name: "copied_at", Type: ir.Timestamp, Comment: "when the copy ran (UTC)"},
		}})
	b.add(&ir.Object{Kind: ir.KindView, Ref: PIIReads, Deps: []ir.Ref{PIIAccess, CustomerFields},
		Comment: "who read which PII field, and where gold's values of that field came from (one row per query, column and source)",
		Query: func(f ir.Fragments) string {
			return fmt.Sprintf(`SELECT a.query_id, a.query_start_time, a.user_name, a.object_name, a.column_name, g.field, g.source, COUNT(*) AS customers
FROM %s a
JOIN %s g ON g.field = LOWER(a.column_name)
GROUP BY a.query_id, a.query_start_time, a.user_name, a.object_name, a.column_name, g.field, g.source`, f.Object(PIIAccess), f.Object(CustomerFields))
		}})
	cols := b.p.PIIColumns()
	if len(cols) == 0 {
		return
	}
	var names []string
	for _, c := range cols {
		names = append(names, "'"+strings.ToUpper(b.s.Project.Database+"."+c.Object.Schema+"."+c.Object.Name+"."+c.Column)+"'")
	}
	names = uniqueSorted(names)
	// ACCESS_HISTORY's latency is up to three hours: rows are copied once
	// they are older than that, after the latest already copied, so that
	// each run reads only the new window of the view
	// (https://docs.snowflake.com/en/sql-reference/account-usage/access_history,
	// https://docs.snowflake.com/en/sql-reference/account-usage#data-latency).
	step := func(f ir.Fragments) string {
		var parts []string
		for _, arr := range []struct{ access, col string }{{"direct", "direct_objects_accessed"}, {"base", "base_objects_accessed"}} {
			parts = append(parts, fmt.Sprintf(`SELECT ah.query_id, ah.query_start_time, ah.user_name, '%s' AS access, obj.value:"objectName"::VARCHAR AS object_name, col.value:"columnName"::VARCHAR AS column_name
FROM SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY ah,
  LATERAL FLATTEN(INPUT => ah.%s) obj,
  LATERAL FLATTEN(INPUT => obj.value:"columns") col
WHERE ah.query_start_time > %s
  AND ah.query_start_time <= %s
  AND UPPER(obj.value:"objectName"::VARCHAR) || '.' || UPPER(col.value:"columnName"::VARCHAR) IN (%s)`,
				arr.access, arr.col, f.Var("since"), f.Var("until"), strings.Join(names, ", ")))
		}
		return fmt.Sprintf("INSERT INTO %s (query_id, query_start_time, user_name, access, object_name, column_name, copied_at)\nSELECT DISTINCT query_id, query_start_time, user_name, access, object_name, column_name, %s\nFROM (\n%s\n)",
			f.Object(PIIAccess), f.Now(), strings.Join(parts, "\nUNION ALL\n"))
	}
	steps := []ir.SQL{
		func(f ir.Fragments) string {
			return f.SetVar("since", ir.TimestampTZ, "COALESCE(MAX(query_start_time), "+f.DaysAgo(366)+")", f.Object(PIIAccess))
		},
		func(f ir.Fragments) string {
			return f.SetVar("until", ir.TimestampTZ, "DATEADD(HOUR, -3, CURRENT_TIMESTAMP())", "(SELECT 1 AS one)")
		},
		step,
	}
	b.add(&ir.Object{Kind: ir.KindProcedure, Ref: AccessCopy, Deps: []ir.Ref{PIIAccess},
		Comment:   "copies the ACCESS_HISTORY rows that touch PII columns, after the latest copied",
		Procedure: &ir.Procedure{Steps: steps}})
	t := b.policyTask(ir.Task{Root: true, Cron: AccessCron, Steps: steps, Call: &AccessCopy, Graph: b.graphPolicy()})
	b.add(&ir.Object{Kind: ir.KindTask, Ref: AccessTask, Deps: []ir.Ref{AccessCopy, PurgeTask},
		Comment: "copies new PII access rows every hour, apart from the batch graph", Task: t})
}

func uniqueSorted(in []string) []string {
	sort.Strings(in)
	var out []string
	for i, s := range in {
		if i == 0 || in[i-1] != s {
			out = append(out, s)
		}
	}
	return out
}

// forget plans AUDIT.FORGET(customer_id): the warehouse's erasure of one
// customer. Snowflake keeps no key per row to shred: the PII values are
// set to NULL in SILVER, GOLD and the history, the customer's match keys
// and the RAW lines of its source records are deleted, and an entry is
// appended to AUDIT.LOG, hash-chained as internal/auditlog.Sum computes it.
func (b *builder) forget() {
	pii := b.p.PIIFields()
	var quoted []string
	for _, f := range pii {
		quoted = append(quoted, "'"+f+"'")
	}
	in := strings.Join(quoted, ", ")
	cust := func(f ir.Fragments) string { return f.Param("customer_id") }
	// The customer's records join the crosswalk (UPDATE ... FROM, DELETE
	// ... USING: https://docs.snowflake.com/en/sql-reference/sql/update,
	// https://docs.snowflake.com/en/sql-reference/sql/delete).
	linked := func(f ir.Fragments) string {
		return fmt.Sprintf("c.customer_id = %s AND c.source = t.source AND c.record_key = t.record_key", cust(f))
	}
	var steps []ir.SQL
	deps := []ir.Ref{Crosswalk, Observations, SourceState, StateLog, MatchKeys, FieldCandidates, CustomerFields, Versions, OpenVersions, AuditLog}
	for _, src := range b.s.Sources {
		lines := LinesTable(src.Name)
		name := src.Name
		deps = append(deps, lines)
		steps = append(steps, func(f ir.Fragments) string {
			return named("DELETE FROM {{lines}}\nWHERE load_seq IN (SELECT o.load_seq FROM {{observations}} o WHERE o.source = {{source}} AND o.record_key IN (SELECT c.record_key FROM {{crosswalk}} c WHERE c.customer_id = {{customer}} AND c.source = {{source}}))", map[string]string{
				"lines":        f.Object(lines),
				"observations": f.Object(Observations),
				"source":       f.Str(name),
				"crosswalk":    f.Object(Crosswalk),
				"customer":     cust(f),
			})
		})
	}
	for _, t := range []ir.Ref{Observations, SourceState, StateLog} {
		t := t
		steps = append(steps, func(f ir.Fragments) string {
			return fmt.Sprintf("UPDATE %s t\nSET value = NULL\nFROM %s c\nWHERE t.field IN (%s)\n  AND %s", f.Object(t), f.Object(Crosswalk), in, linked(f))
		})
	}
	var set []string
	for _, p := range pii {
		set = append(set, p+" = NULL")
	}
	steps = append(steps,
		func(f ir.Fragments) string {
			return fmt.Sprintf("DELETE FROM %s t\nUSING %s c\nWHERE t.field IN (%s)\n  AND %s", f.Object(MatchKeys), f.Object(Crosswalk), in, linked(f))
		},
		func(f ir.Fragments) string {
			return fmt.Sprintf("UPDATE %s\nSET raw_value = NULL, value = NULL\nWHERE customer_id = %s AND field IN (%s)", f.Object(FieldCandidates), cust(f), in)
		},
		func(f ir.Fragments) string {
			return fmt.Sprintf("UPDATE %s\nSET value = NULL\nWHERE customer_id = %s AND field IN (%s)", f.Object(CustomerFields), cust(f), in)
		},
		func(f ir.Fragments) string {
			return fmt.Sprintf("UPDATE %s\nSET %s\nWHERE customer_id = %s", f.Object(Versions), strings.Join(set, ", "), cust(f))
		},
		func(f ir.Fragments) string {
			return fmt.Sprintf("UPDATE %s\nSET %s\nWHERE customer_id = %s", f.Object(OpenVersions), strings.Join(set, ", "), cust(f))
		},
		func(f ir.Fragments) string {
			return fmt.Sprintf("UPDATE %s\nSET link_value = NULL\nWHERE customer_id = %s", f.Object(Crosswalk), cust(f))
		},
	)
	steps = append(steps, auditLogSteps(ForgetAction, ForgetDetail)...)
	b.add(&ir.Object{Kind: ir.KindProcedure, Ref: ForgetProc, Deps: deps,
		Comment:   "erases one customer's PII: values set to NULL in SILVER, GOLD and history, RAW lines of its records deleted, an AUDIT.LOG entry",
		Procedure: &ir.Procedure{Args: []ir.Arg{{Name: "customer_id", Type: ir.Text}}, Steps: steps}})
}

// ForgetAction and ForgetDetail are the action and detail of the audit
// log entry FORGET writes (internal/auditlog.Forget).
const (
	ForgetAction = "forget"
	ForgetDetail = `{"erased":"pii values in silver, gold and history; raw lines of its records","by":"AUDIT.FORGET"}`
)

// AuditLogHash is the SQL of internal/auditlog.Sum over the columns given
// as SQL text expressions: the SHA-256 (hex, lower case) of each field as
// its length in bytes, a colon, the field and a line feed.
func AuditLogHash(fields ...string) string {
	var parts []string
	for _, x := range fields {
		parts = append(parts, fmt.Sprintf("OCTET_LENGTH(%[1]s) || ':' || %[1]s || CHR(10)", x))
	}
	return "SHA2(" + strings.Join(parts, " || ") + ", 256)"
}

// AuditLogTime formats a timestamp as internal/auditlog.Sum does.
const AuditLogTime = `'YYYY-MM-DD"T"HH24:MI:SS.FF6"Z"'`

// auditLogSteps append one entry to AUDIT.LOG for the procedure's
// customer_id, with a constant detail.
func auditLogSteps(action, detail string) []ir.SQL {
	return auditLogEntrySteps(action,
		func(f ir.Fragments) string { return f.Param("customer_id") },
		func(f ir.Fragments) string { return f.Str(detail) }, nil)
}

// auditLogEntrySteps append one entry to AUDIT.LOG: the next seq, the
// head's hash as prev_hash, the time read once and cut to microseconds
// (the precision the chain hashes). subject and detail are SQL text
// expressions; the detail is read once into a variable, so that the row
// and its hash hold the same text. when, if not
// nil, is the condition under which the entry is written.
func auditLogEntrySteps(action string, subject, detail, when ir.SQL) []ir.SQL {
	steps := []ir.SQL{
		func(f ir.Fragments) string {
			return f.SetVar("log_seq", ir.Int, "COALESCE(MAX(seq), 0) + 1", f.Object(AuditLog))
		},
		func(f ir.Fragments) string {
			return f.SetVar("log_prev", ir.Text, "COALESCE(MAX_BY(entry_hash, seq), '"+strings.Repeat("0", 64)+"')", f.Object(AuditLog))
		},
		func(f ir.Fragments) string {
			return f.SetVar("log_at", ir.Timestamp, "TO_TIMESTAMP_NTZ(TO_VARCHAR("+f.Now()+", 'YYYY-MM-DD HH24:MI:SS.FF6'), 'YYYY-MM-DD HH24:MI:SS.FF6')", "(SELECT 1 AS one)")
		},
	}
	steps = append(steps, func(f ir.Fragments) string {
		return f.SetVar("log_detail", ir.Text, detail(f), "(SELECT 1 AS one)")
	})
	detailOf := func(f ir.Fragments) string { return f.Var("log_detail") }
	steps = append(steps, func(f ir.Fragments) string {
		subj, det := subject(f), detailOf(f)
		hash := AuditLogHash(f.Var("log_prev"), "TO_VARCHAR("+f.Var("log_seq")+")", "TO_VARCHAR("+f.Var("log_at")+", "+AuditLogTime+")",
			"CURRENT_USER()", f.Str(action), subj, det)
		where := ""
		if when != nil {
			where = "\nFROM (SELECT 1 AS one) AS one\nWHERE " + when(f)
		}
		return named("INSERT INTO {{audit_log}} (seq, logged_at, actor, action, subject, detail, prev_hash, entry_hash)\nSELECT {{log_seq}}, {{log_at}}, CURRENT_USER(), {{action}}, {{subject}}, {{detail}}, {{log_prev}}, {{hash}}{{where}}", map[string]string{
			"audit_log": f.Object(AuditLog),
			"log_seq":   f.Var("log_seq"),
			"log_at":    f.Var("log_at"),
			"action":    f.Str(action),
			"subject":   subj,
			"detail":    det,
			"log_prev":  f.Var("log_prev"),
			"hash":      hash,
			"where":     where,
		})
	})
	return steps
}

// roles plans the six roles with least privilege. Every object is created
// by the deploy, which runs as the deployer role and so owns what it
// creates; tasks, procedures and the dynamic table run as their owner,
// which inherits transformer and reads PII unmasked. Grants name each
// object the plan has; FUTURE grants cover tables and views a later
// migration adds (they do not cover existing objects, and a schema-level
// future grant overrides a database-level one:
// https://docs.snowflake.com/en/sql-reference/sql/grant-privilege).
func (b *builder) roles() {
	s := b.s
	db := ir.Grant{Privileges: []string{"USAGE"}, On: "DATABASE"}
	wh := ir.Grant{Privileges: []string{"USAGE"}, On: "WAREHOUSE", Ref: ir.Ref{Name: s.Project.Warehouse}}
	schema := func(sc string) ir.Grant {
		return ir.Grant{Privileges: []string{"USAGE"}, On: "SCHEMA", Ref: ir.Ref{Schema: sc}}
	}
	on := func(kind ir.Kind, schemas []string, privs ...string) []ir.Grant {
		var out []ir.Grant
		for _, o := range b.p.Objects {
			if o.Kind != kind || !contains(schemas, o.Ref.Schema) {
				continue
			}
			g := ir.Grant{Privileges: privs, On: grantOn[kind], Ref: o.Ref}
			if kind == ir.KindProcedure {
				for _, a := range o.Procedure.Args {
					g.Args = append(g.Args, a.Type)
				}
			}
			out = append(out, g)
		}
		return out
	}
	future := func(on string, schemas []string, privs ...string) []ir.Grant {
		var out []ir.Grant
		for _, sc := range schemas {
			out = append(out, ir.Grant{Privileges: privs, On: on, Ref: ir.Ref{Schema: sc}, Future: true})
		}
		return out
	}
	table := func(schemas []string, privs ...string) []ir.Grant {
		return append(on(ir.KindTable, schemas, privs...), future("TABLES", schemas, privs...)...)
	}
	read := func(schemas []string) []ir.Grant {
		var out []ir.Grant
		out = append(out, table(schemas, "SELECT")...)
		out = append(out, on(ir.KindView, schemas, "SELECT")...)
		out = append(out, future("VIEWS", schemas, "SELECT")...)
		out = append(out, on(ir.KindDynamicTable, schemas, "SELECT")...)
		return out
	}
	raw := []string{RAW}
	curated := []string{SILVER, GOLD, DQ, OPS}
	all := []string{RAW, SILVER, GOLD, DQ, AUDIT, OPS}
	var roles []*ir.Role
	add := func(name string, inherits []string, grants []ir.Grant, account ...string) {
		r := &ir.Role{Name: RoleName(s, name), Grants: grants, AccountGrants: account}
		for _, i := range inherits {
			r.Inherits = append(r.Inherits, RoleName(s, i))
		}
		roles = append(roles, r)
		deps := []ir.Ref{}
		for _, i := range inherits {
			deps = append(deps, RoleRef(i))
		}
		b.add(&ir.Object{Kind: ir.KindRole, Ref: RoleRef(name), Deps: deps, Comment: roleComments[name], Role: r})
	}
	// loader: lands files in RAW and nothing else.
	var g []ir.Grant
	g = append(g, db, wh, schema(RAW))
	g = append(g, table(raw, "INSERT", "SELECT")...)
	g = append(g, on(ir.KindStage, raw, "USAGE")...)
	g = append(g, on(ir.KindFileFormat, raw, "USAGE")...)
	g = append(g, on(ir.KindPipe, raw, "OPERATE", "MONITOR")...)
	add(RoleLoader, nil, g)
	// transformer: runs and watches the tasks; reads RAW, writes the rest.
	g = []ir.Grant{db, wh}
	for _, sc := range all {
		g = append(g, schema(sc))
	}
	g = append(g, read(raw)...)
	g = append(g, on(ir.KindStream, all, "SELECT")...)
	g = append(g, table(curated, "SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")...)
	g = append(g, on(ir.KindView, curated, "SELECT")...)
	g = append(g, future("VIEWS", curated, "SELECT")...)
	g = append(g, on(ir.KindDynamicTable, curated, "SELECT", "OPERATE")...)
	g = append(g, on(ir.KindProcedure, []string{OPS}, "USAGE")...)
	g = append(g, on(ir.KindTask, all, "OPERATE", "MONITOR")...)
	g = append(g, ir.Grant{Privileges: []string{"SELECT", "INSERT"}, On: "TABLE", Ref: Rulesets})
	add(RoleTransformer, nil, g, "EXECUTE TASK")
	// analyst: gold, through the masking policies.
	g = []ir.Grant{db, wh, schema(GOLD)}
	g = append(g, read([]string{GOLD})...)
	add(RoleAnalyst, nil, g)
	// pii_reader: what analyst reads, unmasked (the policies test the role).
	add(RolePIIReader, []string{RoleAnalyst}, nil)
	// steward: acknowledges data-quality results, reads lineage and audit.
	g = []ir.Grant{schema(DQ), schema(AUDIT)}
	g = append(g, read([]string{DQ})...)
	g = append(g, ir.Grant{Privileges: []string{"SELECT", "INSERT"}, On: "TABLE", Ref: DQAcks})
	for _, r := range []ir.Ref{Rulesets, AuditLog, PIIAccess} {
		g = append(g, ir.Grant{Privileges: []string{"SELECT"}, On: "TABLE", Ref: r})
	}
	g = append(g, ir.Grant{Privileges: []string{"SELECT"}, On: "VIEW", Ref: PIIReads})
	if b.p.Object(ForgetProc) != nil {
		g = append(g, ir.Grant{Privileges: []string{"USAGE"}, On: "PROCEDURE", Ref: ForgetProc, Args: []ir.Type{ir.Text}})
	}
	if o := b.p.Object(OverrideProc); o != nil {
		var args []ir.Type
		for _, a := range o.Procedure.Args {
			args = append(args, a.Type)
		}
		g = append(g, ir.Grant{Privileges: []string{"USAGE"}, On: "PROCEDURE", Ref: OverrideProc, Args: args})
	}
	g = append(g, ir.Grant{Privileges: []string{"USAGE"}, On: "PROCEDURE", Ref: LinkProc, Args: []ir.Type{ir.Text, ir.Text, ir.Text, ir.Text, ir.Text}})
	add(RoleSteward, []string{RoleAnalyst}, g)
	// deployer: creates, and so owns, every object; the tasks it owns run
	// as it, so it inherits transformer.
	g = []ir.Grant{{Privileges: []string{"USAGE", "CREATE SCHEMA"}, On: "DATABASE"}, wh}
	add(RoleDeployer, []string{RoleTransformer}, g, "EXECUTE TASK", "CREATE ROLE")
}

var grantOn = map[ir.Kind]string{
	ir.KindTable: "TABLE", ir.KindView: "VIEW", ir.KindDynamicTable: "DYNAMIC TABLE", ir.KindStage: "STAGE",
	ir.KindFileFormat: "FILE FORMAT", ir.KindPipe: "PIPE", ir.KindTask: "TASK", ir.KindProcedure: "PROCEDURE",
	ir.KindStream: "STREAM",
}

var roleComments = map[string]string{
	RoleLoader:      "lands files in RAW: its stages, file formats, pipes and tables",
	RoleTransformer: "runs the task graph: reads RAW, writes SILVER, GOLD, DQ and OPS, reads PII unmasked",
	RoleAnalyst:     "reads GOLD, PII masked",
	RolePIIReader:   "reads GOLD with PII unmasked",
	RoleSteward:     "acknowledges data-quality results, reads lineage and the audit, links and unlinks source records, erases customers",
	RoleDeployer:    "deploys: owns every object it creates",
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Roles returns the role objects of the plan, in creation order.
func (p *Plan) Roles() []*ir.Object {
	var out []*ir.Object
	for _, o := range p.Objects {
		if o.Kind == ir.KindRole {
			out = append(out, o)
		}
	}
	return out
}
