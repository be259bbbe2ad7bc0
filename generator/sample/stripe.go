package sample

import (
	"maps"
	"slices"
	"time"
)

const stripeAPIVersion = "2024-06-20"

// Who caused a Stripe event, which decides its "request" member.
const (
	reqAPI       = iota // the app's server calls the API
	reqDashboard        // finance staff in the Dashboard
	reqAutomatic        // Stripe itself (failed invoice, dunning)
)

// stripeCus is one Stripe customer.
type stripeCus struct {
	id       string
	c        *customer
	created  time.Time
	vals     map[string]any
	linked   bool
	unlinked bool // created without metadata.account_id
	pm       any
	prefix   string
	currency any
	alive    bool
	// delinquent is Stripe's flag: true while a subscription is past due
	// or unpaid (always false for a source without subscriptions).
	delinquent bool
}

type stripeOp struct {
	t    time.Time
	kind string
	sc   *stripeCus
	vals map[string]any
	link bool
	pm   string
	req  int
	ord  int
	// customer.subscription.*: the subscription and previous_attributes,
	// rendered when the subscriptions were played.
	doc, prev *obj
	// customer.updated caused by the subscriptions: delinquent changes.
	delinquent *bool
}

type stripeEvent struct {
	line    []byte
	arrival time.Time
}

// stripeFeed writes customer.* events as webhook deliveries land: a full
// customer object in every event, previous_attributes on updates, events
// in the same second, deliveries out of order within and across files, and
// redeliveries (same id, same bytes) in later files. With a subscription
// child, the customer.subscription.* events go through the same endpoint
// and land in the same files.
func (w *world) stripeFeed(s Source) *feed {
	h := nameHash(s.Name)
	g := w.rng(h, 0)
	var subs *subFeed
	for _, ch := range s.Children {
		if ch.Object == "subscription" {
			subs = &subFeed{s: s, child: ch, cat: w.newCatalog(w.rng(h, 1<<44))}
		}
	}
	scs := make([]*stripeCus, len(w.custs))
	anyUnlinked := false
	for i, c := range w.custs {
		r := w.rng(h, uint64(c.idx)+1)
		scs[i] = &stripeCus{id: "cus_" + alnum(r, 14), c: c, unlinked: chance(r, 0.1), prefix: hexUpper(r, 8)}
		anyUnlinked = anyUnlinked || scs[i].unlinked
	}
	if !anyUnlinked && len(scs) >= 3 {
		pick(g, scs[1:]).unlinked = true
	}
	forcedLink, deletedOne := false, false

	var ops []stripeOp
	push := func(op stripeOp) {
		op.t = op.t.Truncate(time.Second)
		op.ord = len(ops)
		ops = append(ops, op)
	}
	for i, c := range w.custs {
		sc := scs[i]
		r := w.rng(h, uint64(c.idx)+1<<20)
		req := reqAPI
		if sc.unlinked {
			// Finance created it by hand from the Dashboard, days later.
			sc.created = c.created.Add(between(r, day, 3*day))
			if !c.deleted.IsZero() {
				sc.created = minTime(sc.created, c.deleted.Add(-time.Hour))
			}
			req = reqDashboard
		} else {
			sc.created = w.sinceStart(r, c.created.Add(between(r, 30*time.Second, 2*time.Hour)), 30*time.Minute)
		}
		sc.created = sc.created.Truncate(time.Second)
		truth := c.truthAt(sc.created)
		init := map[string]any{}
		for _, f := range w.fields {
			init[f] = stripeValue(r, f, truth[f], c.domain, sc.unlinked)
		}
		if sc.unlinked && chance(r, 0.5) {
			delete(init, "plan_tier")
			delete(init, "seats")
		}
		if truth["billing_status"] == "active" {
			sc.currency = "usd"
		}
		push(stripeOp{t: sc.created, kind: "customer.created", sc: sc, vals: init, link: !sc.unlinked, req: req})
		if !sc.unlinked && chance(r, 0.35) {
			// Checkout attaches the card in the same second.
			push(stripeOp{t: sc.created, kind: "customer.updated", sc: sc, pm: "pm_1" + alnum(r, 23), req: reqAPI})
		}
		if sc.unlinked && (!forcedLink || chance(r, 0.5)) {
			forcedLink = true
			push(stripeOp{t: sc.created.Add(between(r, 2*day, 6*day)), kind: "customer.updated", sc: sc, link: true, req: reqDashboard})
		}
		for _, ch := range c.changes {
			if !ch.t.After(sc.created) {
				continue
			}
			switch ch.origin {
			case originBilling:
				if v, ok := ch.vals["billing_status"]; ok {
					push(stripeOp{t: ch.t, kind: "customer.updated", sc: sc, vals: map[string]any{"billing_status": v}, req: reqAutomatic})
				}
			case originApp:
				if sc.unlinked {
					continue // the app does not know this customer
				}
				vals := map[string]any{}
				lag := between(r, time.Second, 20*time.Second)
				for _, k := range w.sortedKeys(ch.vals) {
					v := ch.vals[k]
					switch k {
					case "plan_tier", "seats":
						if chance(r, 0.8) {
							vals[k] = v
						}
					case "email":
						if chance(r, 0.5) {
							vals[k] = v
							lag = between(r, time.Second, time.Minute)
						}
					case "company_name":
						if chance(r, 0.3) {
							vals[k] = v
						}
					}
				}
				if len(vals) > 0 {
					push(stripeOp{t: ch.t.Add(lag), kind: "customer.updated", sc: sc, vals: vals, req: reqAPI})
				}
			case originCRM:
				vals := map[string]any{}
				for _, k := range w.sortedKeys(ch.vals) {
					v := ch.vals[k]
					if (k == "company_name" && chance(r, 0.1)) || (k == "account_owner" && chance(r, 0.3)) {
						vals[k] = v
					}
				}
				if len(vals) > 0 {
					push(stripeOp{t: ch.t.Add(between(r, day, 3*day)), kind: "customer.updated", sc: sc, vals: vals, req: reqDashboard})
				}
			}
		}
		var del *stripeOp
		if !c.deleted.IsZero() && (chance(r, 0.7) || !deletedOne) {
			deletedOne = true
			del = &stripeOp{t: c.deleted.Add(between(r, 5*time.Second, time.Hour)).Truncate(time.Second), kind: "customer.deleted", sc: sc, req: reqAPI}
		}
		if subs != nil {
			var delT time.Time
			if del != nil {
				delT = del.t
			}
			for _, op := range w.subscriptionOps(subs, sc, delT, w.rng(h, uint64(c.idx)+2<<20)) {
				push(op)
			}
		}
		if del != nil {
			push(*del)
		}
	}
	slices.SortStableFunc(ops, func(a, b stripeOp) int { return a.t.Compare(b.t) })

	var evs []stripeEvent
	for _, op := range ops {
		if op.t.After(w.end) {
			continue
		}
		sc := op.sc
		data := newObj()
		switch op.kind {
		case "customer.created":
			sc.vals, sc.linked, sc.alive = op.vals, op.link, true
			data.set("object", w.stripeObject(s, sc))
		case "customer.updated":
			if !sc.alive {
				continue
			}
			old := w.stripeObject(s, sc)
			prevVals, prevLinked, prevPM, prevDel := sc.vals, sc.linked, sc.pm, sc.delinquent
			sc.vals = maps.Clone(sc.vals)
			maps.Copy(sc.vals, op.vals)
			sc.linked = sc.linked || op.link
			if op.pm != "" {
				sc.pm = op.pm
			}
			if op.delinquent != nil {
				sc.delinquent = *op.delinquent
			}
			cur := w.stripeObject(s, sc)
			prev := diffPrev(old, cur)
			if len(prev.keys) == 0 {
				sc.vals, sc.linked, sc.pm, sc.delinquent = prevVals, prevLinked, prevPM, prevDel
				continue
			}
			data.set("object", cur).set("previous_attributes", prev)
		case "customer.deleted":
			if !sc.alive {
				continue
			}
			sc.alive = false
			data.set("object", w.stripeObject(s, sc))
		default: // customer.subscription.*
			if !sc.alive {
				continue
			}
			data.set("object", op.doc)
			if op.prev != nil {
				data.set("previous_attributes", op.prev)
			}
		}
		request := newObj()
		switch op.req {
		case reqAutomatic:
			request.set("id", nil).set("idempotency_key", nil)
		case reqDashboard:
			request.set("id", "req_"+alnum(g, 14)).set("idempotency_key", nil)
		default:
			var key any
			if chance(g, 0.6) {
				key = uuid(g)
			}
			request.set("id", "req_"+alnum(g, 14)).set("idempotency_key", key)
		}
		ev := newObj().
			set("id", "evt_1"+alnum(g, 23)).
			set("object", "event").
			set("api_version", stripeAPIVersion).
			set("created", op.t.Unix()).
			set("data", data).
			set("livemode", false).
			set("pending_webhooks", 1).
			set("request", request).
			set("type", op.kind)
		// Most webhooks land within seconds; some after retries hours or
		// days later, when the endpoint was failing.
		var delay time.Duration
		switch p := g.Float64(); {
		case p < 0.85:
			delay = between(g, 200*time.Millisecond, 5*time.Second)
		case p < 0.95:
			delay = between(g, time.Minute, 2*time.Hour)
		default:
			delay = between(g, day, 3*day)
		}
		evs = append(evs, stripeEvent{line: line(ev), arrival: op.t.Add(delay)})
	}

	f := &feed{events: len(evs)}
	slices.SortStableFunc(evs, func(a, b stripeEvent) int { return a.arrival.Compare(b.arrival) })
	chunks := split(evs, filesPerSource)
	files := make([][][]byte, len(chunks))
	for i, ch := range chunks {
		for _, e := range ch {
			files[i] = append(files[i], e.line)
		}
		g.Shuffle(len(files[i]), func(a, b int) { files[i][a], files[i][b] = files[i][b], files[i][a] })
	}
	// Redeliveries: Stripe retries until the endpoint answers 2xx, so an
	// event whose acknowledgement was lost arrives again, in a later file.
	type redelivery struct {
		to   int
		line []byte
	}
	var again []redelivery
	for i := 0; i < len(files)-1; i++ {
		for _, l := range files[i] {
			if chance(g, 0.06) {
				again = append(again, redelivery{i + 1 + g.IntN(len(files)-1-i), l})
			}
		}
	}
	if len(again) == 0 && len(files) >= 2 && len(files[0]) > 0 {
		again = append(again, redelivery{len(files) - 1, pick(g, files[0])})
	}
	for _, a := range again {
		pos := g.IntN(len(files[a.to]) + 1)
		files[a.to] = slices.Insert(files[a.to], pos, a.line)
	}
	f.dups = len(again)
	f.files = files
	return f
}

// stripeObject renders the customer as the API returns it: "id" and
// "object" first, then attributes alphabetically, metadata values as
// strings.
func (w *world) stripeObject(s Source, sc *stripeCus) *obj {
	inv := newObj().
		set("custom_fields", nil).
		set("default_payment_method", sc.pm).
		set("footer", nil).
		set("rendering_options", nil)
	o := newObj().
		set("id", sc.id).
		set("object", "customer").
		set("address", nil).
		set("balance", 0).
		set("created", sc.created.Unix()).
		set("currency", sc.currency).
		set("default_source", nil).
		set("delinquent", sc.delinquent).
		set("description", nil).
		set("discount", nil).
		set("email", nil).
		set("invoice_prefix", sc.prefix).
		set("invoice_settings", inv).
		set("livemode", false).
		set("metadata", newObj()).
		set("name", nil).
		set("next_invoice_sequence", 1).
		set("phone", nil).
		set("preferred_locales", []string{}).
		set("shipping", nil).
		set("tax_exempt", "none").
		set("test_clock", nil)
	if s.Key != "id" {
		setPath(o, s.Key, sc.id)
	}
	w.setFields(o, s, sc.vals)
	if sc.linked && s.Customer != "" {
		setPath(o, s.Customer, sc.c.acct)
	}
	return sortedObj(o, "id", "object")
}

func hexUpper(r interface{ IntN(int) int }, n int) string {
	const hx = "0123456789ABCDEF"
	b := make([]byte, n)
	for i := range b {
		b[i] = hx[r.IntN(16)]
	}
	return string(b)
}
