package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Error is one problem in the spec, at a position.
type Error struct {
	Pos Pos
	Msg string
}

func (e Error) Error() string {
	if e.Pos.Line == 0 {
		return fmt.Sprintf("%s: %s", e.Pos.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.Pos.File, e.Pos.Line, e.Pos.Col, e.Msg)
}

// ErrorList is every problem found, sorted by position.
type ErrorList []Error

func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// ErrInvalid is wrapped by every validation failure.
var ErrInvalid = errors.New("invalid spec")

// Unwrap lets errors.Is(err, ErrInvalid) match.
func (l ErrorList) Unwrap() error { return ErrInvalid }

// doc is one top-level section with the node that holds it.
type section struct {
	file string
	key  *yaml.Node
	val  *yaml.Node
}

// Load reads every .yaml and .yml file directly under dir of fsys (files in
// lexical order), merges their top-level sections, and validates the result.
// prefix is prepended to file names in positions (for example "models").
func Load(fsys fs.FS, dir, prefix string) (*Spec, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("load spec: the models folder %s does not exist (--models names it)", path.Join(prefix, dir))
	}
	if err != nil {
		return nil, fmt.Errorf("load spec: %s: %w", path.Join(prefix, dir), err)
	}
	names, irregular := yamlFiles(entries)
	if len(irregular) > 0 {
		return nil, fmt.Errorf("load spec: %s: not a regular file", path.Join(prefix, dir, irregular[0]))
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("load spec: no .yaml files in %s", path.Join(prefix, dir))
	}
	l := &loader{sections: map[string]section{}}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("load spec: %w", err)
		}
		l.file(path.Join(prefix, name), data)
	}
	// A file that is not YAML hides what it declares: checking references
	// against the rest would only add noise.
	var s *Spec
	if !l.syntaxError {
		if s = l.build(); s != nil {
			l.loadOverrides(fsys, dir, prefix, s)
		}
	}
	if len(l.errs) > 0 {
		l.errs.Sort()
		return nil, l.errs
	}
	return s, nil
}

// yamlFiles are the .yaml and .yml files among a folder's entries, in
// lexical order, and those of them that are not regular files (a FIFO or
// a device, whose read would block): refused, never read. Folders are
// passed over.
func yamlFiles(entries []fs.DirEntry) (names, irregular []string) {
	for _, e := range entries {
		if ext := path.Ext(e.Name()); e.IsDir() || ext != ".yaml" && ext != ".yml" {
			continue
		}
		if !e.Type().IsRegular() && e.Type()&fs.ModeSymlink == 0 {
			irregular = append(irregular, e.Name())
			continue
		}
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names, irregular
}

type loader struct {
	sections    map[string]section
	errs        ErrorList
	syntaxError bool
}

func (l *loader) errf(file string, n *yaml.Node, format string, args ...any) {
	p := Pos{File: file}
	if n != nil {
		p.Line, p.Col = n.Line, n.Column
	}
	l.errs = append(l.errs, Error{Pos: p, Msg: fmt.Sprintf(format, args...)})
}

var topLevel = []string{"project", "customer", "rules", "sources", "checks", "retention"}

func (l *loader) file(name string, data []byte) {
	// A NUL byte passes YAML and breaks every statement that carries it.
	if i := bytes.IndexByte(data, 0); i >= 0 {
		line := 1 + bytes.Count(data[:i], []byte("\n"))
		col := i - bytes.LastIndexByte(data[:i], '\n')
		l.errs = append(l.errs, Error{Pos: Pos{File: name, Line: line, Col: col}, Msg: "a NUL byte: the spec must be text"})
		l.syntaxError = true
		return
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		// yaml.v3 errors read "yaml: line N: msg".
		msg := err.Error()
		line := 0
		if rest, ok := strings.CutPrefix(msg, "yaml: line "); ok {
			if i := strings.Index(rest, ":"); i > 0 {
				line, _ = strconv.Atoi(rest[:i])
				msg = strings.TrimSpace(rest[i+1:])
			}
		}
		l.errs = append(l.errs, Error{Pos: Pos{File: name, Line: line, Col: 1}, Msg: "yaml: " + msg})
		l.syntaxError = true
		return
	}
	if len(root.Content) == 0 {
		return // empty file
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		l.errf(name, doc, "expected a mapping with keys %s", strings.Join(topLevel, ", "))
		return
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		if !contains(topLevel, k.Value) {
			l.errf(name, k, "unknown section %q (expected one of %s)", k.Value, strings.Join(topLevel, ", "))
			continue
		}
		if prev, ok := l.sections[k.Value]; ok {
			l.errf(name, k, "section %q is already defined at %s:%d:%d", k.Value, prev.file, prev.key.Line, prev.key.Column)
			continue
		}
		l.sections[k.Value] = section{file: name, key: k, val: v}
	}
}

// mapping walks a mapping node, rejecting unknown keys. fn is called for each
// known key in document order.
func (l *loader) mapping(file string, n *yaml.Node, what string, known []string, fn func(key string, k, v *yaml.Node)) bool {
	if n.Kind != yaml.MappingNode {
		l.errf(file, n, "%s must be a mapping", what)
		return false
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			l.errf(file, k, "%s: key %q is repeated", what, k.Value)
			continue
		}
		seen[k.Value] = true
		if known != nil && !contains(known, k.Value) {
			l.errf(file, k, "%s: unknown key %q%s (expected one of %s)", what, k.Value, didYouMean(k.Value, known), strings.Join(known, ", "))
			continue
		}
		fn(k.Value, k, v)
	}
	return true
}

func (l *loader) str(file string, n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		l.errf(file, n, "%s must be a string", what)
		return ""
	}
	return n.Value
}

func (l *loader) strs(file string, n *yaml.Node, what string) []string {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		return []string{n.Value}
	}
	if n.Kind != yaml.SequenceNode {
		l.errf(file, n, "%s must be a list of strings", what)
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		out = append(out, l.str(file, c, what))
	}
	return out
}

func (l *loader) boolean(file string, n *yaml.Node, what string) bool {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		l.errf(file, n, "%s must be true or false", what)
		return false
	}
	return n.Value == "true"
}

func (l *loader) float(file string, n *yaml.Node, what string) float64 {
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!float" || n.Tag == "!!int") {
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return f
		}
	}
	l.errf(file, n, "%s must be a number", what)
	return 0
}

func (l *loader) duration(file string, n *yaml.Node, what string) time.Duration {
	s := l.str(file, n, what)
	if s == "" {
		return 0
	}
	d, err := ParseDuration(s)
	if err != nil {
		l.errf(file, n, "%s: %v", what, err)
	}
	return d
}

func (l *loader) pairs(file string, n *yaml.Node, what string) []Pair {
	var out []Pair
	l.mapping(file, n, what, nil, func(key string, k, v *yaml.Node) {
		out = append(out, Pair{From: key, To: l.str(file, v, fmt.Sprintf("%s %q", what, key))})
	})
	return out
}

func pos(file string, n *yaml.Node) Pos { return Pos{File: file, Line: n.Line, Col: n.Column} }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
