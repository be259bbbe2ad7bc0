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
				"email": "email", "company_name": "name", "seats": "metadata.seats",
			},
			ChildFields: map[string]ChildPath{
				"billing_status": {Child: "subscription", Path: "status"},
				"plan_tier":      {Child: "subscription", Path: "items.data.0.price.lookup_key"},
			},
			Children: []Child{{Name: "subscription", Object: "subscription", Key: "id", Parent: "customer"}},
		},
	}
}

// legacySources is the billing source as callers described it before
// subscriptions: billing status and plan on the customer object itself.
func legacySources() []Source {
	srcs := specSources()
	b := &srcs[2]
	b.Children, b.ChildFields = nil, nil
	b.Fields["billing_status"] = "delinquent"
	b.Fields["plan_tier"] = "metadata.plan_tier"
	return srcs
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

	// Stripe: customer.* and customer.subscription.* in the same files.
	bill, m := readLines(t, dir, bySource["billing"])
	totalMalformed += m
	firstSeen := map[string]string{}
	redelivered := 0
	var tie, unlinkedCus, updated, deleted bool
	perSecond := map[string]int{}
	created := map[string]bool{}
	for _, p := range bill {
		if p.doc["type"] == "customer.created" {
			created[p.doc["data"].(map[string]any)["object"].(map[string]any)["id"].(string)] = true
		}
	}
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
		sec := p.doc["created"].(json.Number).String()
		perSecond[sec]++
		if perSecond[sec] > 1 {
			tie = true
		}
		data := p.doc["data"].(map[string]any)
		obj := data["object"].(map[string]any)
		typ := p.doc["type"].(string)
		if strings.HasPrefix(typ, "customer.subscription.") {
			checkSubscription(t, where, typ, data, created)
			continue
		}
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
		if _, ok := md["plan_tier"]; ok {
			t.Errorf("%s: metadata.plan_tier written though plan_tier comes from the subscription", where)
		}
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

// Stripe subscription statuses and the sample's price lookup keys.
var (
	subStatuses = []string{"incomplete", "incomplete_expired", "trialing", "active", "past_due", "canceled", "unpaid", "paused"}
	lookupKeys  = []string{"starter_monthly", "starter_annual", "growth_monthly", "growth_annual", "enterprise_annual"}
)

// checkSubscription checks a customer.subscription.* event against the
// shape Stripe sends (API version 2024-06-20), and that its customer is
// one the files create.
func checkSubscription(t *testing.T, where, typ string, data map[string]any, customers map[string]bool) {
	t.Helper()
	sub := data["object"].(map[string]any)
	requireKeys(t, where, sub, "id", "object", "customer", "status", "created", "start_date", "current_period_start",
		"current_period_end", "billing_cycle_anchor", "cancel_at", "cancel_at_period_end", "canceled_at", "ended_at",
		"trial_start", "trial_end", "items", "latest_invoice", "metadata", "livemode", "plan", "quantity")
	id, _ := sub["id"].(string)
	if !strings.HasPrefix(id, "sub_") || sub["object"] != "subscription" {
		t.Errorf("%s: subscription id %q object %v", where, id, sub["object"])
	}
	if cus, _ := sub["customer"].(string); !customers[cus] {
		t.Errorf("%s: subscription %s of customer %q that no customer.created event creates", where, id, cus)
	}
	status, _ := sub["status"].(string)
	if !slices.Contains(subStatuses, status) {
		t.Errorf("%s: status %q", where, status)
	}
	if _, ok := sub["cancel_at_period_end"].(bool); !ok || sub["livemode"] != false {
		t.Errorf("%s: cancel_at_period_end %v livemode %v", where, sub["cancel_at_period_end"], sub["livemode"])
	}
	for _, k := range []string{"created", "start_date", "current_period_start", "current_period_end", "billing_cycle_anchor"} {
		if !isInt(sub[k]) {
			t.Errorf("%s: %s = %v is not an integer", where, k, sub[k])
		}
	}
	ps, _ := sub["current_period_start"].(json.Number).Int64()
	pe, _ := sub["current_period_end"].(json.Number).Int64()
	if ps >= pe {
		t.Errorf("%s: period %d-%d", where, ps, pe)
	}
	items := sub["items"].(map[string]any)
	list, _ := items["data"].([]any)
	if items["object"] != "list" || len(list) != 1 {
		t.Fatalf("%s: items %v", where, items)
	}
	item := list[0].(map[string]any)
	requireKeys(t, where+" item", item, "id", "object", "price", "quantity", "subscription")
	if s, _ := item["id"].(string); !strings.HasPrefix(s, "si_") || item["object"] != "subscription_item" || item["subscription"] != id {
		t.Errorf("%s: item %v %v of %v", where, item["id"], item["object"], item["subscription"])
	}
	if n, err := item["quantity"].(json.Number).Int64(); err != nil || n < 1 || item["quantity"] != sub["quantity"] {
		t.Errorf("%s: quantity %v (subscription %v)", where, item["quantity"], sub["quantity"])
	}
	price := item["price"].(map[string]any)
	requireKeys(t, where+" price", price, "id", "object", "lookup_key", "product", "recurring", "unit_amount", "currency")
	key, _ := price["lookup_key"].(string)
	interval, _ := price["recurring"].(map[string]any)["interval"].(string)
	if !slices.Contains(lookupKeys, key) || (interval == "month") != strings.HasSuffix(key, "_monthly") || (interval != "month" && interval != "year") {
		t.Errorf("%s: lookup_key %q interval %q", where, key, interval)
	}
	if p, _ := price["id"].(string); !strings.HasPrefix(p, "price_") || price["object"] != "price" || !isInt(price["unit_amount"]) || price["currency"] != "usd" {
		t.Errorf("%s: price %v", where, price)
	}
	if p, _ := price["product"].(string); !strings.HasPrefix(p, "prod_") {
		t.Errorf("%s: product %q", where, p)
	}
	prev, hasPrev := data["previous_attributes"].(map[string]any)
	if hasPrev != (typ == "customer.subscription.updated") || (hasPrev && len(prev) == 0) {
		t.Errorf("%s: %s with previous_attributes %v", where, typ, data["previous_attributes"])
	}
	want := map[string]string{
		"customer.subscription.deleted": "canceled", "customer.subscription.paused": "paused",
		"customer.subscription.resumed": "active", "customer.subscription.trial_will_end": "trialing",
	}
	switch typ {
	case "customer.subscription.created", "customer.subscription.updated":
	case "customer.subscription.deleted", "customer.subscription.paused", "customer.subscription.resumed", "customer.subscription.trial_will_end":
		if status != want[typ] {
			t.Errorf("%s: %s with status %q", where, typ, status)
		}
	default:
		t.Errorf("%s: type %q", where, typ)
	}
	if (status == "canceled" || status == "incomplete_expired") != (sub["ended_at"] != nil) {
		t.Errorf("%s: status %s ended_at %v", where, status, sub["ended_at"])
	}
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

// subEvent is one distinct customer.subscription.* event.
type subEvent struct {
	typ, sub, customer, status, lookup string
	created, subCreated                int64
	prev                               map[string]any
	arrival                            int // position over the files in delivery order
}

// TestSubscriptions checks the subscription life cycles of default-sized
// samples: every event type, the transitions consumers must handle, the
// volume against the customer events, and delivery out of order with
// redeliveries.
func TestSubscriptions(t *testing.T) {
	for _, seed := range []int64{42, 1, 2, 3, 20260101} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { checkSubscriptions(t, seed) })
	}
}

func checkSubscriptions(t *testing.T, seed int64) {
	dir, sum := write(t, Options{Seed: seed})
	var files []string
	for _, f := range sum.Files {
		if strings.HasPrefix(f, "billing/customer/") {
			files = append(files, f)
		}
	}
	lines, _ := readLines(t, dir, files)
	seen := map[string]bool{}
	types := map[string]int{}
	customerEvents, subRedelivered := 0, 0
	var subs []subEvent
	for i, p := range lines {
		typ := p.doc["type"].(string)
		id := p.doc["id"].(string)
		if strings.HasPrefix(typ, "customer.subscription.") {
			if err := stripeKeyOrder(json.NewDecoder(strings.NewReader(p.raw))); err != nil {
				t.Errorf("%s: %s: %v", p.file, id, err)
			}
		}
		if seen[id] {
			if strings.HasPrefix(typ, "customer.subscription.") {
				subRedelivered++
			}
			continue
		}
		seen[id] = true
		types[typ]++
		if !strings.HasPrefix(typ, "customer.subscription.") {
			customerEvents++
			continue
		}
		data := p.doc["data"].(map[string]any)
		o := data["object"].(map[string]any)
		item := o["items"].(map[string]any)["data"].([]any)[0].(map[string]any)
		e := subEvent{
			typ: typ, sub: o["id"].(string), customer: o["customer"].(string), status: o["status"].(string),
			lookup:  item["price"].(map[string]any)["lookup_key"].(string),
			arrival: i,
		}
		e.created, _ = p.doc["created"].(json.Number).Int64()
		e.subCreated, _ = o["created"].(json.Number).Int64()
		e.prev, _ = data["previous_attributes"].(map[string]any)
		subs = append(subs, e)
	}
	for _, typ := range []string{"created", "updated", "deleted", "paused", "resumed", "trial_will_end"} {
		if types["customer.subscription."+typ] == 0 {
			t.Errorf("no customer.subscription.%s event: %v", typ, types)
		}
	}
	if len(subs) < customerEvents*5/4 {
		t.Errorf("%d subscription events, want noticeably more than the %d customer events", len(subs), customerEvents)
	}
	if sum.Events["billing"] != len(subs)+customerEvents {
		t.Errorf("Summary.Events[billing] = %d, want %d customer + %d subscription events", sum.Events["billing"], customerEvents, len(subs))
	}
	if subRedelivered == 0 {
		t.Error("no subscription event is redelivered")
	}
	inverted := false
	for i := 1; i < len(subs); i++ {
		inverted = inverted || subs[i].created < subs[i-1].created
	}
	if !inverted {
		t.Error("subscription events arrive in creation order")
	}

	// Replay each customer's subscriptions in event order.
	slices.SortStableFunc(subs, func(a, b subEvent) int { return int(a.created - b.created) })
	var trialConverted, pastDue, upgraded, expired, secondAfterCancel bool
	canceledAt := map[string]int64{} // customer -> when a subscription of it ended
	firstSeen := map[string]bool{}
	for _, e := range subs {
		if e.typ == "customer.subscription.created" {
			if firstSeen[e.sub] {
				t.Errorf("%s created twice", e.sub)
			}
			if at, ok := canceledAt[e.customer]; ok && at <= e.created {
				secondAfterCancel = true
			}
		} else if !firstSeen[e.sub] {
			// Every subscription is created inside the files.
			t.Errorf("%s: %s before customer.subscription.created", e.sub, e.typ)
		}
		firstSeen[e.sub] = true
		if e.status == "canceled" || e.status == "incomplete_expired" {
			if _, ok := canceledAt[e.customer]; !ok {
				canceledAt[e.customer] = e.created
			}
		}
		if e.prev == nil {
			continue
		}
		was, _ := e.prev["status"].(string)
		trialConverted = trialConverted || (was == "trialing" && e.status == "active")
		pastDue = pastDue || e.status == "past_due"
		expired = expired || (was == "incomplete" && e.status == "incomplete_expired")
		if items, ok := e.prev["items"].(map[string]any); ok {
			old := items["data"].([]any)[0].(map[string]any)["price"].(map[string]any)["lookup_key"]
			upgraded = upgraded || old != e.lookup
		}
	}
	if !trialConverted || !pastDue || !upgraded || !expired || !secondAfterCancel {
		t.Errorf("trialing->active=%v past_due=%v upgrade=%v incomplete->incomplete_expired=%v second subscription after a cancellation=%v",
			trialConverted, pastDue, upgraded, expired, secondAfterCancel)
	}
	t.Logf("customer events %d, subscription events %d %v", customerEvents, len(subs), types)
}

// stripeKeyOrder reads one JSON value and checks that every object lists
// "id" and "object" first and then its keys in byte order, as the Stripe
// API prints them.
func stripeKeyOrder(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		rank := func(k string) string {
			switch k {
			case "id":
				return "0"
			case "object":
				return "1"
			}
			return "2" + k
		}
		last := ""
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return err
			}
			r := rank(k.(string))
			if r <= last {
				return fmt.Errorf("key %q out of order", k)
			}
			last = r
			if err := stripeKeyOrder(dec); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
		}
		_, err = dec.Token()
		return err
	case json.Delim('['):
		for dec.More() {
			if err := stripeKeyOrder(dec); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	}
	return nil
}

func TestPastDue(t *testing.T) {
	dir, sum := write(t, Options{Customers: 400, Seed: 9})
	good, _ := readLines(t, dir, sum.Files)
	statuses := map[string]int{}
	delinquent := false
	for _, p := range good {
		data, ok := p.doc["data"].(map[string]any)
		if !ok {
			continue
		}
		o := data["object"].(map[string]any)
		if o["object"] == "subscription" {
			statuses[o["status"].(string)]++
		} else if o["delinquent"] == true {
			delinquent = true
		}
	}
	for _, st := range subStatuses {
		if statuses[st] == 0 {
			t.Errorf("no subscription event with status %s: %v", st, statuses)
		}
	}
	if !delinquent {
		t.Error("no customer is ever delinquent")
	}
}

// TestLegacySources writes sources described without children, as callers
// did before subscriptions: customer events only, billing status on the
// customer's delinquent flag and the plan in its metadata.
func TestLegacySources(t *testing.T) {
	dir := t.TempDir()
	sum, err := Write(dir, legacySources(), Options{Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	good, _ := readLines(t, dir, sum.Files)
	var delinquent, plan bool
	for _, p := range good {
		typ, _ := p.doc["type"].(string)
		if typ == "" {
			continue
		}
		if strings.HasPrefix(typ, "customer.subscription.") {
			t.Fatalf("%s: subscription event from a source without children", p.file)
		}
		o := p.doc["data"].(map[string]any)["object"].(map[string]any)
		delinquent = delinquent || o["delinquent"] == true
		_, ok := o["metadata"].(map[string]any)["plan_tier"]
		plan = plan || ok
	}
	if !delinquent || !plan {
		t.Errorf("delinquent=%v metadata.plan_tier=%v", delinquent, plan)
	}
}

func TestCustomFields(t *testing.T) {
	srcs := specSources()
	srcs[0].Fields["industry"] = "industry"
	srcs[2].Fields["account_owner"] = "metadata.owner"
	srcs[2].ChildFields["plan_tier"] = ChildPath{Child: "subscription", Path: "metadata.plan_tier"}
	srcs[2].Children[0].Parent = "metadata.stripe_customer"
	dir := t.TempDir()
	sum, err := Write(dir, srcs, Options{Customers: 5, Seed: 1, Start: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	good, _ := readLines(t, dir, sum.Files)
	var industry, owner, tier bool
	for _, p := range good {
		if after, ok := p.doc["after"].(map[string]any); ok {
			if s, ok := after["industry"].(string); ok && s != "" {
				industry = true
			}
		}
		if data, ok := p.doc["data"].(map[string]any); ok {
			o := data["object"].(map[string]any)
			md := o["metadata"].(map[string]any)
			if o["object"] == "subscription" {
				if err := stripeKeyOrder(json.NewDecoder(strings.NewReader(p.raw))); err != nil {
					t.Errorf("%s: %v", p.file, err)
				}
				if v := md["plan_tier"]; v != "starter" && v != "growth" && v != "enterprise" {
					t.Errorf("%s: subscription metadata.plan_tier %v", p.file, v)
				}
				if md["stripe_customer"] != o["customer"] {
					t.Errorf("%s: metadata.stripe_customer %v, customer %v", p.file, md["stripe_customer"], o["customer"])
				}
				tier = true
			} else if _, ok := md["owner"].(string); ok {
				owner = true
			}
		}
	}
	if !industry || !owner || !tier {
		t.Errorf("industry=%v owner=%v subscription tier=%v", industry, owner, tier)
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
		"child format": func(s *[]Source, _ *Options) {
			(*s)[0].Children = []Child{{Name: "subscription", Object: "subscription"}}
		},
		"child object": func(s *[]Source, _ *Options) { (*s)[2].Children[0].Object = "invoice" },
		"child twice":  func(s *[]Source, _ *Options) { (*s)[2].Children = append((*s)[2].Children, (*s)[2].Children[0]) },
		"child key":    func(s *[]Source, _ *Options) { (*s)[2].Children[0].Key = "a..b" },
		"unknown child": func(s *[]Source, _ *Options) {
			(*s)[2].ChildFields["plan_tier"] = ChildPath{Child: "sub", Path: "status"}
		},
		"child path":   func(s *[]Source, _ *Options) { (*s)[2].ChildFields["plan_tier"] = ChildPath{Child: "subscription"} },
		"mapped twice": func(s *[]Source, _ *Options) { (*s)[2].Fields["plan_tier"] = "metadata.plan_tier" },
	} {
		srcs, opt := specSources(), Options{}
		mod(&srcs, &opt)
		if _, err := Write(t.TempDir(), srcs, opt); !errors.Is(err, ErrInvalidSource) {
			t.Errorf("%s: err = %v, want ErrInvalidSource", name, err)
		}
	}
}

// BenchmarkWrite measures a sample of 1000 customers, with the billing
// source as the spec describes it (subscriptions) and as before (customer
// events only).
func BenchmarkWrite(b *testing.B) {
	for _, c := range []struct {
		name    string
		sources func() []Source
	}{{"subscriptions", specSources}, {"legacy", legacySources}} {
		b.Run(c.name, func(b *testing.B) {
			dir := b.TempDir()
			for range b.N {
				if _, err := Write(dir, c.sources(), Options{Customers: 1000, Seed: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
