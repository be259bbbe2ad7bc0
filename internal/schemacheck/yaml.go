package schemacheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/ledgerloop/trueup/docs/schema"
	"github.com/ledgerloop/trueup/generator/spec"
)

// Spec validates the YAML files of a spec folder against the published
// schemas: the files directly in dir against spec.schema.json, those of
// dir/tests against rule-tests.schema.json and those of dir/overrides
// against overrides.schema.json. prefix is prepended to file names in
// positions, as spec.Load does. A file that cannot be read or is not YAML
// is left to spec.Load, which reports it.
func Spec(fsys fs.FS, dir, prefix string) spec.ErrorList {
	var errs spec.ErrorList
	for _, d := range []struct{ sub, schema string }{
		{"", schema.Spec}, {spec.RuleTestDir, schema.RuleTests}, {spec.OverridesDir, schema.Overrides},
	} {
		entries, err := fs.ReadDir(fsys, path.Join(dir, d.sub))
		if err != nil {
			continue
		}
		for _, e := range entries {
			ext := path.Ext(e.Name())
			// As spec.Load: a symbolic link is followed; a FIFO or a
			// device is never read (the loader refuses it).
			if ext != ".yaml" && ext != ".yml" || e.IsDir() || !e.Type().IsRegular() && e.Type()&fs.ModeSymlink == 0 {
				continue
			}
			data, err := fs.ReadFile(fsys, path.Join(dir, d.sub, e.Name()))
			if err != nil {
				continue
			}
			errs = append(errs, YAML(d.schema, path.Join(prefix, d.sub, e.Name()), data)...)
		}
	}
	errs.Sort()
	return errs
}

// YAML validates one YAML document against the named schema; file names
// it in positions. Each violation is reported at the line and column of
// the node it is about (a key the schema does not allow: at the key).
// A document that does not parse, or is empty, gives no error here.
func YAML(schemaName, file string, data []byte) spec.ErrorList {
	s, err := Schema(schemaName)
	if err != nil {
		return spec.ErrorList{{Pos: spec.Pos{File: file}, Msg: err.Error()}}
	}
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil || len(root.Content) == 0 {
		return nil
	}
	c := converter{values: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}}
	doc := c.value(root.Content[0], nil)
	err = s.Validate(doc)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return spec.ErrorList{{Pos: spec.Pos{File: file}, Msg: err.Error()}}
	}
	var errs spec.ErrorList
	seen := map[string]bool{}
	for _, v := range violations(ve) {
		n := c.values[ptr(v.loc)]
		if k := c.keys[ptr(v.loc)]; v.object && k != nil {
			n = k
		}
		where := strings.Join(v.loc, ".")
		if v.key != "" {
			kloc := append(append([]string(nil), v.loc...), v.key)
			if k := c.keys[ptr(kloc)]; k != nil {
				n = k
			}
			where = strings.Join(kloc, ".")
		}
		if n == nil {
			n = root.Content[0]
		}
		msg := fmt.Sprintf("schema (%s): %s", schemaName, v.msg)
		if where != "" {
			msg = fmt.Sprintf("schema (%s): %s: %s", schemaName, where, v.msg)
		}
		e := spec.Error{Pos: spec.Pos{File: file, Line: n.Line, Col: n.Column}, Msg: msg}
		if !seen[e.Error()] {
			seen[e.Error()] = true
			errs = append(errs, e)
		}
	}
	return errs
}

// Merge adds to the loader's errors the schema's violations on lines the
// loader says nothing about: where both see a problem, the loader's
// message (which knows the spec's names) is the one kept.
func Merge(loader, schemaErrs spec.ErrorList) spec.ErrorList {
	lines := map[string]bool{}
	for _, e := range loader {
		lines[fmt.Sprintf("%s:%d", e.Pos.File, e.Pos.Line)] = true
	}
	out := append(spec.ErrorList(nil), loader...)
	for _, e := range schemaErrs {
		if !lines[fmt.Sprintf("%s:%d", e.Pos.File, e.Pos.Line)] {
			out = append(out, e)
		}
	}
	out.Sort()
	return out
}

// ptr is the lookup key of an instance location.
func ptr(loc []string) string { return strings.Join(loc, "\x00") }

// converter turns YAML nodes into the values the validator reads (maps,
// slices, strings, json.Number, bools, nil), remembering the node of each
// value and of each mapping key by its instance location.
type converter struct {
	values map[string]*yaml.Node
	keys   map[string]*yaml.Node
}

func (c *converter) value(n *yaml.Node, loc []string) any {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	c.values[ptr(loc)] = n
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			kl := append(append([]string(nil), loc...), k.Value)
			if _, dup := m[k.Value]; dup {
				continue // the loader reports a repeated key
			}
			c.keys[ptr(kl)] = k
			m[k.Value] = c.value(v, kl)
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, v := range n.Content {
			s[i] = c.value(v, append(append([]string(nil), loc...), strconv.Itoa(i)))
		}
		return s
	case yaml.ScalarNode:
		return scalar(n)
	}
	return nil
}

// scalar is a YAML scalar as its tag resolves it; a timestamp stays the
// text it was written as (the spec reads dates as text).
func scalar(n *yaml.Node) any {
	var v any
	if err := n.Decode(&v); err != nil {
		return n.Value
	}
	switch x := v.(type) {
	case int:
		return json.Number(strconv.Itoa(x))
	case int64:
		return json.Number(strconv.FormatInt(x, 10))
	case uint64:
		return json.Number(strconv.FormatUint(x, 10))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return n.Value
		}
		return json.Number(strconv.FormatFloat(x, 'g', -1, 64))
	case time.Time:
		return n.Value
	case string, bool, nil:
		return x
	}
	return n.Value
}
