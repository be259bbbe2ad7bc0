package docs

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/generator/spec"
)

// page is what the template shows: everything sorted and as text.
type page struct {
	Project, Database, Ruleset string
	Schedule, Freshness        string
	Match                      []string
	Counts                     []count
	Fields                     []fieldDoc
	Sources                    []sourceDoc
	Lineage                    string // SVG, escaped when drawn
	TaskGraph                  string // SVG
	Tasks                      []taskDoc
	Checks                     []checkDoc
	Schemas                    []schemaDoc
	Stats                      *statsDoc
}

type count struct {
	Label string
	N     int
}

type fieldDoc struct {
	Name, Type, Normalize, Map, Accepted, Valid string
	PII                                         bool
	SameRecordAs                                string
	Rules                                       []string
	Sources                                     []fieldSource
	Stats                                       *FieldStats
}

type fieldSource struct {
	Source, Path, Map string
}

type sourceDoc struct {
	Name, System, Format, Object, Landing, Framing, Key, Customer string
	Fields                                                        []string
	Objects                                                       []ir.Ref
}

type taskDoc struct {
	Ref                                  ir.Ref
	Schedule, Condition, Warehouse, Kind string
	After, When, Consumes                []ir.Ref
	Call                                 *ir.Ref
}

type checkDoc struct {
	Name, Severity, Settings, Purpose string
	Overrides                         []string
	Reads, Writes                     []ir.Ref
}

type schemaDoc struct {
	Name    string
	Objects []objectDoc
}

type objectDoc struct {
	Ref                                  ir.Ref
	Kind, Comment                        string
	Columns                              []columnDoc
	Reads, Writes, Deletes, Uses         []ir.Ref
	ReadBy, WrittenBy, DeletedBy, UsedBy []ir.Ref
	Details                              []string
}

type columnDoc struct {
	Name, Type, Comment string
	NotNull             bool
}

type statsDoc struct {
	Customers int64
	Fields    []FieldStats
}

// build assembles the page of a plan (and of a database's figures).
func build(p *plan.Plan, stats *Stats) *page {
	s := p.Spec
	lin := BuildLineage(p)
	pg := &page{
		Project:   s.Project.Name,
		Database:  s.Project.Database,
		Ruleset:   p.RulesetVersion,
		Schedule:  duration(s.Project.Schedule),
		Freshness: duration(s.Project.FreshnessTarget),
		Match:     s.Match,
	}
	kinds := map[ir.Kind]int{}
	for _, o := range p.Objects {
		kinds[o.Kind]++
	}
	for _, k := range ir.Kinds {
		if kinds[k] > 0 {
			pg.Counts = append(pg.Counts, count{string(k), kinds[k]})
		}
	}
	for _, f := range s.Fields {
		pg.Fields = append(pg.Fields, fieldDocOf(s, f, stats.Field(f.Name)))
	}
	for _, src := range s.Sources {
		pg.Sources = append(pg.Sources, sourceDocOf(p, src))
	}
	pg.Lineage = lineageSVG(p, lin)
	pg.TaskGraph, pg.Tasks = taskGraph(p)
	pg.Checks = checkDocs(p)
	pg.Schemas = objectDocs(p, lin)
	if stats != nil {
		pg.Stats = &statsDoc{Customers: stats.Customers, Fields: stats.Fields}
	}
	return pg
}

func fieldDocOf(s *spec.Spec, f *spec.Field, st *FieldStats) fieldDoc {
	d := fieldDoc{Name: f.Name, Type: f.Type, PII: f.PII, Normalize: strings.Join(f.Normalize, ", "),
		Map: pairs(f.Map), Accepted: strings.Join(f.Accepted, ", "), Valid: f.Valid, SameRecordAs: f.SameRecordAs, Stats: st}
	for _, r := range f.Rules {
		d.Rules = append(d.Rules, ruleText(r))
	}
	for _, src := range s.Sources {
		m := src.Mapping(f.Name)
		if m == nil {
			continue
		}
		path := strings.Join(m.Path, ".")
		if m.Child != "" {
			path = "child " + m.Child + ": " + path
		}
		d.Sources = append(d.Sources, fieldSource{Source: src.Name, Path: path, Map: pairs(m.Map)})
	}
	return d
}

// ruleText describes one step of a survivorship chain.
func ruleText(r spec.Rule) string {
	switch r.Kind {
	case spec.RuleValid:
		if r.Downgrade {
			return "valid: rank values that fail validity last"
		}
		return "valid: drop values that fail validity"
	case spec.RulePriority:
		return "priority: " + strings.Join(r.Priority, " > ")
	case spec.RuleMostRecent:
		return "most_recent: the latest event time"
	case spec.RuleTrust:
		var ws []string
		for _, w := range r.Trust {
			ws = append(ws, fmt.Sprintf("%s %s", w.Source, num(w.Weight)))
		}
		t := "trust: " + strings.Join(ws, ", ")
		if d := r.Decay; d != nil {
			t += "; decay " + d.Curve
			if d.HalfLife > 0 {
				t += ", half-life " + duration(d.HalfLife)
			}
			if d.Over > 0 {
				t += ", over " + duration(d.Over)
			}
			t += fmt.Sprintf(", min %s, max %s", num(d.Min), num(d.Max))
		}
		return t
	case spec.RuleNonNull:
		return "non_null: a value before no value"
	case spec.RuleFrequency:
		return "frequency: the value most sources assert"
	}
	return r.Kind
}

func sourceDocOf(p *plan.Plan, src *spec.Source) sourceDoc {
	d := sourceDoc{Name: src.Name, System: src.System, Format: src.Format, Object: src.Object, Landing: src.Landing,
		Framing: src.Framing, Key: strings.Join(src.Key, "."), Customer: strings.Join(src.Customer, ".")}
	if src.Table != "" {
		d.Object = src.Table
	}
	for _, m := range src.Fields {
		d.Fields = append(d.Fields, m.Field)
	}
	for _, r := range []ir.Ref{plan.Stage(src.Name), plan.Pipe(src.Name), plan.LinesTable(src.Name), plan.LinesStreamOf(src.Name).Ref, plan.DocsView(src.Name), plan.ObserveTask(src.Name)} {
		if p.Object(r) != nil {
			d.Objects = append(d.Objects, r)
		}
	}
	return d
}

func lineageSVG(p *plan.Plan, lin *Lineage) string {
	var nodes []*graphNode
	for _, o := range p.Objects {
		nodes = append(nodes, &graphNode{Ref: o.Ref, Kind: o.Kind, Title: nodeTitle(o)})
	}
	var edges []graphEdge
	for _, e := range lin.Edges {
		if e.Kind == EdgeUses {
			continue
		}
		edges = append(edges, graphEdge{From: e.From, To: e.To, Class: e.Kind, Weak: e.Kind == EdgeDelete})
	}
	return svgGraph("lineage", "lineage of every object of the plan, from stage to gold", "objects through which no rows flow", nodes, edges)
}

func nodeTitle(o *ir.Object) string {
	t := string(o.Kind) + " " + o.Ref.String()
	if o.Comment != "" {
		t += ": " + o.Comment
	}
	return t
}

// taskGraph draws the tasks with their predecessors and lists them.
func taskGraph(p *plan.Plan) (string, []taskDoc) {
	var nodes []*graphNode
	var edges []graphEdge
	var docs []taskDoc
	for _, o := range p.Objects {
		if o.Kind != ir.KindTask || o.Task == nil {
			continue
		}
		t := o.Task
		nodes = append(nodes, &graphNode{Ref: o.Ref, Kind: o.Kind, Title: nodeTitle(o)})
		d := taskDoc{Ref: o.Ref, After: t.After, Call: t.Call, Warehouse: t.Warehouse}
		switch {
		case t.Cron != "":
			d.Kind, d.Schedule = "root", "cron "+t.Cron
		case t.Root:
			d.Kind, d.Schedule = "root", "every "+duration(t.Schedule)
		case t.FinalizerOf != nil:
			d.Kind, d.Schedule = "finalizer", "after every run of "+t.FinalizerOf.String()+", whatever its tasks did"
		default:
			d.Kind, d.Schedule = "child", "after its predecessors"
		}
		if len(t.After) > 0 {
			if t.Predecessors == ir.NoneFailed {
				d.Condition = "when no predecessor failed (skipped ones included)"
			} else {
				d.Condition = "when every predecessor succeeded"
			}
		}
		if d.Warehouse == "" && t.InitialSize != "" {
			d.Warehouse = "serverless, from " + t.InitialSize
		}
		for _, s := range t.When {
			d.When = append(d.When, s.Ref)
		}
		for _, s := range t.Consumes {
			d.Consumes = append(d.Consumes, s.Ref)
		}
		for _, a := range t.After {
			edges = append(edges, graphEdge{From: a, To: o.Ref, Class: "after"})
		}
		docs = append(docs, d)
	}
	// A finalizer runs after every other task of its graph: it is drawn
	// after the last ones, with dashed arrows.
	hasSucc := map[ir.Ref]bool{}
	for _, e := range edges {
		hasSucc[e.From] = true
	}
	for _, o := range p.Objects {
		if o.Kind != ir.KindTask || o.Task == nil || o.Task.FinalizerOf == nil {
			continue
		}
		for _, t := range p.Tasks() {
			if t.Ref != o.Ref && !hasSucc[t.Ref] && t.Task.FinalizerOf == nil {
				edges = append(edges, graphEdge{From: t.Ref, To: o.Ref, Class: "finalizer"})
			}
		}
	}
	return svgGraph("taskgraph", "the task graphs: each task after its predecessors", "root tasks of graphs of their own", nodes, edges), docs
}

func checkDocs(p *plan.Plan) []checkDoc {
	var out []checkDoc
	for _, c := range p.Spec.Checks {
		d := checkDoc{Name: c.Name, Severity: c.Severity, Settings: checkSettings(c), Purpose: CheckPurpose(c.Name)}
		var keys []string
		for k := range c.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			o := c.Fields[k]
			d.Overrides = append(d.Overrides, fmt.Sprintf("%s: %s %s", k, o.Severity, checkSettings(o)))
		}
		d.Reads, d.Writes = CheckRefs(p, c.Name)
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func checkSettings(c *spec.Check) string {
	var s []string
	switch c.Name {
	case spec.CheckConflictRate, spec.CheckVolume:
		s = append(s, "z "+num(c.Z), "floor "+num(c.Floor), "min_history "+strconv.Itoa(c.MinHistory))
	case spec.CheckQuarantineShare:
		s = append(s, "share "+num(c.Share))
	}
	return strings.Join(s, ", ")
}

// schemaOrder is the order of the data's flow; other schemas follow by
// name.
var schemaOrder = []string{plan.RAW, plan.SILVER, plan.GOLD, plan.DQ, plan.AUDIT, plan.OPS}

func objectDocs(p *plan.Plan, lin *Lineage) []schemaDoc {
	readBy, writtenBy, deletedBy, usedBy := map[ir.Ref][]ir.Ref{}, map[ir.Ref][]ir.Ref{}, map[ir.Ref][]ir.Ref{}, map[ir.Ref][]ir.Ref{}
	uses := map[ir.Ref][]ir.Ref{}
	for o, rs := range lin.Reads {
		for _, r := range rs {
			readBy[r] = append(readBy[r], o)
		}
	}
	for o, ws := range lin.Writes {
		for _, w := range ws {
			writtenBy[w] = append(writtenBy[w], o)
		}
	}
	for o, ds := range lin.Deletes {
		for _, d := range ds {
			deletedBy[d] = append(deletedBy[d], o)
		}
	}
	for _, e := range lin.Edges {
		switch e.Kind {
		case EdgeUses:
			uses[e.To] = append(uses[e.To], e.From)
			usedBy[e.From] = append(usedBy[e.From], e.To)
		case EdgeCall:
			uses[e.From] = append(uses[e.From], e.To)
			usedBy[e.To] = append(usedBy[e.To], e.From)
		}
	}
	bySchema := map[string][]objectDoc{}
	kindRank := map[ir.Kind]int{}
	for i, k := range ir.Kinds {
		kindRank[k] = i
	}
	for _, o := range p.Objects {
		d := objectDoc{Ref: o.Ref, Kind: string(o.Kind), Comment: o.Comment,
			Reads: lin.Reads[o.Ref], Writes: lin.Writes[o.Ref], Deletes: lin.Deletes[o.Ref], Uses: sorted(uses[o.Ref]),
			ReadBy: sorted(readBy[o.Ref]), WrittenBy: sorted(writtenBy[o.Ref]), DeletedBy: sorted(deletedBy[o.Ref]), UsedBy: sorted(usedBy[o.Ref])}
		for _, c := range o.Columns {
			d.Columns = append(d.Columns, columnDoc{Name: c.Name, Type: typeName(c.Type), Comment: c.Comment, NotNull: c.NotNull})
		}
		d.Details = details(o)
		bySchema[o.Ref.Schema] = append(bySchema[o.Ref.Schema], d)
	}
	var names []string
	for n := range bySchema {
		names = append(names, n)
	}
	rank := func(n string) int {
		for i, s := range schemaOrder {
			if s == n {
				return i
			}
		}
		return len(schemaOrder)
	}
	sort.Slice(names, func(i, j int) bool {
		if rank(names[i]) != rank(names[j]) {
			return rank(names[i]) < rank(names[j])
		}
		return names[i] < names[j]
	})
	var out []schemaDoc
	for _, n := range names {
		objs := bySchema[n]
		sort.SliceStable(objs, func(i, j int) bool {
			a, b := objs[i], objs[j]
			if (a.Ref.Name == "") != (b.Ref.Name == "") {
				return a.Ref.Name == "" // the schema itself first
			}
			if kindRank[ir.Kind(a.Kind)] != kindRank[ir.Kind(b.Kind)] {
				return kindRank[ir.Kind(a.Kind)] < kindRank[ir.Kind(b.Kind)]
			}
			return a.Ref.Name < b.Ref.Name
		})
		out = append(out, schemaDoc{Name: n, Objects: objs})
	}
	return out
}

// details are the settings of an object that are neither columns nor
// lineage, one line each.
func details(o *ir.Object) []string {
	var d []string
	if o.Transient {
		d = append(d, "transient: scratch rows, emptied by the task that fills them")
	}
	if o.Pipe != nil {
		d = append(d, "loads stage "+o.Pipe.Stage.String()+" folder "+strconv.Quote(o.Pipe.Folder)+" into "+o.Pipe.Table.String()+", one row per landed line, as text")
	}
	if o.Stream != nil {
		mode := "append-only"
		if o.Stream.Changes {
			mode = "standard (inserts, updates, deletes)"
		}
		d = append(d, mode+" stream on "+o.Stream.Table.String())
	}
	if o.DynamicTable != nil {
		d = append(d, "target lag "+duration(o.DynamicTable.TargetLag))
	}
	if o.Procedure != nil {
		var args []string
		for _, a := range o.Procedure.Args {
			args = append(args, a.Name+" "+typeName(a.Type))
		}
		d = append(d, fmt.Sprintf("arguments (%s); %d statements in one transaction", strings.Join(args, ", "), len(o.Procedure.Steps)))
	}
	if t := o.Task; t != nil {
		switch {
		case t.Cron != "":
			d = append(d, "root task, cron "+t.Cron)
		case t.Root:
			d = append(d, "root task, every "+duration(t.Schedule))
		case t.FinalizerOf != nil:
			d = append(d, "finalizer of "+t.FinalizerOf.String())
		}
		if t.Call == nil {
			d = append(d, fmt.Sprintf("%d statements in one transaction", len(t.Steps)))
		}
		if t.Timeout > 0 {
			d = append(d, "timeout "+duration(t.Timeout))
		}
	}
	if r := o.Role; r != nil {
		d = append(d, fmt.Sprintf("role %s: %d grants", r.Name, len(r.Grants)))
		if len(r.Inherits) > 0 {
			d = append(d, "inherits "+strings.Join(r.Inherits, ", "))
		}
	}
	if t := o.Tag; t != nil {
		d = append(d, fmt.Sprintf("set on %d columns", len(t.Columns)))
	}
	return d
}

func typeName(t ir.Type) string {
	switch t {
	case ir.Text:
		return "text"
	case ir.Int:
		return "integer"
	case ir.Decimal:
		return "decimal"
	case ir.Float:
		return "float"
	case ir.Bool:
		return "boolean"
	case ir.Timestamp:
		return "timestamp"
	case ir.TimestampTZ:
		return "timestamp with time zone"
	case ir.JSON:
		return "json"
	case ir.LongText:
		return "long text"
	}
	return strconv.Itoa(int(t))
}

func sorted(refs []ir.Ref) []ir.Ref {
	out := append([]ir.Ref(nil), refs...)
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

func pairs(ps []spec.Pair) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.From+" → "+p.To)
	}
	return strings.Join(out, ", ")
}

func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// duration prints whole days as days, otherwise as Go does.
func duration(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	if d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
