package plan

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// placeholder is a named value in a statement's text: {{name}}.
var placeholder = regexp.MustCompile(`\{\{([a-z_][a-z0-9_]*)\}\}`)

// named fills the placeholders {{name}} of a statement's text with vals.
// A placeholder without a value, or a value no placeholder uses, is a
// mistake of the plan's code and panics (the goldens run every statement).
func named(text string, vals map[string]string) string {
	used := map[string]bool{}
	out := placeholder.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2 : len(m)-2]
		v, ok := vals[name]
		if !ok {
			panic(fmt.Sprintf("plan: placeholder {{%s}} has no value", name))
		}
		used[name] = true
		return v
	})
	var unused []string
	for name := range vals {
		if !used[name] {
			unused = append(unused, name)
		}
	}
	if len(unused) > 0 {
		sort.Strings(unused)
		panic("plan: values no placeholder uses: " + strings.Join(unused, ", "))
	}
	return out
}
