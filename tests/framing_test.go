package tests

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// documentModels is the company spec fixture (testdata/spec) with the billing source's files framed as
// JSON documents (Stripe events saved as received).
func documentModels(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files, err := filepath.Glob("testdata/spec/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("models: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(f) == "sources.yaml" {
			s := strings.Replace(string(data), "    format: stripe_events\n", "    format: stripe_events\n    framing: documents\n", 1)
			if s == string(data) {
				t.Fatal("sources.yaml: no stripe_events source to frame as documents")
			}
			data = []byte(s)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestDocumentFraming: a source framed as documents reads pretty-printed
// JSON documents, several a file, one row each; text after the last whole
// document is kept, line by line, and quarantined as invalid JSON.
func TestDocumentFraming(t *testing.T) {
	run := open(t, documentModels(t))
	landing := t.TempDir()
	land(t, landing, "1.json", appEvent("c", 100, 0, "acct_D", "d@x.io"))
	var file bytes.Buffer
	for _, ev := range []map[string]any{
		stripeEvent("evt_1", "customer.created", time.Hour, "cus_D", "first@x.io", map[string]any{"account_id": "acct_D"}),
		stripeEvent("evt_2", "customer.updated", 2*time.Hour, "cus_D", "billing@x.io", map[string]any{"account_id": "acct_D"}),
	} {
		b, err := json.MarshalIndent(ev, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		file.Write(b)
		file.WriteString("\n")
	}
	file.WriteString("{\n  \"id\": \"evt_3\",\n  \"type\":\n")
	landBytes(t, landing, "billing/customer/0001.json", file.Bytes())
	runOnce(t, run, landing)
	db := run.DB()
	rows := query(t, db, "SELECT file_row || ' ' || (l LIKE '{\"%' AND l NOT LIKE '%'||chr(10)||'%') FROM (SELECT file_row, trueup_open_text(line) AS l FROM raw.billing_lines) ORDER BY file_row")
	if strings.Join(rows, ", ") != "1 true, 2 true, 3 false, 4 false, 5 false" {
		t.Errorf("RAW rows (row, one compact document) = %q", rows)
	}
	if got := query(t, db, "SELECT COUNT(DISTINCT event_id) FROM silver.observations WHERE source = 'billing'"); got[0] != "2" {
		t.Errorf("billing events observed = %s, want 2", got[0])
	}
	if got := query(t, db, "SELECT COUNT(*) FROM silver.quarantine WHERE source = 'billing' AND reason LIKE 'invalid JSON%'"); got[0] != "3" {
		t.Errorf("billing lines quarantined as invalid JSON = %s, want 3 (the cut document's lines)", got[0])
	}
	if got := query(t, db, "SELECT value FROM silver.observations WHERE source = 'billing' AND field = 'email' ORDER BY event_time DESC LIMIT 1"); got[0] != "billing@x.io" {
		t.Errorf("latest billing email = %q", got)
	}
}
