// Package tests holds the end-to-end tests: landed files in the producers'
// formats go through the local runtime, and gold is checked against values
// computed by hand.
package tests

import (
	"context"
	"crypto/md5"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/dialect/duckdb"
	"github.com/ledgerloop/trueup/generator/plan"
	"github.com/ledgerloop/trueup/internal/crypt"
	"github.com/ledgerloop/trueup/internal/local"
)

// open compiles a spec and opens a fresh in-memory database for it.
func open(t *testing.T, models string) *local.Runner {
	t.Helper()
	p, err := generator.Compile(models)
	if err != nil {
		t.Fatalf("compile %s: %v", models, err)
	}
	run, err := local.Open(context.Background(), "", p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	return run
}

// runOnce runs one pass and then checks the history invariants over the
// whole history table.
func runOnce(t *testing.T, run *local.Runner, landing string) local.Result {
	t.Helper()
	res, err := run.RunOnce(context.Background(), landing)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	checkHistory(t, run.DB())
	checkStateLog(t, run.DB())
	return res
}

// checkStateLog asserts what resolution relies on when it reads a key's
// state log from a time on: every observation that is not its key's state
// is in the log with an until_time at or after the event time of the key's
// next observation, and no key's state is.
func checkStateLog(t *testing.T, db *sql.DB) {
	t.Helper()
	checks := []struct{ what, q string }{
		{"observations missing from the state log, or logged with an until_time before the next observation", `SELECT COUNT(*) FROM (
  SELECT source, record_key, field, order_key, LEAD(event_time) OVER (PARTITION BY source, record_key, field ORDER BY order_key) AS next_time
  FROM silver.observations
) AS o
WHERE next_time IS NOT NULL AND NOT EXISTS (
  SELECT 1 FROM silver.state_log AS l
  WHERE l.source = o.source AND l.record_key = o.record_key AND l.field = o.field AND l.order_key = o.order_key AND l.until_time >= o.next_time)`},
		{"states in the state log", `SELECT COUNT(*) FROM silver.state_log AS l JOIN silver.source_state AS s
  ON s.source = l.source AND s.record_key = l.record_key AND s.field = l.field AND s.order_key = l.order_key`},
		{"observations logged twice", `SELECT COUNT(*) FROM (SELECT source, record_key, field, order_key FROM silver.state_log GROUP BY ALL HAVING COUNT(*) > 1)`},
	}
	for _, c := range checks {
		var n int
		if err := db.QueryRow(c.q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if n != 0 {
			t.Errorf("%s: %d", c.what, n)
		}
	}
}

// checkHistory asserts, over all of gold.customer_master_history, that the
// current belief has no overlapping or duplicated valid-time ranges, that
// versions are contiguous, that each customer has exactly one open current
// version, and that it says what gold.customer_fields says.
func checkHistory(t *testing.T, db *sql.DB) {
	t.Helper()
	checks := []struct{ what, q string }{
		{"overlapping current versions", `SELECT COUNT(*) FROM gold.customer_master_history a JOIN gold.customer_master_history b
  ON a.customer_id = b.customer_id AND a.superseded_at IS NULL AND b.superseded_at IS NULL
  AND (a.valid_from < b.valid_from OR (a.valid_from = b.valid_from AND a.recorded_at < b.recorded_at))
  AND (a.valid_to IS NULL OR a.valid_to > b.valid_from)`},
		{"duplicated current versions", `SELECT COUNT(*) FROM (SELECT customer_id, valid_from FROM gold.customer_master_history
  WHERE superseded_at IS NULL GROUP BY customer_id, valid_from HAVING COUNT(*) > 1)`},
		{"gaps between current versions", `SELECT COUNT(*) FROM (SELECT valid_to, LEAD(valid_from) OVER (PARTITION BY customer_id ORDER BY valid_from) AS next_from
  FROM gold.customer_master_history WHERE superseded_at IS NULL) WHERE valid_to IS DISTINCT FROM next_from`},
		{"linked customers without exactly one open current version", `SELECT COUNT(*) FROM (SELECT DISTINCT customer_id FROM silver.crosswalk) c
  LEFT JOIN (SELECT customer_id, SUM(CASE WHEN valid_to IS NULL AND superseded_at IS NULL THEN 1 ELSE 0 END) AS open
  FROM gold.customer_master_history GROUP BY customer_id) h ON h.customer_id = c.customer_id
  WHERE h.open IS DISTINCT FROM 1 AND c.customer_id NOT IN (SELECT customer_id FROM dq.held)`},
		{"current versions of customers no record belongs to", `SELECT COUNT(*) FROM gold.customer_master_history
  WHERE superseded_at IS NULL AND customer_id NOT IN (SELECT customer_id FROM silver.crosswalk)`},
		{"superseded before recorded", `SELECT COUNT(*) FROM gold.customer_master_history WHERE superseded_at < recorded_at`},
		{"open current versions among the closed ones", `SELECT COUNT(*) FROM gold.customer_master_versions WHERE valid_to IS NULL AND superseded_at IS NULL`},
		{"closed versions in the open table", `SELECT COUNT(*) FROM gold.customer_master_open WHERE valid_to IS NOT NULL`},
		{"customers with more than one open version", `SELECT COUNT(*) FROM (SELECT customer_id FROM gold.customer_master_open GROUP BY customer_id HAVING COUNT(*) > 1)`},
	}
	for _, c := range checks {
		var n int
		if err := db.QueryRow(c.q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if n != 0 {
			t.Errorf("history: %d %s", n, c.what)
		}
	}
	// The open version of each live customer is the current gold.
	var fields []string
	rows, err := db.Query("SELECT DISTINCT field FROM gold.customer_fields")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var f string
		if err := rows.Scan(&f); err != nil {
			t.Fatal(err)
		}
		fields = append(fields, f)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	for _, f := range fields {
		var n int
		q := fmt.Sprintf(`SELECT COUNT(*) FROM gold.customer_fields c JOIN gold.customer_master_history h
  ON h.customer_id = c.customer_id AND h.valid_to IS NULL AND h.superseded_at IS NULL
  WHERE c.field = '%[1]s' AND (c.value IS DISTINCT FROM h.%[1]s OR c.source IS DISTINCT FROM h.%[1]s__source OR c.rule IS DISTINCT FROM h.%[1]s__rule)`, f)
		if err := db.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("history: the open version disagrees with gold on %s for %d customers", f, n)
		}
	}
}

// master reads one customer's row of gold.customer_master as text.
func master(t *testing.T, db *sql.DB, customer string) map[string]string {
	t.Helper()
	rows, err := db.Query("SELECT * FROM gold.customer_master WHERE customer_id = ?", customer)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	if !rows.Next() {
		t.Fatalf("customer %s is not in gold.customer_master", customer)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	out := map[string]string{}
	for i, c := range cols {
		if vals[i] == nil {
			out[c] = "NULL"
		} else {
			out[c] = openTokens(t, db, fmt.Sprint(vals[i]))
		}
	}
	return out
}

// tokenPattern is a sealed PII value or a sealed text (a raw line, an
// excerpt) as the local database stores them.
var tokenPattern = regexp.MustCompile(crypt.ValuePrefix + `[A-Za-z0-9_-]{27}|` + crypt.TextPrefix + `[A-Za-z0-9+/]+={0,2}`)

// openTokens replaces the PII tokens in s by the values they stand for
// ("NULL" once erased), read through the database's own function: the
// tests check values as the CLI shows them to pii_reader.
func openTokens(t *testing.T, db queryer, s string) string {
	t.Helper()
	return tokenPattern.ReplaceAllStringFunc(s, func(tok string) string {
		fn := duckdb.OpenValueFunction
		if strings.HasPrefix(tok, crypt.TextPrefix) {
			fn = duckdb.OpenTextFunction
		}
		rows, err := db.Query("SELECT COALESCE("+fn+"(?), 'NULL')", tok)
		if err != nil {
			t.Fatalf("open %s: %v", tok, err)
		}
		defer rows.Close()
		var v string
		if !rows.Next() {
			t.Fatalf("open %s: no row", tok)
		}
		if err := rows.Scan(&v); err != nil {
			t.Fatalf("open %s: %v", tok, err)
		}
		return v
	})
}

func unmatchedID(source, key string) string {
	sum := md5.Sum([]byte(source + ":" + key))
	return "unmatched_" + hex.EncodeToString(sum[:])[:16]
}

// want is one expected resolved field: value, winning source, rule.
type want struct{ value, source, rule string }

// checkMaster compares gold.customer_master with expected fields per customer.
func checkMaster(t *testing.T, db *sql.DB, cases map[string]map[string]want) {
	t.Helper()
	for customer, fields := range cases {
		row := master(t, db, customer)
		for field, w := range fields {
			got := want{row[field], row[field+"__source"], row[field+"__rule"]}
			if got != w {
				t.Errorf("%s.%s = %+v, want %+v", customer, field, got, w)
			}
		}
	}
}

// TestScenario runs the hand-written scenario under testdata/scenario through
// the company spec. Every expectation below is computed by hand in the
// comments from the landed events.
func TestScenario(t *testing.T) {
	run := open(t, "testdata/spec")
	landing := "testdata/scenario/landing"
	res := runOnce(t, run, landing)
	if !res.Batch.Ran {
		t.Fatal("the graph did not run")
	}
	for _, tr := range res.Batch.Tasks {
		if tr.State != "SUCCEEDED" {
			t.Errorf("task %s: %s %s", tr.Task, tr.State, tr.Error)
		}
	}
	db := run.DB()

	cases := map[string]map[string]want{
		// acct_1: app (Debezium, two row images), crm (CREATE, then an
		// UPDATE of the owner only), billing (two Stripe events, out of order).
		"acct_1": {
			// trust with a 180-day half-life against the newest candidate
			// (billing, day 35): app 0.9*0.5^(5/180)=0.8828 > billing 0.8 > crm 0.6*0.5^(35/180)=0.524.
			"email": {"jane@example.com", "app", "trust"},
			// non_null ties; priority crm > app > billing. The later UPDATE
			// carries a Name outside changedFields: not asserted.
			"company_name": {"Acme Corp", "crm", "priority"},
			// billing's comes from its current subscription (sub_1, active)
			// and wins on priority over app's "Past Due".
			"billing_status": {"active", "billing", "priority"},
			// taken from billing's winning record (sub_1's starter_monthly),
			// not app's "Pro" -> growth.
			"plan_tier": {"starter", "billing", "same_record_as"},
			// crm's owner changed to carl@ on day 40; priority [crm].
			"account_owner": {"carl@ours.com", "crm", "priority"},
			// 12 (app, crm) against 11 (billing): frequency; app is the
			// more recent of the two 12s.
			"seats": {"12", "app", "frequency"},
		},
		// acct_2: app has an invalid email and status; crm created the account.
		"acct_2": {
			"email":          {"ops@beta.io", "crm", "valid"},
			"company_name":   {"Beta LLC", "crm", "priority"},
			"billing_status": {"NULL", "NULL", "no_valid_candidate"},
			"plan_tier":      {"NULL", "NULL", "same_record_as: no value in the leading record"},
			"account_owner":  {"NULL", "app", "only_candidate"},
			"seats":          {"3", "app", "only_candidate"},
		},
		// acct_3: the app row was deleted on day 10 (a late update of day 5
		// arrives after the delete and does not resurrect it); billing has
		// two updates in the same second, tie broken by event id (evt_3002
		// wins), one of them delivered twice.
		"acct_3": {
			"email":        {"z@x.com", "billing", "only_candidate"},
			"company_name": {"Gamma", "billing", "only_candidate"},
			// cus_3 has no subscription and the app row is deleted: nothing
			// asserts a status or a plan.
			"billing_status": {"NULL", "NULL", "NULL"},
			"plan_tier":      {"NULL", "NULL", "NULL"},
			"account_owner":  {"NULL", "NULL", "NULL"},
			"seats":          {"NULL", "billing", "only_candidate"},
		},
		// A CRM prospect with no app account id: a stable unmatched id.
		unmatchedID("crm", "001A00000000004AAA"): {
			"email":        {"d@delta.io", "crm", "only_candidate"},
			"company_name": {"Delta Prospect", "crm", "only_candidate"},
			// One UPDATE naming two records set seats on both.
			"seats": {"7", "crm", "only_candidate"},
		},
		unmatchedID("crm", "001A00000000005AAA"): {
			"seats": {"7", "crm", "only_candidate"},
		},
	}
	checkMaster(t, db, cases)
	if n := countOf(t, db, "SELECT COUNT(*) FROM gold.customer_master"); n != int64(len(cases)) {
		t.Errorf("gold has %d customers, want %d", n, len(cases))
	}

	// Conflicts are counted per field after normalization: acct_1 disagrees
	// on email, company_name, billing_status, plan_tier, account_owner and
	// seats; acct_2 on email and company_name.
	conflicts := map[string]int{}
	rows, err := db.Query("SELECT field, conflicts FROM gold.field_conflicts")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var f string
		var c int
		if err := rows.Scan(&f, &c); err != nil {
			t.Fatal(err)
		}
		conflicts[f] = c
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	wantConflicts := map[string]int{"email": 2, "company_name": 2, "billing_status": 1, "plan_tier": 1, "account_owner": 1, "seats": 1}
	for f, c := range wantConflicts {
		if conflicts[f] != c {
			t.Errorf("conflicts on %s = %d, want %d", f, conflicts[f], c)
		}
	}

	// Nothing is dropped: every non-blank landed line is in RAW, and the
	// ones that cannot become observations are flagged with a reason.
	lines := countLines(t, landing)
	var raw int64
	for _, src := range []string{"app", "crm", "billing"} {
		raw += countOf(t, db, "SELECT COUNT(*) FROM "+plan.LinesTable(src).String())
	}
	if raw != int64(lines) {
		t.Errorf("RAW holds %d lines, the landing folder %d", raw, lines)
	}
	flagged := query(t, db, "SELECT source || ': ' || reason FROM silver.quarantine ORDER BY 1")
	wantFlagged := []string{
		"app: invalid JSON",
		"crm: GAP_OVERFLOW: values were not sent, re-sync needed",
		"crm: invalid JSON",
	}
	if strings.Join(flagged, "\n") != strings.Join(wantFlagged, "\n") {
		t.Errorf("quarantine:\n%s\nwant:\n%s", strings.Join(flagged, "\n"), strings.Join(wantFlagged, "\n"))
	}
	// The malformed lines keep their text and their parse error in RAW.
	bad := query(t, db, "SELECT line FROM raw.app_docs WHERE parse_error = 'invalid JSON'")
	if len(bad) != 1 || !strings.Contains(bad[0], "502 Bad Gateway") {
		t.Errorf("raw.app_docs parse errors = %q", bad)
	}
	// Every distinct event was observed once, redeliveries included only once.
	events := query(t, db, "SELECT source || ' ' || COUNT(DISTINCT event_id) FROM silver.observations GROUP BY source ORDER BY source")
	if got := strings.Join(events, ", "); got != "app 6, billing 5, billing:subscription 1, crm 6" {
		t.Errorf("observed events = %s, want app 6, billing 5, billing:subscription 1, crm 6", got)
	}

	// A second pass with nothing new does nothing.
	before := snapshot(t, db)
	if res := runOnce(t, run, landing); res.Batch.Ran || len(res.Loaded) != 0 {
		t.Errorf("second pass loaded %d files and ran=%v", len(res.Loaded), res.Batch.Ran)
	}
	// Landing a file again under a new name changes nothing in gold.
	copyLanding := t.TempDir()
	copyTree(t, landing, copyLanding)
	copyFile(t, filepath.Join(landing, "billing/customer/0001.json"), filepath.Join(copyLanding, "billing/customer/0003.json"))
	copyFile(t, filepath.Join(landing, "crm/account/0001.json"), filepath.Join(copyLanding, "crm/account/0003.json"))
	res = runOnce(t, run, copyLanding)
	if len(res.Loaded) != 2 || !res.Batch.Ran {
		t.Fatalf("replay: loaded %d files, ran=%v", len(res.Loaded), res.Batch.Ran)
	}
	if after := snapshot(t, db); after != before {
		t.Errorf("replaying files changed gold:\n%s", firstDiff(before, after))
	}
}

// TestArrivalOrder lands the scenario one source at a time, in another
// order and in several batches, and expects gold identical to one pass.
func TestArrivalOrder(t *testing.T) {
	landing := "testdata/scenario/landing"
	one := open(t, "testdata/spec")
	runOnce(t, one, landing)
	want := snapshot(t, one.DB())

	split := open(t, "testdata/spec")
	staged := t.TempDir()
	for _, part := range []string{"billing/customer/0002.json", "crm/account/0002.json", "app/accounts/0002.json", "billing/customer/0001.json", "app/accounts/0001.json", "crm/account/0001.json"} {
		copyFile(t, filepath.Join(landing, part), filepath.Join(staged, part))
		runOnce(t, split, staged)
	}
	if got := snapshot(t, split.DB()); got != want {
		t.Errorf("gold depends on arrival order:\n%s", firstDiff(want, got))
	}
}

// snapshot renders the gold tables and the crosswalk deterministically (no
// wall-clock columns).
func snapshot(t *testing.T, db *sql.DB) string {
	t.Helper()
	return goldSnapshot(t, db) + strings.Join(query(t, db, "SELECT source, record_key, customer_id, link_value, matched_by FROM silver.crosswalk ORDER BY source, record_key"), "\n")
}

// goldSnapshot renders the gold tables deterministically.
func goldSnapshot(t *testing.T, db *sql.DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		"SELECT * FROM gold.customer_fields ORDER BY customer_id, field",
		"SELECT * FROM gold.field_candidates ORDER BY customer_id, field, rank",
		"SELECT * FROM gold.customer_master ORDER BY customer_id",
		// The versions in force with their values (version_hash hashes
		// the stored tokens, which differ with each database's keys).
		"SELECT * EXCLUDE (version_hash, recorded_at, superseded_at) FROM gold.customer_master_history WHERE superseded_at IS NULL ORDER BY customer_id, valid_from",
	} {
		b.WriteString(strings.Join(query(t, db, q), "\n"))
		b.WriteString("\n--\n")
	}
	return b.String()
}

// query returns each row as its columns joined by " | ".
func query(t *testing.T, db queryer, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			if v == nil {
				parts[i] = "NULL"
			} else {
				parts[i] = fmt.Sprint(v)
			}
		}
		out = append(out, strings.Join(parts, " | "))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	for i := range out {
		out[i] = openTokens(t, db, out[i])
	}
	return out
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, x, y)
		}
	}
	return ""
}

func countLines(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, l := range strings.Split(string(data), "\n") {
			if strings.TrimSpace(l) != "" {
				n++
			}
		}
		return nil
	})
	return n
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		copyFile(t, p, filepath.Join(to, rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// queryer is a *sql.DB or an open runner.
type queryer interface {
	Query(q string, args ...any) (*sql.Rows, error)
}
