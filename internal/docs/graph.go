package docs

import (
	"fmt"
	"html"
	"sort"
	"strings"

	"github.com/ledgerloop/trueup/generator/ir"
)

// graphNode is a box of a drawn graph.
type graphNode struct {
	Ref   ir.Ref
	Kind  ir.Kind
	Title string // tooltip
	layer int
	x, y  float64
}

// graphEdge is an arrow between two boxes, styled by Class. A Weak edge
// (a deletion) is drawn but does not place its boxes.
type graphEdge struct {
	From, To ir.Ref
	Class    string
	Weak     bool
}

// Sizes of the drawing, in pixels.
const (
	nodeW    = 214.0
	nodeH    = 22.0
	layerGap = 70.0
	rowGap   = 8.0
	margin   = 16.0
	bandGap  = 36.0
	// bandColumns is how many boxes a row of the band of objects without
	// data flow holds.
	bandColumns = 6
)

// layout places nodes in layers: each node one layer right of the
// furthest node it receives an edge from (edges closing a cycle are
// ignored), ordered within a layer by the mean row of their
// predecessors. Nodes in no edge go to a band below, by kind. Every
// step is deterministic: ties go to the order nodes were given in.
func layout(nodes []*graphNode, edges []graphEdge) (width, height, bandTop float64) {
	index := map[ir.Ref]int{}
	for i, n := range nodes {
		index[n.Ref] = i
	}
	succ := make([][]int, len(nodes))
	connected := make([]bool, len(nodes))
	hasIn := make([]bool, len(nodes))
	for _, e := range edges {
		f, okf := index[e.From]
		t, okt := index[e.To]
		if !okf || !okt || f == t {
			continue
		}
		connected[f], connected[t] = true, true
		if !e.Weak {
			succ[f] = append(succ[f], t)
			hasIn[t] = true
		}
	}
	// Back edges: found by a depth-first search from the stages, where
	// rows enter, then from the other nodes without incoming edges, then
	// from the rest, in the order given. Starting where rows enter makes
	// the edges that close a cycle those of maintenance (a purge writing
	// RAW), not the main flow.
	state := make([]int, len(nodes))
	forward := make([][]int, len(nodes))
	var visit func(i int)
	visit = func(i int) {
		state[i] = 1
		for _, j := range succ[i] {
			switch state[j] {
			case 0:
				forward[i] = append(forward[i], j)
				visit(j)
			case 2:
				forward[i] = append(forward[i], j)
			}
		}
		state[i] = 2
	}
	for i, n := range nodes {
		if connected[i] && !hasIn[i] && n.Kind == ir.KindStage && state[i] == 0 {
			visit(i)
		}
	}
	for i := range nodes {
		if connected[i] && !hasIn[i] && state[i] == 0 {
			visit(i)
		}
	}
	for i := range nodes {
		if connected[i] && state[i] == 0 {
			visit(i)
		}
	}
	// Longest path over the forward edges, in topological order.
	var topo []int
	done := make([]bool, len(nodes))
	var post func(i int)
	post = func(i int) {
		done[i] = true
		for _, j := range forward[i] {
			if !done[j] {
				post(j)
			}
		}
		topo = append(topo, i)
	}
	for i := range nodes {
		if connected[i] && !done[i] {
			post(i)
		}
	}
	preds := make([][]int, len(nodes))
	for k := len(topo) - 1; k >= 0; k-- {
		i := topo[k]
		for _, j := range forward[i] {
			if nodes[i].layer+1 > nodes[j].layer {
				nodes[j].layer = nodes[i].layer + 1
			}
			preds[j] = append(preds[j], i)
		}
	}
	layers := 0
	for i, n := range nodes {
		if connected[i] && n.layer+1 > layers {
			layers = n.layer + 1
		}
	}
	byLayer := make([][]int, layers)
	for i, n := range nodes {
		if connected[i] {
			byLayer[n.layer] = append(byLayer[n.layer], i)
		}
	}
	row := make([]float64, len(nodes))
	for l, ids := range byLayer {
		if l > 0 {
			// Barycenter of the predecessors' rows; a stable sort keeps
			// the given order among equals.
			key := map[int]float64{}
			for _, i := range ids {
				if len(preds[i]) == 0 {
					key[i] = 1e9
					continue
				}
				var sum float64
				for _, p := range preds[i] {
					sum += row[p]
				}
				key[i] = sum / float64(len(preds[i]))
			}
			sort.SliceStable(ids, func(a, b int) bool { return key[ids[a]] < key[ids[b]] })
		}
		for r, i := range ids {
			row[i] = float64(r)
		}
	}
	maxRows := 0
	for l, ids := range byLayer {
		for r, i := range ids {
			nodes[i].x = margin + float64(l)*(nodeW+layerGap)
			nodes[i].y = margin + float64(r)*(nodeH+rowGap)
		}
		if len(ids) > maxRows {
			maxRows = len(ids)
		}
	}
	width = 2*margin + float64(layers)*nodeW + float64(max(layers-1, 0))*layerGap
	height = margin + float64(maxRows)*(nodeH+rowGap)
	// The band: what carries no rows (schemas, sequences, roles...).
	var band []int
	for i := range nodes {
		if !connected[i] {
			band = append(band, i)
		}
	}
	if len(band) > 0 {
		kindRank := map[ir.Kind]int{}
		for k, kind := range ir.Kinds {
			kindRank[kind] = k
		}
		sort.SliceStable(band, func(a, b int) bool { return kindRank[nodes[band[a]].Kind] < kindRank[nodes[band[b]].Kind] })
		top := height + bandGap
		bandTop = top
		for k, i := range band {
			nodes[i].x = margin + float64(k%bandColumns)*(nodeW+layerGap/2)
			nodes[i].y = top + float64(k/bandColumns)*(nodeH+rowGap)
		}
		rows := (len(band) + bandColumns - 1) / bandColumns
		height = top + float64(rows)*(nodeH+rowGap)
		if w := 2*margin + bandColumns*nodeW + (bandColumns-1)*layerGap/2; w > width {
			width = w
		}
	}
	return width, height + margin, bandTop
}

// svgGraph draws nodes and edges as an inline SVG whose every box is a
// link to the object's section (#obj-...); band captions the boxes in no
// edge, drawn below the others.
func svgGraph(id, label, band string, nodes []*graphNode, edges []graphEdge) string {
	w, h, bandTop := layout(nodes, edges)
	at := map[ir.Ref]*graphNode{}
	for _, n := range nodes {
		at[n.Ref] = n
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="%s" class="graph" xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`+"\n",
		esc(id), w, h, w, h, esc(label))
	fmt.Fprintf(&b, `<defs><marker id="%s-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" class="arrowhead"/></marker></defs>`+"\n", esc(id))
	b.WriteString(`<g class="edges">` + "\n")
	for _, e := range edges {
		f, t := at[e.From], at[e.To]
		if f == nil || t == nil || f == t {
			continue
		}
		x1, y1 := f.x+nodeW, f.y+nodeH/2
		x2, y2 := t.x, t.y+nodeH/2
		class := "edge " + e.Class
		var d string
		if t.x > f.x {
			c := (x2 - x1) / 2
			d = fmt.Sprintf("M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f", x1, y1, x1+c, y1, x2-c, y2, x2, y2)
		} else {
			// A back edge (closing a cycle) or one within a layer: out of
			// the right side, round below, into the left side.
			class += " back"
			low := max(y1, y2) + nodeH
			d = fmt.Sprintf("M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f", x1, y1, x1+layerGap, low+layerGap, x2-layerGap, low+layerGap, x2, y2)
		}
		fmt.Fprintf(&b, `<path class="%s" data-from="%s" data-to="%s" d="%s" marker-end="url(#%s-arrow)"/>`+"\n",
			esc(class), esc(e.From.String()), esc(e.To.String()), d, esc(id))
	}
	b.WriteString("</g>\n")
	if bandTop > 0 && band != "" {
		fmt.Fprintf(&b, `<text class="band" x="%.1f" y="%.1f">%s</text>`+"\n", margin, bandTop-8, esc(band))
	}
	b.WriteString("<g class=\"nodes\">\n")
	for _, n := range nodes {
		fmt.Fprintf(&b, `<a class="node kind-%s" href="#%s" data-ref="%s"><title>%s</title><rect x="%.1f" y="%.1f" width="%.0f" height="%.0f" rx="4"/><text x="%.1f" y="%.1f">%s</text></a>`+"\n",
			esc(string(n.Kind)), esc(ObjectID(n.Ref)), esc(n.Ref.String()), esc(n.Title),
			n.x, n.y, nodeW, nodeH, n.x+6, n.y+nodeH/2+4, esc(n.Ref.String()))
	}
	b.WriteString("</g>\n</svg>")
	return b.String()
}

func esc(s string) string { return html.EscapeString(s) }

// ObjectID is the id of an object's section on the page: obj- and the
// object's name, with anything but letters, digits, '.', '_' and '-'
// replaced by '-'.
func ObjectID(r ir.Ref) string { return "obj-" + slug(r.String()) }

func slug(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
			b.WriteRune(c)
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}
