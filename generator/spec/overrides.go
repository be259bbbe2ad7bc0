package spec

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// OverridesDir is the folder of the spec that holds steward overrides
// kept as files (reviewed in pull requests like the rest of the spec).
const OverridesDir = "overrides"

// FileOverride is a steward's override written in a file under
// models/overrides/: the same decision as `trueup override`, applied by
// each run until it ends.
type FileOverride struct {
	Pos             Pos
	Customer, Field string
	Value           string
	Reason, Author  string
	Until           time.Time // zero: no expiry
}

// Origin names the override by what it says, not where it is written:
// moving it to another file does not apply it again, changing it does.
func (o FileOverride) Origin() string {
	h := sha256.New()
	for _, s := range []string{o.Customer, o.Field, o.Value, o.Reason, o.Author, o.Until.UTC().Format(time.RFC3339Nano)} {
		fmt.Fprintf(h, "%d:%s\n", len(s), s)
	}
	return "file:" + hex.EncodeToString(h.Sum(nil))[:16]
}

// loadOverrides reads every .yaml file of dir/overrides (none when the
// folder does not exist): a top-level list `overrides:` of entries with
// customer, field, value, reason, author and an optional until.
func (l *loader) loadOverrides(fsys fs.FS, dir, prefix string, s *Spec) {
	sub := path.Join(dir, OverridesDir)
	entries, err := fs.ReadDir(fsys, sub)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		l.errs = append(l.errs, Error{Pos: Pos{File: path.Join(prefix, OverridesDir)}, Msg: err.Error()})
		return
	}
	names, irregular := yamlFiles(entries)
	for _, name := range irregular {
		l.errs = append(l.errs, Error{Pos: Pos{File: path.Join(prefix, OverridesDir, name)}, Msg: "not a regular file"})
	}
	seen := map[[2]string]Pos{}
	for _, name := range names {
		file := path.Join(prefix, OverridesDir, name)
		data, err := fs.ReadFile(fsys, path.Join(sub, name))
		if err != nil {
			l.errs = append(l.errs, Error{Pos: Pos{File: file}, Msg: err.Error()})
			continue
		}
		var root yaml.Node
		if err := yaml.Unmarshal(data, &root); err != nil {
			l.errs = append(l.errs, Error{Pos: Pos{File: file}, Msg: err.Error()})
			continue
		}
		if len(root.Content) == 0 {
			continue
		}
		l.mapping(file, root.Content[0], "an overrides file", []string{"overrides"}, func(_ string, _, v *yaml.Node) {
			if v.Kind != yaml.SequenceNode {
				l.errf(file, v, "overrides must be a list of overrides")
				return
			}
			for _, n := range v.Content {
				o, ok := l.override(file, n, s)
				if !ok {
					continue
				}
				key := [2]string{o.Customer, o.Field}
				if p, dup := seen[key]; dup {
					l.errf(file, n, "customer %s field %s is already overridden at %s:%d", o.Customer, o.Field, p.File, p.Line)
					continue
				}
				seen[key] = o.Pos
				s.Overrides = append(s.Overrides, o)
			}
		})
	}
}

func (l *loader) override(file string, n *yaml.Node, s *Spec) (FileOverride, bool) {
	o := FileOverride{Pos: Pos{File: file, Line: n.Line, Col: n.Column}}
	before := len(l.errs)
	what := "override"
	got := map[string]bool{}
	l.mapping(file, n, what, []string{"customer", "field", "value", "reason", "author", "until"}, func(key string, k, v *yaml.Node) {
		got[key] = true
		if v.Kind != yaml.ScalarNode || v.Tag == "!!null" || strings.TrimSpace(v.Value) == "" {
			l.errf(file, v, "%s.%s must be a value", what, key)
			return
		}
		switch key {
		case "customer":
			o.Customer = v.Value
		case "field":
			o.Field = v.Value
			if s.FieldByName(v.Value) == nil {
				l.errf(file, v, "override.field: no field %q (fields: %s)", v.Value, strings.Join(s.FieldNames(), ", "))
			}
		case "value":
			o.Value = v.Value
		case "reason":
			o.Reason = v.Value
		case "author":
			o.Author = v.Value
		case "until":
			t, err := parseUntil(v.Value)
			if err != nil {
				l.errf(file, v, "override.until: %v", err)
			}
			o.Until = t
		}
	})
	if n.Kind == yaml.MappingNode {
		for _, key := range []string{"customer", "field", "value", "reason", "author"} {
			if !got[key] {
				l.errf(file, n, "override: %s is required", key)
			}
		}
	}
	return o, len(l.errs) == before
}

// parseUntil reads an override's expiry: an RFC 3339 time or a date (UTC
// midnight).
func parseUntil(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: want an RFC 3339 time (2026-12-31T00:00:00Z) or a date (2026-12-31)", s)
}

// FileOverrideAuthor and FileOverrideRemoved are the author and reason of
// the clearing of a file's override whose entry was removed.
const (
	FileOverrideAuthor  = "models/overrides"
	FileOverrideRemoved = "its entry was removed from models/overrides"
)

// AppliedOverride is an override of models/overrides/ as a database holds
// it (silver.overrides with origin file:...).
type AppliedOverride struct {
	Origin, Customer, Field string
	InForce                 bool
}

// OverridesToApply is what brings a database's overrides in line with the
// files: the entries never applied (an entry applied before is left
// alone even once it ended, and one expired by now is never set), and the
// overrides in force whose entry is gone, to clear. Overrides set from
// the command line are not among applied.
func (s *Spec) OverridesToApply(applied []AppliedOverride, now time.Time) (set []FileOverride, clear []AppliedOverride) {
	seen := map[string]bool{}
	for _, a := range applied {
		seen[a.Origin] = true
	}
	want := map[string]bool{}
	for _, fo := range s.Overrides {
		origin := fo.Origin()
		want[origin] = true
		if seen[origin] || (!fo.Until.IsZero() && !fo.Until.After(now)) {
			continue
		}
		set = append(set, fo)
	}
	for _, a := range applied {
		if a.InForce && !want[a.Origin] {
			clear = append(clear, a)
		}
	}
	return set, clear
}
