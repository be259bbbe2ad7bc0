package tests

import (
	"context"
	"sort"
	"strings"
	"testing"
)

// TestIntakeReasons: the CometD message reaches gold; lines that are not
// JSON, not objects, repeat a key, carry no header, name another entity or
// a record key that is an object, array or fraction are quarantined with
// what was wrong and the offending value; Stripe types no mapping reads
// are counted per type; every landed line is accounted for.
func TestIntakeReasons(t *testing.T) {
	run := open(t, "testdata/spec")
	landing := t.TempDir()
	good := salesforceLine("001A00000000000CM", "cometd@x.io", "1767229200000", "1")
	landText(t, landing, "crm/account/0001.json",
		`{"data":`+good+`,"channel":"/data/AccountChangeEvent"}`,
		`not json`,
		`[1,2]`,
		`"scalar"`,
		`{"payload":{"ChangeEventHeader":{"entityName":"Account","entityName":"Contact"}},"event":{"replayId":9}}`,
		`{"schema":"x","event":{"replayId":3}}`,
		strings.Replace(salesforceLine("001A00000000000CT", "c@x.io", "1767229200000", "4"), `"entityName":"Account"`, `"entityName":"Contact"`, 1),
		// One of the records the event names is not a key: the event is not
		// applied to any of them.
		strings.Replace(salesforceLine("001A00000000000RA", "r@x.io", "1767229200000", "5"), `"001A00000000000RA"]`, `"001A00000000000RA",{"a":1}]`, 1),
		// A key repeated in a part no mapping reads.
		strings.Replace(salesforceLine("001A00000000000DK", "d@x.io", "1767229200000", "6"), `{"replayId":6}`, `{"replayId":6,"x":1,"x":2}`, 1),
	)
	landText(t, landing, "billing/customer/0001.json",
		`{"id":"evt_o","type":"customer.created","created":1767229200,"data":{"object":{"id":{"a":1},"email":"o@x.io"}}}`,
		`{"id":"evt_a","type":"customer.created","created":1767229200,"data":{"object":{"id":[1],"email":"a@x.io"}}}`,
		`{"id":"evt_f","type":"customer.created","created":1767229200,"data":{"object":{"id":12.5,"email":"f@x.io"}}}`,
		`{"id":"evt_i","type":"customer.created","created":1767229200,"data":{"object":{"id":"cus_int","email":"i@x.io"}}}`,
		// An integer key of 30 digits is a NUMBER in Snowflake, one of 39
		// digits is not.
		`{"id":"evt_b","type":"customer.created","created":1767229200,"data":{"object":{"id":123456789012345678901234567890,"email":"b@x.io"}}}`,
		`{"id":"evt_h","type":"customer.created","created":1767229200,"data":{"object":{"id":123456789012345678901234567890123456789,"email":"h@x.io"}}}`,
		`{"id":"evt_inv1","type":"invoice.paid","created":1767229200,"data":{"object":{"id":"in_1","object":"invoice"}}}`,
		`{"id":"evt_inv2","type":"invoice.paid","created":1767229200,"data":{"object":{"id":"in_2","object":"invoice"}}}`,
		`{"id":"evt_ch","type":"charge.succeeded","created":1767229200,"data":{"object":{"id":"ch_1","object":"charge"}}}`,
	)
	runOnce(t, run, landing)
	db := run.DB()
	// Excerpts of lines are stored sealed: sorted once opened.
	got := query(t, db, "SELECT source || ': ' || reason || ' | ' || COALESCE(detail, '') FROM silver.quarantine")
	sort.Strings(got)
	want := []string{
		`billing: record key is not a string or integer | value 12.5`,
		`billing: record key is not a string or integer | value 123456789012345678901234567890123456789`,
		`billing: record key is not a string or integer | value [1]`,
		`billing: record key is not a string or integer | value {"a":1}`,
		`crm: event for another object | entityName Contact`,
		`crm: invalid JSON | not json`,
		`crm: invalid JSON: duplicate key in an object | {"payload":{"ChangeEventHeader":{"entityName":"Account","entityName":"Contact"}},"event":{"replayId":9}}`,
		`crm: invalid JSON: duplicate key in an object | ` + strings.Replace(salesforceLine("001A00000000000DK", "d@x.io", "1767229200000", "6"), `{"replayId":6}`, `{"replayId":6,"x":1,"x":2}`, 1)[:200],
		`crm: not a JSON object | "scalar"`,
		`crm: not a JSON object | [1,2]`,
		`crm: not a change event: no payload.ChangeEventHeader | {"schema":"x","event":{"replayId":3}}`,
		`crm: record key is not a string or integer | ["001A00000000000RA",{"a":1}]`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("quarantine:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := query(t, db, "SELECT COUNT(*) FROM silver.observations WHERE source = 'crm' AND record_key = '001A00000000000CM'"); n[0] == "0" {
		t.Errorf("the CometD message was not observed")
	}
	if n := query(t, db, "SELECT COUNT(*) FROM silver.observations WHERE source = 'billing' AND record_key = '123456789012345678901234567890'"); n[0] == "0" {
		t.Errorf("the 30-digit integer key was not observed")
	}
	if n := query(t, db, "SELECT COUNT(*) FROM silver.observations WHERE source = 'crm' AND record_key IN ('001A00000000000RA', '001A00000000000DK')"); n[0] != "0" {
		t.Errorf("%s observations of a quarantined Salesforce event", n[0])
	}
	if n := query(t, db, "SELECT COUNT(*) FROM gold.customer_fields WHERE trueup_open_value(value) = 'cometd@x.io'"); n[0] == "0" {
		t.Errorf("the CometD message's email is not in gold")
	}
	counts := query(t, db, "SELECT source || ' ' || reason || ' ' || COALESCE(detail, '') || ' ' || CAST(lines AS VARCHAR) FROM silver.line_counts ORDER BY 1")
	wantCounts := "billing landed  9\nbilling unmapped event type charge.succeeded 1\nbilling unmapped event type invoice.paid 2\ncrm landed  9"
	if strings.Join(counts, "\n") != wantCounts {
		t.Errorf("line counts:\n%s\nwant:\n%s", strings.Join(counts, "\n"), wantCounts)
	}
	// Every landed line is in RAW, and a line without an observation has a
	// quarantine row or a counted reason.
	for _, c := range []struct{ src, raw string }{{"crm", "raw.crm_lines"}, {"billing", "raw.billing_lines"}} {
		n := query(t, db, "SELECT COUNT(*) FROM "+c.raw)
		if n[0] != "9" {
			t.Errorf("%s: %s lines in RAW, want 9", c.src, n[0])
		}
		unaccounted := query(t, db, `SELECT COUNT(*) - (
  (SELECT COUNT(*) FROM silver.quarantine WHERE source = '`+c.src+`')
  + (SELECT COUNT(DISTINCT load_seq) FROM silver.observations WHERE source LIKE '`+c.src+`%')
  + (SELECT COALESCE(SUM(lines), 0) FROM silver.line_counts WHERE source = '`+c.src+`' AND reason NOT IN ('landed', 'replaced characters')))
FROM `+c.raw)
		if unaccounted[0] != "0" {
			t.Errorf("%s: %s lines neither observed, quarantined nor counted", c.src, unaccounted[0])
		}
	}
	rep, err := run.DQ(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var types, shares []string
	for _, r := range rep.Results {
		if r.Check == "unmapped_event_types" {
			types = append(types, r.Subject+" "+r.Severity+" "+r.Status)
		}
		if r.Check == "quarantine_share" {
			shares = append(shares, r.Subject+" "+r.Status)
			if r.Status == "fail" {
				t.Errorf("quarantine_share failed for %s (observed %v)", r.Subject, *r.Observed)
			}
		}
	}
	// The sources that landed lines are measured (app landed none).
	if got := strings.Join(shares, ", "); !strings.Contains(got, "billing ") || !strings.Contains(got, "crm ") {
		t.Errorf("quarantine_share results: %q, want billing and crm measured", shares)
	}
	if strings.Join(types, ", ") != "billing charge.succeeded info counted, billing invoice.paid info counted" {
		t.Errorf("unmapped_event_types = %q", types)
	}
}

// TestSourceQuarantinedWhole: a source whose every line of the batch is
// quarantined fails quarantine_share, an error: the batch is held.
func TestSourceQuarantinedWhole(t *testing.T) {
	run := open(t, "testdata/spec")
	landing := t.TempDir()
	land(t, landing, "1.json", appEvent("c", 100, 0, "acct_Q", "q@x.io"))
	landText(t, landing, "crm/account/0001.json", `{"data":{"oops":1},"channel":"/data/AccountChangeEvent"}`, `[]`)
	runOnce(t, run, landing)
	rep, err := run.DQ(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var crm string
	for _, r := range rep.Results {
		if r.Check == "quarantine_share" && r.Subject == "crm" {
			crm = r.Severity + " " + r.Status
		}
	}
	if crm != "error fail" {
		t.Errorf("quarantine_share crm = %q, want error fail", crm)
	}
	if len(rep.Held) == 0 {
		t.Errorf("no customer is held")
	}
	// Where to look: the source's quarantine reasons, most lines first.
	v := query(t, run.DB(), "SELECT pointer || ' | ' || detail FROM dq.violations WHERE check_name = 'quarantine_share' ORDER BY pointer")
	if len(v) != 2 || !strings.HasPrefix(v[0], "crm: ") || !strings.Contains(v[0], "1 lines, the first ") {
		t.Errorf("quarantine_share violations = %q, want one row per reason of crm", v)
	}
	if n := query(t, run.DB(), "SELECT COUNT(*) FROM gold.customer_master WHERE customer_id = 'acct_Q'"); n[0] != "0" {
		t.Errorf("acct_Q was published although the batch is held")
	}
}
