package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ledgerloop/trueup/generator/sample"
	"github.com/ledgerloop/trueup/internal/app"
	"github.com/ledgerloop/trueup/internal/crypt"
	"github.com/ledgerloop/trueup/internal/testenv"
)

// TestExitCodes: a result that asks for attention is exit 2, an error 1.
func TestExitCodes(t *testing.T) {
	var out bytes.Buffer
	dir := t.TempDir()
	err := app.Generate(&out, app.GenerateOptions{Models: "../../tests/testdata/spec", Dialect: "snowflake", Out: dir, Check: true})
	var ee *app.ExitError
	if !errors.As(err, &ee) || ee.Code != 2 || !errors.Is(err, app.ErrStale) {
		t.Errorf("generate --check of a stale folder: %v, want exit 2", err)
	}
	err = app.Generate(&out, app.GenerateOptions{Models: filepath.Join(dir, "none"), Dialect: "snowflake", Out: dir, Check: true})
	if err == nil || errors.As(err, &ee) {
		t.Errorf("generate of a missing spec: %v, want a plain error (exit 1)", err)
	}
	// A run whose batch an error-level check holds back.
	t.Setenv(crypt.EnvKey, testenv.MasterKey)
	t.Setenv(crypt.EnvKeyFile, "")
	t.Setenv(crypt.EnvKeyKMS, "")
	models := filepath.Join(dir, "models")
	if err := copyDir("../../tests/testdata/spec", models); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(models, "checks.yaml"), []byte("checks:\n  parse_failures: {severity: error}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	landing := filepath.Join(dir, "landing")
	if err := app.Sample(&out, app.SampleOptions{Models: models, Out: landing, Writer: sample.Options{Customers: 5, Seed: 3}}); err != nil {
		t.Fatal(err)
	}
	err = app.RunLocal(context.Background(), &out, app.RunOptions{Models: models, DB: filepath.Join(dir, "t.duckdb"), Landing: landing, Once: true})
	if !errors.As(err, &ee) || ee.Code != 2 || !errors.Is(err, app.ErrDQFailed) {
		t.Errorf("run with a held batch: %v, want exit 2", err)
	}
}
