package sample

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// bulkLine is what the bulk tests read of one landed line.
type bulkLine struct {
	file    string
	source  string
	id      string // event id: lsn (debezium), replayId (salesforce), id (stripe)
	key     string // record key
	account string // customer link, when the event carries it
	t       time.Time
	raw     []byte
}

func readBulk(t *testing.T, dir string, sum Summary) []bulkLine {
	t.Helper()
	var out []bulkLine
	for _, f := range sum.Files {
		fh, err := os.Open(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<24)
		for n := 1; sc.Scan(); n++ {
			var doc map[string]any
			if err := json.Unmarshal(sc.Bytes(), &doc); err != nil {
				t.Fatalf("%s:%d: %v", f, n, err)
			}
			l := bulkLine{file: f, source: strings.SplitN(f, "/", 2)[0], raw: slices.Clone(sc.Bytes())}
			switch l.source {
			case "app":
				after := doc["after"].(map[string]any)
				src := doc["source"].(map[string]any)
				l.id = fmt.Sprint(src["lsn"])
				l.key, l.account = after["id"].(string), after["id"].(string)
				l.t = time.UnixMicro(int64(src["ts_us"].(float64)))
			case "crm":
				p := doc["payload"].(map[string]any)
				h := p["ChangeEventHeader"].(map[string]any)
				l.id = fmt.Sprint(doc["event"].(map[string]any)["replayId"])
				l.key = h["recordIds"].([]any)[0].(string)
				l.account, _ = p["App_Account_Id__c"].(string)
				l.t = time.UnixMilli(int64(h["commitTimestamp"].(float64)))
			case "billing":
				l.id = doc["id"].(string)
				obj := doc["data"].(map[string]any)["object"].(map[string]any)
				if obj["object"] == "subscription" {
					l.key = obj["customer"].(string)
				} else {
					l.key = obj["id"].(string)
				}
				if md, ok := obj["metadata"].(map[string]any); ok {
					l.account, _ = md["account_id"].(string)
				}
				l.t = time.Unix(int64(doc["created"].(float64)), 0)
			default:
				t.Fatalf("%s: unknown source folder", f)
			}
			out = append(out, l)
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		fh.Close()
	}
	return out
}

func TestBulkStateAndBatch(t *testing.T) {
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	const customers, heavy = 300, 120
	stateOpt := Options{Mode: ModeState, Customers: customers, Seed: 4, Start: start, EventsPerCustomer: 7, HeavyEvents: heavy, ConflictRate: 0.2}
	sdir, ssum := write(t, stateOpt)
	state := readBulk(t, sdir, ssum)
	if got := ssum.Events["app"] + ssum.Events["crm"] + ssum.Events["billing"]; got != len(state) || ssum.Duplicates != 0 || ssum.Malformed != 0 {
		t.Fatalf("state summary %+v for %d lines", ssum, len(state))
	}
	if avg := float64(len(state)-heavy) / (customers - 1); avg < 6 || avg > 8 {
		t.Errorf("state: %.2f events per customer, want about 7", avg)
	}
	// Every customer has a record in every source, linked to its account;
	// the heavy customer has its events.
	accounts := map[string]map[string]string{} // source -> record key -> account
	perAccount := map[string]int{}
	last := map[string]time.Time{} // record key -> latest state event time
	first := map[string]time.Time{}
	for _, l := range state {
		if accounts[l.source] == nil {
			accounts[l.source] = map[string]string{}
		}
		if l.account != "" {
			accounts[l.source][l.key] = l.account
		}
		if l.t.Before(start) {
			t.Errorf("%s: state event at %s, before the start", l.file, l.t)
		}
		if l.t.After(last[l.key]) {
			last[l.key] = l.t
		}
		if f, ok := first[l.key]; !ok || l.t.Before(f) {
			first[l.key] = l.t
		}
		if l.source == "app" {
			perAccount[l.account]++
		}
	}
	for _, src := range []string{"app", "crm", "billing"} {
		linked := map[string]bool{}
		for _, a := range accounts[src] {
			linked[a] = true
		}
		if len(linked) != customers {
			t.Errorf("%s: %d linked customers, want %d", src, len(linked), customers)
		}
	}
	if perAccount["acct_00000001"] < heavy/5 {
		t.Errorf("heavy customer: %d app events of %d", perAccount["acct_00000001"], heavy)
	}

	batchOpt := Options{Mode: ModeBatch, Customers: customers, Seed: 4, Start: start, Events: 2000, LateShare: 0.1, DuplicateShare: 0.05, ConflictRate: 0.2}
	bdir, bsum := write(t, batchOpt)
	batch := readBulk(t, bdir, bsum)
	if len(batch) != batchOpt.Events {
		t.Fatalf("batch: %d lines, want %d", len(batch), batchOpt.Events)
	}
	if d := float64(bsum.Duplicates) / float64(len(batch)); d < 0.03 || d > 0.07 {
		t.Errorf("batch: %d redelivered of %d", bsum.Duplicates, len(batch))
	}
	seen := map[string][]byte{}
	late, dups := 0, 0
	for _, l := range batch {
		if _, ok := first[l.key]; !ok {
			t.Fatalf("%s: batch event on record %q, which the state does not have", l.file, l.key)
		}
		if a := accounts[l.source][l.key]; l.account != "" && a != l.account {
			t.Errorf("%s: record %s linked to %s, the state links it to %s", l.file, l.key, l.account, a)
		}
		id := l.source + "|" + l.key + "|" + l.id
		if prev, ok := seen[id]; ok {
			dups++
			if l.source != "app" && !bytes.Equal(prev, l.raw) {
				t.Errorf("%s: redelivery of %s differs from the first delivery", l.file, id)
			}
			continue
		}
		seen[id] = l.raw
		switch {
		case l.t.Before(first[l.key]):
			late++
		case !l.t.After(last[l.key]):
			t.Errorf("%s: event at %s is neither late (before %s) nor after the state (%s)", l.file, l.t, first[l.key], last[l.key])
		}
	}
	t.Logf("batch: %d events, %d late, %d redelivered", len(seen), late, dups)
	if dups != bsum.Duplicates {
		t.Errorf("batch: %d repeated event ids, summary says %d redelivered", dups, bsum.Duplicates)
	}
	if r := float64(late) / float64(len(seen)); r < 0.06 || r > 0.14 {
		t.Errorf("batch: %d late of %d events, want about 10%%", late, len(seen))
	}
	// The same options write the same bytes; the state's files and the
	// batch's have different names, so both can be loaded into one
	// database.
	dir2, _ := write(t, batchOpt)
	if !maps.EqualFunc(readTree(t, bdir), readTree(t, dir2), bytes.Equal) {
		t.Error("batch: two writes with the same options differ")
	}
	for _, f := range bsum.Files {
		if slices.Contains(ssum.Files, f) {
			t.Errorf("%s is written by both the state and the batch", f)
		}
	}
}

func TestBulkHeavyBatchOnOneCustomer(t *testing.T) {
	for _, late := range []float64{0, 1} {
		dir, sum := write(t, Options{Mode: ModeBatch, Customers: 1000, Seed: 2, Events: 1, BatchCustomers: 1, LateShare: late})
		lines := readBulk(t, dir, sum)
		if len(lines) != 1 {
			t.Fatalf("late %g: %d lines", late, len(lines))
		}
		l := lines[0]
		if l.account != "" && l.account != "acct_00000001" {
			t.Errorf("late %g: event on %s, want the first customer", late, l.account)
		}
		start := Options{}.withDefaults().Start
		if isLate := l.t.Before(start); isLate != (late == 1) {
			t.Errorf("late %g: event at %s", late, l.t)
		}
	}
}

// TestBulkLateWithin: with LateWithin, the late events lie within that
// long before the batch (among the state's latest events), not before the
// state.
func TestBulkLateWithin(t *testing.T) {
	within := 72 * time.Hour
	opt := Options{Mode: ModeBatch, Customers: 200, Seed: 3, Events: 400, LateShare: 0.5, LateWithin: within}
	dir, sum := write(t, opt)
	batchStart := BatchStart(Options{}.withDefaults().Start)
	late := 0
	for _, l := range readBulk(t, dir, sum) {
		switch {
		case l.t.Before(batchStart.Add(-within)):
			t.Errorf("%s: event at %s, more than %s before the batch (%s)", l.file, l.t, within, batchStart)
		case l.t.Before(batchStart):
			late++
		}
	}
	if late < 150 || late > 250 {
		t.Errorf("%d late of %d, want about half", late, opt.Events)
	}
}

func TestBulkInvalid(t *testing.T) {
	for _, opt := range []Options{
		{LateShare: 0.1},
		{Mode: "bulk"},
		{Mode: ModeState, LateShare: 0.1},
		{Mode: ModeBatch, HeavyEvents: 3},
		{Mode: ModeBatch, Events: 10, DuplicateShare: 1.5},
		{Mode: ModeState, ConflictRate: -0.1},
		{Mode: ModeBatch, Events: -1},
		{Mode: ModeBatch, Events: 10, LateWithin: time.Hour},
		{Mode: ModeBatch, Events: 10, LateShare: 0.1, LateWithin: 30 * 24 * time.Hour},
	} {
		if _, err := Write(t.TempDir(), specSources(), opt); !errors.Is(err, ErrInvalidSource) {
			t.Errorf("%+v: err %v, want ErrInvalidSource", opt, err)
		}
	}
}
