package tests

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// This file holds the property test of DESIGN.md section 5, invariant 3:
// gold is a pure function of the deduplicated observations. For many seeds
// a random scenario of events across the three sources of the company spec
// (the fixture testdata/spec) is
// delivered twice:
//
//	(a) every event once, in generation order, in one pass (one RunOnce);
//	(b) the same events in a random order unrelated to their event time,
//	    split into random batches (files landed, then a RunOnce), with
//	    redeliveries of single events in later files and re-landed files,
//
// and gold must be identical. Environment:
//
//	TRUEUP_PROPERTY_SEEDS=N   run N seeds (default 200, 20 with -short)
//	TRUEUP_PROPERTY_SEED=S    run only seed S, logging its plan (to replay a failure)
//	TRUEUP_PROPERTY_FIRST=F   first seed of the range (default 1)

// The three sources of testdata/spec/sources.yaml and their landing folders.
const (
	propApp = iota
	propCRM
	propBilling
)

var (
	propSource  = [3]string{"app", "crm", "billing"}
	propLanding = [3]string{"app/accounts", "crm/account", "billing/customer"}
	propLabel   = [3]string{"A", "C", "B"}
)

// propEvent is one landed line of a scenario.
type propEvent struct {
	src   int
	label string // A12, C3, B7; N1 for a line that cannot become an observation
	desc  string // what the event is, for the failure report
	line  []byte
	// redo renders a redelivery of the event; nil: the same bytes.
	redo func(r *rand.Rand) []byte
	// ids are the (event id, record key) pairs of the observations the
	// pipeline makes of the event ("event_id|record_key"); none for noise.
	ids []string
}

type propScenario struct {
	seed      uint64
	customers int
	events    []*propEvent
}

// observed counts the (event, record) pairs the scenario must leave in
// silver.observations.
func (sc *propScenario) observed() int {
	n := 0
	for _, e := range sc.events {
		n += len(e.ids)
	}
	return n
}

// legend describes every event, for the failure report.
func (sc *propScenario) legend() string {
	var b strings.Builder
	for _, e := range sc.events {
		fmt.Fprintf(&b, "  %-5s %s\n", e.label, e.desc)
	}
	return b.String()
}

const (
	propDay  = int64(24 * time.Hour / time.Millisecond)
	propBase = int64(1767225600000) // 2026-01-01T00:00:00Z in ms
)

// propGen draws one scenario.
type propGen struct {
	r *rand.Rand
	n int // customers: acct_1 .. acct_n
}

func (g *propGen) chance(p float64) bool { return g.r.Float64() < p }

func propPick[T any](r *rand.Rand, vs ...T) T { return vs[r.IntN(len(vs))] }

func propAlnum(r *rand.Rand, n int) string {
	const chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[r.IntN(len(chars))]
	}
	return string(b)
}

func propAcct(i int) string { return "acct_" + strconv.Itoa(i) }

// Value pools are small so that conflicts and ties are frequent.

// email draws an email of the records of customer acct with case and space
// variants, invalid values and nulls. A record without a customer (acct 0)
// and now and then one with a customer use another customer's mailboxes:
// the email match rule links them.
func (g *propGen) email(acct int) any {
	switch g.r.IntN(14) {
	case 0:
		return nil
	case 1:
		return "n/a"
	case 2:
		return ""
	}
	if acct == 0 || g.chance(0.1) {
		acct = 1 + g.r.IntN(g.n)
	}
	e := propPick(g.r, "jane", "ops", "billing") + "@acme" + strconv.Itoa(acct) + ".com"
	switch g.r.IntN(4) {
	case 1:
		e = strings.ToUpper(e)
	case 2:
		e = " " + strings.ToUpper(e[:1]) + e[1:] + " "
	}
	return e
}

func (g *propGen) name() any {
	return propPick[any](g.r, "Acme", "Acme Corp", " Acme Corp ", "ACME", "Acme Inc.", "", nil)
}

// status draws a billing status as the app or the CRM writes it: the
// accepted values in several spellings, mapped ones, an invalid one.
func (g *propGen) status() any {
	return propPick[any](g.r, "active", "Active", " ACTIVE", "past_due", "Past Due", "canceled", "Cancelled", "trialing", "unpaid", "frozen", nil)
}

func (g *propGen) plan() any {
	return propPick[any](g.r, "free", "starter", "Pro", "growth", "Enterprise", "business", "platinum", nil)
}

func (g *propGen) owner() any {
	return propPick[any](g.r, "ann@ours.com", "Bob@Ours.com", " carl@ours.com", "nobody", nil)
}

func (g *propGen) seats() any {
	if g.chance(0.15) {
		return nil
	}
	return 1 + g.r.IntN(4)
}

// times draws the event times (ms) of one record: a creation in the first
// 20 days (or at lo or after it, when lo is not 0), then count-1 changes
// until day 60, sorted.
func (g *propGen) times(count int, lo int64) []int64 {
	t0 := propBase + g.r.Int64N(20*propDay)
	if lo > 0 {
		t0 = lo + g.r.Int64N(propBase+50*propDay-lo)
	}
	out := []int64{t0}
	for range count - 1 {
		out = append(out, t0+g.r.Int64N(propBase+60*propDay-t0))
	}
	slices.Sort(out)
	return out
}

// propSlot is one event of one record before the source's sequence numbers are
// given out in event-time order.
type propSlot struct {
	t   int64
	rec int
	ord int // the record's own order
}

// spread gives every record one event (its creation, at los[rec] or after
// it when that is not 0) and the rest of total at random, more to some
// records than to others, and returns the
// slots sorted by time; with probability tie a slot takes the time of the
// one before it (ties in event time).
func (g *propGen) spread(los []int64, total int, tie float64, unit int64) []propSlot {
	records := len(los)
	counts := make([]int, records)
	for i := range counts {
		counts[i] = 1
	}
	// Activity is skewed: some records change often, many rarely (a
	// record touched once is never looked at again unless the pipeline
	// does it on its own).
	weights := make([]float64, records)
	sum := 0.0
	for i := range weights {
		weights[i] = g.r.ExpFloat64() * g.r.ExpFloat64()
		sum += weights[i]
	}
	for range total - records {
		x := g.r.Float64() * sum
		i := 0
		for ; i < records-1 && x >= weights[i]; i++ {
			x -= weights[i]
		}
		counts[i]++
	}
	var slots []propSlot
	for rec, c := range counts {
		for i, t := range g.times(c, los[rec]) {
			slots = append(slots, propSlot{t: t / unit * unit, rec: rec, ord: i})
		}
	}
	slices.SortStableFunc(slots, func(a, b propSlot) int {
		if a.t != b.t {
			return int(a.t - b.t)
		}
		if a.rec != b.rec {
			return a.rec - b.rec
		}
		return a.ord - b.ord
	})
	for i := 1; i < len(slots); i++ {
		if g.chance(tie) {
			slots[i].t = slots[i-1].t
		}
	}
	return slots
}

func propJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

func propTime(ms int64) string { return time.UnixMilli(ms).UTC().Format("01-02T15:04:05.000") }

// Debezium envelope (PostgreSQL connector), fields in the connector's order.
type propDbzSource struct {
	Version   string `json:"version"`
	Connector string `json:"connector"`
	Name      string `json:"name"`
	TsMs      int64  `json:"ts_ms"`
	Snapshot  string `json:"snapshot"`
	DB        string `json:"db"`
	Sequence  string `json:"sequence"`
	Schema    string `json:"schema"`
	Table     string `json:"table"`
	TxID      int64  `json:"txId"`
	LSN       int64  `json:"lsn"`
	Xmin      *int64 `json:"xmin"`
}

type propDbzEnvelope struct {
	Before      map[string]any `json:"before"`
	After       map[string]any `json:"after"`
	Source      propDbzSource  `json:"source"`
	Op          string         `json:"op"`
	TsMs        int64          `json:"ts_ms"`
	Transaction any            `json:"transaction"`
}

var propAppColumns = []string{"email", "name", "status", "plan", "owner_email", "seats"}

func (g *propGen) appValue(col string, acct int) any {
	switch col {
	case "email":
		return g.email(acct)
	case "name":
		return g.name()
	case "status":
		return g.status()
	case "plan":
		return g.plan()
	case "owner_email":
		return g.owner()
	}
	return g.seats()
}

// app draws Debezium change events of public.accounts: c (or r), u, d and
// a re-insert after a delete; several rows per commit sometimes; LSN and
// commit time increase together.
func (g *propGen) app(total int) []*propEvent {
	var accts []int
	for i := 1; i <= g.n; i++ {
		if g.chance(0.85) {
			accts = append(accts, i)
		}
	}
	if len(accts) == 0 {
		accts = []int{1 + g.r.IntN(g.n)}
	}
	slots := g.spread(make([]int64, len(accts)), total, 0.1, 1)
	rows := make([]map[string]any, len(accts))
	lsn := int64(0x2300_0000) + g.r.Int64N(1<<20)
	tx := int64(780000) + g.r.Int64N(1000)
	prevCommit := lsn
	wrapped := g.chance(0.3) // some connectors run with schemas enabled
	var out []*propEvent
	var commitT int64 = -1
	var commitRecs []int
	for _, s := range slots {
		acct := accts[s.rec]
		key := propAcct(acct)
		row := rows[s.rec]
		var before, after map[string]any
		op := "u"
		switch {
		case row == nil:
			op = "c"
			if len(out) == 0 && g.chance(0.5) {
				op = "r"
			}
			row = map[string]any{"id": key}
			for _, c := range propAppColumns {
				row[c] = g.appValue(c, acct)
			}
			row["notes"] = propPick[any](g.r, nil, "vip", strings.Repeat("history ", 40))
			after = propClone(row)
		case g.chance(0.08):
			op = "d"
			if g.chance(0.5) {
				before = propClone(row)
			} else {
				before = map[string]any{"id": key}
				for _, c := range append(slices.Clone(propAppColumns), "notes") {
					before[c] = nil
				}
			}
			row = nil
		default:
			changed := map[string]bool{}
			for range 1 + g.r.IntN(3) {
				c := propAppColumns[g.r.IntN(len(propAppColumns))]
				row[c] = g.appValue(c, acct)
				changed[c] = true
			}
			after = propClone(row)
			if g.chance(0.5) {
				// REPLICA IDENTITY DEFAULT: an unchanged TOASTed value is a placeholder.
				after["notes"] = "__debezium_unavailable_value"
				if !changed["name"] && g.chance(0.2) {
					after["name"] = "__debezium_unavailable_value"
				}
			} else if g.chance(0.5) {
				before = propClone(after)
			}
		}
		rows[s.rec] = row
		// One commit holds several rows sometimes; its commit time is the
		// first row's, and the LSN keeps increasing within it.
		t := s.t
		if commitT >= 0 && !slices.Contains(commitRecs, s.rec) && g.chance(0.2) {
			t = commitT
			commitRecs = append(commitRecs, s.rec)
			lsn += 8 + g.r.Int64N(200)
		} else {
			tx += 1 + g.r.Int64N(40)
			prevCommit = lsn
			lsn += 64 + g.r.Int64N(6000)
			commitT, commitRecs = t, []int{s.rec}
		}
		env := propDbzEnvelope{
			Before: before, After: after, Op: op,
			Source: propDbzSource{
				Version: "2.7.0.Final", Connector: "postgresql", Name: "app", TsMs: t, Snapshot: "false", DB: "app",
				Sequence: fmt.Sprintf(`["%d","%d"]`, prevCommit, lsn), Schema: "public", Table: "accounts", TxID: tx, LSN: lsn,
			},
			TsMs: t + 20 + g.r.Int64N(1500),
		}
		if op == "r" {
			env.Source.Snapshot = "true"
		}
		render := func(env propDbzEnvelope) []byte {
			if wrapped {
				return propJSON(map[string]any{"schema": map[string]any{"type": "struct", "name": "app.public.accounts.Envelope"}, "payload": env})
			}
			return propJSON(env)
		}
		e := &propEvent{
			src:  propApp,
			desc: fmt.Sprintf("app %s %s t=%s lsn=%d", op, key, propTime(t), lsn),
			line: render(env),
			redo: func(r *rand.Rand) []byte {
				// A connector restart re-emits the event: same source
				// position, a later processing time.
				env := env
				env.TsMs += 60000 + r.Int64N(600000)
				return render(env)
			},
			ids: []string{fmt.Sprintf("lsn:%d:public.accounts:%s|%s", lsn, key, key)},
		}
		if after != nil {
			e.desc += fmt.Sprintf(" email=%q name=%q status=%q plan=%q owner=%q seats=%v", after["email"], after["name"], after["status"], after["plan"], after["owner_email"], after["seats"])
		}
		out = append(out, e)
	}
	return out
}

func propClone(m map[string]any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// Salesforce AccountChangeEvent as the Pub/Sub API delivers it.
type propSFHeader struct {
	EntityName      string   `json:"entityName"`
	RecordIDs       []string `json:"recordIds"`
	ChangeType      string   `json:"changeType"`
	ChangeOrigin    string   `json:"changeOrigin"`
	TransactionKey  string   `json:"transactionKey"`
	SequenceNumber  int      `json:"sequenceNumber"`
	CommitTimestamp int64    `json:"commitTimestamp"`
	CommitNumber    int64    `json:"commitNumber"`
	CommitUser      string   `json:"commitUser"`
	ChangedFields   []string `json:"changedFields"`
	NulledFields    []string `json:"nulledFields"`
	DiffFields      []string `json:"diffFields"`
}

var propCRMFields = []string{"Billing_Email__c", "Name", "Billing_Status__c", "Plan_Tier__c", "Owner_Email__c", "Seats__c"}

const propCRMLink = "App_Account_Id__c"

func (g *propGen) crmValue(f string, acct int) any {
	switch f {
	case "Billing_Email__c":
		return g.email(acct)
	case "Name":
		return g.name()
	case "Billing_Status__c":
		return g.status()
	case "Plan_Tier__c":
		return g.plan()
	case "Owner_Email__c":
		return g.owner()
	}
	return g.seats()
}

type propCRMRecord struct {
	id    string
	acct  int            // 0: a prospect
	vals  map[string]any // non-null values, the link included
	alive bool
	born  bool
}

// crm draws Salesforce change events: CREATE with the fields it carries,
// UPDATE with changedFields (and nulledFields) only, an UPDATE naming two
// records, DELETE and UNDELETE, link changes; commitNumber increases with
// commitTimestamp, several events share a transaction sometimes.
func (g *propGen) crm(total int) []*propEvent {
	var recs []*propCRMRecord
	serial := 1000 + g.r.IntN(9000)
	newRec := func(acct int) {
		serial += 1 + g.r.IntN(50)
		recs = append(recs, &propCRMRecord{id: fmt.Sprintf("001A%011dAAA", serial), acct: acct})
	}
	for i := 1; i <= g.n; i++ {
		switch p := g.r.Float64(); {
		case p < 0.2:
		case p < 0.8:
			newRec(i)
		default:
			newRec(i)
			newRec(i)
		}
	}
	for range 1 + g.r.IntN(2) {
		newRec(0)
	}
	if len(recs) == 0 {
		newRec(1)
	}
	slots := g.spread(make([]int64, len(recs)), total, 0.1, 1)
	replay := int64(1000 + g.r.IntN(100000))
	commit := int64(5000) + g.r.Int64N(100000)
	var prev *propSFHeader
	var out []*propEvent
	for _, s := range slots {
		rec := recs[s.rec]
		h := &propSFHeader{EntityName: "Account", RecordIDs: []string{rec.id}, ChangeOrigin: "com/salesforce/api/soap/58.0;client=SfdcInternalAPI/",
			SequenceNumber: 1, CommitTimestamp: s.t, CommitUser: "005000000000001AAA",
			ChangedFields: []string{}, NulledFields: []string{}, DiffFields: []string{}}
		body := map[string]any{}
		carry := func() {
			for k, v := range rec.vals {
				body[k] = v
			}
			body["CreatedDate"] = propBase
			body["LastModifiedDate"] = s.t
		}
		switch {
		case !rec.born:
			h.ChangeType = "CREATE"
			rec.born, rec.alive = true, true
			rec.vals = map[string]any{}
			for _, f := range propCRMFields {
				if v := g.crmValue(f, rec.acct); v != nil && g.chance(0.8) {
					rec.vals[f] = v
				}
			}
			if rec.acct > 0 && g.chance(0.85) {
				rec.vals[propCRMLink] = propAcct(rec.acct)
			}
			carry()
		case !rec.alive:
			h.ChangeType = "UNDELETE"
			rec.alive = true
			carry()
		case g.chance(0.07):
			h.ChangeType = "DELETE"
			rec.alive = false
		default:
			h.ChangeType = "UPDATE"
			for range 1 + g.r.IntN(3) {
				f := propCRMFields[g.r.IntN(len(propCRMFields))]
				var v any
				if g.chance(0.1) {
					// The link is set, moved to another account or cleared.
					f = propCRMLink
					if g.chance(0.75) {
						v = propAcct(1 + g.r.IntN(g.n))
					}
				} else if !g.chance(0.2) {
					v = g.crmValue(f, rec.acct)
				}
				if slices.Contains(h.ChangedFields, f) {
					continue
				}
				h.ChangedFields = append(h.ChangedFields, f)
				if v == nil {
					h.NulledFields = append(h.NulledFields, f)
					delete(rec.vals, f)
					if g.chance(0.5) {
						body[f] = nil
					}
				} else {
					rec.vals[f] = v
					body[f] = v
				}
			}
			if !slices.Contains(h.ChangedFields, "Name") && g.chance(0.2) {
				// A value outside changedFields is not asserted.
				body["Name"] = "NOT IN CHANGEDFIELDS"
			}
			body["LastModifiedDate"] = s.t
			h.ChangedFields = append(h.ChangedFields, "LastModifiedDate")
			if g.chance(0.08) {
				// One UPDATE names a second live record with the same change.
				for _, o := range recs {
					if o != rec && o.alive && g.chance(0.5) {
						h.RecordIDs = append(h.RecordIDs, o.id)
						for _, f := range h.ChangedFields {
							if f == "LastModifiedDate" {
								continue
							}
							if slices.Contains(h.NulledFields, f) {
								delete(o.vals, f)
							} else {
								o.vals[f] = rec.vals[f]
							}
						}
						break
					}
				}
			}
		}
		// Sequence: a new commit, or the next event of the previous
		// transaction (same commit time and number) for other records.
		if prev != nil && prev.CommitTimestamp == s.t && g.chance(0.5) && !slices.ContainsFunc(h.RecordIDs, func(id string) bool { return slices.Contains(prev.RecordIDs, id) }) {
			h.CommitNumber, h.TransactionKey, h.SequenceNumber = prev.CommitNumber, prev.TransactionKey, prev.SequenceNumber+1
		} else {
			commit += 1000 + g.r.Int64N(80000)
			h.CommitNumber, h.TransactionKey = commit, "tx-"+propAlnum(g.r, 12)
		}
		prev = h
		replay += 1 + g.r.Int64N(3)
		payload := map[string]any{"ChangeEventHeader": h}
		for k, v := range body {
			payload[k] = v
		}
		line := propJSON(map[string]any{"schema": "AccountChangeEvent-v1", "payload": payload, "event": map[string]any{"replayId": replay}})
		e := &propEvent{src: propCRM, line: line,
			desc: fmt.Sprintf("crm %s %v t=%s commit=%d/%d replay=%d changed=%v nulled=%v body=%s", h.ChangeType, h.RecordIDs, propTime(s.t), h.CommitNumber, h.SequenceNumber, replay, h.ChangedFields, h.NulledFields, propJSON(body))}
		for _, id := range h.RecordIDs {
			e.ids = append(e.ids, fmt.Sprintf("replay:%d:%s|%s", replay, id, id))
		}
		out = append(out, e)
	}
	return out
}

type propStripeCustomer struct {
	id       string
	acct     int // 0: never linked
	linkFrom int // the event index from which metadata.account_id is set
	obj      map[string]any
	deleted  bool
}

type propStripeSub struct {
	id      string
	cus     *propStripeCustomer
	created int64 // seconds; shared by two subscriptions of a customer sometimes
	obj     map[string]any
}

func propStripeEvent(r *rand.Rand, typ string, created int64, obj, prev map[string]any) (string, []byte) {
	id := "evt_" + propAlnum(r, 24)
	data := map[string]any{"object": obj}
	if prev != nil {
		data["previous_attributes"] = prev
	}
	return id, propJSON(map[string]any{"id": id, "object": "event", "api_version": "2024-06-20", "created": created,
		"data": data, "livemode": false, "pending_webhooks": 1,
		"request": map[string]any{"id": nil, "idempotency_key": nil}, "type": typ})
}

var (
	propSubStatuses = []any{"trialing", "active", "active", "past_due", "unpaid", "paused", "incomplete", "incomplete_expired", "canceled"}
	propLookupKeys  = []any{"starter_monthly", "starter_annual", "growth_monthly", "growth_annual", "enterprise_annual", "legacy_pro", nil}
)

// billing draws Stripe events: customer.* with a full customer object in
// each, metadata.account_id absent on unlinked customers and on the first
// events of late-linked ones; customer.subscription.* of their
// subscriptions (status, price lookup key, created), from which billing
// derives billing_status and plan_tier. Times are in seconds with
// deliberate same-second ties between events with different ids.
func (g *propGen) billing(total int) []*propEvent {
	var cus []*propStripeCustomer
	add := func(acct int) {
		c := &propStripeCustomer{id: "cus_" + propAlnum(g.r, 14), acct: acct}
		if acct > 0 && g.chance(0.2) {
			c.linkFrom = 1 + g.r.IntN(3)
		}
		cus = append(cus, c)
	}
	for i := 1; i <= g.n; i++ {
		switch p := g.r.Float64(); {
		case p < 0.25:
		case p < 0.85:
			add(i)
		default:
			add(i)
			add(i)
		}
	}
	for range 1 + g.r.IntN(3) {
		add(0)
	}
	var out []*propEvent
	// Customers: about half of the events; same-second ties for 0.3 of them.
	nCus := max(total/2, len(cus))
	seen := make([]int, len(cus))
	first := make([]int64, len(cus))
	for _, s := range g.spread(make([]int64, len(cus)), nCus, 0.3, 1000) {
		c := cus[s.rec]
		if c.deleted {
			continue // nothing follows customer.deleted
		}
		typ := "customer.updated"
		var prev map[string]any
		switch {
		case c.obj == nil:
			typ = "customer.created"
			first[s.rec] = s.t
			c.obj = map[string]any{"id": c.id, "object": "customer", "created": s.t / 1000, "livemode": false,
				"email": g.email(c.acct), "name": g.name(), "delinquent": propPick[any](g.r, true, false),
				"metadata": map[string]any{}}
			if v := g.seats(); v != nil {
				c.obj["metadata"].(map[string]any)["seats"] = propPick(g.r, fmt.Sprint(v), fmt.Sprintf("%02d", v))
			}
		case g.chance(0.06):
			typ = "customer.deleted"
			c.deleted = true
		default:
			c.obj = propClone(c.obj)
			md := propClone(c.obj["metadata"].(map[string]any))
			c.obj["metadata"] = md
			prev = map[string]any{}
			for range 1 + g.r.IntN(2) {
				switch k := propPick(g.r, "email", "name", "delinquent", "seats"); k {
				case "email":
					prev[k] = c.obj[k]
					c.obj[k] = g.email(c.acct)
				case "name":
					prev[k] = c.obj[k]
					c.obj[k] = g.name()
				case "delinquent":
					prev[k] = c.obj[k]
					c.obj[k] = propPick[any](g.r, true, false)
				default:
					prev["metadata"] = c.obj["metadata"]
					if v := g.seats(); v != nil {
						md[k] = fmt.Sprint(v)
					} else {
						delete(md, k)
					}
				}
			}
		}
		md := c.obj["metadata"].(map[string]any)
		if c.acct > 0 && seen[s.rec] >= c.linkFrom {
			md["account_id"] = propAcct(c.acct)
		}
		seen[s.rec]++
		id, line := propStripeEvent(g.r, typ, s.t/1000, c.obj, prev)
		out = append(out, &propEvent{src: propBilling, line: line,
			desc: fmt.Sprintf("billing %s %s %s created=%d object=%s", typ, id, c.id, s.t/1000, propJSON(c.obj)),
			ids:  []string{id + "|" + c.id}})
	}
	// Subscriptions: 0 to 3 per customer, created after it; the rest of the
	// events, with same-second ties for 0.3 of them.
	var subs []*propStripeSub
	var los []int64
	for i, c := range cus {
		for range g.r.IntN(4) {
			sub := &propStripeSub{id: "sub_" + propAlnum(g.r, 14), cus: c}
			if n := len(subs); n > 0 && subs[n-1].cus == c && g.chance(0.3) {
				sub.created = -1 // the same created second as the one before
			}
			subs = append(subs, sub)
			los = append(los, first[i])
		}
	}
	if len(subs) == 0 {
		return out
	}
	for _, s := range g.spread(los, max(total-len(out), len(subs)), 0.3, 1000) {
		sub := subs[s.rec]
		typ := "customer.subscription.updated"
		var prev map[string]any
		switch {
		case sub.obj == nil:
			typ = "customer.subscription.created"
			if sub.created < 0 {
				sub.created = subs[s.rec-1].created
			}
			if sub.created == 0 {
				sub.created = s.t / 1000
			}
			sub.obj = map[string]any{"id": sub.id, "object": "subscription", "customer": sub.cus.id, "created": sub.created,
				"status": propPick[any](g.r, "trialing", "active", "incomplete"), "cancel_at_period_end": false}
			sub.obj["items"] = propSubItems(sub.id, propPick(g.r, propLookupKeys...))
		default:
			sub.obj = propClone(sub.obj)
			prev = map[string]any{}
			if g.chance(0.7) {
				prev["status"] = sub.obj["status"]
				sub.obj["status"] = propPick(g.r, propSubStatuses...)
			} else {
				prev["items"] = sub.obj["items"]
				sub.obj["items"] = propSubItems(sub.id, propPick(g.r, propLookupKeys...))
			}
			if sub.obj["status"] == "canceled" && g.chance(0.5) {
				typ = "customer.subscription.deleted"
			}
		}
		id, line := propStripeEvent(g.r, typ, s.t/1000, sub.obj, prev)
		out = append(out, &propEvent{src: propBilling, line: line,
			desc: fmt.Sprintf("billing %s %s %s of %s created=%d object=%s", typ, id, sub.id, sub.cus.id, s.t/1000, propJSON(sub.obj)),
			ids:  []string{id + "|" + sub.id}})
	}
	return out
}

func propSubItems(sub string, lookupKey any) map[string]any {
	return map[string]any{"object": "list", "data": []any{map[string]any{
		"id": "si_" + sub[4:], "object": "subscription_item",
		"price": map[string]any{"id": fmt.Sprintf("price_%v", lookupKey), "object": "price", "lookup_key": lookupKey, "product": "prod_1"},
	}}}
}

// noise draws lines that never become observations: they must not change
// gold either.
func (g *propGen) noise() []*propEvent {
	var out []*propEvent
	for range g.r.IntN(4) {
		switch g.r.IntN(4) {
		case 0:
			out = append(out, &propEvent{src: g.r.IntN(3), desc: "not JSON", line: []byte("<html><body>502 Bad Gateway</body></html>")})
		case 1:
			h := propSFHeader{EntityName: "Account", RecordIDs: []string{}, ChangeType: "GAP_OVERFLOW", SequenceNumber: 1,
				CommitTimestamp: propBase + g.r.Int64N(60*propDay), CommitNumber: 1, ChangedFields: []string{}, NulledFields: []string{}, DiffFields: []string{}}
			out = append(out, &propEvent{src: propCRM, desc: "crm GAP_OVERFLOW",
				line: propJSON(map[string]any{"schema": "AccountChangeEvent-v1", "payload": map[string]any{"ChangeEventHeader": h}, "event": map[string]any{"replayId": 1 + g.r.IntN(999)}})})
		case 2:
			out = append(out, &propEvent{src: propBilling, desc: "billing invoice.paid",
				line: propJSON(map[string]any{"id": "evt_" + propAlnum(g.r, 24), "object": "event", "created": (propBase + g.r.Int64N(60*propDay)) / 1000,
					"data": map[string]any{"object": map[string]any{"id": "in_" + propAlnum(g.r, 14), "object": "invoice", "customer": "cus_x", "status": "paid"}},
					"type": "invoice.paid"})})
		case 3:
			out = append(out, &propEvent{src: propApp, desc: "app event of public.users",
				line: propJSON(propDbzEnvelope{After: map[string]any{"id": "acct_1", "email": "x@y.z"}, Op: "c",
					Source: propDbzSource{Name: "app", TsMs: propBase, Schema: "public", Table: "users", LSN: 1}, TsMs: propBase})})
		}
	}
	return out
}

// propGenerate draws the scenario of a seed: 3 to 8 customers and 200 to
// 400 events across the three sources.
func propGenerate(seed uint64) *propScenario {
	g := &propGen{r: rand.New(rand.NewPCG(seed, 0x7472756575702d31))}
	g.n = 3 + g.r.IntN(6)
	sc := &propScenario{seed: seed, customers: g.n}
	total := 200 + g.r.IntN(201)
	nApp := total * (25 + g.r.IntN(16)) / 100
	nCRM := total * (25 + g.r.IntN(16)) / 100
	sc.events = append(sc.events, g.app(nApp)...)
	sc.events = append(sc.events, g.crm(nCRM)...)
	sc.events = append(sc.events, g.billing(total-nApp-nCRM)...)
	sc.events = append(sc.events, g.noise()...)
	counts := map[int]int{}
	for _, e := range sc.events {
		if e.ids == nil {
			e.label = fmt.Sprintf("N%d", counts[-1]+1)
			counts[-1]++
			continue
		}
		counts[e.src]++
		e.label = fmt.Sprintf("%s%d", propLabel[e.src], counts[e.src])
	}
	return sc
}

// propFile is one file of a delivery.
type propFile struct {
	src    int
	name   string // below the source's landing folder
	lines  [][]byte
	labels []string // event labels; a trailing * marks a redelivery
}

func (f propFile) path() string { return propLanding[f.src] + "/" + f.name }

// propDelivery is a list of batches: each batch is files landed, then one RunOnce.
type propDelivery [][]propFile

func (d propDelivery) String() string {
	var b strings.Builder
	for i, files := range d {
		fmt.Fprintf(&b, "  batch %d:\n", i+1)
		for _, f := range files {
			fmt.Fprintf(&b, "    %s: %s\n", f.path(), strings.Join(f.labels, " "))
		}
	}
	return b.String()
}

// propOnePass lands every event once, in generation order, two files per source.
func propOnePass(sc *propScenario) propDelivery {
	var files []propFile
	for src := range 3 {
		var evs []*propEvent
		for _, e := range sc.events {
			if e.src == src {
				evs = append(evs, e)
			}
		}
		half := len(evs) / 2
		for i, part := range [][]*propEvent{evs[:half], evs[half:]} {
			f := propFile{src: src, name: fmt.Sprintf("all-%04d.json", i+1)}
			for _, e := range part {
				f.lines = append(f.lines, e.line)
				f.labels = append(f.labels, e.label)
			}
			files = append(files, f)
		}
	}
	return propDelivery{files}
}

// propRandomDelivery lands the events in a random order in 2 to 8 batches, each
// source's share of a batch in one to three files; about one event in eight
// is delivered again in a later file (the same batch or a later one), and
// now and then an earlier file is landed again under a new name. skip, when
// not nil, leaves an event out.
func propRandomDelivery(sc *propScenario, skip *propEvent) propDelivery {
	r := rand.New(rand.NewPCG(sc.seed, 0x706c616e2d763031))
	type item struct {
		e    *propEvent
		redo bool
	}
	var evs []*propEvent
	for _, i := range r.Perm(len(sc.events)) {
		if sc.events[i] != skip {
			evs = append(evs, sc.events[i])
		}
	}
	k := min(2+r.IntN(7), len(evs))
	cuts := r.Perm(len(evs) - 1)[:k-1]
	for i := range cuts {
		cuts[i]++
	}
	cuts = append(cuts, 0, len(evs))
	slices.Sort(cuts)
	batches := make([][]item, k)
	for b := range k {
		for _, e := range evs[cuts[b]:cuts[b+1]] {
			batches[b] = append(batches[b], item{e: e})
		}
	}
	for b := range k {
		for i := 0; i < len(batches[b]); i++ {
			it := batches[b][i]
			if it.redo || r.IntN(8) != 0 {
				continue
			}
			to := b + r.IntN(k-b)
			at := r.IntN(len(batches[to]) + 1)
			if to == b {
				at = i + 1 + r.IntN(len(batches[b])-i)
			}
			batches[to] = slices.Insert(batches[to], at, item{e: it.e, redo: true})
		}
	}
	var out propDelivery
	var landed []propFile
	for b, items := range batches {
		var files []propFile
		n := 0
		for src := range 3 {
			var mine []item
			for _, it := range items {
				if it.e.src == src {
					mine = append(mine, it)
				}
			}
			parts := min(1+r.IntN(3), len(mine))
			for p := range parts {
				n++
				f := propFile{src: src, name: fmt.Sprintf("b%04d-%04d.json", b+1, n)}
				for _, it := range mine[p*len(mine)/parts : (p+1)*len(mine)/parts] {
					line, label := it.e.line, it.e.label
					if it.redo {
						label += "*"
						if it.e.redo != nil {
							line = it.e.redo(r)
						}
					}
					f.lines = append(f.lines, line)
					f.labels = append(f.labels, label)
				}
				files = append(files, f)
			}
		}
		if len(landed) > 0 && r.IntN(4) == 0 {
			// A file landed again under a new name.
			f := landed[r.IntN(len(landed))]
			n++
			again := propFile{src: f.src, name: fmt.Sprintf("b%04d-%04d.json", b+1, n), lines: f.lines}
			for _, l := range f.labels {
				again.labels = append(again.labels, strings.TrimSuffix(l, "*")+"*")
			}
			files = append(files, again)
		}
		landed = append(landed, files...)
		out = append(out, files)
	}
	return out
}

// propDeliver runs a delivery on a fresh database and returns it.
func propDeliver(t *testing.T, d propDelivery) *sql.DB {
	t.Helper()
	run := open(t, "testdata/spec")
	propTuneDB(t, run.DB())
	landing := t.TempDir()
	for _, files := range d {
		for _, f := range files {
			p := filepath.Join(landing, filepath.FromSlash(f.path()))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, append(bytes.Join(f.lines, []byte("\n")), '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		res := runOnce(t, run, landing)
		if len(res.Loaded) != len(files) {
			t.Fatalf("loaded %d files, landed %d", len(res.Loaded), len(files))
		}
		for _, tr := range res.Batch.Tasks {
			if tr.State == "FAILED" {
				t.Fatalf("task %s failed: %s", tr.Task, tr.Error)
			}
		}
	}
	return run.DB()
}

// propTuneDB gives each database one DuckDB thread: seeds run in parallel
// subtests (one per core), and the statements are small.
func propTuneDB(t *testing.T, db *sql.DB) {
	if _, err := db.Exec("SET threads = 1"); err != nil {
		t.Fatal(err)
	}
}

// propertySnapshot is snapshot plus, when the table exists, the current
// rows of gold.customer_master_history without their system-time columns
// and version hash (a hash of the stored tokens, which each database's
// keys make its own).
func propertySnapshot(t *testing.T, db *sql.DB) string {
	t.Helper()
	s := snapshot(t, db)
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'gold' AND table_name = 'customer_master_history'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n > 0 {
		s += "\n--\n" + strings.Join(query(t, db, "SELECT * EXCLUDE (version_hash, recorded_at, superseded_at) FROM gold.customer_master_history WHERE superseded_at IS NULL ORDER BY customer_id, valid_from"), "\n") + "\n"
	}
	return s
}

// propDiffColumns says where the first differing line of two snapshots
// differs: which query of the snapshot (counted from 1) and which columns.
func propDiffColumns(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	part := 1
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x == y {
			if x == "--" {
				part++
			}
			continue
		}
		xs, ys := strings.Split(x, " | "), strings.Split(y, " | ")
		var cols []string
		for j := range max(len(xs), len(ys)) {
			var u, v string
			if j < len(xs) {
				u = xs[j]
			}
			if j < len(ys) {
				v = ys[j]
			}
			if u != v {
				cols = append(cols, fmt.Sprintf("column %d: %q vs %q", j+1, u, v))
			}
		}
		return fmt.Sprintf("in query %d of the snapshot, %s", part, strings.Join(cols, ", "))
	}
	return ""
}

// propCheckObserved fails when the observations are not the scenario's: a
// delivery that landed nothing would make (a) and (b) trivially equal.
func propCheckObserved(t *testing.T, db *sql.DB, sc *propScenario, what string) {
	t.Helper()
	var got int
	if err := db.QueryRow("SELECT COUNT(*) FROM (SELECT DISTINCT source, event_id, record_key FROM silver.observations)").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := sc.observed(); got != want {
		t.Fatalf("seed %d, %s: %d (event, record) pairs observed, the scenario has %d; per source: %q", sc.seed, what, got, want,
			query(t, db, "SELECT source, COUNT(*) FROM (SELECT DISTINCT source, event_id, record_key FROM silver.observations) GROUP BY ALL ORDER BY ALL"))
	}
	if countOf(t, db, "SELECT COUNT(*) FROM gold.customer_master") == 0 {
		t.Fatalf("seed %d, %s: gold is empty", sc.seed, what)
	}
}

func propEnvInt(t *testing.T, name string, def uint64) uint64 {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return n
}

func propertySeeds(t *testing.T) []uint64 {
	if os.Getenv("TRUEUP_PROPERTY_SEED") != "" {
		return []uint64{propEnvInt(t, "TRUEUP_PROPERTY_SEED", 0)}
	}
	n := uint64(200)
	if testing.Short() {
		n = 20
	}
	n = propEnvInt(t, "TRUEUP_PROPERTY_SEEDS", n)
	first := propEnvInt(t, "TRUEUP_PROPERTY_FIRST", 1)
	var seeds []uint64
	for s := first; s < first+n; s++ {
		seeds = append(seeds, s)
	}
	return seeds
}

// TestPropertyGoldIsPureFunction: for every seed, gold after a random
// delivery (order, batches, redeliveries) equals gold after one pass. Its
// sanity subtests check that the comparison sees a lost event.
func TestPropertyGoldIsPureFunction(t *testing.T) {
	seeds := propertySeeds(t)
	replay := os.Getenv("TRUEUP_PROPERTY_SEED") != ""
	start := time.Now()
	// Seeds that would start too close to the test binary's deadline (-timeout)
	// are not run, and the test fails saying so, rather than the whole
	// package dying in a timeout panic.
	deadline, hasDeadline := t.Deadline()
	var notRun atomic.Int64
	t.Run("all", func(t *testing.T) {
		for _, seed := range seeds[:min(2, len(seeds))] {
			t.Run(fmt.Sprintf("sanity-dropped-event-seed=%d", seed), func(t *testing.T) {
				t.Parallel()
				propSanity(t, seed)
			})
		}
		for _, seed := range seeds {
			t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
				t.Parallel()
				if hasDeadline && time.Until(deadline) < propDeadlineMargin {
					notRun.Add(1)
					return
				}
				sc := propGenerate(seed)
				d := propRandomDelivery(sc, nil)
				if replay {
					t.Logf("seed %d: %d customers, %d events\nevents:\n%s\ndelivery:\n%s", seed, sc.customers, len(sc.events), sc.legend(), d)
				}
				a := propDeliver(t, propOnePass(sc))
				propCheckObserved(t, a, sc, "one pass")
				want := propertySnapshot(t, a)
				b := propDeliver(t, d)
				propCheckObserved(t, b, sc, "random delivery")
				if got := propertySnapshot(t, b); got != want {
					t.Errorf("seed %d: gold after a random delivery differs from gold after one pass\n"+
						"replay: TRUEUP_PROPERTY_SEED=%d go test ./tests/ -run Property -v\n"+
						"first difference (- one pass, + random delivery):\n%s\n%s\n"+
						"delivery (* = redelivered):\n%s\nevents:\n%s",
						seed, seed, firstDiff(want, got), propDiffColumns(want, got), d, sc.legend())
				}
			})
		}
	})
	ran := int64(len(seeds)) - notRun.Load()
	t.Logf("%d seeds in %s", ran, time.Since(start).Round(time.Millisecond))
	if notRun.Load() > 0 {
		t.Errorf("%d of %d seeds did not run: %d ran in %s and the test deadline was near; "+
			"run with a longer -timeout or fewer seeds (TRUEUP_PROPERTY_SEEDS)", notRun.Load(), len(seeds), ran, time.Since(start).Round(time.Second))
	}
}

// propDeadlineMargin is the time left for the tests after this one when
// the seeds stop starting.
const propDeadlineMargin = 2 * time.Minute

// propSanity keeps the comparison honest: a random delivery that misses one
// event, the one that decided the first resolved value of gold, must be
// reported as different.
func propSanity(t *testing.T, seed uint64) {
	sc := propGenerate(seed)
	a := propDeliver(t, propOnePass(sc))
	want := propertySnapshot(t, a)
	var id string
	if err := a.QueryRow("SELECT event_id FROM gold.customer_fields WHERE event_id IS NOT NULL ORDER BY customer_id, field LIMIT 1").Scan(&id); err != nil {
		t.Fatal(err)
	}
	var drop *propEvent
	for _, e := range sc.events {
		for _, ek := range e.ids {
			if strings.HasPrefix(ek, id+"|") {
				drop = e
			}
		}
	}
	if drop == nil {
		t.Fatalf("seed %d: no event of the scenario has id %s", seed, id)
	}
	b := propDeliver(t, propRandomDelivery(sc, drop))
	got := propertySnapshot(t, b)
	if got == want {
		t.Fatalf("seed %d: dropping %s (%s) did not change gold: the comparison cannot see a lost event", seed, drop.label, drop.desc)
	}
	t.Logf("seed %d without %s: %s", seed, drop.label, propDiffColumns(want, got))
}
