package main

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"

	"github.com/ledgerloop/trueup/internal/app"
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
}
