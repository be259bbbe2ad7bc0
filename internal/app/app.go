// Package app implements the trueup commands as functions that take their
// options and output writers and return errors: the cobra layer in
// cmd/trueup only parses flags and calls them.
package app

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/emit"
	"github.com/ledgerloop/trueup/generator/spec"
	"github.com/ledgerloop/trueup/internal/schemacheck"
)

// ErrStale is returned by generate --check when the SQL on disk differs.
var ErrStale = errors.New("generated SQL is stale: run trueup generate")

// ExitError carries a process exit code for errors that are results, not
// failures (a stale tree, a drift).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// Validate loads and validates the spec and its rule tests and reports
// what it found.
//
// Besides its own checks, it validates every file against the published
// JSON Schema (docs/schema/spec.schema.json, and those of the rule tests
// and overrides): a violation is reported at its file:line:col, unless
// the checks already report a problem on that line.
func Validate(w io.Writer, models string) error {
	schemaErrs := schemacheck.Spec(os.DirFS(models), ".", filepath.ToSlash(filepath.Clean(models)))
	withSchema := func(err error) error {
		var l spec.ErrorList
		if errors.As(err, &l) {
			return schemacheck.Merge(l, schemaErrs)
		}
		return err
	}
	p, err := generator.Compile(models)
	if err != nil {
		return withSchema(err)
	}
	s := p.Spec
	var srcs []string
	for _, src := range s.Sources {
		srcs = append(srcs, fmt.Sprintf("%s (%s)", src.Name, src.Format))
	}
	tests, err := loadRuleTests(models, s)
	if err != nil {
		return withSchema(err)
	}
	if len(schemaErrs) > 0 {
		return schemaErrs
	}
	fmt.Fprintf(w, "%s: ok: %d fields, %d sources: %s; rule set %s\n", models, len(s.Fields), len(s.Sources), strings.Join(srcs, ", "), p.RulesetVersion)
	if len(tests) > 0 {
		fmt.Fprintf(w, "%s: ok: %d rule tests\n", ruleTestDir(models), len(tests))
	}
	return nil
}

// GenerateOptions are the options of trueup generate.
type GenerateOptions struct {
	Models  string
	Dialect string
	Out     string
	Check   bool
}

// Generate renders the spec and writes it, or with Check compares it with
// what is on disk and prints a unified diff.
func Generate(w io.Writer, o GenerateOptions) error {
	p, err := generator.Compile(o.Models)
	if err != nil {
		return err
	}
	files, err := generator.Render(p, o.Dialect)
	if err != nil {
		return err
	}
	tree := emit.Tree(files)
	mig, err := planMigrations(o.Out, p, o.Dialect)
	if err != nil {
		return err
	}
	if o.Check {
		onDisk, err := generator.ReadTree(o.Out)
		if err != nil {
			return fmt.Errorf("generate --check: %w", err)
		}
		if d := generator.Diff(o.Out, onDisk, tree) + mig.diff(); d != "" {
			io.WriteString(w, d)
			return &ExitError{Code: 2, Err: fmt.Errorf("%s: %w", o.Out, ErrStale)}
		}
		fmt.Fprintf(w, "%s is up to date (%d files)\n", o.Out, len(tree))
		return nil
	}
	onDisk, err := generator.ReadTree(o.Out)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	if err := generator.WriteTree(o.Out, tree); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	changed := 0
	var names []string
	for n := range tree {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if string(onDisk[n]) != string(tree[n]) {
			changed++
		}
	}
	removed := 0
	for n := range onDisk {
		if _, ok := tree[n]; !ok {
			removed++
		}
	}
	fmt.Fprintf(w, "wrote %s: %d files (%d changed, %d removed), dialect %s, rule set %s\n", o.Out, len(tree), changed, removed, o.Dialect, p.RulesetVersion)
	return mig.write(w)
}
