package plan

import (
	"fmt"
	"strings"

	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/spec"
)

// Names of the objects every pipeline has.
var (
	Observations       = ref(SILVER, "observations")
	ObservationsSeq    = ref(SILVER, "observations_seq")
	ObservationsStream = ref(SILVER, "observations_stream")
	Quarantine         = ref(SILVER, "quarantine")
	LineCounts         = ref(SILVER, "line_counts")
	SourceState        = ref(SILVER, "source_state")
	StateLog           = ref(SILVER, "state_log")
	RecordQueue        = ref(SILVER, "work_records")
	Crosswalk          = ref(SILVER, "crosswalk")
	CrosswalkWork      = ref(SILVER, "work_crosswalk")
	CrosswalkChanges   = ref(SILVER, "crosswalk_changes")
	CustomerAliases    = ref(SILVER, "customer_aliases")
	MatchKeys          = ref(SILVER, "match_keys")
	CustomerQueue      = ref(SILVER, "customer_queue")
	FieldCandidates    = ref(GOLD, "field_candidates")
	CustomerFields     = ref(GOLD, "customer_fields")
	CustomerMaster     = ref(GOLD, "customer_master")
	FieldConflicts     = ref(GOLD, "field_conflicts")
	RuleDecisions      = ref(GOLD, "rule_decisions")
	Batches            = ref(OPS, "batches")
)

// Per-source object names.
func LinesTable(src string) ir.Ref  { return ref(RAW, src+"_lines") }
func LinesSeq(src string) ir.Ref    { return ref(RAW, src+"_lines_seq") }
func LinesStream(src string) ir.Ref { return ref(RAW, src+"_lines_stream") }
func DocsView(src string) ir.Ref    { return ref(RAW, src+"_docs") }
func FileFormat(src string) ir.Ref  { return ref(RAW, src+"_format") }
func Stage(src string) ir.Ref       { return ref(RAW, src+"_stage") }
func Pipe(src string) ir.Ref        { return ref(RAW, src+"_pipe") }

func col(name string, t ir.Type) ir.Column { return ir.Column{Name: name, Type: t} }

func notNull(name string, t ir.Type) ir.Column { return ir.Column{Name: name, Type: t, NotNull: true} }

func (b *builder) schemas() {
	comments := map[string]string{
		RAW:    "every landed line, append-only, kept one year",
		SILVER: "observations, source state and the crosswalk",
		GOLD:   "the customer master with lineage",
		DQ:     "data-quality results and violations",
		AUDIT:  "deployments and rule-set versions",
		OPS:    "task graph and batch bookkeeping",
	}
	for _, s := range []string{RAW, SILVER, GOLD, DQ, AUDIT, OPS} {
		b.add(&ir.Object{Kind: ir.KindSchema, Ref: ir.Ref{Schema: s}, Comment: comments[s]})
	}
}

// LinesStreamOf returns the stream definition on a source's RAW table.
func LinesStreamOf(src string) *ir.Stream {
	return &ir.Stream{Ref: LinesStream(src), Table: LinesTable(src), SequenceColumn: "load_seq"}
}

// ObservationsStreamOf returns the stream definition on the observations.
func ObservationsStreamOf() *ir.Stream {
	return &ir.Stream{Ref: ObservationsStream, Table: Observations, SequenceColumn: "obs_seq"}
}

func (b *builder) raw() {
	url := strings.TrimSuffix(b.s.Project.StageURL, "/")
	for _, src := range b.s.Sources {
		seq := LinesSeq(src.Name)
		b.add(&ir.Object{Kind: ir.KindSequence, Ref: seq, Deps: []ir.Ref{{Schema: RAW}},
			Comment: fmt.Sprintf("load order of %s lines", src.Name)})
		b.add(&ir.Object{
			Kind: ir.KindTable, Ref: LinesTable(src.Name), Deps: []ir.Ref{{Schema: RAW}, seq},
			Comment: fmt.Sprintf("every line landed by source %s (%s), as text", src.Name, src.Format),
			Columns: []ir.Column{
				{Name: "load_seq", Type: ir.Int, NotNull: true, Default: ir.NextVal(seq),
					Comment: "monotonic load sequence"},
				{Name: "file_name", Type: ir.Text, NotNull: true, Comment: "landed file, relative to the stage"},
				{Name: "file_row", Type: ir.Int, NotNull: true, Comment: "line number in the file"},
				{Name: "line", Type: ir.LongText, Comment: "the raw line"},
				{Name: "loaded_at", Type: ir.TimestampTZ, Comment: "when the load scanned the file (UTC)"},
			},
		})
		docs := src.Framing == spec.FramingDocuments
		formatComment := "one line, one text value: JSON is parsed downstream"
		if docs {
			formatComment = "one JSON document, one row: its JSON text is parsed downstream"
		}
		b.add(&ir.Object{Kind: ir.KindFileFormat, Ref: FileFormat(src.Name), Deps: []ir.Ref{{Schema: RAW}},
			Comment: formatComment, FileFormat: &ir.FileFormat{Documents: docs}})
		b.add(&ir.Object{Kind: ir.KindStage, Ref: Stage(src.Name), Deps: []ir.Ref{FileFormat(src.Name)},
			Comment: fmt.Sprintf("landing folder of source %s", src.Name),
			Stage:   &ir.Stage{URL: url + "/" + strings.Trim(src.Landing, "/") + "/", StorageIntegration: b.s.Project.StorageIntegration, FileFormat: FileFormat(src.Name), KMSKeyID: b.s.Project.KMSKeyID}})
		b.add(&ir.Object{Kind: ir.KindPipe, Ref: Pipe(src.Name), Deps: []ir.Ref{Stage(src.Name), LinesTable(src.Name), seq},
			Comment: fmt.Sprintf("auto-ingest of source %s; never recreated casually (it would lose its load history)", src.Name),
			Pipe:    &ir.Pipe{Stage: Stage(src.Name), Table: LinesTable(src.Name), Sequence: seq, Documents: docs}})
		st := LinesStreamOf(src.Name)
		b.add(&ir.Object{Kind: ir.KindStream, Ref: st.Ref, Deps: []ir.Ref{LinesTable(src.Name)}, Stream: st,
			Comment: fmt.Sprintf("new lines of source %s", src.Name)})
		lines := LinesTable(src.Name)
		b.add(&ir.Object{Kind: ir.KindView, Ref: DocsView(src.Name), Deps: []ir.Ref{lines},
			Comment: fmt.Sprintf("lines of source %s with the parsed document or the parse error", src.Name),
			Query: func(f ir.Fragments) string {
				// A dialect that stores lines sealed shows them opened.
				line := "line"
				if open := f.OpenText("line"); open != line {
					line = open + " AS line"
				}
				return fmt.Sprintf(`SELECT
  load_seq,
  file_name,
  file_row,
  %[3]s,
  loaded_at,
  %[1]s AS doc,
  CASE WHEN %[1]s IS NULL THEN 'invalid JSON' END AS parse_error
FROM %[2]s`, f.ParseJSON(f.OpenText("line")), f.Object(lines), line)
			}})
	}
}

// observationColumns are the columns of SILVER.OBSERVATIONS after obs_seq.
var observationColumns = []ir.Column{
	notNull("source", ir.Text),
	notNull("record_key", ir.Text),
	{Name: "field", Type: ir.Text, NotNull: true, Comment: "a canonical field, or _record (op upsert/delete) or _link (the customer link)"},
	{Name: "op", Type: ir.Text, NotNull: true, Comment: "upsert or delete on _record; set on fields"},
	{Name: "value", Type: ir.Text, Comment: "the value as the source sent it, as text; NULL asserts null"},
	{Name: "event_time", Type: ir.Timestamp, NotNull: true, Comment: "source commit time (UTC)"},
	{Name: "seq", Type: ir.Decimal, Comment: "source sequence: LSN, commit number"},
	{Name: "sub_seq", Type: ir.Decimal, Comment: "order within a transaction"},
	{Name: "event_id", Type: ir.Text, NotNull: true, Comment: "the source's event identity"},
	{Name: "order_key", Type: ir.Text, NotNull: true, Comment: "sortable (event time, sequence, sub-sequence, event id)"},
	{Name: "load_seq", Type: ir.Int, Comment: "pointer to the RAW line"},
	col("file_name", ir.Text),
	col("file_row", ir.Int),
}

var stateColumns = stateObservation(
	col("load_seq", ir.Int),
	col("updated_at", ir.Timestamp),
)

// stateLogColumns: a key's observations other than its current state, in
// the order each batch brought them, in until_time order within a batch.
var stateLogColumns = stateObservation(
	ir.Column{Name: "until_time", Type: ir.Timestamp, NotNull: true, Comment: "at or after the event time of the key's next observation: the row is the key's state at no point at or after it"},
	col("logged_at", ir.Timestamp),
)

// stateObservation returns the columns of one observation of a key, as
// SOURCE_STATE and STATE_LOG both keep it, followed by more.
func stateObservation(more ...ir.Column) []ir.Column {
	return append([]ir.Column{
		notNull("source", ir.Text),
		notNull("record_key", ir.Text),
		notNull("field", ir.Text),
		notNull("op", ir.Text),
		col("value", ir.Text),
		notNull("event_time", ir.Timestamp),
		notNull("order_key", ir.Text),
		notNull("event_id", ir.Text),
	}, more...)
}

var candidateColumns = []ir.Column{
	notNull("customer_id", ir.Text),
	notNull("field", ir.Text),
	notNull("source", ir.Text),
	notNull("record_key", ir.Text),
	{Name: "raw_value", Type: ir.Text, Comment: "the value as the source sent it"},
	{Name: "value", Type: ir.Text, Comment: "the canonical value after maps and normalizers"},
	{Name: "valid", Type: ir.Bool, Comment: "the value passes the field's accepted values, validator and type"},
	col("event_time", ir.Timestamp),
	col("event_id", ir.Text),
	col("order_key", ir.Text),
	{Name: "via", Type: ir.Text, Comment: "for a derived field, the child the value comes from (a subscription)"},
	{Name: "dropped", Type: ir.Bool, Comment: "removed by a validity filter"},
	{Name: "scores", Type: ir.Text, Comment: "score under each rule of the chain"},
	{Name: "rank", Type: ir.Int, Comment: "1 = the best candidate"},
	col("is_winner", ir.Bool),
	{Name: "decided_by", Type: ir.Text, Comment: "the rule that separated the winner from the runner-up"},
	col("ruleset_version", ir.Text),
}

var customerFieldColumns = []ir.Column{
	notNull("customer_id", ir.Text),
	notNull("field", ir.Text),
	col("value", ir.Text),
	col("source", ir.Text),
	col("record_key", ir.Text),
	col("event_time", ir.Timestamp),
	col("event_id", ir.Text),
	{Name: "rule", Type: ir.Text, Comment: "the rule that decided the value"},
	col("ruleset_version", ir.Text),
	col("candidates", ir.Int),
	col("distinct_values", ir.Int),
	{Name: "conflict", Type: ir.Bool, Comment: "candidates disagree after normalization"},
}

func (b *builder) silver() {
	silver := ir.Ref{Schema: SILVER}
	b.add(&ir.Object{Kind: ir.KindSequence, Ref: ObservationsSeq, Deps: []ir.Ref{silver}, Comment: "order of observations"})
	obsCols := append([]ir.Column{{Name: "obs_seq", Type: ir.Int, NotNull: true,
		Default: ir.NextVal(ObservationsSeq)}}, observationColumns...)
	obsCols = append(obsCols, col("observed_at", ir.Timestamp))
	b.add(&ir.Object{Kind: ir.KindTable, Ref: Observations, Deps: []ir.Ref{silver, ObservationsSeq}, Columns: obsCols,
		Comment: "every asserted value once, deduplicated by the source's event identity"})
	st := ObservationsStreamOf()
	b.add(&ir.Object{Kind: ir.KindStream, Ref: st.Ref, Deps: []ir.Ref{Observations}, Stream: st, Comment: "new observations"})
	b.add(&ir.Object{Kind: ir.KindTable, Ref: Quarantine, Deps: []ir.Ref{silver},
		Comment: "landed lines that could not become observations, with the reason; the line stays in RAW",
		Columns: []ir.Column{
			notNull("source", ir.Text), col("load_seq", ir.Int), col("file_name", ir.Text), col("file_row", ir.Int),
			notNull("reason", ir.Text), col("detail", ir.Text), col("event_time", ir.Timestamp), col("flagged_at", ir.Timestamp),
			{Name: "batch_id", Type: ir.Text, Comment: "the task graph run that flagged the line"},
		}})
	b.add(&ir.Object{Kind: ir.KindTable, Ref: LineCounts, Deps: []ir.Ref{silver},
		Comment: "per batch and source: the lines observe read (reason landed), and the lines it neither observed nor flagged, counted per reason and detail",
		Columns: []ir.Column{
			notNull("source", ir.Text), col("batch_id", ir.Text), notNull("reason", ir.Text), col("detail", ir.Text),
			col("lines", ir.Int), col("counted_at", ir.Timestamp),
		}})
	b.add(&ir.Object{Kind: ir.KindTable, Ref: SourceState, Deps: []ir.Ref{silver}, Columns: stateColumns,
		Comment: "last-writer-wins register per (source, record, field), ordered by order_key"})
	b.add(&ir.Object{Kind: ir.KindTable, Ref: StateLog, Deps: []ir.Ref{silver}, Columns: stateLogColumns,
		Comment: "every observation that is not, or is no longer, its key's state, with a bound of when the next one takes over: late data reads the days it reaches back to"})
	b.add(&ir.Object{Kind: ir.KindTable, Ref: RecordQueue, Deps: []ir.Ref{silver}, Transient: true,
		Columns: []ir.Column{notNull("source", ir.Text), notNull("record_key", ir.Text),
			{Name: "observed", Type: ir.Bool, Comment: "the batch observed the record (or one of its children)"},
			{Name: "from_time", Type: ir.Timestamp, Comment: "the earliest event time of the record's new observations; NULL for the whole timeline (a child attached to it)"}},
		Comment: "work table of the reconcile task: source records changed since the crosswalk last ran"})
	b.add(&ir.Object{Kind: ir.KindTable, Ref: Crosswalk, Deps: []ir.Ref{silver},
		Comment: "(source, record) to customer id",
		Columns: []ir.Column{
			notNull("source", ir.Text), notNull("record_key", ir.Text), notNull("customer_id", ir.Text),
			col("link_value", ir.Text), {Name: "matched_by", Type: ir.Text, Comment: "the match rule that linked the record: customer_link, a match field, or unmatched"},
			col("linked_at", ir.Timestamp),
		}})
	b.add(&ir.Object{Kind: ir.KindTable, Ref: CrosswalkWork, Deps: []ir.Ref{silver}, Transient: true,
		Comment: "work table of the reconcile task: the new links of the queued records",
		Columns: []ir.Column{
			notNull("source", ir.Text), notNull("record_key", ir.Text), notNull("customer_id", ir.Text),
			col("link_value", ir.Text), col("matched_by", ir.Text),
		}})
	b.add(&ir.Object{Kind: ir.KindTable, Ref: MatchKeys, Deps: []ir.Ref{silver},
		Comment: "the canonical value of every match field of every record, with the customer link it carries: identity matching looks values up here",
		Columns: []ir.Column{
			notNull("field", ir.Text), notNull("value", ir.Text), notNull("source", ir.Text), notNull("record_key", ir.Text), col("link", ir.Text),
		}})
	b.add(&ir.Object{Kind: ir.KindTable, Ref: CrosswalkChanges, Deps: []ir.Ref{silver},
		Comment: "every change of a source record's customer, with the match rule that caused it",
		Columns: []ir.Column{
			notNull("source", ir.Text), notNull("record_key", ir.Text), notNull("old_customer_id", ir.Text), notNull("new_customer_id", ir.Text),
			{Name: "reason", Type: ir.Text, Comment: "the match rule that linked the record anew (manual: a steward's link)"},
			col("changed_at", ir.Timestamp),
			{Name: "author", Type: ir.Text, Comment: "for a manual link, the steward who decided it"},
			{Name: "note", Type: ir.Text, Comment: "for a manual link, the steward's reason"},
		}})
	b.manualLinks()
	b.add(&ir.Object{Kind: ir.KindView, Ref: CustomerAliases, Deps: []ir.Ref{CrosswalkChanges, Crosswalk},
		Comment: "customer ids no longer in use, and the customer their records belong to now",
		Query: func(f ir.Fragments) string {
			return fmt.Sprintf(`SELECT DISTINCT
  ch.old_customer_id AS alias_id,
  c.customer_id,
  ch.reason,
  ch.changed_at
FROM %[1]s AS ch
JOIN %[2]s AS c ON c.source = ch.source AND c.record_key = ch.record_key
WHERE ch.old_customer_id NOT IN (SELECT customer_id FROM %[2]s)
  AND ch.changed_at = (SELECT MAX(changed_at) FROM %[1]s AS x WHERE x.source = ch.source AND x.record_key = ch.record_key)`, f.Object(CrosswalkChanges), f.Object(Crosswalk))
		}})
	b.add(&ir.Object{Kind: ir.KindTable, Ref: CustomerQueue, Deps: []ir.Ref{silver},
		Columns: []ir.Column{notNull("customer_id", ir.Text),
			{Name: "from_time", Type: ir.Timestamp, Comment: "resolve again from this event time on; NULL: the whole timeline"}},
		Comment: "customers to resolve again"})
}

func (b *builder) gold() {
	gold := ir.Ref{Schema: GOLD}
	b.add(&ir.Object{Kind: ir.KindTable, Ref: FieldCandidates, Deps: []ir.Ref{gold}, Columns: candidateColumns,
		Comment: "every candidate value per customer and field, with its scores and rank"})
	b.add(&ir.Object{Kind: ir.KindTable, Ref: CustomerFields, Deps: []ir.Ref{gold}, Columns: customerFieldColumns,
		Comment: "the resolved value of every field of every customer, with lineage"})
	b.add(&ir.Object{Kind: ir.KindDynamicTable, Ref: CustomerMaster, Deps: []ir.Ref{CustomerFields},
		Comment:      "one row per customer: each field's value, winning source, record, event time and rule",
		DynamicTable: &ir.DynamicTable{TargetLag: b.s.Project.Schedule, Warehouse: b.s.Project.Warehouse},
		Query:        b.masterQuery})
	b.add(&ir.Object{Kind: ir.KindView, Ref: FieldConflicts, Deps: []ir.Ref{CustomerFields},
		Comment: "customers and conflicts per field",
		Query: func(f ir.Fragments) string {
			return fmt.Sprintf(`SELECT
  field,
  COUNT(*) AS customers,
  SUM(CASE WHEN conflict THEN 1 ELSE 0 END) AS conflicts
FROM %s
GROUP BY field`, f.Object(CustomerFields))
		}})
	b.add(&ir.Object{Kind: ir.KindView, Ref: RuleDecisions, Deps: []ir.Ref{CustomerFields},
		Comment: "how many values each rule decided, per field",
		Query: func(f ir.Fragments) string {
			return fmt.Sprintf(`SELECT
  field,
  rule,
  COUNT(*) AS customers
FROM %s
GROUP BY field, rule`, f.Object(CustomerFields))
		}})
}

func (b *builder) masterQuery(f ir.Fragments) string {
	var cols []string
	cols = append(cols, "  customer_id")
	for _, fld := range b.s.Fields {
		pick := func(c string) string {
			return fmt.Sprintf("MAX(CASE WHEN field = %s THEN %s END)", f.Str(fld.Name), c)
		}
		v := pick("value")
		switch t := fieldType(fld.Type); {
		case t == ir.Decimal:
			// An integer only when the text spells one: a winning 12.5
			// (a field without a validity rule) is NULL here, not 13.
			v = exactInteger(f, v)
		case t == ir.Float:
			v = f.TextToFloat(v)
		case t != ir.Text:
			v = fmt.Sprintf("TRY_CAST(%s AS %s)", v, f.Type(t))
		}
		cols = append(cols,
			fmt.Sprintf("  %s AS %s", v, f.Ident(fld.Name)),
			fmt.Sprintf("  %s AS %s", pick("source"), f.Ident(fld.Name+"__source")),
			fmt.Sprintf("  %s AS %s", pick("record_key"), f.Ident(fld.Name+"__record_key")),
			fmt.Sprintf("  %s AS %s", pick("event_time"), f.Ident(fld.Name+"__event_time")),
			fmt.Sprintf("  %s AS %s", pick("rule"), f.Ident(fld.Name+"__rule")),
		)
	}
	cols = append(cols, "  MAX(ruleset_version) AS ruleset_version")
	return fmt.Sprintf("SELECT\n%s\nFROM %s\nGROUP BY customer_id", strings.Join(cols, ",\n"), f.Object(CustomerFields))
}

func (b *builder) ops() {
	b.add(&ir.Object{Kind: ir.KindTable, Ref: Batches, Deps: []ir.Ref{{Schema: OPS}},
		Comment: "one row per run of the task graph",
		Columns: []ir.Column{
			notNull("batch_id", ir.Text), col("started_at", ir.Timestamp), col("finished_at", ir.Timestamp), col("ruleset_version", ir.Text),
		}})
}
