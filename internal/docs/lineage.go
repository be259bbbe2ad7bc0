package docs

import (
	"regexp"
	"sort"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/dialect/snowflake"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/plan"
)

// Edge kinds of the lineage graph.
const (
	// EdgeData: rows flow from From to To (a table read by a task, a task
	// writing a table, a stage loaded by a pipe, a table a view selects).
	EdgeData = "data"
	// EdgeCall: a task calls a procedure that does its work.
	EdgeCall = "call"
	// EdgeDelete: From only deletes rows of To (a purge, a work table
	// emptied): no rows flow into To.
	EdgeDelete = "delete"
	// EdgeUses: From must exist for To (a file format of a stage, a
	// sequence, a policy of a tag): no rows flow.
	EdgeUses = "uses"
)

// Edge is one arrow of the lineage graph.
type Edge struct {
	From, To ir.Ref
	Kind     string
}

// Lineage is what each object of a plan reads and writes.
type Lineage struct {
	Edges []Edge
	// Reads and Writes are, per object, the objects it reads rows from
	// and writes rows to (tasks, procedures, pipes, views), sorted;
	// Deletes those it only deletes rows of.
	Reads, Writes, Deletes map[ir.Ref][]ir.Ref
}

// BuildLineage derives the lineage of every object of p from the plan
// itself, in one place:
//
//   - a pipe reads its stage and writes its table; a stream reads its
//     table; a view or dynamic table reads its dependencies;
//   - a task reads the streams it runs on (When, Consumes) and calls its
//     procedure (Call); a task without one, and every procedure, reads and
//     writes what its statements name. The statements are rendered with
//     Fragments that record each object they name (Object, Stream; not
//     LoadErrors, which reads the warehouse's load history, not the
//     tables' rows): an object named right after INSERT INTO, MERGE INTO,
//     or UPDATE is written, every other one read.
//     Only names the plan passes to the fragments are considered, never
//     identifiers found in the SQL text. An object named after DELETE
//     FROM or TRUNCATE, and not written, is deleted from (EdgeDelete);
//   - the remaining dependencies of objects that carry no rows (schemas,
//     sequences, file formats, policies, tags, roles) are EdgeUses.
//
// Edges are sorted and unique.
func BuildLineage(p *plan.Plan) *Lineage {
	l := &Lineage{Reads: map[ir.Ref][]ir.Ref{}, Writes: map[ir.Ref][]ir.Ref{}, Deletes: map[ir.Ref][]ir.Ref{}}
	seen := map[Edge]bool{}
	add := func(from, to ir.Ref, kind string) {
		if from == to {
			return
		}
		e := Edge{From: from, To: to, Kind: kind}
		if !seen[e] {
			seen[e] = true
			l.Edges = append(l.Edges, e)
		}
	}
	exists := map[ir.Ref]bool{}
	for _, o := range p.Objects {
		exists[o.Ref] = true
	}
	r := renderer(p)
	for _, o := range p.Objects {
		var reads, writes, deletes []ir.Ref
		switch {
		case o.Kind == ir.KindPipe && o.Pipe != nil:
			reads, writes = []ir.Ref{o.Pipe.Stage}, []ir.Ref{o.Pipe.Table}
		case o.Kind == ir.KindStream && o.Stream != nil:
			reads = []ir.Ref{o.Stream.Table}
		case o.Kind == ir.KindView || o.Kind == ir.KindDynamicTable:
			for _, d := range o.Deps {
				if d.Name != "" {
					reads = append(reads, d)
				}
			}
		case o.Kind == ir.KindTask && o.Task != nil:
			for _, s := range append(append([]*ir.Stream{}, o.Task.When...), o.Task.Consumes...) {
				reads = append(reads, s.Ref)
			}
			if o.Task.Call != nil {
				add(o.Ref, *o.Task.Call, EdgeCall)
				break
			}
			rd, wr, del := statementRefs(r, o.Task.Steps)
			reads, writes, deletes = append(reads, rd...), wr, del
		case o.Kind == ir.KindProcedure && o.Procedure != nil:
			steps := o.Procedure.Steps
			if o.Procedure.Result != nil {
				steps = append(append([]ir.SQL{}, steps...), o.Procedure.Result)
			}
			reads, writes, deletes = statementRefs(r, steps)
		default:
			for _, d := range o.Deps {
				// Every object depends on its schema: the page groups
				// objects by schema instead of drawing those arrows.
				if exists[d] && d.Name != "" {
					add(d, o.Ref, EdgeUses)
				}
			}
			continue
		}
		reads, writes, deletes = uniqueRefs(reads, exists), uniqueRefs(writes, exists), uniqueRefs(deletes, exists)
		// What an object writes it is not said to read or delete as
		// well: the arrow shows where its rows go.
		written := map[ir.Ref]bool{}
		for _, w := range writes {
			written[w] = true
			add(o.Ref, w, EdgeData)
		}
		var deleted []ir.Ref
		for _, d := range deletes {
			if !written[d] {
				written[d] = true
				deleted = append(deleted, d)
				add(o.Ref, d, EdgeDelete)
			}
		}
		if len(deleted) > 0 {
			l.Deletes[o.Ref] = deleted
		}
		var kept []ir.Ref
		for _, rd := range reads {
			if !written[rd] {
				kept = append(kept, rd)
				add(rd, o.Ref, EdgeData)
			}
		}
		if len(kept) > 0 {
			l.Reads[o.Ref] = kept
		}
		if len(writes) > 0 {
			l.Writes[o.Ref] = writes
		}
	}
	sort.Slice(l.Edges, func(i, j int) bool {
		a, b := l.Edges[i], l.Edges[j]
		if a.From != b.From {
			return a.From.String() < b.From.String()
		}
		if a.To != b.To {
			return a.To.String() < b.To.String()
		}
		return a.Kind < b.Kind
	})
	return l
}

// CheckRefs are the objects the statements of a data-quality check read
// and write.
func CheckRefs(p *plan.Plan, check string) (reads, writes []ir.Ref) {
	exists := map[ir.Ref]bool{}
	for _, o := range p.Objects {
		exists[o.Ref] = true
	}
	rd, wr, _ := statementRefs(renderer(p), p.Checks[check])
	wr = uniqueRefs(wr, exists)
	written := map[ir.Ref]bool{}
	for _, w := range wr {
		written[w] = true
	}
	for _, r := range uniqueRefs(rd, exists) {
		if !written[r] {
			reads = append(reads, r)
		}
	}
	return reads, wr
}

func renderer(p *plan.Plan) dialect.Renderer {
	r, err := dialect.Get(snowflake.Name)
	if err != nil {
		panic(err) // registered by the import of the package
	}
	r.Configure(dialect.Settings{Database: p.Spec.Project.Database, Warehouse: p.Spec.Project.Warehouse})
	return r
}

// Markers around a recorded name: control characters that neither an
// identifier nor a quoted literal of the rendering contains.
const (
	markOpen  = "\x01"
	markClose = "\x02"
)

// writeTarget matches a recorded name that a statement writes rows to;
// deleteTarget one it deletes rows of.
var (
	writeTarget  = regexp.MustCompile(`(?i)\b(?:INSERT\s+(?:OVERWRITE\s+)?INTO|MERGE\s+INTO|UPDATE)\s+` + markOpen + `([^` + markClose + `]*)` + markClose)
	deleteTarget = regexp.MustCompile(`(?i)\b(?:DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?(?:\s+IF\s+EXISTS)?)\s+` + markOpen + `([^` + markClose + `]*)` + markClose)
)

var recorded = regexp.MustCompile(markOpen + `([^` + markClose + `]*)` + markClose)

// statementRefs renders steps with recording fragments and returns the
// objects they read, write and delete from, in the order first named.
func statementRefs(f ir.Fragments, steps []ir.SQL) (reads, writes, deletes []ir.Ref) {
	rec := recorder{f}
	for _, s := range steps {
		text := s(rec)
		isWrite := map[int]bool{}
		for _, m := range writeTarget.FindAllStringSubmatchIndex(text, -1) {
			isWrite[m[2]] = true
			writes = append(writes, ir.ParseRef(text[m[2]:m[3]]))
		}
		for _, m := range deleteTarget.FindAllStringSubmatchIndex(text, -1) {
			isWrite[m[2]] = true
			deletes = append(deletes, ir.ParseRef(text[m[2]:m[3]]))
		}
		for _, m := range recorded.FindAllStringSubmatchIndex(text, -1) {
			if !isWrite[m[2]] {
				reads = append(reads, ir.ParseRef(text[m[2]:m[3]]))
			}
		}
	}
	return reads, writes, deletes
}

// recorder renders every object name as a marked Ref.
type recorder struct{ ir.Fragments }

func mark(r ir.Ref) string { return markOpen + r.String() + markClose }

func (recorder) Object(r ir.Ref) string     { return mark(r) }
func (recorder) Stream(s *ir.Stream) string { return mark(s.Ref) }

// uniqueRefs keeps the first of each ref that names an object of the
// plan, sorted.
func uniqueRefs(refs []ir.Ref, exists map[ir.Ref]bool) []ir.Ref {
	seen := map[ir.Ref]bool{}
	var out []ir.Ref
	for _, r := range refs {
		if exists[r] && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}
