// Package generator is the compiler's entry point: spec folder in, SQL tree
// out. It chains spec (load and validate), plan (the IR), a dialect and emit,
// and compares a generated tree with the one on disk.
package generator

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ledgerloop/trueup/generator/dialect"
	_ "github.com/ledgerloop/trueup/generator/dialect/all" // register dialects
	"github.com/ledgerloop/trueup/generator/emit"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/generator/spec"
	"github.com/ledgerloop/trueup/generator/textdiff"
)

// LoadSpec loads and validates the spec in dir. Positions in errors are
// written relative to dir's name as given (for example models/customer.yaml).
func LoadSpec(dir string) (*spec.Spec, error) {
	return spec.Load(os.DirFS(dir), ".", filepath.ToSlash(filepath.Clean(dir)))
}

// Compile loads the spec in dir and builds its plan.
func Compile(dir string) (*plan.Plan, error) {
	s, err := LoadSpec(dir)
	if err != nil {
		return nil, err
	}
	return plan.Build(s)
}

// Render renders a plan with a registered dialect.
func Render(p *plan.Plan, dialectName string) ([]emit.File, error) {
	r, err := dialect.Get(dialectName)
	if err != nil {
		return nil, err
	}
	return emit.Files(p, r), nil
}

// Generated reports whether a path of an output folder is one generate
// owns: the integrity file and the files in the numbered kind folders.
func Generated(rel string) bool {
	rel = filepath.ToSlash(rel)
	if rel == emit.SumFile {
		return true
	}
	dir, file, ok := strings.Cut(rel, "/")
	return ok && len(dir) > 3 && dir[2] == '_' && strings.HasSuffix(file, ".sql") && !strings.Contains(file, "/")
}

// ReadTree reads the generated files under dir (a missing dir is empty).
func ReadTree(dir string) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path == dir {
				return fs.SkipAll
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		if !Generated(rel) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = data
		return nil
	})
	return out, err
}

// Diff returns a unified diff per differing file between the tree on disk
// (old) and the generated one (new), in path order; "" when equal.
func Diff(dir string, onDisk, generated map[string][]byte) string {
	names := map[string]bool{}
	for n := range onDisk {
		names[n] = true
	}
	for n := range generated {
		names[n] = true
	}
	var sorted []string
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	var b strings.Builder
	for _, n := range sorted {
		old, inOld := onDisk[n]
		cur, inNew := generated[n]
		if inOld && inNew && bytes.Equal(old, cur) {
			continue
		}
		a, bname := filepath.ToSlash(filepath.Join(dir, n)), filepath.ToSlash(filepath.Join(dir, n))
		if !inOld {
			a = "/dev/null"
		}
		if !inNew {
			bname = "/dev/null"
		}
		b.WriteString(textdiff.Unified(a, bname, string(old), string(cur)))
	}
	return b.String()
}

// WriteTree writes the tree into dir and removes generated files that the
// tree no longer has. Files generate does not own are left alone.
func WriteTree(dir string, tree map[string][]byte) error {
	old, err := ReadTree(dir)
	if err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	for n := range old {
		if _, keep := tree[n]; !keep {
			if err := os.Remove(filepath.Join(dir, n)); err != nil {
				return fmt.Errorf("write %s: %w", dir, err)
			}
		}
	}
	for n, data := range tree {
		p := filepath.Join(dir, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("write %s: %w", dir, err)
		}
		if prev, ok := old[n]; ok && bytes.Equal(prev, data) {
			continue
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", dir, err)
		}
	}
	// Remove kind folders left empty.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() && Generated(e.Name()+"/x.sql") {
			sub, _ := os.ReadDir(filepath.Join(dir, e.Name()))
			if len(sub) == 0 {
				os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
	return nil
}
