// Package dialect defines what a SQL dialect must provide to render the plan:
// a short list of named fragments (identifiers, literals, types, JSON access,
// time conversions, stream references) and the rendering of whole objects.
// The reconciliation logic is written once, in package plan, against this
// interface.
//
// Adding a dialect: create generator/dialect/<name> with a type implementing
// Renderer, assert it with `var _ dialect.Renderer = (*Renderer)(nil)`,
// register it in generator/dialect/all, and run the conformance suite in
// generator/dialect/dialecttest from the new package's tests.
package dialect

import (
	"fmt"

	"github.com/ledgerloop/trueup/generator/ir"
	"sort"
	"sync"
)

// Renderer renders whole objects of the plan as statements.
type Renderer interface {
	ir.Fragments
	// Configure sets the project-wide names the rendering needs.
	Configure(s Settings)
	// Render returns the statements that create the object, in order.
	Render(o *ir.Object) []Statement
}

// Statement is one SQL statement, with the parts a parser can check on its
// own when the statement as a whole is outside the parser's grammar.
type Statement struct {
	SQL string
	// Parseable is true when SQL as a whole is within the Snowflake parser's
	// grammar; otherwise Bodies lists the parts that are.
	Parseable bool
	Bodies    []string
}

// Settings are project-wide names a renderer qualifies objects with.
type Settings struct {
	Database  string
	Warehouse string
}

var (
	mu       sync.Mutex
	registry = map[string]func() Renderer{}
)

// Register makes a dialect available by name. It panics on a duplicate.
func Register(name string, mk func() Renderer) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[name]; dup {
		panic("dialect: duplicate registration of " + name)
	}
	registry[name] = mk
}

// Get returns a registered dialect.
func Get(name string) (Renderer, error) {
	mu.Lock()
	defer mu.Unlock()
	mk, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("unknown dialect %q (known: %v)", name, namesLocked())
	}
	return mk(), nil
}

// Names lists the registered dialects.
func Names() []string {
	mu.Lock()
	defer mu.Unlock()
	return namesLocked()
}

func namesLocked() []string {
	var out []string
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
