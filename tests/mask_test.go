package tests

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/internal/app"
)

// TestExplainMasksPII: explain shows a PII field masked to the default
// role and to analyst (an email's domain), in full to pii_reader, and
// refuses a role it does not know.
func TestExplainMasksPII(t *testing.T) {
	ctx := context.Background()
	landing := t.TempDir()
	landText(t, landing, "app/accounts/0001.json", debeziumLine("acct_1", "ann.secret@x.io", "1767225600000", "100"))
	db := filepath.Join(t.TempDir(), "t.duckdb")
	var out bytes.Buffer
	if err := app.RunLocal(ctx, &out, app.RunOptions{Models: "../models", DB: db, Landing: landing, Once: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "ann.secret") {
		t.Errorf("run printed PII:\n%s", out.String())
	}
	for _, role := range []string{"", "analyst", "steward"} {
		out.Reset()
		if err := app.Explain(ctx, &out, app.ExplainOptions{Models: "../models", DB: db, Customer: "acct_1", Role: role}); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out.String(), "ann.secret") || !strings.Contains(out.String(), "***@x.io") {
			t.Errorf("role %q: want the email masked to its domain:\n%s", role, out.String())
		}
	}
	out.Reset()
	if err := app.Explain(ctx, &out, app.ExplainOptions{Models: "../models", DB: db, Customer: "acct_1", Role: "pii_reader"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "ann.secret@x.io") {
		t.Errorf("pii_reader: want the email in full:\n%s", out.String())
	}
	err := app.Explain(ctx, &out, app.ExplainOptions{Models: "../models", DB: db, Customer: "acct_1", Role: "root"})
	if err == nil || !strings.Contains(err.Error(), "--role") {
		t.Errorf("an unknown role: %v", err)
	}
}
