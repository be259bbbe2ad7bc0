// Package spec loads and validates the declarative model under models/: the
// project, the canonical customer with its fields, the sources and the
// survivorship rules. Load reads every YAML file of a folder, keeps the file,
// line and column of every node, and reports every problem at once as
// "file:line:col: message".
package spec

import (
	"fmt"
	"strings"
	"time"
)

// Pos is where a value was written in the spec.
type Pos struct {
	File string
	Line int
	Col  int
}

// String is file:line:col (file alone without a line).
func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Spec is a validated model. Slices keep declaration order, which is the
// order objects are generated in.
type Spec struct {
	Project Project
	Fields  []*Field
	Sources []*Source
	// Match is the ordered list of identity rules linking a source record
	// to a customer: MatchLink (the customer link the record carries), then
	// fields whose canonical value must equal a linked record's.
	Match    []string
	MatchPos Pos
	// Checks are the data-quality checks, built in and configured.
	Checks []*Check
	// Retention is how long each layer keeps its rows (retention.go).
	Retention Retention
	// Overrides are the steward overrides of models/overrides/ (data, not
	// rules: they are not part of the rule-set version).
	Overrides []FileOverride
}

// Check is one data-quality check with its settings.
type Check struct {
	Name string
	// Severity is "info" (a count, never a failure), "warn" (record and
	// publish) or "error" (hold the batch back from gold).
	Severity string
	// For rate checks (conflict_rate, volume): flag when the z-score
	// against the trailing baseline passes Z and the change passes Floor,
	// once MinHistory earlier batches exist.
	Z          float64
	Floor      float64
	MinHistory int
	// Share is where quarantine_share fails: the share of a source's
	// lines of the batch that were quarantined, from 0 (exclusive) to 1
	// (every line).
	Share float64
	// Fields overrides the settings per field (conflict_rate) or source
	// (volume).
	Fields map[string]*Check
	Pos    Pos
}

// Built-in check names.
const (
	CheckParseFailures = "parse_failures"
	CheckNullKeys      = "null_record_keys"
	CheckGapEvents     = "gap_events"
	CheckInvalidValues = "invalid_values"
	CheckDuplicates    = "duplicate_customers"
	CheckOrphanLinks   = "orphan_links"
	CheckFreshness     = "freshness"
	CheckConflictRate  = "conflict_rate"
	CheckVolume        = "volume"
	CheckUnconvertible = "unconvertible_values"
	CheckLoadErrors    = "load_errors"
	// CheckQuarantineShare is, per source, the share of the batch's lines
	// quarantined.
	CheckQuarantineShare = "quarantine_share"
	// CheckUnmappedTypes counts, per source and event type, the lines of
	// types no mapping reads.
	CheckUnmappedTypes = "unmapped_event_types"
	// CheckReplacedCharacters counts, per source, the lines of the batch
	// in which the load replaced invalid UTF-8 (U+FFFD).
	CheckReplacedCharacters = "replaced_characters"
)

// BuiltinChecks lists every check with its default severity.
var BuiltinChecks = []Check{
	{Name: CheckParseFailures, Severity: "warn"},
	{Name: CheckNullKeys, Severity: "warn"},
	{Name: CheckGapEvents, Severity: "warn"},
	{Name: CheckInvalidValues, Severity: "warn"},
	{Name: CheckDuplicates, Severity: "error"},
	{Name: CheckOrphanLinks, Severity: "error"},
	{Name: CheckFreshness, Severity: "warn"},
	{Name: CheckConflictRate, Severity: "warn", Z: 3, Floor: 0.1, MinHistory: 10},
	{Name: CheckVolume, Severity: "warn", Z: 3, Floor: 0.5, MinHistory: 10},
	{Name: CheckUnconvertible, Severity: "warn"},
	{Name: CheckLoadErrors, Severity: "warn"},
	{Name: CheckQuarantineShare, Severity: "error", Share: 1},
	{Name: CheckUnmappedTypes, Severity: "info"},
	{Name: CheckReplacedCharacters, Severity: "warn"},
}

// CheckByName returns the named check or nil.
func (s *Spec) CheckByName(name string) *Check {
	return byName(s.Checks, name, func(c *Check) string { return c.Name })
}

// For returns the settings of a rate check for one field or source.
func (c *Check) For(key string) *Check {
	if o, ok := c.Fields[key]; ok {
		return o
	}
	return c
}

// MatchLink is the identity rule "the record carries the customer link".
const MatchLink = "customer_link"

// Project holds pipeline-wide settings.
type Project struct {
	Name            string
	Database        string
	Warehouse       string
	Schedule        time.Duration
	FreshnessTarget time.Duration
	// BackfillSlice is how many customers a run re-resolves at most from
	// the backfill queue a new rule-set version fills.
	BackfillSlice int
	RulesetLabel  string
	// KeepOverrides keeps a steward's override in force when a source later
	// sends the same value (project.overrides.keep_when_source_agrees);
	// by default the override then ends and the rules decide again.
	KeepOverrides      bool
	StageURL           string
	StorageIntegration string
	// KMSKeyID is the AWS KMS key (id or ARN) the stage's S3 files are
	// encrypted with (project.stage.kms_key_id): required with an s3:// url.
	KMSKeyID string
	// RowAccess, when set, restricts GOLD's rows by one field's value
	// (project.row_access).
	RowAccess *RowAccess
	// Tasks is how the task graph runs and what it does on failure.
	Tasks TaskPolicy
	Pos   Pos
}

// RowAccess restricts which rows of gold a role reads: a row whose Field
// has value v is read by the roles that Mapping (a table in AUDIT, with
// columns role_name and value) pairs with v, and by the roles that run
// the pipeline.
type RowAccess struct {
	Field   string
	Mapping string
	Pos     Pos
}

// TaskPolicy is the compute and the failure policy of the task graph
// (project.tasks). Load fills every field, with the defaults below for what
// the spec leaves out.
type TaskPolicy struct {
	// Compute is ComputeWarehouse (the tasks run on Warehouse) or
	// ComputeServerless (Snowflake sizes the compute, starting at
	// InitialSize, to finish within TargetCompletion when it is set).
	Compute          string
	Warehouse        string
	InitialSize      string
	TargetCompletion time.Duration
	// Overlap is OverlapNone: a run starts only once the previous one has
	// finished.
	Overlap string
	// Timeout ends a task run that takes longer.
	Timeout time.Duration
	// Retries is how many times a failed graph run is retried from the
	// task that failed.
	Retries int
	// SuspendAfterFailures suspends the graph once one task has failed
	// that many runs in a row (0: never).
	SuspendAfterFailures int
	Pos                  Pos
}

// Task compute kinds.
const (
	ComputeWarehouse  = "warehouse"
	ComputeServerless = "serverless"
)

// OverlapNone is the only overlap policy the graph supports: its tasks
// consume streams and merge into the same tables, so two runs at once would
// process the same rows twice.
const OverlapNone = "no_overlap"

// Task policy defaults, chosen for a one-minute schedule: a stuck run is
// ended after five minutes (half the freshness target) instead of blocking
// an hour of schedules; a failed run is retried twice from the failed task
// (Snowflake does not count system errors as failures, so what fails three
// times is the data or the SQL); and five such runs in a row suspend the
// graph, which monitoring reports, instead of failing every minute.
const (
	DefaultTaskTimeout              = 5 * time.Minute
	DefaultTaskRetries              = 2
	DefaultTaskSuspendAfterFailures = 5
)

// WarehouseSizes are the sizes a serverless task can start at.
var WarehouseSizes = []string{"XSMALL", "SMALL", "MEDIUM", "LARGE", "XLARGE", "XXLARGE"}

// Field types.
const (
	TypeString    = "string"
	TypeInteger   = "integer"
	TypeNumber    = "number"
	TypeBoolean   = "boolean"
	TypeTimestamp = "timestamp"
)

// Field is one canonical customer field.
type Field struct {
	Name      string
	Type      string
	PII       bool
	Normalize []string // trim, lower, upper
	Map       []Pair   // value map applied after normalizers
	Accepted  []string
	Valid     string // "", "email"
	// Rules is the survivorship chain; empty when SameRecordAs is set.
	Rules []Rule
	// SameRecordAs names the field whose winning record this field follows.
	SameRecordAs    string
	SameRecordAsPos Pos
	Pos             Pos
	RulesPos        Pos
}

// Pair is one entry of an ordered string map.
type Pair struct{ From, To string }

// Rule kinds: each is an entry of RuleKinds (rulekinds.go), which says how
// it is written, checked and hashed.
const (
	RuleValid      = "valid"
	RulePriority   = "priority"
	RuleMostRecent = "most_recent"
	RuleTrust      = "trust"
	RuleNonNull    = "non_null"
	RuleFrequency  = "frequency"
)

// Rule is one step of a survivorship chain.
type Rule struct {
	Kind string
	// Downgrade, for valid: rank invalid values last instead of dropping them.
	Downgrade bool
	// Priority lists sources, best first.
	Priority    []string
	PriorityPos []Pos
	// Trust per source (sources not listed have trust 0).
	Trust []SourceWeight
	Decay *Decay
	Pos   Pos
}

// SourceWeight is a per-source trust.
type SourceWeight struct {
	Source string
	Weight float64
	Pos    Pos
}

// Decay lowers trust with the age of a value, measured against the newest
// candidate of the same customer and field (never the wall clock).
type Decay struct {
	// Curve is "exponential" (HalfLife) or "linear" (Over).
	Curve    string
	HalfLife time.Duration
	Over     time.Duration
	Min      float64
	Max      float64
}

// Formats of landed events.
const (
	FormatDebezium      = "debezium"
	FormatSalesforceCDC = "salesforce_cdc"
	FormatStripeEvents  = "stripe_events"
	FormatWal2JSON      = "wal2json"
)

// Source is one system asserting customer values.
type Source struct {
	Name    string
	System  string
	Format  string
	Table   string // debezium, wal2json: schema.table
	Object  string // salesforce entity or stripe object
	Landing string // folder below the stage
	// Framing is how the producer writes its files: FramingLines (NDJSON,
	// the default) or FramingDocuments (whole JSON documents, one or
	// several a file, pretty-printed or not: a Stripe event saved as
	// received).
	Framing string
	Key     []string
	// Customer is the path of the link to the customer id (the app account id).
	Customer []string
	Fields   []FieldMap
	// Children are entities the source's events also carry (Stripe
	// subscriptions of a customer), from which fields can be derived.
	Children []*Child
	Pos      Pos
}

// Child is an entity belonging to a source record: its own events, its own
// key, and the path of its parent record's key.
type Child struct {
	Name   string
	Object string
	Key    []string
	Parent []string
	// Current picks one child per parent: children whose Exclude field is
	// not in ExcludeValues first, then the latest by Latest, then by key.
	ExcludeField  []string
	ExcludeValues []string
	Latest        []string
	Pos           Pos
}

// ChildField is the observation field name of a child path.
func ChildField(path []string) string { return strings.Join(path, ".") }

// Child returns the named child or nil.
func (src *Source) Child(name string) *Child {
	for _, c := range src.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Label is the source column value of a child's observations.
func (c *Child) Label(src *Source) string { return src.Name + ":" + c.Name }

// FieldMap maps one canonical field to a path in the source's record document.
type FieldMap struct {
	Field string
	Path  []string
	Map   []Pair // source value map, applied to the raw text first
	// Child, when set, derives the field from the current child of the
	// record (Path is then a path in the child's document).
	Child string
	Pos   Pos
}

// FieldByName returns the named field or nil.
func (s *Spec) FieldByName(name string) *Field {
	return byName(s.Fields, name, fieldName)
}

// FieldNames are the customer's fields, in declaration order.
func (s *Spec) FieldNames() []string { return namesOf(s.Fields, fieldName) }

// SourceNames are the sources, in declaration order.
func (s *Spec) SourceNames() []string { return namesOf(s.Sources, sourceName) }

func fieldName(f *Field) string     { return f.Name }
func sourceName(src *Source) string { return src.Name }

// byName returns the first of items that name calls want, or nil.
func byName[T any](items []*T, want string, name func(*T) string) *T {
	for _, it := range items {
		if name(it) == want {
			return it
		}
	}
	return nil
}

// namesOf are the names of items, in their order (nil for none).
func namesOf[T any](items []T, name func(T) string) []string {
	var out []string
	for _, it := range items {
		out = append(out, name(it))
	}
	return out
}

// HasPII says whether a field is tagged pii: true.
func (s *Spec) HasPII() bool {
	for _, f := range s.Fields {
		if f.PII {
			return true
		}
	}
	return false
}

// SourceByName returns the named source or nil.
func (s *Spec) SourceByName(name string) *Source {
	return byName(s.Sources, name, sourceName)
}

// Mapping returns the source's mapping of a canonical field, or nil.
func (src *Source) Mapping(field string) *FieldMap {
	for i := range src.Fields {
		if src.Fields[i].Field == field {
			return &src.Fields[i]
		}
	}
	return nil
}

// Framings of a source's files.
const (
	FramingLines     = "lines"
	FramingDocuments = "documents"
)
