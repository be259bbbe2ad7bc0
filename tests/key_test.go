package tests

import (
	"bytes"
	"context"
	"encoding/base64"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/internal/app"
	"github.com/ledgerloop/trueup/internal/crypt"
)

// TestMasterKeyErrors: a database sealed with one master key is refused,
// with an error naming where the key came from, under another key or
// without one; the error never shows the key.
func TestMasterKeyErrors(t *testing.T) {
	ctx := context.Background()
	landing := t.TempDir()
	landText(t, landing, "app/accounts/0001.json", debeziumLine("acct_1", "ann@x.io", "1767225600000", "100"))
	db := filepath.Join(t.TempDir(), "t.duckdb")
	var out bytes.Buffer
	if err := app.RunLocal(ctx, &out, app.RunOptions{Models: "testdata/spec", DB: db, Landing: landing, Once: true}); err != nil {
		t.Fatal(err)
	}
	other := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32)))
	t.Setenv(crypt.EnvKey, other)
	for _, run := range []func() error{
		func() error {
			return app.RunLocal(ctx, &out, app.RunOptions{Models: "testdata/spec", DB: db, Landing: landing, Once: true})
		},
		func() error {
			return app.Explain(ctx, &out, app.ExplainOptions{Models: "testdata/spec", DB: db, Customer: "acct_1"})
		},
	} {
		err := run()
		if err == nil || !strings.Contains(err.Error(), "the master key from "+crypt.EnvKey+" does not open") || strings.Contains(err.Error(), other) {
			t.Errorf("another key: %v", err)
		}
	}
	t.Setenv(crypt.EnvKey, "")
	err := app.RunLocal(ctx, &out, app.RunOptions{Models: "testdata/spec", DB: db, Landing: landing, Once: true})
	if err == nil || !strings.Contains(err.Error(), "no master key: set "+crypt.EnvKey) {
		t.Errorf("no key: %v", err)
	}
}
