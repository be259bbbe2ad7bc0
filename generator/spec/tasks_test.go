package spec_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ledgerloop/trueup/generator/spec"
)

const minimalCustomer = "customer:\n  fields:\n    email: {type: string}\n    status: {type: string}\n"

// TestTaskPolicyDefaults: without project.tasks the graph runs on the
// project's warehouse with the one-minute-schedule defaults.
func TestTaskPolicyDefaults(t *testing.T) {
	s, err := load(t, map[string]string{
		"project.yaml":  "project: {database: DB, warehouse: WH}\n",
		"customer.yaml": minimalCustomer,
		"sources.yaml":  validSources,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := spec.TaskPolicy{Compute: spec.ComputeWarehouse, Warehouse: "WH", Overlap: spec.OverlapNone,
		Timeout: spec.DefaultTaskTimeout, Retries: spec.DefaultTaskRetries, SuspendAfterFailures: spec.DefaultTaskSuspendAfterFailures}
	got := s.Project.Tasks
	got.Pos = spec.Pos{}
	if got != want {
		t.Errorf("policy = %+v, want %+v", got, want)
	}
	if spec.DefaultTaskTimeout >= time.Hour || spec.DefaultTaskRetries == 0 || spec.DefaultTaskSuspendAfterFailures == 0 {
		t.Errorf("defaults are Snowflake's own (one hour, no retry) or never suspend")
	}
}

// TestTaskPolicySet reads every key, zero values included.
func TestTaskPolicySet(t *testing.T) {
	s, err := load(t, map[string]string{
		"project.yaml": `project:
  database: DB
  warehouse: WH
  tasks:
    compute: serverless
    initial_size: xsmall
    target_completion: 2m
    overlap: no_overlap
    timeout: 90s
    retries: 0
    suspend_after_failures: 0
`,
		"customer.yaml": minimalCustomer,
		"sources.yaml":  validSources,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := spec.TaskPolicy{Compute: spec.ComputeServerless, InitialSize: "XSMALL", TargetCompletion: 2 * time.Minute,
		Overlap: spec.OverlapNone, Timeout: 90 * time.Second}
	got := s.Project.Tasks
	if got.Pos.Line != 4 {
		t.Errorf("policy position = %+v, want line 4", got.Pos)
	}
	got.Pos = spec.Pos{}
	if got != want {
		t.Errorf("policy = %+v, want %+v", got, want)
	}
}

// TestTaskPolicyErrors: every bad value is reported at its file, line and
// column, naming the field.
func TestTaskPolicyErrors(t *testing.T) {
	_, err := load(t, map[string]string{
		"project.yaml": `project:
  database: DB
  warehouse: WH
  tasks:
    compute: lambda
    initial_size: huge
    overlap: allow_all_overlap
    timeout: 8d
    retries: 31
    suspend_after_failures: -1
    target_completion: 5s
    color: blue
`,
		"customer.yaml": minimalCustomer,
		"sources.yaml":  validSources,
	})
	if !errors.Is(err, spec.ErrInvalid) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{
		`models/project.yaml:5:14: project.tasks.compute: want warehouse or serverless, got "lambda"`,
		`models/project.yaml:6:19: project.tasks.initial_size: want one of XSMALL, SMALL, MEDIUM, LARGE, XLARGE, XXLARGE, got "huge"`,
		`models/project.yaml:7:14: project.tasks.overlap: only no_overlap is supported, got "allow_all_overlap"`,
		`models/project.yaml:8:14: project.tasks.timeout: want a duration above 0 and at most 7d, got 8d`,
		`models/project.yaml:9:14: project.tasks.retries: want a whole number of retries of a failed run from 0 to 30, got 31`,
		`models/project.yaml:10:29: project.tasks.suspend_after_failures: want a whole number of failed runs in a row (0: never suspend) from 0 to 1000000, got -1`,
		`models/project.yaml:11:24: project.tasks.target_completion: want whole seconds from 10s to 24h, got 5s`,
		`models/project.yaml:12:5: project.tasks: unknown key "color"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

// TestTaskPolicyComputeKeys: the serverless settings need compute:
// serverless, and a serverless graph names no warehouse.
func TestTaskPolicyComputeKeys(t *testing.T) {
	for _, c := range []struct{ tasks, want string }{
		{"    initial_size: small\n", `models/project.yaml:5:5: project.tasks.initial_size: set only with compute: serverless`},
		{"    compute: warehouse\n    target_completion: 1m\n", `models/project.yaml:6:5: project.tasks.target_completion: set only with compute: serverless`},
		{"    compute: serverless\n    warehouse: OTHER_WH\n", `models/project.yaml:6:5: project.tasks.warehouse: set only with compute: warehouse`},
		{"    retries: 1.5\n", `models/project.yaml:5:14: project.tasks.retries: want a whole number`},
		{"    timeout: soon\n", `models/project.yaml:5:14: project.tasks.timeout: invalid duration "soon"`},
	} {
		_, err := load(t, map[string]string{
			"project.yaml":  "project:\n  database: DB\n  warehouse: WH\n  tasks:\n" + c.tasks,
			"customer.yaml": minimalCustomer,
			"sources.yaml":  validSources,
		})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.tasks, err, c.want)
		}
	}
}
