package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/spec"
	"github.com/ledgerloop/trueup/internal/local"
)

// RuleTestOptions are the options of trueup test.
type RuleTestOptions struct {
	Models string
	JSON   bool
	// Run, when set, runs only the tests whose name contains it.
	Run string
}

// ErrRuleTestsFailed is returned when a rule test failed.
var ErrRuleTestsFailed = errors.New("rule tests failed")

// ruleTestJSON is one test's outcome in --json output.
type ruleTestJSON struct {
	Name       string          `json:"name"`
	File       string          `json:"file"`
	Line       int             `json:"line"`
	AsOf       string          `json:"as_of,omitempty"`
	Field      string          `json:"field"`
	Pass       bool            `json:"pass"`
	Expected   ruleTestOutcome `json:"expected"`
	Got        ruleTestOutcome `json:"got"`
	Customer   string          `json:"customer"`
	Candidates []string        `json:"candidates"`
}

// ruleTestOutcome is a winner: a test's expectation leaves out what it
// does not check; value null is null.
type ruleTestOutcome struct {
	Source *string         `json:"source,omitempty"`
	Rule   *string         `json:"rule,omitempty"`
	Value  json.RawMessage `json:"value,omitempty"`
}

// rawValue is a value as JSON: a string or null.
func rawValue(v *string) json.RawMessage {
	if v == nil {
		return json.RawMessage("null")
	}
	b, _ := json.Marshal(*v)
	return b
}

// RuleTests runs the rule tests under models/tests on the embedded DuckDB
// database, through the pipeline's own SQL, and prints one line per test.
// It returns an ExitError (code 1) wrapping ErrRuleTestsFailed when any
// test failed.
func RuleTests(ctx context.Context, w io.Writer, o RuleTestOptions) error {
	p, err := generator.Compile(o.Models)
	if err != nil {
		return err
	}
	dir := ruleTestDir(o.Models)
	tests, err := loadRuleTests(o.Models, p.Spec)
	if err != nil {
		return err
	}
	if len(tests) == 0 {
		// A spec without rule tests passes, so that make test works before
		// the first test is written; --run that matches none is an error.
		fmt.Fprintf(w, "no rule tests in %s\n", dir)
		return nil
	}
	if o.Run != "" {
		var kept []*spec.RuleTest
		for _, t := range tests {
			if strings.Contains(t.Name, o.Run) {
				kept = append(kept, t)
			}
		}
		tests = kept
	}
	if len(tests) == 0 {
		return fmt.Errorf("test: no rule test in %s has a name containing %q", dir, o.Run)
	}
	results, err := local.RunRuleTests(ctx, p, tests)
	if err != nil {
		return err
	}
	failed := 0
	for _, r := range results {
		if !r.Pass {
			failed++
		}
	}
	if o.JSON {
		out := make([]ruleTestJSON, 0, len(results))
		for _, r := range results {
			out = append(out, ruleTestOf(r))
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		doc := struct {
			SchemaVersion int  `json:"schema_version"`
			Tests         any  `json:"tests"`
			Passed        bool `json:"passed"`
		}{1, out, true}
		for _, r := range results {
			doc.Passed = doc.Passed && r.Pass
		}
		if err := enc.Encode(doc); err != nil {
			return err
		}
	} else {
		for _, r := range results {
			printRuleTest(w, r)
		}
		fmt.Fprintf(w, "%d tests: %d passed, %d failed\n", len(results), len(results)-failed, failed)
	}
	if failed > 0 {
		return &ExitError{Code: 1, Err: fmt.Errorf("test: %d of %d: %w", failed, len(results), ErrRuleTestsFailed)}
	}
	return nil
}

// ruleTestDir is the folder of the rule tests of the spec in models, as
// positions name it.
func ruleTestDir(models string) string {
	return filepath.ToSlash(filepath.Join(filepath.Clean(models), spec.RuleTestDir))
}

// loadRuleTests reads and checks the rule tests of the spec in models.
func loadRuleTests(models string, s *spec.Spec) ([]*spec.RuleTest, error) {
	return spec.LoadRuleTests(os.DirFS(models), spec.RuleTestDir, ruleTestDir(models), s)
}

func ruleTestOf(r local.RuleTestResult) ruleTestJSON {
	t := r.Test
	j := ruleTestJSON{Name: t.Name, File: t.Pos.File, Line: t.Pos.Line, Field: t.Field, Pass: r.Pass, Customer: r.Customer,
		Expected:   ruleTestOutcome{Source: t.Expect.Source, Rule: t.Expect.Rule},
		Candidates: []string{}}
	if t.Expect.ValueSet {
		j.Expected.Value = rawValue(t.Expect.Value)
	}
	if !t.Expect.AsOf.IsZero() {
		j.AsOf = t.Expect.AsOf.Format(time.RFC3339)
	}
	if r.Found {
		j.Got = ruleTestOutcome{Rule: &r.Rule, Value: rawValue(r.Value)}
		if r.Source != "" {
			j.Got.Source = &r.Source
		}
	}
	for _, c := range r.Candidates {
		j.Candidates = append(j.Candidates, candidateLine(c))
	}
	return j
}

// printRuleTest prints PASS or FAIL, the test, and for a failure what was
// expected, what gold holds and the candidates as ranked.
func printRuleTest(w io.Writer, r local.RuleTestResult) {
	t := r.Test
	if r.Pass {
		fmt.Fprintf(w, "PASS %s: %s\n", t.Field, t.Name)
		return
	}
	got := "no gold row for the customer"
	if !t.Expect.AsOf.IsZero() {
		got = "no version of the customer valid then"
	}
	if r.Found {
		got = outcome(&r.Source, &r.Rule, r.Value, true)
	}
	when := ""
	if !t.Expect.AsOf.IsZero() {
		when = " as of " + t.Expect.AsOf.Format(time.RFC3339)
	}
	fmt.Fprintf(w, "FAIL %s: %s (%s:%d)\n  want %s%s\n  got  %s\n", t.Field, t.Name, t.Pos.File, t.Pos.Line,
		outcome(t.Expect.Source, t.Expect.Rule, t.Expect.Value, t.Expect.ValueSet), when, got)
	for _, c := range r.Candidates {
		fmt.Fprintf(w, "    %s\n", candidateLine(c))
	}
}

// outcome reads source/rule value; what a test does not check is "*".
func outcome(source, rule, value *string, valueSet bool) string {
	s, ru, v := "*", "*", "*"
	if source != nil {
		s = *source
		if s == "" {
			s = "(none)"
		}
	}
	if rule != nil {
		ru = *rule
	}
	if valueSet {
		v = "null"
		if value != nil {
			v = strconv.Quote(*value)
		}
	}
	return fmt.Sprintf("%s/%s %s", s, ru, v)
}

func candidateLine(c local.Candidate) string {
	flags := ""
	if !c.Valid {
		flags += " invalid"
	}
	if c.Dropped {
		flags += " dropped"
	}
	return fmt.Sprintf("%d. %s %s raw %s -> %s at %s: %s%s", c.Rank, c.Source, c.RecordKey, strconv.Quote(c.RawValue), strconv.Quote(c.Value), c.EventTime, c.Scores, flags)
}
