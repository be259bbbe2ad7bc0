package sample

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// specSources mirrors models/sources.yaml.
func specSources() []Source {
	return []Source{
		{
			Name: "app", Format: FormatDebezium, Landing: "app/accounts", Key: "id", Customer: "id",
			Table: "public.accounts",
			Fields: map[string]string{
				"email": "email", "company_name": "name", "billing_status": "status",
				"plan_tier": "plan", "account_owner": "owner_email", "seats": "seats",
			},
		},
		{
			Name: "crm", Format: FormatSalesforceCDC, Landing: "crm/account", Key: "Id", Customer: "App_Account_Id__c",
			Table: "Account",
			Fields: map[string]string{
				"email": "Billing_Email__c", "company_name": "Name", "billing_status": "Billing_Status__c",
				"plan_tier": "Plan_Tier__c", "account_owner": "Owner_Email__c", "seats": "Seats__c",
			},
		},
		{
			Name: "billing", Format: FormatStripeEvents, Landing: "billing/customer", Key: "id", Customer: "metadata.account_id",
			Table: "customer",
			Fields: map[string]string{
				"email": "email", "company_name": "name", "billing_status": "delinquent",
				"plan_tier": "metadata.plan_tier", "seats": "metadata.seats",
			},
		},
	}
}

// readTree returns every file below dir by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func write(t *testing.T, opt Options) (string, Summary) {
	t.Helper()
	dir := t.TempDir()
	sum, err := Write(dir, specSources(), opt)
	if err != nil {
		t.Fatal(err)
	}
	return dir, sum
}

func TestDeterministic(t *testing.T) {
	for _, opt := range []Options{{Seed: 7}, {Seed: -3, Customers: 400, Start: time.Date(2025, 3, 30, 1, 30, 0, 0, time.UTC)}} {
		t.Run(fmt.Sprint(opt.Customers, "/", opt.Seed), func(t *testing.T) { checkDeterministic(t, opt) })
	}
}

func checkDeterministic(t *testing.T, opt Options) {
	dirA, sumA := write(t, opt)
	dirB, sumB := write(t, opt)
	a, b := readTree(t, dirA), readTree(t, dirB)
	if len(a) == 0 {
		t.Fatal("no files written")
	}
	if len(a) != len(b) {
		t.Fatalf("file count %d != %d", len(a), len(b))
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	if !slices.Equal(sumA.Files, sumB.Files) || sumA.Malformed != sumB.Malformed || sumA.Duplicates != sumB.Duplicates {
		t.Errorf("summaries differ: %+v vs %+v", sumA, sumB)
	}
	var want []string
	for name := range a {
		want = append(want, name)
	}
	slices.Sort(want)
	if !slices.Equal(want, sumA.Files) {
		t.Errorf("Summary.Files = %v, tree has %v", sumA.Files, want)
	}

	other := opt
	other.Seed++
	dirC, _ := write(t, other)
	c := readTree(t, dirC)
	same := 0
	for name, data := range a {
		if bytes.Equal(data, c[name]) {
			same++
		}
	}
	if same > 0 {
		t.Errorf("%d files identical across different seeds", same)
	}
}

// parsed is one well-formed landed line.
type parsed struct {
	file string
	raw  string
	doc  map[string]any
}

func readLines(t *testing.T, dir string, files []string) (good []parsed, malformed int) {
	t.Helper()
	for _, f := range files {
		fh, err := os.Open(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			l := sc.Text()
			if !json.Valid([]byte(l)) {
				malformed++
				continue
			}
			dec := json.NewDecoder(strings.NewReader(l))
			dec.UseNumber()
			var doc map[string]any
			if err := dec.Decode(&doc); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			good = append(good, parsed{file: f, raw: l, doc: doc})
		}
		fh.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return good, malformed
}

func requireKeys(t *testing.T, where string, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s: missing key %q in %v", where, k, keysOf(m))
		}
	}
}

func keysOf(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func isInt(v any) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	_, err := n.Int64()
	return err == nil
}

func TestShapes(t *testing.T) {
	for _, seed := range []int64{42, 1, 2, 3, 20260101} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { checkShapes(t, seed) })
	}
}

// checkShapes checks every line of a default-sized sample against the shape
// its producer writes, and that the scenario holds the cases consumers must
// handle.
func checkShapes(t *testing.T, seed int64) {
	dir, sum := write(t, Options{Seed: seed})
	bySource := map[string][]string{}
	for _, f := range sum.Files {
		for _, s := range specSources() {
			if strings.HasPrefix(f, s.Landing+"/") {
				bySource[s.Name] = append(bySource[s.Name], f)
			}
		}
	}
	totalMalformed, totalDups := 0, 0
	malformedFiles := map[string]bool{}

	// Debezium.
	app, m := readLines(t, dir, bySource["app"])
	totalMalformed += m
	ops := map[string]int{}
	var toast, keyOnlyDelete, fullDelete, snapshotLast bool
	seenPos := map[string]bool{}
	var lastLSN int64
	for _, p := range app {
		where := p.file
		requireKeys(t, where, p.doc, "before", "after", "source", "op", "ts_ms", "transaction")
		src := p.doc["source"].(map[string]any)
		requireKeys(t, where, src, "version", "connector", "name", "ts_ms", "snapshot", "db", "sequence", "schema", "table", "txId", "lsn", "xmin")
		if src["connector"] != "postgresql" || src["schema"] != "public" || src["table"] != "accounts" {
			t.Errorf("%s: source %v", where, src)
		}
		if !isInt(src["lsn"]) || !isInt(src["txId"]) || !isInt(src["ts_ms"]) || !isInt(p.doc["ts_ms"]) {
			t.Errorf("%s: non-integer lsn/txId/ts_ms", where)
		}
		srcTs, _ := src["ts_ms"].(json.Number).Int64()
		topTs, _ := p.doc["ts_ms"].(json.Number).Int64()
		if topTs < srcTs {
			t.Errorf("%s: ts_ms %d before source.ts_ms %d", where, topTs, srcTs)
		}
		op := p.doc["op"].(string)
		lsn, _ := src["lsn"].(json.Number).Int64()
		pos := op + "/" + src["lsn"].(json.Number).String() + "/" + rowID(p.doc)
		if seenPos[pos] {
			totalDups++
			continue
		}
		seenPos[pos] = true
		if op != "r" {
			if lsn <= lastLSN {
				t.Errorf("%s: lsn %d not increasing (after %d)", where, lsn, lastLSN)
			}
			lastLSN = lsn
		}
		ops[op]++
		switch op {
		case "r":
			if src["snapshot"] == "false" {
				t.Errorf("%s: snapshot read with snapshot=false", where)
			}
			snapshotLast = snapshotLast || src["snapshot"] == "last"
			fallthrough
		case "c":
			if p.doc["before"] != nil || p.doc["after"] == nil {
				t.Errorf("%s: %s event with before=%v after=%v", where, op, p.doc["before"], p.doc["after"])
			}
		case "u":
			after := p.doc["after"].(map[string]any)
			toast = toast || after["notes"] == toastPlaceholder
		case "d":
			if p.doc["after"] != nil {
				t.Errorf("%s: delete with after", where)
			}
			before := p.doc["before"].(map[string]any)
			if before["email"] == nil {
				keyOnlyDelete = true
			} else {
				fullDelete = true
			}
		default:
			t.Errorf("%s: op %q", where, op)
		}
		for _, side := range []string{"before", "after"} {
			row, _ := p.doc[side].(map[string]any)
			if row == nil {
				continue
			}
			requireKeys(t, where+" "+side, row, "id", "email", "name", "status", "plan", "owner_email", "seats", "notes", "created_at", "updated_at")
			if !strings.HasPrefix(row["id"].(string), "acct_") {
				t.Errorf("%s: id %v", where, row["id"])
			}
			if row["seats"] != nil && !isInt(row["seats"]) {
				t.Errorf("%s: seats %v is not an integer", where, row["seats"])
			}
		}
	}
	if ops["r"] == 0 || ops["c"] == 0 || ops["u"] == 0 || ops["d"] == 0 {
		t.Errorf("app ops %v: want r, c, u and d", ops)
	}
	if !toast || !keyOnlyDelete || !fullDelete || !snapshotLast {
		t.Errorf("app: toast=%v keyOnlyDelete=%v fullDelete=%v snapshotLast=%v", toast, keyOnlyDelete, fullDelete, snapshotLast)
	}

	// Salesforce.
	crm, m := readLines(t, dir, bySource["crm"])
	totalMalformed += m
	seenReplay := map[string]bool{}
	var twoIDs, gap, partial, nulled, create, del, undel, unlinked bool
	mapped := specSources()[1].Fields
	for _, p := range crm {
		where := p.file
		requireKeys(t, where, p.doc, "schema", "payload", "event")
		replay := p.doc["event"].(map[string]any)["replayId"].(json.Number).String()
		if seenReplay[replay] {
			totalDups++
			continue
		}
		seenReplay[replay] = true
		payload := p.doc["payload"].(map[string]any)
		h := payload["ChangeEventHeader"].(map[string]any)
		requireKeys(t, where, h, "entityName", "recordIds", "changeType", "changeOrigin", "transactionKey",
			"sequenceNumber", "commitTimestamp", "commitNumber", "commitUser", "changedFields", "nulledFields", "diffFields")
		ids := h["recordIds"].([]any)
		for _, id := range ids {
			if s := id.(string); len(s) != 18 || !strings.HasPrefix(s, "001") {
				t.Errorf("%s: record id %q", where, s)
			}
		}
		twoIDs = twoIDs || len(ids) == 2
		changed := toStrings(h["changedFields"])
		fieldsInBody := 0
		for k := range payload {
			if k != "ChangeEventHeader" {
				fieldsInBody++
			}
		}
		switch ct := h["changeType"].(string); ct {
		case "CREATE", "UNDELETE":
			create = create || ct == "CREATE"
			undel = undel || ct == "UNDELETE"
			requireKeys(t, where, payload, "Name", "LastModifiedDate", "CreatedDate")
			if _, ok := payload["App_Account_Id__c"]; !ok {
				unlinked = true
			}
			for k, v := range payload {
				if v == nil {
					t.Errorf("%s: %s carries null %s", where, ct, k)
				}
			}
		case "UPDATE":
			if !slices.Contains(changed, "LastModifiedDate") {
				t.Errorf("%s: changedFields %v lacks LastModifiedDate", where, changed)
			}
			for k := range payload {
				if k != "ChangeEventHeader" && !slices.Contains(changed, k) {
					t.Errorf("%s: body field %s not in changedFields %v", where, k, changed)
				}
			}
			for _, k := range changed {
				if _, ok := payload[k]; !ok {
					t.Errorf("%s: changed field %s not in body", where, k)
				}
			}
			for _, k := range toStrings(h["nulledFields"]) {
				nulled = true
				if payload[k] != nil {
					t.Errorf("%s: nulled field %s = %v", where, k, payload[k])
				}
			}
			for _, path := range mapped {
				if !slices.Contains(changed, path) {
					partial = true
				}
			}
		case "DELETE", "GAP_UPDATE", "GAP_CREATE", "GAP_DELETE", "GAP_UNDELETE", "GAP_OVERFLOW":
			del = del || ct == "DELETE"
			gap = gap || strings.HasPrefix(ct, "GAP_")
			if fieldsInBody != 0 {
				t.Errorf("%s: %s carries %d fields", where, ct, fieldsInBody)
			}
		default:
			t.Errorf("%s: changeType %q", where, ct)
		}
		if _, ok := payload["Id"]; ok {
			t.Errorf("%s: change event body has an Id field", where)
		}
	}
	if !twoIDs || !gap || !partial || !nulled || !create || !del || !undel || !unlinked {
		t.Errorf("crm: twoIDs=%v gap=%v partialUpdate=%v nulled=%v create=%v delete=%v undelete=%v unlinked=%v",
			twoIDs, gap, partial, nulled, create, del, undel, unlinked)
	}

	// Stripe.
	bill, m := readLines(t, dir, bySource["billing"])
	totalMalformed += m
	firstSeen := map[string]string{}
	redelivered := 0
	var tie, unlinkedCus, updated, deleted bool
	perSecond := map[string]int{}
	for _, p := range bill {
		where := p.file
		requireKeys(t, where, p.doc, "id", "object", "api_version", "created", "data", "livemode", "pending_webhooks", "request", "type")
		id := p.doc["id"].(string)
		if prev, ok := firstSeen[id]; ok {
			if prev != p.raw {
				t.Errorf("%s: redelivery of %s differs", where, id)
			}
			redelivered++
			continue
		}
		firstSeen[id] = p.raw
		if !strings.HasPrefix(id, "evt_") || p.doc["object"] != "event" {
			t.Errorf("%s: id %q object %v", where, id, p.doc["object"])
		}
		data := p.doc["data"].(map[string]any)
		obj := data["object"].(map[string]any)
		requireKeys(t, where, obj, "id", "object", "email", "name", "delinquent", "metadata", "created", "livemode")
		if _, ok := obj["delinquent"].(bool); !ok {
			t.Errorf("%s: delinquent %v is not a boolean", where, obj["delinquent"])
		}
		md := obj["metadata"].(map[string]any)
		for k, v := range md {
			if _, ok := v.(string); !ok {
				t.Errorf("%s: metadata.%s = %v is not a string", where, k, v)
			}
		}
		if _, ok := md["account_id"]; !ok {
			unlinkedCus = true
		}
		typ := p.doc["type"].(string)
		_, hasPrev := data["previous_attributes"]
		switch typ {
		case "customer.updated":
			updated = true
			if !hasPrev {
				t.Errorf("%s: update without previous_attributes", where)
			}
		case "customer.created", "customer.deleted":
			deleted = deleted || typ == "customer.deleted"
			if hasPrev {
				t.Errorf("%s: %s with previous_attributes", where, typ)
			}
		default:
			t.Errorf("%s: type %q", where, typ)
		}
		sec := p.doc["created"].(json.Number).String()
		perSecond[sec]++
		if perSecond[sec] > 1 {
			tie = true
		}
	}
	totalDups += redelivered
	if redelivered == 0 || !tie || !unlinkedCus || !updated || !deleted {
		t.Errorf("billing: redelivered=%d tie=%v unlinked=%v updated=%v deleted=%v", redelivered, tie, unlinkedCus, updated, deleted)
	}

	if totalMalformed != sum.Malformed || sum.Malformed == 0 {
		t.Errorf("malformed lines: found %d, summary %d", totalMalformed, sum.Malformed)
	}
	if totalDups != sum.Duplicates {
		t.Errorf("duplicates: found %d, summary %d", totalDups, sum.Duplicates)
	}
	for _, f := range sum.Files {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		for l := range strings.SplitSeq(strings.TrimSuffix(string(b), "\n"), "\n") {
			if !json.Valid([]byte(l)) {
				if malformedFiles[f] {
					t.Errorf("%s: more than one malformed line", f)
				}
				malformedFiles[f] = true
			}
		}
	}
	if len(malformedFiles) != sum.Malformed {
		t.Errorf("malformed lines in %d files, want %d distinct files", len(malformedFiles), sum.Malformed)
	}
	for name, n := range sum.Events {
		if n == 0 {
			t.Errorf("no events for %s", name)
		}
	}
	t.Logf("events %v, malformed %d, duplicates %d, app ops %v", sum.Events, sum.Malformed, sum.Duplicates, ops)
}

func rowID(doc map[string]any) string {
	for _, side := range []string{"after", "before"} {
		if row, ok := doc[side].(map[string]any); ok {
			if id, ok := row["id"].(string); ok {
				return id
			}
		}
	}
	return ""
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestSizes(t *testing.T) {
	for _, n := range []int{1, 2, 3, 1000} {
		start := time.Now()
		dir, sum := write(t, Options{Customers: n, Seed: int64(n)})
		elapsed := time.Since(start)
		good, malformed := readLines(t, dir, sum.Files)
		if malformed != sum.Malformed {
			t.Errorf("customers=%d: malformed %d, summary %d", n, malformed, sum.Malformed)
		}
		total := 0
		for _, v := range sum.Events {
			total += v
		}
		if len(good) != total+sum.Duplicates {
			t.Errorf("customers=%d: %d good lines, want %d events + %d duplicates", n, len(good), total, sum.Duplicates)
		}
		t.Logf("customers=%d: %v, %d files, events %v, duplicates %d, malformed %d", n, elapsed, len(sum.Files), sum.Events, sum.Duplicates, sum.Malformed)
	}
}

func TestCustomFields(t *testing.T) {
	srcs := specSources()
	srcs[0].Fields["industry"] = "industry"
	srcs[2].Fields["account_owner"] = "metadata.owner"
	dir := t.TempDir()
	sum, err := Write(dir, srcs, Options{Customers: 5, Seed: 1, Start: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	good, _ := readLines(t, dir, sum.Files)
	var industry, owner bool
	for _, p := range good {
		if after, ok := p.doc["after"].(map[string]any); ok {
			if s, ok := after["industry"].(string); ok && s != "" {
				industry = true
			}
		}
		if data, ok := p.doc["data"].(map[string]any); ok {
			md := data["object"].(map[string]any)["metadata"].(map[string]any)
			if _, ok := md["owner"].(string); ok {
				owner = true
			}
		}
	}
	if !industry || !owner {
		t.Errorf("industry=%v owner=%v", industry, owner)
	}
}

func TestInvalid(t *testing.T) {
	for name, mod := range map[string]func(*[]Source, *Options){
		"format":    func(s *[]Source, _ *Options) { (*s)[0].Format = "csv" },
		"landing":   func(s *[]Source, _ *Options) { (*s)[1].Landing = "../x" },
		"duplicate": func(s *[]Source, _ *Options) { (*s)[1].Name = "app" },
		"key":       func(s *[]Source, _ *Options) { (*s)[2].Key = "" },
		"path":      func(s *[]Source, _ *Options) { (*s)[2].Fields["seats"] = "metadata..seats" },
		"customers": func(_ *[]Source, o *Options) { o.Customers = -1 },
	} {
		srcs, opt := specSources(), Options{}
		mod(&srcs, &opt)
		if _, err := Write(t.TempDir(), srcs, opt); !errors.Is(err, ErrInvalidSource) {
			t.Errorf("%s: err = %v, want ErrInvalidSource", name, err)
		}
	}
}
