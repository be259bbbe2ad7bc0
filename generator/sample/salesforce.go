package sample

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// changeOrigin values: the app's sync integration (REST), reps working in
// Lightning, and a Data Loader bulk job.
const (
	sfOriginSync = "com/salesforce/api/rest/60.0;client=ledgerloop-app-sync"
	sfOriginUI   = "com/salesforce/api/soap/58.0;client=SfdcInternalAPI/"
	sfOriginBulk = "com/salesforce/api/bulkapi/58.0;client=DataLoaderBulkUI/"
)

// crmRec is one Salesforce Account record.
type crmRec struct {
	id        string
	c         *customer // nil for a prospect
	link      string    // app account id in the customer-link field ("" unset)
	typ       string
	vals      map[string]any // CRM values by canonical field; absent = null
	created   time.Time
	createdBy string
	lastModBy string
	alive     bool
}

type crmOp struct {
	t         time.Time
	kind      string // CREATE, UPDATE, DELETE, UNDELETE, GAP_UPDATE
	recs      []*crmRec
	vals      map[string]any // UPDATE: field -> value, nil sets null
	link      string         // UPDATE: sets the customer link when not ""
	init      map[string]any // CREATE
	user      string
	origin    string
	bulkOwner bool // UPDATE: reassign every record to one new owner
	ord       int
}

// salesforceFeed writes Account change events as the Pub/Sub API delivers
// them, decoded to JSON: CREATE with every non-null field, UPDATE with only
// the changed fields (LastModifiedDate always; fields set to null listed in
// nulledFields), DELETE with the header only, UNDELETE with the record
// again, one GAP_UPDATE without values (its change is lost: the record
// needs a re-sync), and one bulk UPDATE naming two records. The record id is
// only in ChangeEventHeader.recordIds: change event bodies have no Id field.
// After a reconnect the last events of the first file are replayed at the
// start of the second, byte for byte.
func (w *world) salesforceFeed(s Source) *feed {
	h := nameHash(s.Name)
	g := w.rng(h, 0)
	var ops []crmOp
	push := func(op crmOp) {
		op.ord = len(ops)
		ops = append(ops, op)
	}
	serial := uint64(3_000_000 + g.IntN(1_000_000))
	newID := func() string {
		serial += 1 + uint64(g.IntN(5000))
		return sfID("001", "Dn", serial)
	}
	var recs []*crmRec

	for _, c := range w.custs {
		r := w.rng(h, uint64(c.idx)+1)
		rec := &crmRec{id: newID(), c: c, link: c.acct, typ: "Customer"}
		rec.created = w.sinceStart(r, c.created.Add(between(r, 2*time.Minute, 6*time.Hour)), 40*time.Minute).Truncate(time.Millisecond)
		truth := c.truthAt(rec.created)
		init := map[string]any{}
		for _, f := range w.fields {
			if v := crmValue(r, f, truth[f], c.domain, c.first); v != nil {
				init[f] = v
			}
		}
		if chance(r, 0.08) {
			delete(init, "seats")
		}
		recs = append(recs, rec)
		push(crmOp{t: rec.created, kind: "CREATE", recs: []*crmRec{rec}, init: init, user: w.integrationUser, origin: sfOriginSync})
		for _, ch := range c.changes {
			if !ch.t.After(rec.created) {
				continue
			}
			vals := map[string]any{}
			for _, k := range w.sortedKeys(ch.vals) {
				v := ch.vals[k]
				vals[k] = crmValue(r, k, v, c.domain, c.first)
			}
			if ch.origin == originCRM {
				user := pick(r, w.reps).sfUser
				if _, ok := ch.vals["account_owner"]; ok {
					user = w.opsUser
				}
				push(crmOp{t: ch.t, kind: "UPDATE", recs: []*crmRec{rec}, vals: vals, user: user, origin: sfOriginUI})
				continue
			}
			// Reps copy app and billing changes by hand, late or never.
			if chance(r, 0.55) {
				push(crmOp{t: ch.t.Add(between(r, time.Hour, 5*day)), kind: "UPDATE", recs: []*crmRec{rec}, vals: vals, user: pick(r, w.reps).sfUser, origin: sfOriginUI})
			}
		}
		noise := func(p float64, vals map[string]any) {
			if chance(r, p) {
				push(crmOp{t: timeIn(r, rec.created.Add(time.Hour), w.end), kind: "UPDATE", recs: []*crmRec{rec}, vals: vals, user: pick(r, w.reps).sfUser, origin: sfOriginUI})
			}
		}
		noise(0.06, map[string]any{"seats": nil})
		noise(0.03, map[string]any{"account_owner": nil})
		noise(0.04, map[string]any{"email": pick(r, invalidEmails)})
	}

	for i, p := range w.prospects {
		r := w.rng(h, 1<<32+uint64(i))
		pc := &customer{company: p.company, domain: p.domain, first: p.first, last: p.last}
		rec := &crmRec{id: newID(), typ: "Prospect"}
		hi := 25 * day
		if i == 0 {
			hi = 5 * day
		}
		rec.created = w.start.Add(between(r, time.Hour, hi)).Truncate(time.Millisecond)
		owner := pick(r, w.reps)
		init := map[string]any{"company_name": p.company, "account_owner": owner.email}
		if chance(r, 0.7) {
			init["email"] = p.first + "." + p.last + "@" + p.domain
		}
		if chance(r, 0.4) {
			init["plan_tier"] = pick(r, []string{"Growth", "Enterprise"})
		}
		if chance(r, 0.5) {
			init["seats"] = 10 * (1 + r.IntN(30))
		}
		for _, f := range w.fields[len(knownFields):] {
			init[f] = plausible(r, f, pc)
		}
		recs = append(recs, rec)
		push(crmOp{t: rec.created, kind: "CREATE", recs: []*crmRec{rec}, init: init, user: owner.sfUser, origin: sfOriginUI})
		if chance(r, 0.5) {
			push(crmOp{t: timeIn(r, rec.created.Add(time.Hour), w.end), kind: "UPDATE", recs: []*crmRec{rec}, vals: map[string]any{"account_owner": pick(r, w.reps).email}, user: w.opsUser, origin: sfOriginUI})
		}
		if i == 0 {
			// The owner left; the rep field is cleared until someone takes over.
			push(crmOp{t: timeIn(r, rec.created.Add(time.Hour), w.end), kind: "UPDATE", recs: []*crmRec{rec}, vals: map[string]any{"account_owner": nil}, user: w.opsUser, origin: sfOriginUI})
		}
		if chance(r, 0.3) {
			push(crmOp{t: timeIn(r, rec.created.Add(time.Hour), w.end), kind: "UPDATE", recs: []*crmRec{rec}, vals: map[string]any{"seats": 10 * (1 + r.IntN(40))}, user: owner.sfUser, origin: sfOriginUI})
		}
	}

	early := func(rec *crmRec) bool { return rec.created.Before(w.start.Add(12 * day)) }
	var special []*crmRec
	// A Data Loader job reassigns two accounts to one rep in one
	// transaction: Salesforce merges the identical changes into one event.
	if cands := filterRecs(recs, early); len(cands) >= 2 {
		i := g.IntN(len(cands))
		j := (i + 1 + g.IntN(len(cands)-1)) % len(cands)
		a, b := cands[i], cands[j]
		t := timeIn(g, maxTime(a.created, b.created).Add(time.Hour), w.start.Add(14*day))
		push(crmOp{t: t, kind: "UPDATE", recs: []*crmRec{a, b}, bulkOwner: true, user: w.opsUser, origin: sfOriginBulk})
		special = append(special, a, b)
	}
	// Events were lost for one record: a gap event, and the change it hid.
	if cands := filterRecs(recs, early); len(cands) > 0 {
		rec := pick(g, cands)
		t := timeIn(g, rec.created.Add(time.Hour), w.start.Add(14*day))
		push(crmOp{t: t, kind: "GAP_UPDATE", recs: []*crmRec{rec}, user: w.integrationUser})
	}
	// A rep deletes an account by mistake and restores it from the recycle bin.
	notSpecial := func(rec *crmRec) bool {
		return !slices.Contains(special, rec) && rec.created.Before(w.start.Add(20*day))
	}
	cands := filterRecs(recs, notSpecial)
	if len(cands) == 0 {
		cands = filterRecs(recs, func(rec *crmRec) bool { return rec.created.Before(w.start.Add(20 * day)) })
	}
	if len(cands) > 0 {
		rec := pick(g, cands)
		user := pick(g, w.reps).sfUser
		t := timeIn(g, maxTime(rec.created.Add(time.Hour), w.start.Add(15*day)), w.end.Add(-day))
		push(crmOp{t: t, kind: "DELETE", recs: []*crmRec{rec}, user: user, origin: sfOriginUI})
		push(crmOp{t: t.Add(between(g, 30*time.Minute, 4*time.Hour)), kind: "UNDELETE", recs: []*crmRec{rec}, user: user, origin: sfOriginUI})
		special = append(special, rec)
	}
	// A rep keys in a duplicate of an existing customer without the link;
	// sales ops later links it and merges it away (the loser is deleted).
	if len(w.custs) >= 3 {
		if c := w.pickCustomer(g, func(c *customer) bool {
			return c.created.Before(w.end.Add(-12 * day))
		}); c != nil {
			truth := c.truthAt(c.created)
			owner := pick(g, w.reps)
			dup := &crmRec{id: newID(), typ: "Customer"}
			dup.created = c.created.Add(between(g, time.Hour, 3*day)).Truncate(time.Millisecond)
			init := map[string]any{
				"company_name":  strings.ToUpper(c.company),
				"email":         typedEmail(truth["email"].(string)),
				"account_owner": owner.email,
				"plan_tier":     crmPlan(g, truth["plan_tier"].(string)),
			}
			for _, f := range w.fields[len(knownFields):] {
				init[f] = truth[f]
			}
			push(crmOp{t: dup.created, kind: "CREATE", recs: []*crmRec{dup}, init: init, user: owner.sfUser, origin: sfOriginUI})
			linked := dup.created.Add(between(g, 2*day, 6*day))
			push(crmOp{t: linked, kind: "UPDATE", recs: []*crmRec{dup}, link: c.acct, user: w.opsUser, origin: sfOriginUI})
			push(crmOp{t: linked.Add(between(g, day, 3*day)), kind: "DELETE", recs: []*crmRec{dup}, user: w.opsUser, origin: sfOriginUI})
		}
	}

	slices.SortStableFunc(ops, func(a, b crmOp) int { return a.t.Compare(b.t) })
	entity := s.Table
	if entity == "" {
		entity = "Account"
	}
	schemaID := schemaIDFor(g)
	replayID := int64(10_000_000 + g.IntN(5_000_000))
	commitNumber := int64(10_700_000_000_000) + g.Int64N(100_000_000_000)
	var lines [][]byte
	for _, op := range ops {
		if op.t.After(w.end) {
			continue
		}
		ms := op.t.UnixMilli()
		var ids []string
		var body *obj
		changed, nulled := []string{}, []string{}
		switch op.kind {
		case "CREATE", "UNDELETE":
			rec := op.recs[0]
			if op.kind == "CREATE" {
				rec.vals, rec.created, rec.createdBy = op.init, op.t, op.user
			} else if rec.alive {
				continue
			}
			rec.alive, rec.lastModBy = true, op.user
			body = w.crmDoc(s, rec)
			body.set("CreatedDate", rec.created.UnixMilli()).
				set("CreatedById", rec.createdBy).
				set("LastModifiedDate", ms).
				set("LastModifiedById", op.user)
			ids = []string{rec.id}
		case "UPDATE":
			var owner string
			if op.bulkOwner {
				owner = newOwner(g, w.reps, op.recs)
			}
			for _, rec := range op.recs {
				if !rec.alive {
					continue
				}
				old := w.crmDoc(s, rec)
				next := maps.Clone(rec.vals)
				for k, v := range op.vals {
					if v == nil {
						delete(next, k)
					} else {
						next[k] = v
					}
				}
				if op.bulkOwner {
					next["account_owner"] = owner
				}
				prevVals, prevLink := rec.vals, rec.link
				rec.vals = next
				if op.link != "" {
					rec.link = op.link
				}
				cur := w.crmDoc(s, rec)
				keys := changedKeys(old, cur)
				if len(keys) == 0 {
					rec.vals, rec.link = prevVals, prevLink
					continue
				}
				if body == nil {
					body = newObj()
					for _, k := range keys {
						changed, nulled = putCurrent(body, cur, k, changed, nulled)
					}
					body.set("LastModifiedDate", ms)
					changed = append(changed, "LastModifiedDate")
					if rec.lastModBy != op.user {
						body.set("LastModifiedById", op.user)
						changed = append(changed, "LastModifiedById")
					}
				}
				rec.lastModBy = op.user
				ids = append(ids, rec.id)
			}
			if body == nil {
				continue
			}
		case "DELETE":
			rec := op.recs[0]
			if !rec.alive {
				continue
			}
			rec.alive = false
			body = newObj()
			ids = []string{rec.id}
		case "GAP_UPDATE":
			rec := op.recs[0]
			if !rec.alive {
				continue
			}
			// The change behind the gap reaches the record but not the stream.
			if n, ok := rec.vals["seats"].(int); ok {
				rec.vals["seats"] = n + 5
			} else {
				rec.vals["seats"] = 25
			}
			body = newObj()
			ids = []string{rec.id}
		}
		commitNumber += 1000 + g.Int64N(80_000)
		replayID += 1 + g.Int64N(3)
		header := newObj().
			set("entityName", entity).
			set("recordIds", ids).
			set("changeType", op.kind).
			set("changeOrigin", op.origin).
			set("transactionKey", uuid(g)).
			set("sequenceNumber", 1).
			set("commitTimestamp", ms).
			set("commitNumber", commitNumber).
			set("commitUser", op.user).
			set("changedFields", changed).
			set("nulledFields", nulled).
			set("diffFields", []string{})
		payload := newObj().set("ChangeEventHeader", header)
		for i, k := range body.keys {
			payload.set(k, body.vals[i])
		}
		ev := newObj().
			set("schema", schemaID).
			set("payload", payload).
			set("event", newObj().set("replayId", replayID))
		lines = append(lines, line(ev))
	}

	// A subscriber that restarts replays from a stored replay id: the last
	// events of the first file come again as they were.
	same := func(l []byte) []byte { return l }
	return restartedFeed(lines, 2, same, func(tail [][]byte) [][]byte { return tail })
}

// putCurrent adds key k of cur, the record as an UPDATE leaves it, to the
// event's body, and returns the header's changed and nulled fields with k
// added: nulled where cur has no k.
func putCurrent(body, cur *obj, k string, changed, nulled []string) ([]string, []string) {
	v, ok := cur.get(k)
	if !ok {
		nulled = append(nulled, k)
	}
	body.add(k, v)
	return append(changed, k), nulled
}

// crmDoc is the record as change events show it: the mapped fields that
// are not null, the customer link when set, and the record type.
func (w *world) crmDoc(s Source, rec *crmRec) *obj {
	o := newObj()
	w.setFields(o, s, rec.vals)
	if s.Customer != "" && rec.link != "" {
		setPath(o, s.Customer, rec.link)
	}
	if !o.has("Type") {
		o.set("Type", rec.typ)
	}
	return o
}

func filterRecs(recs []*crmRec, ok func(*crmRec) bool) []*crmRec {
	var out []*crmRec
	for _, r := range recs {
		if ok(r) {
			out = append(out, r)
		}
	}
	return out
}

// newOwner picks a rep who owns none of recs.
func newOwner(g *rand.Rand, reps []rep, recs []*crmRec) string {
	for {
		e := pick(g, reps).email
		taken := false
		for _, rec := range recs {
			if o, _ := rec.vals["account_owner"].(string); strings.EqualFold(strings.TrimSpace(o), e) {
				taken = true
			}
		}
		if !taken {
			return e
		}
	}
}

// schemaIDFor returns a Pub/Sub schema id: 22 base64url characters.
func schemaIDFor(g *rand.Rand) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := make([]byte, 22)
	for i := range b {
		b[i] = alphabet[g.IntN(len(alphabet))]
	}
	return string(b)
}
