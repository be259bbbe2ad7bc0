package ir

import (
	"strings"
	"time"
)

// Kind is the kind of a warehouse object.
type Kind string

// Object kinds, in the order their files are numbered.
const (
	KindSchema       Kind = "schema"
	KindSequence     Kind = "sequence"
	KindTable        Kind = "table"
	KindFileFormat   Kind = "file_format"
	KindStage        Kind = "stage"
	KindPipe         Kind = "pipe"
	KindStream       Kind = "stream"
	KindView         Kind = "view"
	KindDynamicTable Kind = "dynamic_table"
	KindProcedure    Kind = "procedure"
	KindTask         Kind = "task"
	// Security objects: policies, the PII tag with its assignments, and
	// roles with their grants. Dialects without them render nothing.
	KindPolicy Kind = "policy"
	KindTag    Kind = "tag"
	KindRole   Kind = "role"
)

// Kinds lists every kind in creation order.
var Kinds = []Kind{KindSchema, KindSequence, KindTable, KindFileFormat, KindStage, KindPipe, KindStream, KindView, KindDynamicTable, KindProcedure, KindTask, KindPolicy, KindTag, KindRole}

// Ref names a schema object (for a schema, Name is empty).
type Ref struct{ Schema, Name string }

func (r Ref) String() string {
	if r.Name == "" {
		return r.Schema
	}
	return r.Schema + "." + r.Name
}

// ParseRef reads a Ref written by String.
func ParseRef(s string) Ref {
	schema, name, _ := strings.Cut(s, ".")
	return Ref{Schema: schema, Name: name}
}

// SQL is dialect-neutral SQL text: it is written once and asks the dialect
// for the fragments that differ.
type SQL func(f Fragments) string

// Object is one node of the plan's DAG.
type Object struct {
	Kind    Kind
	Ref     Ref
	Comment string
	// Deps are the objects that must exist before this one.
	Deps []Ref

	Columns []Column // table
	// Transient marks a table of scratch rows (a work table emptied by the
	// task that fills it): dialects with Time Travel and Fail-safe keep no
	// history of it.
	Transient    bool
	Query        SQL           // view, dynamic table
	Stage        *Stage        // stage
	FileFormat   *FileFormat   // file format
	Pipe         *Pipe         // pipe
	Stream       *Stream       // stream
	DynamicTable *DynamicTable // dynamic table
	Procedure    *Procedure    // procedure
	Task         *Task         // task
	Policy       *Policy       // policy
	Tag          *Tag          // tag
	Role         *Role         // role

	// TimeTravelDays, on a schema, is the Time Travel its tables inherit;
	// nil leaves the account's default.
	TimeTravelDays *int

	// Was, on a table, is the name (in the same schema) it had before: a
	// database that still has a table of that name renames it.
	Was string
	// Moves, on a table, are rows of another table that it takes over
	// when it is created in a database that has that table.
	Moves *Moves
}

// Moves are the rows of From for which Where holds: a new table takes them
// over (they are inserted into it and deleted from From). Key identifies a
// row, so that moving again after a failure half-way moves nothing twice.
type Moves struct {
	From  Ref
	Where string
	Key   []string
}

// Procedure runs its steps in one transaction. Dialects whose runtime plays
// the procedure itself (the local runner) may render nothing for it.
type Procedure struct {
	Args  []Arg
	Steps []SQL
	// Scratch are the relations the steps read by Fragments.Scratch.
	Scratch []Scratch
	// BatchArg names the argument that carries the batch id: within the
	// steps, Fragments.BatchID is that argument, so that the procedure runs
	// the same inside a task run and when called by hand.
	BatchArg string
	// Result, when set, is what the procedure returns (a variable its
	// steps set, say); otherwise it returns 'done'.
	Result SQL
}

// Arg is a procedure argument, referenced in steps with Fragments.Param.
type Arg struct {
	Name string
	Type Type
}

// Column is a table column.
type Column struct {
	Name    string
	Type    Type
	NotNull bool
	Default *Default
	Comment string
}

// Default is a column's default value. It is data, not SQL, so that the
// migration history can store it once and a dialect registered later can
// still render it.
type Default struct {
	// Sequence is the sequence whose next value the column takes.
	Sequence Ref
}

// NextVal is the default that draws from sequence seq.
func NextVal(seq Ref) *Default { return &Default{Sequence: seq} }

// SQL renders the default in a dialect.
func (d *Default) SQL(f Fragments) string { return f.NextVal(d.Sequence) }

// Stage is an external stage of landed files.
type Stage struct {
	URL                string
	StorageIntegration string
	FileFormat         Ref
	// KMSKeyID, when set, is the AWS KMS key the stage's files are
	// encrypted with on the server side.
	KMSKeyID string
}

// Policy is a masking policy (Masking) or a row access policy: a function
// of the protected value Arg, of type Type, written as Body.
type Policy struct {
	RowAccess bool
	Arg       string
	Type      Type
	Body      SQL
	// On, for a row access policy, are the columns it is attached to.
	On []TagColumn
}

// Tag is an object tag: its allowed values, the masking policies attached
// to it (one per data type), and the columns it is set on.
type Tag struct {
	AllowedValues []string
	Policies      []Ref
	Columns       []TagColumn
	// RowAccess, when set, is attached to RowAccessOn's column RowAccessColumn.
	RowAccess   *Ref
	RowAccessOn []TagColumn
}

// TagColumn is a column the tag is set on, with its value.
type TagColumn struct {
	Object Ref
	Kind   Kind // table, view or dynamic table
	Column string
	Value  string
}

// Role is a warehouse role: the roles it is granted (inherits) and its
// privileges.
type Role struct {
	// Name is the role's name in the warehouse.
	Name     string
	Inherits []string
	Grants   []Grant
	// AccountGrants are account-level privileges (EXECUTE TASK): granted
	// by an account administrator, listed here for the matrix and drift.
	AccountGrants []string
}

// Grant is privileges on one object, on every object of a kind in a
// schema (All), or on the future objects of a kind in a schema (Future).
type Grant struct {
	Privileges []string
	// On is the object type as GRANT spells it: DATABASE, SCHEMA, TABLE,
	// VIEW, DYNAMIC TABLE, STAGE, FILE FORMAT, PIPE, TASK, PROCEDURE.
	On  string
	Ref Ref // the object; for All and Future, Ref.Schema is the schema
	// Args, for a procedure, are its argument types.
	Args   []Type
	All    bool
	Future bool
}

// Pipe loads every line of every new file of a stage into a RAW table, as
// text: the pipe parses nothing.
type Pipe struct {
	Stage Ref
	Table Ref
	// Documents: the stage's file format reads JSON documents (rows are
	// VARIANTs); the line loaded is each document's JSON text.
	Documents bool
	// Sequence numbers the loaded lines (the table's load_seq): the pipe
	// draws from it itself, as a load may not leave a column with a
	// sequence default to that default.
	Sequence Ref
	// Folder is the stage sub-folder the pipe loads from.
	Folder string
}

// Stream is an append-only change stream on a table.
type Stream struct {
	Ref   Ref
	Table Ref
	// SequenceColumn is the table's monotonic column, used by dialects
	// that emulate streams with offsets (which see inserts only).
	SequenceColumn string
	// Changes: the stream reports deletions and updates too (a standard
	// stream); otherwise it is append-only.
	Changes bool
}

// DynamicTable is a table kept equal to its query by the warehouse.
type DynamicTable struct {
	TargetLag time.Duration
	Warehouse string
}

// Task is one node of the task graph. Steps run in order in one
// transaction; the streams in Consumes advance when it commits.
type Task struct {
	Root     bool
	Schedule time.Duration
	// Warehouse runs the task; empty, the task runs on serverless compute
	// starting at InitialSize and sized to finish within
	// TargetCompletion (when set).
	Warehouse        string
	InitialSize      string
	TargetCompletion time.Duration
	// Timeout ends a run of the task that takes longer (0: the dialect's
	// default).
	Timeout time.Duration
	// Graph holds the settings of the whole graph, on the root task only.
	Graph *TaskGraph
	After []Ref
	// Predecessors is the condition on the outcomes of the tasks in After
	// under which this task runs.
	Predecessors Predecessors
	// FinalizerOf names the root task this finalizer belongs to.
	FinalizerOf *Ref
	// Cron, on a root, schedules it by a cron expression and time zone
	// ("0 3 * * * UTC") instead of Schedule: a graph of its own, apart from
	// the batch graph.
	Cron string
	// When: the task runs only when one of these streams has data.
	When     []*Stream
	Consumes []*Stream
	Steps    []SQL
	// Scratch are the relations the steps read by Fragments.Scratch.
	Scratch []Scratch
	// Call, when set, names a procedure with the same steps: dialects with
	// procedures render the task as a call of it, passing CallArgs.
	Call     *Ref
	CallArgs []SQL
}

// Scratch is a relation the steps of a task read more than once
// (Fragments.Scratch): its name within the task and its rows.
type Scratch struct {
	Name  string
	Query SQL
}

// TaskGraph is what a root task sets for every run of its graph.
type TaskGraph struct {
	// Overlap says whether a run may start while the previous one is still
	// running: OverlapNone, the only policy the graph's stream consumption
	// is correct under, or another dialect-defined name.
	Overlap string
	// Retries is how many times a failed run is retried from the failed
	// task.
	Retries int
	// SuspendAfterFailures suspends the graph after that many consecutive
	// failed runs of any one task (0: never).
	SuspendAfterFailures int
}

// OverlapNone: a run of the graph starts only once the previous run has
// finished.
const OverlapNone = "no_overlap"

// Predecessors is a condition on the outcomes of a task's predecessors.
type Predecessors string

// Predecessor conditions. The local runner runs the tasks one after the
// other and skips every task after a failed one, but not after a skipped
// one: for a task that joins several predecessors, NoneFailed.
const (
	// AllSucceeded runs the task only when every predecessor ran and
	// succeeded (a predecessor skipped by its condition stops it).
	AllSucceeded Predecessors = ""
	// NoneFailed runs the task when every predecessor succeeded or was
	// skipped.
	NoneFailed Predecessors = "none_failed"
)

// FileFormat is how a stage's files are read: lines of text (NDJSON, one
// event a line) or JSON documents, one or several a file, pretty-printed
// or not.
type FileFormat struct {
	Documents bool
}
