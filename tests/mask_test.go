package tests

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/generator/sample"
	"github.com/ledgerloop/trueup/internal/app"
	"github.com/ledgerloop/trueup/internal/auditlog"
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
	if err := app.RunLocal(ctx, &out, app.RunOptions{Models: "testdata/spec", DB: db, Landing: landing, Once: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "ann.secret") {
		t.Errorf("run printed PII:\n%s", out.String())
	}
	for _, role := range []string{"", "analyst", "steward"} {
		out.Reset()
		if err := app.Explain(ctx, &out, app.ExplainOptions{Models: "testdata/spec", DB: db, Customer: "acct_1", Role: role}); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out.String(), "ann.secret") || !strings.Contains(out.String(), "***@x.io") {
			t.Errorf("role %q: want the email masked to its domain:\n%s", role, out.String())
		}
	}
	out.Reset()
	if err := app.Explain(ctx, &out, app.ExplainOptions{Models: "testdata/spec", DB: db, Customer: "acct_1", Role: "pii_reader"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "ann.secret@x.io") {
		t.Errorf("pii_reader: want the email in full:\n%s", out.String())
	}
	// The read in full, and only it, is in the audit log.
	out.Reset()
	if err := app.AuditVerify(ctx, &out, app.AuditOptions{TargetOptions: app.TargetOptions{Models: "testdata/spec"}, DB: db}); err != nil {
		t.Fatal(err)
	}
	run := runFile(t, "testdata/spec", db, landing)
	entries, err := run.AuditEntries(ctx)
	run.Close()
	if err != nil {
		t.Fatal(err)
	}
	var reads []string
	for _, e := range entries {
		if e.Action == auditlog.PIIRead {
			reads = append(reads, e.Subject+" "+e.Detail)
		}
	}
	if len(reads) != 1 || !strings.HasPrefix(reads[0], "acct_1 ") || !strings.Contains(reads[0], `"role":"pii_reader"`) || strings.Contains(reads[0], "ann.secret") {
		t.Errorf("audited reads of PII: %q, want the one by pii_reader", reads)
	}
	err = app.Explain(ctx, &out, app.ExplainOptions{Models: "testdata/spec", DB: db, Customer: "acct_1", Role: "root"})
	if err == nil || !strings.Contains(err.Error(), "--role") {
		t.Errorf("an unknown role: %v", err)
	}
}

// TestDemoOutputsHoldNoPII: the demo (sample, run, dq in text and JSON,
// explain with the default role) prints no email address and no account
// owner that gold holds; a data-quality violation on a PII field withholds
// the value.
func TestDemoOutputsHoldNoPII(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	landing := filepath.Join(dir, "landing")
	db := filepath.Join(dir, "t.duckdb")
	var out bytes.Buffer
	if err := app.Sample(&out, app.SampleOptions{Models: "testdata/spec", Out: landing, Writer: sample.Options{Customers: 60, Seed: 7}}); err != nil {
		t.Fatal(err)
	}
	if err := app.RunLocal(ctx, &out, app.RunOptions{Models: "testdata/spec", DB: db, Landing: landing, Once: true}); err != nil {
		t.Fatal(err)
	}
	for _, js := range []bool{false, true} {
		if err := app.DQ(ctx, &out, app.DQOptions{Models: "testdata/spec", DB: db, JSON: js}); err != nil && !errors.Is(err, app.ErrDQFailed) {
			t.Fatal(err)
		}
	}
	run := runFile(t, "testdata/spec", db, landing)
	ids := query(t, run, "SELECT customer_id FROM gold.customer_master ORDER BY 1 LIMIT 5")
	// Gold holds PII as tokens: the secrets are the values they open to
	// (query opens them), as normalized and as landed (" Ann@X.io ").
	var secrets []string
	for _, q := range []string{
		"SELECT DISTINCT value FROM gold.field_candidates WHERE field IN ('email', 'company_name', 'account_owner') AND value IS NOT NULL AND value LIKE 'tu1:%' ORDER BY 1",
		"SELECT DISTINCT value FROM silver.observations WHERE field IN ('email', 'company_name', 'account_owner') AND value IS NOT NULL AND value LIKE 'tu1:%' ORDER BY 1",
	} {
		for _, v := range query(t, run, q) {
			if v = strings.TrimSpace(v); len(v) > 3 && !strings.HasPrefix(v, "tu1:") {
				secrets = append(secrets, v)
			}
		}
	}
	run.Close()
	for _, id := range ids {
		if err := app.Explain(ctx, &out, app.ExplainOptions{Models: "testdata/spec", DB: db, Customer: id}); err != nil {
			t.Fatal(err)
		}
	}
	if len(secrets) < 20 {
		t.Fatalf("only %d PII values in gold: the sample is too small to test", len(secrets))
	}
	text := out.String()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("the demo printed %q", s)
		}
	}
	// The database file, its WAL and its vault hold none of them either;
	// the files are private.
	for _, f := range []string{db, db + ".wal", db + ".vault"} {
		data, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) && f == db+".wal" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Stat(f); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %04o, want 0600", filepath.Base(f), fi.Mode().Perm())
		}
		found := 0
		for _, s := range secrets {
			if bytes.Contains(bytes.ToLower(data), bytes.ToLower([]byte(s))) {
				if found < 3 {
					t.Errorf("%s holds %q in plaintext", filepath.Base(f), s)
				}
				found++
			}
		}
		if found > 0 {
			t.Errorf("%s: %d of %d PII values in plaintext", filepath.Base(f), found, len(secrets))
		}
	}
	if !strings.Contains(text, plan.WithheldPII) {
		t.Errorf("no invalid_values violation on a PII field was shown withheld:\n%s", text)
	}
}

// TestSealingChangesNothing: gold, history and the crosswalk are the same,
// value for value, whether the spec's PII fields are sealed (tokens of a
// blind index, values in the vault) or, with their pii tags removed,
// stored in plaintext.
func TestSealingChangesNothing(t *testing.T) {
	dir := t.TempDir()
	landing := filepath.Join(dir, "landing")
	var out bytes.Buffer
	if err := app.Sample(&out, app.SampleOptions{Models: "testdata/spec", Out: landing, Writer: sample.Options{Customers: 40, Seed: 11}}); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "plain")
	copyTree(t, "testdata/spec", plain)
	cust := filepath.Join(plain, "customer.yaml")
	data, err := os.ReadFile(cust)
	if err != nil {
		t.Fatal(err)
	}
	stripped := strings.ReplaceAll(string(data), "      pii: true\n", "")
	if stripped == string(data) {
		t.Fatal("the spec has no pii tags to remove")
	}
	if err := os.WriteFile(cust, []byte(stripped), 0o644); err != nil {
		t.Fatal(err)
	}
	snap := func(models string) string {
		db := filepath.Join(dir, filepath.Base(models)+".duckdb")
		run := runFile(t, models, db, landing)
		defer run.Close()
		// Raw lines are encrypted when the spec has PII, kept as they
		// are when it has none.
		sealedLines := query(t, run, "SELECT COUNT(*) FILTER (WHERE line LIKE 'tl1:%') = COUNT(*) FROM raw.app_lines")[0]
		if want := fmt.Sprint(models == "testdata/spec"); sealedLines != want {
			t.Errorf("%s: every raw line sealed: %s, want %s", models, sealedLines, want)
		}
		s := snapshot(t, run.DB())
		for _, v := range query(t, run, "SELECT DISTINCT ruleset_version FROM gold.customer_master_history") {
			s = strings.ReplaceAll(s, v, "(rule set)")
		}
		return s
	}
	sealed, open := snap("testdata/spec"), snap(plain)
	if !strings.Contains(sealed, "@") {
		t.Fatalf("no email in the snapshot:\n%.2000s", sealed)
	}
	if sealed != open {
		t.Errorf("sealing changed gold:\n%s", firstDiff(sealed, open))
	}
}
