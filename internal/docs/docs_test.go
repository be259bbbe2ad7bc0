package docs

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/plan"
)

// fixture is the test copy of the company spec (not models/, which users
// edit).
const fixture = "../../tests/testdata/spec"

func compile(t *testing.T, dir string) *plan.Plan {
	t.Helper()
	p, err := generator.Compile(dir)
	if err != nil {
		t.Fatalf("compile %s: %v", dir, err)
	}
	return p
}

// doc is what a test reads off a rendered page.
type doc struct {
	ids    map[string]int
	hrefs  []string
	nodes  map[string]map[string]int // svg id -> data-ref -> boxes
	nodeTo map[string]string         // data-ref -> href of its box (lineage)
	text   string
}

func parse(t *testing.T, page []byte) *doc {
	t.Helper()
	root, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	d := &doc{ids: map[string]int{}, nodes: map[string]map[string]int{}, nodeTo: map[string]string{}}
	var text strings.Builder
	var walk func(n *html.Node, svg string)
	walk = func(n *html.Node, svg string) {
		if n.Type == html.TextNode {
			text.WriteString(n.Data)
		}
		attr := map[string]string{}
		for _, a := range n.Attr {
			attr[a.Key] = a.Val
		}
		if n.Type == html.ElementNode {
			if id, ok := attr["id"]; ok {
				d.ids[id]++
			}
			if n.Data == "svg" {
				svg = attr["id"]
			}
			if h, ok := attr["href"]; ok {
				d.hrefs = append(d.hrefs, h)
			}
			if n.Data == "a" && svg != "" && strings.Contains(" "+attr["class"]+" ", " node ") {
				if d.nodes[svg] == nil {
					d.nodes[svg] = map[string]int{}
				}
				d.nodes[svg][attr["data-ref"]]++
				if svg == "lineage" {
					d.nodeTo[attr["data-ref"]] = attr["href"]
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, svg)
		}
	}
	walk(root, "")
	d.text = text.String()
	return d
}

func render(t *testing.T, p *plan.Plan, stats *Stats) []byte {
	t.Helper()
	page, err := Render(p, stats)
	if err != nil {
		t.Fatal(err)
	}
	return page
}

// TestPage: the page has a section for each field and each check, a box
// in the lineage graph and a section for every object of the plan, and
// every link on it lands on an id it has; ids are unique.
func TestPage(t *testing.T) {
	p := compile(t, fixture)
	d := parse(t, render(t, p, nil))
	for id, n := range d.ids {
		if n > 1 {
			t.Errorf("id %q is used %d times", id, n)
		}
	}
	for _, f := range p.Spec.Fields {
		if d.ids["field-"+f.Name] != 1 {
			t.Errorf("no section of field %s", f.Name)
		}
	}
	if !strings.Contains(d.text, "PII") {
		t.Error("no field is tagged PII on the page")
	}
	for _, src := range p.Spec.Sources {
		if d.ids["source-"+src.Name] != 1 {
			t.Errorf("no row of source %s", src.Name)
		}
	}
	if len(p.Spec.Checks) == 0 {
		t.Fatal("the fixture has no checks")
	}
	for _, c := range p.Spec.Checks {
		if d.ids["check-"+c.Name] != 1 {
			t.Errorf("no row of check %s", c.Name)
		}
		if CheckPurpose(c.Name) == "" {
			t.Errorf("check %s: nothing says what it checks", c.Name)
		} else if !strings.Contains(d.text, CheckPurpose(c.Name)) {
			t.Errorf("check %s: its purpose is not on the page", c.Name)
		}
	}
	lineage := d.nodes["lineage"]
	if len(lineage) != len(p.Objects) {
		t.Errorf("lineage graph: %d boxes, want one per plan object (%d)", len(lineage), len(p.Objects))
	}
	for _, o := range p.Objects {
		id := ObjectID(o.Ref)
		if lineage[o.Ref.String()] != 1 {
			t.Errorf("object %s: %d boxes in the lineage graph, want 1", o.Ref, lineage[o.Ref.String()])
		}
		if d.nodeTo[o.Ref.String()] != "#"+id {
			t.Errorf("object %s: its box links to %q, want #%s", o.Ref, d.nodeTo[o.Ref.String()], id)
		}
		if d.ids[id] != 1 {
			t.Errorf("object %s: no section %s", o.Ref, id)
		}
	}
	for _, o := range p.Tasks() {
		if d.nodes["taskgraph"][o.Ref.String()] != 1 {
			t.Errorf("task %s is not in the task graph", o.Ref)
		}
	}
	for _, h := range d.hrefs {
		if !strings.HasPrefix(h, "#") {
			t.Errorf("link %q leaves the page", h)
			continue
		}
		if d.ids[h[1:]] == 0 {
			t.Errorf("link %q: no element has that id", h)
		}
	}
}

// TestPageDeterministic: the same plan gives the same bytes, and the page
// fetches nothing (no script, no stylesheet or image by address).
func TestPageDeterministic(t *testing.T) {
	a := render(t, compile(t, fixture), nil)
	b := render(t, compile(t, fixture), nil)
	if !bytes.Equal(a, b) {
		t.Fatal("two renderings of one spec differ")
	}
	for _, s := range []string{"<script", "http://", "https://", "<link", "<img", "@import"} {
		page := strings.ReplaceAll(string(a), `xmlns="http://www.w3.org/2000/svg"`, "")
		if strings.Contains(page, s) {
			t.Errorf("the page contains %q", s)
		}
	}
}

// TestPageEscapes: text of the spec is escaped wherever it appears.
func TestPageEscapes(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"customer.yaml", "sources.yaml", "project.yaml"} {
		data, err := os.ReadFile(filepath.Join(fixture, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "customer.yaml" {
			// A value map entry and an accepted value with markup.
			data = bytes.Replace(data, []byte("map: {cancelled: canceled, past due: past_due}"), []byte(`map: {"<script>alert(1)</script>": canceled, past due: past_due}`), 1)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := compile(t, dir)
	p.RulesetVersion = `"><svg onload=alert(2)>`
	page := string(render(t, p, nil))
	if strings.Contains(page, "<script>alert(1)") || strings.Contains(page, "<svg onload") {
		t.Fatal("markup of the spec reached the page unescaped")
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the escaped map entry is not on the page")
	}
}

// TestPageStats: with a database's figures, each field shows its
// conflict rate and the values each rule decided.
func TestPageStats(t *testing.T) {
	p := compile(t, fixture)
	stats := &Stats{Customers: 40}
	for i, f := range p.Spec.Fields {
		stats.Fields = append(stats.Fields, FieldStats{Field: f.Name, Customers: 40, Conflicts: int64(i),
			Rules: []RuleCount{{Rule: "unanimous", Values: 40 - int64(i)}, {Rule: "priority", Values: int64(i)}}})
	}
	page := render(t, p, stats)
	d := parse(t, page)
	if d.ids["stats"] != 1 {
		t.Error("no summary of the database's figures")
	}
	// 2 of 40: 5.0%.
	if !strings.Contains(d.text, "2 of 40 customers (5.0%)") {
		t.Error("a field's conflict rate is missing")
	}
	if n := strings.Count(string(page), `<table class="rules" data-field=`); n != len(p.Spec.Fields) {
		t.Errorf("%d tables of rule counts, want %d", n, len(p.Spec.Fields))
	}
	if !bytes.Equal(page, render(t, p, stats)) {
		t.Error("two renderings with the same figures differ")
	}
	without := parse(t, render(t, p, nil))
	if without.ids["stats"] != 0 || strings.Contains(without.text, "conflict rate") {
		t.Error("figures shown without a database")
	}
}

func TestConflictRate(t *testing.T) {
	if r := (FieldStats{}).ConflictRate(); r != 0 {
		t.Errorf("no customers: rate %v", r)
	}
	f := FieldStats{Customers: 8, Conflicts: 2, Rules: []RuleCount{{"a", 5}, {"b", 3}}}
	if f.ConflictRate() != 0.25 || f.Decided() != 8 {
		t.Errorf("rate %v, decided %d", f.ConflictRate(), f.Decided())
	}
}

func hasEdge(l *Lineage, from, to ir.Ref, kind string) bool {
	for _, e := range l.Edges {
		if e.From == from && e.To == to && e.Kind == kind {
			return true
		}
	}
	return false
}

// TestLineage: what the plan says each object reads and writes becomes
// the edges, from stage to gold.
func TestLineage(t *testing.T) {
	p := compile(t, fixture)
	l := BuildLineage(p)
	src := p.Spec.Sources[0].Name
	lines, stream := plan.LinesTable(src), plan.LinesStreamOf(src).Ref
	for _, c := range []struct {
		from, to ir.Ref
		kind     string
	}{
		{plan.Stage(src), plan.Pipe(src), EdgeData},
		{plan.Pipe(src), lines, EdgeData},
		{lines, stream, EdgeData},
		{lines, plan.DocsView(src), EdgeData},
		{stream, plan.ObserveTask(src), EdgeData},
		{plan.ObserveTask(src), plan.Observations, EdgeData},
		{plan.Observations, plan.ObservationsStreamOf().Ref, EdgeData},
		{plan.ObservationsStreamOf().Ref, plan.ReconcileProc, EdgeData},
		{plan.ReconcileTask, plan.ReconcileProc, EdgeCall},
		{plan.ReconcileProc, plan.CustomerFields, EdgeData},
		{plan.ReconcileProc, plan.DQResults, EdgeData},
		{plan.CustomerFields, plan.CustomerMaster, EdgeData},
		{plan.FileFormat(src), plan.Stage(src), EdgeUses},
		{plan.PurgeProc, lines, EdgeDelete},
	} {
		if !hasEdge(l, c.from, c.to, c.kind) {
			t.Errorf("no %s edge %s -> %s", c.kind, c.from, c.to)
		}
	}
	if hasEdge(l, lines, plan.ReconcileProc, EdgeData) {
		t.Error("the reconcile reads RAW's rows: the load_errors check reads the load history only")
	}
	exists := map[ir.Ref]bool{}
	for _, o := range p.Objects {
		exists[o.Ref] = true
	}
	for i, e := range l.Edges {
		if !exists[e.From] || !exists[e.To] || e.From == e.To {
			t.Errorf("edge %v: not between two objects of the plan", e)
		}
		if i > 0 && !(l.Edges[i-1].From.String() <= e.From.String()) {
			t.Errorf("edges not sorted at %v", e)
		}
	}
	reads, writes := CheckRefs(p, "duplicate_customers")
	if len(writes) == 0 || len(reads) == 0 {
		t.Errorf("duplicate_customers: reads %v, writes %v", reads, writes)
	}
}

// TestWrite writes the page into a new folder and refuses a folder that
// cannot be one.
func TestWrite(t *testing.T) {
	p := compile(t, fixture)
	dir := filepath.Join(t.TempDir(), "site", "docs")
	path, err := Write(dir, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(dir, IndexFile) {
		t.Errorf("wrote %s", path)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(file, p, nil); err == nil {
		t.Error("wrote into a file as if it were a folder")
	}
}
