// Package docs writes a static HTML site describing a plan: the fields of
// the canonical customer with their rules and sources, the lineage of
// every object from stage to gold, the task graph and the data-quality
// checks, and, given a local database's figures (Stats), the conflict
// rate of each field and how many values each rule decided.
//
// The site is one self-contained page: inline CSS, graphs drawn as inline
// SVG, no script, nothing fetched. The same plan and figures always give
// the same bytes. The package takes plain data and never opens a database
// (internal/local reads the figures).
package docs

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"strings"

	"github.com/ledgerloop/trueup/generator/ir"
	"github.com/ledgerloop/trueup/generator/plan"
)

// IndexFile is the page the site consists of.
const IndexFile = "index.html"

//go:embed page.html.tmpl
var pageText string

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"id": ObjectID,
	"ref": func(r ir.Ref) template.HTML {
		return template.HTML(`<a class="ref" href="#` + esc(ObjectID(r)) + `">` + esc(r.String()) + `</a>`)
	},
	"refs": func(rs []ir.Ref) template.HTML {
		var out []string
		for _, r := range rs {
			out = append(out, `<a class="ref" href="#`+esc(ObjectID(r))+`">`+esc(r.String())+`</a>`)
		}
		return template.HTML(strings.Join(out, ", "))
	},
	// svg marks a drawing svgGraph built, escaping every name in it, as
	// safe to include.
	"svg":      func(s string) template.HTML { return template.HTML(s) },
	"rate":     func(r float64) string { return fmt.Sprintf("%.1f%%", 100*r) },
	"barWidth": func(r float64) int { return int(100*r + 0.5) },
}).Parse(pageText))

// Render returns the page of a plan; stats, when not nil, adds the
// figures of a local database.
func Render(p *plan.Plan, stats *Stats) ([]byte, error) {
	var b bytes.Buffer
	if err := pageTmpl.Execute(&b, build(p, stats)); err != nil {
		return nil, fmt.Errorf("docs: %w", err)
	}
	return b.Bytes(), nil
}

// Write renders the site into dir (created when missing) and returns the
// path of its page.
func Write(dir string, p *plan.Plan, stats *Stats) (string, error) {
	page, err := Render(p, stats)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("docs: %w", err)
	}
	path := filepath.Join(dir, IndexFile)
	if err := os.WriteFile(path, page, 0o644); err != nil {
		return "", fmt.Errorf("docs: %w", err)
	}
	return path, nil
}
