// Package schemacheck validates documents against trueup's published JSON
// Schemas (docs/schema): the YAML files of a spec folder, reported at the
// file:line:col of the offending node, and the --json output of commands.
package schemacheck

import (
	"bytes"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/ledgerloop/trueup/docs/schema"
)

// base is the URL the schema files are compiled under; relative
// references between them resolve against it. Nothing is fetched.
const base = "file:///trueup/docs/schema/"

var (
	compileOnce sync.Once
	compiled    map[string]*jsonschema.Schema
	compileErr  error
)

// Schema returns the compiled schema of a file of docs/schema (for
// example "spec.schema.json").
func Schema(name string) (*jsonschema.Schema, error) {
	compileOnce.Do(compileAll)
	if compileErr != nil {
		return nil, compileErr
	}
	s, ok := compiled[name]
	if !ok {
		return nil, fmt.Errorf("schema %s: no such file in docs/schema", name)
	}
	return s, nil
}

func compileAll() {
	entries, err := fs.ReadDir(schema.FS, ".")
	if err != nil {
		compileErr = err
		return
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	var names []string
	for _, e := range entries {
		data, err := schema.FS.ReadFile(e.Name())
		if err != nil {
			compileErr = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			compileErr = fmt.Errorf("schema %s: %w", e.Name(), err)
			return
		}
		if err := c.AddResource(base+e.Name(), doc); err != nil {
			compileErr = fmt.Errorf("schema %s: %w", e.Name(), err)
			return
		}
		names = append(names, e.Name())
	}
	compiled = map[string]*jsonschema.Schema{}
	for _, n := range names {
		s, err := c.Compile(base + n)
		if err != nil {
			compileErr = fmt.Errorf("schema %s: %w", n, err)
			return
		}
		compiled[n] = s
	}
}

// JSON validates a JSON document (a command's --json output) against the
// named schema; the error lists every violation with its JSON pointer.
func JSON(name string, data []byte) error {
	s, err := Schema(name)
	if err != nil {
		return err
	}
	return validateJSON(s, name, data)
}

// JSONStrict is JSON against a closed copy of the named schema: every
// object schema that lists properties allows no other key. The published
// schemas stay open (a command may add keys without a new
// schema_version); the tests validate with the closed copy so that every
// key a command prints is described.
func JSONStrict(name string, data []byte) error {
	raw, err := schema.FS.ReadFile(name)
	if err != nil {
		return fmt.Errorf("schema %s: %w", name, err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("schema %s: %w", name, err)
	}
	closeObjects(doc)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	url := base + "strict/" + name
	if err := c.AddResource(url, doc); err != nil {
		return fmt.Errorf("schema %s: %w", name, err)
	}
	s, err := c.Compile(url)
	if err != nil {
		return fmt.Errorf("schema %s: %w", name, err)
	}
	return validateJSON(s, name, data)
}

// closeObjects sets additionalProperties to false in every schema of v
// that lists properties and says nothing of other keys.
func closeObjects(v any) {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["properties"]; ok {
			if _, set := x["additionalProperties"]; !set {
				x["additionalProperties"] = false
			}
		}
		for k, c := range x {
			if k == "properties" || k == "$defs" {
				// Maps of names to schemas: their values are schemas.
				if m, ok := c.(map[string]any); ok {
					for _, sub := range m {
						closeObjects(sub)
					}
				}
				continue
			}
			closeObjects(c)
		}
	case []any:
		for _, c := range x {
			closeObjects(c)
		}
	}
}

func validateJSON(s *jsonschema.Schema, name string, data []byte) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("%s: not JSON: %w", name, err)
	}
	if err := s.Validate(doc); err != nil {
		ve, ok := err.(*jsonschema.ValidationError)
		if !ok {
			return err
		}
		var msgs []string
		for _, v := range violations(ve) {
			msgs = append(msgs, fmt.Sprintf("/%s: %s", strings.Join(v.loc, "/"), v.msg))
		}
		return fmt.Errorf("does not match %s:\n%s", name, strings.Join(msgs, "\n"))
	}
	return nil
}

// violation is one leaf of a validation error: where, and what.
type violation struct {
	loc []string
	// key is set when the violation is about a mapping's key (a key the
	// schema does not allow, a bad name): its position is the key's.
	key string
	// object is set when the violation is about a mapping as a whole (a
	// required key missing): it is reported at the mapping's own key, as
	// the loader reports it.
	object bool
	msg    string
}

var printer = message.NewPrinter(language.English)

// violations flattens a validation error into its most specific causes.
// Of the branches of an anyOf or oneOf, the one that got deepest into the
// document is reported (it is the shape the author meant); when none got
// past the value itself, the alternatives are reported as one message.
func violations(e *jsonschema.ValidationError) []violation {
	if len(e.Causes) == 0 {
		return []violation{leaf(e)}
	}
	switch e.ErrorKind.(type) {
	case *kind.PropertyNames:
		return []violation{leaf(e)} // its cause is the name's pattern
	case *kind.AnyOf, *kind.OneOf:
		var best []violation
		bestDepth := -1
		var alts, wants []string
		got, allTypes := "", true
		for _, c := range e.Causes {
			vs := violations(c)
			if t, ok := c.ErrorKind.(*kind.Type); ok && len(c.Causes) == 0 {
				got, wants = t.Got, append(wants, t.Want...)
			} else {
				allTypes = false
			}
			d := 0
			for _, v := range vs {
				if v.key != "" {
					d = max(d, len(v.loc)+1)
				} else {
					d = max(d, len(v.loc))
				}
			}
			if d > bestDepth {
				best, bestDepth = vs, d
			}
			for _, v := range vs {
				alts = append(alts, v.msg)
			}
		}
		if bestDepth <= len(e.InstanceLocation) {
			if allTypes && len(wants) > 0 {
				return []violation{{loc: e.InstanceLocation, msg: fmt.Sprintf("got %s, want %s", got, strings.Join(dedupe(wants), " or "))}}
			}
			return []violation{{loc: e.InstanceLocation, msg: strings.Join(dedupe(alts), "; or ")}}
		}
		return best
	}
	var out []violation
	for _, c := range e.Causes {
		out = append(out, violations(c)...)
	}
	return out
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func leaf(e *jsonschema.ValidationError) violation {
	v := violation{loc: e.InstanceLocation, msg: e.ErrorKind.LocalizedString(printer)}
	switch k := e.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		if len(k.Properties) > 0 {
			sort.Strings(k.Properties)
			v.key = k.Properties[0]
			v.msg = fmt.Sprintf("key %q is not allowed here", k.Properties[0])
			if len(k.Properties) > 1 {
				v.msg = fmt.Sprintf("keys %s are not allowed here", quoteAll(k.Properties))
			}
		}
	case *kind.PropertyNames:
		v.key = k.Property
		v.msg = fmt.Sprintf("%q is not a valid name: a lower-case letter, then a-z, 0-9 and _ (at most 40 characters)", k.Property)
	case *kind.Required:
		v.object = true
		v.msg = fmt.Sprintf("missing %s", quoteAll(k.Missing))
	}
	return v
}

func quoteAll(s []string) string {
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}
