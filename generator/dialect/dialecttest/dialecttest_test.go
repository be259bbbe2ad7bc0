package dialecttest

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/generator/ir"
)

// coveredElsewhere are the Fragments methods whose cases are named for
// another method they are read through.
var coveredElsewhere = map[string]string{
	"Name":      "not SQL",
	"Object":    "Render and NextVal cases name objects",
	"JSONValue": "ParseJSONValues and JSONValues cases read through it",
}

// TestEveryMethodHasCases: a Fragments method added without cases fails
// here, so the suite keeps covering the whole interface.
func TestEveryMethodHasCases(t *testing.T) {
	groups := map[string]int{}
	names := map[string]bool{}
	for _, c := range Cases() {
		method, _, ok := strings.Cut(c.Name, "/")
		if !ok {
			t.Errorf("case %q: want <method>/<what it shows>", c.Name)
		}
		groups[method]++
		if names[c.Name] {
			t.Errorf("case %q: name repeated", c.Name)
		}
		names[c.Name] = true
		if c.Query == nil {
			t.Errorf("case %q: no query", c.Name)
		}
	}
	typ := reflect.TypeOf((*ir.Fragments)(nil)).Elem()
	for i := range typ.NumMethod() {
		m := typ.Method(i).Name
		if groups[m] == 0 && coveredElsewhere[m] == "" {
			t.Errorf("ir.Fragments.%s has no conformance case", m)
		}
	}
	if groups["Render"] == 0 {
		t.Error("dialect.Renderer.Render has no conformance case")
	}
}
