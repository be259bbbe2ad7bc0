package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/internal/app"
	"github.com/ledgerloop/trueup/internal/local"
)

// TestResyncLists: gap events name the records to fetch again, an
// overflow the whole object (which covers its records); a source silent
// longer than its replay window while another goes on lists its records
// whose customers changed elsewhere meanwhile; --since keeps the later
// findings; --ids prints one id per line and refuses an object-wide item.
func TestResyncLists(t *testing.T) {
	ctx := context.Background()
	p, err := generator.Compile("testdata/spec")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "t.duckdb")
	run, err := local.Open(ctx, path, p)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	landing := t.TempDir()
	// The CRM: two accounts linked by email to app accounts, then silent
	// from day 1; a gap on day 1 names 001C.
	landAs(t, landing, "crm/account", "1.json",
		crmCreate(1, 0, "001A", "a@alpha.io"),
		crmCreate(2, 0, "001B", "b@beta.io"),
		crmEvent("GAP_UPDATE", 3, day, []string{"001C"}, nil, nil, nil))
	// The app goes on for five days; only acct_a changes after day 1.
	land(t, landing, "1.json",
		appEvent("c", 10, 0, "acct_a", "a@alpha.io"),
		appEvent("c", 11, 0, "acct_b", "b@beta.io"),
		appEvent("u", 12, 5*day, "acct_a", "a@alpha.io"))
	runOnce(t, run, landing)

	list, err := run.Resync(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, it := range list.Items {
		got[it.Source+" "+it.RecordID] = it.Reason
	}
	if len(list.Items) != 2 || got["crm 001C"] != local.ResyncGap || got["crm 001A"] != local.ResyncSilent {
		t.Errorf("resync items: %+v", list.Items)
	}
	if len(list.Silences) != 1 || list.Silences[0].Source != "crm" || !list.Silences[0].LastEvent.Equal(t0.Add(day)) {
		t.Errorf("silences: %+v", list.Silences)
	}
	// --since after the gap keeps the silence's records only.
	later, err := run.Resync(ctx, t0.Add(2*day))
	if err != nil {
		t.Fatal(err)
	}
	if len(later.Items) != 1 || later.Items[0].RecordID != "001A" {
		t.Errorf("since day 2: %+v", later.Items)
	}
	// An overflow: the object, which covers the records of the object.
	landAs(t, landing, "crm/account", "2.json", crmEvent("GAP_OVERFLOW", 4, day+time.Hour, []string{}, nil, nil, nil))
	runOnce(t, run, landing)
	list, err = run.Resync(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0].RecordID != "" || list.Items[0].Object != "Account" || list.Items[0].Reason != local.ResyncObject {
		t.Errorf("after an overflow: %+v", list.Items)
	}
	// The backfill lands 001C as README says: a CREATE at its last
	// modification, no commitNumber, a replayId of its own. It is
	// observed, not flagged.
	refetched := crmCreate(0, 2*day, "001C", "c@gamma.io")
	header := refetched["payload"].(map[string]any)["ChangeEventHeader"].(map[string]any)
	delete(header, "commitNumber")
	refetched["event"] = map[string]any{"replayId": "resync-001C-1767600000000"}
	landAs(t, landing, "crm/account", "3.json", refetched)
	runOnce(t, run, landing)
	if n := query(t, run.DB(), "SELECT COUNT(*) FROM silver.observations WHERE record_key = '001C' AND field = 'email'"); n[0] != "1" {
		t.Errorf("the re-fetched record is not observed: %s email observations", n[0])
	}
	if n := query(t, run.DB(), "SELECT COUNT(*) FROM silver.quarantine WHERE file_name LIKE '%3.json'"); n[0] != "0" {
		t.Errorf("the re-fetched record is flagged")
	}
	run.Close()

	var out bytes.Buffer
	err = app.Resync(ctx, &out, app.ResyncOptions{Models: "testdata/spec", DB: path, Source: "crm", IDs: true})
	if err == nil || !strings.Contains(err.Error(), "every record of Account") {
		t.Errorf("--ids with an object-wide item: %v", err)
	}
	out.Reset()
	if err := app.Resync(ctx, &out, app.ResyncOptions{Models: "testdata/spec", DB: path, JSON: true}); err != nil {
		t.Fatal(err)
	}
	var js struct {
		SchemaVersion int `json:"schema_version"`
		Items         []struct {
			Source, Object, Reason string
		}
	}
	if err := json.Unmarshal(out.Bytes(), &js); err != nil || js.SchemaVersion != 1 || len(js.Items) != 1 || js.Items[0].Object != "Account" {
		t.Errorf("--json: %v\n%s", err, out.String())
	}
	if err := app.Resync(ctx, &out, app.ResyncOptions{Models: "testdata/spec", DB: path, Source: "nope"}); err == nil {
		t.Error("an unknown source is accepted")
	}
}
