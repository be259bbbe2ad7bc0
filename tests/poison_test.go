package tests

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ledgerloop/trueup/generator/spec"
)

// landText writes lines as a file of the landing folder.
func landText(t *testing.T, landing, rel string, lines ...string) {
	t.Helper()
	p := filepath.Join(landing, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func debeziumLine(id, email, tsMs, lsn string) string {
	return `{"before":null,"after":{"id":"` + id + `","email":"` + email + `","name":"N","seats":1},"source":{"ts_ms":` + tsMs + `,"schema":"public","table":"accounts","lsn":` + lsn + `},"op":"c"}`
}

func salesforceLine(id, email, commitTs, replay string) string {
	return `{"payload":{"ChangeEventHeader":{"entityName":"Account","recordIds":["` + id + `"],"changeType":"CREATE","sequenceNumber":1,"commitTimestamp":` + commitTs + `,"commitNumber":5000},"Name":"X","Billing_Email__c":"` + email + `"},"event":{"replayId":` + replay + `}}`
}

func stripeLine(evt, cus, email, created string) string {
	return `{"id":"` + evt + `","created":` + created + `,"data":{"object":{"id":"` + cus + `","object":"customer","email":"` + email + `"}},"type":"customer.created"}`
}

// TestPoisonLines lands, for each producer, a line whose event time does
// not convert (as a new user would send one: a Debezium source.ts_ms in
// nanoseconds, a Salesforce commitTimestamp above 2^63, a Stripe created
// of 1e16, a time sent as an object) beside a good line. The run
// succeeds, the bad line is quarantined with its reason and value, the
// good line reaches gold, and the next run (a new file landed) succeeds
// too: the bad line stays in RAW and does not poison later batches.
func TestPoisonLines(t *testing.T) {
	cases := []struct {
		name, file, bad, good, later string
		goodKey, laterKey            string
		reason, detail               string
	}{
		{"debezium ts_ms in nanoseconds", "app/accounts/0001.json",
			debeziumLine("acct_bad", "bad@x.io", "1767225600000000000", "100"),
			debeziumLine("acct_ok", "ok@x.io", "1767225600000", "110"),
			debeziumLine("acct_later", "later@x.io", "1767225700000", "120"),
			"acct_ok", "acct_later",
			"unconvertible source.ts_ms: not a time from 1970 to 9999 in epoch milliseconds", "value 1767225600000000000"},
		{"debezium ts_ms as an object", "app/accounts/0001.json",
			debeziumLine("acct_bad", "bad@x.io", `{"ms":1767225600000}`, "100"),
			debeziumLine("acct_ok", "ok@x.io", "1767225600000", "110"),
			debeziumLine("acct_later", "later@x.io", "1767225700000", "120"),
			"acct_ok", "acct_later",
			"unconvertible source.ts_ms: not a time from 1970 to 9999 in epoch milliseconds", `value {"ms":1767225600000}`},
		{"salesforce commitTimestamp above 2^63", "crm/account/0001.json",
			salesforceLine("001A0000000000BAD", "bad@x.io", "9223372036854775808000", "1"),
			salesforceLine("001A00000000000OK", "ok@x.io", "1767229200000", "2"),
			salesforceLine("001A00000000LATER", "later@x.io", "1767229300000", "3"),
			unmatchedID("crm", "001A00000000000OK"), unmatchedID("crm", "001A00000000LATER"),
			"unconvertible commitTimestamp: not a time from 1970 to 9999 in epoch milliseconds", "value 9223372036854775808000"},
		{"stripe created of 1e16", "billing/customer/0001.json",
			stripeLine("evt_bad", "cus_bad", "bad@x.io", "1e16"),
			stripeLine("evt_ok", "cus_ok", "ok@x.io", "1767232800"),
			stripeLine("evt_later", "cus_later", "later@x.io", "1767232900"),
			unmatchedID("billing", "cus_ok"), unmatchedID("billing", "cus_later"),
			"unconvertible created: not a time from 1970 to 9999 in epoch seconds", "value 1"},
		{"stripe created as an object", "billing/customer/0001.json",
			stripeLine("evt_bad", "cus_bad", "bad@x.io", `{"seconds":1767232800}`),
			stripeLine("evt_ok", "cus_ok", "ok@x.io", "1767232800"),
			stripeLine("evt_later", "cus_later", "later@x.io", "1767232900"),
			unmatchedID("billing", "cus_ok"), unmatchedID("billing", "cus_later"),
			"unconvertible created: not a time from 1970 to 9999 in epoch seconds", `value {"seconds":1767232800}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			run := open(t, "testdata/spec")
			landing := t.TempDir()
			landText(t, landing, c.file, c.bad, c.good)
			res := runOnce(t, run, landing)
			for _, tr := range res.Batch.Tasks {
				if tr.State == "FAILED" {
					t.Errorf("task %s failed: %s", tr.Task, tr.Error)
				}
			}
			db := run.DB()
			flagged := query(t, db, "SELECT reason || ' | ' || COALESCE(detail, '') FROM silver.quarantine")
			if len(flagged) != 1 || !strings.HasPrefix(flagged[0], c.reason+" | "+c.detail) {
				t.Errorf("quarantine = %q, want %q | %q", flagged, c.reason, c.detail)
			}
			if n := len(query(t, db, "SELECT 1 FROM silver.observations WHERE record_key LIKE '%bad%'")); n != 0 {
				t.Errorf("the bad line was observed (%d observations)", n)
			}
			if got := master(t, db, c.goodKey)["email"]; got != "ok@x.io" {
				t.Errorf("gold email of %s = %s, want ok@x.io", c.goodKey, got)
			}
			status := query(t, db, "SELECT status || ' ' || CAST(observed AS VARCHAR) FROM dq.results WHERE check_name = '"+spec.CheckUnconvertible+"'")
			if len(status) != 1 || status[0] != "fail 1.0" {
				t.Errorf("unconvertible_values check = %q, want [fail 1.0]", status)
			}

			// The next run, with the bad line still in RAW, succeeds.
			landText(t, landing, strings.Replace(c.file, "0001", "0002", 1), c.later)
			res = runOnce(t, run, landing)
			if !res.Batch.Ran {
				t.Fatal("the second run did not run the graph")
			}
			for _, tr := range res.Batch.Tasks {
				if tr.State == "FAILED" {
					t.Errorf("second run: task %s failed: %s", tr.Task, tr.Error)
				}
			}
			if got := master(t, db, c.laterKey)["email"]; got != "later@x.io" {
				t.Errorf("gold email of %s = %s, want later@x.io", c.laterKey, got)
			}
			if n := len(query(t, db, "SELECT 1 FROM silver.quarantine")); n != 1 {
				t.Errorf("%d lines in quarantine after the second run, want 1", n)
			}
		})
	}
}

// TestPoisonSequencesAndChildren: a sequence that does not convert, and a
// subscription event whose created does not convert, are quarantined too
// (a subscription event is not the source's object, but it is observed,
// so it is never dropped silently).
func TestPoisonSequencesAndChildren(t *testing.T) {
	run := open(t, "testdata/spec")
	landing := t.TempDir()
	landText(t, landing, "app/accounts/0001.json",
		debeziumLine("acct_neg", "neg@x.io", "1767225600000", "-5"),
		debeziumLine("acct_frac", "frac@x.io", "1767225600000", "110.5"),
		debeziumLine("acct_ok", "ok@x.io", "1767225600000", "120"))
	landText(t, landing, "crm/account/0001.json",
		strings.Replace(salesforceLine("001A00000000000SQ", "sq@x.io", "1767229200000", "1"), `"sequenceNumber":1`, `"sequenceNumber":12345678901`, 1),
		// A good line: a source quarantined whole would hold the batch
		// (check quarantine_share).
		salesforceLine("001A00000000000OK", "sfok@x.io", "1767229200000", "2"))
	landText(t, landing, "billing/customer/0001.json",
		`{"id":"evt_sub","created":-1,"data":{"object":{"id":"sub_1","object":"subscription","customer":"cus_1","status":"active","created":1}},"type":"customer.subscription.created"}`,
		`{"id":"evt_inv","created":-1,"data":{"object":{"id":"in_1","object":"invoice"}},"type":"invoice.created"}`)
	runOnce(t, run, landing)
	got := query(t, run.DB(), "SELECT source || ': ' || reason || ' | ' || COALESCE(detail, '') FROM silver.quarantine ORDER BY 1")
	want := []string{
		"app: unconvertible source.lsn: not a non-negative integer of at most 20 digits | value -5",
		"app: unconvertible source.lsn: not a non-negative integer of at most 20 digits | value 110.5",
		"billing: unconvertible created: not a time from 1970 to 9999 in epoch seconds | value -1",
		"crm: unconvertible sequenceNumber: not a non-negative integer of at most 10 digits | value 12345678901",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("quarantine:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := master(t, run.DB(), "acct_ok")["email"]; got != "ok@x.io" {
		t.Errorf("gold email of acct_ok = %s", got)
	}
}

// TestIntegerValidity: a field declared integer takes "12", "+12" and
// "12.0" (a whole double as a JSON writer prints it) as 12; "12.5" is no
// integer (a cast would round it to 13) and the text "1e3" neither: they
// stay as sent and are invalid.
func TestIntegerValidity(t *testing.T) {
	run := open(t, "testdata/spec")
	landing := t.TempDir()
	line := func(id, seats string) string {
		return strings.Replace(debeziumLine(id, id+"@x.io", "1767225600000", "100"), `"seats":1`, `"seats":`+seats, 1)
	}
	landText(t, landing, "app/accounts/0001.json",
		line("a12", "12"), line("aplus", `"+12"`), line("adot", "12.0"), line("ahalf", "12.5"), line("aexp", `"1e3"`), line("abig", "123456789012345678901234567890123456789"))
	runOnce(t, run, landing)
	got := query(t, run.DB(), "SELECT customer_id || ' ' || raw_value || ' -> ' || value || ' ' || CAST(valid AS VARCHAR) FROM gold.field_candidates WHERE field = 'seats' ORDER BY 1")
	want := []string{
		"a12 12 -> 12 true",
		"abig 123456789012345678901234567890123456789 -> 123456789012345678901234567890123456789 false",
		"adot 12.0 -> 12 true",
		"aexp 1e3 -> 1e3 false",
		"ahalf 12.5 -> 12.5 false",
		"aplus +12 -> 12 true",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("seats candidates:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestLoadErrors: what a load leaves out of RAW is a data-quality
// failure, as COPY_HISTORY's failed and partial loads are in the
// warehouse. A file that is not valid UTF-8 loads with U+FFFD in place of
// the invalid bytes (the warehouse's REPLACE_INVALID_CHARACTERS), and the
// replacement is flagged; a file that changed after it was loaded is not
// loaded again, and that is reported; the runs go on.
func TestLoadErrors(t *testing.T) {
	run := open(t, "testdata/spec")
	landing := t.TempDir()
	landText(t, landing, "app/accounts/0001.json", debeziumLine("acct_1", "a@x.io", "1767225600000", "100"))
	landText(t, landing, "app/accounts/0002.json", debeziumLine("acct_2", "b\xff@x.io", "1767225600000", "110"))
	res0 := runOnce(t, run, landing)
	db := run.DB()
	if got := master(t, db, "acct_2")["email"]; got != "b\uFFFD@x.io" {
		t.Errorf("gold email of acct_2 = %q, want the invalid byte replaced", got)
	}
	var flagged []string
	for _, f := range res0.Loaded {
		if f.Flagged != "" {
			flagged = append(flagged, f.File+": "+f.Flagged)
		}
	}
	if len(flagged) != 1 || flagged[0] != "0002.json: invalid UTF-8 replaced by U+FFFD in 1 of its lines (first: row 1)" {
		t.Errorf("flagged files = %q", flagged)
	}
	status := func() []string {
		return query(t, db, "SELECT status FROM dq.results WHERE check_name = '"+spec.CheckLoadErrors+"' ORDER BY checked_at DESC, batch_id DESC LIMIT 1")
	}
	// The replacement is a finding (warn): every line is loaded.
	if got := status(); len(got) != 1 || got[0] != "fail" {
		t.Errorf("load_errors check = %q, want fail (invalid UTF-8 replaced)", got)
	}
	if n := query(t, db, "SELECT COUNT(*) FROM raw.app_lines"); n[0] != "2" {
		t.Errorf("RAW holds %s lines, want the 2 landed", n[0])
	}
	// The same finding as the warehouse makes it, from the lines
	// themselves: Snowflake's COPY_HISTORY does not report a replacement.
	replaced := query(t, db, "SELECT subject || ' ' || status || ' ' || CAST(observed AS VARCHAR) FROM dq.results WHERE check_name = '"+spec.CheckReplacedCharacters+"' ORDER BY subject")
	if strings.Join(replaced, ", ") != "app fail 1.0, billing pass 0.0, crm pass 0.0" {
		t.Errorf("replaced_characters = %q, want app fail 1", replaced)
	}

	// The first file changes after it was loaded: its new line is not
	// loaded, and the check says so; the run succeeds.
	landText(t, landing, "app/accounts/0001.json",
		debeziumLine("acct_1", "a@x.io", "1767225600000", "100"),
		debeziumLine("acct_3", "c@x.io", "1767225600000", "120"))
	landText(t, landing, "app/accounts/0003.json", debeziumLine("acct_4", "d@x.io", "1767225600000", "130"))
	res, err := run.RunOnce(context.Background(), landing)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	var skipped []string
	for _, f := range res.Loaded {
		if f.Skipped != "" {
			skipped = append(skipped, f.File)
		}
	}
	if len(skipped) != 1 || skipped[0] != "0001.json" {
		t.Errorf("skipped files = %q, want [0001.json]", skipped)
	}
	if got := status(); len(got) != 1 || got[0] != "fail" {
		t.Errorf("load_errors check = %q, want fail", got)
	}
	v := query(t, db, "SELECT pointer || ' | ' || detail FROM dq.violations WHERE check_name = '"+spec.CheckLoadErrors+"' AND batch_id = '"+res.Batch.ID+"' ORDER BY 1")
	if len(v) != 2 || v[0] != "raw.app_lines:0001.json | NOT LOADED: lines not known: changed after it was loaded; not loaded again (land it under a new name)" ||
		v[1] != "raw.app_lines:0002.json | LOADED, INVALID UTF-8 REPLACED: 0 lines not loaded: invalid UTF-8 replaced by U+FFFD in 1 of its lines (first: row 1)" {
		t.Errorf("load_errors violations = %q", v)
	}
	if got := master(t, db, "acct_4")["email"]; got != "d@x.io" {
		t.Errorf("gold email of acct_4 = %s", got)
	}
	// Another pass records the file once.
	runOnce(t, run, landing)
	if n := len(query(t, db, "SELECT 1 FROM ops.load_errors")); n != 2 {
		t.Errorf("%d load errors recorded, want 2 (the replacement and the change)", n)
	}

	if os.Geteuid() == 0 {
		return // root reads any file
	}
	landText(t, landing, "app/accounts/0004.json", debeziumLine("acct_5", "e@x.io", "1767225600000", "140"))
	if err := os.Chmod(filepath.Join(landing, "app/accounts/0004.json"), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := run.RunOnce(context.Background(), landing); err != nil {
		t.Fatalf("a file that cannot be read failed the run: %v", err)
	}
	if n := len(query(t, db, "SELECT 1 FROM ops.load_errors WHERE status = 'LOAD FAILED' AND file_name = '0004.json'")); n != 1 {
		t.Errorf("the unreadable file is not recorded as a failed load")
	}
}
