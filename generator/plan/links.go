package plan

import (
	"fmt"

	"github.com/ledgerloop/trueup/generator/ir"
)

// Manual links: a steward's decision that a source record belongs to a
// given customer (link), or to a customer of its own (unlink), taken
// before any automatic match rule and never undone by one.
var (
	ManualLinks       = ref(SILVER, "manual_links")
	ManualLinksSeq    = ref(SILVER, "manual_links_seq")
	ManualLinksStream = ref(SILVER, "manual_links_stream")
	LinkProc          = ref(AUDIT, "link_record")
)

// MatchedManual is the crosswalk's matched_by of a record a steward linked
// or unlinked.
const MatchedManual = "manual"

// RelinkAction is the action of the audit log entry a manual link writes
// (internal/auditlog.Relink).
const RelinkAction = "relink"

// Link outcomes: LinkOutcomeSQL's value, and what AUDIT.LINK_RECORD returns.
const (
	LinkOK              = "linked"
	LinkNoReason        = "refused: a reason is required"
	LinkNoAuthor        = "refused: an author is required"
	LinkUnknownSource   = "refused: unknown source"
	LinkUnknownRecord   = "refused: unknown record"
	LinkUnknownCustomer = "refused: unknown customer"
	LinkAlreadyThere    = "refused: the record is already in that customer"
)

// Arguments of AUDIT.LINK_RECORD, in order; locally they are session
// variables of the same names.
const (
	LinkArgSource   = "source"
	LinkArgRecord   = "record_key"
	LinkArgCustomer = "customer_id"
	LinkArgReason   = "reason"
	LinkArgAuthor   = "author"
	linkOutcomeVar  = "link_outcome"
	linkAtVar       = "link_at"
)

// ManualLinksStreamOf is the stream of new manual links: it wakes the task
// graph, and the crosswalk queues the records it names.
func ManualLinksStreamOf() *ir.Stream {
	return &ir.Stream{Ref: ManualLinksStream, Table: ManualLinks, SequenceColumn: "seq"}
}

// OwnID is the stable id of a record's own customer: the id an unmatched
// record gets, and the customer an unlinked record is put in.
func OwnID(source, recordKey string) string {
	return fmt.Sprintf("'unmatched_' || SUBSTR(MD5(%s || ':' || %s), 1, 16)", source, recordKey)
}

func (b *builder) manualLinks() {
	silver := ir.Ref{Schema: SILVER}
	b.add(&ir.Object{Kind: ir.KindSequence, Ref: ManualLinksSeq, Deps: []ir.Ref{silver}, Comment: "order of manual links"})
	b.add(&ir.Object{Kind: ir.KindTable, Ref: ManualLinks, Deps: []ir.Ref{silver, ManualLinksSeq},
		Comment: "stewards' links and unlinks of source records, taken before the match rules; a record's current one has no ended_at",
		Columns: []ir.Column{
			{Name: "seq", Type: ir.Int, NotNull: true, Default: ir.NextVal(ManualLinksSeq)},
			notNull("source", ir.Text), notNull("record_key", ir.Text),
			{Name: "customer_id", Type: ir.Text, Comment: "the customer the record is put in; NULL: a customer of its own (unlink)"},
			{Name: "author", Type: ir.Text, NotNull: true, Comment: "the steward who decided"},
			{Name: "reason", Type: ir.Text, NotNull: true, Comment: "why (a ticket, what was wrong)"},
			{Name: "set_at", Type: ir.Timestamp, NotNull: true, Comment: "when the decision was taken (UTC)"},
			{Name: "ended_at", Type: ir.Timestamp, Comment: "when a later decision on the record replaced it; NULL: in force"},
		}})
	st := ManualLinksStreamOf()
	b.add(&ir.Object{Kind: ir.KindStream, Ref: st.Ref, Deps: []ir.Ref{ManualLinks}, Stream: st, Comment: "new manual links"})
}

// linkOutcome sets the variable link_outcome to LinkOK when the
// arguments give a reason and an author, and name a known source, a
// record in the crosswalk and, unless
// customer_id is NULL, a customer in it; and when the record is not
// where they put it already (its manual link in force, applied or not,
// else the crosswalk); to the refusal otherwise.
func (b *builder) linkOutcome(f ir.Fragments) string {
	var sources []string
	for _, s := range b.s.Sources {
		sources = append(sources, s.Name)
	}
	src, key, cust := f.Param(LinkArgSource), f.Param(LinkArgRecord), f.Param(LinkArgCustomer)
	current := fmt.Sprintf("(SELECT MAX(customer_id) FROM %s WHERE source = %s AND record_key = %s)", f.Object(Crosswalk), src, key)
	// Where the record is going: the customer of its link in force (one
	// the next batch may not have applied yet), else the crosswalk's.
	pending := fmt.Sprintf("(SELECT MAX(COALESCE(customer_id, %s)) FROM %s WHERE source = %s AND record_key = %s AND ended_at IS NULL)",
		OwnID(src, key), f.Object(ManualLinks), src, key)
	expr := named(`CASE
  WHEN {{reason}} IS NULL OR TRIM({{reason}}) = '' THEN {{link_no_reason}}
  WHEN {{author}} IS NULL OR TRIM({{author}}) = '' THEN {{link_no_author}}
  WHEN {{src}} IS NULL OR NOT {{in_list}} THEN {{link_unknown_source}}
  WHEN {{current}} IS NULL THEN {{link_unknown_record}}
  WHEN {{customer}} IS NOT NULL AND (SELECT COUNT(*) FROM {{crosswalk}} WHERE customer_id = {{customer}}) = 0 THEN {{link_unknown_customer}}
  WHEN COALESCE({{pending}}, {{current}}) = COALESCE({{customer}}, {{own_id}}) THEN {{link_already_there}}
  ELSE {{link_ok}}
END`, map[string]string{
		"reason":                f.Param(LinkArgReason),
		"link_no_reason":        f.Str(LinkNoReason),
		"src":                   src,
		"in_list":               inList(f, src, sources...),
		"link_unknown_source":   f.Str(LinkUnknownSource),
		"current":               current,
		"link_unknown_record":   f.Str(LinkUnknownRecord),
		"customer":              cust,
		"crosswalk":             f.Object(Crosswalk),
		"link_unknown_customer": f.Str(LinkUnknownCustomer),
		"own_id":                OwnID(src, key),
		"link_already_there":    f.Str(LinkAlreadyThere),
		"link_ok":               f.Str(LinkOK),
		"author":                f.Param(LinkArgAuthor),
		"link_no_author":        f.Str(LinkNoAuthor),
		"pending":               pending,
	})
	return f.SetVar(linkOutcomeVar, ir.Text, expr, "(SELECT 1 AS one)")
}

// LinkSteps are the statements of a manual link, over the arguments
// (Fragments.Param) LinkArgSource ... LinkArgAuthor: the outcome, then,
// when it is LinkOK, the record's link in force is ended and the new one
// recorded. The next batch applies it (the manual links stream wakes the
// graph): the record moves, both customers are re-resolved and the change
// is logged with the author and reason. AUDIT.LINK_RECORD runs them and
// appends a relink entry to AUDIT.LOG; locally internal/local runs them
// and appends the entry itself.
func (p *Plan) LinkSteps() []ir.SQL {
	b := &builder{s: p.Spec, p: p}
	ok := func(f ir.Fragments) string { return f.Var(linkOutcomeVar) + " = " + f.Str(LinkOK) }
	// The old link ends when the new one is set: the time is read once
	// (SYSDATE is evaluated per statement in Snowflake).
	return []ir.SQL{
		b.linkOutcome,
		func(f ir.Fragments) string {
			return f.SetVar(linkAtVar, ir.Timestamp, f.Now(), "(SELECT 1 AS one)")
		},
		func(f ir.Fragments) string {
			return fmt.Sprintf("UPDATE %s\nSET ended_at = %s\nWHERE source = %s AND record_key = %s AND ended_at IS NULL AND %s",
				f.Object(ManualLinks), f.Var(linkAtVar), f.Param(LinkArgSource), f.Param(LinkArgRecord), ok(f))
		},
		func(f ir.Fragments) string {
			return named("INSERT INTO {{manual_links}} (source, record_key, customer_id, author, reason, set_at)\nSELECT {{source}}, {{record}}, {{customer}}, {{author}}, {{reason}}, {{link_at}}\nFROM (SELECT 1 AS one) AS one\nWHERE {{ok}}", map[string]string{
				"manual_links": f.Object(ManualLinks),
				"source":       f.Param(LinkArgSource),
				"record":       f.Param(LinkArgRecord),
				"customer":     f.Param(LinkArgCustomer),
				"author":       f.Param(LinkArgAuthor),
				"reason":       f.Param(LinkArgReason),
				"link_at":      f.Var(linkAtVar),
				"ok":           ok(f),
			})
		},
	}
}

// LinkOutcome renders the name of the variable LinkSteps' first step sets.
func LinkOutcome(f ir.Fragments) string { return f.Var(linkOutcomeVar) }

// linkProcedure plans AUDIT.LINK_RECORD(source, record_key, customer_id,
// reason, author): the warehouse's form of trueup link and unlink
// (customer_id NULL). It returns LinkOK or the refusal, and writes nothing
// when it refuses.
func (b *builder) linkProcedure() {
	steps := b.p.LinkSteps()
	subject := func(f ir.Fragments) string {
		return f.Param(LinkArgSource) + " || ':' || " + f.Param(LinkArgRecord)
	}
	detail := func(f ir.Fragments) string {
		return named("TO_JSON(OBJECT_CONSTRUCT('source', {{source}}, 'record_key', {{record}}, 'from', (SELECT MAX(customer_id) FROM {{crosswalk}} WHERE source = {{source}} AND record_key = {{record}}), 'to', COALESCE({{customer}}, {{own_id}}), 'reason', {{reason}}, 'author', {{author}}, 'by', 'AUDIT.LINK_RECORD'))", map[string]string{
			"source":    f.Param(LinkArgSource),
			"record":    f.Param(LinkArgRecord),
			"crosswalk": f.Object(Crosswalk),
			"customer":  f.Param(LinkArgCustomer),
			"own_id":    OwnID(f.Param(LinkArgSource), f.Param(LinkArgRecord)),
			"reason":    f.Param(LinkArgReason),
			"author":    f.Param(LinkArgAuthor),
		})
	}
	steps = append(steps, auditLogEntrySteps(RelinkAction, subject, detail, func(f ir.Fragments) string {
		return f.Var(linkOutcomeVar) + " = " + f.Str(LinkOK)
	})...)
	b.add(&ir.Object{Kind: ir.KindProcedure, Ref: LinkProc, Deps: []ir.Ref{ManualLinks, Crosswalk, AuditLog},
		Comment: "a steward's link of a source record to a customer (customer_id NULL: a customer of its own), applied by the next batch; an AUDIT.LOG entry",
		Procedure: &ir.Procedure{Args: []ir.Arg{
			{Name: LinkArgSource, Type: ir.Text}, {Name: LinkArgRecord, Type: ir.Text}, {Name: LinkArgCustomer, Type: ir.Text},
			{Name: LinkArgReason, Type: ir.Text}, {Name: LinkArgAuthor, Type: ir.Text},
		}, Steps: steps, Result: LinkOutcome}})
}
