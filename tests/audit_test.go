package tests

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/internal/app"
	"github.com/ledgerloop/trueup/internal/auditlog"
)

// TestAuditVerifyNamesTamperedEntry: trueup audit verify on a local
// database holds after runs under two rule sets; an entry changed by hand,
// or one deleted, is named as the first broken entry.
func TestAuditVerifyNamesTamperedEntry(t *testing.T) {
	ctx := context.Background()
	landing := t.TempDir()
	landText(t, landing, "app/accounts/0001.json", debeziumLine("acct_1", "ann@x.io", "1767225600000", "100"))
	db := filepath.Join(t.TempDir(), "t.duckdb")
	var out bytes.Buffer
	if err := app.RunLocal(ctx, &out, app.RunOptions{Models: "testdata/spec", DB: db, Landing: landing, Once: true}); err != nil {
		t.Fatal(err)
	}
	// A second rule set: the CRM first for billing status.
	models := filepath.Join(t.TempDir(), "models")
	copyTree(t, "testdata/spec", models)
	path := filepath.Join(models, "customer.yaml")
	editFile(t, path, "priority: [billing, app, crm]", "priority: [crm, billing, app]")
	if err := app.RunLocal(ctx, &out, app.RunOptions{Models: models, DB: db, Landing: landing, Once: true}); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := app.AuditVerify(ctx, &out, app.AuditOptions{TargetOptions: app.TargetOptions{Models: "testdata/spec"}, DB: db}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "2 entries, chain holds") {
		t.Fatalf("verify: %s", out.String())
	}
	head := regexp.MustCompile(`head ([0-9a-f]{64})`).FindStringSubmatch(out.String())
	if head == nil {
		t.Fatalf("no head hash: %s", out.String())
	}
	tamper := func(q string) {
		run := runFile(t, models, db, landing)
		defer run.Close()
		if _, err := run.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	tamper(`UPDATE audit.log SET actor = 'someone else' WHERE seq = 1`)
	err := app.AuditVerify(ctx, &out, app.AuditOptions{TargetOptions: app.TargetOptions{Models: "testdata/spec"}, DB: db})
	var broken *auditlog.BrokenError
	if !errors.As(err, &broken) || broken.Seq != 1 || !strings.Contains(err.Error(), "entry 1 (ruleset)") {
		t.Errorf("a changed entry: %v, want entry 1 named", err)
	}
	// Put back by hand, then the last entry deleted and the first
	// rewritten with its hash recomputed: the second no longer follows.
	tamper(`UPDATE audit.log SET actor = (SELECT actor FROM audit.log WHERE seq = 2) WHERE seq = 1`)
	if err := app.AuditVerify(ctx, &out, app.AuditOptions{TargetOptions: app.TargetOptions{Models: "testdata/spec"}, DB: db}); err != nil {
		t.Fatalf("restored: %v", err)
	}
	if err := app.AuditVerify(ctx, &out, app.AuditOptions{TargetOptions: app.TargetOptions{Models: "testdata/spec"}, DB: db, Head: head[1]}); err != nil {
		t.Fatalf("restored, with the head: %v", err)
	}
	// The newest entry cut off: the chain holds, the head is gone.
	tamper(`DELETE FROM audit.log WHERE seq = 2`)
	err = app.AuditVerify(ctx, &out, app.AuditOptions{TargetOptions: app.TargetOptions{Models: "testdata/spec"}, DB: db, Head: head[1]})
	if err == nil || !strings.Contains(err.Error(), "no entry has the hash "+head[1]) {
		t.Errorf("the newest entry removed, verified with the head: %v", err)
	}
	run := runFile(t, models, db, landing)
	es, err := run.AuditEntries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e := es[0]
	e.Detail = `{"label":"forged"}`
	if _, err := run.DB().Exec(`UPDATE audit.log SET detail = ?, entry_hash = ? WHERE seq = 1`, e.Detail, auditlog.Sum(e)); err != nil {
		t.Fatal(err)
	}
	run.Close()
	err = app.AuditVerify(ctx, &out, app.AuditOptions{TargetOptions: app.TargetOptions{Models: "testdata/spec"}, DB: db})
	if !errors.As(err, &broken) || broken.Seq != 2 {
		t.Errorf("an entry rewritten with its hash: %v, want entry 2 named", err)
	}
}
