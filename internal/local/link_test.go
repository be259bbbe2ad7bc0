package local_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/dialect/duckdb"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/internal/local"
)

// TestLinkStatementsRefuse runs the statements of AUDIT.LINK_RECORD
// (plan.LinkSteps) on DuckDB with each wrong call the procedure must
// refuse: the outcome it returns names the refusal and nothing is
// written; a right call writes one manual link, and a second ends it.
func TestLinkStatementsRefuse(t *testing.T) {
	p, err := generator.Compile("../../tests/testdata/spec")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	run, err := local.Open(ctx, "", p)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	r := &duckdb.Renderer{}
	r.Configure(dialect.Settings{Database: p.Spec.Project.Database, Warehouse: p.Spec.Project.Warehouse})
	db := run.DB()
	if _, err := db.Exec(fmt.Sprintf(`INSERT INTO %s (source, record_key, customer_id, matched_by) VALUES
  ('app', 'acct_Z', 'acct_Z', 'customer_link'), ('crm', '001Z', 'acct_Z', 'email'), ('crm', '001U', %s, 'unmatched')`,
		r.Object(plan.Crosswalk), plan.OwnID("'crm'", "'001U'"))); err != nil {
		t.Fatal(err)
	}
	author := "sam"
	call := func(source, record string, customer *string, reason string) string {
		t.Helper()
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Commit()
		cust := "CAST(NULL AS VARCHAR)"
		if customer != nil {
			cust = r.Str(*customer)
		}
		for name, v := range map[string]string{plan.LinkArgSource: r.Str(source), plan.LinkArgRecord: r.Str(record), plan.LinkArgCustomer: cust,
			plan.LinkArgReason: r.Str(reason), plan.LinkArgAuthor: r.Str(author)} {
			if _, err := tx.Exec(fmt.Sprintf("SET VARIABLE %s = %s", r.Ident(name), v)); err != nil {
				t.Fatal(err)
			}
		}
		for _, s := range p.LinkSteps() {
			if _, err := tx.Exec(s(r)); err != nil {
				t.Fatalf("%s: %v", s(r), err)
			}
		}
		var out string
		if err := tx.QueryRow("SELECT " + plan.LinkOutcome(r)).Scan(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	links := func() string {
		var n, open int
		if err := db.QueryRow("SELECT COUNT(*), COUNT(*) - COUNT(ended_at) FROM "+r.Object(plan.ManualLinks)).Scan(&n, &open); err != nil && err != sql.ErrNoRows {
			t.Fatal(err)
		}
		return fmt.Sprintf("%d rows, %d in force", n, open)
	}
	str := func(s string) *string { return &s }
	for _, c := range []struct {
		source, record string
		customer       *string
		reason, want   string
	}{
		{"crm", "001Z", nil, "", plan.LinkNoReason},
		{"crm", "001Z", nil, "  ", plan.LinkNoReason},
		{"erp", "001Z", nil, "x", plan.LinkUnknownSource},
		{"crm", "001Q", nil, "x", plan.LinkUnknownRecord},
		{"crm", "001Z", str("acct_Q"), "x", plan.LinkUnknownCustomer},
		{"crm", "001Z", str("acct_Z"), "x", plan.LinkAlreadyThere},
		{"crm", "001U", nil, "x", plan.LinkAlreadyThere},
	} {
		if got := call(c.source, c.record, c.customer, c.reason); got != c.want {
			t.Errorf("%s %s %v %q: %q, want %q", c.source, c.record, c.customer, c.reason, got, c.want)
		}
	}
	author = " "
	if got := call("crm", "001Z", nil, "x"); got != plan.LinkNoAuthor {
		t.Errorf("no author: %q, want %q", got, plan.LinkNoAuthor)
	}
	author = "sam"
	if got := links(); got != "0 rows, 0 in force" {
		t.Fatalf("refused calls wrote manual links: %s", got)
	}
	if got := call("crm", "001Z", nil, "wrong match"); got != plan.LinkOK {
		t.Fatalf("unlink: %q", got)
	}
	// Decided, not yet applied by a batch: the record is going there.
	if got := call("crm", "001Z", nil, "again"); got != plan.LinkAlreadyThere {
		t.Errorf("a second unlink before the batch: %q, want %q", got, plan.LinkAlreadyThere)
	}
	if got := call("crm", "001Z", str("unmatched_07d48f0374420406"), "with the other account"); got != plan.LinkOK {
		t.Fatalf("link: %q", got)
	}
	if got := links(); got != "2 rows, 1 in force" {
		t.Errorf("manual links: %s, want 2 rows, 1 in force", got)
	}
}
